import Foundation
import Testing

/// Runs the shared feed-parser conformance corpus (../shared/conformance, 662 cases from feedparser's suite)
/// against the built `vigie parse --json` and requires at least 98% of its assertions.
@Suite("Feed conformance (../shared)")
struct ConformanceTests {
    static let shared = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/conformance")
    static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"

    @Test("vigie parse --json passes ≥ 98% of the feedparser conformance assertions")
    func conformance() throws {
        let score = Self.shared.appendingPathComponent("score.py")
        guard FileManager.default.fileExists(atPath: score.path) else {
            if Self.isCI {
                Issue.record("CI=true but \(score.path) is missing: the conformance corpus is required in CI")
            } else {
                print("skipping conformance: \(score.path) not found (no ../shared next to the repository)")
            }
            return
        }
        let binary = try vigieBinary().path
        let report = FileManager.default.temporaryDirectory.appendingPathComponent("vigie-conformance-\(getpid()).json")
        defer { try? FileManager.default.removeItem(at: report) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", score.path, "feedparser", "--cmd", "\(binary) parse --json {file} --base-url {url}",
            "--jobs", "4", "--report", report.path,
        ]
        process.currentDirectoryURL = Self.shared
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let data = try Data(contentsOf: report)
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
