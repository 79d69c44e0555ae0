import Foundation
import LoopbackHTTP
import Notices
import Testing
@testable import Fetcher

/// `fetchEach`: sources handed over one by one as they finish, so the caller can store each and drop its bytes.
@Suite struct FetchEachTests {
    struct Stop: Error {}

    /// A loopback server answering five RSS feeds, and their ids.
    func fiveFeeds() throws -> (LoopbackServer, [String]) {
        let server = try LoopbackServer()
        let ids = (1...5).map { "feed\($0)" }
        for id in ids { server.route("/\(id)", .always(.ok(sampleRSS))) }
        return (server, ids)
    }

    @Test func eachSourceIsHandedOverAndNoNewSourceStartsWhileOneWaits() throws {
        let (server, ids) = try fiveFeeds()
        defer { server.stop() }
        var configuration = testConfiguration()
        configuration.maxConcurrent = 1
        var seen: [String] = []
        var requestsAfter: [Int] = []
        // A slow consumer: while a finished source waits for it, the loop must not start another one.
        try engine(configuration).fetchEach(ids.map { rssSource($0, server) }, states: [:], maxPendingBytes: 1) {
            result in
            #expect(result.outcome == .ok)
            #expect(result.documents.first?.body == Array(sampleRSS.utf8))
            seen.append(result.sourceID)
            Thread.sleep(forTimeInterval: 0.15)
            requestsAfter.append(server.requests.count)
        }
        #expect(seen.sorted() == ids)
        // After the k-th source was consumed, at most the next one has been fetched meanwhile.
        for (k, count) in requestsAfter.enumerated() { #expect(count <= k + 2) }
        #expect(server.requests.count == 5)
    }

    @Test func aConsumerErrorStopsTheRestAndIsRethrown() throws {
        let (server, ids) = try fiveFeeds()
        defer { server.stop() }
        var configuration = testConfiguration()
        configuration.maxConcurrent = 1
        var consumed = 0
        #expect(throws: Stop.self) {
            try engine(configuration).fetchEach(ids.map { rssSource($0, server) }, states: [:], maxPendingBytes: 1) {
                _ in
                consumed += 1
                throw Stop()
            }
        }
        #expect(consumed == 1)
        #expect(server.requests.count < 5)
    }

    @Test func fetchStillReturnsEverySourceInCatalogueOrder() throws {
        let server = try LoopbackServer()
        defer { server.stop() }
        server.route("/a", .always(.ok(sampleRSS)))
        server.route("/b", .always(.status(404)))
        let results = engine().fetch([rssSource("a", server), rssSource("b", server)], states: [:])
        #expect(results.map(\.sourceID) == ["a", "b"])
        #expect(results[0].outcome == .ok)
        #expect(results[1].outcome.name == "failed")
        #expect(results[1].httpStatus == 404)
    }
}
