import Foundation
import LoopbackHTTP
import Notices
import Testing
@testable import Fetcher

/// TED daily packages: one document per OJ S issue, `{issue}` in the URL, cursor = last issue fetched.
@Suite struct DailyIssueTests {
    static func source(_ url: String, initial: String = "202600227", maxPages: Int = 5) -> SourceDefinition {
        SourceDefinition(
            id: "ted-packages", format: .tedPackage, url: url,
            paging: .dailyIssue(PagingScheme.DailyIssue(initial: initial, maxPages: maxPages)))
    }

    @Test func issuesFollowTheCursor() throws {
        let fresh = Pager(source: Self.source("https://t.example/packages/daily/{issue}"), storedCursor: nil)
        #expect(fresh.firstRequest().url == "https://t.example/packages/daily/202600227")
        var pager = Pager(
            source: Self.source("https://t.example/packages/daily/{issue}", maxPages: 2),
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
            server.route(
                "/packages/daily/\(issue)",
                .always(
                    ScriptedResponse(
                        status: 200, headers: [("Content-Type", "application/gzip")],
                        body: package)))
        }
        let source = Self.source(server.url("/packages/daily/{issue}"))
        let first = try #require(engine().fetch([source], states: [:]).first)
        #expect(first.outcome == .ok)
        #expect(
            first.documents.map(\.url) == [
                server.url("/packages/daily/202600227"),
                server.url("/packages/daily/202600228"),
            ])
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
