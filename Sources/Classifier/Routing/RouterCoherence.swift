import Foundation
import Notices

/// Step 2 of routing: whether a segment's evidence holds together (corroboration, the buyer's classification,
/// services about a trade, segment context, title head, phrases).
extension Router {
    /// The CPV division of a code, its first two digits: `45262000-1` → `45`.
    static func cpvDivision(_ code: String) -> String { String(code.filter(\.isNumber).prefix(2)) }

    /// The divisions of the buyer's classification, read once per notice: a national notice's evidence is judged
    /// for some 25 segments, and each judgement read every code's digits again for each of its reasons.
    struct NoticeDivisions {
        /// The main code's (the first code's when there is no main one).
        var main: String?
        /// The notice's codes', main first.
        var notice: [String]
        /// Lot id → its codes' (the first lot of an id).
        var lots: [String: [String]] = [:]

        init(_ n: Notice) {
            main = (n.mainCPV ?? n.cpv.first).map(Router.cpvDivision)
            notice = ([n.mainCPV].compactMap { $0 } + n.cpv).map(Router.cpvDivision)
            for lot in n.lots where lots[lot.id] == nil { lots[lot.id] = lot.cpv.map(Router.cpvDivision) }
        }
    }

    /// Why a segment's evidence, heavy enough, still does not hold together; nil when it does. `divisions` are the
    /// notice's (``NoticeDivisions``), `segmentDivisions` the segment's CPV codes'.
    static func incoherence(
        _ reasons: [Reason], notice: Notice, segment s: Segment, inContext: Bool, divisions: NoticeDivisions,
        segmentDivisions: Set<String>
    ) -> SegmentRejection? {
        if let main = divisions.main, Router.buysServiceAboutTrade(division: main, s) {
            return .serviceAboutTrade(division: main)
        }
        let preciseCPV = reasons.contains { $0.field == .cpv && $0.term.count >= 6 }
        if !s.context.isEmpty && !inContext && !preciseCPV { return .outOfContext }
        return Router.isCorroborated(reasons, notice: notice, divisions: divisions, segmentDivisions: segmentDivisions)
            ? nil : .isolated
    }

    /// Whether a segment's evidence holds together. Enough alone: the buyer's own classification precise
    /// enough to name what is bought (the main CPV within a class of the rules, 4 digits or more, or any CPV
    /// within 6 digits), or a phrase of the rules (several words) in the title or a lot's title. Otherwise two
    /// distinct keywords or codes — three when the notice's CPV codes all lie in divisions the segment does not
    /// list (a keyword against the buyer's classification is probably another sense of the word).
    static func isCorroborated(
        _ reasons: [Reason], notice: Notice, divisions: NoticeDivisions, segmentDivisions: Set<String>
    ) -> Bool {
        let mainCPV = notice.mainCPV ?? notice.cpv.first
        // The buyer's classification of the part a reason is about: the lot's codes for a lot, else the notice's.
        func isAgainstClassification(_ r: Reason) -> Bool {
            let codes = r.lotID.map { divisions.lots[$0] ?? [] } ?? divisions.notice
            guard !codes.isEmpty, !segmentDivisions.isEmpty else { return false }
            return segmentDivisions.isDisjoint(with: codes)
        }
        var anchors = Set<String>()
        var allAgainst = true
        for r in reasons where !r.isSetting {
            let against = r.field != .cpv && isAgainstClassification(r)
            if !against { allAgainst = false }
            switch r.field {
            case .cpv:
                let isMain = r.lotID == nil && mainCPV != nil && r.matched == mainCPV
                if r.term.count >= 6 || (isMain && r.term.count >= 4) { return true }
                anchors.insert("cpv:" + r.term)
            case .descriptor: anchors.insert("descriptor:" + r.term)
            case .title, .lot:
                if !against && (Router.isPhrase(r.matched ?? r.term) || r.isTitleHead) { return true }
                anchors.insert("term:" + r.term)
            default: anchors.insert("term:" + r.term)
            }
        }
        return anchors.count >= (allAgainst ? 3 : 2)
    }

    /// CPV divisions whose services are *about* a trade, never the trade itself: education and training (80),
    /// recreational, cultural and sporting services (92). A welding course or an exhibition on boiler-making
    /// names the trade without buying it.
    static let aboutTradeDivisions: Set<String> = ["80", "92"]

    /// True when the notice's main classification (its `division`) is a service about a trade that the segment
    /// does not list.
    static func buysServiceAboutTrade(division: String, _ s: Segment) -> Bool {
        guard aboutTradeDivisions.contains(division) else { return false }
        return !s.cpv.contains { $0.filter(\.isNumber).hasPrefix(division) }
    }

    /// A keyword found as several words (`presse hydraulique`, `mécano-soudure`) names a thing; a single word
    /// (or an acronym standing for a phrase: « CND ») is more often a homonym.
    static func isPhrase(_ text: String) -> Bool {
        text.split { !$0.isLetter && !$0.isNumber }.filter { $0.count >= 3 }.count >= 2
    }

    /// Whether a keyword at this title offset opens the title — the object bought, as French titles name it
    /// first (« Chaudronnerie : fabrication de réservoirs… », « Usinage de pièces de rechange… ») — once the
    /// generic openings that name the kind of notice are passed (« Appel à projets « Hydrogène vert… » »).
    static func isTitleHead(_ title: String, offset: Int) -> Bool {
        offset < title.utf8.count && offset <= titleHeadEnd(title)
    }

    /// Generic openings that name the kind of notice, not the object (« Appel à projets », « AMI »).
    static let genericOpenings: Set<String> = [
        "appel", "à", "projets", "projet", "ami", "avis", "marché", "accord",
        "cadre", "préinformation", "lot",
    ]

    /// UTF-8 offset of the title's first word that is not a generic opening (the title's length when all are).
    static func titleHeadEnd(_ title: String) -> Int {
        var offset = 0
        var wordStart: Int?
        var word = ""
        for ch in title {
            if ch.isLetter || ch.isNumber {
                if wordStart == nil { wordStart = offset }
                word.append(ch)
            } else if let start = wordStart {
                if !genericOpenings.contains(word.lowercased()) { return start }
                wordStart = nil
                word = ""
            }
            offset += ch.utf8.count
        }
        if let start = wordStart, !genericOpenings.contains(word.lowercased()) { return start }
        return offset
    }

}
