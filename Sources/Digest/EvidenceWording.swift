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
        s.trimmingWhitespace().trimmingScalars { $0 == "\"" || $0 == "'" || $0 == "*" || $0 == "?" }
            .replacingBytes { $0 == 0x2A ? "" : nil }
    }

    /// The word as the notice writes it (`matched`), lower-cased when the notice shouts it in capitals;
    /// the rule's term when nothing was recorded.
    static func foundWord(_ r: RouteEvidence) -> String {
        guard let m = r.matched?.trimmingWhitespace(), !m.isEmpty else { return plainTerm(r.term) }
        return isShouted(m) ? m.lowercased() : m
    }

    /// `m == m.uppercased() && m != m.lowercased()`: written in capitals. Looked at on the bytes first, since
    /// every keyword clue of every item asks (upper- and lower-casing a word each time was a tenth of wording
    /// « Pourquoi cet avis ? »): a word with an ASCII small letter is not in capitals (uppercasing maps a…z to
    /// A…Z whatever surrounds them), an all-ASCII word is when it has a capital letter.
    static func isShouted(_ m: String) -> Bool {
        var capital = false
        var ascii = true
        for b in m.utf8 {
            if b >= 0x61 && b <= 0x7A { return false }
            if b >= 0x41 && b <= 0x5A { capital = true } else if b >= 0x80 { ascii = false }
        }
        if ascii { return capital }
        return m == m.uppercased() && m != m.lowercased()
    }

    /// An amount the routing data carries as text (`1 200 000 €` or `1200000`) in the one money format; as
    /// given when it holds no figure.
    static func euros(_ s: String) -> String {
        if let whole = wholeEuros(s) { return FrenchFormat.euros(whole) }
        let digits = s.prefix { $0 != "," && $0 != "." }.filter(\.isNumber)
        guard !digits.isEmpty, let d = Decimal(string: String(digits)) else { return s }
        return FrenchFormat.euros(d)
    }

    /// What ``euros(_:)`` reads, without `Decimal`, for the texts the router writes: ASCII digits, spaces, the
    /// no-break spaces and `€`. Nil for anything else (another script's digits, a combining mark), which takes
    /// the Character path.
    static func wholeEuros(_ s: String) -> Int? {
        var value = 0
        var digits = 0
        var ended = false
        for u in s.unicodeScalars {
            switch u.value {
            case 0x30...0x39:
                if ended { continue }
                if value == 0 && u.value == 0x30 && digits > 0 { continue }
                value = value * 10 + Int(u.value - 0x30)
                digits += 1
                if digits > 17 { return nil }
            case 0x2C, 0x2E: ended = true
            case 0x00..<0x80, 0xA0, 0x202F, 0x20AC: continue
            default: return nil
            }
        }
        return digits > 0 ? value : nil
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

    /// « Pourquoi cet avis ? » as `why` words it, taken from the item when the assembler worded it already.
    static func reasons(_ item: DigestItem, member: Bool) -> [String] {
        (member ? item.reasons.member : item.reasons.staff) ?? why(item, member: member)
    }

    /// « Pourquoi cet avis ? » as lines: how the notice concerns the firm (its own trade, or through the value
    /// chain), then one line per trade with its clues, then place, value and certifications. At most `limit`
    /// clues per trade, none repeated.
    static func why(_ item: DigestItem, member: Bool, limit: Int = 4) -> [String] {
        member ? whyBoth(item, limit: limit).member : whyBoth(item, limit: limit, member: false).staff
    }

    /// ``why(_:member:limit:)`` for the staff and for the member at once: the trades and their clues (most of the
    /// work: sorting the evidence, finding and lower-casing each word) are the same for both; only the lines'
    /// openings and the other sentences (« votre site », « son site ») differ. `member` false: the member's
    /// lines are not made (empty).
    static func whyBoth(_ item: DigestItem, limit: Int = 4, member wantMember: Bool = true) -> (
        staff: [String], member: [String]
    ) {
        let evidence = item.evidence
        // Sorted by index, and only when not already strongest first (the router records it so): sorting the
        // evidence itself copies each piece at every swap.
        var order = Array(evidence.indices)
        if !evidence.indices.dropFirst().allSatisfy({ evidence[$0 - 1].weight >= evidence[$0].weight }) {
            order.sort {
                let a = evidence[$0].weight
                let b = evidence[$1].weight
                return a != b ? a > b : $0 < $1
            }
        }
        // Each trade with its clues and its words, in order of appearance. A few trades per item: arrays searched
        // by bytes, not dictionaries that hash (and normalise) each French trade name at every look-up.
        var trades: [(name: String, clues: [String], words: [String])] = []
        var staffOthers: [String] = []
        var memberOthers: [String] = []
        let single = item.segments.count == 1 ? item.segments[0] : nil
        for i in order {
            let r = evidence[i]
            if isTrade(r.kind), let trade = r.segment ?? single {
                let t: Int
                if let found = trades.firstIndex(where: { sameText($0.name, trade) }) {
                    t = found
                } else {
                    trades.append((trade, [], []))
                    t = trades.count - 1
                }
                // The same word in the title and in a lot's title (a single-lot notice repeats its title) is one
                // clue.
                if r.kind == .keyword {
                    let word = foundWord(r).lowercased()
                    if trades[t].words.contains(where: { sameText($0, word) }) { continue }
                    trades[t].words.append(word)
                }
                if trades[t].clues.count < limit {
                    let c = clue(r)
                    if !trades[t].clues.contains(where: { sameText($0, c) }) { trades[t].clues.append(c) }
                }
            } else {
                let s = sentence(r, member: false)
                if !staffOthers.contains(where: { sameText($0, s) }) { staffOthers.append(s) }
                if wantMember {
                    let m = sentence(r, member: true)
                    if !memberOthers.contains(where: { sameText($0, m) }) { memberOthers.append(m) }
                }
            }
        }
        func lines(member: Bool, others: [String]) -> [String] {
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
            let head = member ? "Votre métier" : "Métier"
            for t in trades { out.append("\(head) : \(t.name) — " + t.clues.joined(separator: " ; ")) }
            // A trade the notice is for, with no clue recorded (older routes): still say which.
            if !evidence.contains(where: { $0.kind == .valueChain }) {
                for t in item.segments where !trades.contains(where: { sameText($0.name, t) }) {
                    out.append("\(head) : \(t)")
                }
            }
            return out + others
        }
        return (lines(member: false, others: staffOthers), wantMember ? lines(member: true, others: memberOthers) : [])
    }

    /// Keyword, CPV code, BOAMP descriptor or trade named: evidence of a trade, grouped under it.
    static func isTrade(_ kind: RouteEvidence.Kind) -> Bool {
        switch kind {
        case .keyword, .cpv, .descriptor, .segment: return true
        default: return false
        }
    }

    /// `a == b`, on the bytes when they are equal or both ASCII (nearly always); Unicode's canonical equivalence
    /// (what `==` and the dictionaries it replaces use) otherwise.
    static func sameText(_ a: String, _ b: String) -> Bool {
        if a.utf8.elementsEqual(b.utf8) { return true }
        if a.utf8.allSatisfy({ $0 < 0x80 }) && b.utf8.allSatisfy({ $0 < 0x80 }) { return false }
        return a == b
    }

    /// A discreet word for staff on how strongly the evidence holds (never the raw figure). The router sends
    /// from a score of 2 by default (`min_score`): twice that is strong.
    static func strength(_ score: Double) -> String {
        score >= 4 ? "forte" : score >= 2 ? "moyenne" : "faible"
    }

    /// « Cœur de métier · pertinence forte » (staff), « Cœur de métier » (member).
    static func relevance(_ item: DigestItem, member: Bool) -> String {
        // A handful of fixed phrases, chosen rather than built: each staff card names every member it went to
        // with its relevance, in each format.
        if member {
            switch item.direct {
            case true?: return "Cœur de métier"
            case false?: return "Par la chaîne de valeur"
            case nil: return ""
            }
        }
        switch (item.direct, strength(item.score)) {
        case (true?, "forte"): return "Cœur de métier · pertinence forte"
        case (true?, "moyenne"): return "Cœur de métier · pertinence moyenne"
        case (true?, _): return "Cœur de métier · pertinence faible"
        case (false?, "forte"): return "Par la chaîne de valeur · pertinence forte"
        case (false?, "moyenne"): return "Par la chaîne de valeur · pertinence moyenne"
        case (false?, _): return "Par la chaîne de valeur · pertinence faible"
        case (nil, "forte"): return "Pertinence forte"
        case (nil, "moyenne"): return "Pertinence moyenne"
        case (nil, _): return "Pertinence faible"
        }
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
