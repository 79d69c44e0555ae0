import Foundation
import LoopbackHTTP
import Notices
import Testing
@testable import Fetcher

/// A stop request (SIGTERM, SIGINT reaching `vigie run`) ends the transfers on the spot instead of waiting for a
/// slow source's budget.
@Suite struct StopRequestFetchTests {
    @Test func aStopRequestEndsEveryTransferAtOnceAndKeepsNothing() throws {
        let server = try LoopbackServer()
        defer { server.stop() }
        // A server that would hold the page for about a minute.
        server.route("/slow", .always(.dripping(sampleRSS, bytes: 1, every: 0.2)))
        server.route("/fast", .always(.ok(sampleRSS)))
        let asked = Date()
        var configuration = testConfiguration(maxAttempts: 1)
        configuration.shouldStop = { Date().timeIntervalSince(asked) > 0.5 }
        let started = Date()
        let results = engine(configuration).fetch(
            [rssSource("slow", server, path: "/slow"), rssSource("fast", server, path: "/fast")], states: [:])
        let elapsed = Date().timeIntervalSince(started)
        #expect(elapsed < 3, "stopped after \(elapsed) s")
        let slow = try #require(results.first { $0.sourceID == "slow" })
        #expect(slow.outcome.error?.reason == "interrupted")
        #expect(slow.documents.isEmpty)
        // The quick source finished before the request: its result stands.
        #expect(results.first { $0.sourceID == "fast" }?.outcome.name == "ok")
    }
}
