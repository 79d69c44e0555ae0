import Foundation
import Notices
import Testing

@testable import Classifier

/// Calls for projects: territory from the call's perimeter (région, national), its text counted once.
@Suite struct CallPerimeterTests {
    static func call(nuts: String) -> Notice {
        ClassifierSupport.notice(
            "a-\(nuts)", "Appel à projets « Robotique et cobotique dans les PME industrielles »",
            summary: "Aide aux projets d'automatisme, de cellule robotisée et de vision industrielle.",
            kind: .callForProjects, nuts: nuts)
    }

    @Test func aRegionalCallReachesMembersOfThatRegionOnly() throws {
        // Auvergne-Rhône-Alpes (FRK): Robolyon (69) takes calls for projects.
        let inRegion = ClassifierSupport.route(Self.call(nuts: "FRK"), cluster: "mecaloire")
        #expect(inRegion.route(to: "robolyon") != nil)
        // Occitanie (FRJ): outside every site's region, said as such.
        let elsewhere = ClassifierSupport.route(Self.call(nuts: "FRJ"), cluster: "mecaloire")
        #expect(elsewhere.route(to: "robolyon") == nil)
        #expect(elsewhere.nearMiss(of: "robolyon")?.cause == .territory(.outsideRegions(regions: ["FRJ"])))
    }

    @Test func aNationalCallReachesEveryone() {
        let c = ClassifierSupport.route(Self.call(nuts: "FR"), cluster: "mecaloire")
        #expect(c.route(to: "robolyon") != nil)
    }

    @Test func aCallsTextCountsOnce() throws {
        var n = Self.call(nuts: "FRK")
        n.content = n.summary
        let c = ClassifierSupport.route(n, cluster: "mecaloire")
        let seg = try #require(c.segments.first { $0.segmentID == "robotique" })
        // The same keyword in summary and content is one reason.
        let bodies = seg.reasons.filter { $0.field == .summary || $0.field == .content }
        #expect(Set(bodies.map(\.rule)).count == bodies.count)
    }
}
