import Digest
import Fetcher
import Foundation
import Notices

/// The digest's source table from stored states and, when the fetch ran tonight, its reports.
public enum SourceHealthBuilder {
    /// A source not heard from for this long is "sans nouvelles" even without a recorded failure.
    public static let staleAfter: TimeInterval = 3 * 86_400

    /// From stored states only (`vigie digest`, or a run without fetch).
    public static func fromStates(_ states: [String: SourceState], now: Date, names: [String: String] = [:])
        -> [SourceHealth]
    {
        states.values.sorted { $0.sourceID < $1.sourceID }.map { s in
            let status: SourceHealth.Status
            if s.consecutiveFailures > 0 {
                status = .failing
            } else if let ok = s.lastSuccess, now.timeIntervalSince(ok) <= staleAfter {
                // The last run stored what it fetched but stopped at a cap: the rest is still owed.
                status = s.isIncomplete ? .incomplete : .ok
            } else {
                status = .stale
            }
            return SourceHealth(
                sourceID: s.sourceID, name: names[s.sourceID], status: status,
                lastSuccess: s.lastSuccess, consecutiveFailures: s.consecutiveFailures,
                lastError: s.consecutiveFailures > 0 ? s.lastError : nil,
                failure: s.consecutiveFailures > 0 ? s.lastFailure : nil,
                httpStatus: s.consecutiveFailures > 0 ? s.lastHTTPStatus : nil,
                left: status == .incomplete ? s.left : nil)
        }
    }

    /// From tonight's fetch reports, completed with stored states (last success, failures in a row). The night's
    /// new notices per source are counted from the store by `RouteAndDigestRun` (a run resumed after a crash has
    /// nothing new in its own reports, yet the night does).
    public static func fromReports(
        _ reports: [SourceRunReport], states: [String: SourceState],
        names: [String: String] = [:]
    ) -> [SourceHealth] {
        reports.map { r in
            let state = states[r.source]
            let status: SourceHealth.Status
            switch r.status {
            case "failed": status = .failing
            case "disabled": status = .skipped
            case "incomplete": status = .incomplete
            default: status = .ok
            }
            return SourceHealth(
                sourceID: r.source, name: names[r.source], status: status,
                lastSuccess: state?.lastSuccess, consecutiveFailures: r.consecutiveFailures,
                lastError: status == .failing ? r.error : nil,
                failure: status == .failing ? r.failure : nil,
                httpStatus: status == .failing ? r.httpStatus : nil,
                left: status == .incomplete ? r.left : nil)
        }
    }

    /// `health` with any key an older build left in a stored error redacted (the keys named by the catalogue's
    /// sources, read from the environment): what the digest's source table may show.
    public static func redacted(_ health: [SourceHealth], catalogue: [SourceDefinition]) -> [SourceHealth] {
        let redactor = Redactor(sources: catalogue, environment: ProcessInfo.processInfo.environment)
        return health.map { h in
            var h = h
            h.lastError = h.lastError.map(redactor.redact)
            return h
        }
    }
}
