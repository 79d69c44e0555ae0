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
    /// The key to exchange for a token before the first page, while the exchange is pending.
    var exchangeKey: String?

    /// `now` is the run's clock: it sets the first night's window and the latest date a cursor may take.
    public init(index: Int, source: SourceDefinition, previous: SourceState, environment: [String: String],
                retry: RetryPolicy, maxRedirects: Int = 5, lowSpeedTime: Int = 30, now: Date = Date()) {
        self.index = index
        self.maxRedirects = maxRedirects
        self.lowSpeedTime = lowSpeedTime
        self.source = source
        self.previous = previous
        self.retry = retry
        let host = source.host
        self.host = host.isEmpty ? "file" : host
        var credential: String?
        if let auth = source.auth {
            credential = environment[auth.env].flatMap { $0.isEmpty ? nil : $0 }
            if credential == nil && !auth.optional { credentialMissing = auth.env }
            if auth.exchange != nil, let key = credential {
                exchangeKey = key
                credential = nil
            }
        }
        pager = Pager(source: source, storedCursor: previous.cursor, credential: credential, now: now)
    }

    /// The first request (or the result, when the source cannot start).
    public mutating func begin(at date: Date) -> Step {
        startedAt = date
        if let variable = credentialMissing {
            return .done(fail(.missingCredential(source: source.id, variable: variable), at: date))
        }
        if let key = exchangeKey, let exchange = source.auth?.exchange {
            // pageIndex -1: not a page, so no validators are sent with it.
            return .request(PageRequest(url: exchange.url, method: "POST",
                                        headers: [QueryParameter(exchange.header, key),
                                                  QueryParameter("Accept", "application/json")],
                                        body: "", form: [], pageIndex: -1), notBefore: date)
        }
        return .request(pager.firstRequest(), notBefore: date)
    }

    /// The result of a source that could not even be sent (no handle): its state with the failure recorded.
    public func fail(_ error: FetcherError, at date: Date, status: Int? = nil) -> SourceFetchResult {
        SourceFetchResult(sourceID: source.id, outcome: .failed(error),
                          state: previous.recordingFailure(error.description, at: date, httpStatus: status),
                          documents: [], httpStatus: status, bytes: bytes, duration: date.timeIntervalSince(startedAt),
                          requests: requests, pagedRecords: nil, warnings: pager.warnings)
    }

    /// Decides what follows a finished request. `jitter` (0..<1) spreads the retry delays; `retryBudget` is the
    /// run's, shared by every source.
    public mutating func complete(_ outcome: TransferOutcome, at now: Date, retryBudget: inout Int,
                                  jitter: Double = Double.random(in: 0..<1),
                                  logger: Logger = Logger(label: "vigie.fetcher")) -> Step {
        let request = outcome.request
        let url = request.url
        let status = outcome.status
        var retryAfter: Double?
        var failure: FetcherError
        var retryable = false

        if let transportFailure = outcome.failure {
            failure = error(transportFailure, outcome: outcome)
            retryable = transportFailure.isRetryable
        } else {
            switch ConditionalGet.verdict(status: status, retryAfter: outcome.headers["retry-after"],
                                          sentValidators: outcome.sentValidators, now: now) {
            case .content:
                bytes += outcome.body.count
                if request.pageIndex < 0 { return exchanged(outcome, at: now) }
                return content(outcome, at: now, logger: logger)
            case .notModified:
                let state = ConditionalGet.updatedValidators(previous, status: 304, etag: outcome.headers["etag"],
                                                             lastModified: outcome.headers["last-modified"])
                return .done(notModified(state, status: 304, at: now))
            case .retry(let after):
                retryAfter = after
                retryable = true
                failure = status == 429
                    ? .rateLimited(source: source.id, url: url, retryAfter: after)
                    : .httpStatus(source: source.id, url: url, status: status, attempts: attempt)
            case .fail where status == 404 && request.issue != nil:
                return missingIssue(request, at: now)
            case .fail where request.pageIndex < 0 && (status == 401 || status == 403):
                failure = .authentication(source: source.id, url: url,
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
                    logger.info("retrying", metadata: ["source.id": "\(source.id)", "reason": "\(failure.reason)",
                                                       "delay_s": "\(String(format: "%.2f", delay))"])
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
            return .stalled(source: id, url: url, receivedBytes: outcome.body.count, seconds: lowSpeedTime,
                            attempts: attempt)
        case .truncated(let expected):
            return .truncated(source: id, url: url, receivedBytes: outcome.body.count, expectedBytes: expected,
                              attempts: attempt)
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
            return .done(fail(.authentication(source: source.id, url: url,
                                              message: "the answer is not JSON (\(error.localizedDescription))"),
                              at: now, status: outcome.status))
        }
        let object = parsed as? [String: Any]
        guard let token = object?[exchange.tokenKey] as? String, !token.isEmpty else {
            let keys = object.map { $0.keys.sorted().joined(separator: ", ") } ?? "not a JSON object"
            return .done(fail(.authentication(source: source.id, url: url,
                                              message: "no `\(exchange.tokenKey)` in the answer (\(keys))"),
                              at: now, status: outcome.status))
        }
        exchangeKey = nil
        pager.credential = token
        attempt = 1
        return .request(pager.firstRequest(), notBefore: now)
    }

    /// Nothing new since the last run: `state` with this success recorded.
    private func notModified(_ state: SourceState, status: Int, at now: Date) -> SourceFetchResult {
        SourceFetchResult(sourceID: source.id, outcome: .notModified,
                          state: state.recordingSuccess(at: now, httpStatus: status), httpStatus: status,
                          bytes: bytes, duration: now.timeIntervalSince(startedAt), requests: requests)
    }

    /// A 2xx body: check it, keep it, then ask the pager for the next page.
    private mutating func content(_ outcome: TransferOutcome, at now: Date, logger: Logger) -> Step {
        let url = outcome.effectiveURL
        let body = outcome.body
        let status = outcome.status
        if let problem = ContentCheck.problem(body: body, contentType: outcome.contentType, format: source.format,
                                              source: source.id, url: url) {
            return .done(fail(problem, at: now, status: status))
        }
        if outcome.request.isFirstPage {
            validators = (outcome.headers["etag"], outcome.headers["last-modified"], status)
        }
        documents.append(RawDocument(sourceID: source.id, url: url, httpStatus: status,
                                     contentType: outcome.contentType, body: body, fetchedAt: now))
        attempt = 1
        let next: PageRequest?
        do {
            next = try pager.next(after: outcome.request, page: body)
        } catch {
            return .done(fail(.paging(source: source.id, url: url, message: error.message), at: now, status: status))
        }
        if let next { return .request(next, notBefore: now) }
        return .done(finish(status: status, at: now, logger: logger))
    }

    /// The result of a source whose pages all arrived: validators of the first page, the cursor of what was
    /// fetched, and what is left when the walk was cut short.
    private func finish(status: Int, at now: Date, logger: Logger?) -> SourceFetchResult {
        var state = previous
        if let validators {
            state = ConditionalGet.updatedValidators(state, status: validators.status, etag: validators.etag,
                                                     lastModified: validators.lastModified)
        }
        if !pager.isComplete {
            // A walk cut short must not answer 304 tomorrow: the rest is still to fetch.
            state.etag = nil
            state.lastModified = nil
        }
        state.cursor = pager.cursorToSave
        state = state.recordingSuccess(at: now, httpStatus: status)
        if !pager.isComplete {
            // Kept with the state so that `vigie digest` and the next nights' health say what is still owed.
            state.isIncomplete = true
            state.left = pager.remaining
        }
        var isPaged = true
        if case .none = source.paging { isPaged = false }
        for warning in pager.warnings {
            logger?.warning("\(warning)", metadata: ["source.id": "\(source.id)"])
        }
        return SourceFetchResult(sourceID: source.id, outcome: .ok, state: state, documents: documents,
                                 httpStatus: status, bytes: bytes, duration: now.timeIntervalSince(startedAt),
                                 requests: requests, pagedRecords: isPaged ? pager.recordCount : nil,
                                 warnings: pager.warnings, isComplete: pager.isComplete,
                                 remaining: pager.isComplete ? nil : pager.remaining)
    }
}
