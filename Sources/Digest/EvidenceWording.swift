import Foundation
import Notices

/// « Pourquoi cet avis ? », « Pourquoi en consortium ? », « Envoyé à … »: routing data in words a small firm
/// reads without knowing the rules. No weight, no score, no rule syntax (`décollet*`) reaches a member.
extension Wording {
    /// Where in the notice a piece of evidence was found.
    static func field(_ f: EvidenceField, lot: String?) -> String {
        switch f {
        case .title: return "l'intitulé"
        case .summary: return "le résumé"
        case .content: return "le texte de l'avis"
        case .lot: return lot.map { "l'intitulé du \(lotName($0).lowercased())" } ?? "un lot"
        case .category: return "les catégories"
        case .cpv: return "les codes CPV"
        case .descriptor: return "les descripteurs BOAMP"
        case .place: return "le lieu"
        case .value: return "le montant"
        case .kind: return "le type d'avis"
        case .deadline: return "la date limite"
        case .segment: return "le métier"
        case .interest: return "les centres d'intérêt"
        case .link: return "la chaîne de valeur"
        case .certification: return "les certifications demandées"
        }
    }

    /// A rule's term as a reader would write it: `décollet*` → `décollet`, quotes and jokers dropped.
    static func plainTerm(_ s: String) -> String {
        s.trimmedSpaces.trimmingScalars { $0 == "\"" || $0 == "'" || $0 == "*" || $0 == "?" }
            .replacingBytes { $0 == 0x2A ? "" : nil }
    }

    /// The word as the notice writes it (`matched`), lower-cased when the notice shouts it in capitals;
    /// the rule's term when nothing was recorded.
    static func foundWord(_ r: RouteEvidence) -> String {
        guard let m = r.matched?.trimmedSpaces, !m.isEmpty else { return plainTerm(r.term) }
        return m == m.uppercased() && m != m.lowercased() ? m.lowercased() : m
    }

    /// An amount the routing data carries as text (`1 200 000 €` or `1200000`) in the one money format; as
    /// given when it holds no figure.
    static func euros(_ s: String) -> String {
        let digits = s.prefix { $0 != "," && $0 != "." }.filter(\.isNumber)
        guard !digits.isEmpty, let d = Decimal(string: String(digits)) else { return s }
        return FrenchFormat.euros(d)
    }

    /// One piece of trade evidence as a short phrase: « mot « décolletage » dans l'intitulé », « code CPV
    /// 42621000-5 (Tours) ».
    static func clue(_ r: RouteEvidence) -> String {
        switch r.kind {
        case .keyword:
            return "mot « \(foundWord(r)) » dans \(field(r.field, lot: r.lotID))"
        case .cpv:
            let code = r.matched ?? r.term
            return "code CPV \(cpvInline(code))" + (r.lotID.map { " du \(lotName($0).lowercased())" } ?? "")
        case .descriptor:
            return "descripteur BOAMP « \(r.matched ?? r.term) »"
        case .segment:
            return "métier cité dans \(field(r.field == .segment ? .title : r.field, lot: r.lotID))"
        default:
            return sentence(r, member: false)
        }
    }

    /// Evidence that is not about a trade (place, value, certification, interest, watch), as a sentence.
    /// `member`: addressed to the firm (« votre site »), otherwise to the staff (« son site »).
    static func sentence(_ r: RouteEvidence, member: Bool) -> String {
        let your = member ? "votre" : "son"
        switch r.kind {
        case .distance:
            let place = r.matched.map(FrenchFormat.departementLabel) ?? "hors du département du site"
            let siteName = FrenchFormat.departementLabel(r.term)
            if let d = r.distance, d > 0, !r.term.isEmpty {
                let count = d == 1 ? "dans un département voisin" : "à \(d) départements"
                return "Lieu d'exécution : \(place), \(count) de \(your) site (\(siteName))"
            }
            let site = r.term.isEmpty ? "" : " ; \(your) site le plus proche : \(siteName)"
            return "Lieu d'exécution : \(place)\(site)"
        case .groupement:
            let value = r.matched.map { " (\(euros($0)))" } ?? ""
            return "Montant\(value) au-delà de ce que \(member ? "vous portez" : "l'adhérent porte") seul"
                + " (\(euros(r.term))) : à envisager en groupement"
        case .interest:
            return "\(member ? "Votre" : "Son") centre d'intérêt « \(plainTerm(r.term)) » dans "
                + field(r.field == .interest ? .title : r.field, lot: r.lotID)
        case .watch:
            return "Veille « \(r.term) » : « \(r.matched ?? r.term) »"
        case .certification:
            let declared = r.declared == true
            return "L'avis demande la certification « \(r.term) » : "
                + (declared
                    ? (member ? "vous l'avez déclarée" : "déclarée par l'adhérent")
                    : "non déclarée dans \(member ? "votre" : "sa") fiche (à vérifier, ou à apporter par un "
                        + "partenaire)")
        case .valueChain:
            return member
                ? "Vous fournissez « \(r.term) », un métier dont l'avis a besoin"
                : "Fournit « \(r.term) », un métier dont l'avis a besoin"
        case .keyword, .cpv, .descriptor, .segment:
            let c = clue(r)
            return c.prefix(1).uppercased() + c.dropFirst()
        case .other:
            let place = field(r.field, lot: r.lotID)
            return "\(place.prefix(1).uppercased())\(place.dropFirst()) : \(r.matched ?? r.term)"
        }
    }

    /// « Pourquoi cet avis ? » as lines: how the notice concerns the firm (its own trade, or through the value
    /// chain), then one line per trade with its clues, then place, value and certifications. At most `limit`
    /// clues per trade, none repeated.
    static func why(_ item: DigestItem, member: Bool, limit: Int = 4) -> [String] {
        var out: [String] = []
        // Staff read the same in « Lien avec l'adhérent »; a member reads it here first.
        if member, let direct = item.direct {
            // A call for projects funds, it does not buy.
            let call = item.notice.kind == .callForProjects
            out.append(
                direct
                    ? (call ? "L'appel vise votre métier" : "L'avis achète ce que vous faites (cœur de métier)")
                    : "Vous pouvez y contribuer par la chaîne de valeur")
        }
        let sorted = item.evidence.enumerated().sorted {
            $0.element.weight != $1.element.weight ? $0.element.weight > $1.element.weight : $0.offset < $1.offset
        }.map(\.element)
        let tradeKinds: Set<RouteEvidence.Kind> = [.keyword, .cpv, .descriptor, .segment]
        var trades: [String] = []
        var clues: [String: [String]] = [:]
        // The same word in the title and in a lot's title (a single-lot notice repeats its title) is one clue.
        var words: [String: Set<String>] = [:]
        var others: [String] = []
        let single = item.segments.count == 1 ? item.segments[0] : nil
        for r in sorted {
            if tradeKinds.contains(r.kind), let trade = r.segment ?? single {
                if clues[trade] == nil { trades.append(trade) }
                if r.kind == .keyword, !words[trade, default: []].insert(foundWord(r).lowercased()).inserted {
                    continue
                }
                let c = clue(r)
                if !(clues[trade]?.contains(c) ?? false), (clues[trade]?.count ?? 0) < limit {
                    clues[trade, default: []].append(c)
                }
            } else {
                let s = sentence(r, member: member)
                if !others.contains(s) { others.append(s) }
            }
        }
        for t in trades {
            out.append("\(member ? "Votre métier" : "Métier") : \(t) — " + (clues[t] ?? []).joined(separator: " ; "))
        }
        // A trade the notice is for, with no clue recorded (older routes): still say which.
        for t in item.segments where clues[t] == nil && !item.evidence.contains(where: { $0.kind == .valueChain }) {
            out.append("\(member ? "Votre métier" : "Métier") : \(t)")
        }
        return out + others
    }

    /// A discreet word for staff on how strongly the evidence holds (never the raw figure). The router sends
    /// from a score of 2 by default (`min_score`): twice that is strong.
    static func strength(_ score: Double) -> String {
        score >= 4 ? "forte" : score >= 2 ? "moyenne" : "faible"
    }

    /// « Cœur de métier · pertinence forte » (staff), « Cœur de métier » (member).
    static func relevance(_ item: DigestItem, member: Bool) -> String {
        let how = item.direct.map { $0 ? "cœur de métier" : "par la chaîne de valeur" }
        let parts = [how, member ? nil : "pertinence \(strength(item.score))"].compactMap { $0 }
        let s = parts.joined(separator: " · ")
        return s.prefix(1).uppercased() + s.dropFirst()
    }

    /// Why a consortium: the need, what no member covers, who could supply, what the group carries.
    static func rationale(_ c: ConsortiumItem, member: Bool) -> [String] {
        var out: [String] = []
        let what = c.lotID.map { "Le \(lotName($0).lowercased())" } ?? "L'avis"
        switch c.need {
        case .multipleSegments:
            out.append("\(what) demande plusieurs métiers qu'aucun adhérent ne couvre seul")
        case .valueExceedsCapacity:
            out.append(
                "\(what)\(c.value.map { " (\(FrenchFormat.euros($0)))" } ?? "") dépasse ce qu'un adhérent porte seul")
        case .both:
            out.append(
                "\(what) demande plusieurs métiers, pour un montant"
                    + (c.value.map { " (\(FrenchFormat.euros($0)))" } ?? "")
                    + " au-delà de ce qu'un adhérent porte seul")
        }
        if !c.uncovered.isEmpty {
            out.append("Métiers qu'aucun adhérent ne couvre : \(c.uncovered.joined(separator: ", "))")
        }
        if !member, !c.suppliers.isEmpty {
            let names = c.suppliers.map { "\($0.memberName) (\($0.segments.joined(separator: ", ")))" }
            out.append("Fournisseurs possibles du groupement : \(names.joined(separator: ", "))")
        }
        if let cap = c.combinedCapacity { out.append("Capacité du groupement réuni : \(FrenchFormat.euros(cap))") }
        return out
    }

    /// « Envoyé à Usinage du Forez, veille « Pièces ferroviaires » » (staff); « Envoyé » (member), the date follows.
    static func told(_ c: ChangedItem, member: Bool) -> String {
        let whom = audiences(c, member: member)
        return whom.isEmpty ? "Envoyé" : "Envoyé à \(whom.joined(separator: ", "))"
    }

    /// Who had been told of a changed notice: names for staff, nobody named for a member.
    static func audiences(_ c: ChangedItem, member: Bool) -> [String] {
        if member { return [] }
        return c.audiences.map { a in
            switch a {
            case .member(let id): return c.memberNames[id] ?? id
            case .watch(let name): return "veille « \(name) »"
            case .consortium: return "piste en consortium"
            }
        }
    }
}
