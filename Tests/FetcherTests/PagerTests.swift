import Foundation
import LoopbackHTTP
import Notices
import Testing
@testable import Fetcher

/// Pure pager tests (page shapes in, next requests out), then paged APIs served by the loopback server.
@Suite struct PagerTests {
    /// The run's clock in these tables: 2026-11-25 at 22:00 UTC.
    static let night = ISO8601DateFormatter().date(from: "2026-11-25T22:00:00Z")!

    static func boampSource(url: String = "https://api.example/records", pageSize: Int = 100,
                            maxOffset: Int = 10_000, maxPages: Int = 100) -> SourceDefinition {
        var scheme = PagingScheme.OffsetLimit()
        scheme.pageSize = pageSize
        scheme.maxOffset = maxOffset
        scheme.maxPages = maxPages
        return SourceDefinition(id: "boamp", format: .boampJSON, url: url,
                                query: [QueryParameter("where", "dateparution >= date'{cursor}'"),
                                        QueryParameter("order_by", "dateparution asc, idweb asc")],
                                paging: .offsetLimit(scheme),
                                cursor: CursorSpec(field: "dateparution", firstNightDays: 7, template: .date))
    }

    static func page(_ dates: [String], total: Int, key: String = "results", extra: String = "") -> [UInt8] {
        let records = dates.enumerated().map { "{\"idweb\":\"26-\($0.offset)\",\"dateparution\":\"\($0.element)\"}" }
        return Array("{\"total_count\":\(total),\"\(key)\":[\(records.joined(separator: ","))]\(extra)}".utf8)
    }

    @Test func firstRequestSubstitutesTheCursorAndAddsPaging() {
        let pager = Pager(source: Self.boampSource(), storedCursor: "2026-11-20", now: Self.night)
        let request = pager.firstRequest()
        #expect(request.url == "https://api.example/records?where=dateparution%20%3E%3D%20date%272026-11-20%27"
                + "&order_by=dateparution%20asc%2C%20idweb%20asc&limit=100&offset=0")
        #expect(request.isFirstPage)
    }

    @Test(arguments: [(7, "2026-11-18"), (0, "2026-11-25"), (30, "2026-10-26")])
    func theFirstNightsWindowIsDaysBeforeTheRun(_ days: Int, _ start: String) {
        var source = Self.boampSource()
        source.cursor?.firstNightDays = days
        let fresh = Pager(source: source, storedCursor: nil, now: Self.night)
        #expect(fresh.firstNightCursor == start)
        #expect(fresh.firstRequest().url.contains("date%27\(start)%27"))
    }

    @Test func oldestFirstPagingWalksUntilAShortPage() throws {
        var pager = Pager(source: Self.boampSource(pageSize: 2), storedCursor: nil, now: Self.night)
        let first = pager.firstRequest()
        let second = try #require(try pager.next(after: first, page: Self.page(["2026-11-20", "2026-11-21"], total: 5)))
        #expect(second.url.hasSuffix("limit=2&offset=2"))
        #expect(second.pageIndex == 1)
        let third = try #require(try pager.next(after: second, page: Self.page(["2026-11-21", "2026-11-22"], total: 5)))
        #expect(third.url.hasSuffix("offset=4"))
        #expect(try pager.next(after: third, page: Self.page(["2026-11-23"], total: 5)) == nil)
        #expect(pager.recordCount == 5)
        #expect(pager.isComplete)
        #expect(pager.remaining == 0)
        #expect(pager.cursorToSave == "2026-11-23")
        #expect(pager.warnings.isEmpty)
    }

    @Test func theOffsetCapStopsAndTheCursorIsTheNewestRecordFetched() throws {
        var pager = Pager(source: Self.boampSource(pageSize: 2, maxOffset: 4), storedCursor: "2026-11-19",
                          now: Self.night)
        let first = pager.firstRequest()
        let page1 = Self.page(["2026-11-19", "2026-11-20"], total: 50)
        let second = try #require(try pager.next(after: first, page: page1))
        #expect(try pager.next(after: second, page: Self.page(["2026-11-20", "2026-11-21"], total: 50)) == nil)
        #expect(!pager.isComplete)
        #expect(pager.remaining == 46)
        // The newest record stored, not the newest that exists (46 more, up to 11-25, were not fetched).
        #expect(pager.cursorToSave == "2026-11-21")
        #expect(pager.warnings == ["the API's offset cap (offset + limit <= 4) was reached after 4 records: "
                                   + "46 records left; the next run resumes after the newest record stored"])
    }

    @Test func maxPagesStopsAndSaysWhatIsLeft() throws {
        var pager = Pager(source: Self.boampSource(pageSize: 2, maxPages: 1), storedCursor: nil, now: Self.night)
        #expect(try pager.next(after: pager.firstRequest(), page: Self.page(["2026-11-19", "2026-11-20"], total: 7))
                == nil)
        #expect(pager.remaining == 5)
        #expect(pager.cursorToSave == "2026-11-20")
        #expect(pager.warnings.first?.hasPrefix("stopped after max_pages=1 pages after 2 records: 5 records left")
                == true)
    }

    @Test(arguments: [
        // (stored, dates of the page, cursor to save)
        (nil, ["2026-11-20", "2099-01-01"], "2026-11-20"),      // far future: stored, but never the cursor
        // The night is 2026-11-25 23:00 in Paris: the 26th is after the run, the 25th is not.
        (nil, ["2026-11-25", "2026-11-26"], "2026-11-25"),
        (nil, ["2026-11-24", "2027-03-02"], "2026-11-24"),      // a call announced for next year
        (nil, ["2026-11-25T21:59:00Z", "2026-11-25T22:30:00+00:00"], "2026-11-25T21:59:00Z"),
        ("2026-11-24", ["2026-11-24", "2026-11-27"], "2026-11-24"),
        ("2026-11-22", ["2999-12-31"], "2026-11-22"),
    ] as [(String?, [String], String)])
    func aRecordDatedAfterTheRunNeverMovesTheCursor(_ stored: String?, _ dates: [String],
                                                       _ expected: String) throws {
        var pager = Pager(source: Self.boampSource(), storedCursor: stored, now: Self.night)
        #expect(try pager.next(after: pager.firstRequest(), page: Self.page(dates, total: dates.count)) == nil)
        #expect(pager.cursorToSave == expected)
        #expect(pager.recordCount == dates.count)
    }

    @Test func aStoredCursorDatedAfterTheRunIsSetAsideNotKeptForever() throws {
        var pager = Pager(source: Self.boampSource(), storedCursor: "2027-01-15", now: Self.night)
        #expect(pager.storedCursor == nil)
        // The window starts first_night_days before the night, as on a first run.
        #expect(pager.firstRequest().url.contains(try #require(pager.firstNightCursor)))
        #expect(try pager.next(after: pager.firstRequest(), page: Self.page(["2026-11-20"], total: 1)) == nil)
        #expect(pager.cursorToSave == "2026-11-20")
        #expect(pager.warnings.first?.contains("stored cursor 2027-01-15 is after this run's time") == true)
    }

    static func aidesSource(maxPages: Int = 100, filtered: Bool = true) -> SourceDefinition {
        var scheme = PagingScheme.NextLink()
        scheme.maxPages = maxPages
        return SourceDefinition(
            id: "at", format: .aidesTerritoiresJSON, url: "https://at.example/api/aids/",
            query: filtered ? [QueryParameter("published_after", "{cursor}"),
                               QueryParameter("orderBy", "publication_date")] : [],
            paging: .nextLink(scheme),
            cursor: CursorSpec(field: "date_created", template: .date, order: .newestFirst))
    }

    static func aids(_ dates: [String], next: String?, count: Int) -> [UInt8] {
        let results = dates.map { "{\"id\":1,\"date_created\":\"\($0)\"}" }.joined(separator: ",")
        let link = next.map { "\"\($0)\"" } ?? "null"
        return Array("{\"count\":\(count),\"next\":\(link),\"results\":[\(results)]}".utf8)
    }

    @Test func aNewestFirstWalkCutShortKeepsTheStoredCursor() throws {
        var pager = Pager(source: Self.aidesSource(maxPages: 1), storedCursor: "2026-11-10", now: Self.night)
        let page = Self.aids(["2026-11-24T10:00:00+01:00"], next: "https://at.example/api/aids/?page=2", count: 3)
        #expect(try pager.next(after: pager.firstRequest(), page: page) == nil)
        #expect(!pager.isComplete)
        #expect(pager.remaining == 2)
        // What was not reached is older than what was stored: moving the cursor would skip it for good.
        #expect(pager.cursorToSave == "2026-11-10")
    }

    @Test func aServerFilteredNewestFirstWalkGoesPastOlderRecords() throws {
        // aides-territoires filters by publication date but its records carry date_created: page 1 may hold a
        // record created before the cursor. The walk must go on (the old pager stopped after page 1).
        var pager = Pager(source: Self.aidesSource(), storedCursor: "2026-11-20", now: Self.night)
        let first = pager.firstRequest()
        #expect(first.url == "https://at.example/api/aids/?published_after=2026-11-20&orderBy=publication_date")
        let second = try #require(try pager.next(
            after: first, page: Self.aids(["2026-11-24T10:00:00+01:00", "2026-10-02T09:00:00+02:00"],
                                          next: "https://at.example/api/aids/?page=2", count: 3)))
        #expect(try pager.next(after: second, page: Self.aids(["2026-11-21T08:00:00+01:00"], next: nil, count: 3))
                == nil)
        #expect(pager.isComplete)
        #expect(pager.cursorToSave == "2026-11-24T10:00:00+01:00")
    }

    @Test func anUnfilteredNewestFirstWalkStopsAtTheCursor() throws {
        var pager = Pager(source: Self.aidesSource(filtered: false), storedCursor: "2026-11-22", now: Self.night)
        let page = Self.aids(["2026-11-24", "2026-11-21"], next: "https://at.example/api/aids/?page=2", count: 9)
        #expect(try pager.next(after: pager.firstRequest(), page: page) == nil)
        #expect(pager.reachedCursor)
        #expect(pager.isComplete)
        #expect(pager.cursorToSave == "2026-11-24")
    }

    @Test func iterationTokenIsSentBackInTheBody() throws {
        var scheme = PagingScheme.IterationToken()
        scheme.resultsKey = "notices"
        let source = SourceDefinition(
            id: "ted", format: .tedJSON, url: "https://api.example/v3/notices/search", method: "POST",
            body: "{\"query\": \"buyer-country=FRA AND publication-date>={cursor} SORT BY publication-date ASC\", "
                + "\"limit\": 2}",
            paging: .iterationToken(scheme),
            cursor: CursorSpec(field: "publication-date", template: .compactDate))
        var pager = Pager(source: source, storedCursor: "2026-11-20+01:00", now: Self.night)
        let first = pager.firstRequest()
        #expect(first.body?.contains("publication-date>=20261120 SORT") == true)
        #expect(first.headers.contains(QueryParameter("Content-Type", "application/json")))
        let page = Array("""
            {"notices":[{"publication-number":"1-2026","publication-date":"2026-11-21+01:00"},
                        {"publication-number":"2-2026","publication-date":"2026-11-22+01:00"}],
             "totalNoticeCount":3,"iterationNextToken":"tok-2","timedOut":false}
            """.utf8)
        let second = try #require(try pager.next(after: first, page: page))
        let body = try #require(second.body.flatMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) }
                                as? [String: Any])
        #expect(body["iterationNextToken"] as? String == "tok-2")
        #expect(body["limit"] as? Int == 2)
        let last = Array("{\"notices\":[{\"publication-date\":\"2026-11-23+01:00\"}],\"iterationNextToken\":null}".utf8)
        #expect(try pager.next(after: second, page: last) == nil)
        #expect(pager.announcedTotal == 3)
        #expect(pager.cursorToSave == "2026-11-23+01:00")
    }

    @Test func aTimedOutPageIsAWarning() throws {
        let source = SourceDefinition(id: "ted", format: .tedJSON, url: "https://t.example/search", method: "POST",
                                      body: "{}", paging: .iterationToken(PagingScheme.IterationToken()))
        var pager = Pager(source: source, storedCursor: nil)
        let page = Array("{\"notices\":[{}],\"timedOut\":true,\"iterationNextToken\":null}".utf8)
        #expect(try pager.next(after: pager.firstRequest(), page: page) == nil)
        #expect(pager.warnings == ["the API reported timedOut on page 1: results may be incomplete"])
    }

    @Test func nextLinkIsFollowedAndResolved() throws {
        let source = SourceDefinition(id: "at", format: .aidesTerritoiresJSON, url: "https://at.example/api/aids/",
                                      paging: .nextLink(PagingScheme.NextLink()))
        var pager = Pager(source: source, storedCursor: nil)
        let first = pager.firstRequest()
        let second = try #require(try pager.next(
            after: first, page: Array("{\"count\":3,\"next\":\"/api/aids/?page=2\",\"results\":[{},{}]}".utf8)))
        #expect(second.url == "https://at.example/api/aids/?page=2")
        #expect(try pager.next(after: second, page: Array("{\"count\":3,\"next\":null,\"results\":[{}]}".utf8)) == nil)
        #expect(pager.recordCount == 3)
    }

    @Test func pageNumberPagingStopsAtTheTotal() throws {
        var scheme = PagingScheme.PageNumber()
        scheme.pageParam = "pageNumber"
        scheme.sizeParam = "pageSize"
        scheme.pageSize = 2
        scheme.totalKey = "totalResults"
        let source = SourceDefinition(id: "eu", format: .euFundingJSON, url: "https://eu.example/search",
                                      query: [QueryParameter("apiKey", "SEDIA")], paging: .pageNumber(scheme))
        var pager = Pager(source: source, storedCursor: nil)
        let first = pager.firstRequest()
        #expect(first.url == "https://eu.example/search?apiKey=SEDIA&pageNumber=1&pageSize=2")
        let second = try #require(try pager.next(after: first,
                                                 page: Array("{\"totalResults\":4,\"results\":[{},{}]}".utf8)))
        #expect(second.url == "https://eu.example/search?apiKey=SEDIA&pageNumber=2&pageSize=2")
        #expect(try pager.next(after: second, page: Array("{\"totalResults\":4,\"results\":[{},{}]}".utf8)) == nil)
    }

    @Test(arguments: ["<html>oops</html>", "[1,2]", "{\"records\":[]}", "{\"results\":{}}"])
    func malformedPagesAreProblems(_ body: String) {
        var pager = Pager(source: Self.boampSource(), storedCursor: nil)
        #expect(throws: PagingProblem.self) { try pager.next(after: pager.firstRequest(), page: Array(body.utf8)) }
    }

    @Test func credentialGoesWhereTheCatalogueSaysAndOnlyOnTheWire() {
        var source = SourceDefinition(id: "k", format: .rss, url: "https://k.example/feed")
        source.auth = AuthSpec(env: "K", queryParam: "apiKey")
        let first = Pager(source: source, storedCursor: nil).firstRequest()
        // The pager's request (what documents and messages name) never holds the key.
        #expect(first.url == "https://k.example/feed")
        var credentials = Credentials(auth: source.auth, sourceURL: source.url)
        credentials.secret = "abc"
        #expect(credentials.attach(to: first).url == "https://k.example/feed?apiKey=abc")
        source.auth = AuthSpec(env: "K", header: "X-AUTH-TOKEN")
        credentials = Credentials(auth: source.auth, sourceURL: source.url)
        credentials.secret = "abc"
        let request = credentials.attach(to: Pager(source: source, storedCursor: nil).firstRequest())
        #expect(request.headers == [QueryParameter("X-AUTH-TOKEN", "abc")])
    }

    @Test(arguments: [("10", "9", 1), ("9", "10", -1), ("2026-11-02", "2026-11-10", -1), ("a", "a", 0)])
    func cursorComparison(_ a: String, _ b: String, _ expected: Int) {
        #expect(Pager.compare(a, b) == expected)
    }
}

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
        server.route("/v3/notices/search", Route { request in
            guard request.method == "POST",
                  let body = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any] else {
                return .status(405)
            }
            let token = body["iterationNextToken"] as? String
            let (dates, next): ([String], String?) = switch token {
            case nil: (["2026-11-22+01:00", "2026-11-22+01:00"], "t1")
            case "t1": (["2026-11-23+01:00", "2026-11-23+01:00"], "t2")
            default: (["2026-11-24+01:00"], nil)
            }
            let notices = dates.map { "{\"publication-date\":\"\($0)\"}" }.joined(separator: ",")
            let nextJSON = next.map { "\"\($0)\"" } ?? "null"
            return .ok("{\"notices\":[\(notices)],\"totalNoticeCount\":5,\"iterationNextToken\":\(nextJSON)}",
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
        server.route("/records", Route { request in
            request.queryValue("offset") == "100" ? .status(404, body: "gone") : healthy.respond(to: request)
        })
        let source = PagerTests.boampSource(url: server.url("/records"))
        let saved = SourceState(sourceID: "boamp", cursor: "2026-11-10")
        let result = try #require(FetchEngine(configuration: Self.configuration())
            .fetch([source], states: ["boamp": saved]).first)
        #expect(result.outcome.error?.reason == "http-status")
        #expect(result.documents.isEmpty)
        #expect(result.state.cursor == "2026-11-10")
        #expect(result.state.consecutiveFailures == 1)
    }
}

/// TED daily packages: one document per OJ S issue, `{issue}` in the URL, cursor = last issue fetched.
@Suite struct DailyIssueTests {
    static func source(_ url: String, initial: String = "202600227", maxPages: Int = 5) -> SourceDefinition {
        SourceDefinition(id: "ted-packages", format: .tedPackage, url: url,
                         paging: .dailyIssue(PagingScheme.DailyIssue(initial: initial, maxPages: maxPages)))
    }

    @Test func issuesFollowTheCursor() throws {
        let fresh = Pager(source: Self.source("https://t.example/packages/daily/{issue}"), storedCursor: nil)
        #expect(fresh.firstRequest().url == "https://t.example/packages/daily/202600227")
        var pager = Pager(source: Self.source("https://t.example/packages/daily/{issue}", maxPages: 2),
                          storedCursor: "202600230")
        let first = pager.firstRequest()
        #expect(first.issue == "202600231")
        let second = try #require(try pager.next(after: first, page: [0x1f, 0x8b]))
        #expect(second.url == "https://t.example/packages/daily/202600232")
        #expect(try pager.next(after: second, page: [0x1f, 0x8b]) == nil)
        #expect(pager.newCursor == "202600232")
        #expect(pager.warnings.first?.contains("max_pages=2") == true)
    }

    @Test func aMissingIssueOfAPastYearMovesToTheNextYear() {
        var pager = Pager(source: Self.source("https://t.example/{issue}"), storedCursor: "202500251")
        let first = pager.firstRequest()
        let next = pager.nextYear(after: first, currentYear: 2026)
        #expect(next?.issue == "202600001")
        // Only once: a 404 on 202600001 means nothing is published yet this year.
        #expect(next.flatMap { pager.nextYear(after: $0, currentYear: 2026) } == nil)
        var current = Pager(source: Self.source("https://t.example/{issue}"), storedCursor: "202600040")
        #expect(current.nextYear(after: current.firstRequest(), currentYear: 2026) == nil)
    }

    @Test func packagesAreWalkedUntilAnIssueIsNotPublishedYet() throws {
        let server = try LoopbackServer()
        defer { server.stop() }
        let package = Gzip.stored(Array("20261120_227/00781765_2026.xml".utf8))
        for issue in ["202600227", "202600228", "202600001"] {
            server.route("/packages/daily/\(issue)",
                         .always(ScriptedResponse(status: 200, headers: [("Content-Type", "application/gzip")],
                                                  body: package)))
        }
        let source = Self.source(server.url("/packages/daily/{issue}"))
        let first = try #require(engine().fetch([source], states: [:]).first)
        #expect(first.outcome == .ok)
        #expect(first.documents.map(\.url) == [server.url("/packages/daily/202600227"),
                                               server.url("/packages/daily/202600228")])
        #expect(first.state.cursor == "202600228")
        #expect(first.pagedRecords == 2)

        let second = try #require(engine().fetch([source], states: ["ted-packages": first.state]).first)
        #expect(second.outcome == .notModified)
        #expect(second.state.cursor == "202600228")
        #expect(server.requests.last?.path == "/packages/daily/202600229")

        // Last run in late December 2025: the first 2026 issue is found after the 404 on 202500252.
        let december = SourceState(sourceID: "ted-packages", cursor: "202500251")
        let third = try #require(engine().fetch([source], states: ["ted-packages": december]).first)
        #expect(third.outcome == .ok)
        #expect(third.state.cursor == "202600001")
        #expect(third.documents.count == 1)
    }
}

/// What the walk says when a night cannot get past one day.
@Suite struct PagerProgressTests {
    @Test func aDayLargerThanANightsPagesIsReported() throws {
        var pager = Pager(source: PagerTests.boampSource(pageSize: 2, maxPages: 1), storedCursor: "2026-11-20",
                          now: PagerTests.night)
        let page = PagerTests.page(["2026-11-20", "2026-11-20"], total: 40)
        #expect(try pager.next(after: pager.firstRequest(), page: page) == nil)
        #expect(pager.cursorToSave == "2026-11-20")
        #expect(pager.warnings.last == "the whole walk stayed within 2026-11-20: raise max_pages, or this source "
                + "never gets past that day")
    }
}

/// Credentials are attached to the configured host only, whatever a `next` link says.
@Suite struct PagerCredentialTests {
    static func source() -> SourceDefinition {
        var source = PagerTests.aidesSource()
        source.auth = AuthSpec(env: "K", header: "Authorization", scheme: "Bearer")
        return source
    }

    static func page(next: String) -> [UInt8] {
        Array("{\"count\":3,\"next\":\"\(next)\",\"results\":[{\"id\":1}]}".utf8)
    }

    @Test(arguments: [
        // (next link, URL of the next request, credential sent)
        ("https://at.example/api/aids/?page=2", "https://at.example/api/aids/?page=2", true),
        // Rebuilt behind a proxy: same host, http:// — the token must not travel in clear.
        ("http://at.example/api/aids/?page=2", "https://at.example/api/aids/?page=2", true),
        ("https://elsewhere.example/api/aids/?page=2", "https://elsewhere.example/api/aids/?page=2", false),
    ])
    func nextLinks(_ link: String, _ url: String, _ withCredential: Bool) throws {
        var pager = Pager(source: Self.source(), storedCursor: nil, now: PagerTests.night)
        var credentials = Credentials(auth: Self.source().auth, sourceURL: Self.source().url)
        credentials.secret = "jwt"
        let first = pager.firstRequest()
        #expect(credentials.attach(to: first).headers.contains(QueryParameter("Authorization", "Bearer jwt")))
        let next = try #require(try pager.next(after: first, page: Self.page(next: link)))
        #expect(next.url == url)
        #expect(credentials.attach(to: next).headers.contains(QueryParameter("Authorization", "Bearer jwt"))
                == withCredential)
    }
}
