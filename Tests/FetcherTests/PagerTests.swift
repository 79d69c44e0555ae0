import Foundation
import LoopbackHTTP
import Notices
import Testing
@testable import Fetcher

/// Pure pager tests (page shapes in, next requests out), then paged APIs served by the loopback server.
@Suite struct PagerTests {
    /// The run's clock in these tables: 2026-11-25 at 22:00 UTC.
    static let night = ISO8601DateFormatter().date(from: "2026-11-25T22:00:00Z")!

    static func boampSource(
        url: String = "https://api.example/records", pageSize: Int = 100,
        maxOffset: Int = 10_000, maxPages: Int = 100
    ) -> SourceDefinition {
        var scheme = PagingScheme.OffsetLimit()
        scheme.pageSize = pageSize
        scheme.maxOffset = maxOffset
        scheme.maxPages = maxPages
        return SourceDefinition(
            id: "boamp", format: .boampJSON, url: url,
            query: [
                QueryParameter("where", "dateparution >= date'{cursor}'"),
                QueryParameter("order_by", "dateparution asc, idweb asc"),
            ],
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
        #expect(
            request.url == "https://api.example/records?where=dateparution%20%3E%3D%20date%272026-11-20%27"
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
        let second = try #require(
            try pager.next(after: first, page: Self.page(["2026-11-20", "2026-11-21"], total: 5)))
        #expect(second.url.hasSuffix("limit=2&offset=2"))
        #expect(second.pageIndex == 1)
        let third = try #require(
            try pager.next(after: second, page: Self.page(["2026-11-21", "2026-11-22"], total: 5)))
        #expect(third.url.hasSuffix("offset=4"))
        #expect(try pager.next(after: third, page: Self.page(["2026-11-23"], total: 5)) == nil)
        #expect(pager.recordCount == 5)
        #expect(pager.isComplete)
        #expect(pager.remaining == 0)
        #expect(pager.cursorToSave == "2026-11-23")
        #expect(pager.warnings.isEmpty)
    }

    @Test func theOffsetCapStopsAndTheCursorIsTheNewestRecordFetched() throws {
        var pager = Pager(
            source: Self.boampSource(pageSize: 2, maxOffset: 4), storedCursor: "2026-11-19",
            now: Self.night)
        let first = pager.firstRequest()
        let page1 = Self.page(["2026-11-19", "2026-11-20"], total: 50)
        let second = try #require(try pager.next(after: first, page: page1))
        #expect(try pager.next(after: second, page: Self.page(["2026-11-20", "2026-11-21"], total: 50)) == nil)
        #expect(!pager.isComplete)
        #expect(pager.remaining == 46)
        // The newest record stored, not the newest that exists (46 more, up to 11-25, were not fetched).
        #expect(pager.cursorToSave == "2026-11-21")
        #expect(
            pager.warnings == [
                "the API's offset cap (offset + limit <= 4) was reached after 4 records: "
                    + "46 records left; the next run resumes after the newest record stored"
            ])
    }

    @Test func maxPagesStopsAndSaysWhatIsLeft() throws {
        var pager = Pager(source: Self.boampSource(pageSize: 2, maxPages: 1), storedCursor: nil, now: Self.night)
        #expect(
            try pager.next(after: pager.firstRequest(), page: Self.page(["2026-11-19", "2026-11-20"], total: 7))
                == nil)
        #expect(pager.remaining == 5)
        #expect(pager.cursorToSave == "2026-11-20")
        #expect(
            pager.warnings.first?.hasPrefix("stopped after max_pages=1 pages after 2 records: 5 records left")
                == true)
    }

    @Test(
        arguments: [
            // (stored, dates of the page, cursor to save)
            (nil, ["2026-11-20", "2099-01-01"], "2026-11-20"),  // far future: stored, but never the cursor
            // The night is 2026-11-25 23:00 in Paris: the 26th is after the run, the 25th is not.
            (nil, ["2026-11-25", "2026-11-26"], "2026-11-25"),
            (nil, ["2026-11-24", "2027-03-02"], "2026-11-24"),  // a call announced for next year
            (nil, ["2026-11-25T21:59:00Z", "2026-11-25T22:30:00+00:00"], "2026-11-25T21:59:00Z"),
            ("2026-11-24", ["2026-11-24", "2026-11-27"], "2026-11-24"),
            ("2026-11-22", ["2999-12-31"], "2026-11-22"),
        ] as [(String?, [String], String)])
    func aRecordDatedAfterTheRunNeverMovesTheCursor(
        _ stored: String?, _ dates: [String],
        _ expected: String
    ) throws {
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
            query: filtered
                ? [
                    QueryParameter("published_after", "{cursor}"),
                    QueryParameter("orderBy", "publication_date"),
                ] : [],
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
        let second = try #require(
            try pager.next(
                after: first,
                page: Self.aids(
                    ["2026-11-24T10:00:00+01:00", "2026-10-02T09:00:00+02:00"],
                    next: "https://at.example/api/aids/?page=2", count: 3)))
        #expect(
            try pager.next(after: second, page: Self.aids(["2026-11-21T08:00:00+01:00"], next: nil, count: 3))
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
        let page = Array(
            """
            {"notices":[{"publication-number":"1-2026","publication-date":"2026-11-21+01:00"},
                        {"publication-number":"2-2026","publication-date":"2026-11-22+01:00"}],
             "totalNoticeCount":3,"iterationNextToken":"tok-2","timedOut":false}
            """.utf8)
        let second = try #require(try pager.next(after: first, page: page))
        let body = try #require(
            second.body.flatMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) }
                as? [String: Any])
        #expect(body["iterationNextToken"] as? String == "tok-2")
        #expect(body["limit"] as? Int == 2)
        let last = Array("{\"notices\":[{\"publication-date\":\"2026-11-23+01:00\"}],\"iterationNextToken\":null}".utf8)
        #expect(try pager.next(after: second, page: last) == nil)
        #expect(pager.announcedTotal == 3)
        #expect(pager.cursorToSave == "2026-11-23+01:00")
    }

    @Test func aTimedOutPageIsAWarning() throws {
        let source = SourceDefinition(
            id: "ted", format: .tedJSON, url: "https://t.example/search", method: "POST",
            body: "{}", paging: .iterationToken(PagingScheme.IterationToken()))
        var pager = Pager(source: source, storedCursor: nil)
        let page = Array("{\"notices\":[{}],\"timedOut\":true,\"iterationNextToken\":null}".utf8)
        #expect(try pager.next(after: pager.firstRequest(), page: page) == nil)
        #expect(pager.warnings == ["the API reported timedOut on page 1: results may be incomplete"])
    }

    @Test func nextLinkIsFollowedAndResolved() throws {
        let source = SourceDefinition(
            id: "at", format: .aidesTerritoiresJSON, url: "https://at.example/api/aids/",
            paging: .nextLink(PagingScheme.NextLink()))
        var pager = Pager(source: source, storedCursor: nil)
        let first = pager.firstRequest()
        let second = try #require(
            try pager.next(
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
        let source = SourceDefinition(
            id: "eu", format: .euFundingJSON, url: "https://eu.example/search",
            query: [QueryParameter("apiKey", "SEDIA")], paging: .pageNumber(scheme))
        var pager = Pager(source: source, storedCursor: nil)
        let first = pager.firstRequest()
        #expect(first.url == "https://eu.example/search?apiKey=SEDIA&pageNumber=1&pageSize=2")
        let second = try #require(
            try pager.next(
                after: first,
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
