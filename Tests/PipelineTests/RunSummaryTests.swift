import Digest
import Fetcher
import Foundation
import Notices
import Testing

@testable import Pipeline

/// `vigie run`'s summary line: a capped source is neither "ok" nor "failed", and says what it still owes.
@Suite struct RunSummaryTests {
    @Test func anIncompleteSourceIsCountedApartWithWhatIsLeft() {
        let sources = [
            SourceHealthBuilderTests.report("boamp-api", status: "incomplete", left: 2_000),
            SourceHealthBuilderTests.report("eu-funding", status: "incomplete"),
            SourceHealthBuilderTests.report("ted", status: "ok"),
        ]
        let report = NightlyRunReport(
            runID: 3, startedAt: SourceHealthBuilderTests.now, status: "ok", sources: sources,
            routing: RouteAndDigestReport(runID: 3, classified: 0, routes: 0, classifiedThrough: nil, clusters: []),
            staleLockHolder: nil)
        #expect(report.exitCode == 0, "a capped source stored what it fetched: not a failure")
        #expect(
            NightlyRun.summary(report).first
                == "sources: 1 ok, 2 incomplete (boamp-api: 2000 left, eu-funding: more left; resumed next run), "
                + "0 failed; notices: +300 new, ~0 changed")
    }
}
