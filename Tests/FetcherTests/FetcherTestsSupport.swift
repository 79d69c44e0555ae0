import Foundation
import Logging
import LoopbackHTTP
import Notices
import Testing
@testable import Fetcher

/// A fetch configuration with short timeouts and backoff so that fault tests take about a second.
func testConfiguration(maxAttempts: Int = 3) -> FetchConfiguration {
    var configuration = FetchConfiguration(maxConcurrent: 8, maxPerHost: 8)
    configuration.transport.connectTimeout = 2
    configuration.transport.totalTimeout = 5
    configuration.transport.lowSpeedLimit = 100
    configuration.transport.lowSpeedTime = 1
    configuration.transport.noProxy = "127.0.0.1,localhost"
    configuration.retry = RetryPolicy(
        maxAttempts: maxAttempts, baseDelay: 0.05, maxDelay: 0.2, maxRetryAfter: 5,
        runBudget: 20)
    configuration.environment = [:]
    return configuration
}

let testLogger = Logger(label: "vigie.fetcher.tests")

func engine(_ configuration: FetchConfiguration = testConfiguration()) -> FetchEngine {
    FetchEngine(configuration: configuration, logger: testLogger)
}

let sampleRSS = """
    <?xml version="1.0" encoding="UTF-8"?>
    <rss version="2.0"><channel><title>Marchés Loire</title><link>https://example.org/</link>
    <item><title>Usinage de pièces de robinetterie nucléaire</title><link>https://example.org/a/1</link></item>
    </channel></rss>
    """

/// An RSS source on the loopback server.
func rssSource(_ id: String, _ server: LoopbackServer, path: String? = nil) -> SourceDefinition {
    SourceDefinition(
        id: id, format: .rss, url: server.url(path ?? "/\(id)"),
        politeness: Politeness(maxConcurrent: 8, delay: 0))
}
