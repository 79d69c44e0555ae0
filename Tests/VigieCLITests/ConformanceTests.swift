import Foundation
import TestSupport
import Testing

/// Runs the shared feed-parser conformance corpus (../shared/conformance, 662 cases from feedparser's suite)
/// against the built `vigie parse --json` and requires at least 98% of its assertions.
@Suite("Feed conformance (../shared)", .requiresShared)
struct ConformanceTests {
    @Test("vigie parse --json passes ≥ 98% of the feedparser conformance assertions")
    func conformance() throws {
        let corpus = try SharedData.url("conformance")
        let score = try SharedData.url("conformance/score.py")
        let binary = try VigieProcess.binary().path
        let report = FileManager.default.temporaryDirectory.appendingPathComponent("vigie-conformance-\(getpid()).json")
        defer { try? FileManager.default.removeItem(at: report) }
        let run = try ProcessRunner.tool(
            "python3",
            [
                score.path, "feedparser", "--cmd", "\(binary) parse --json {file} --base-url {url}", "--jobs", "4",
                "--report", report.path,
            ], directory: corpus, timeout: 1200)
        guard let data = FileManager.default.contents(atPath: report.path) else {
            Issue.record("score.py wrote no report (exit \(run.status)): \(run.stderr.suffix(2000))")
            return
        }
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let assertions = try #require(object["assertions"] as? [Int])
        #expect(assertions.count == 2)
        let (passed, total) = (assertions[0], assertions[1])
        #expect(total > 600, "the corpus shrank: \(total) assertions")
        let rate = Double(passed) / Double(max(total, 1))
        print("feed conformance: \(passed)/\(total) = \(String(format: "%.1f", rate * 100))%")
        #expect(rate >= 0.98, "conformance \(passed)/\(total) is below 98%")
    }
}
