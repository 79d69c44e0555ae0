/// Errors of the fetcher stage. Messages start with `fetcher:` and name the source.
///
/// Each condition a caller (or a cluster's source-health section) branches on is a distinct case: a stalled
/// server, a truncated body and a body over the cap are different problems with different fixes.
public enum FetcherError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A catalogue file (`Feeds/*.yaml`) is invalid.
    case catalogue(file: String, line: Int?, key: String?, message: String)
    /// The server answered with an HTTP error status (after retries when the status is retryable).
    case httpStatus(source: String, url: String, status: Int, attempts: Int)
    /// 429 with a `Retry-After` longer than we are willing to wait in one run.
    case rateLimited(source: String, url: String, retryAfter: Double?)
    /// Connection refused, DNS failure, reset… (libcurl's message), after retries.
    case connection(source: String, url: String, message: String, attempts: Int)
    /// No response at all within the connect or total timeout.
    case timeout(source: String, url: String, seconds: Double, attempts: Int)
    /// The server stopped sending mid-body (below the low-speed limit for too long).
    case stalled(source: String, url: String, receivedBytes: Int, seconds: Int, attempts: Int)
    /// The connection closed before the announced `Content-Length` was received.
    case truncated(source: String, url: String, receivedBytes: Int, expectedBytes: Int?, attempts: Int)
    /// The server sent more bytes than its `Content-Length` announced: what arrived within the announced length
    /// is a cut document (a partial page once passed as "ok" with 24 of its 40 notices).
    case lengthMismatch(source: String, url: String, announcedBytes: Int?)
    /// The body exceeds the source's `max_body_bytes`.
    case bodyTooLarge(source: String, url: String, limit: Int)
    /// A redirect chain came back to a URL it had already visited.
    case redirectLoop(source: String, chain: [String])
    /// More than the allowed number of redirects.
    case tooManyRedirects(source: String, url: String, limit: Int)
    /// A redirect or a `next` link leads where the fetcher never goes: another scheme than http(s) (`file://`,
    /// `ftp://`), or a file outside the folder of a `file://` source.
    case refusedURL(source: String, url: String, target: String, why: String)
    /// A 200 whose body is an HTML page (a portal's error or login page) where XML or JSON was expected.
    case htmlInsteadOfData(source: String, url: String, expected: String, snippet: String)
    /// A 200 whose body is not the expected kind of document (not JSON, not XML) or is empty.
    case unexpectedContent(source: String, url: String, expected: String, message: String)
    /// A paged API page lacked the paging fields its scheme needs, or paging went wrong.
    case paging(source: String, url: String, message: String)
    /// The credential's environment variable is not set.
    case missingCredential(source: String, variable: String)
    /// The key-for-token exchange failed (refused key, no token in the answer).
    case authentication(source: String, url: String, message: String)
    /// The source's time budget (`time_budget_s`, or the run's default) or the run's ran out; nothing of the
    /// source is stored this run (its pages are kept all or none) and its cursor stays.
    case timeBudget(source: String, url: String, seconds: Double, scope: BudgetScope)
    /// libcurl refused an option or a handle (a build without a protocol, out of memory).
    case transport(source: String, message: String)
    /// The run was asked to stop (SIGTERM, SIGINT) while this source was being fetched; nothing of it is kept.
    case interrupted(source: String)

    public var description: String {
        switch self {
        case .catalogue(let file, let line, let key, let message):
            var s = "fetcher: \(file)"
            if let line { s += ":\(line)" }
            if let key { s += ": key '\(key)'" }
            return s + ": " + message
        case .httpStatus(let source, let url, let status, let attempts):
            return "fetcher: \(source): HTTP \(status) from \(url)\(Self.tries(attempts))"
        case .rateLimited(let source, let url, let retryAfter):
            let wait = retryAfter.map { " (Retry-After \(Int($0)) s exceeds what one run waits)" } ?? ""
            return "fetcher: \(source): rate limited (HTTP 429) by \(url)\(wait)"
        case .connection(let source, let url, let message, let attempts):
            return "fetcher: \(source): cannot connect to \(url): \(message)\(Self.tries(attempts))"
        case .timeout(let source, let url, let seconds, let attempts):
            return "fetcher: \(source): no complete answer from \(url) within \(Self.secs(seconds))"
                + Self.tries(attempts)
        case .stalled(let source, let url, let received, let seconds, let attempts):
            return "fetcher: \(source): \(url) stalled mid-body after \(received) bytes (nothing for \(seconds) s)"
                + Self.tries(attempts)
        case .truncated(let source, let url, let received, let expected, let attempts):
            let of = expected.map { " of \($0)" } ?? ""
            return "fetcher: \(source): truncated body from \(url): got \(received)\(of) bytes\(Self.tries(attempts))"
        case .lengthMismatch(let source, let url, let announced):
            let length = announced.map { " (\($0) bytes)" } ?? ""
            return "fetcher: \(source): \(url) sent more bytes than its Content-Length\(length): the page is cut, "
                + "not kept"
        case .refusedURL(let source, let url, let target, let why):
            return "fetcher: \(source): \(url) leads to \(target): \(why)"
        case .timeBudget(let source, let url, let seconds, let scope):
            let whose = scope == .source ? "the source's" : "the run's"
            return "fetcher: \(source): \(whose) time budget (\(Self.secs(seconds))) ran out at \(url); nothing of "
                + "this source is stored this run"
        case .bodyTooLarge(let source, let url, let limit):
            return "fetcher: \(source): body from \(url) exceeds the \(limit)-byte limit (max_body_bytes)"
        case .redirectLoop(let source, let chain):
            return "fetcher: \(source): redirect loop: " + chain.joined(separator: " → ")
        case .tooManyRedirects(let source, let url, let limit):
            return "fetcher: \(source): more than \(limit) redirects from \(url)"
        case .htmlInsteadOfData(let source, let url, let expected, let snippet):
            return "fetcher: \(source): \(url) answered 200 with an HTML page, not \(expected): \"\(snippet)\""
        case .unexpectedContent(let source, let url, let expected, let message):
            return "fetcher: \(source): \(url) is not \(expected): \(message)"
        case .paging(let source, let url, let message):
            return "fetcher: \(source): paging \(url): \(message)"
        case .missingCredential(let source, let variable):
            return "fetcher: \(source): environment variable \(variable) is not set (the source needs a key)"
        case .authentication(let source, let url, let message):
            return "fetcher: \(source): token exchange at \(url) failed: \(message)"
        case .transport(let source, let message):
            return "fetcher: \(source): \(message)"
        case .interrupted(let source):
            return "fetcher: \(source): stopped by a stop request before the end; nothing of it is kept"
        }
    }

    /// A short machine-friendly name of the condition (`http-status`, `stalled`…), for reports and JSON.
    public var reason: String {
        switch self {
        case .catalogue: return "catalogue"
        case .httpStatus: return "http-status"
        case .rateLimited: return "rate-limited"
        case .connection: return "connection"
        case .timeout: return "timeout"
        case .stalled: return "stalled"
        case .truncated: return "truncated"
        case .lengthMismatch: return "length-mismatch"
        case .refusedURL: return "refused-url"
        case .timeBudget: return "time-budget"
        case .bodyTooLarge: return "body-too-large"
        case .redirectLoop: return "redirect-loop"
        case .tooManyRedirects: return "too-many-redirects"
        case .htmlInsteadOfData: return "html-instead-of-data"
        case .unexpectedContent: return "unexpected-content"
        case .paging: return "paging"
        case .missingCredential: return "missing-credential"
        case .authentication: return "authentication"
        case .transport: return "transport"
        case .interrupted: return "interrupted"
        }
    }

    /// Whose time budget ran out.
    public enum BudgetScope: String, Sendable, Hashable {
        /// The source's own (`time_budget_s`, or `FetchConfiguration.sourceTimeBudget`).
        case source
        /// The whole run's (`FetchConfiguration.runTimeBudget` / `runDeadline`).
        case run
    }

    private static func tries(_ attempts: Int) -> String { attempts > 1 ? " (\(attempts) attempts)" : "" }
    private static func secs(_ s: Double) -> String {
        s == s.rounded() ? "\(Int(s)) s" : String(format: "%.1f s", s)
    }
}
