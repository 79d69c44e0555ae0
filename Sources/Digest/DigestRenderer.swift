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
    /// The file a subscription reads (`latest.<ext>`): for a calendar or a feed, every entry of the window
    /// (`input.window`, the last `windowDays` days), not only tonight's; for the other formats, tonight's file.
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

    static func overview(_ input: DigestInput) -> String {
        let newCount = Set(input.members.flatMap { $0.items.map(\.notice.id) }).count
        let ok = input.sources.filter { $0.status == .ok }.count
        var parts = [
            input.recipientName == nil
                ? FrenchFormat.plural(newCount, "avis pour les adhérents", "avis pour les adhérents")
                : FrenchFormat.plural(newCount, "avis pour vous", "avis pour vous"),
            FrenchFormat.plural(input.consortia.count, "piste en consortium", "pistes en consortium"),
            FrenchFormat.plural(input.calls.count, "appel à projets", "appels à projets"),
            FrenchFormat.plural(input.changed.count, "avis modifié", "avis modifiés"),
        ]
        if !input.signals.isEmpty {
            parts.append(FrenchFormat.plural(input.signals.count, "avis à signaler", "avis à signaler"))
        }
        let watched = Set(input.watches.flatMap { $0.items.map(\.notice.id) }).count
        if watched > 0 { parts.append(FrenchFormat.plural(watched, "avis en veille", "avis en veille")) }
        if !input.sources.isEmpty {
            var sources = "sources : \(ok)/\(input.sources.count) en bon état"
            // A source stopped at an API cap is working, but has not delivered everything yet.
            let incomplete = input.sources.filter { $0.status == .incomplete }.count
            if incomplete > 0 { sources += ", \(incomplete) incomplète" + (incomplete > 1 ? "s" : "") }
            parts.append(sources)
        }
        return parts.joined(separator: " · ")
    }

    static let members = "Par adhérent"
    /// The member section's title on a member's own digest.
    static func members(_ input: DigestInput) -> String { input.recipientName == nil ? members : "Pour vous" }
    static let consortia = "Chasser en meute — opportunités en consortium"
    static let signals = "À signaler — cœur de métier hors de portée des adhérents"
    static let calls = "Appels à projets"
    static let watches = "Veilles enregistrées"
    static let deadlines = "Dates limites proches"
    static let changed = "Modifié depuis notre dernier envoi"
    static let sources = "État des sources"
    static let why = "Pourquoi cet avis ?"
    static let footer =
        "Digest produit par Vigie. Pertinence : somme des indices trouvés (mots-clés, CPV, lieu) ; plus elle est "
        + "élevée, mieux l'avis correspond. « Cœur de métier » : l'avis demande ce que l'adhérent fait lui-même ; "
        + "« par la chaîne de valeur » : il fournit un maillon dont l'avis a besoin."
    static let nothing = "Rien de nouveau cette nuit pour le pôle."

    /// Why a notice is signalled to staff, in one sentence with its figures: « Robinetterie… » : 45 M€ — plus
    /// grande capacité d'un adhérent 3 M€, 5 M€ à tous ensemble.
    static func signal(_ s: SignalItem) -> String {
        func euros(_ d: Decimal) -> String { FrenchFormat.number(d) + FrenchFormat.nbsp + "€" }
        var out = "Cœur de métier (\(s.segments.map { "« \($0) »" }.joined(separator: ", ")))"
        if let lot = s.lotID { out += ", lot \(lot)" }
        if let v = s.value { out += " pour \(euros(v))" }
        out += " : aucun adhérent ne peut le porter, seul ni en groupement"
        var figures: [String] = []
        if let l = s.largestCapacity { figures.append("plus grande capacité \(euros(l))") }
        if let c = s.combinedCapacity, s.members.count > 1 { figures.append("\(euros(c)) à tous ensemble") }
        if !figures.isEmpty { out += " (" + figures.joined(separator: ", ") + ")" }
        if !s.members.isEmpty { out += ". Adhérents concernés : \(s.members.joined(separator: ", "))" }
        return out + ". À étudier : une alliance au-delà du pôle, ou demander à l'acheteur un allotissement."
    }

    /// "A, B, C, D, E et 15 autres": a reminder line stays one line; the full list is in the item itself.
    static func shortList(_ names: [String], limit: Int = 5) -> String {
        guard names.count > limit + 1 else { return names.joined(separator: ", ") }
        return names.prefix(limit).joined(separator: ", ") + " et \(names.count - limit) autres"
    }

    static func relevance(_ item: DigestItem) -> String {
        guard let direct = item.direct else { return FrenchFormat.score(item.score) }
        return "\(FrenchFormat.score(item.score)) — \(direct ? "cœur de métier" : "par la chaîne de valeur")"
    }

    /// The labelled facts of a notice, in display order (label, value).
    static func facts(_ n: Notice, now: Date) -> [(String, String)] {
        var out: [(String, String)] = [("Type", FrenchFormat.kind(n.kind))]
        if let b = n.buyer?.name { out.append((n.kind == .callForProjects ? "Organisme" : "Acheteur", b)) }
        if let f = n.call?.funder, f != n.buyer?.name { out.append(("Financeur", f)) }
        if let a = FrenchFormat.awardees(n) { out.append(("Attributaire(s)", a)) }
        if let d = FrenchFormat.mainDeadline(n) {
            out.append(
                (
                    FrenchFormat.deadlineLabel(n),
                    "\(FrenchFormat.dateTime(d)) (\(FrenchFormat.relative(d, from: now)))"
                ))
        }
        for other in n.otherDeadlines {
            out.append((FrenchFormat.otherDeadlineLabel(other), FrenchFormat.dateTime(other.date)))
        }
        if let a = FrenchFormat.amount(n.value) { out.append(("Montant estimé", a)) }
        if let p = FrenchFormat.places(n) { out.append(("Lieu d'exécution", p)) }
        if let p = n.procedure { out.append(("Procédure", FrenchFormat.procedure(p))) }
        let cpv = n.cpv.isEmpty ? (n.mainCPV.map { [$0] } ?? []) : n.cpv
        if !cpv.isEmpty { out.append(("CPV", cpv.joined(separator: ", "))) }
        if let c = n.call, !c.beneficiaries.isEmpty {
            out.append(("Bénéficiaires", c.beneficiaries.joined(separator: ", ")))
        }
        if let collaborative = n.call?.collaborative {
            out.append(("Projet collaboratif", collaborative ? "oui" : "non"))
        }
        if !n.lots.isEmpty {
            out.append(
                (
                    "Lots",
                    n.lots.map { lot in
                        var s = "\(lot.id)" + (lot.title.map { " : \($0)" } ?? "")
                        if let a = FrenchFormat.amount(lot.value) { s += " (\(a))" }
                        return s
                    }.joined(separator: " ; ")
                ))
        }
        return out
    }

    static func sourceLine(_ n: Notice, also: [String], names: [String: String] = [:]) -> String {
        var s = "Source : \(names[n.source] ?? n.source) (\(n.sourceID))"
        if !also.isEmpty { s += ", aussi publié sur \(also.map { names[$0] ?? $0 }.joined(separator: ", "))" }
        return s
    }
}
