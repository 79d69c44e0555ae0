import Foundation
import Notices

/// One labelled fact of a notice (« Date limite de remise des offres », « Lots »…) as lines of text and
/// links. The text renderers decide the markup: a Markdown bullet, an HTML row, an iCalendar line.
struct Fact: Sendable, Hashable {
    /// A piece of one line.
    enum Piece: Sendable, Hashable {
        case text(String)
        /// A value that must stay on one line (a date, an amount): HTML keeps it whole and wraps before it.
        case whole(String)
        case link(String, url: String)
    }

    var label: String
    var lines: [[Piece]]

    init(_ label: String, _ lines: [[Piece]]) {
        self.label = label
        self.lines = lines
    }

    init(_ label: String, text: String) { self.init(label, [[.text(text)]]) }

    /// The fact as plain text, lines joined with `separator` (links as their text, then the address).
    func plain(separator: String = " ; ") -> String {
        lines.map { line in
            line.map { piece -> String in
                switch piece {
                case .text(let s), .whole(let s): return s
                case .link(let s, let url):
                    return url.hasPrefix("mailto:") || url.hasPrefix("tel:") ? s : "\(s) : \(url)"
                }
            }.joined()
        }.joined(separator: separator)
    }
}

extension Wording {
    /// The facts of a notice a member needs to act, in display order: what, who buys, when (with « dans N
    /// jours »), how much, where, the CPV codes with their French labels, each lot on its own line, the buyer's
    /// contact, and the links to the notice and to the tender documents.
    static func facts(_ n: Notice, now: Date, names: [String: String] = [:]) -> [Fact] {
        var out: [Fact] = [Fact("Type", text: FrenchFormat.kind(n.kind))]
        if let b = n.buyer?.name { out.append(Fact(n.kind == .callForProjects ? "Organisme" : "Acheteur", text: b)) }
        if let f = n.call?.funder, f != n.buyer?.name { out.append(Fact("Financeur", text: f)) }
        if let a = FrenchFormat.awardees(n) { out.append(Fact("Attributaire(s)", text: a)) }
        if let d = FrenchFormat.mainDeadline(n) {
            out.append(Fact(FrenchFormat.deadlineLabel(n), [deadline(d, now: now)]))
        }
        for other in n.otherDeadlines {
            out.append(Fact(FrenchFormat.otherDeadlineLabel(other), [[.whole(FrenchFormat.dateTime(other.date))]]))
        }
        if let a = FrenchFormat.amount(n.value) { out.append(Fact("Montant estimé", [[.whole(a)]])) }
        if let p = FrenchFormat.places(n) { out.append(Fact(placeLabel(n), text: p)) }
        if let p = n.procedure { out.append(Fact("Procédure", text: FrenchFormat.procedure(p))) }
        let cpv = noticeCPV(n)
        if !cpv.isEmpty { out.append(Fact(cpv.count > 1 ? "Codes CPV" : "Code CPV", cpv.map { [.text(cpvText($0))] })) }
        if let c = n.call, !c.beneficiaries.isEmpty {
            out.append(Fact("Bénéficiaires", text: c.beneficiaries.joined(separator: ", ")))
        }
        if let collaborative = n.call?.collaborative {
            out.append(Fact("Projet collaboratif", text: collaborative ? "oui" : "non"))
        }
        if !n.lots.isEmpty { out.append(Fact(n.lots.count > 1 ? "Lots" : "Lot", n.lots.map(lotLine))) }
        if let c = contact(n) { out.append(c) }
        let links = links(n, names: names)
        if !links.isEmpty { out.append(Fact("Liens", links)) }
        return out
    }

    /// The notice's facts for this digest's night and source names, worded once a night when the digest shares
    /// the night's cache (every format and every recipient's digest shows them).
    static func facts(_ n: Notice, input: DigestInput) -> [Fact] {
        DigestRenderCache.part(of: n, in: input, at: \.facts) { facts(n, now: input.runDate, names: input.sourceNames) }
    }

    /// Where the work is done; for a call for projects, where applicants must be (aides-territoires' perimeter).
    static func placeLabel(_ n: Notice) -> String {
        n.kind == .callForProjects ? "Territoire éligible" : "Lieu d'exécution"
    }

    /// « mardi 1er décembre 2026 à 12 h 00 — dans 5 jours », each half kept whole.
    static func deadline(_ d: ZonedDate, now: Date) -> [Fact.Piece] {
        [.whole(FrenchFormat.dateTime(d)), .text(" — "), .whole(FrenchFormat.relative(d, from: now))]
    }

    /// The notice's CPV codes, main code first, without repeats.
    static func noticeCPV(_ n: Notice) -> [String] {
        var seen = Set<String>()
        return ((n.mainCPV.map { [$0] } ?? []) + n.cpv).filter { seen.insert(cpvKey($0)).inserted }
    }

    /// The eight digits of a CPV code (`42621000-5` and `42621000` are the same code).
    static func cpvKey(_ code: String) -> String { String(code.prefix { $0 != "-" }) }

    /// « 42621000-5 — Tours », or the bare code when its label is unknown.
    static func cpvText(_ code: String) -> String {
        cpvLabel(code).map { "\(code) — \($0)" } ?? code
    }

    /// « 42621000-5 (Tours) », inside a sentence.
    static func cpvInline(_ code: String) -> String {
        cpvLabel(code).map { "\(code) (\($0))" } ?? code
    }

    /// The official French label of a CPV 2008 code (`Notices.CPVLabels`); nil when unknown.
    static func cpvLabel(_ code: String) -> String? { CPVLabels.french(code) }

    /// eForms numbers lots `LOT-0001`: a member reads « Lot 1 ».
    static func lotName(_ id: String) -> String {
        let upper = id.uppercased()
        if upper.hasPrefix("LOT-") {
            let digits = upper.dropFirst(4).drop { $0 == "0" }
            if !digits.isEmpty, digits.allSatisfy(\.isNumber) { return "Lot \(digits)" }
        }
        return "Lot \(id)"
    }

    /// « Lot 1 : Pièces de bogies — 150 000 € — CPV 42621000-5 (Tours) ».
    static func lotLine(_ lot: Lot) -> [Fact.Piece] {
        var line: [Fact.Piece] = [.text(lotName(lot.id) + (lot.title.map { " : \($0)" } ?? ""))]
        if let a = FrenchFormat.amount(lot.value) {
            line.append(.text(" — "))
            line.append(.whole(a))
        }
        if !lot.cpv.isEmpty { line.append(.text(" — CPV " + lot.cpv.map(cpvInline).joined(separator: ", "))) }
        return line
    }

    /// The buyer's contact: name, e-mail (mailto), phone, buyer profile; nil when the notice gives none.
    static func contact(_ n: Notice) -> Fact? {
        guard let c = n.buyer?.contact, !c.isEmpty else { return nil }
        var lines: [[Fact.Piece]] = []
        if let name = c.name { lines.append([.text(name)]) }
        if let mail = c.email?.trimmingWhitespace(), !mail.isEmpty {
            lines.append([.link(mail, url: "mailto:" + mail)])
        }
        if let phone = c.phone?.trimmingWhitespace(), !phone.isEmpty {
            let dial = phone.filter { $0.isNumber || $0 == "+" }
            lines.append(dial.isEmpty ? [.whole("Tél. " + phone)] : [.text("Tél. "), .link(phone, url: "tel:" + dial)])
        }
        if let url = c.url, isWebURL(url) { lines.append([.link("Profil acheteur", url: url)]) }
        return lines.isEmpty ? nil : Fact("Contact", lines)
    }

    /// The notice at its source, and the tender documents when the notice links them.
    static func links(_ n: Notice, names: [String: String]) -> [[Fact.Piece]] {
        var out: [[Fact.Piece]] = []
        if let u = n.url, isWebURL(u) { out.append([.link("Avis complet (\(names[n.source] ?? n.source))", url: u)]) }
        if let d = n.documentsURL, isWebURL(d), d != n.url {
            out.append([.link("Dossier de consultation (DCE)", url: d)])
        }
        return out
    }

    static func isWebURL(_ s: String) -> Bool {
        let t = s.trimmingWhitespace()
        return t.hasASCIIPrefix("https://") || t.hasASCIIPrefix("http://")
    }
}
