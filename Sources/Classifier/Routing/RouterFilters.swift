import Foundation
import Notices

/// Step 3 of routing: the value a member must carry, the territory it reaches, and whether the notice invites
/// groupements.
extension Router {
    /// The value a member would have to carry. A divided notice is bid for lot by lot: the member is judged on
    /// the smallest lot its segments have evidence in (any lot when the evidence is in the notice's own text), a
    /// lot without a value on the notice's total shared among the lots (eForms lots often carry no value).
    func valueFor(_ cand: Candidate, notice: Notice, segLots: [[String]], segNoticeLevel: [Bool]) -> Double? {
        let noticeValue = Router.amount(notice.value)
        let lots = notice.lots.filter { $0.kind != "part" || notice.lots.count > 1 }
        guard lots.count > 1 else { return noticeValue }
        let shared = noticeValue.map { $0 / Double(lots.count) }
        let own = Set(cand.segments.flatMap { segLots[$0] })
        let considered = own.isEmpty ? lots : lots.filter { own.contains($0.id) }
        let values = considered.map { Router.amount($0.value) ?? shared }
        if values.contains(where: { $0 == nil }) && values.allSatisfy({ $0 == nil }) { return noticeValue }
        return values.compactMap { $0 }.min() ?? noticeValue
    }

    /// The outcome of the territorial filter for one member and one place, as positions rather than strings:
    /// `site` indexes the member's sites, `place` the place's départements (-1 when there is no nearest pair,
    /// or when the outcome does not name it).
    struct TerritoryVerdict {
        enum Outcome: UInt8 {
            case reached, outsideFrance, outsideRegions, tooFar, outOfReach
        }
        var outcome: Outcome
        var distance: Int = -1
        var site: Int = -1
        var place: Int = -1

        var isReached: Bool { outcome == .reached }
    }

    /// A member's reach, resolved once when the rules are compiled (per notice and member the filter then compares
    /// small integers: no département code parsed, no `Set` of regions built, no `Member` copied).
    struct MemberReach: Sendable {
        /// Where the member's sites start in ``CompiledCluster/reachSites``, and how many there are.
        var siteStart: Int32
        var siteCount: Int32
        /// The regions of its sites, as a mask of ``Geography/regionBits``.
        var regionMask: UInt64
        var scope: TerritoryScope
        var maxDistance: Int
    }

    /// The member's sites (``CompiledCluster/memberSites``) appended to `list` as indices into
    /// ``Geography/departements`` (-1 for a code the table lacks), and its reach.
    static func reach(sites: [String], scope: TerritoryScope, maxDistance: Int, appendingTo list: inout [Int16])
        -> MemberReach
    {
        let indices = sites.map { Geography.index(ofCanonical: $0).map(Int16.init) ?? -1 }
        let reach = MemberReach(
            siteStart: Int32(list.count), siteCount: Int32(indices.count),
            regionMask: indices.reduce(0) { $0 | ($1 >= 0 ? Geography.departementRegionBit[Int($1)] : 0) },
            scope: scope, maxDistance: maxDistance)
        list += indices
        return reach
    }

    /// The territorial filter's old implementation on strings, kept by the tests as the reference the integer
    /// one is compared with: given the member's sites, scope, maximum distance and the place, what
    /// ``territoryCheck(_:_:member:place:)`` answers.
    typealias TerritoryReference =
        @Sendable (
            _ sites: [String], _ scope: TerritoryScope, _ maxDistance: Int,
            _ place: ResolvedPlace
        ) -> (failure: TerritoryMiss?, distance: Int?, site: String?, place: String?)

    /// Whether a member's sites are close enough to the place of work, nearest site and place as positions.
    /// The rules: an unknown place reaches everyone; a place known only as a foreign country reaches members
    /// whose scope is Europe; otherwise a national or European scope, or no sites, reach everywhere; else the
    /// nearest site within the maximum distance, or (scope `region`) a site in one of the place's regions.
    func territoryVerdict(_ reach: MemberReach, sites: [Int16], place: ResolvedPlace) -> TerritoryVerdict {
        guard place.isKnown else { return TerritoryVerdict(outcome: .reached) }
        // Nearest site and distance, when both sides are known to the département: the first pair at the least
        // distance, sites in the member's order, then places in the notice's.
        var best = TerritoryVerdict(outcome: .reached)
        let n = Geography.departements.count
        let first = Int(reach.siteStart)
        Geography.flatDistances.withUnsafeBufferPointer { table in
            for si in 0..<Int(reach.siteCount) {
                let s = sites[first + si]
                guard s >= 0 else { continue }
                let row = Int(s) * n
                for (pj, p) in place.departementIndices.enumerated() where p >= 0 {
                    let d = Int(table[row + Int(p)])
                    if d >= 0, best.distance < 0 || d < best.distance {
                        best.distance = d
                        best.site = si
                        best.place = pj
                    }
                }
            }
        }
        if place.departements.isEmpty && place.regions.isEmpty {
            // Only a foreign country is known.
            return TerritoryVerdict(outcome: reach.scope == .europe ? .reached : .outsideFrance)
        }
        if reach.scope == .europe || reach.scope == .national || reach.siteCount == 0 { return best }
        if best.distance >= 0 && best.distance <= reach.maxDistance { return best }
        let sameRegion = reach.regionMask & place.regionMask != 0
        if reach.scope == .region && sameRegion { return best }
        if place.departements.isEmpty {
            // Region-level place (NUTS-1/2 only): the best we can say is "same region".
            return TerritoryVerdict(outcome: sameRegion ? .reached : .outsideRegions)
        }
        if best.distance >= 0 {
            best.outcome = .tooFar
            return best
        }
        return TerritoryVerdict(outcome: .outOfReach)
    }

    /// Whether a member's sites are close enough to the place of work; the reason as data when they are not.
    /// `verdict` is ``territoryVerdict(_:sites:place:)``'s for this member and place when the caller already has it.
    func territoryCheck(
        _ cc: CompiledCluster, _ c: Cluster, member mi: Int, place: ResolvedPlace, verdict: TerritoryVerdict? = nil
    ) -> (failure: TerritoryMiss?, distance: Int?, site: String?, place: String?) {
        let reach = cc.memberReach[mi]
        if let territoryReference {
            return territoryReference(cc.memberSites[mi], reach.scope, reach.maxDistance, place)
        }
        let v = verdict ?? territoryVerdict(reach, sites: cc.reachSites, place: place)
        let distance = v.distance >= 0 ? v.distance : nil
        let site = v.site >= 0 ? cc.reachSiteCodes[Int(reach.siteStart) + v.site] : nil
        let placeCode = v.place >= 0 ? place.departements[v.place] : nil
        switch v.outcome {
        case .reached: return (nil, distance, site, placeCode)
        case .outsideFrance: return (.outsideFrance, nil, nil, nil)
        case .outsideRegions: return (.outsideRegions(regions: place.regions.sorted()), nil, nil, nil)
        case .tooFar:
            return (
                .tooFar(places: place.departements, distance: v.distance, site: site ?? "", maximum: reach.maxDistance),
                distance, site, placeCode
            )
        case .outOfReach: return (.outOfReach(places: place.departements), nil, nil, nil)
        }
    }

    /// Whether the territorial filter would stop this member (near misses say so without the reason).
    func isOutOfReach(_ cc: CompiledCluster, _ c: Cluster, member mi: Int, place: ResolvedPlace) -> Bool {
        if territoryReference != nil { return territoryCheck(cc, c, member: mi, place: place).failure != nil }
        return !territoryVerdict(cc.memberReach[mi], sites: cc.reachSites, place: place).isReached
    }

    /// Whether the notice's text speaks of groupements (co-traitance): invited, required or accepted.
    static func mentionsGroupement(_ notice: Notice) -> Bool {
        let texts = [notice.title, notice.summary ?? "", notice.content ?? ""] + notice.lots.compactMap(\.title)
        return texts.contains { t in
            let f = t.lowercased()
            return f.contains("groupement") || f.contains("co-traitan") || f.contains("cotraitan")
        }
    }

}
