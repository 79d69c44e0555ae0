import Foundation
import Notices

extension Router {
    /// A member that passed the keyword stage, before filters.
    struct Candidate {
        var member: Int
        var kind: RouteKind
        var segments: [Int]
        /// Evidence of its own interests; with its segments' (``Router/routeCluster``'s `reasons(of:)`), all it
        /// has. Not joined up front: on a national night most candidates are dropped by the territory filter, and
        /// joining their evidence was an array built and destroyed per member of every cluster a notice names.
        var interest: [Reason]
        var score: Double
    }

    func routeCluster(
        _ cc: CompiledCluster, notice: Notice, found: NoticeEvidence, events: ClusterEvents, place: ResolvedPlace,
        invitesGroupement: Bool, divisions: NoticeDivisions,
        now: Date, nearMisses selection: NearMissSelection = .all
    ) -> ClusterRouting {
        let c = rulebook.clusters[cc.index]
        let settings = c.routing
        let ev = gatherEvidence(c, notice: notice, found: found, events: events)
        // Near misses keep the member's evidence only when asked (see ``RouterOptions/nearMissReasons``).
        let keepReasons = options.nearMissReasons
        var result = ClusterRouting(clusterID: c.id, clusterName: c.name)
        // Rule → its counts, the cluster's id prefixed once at the end; drops per filter counted in an array (one
        // per member dropped: building `cluster/filter:territory` and hashing it for each was a tenth of routing).
        var counters: [String: RuleCounter] = [:]
        func count(_ rule: String, matched: Int = 0, dropped: Int = 0) {
            // A rule counted again is looked up once, not once per figure.
            if let i = counters.index(forKey: rule) {
                counters.values[i].matched += matched
                counters.values[i].dropped += dropped
            } else {
                counters[rule] = RuleCounter(rule: rule, matched: matched, dropped: dropped)
            }
        }
        var filterDrops = [Int](repeating: 0, count: Router.filters.count)
        func countDrop(_ filter: RoutingFilter) { filterDrops[Router.filters.firstIndex(of: filter)!] += 1 }
        // What the caller keeps of near misses: with `narrowest`, one that cannot be narrow is not built at all.
        let narrowOnly: Bool
        if case .narrowest = selection { narrowOnly = true } else { narrowOnly = false }
        // The strongest narrow near misses so far (score, then member id: ``NearMiss/strongest(_:limit:)``'s
        // order), at most the limit: one weaker than all of them is never shown, so not built. Exact when every
        // narrow one built is kept by the final selection: only narrow ones are built here (the territory
        // reference of the tests builds any), one per member (ids unique in the cluster).
        let missLimit: Int?
        if case .narrowest(let limit) = selection, territoryReference == nil, cc.uniqueMemberIDs {
            missLimit = limit
        } else {
            missLimit = nil
        }
        var strongestMisses: [(score: Double, member: String)] = []
        var missesLeftOut = false
        /// Whether a narrow near miss of member `mi` with `score` may be among the strongest (and is counted so).
        func mayKeep(_ score: Double, member mi: Int) -> Bool {
            guard let limit = missLimit else { return true }
            let id = c.members[mi].id
            func stronger(_ a: (score: Double, member: String), _ b: (score: Double, member: String)) -> Bool {
                a.score != b.score ? a.score > b.score : a.member < b.member
            }
            let key = (score: score, member: id)
            if strongestMisses.count == limit, let last = strongestMisses.last, !stronger(key, last) {
                missesLeftOut = true
                return false
            }
            let at = strongestMisses.firstIndex { stronger(key, $0) } ?? strongestMisses.count
            strongestMisses.insert(key, at: at)
            if strongestMisses.count > limit { strongestMisses.removeLast() }
            return true
        }

        // 1. Segments the notice needs.
        let nSeg = c.segments.count
        var segScore = [Double](repeating: 0, count: nSeg)
        var needed = [Bool](repeating: false, count: nSeg)
        var segLots = [[String]](repeating: [], count: nSeg)
        var segNoticeLevel = [Bool](repeating: false, count: nSeg)
        // Why each rejected segment was rejected (what near misses of its members say).
        var segRejection = [SegmentRejection?](repeating: nil, count: nSeg)
        // Segments with evidence vetoed by an exclusion: read for every member concerned, where testing the veto
        // itself copied a whole `Reason` each time.
        var isVetoed = [Bool](repeating: false, count: nSeg)
        for si in 0..<nSeg {
            let reasons = ev.segReasons[si]
            segScore[si] = reasons.reduce(0) { $0 + $1.weight }
            for r in reasons {
                if let l = r.lotID {
                    if !segLots[si].contains(l) { segLots[si].append(l) }
                } else {
                    segNoticeLevel[si] = true
                }
            }
            // Most of a cluster's segments have nothing to say: no copy of theirs is made.
            guard !reasons.isEmpty || ev.segVeto[si] != nil else { continue }
            let s = c.segments[si]
            let threshold = s.minScore ?? settings.minScore
            var match = SegmentMatch(
                segmentID: s.id, label: s.label, score: segScore[si], reasons: reasons,
                lots: segLots[si], vetoedBy: ev.segVeto[si])
            if let veto = ev.segVeto[si] {
                if !reasons.isEmpty {
                    match.rejection = .exclusion
                    segRejection[si] = match.rejection
                    isVetoed[si] = true
                    result.rejectedSegments.append(match)
                    count(veto.rule, dropped: 1)
                }
            } else if segScore[si] < threshold {
                match.rejection = .belowThreshold(threshold: threshold)
                segRejection[si] = match.rejection
                result.rejectedSegments.append(match)
                count("segment:\(s.id)/min_score", dropped: 1)
            } else if let rejection = Router.incoherence(
                reasons, notice: notice, segment: s, inContext: ev.segInContext[si], divisions: divisions,
                segmentDivisions: cc.segmentDivisions[si])
            {
                // One word alone, however often repeated, is how homonyms get in (« moules » of the fish
                // market, « CND » the dance centre, « forge » logicielle): a trade is named with more than one
                // of its words, or classified by a precise CPV.
                match.rejection = rejection
                segRejection[si] = rejection
                result.rejectedSegments.append(match)
                count("segment:\(s.id)/uncorroborated", dropped: 1)
            } else {
                needed[si] = true
                result.segments.append(match)
                for r in reasons { count(r.rule, matched: 1) }
            }
        }
        result.segments.sort { ($0.score, $1.segmentID) > ($1.score, $0.segmentID) }
        let neededList = (0..<nSeg).filter { needed[$0] }

        // 2. Candidates: direct (covered segments, interests) and indirect (upstream suppliers). Only members the
        // evidence concerns are looked at — those of a segment with evidence, with an interest found, or upstream
        // of a needed segment —, in member order: any other has nothing to be sent nor to nearly miss.
        var concerned = [Bool](repeating: false, count: c.members.count)
        for si in 0..<nSeg where !ev.segReasons[si].isEmpty {
            for mi in cc.segmentMembers[si] { concerned[mi] = true }
        }
        for d in neededList {
            for up in cc.upstream[d] { for mi in cc.segmentMembers[up] { concerned[mi] = true } }
        }
        for mi in ev.interest.keys { concerned[mi] = true }
        var candidates: [Candidate] = []
        // Upstream suppliers named as near misses (member, its upstream segment), in the order of their near
        // misses: the consortia step reads them by index instead of looking their ids up again.
        var upstreamMisses: [(member: Int, segment: Int)] = []
        for mi in c.members.indices where concerned[mi] {
            let segs = cc.segments(ofMember: mi)
            let interest = ev.interest[mi] ?? []
            if !interest.isEmpty || segs.contains(where: { needed[$0] }) {
                let direct = segs.filter { needed[$0] }
                let score = direct.reduce(0) { $0 + segScore[$1] } + interest.reduce(0) { $0 + $1.weight }
                candidates.append(
                    Candidate(member: mi, kind: .direct, segments: direct, interest: interest, score: score))
                continue
            }
            // Upstream suppliers of a needed segment are not recipients: the bidder buys from them, the buyer
            // does not (a bottling line's cork maker). They are named to staff as near misses and may join a
            // groupement proposal; never an individual route.
            // Whether its sites reach the notice at all (a near miss is narrow only when nothing else stops it).
            func outOfReach() -> Bool { isOutOfReach(cc, c, member: mi, place: place) }
            // The first of its segments upstream of a needed one, needed segments in order.
            var viaUp: Int?
            search: for d in neededList {
                for up in cc.upstream[d] where segs.contains(up) {
                    viaUp = up
                    break search
                }
            }
            if let up = viaUp, let d = neededList.first(where: { cc.upstream[$0].contains(up) }) {
                upstreamMisses.append((mi, up))
                let far = outOfReach()
                if !(narrowOnly && far), mayKeep(segScore[d] * settings.indirectFactor, member: mi) {
                    result.nearMisses.append(
                        NearMiss(
                            clusterID: c.id, memberID: c.members[mi].id, memberName: c.members[mi].name,
                            cause: .upstreamSupplier(upstream: c.segments[up].id, downstream: c.segments[d].id),
                            segments: cc.segmentIDLists[up], score: segScore[d] * settings.indirectFactor, reasons: [],
                            outOfReach: far))
                }
                countDrop(.upstreamSupplier)
                continue
            }
            // Not a candidate: remember near misses of its segments (vetoed or too little evidence).
            if let s = segs.first(where: { isVetoed[$0] }), let veto = ev.segVeto[s] {
                let far = outOfReach()
                if narrowOnly && far || !mayKeep(segScore[s], member: mi) { continue }
                result.nearMisses.append(
                    NearMiss(
                        clusterID: c.id, memberID: c.members[mi].id, memberName: c.members[mi].name,
                        cause: .segmentExclusion(segment: c.segments[s].id, term: veto.term, field: veto.field),
                        segments: cc.segmentIDLists[s], score: segScore[s],
                        reasons: keepReasons ? ev.segReasons[s] + [veto] : [], outOfReach: far))
                continue
            }
            // Its segment with the most evidence (the first of equals).
            var weakest: Int?
            for s in segs where segScore[s] > 0 {
                if let w = weakest, !(segScore[w] < segScore[s]) { continue }
                weakest = s
            }
            if let s = weakest {
                let far = outOfReach()
                if narrowOnly && far || !mayKeep(segScore[s], member: mi) { continue }
                let threshold = c.segments[s].minScore ?? settings.minScore
                let id = c.segments[s].id
                // Enough weight but not coherent evidence: say why, not « under the threshold ».
                let cause: NearMissCause
                if let rejection = segRejection[s], segScore[s] >= threshold {
                    cause = .incoherentEvidence(segment: id, rejection: rejection)
                } else {
                    cause = .weakMatch(segment: id, score: segScore[s], threshold: threshold)
                }
                result.nearMisses.append(
                    NearMiss(
                        clusterID: c.id, memberID: c.members[mi].id, memberName: c.members[mi].name, cause: cause,
                        segments: cc.segmentIDLists[s], score: segScore[s],
                        reasons: keepReasons ? ev.segReasons[s] : [], outOfReach: far))
            }
        }

        // 3. Filters.
        let deadline = notice.deadline?.instant ?? notice.call?.closing?.instant
        // A member whose evidence lies only in some lots bids for those lots: their own place and deadline, when
        // the notice gives them, are the ones that matter (an eForms notice with a lot in the Ain and one in
        // the Drôme, or lots closing on different days).
        // Candidates for the same trades, most of a cluster's and one after another, have the same lots and so the
        // same place: worked out once for each run of them, where each member copied the lots again and resolved
        // their places again.
        var ownMemo: (segments: [Int], lots: [Lot], place: ResolvedPlace?)?
        func ownLots(_ cand: Candidate) -> [Lot] {
            if let memo = ownMemo, memo.segments == cand.segments { return memo.lots }
            var lots: [Lot] = []
            if !cand.segments.isEmpty, cand.segments.allSatisfy({ !segNoticeLevel[$0] }) {
                let ids = Set(cand.segments.flatMap { segLots[$0] })
                lots = notice.lots.filter { ids.contains($0.id) }
            }
            ownMemo = (cand.segments, lots, nil)
            return lots
        }
        func placeFor(_ cand: Candidate) -> ResolvedPlace {
            let lots = ownLots(cand)
            if let known = ownMemo?.place { return known }
            let lotPlaces = lots.flatMap(\.places)
            let resolved = lotPlaces.isEmpty ? place : ResolvedPlace(places: lotPlaces, buyer: notice.buyer)
            ownMemo?.place = resolved
            return resolved
        }
        var eligible: [(cand: Candidate, distance: Int?)] = []  // passed every filter but capacity
        // The nearest site and place of each eligible member, for the distance penalty's reason.
        var nearest: [(site: String?, place: String?)] = []
        /// All the evidence of a candidate: its needed segments', then its interests'.
        func reasons(of cand: Candidate) -> [Reason] {
            var reasons: [Reason] = []
            for s in cand.segments { reasons += ev.segReasons[s] }
            return reasons + cand.interest
        }
        for cand in candidates {
            let mi = cand.member
            // The candidate's place is resolved once, for whichever of the checks below needs it.
            var resolved: ResolvedPlace?
            func candPlace() -> ResolvedPlace {
                if let resolved { return resolved }
                let p = placeFor(cand)
                resolved = p
                return p
            }
            func drop(_ cause: @autoclosure () -> NearMissCause, filter: RoutingFilter) {
                countDrop(filter)
                // Dropped before the territory filter: whether that filter would have dropped it too.
                let far = filter == .territory ? true : isOutOfReach(cc, c, member: mi, place: candPlace())
                // A territory miss says how far it is (``NearMiss/isNarrow``); any other is narrow when in reach.
                // (Territory misses reach here only when narrow: see below.)
                if narrowOnly && far && filter != .territory || !mayKeep(cand.score, member: mi) { return }
                result.nearMisses.append(
                    NearMiss(
                        clusterID: c.id, memberID: c.members[mi].id, memberName: c.members[mi].name, cause: cause(),
                        segments: cand.segments.map { c.segments[$0].id }, score: cand.score,
                        reasons: keepReasons ? reasons(of: cand) : [], outOfReach: far))
            }
            if let veto = ev.memberVeto[cand.member] {
                drop(
                    .memberExclusion(term: veto.term, field: veto.field, matched: veto.matched),
                    filter: .memberExclusion)
                count(veto.rule, dropped: 1)
                continue
            }
            if cc.memberKinds[mi] & Router.kindBit(notice.kind) == 0 {
                drop(.kind(notice.kind, wanted: c.members[mi].effectiveKinds), filter: .kind)
                continue
            }
            let lotDeadlines = ownLots(cand).compactMap(\.deadline?.instant)
            let leadDays = (lotDeadlines.max() ?? deadline).map { $0.timeIntervalSince(now) / 86_400 }
            if let leadDays, leadDays < Double(settings.minLeadDays) {
                drop(.deadline(leadDays: leadDays, minimum: settings.minLeadDays), filter: .deadline)
                continue
            }
            // The filter's verdict, when already read here: the check below reuses it.
            var verdict: TerritoryVerdict?
            if narrowOnly && territoryReference == nil {
                // Too far to be narrow (``NearMiss/isNarrow``): counted, not described. Most members of a national
                // deployment end here, hundreds of kilometres from the place of work.
                let reach = cc.memberReach[mi]
                let v = territoryVerdict(reach, sites: cc.reachSites, place: candPlace())
                if v.outcome == .tooFar && v.distance > max(reach.maxDistance + 2, 2 * reach.maxDistance) {
                    countDrop(.territory)
                    continue
                }
                verdict = v
            }
            let terr = territoryCheck(cc, c, member: cand.member, place: candPlace(), verdict: verdict)
            if let miss = terr.failure {
                drop(.territory(miss), filter: .territory)
                continue
            }
            eligible.append((cand, terr.distance))
            nearest.append((terr.site, terr.place))
        }
        // Capacity, once every other filter has spoken: the pack of members still in the running tells whether a
        // groupement could carry what one member cannot.
        let packCapacity: Double = eligible.reduce(0) { $0 + (c.members[$1.cand.member].capacity ?? 0) }
        let tolerance = settings.capacityTolerance
        // A notice that speaks of groupements invites them: then any member of the pack may take part, however
        // small; otherwise a member is only sent what it could lead or share (up to `groupement_reach` × its
        // capacity).
        // Members dropped for capacity and the value each had to carry: when nobody can, staff are told.
        var capacityDrops: [(member: Int, value: Double, segments: [Int])] = []
        for (k, (cand, distance)) in eligible.enumerated() {
            let m = c.members[cand.member]
            let segIDs = cand.segments.map { c.segments[$0].id }
            let value = valueFor(cand, notice: notice, segLots: segLots, segNoticeLevel: segNoticeLevel)
            var reasons = reasons(of: cand)
            var score = cand.score
            if let cap = m.capacity, let v = value, v > cap * tolerance {
                // Above the member's reach alone: still sent when the notice needs a groupement anyway and the
                // members in the running can carry it together (the digest proposes the group).
                guard eligible.count >= 2, packCapacity * tolerance >= v,
                    invitesGroupement || v <= cap * settings.groupementReach
                else {
                    capacityDrops.append((cand.member, v, cand.segments))
                    countDrop(.capacity)
                    // Always narrow (no other filter stopped it).
                    guard mayKeep(cand.score, member: cand.member) else { continue }
                    result.nearMisses.append(
                        NearMiss(
                            clusterID: c.id, memberID: m.id, memberName: m.name,
                            cause: .capacity(value: v, capacity: cap),
                            segments: segIDs, score: cand.score, reasons: keepReasons ? reasons : []))
                    continue
                }
                reasons.append(
                    Reason(
                        .capacityGroupement, field: .value, term: Router.euros(cap),
                        matched: Router.euros(v), weight: 0))
            }
            if let d = distance, d > 0 {
                let pen = options.distancePenalty * Double(d)
                score -= pen
                reasons.append(
                    Reason(
                        .territory, field: .place, term: nearest[k].site ?? "",
                        matched: nearest[k].place, weight: -pen))
            }
            for k in ev.certificationsAsked {
                let name = cc.certifications[k]
                let key = FrenchNormalizer.normalizedPhrase(name)
                let declared = m.certifications.contains { FrenchNormalizer.normalizedPhrase($0) == key }
                var r = Reason(
                    .memberCertification(member: m.id, name: name), field: .certification, term: name,
                    weight: 0)
                r.certification = declared ? .declared : .notDeclared
                reasons.append(r)
            }
            for r in cand.interest {
                if case .memberInterest = r.source { count(r.rule, matched: 1) }
            }
            result.routes.append(
                Route(
                    clusterID: c.id, memberID: m.id, memberName: m.name,
                    score: (score * 100).rounded() / 100, kind: cand.kind, segments: segIDs,
                    reasons: reasons, distance: distance))
        }
        result.routes.sort { a, b in
            if a.kind != b.kind { return a.kind == .direct }
            if a.score != b.score { return a.score > b.score }
            return a.memberID < b.memberID
        }

        // 4. Consortia.
        // Upstream suppliers in range (kind wanted, no exclusion): possible partners of a proposed group.
        var suppliers: [(member: Int, segment: Int, distance: Int?)] = []
        for (mi, up) in upstreamMisses {
            guard ev.memberVeto[mi] == nil, cc.memberKinds[mi] & Router.kindBit(notice.kind) != 0 else { continue }
            let terr = territoryCheck(cc, c, member: mi, place: place)
            if terr.failure == nil { suppliers.append((mi, up, terr.distance)) }
        }
        result.consortia = suggestConsortia(
            c, notice: notice, needed: neededList, segLots: segLots,
            segNoticeLevel: segNoticeLevel,
            eligible: eligible.filter { $0.cand.kind == .direct && !$0.cand.segments.isEmpty },
            upstream: cc.upstream, suppliers: suppliers,
            tolerance: tolerance)
        result.signals = staffSignals(
            c, drops: capacityDrops, routes: result.routes, consortia: result.consortia,
            tolerance: tolerance)

        // 5. Saved watches.
        for (wi, w) in c.watches.enumerated() where !ev.watchVeto[wi] {
            if !w.kinds.isEmpty && !w.kinds.contains(notice.kind) { continue }
            // Keywords/CPV and segments are ANDed when both are given ("hydrogène" in machining notices).
            var reasons = ev.watchReasons[wi]
            let hasTerms = !w.keywords.isEmpty || !w.cpv.isEmpty
            if hasTerms && reasons.isEmpty { continue }
            if !cc.watchSegments[wi].isEmpty {
                let segs = cc.watchSegments[wi].filter { needed[$0] }
                if segs.isEmpty { continue }
                for s in segs {
                    reasons.append(
                        Reason(
                            .watchSegment(watch: w.id, segment: c.segments[s].id), field: .segment,
                            term: c.segments[s].id, weight: segScore[s]))
                }
            }
            guard !reasons.isEmpty else { continue }
            result.watches.append(WatchMatch(watchID: w.id, name: w.name, recipients: w.recipients, reasons: reasons))
            count("watch:\(w.id)", matched: 1)
        }
        for (k, filter) in Router.filters.enumerated() where filterDrops[k] > 0 {
            count("filter:\(filter.rawValue)", dropped: filterDrops[k])
        }
        result.ruleCounters = counters.values.map {
            RuleCounter(rule: "\(c.id)/\($0.rule)", matched: $0.matched, dropped: $0.dropped)
        }.sorted { $0.rule < $1.rule }
        if case .narrowest(let limit) = selection {
            // Exactly what the caller would keep of every near miss (those not built could not be narrow).
            let routed = Set(result.routes.map(\.memberID))
            let narrow = result.nearMisses.filter { $0.isNarrow && !routed.contains($0.memberID) }
            // Some left out: there were more than the limit, so the ranked ones, even if only `limit` were built.
            result.nearMisses =
                missesLeftOut ? NearMiss.ranked(narrow, limit: limit) : NearMiss.strongest(narrow, limit: limit)
        }
        return result
    }

    /// The filters, in a fixed order: ``routeCluster`` counts drops by position.
    static let filters = RoutingFilter.allCases

    static func fieldFR(_ f: ReasonField) -> String {
        switch f {
        case .title: return "titre"
        case .summary: return "résumé"
        case .content: return "texte"
        case .lot: return "lot"
        case .category: return "catégorie"
        case .cpv: return "CPV"
        case .descriptor: return "descripteur"
        case .place: return "lieu"
        case .value: return "montant"
        case .kind: return "type"
        case .deadline: return "échéance"
        case .segment: return "segment"
        case .interest: return "intérêt"
        case .link: return "lien"
        case .certification: return "certification"
        }
    }

    static func departementLabel(_ code: String) -> String {
        Geography.departement(code).map { "\($0.code) \($0.name)" } ?? code
    }

    /// `3`, `2.5`, `0.25`.
    public static func fmt(_ x: Double) -> String {
        if x == x.rounded() { return String(Int(x)) }
        var s = String(format: "%.2f", x)
        while s.hasSuffix("0") { s.removeLast() }
        return s
    }

    /// The upper bound of an amount, as the router compares it with members' capacities.
    static func amount(_ m: Money?) -> Double? { m?.upperBound.map { NSDecimalNumber(decimal: $0).doubleValue } }

    /// `1 250 000 €` (narrow no-break spaces avoided: plain spaces read everywhere).
    static func euros(_ v: Double) -> String {
        let n = Int(v.rounded())
        var s = String(n)
        var out = ""
        while s.count > 3 {
            out = " " + s.suffix(3) + out
            s.removeLast(3)
        }
        return s + out + " €"
    }
}
