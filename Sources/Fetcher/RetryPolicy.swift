import Foundation

/// When and how long to wait before retrying: exponential backoff with full jitter, honouring `Retry-After`,
/// bounded per source (attempts) and per run (a shared budget), so that one sick host cannot eat the night.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts per request, the first included.
    public var maxAttempts: Int
    /// Delay before the first retry (doubled each time), before jitter.
    public var baseDelay: Double
    /// Longest backoff we compute.
    public var maxDelay: Double
    /// Longest `Retry-After` we honour by waiting; beyond it the source fails as rate limited for this run.
    public var maxRetryAfter: Double
    /// Retries allowed over the whole run, all sources together.
    public var runBudget: Int

    public init(
        maxAttempts: Int = 3, baseDelay: Double = 1, maxDelay: Double = 30, maxRetryAfter: Double = 120,
        runBudget: Int = 50
    ) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
        self.runBudget = runBudget
    }

    /// What to do after failed attempt number `attempt` (1-based).
    public enum Decision: Sendable, Hashable {
        case retry(after: Double)
        /// Attempts for this request are used up.
        case giveUp
        /// The server asks for a longer pause than one run may wait.
        case tooLongToWait(Double)
    }

    /// `jitter` is a number in [0, 1) (random in production, fixed in tests).
    public func decide(attempt: Int, retryAfter: Double?, jitter: Double) -> Decision {
        guard attempt < maxAttempts else { return .giveUp }
        if let retryAfter {
            if retryAfter > maxRetryAfter { return .tooLongToWait(retryAfter) }
            // The server said when; a little jitter still spreads the clients it told the same thing.
            return .retry(after: retryAfter + jitter * min(1, baseDelay))
        }
        let ceiling = min(maxDelay, baseDelay * pow(2, Double(attempt - 1)))
        // "Equal jitter": at least half the backoff, so retries are never immediate.
        return .retry(after: ceiling / 2 + jitter * ceiling / 2)
    }
}
