import Foundation
import Notices
import Testing

@testable import Classifier

/// The router visits only the clusters a notice's words and codes name, and keeps the evidence of near misses
/// only when asked: neither changes what is routed.
@Suite struct RoutingIndexTests {
    static func fixtureNotices() throws -> [Notice] {
        let data = try Data(contentsOf: URL(fileURLWithPath: ClassifierSupport.fixture("notices/mecaloire.json")))
        return try NoticeJSON.decoder().decode([Notice].self, from: data)
    }

    @Test func aNoticeNamingNoRuleLeavesEveryClusterEmpty() {
        let n = ClassifierSupport.notice("x-1", "Xyzzy plugh", summary: "Frobnication du quux.", departement: "42")
        let r = ClassifierSupport.router.route(n, now: ClassifierSupport.now)
        #expect(r.clusters.map(\.clusterID) == ClassifierSupport.rulebook.clusters.map(\.id))
        for c in r.clusters {
            #expect(c == ClusterRouting(clusterID: c.clusterID, clusterName: c.clusterName))
        }
    }

    @Test func withoutNearMissReasonsTheSameRoutesAndNearMisses() throws {
        let notices = try Self.fixtureNotices()
        let full = ClassifierSupport.router
        let lean = Router(rulebook: ClassifierSupport.rulebook, options: RouterOptions(nearMissReasons: false))
        var withReasons = 0
        for n in notices {
            let a = full.route(n, now: ClassifierSupport.now)
            var b = lean.route(n, now: ClassifierSupport.now)
            #expect(b.nearMisses.allSatisfy { $0.reasons.isEmpty })
            withReasons += a.nearMisses.filter { !$0.reasons.isEmpty }.count
            // Put the reasons back: then nothing else differs.
            for ci in b.clusters.indices {
                for mi in b.clusters[ci].nearMisses.indices {
                    b.clusters[ci].nearMisses[mi].reasons = a.clusters[ci].nearMisses[mi].reasons
                }
            }
            #expect(a == b)
        }
        // The fixture has near misses with evidence, so the comparison above is not vacuous.
        #expect(withReasons > 0)
    }
}
