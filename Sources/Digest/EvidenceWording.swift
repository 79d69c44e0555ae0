import Foundation
import Notices

/// « Pourquoi cet avis ? », « Pourquoi en consortium ? », « Envoyé à … »: routing data in French words.
extension Wording {
    static func field(_ f: EvidenceField, lot: String?) -> String {
        switch f {
        case .title: return "l'intitulé"
        case .summary: return "le résumé"
        case .content: return "le texte de l'avis"
        case .lot: return lot.map { "le lot \($0)" } ?? "un lot"
        case .category: return "les catégories"
        case .cpv: return "les codes CPV"
        case .descriptor: return "les descripteurs BOAMP"
        case .place: return "le lieu"
        case .value: return "le montant"
        case .kind: return "le type d'avis"
        case .deadline: return "la date limite"
        case .segment: return "le segment"
        case .interest: return "les centres d'intérêt"
        case .link: return "la chaîne de valeur"
        case .certification: return "les certifications demandées"
        }
    }

    /// One piece of evidence as a sentence.
    static func sentence(_ r: RouteEvidence) -> String {
        let quoted = "« \(r.term) »"
        let found = r.matched.map { sameWord($0, r.term) ? "" : " (« \($0) »)" } ?? ""
        let place = field(r.field, lot: r.lotID)
        var s: String
        switch r.kind {
        case .distance:
            let site = r.term.isEmpty ? "" : " depuis le site \(r.term)"
            return "Lieu d'exécution \(r.matched ?? "") à distance\(site)"
        case .groupement:
            return "Montant \(r.matched ?? "") au-delà de votre capacité (\(r.term)) : à envisager en groupement"
        case .interest:
            return "Centre d'intérêt \(quoted) dans \(place)\(found)"
        case .watch:
            return "Veille enregistrée « \(r.term) » : \(r.matched ?? r.term)"
        case .certification:
            return r.declared == true
                ? "L'avis demande la certification \(quoted) : vous l'avez déclarée"
                : "L'avis demande la certification \(quoted) : non déclarée dans votre fiche (à vérifier, ou à "
                    + "apporter par un partenaire)"
        case .keyword:
            s = "Mot-clé \(quoted) dans \(place)\(found)"
        case .cpv:
            s = "Code CPV \(r.matched ?? r.term)"
            if let lot = r.lotID { s += " du lot \(lot)" }
        case .descriptor:
            s = "Descripteur BOAMP \(r.matched ?? r.term)"
        case .valueChain:
            s = "Par la chaîne de valeur : \(r.term)"
        case .segment:
            s = "Segment « \(r.matched ?? r.segment ?? r.term) »"
        case .other:
            s = "\(place.prefix(1).uppercased())\(place.dropFirst()) : \(r.matched ?? r.term)"
        }
        if let label = r.segment, r.kind != .segment { s += " — segment « \(label) »" }
        return s
    }

    static func sameWord(_ a: String, _ b: String) -> Bool {
        func fold(_ s: String) -> String {
            var t = s.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil)
                .trimmingCharacters(in: .whitespaces)
            while t.hasSuffix("*") { t.removeLast() }
            if t.count > 3, t.hasSuffix("s") || t.hasSuffix("x") { t.removeLast() }
            return t
        }
        return fold(a) == fold(b)
    }

    /// The item's reasons as sentences, strongest first, at most `limit`, none repeated.
    static func reasons(_ item: DigestItem, limit: Int = 6) -> [String] {
        var seen = Set<String>()
        var out: [String] = []
        for r in item.evidence.sorted(by: { $0.weight > $1.weight }) {
            let s = sentence(r)
            if seen.insert(s).inserted { out.append(s) }
            if out.count == limit { break }
        }
        return out
    }

    /// Why a consortium: the need, what no member covers, who could supply, what the group carries.
    static func rationale(_ c: ConsortiumItem) -> [String] {
        func euros(_ d: Decimal) -> String { FrenchFormat.number(d) + FrenchFormat.nbsp + "€" }
        var out: [String] = []
        if let lot = c.lotID { out.append("Pour le lot \(lot)") }
        switch c.need {
        case .multipleSegments: out.append("L'avis demande plusieurs métiers qu'aucun adhérent ne couvre seul")
        case .valueExceedsCapacity:
            out.append("Le montant\(c.value.map { " (\(euros($0)))" } ?? "") dépasse ce qu'un adhérent porte seul")
        case .both:
            out.append(
                "Plusieurs métiers, et un montant\(c.value.map { " (\(euros($0)))" } ?? "") au-delà de ce qu'un "
                    + "adhérent porte seul")
        }
        if !c.uncovered.isEmpty { out.append("Non couvert par les adhérents : \(c.uncovered.joined(separator: ", "))") }
        if !c.suppliers.isEmpty {
            let names = c.suppliers.map { "\($0.memberName) (\($0.segments.joined(separator: ", ")))" }
            out.append("Fournisseurs amont possibles du groupement : \(names.joined(separator: ", "))")
        }
        if let cap = c.combinedCapacity { out.append("Capacité cumulée du groupement : \(euros(cap))") }
        return out
    }

    /// Who had been told of a changed notice (staff digest).
    static func audiences(_ c: ChangedItem) -> [String] {
        c.audiences.map { a in
            switch a {
            case .member(let id): return c.memberNames[id] ?? id
            case .watch(let name): return "veille « \(name) »"
            case .consortium: return "piste en consortium"
            }
        }
    }
}
