import Foundation
import Logging
import Notices

/// The state machine of one source: token exchange, pages in order, retries, then one result.
///
/// Pure: it sees only `TransferOutcome` values and the clock it is given, never a socket or a libcurl code,
/// so every rule (retry or not, next page, cursor to save, what is left) is a row of a table test. The multi
/// loop of `FetchEngine` carries it from one request to the next.
public struct SourceJob: Sendable {
    /// What to do after `begin` or after a finished request.
    public enum Step: Sendable {
        /// Send this request, not before this date (backoff, politeness).
        case request(PageRequest, notBefore: Date)
        /// The source is done.
        case done(SourceFetchResult)
    }

    /// Position of the source in the run (results come back in this order).
    public let index: Int
    public let source: SourceDefinition
    public let previous: SourceState
    /// The politeness unit (`file` for local files).
    public let host: String
    let retry: RetryPolicy
    let maxRedirects: Int
    let lowSpeedTime: Int
    public private(set) var pager: Pager
    /// Attempt number of the current request (1 for the first try).
    public private(set) var attempt = 1
    /// HTTP requests sent, retries included (counted by the loop when it starts one).
    public var requests = 0
    public private(set) var documents: [RawDocument] = []
    public private(set) var bytes = 0
    var startedAt = Date()
    var validators: (etag: String?, lastModified: String?, status: Int)?
    var credentialMissing: String?
    /// The credential, attached to each request as it is sent (`wire(_:)`), only towards its origin.
    var credentials: Credentials
    /// Masks this source's secrets in everything the job hands out (documents' URLs, errors, warnings, logs).
    public private(set) var redactor: Redactor
    /// URLs of the current request's redirect chain, its first request first (redirects are followed here,
    /// hop by hop, so that each hop gets the credential only if it goes to the credential's origin).
    var redirectChain: [String] = []
    /// The source's own time budget in seconds, counted from its first request (nil = none).
    var budget: Double?
    /// The run's deadline (nil = none).
    var runDeadline: Date?
    /// When the source's first request went on the wire (its budget counts from there, not from the run's
    /// start: a source queued behind its host's other sources has not spent anything yet).
    public private(set) var firstSent: Date?

    /// A fixed run clock (`vigie run --now`): the time recorded in the source's state (last attempt, last
    /// success) instead of the transfer's, so a replayed night — the demo, a run resumed after a crash — records
    /// and shows exactly what one uninterrupted run records. Nil: the transfer's own time.
    public var fixedClock: Date?

    /// `now` is the run's clock: it sets the first night's window and the latest date a cursor may take.
    public init(
        index: Int, source: SourceDefinition, previous: SourceState, environment: [String: String],
        retry: RetryPolicy, maxRedirects: Int = 5, lowSpeedTime: Int = 30, now: Date = Date()
    ) {
        self.index = index
        self.maxRedirects = maxRedirects
        self.lowSpeedTime = lowSpeedTime
        self.source = source
        self.previous = previous
        self.retry = retry
        let host = source.host
        self.host = host.isEmpty ? "file" : host
        var credentials = Credentials(auth: source.auth, sourceURL: source.url)
        if let auth = source.auth {
            credentials.secret = environment[auth.env].flatMap { $0.isEmpty ? nil : $0 }
            if credentials.secret == nil && !auth.optional { credentialMissing = auth.env }
            if auth.exchange != nil, let key = credentials.secret {
                credentials.exchangeKey = key
                credentials.secret = nil
            }
        }
        self.credentials = credentials
        redactor = Redactor(source: source, environment: environment)
        pager = Pager(source: source, storedCursor: previous.cursor, now: now)
    }

    /// Sets this source's limits: `budget` seconds from its first request, and the run's deadline.
    public mutating func limit(budget: Double?, runDeadline: Date?) {
        self.budget = budget
        self.runDeadline = runDeadline
    }

    /// Records that a request of this source goes on the wire at `date` (the first one starts its budget).
    public mutating func sending(at date: Date) {
        if firstSent == nil { firstSent = date }
    }

    /// When this source must be done, and whose limit that is: its own budget (from its first request), or the
    /// run's deadline when that comes first; nil = no limit.
    public var deadline: (date: Date, scope: FetcherError.BudgetScope)? {
        let own = budget.flatMap { seconds in firstSent.map { $0.addingTimeInterval(seconds) } }
        switch (own, runDeadline) {
        case let (own?, run?): return run < own ? (run, .run) : (own, .source)
        case let (own?, nil): return (own, .source)
        case let (nil, run?): return (run, .run)
        case (nil, nil): return nil
        }
    }

    /// Whether the deadline has come at `date`.
    public func isOverBudget(at date: Date) -> Bool { deadline.map { date >= $0.date } ?? false }

    /// The result of a source whose time budget ran out at `date` while at `url`: failed, nothing of it kept
    /// (its pages are stored all or none), its cursor unchanged.
    public func overBudget(at date: Date, url: String? = nil) -> SourceFetchResult {
        let scope = deadline?.scope ?? .source
        let seconds = scope == .source ? (budget ?? 0) : max(0, (runDeadline ?? date).timeIntervalSince(startedAt))
        return fail(
            .timeBudget(source: source.id, url: url ?? source.url, seconds: seconds.rounded(), scope: scope),
            at: date)
    }

    /// `request` as it goes on the wire: with the credential when it goes to the credential's origin, without
    /// it anywhere else (another host after a redirect, a `next` link elsewhere).
    public func wire(_ request: PageRequest) -> PageRequest { credentials.attach(to: request) }

    /// The first request (or the result, when the source cannot start).
    public mutating func begin(at date: Date) -> Step {
        startedAt = date
        if let variable = credentialMissing {
            return .done(fail(.missingCredential(source: source.id, variable: variable), at: date))
        }
        if credentials.exchangeKey != nil, let exchange = source.auth?.exchange {
            // pageIndex -1: not a page, so no validators are sent with it. The key itself is added by `wire`.
            redirectChain = [exchange.url]
            return .request(
                PageRequest(
                    url: exchange.url, method: "POST",
                    headers: [QueryParameter("Accept", "application/json")],
                    body: "", form: [], pageIndex: -1), notBefore: date)
        }
        let first = pager.firstRequest()
        redirectChain = [first.url]
        return .request(first, notBefore: date)
    }

    /// The result of a source that could not even be sent (no handle): its state with the failure recorded.
    /// Every text of the result is redacted.
    public func fail(_ error: FetcherError, at date: Date, status: Int? = nil) -> SourceFetchResult {
        let masked = redactor.redact(error)
        return SourceFetchResult(
            sourceID: source.id, outcome: .failed(masked),
            state: previous.recordingFailure(
                masked.description, at: fixedClock ?? date,
                httpStatus: status,
                failure: SourceFailureKind(rawValue: masked.reason)),
            documents: [], httpStatus: status, bytes: bytes,
            duration: date.timeIntervalSince(startedAt), requests: requests, pagedRecords: nil,
            warnings: pager.warnings.map(redactor.redact))
    }

    /// Decides what follows a finished request. `jitter` (0..<1) spreads the retry delays; `retryBudget` is the
    /// run's, shared by every source.
    public mutating func complete(
        _ outcome: TransferOutcome, at now: Date, retryBudget: inout Int,
        jitter: Double = Double.random(in: 0..<1),
        logger: Logger = Logger(label: "vigie.fetcher")
    ) -> Step {
        let request = outcome.request
        let url = request.url
        let status = outcome.status
        var retryAfter: Double?
        var failure: FetcherError
        var retryable = false

        if let transportFailure = outcome.failure {
            failure = error(transportFailure, outcome: outcome)
            retryable = transportFailure.isRetryable
        } else if Self.redirectStatuses.contains(status), let location = outcome.headers["location"] {
            return redirected(request, to: location, status: status, at: now)
        } else {
            switch ConditionalGet.verdict(
                status: status, retryAfter: outcome.headers["retry-after"],
                sentValidators: outcome.sentValidators, now: now)
            {
            case .content:
                bytes += outcome.body.count
                if request.pageIndex < 0 { return exchanged(outcome, at: now) }
                return content(outcome, at: now, logger: logger)
            case .notModified:
                let state = ConditionalGet.updatedValidators(
                    previous, status: 304, etag: outcome.headers["etag"],
                    lastModified: outcome.headers["last-modified"])
                return .done(notModified(state, status: 304, at: now))
            case .retry(let after):
                retryAfter = after
                retryable = true
                failure =
                    status == 429
                    ? .rateLimited(source: source.id, url: url, retryAfter: after)
                    : .httpStatus(source: source.id, url: url, status: status, attempts: attempt)
            case .fail where status == 404 && request.issue != nil:
                return missingIssue(request, at: now)
            case .fail where request.pageIndex < 0 && (status == 401 || status == 403):
                failure = .authentication(
                    source: source.id, url: url,
                    message: "HTTP \(status): the key in \(source.auth?.env ?? "?") was refused")
            case .fail:
                failure = .httpStatus(source: source.id, url: url, status: status, attempts: attempt)
            }
        }

        if retryable {
            if retryBudget <= 0 {
                logger.warning("retry budget of the run exhausted", metadata: ["source.id": "\(source.id)"])
            } else {
                switch retry.decide(attempt: attempt, retryAfter: retryAfter, jitter: jitter) {
                case .retry(let delay):
                    retryBudget -= 1
                    attempt += 1
                    logger.info(
                        "retrying",
                        metadata: [
                            "source.id": "\(source.id)", "reason": "\(failure.reason)",
                            "delay_s": "\(String(format: "%.2f", delay))",
                        ])
                    return .request(request, notBefore: now.addingTimeInterval(delay))
                case .tooLongToWait(let seconds):
                    failure = .rateLimited(source: source.id, url: url, retryAfter: seconds)
                case .giveUp:
                    break
                }
            }
        }
        return .done(fail(failure, at: now, status: status == 0 ? nil : status))
    }

    static let redirectStatuses: Set<Int> = [301, 302, 303, 307, 308]

    /// Follows one redirect: refused when it leads out of http(s), a loop or one hop too many; otherwise the
    /// same request to the new URL (as GET after a 303, or after a 301/302 of a POST, as browsers and libcurl
    /// do). The credential is not carried over: `wire` adds it again only if the new URL is its origin.
    private mutating func redirected(
        _ request: PageRequest, to location: String, status: Int,
        at now: Date
    ) -> Step {
        let base = URL(string: request.url)
        let target = URL(string: location, relativeTo: base)?.absoluteString ?? location
        if redirectChain.isEmpty { redirectChain = [request.url] }
        if let why = RequestPolicy.redirectRefusal(target, source: source) {
            return .done(
                fail(
                    .refusedURL(source: source.id, url: request.url, target: target, why: why), at: now,
                    status: status))
        }
        if redirectChain.contains(target) {
            // Stop at the first repeat instead of walking the loop until the hop limit.
            return .done(
                fail(
                    .redirectLoop(source: source.id, chain: redirectChain + [target]), at: now,
                    status: status))
        }
        guard redirectChain.count <= maxRedirects else {
            return .done(
                fail(
                    .tooManyRedirects(source: source.id, url: redirectChain[0], limit: maxRedirects),
                    at: now, status: status))
        }
        redirectChain.append(target)
        var next = request
        next.url = target
        if status == 303 || (request.method == "POST" && (status == 301 || status == 302)) {
            next.method = "GET"
            next.body = nil
            next.form = []
            next.headers.removeAll { $0.name.lowercased() == "content-type" }
        }
        return .request(next, notBefore: now)
    }

    /// The fetcher's error for a transport failure of this source.
    private func error(_ failure: TransferFailure, outcome: TransferOutcome) -> FetcherError {
        let id = source.id
        let url = outcome.request.url
        switch failure {
        case .bodyTooLarge: return .bodyTooLarge(source: id, url: url, limit: source.maxBodyBytes)
        case .redirectLoop(let chain): return .redirectLoop(source: id, chain: chain)
        case .tooManyRedirects: return .tooManyRedirects(source: id, url: url, limit: maxRedirects)
        case .timeout: return .timeout(source: id, url: url, seconds: outcome.elapsed.rounded(), attempts: attempt)
        case .stalled:
            return .stalled(
                source: id, url: url, receivedBytes: outcome.body.count, seconds: lowSpeedTime,
                attempts: attempt)
        case .truncated(let expected):
            return .truncated(
                source: id, url: url, receivedBytes: outcome.body.count, expectedBytes: expected,
                attempts: attempt)
        case .lengthMismatch(let announced):
            return .lengthMismatch(source: id, url: url, announcedBytes: announced)
        case .connection(let message), .unreadableFile(let message):
            return .connection(source: id, url: url, message: message, attempts: attempt)
        case .badContentEncoding(let message):
            return .unexpectedContent(source: id, url: url, expected: "a decodable body", message: message)
        case .other(let message):
            return .transport(source: id, message: "\(url): \(message)")
        }
    }

    /// A 404 on a daily issue: the next year's first issue, or the end of the walk (not published yet).
    private mutating func missingIssue(_ request: PageRequest, at now: Date) -> Step {
        let year = Calendar(identifier: .gregorian).component(.year, from: now)
        if let next = pager.nextYear(after: request, currentYear: year) { return .request(next, notBefore: now) }
        if documents.isEmpty {
            // No new issue since the last run: the equivalent of a 304.
            return .done(notModified(previous, status: 404, at: now))
        }
        return .done(finish(status: documents.last?.httpStatus ?? 200, at: now, logger: nil))
    }

    /// Reads the token out of the exchange's answer and moves on to the first page.
    private mutating func exchanged(_ outcome: TransferOutcome, at now: Date) -> Step {
        let url = outcome.request.url
        guard let exchange = source.auth?.exchange else {
            return .done(fail(.transport(source: source.id, message: "no token exchange configured"), at: now))
        }
        let parsed: Any?
        do {
            parsed = try JSONSerialization.jsonObject(with: Data(outcome.body))
        } catch {
            return .done(
                fail(
                    .authentication(
                        source: source.id, url: url,
                        message: "the answer is not JSON (\(error.localizedDescription))"),
                    at: now, status: outcome.status))
        }
        let object = parsed as? [String: Any]
        guard let token = object?[exchange.tokenKey] as? String, !token.isEmpty else {
            let keys = object.map { $0.keys.sorted().joined(separator: ", ") } ?? "not a JSON object"
            return .done(
                fail(
                    .authentication(
                        source: source.id, url: url,
                        message: "no `\(exchange.tokenKey)` in the answer (\(keys))"),
                    at: now, status: outcome.status))
        }
        credentials.exchangeKey = nil
        credentials.secret = token
        // The short-lived token is as secret as the key it was exchanged for.
        redactor = redactor.adding(token)
        attempt = 1
        let first = pager.firstRequest()
        redirectChain = [first.url]
        return .request(first, notBefore: now)
    }

    /// Nothing new since the last run: `state` with this success recorded.
    private func notModified(_ state: SourceState, status: Int, at now: Date) -> SourceFetchResult {
        SourceFetchResult(
            sourceID: source.id, outcome: .notModified,
            state: state.recordingSuccess(at: fixedClock ?? now, httpStatus: status),
            httpStatus: status,
            bytes: bytes, duration: now.timeIntervalSince(startedAt), requests: requests)
    }

    /// A 2xx body: check it, keep it, then ask the pager for the next page.
    private mutating func content(_ outcome: TransferOutcome, at now: Date, logger: Logger) -> Step {
        // The URL as requested after the redirects followed, without the credential `wire` added (and
        // redacted anyway: a server may echo a key in its `next` links).
        let url = redactor.redact(outcome.request.url)
        let body = outcome.body
        let status = outcome.status
        // A local file's bytes are never quoted (they would reach every digest's source health).
        if let problem = ContentCheck.problem(
            body: body, contentType: outcome.contentType, format: source.format,
            source: source.id, url: url, quotesBody: !source.isLocalFile)
        {
            return .done(fail(problem, at: now, status: status))
        }
        if outcome.request.isFirstPage {
            validators = (outcome.headers["etag"], outcome.headers["last-modified"], status)
        }
        documents.append(
            RawDocument(
                sourceID: source.id, url: url, httpStatus: status,
                contentType: outcome.contentType, body: body, fetchedAt: now))
        attempt = 1
        let next: PageRequest?
        do {
            next = try pager.next(after: outcome.request, page: body)
        } catch {
            if let target = error.refusedTarget {
                return .done(
                    fail(
                        .refusedURL(source: source.id, url: url, target: target, why: error.message),
                        at: now, status: status))
            }
            return .done(fail(.paging(source: source.id, url: url, message: error.message), at: now, status: status))
        }
        if let next {
            redirectChain = [next.url]
            return .request(next, notBefore: now)
        }
        return .done(finish(status: status, at: now, logger: logger))
    }

    /// The result of a source whose pages all arrived: validators of the first page, the cursor of what was
    /// fetched, and what is left when the walk was cut short.
    private func finish(status: Int, at now: Date, logger: Logger?) -> SourceFetchResult {
        var state = previous
        if let validators {
            state = ConditionalGet.updatedValidators(
                state, status: validators.status, etag: validators.etag,
                lastModified: validators.lastModified)
        }
        if !pager.isComplete {
            // A walk cut short must not answer 304 tomorrow: the rest is still to fetch.
            state.etag = nil
            state.lastModified = nil
        }
        state.cursor = pager.cursorToSave
        state = state.recordingSuccess(at: fixedClock ?? now, httpStatus: status)
        if !pager.isComplete {
            // Kept with the state so that `vigie digest` and the next nights' health say what is still owed.
            state.isIncomplete = true
            state.left = pager.remaining
        }
        var isPaged = true
        if case .none = source.paging { isPaged = false }
        let warnings = pager.warnings.map(redactor.redact)
        for warning in warnings {
            logger?.warning("\(warning)", metadata: ["source.id": "\(source.id)"])
        }
        return SourceFetchResult(
            sourceID: source.id, outcome: .ok, state: state, documents: documents,
            httpStatus: status, bytes: bytes, duration: now.timeIntervalSince(startedAt),
            requests: requests, pagedRecords: isPaged ? pager.recordCount : nil,
            warnings: warnings, isComplete: pager.isComplete,
            remaining: pager.isComplete ? nil : pager.remaining)
    }
}
