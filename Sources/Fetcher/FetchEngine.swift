import CCurl
import Foundation
import Logging
import Notices

/// Settings of a fetch run.
public struct FetchConfiguration: Sendable, Hashable {
    /// `Vigie/<version> (…)`, naming the tool so that a source's operator can tell who is calling.
    public static func userAgent(version: String) -> String {
        "Vigie/\(version) (veille appels d'offres et appels a projets; libcurl)"
    }

    public static let defaultUserAgent = userAgent(version: "0.1.0")

    /// Requests in flight at once over all hosts.
    public var maxConcurrent: Int = 16
    /// Upper bound on requests in flight to one host; a source's `politeness.max_concurrent` may lower it.
    public var maxPerHost: Int = 4
    public var transport = TransportSettings()
    public var retry = RetryPolicy()
    /// Where `auth.env` variables are read.
    public var environment: [String: String] = ProcessInfo.processInfo.environment

    public init(maxConcurrent: Int = 16, maxPerHost: Int = 4) {
        self.maxConcurrent = maxConcurrent
        self.maxPerHost = maxPerHost
    }
}

/// The fetcher stage: fetches many sources concurrently on libcurl's multi interface (one thread drives
/// every transfer; no thread per request), with per-host politeness, conditional GET, paging and retries.
///
/// `fetch` is synchronous: it runs the multi loop on the calling thread and returns when every source is done.
/// `fetchAsync` runs the same loop on a dedicated thread, leaving the caller's executor free.
public struct FetchEngine: Sendable {
    public var configuration: FetchConfiguration
    public var logger: Logger

    /// `logger` receives retries, warnings and (at debug level) each request; the engine never bootstraps
    /// the logging system.
    public init(configuration: FetchConfiguration = FetchConfiguration(),
                logger: Logger = Logger(label: "vigie.fetcher")) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Fetches `sources` (blocking). `states` are the saved states by source id; `progress` is called on the
    /// loop's thread as each source finishes. Results come back in the order of `sources`.
    public func fetch(_ sources: [SourceDefinition], states: [String: SourceState],
                      progress: (@Sendable (SourceFetchResult) -> Void)? = nil) -> [SourceFetchResult] {
        var run = MultiRun(configuration: configuration, logger: logger)
        return run.run(sources, states: states, progress: progress)
    }

    /// Same as `fetch`, on a dedicated thread.
    public func fetchAsync(_ sources: [SourceDefinition], states: [String: SourceState],
                           progress: (@Sendable (SourceFetchResult) -> Void)? = nil) async -> [SourceFetchResult] {
        await withCheckedContinuation { continuation in
            let engine = self
            let thread = Thread {
                continuation.resume(returning: engine.fetch(sources, states: states, progress: progress))
            }
            thread.name = "vigie-fetch"
            thread.start()
        }
    }
}

/// One run of the multi loop: the queue of pending requests, the running transfers, per-host counters.
private struct MultiRun {
    let configuration: FetchConfiguration
    let logger: Logger
    var retryBudget: Int

    init(configuration: FetchConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.retryBudget = configuration.retry.runBudget
    }

    private struct Pending {
        var job: SourceJob
        var request: PageRequest
        var notBefore: Date
    }

    mutating func run(_ sources: [SourceDefinition], states: [String: SourceState],
                      progress: (@Sendable (SourceFetchResult) -> Void)?) -> [SourceFetchResult] {
        var results = [SourceFetchResult?](repeating: nil, count: sources.count)
        func deliver(_ result: SourceFetchResult, _ index: Int) {
            results[index] = result
            progress?(result)
        }
        var queue: [Pending] = []
        let start = Date()
        for (index, source) in sources.enumerated() {
            let state = states[source.id] ?? SourceState(sourceID: source.id)
            let job = SourceJob(index: index, source: source, previous: state, environment: configuration.environment,
                                retry: configuration.retry, maxRedirects: configuration.transport.maxRedirects,
                                lowSpeedTime: configuration.transport.lowSpeedTime)
            switch job.begin(at: start) {
            case .request(let request):
                queue.append(Pending(job: job, request: request, notBefore: start))
            case .done(let result):
                deliver(result, index)
            }
        }
        guard let multi = CurlMulti() else {
            for (index, source) in sources.enumerated() where results[index] == nil {
                let state = states[source.id] ?? SourceState(sourceID: source.id)
                let error = FetcherError.transport(source: source.id,
                                                   message: "libcurl multi handle could not be created")
                results[index] = SourceFetchResult(
                    sourceID: source.id, outcome: .failed(error),
                    state: state.recordingFailure(error.description, at: start, httpStatus: nil))
            }
            return results.map { $0! }
        }
        var running: [UnsafeMutableRawPointer: (CurlTransfer, SourceJob)] = [:]
        var hostActive: [String: Int] = [:]
        var hostNextStart: [String: Date] = [:]

        while !queue.isEmpty || !running.isEmpty {
            // Start what may start: global cap, per-host cap, per-host spacing, retry/backoff times.
            var now = Date()
            var index = 0
            while index < queue.count && running.count < configuration.maxConcurrent {
                let pending = queue[index]
                let host = pending.job.host
                let allowed = pending.notBefore <= now && hostActive[host, default: 0] < hostLimit(pending.job)
                    && hostNextStart[host].map { $0 <= now } ?? true
                guard allowed else { index += 1; continue }
                queue.remove(at: index)
                let headers = ConditionalGet.requestHeaders(for: pending.job.previous,
                                                            isFirstPage: pending.request.isFirstPage)
                var settings = configuration.transport
                if let timeout = pending.job.source.timeout { settings.totalTimeout = timeout }
                guard let transfer = CurlTransfer(request: pending.request, extraHeaders: headers,
                                                  maxBodyBytes: pending.job.source.maxBodyBytes,
                                                  settings: settings) else {
                    let result = pending.job.fail(.transport(source: pending.job.source.id,
                                                             message: "libcurl easy handle could not be created"),
                                                  at: now)
                    deliver(result, pending.job.index)
                    continue
                }
                let code = curl_multi_add_handle(multi.handle, transfer.handle)
                if code != CURLM_OK {
                    let message = "curl_multi_add_handle: " + String(cString: curl_multi_strerror(code))
                    deliver(pending.job.fail(.transport(source: pending.job.source.id, message: message), at: now),
                            pending.job.index)
                    continue
                }
                running[transfer.handle] = (transfer, pending.job)
                hostActive[host, default: 0] += 1
                if pending.job.source.politeness.delay > 0 {
                    hostNextStart[host] = now.addingTimeInterval(pending.job.source.politeness.delay)
                }
                pending.job.requests += 1
                logger.debug("fetch start", metadata: ["source": "\(pending.job.source.id)",
                                                       "url": "\(pending.request.url)",
                                                       "attempt": "\(pending.job.attempt)"])
            }

            var stillRunning: Int32 = 0
            _ = curl_multi_perform(multi.handle, &stillRunning)

            // Completed transfers.
            var left: Int32 = 0
            while let message = curl_multi_info_read(multi.handle, &left) {
                guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle,
                      let (transfer, job) = running[easy] else { continue }
                let code = message.pointee.data.result
                curl_multi_remove_handle(multi.handle, easy)
                running[easy] = nil
                hostActive[job.host, default: 1] -= 1
                now = Date()
                switch job.complete(transfer, code: code, at: now, retryBudget: &retryBudget, logger: logger) {
                case .request(let request, let notBefore):
                    queue.append(Pending(job: job, request: request, notBefore: notBefore))
                case .done(let result):
                    deliver(result, job.index)
                }
            }

            if queue.isEmpty && running.isEmpty { break }
            // Wait for socket activity, or until the next queued request may start.
            var waitMs = running.isEmpty ? 1000 : 200
            now = Date()
            if running.count < configuration.maxConcurrent {
                for pending in queue {
                    // A request held back by its host's in-flight limit waits for a transfer to end, which
                    // wakes the poll anyway; only time-based holds (backoff, spacing) shorten the wait.
                    guard hostActive[pending.job.host, default: 0] < hostLimit(pending.job) else { continue }
                    let ready = max(pending.notBefore, hostNextStart[pending.job.host] ?? pending.notBefore)
                    waitMs = min(waitMs, max(0, Int(ready.timeIntervalSince(now) * 1000) + 1))
                }
            }
            if waitMs > 0 {
                var fds: Int32 = 0
                _ = curl_multi_poll(multi.handle, nil, 0, Int32(waitMs), &fds)
            }
        }
        return results.map { $0! }
    }

    /// Requests of `job`'s host allowed in flight at once: the run's cap, lowered by the source's politeness.
    private func hostLimit(_ job: SourceJob) -> Int {
        max(1, min(configuration.maxPerHost, job.source.politeness.maxConcurrent))
    }
}

/// The state machine of one source: pages in order, retries, then one result.
private final class SourceJob {
    enum Step {
        case request(PageRequest, notBefore: Date)
        case done(SourceFetchResult)
    }

    enum Begin {
        case request(PageRequest)
        case done(SourceFetchResult)
    }

    let index: Int
    let source: SourceDefinition
    let previous: SourceState
    let host: String
    let retry: RetryPolicy
    let maxRedirects: Int
    let lowSpeedTime: Int
    var pager: Pager
    var attempt = 1
    var requests = 0
    var documents: [RawDocument] = []
    var bytes = 0
    var startedAt = Date()
    var validators: (etag: String?, lastModified: String?, status: Int)?
    var credentialMissing: String?
    /// The key to exchange for a token before the first page, while the exchange is pending.
    var exchangeKey: String?

    init(index: Int, source: SourceDefinition, previous: SourceState, environment: [String: String],
         retry: RetryPolicy, maxRedirects: Int, lowSpeedTime: Int) {
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
        pager = Pager(source: source, storedCursor: previous.cursor, credential: credential)
    }

    func begin(at date: Date) -> Begin {
        startedAt = date
        if let variable = credentialMissing {
            return .done(fail(.missingCredential(source: source.id, variable: variable), at: date))
        }
        if let key = exchangeKey, let exchange = source.auth?.exchange {
            // pageIndex -1: not a page, so no validators are sent with it.
            return .request(PageRequest(url: exchange.url, method: "POST",
                                        headers: [QueryParameter(exchange.header, key),
                                                  QueryParameter("Accept", "application/json")],
                                        body: "", form: [], pageIndex: -1))
        }
        return .request(pager.firstRequest())
    }

    /// A 404 on a daily issue: the next year's first issue, or the end of the walk (not published yet).
    private func missingIssue(_ request: PageRequest, at now: Date, logger: Logger) -> Step {
        let year = Calendar(identifier: .gregorian).component(.year, from: now)
        if let next = pager.nextYear(after: request, currentYear: year) { return .request(next, notBefore: now) }
        if documents.isEmpty {
            // No new issue since the last run: the equivalent of a 304.
            return .done(notModified(previous, status: 404, at: now))
        }
        return .done(finish(status: documents.last?.httpStatus ?? 200, at: now, logger: logger))
    }

    /// Reads the token out of the exchange's answer and moves on to the first page.
    private func exchanged(_ transfer: CurlTransfer, status: Int, at now: Date) -> Step {
        let url = transfer.request.url
        guard let exchange = source.auth?.exchange else {
            return .done(fail(.transport(source: source.id, message: "no token exchange configured"), at: now))
        }
        let object = (try? JSONSerialization.jsonObject(with: Data(transfer.body))) as? [String: Any]
        guard let token = object?[exchange.tokenKey] as? String, !token.isEmpty else {
            let keys = object.map { $0.keys.sorted().joined(separator: ", ") } ?? "not a JSON object"
            return .done(fail(.authentication(source: source.id, url: url,
                                              message: "no `\(exchange.tokenKey)` in the answer (\(keys))"),
                              at: now, status: status))
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

    func fail(_ error: FetcherError, at date: Date, status: Int? = nil) -> SourceFetchResult {
        SourceFetchResult(sourceID: source.id, outcome: .failed(error),
                          state: previous.recordingFailure(error.description, at: date, httpStatus: status),
                          documents: [], httpStatus: status, bytes: bytes, duration: date.timeIntervalSince(startedAt),
                          requests: requests, pagedRecords: nil, warnings: pager.warnings)
    }

    /// Decides what follows a finished transfer.
    func complete(_ transfer: CurlTransfer, code: CURLcode, at now: Date, retryBudget: inout Int,
                  logger: Logger) -> Step {
        let request = transfer.request
        let url = request.url
        let status = transfer.responseCode
        let isFile = url.hasPrefix("file:")
        var retryAfter: Double?
        var failure: FetcherError
        var retryable = false

        if code == CURLE_OK && isFile {
            if transfer.conditionUnmet {
                return .done(notModified(previous, status: 304, at: now))
            }
            // The file's mtime stands in for Last-Modified (no ETag for files).
            transfer.responseHeaders["last-modified"] = transfer.fileTime
            transfer.responseHeaders["etag"] = nil
        }
        if code == CURLE_OK {
            switch ConditionalGet.verdict(status: status, retryAfter: transfer.responseHeaders["retry-after"],
                                          sentValidators: transfer.sentValidators, now: now) {
            case .content:
                if transfer.request.pageIndex < 0 { return exchanged(transfer, status: status, at: now) }
                return content(transfer, status: isFile ? 200 : status, at: now, logger: logger)
            case .notModified:
                let state = ConditionalGet.updatedValidators(previous, status: 304,
                                                             etag: transfer.responseHeaders["etag"],
                                                             lastModified: transfer.responseHeaders["last-modified"])
                return .done(notModified(state, status: 304, at: now))
            case .retry(let after):
                retryAfter = after
                retryable = true
                failure = status == 429
                    ? .rateLimited(source: source.id, url: url, retryAfter: after)
                    : .httpStatus(source: source.id, url: url, status: status, attempts: attempt)
            case .fail where status == 404 && transfer.request.issue != nil:
                return missingIssue(transfer.request, at: now, logger: logger)
            case .fail where transfer.request.pageIndex < 0 && (status == 401 || status == 403):
                failure = .authentication(source: source.id, url: url,
                                          message: "HTTP \(status): the key in \(source.auth?.env ?? "?") was refused")
            case .fail:
                failure = .httpStatus(source: source.id, url: url, status: status, attempts: attempt)
            }
        } else {
            let message = transfer.errorMessage.isEmpty ? String(cString: curl_easy_strerror(code))
                : transfer.errorMessage
            (failure, retryable) = classify(code, transfer: transfer, message: message, url: url)
        }

        if retryable {
            if retryBudget <= 0 {
                logger.warning("retry budget of the run exhausted", metadata: ["source": "\(source.id)"])
            } else {
                switch retry.decide(attempt: attempt, retryAfter: retryAfter, jitter: Double.random(in: 0..<1)) {
                case .retry(let delay):
                    retryBudget -= 1
                    attempt += 1
                    logger.info("retrying", metadata: ["source": "\(source.id)", "reason": "\(failure.reason)",
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

    private func classify(_ code: CURLcode, transfer: CurlTransfer, message: String, url: String)
        -> (FetcherError, Bool) {
        let id = source.id
        switch code {
        case CURLE_WRITE_ERROR where transfer.isTooLarge, CURLE_FILESIZE_EXCEEDED:
            return (.bodyTooLarge(source: id, url: url, limit: source.maxBodyBytes), false)
        case CURLE_WRITE_ERROR where transfer.isRedirectLoop:
            return (.redirectLoop(source: id, chain: transfer.redirectChain), false)
        case CURLE_TOO_MANY_REDIRECTS:
            return (.tooManyRedirects(source: id, url: url, limit: maxRedirects), false)
        case CURLE_OPERATION_TIMEDOUT:
            if message.lowercased().contains("too slow") {
                return (.stalled(source: id, url: url, receivedBytes: transfer.body.count,
                                 seconds: lowSpeedTime, attempts: attempt), true)
            }
            return (.timeout(source: id, url: url, seconds: Date().timeIntervalSince(transfer.startedAt).rounded(),
                             attempts: attempt), true)
        case CURLE_PARTIAL_FILE:
            return (.truncated(source: id, url: url, receivedBytes: transfer.body.count,
                               expectedBytes: transfer.announcedLength, attempts: attempt), true)
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_GOT_NOTHING,
             CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_SSL_CONNECT_ERROR, CURLE_HTTP2, CURLE_HTTP2_STREAM:
            return (.connection(source: id, url: url, message: message, attempts: attempt), true)
        case CURLE_FILE_COULDNT_READ_FILE:
            return (.connection(source: id, url: url, message: message, attempts: attempt), false)
        case CURLE_BAD_CONTENT_ENCODING:
            return (.unexpectedContent(source: id, url: url, expected: "a decodable body", message: message), false)
        default:
            return (.transport(source: id, message: "\(url): \(message)"), false)
        }
    }

    /// A 2xx body: check it, keep it, then ask the pager for the next page.
    private func content(_ transfer: CurlTransfer, status: Int, at now: Date, logger: Logger) -> Step {
        let url = transfer.effectiveURL
        let body = transfer.body
        bytes += body.count
        if let problem = ContentCheck.problem(body: body, contentType: transfer.contentType, format: source.format,
                                              source: source.id, url: url) {
            return .done(fail(problem, at: now, status: status))
        }
        if transfer.request.isFirstPage {
            validators = (transfer.responseHeaders["etag"], transfer.responseHeaders["last-modified"], status)
        }
        documents.append(RawDocument(sourceID: source.id, url: url, httpStatus: status,
                                     contentType: transfer.contentType, body: body, fetchedAt: now))
        attempt = 1
        let next: PageRequest?
        do {
            next = try pager.next(after: transfer.request, page: body)
        } catch {
            return .done(fail(.paging(source: source.id, url: url, message: error.message), at: now, status: status))
        }
        if let next {
            return .request(next, notBefore: now)
        }
        return .done(finish(status: status, at: now, logger: logger))
    }

    /// The result of a source whose pages all arrived: validators of the first page, the new cursor.
    private func finish(status: Int, at now: Date, logger: Logger) -> SourceFetchResult {
        var state = previous
        if let validators {
            state = ConditionalGet.updatedValidators(state, status: validators.status, etag: validators.etag,
                                                     lastModified: validators.lastModified)
        }
        if let newCursor = pager.newCursor {
            if state.cursor == nil || Pager.compare(newCursor, state.cursor!) > 0 { state.cursor = newCursor }
        }
        state = state.recordingSuccess(at: now, httpStatus: status)
        var isPaged = true
        if case .none = source.paging { isPaged = false }
        for warning in pager.warnings {
            logger.warning("\(warning)", metadata: ["source": "\(source.id)"])
        }
        return SourceFetchResult(sourceID: source.id, outcome: .ok, state: state, documents: documents,
                                 httpStatus: status, bytes: bytes, duration: now.timeIntervalSince(startedAt),
                                 requests: requests, pagedRecords: isPaged ? pager.recordCount : nil,
                                 warnings: pager.warnings)
    }
}
