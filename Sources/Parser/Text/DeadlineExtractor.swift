import Foundation
import Notices

/// A submission deadline found in French text.
public struct ExtractedDeadline: Sendable, Hashable {
    /// What must be submitted by then.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// Tenders (offres, plis).
        case tenders
        /// Requests to participate (candidatures) in a restricted or negotiated procedure.
        case requestsToParticipate = "requests_to_participate"
        /// Applications to a call for projects (dossiers, projets).
        case applications
    }

    /// The instant with the offset it was stated in. A date without a time is the end of that day
    /// (23:59 local): nobody should believe a call closed in the morning of its closing day.
    public var date: ZonedDate
    /// False when the text gave only a date.
    public var hasTime: Bool
    public var kind: Kind
    /// True when the time was "minuit" (taken as the end of the day stated) or otherwise uncertain.
    public var isAmbiguous: Bool
    /// Calendar date as written, `YYYY-MM-DD`, whatever the time.
    public var day: String

    public init(date: ZonedDate, hasTime: Bool, kind: Kind, isAmbiguous: Bool, day: String) {
        self.date = date
        self.hasTime = hasTime
        self.kind = kind
        self.isAmbiguous = isAmbiguous
        self.day = day
    }
}

/// Finds the date by which tenders or applications must be submitted in French notice text.
///
/// Only a date introduced by a submission label ("Date limite de réception des offres", "Remise des plis au plus
/// tard le", "Clôture de l'appel à projets", "devront parvenir avant le"…) counts. Dates whose nearest label is
/// something else — the dispatch date of the notice, a notification or signature date, a contract end date,
/// a law's date, the deadline for questions — are ignored, and so are office hours ("de 9h00 à 12h00"),
/// since a time is only read right after a date.
public enum DeadlineExtractor {
    /// The main deadline in `text`, or nil. Times without a stated zone are in `defaultZone` (Europe/Paris);
    /// "(UTC+02:00)", ISO offsets and "heure de Wallis"-style zones are honoured.
    public static func extract(_ text: String, defaultZone: TimeZone = parisZone) -> ExtractedDeadline? {
        all(text, defaultZone: defaultZone).first
    }

    /// Every submission deadline in `text`, tenders and applications first, then requests to participate,
    /// each group in text order.
    public static func all(_ text: String, defaultZone: TimeZone = parisZone) -> [ExtractedDeadline] {
        all(folded: FoldedText(text), defaultZone: defaultZone)
    }

    static func all(folded t: FoldedText, defaultZone: TimeZone = parisZone) -> [ExtractedDeadline] {
        let p = Patterns.shared
        var found: [(offset: Int, value: ExtractedDeadline)] = []
        var previousEnd = 0
        for d in dates(in: t, patterns: p) {
            defer { previousEnd = d.end }
            let label = labelWindow(t, before: d.start, after: previousEnd)
            guard let kind = classify(label) else { continue }
            var zone = defaultZone
            var hour: Int? = d.hour
            var minute = d.minute ?? 0
            var second = d.second ?? 0
            var ambiguous = false
            var fixedOffset = d.offset
            var end = d.end
            if hour == nil, let tm = t.match(p.time, at: end) {
                if t.group(tm, 4) != nil {
                    hour = 12
                    minute = 0
                } else if t.group(tm, 5) != nil {
                    // "à minuit" after a closing day means the end of that day, not its first second.
                    hour = 23
                    minute = 59
                    ambiguous = true
                } else if let h = t.group(tm, 1).flatMap({ Int($0) }), h < 24 {
                    hour = h
                    minute = t.group(tm, 2).flatMap { Int($0) } ?? 0
                    second = t.group(tm, 3).flatMap { Int($0) } ?? 0
                }
                if hour != nil { end = tm.range.location + tm.range.length }
            }
            if fixedOffset == nil, let zm = t.match(p.zone, at: end) {
                if let sign = t.group(zm, 1), let h = t.group(zm, 2).flatMap({ Int($0) }) {
                    let m = t.group(zm, 3).flatMap { Int($0) } ?? 0
                    fixedOffset = (sign == "-" ? -1 : 1) * (h * 3600 + m * 60)
                } else if let name = t.group(zm, 4), let z = zoneNamed(name) {
                    zone = z
                }
            }
            let hasTime = hour != nil
            let h = hour ?? 23
            let mi = hour == nil ? 59 : minute
            let s = hour == nil ? 0 : second
            guard let instant = makeDate(d.year, d.month, d.day, h, mi, s, offset: fixedOffset, zone: zone) else {
                continue
            }
            let zoned: ZonedDate
            if let fixedOffset {
                zoned = ZonedDate(instant: instant, utcOffset: fixedOffset)
            } else {
                zoned = ZonedDate(instant: instant, zone: zone)
            }
            let dayString = String(format: "%04d-%02d-%02d", d.year, d.month, d.day)
            found.append(
                (
                    d.start,
                    ExtractedDeadline(
                        date: zoned, hasTime: hasTime, kind: kind,
                        isAmbiguous: ambiguous, day: dayString)
                ))
        }
        let main = found.filter { $0.value.kind != .requestsToParticipate }
        let requests = found.filter { $0.value.kind == .requestsToParticipate }
        return (main + requests).map(\.value)
    }

    /// Europe/Paris, the zone of unstated French times.
    public static let parisZone: TimeZone = TimeZone(identifier: "Europe/Paris") ?? TimeZone(secondsFromGMT: 3600)!

    // MARK: - Dates

    struct FoundDate {
        var start: Int
        var end: Int
        var year: Int
        var month: Int
        var day: Int
        var hour: Int?
        var minute: Int?
        var second: Int?
        var offset: Int?
    }

    /// Every calendar date written in `t`: `08/06/2026`, `2025-09-30T17:00:00+02:00`, `lundi 19 octobre 2026`,
    /// `1er mars 2021`.
    static func dates(in t: FoldedText, patterns p: Patterns) -> [FoundDate] {
        var out: [FoundDate] = []
        for m in t.matches(p.numericDate) {
            guard let d = t.group(m, 1).flatMap({ Int($0) }), let mo = t.group(m, 2).flatMap({ Int($0) }),
                var y = t.group(m, 3).flatMap({ Int($0) })
            else { continue }
            if y < 100 { y += 2000 }
            out.append(FoundDate(start: m.range.location, end: NSMaxRange(m.range), year: y, month: mo, day: d))
        }
        for m in t.matches(p.isoDate) {
            guard let y = t.group(m, 1).flatMap({ Int($0) }), let mo = t.group(m, 2).flatMap({ Int($0) }),
                let d = t.group(m, 3).flatMap({ Int($0) })
            else { continue }
            var f = FoundDate(start: m.range.location, end: NSMaxRange(m.range), year: y, month: mo, day: d)
            f.hour = t.group(m, 4).flatMap { Int($0) }
            f.minute = t.group(m, 5).flatMap { Int($0) }
            f.second = t.group(m, 6).flatMap { Int($0) }
            if let z = t.group(m, 7) {
                f.offset = parseOffset(z)
            }
            out.append(f)
        }
        for m in t.matches(p.textDate) {
            guard let d = t.group(m, 1).flatMap({ Int($0) }), let mname = t.group(m, 2),
                let mo = FrenchText.months[mname], let y = t.group(m, 3).flatMap({ Int($0) })
            else { continue }
            out.append(FoundDate(start: m.range.location, end: NSMaxRange(m.range), year: y, month: mo, day: d))
        }
        // "31/02/2026" is a typo, not 3 March: invalid calendar dates are dropped.
        return out.filter {
            (1...12).contains($0.month) && $0.year >= 1990 && $0.year < 2200
                && (1...FeedDate.daysIn(month: $0.month, year: $0.year)).contains($0.day)
        }
        .sorted { $0.start < $1.start }
    }

    static func parseOffset(_ z: String) -> Int? {
        if z == "z" { return 0 }
        let sign = z.hasPrefix("-") ? -1 : 1
        let digits = z.filter(\.isNumber)
        guard digits.count == 4, let h = Int(digits.prefix(2)), let m = Int(digits.suffix(2)) else { return nil }
        return sign * (h * 3600 + m * 60)
    }

    static func makeDate(
        _ y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int, _ s: Int, offset: Int?,
        zone: TimeZone
    ) -> Date? {
        if let offset {
            let t = ISO8601.days(fromCivil: y, mo, d) * 86_400 + h * 3600 + mi * 60 + s - offset
            return Date(timeIntervalSince1970: TimeInterval(t))
        }
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = zone
        return cal.date(from: DateComponents(year: y, month: mo, day: d, hour: h, minute: mi, second: s))
    }

    // MARK: - Labels

    /// The folded text that introduces a date: back to the previous date or the start of the sentence,
    /// at most 160 characters.
    static func labelWindow(_ t: FoldedText, before start: Int, after previousEnd: Int) -> String {
        let from = max(previousEnd, start - 160, 0)
        var w = t.foldedText(from: from, to: start)
        // A sentence end ("…2016. Les offres…") starts a new label; section numbers like "IV.3.4)" do not.
        if let r = FrenchText.lastMatch(Patterns.shared.sentenceEnd, in: w) {
            w = String(w[r.upperBound...])
        }
        return w
    }

    /// Whether the label introduces a submission deadline, and of what. The keyword found last (nearest to the
    /// date) decides, so "Date limite de demande d'informations complémentaires" is not a submission deadline.
    static func classify(_ label: String) -> ExtractedDeadline.Kind? {
        let p = Patterns.shared
        let neg = FrenchText.lastMatchLocation(p.negativeLabel, in: label)
        if let strong = FrenchText.lastMatchLocation(p.strongLabel, in: label) {
            guard neg.map({ $0 < strong }) ?? true else { return nil }
        } else {
            guard FrenchText.lastMatchLocation(p.weakLabel, in: label) != nil, neg == nil,
                FrenchText.lastMatchLocation(p.submissionNoun, in: label) != nil
            else { return nil }
        }
        let l = label
        if l.contains("dossier") || l.contains("projet") || l.contains("appel a") || l.contains("aap") {
            return .applications
        }
        if (l.contains("candidature") || l.contains("participation")) && !l.contains("offre") && !l.contains("pli") {
            return .requestsToParticipate
        }
        return .tenders
    }

    /// Zones named in "heure de …" (overseas notices state their local time).
    static func zoneNamed(_ name: String) -> TimeZone? {
        let n = name.trimmingCharacters(in: .whitespaces)
        let table: [(String, String)] = [
            ("wallis", "Pacific/Wallis"), ("futuna", "Pacific/Wallis"), ("paris", "Europe/Paris"),
            ("metropole", "Europe/Paris"), ("france", "Europe/Paris"), ("noumea", "Pacific/Noumea"),
            ("nouvelle-caledonie", "Pacific/Noumea"), ("caledonie", "Pacific/Noumea"),
            ("tahiti", "Pacific/Tahiti"), ("papeete", "Pacific/Tahiti"), ("polynesie", "Pacific/Tahiti"),
            ("cayenne", "America/Cayenne"), ("guyane", "America/Cayenne"), ("martinique", "America/Martinique"),
            ("guadeloupe", "America/Guadeloupe"), ("reunion", "Indian/Reunion"), ("la reunion", "Indian/Reunion"),
            ("mayotte", "Indian/Mayotte"), ("saint-pierre", "America/Miquelon"), ("miquelon", "America/Miquelon"),
            ("saint-martin", "America/Marigot"), ("saint-barthelemy", "America/St_Barthelemy"),
            ("bruxelles", "Europe/Brussels"), ("luxembourg", "Europe/Luxembourg"),
        ]
        for (key, id) in table where n.hasPrefix(key) {
            return TimeZone(identifier: id)
        }
        return nil
    }

    /// Compiled once; `NSRegularExpression` is safe to share between threads.
    final class Patterns: @unchecked Sendable {
        static let shared = Patterns()

        let numericDate = frenchRegex(#"(?<![\d/.\-])(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})(?![\d/]|[.\-]\d)"#)
        let isoDate = frenchRegex(
            #"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?:[t ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?"#
                + #"(z|[+-]\d{2}:?\d{2})?(?!\d)"#
        )
        let textDate = frenchRegex(
            #"(?<![\d])(?:(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\s+)?(\d{1,2})(?:er|e)?\s+"#
                + #"(janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre"#
                + #"|janv|fevr|fev|avr|juil|sept|oct|nov|dec)\.?\s+(\d{4})(?!\d)"#)
        /// A time right after a date: "à 12h00", " 12:00:00", " - 12h00", ", 12 heures", " Heure locale : 12:00",
        /// "à midi", "à minuit".
        let time = frenchRegex(
            #"^[\s,\-]*(?:(?:a|avant|jusqu'a)\s+)?(?:\(?heure\s+(?:locale|de paris)\)?\s*:?\s*)?"#
                + #"(?:(\d{1,2})\s*(?:h|:|heures?)\s*(\d{2})?(?::(\d{2}))?(?![\d])|(midi)|(minuit))"#)
        /// A zone after a date or time: "(UTC+02:00)", "GMT+1", "(heure de Wallis)", "heure de Paris".
        let zone = frenchRegex(
            #"^\s*\(?\s*(?:(?:utc|gmt)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?"#
                + #"|heure\s+(?:de\s+|d'|du\s+|des\s+)?([a-z\-' ]{3,30}))"#
        )
        /// Labels that name a submission deadline by themselves.
        let strongLabel = frenchRegex(
            #"date\s+(?:et heure\s+)?limites?|limites? de (?:reception|remise|depot)"#
                + #"|reception des (?:offres|plis|candidatures)"#
                + #"|remise des (?:offres|plis|candidatures|dossiers|projets)"#
                + #"|depot des|(?:date de )?cloture|date de fin|fin de (?:depot|candidature)|deadline|closing date"#
                + #"|time limit"#)
        /// Phrasings that make a date a limit, but not necessarily for submitting anything ("les travaux devront
        /// être achevés au plus tard le…"): they count only with a submission noun and no other label.
        let weakLabel = frenchRegex(
            #"au plus tard|avant le|jusqu'au"#
                + #"|(?:devront|doivent|doit|devra) (?:parvenir|etre (?:deposes?|remis|transmis|recus?))"#)
        /// A sentence end followed by a new label (`labelWindow`).
        let sentenceEnd = frenchRegex(#"[.!?;]\s+(?=[a-z])"#)
        let submissionNoun = frenchRegex(#"offre|pli|candidature|dossier|projet|proposition|reponse|soumission"#)
        let negativeLabel = frenchRegex(
            #"envoi|notifi|signe|ordonnance|decret|\bloi\b|arrete|duree|informations? complementaires"#
                + #"|renseignements? complementaires|questions|ouverture|publication|publie|visite|attribu|debut"#
                + #"|demarrage|commencement|execution|livraison|du marche|mis en ligne|modifi|deliber|achev|termin"#)
    }
}
