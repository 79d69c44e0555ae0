import Foundation
import Notices
import Testing
@testable import Fetcher

/// `SourceJob` as a pure state machine: `TransferOutcome` values in, next request or result out. No socket.
@Suite struct SourceJobTests {
    static let now = PagerTests.night

    static func job(
        _ source: SourceDefinition = PagerTests.boampSource(pageSize: 2),
        previous: SourceState? = nil, maxAttempts: Int = 3
    ) -> SourceJob {
        SourceJob(
            index: 0, source: source, previous: previous ?? SourceState(sourceID: source.id), environment: [:],
            retry: RetryPolicy(
                maxAttempts: maxAttempts, baseDelay: 2, maxDelay: 60, maxRetryAfter: 120,
                runBudget: 10),
            now: now)
    }

    static func firstRequest(_ job: inout SourceJob) throws -> PageRequest {
        guard case .request(let request, _) = job.begin(at: now) else {
            Issue.record("the job did not start with a request")
            throw CancellationError()
        }
        return request
    }

    /// What a step is, for the table: `next <url suffix>`, `retry <delay>`, `failed <reason>`, `not-modified`,
    /// `ok`.
    static func describe(_ step: SourceJob.Step) -> String {
        switch step {
        case .request(let request, let notBefore):
            let delay = notBefore.timeIntervalSince(now)
            return delay > 0 ? "retry \(Int(delay))" : "next " + (request.url.split(separator: "&").last ?? "")
        case .done(let result):
            switch result.outcome {
            case .ok: return "ok"
            case .notModified: return "not-modified"
            case .failed(let error): return "failed \(error.reason)"
            }
        }
    }

    static let page = PagerTests.page(["2026-11-20", "2026-11-21"], total: 9)

    @Test(
        arguments: [
            // (status, failure, headers, expected step after the first page's answer)
            (200, nil, [:], "next offset=2"),
            (503, nil, [:], "retry 1"),  // backoff: half the base delay at least
            (429, nil, ["retry-after": "7"], "retry 7"),  // Retry-After honoured
            (429, nil, ["retry-after": "86400"], "failed rate-limited"),  // … unless beyond the run's patience
            (404, nil, [:], "failed http-status"),
            (304, nil, [:], "failed http-status"),  // a 304 we never asked for
            (0, TransferFailure.connection(message: "refused"), [:], "retry 1"),
            (0, TransferFailure.stalled, [:], "retry 1"),
            (0, TransferFailure.truncated(expectedBytes: 900), [:], "retry 1"),
            (0, TransferFailure.bodyTooLarge, [:], "failed body-too-large"),
            (0, TransferFailure.redirectLoop(chain: ["a", "b", "a"]), [:], "failed redirect-loop"),
            (0, TransferFailure.unreadableFile(message: "no such file"), [:], "failed connection"),
            (0, TransferFailure.badContentEncoding(message: "bad gzip"), [:], "failed unexpected-content"),
        ] as [(Int, TransferFailure?, [String: String], String)])
    func whatFollowsAnAnswer(
        _ status: Int, _ failure: TransferFailure?, _ headers: [String: String],
        _ expected: String
    ) throws {
        var job = Self.job()
        let request = try Self.firstRequest(&job)
        var budget = 10
        let outcome = TransferOutcome(
            request: request, status: status, headers: headers,
            body: failure == nil && status == 200 ? Self.page : [],
            contentType: "application/json", failure: failure)
        let step = job.complete(outcome, at: Self.now, retryBudget: &budget, jitter: 0)
        #expect(Self.describe(step) == expected)
        #expect(budget == (expected.hasPrefix("retry") ? 9 : 10))
    }

    @Test func attemptsAndTheRunsBudgetBoundRetries() throws {
        var job = Self.job(maxAttempts: 2)
        let request = try Self.firstRequest(&job)
        var budget = 10
        let answer = TransferOutcome(request: request, status: 500)
        #expect(Self.describe(job.complete(answer, at: Self.now, retryBudget: &budget, jitter: 0)) == "retry 1")
        #expect(Self.describe(job.complete(answer, at: Self.now, retryBudget: &budget)) == "failed http-status")
        var other = Self.job()
        var empty = 0
        let first = try Self.firstRequest(&other)
        #expect(
            Self.describe(
                other.complete(
                    TransferOutcome(request: first, status: 503), at: Self.now,
                    retryBudget: &empty)) == "failed http-status")
    }

    @Test func validatorsGiveNotModifiedAndAreKept() throws {
        let saved = SourceState(sourceID: "boamp", etag: "\"v1\"", cursor: "2026-11-20")
        var job = Self.job(previous: saved)
        let request = try Self.firstRequest(&job)
        var budget = 10
        let step = job.complete(
            TransferOutcome(request: request, status: 304, sentValidators: true), at: Self.now,
            retryBudget: &budget)
        guard case .done(let result) = step else {
            Issue.record("expected a result")
            return
        }
        #expect(result.outcome == .notModified)
        #expect(result.state.etag == "\"v1\"" && result.state.cursor == "2026-11-20")
    }

    @Test func aWalkCutShortSavesTheNewestRecordStoredAndSaysWhatIsLeft() throws {
        // Pages of 2, the cap at 4: two pages, then the cap; 9 records in the window.
        var source = PagerTests.boampSource(pageSize: 2, maxOffset: 4)
        source.id = "boamp"
        let saved = SourceState(sourceID: "boamp", etag: "\"v1\"", cursor: "2026-11-19")
        var job = Self.job(source, previous: saved)
        let first = try Self.firstRequest(&job)
        var budget = 10
        let validators = ["etag": "\"v2\""]
        guard
            case .request(let second, _) = job.complete(
                TransferOutcome(
                    request: first, status: 200, headers: validators, body: Self.page,
                    contentType: "application/json"), at: Self.now, retryBudget: &budget)
        else {
            Issue.record("expected the second page")
            return
        }
        let last = PagerTests.page(["2026-11-21", "2026-11-22"], total: 9)
        guard
            case .done(let result) = job.complete(
                TransferOutcome(request: second, status: 200, body: last, contentType: "application/json"),
                at: Self.now, retryBudget: &budget)
        else {
            Issue.record("expected the end of the walk")
            return
        }
        #expect(result.outcome == .ok)
        #expect(!result.isComplete)
        #expect(result.remaining == 5)
        #expect(result.documents.count == 2)
        #expect(result.state.cursor == "2026-11-22")
        // A validator must not turn tomorrow's resumption into a 304.
        #expect(result.state.etag == nil)
        // The state the store keeps says so too, for the nights' source health.
        #expect(result.state.isIncomplete && result.state.left == 5)
    }

    /// A failure after a capped night leaves "incomplete" as it was (the rest is still owed); a walk that
    /// reaches the end clears it.
    @Test func whatIsOwedSurvivesAFailureAndClearsAtTheEnd() throws {
        let owing = SourceState(sourceID: "boamp", cursor: "2026-11-19", isIncomplete: true, left: 5)
        var failing = Self.job(previous: owing, maxAttempts: 1)
        let request = try Self.firstRequest(&failing)
        var budget = 10
        guard
            case .done(let failed) = failing.complete(
                TransferOutcome(request: request, status: 502),
                at: Self.now, retryBudget: &budget)
        else {
            Issue.record("expected a failure")
            return
        }
        #expect(failed.state.isIncomplete && failed.state.left == 5)

        var ending = Self.job(previous: owing)
        let first = try Self.firstRequest(&ending)
        let short = PagerTests.page(["2026-11-20"], total: 1)
        guard
            case .done(let done) = ending.complete(
                TransferOutcome(request: first, status: 200, body: short, contentType: "application/json"),
                at: Self.now, retryBudget: &budget)
        else {
            Issue.record("expected the end of the walk")
            return
        }
        #expect(done.isComplete)
        #expect(!done.state.isIncomplete && done.state.left == nil)
    }

    @Test func aFailedPageKeepsTheOldCursorAndValidators() throws {
        let saved = SourceState(sourceID: "boamp", etag: "\"v1\"", cursor: "2026-11-19")
        var job = Self.job(previous: saved, maxAttempts: 1)
        let first = try Self.firstRequest(&job)
        var budget = 10
        guard
            case .request(let second, _) = job.complete(
                TransferOutcome(request: first, status: 200, body: Self.page, contentType: "application/json"),
                at: Self.now, retryBudget: &budget)
        else {
            Issue.record("expected the second page")
            return
        }
        guard
            case .done(let result) = job.complete(
                TransferOutcome(request: second, status: 502), at: Self.now,
                retryBudget: &budget)
        else {
            Issue.record("expected a failure")
            return
        }
        #expect(result.outcome.error?.reason == "http-status")
        #expect(result.documents.isEmpty)
        #expect(result.state.cursor == "2026-11-19" && result.state.etag == "\"v1\"")
        #expect(result.state.consecutiveFailures == 1)
    }
}

/// Redirects are followed by the job, one hop per request, so each hop is judged (scheme, loop, credential).
@Suite struct SourceJobRedirectTests {
    @Test(arguments: [
        // (method, status, Location, what follows)
        ("GET", 301, "/v2/records", "GET https://api.example/v2/records"),
        ("POST", 302, "https://api.example/moved", "GET https://api.example/moved"),  // as libcurl and browsers do
        ("POST", 307, "https://api.example/moved", "POST https://api.example/moved"),
        ("POST", 303, "/see-other", "GET https://api.example/see-other"),
        ("GET", 302, "file:///etc/passwd", "failed refused-url"),
        ("GET", 302, "ftp://api.example/records", "failed refused-url"),
        ("GET", 302, "https://user:pw@api.example/records", "failed refused-url"),
        ("GET", 302, "https://api.example/records", "failed redirect-loop"),  // back to where it started
    ])
    func aRedirectIsFollowedOneHopAtATime(
        _ method: String, _ status: Int, _ location: String,
        _ expected: String
    ) throws {
        var source = SourceDefinition(id: "api", format: .boampJSON, url: "https://api.example/records")
        source.method = method
        if method == "POST" { source.body = "{\"q\":1}" }
        var job = SourceJobTests.job(source)
        let request = try SourceJobTests.firstRequest(&job)
        var budget = 10
        let step = job.complete(
            TransferOutcome(request: request, status: status, headers: ["location": location]),
            at: SourceJobTests.now, retryBudget: &budget, jitter: 0)
        switch step {
        case .request(let next, _):
            #expect("\(next.method) \(next.url)" == expected)
            #expect(next.pageIndex == request.pageIndex)
            if next.method == "GET" {
                #expect(next.body == nil)
                #expect(!next.headers.contains { $0.name.lowercased() == "content-type" })
            } else {
                #expect(next.body == request.body)
            }
        case .done(let result):
            #expect("failed \(result.outcome.error?.reason ?? "?")" == expected)
            #expect(result.documents.isEmpty)
        }
    }

    @Test(arguments: [
        // (URL of a request, whether the credential goes with it)
        ("https://api.example/records?offset=100", true),
        ("https://API.example:443/v2/records", true),  // the same origin, written otherwise
        ("https://api.example:8443/records", false),  // another port
        ("http://api.example/records", false),  // another scheme: never in clear
        ("https://cdn.api.example/records", false),  // another host, even a subdomain
        ("https://api.example.evil.test/records", false),
    ])
    func theWireRequestCarriesTheCredentialOnlyToItsOrigin(_ url: String, _ withCredential: Bool) throws {
        var source = SourceDefinition(id: "api", format: .boampJSON, url: "https://api.example/records")
        source.auth = AuthSpec(env: "K", header: "X-Api-Key")
        var job = SourceJob(
            index: 0, source: source, previous: SourceState(sourceID: "api"),
            environment: ["K": "key-1"], retry: RetryPolicy(), now: SourceJobTests.now)
        var request = try SourceJobTests.firstRequest(&job)
        #expect(request.headers.isEmpty)  // the job's own request never holds the key
        request.url = url
        let wire = job.wire(request)
        #expect(wire.headers.contains(QueryParameter("X-Api-Key", "key-1")) == withCredential)
        #expect(wire.url == url)
    }
}
