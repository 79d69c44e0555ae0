import Foundation
import Notices

extension Router {
    /// Proposes groups of members ("chasser en meute") for each unit of work (each lot with its own segment
    /// evidence, else the whole notice) that needs several segments no single member covers, or whose value
    /// exceeds what each member can carry.
    ///
    /// Greedy set cover over the needed segments with deterministic tie-breaks (more segments covered, larger
    /// capacity, nearer site, id), then, when the value is still above the group's capacity, the largest
    /// remaining members covering a needed segment join. The lead is the member with the largest capacity,
    /// then the nearest site.
    func suggestConsortia(
        _ c: Cluster, notice: Notice, needed: [Int], segLots: [[String]], segNoticeLevel: [Bool],
        eligible: [(cand: Candidate, distance: Int?)], upstream: [[Int]],
        suppliers: [(member: Int, segment: Int, distance: Int?)],
        tolerance: Double
    ) -> [ConsortiumSuggestion] {
        guard !needed.isEmpty, !eligible.isEmpty else { return [] }
        // Units: lots with segment evidence of their own (each lot can be bid for separately, so only a lot
        // needing several segments calls for a group); otherwise the notice as a whole.
        var units: [(lot: String?, need: [Int], value: Double?)] = []
        for lot in notice.lots {
            let need = needed.filter { segLots[$0].contains(lot.id) || segNoticeLevel[$0] && notice.lots.count == 1 }
            if need.contains(where: { segLots[$0].contains(lot.id) }) {
                let value = Router.amount(lot.value) ?? (notice.lots.count == 1 ? Router.amount(notice.value) : nil)
                units.append((lot.id, need, value))
            }
        }
        if units.isEmpty { units.append((nil, needed, Router.amount(notice.value))) }

        var out: [ConsortiumSuggestion] = []
        for unit in units {
            let need = Set(unit.need)
            let covering = eligible.filter { !Set($0.cand.segments).isDisjoint(with: need) }
            guard !covering.isEmpty else { continue }
            let someoneCoversAll = covering.contains { need.isSubset(of: Set($0.cand.segments)) }
            let multi = need.count >= 2 && !someoneCoversAll
            // A member without a stated capacity is not assumed to carry any amount, nor to be too small.
            let tooBig: Bool = {
                guard let v = unit.value else { return false }
                return covering.allSatisfy { e in c.members[e.cand.member].capacity.map { $0 * tolerance < v } ?? false
                }
            }()
            guard multi || tooBig else { continue }

            func cap(_ e: (cand: Candidate, distance: Int?)) -> Double { c.members[e.cand.member].capacity ?? 0 }
            func better(_ a: (cand: Candidate, distance: Int?), _ b: (cand: Candidate, distance: Int?)) -> Bool {
                if cap(a) != cap(b) { return cap(a) > cap(b) }
                let da = a.distance ?? Int.max, db = b.distance ?? Int.max
                if da != db { return da < db }
                return c.members[a.cand.member].id < c.members[b.cand.member].id
            }
            var chosen: [(cand: Candidate, distance: Int?)] = []
            var uncovered = need
            while !uncovered.isEmpty {
                var best: (cand: Candidate, distance: Int?)?
                var bestGain = 0
                for e in covering where !chosen.contains(where: { $0.cand.member == e.cand.member }) {
                    let gain = Set(e.cand.segments).intersection(uncovered).count
                    if gain > bestGain || (gain == bestGain && gain > 0 && best.map { better(e, $0) } == true) {
                        best = e
                        bestGain = gain
                    }
                }
                guard let b = best, bestGain > 0 else { break }
                chosen.append(b)
                uncovered.subtract(b.cand.segments)
            }
            if let v = unit.value {
                let rest = covering.filter { e in !chosen.contains { $0.cand.member == e.cand.member } }.sorted(
                    by: better)
                var i = 0
                while chosen.reduce(0, { $0 + cap($1) }) < v && i < rest.count {
                    chosen.append(rest[i])
                    i += 1
                }
            }
            guard chosen.count >= 2 else { continue }
            let lead = chosen.sorted(by: better)[0]
            chosen.sort { a, b in
                if a.cand.member == lead.cand.member { return b.cand.member != lead.cand.member }
                if b.cand.member == lead.cand.member { return false }
                return better(a, b)
            }
            let ids = chosen.map { c.members[$0.cand.member].id }
            var contributions: [String: [String]] = [:]
            for e in chosen {
                contributions[c.members[e.cand.member].id] = e.cand.segments.filter { need.contains($0) }
                    .map { c.segments[$0].id }
            }
            let combined =
                chosen.allSatisfy { c.members[$0.cand.member].capacity != nil }
                ? chosen.reduce(0) { $0 + cap($1) } : nil
            let reason: ConsortiumReason = multi && tooBig ? .both : multi ? .multipleSegments : .valueExceedsCapacity
            let leadM = c.members[lead.cand.member]
            // Names and labels travel with the data, so the sentence can be worded from the suggestion alone.
            var names: [String: String] = [:]
            for e in chosen { names[c.members[e.cand.member].id] = c.members[e.cand.member].name }
            var segmentLabels: [String: String] = [:]
            for si in Set(unit.need).union(uncovered) { segmentLabels[c.segments[si].id] = c.segments[si].label }
            var suggestion = ConsortiumSuggestion(
                clusterID: c.id, members: ids, lead: leadM.id, segments: unit.need.map { c.segments[$0].id },
                reason: reason, uncovered: uncovered.sorted().map { c.segments[$0].id }, combinedCapacity: combined,
                lotID: unit.lot, contributions: contributions)
            suggestion.value = unit.value
            suggestion.leadCapacity = leadM.capacity
            suggestion.leadDistance = lead.distance
            suggestion.memberNames = names
            suggestion.segmentLabels = segmentLabels
            // The group's own suppliers: for each upstream segment of what the unit needs, the in-range member
            // with the largest capacity (then the nearest). They source the group; the buyer does not buy them.
            let upstreamOfNeed = Set(unit.need.flatMap { upstream[$0] }).subtracting(unit.need)
            for up in upstreamOfNeed.sorted() {
                let options = suppliers.filter { $0.segment == up && !ids.contains(c.members[$0.member].id) }
                let best = options.min { a, b in
                    let ca = c.members[a.member].capacity ?? 0, cb = c.members[b.member].capacity ?? 0
                    if ca != cb { return ca > cb }
                    return (a.distance ?? Int.max, c.members[a.member].id) < (
                        b.distance ?? Int.max, c.members[b.member].id
                    )
                }
                if let best { suggestion.suppliers[c.members[best.member].id] = c.segments[up].id }
            }
            out.append(suggestion)
        }
        return out
    }

    /// Core-business notices that nobody in range can carry, alone or as a group: staff should know of them (an
    /// alliance beyond the cluster, or a request to the buyer to divide the contract), even though no member is
    /// sent them.
    func staffSignals(
        _ c: Cluster, drops: [(member: Int, value: Double, segments: [Int])], routes: [Route],
        consortia: [ConsortiumSuggestion], tolerance: Double
    ) -> [StaffSignal] {
        guard !drops.isEmpty else { return [] }
        let routedSegments = Set(routes.flatMap(\.segments))
        let dropped = drops.filter { d in d.segments.contains { !routedSegments.contains(c.segments[$0].id) } }
        guard let value = dropped.map(\.value).min() else { return [] }
        let segments = Array(Set(dropped.flatMap(\.segments))).sorted().map { c.segments[$0].id }
        // A proposed group that reaches the value answers it: nothing to signal.
        if consortia.contains(where: { g in
            !Set(g.segments).isDisjoint(with: segments) && (g.combinedCapacity ?? 0) * tolerance >= value
        }) {
            return []
        }
        let members = dropped.map(\.member).sorted {
            (c.members[$0].capacity ?? 0, c.members[$1].id) > (c.members[$1].capacity ?? 0, c.members[$0].id)
        }
        let capacities = members.compactMap { c.members[$0].capacity }
        return [
            StaffSignal(
                reason: .beyondCapacity, segments: segments, value: value,
                largestCapacity: capacities.max(),
                combinedCapacity: capacities.isEmpty ? nil : capacities.reduce(0, +),
                members: members.map { c.members[$0].id })
        ]
    }
}
