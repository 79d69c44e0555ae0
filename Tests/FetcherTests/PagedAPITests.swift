import Foundation
import LoopbackHTTP
import Notices
import Testing
@testable import Fetcher

/// A BOAMP-like API on loopback: 250 records, `limit`/`offset`, a `where` date filter, oldest first.
@Suite struct PagedAPITests {
    static func configuration() -> FetchConfiguration {
        var c = testConfiguration()
        c.now = PagerTests.night
        return c
    }

    static func records(count: Int) -> [(id: String, date: String)] {
        // 10 records per day going back from 2026-11-24.
        (0..<count).map { i in
            let day = 24 - i / 10
            let date = day > 0 ? String(format: "2026-11-%02d", day) : String(format: "2026-10-%02d", 31 + day)
            return ("26-\(100_000 - i)", date)
        }
    }

    static func serve(_ all: [(id: String, date: String)]) -> Route {
        Route { request in
            let limit = Int(request.queryValue("limit") ?? "10") ?? 10
            let offset = Int(request.queryValue("offset") ?? "0") ?? 0
            let since = request.queryValue("where").flatMap { w -> String? in
                guard let r = w.range(of: "date'") else { return nil }
                return String(w[r.upperBound...].prefix(10))
            }
            let matching = all.filter { since == nil || $0.date >= since! }
                .sorted { ($0.date, $0.id) < ($1.date, $1.id) }
            guard offset + limit <= 10_000 else { return .status(400, body: "offset too large") }
            let page = matching.dropFirst(offset).prefix(limit)
            let items = page.map { "{\"idweb\":\"\($0.id)\",\"dateparution\":\"\($0.date)\",\"objet\":\"Usinage\"}" }
            let body = "{\"total_count\":\(matching.count),\"results\":[\(items.joined(separator: ","))]}"
            return .ok(body, contentType: "application/json; charset=utf-8")
        }
    }

    @Test func pagedJSONAPIIsFollowedToTheEndThenResumesFromTheCursor() throws {
        let server = try LoopbackServer()
        defer { server.stop() }
        server.route("/records", Self.serve(Self.records(count: 250)))
        let source = PagerTests.boampSource(url: server.url("/records"))
        let engine = FetchEngine(configuration: Self.configuration())
        let first = try #require(engine.fetch([source], states: [:]).first)
        #expect(first.outcome == .ok)
        // First night: 7 days back from 2026-11-25 = from 11-18 on = 70 records.
        #expect(first.documents.count == 1)
        #expect(first.pagedRecords == 70)
        #expect(first.state.cursor == "2026-11-24")
        #expect(server.requests(for: "/records").first?.queryValue("where") == "dateparution >= date'2026-11-18'")

        // Next night: 15 new records; the window starts at the cursor's day (kept: same-day second batch).
        server.route("/records", Self.serve((0..<15).map { ("26-2\($0)", "2026-11-25") } + Self.records(count: 250)))
        server.resetLog()
        let second = try #require(engine.fetch([source], states: ["boamp": first.state]).first)
        #expect(second.outcome == .ok)
        #expect(second.pagedRecords == 25)
        #expect(second.state.cursor == "2026-11-25")
        #expect(server.requests(for: "/records").first?.queryValue("where") == "dateparution >= date'2026-11-24'")
    }

    @Test func iterationTokenAPIOverPOST() throws {
        let server = try LoopbackServer()
        defer { server.stop() }
        server.route(
            "/v3/notices/search",
            Route { request in
                guard request.method == "POST",
                    let body = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any]
                else {
                    return .status(405)
                }
                let token = body["iterationNextToken"] as? String
                let (dates, next): ([String], String?) =
                    switch token {
                    case nil: (["2026-11-22+01:00", "2026-11-22+01:00"], "t1")
                    case "t1": (["2026-11-23+01:00", "2026-11-23+01:00"], "t2")
                    default: (["2026-11-24+01:00"], nil)
                    }
                let notices = dates.map { "{\"publication-date\":\"\($0)\"}" }.joined(separator: ",")
                let nextJSON = next.map { "\"\($0)\"" } ?? "null"
                return .ok(
                    "{\"notices\":[\(notices)],\"totalNoticeCount\":5,\"iterationNextToken\":\(nextJSON)}",
                    contentType: "application/json")
            })
        let source = SourceDefinition(
            id: "ted", format: .tedJSON, url: server.url("/v3/notices/search"), method: "POST",
            body: "{\"query\":\"publication-date>={cursor}\",\"limit\":2,\"paginationMode\":\"ITERATION\"}",
            paging: .iterationToken(PagingScheme.IterationToken()),
            cursor: CursorSpec(field: "publication-date", template: .compactDate))
        let result = try #require(FetchEngine(configuration: Self.configuration()).fetch([source], states: [:]).first)
        #expect(result.outcome == .ok)
        #expect(result.documents.count == 3)
        #expect(result.pagedRecords == 5)
        #expect(result.state.cursor == "2026-11-24+01:00")
        let requests = server.requests(for: "/v3/notices/search")
        #expect(requests.count == 3)
        #expect(requests.first?.header("content-type") == "application/json")
        #expect(String(decoding: requests[0].body, as: UTF8.self).contains("publication-date>=20261118"))
    }

    @Test func aPageFailingMidWalkKeepsTheOldCursor() throws {
        let server = try LoopbackServer()
        defer { server.stop() }
        let healthy = Self.serve(Self.records(count: 250))
        server.route(
            "/records",
            Route { request in
                request.queryValue("offset") == "100" ? .status(404, body: "gone") : healthy.respond(to: request)
            })
        let source = PagerTests.boampSource(url: server.url("/records"))
        let saved = SourceState(sourceID: "boamp", cursor: "2026-11-10")
        let result = try #require(
            FetchEngine(configuration: Self.configuration())
                .fetch([source], states: ["boamp": saved]).first)
        #expect(result.outcome.error?.reason == "http-status")
        #expect(result.documents.isEmpty)
        #expect(result.state.cursor == "2026-11-10")
        #expect(result.state.consecutiveFailures == 1)
    }
}
