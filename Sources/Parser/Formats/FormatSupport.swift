import Foundation
import Notices

/// Small conversions shared by the notice-format adapters: languages, multilingual texts, structured dates
/// and amounts, identifiers.
enum FormatSupport {
    // MARK: - Languages

    /// EU language codes as eForms and TED write them (`FRA`, `ENG`, lower case `fra` in TED JSON) → ISO 639-1.
    static let languageCodes: [String: String] = [
        "BUL": "bg", "CES": "cs", "DAN": "da", "DEU": "de", "ELL": "el", "ENG": "en", "EST": "et", "FIN": "fi",
        "FRA": "fr", "GLE": "ga", "HRV": "hr", "HUN": "hu", "ITA": "it", "LAV": "lv", "LIT": "lt", "MLT": "mt",
        "NLD": "nl", "POL": "pl", "POR": "pt", "RON": "ro", "SLK": "sk", "SLV": "sl", "SPA": "es", "SWE": "sv",
        "NOR": "no", "ISL": "is",
        // Bibliographic variants some producers still write.
        "FRE": "fr", "GER": "de", "DUT": "nl", "GRE": "el", "CZE": "cs", "RUM": "ro", "SLO": "sk",
    ]

    /// ISO 639-1 for a two- or three-letter code, nil when unknown.
    static func iso639_1(_ code: String?) -> String? {
        guard let c = code, !c.isEmpty else { return nil }
        if let hit = languageCodes[c] { return hit }
        let t = c.trimmingCharacters(in: .whitespaces)
        if t.utf8.count == 2 { return t.lowercased() }
        return languageCodes[t.uppercased()]
    }

    /// Picks the text of a multilingual field: the notice's language, then French, then English, then the first.
    /// `texts` are (language code as written, text); codes are compared in any form (`FRA`, `fra`, `fr`).
    static func pick(_ texts: [(lang: String?, text: String)], noticeLanguage: String?) -> String? {
        pickWithLanguage(texts, noticeLanguage: noticeLanguage)?.text
    }

    /// The language (ISO 639-1) of the text `pick` chooses.
    static func pickedLanguage(_ texts: [(lang: String?, text: String)], noticeLanguage: String?) -> String? {
        pickWithLanguage(texts, noticeLanguage: noticeLanguage)?.lang
    }

    static func pickWithLanguage(
        _ texts: [(lang: String?, text: String)], noticeLanguage: String?
    )
        -> (lang: String?, text: String)?
    {
        let cleaned = texts.map { (lang: iso639_1($0.lang), text: clean($0.text)) }.filter { !$0.text.isEmpty }
        guard let first = cleaned.first else { return nil }
        for want in [iso639_1(noticeLanguage), "fr", "en"] {
            if let want, let hit = cleaned.first(where: { $0.lang == want }) { return hit }
        }
        return first
    }

    /// Whitespace collapsed and trimmed (eForms titles may start with a newline and tabs: `cn_81_FRA.xml`).
    static func clean(_ s: String) -> String {
        // Fast path: most values have no leading, trailing, doubled or non-space whitespace.
        var previousSpace = true
        for b in s.utf8 {
            let isSpace = b == 0x20
            if b == 0x0A || b == 0x09 || b == 0x0D || b == 0x0C || (isSpace && previousSpace) {
                return HTMLText.collapseWhitespace(s)
            }
            previousSpace = isSpace
        }
        return previousSpace ? HTMLText.collapseWhitespace(s) : s
    }

    /// Trims spaces, tabs and newlines at both ends; returns `s` itself (no copy) when there are none, which is
    /// the usual case for codes and dates (Foundation's trimming always copies and is slow on Linux).
    static func trim(_ s: String) -> String {
        guard let f = s.utf8.first, let l = s.utf8.last else { return s }
        func ws(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D }
        if !ws(f) && !ws(l) { return s }
        return s.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A registration number as printed ("254 200 123 00017"): spaces dropped when it is only digits, so SIRETs
    /// from eForms, BOAMP and DECP compare equal; other identifiers are only cleaned.
    static func registrationNumber(_ s: String?) -> String? {
        guard let c = nonEmpty(s) else { return nil }
        let compact = c.filter { $0 != " " && $0 != "\u{00A0}" && $0 != "." }
        return compact.allSatisfy(\.isNumber) ? compact : c
    }

    /// Nil for empty or whitespace-only strings, else the cleaned string.
    static func nonEmpty(_ s: String?) -> String? {
        guard let s else { return nil }
        let c = clean(s)
        return c.isEmpty ? nil : c
    }

    // MARK: - Dates

    /// Combines an `xs:date` with zone (`2019-06-24Z`, `2020-06-12+01:00`) and an optional `xs:time`
    /// (`16:00:00Z`, `12:00:00+01:00`) as eForms writes deadlines (BT-131(d)/(t)). Without a time the deadline is
    /// the end of that day (23:59). The time's zone wins; without any zone, Europe/Paris.
    static func combine(date: String?, time: String?) -> ZonedDate? {
        guard let date = date.map(trim), date.utf8.count >= 10 else { return nil }
        let day = String(date.prefix(10))
        let dateZone = String(date.dropFirst(10))
        var clock = "23:59:00"
        var zone = dateZone
        if let time = time.map(trim), time.utf8.count >= 5 {
            let hms = time.prefix { $0.isNumber || $0 == ":" || $0 == "." }
            clock = hms.count == 5 ? hms + ":00" : String(hms.prefix(8))
            let tz = String(time.dropFirst(hms.count))
            if !tz.isEmpty { zone = tz }
        }
        if zone.isEmpty {
            return zoned(day + "T" + clock, zone: DeadlineExtractor.parisZone)
        }
        return ISO8601.parseZoned(day + "T" + clock + zone)
    }

    /// A local wall time `YYYY-MM-DDTHH:MM:SS` in `zone`.
    static func zoned(_ local: String, zone: TimeZone) -> ZonedDate? {
        guard let utc = ISO8601.parseZoned(local) else { return nil }
        // First guess with the zone's offset at the UTC reading, then correct once (DST edges).
        var instant = utc.instant.addingTimeInterval(-Double(zone.secondsFromGMT(for: utc.instant)))
        instant = utc.instant.addingTimeInterval(-Double(zone.secondsFromGMT(for: instant)))
        return ZonedDate(instant: instant, zone: zone)
    }

    /// An ISO 8601 date or date-time as sources write it; a bare date is taken at 00:00 Paris time (publication
    /// dates) unless `endOfDay` (deadlines).
    static func date(_ s: String?, endOfDay: Bool = false) -> ZonedDate? {
        guard let s = s.map(trim), s.utf8.count >= 10 else { return nil }
        // Byte tests: Foundation's `contains`/`replacingOccurrences` bridge to NSString at every call, and every
        // date of every notice comes through here.
        let u = s.utf8
        if s.count == 10 || (s.count > 10 && !u.contains(0x54) && !u.contains(0x20)) {
            // "2021-12-31", "2019-05-10+01:00" (xs:date with zone).
            if s.count > 10 { return combine(date: s, time: endOfDay ? nil : "00:00:00") }
            return zoned(s + (endOfDay ? "T23:59:00" : "T00:00:00"), zone: DeadlineExtractor.parisZone)
        }
        func spaceAsT<S: Sequence<UInt8>>(_ b: S) -> String {
            String(decoding: b.map { $0 == 0x20 ? 0x54 : $0 }, as: UTF8.self)
        }
        if let z = ISO8601.parseZoned(spaceAsT(u)) {
            // A date-time without zone is local French time, not UTC.
            let tail = s.dropFirst(16).utf8
            if !tail.contains(0x5A) && !tail.contains(0x2B) && !tail.contains(0x2D) {
                return zoned(spaceAsT(String(s.prefix(19)).utf8), zone: DeadlineExtractor.parisZone)
            }
            return z
        }
        return nil
    }

    /// Milliseconds since 1970 (legacy BOAMP JSON `receptoffres: 1614596400000`) shown in Paris time.
    static func epochMillis(_ ms: Double) -> ZonedDate {
        ZonedDate(instant: Date(timeIntervalSince1970: ms / 1000), zone: DeadlineExtractor.parisZone)
    }

    // MARK: - Numbers and identifiers

    /// A decimal written with a dot ("159691.6") or, from French producers, a comma or spaces.
    static func decimal(_ s: String?) -> Decimal? {
        guard let s, !s.isEmpty else { return nil }
        var plain = true
        var hasDigit = false
        for b in s.utf8 {
            if b >= 0x30 && b <= 0x39 {
                hasDigit = true
            } else if b != 0x2E && b != 0x2D {
                plain = false
                break
            }
        }
        if plain { return hasDigit ? plainDecimal(s) : nil }
        let t = trim(s)
        if t.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || $0 == 0x2D }) { return Decimal(string: t) }
        return FrenchText.parseNumber(t)
    }

    /// `Decimal(string:)` for the usual amount (`1850000`, `159691.60`, `-12.5`): built from its digits, since
    /// Foundation's parser costs a microsecond or more per call on Linux. Anything else (more than 18 digits, two
    /// dots, a sign inside) goes to Foundation as before.
    static func plainDecimal(_ s: String) -> Decimal? {
        var significand: UInt64 = 0
        var digits = 0
        var scale = 0
        var dot = false
        var negative = false
        var first = true
        for b in s.utf8 {
            defer { first = false }
            if b >= 0x30 && b <= 0x39 {
                guard digits < 18 else { return Decimal(string: s) }
                significand = significand * 10 + UInt64(b - 0x30)
                digits += 1
                if dot { scale += 1 }
            } else if b == 0x2E && !dot {
                dot = true
            } else if b == 0x2D && first {
                negative = true
            } else {
                return Decimal(string: s)
            }
        }
        guard digits > 0 else { return Decimal(string: s) }
        return Decimal(sign: negative ? .minus : .plus, exponent: -scale, significand: Decimal(significand))
    }

    /// Decimal from a JSON number or string.
    static func decimal(json v: Any?) -> Decimal? {
        if let n = v as? NSNumber, !JSONValue.isBool(n) { return Decimal(string: n.stringValue) }
        if let s = v as? String { return decimal(s) }
        return nil
    }

    /// CPV code normalised to eight digits ("45316110-9" → "45316110").
    static func cpv(_ s: String?) -> String? {
        guard let s = s.map(trim), s.utf8.count >= 8 else { return nil }
        // Byte test: `Character.isNumber` looks up Unicode properties for each character of every code.
        guard s.utf8.prefix(8).allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return s.utf8.count == 8 ? s : String(s.utf8.prefix(8))!
    }

    /// TED publication number without zero padding: "00566194-2026" → "566194-2026".
    static func tedPublicationNumber(_ s: String?) -> String? {
        guard let s = s.map(trim), !s.isEmpty else { return nil }
        let parts = s.split(separator: "-", maxSplits: 1)
        guard parts.count == 2, let n = Int(parts[0]) else { return s }
        return "\(n)-\(parts[1])"
    }

    /// A place from NUTS / postcode / commune, with the département derived for French codes.
    static func place(nuts: String?, postcode: String?, commune: String?, departement: String? = nil) -> Place? {
        let nuts = nonEmpty(nuts).map { FrenchGeography.nuts2021(fromLegacy: $0.uppercased()) }
        let pc = nonEmpty(postcode)
        var dep = departement.flatMap { FrenchGeography.departement(code: $0)?.code }
        if dep == nil, let nuts, nuts.count == 5 { dep = FrenchGeography.departement(nuts3: nuts)?.code }
        if dep == nil, let pc, nuts == nil || nuts!.hasPrefix("FR") {
            dep = FrenchGeography.departement(postcode: pc)?.code
        }
        let place = Place(
            nuts: nuts ?? dep.flatMap { FrenchGeography.departement(code: $0)?.nuts3 },
            departement: dep, postcode: pc, commune: nonEmpty(commune))
        if place.nuts == nil && place.departement == nil && place.postcode == nil && place.commune == nil { return nil }
        return place
    }

    /// The notice value its lots add up to, when every lot has one in the same currency: amounts, or minimum and
    /// maximum (framework agreements per lot: "20 000 € HT au minimum ; 100 000 € HT au maximum").
    static func total(of lots: [Lot]) -> Money? {
        let values = lots.compactMap(\.value)
        guard !values.isEmpty, values.count == lots.count, Set(values.map(\.currency)).count == 1 else { return nil }
        let vat = Set(values.map(\.vat)).count == 1 ? values[0].vat : nil
        if values.allSatisfy({ $0.amount != nil }) {
            return Money(amount: values.compactMap(\.amount).reduce(0, +), currency: values[0].currency, vat: vat)
        }
        let mins = values.compactMap(\.min), maxs = values.compactMap(\.max)
        guard values.allSatisfy({ $0.amount == nil }), mins.count == values.count || maxs.count == values.count else {
            return nil
        }
        return Money(
            currency: values[0].currency, min: mins.count == values.count ? mins.reduce(0, +) : nil,
            max: maxs.count == values.count ? maxs.reduce(0, +) : nil, vat: vat)
    }

    /// Appends `p` unless an equal place is already there.
    static func appendUnique(_ p: Place?, to list: inout [Place]) {
        guard let p, !list.contains(p) else { return }
        list.append(p)
    }

    // MARK: - Contacts

    /// A contact point from the fields a source gives, each cleaned (entity references decoded, whitespace
    /// collapsed); nil when none is left. An address written as a link (`mailto:achats@…`) keeps the address only.
    static func contact(name: String?, email: String?, phone: String?, url: String?) -> ContactPoint? {
        func field(_ s: String?) -> String? { text(fromHTML: s).flatMap(nonEmpty) }
        var mail = field(email)
        if let m = mail, m.lowercased().hasPrefix("mailto:") { mail = nonEmpty(String(m.dropFirst(7))) }
        let c = ContactPoint(name: field(name), email: mail, phone: field(phone), url: field(url))
        return c.isEmpty ? nil : c
    }

    /// Decodes HTML character references and strips tags (BOAMP JSON text is entity-encoded: `d&#039;Agglo`).
    static func text(fromHTML s: String?) -> String? {
        guard let s, !s.isEmpty else { return nil }
        if !s.utf8.contains(0x3C) && !s.utf8.contains(0x26) { return nonEmpty(s) }
        return nonEmpty(HTMLText.toText(s))
    }
}
