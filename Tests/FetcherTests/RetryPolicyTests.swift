import Foundation
import Notices
import Testing
@testable import Fetcher

@Suite struct RetryPolicyTests {
    let policy = RetryPolicy(maxAttempts: 4, baseDelay: 1, maxDelay: 5, maxRetryAfter: 60, runBudget: 10)

    @Test func backoffDoublesWithinJitterBounds() {
        // attempt n → ceiling min(5, 2^(n-1)); delay in [ceiling/2, ceiling).
        for (attempt, ceiling) in [(1, 1.0), (2, 2.0), (3, 4.0)] {
            #expect(policy.decide(attempt: attempt, retryAfter: nil, jitter: 0) == .retry(after: ceiling / 2))
            guard case .retry(let high) = policy.decide(attempt: attempt, retryAfter: nil, jitter: 0.999) else {
                Issue.record("expected a retry")
                continue
            }
            #expect(high < ceiling && high > ceiling * 0.99)
        }
    }

    @Test func attemptsAreBounded() {
        #expect(policy.decide(attempt: 4, retryAfter: nil, jitter: 0.5) == .giveUp)
        #expect(policy.decide(attempt: 4, retryAfter: 1, jitter: 0.5) == .giveUp)
    }

    @Test func retryAfterIsHonouredOrRefused() {
        #expect(policy.decide(attempt: 1, retryAfter: 10, jitter: 0) == .retry(after: 10))
        #expect(policy.decide(attempt: 1, retryAfter: 3600, jitter: 0) == .tooLongToWait(3600))
    }

    @Test func maxDelayCapsTheBackoff() {
        let long = RetryPolicy(maxAttempts: 20, baseDelay: 1, maxDelay: 5)
        #expect(long.decide(attempt: 12, retryAfter: nil, jitter: 0) == .retry(after: 2.5))
    }
}
