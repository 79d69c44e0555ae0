import Foundation
import Notices

/// How fetching one source ended.
public enum FetchOutcome: Sendable, Hashable {
    /// Documents were fetched (one per page).
    case ok
    /// The server said 304: nothing to parse.
    case notModified
    case failed(FetcherError)

    /// `ok`, `not-modified` or `failed`.
    public var name: String {
        switch self {
        case .ok: return "ok"
        case .notModified: return "not-modified"
        case .failed: return "failed"
        }
    }

    public var error: FetcherError? {
        if case .failed(let error) = self { return error }
        return nil
    }
}

/// What the fetcher returns for one source: the documents, and the state to save.
public struct SourceFetchResult: Sendable {
    public var sourceID: String
    public var outcome: FetchOutcome
    /// The source's state after this fetch (validators, cursor, health), to be saved by the store.
    /// On failure, validators and cursor are those of before: nothing learnt from a failed fetch is kept.
    public var state: SourceState
    /// One per page, in page order; empty when not modified or failed.
    public var documents: [RawDocument]
    /// Final HTTP status of the last request (nil when no answer; 200 for file://).
    public var httpStatus: Int?
    /// Body bytes received over all pages (after content decoding).
    public var bytes: Int
    /// Wall time from the first request's start to the end, in seconds (backoff included).
    public var duration: Double
    /// HTTP requests made, retries included.
    public var requests: Int
    /// Records the pager counted over all pages (JSON APIs); nil for feeds and files.
    public var pagedRecords: Int?
    /// Non-fatal remarks: an API cap reached, max_pages reached.
    public var warnings: [String]
    /// False when the walk stopped before the end of the results (an API cap, `max_pages`): the next run
    /// resumes from the saved cursor.
    public var isComplete: Bool
    /// Records left for the next run when the walk stopped early (the API's total for the window minus what
    /// was fetched); nil when complete or when the API gives no total.
    public var remaining: Int?

    public init(
        sourceID: String, outcome: FetchOutcome, state: SourceState, documents: [RawDocument] = [],
        httpStatus: Int? = nil, bytes: Int = 0, duration: Double = 0, requests: Int = 0,
        pagedRecords: Int? = nil, warnings: [String] = [], isComplete: Bool = true,
        remaining: Int? = nil
    ) {
        self.sourceID = sourceID
        self.outcome = outcome
        self.state = state
        self.documents = documents
        self.httpStatus = httpStatus
        self.bytes = bytes
        self.duration = duration
        self.requests = requests
        self.pagedRecords = pagedRecords
        self.warnings = warnings
        self.isComplete = isComplete
        self.remaining = remaining
    }
}

extension SourceState {
    /// This state after a failed attempt at `date`: validators and cursor untouched (so the next run fetches
    /// again in full), one more consecutive failure, the error kept for the source-health report. What a cut
    /// walk left (`isIncomplete`, `left`) stays: it is still to fetch.
    public func recordingFailure(
        _ message: String, at date: Date, httpStatus: Int?, failure: SourceFailureKind? = nil
    ) -> SourceState {
        var next = self
        next.lastFailure = failure
        next.lastAttempt = date
        next.consecutiveFailures += 1
        next.lastError = message
        next.lastHTTPStatus = httpStatus
        return next
    }

    /// This state after a successful (or not-modified) attempt at `date`, complete until said otherwise
    /// (`recordingIncomplete`).
    public func recordingSuccess(at date: Date, httpStatus: Int?) -> SourceState {
        var next = self
        next.lastAttempt = date
        next.lastSuccess = date
        next.consecutiveFailures = 0
        next.lastError = nil
        next.lastFailure = nil
        next.lastHTTPStatus = httpStatus
        next.isIncomplete = false
        next.left = nil
        return next
    }
}
