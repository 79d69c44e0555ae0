import Classifier
import Digest
import Foundation
import Notices
import Store
import Testing

@testable import Pipeline

/// The route-and-digest run with the real router and the shipped `Rules/` (part of the repository).
@Suite struct RealRouterPipelineTests {
    static let rulesDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Rules").standardized.path

    @Test func shippedRulesRouteAMachiningTenderToMachiningMembers() throws {
        let rulebook = try Rulebook.load(directory: Self.rulesDirectory)
        let ws = try Workspace()
        let store = try NoticeStore(path: ws.storePath)
        let now = instant("2026-05-05T02:00:00Z")
        var tender = Notice(
            source: "boamp", sourceID: "26-77001", title: "Usinage 5 axes de pièces mécaniques pour bogies",
            summary: "Tournage et fraisage de pièces de révolution en acier, contrôle dimensionnel.",
            url: "https://www.boamp.fr/avis/detail/26-77001", buyer: Buyer(name: "Saint-Étienne Métropole"),
            deadline: zoned("2026-06-08T12:00:00+02:00"), value: Money(amount: 246_000, currency: "EUR", vat: "HT"),
            places: [Place(departement: "42", postcode: "42000", commune: "Saint-Étienne")])
        _ = try store.upsert([tender], at: now)
        let run = RouteAndDigestRun(
            store: store, router: Router(rulebook: rulebook),
            options: RouteAndDigestOptions(outputDirectory: ws.out, clusters: ["mecaloire"]))
        let report = try run.run(now: now)
        let c = try #require(report.clusters.first)
        #expect(c.newNotices == 1)
        let json = try JSONDigestRenderer.decode(Array(try ws.read("mecaloire/2026-05-05.json").utf8))
        let ids = json.members.map(\.memberID)
        // Every member covering the machining segment near Saint-Étienne gets it, directly.
        #expect(ids.contains("decolletage-furan"))
        #expect(ids.contains("meca-precision-forez"))
        let furan = try #require(json.members.first { $0.memberID == "decolletage-furan" }?.items.first)
        #expect(furan.direct == true)
        // The longest keyword at the head of the title is credited (« usinage 5 axes », not the « usinage » in it).
        #expect(furan.evidence.contains { $0.kind == .keyword && $0.term == "usinage 5 axes" && $0.field == .title })
        #expect(!furan.evidence.contains { $0.kind == .keyword && $0.term == "usinage" && $0.field == .title })
        #expect(try ws.read("mecaloire/2026-05-05.md").contains("Pourquoi cet avis ?"))

        // The corrigendum moves the deadline: the members told are told again, as a change.
        tender.deadline = zoned("2026-06-15T12:00:00+02:00")
        _ = try store.upsert([tender], at: now.addingTimeInterval(86_400))
        let next = try run.run(now: now.addingTimeInterval(86_400))
        #expect(next.clusters[0].changed == 1)
        #expect(next.clusters[0].memberItems == 0)
        let md = try ws.read("mecaloire/2026-05-06.md")
        #expect(
            md.contains(
                "Date limite : lundi 8 juin 2026 à 12\u{A0}h\u{A0}00 → lundi 15 juin 2026 à 12\u{A0}h\u{A0}00"))
        #expect(md.contains("Décolletage du Furan"))
    }
}
