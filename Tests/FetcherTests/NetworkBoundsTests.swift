import Foundation
import LoopbackHTTP
import Notices
import Testing
@testable import Fetcher

/// Only http(s) from the network, files only where the catalogue says so, and bounded work: each test is one
/// fault served by a real loopback server (or a real file).
@Suite struct NetworkBoundsTests {
    static func json(_ text: String) -> ScriptedResponse { .ok(text, contentType: "application/json") }

    static func aids(_ url: String, cursor: CursorSpec? = nil) -> SourceDefinition {
        var source = SourceDefinition(
            id: "aids", format: .aidesTerritoiresJSON, url: url,
            paging: .nextLink(PagingScheme.NextLink()), cursor: cursor)
        source.politeness = Politeness(maxConcurrent: 8)
        return source
    }

    // MARK: - Only http(s) from the network

    @Test(arguments: [
        "file:///etc/passwd", "ftp://127.0.0.1/pub/aids.json", "file:/etc/hostname",
        "gopher://127.0.0.1:70/1",
    ])
    func aNextLinkOutOfHTTPIsRefusedAndNothingOfTheSourceIsKept(_ link: String) throws {
        let server = try LoopbackServer()
        defer { server.stop() }
        server.route("/aids", .always(Self.json("{\"count\":2,\"next\":\"\(link)\",\"results\":[{\"id\":1}]}")))
        let previous = SourceState(sourceID: "aids", cursor: "2026-11-01")
        let result = try #require(engine().fetch([Self.aids(server.url("/aids"))], states: ["aids": previous]).first)
        guard case .failed(.refusedURL(_, _, let target, let why)) = result.outcome else {
            Issue.record("a next link to \(link) must be refused, got \(result.outcome)")
            return
        }
        #expect(target.hasPrefix(String(link.prefix(5))))
        #expect(why.contains("http:// or https://"))
        #expect(result.outcome.error?.reason == "refused-url")
        #expect(result.documents.isEmpty)  // page 1 arrived, but a source is stored all or none
        #expect(result.state.cursor == "2026-11-01")
        #expect(result.state.lastError?.hasPrefix("fetcher: aids: ") == true)
        #expect(server.requests.count == 1)
    }

    @Test(arguments: ["ftp://127.0.0.1/feed.xml", "file:///etc/passwd", "dict://127.0.0.1:11211/stat"])
    func aRedirectOutOfHTTPIsRefusedBeforeAnyRequest(_ location: String) throws {
        let server = try LoopbackServer()
        defer { server.stop() }
        server.route("/feed", .always(.redirect(to: location)))
        let result = try #require(engine().fetch([rssSource("feed", server)], states: [:]).first)
        #expect(result.outcome.error?.reason == "refused-url")
        #expect(result.documents.isEmpty)
        #expect(result.requests == 1)
    }

    /// The offline demo: a `file://` source may chain to files in its own folder, nowhere else.
    @Test func aFileSourceFollowsNextLinksOnlyInsideItsOwnFolder() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigie-files-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func write(_ name: String, next: String?) throws {
            let link = next.map { "\"\($0)\"" } ?? "null"
            try Data("{\"count\":2,\"next\":\(link),\"results\":[{\"id\":\"\(name)\"}]}".utf8)
                .write(to: dir.appendingPathComponent(name))
        }
        try write("page1.json", next: "page2.json")
        try write("page2.json", next: nil)
        try write("escape.json", next: "../../../etc/passwd")
        try write("absolute.json", next: "file:///etc/passwd")
        try write("web.json", next: "http://127.0.0.1:9/aids")
        var sources: [SourceDefinition] = []
        for name in ["page1.json", "escape.json", "absolute.json", "web.json"] {
            var source = Self.aids("file://" + dir.appendingPathComponent(name).path)
            source.id = name.replacingOccurrences(of: ".json", with: "")
            sources.append(source)
        }
        let results = engine().fetch(sources, states: [:])
        #expect(results[0].outcome == .ok)
        #expect(results[0].documents.map { URL(string: $0.url)?.lastPathComponent } == ["page1.json", "page2.json"])
        for result in results.dropFirst() {
            #expect(result.outcome.error?.reason == "refused-url", "\(result.sourceID): \(result.outcome)")
            #expect(result.documents.isEmpty)
        }
    }

    /// A catalogue `file://` URL used to print the file's first bytes in every digest's source health.
    @Test(arguments: [
        ("notes.xml", DocumentFormat.rss, "PRIVATE-NOTES salary list, not a feed"),
        ("page.json", .boampJSON, "<!DOCTYPE html><html>PRIVATE-NOTES</html>"),
        ("list.json", .aidesTerritoiresJSON, "PRIVATE-NOTES: 1"),
    ])
    func aFailingFileSourceNeverQuotesTheFile(_ name: String, _ format: DocumentFormat, _ content: String) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vigie-\(UUID().uuidString)-\(name)")
        try Data(content.utf8).write(to: path)
        defer { try? FileManager.default.removeItem(at: path) }
        let source = SourceDefinition(id: "local", format: format, url: "file://" + path.path)
        let result = try #require(engine().fetch([source], states: [:]).first)
        let error = try #require(result.outcome.error)
        #expect(!error.description.contains("PRIVATE"), "\(error.description)")
        #expect(!(result.state.lastError ?? "").contains("PRIVATE"))
        #expect(result.documents.isEmpty)
    }

    @Test func anHTTPSourceStillQuotesWhatItGotInsteadOfData() throws {
        let server = try LoopbackServer()
        defer { server.stop() }
        server.route("/api", .always(.ok("<html><title>Maintenance</title></html>", contentType: "text/html")))
        let source = SourceDefinition(id: "api", format: .boampJSON, url: server.url("/api"))
        let result = try #require(engine().fetch([source], states: [:]).first)
        #expect(result.outcome.error?.description.contains("Maintenance") == true)
    }

    // MARK: - Bounded work

    @Test func aServerDrippingOneBytePerSecondFailsThePageWithinTheLowSpeedTime() throws {
        let server = try LoopbackServer()
        defer { server.stop() }
        server.route("/feed", .always(.dripping(sampleRSS, bytes: 1, every: 1)))
        let started = Date()
        // Low-speed limit 100 B/s over 1 s (testConfiguration); one attempt.
        let result = try #require(
            engine(testConfiguration(maxAttempts: 1))
                .fetch([rssSource("feed", server)], states: [:]).first)
        let elapsed = Date().timeIntervalSince(started)
        #expect(result.outcome.error?.reason == "stalled")
        #expect(result.documents.isEmpty)
        #expect(elapsed < 4, "took \(elapsed) s")
    }

    /// Page 1 arrives at once; page 2 trickles fast enough to pass the low-speed limit but never ends in time.
    @Test func aSourceOverItsTimeBudgetFailsAndKeepsNeitherPagesNorCursor() throws {
        let server = try LoopbackServer()
        defer { server.stop() }
        let page2 =
            "{\"count\":3,\"next\":null,\"results\":[" + String(repeating: "{\"id\":2},", count: 400)
            + "{\"id\":3}]}"
        server.route(
            "/aids",
            Route { request in
                if request.queryValue("page") == "2" {
                    var drip = ScriptedResponse.dripping(page2, bytes: 40, every: 0.1, contentType: "application/json")
                    drip.headers.append(("X-Case", "drip"))
                    return drip
                }
                return Self.json(
                    "{\"count\":3,\"next\":\"\(server.url("/aids"))?page=2\","
                        + "\"results\":[{\"id\":1,\"date\":\"2026-11-20\"}]}")
            })
        var source = Self.aids(server.url("/aids"), cursor: CursorSpec(field: "date", order: .newestFirst))
        source.timeBudget = 1.5
        let previous = SourceState(sourceID: "aids", cursor: "2026-11-01")
        let started = Date()
        var configuration = testConfiguration(maxAttempts: 1)
        configuration.transport.totalTimeout = 30
        let result = try #require(engine(configuration).fetch([source], states: ["aids": previous]).first)
        let elapsed = Date().timeIntervalSince(started)
        guard case .failed(.timeBudget(_, let url, let seconds, let scope)) = result.outcome else {
            Issue.record("expected time-budget, got \(result.outcome)")
            return
        }
        #expect(scope == .source)
        #expect(seconds == 2)  // 1.5 s, rounded in the message
        #expect(url.contains("page=2"))
        #expect(result.outcome.error?.reason == "time-budget")
        #expect(result.documents.isEmpty)
        #expect(result.state.cursor == "2026-11-01")
        #expect(result.state.consecutiveFailures == 1)
        #expect(elapsed < 3.5, "took \(elapsed) s")
    }

    /// One request at a time to the host: the second source waits 1.5 s for the first, and its own 2.5 s start
    /// only when its request goes out (counted from the run's start, it would run out at 2.5 s, mid-answer).
    @Test func aSourceQueuedBehindItsHostDoesNotSpendItsBudgetWaiting() throws {
        let server = try LoopbackServer()
        defer { server.stop() }
        server.route("/first", .always(.ok(sampleRSS, delay: 1.5)))
        server.route("/second", .always(.ok(sampleRSS, delay: 1.5)))
        var sources = [rssSource("first", server), rssSource("second", server)]
        for i in sources.indices {
            sources[i].politeness = Politeness(maxConcurrent: 1)
            sources[i].timeBudget = 2.5
        }
        var configuration = testConfiguration(maxAttempts: 1)
        configuration.transport.totalTimeout = 30
        configuration.transport.lowSpeedTime = 5  // the server's 1.5 s of silence is no stall here
        let results = engine(configuration).fetch(sources, states: [:])
        #expect(results.map(\.outcome) == [.ok, .ok])
        let first = try #require(server.requests(for: "/first").first?.receivedAt)
        let second = try #require(server.requests(for: "/second").first?.receivedAt)
        #expect(second.timeIntervalSince(first) >= 1.4)  // it did wait for the first
    }

    @Test func theRunDeadlineStopsEverySourceNotDoneAndSparesTheQuickOnes() throws {
        let server = try LoopbackServer()
        defer { server.stop() }
        server.route("/slow", .always(.ok(sampleRSS, delay: 4)))
        server.route("/quick", .always(.ok(sampleRSS)))
        var configuration = testConfiguration(maxAttempts: 1)
        configuration.transport.totalTimeout = 30
        configuration.runDeadline = Date().addingTimeInterval(1)
        let started = Date()
        let results = engine(configuration).fetch(
            [rssSource("slow", server), rssSource("quick", server)],
            states: [:])
        #expect(Date().timeIntervalSince(started) < 3)
        guard case .failed(.timeBudget(_, _, _, let scope)) = results[0].outcome else {
            Issue.record("expected time-budget, got \(results[0].outcome)")
            return
        }
        #expect(scope == .run)
        #expect(results[1].outcome == .ok)
    }

    @Test func aRetryWhoseBackoffEndsAfterTheBudgetIsNotWaitedFor() throws {
        let server = try LoopbackServer()
        defer { server.stop() }
        server.route("/feed", .always(.status(503, headers: [("Retry-After", "4")])))
        var source = rssSource("feed", server)
        source.timeBudget = 1
        let started = Date()
        let result = try #require(engine().fetch([source], states: [:]).first)
        #expect(result.outcome.error?.reason == "time-budget")
        #expect(Date().timeIntervalSince(started) < 1.5)
        #expect(server.requests.count == 1)
    }

    @Test func theDefaultBudgetsAreSane() {
        let configuration = FetchConfiguration()
        #expect(configuration.sourceTimeBudget == 600)
        #expect(configuration.runTimeBudget == 2700)
        let start = Date(timeIntervalSince1970: 0)
        var withDeadline = configuration
        withDeadline.runDeadline = start.addingTimeInterval(60)
        #expect(withDeadline.deadline(startingAt: start) == start.addingTimeInterval(60))
        #expect(configuration.deadline(startingAt: start) == start.addingTimeInterval(2700))
        #expect(configuration.transport.lowSpeedLimit >= 1024)
    }

    @Test func aBodyShorterThanItsContentLengthFailsTheSource() throws {
        let server = try LoopbackServer()
        defer { server.stop() }
        server.route("/feed", .always(.lying(sampleRSS, announced: sampleRSS.utf8.count + 500)))
        let result = try #require(
            engine(testConfiguration(maxAttempts: 1))
                .fetch([rssSource("feed", server)], states: [:]).first)
        #expect(result.outcome.error?.reason == "truncated")
        #expect(result.documents.isEmpty)
    }

    /// The issue's "24 of 40 notices stored as ok": the length announced cuts the document short.
    @Test func aContentLengthShorterThanTheBodyFailsTheSource() throws {
        let server = try LoopbackServer()
        defer { server.stop() }
        server.route("/feed", .always(.lying(sampleRSS, announced: 120)))
        let result = try #require(
            engine(testConfiguration(maxAttempts: 1))
                .fetch([rssSource("feed", server)], states: [:]).first)
        guard case .failed(.lengthMismatch(_, _, let announced)) = result.outcome else {
            Issue.record("expected length-mismatch, got \(result.outcome)")
            return
        }
        #expect(announced == 120)
        #expect(result.documents.isEmpty)
        #expect(result.state.lastError?.contains("more bytes than its Content-Length (120 bytes)") == true)
    }

    // MARK: - Cursors

    /// Engine level: a record dated next year is stored but never becomes the cursor.
    @Test func aRecordDatedNextYearNeverMovesTheCursor() throws {
        let server = try LoopbackServer()
        defer { server.stop() }
        let night = ISO8601DateFormatter().date(from: "2026-11-25T22:00:00Z")!
        server.route(
            "/aids",
            .always(
                Self.json(
                    "{\"count\":3,\"next\":null,\"results\":[{\"id\":1,\"date\":\"2027-02-01\"},"
                        + "{\"id\":2,\"date\":\"2026-11-24\"},{\"id\":3,\"date\":\"2026-11-23T09:00:00+01:00\"}]}")))
        let source = Self.aids(server.url("/aids"), cursor: CursorSpec(field: "date", order: .newestFirst))
        var configuration = testConfiguration()
        configuration.now = night
        let previous = SourceState(sourceID: "aids", cursor: "2026-11-20")
        let result = try #require(engine(configuration).fetch([source], states: ["aids": previous]).first)
        #expect(result.outcome == .ok)
        #expect(result.documents.count == 1)  // the record is kept…
        #expect(result.state.cursor == "2026-11-24")  // …but the cursor only moves to the newest past date
        #expect(result.warnings.contains { $0.contains("2027-02-01") && $0.contains("does not move the cursor") })
    }
}
