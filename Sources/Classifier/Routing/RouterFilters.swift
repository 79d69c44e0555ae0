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

    /// Whether a member's sites are close enough to the place of work; the reason as data when they are not.
    func territoryCheck(_ cc: CompiledCluster, _ c: Cluster, member mi: Int, place: ResolvedPlace)
        -> (failure: TerritoryMiss?, distance: Int?, site: String?, place: String?)
    {
        let m = c.members[mi]
        let scope = m.scope ?? c.routing.scope
        let maxD = m.maxDistance ?? c.routing.maxDistance
        let sites = cc.memberSites[mi]
        guard place.isKnown else { return (nil, nil, nil, nil) }
        // Nearest site and distance, when both sides are known to the département.
        var best: (d: Int, site: String, place: String)?
        for s in sites {
            for p in place.departements {
                if let d = Geography.distance(s, p), best == nil || d < best!.d { best = (d, s, p) }
            }
        }
        if place.departements.isEmpty && place.regions.isEmpty {
            // Only a foreign country is known.
            return scope == .europe ? (nil, nil, nil, nil) : (.outsideFrance, nil, nil, nil)
        }
        if scope == .europe || scope == .national || sites.isEmpty { return (nil, best?.d, best?.site, best?.place) }
        if let b = best, b.d <= maxD { return (nil, b.d, b.site, b.place) }
        let siteRegions = Set(sites.compactMap(Geography.region(of:)))
        let sameRegion = !siteRegions.isDisjoint(with: place.regions)
        if scope == .region && sameRegion { return (nil, best?.d, best?.site, best?.place) }
        if place.departements.isEmpty {
            // Region-level place (NUTS-1/2 only): the best we can say is "same region".
            if sameRegion { return (nil, nil, nil, nil) }
            return (.outsideRegions(regions: place.regions.sorted()), nil, nil, nil)
        }
        if let b = best {
            return (
                .tooFar(places: place.departements, distance: b.d, site: b.site, maximum: maxD), b.d, b.site, b.place
            )
        }
        return (.outOfReach(places: place.departements), nil, nil, nil)
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
