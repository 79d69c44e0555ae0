import Curl
import Foundation
import Logging
import Notices

/// Settings of a fetch run.
public struct FetchConfiguration: Sendable {
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
    /// The run's clock for cursors (first night's window, latest date a cursor may take); nil = the wall clock.
    /// Set by tests and replays of a given night.
    public var now: Date?
    /// Days before the run the window of a source without a stored cursor starts (`vigie run --days-back`),
    /// instead of its catalogue's `first_night_days`; nil: each source's own setting. A source with a stored
    /// cursor resumes from it whatever this says.
    public var firstNightDays: Int?
    /// Wall time allowed per source from its first request, every page, retry and backoff included, in seconds
    /// (a source's `time_budget_s` overrides it); nil = no limit. A source over budget fails with reason
    /// `time-budget` and keeps nothing of this run (pages are stored all or none; the cursor stays).
    public var sourceTimeBudget: Double? = 600
    /// Wall time allowed for the whole fetch, from the start of `fetch`, in seconds; nil = no limit. Sources not
    /// done by then fail with reason `time-budget`.
    public var runTimeBudget: Double? = 2700
    /// An absolute deadline for the fetch, when it is one stage of a longer run (the nightly run's deadline);
    /// the earlier of this and `runTimeBudget` applies.
    public var runDeadline: Date?
    /// Asked between two turns of the transfer loop: true stops every transfer on the spot (SIGTERM, SIGINT
    /// reached the run) and the sources not finished fail with reason `interrupted`. Nil: never.
    public var shouldStop: (@Sendable () -> Bool)?

    /// The deadline of a fetch that starts at `start`: the earlier of `runDeadline` and `runTimeBudget`.
    public func deadline(startingAt start: Date) -> Date? {
        let fromBudget = runTimeBudget.map { start.addingTimeInterval($0) }
        switch (fromBudget, runDeadline) {
        case let (a?, b?): return min(a, b)
        case let (a, b): return a ?? b
        }
    }

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
    public init(
        configuration: FetchConfiguration = FetchConfiguration(),
        logger: Logger = Logger(label: "vigie.fetcher")
    ) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Fetches `sources` (blocking). `states` are the saved states by source id; `progress` is called on the
    /// loop's thread as each source finishes. Results come back in the order of `sources`.
    ///
    /// Every source's documents are held until the last source ends: for a night of many sources, prefer
    /// `fetchEach`, which hands each source over as it finishes.
    public func fetch(
        _ sources: [SourceDefinition], states: [String: SourceState],
        progress: (@Sendable (SourceFetchResult) -> Void)? = nil
    ) -> [SourceFetchResult] {
        var results = [SourceFetchResult?](repeating: nil, count: sources.count)
        var run = MultiRun(configuration: configuration, logger: logger)
        run.run(sources, states: states, mayStartSource: { true }) { result, index in
            results[index] = result
            progress?(result)
        }
        return results.map { $0! }
    }

    /// Same as `fetch`, on a dedicated thread.
    public func fetchAsync(
        _ sources: [SourceDefinition], states: [String: SourceState],
        progress: (@Sendable (SourceFetchResult) -> Void)? = nil
    ) async -> [SourceFetchResult] {
        await withCheckedContinuation { continuation in
            let engine = self
            let thread = Thread {
                continuation.resume(returning: engine.fetch(sources, states: states, progress: progress))
            }
            thread.name = "vigie-fetch"
            thread.start()
        }
    }

    /// Fetches `sources` and hands each one to `consume` on the calling thread as soon as it is finished (every
    /// page of it), in the order they finish; returns when every source has been handed over.
    ///
    /// The transfer loop runs on a thread of its own, so transfers keep moving while `consume` parses and
    /// stores (a loop held up by parsing would let libcurl's low-speed limit fail them). Memory stays bounded
    /// by what is in flight plus `maxPendingBytes` of finished sources waiting for `consume`, not by the sum
    /// of the night: while that much waits, no new source starts (those already started go on).
    ///
    /// When `consume` throws, the transfers still running stop (their sources are not handed over), the loop's
    /// thread is waited for, and the error is rethrown.
    public func fetchEach(
        _ sources: [SourceDefinition], states: [String: SourceState],
        maxPendingBytes: Int = 8 << 20,
        consume: (SourceFetchResult) throws -> Void
    ) throws {
        let channel = ResultChannel(maxPendingBytes: maxPendingBytes)
        var configuration = self.configuration
        let callerStop = configuration.shouldStop
        configuration.shouldStop = { channel.isCancelled || callerStop?() == true }
        let loopConfiguration = configuration
        let logger = self.logger
        let thread = Thread {
            var run = MultiRun(configuration: loopConfiguration, logger: logger)
            run.run(sources, states: states, mayStartSource: { channel.hasRoom }) { result, _ in channel.send(result) }
            channel.finish()
        }
        thread.name = "vigie-fetch"
        thread.start()
        do {
            while let result = channel.receive() { try consume(result) }
        } catch {
            channel.cancel()
            channel.waitUntilFinished()
            throw error
        }
    }
}

/// Finished sources on their way from the transfer loop's thread to the consumer: a queue with the bytes it
/// holds, so the loop can hold back new sources while the consumer is behind.
private final class ResultChannel: @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [SourceFetchResult] = []
    private var pendingBytes = 0
    private var finished = false
    private var cancelled = false
    private let maxPendingBytes: Int

    init(maxPendingBytes: Int) { self.maxPendingBytes = maxPendingBytes }

    /// True while a new source may start: nothing waits, or less than the limit does.
    var hasRoom: Bool {
        condition.lock()
        defer { condition.unlock() }
        return queue.isEmpty || pendingBytes < maxPendingBytes
    }

    var isCancelled: Bool {
        condition.lock()
        defer { condition.unlock() }
        return cancelled
    }

    func send(_ result: SourceFetchResult) {
        condition.lock()
        defer { condition.unlock() }
        // After a cancel nobody will read it: dropping it frees its bytes now.
        guard !cancelled else { return }
        queue.append(result)
        pendingBytes += result.documents.reduce(0) { $0 + $1.body.count }
        condition.broadcast()
    }

    /// The next finished source, waiting for one; nil once the loop has ended and all were taken.
    func receive() -> SourceFetchResult? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty && !finished { condition.wait() }
        guard !queue.isEmpty else { return nil }
        let result = queue.removeFirst()
        pendingBytes -= result.documents.reduce(0) { $0 + $1.body.count }
        return result
    }

    /// Called by the loop's thread when it has handed over every source.
    func finish() {
        condition.lock()
        defer { condition.unlock() }
        finished = true
        condition.broadcast()
    }

    func cancel() {
        condition.lock()
        defer { condition.unlock() }
        cancelled = true
        queue.removeAll()
        pendingBytes = 0
    }

    func waitUntilFinished() {
        condition.lock()
        defer { condition.unlock() }
        while !finished { condition.wait() }
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

    /// Runs every source to its end, handing each to `deliver` as it finishes (once per source). A source's
    /// first request waits while `mayStartSource` says no (the consumer is behind); transfers already started
    /// are never held up.
    mutating func run(
        _ sources: [SourceDefinition], states: [String: SourceState],
        mayStartSource: () -> Bool,
        deliver: (SourceFetchResult, Int) -> Void
    ) {
        var queue: [Pending] = []
        let start = Date()
        let clock = configuration.now ?? start
        let runDeadline = configuration.deadline(startingAt: start)
        for (index, listed) in sources.enumerated() {
            var source = listed
            if let days = configuration.firstNightDays { source.cursor?.firstNightDays = max(0, days) }
            let state = states[source.id] ?? SourceState(sourceID: source.id)
            var job = SourceJob(
                index: index, source: source, previous: state, environment: configuration.environment,
                retry: configuration.retry, maxRedirects: configuration.transport.maxRedirects,
                lowSpeedTime: configuration.transport.lowSpeedTime, now: clock)
            job.limit(budget: source.timeBudget ?? configuration.sourceTimeBudget, runDeadline: runDeadline)
            job.fixedClock = configuration.now
            switch job.begin(at: start) {
            case .request(let request, let notBefore):
                queue.append(Pending(job: job, request: request, notBefore: notBefore))
            case .done(let result):
                deliver(result, index)
            }
        }
        guard let multi = CurlMulti() else {
            for pending in queue {
                let source = pending.job.source
                let index = pending.job.index
                let state = states[source.id] ?? SourceState(sourceID: source.id)
                let error = FetcherError.transport(
                    source: source.id,
                    message: "libcurl multi handle could not be created")
                deliver(
                    SourceFetchResult(
                        sourceID: source.id, outcome: .failed(error),
                        state: state.recordingFailure(
                            error.description, at: start, httpStatus: nil,
                            failure: SourceFailureKind(rawValue: error.reason))),
                    index)
            }
            return
        }
        // Keyed by the easy handle: what `CurlMulti.completed()` hands back.
        var running: [ObjectIdentifier: (CurlTransfer, SourceJob)] = [:]
        var hostActive: [String: Int] = [:]
        var hostNextStart: [String: Date] = [:]

        while !queue.isEmpty || !running.isEmpty {
            var now = Date()
            if configuration.shouldStop?() == true {
                // A stop request: no source is half-kept (each stores all its pages or none), so everything not
                // finished simply fails, and the caller stores nothing more (what it stored is whole sources).
                for (_, (transfer, job)) in running {
                    multi.remove(transfer.easy)
                    deliver(job.fail(.interrupted(source: job.source.id), at: now), job.index)
                }
                running.removeAll()
                for pending in queue {
                    deliver(
                        pending.job.fail(.interrupted(source: pending.job.source.id), at: now),
                        pending.job.index)
                }
                queue.removeAll()
                break
            }
            // Time budgets: a source past its deadline stops now, whether its request is on the wire or waiting
            // (a backoff that would end after the deadline is not waited for).
            for (key, (transfer, job)) in running where job.isOverBudget(at: now) {
                multi.remove(transfer.easy)
                running[key] = nil
                hostActive[job.host, default: 1] -= 1
                deliver(job.overBudget(at: now, url: job.redactor.redact(transfer.request.url)), job.index)
            }
            queue.removeAll { pending in
                let job = pending.job
                guard job.isOverBudget(at: now) || job.deadline.map({ pending.notBefore >= $0.date }) == true else {
                    return false
                }
                deliver(job.overBudget(at: now, url: job.redactor.redact(pending.request.url)), job.index)
                return true
            }
            // Start what may start: global cap, per-host cap, per-host spacing, retry/backoff times, and no new
            // source while the consumer is behind (started sources go on: their pages are stored together).
            let roomForNewSources = mayStartSource()
            var index = 0
            while index < queue.count && running.count < configuration.maxConcurrent {
                var pending = queue[index]
                let host = pending.job.host
                let allowed =
                    (roomForNewSources || pending.job.firstSent != nil) && pending.notBefore <= now
                    && hostActive[host, default: 0] < hostLimit(pending.job)
                    && hostNextStart[host].map { $0 <= now } ?? true
                guard allowed else { index += 1; continue }
                queue.remove(at: index)
                let headers = ConditionalGet.requestHeaders(
                    for: pending.job.previous,
                    isFirstPage: pending.request.isFirstPage)
                var settings = configuration.transport
                if let timeout = pending.job.source.timeout { settings.totalTimeout = timeout }
                pending.job.sending(at: now)
                if let deadline = pending.job.deadline?.date {
                    // No transfer outlives its source's budget (the loop above stops it a moment earlier).
                    settings.totalTimeout = max(0.1, min(settings.totalTimeout, deadline.timeIntervalSince(now) + 1))
                }
                guard
                    let transfer = CurlTransfer(
                        request: pending.request, wire: pending.job.wire(pending.request),
                        isLocalSource: pending.job.source.isLocalFile,
                        extraHeaders: headers,
                        maxBodyBytes: pending.job.source.maxBodyBytes,
                        settings: settings)
                else {
                    let result = pending.job.fail(
                        .transport(
                            source: pending.job.source.id,
                            message: "libcurl easy handle could not be created"),
                        at: now)
                    deliver(result, pending.job.index)
                    continue
                }
                do {
                    try multi.add(transfer.easy)
                } catch {
                    deliver(
                        pending.job.fail(
                            .transport(source: pending.job.source.id, message: error.description),
                            at: now),
                        pending.job.index)
                    continue
                }
                pending.job.requests += 1
                running[ObjectIdentifier(transfer.easy)] = (transfer, pending.job)
                hostActive[host, default: 0] += 1
                if pending.job.source.politeness.delay > 0 {
                    hostNextStart[host] = now.addingTimeInterval(pending.job.source.politeness.delay)
                }
                logger.debug(
                    "fetch start",
                    metadata: [
                        "source.id": "\(pending.job.source.id)",
                        "url": "\(pending.job.redactor.redact(pending.request.url))",
                        "attempt": "\(pending.job.attempt)",
                    ])
            }

            multi.perform()

            // Completed transfers.
            for (easy, code) in multi.completed() {
                guard let (transfer, finished) = running[ObjectIdentifier(easy)] else { continue }
                var job = finished
                multi.remove(easy)
                running[ObjectIdentifier(easy)] = nil
                hostActive[job.host, default: 1] -= 1
                now = Date()
                let outcome = transfer.outcome(code: code, at: now)
                if outcome.failure != nil && job.isOverBudget(at: now) {
                    // The transfer's timeout was cut to the budget: the budget is the reason, not the server.
                    deliver(job.overBudget(at: now, url: job.redactor.redact(transfer.request.url)), job.index)
                    continue
                }
                switch job.complete(outcome, at: now, retryBudget: &retryBudget, logger: logger) {
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
                    // A new source held back until the consumer catches up: look again shortly.
                    guard roomForNewSources || pending.job.firstSent != nil else {
                        waitMs = min(waitMs, 20)
                        continue
                    }
                    // A request held back by its host's in-flight limit waits for a transfer to end, which
                    // wakes the poll anyway; only time-based holds (backoff, spacing) shorten the wait.
                    guard hostActive[pending.job.host, default: 0] < hostLimit(pending.job) else { continue }
                    let ready = max(pending.notBefore, hostNextStart[pending.job.host] ?? pending.notBefore)
                    waitMs = min(waitMs, max(0, Int(ready.timeIntervalSince(now) * 1000) + 1))
                }
            }
            if waitMs > 0 { multi.poll(timeoutMilliseconds: waitMs) }
        }
    }

    /// Requests of `job`'s host allowed in flight at once: the run's cap, lowered by the source's politeness.
    private func hostLimit(_ job: SourceJob) -> Int {
        max(1, min(configuration.maxPerHost, job.source.politeness.maxConcurrent))
    }
}
