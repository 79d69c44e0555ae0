import Digest
import Fetcher
import Foundation
import Notices
import Testing

@testable import Pipeline

/// The failure's condition travels as data from the fetch (tonight's report) or the stored state to the digest,
/// which words it in French; the fetcher's English message stays for the JSON and the logs.
@Suite struct SourceFailureConditionTests {
    @Test func tonightsFailureCarriesItsConditionAndStatus() {
        var r = SourceHealthBuilderTests.report("at", status: "failed", error: "fetcher: at: HTTP 503", failures: 1)
        r.reason = "http-status"
        r.httpStatus = 503
        let health = SourceHealthBuilder.fromReports([r], states: [:])
        #expect(health.first?.failure == .httpStatus)
        #expect(health.first?.httpStatus == 503)
        var parse = SourceHealthBuilderTests.report("rss", status: "failed", error: "parser: …", failures: 1)
        parse.reason = "parse"
        #expect(SourceHealthBuilder.fromReports([parse], states: [:]).first?.failure == .parse)
    }

    @Test func aStoredFailureKeepsItsCondition() {
        let state = SourceState(sourceID: "ted").recordingFailure(
            "fetcher: ted: timed out after 30 s", at: SourceHealthBuilderTests.now, httpStatus: nil, failure: .timeout)
        #expect(state.lastFailure == .timeout)
        let health = SourceHealthBuilder.fromStates(["ted": state], now: SourceHealthBuilderTests.now)
        #expect(health.first?.status == .failing && health.first?.failure == .timeout)
        // A success clears it.
        #expect(state.recordingSuccess(at: SourceHealthBuilderTests.now, httpStatus: 200).lastFailure == nil)
    }
}
