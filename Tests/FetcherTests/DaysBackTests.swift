import Foundation
import LoopbackHTTP
import Notices
import Testing

@testable import Fetcher

/// `vigie run --days-back N` (`FetchConfiguration.firstNightDays`): the window of a source without a stored cursor
/// starts N days before the run instead of its `first_night_days`; a source with a cursor resumes from it.
@Suite struct DaysBackTests {
    static let night = ISO8601DateFormatter().date(from: "2026-11-25T02:00:00Z")!

    static func source(_ server: LoopbackServer) -> SourceDefinition {
        var source = SourceDefinition(
            id: "aids", format: .aidesTerritoiresJSON, url: server.url("/aids"),
            paging: .nextLink(PagingScheme.NextLink()),
            cursor: CursorSpec(field: "date", firstNightDays: 7, template: .date, order: .newestFirst))
        source.query = [QueryParameter("published_after", "{cursor}")]
        return source
    }

    /// The `published_after` the source was asked for, with and without `firstNightDays`, with and without a
    /// stored cursor.
    func asked(daysBack: Int?, stored: String?) throws -> String? {
        let server = try LoopbackServer()
        defer { server.stop() }
        server.route(
            "/aids", .always(.ok("{\"count\":0,\"next\":null,\"results\":[]}", contentType: "application/json")))
        var configuration = testConfiguration()
        configuration.now = Self.night
        configuration.firstNightDays = daysBack
        let states = stored.map { ["aids": SourceState(sourceID: "aids", cursor: $0)] } ?? [:]
        let result = try #require(engine(configuration).fetch([Self.source(server)], states: states).first)
        #expect(result.outcome == .ok, "\(result.outcome)")
        return server.requests(for: "/aids").first?.queryValue("published_after")
    }

    @Test func daysBackMovesTheFirstNightsWindow() throws {
        // The source's own first_night_days: 7 days before the 25th.
        #expect(try asked(daysBack: nil, stored: nil) == "2026-11-18")
        // --days-back 30: a month back.
        #expect(try asked(daysBack: 30, stored: nil) == "2026-10-26")
        #expect(try asked(daysBack: 0, stored: nil) == "2026-11-25")
    }

    @Test func aStoredCursorWinsOverDaysBack() throws {
        #expect(try asked(daysBack: 30, stored: "2026-11-24") == "2026-11-24")
    }
}
