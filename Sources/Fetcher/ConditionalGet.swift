import Foundation
import Notices

/// Conditional GET as pure functions: which validators to send, and what an answer means.
///
/// Kept apart from the transport so that every rule is one row of a table test (the way miniflux tests
/// its `ResponseHandler`): a server that sends a weak ETag, one that sends only `Last-Modified`, one that
/// answers 304 to a request that sent no validator…
public enum ConditionalGet {
    /// Request headers for a source whose saved state is `state` (`If-None-Match`, `If-Modified-Since`).
    ///
    /// Both are sent when both are known: RFC 9110 lets the server prefer `If-None-Match`, and servers that
    /// ignore ETags still honour the date. Nothing is sent when `isFirstPage` is false: later pages of a paged
    /// API are different resources and the source's validators are those of its first page.
    public static func requestHeaders(for state: SourceState?, isFirstPage: Bool = true) -> [QueryParameter] {
        guard isFirstPage, let state else { return [] }
        var headers: [QueryParameter] = []
        if let etag = state.etag?.trimmingCharacters(in: .whitespaces), !etag.isEmpty {
            headers.append(QueryParameter("If-None-Match", etag))
        }
        if let lastModified = state.lastModified?.trimmingCharacters(in: .whitespaces), !lastModified.isEmpty {
            headers.append(QueryParameter("If-Modified-Since", lastModified))
        }
        return headers
    }

    /// What an HTTP answer means for the source.
    public enum Verdict: Sendable, Hashable {
        /// A body to keep and parse.
        case content
        /// Nothing changed since the validators were saved: no parsing.
        case notModified
        /// Try again later in this run (connection trouble, 5xx, 429), after `retryAfter` seconds if given.
        case retry(retryAfter: Double?)
        /// A definitive failure (4xx other than 429, or a 304 we never asked for).
        case fail
    }

    /// Interprets a final (post-redirect) HTTP status. `sentValidators` says whether the request carried any.
    public static func verdict(
        status: Int, retryAfter: String? = nil, sentValidators: Bool,
        now: Date = Date()
    ) -> Verdict {
        switch status {
        case 0, 200...299:
            // 0: file:// answers carry no HTTP status.
            return .content
        case 304:
            // A 304 to an unconditional request is a broken server or proxy: treating it as "not modified"
            // would hide a source forever.
            return sentValidators ? .notModified : .fail
        case 408, 425, 429, 500, 502, 503, 504:
            return .retry(retryAfter: retryAfter.flatMap { parseRetryAfter($0, now: now) })
        case 500...599:
            return .retry(retryAfter: nil)
        default:
            return .fail
        }
    }

    /// The validators to keep after a response. A 304 may omit them (RFC 9110 allows it): the old ones stay.
    /// A 200 without validators clears them, so a server that stopped sending them is not asked forever
    /// with stale ones.
    public static func updatedValidators(
        _ state: SourceState, status: Int, etag: String?,
        lastModified: String?
    ) -> SourceState {
        var next = state
        switch status {
        case 304:
            if let etag, !etag.isEmpty { next.etag = etag }
            if let lastModified, !lastModified.isEmpty { next.lastModified = lastModified }
        case 200...299:
            next.etag = etag.flatMap { $0.isEmpty ? nil : $0 }
            next.lastModified = lastModified.flatMap { $0.isEmpty ? nil : $0 }
        default:
            break
        }
        return next
    }

    /// `Retry-After` as seconds from `now`: either delay-seconds or an HTTP-date (RFC 9110 §10.2.3).
    public static func parseRetryAfter(_ value: String, now: Date = Date()) -> Double? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(trimmed), seconds >= 0 { return seconds }
        return HTTPDate.parse(trimmed).map { max(0, $0.timeIntervalSince(now)) }
    }
}
