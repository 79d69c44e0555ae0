import Classifier
import Foundation
import Notices

/// "Pourquoi cet avis ?": the router's reasons in French sentences a cluster's staff can check at a glance.
enum ReasonWording {
    static func field(_ f: ReasonField, lot: String?) -> String {
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

    /// The label of the segment a segment rule belongs to, in the cluster.
    static func segmentLabel(_ rule: EvidenceRule, cluster: Cluster?) -> String? {
        guard let id = rule.segment else { return nil }
        return cluster?.segment(id)?.label ?? id
    }

    static func sentence(_ r: Reason, cluster: Cluster?) -> String {
        let quoted = "« \(r.term) »"
        // Show the text found only when it says more than the rule's term (not for a plural or a capital).
        let found = r.matched.map { sameWord($0, r.term) ? "" : " (« \($0) »)" } ?? ""
        let place = field(r.field, lot: r.lotID)
        switch r.source {
        case .territory:
            let site = r.term.isEmpty ? "" : " depuis le site \(r.term)"
            return "Lieu d'exécution \(r.matched ?? "") à distance\(site) (pénalité \(weight(r.weight)))"
        case .capacityGroupement:
            return "Montant \(r.matched ?? "") au-delà de votre capacité (\(r.term)) : à envisager en groupement"
        case .memberInterest:
            return "Centre d'intérêt \(quoted) dans \(place)\(found)"
        case .watchKeyword(let id, _), .watchCPV(let id, _), .watchSegment(let id, _):
            return "Veille enregistrée « \(id) » : \(r.matched ?? r.term)"
        default:
            break
        }
        var s: String
        switch r.field {
        case .title, .summary, .content, .lot, .category:
            s = "Mot-clé \(quoted) dans \(place)\(found)"
        case .cpv:
            s = "Code CPV \(r.matched ?? r.term) (règle \(r.term))"
            if let lot = r.lotID { s += " du lot \(lot)" }
        case .descriptor:
            s = "Descripteur BOAMP \(r.matched ?? r.term)"
        case .link:
            s = "Par la chaîne de valeur : \(r.term)"
        case .certification:
            // Never a silent drop: the member may obtain it, or bid with a partner who holds it.
            return r.certification == .declared
                ? "L'avis demande la certification « \(r.term) » : vous l'avez déclarée"
                : "L'avis demande la certification « \(r.term) » : non déclarée dans votre fiche (à vérifier, ou à "
                    + "apporter par un partenaire)"
        case .segment:
            s = "Segment « \(r.matched ?? cluster?.segment(r.term)?.label ?? r.term) »"
        case .place, .value, .kind, .deadline, .interest:
            s = "\(place.prefix(1).uppercased())\(place.dropFirst()) : \(r.matched ?? r.term)"
        }
        if let label = segmentLabel(r.source, cluster: cluster), r.field != .segment {
            s += " — segment « \(label) »"
        }
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

    static func weight(_ w: Double) -> String {
        String(format: "%.2f", w).replacingOccurrences(of: ".", with: ",")
    }

    /// The strongest reasons first, at most `limit`, without repeating a sentence.
    static func sentences(_ reasons: [Reason], cluster: Cluster?, limit: Int = 6) -> [String] {
        var seen = Set<String>()
        var out: [String] = []
        for r in reasons.sorted(by: { $0.weight > $1.weight }) {
            let s = sentence(r, cluster: cluster)
            if seen.insert(s).inserted { out.append(s) }
            if out.count == limit { break }
        }
        return out
    }
}
