import Digest
import Fetcher
import Foundation
import Notices
import Testing

@testable import Pipeline

/// The digest's source table: a source stopped at an API cap is "incomplète", with what it still owes, whether
/// the table is built from tonight's fetch or from the stored states alone.
@Suite struct SourceHealthBuilderTests {
    static let now = instant("2026-11-25T22:00:00Z")

    static func report(
        _ source: String, status: String, left: Int? = nil, error: String? = nil,
        failures: Int = 0
    ) -> SourceRunReport {
        var r = SourceRunReport(
            source: source, status: status, httpStatus: 200, bytes: 0, pages: 1, notices: 100,
            inserted: 100, changed: 0, durationS: 0, reason: nil, error: error, warnings: [],
            consecutiveFailures: failures)
        r.left = left
        return r
    }

    @Test func fromTonightsReports() {
        let health = SourceHealthBuilder.fromReports(
            [
                Self.report("boamp-api", status: "incomplete", left: 2_000), Self.report("ted", status: "ok"),
                Self.report("at", status: "failed", left: 7, error: "fetcher: at: HTTP 503", failures: 1),
            ],
            states: [:], names: ["boamp-api": "BOAMP"])
        #expect(health.map(\.status) == [.incomplete, .ok, .failing])
        #expect(health.map(\.left) == [2_000, nil, nil])
        #expect(health[0].name == "BOAMP")
    }

    @Test func fromStoredStates() {
        let recent = Self.now.addingTimeInterval(-3_600)
        let states = [
            "boamp-api": SourceState(sourceID: "boamp-api", lastSuccess: recent, isIncomplete: true, left: 2_000),
            "eu": SourceState(sourceID: "eu", lastSuccess: recent, isIncomplete: true),
            "ted": SourceState(sourceID: "ted", lastSuccess: recent),
            // Failing since its capped night: the failure is what the table says.
            "at": SourceState(
                sourceID: "at", lastSuccess: recent, consecutiveFailures: 2, lastError: "HTTP 503",
                isIncomplete: true, left: 40),
            // Not heard from for a week: stale, whatever it owed.
            "old": SourceState(
                sourceID: "old", lastSuccess: Self.now.addingTimeInterval(-7 * 86_400),
                isIncomplete: true, left: 5),
        ]
        let health = SourceHealthBuilder.fromStates(states, now: Self.now)
        #expect(health.map(\.sourceID) == ["at", "boamp-api", "eu", "old", "ted"])
        #expect(health.map(\.status) == [.failing, .incomplete, .incomplete, .stale, .ok])
        #expect(health.map(\.left) == [nil, 2_000, nil, nil, nil])
    }
}
