import Foundation
import Notices
import TestSupport
import Testing

@testable import Classifier

/// The night routes with ``NearMissSelection/narrowest(limit:)``: near misses that cannot be narrow are never built.
/// Real captures of every source routed through generated national rules must give, cluster by cluster, the same
/// routes, watches, consortia, signals, segments and rule counters as routing with every near miss, and exactly
/// the near misses the night used to keep of them (the narrow ones of members not routed, the strongest `limit`).
@Suite struct NearMissSelectionTests {
    @Test(.requiresShared) func narrowestKeepsWhatTheNightKeptOfEveryNearMiss() throws {
        let notices = try TerritoryEquivalenceTests.realNotices()
        let rulebook = TerritoryEquivalenceTests.nationalRulebook(clusters: 16, members: 24, seed: 11)
        let router = Router(rulebook: rulebook, options: RouterOptions(nearMissReasons: false))
        let limit = 3
        var differing: [String] = []
        var allMisses = 0
        var kept = 0
        var cut = 0
        for n in notices {
            let every = router.route(n, now: TerritoryEquivalenceTests.now)
            let selected = router.route(n, now: TerritoryEquivalenceTests.now, nearMisses: .narrowest(limit: limit))
            guard every.clusters.count == selected.clusters.count else {
                differing.append(n.id)
                continue
            }
            for (a, b) in zip(every.clusters, selected.clusters) {
                var expected = a
                let routed = Set(a.routes.map(\.memberID))
                let narrow = a.nearMisses.filter { $0.isNarrow && !routed.contains($0.memberID) }
                expected.nearMisses = NearMiss.strongest(narrow, limit: limit)
                if expected != b { differing.append("\(n.id) \(a.clusterID)") }
                allMisses += a.nearMisses.count
                kept += b.nearMisses.count
                if narrow.count > limit { cut += 1 }
            }
        }
        #expect(differing.isEmpty, "routed differently: \(differing.prefix(10))")
        // Not vacuous: most near misses were left out, and the limit cut some clusters' narrow ones.
        #expect(allMisses > 1000)
        #expect(kept > 100)
        #expect(kept < allMisses / 2)
        #expect(cut > 10)
    }

    /// The strongest near misses: one per member (its best score), ranked by score then member id, when there are
    /// more than the limit; all of them in their order otherwise.
    @Test func strongestIsOnePerMemberByScoreThenMember() {
        func miss(_ member: String, _ score: Double) -> NearMiss {
            NearMiss(
                clusterID: "c", memberID: member, memberName: member, cause: .capacity(value: 2, capacity: 1),
                segments: [], score: score)
        }
        let few = [miss("b", 1), miss("a", 2)]
        #expect(NearMiss.strongest(few, limit: 2) == few)
        let many = [miss("b", 1), miss("a", 2), miss("c", 2), miss("b", 3), miss("d", 0.5)]
        #expect(NearMiss.strongest(many, limit: 3).map(\.memberID) == ["b", "a", "c"])
        #expect(NearMiss.strongest(many, limit: 3).map(\.score) == [3, 2, 2])
        // A member twice at its best score: the first of the two.
        var first = miss("a", 2)
        first.memberName = "first"
        var second = miss("a", 2)
        second.memberName = "second"
        let tied = [miss("c", 1), first, miss("b", 0.5), second]
        #expect(NearMiss.strongest(tied, limit: 2).map(\.memberName) == ["first", "c"])
    }
}
