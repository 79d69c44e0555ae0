import Foundation
import Notices

/// French wording of dates, amounts and labels, identical on every platform (no locale data needed:
/// Foundation's French locale differs between Linux and macOS builds, and digests are golden-tested).
public enum FrenchFormat {
    /// No-break space: keeps "246 000 €" and "12 h 00" on one line in every renderer.
    public static let nbsp = "\u{00A0}"
    static let weekdays = ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"]
    static let months = [
        "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
        "octobre", "novembre", "décembre",
    ]
    /// Offset used when a date carries none of its own (UTC from a JSON API): French users read Paris time.
    static let paris = TimeZone(identifier: "Europe/Paris")

    /// The offset to show a date in: the one it was stated in, or Paris time for bare UTC values.
    public static func displayOffset(_ z: ZonedDate) -> Int {
        if z.utcOffset != 0 || z.timeZone != nil { return z.utcOffset }
        return paris?.secondsFromGMT(for: z.instant) ?? 0
    }

    static func parts(_ instant: Date, offset: Int) -> (y: Int, m: Int, d: Int, wd: Int, h: Int, mi: Int) {
        let t = Int(instant.timeIntervalSince1970.rounded(.down)) + offset
        let days = t >= 0 ? t / 86_400 : -((-t + 86_399) / 86_400)
        let secs = t - days * 86_400
        let (y, m, d) = ISO8601.civil(fromDays: days)
        let wd = ((days % 7) + 7 + 4) % 7  // 1970-01-01 was a Thursday
        return (y, m, d, wd, secs / 3600, (secs % 3600) / 60)
    }

    /// "lundi 8 juin 2026 à 12 h 00" (1er for the first of the month, as French writes it).
    public static func dateTime(_ z: ZonedDate) -> String {
        let p = parts(z.instant, offset: displayOffset(z))
        return "\(day(p)) à \(p.h)\(nbsp)h\(nbsp)\(Digits.two(p.mi))"
    }

    /// "lundi 8 juin 2026".
    public static func date(_ z: ZonedDate) -> String {
        day(parts(z.instant, offset: displayOffset(z)))
    }

    /// "mardi 5 mai 2026" for an instant, in Paris time.
    public static func date(_ d: Date) -> String {
        date(ZonedDate(instant: d, utcOffset: paris?.secondsFromGMT(for: d) ?? 0, timeZone: "Europe/Paris"))
    }

    /// "5 mai 2026 à 02 h 00" style for an instant, in Paris time.
    public static func dateTime(_ d: Date) -> String {
        dateTime(ZonedDate(instant: d, utcOffset: paris?.secondsFromGMT(for: d) ?? 0, timeZone: "Europe/Paris"))
    }

    private static func day(_ p: (y: Int, m: Int, d: Int, wd: Int, h: Int, mi: Int)) -> String {
        "\(weekdays[p.wd]) \(p.d == 1 ? "1er" : String(p.d)) \(months[p.m - 1]) \(p.y)"
    }

    /// "aujourd'hui", "demain", "dans 12 jours", "dépassée depuis 2 jours", counted in calendar days
    /// in the deadline's own offset.
    public static func relative(_ z: ZonedDate, from now: Date) -> String {
        let n = daysLeft(z, from: now)
        if z.instant < now {
            return n == 0 ? "dépassée depuis quelques heures" : "dépassée depuis \(-n) jour\(-n > 1 ? "s" : "")"
        }
        switch n {
        case 0: return "aujourd'hui"
        case 1: return "demain"
        default: return "dans \(n) jours"
        }
    }

    /// Whole calendar days from `now` to the deadline (negative when past).
    public static func daysLeft(_ z: ZonedDate, from now: Date) -> Int {
        let off = displayOffset(z)
        let a = parts(now, offset: off)
        let b = parts(z.instant, offset: off)
        return ISO8601.days(fromCivil: b.y, b.m, b.d) - ISO8601.days(fromCivil: a.y, a.m, a.d)
    }

    /// "246 000", "1 234,50": French grouping with no-break spaces, decimal comma, cents only when needed.
    public static func number(_ d: Decimal) -> String {
        var s = NSDecimalNumber(decimal: d).stringValue
        var negative = false
        if s.hasPrefix("-") {
            negative = true
            s.removeFirst()
        }
        let pieces = s.split(separator: ".", maxSplits: 1)
        let intPart = String(pieces.first ?? "0")
        var grouped = ""
        for (i, ch) in intPart.reversed().enumerated() {
            if i > 0, i % 3 == 0 { grouped.append(contentsOf: nbsp) }
            grouped.append(ch)
        }
        var out = String(grouped.reversed())
        if pieces.count == 2 {
            var frac = String(pieces[1].prefix(2))
            while frac.count < 2 { frac += "0" }
            if frac != "00" { out += "," + frac }
        }
        return (negative ? "-" : "") + out
    }

    /// ``number(_:)`` of a whole number, without `NSDecimalNumber`: « 1 200 000 ».
    static func number(_ v: Int) -> String {
        let digits = Array(String(v.magnitude).utf8)
        // Grouped by three from the right, each group after the first preceded by a no-break space (C2 A0).
        var out: [UInt8] = []
        out.reserveCapacity(digits.count * 2 + 1)
        if v < 0 { out.append(0x2D) }
        let head = digits.count % 3 == 0 ? 3 : digits.count % 3
        out.append(contentsOf: digits[0..<head])
        var i = head
        while i < digits.count {
            out.append(0xC2)
            out.append(0xA0)
            out.append(contentsOf: digits[i..<i + 3])
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// ``euros(_:compact:)`` of a whole number of euros: « 1 200 000 € ».
    static func euros(_ v: Int) -> String { number(v) + nbsp + "€" }

    static func currencySymbol(_ code: String?) -> String {
        switch code?.uppercased() {
        case nil, "EUR": return "€"
        case "USD": return "$US"
        case "GBP": return "£"
        case let c?: return c
        }
    }

    /// "246 000 €", or "1,2 M€" with `compact` from a million up (staff compare orders of magnitude).
    public static func euros(_ d: Decimal, compact: Bool = false) -> String {
        if compact, d >= 1_000_000 {
            let tenths = NSDecimalNumber(decimal: d / 100_000).rounding(
                accordingToBehavior: NSDecimalNumberHandler(
                    roundingMode: .plain, scale: 0, raiseOnExactness: false, raiseOnOverflow: false,
                    raiseOnUnderflow: false, raiseOnDivideByZero: false))
            let t = tenths.intValue
            return number(Decimal(t / 10)) + (t % 10 == 0 ? "" : ",\(t % 10)") + nbsp + "M€"
        }
        return number(d) + nbsp + "€"
    }

    /// "246 000 € HT", "entre 100 000 € et 250 000 € HT", "jusqu'à 90 000 €"; nil when no figure.
    public static func amount(_ m: Money?) -> String? {
        guard let m else { return nil }
        let cur = currencySymbol(m.currency)
        func f(_ d: Decimal) -> String { number(d) + nbsp + cur }
        let vat = m.vat.map { " " + $0 } ?? ""
        if let a = m.amount { return f(a) + vat }
        switch (m.min, m.max) {
        case (let lo?, let hi?): return "entre \(f(lo)) et \(f(hi))\(vat)"
        case (nil, let hi?): return "jusqu'à \(f(hi))\(vat)"
        case (let lo?, nil): return "à partir de \(f(lo))\(vat)"
        default: return nil
        }
    }

    /// "0,82".
    public static func score(_ s: Double) -> String {
        String(format: "%.2f", s).replacingOccurrences(of: ".", with: ",")
    }

    /// French label of a notice kind.
    public static func kind(_ k: NoticeKind) -> String {
        switch k {
        case .tender: return "Appel d'offres"
        case .priorInformation: return "Avis de préinformation"
        case .award: return "Avis d'attribution"
        case .callForProjects: return "Appel à projets"
        case .change: return "Avis rectificatif"
        }
    }

    /// French name of a procedure as sources code it (eForms `procurement-procedure-type` codes, BOAMP
    /// wording); an unknown value is shown as given.
    public static func procedure(_ code: String) -> String {
        switch code.lowercased() {
        case "open", "ouvert", "procédure ouverte": return "Procédure ouverte"
        case "restricted", "restreint", "procédure restreinte": return "Procédure restreinte"
        case "neg-w-call": return "Procédure négociée avec mise en concurrence"
        case "neg-wo-call": return "Procédure négociée sans mise en concurrence"
        case "comp-dial": return "Dialogue compétitif"
        case "innovation": return "Partenariat d'innovation"
        case "oth-single": return "Autre procédure en une étape"
        case "oth-mult": return "Autre procédure en plusieurs étapes"
        case "mapa", "adapted", "procédure adaptée": return "Procédure adaptée (MAPA)"
        // aides-territoires: `is_call_for_project` true or false.
        case "call-for-projects": return "Appel à projets"
        case "aid": return "Aide (guichet ouvert)"
        default: return code
        }
    }

    /// Label of the main deadline, which depends on what the notice asks for.
    public static func deadlineLabel(_ n: Notice) -> String {
        switch n.kind {
        case .callForProjects: return "Date limite de dépôt des candidatures"
        case .priorInformation: return "Date prévisionnelle"
        default:
            // A restricted procedure's only deadline is for requests to participate (TED, BOAMP): a firm that
            // reads « remise des offres » would prepare a tender nobody asked for yet.
            return n.deadlineKind == .requestToParticipate
                ? "Date limite de remise des candidatures" : "Date limite de remise des offres"
        }
    }

    /// French label of a secondary deadline: its kind in words, with the lot it concerns; a date the source
    /// named in words only (`.other`) keeps the source's label.
    public static func otherDeadlineLabel(_ date: NamedDate) -> String {
        let words: String
        switch date.kind {
        case .tender: words = "Remise des offres"
        case .requestToParticipate: words = "Remise des candidatures"
        case .application: words = "Dépôt des dossiers"
        case .questions: words = "Date limite des questions"
        case .opening: words = "Ouverture des plis"
        case .visit: words = "Visite obligatoire"
        case .predeposit: words = "Pré-dépôt"
        case .nextStage: words = "Étape suivante"
        case .notification: words = "Notification"
        case .other: words = date.label ?? "Autre date"
        }
        return date.lot.map { "\(words) (lot \($0))" } ?? words
    }

    /// The date shown as the notice's deadline: the tender deadline, else a call's closing date.
    public static func mainDeadline(_ n: Notice) -> ZonedDate? { n.deadline ?? n.call?.closing }

    /// French label of a changed field.
    public static func fieldLabel(_ field: String) -> String {
        switch field {
        case "deadline": return "Date limite"
        case "call_closing": return "Clôture de l'appel"
        case "value": return "Montant estimé"
        case "title": return "Intitulé"
        case "kind": return "Type d'avis"
        case "buyer": return "Acheteur"
        case "url": return "Lien"
        case "procedure": return "Procédure"
        case "version": return "Version"
        case "main_cpv", "cpv": return "Codes CPV"
        case "places": return "Lieu d'exécution"
        case "summary": return "Résumé"
        case "content": return "Texte de l'avis"
        case "other_deadlines": return "Autres échéances"
        case "lots": return "Lots"
        case "descriptors": return "Descripteurs"
        case "call": return "Conditions de l'appel"
        case "refs": return "Références"
        case "enclosures": return "Pièces jointes"
        default: return field
        }
    }

    /// A changed value in words: dates in French, others as given.
    public static func changeValue(_ field: String, _ raw: String?) -> String {
        guard let raw else { return "—" }
        if field == "deadline" || field == "call_closing", let z = ISO8601.parseZoned(raw) { return dateTime(z) }
        if field == "kind", let k = NoticeKind(rawValue: raw) { return kind(k) }
        return raw
    }

    /// "Date limite : lundi 8 juin 2026 à 12 h 00 → lundi 22 juin 2026 à 12 h 00", or "Lots modifiés".
    public static func change(_ c: NoticeChange) -> String {
        let label = fieldLabel(c.field)
        if c.old == nil && c.new == nil { return "\(label) : modifié" }
        return "\(label) : \(changeValue(c.field, c.old)) → \(changeValue(c.field, c.new))"
    }

    /// « Gironde (33) » for a département code (`33`, `2a`, `1`), the input itself when it is no département
    /// code (a name, or a code the table lacks). The routing data carries codes only (`RouteExclusion.places`, a
    /// distance evidence's site and place); the names come from the shared table.
    static func departementLabel(_ codeOrName: String) -> String {
        Departements.departement(code: codeOrName).map { "\($0.name) (\($0.code))" } ?? codeOrName
    }

    /// Communes and départements of a notice ("Saint-Étienne (42)", "département 67"), in order, without duplicates.
    public static func places(_ n: Notice) -> String? {
        var seen = Set<String>()
        var out: [String] = []
        for p in n.places + n.lots.flatMap(\.places) {
            let label: String
            switch (p.commune, p.departement) {
            case (let c?, let d?): label = "\(c) (\(d))"
            case (let c?, nil): label = c
            case (nil, let d?): label = departementLabel(d)
            default: label = p.nuts ?? p.postcode ?? ""
            }
            if !label.isEmpty, seen.insert(label).inserted { out.append(label) }
        }
        return out.isEmpty ? nil : out.joined(separator: ", ")
    }

    /// Each awarded supplier as the source names it, with its registration number in parentheses when known
    /// ("Espaces Verts Lemire (326912557)"); nil when the notice names none.
    public static func awardees(_ n: Notice, separator: String = ", ") -> String? {
        let labels = n.awardees.compactMap { a -> String? in
            switch (a.name, a.id) {
            case (let name?, let id?): return "\(name) (\(id))"
            case (let name?, nil): return name
            case (nil, let id?): return "identifiant \(id)"
            default: return nil
            }
        }
        return labels.isEmpty ? nil : labels.joined(separator: separator)
    }

    static func source(_ s: SourceHealth.Status) -> String {
        switch s {
        case .ok: return "en bon état"
        case .incomplete: return "incomplète"
        case .failing: return "en échec"
        case .stale: return "sans nouvelles"
        case .skipped: return "non interrogée"
        }
    }

    /// The source table's remark in French (see `Wording.sourceRemark`): never the fetcher's English message.
    public static func sourceRemark(_ s: SourceHealth) -> String { Wording.sourceRemark(s) }

    /// « x » with no-break spaces inside the marks, as French typography writes them; with `punctuation`, also
    /// before `:`, `;`, `?` and `!`, so a line never starts with one.
    static func guillemets(_ s: String, punctuation: Bool = false) -> String {
        var t = s
        if t.contains("«") || t.contains("»") {
            t = t.replacingOccurrences(of: "« ", with: "«" + nbsp).replacingOccurrences(of: " »", with: nbsp + "»")
        }
        if punctuation {
            for p in [" :", " ;", " ?", " !"] where t.contains(p) {
                t = t.replacingOccurrences(of: p, with: nbsp + p.dropFirst())
            }
        }
        return t
    }

    static func plural(_ n: Int, _ singular: String, _ plural: String) -> String {
        "\(n) \(n > 1 ? plural : singular)"
    }
}
