import Foundation
import Notices
import Testing
@testable import Fetcher

/// The paging read of the API pages the parser tests read (Tests/ParserTests/Fixtures/Formats): paging is read
/// once, by the pager, from the same bytes the parser turns into notices. These assertions used to be made on
/// the parser's paging hints, which are gone.
@Suite struct PagerFixturePageTests {
    static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("ParserTests/Fixtures/Formats")

    static func fixture(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: fixtures.appendingPathComponent(name)))
    }

    /// `boamp-api-records.json`: `"total_count": 312` and 4 records; asked 4 at a time, the next page is at
    /// offset 4 and 308 records remain after it.
    @Test func boampExploreRecordsPage() throws {
        var scheme = PagingScheme.OffsetLimit()
        scheme.pageSize = 4
        let source = SourceDefinition(
            id: "boamp", format: .boampJSON,
            url: "https://boamp-datadila.opendatasoft.com/api/explore/v2.1/catalog/"
                + "datasets/boamp/records",
            paging: .offsetLimit(scheme))
        var pager = Pager(source: source, storedCursor: nil)
        let first = pager.firstRequest()
        #expect(first.url.hasSuffix("records?limit=4&offset=0"))
        let next = try #require(try pager.next(after: first, page: Self.fixture("boamp-api-records.json")))
        #expect(next.url.hasSuffix("records?limit=4&offset=4"))
        #expect(pager.announcedTotal == 312)
        #expect(pager.recordCount == 4)
    }

    /// The same page reached at the offset cap: the walk stops, incomplete, with 312 − 4 records left.
    @Test func boampPageAtTheOffsetCap() throws {
        var scheme = PagingScheme.OffsetLimit()
        scheme.pageSize = 4
        scheme.maxOffset = 4
        let source = SourceDefinition(
            id: "boamp", format: .boampJSON, url: "https://boamp.example/records",
            paging: .offsetLimit(scheme))
        var pager = Pager(source: source, storedCursor: nil)
        #expect(try pager.next(after: pager.firstRequest(), page: Self.fixture("boamp-api-records.json")) == nil)
        #expect(!pager.isComplete)
        #expect(pager.remaining == 308)
    }

    /// `ted-search-page.json`: `"totalNoticeCount": 43059`, `"iterationNextToken": "eyJzZWFyY2hBZnRlciI6WzE3MzAw
    /// MDAwMDBdfQ=="`; the token goes back in the next request's body.
    @Test func tedSearchPage() throws {
        let source = SourceDefinition(
            id: "ted", format: .tedJSON, url: "https://api.ted.europa.eu/v3/notices/search",
            method: "POST", body: "{\"query\": \"buyer-country=FRA\", \"limit\": 3}",
            paging: .iterationToken(PagingScheme.IterationToken()))
        var pager = Pager(source: source, storedCursor: nil)
        let next = try #require(try pager.next(after: pager.firstRequest(), page: Self.fixture("ted-search-page.json")))
        let body = try #require(
            next.body.flatMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) }
                as? [String: Any])
        #expect(body["iterationNextToken"] as? String == "eyJzZWFyY2hBZnRlciI6WzE3MzAwMDAwMDBdfQ==")
        #expect(body["query"] as? String == "buyer-country=FRA")
        #expect(pager.announcedTotal == 43059)
        #expect(pager.recordCount == 3)
    }

    /// `aides-territoires-page.json`: `"count": 2` and a `next` link, which is followed as given.
    @Test func aidesTerritoiresPage() throws {
        let source = SourceDefinition(
            id: "aides-territoires", format: .aidesTerritoiresJSON,
            url: "https://aides-territoires.beta.gouv.fr/api/aids/",
            paging: .nextLink(PagingScheme.NextLink()))
        var pager = Pager(source: source, storedCursor: nil)
        let next = try #require(
            try pager.next(
                after: pager.firstRequest(),
                page: Self.fixture("aides-territoires-page.json")))
        #expect(next.url == "https://aides-territoires.beta.gouv.fr/api/aids/?page=2&targeted_audiences=private_sector")
        #expect(pager.announcedTotal == 2)
    }

    /// `eu-funding-page.json`: `"totalResults": 187`, `"pageNumber": 1`, `"pageSize": 2`: the next page is 2.
    @Test func euFundingPage() throws {
        var scheme = PagingScheme.PageNumber()
        scheme.pageParam = "pageNumber"
        scheme.sizeParam = "pageSize"
        scheme.pageSize = 2
        scheme.totalKey = "totalResults"
        let source = SourceDefinition(
            id: "eu-funding", format: .euFundingJSON,
            url: "https://api.tech.ec.europa.eu/search-api/prod/rest/search",
            query: [QueryParameter("apiKey", "SEDIA"), QueryParameter("text", "***")],
            paging: .pageNumber(scheme))
        var pager = Pager(source: source, storedCursor: nil)
        let first = pager.firstRequest()
        #expect(first.url.hasSuffix("pageNumber=1&pageSize=2"))
        let next = try #require(try pager.next(after: first, page: Self.fixture("eu-funding-page.json")))
        #expect(next.url.hasSuffix("pageNumber=2&pageSize=2"))
        #expect(pager.announcedTotal == 187)
    }

    /// The last page of a query is empty: every scheme ends there.
    @Test(arguments: [
        (#"{"count": 0, "next": null, "previous": null, "results": []}"#, PagingScheme.nextLink(.init())),
        (#"{"total_count": 0, "results": []}"#, .offsetLimit(.init())),
        (#"{"notices": [], "totalNoticeCount": 0, "timedOut": false}"#, .iterationToken(.init())),
        (#"{"totalResults": 0, "pageNumber": 1, "pageSize": 50, "results": []}"#, .pageNumber(.init())),
    ])
    func emptyPagesEndTheWalk(_ json: String, _ paging: PagingScheme) throws {
        let source = SourceDefinition(
            id: "api", format: .boampJSON, url: "https://api.example/search",
            method: "POST", body: "{}", paging: paging)
        var pager = Pager(source: source, storedCursor: nil)
        #expect(try pager.next(after: pager.firstRequest(), page: Array(json.utf8)) == nil)
        #expect(pager.isComplete)
        #expect(pager.recordCount == 0)
    }
}
