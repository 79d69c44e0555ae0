import Foundation
import Logging
import Notices
import Store
import TestSupport
import Testing

@testable import Pipeline

/// A cluster whose rule file is broken one night is that cluster's failure (located, exit 1), the others are
/// served; once the file is back, the notices it missed are routed to it — they are not lost.
@Suite struct RulesChangeTests {
    static let packageRoot = SharedData.packageRoot.path

    @Test func anEmptyClusterFileFailsOnlyThatClusterAndItsNoticesAreRoutedOnceRestored() throws {
        let ws = try Workspace()
        let rules = ws.root.appendingPathComponent("Rules").path
        try FileManager.default.copyItem(atPath: Self.packageRoot + "/Rules", toPath: rules)
        let mecaloire = rules + "/mecaloire.yaml"
        let original = try Data(contentsOf: URL(fileURLWithPath: mecaloire))
        let store = try NoticeStore(path: ws.storePath)
        _ = try store.upsert(try NoticeFixtures.notices(), at: instant("2026-05-05T01:00:00Z"))
        try store.close()

        // Night 1: the file was truncated (a bad copy).
        try Data().write(to: URL(fileURLWithPath: mecaloire))
        var options = NightlyRunOptions(
            feeds: ws.root.appendingPathComponent("none.yaml").path, rules: rules, store: ws.storePath, output: ws.out,
            now: instant("2026-05-05T02:00:00Z"), skipFetch: true)
        let night1 = try NightlyRun.run(options, logger: Logger(label: "test"))
        #expect(night1.exitCode == 1)
        let failed = try #require(night1.routing.failedClusters.first)
        #expect(failed.cluster == "mecaloire")
        #expect(failed.errors.first?.hasPrefix(mecaloire + ":1:1: error") == true)
        #expect(NightlyRun.summary(night1).contains { $0.hasPrefix("mecaloire: NOT DIGESTED") })
        #expect(!ws.exists("mecaloire"))
        #expect(night1.routing.clusters.map(\.cluster).sorted() == ["cognac", "energie", "nucleaire"])

        // Night 2: restored. The usinage tender (classified on night 1, while mecaloire was missing) reaches it.
        try original.write(to: URL(fileURLWithPath: mecaloire))
        options.now = instant("2026-05-06T02:00:00Z")
        let night2 = try NightlyRun.run(options, logger: Logger(label: "test"))
        #expect(night2.exitCode == 0)
        #expect(night2.routing.rerouted == ["mecaloire"])
        #expect(night2.routing.classified == 0, "nothing new: only mecaloire was routed again")
        let md = try ws.read("mecaloire/2026-05-06.md")
        #expect(md.contains("Usinage de pièces mécaniques pour tramways"))

        // Night 3: nothing changed, nothing routed again.
        options.now = instant("2026-05-07T02:00:00Z")
        let night3 = try NightlyRun.run(options, logger: Logger(label: "test"))
        #expect(night3.routing.rerouted.isEmpty)
    }
}
