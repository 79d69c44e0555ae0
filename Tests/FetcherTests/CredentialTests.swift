import Foundation
import Logging
import LoopbackHTTP
import Notices
import Testing
@testable import Fetcher

/// Every log line the engine writes, kept for a grep (debug level: each request's URL is logged).
final class CapturedLog: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []

    func append(_ line: String) {
        lock.lock(); defer { lock.unlock() }
        lines.append(line)
    }

    var all: [String] {
        lock.lock(); defer { lock.unlock() }
        return lines
    }

    var logger: Logger {
        var logger = Logger(label: "vigie.fetcher.captured") { _ in CapturingHandler(log: self) }
        logger.logLevel = .trace
        return logger
    }
}

struct CapturingHandler: LogHandler {
    let log: CapturedLog
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(
        level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String,
        file: String, function: String, line: UInt
    ) {
        let meta = (metadata ?? [:]).map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " ")
        log.append("\(level) \(message) \(meta)")
    }
}

/// Every text of a result that can leave the fetcher: documents' URLs (stored as `raw_document.url`),
/// warnings, the error's description, the state's `lastError`.
func outgoingTexts(_ result: SourceFetchResult) -> [String] {
    result.documents.map(\.url) + result.warnings + [
        result.outcome.error?.description ?? "",
        result.state.lastError ?? "",
    ]
}

/// Credentials go only to the origin the catalogue configured them for, and never come back out in a text.
/// "Another host" is a second loopback server on 127.0.0.2 (or `localhost`): libcurl and the fetcher compare
/// hosts by name, so both are other origins than 127.0.0.1.
@Suite struct CredentialTests {
    static let key = "s3cr3t-K3Y/planted+value"

    static func configuration(_ environment: [String: String]) -> FetchConfiguration {
        var configuration = testConfiguration(maxAttempts: 1)
        configuration.transport.noProxy = "127.0.0.1,127.0.0.2,localhost"
        configuration.environment = environment
        return configuration
    }

    static func feed(_ server: LoopbackServer, _ auth: AuthSpec) -> SourceDefinition {
        var source = rssSource("feed", server)
        source.auth = auth
        return source
    }

    static let headerSchemes: [AuthSpec] = [
        AuthSpec(env: "VIGIE_KEY", header: "Authorization", scheme: "Bearer"),
        AuthSpec(env: "VIGIE_KEY", header: "X-Api-Key"),
        AuthSpec(env: "VIGIE_KEY", header: "X-AUTH-TOKEN"),
    ]

    @Test(arguments: headerSchemes)
    func aHeaderCredentialIsNotSentToAnotherHostAfterARedirect(_ auth: AuthSpec) throws {
        let home = try LoopbackServer()
        let other = try LoopbackServer(host: "127.0.0.2")
        defer { home.stop(); other.stop() }
        home.route("/feed", .always(.redirect(to: other.url("/moved"))))
        other.route("/moved", .always(.ok(sampleRSS)))
        let result = try #require(
            engine(Self.configuration(["VIGIE_KEY": Self.key]))
                .fetch([Self.feed(home, auth)], states: [:]).first)
        #expect(result.outcome == .ok)
        let header = try #require(auth.header)
        let sent = auth.scheme.map { "\($0) \(Self.key)" } ?? Self.key
        // The configured host got the credential; the host the redirect named did not.
        #expect(home.requests(for: "/feed").first?.header(header) == sent)
        let moved = try #require(other.requests(for: "/moved").first)
        #expect(moved.header(header) == nil)
        #expect(!moved.headers.contains { $0.1.contains(Self.key) })
        #expect(result.documents.first?.url == other.url("/moved"))
    }

    @Test func aBearerTokenIsNotSentToLocalhostAfterARedirectFrom127001() throws {
        // Same server, same port, another host name: another origin.
        let server = try LoopbackServer()
        defer { server.stop() }
        server.route("/feed", .always(.redirect(to: "http://localhost:\(server.port)/moved")))
        server.route("/moved", .always(.ok(sampleRSS)))
        let source = Self.feed(server, AuthSpec(env: "VIGIE_KEY", header: "Authorization", scheme: "Bearer"))
        let result = try #require(
            engine(Self.configuration(["VIGIE_KEY": Self.key]))
                .fetch([source], states: [:]).first)
        #expect(result.outcome == .ok)
        #expect(server.requests(for: "/feed").first?.header("authorization") == "Bearer \(Self.key)")
        #expect(server.requests(for: "/moved").first?.header("authorization") == nil)
    }

    @Test func aBearerTokenIsKeptOnARedirectWithinItsOrigin() throws {
        let server = try LoopbackServer()
        defer { server.stop() }
        server.route("/feed", .always(.redirect(to: "/moved", status: 301)))
        server.route("/moved", .always(.ok(sampleRSS)))
        let source = Self.feed(server, AuthSpec(env: "VIGIE_KEY", header: "Authorization", scheme: "Bearer"))
        let result = try #require(
            engine(Self.configuration(["VIGIE_KEY": Self.key]))
                .fetch([source], states: [:]).first)
        #expect(result.outcome == .ok)
        #expect(server.requests(for: "/moved").first?.header("authorization") == "Bearer \(Self.key)")
    }

    @Test func aQueryKeyIsNotSentToAnotherHostEvenWhenTheRedirectEchoesIt() throws {
        let home = try LoopbackServer()
        let other = try LoopbackServer(host: "127.0.0.2")
        defer { home.stop(); other.stop() }
        home.route(
            "/feed",
            Route { request in
                // A hostile (or careless) server copies the whole query, key included, into the Location.
                .redirect(to: other.url("/moved") + "?" + request.query)
            })
        other.route("/moved", .always(.ok(sampleRSS)))
        let source = Self.feed(home, AuthSpec(env: "VIGIE_KEY", queryParam: "apiKey"))
        let result = try #require(
            engine(Self.configuration(["VIGIE_KEY": Self.key]))
                .fetch([source], states: [:]).first)
        #expect(result.outcome == .ok)
        #expect(home.requests(for: "/feed").first?.queryValue("apiKey") == Self.key)
        let moved = try #require(other.requests(for: "/moved").first)
        #expect(moved.queryValue("apiKey") == nil)
        #expect(moved.target.removingPercentEncoding?.contains(Self.key) == false)
        for text in outgoingTexts(result) { #expect(!text.contains(Self.key), "\(text)") }
    }

    /// aides-territoires: a long-lived key (`X-AUTH-TOKEN`) exchanged for a JWT sent as a Bearer token.
    @Test func neitherTheKeyNorTheTokenGoesToAnotherHostThroughANextLink() throws {
        let home = try LoopbackServer()
        let other = try LoopbackServer(host: "127.0.0.2")
        defer { home.stop(); other.stop() }
        home.route(
            "/api/connexion/",
            Route { request in
                guard request.header("x-auth-token") == Self.key else { return .status(401) }
                return .ok("{\"token\":\"jwt-planted-token\"}", contentType: "application/json")
            })
        home.route(
            "/api/aids/",
            .always(
                .ok(
                    "{\"count\":2,\"next\":\"\(other.url("/api/aids/"))?page=2\",\"results\":[{\"id\":1}]}",
                    contentType: "application/json")))
        other.route(
            "/api/aids/",
            .always(
                .ok(
                    "{\"count\":2,\"next\":null,\"results\":[{\"id\":2}]}",
                    contentType: "application/json")))
        var source = SourceDefinition(
            id: "aids", format: .aidesTerritoiresJSON, url: home.url("/api/aids/"),
            paging: .nextLink(PagingScheme.NextLink()))
        source.auth = AuthSpec(
            env: "AT_KEY", header: "Authorization", scheme: "Bearer",
            exchange: TokenExchange(url: home.url("/api/connexion/"), header: "X-AUTH-TOKEN"))
        let result = try #require(
            engine(Self.configuration(["AT_KEY": Self.key]))
                .fetch([source], states: [:]).first)
        #expect(result.outcome == .ok)
        #expect(result.documents.count == 2)
        #expect(home.requests(for: "/api/aids/").first?.header("authorization") == "Bearer jwt-planted-token")
        let elsewhere = try #require(other.requests(for: "/api/aids/").first)
        #expect(elsewhere.header("authorization") == nil)
        #expect(elsewhere.header("x-auth-token") == nil)
        #expect(result.warnings.contains { $0.contains("another origin") && $0.contains("without the credential") })
    }

    @Test func theExchangeKeyIsNotSentToAnotherHostWhenTheExchangeRedirects() throws {
        let home = try LoopbackServer()
        let other = try LoopbackServer(host: "127.0.0.2")
        defer { home.stop(); other.stop() }
        home.route("/api/connexion/", .always(.redirect(to: other.url("/login"), status: 307)))
        other.route("/login", .always(.status(401)))
        var source = SourceDefinition(
            id: "aids", format: .aidesTerritoiresJSON, url: home.url("/api/aids/"),
            paging: .nextLink(PagingScheme.NextLink()))
        source.auth = AuthSpec(
            env: "AT_KEY", header: "Authorization", scheme: "Bearer",
            exchange: TokenExchange(url: home.url("/api/connexion/"), header: "X-AUTH-TOKEN"))
        let result = try #require(
            engine(Self.configuration(["AT_KEY": Self.key]))
                .fetch([source], states: [:]).first)
        #expect(home.requests(for: "/api/connexion/").first?.header("x-auth-token") == Self.key)
        let login = try #require(other.requests(for: "/login").first)
        #expect(login.method == "POST")  // 307 keeps the method
        #expect(login.header("x-auth-token") == nil)
        #expect(result.outcome.error?.reason == "authentication")
    }

    /// The planted key is grepped in every text the fetcher hands out and every log line it writes, over a
    /// run where the server echoes it back in a `next` link, in an HTML error page, and in a failing URL.
    @Test func aPlantedKeyAppearsInNoResultNoErrorNoStateAndNoLogLine() throws {
        let server = try LoopbackServer()
        defer { server.stop() }
        // Page 1 echoes the key in its next link (Django REST does echo the query); page 2 is fine.
        server.route(
            "/paged",
            Route { request in
                if request.queryValue("page") == "2" {
                    return .ok("{\"count\":2,\"next\":null,\"results\":[{\"id\":2}]}", contentType: "application/json")
                }
                let next = server.url("/paged") + "?" + request.query + "&page=2"
                return .ok(
                    "{\"count\":2,\"next\":\"\(next)\",\"results\":[{\"id\":1}]}", contentType: "application/json")
            })
        // A portal's login page that quotes the key it was given.
        server.route(
            "/html",
            Route { request in
                .ok(
                    "<html><body>key \(request.queryValue("apiKey") ?? "") refused</body></html>",
                    contentType: "text/html")
            })
        server.route("/down", .always(.status(503)))
        let auth = AuthSpec(env: "VIGIE_KEY", queryParam: "apiKey")
        var paged = SourceDefinition(
            id: "paged", format: .aidesTerritoiresJSON, url: server.url("/paged"),
            paging: .nextLink(PagingScheme.NextLink()), auth: auth)
        paged.politeness = Politeness(maxConcurrent: 8)
        var html = SourceDefinition(id: "html", format: .boampJSON, url: server.url("/html"), auth: auth)
        html.politeness = Politeness(maxConcurrent: 8)
        var down = SourceDefinition(id: "down", format: .rss, url: server.url("/down"), auth: auth)
        down.politeness = Politeness(maxConcurrent: 8)
        let log = CapturedLog()
        let fetcher = FetchEngine(configuration: Self.configuration(["VIGIE_KEY": Self.key]), logger: log.logger)
        let results = fetcher.fetch([paged, html, down], states: [:])

        #expect(results[0].outcome == .ok)
        #expect(results[0].documents.count == 2)
        #expect(results[0].documents[1].url.contains("apiKey=***"))
        #expect(results[1].outcome.error?.reason == "html-instead-of-data")
        #expect(results[1].outcome.error?.description.contains("key *** refused") == true)
        #expect(results[2].outcome.error?.reason == "http-status")
        // The key did travel, to its own host.
        #expect(server.requests.allSatisfy { $0.queryValue("apiKey") == Self.key })
        let encoded = Self.key.addingPercentEncoding(withAllowedCharacters: Pager.queryAllowed)!
        var leaks: [String] = []
        for text in results.flatMap(outgoingTexts) + log.all where text.contains(Self.key) || text.contains(encoded) {
            leaks.append(text)
        }
        #expect(leaks.isEmpty, "leaks: \(leaks)")
        #expect(!log.all.isEmpty)  // the grep saw the request lines
    }
}
