import Foundation
import Notices

/// The digest formats. Raw values are the file extensions and the names `--format` accepts.
public enum DigestFormat: String, Sendable, Hashable, CaseIterable, Codable {
    case markdown = "md"
    case html
    case json
    case icalendar = "ics"
    case atom
    case csv

    /// The file extension (without dot).
    public var fileExtension: String { rawValue }

    /// Whether `latest.<ext>` is tonight's file as is (the renderer keeps the default `renderSubscription`); a
    /// calendar or a feed covers the subscription window instead.
    public var subscriptionIsTonight: Bool { self != .icalendar && self != .atom }

    /// The renderer for this format.
    public var renderer: any DigestRenderer {
        switch self {
        case .markdown: return MarkdownRenderer()
        case .html: return HTMLRenderer()
        case .json: return JSONDigestRenderer()
        case .icalendar: return ICalendarRenderer()
        case .atom: return AtomRenderer()
        case .csv: return CSVRenderer()
        }
    }

    /// Parses `md,html,ics` (also accepting `markdown`, `ical`, `icalendar`).
    public static func parseList(_ s: String) throws -> [DigestFormat] {
        try s.split(separator: ",").map { raw in
            let name = raw.trimmingCharacters(in: .whitespaces).lowercased()
            switch name {
            case "markdown": return .markdown
            case "ical", "icalendar": return .icalendar
            default:
                guard let f = DigestFormat(rawValue: name) else {
                    throw DigestError.unknownFormat(name)
                }
                return f
            }
        }
    }
}

/// Turns a digest into one file's bytes. Renderers are pure: same input, same output (golden-tested).
public protocol DigestRenderer: Sendable {
    var format: DigestFormat { get }
    /// The whole file.
    func render(_ input: DigestInput) throws -> [UInt8]
    /// The file a subscription reads (`latest.<ext>`): for a calendar or a feed, the window's entries too
    /// (`input.window`, the last `windowDays` days, newest `windowLimit`), not only tonight's; for the other
    /// formats, tonight's file.
    func renderSubscription(_ input: DigestInput) throws -> [UInt8]
}

extension DigestRenderer {
    public func renderSubscription(_ input: DigestInput) throws -> [UInt8] { try render(input) }
}

/// Section titles and counts shared by the text renderers.
enum Wording {
    static func title(_ input: DigestInput) -> String {
        "Veille \(heading(input)) — \(FrenchFormat.date(input.runDate))"
    }

    /// `Pôle Méca Loire`, or `Pôle Méca Loire pour Décolletage du Furan` on a member's own digest.
    static func heading(_ input: DigestInput) -> String {
        input.recipientName.map { "\(input.clusterName) pour \($0)" } ?? input.clusterName
    }

    /// True on one member's own digest: nothing in it may name another member.
    static func isMember(_ input: DigestInput) -> Bool { input.recipientID != nil }

    /// True on the cluster's own digest, for its staff (not a member's, not a saved watch's).
    static func isStaff(_ input: DigestInput) -> Bool { input.recipientID == nil && input.recipientName == nil }

    /// Distinct notices for the recipient tonight: its sections, calls, and (for a member) its consortium ideas.
    static func newNotices(_ input: DigestInput) -> Int { input.newNotices }

    /// The line under the title: the night in counts.
    static func overview(_ input: DigestInput) -> String {
        let member = isMember(input)
        let count = newNotices(input)
        var parts: [String] = []
        if input.hasNews {
            parts.append(
                member
                    ? FrenchFormat.plural(count, "avis pour vous", "avis pour vous")
                    : FrenchFormat.plural(count, "avis pour les adhérents", "avis pour les adhérents"))
        }
        let week = input.summary.deadlinesThisWeek.count
        if week > 0 { parts.append(FrenchFormat.plural(week, "à rendre cette semaine", "à rendre cette semaine")) }
        if !input.consortia.isEmpty {
            parts.append(FrenchFormat.plural(input.consortia.count, "idée de consortium", "idées de consortium"))
        }
        if !input.calls.isEmpty {
            parts.append(FrenchFormat.plural(input.calls.count, "appel à projets", "appels à projets"))
        }
        if !input.changed.isEmpty {
            parts.append(FrenchFormat.plural(input.changed.count, "avis modifié", "avis modifiés"))
        }
        if !input.signals.isEmpty {
            parts.append(FrenchFormat.plural(input.signals.count, "avis à signaler", "avis à signaler"))
        }
        let watched = Set(input.watches.flatMap { $0.items.map(\.notice.id) }).count
        if watched > 0 { parts.append(FrenchFormat.plural(watched, "avis en veille", "avis en veille")) }
        if !input.sources.isEmpty {
            let ok = input.sources.filter { $0.status == .ok }.count
            var sources = "sources : \(ok)/\(input.sources.count) en bon état"
            // A source stopped at an API cap is working, but has not delivered everything yet.
            let incomplete = input.sources.filter { $0.status == .incomplete }.count
            if incomplete > 0 { sources += ", \(incomplete) incomplète" + (incomplete > 1 ? "s" : "") }
            parts.append(sources)
        }
        return parts.joined(separator: " · ")
    }

    /// The member section's title: « Pour vous » on a member's own digest, the night's notices for the staff.
    static func members(_ input: DigestInput) -> String { isMember(input) ? "Pour vous" : byNotice }
    static let consortia = "Chasser en meute — idées de consortium"
    static let signals = "À signaler — cœur de métier hors de portée des adhérents"
    static let calls = "Appels à projets"
    static let watches = "Veilles enregistrées"
    static let deadlines = "Dates limites proches"
    static let changed = "Modifié depuis notre dernier envoi"
    static let sources = "État des sources"
    static let why = "Pourquoi cet avis ?"
    static let whyConsortium = "Pourquoi en consortium ?"

    /// The closing note: what the words mean, and whom to write to.
    static func footer(_ input: DigestInput) -> String {
        var s =
            "Digest produit par Vigie pour \(input.clusterName). « Cœur de métier » : l'avis achète ce que "
            + "l'entreprise fait elle-même ; « par la chaîne de valeur » : elle fournit un métier dont l'avis a besoin."
        if let c = staffContact(input) { s += " Une question, un avis mal placé ? Écrivez à l'équipe : \(c.address)." }
        return s
    }

    /// The staff's address and its `mailto:` link, when the cluster gives one.
    static func staffContact(_ input: DigestInput) -> (address: String, url: String)? {
        guard var c = input.staffContact?.trimmingWhitespace(), !c.isEmpty else { return nil }
        if c.lowercased().hasPrefix("mailto:") { c = String(c.dropFirst(7)) }
        return (c, "mailto:" + c)
    }

    /// « Rien de nouveau … »: the cluster's and a member's.
    static func nothing(_ input: DigestInput) -> String {
        isMember(input) ? "Rien de nouveau pour vous cette nuit." : "Rien de nouveau cette nuit pour le pôle."
    }

    /// Member sections as shown: within a section, direct routes before indirect ones, then the nearest
    /// deadline, then the strongest evidence; sections that hold a direct route first, so the digest never
    /// opens on a weak indirect route. Stable otherwise (the assembler's order).
    static func orderedMembers(_ input: DigestInput) -> [MemberSection] {
        if let ordered = input.tallies.ordered { return ordered }
        // The assembler's reading order, applied again here because a digest may come from elsewhere (JSON).
        var sections: [MemberSection] = []
        var hasDirect: [Bool] = []
        for m in input.members where !m.items.isEmpty {
            var m = m
            // Already in order when the assembler wrote it (every night): checked on keys, not sorted, so the
            // items (whole notices) are not copied.
            m.items = DigestAssembler.inReadingOrder(m.items)
            hasDirect.append(m.items.indices.contains { m.items[$0].direct != false })
            sections.append(m)
        }
        // Stable: sections that hold a direct route first, each group in the assembler's order.
        guard hasDirect.contains(false), hasDirect.contains(true) else { return sections }
        return sections.indices.filter { hasDirect[$0] }.map { sections[$0] }
            + sections.indices.filter { !hasDirect[$0] }.map { sections[$0] }
    }

    /// Why a notice is signalled to staff, in one sentence with its figures: « Robinetterie… » : 45 M€ — plus
    /// grande capacité d'un adhérent 3 M€, 5 M€ à tous ensemble.
    static func signal(_ s: SignalItem) -> String {
        var out = "Cœur de métier (\(s.segments.map { "« \($0) »" }.joined(separator: ", ")))"
        if let lot = s.lotID { out += ", \(lotName(lot).lowercased())" }
        if let v = s.value { out += " pour \(FrenchFormat.euros(v))" }
        out += " : aucun adhérent ne peut le porter, seul ni en groupement"
        var figures: [String] = []
        if let l = s.largestCapacity { figures.append("plus grande capacité \(FrenchFormat.euros(l))") }
        if let c = s.combinedCapacity, s.members.count > 1 {
            figures.append("\(FrenchFormat.euros(c)) à tous ensemble")
        }
        if !figures.isEmpty { out += " (" + figures.joined(separator: ", ") + ")" }
        if !s.members.isEmpty { out += ". Adhérents concernés : \(s.members.joined(separator: ", "))" }
        return out + ". À étudier : une alliance au-delà du pôle, ou demander à l'acheteur un allotissement."
    }

    /// "A, B, C, D, E et 15 autres": a reminder line stays one line (staff digest only).
    static func shortList(_ names: [String], limit: Int = 5) -> String {
        guard names.count > limit + 1 else { return names.joined(separator: ", ") }
        return names.prefix(limit).joined(separator: ", ") + " et \(names.count - limit) autres"
    }

    static func sourceLine(_ n: Notice, also: [String], names: [String: String] = [:]) -> String {
        var s = "Source : \(names[n.source] ?? n.source) (\(n.sourceID))"
        if !also.isEmpty { s += ", aussi publié sur \(also.map { names[$0] ?? $0 }.joined(separator: ", "))" }
        return s
    }
}

/// What the Markdown and HTML renderers print of a routed item besides its notice, read from the item where it
/// lies: passing the item itself as an optional copied it (a whole notice) for every card of the digest.
struct ItemLines {
    /// Staff only: « Cœur de métier · pertinence forte », when the route says how the notice concerns the member.
    var relevance: String?
    var members: [String]
    var alsoPublishedOn: [String]
    /// « Pourquoi cet avis ? ».
    var why: [String]

    init(_ item: DigestItem, member: Bool) {
        relevance = !member && item.direct != nil ? Wording.relevance(item, member: false) : nil
        members = item.members
        alsoPublishedOn = item.alsoPublishedOn
        why = Wording.reasons(item, member: member)
    }
}
