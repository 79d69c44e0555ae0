import Foundation
import Notices
import Testing
@testable import Fetcher

/// One redactor masks every secret of a source; the catalogue refuses what would put a secret (or an injected
/// header) on the wire.
@Suite struct RedactorTests {
    static func source(_ auth: AuthSpec?) -> SourceDefinition {
        SourceDefinition(id: "k", format: .boampJSON, url: "https://k.example/api", auth: auth)
    }

    @Test(arguments: [
        // (text, masked)
        ("https://k.example/api?apiKey=abc%2Fdef&limit=10", "https://k.example/api?apiKey=***&limit=10"),
        ("GET https://k.example/api?limit=10&apiKey=zzz-echoed", "GET https://k.example/api?limit=10&apiKey=***"),
        (
            "HTTP 500 from https://k.example/api?x=1 (key abc/def refused)",
            "HTTP 500 from https://k.example/api?x=1 (key *** refused)"
        ),
        ("https://bob:hunter2@k.example/api", "https://***@k.example/api"),
        (
            "see ftp://anon@files.example/x and https://k.example/ok",
            "see ftp://***@files.example/x and https://k.example/ok"
        ),
        // A parameter whose name merely ends the same way is left alone.
        ("https://k.example/api?notapiKey=1", "https://k.example/api?notapiKey=1"),
        ("mail me at someone@example.org", "mail me at someone@example.org"),
    ])
    func secretsAreMaskedWhereverTheyAppear(_ text: String, _ masked: String) {
        let redactor = Redactor(
            source: Self.source(AuthSpec(env: "K", queryParam: "apiKey")),
            environment: ["K": "abc/def"])
        #expect(redactor.redact(text) == masked)
    }

    @Test func anExchangedTokenIsMaskedOnceAdded() {
        let redactor = Redactor(
            source: Self.source(AuthSpec(env: "K", header: "X-AUTH-TOKEN")),
            environment: ["K": "long-lived"]
        )
        .adding("eyJhbGciOiJIUzI1NiJ9.payload.sig")
        #expect(
            redactor.redact("Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig; key long-lived")
                == "Bearer ***; key ***")
    }

    @Test func everyTextOfAnErrorIsMasked() {
        let redactor = Redactor(source: Self.source(AuthSpec(env: "K", queryParam: "key")), environment: ["K": "zz9"])
        let error = FetcherError.redirectLoop(
            source: "k",
            chain: ["https://a.example/?key=zz9", "https://b.example/zz9"])
        #expect(
            redactor.redact(error)
                == .redirectLoop(
                    source: "k",
                    chain: ["https://a.example/?key=***", "https://b.example/***"]))
        let html = FetcherError.htmlInsteadOfData(
            source: "k", url: "https://u:p@a.example/", expected: "JSON",
            snippet: "<html>zz9</html>")
        #expect(!redactor.redact(html).description.contains("zz9"))
        #expect(!redactor.redact(html).description.contains("u:p"))
    }

    @Test func aCatalogueRedactorMasksTheSecretsOfEverySource() {
        let a = SourceDefinition(
            id: "a", format: .rss, url: "https://a.example/",
            auth: AuthSpec(env: "A", header: "X-Key"))
        let b = SourceDefinition(
            id: "b", format: .rss, url: "https://b.example/",
            auth: AuthSpec(env: "B", queryParam: "token"))
        let redactor = Redactor(
            sources: [a, b],
            environment: ["A": "alpha-key", "B": "beta-key", "C": "not-a-secret"])
        #expect(
            redactor.redact("alpha-key beta-key not-a-secret https://c.example/?token=zz")
                == "*** *** not-a-secret https://c.example/?token=***")
    }

    @Test func aOneCharacterOrEmptyVariableMasksNothing() {
        let redactor = Redactor(source: Self.source(AuthSpec(env: "K", header: "X-Api-Key")), environment: ["K": "a"])
        #expect(redactor.redact("a banana") == "a banana")
    }

    // MARK: - Catalogue refusals

    static let minimal = SourceCatalogueTests.minimal

    @Test(
        arguments: [
            // (yaml, line, key, fragment)
            (
                minimal.replacingOccurrences(of: "https://marches", with: "https://bob:hunter2@marches"), 6, "url",
                "user:password@"
            ),
            (
                minimal + "\nheaders:\n  X-Trace: \"a\\r\\nX-Evil: 1\"", 9, "headers.X-Trace",
                "control character (U+000D)"
            ),
            (minimal + "\nheaders:\n  \"X-Tr\\nace\": ok", 9, "headers.X-Tr\\u{a}ace", "control character (U+000A)"),
            (minimal + "\nheaders:\n  Accept: \"json\\0\"", 9, "headers.Accept", "control character (U+0000)"),
            (
                minimal + "\nauth:\n  env: KEY\n  header: \"X-Key\\r\\nX-Evil: 1\"", 10, "auth.header",
                "control character"
            ),
            (
                minimal + "\nauth:\n  env: KEY\n  header: X-Key\n  exchange:\n    url: https://u:p@login.example/\n"
                    + "    header: X-AUTH-TOKEN", 12, "auth.exchange.url", "user:password@"
            ),
        ] as [(String, Int, String, String)])
    func credentialsInURLsAndControlCharactersInHeadersAreRefusedWithTheirLine(
        _ yaml: String, _ line: Int,
        _ key: String, _ fragment: String
    ) {
        do {
            _ = try SourceCatalogue.parse(yaml: yaml, file: "Feeds/loire-rss.yaml")
            Issue.record("expected a refusal")
        } catch let error as FetcherError {
            guard case .catalogue(let file, let errorLine, let errorKey, let message) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(file == "Feeds/loire-rss.yaml")
            #expect(errorLine == line)
            #expect(errorKey == key)
            #expect(message.contains(fragment), "\(message)")
            #expect(!error.description.contains("hunter2"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func sourcesCheckReportsTheRefusalsOfEveryFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigie-refuse-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let userInfo = Self.minimal.replacingOccurrences(of: "https://marches", with: "https://bob:pw@marches")
        let crlf =
            Self.minimal.replacingOccurrences(of: "loire-rss", with: "loire-crlf")
            + "\nheaders:\n  X-Trace: \"a\\r\\nX-Evil: 1\""
        try userInfo.write(to: dir.appendingPathComponent("a.yaml"), atomically: true, encoding: .utf8)
        try crlf.write(to: dir.appendingPathComponent("b.yaml"), atomically: true, encoding: .utf8)
        let report = SourceCatalogue.check(path: dir.path, environment: [:])
        #expect(report.sources.isEmpty)
        let messages = report.errors.map(\.description)
        #expect(messages.count == 2)
        #expect(messages.contains { $0.contains("a.yaml:6: key 'url'") && $0.contains("user:password@") })
        #expect(messages.contains { $0.contains("b.yaml:9: key 'headers.X-Trace'") && $0.contains("U+000D") })
        #expect(throws: FetcherError.self) { try SourceCatalogue.load(directory: dir.path) }
    }

    @Test func aCredentialOverPlainHTTPIsWarnedAbout() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigie-clear-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let yaml =
            Self.minimal.replacingOccurrences(of: "https://", with: "http://")
            + "\nauth:\n  env: LOIRE_KEY\n  header: X-Api-Key"
        try yaml.write(to: dir.appendingPathComponent("loire.yaml"), atomically: true, encoding: .utf8)
        let report = SourceCatalogue.check(path: dir.path, environment: ["LOIRE_KEY": "k"])
        #expect(report.errors.isEmpty)
        #expect(
            report.warnings.contains(
                "loire-rss: the credential in LOIRE_KEY is sent over http://, in clear: "
                    + "use https://"))
    }

    @Test func aTimeBudgetIsReadFromTheCatalogue() throws {
        let def = try #require(
            try SourceCatalogue.parse(
                yaml: Self.minimal + "\ntime_budget_s: 300",
                file: "Feeds/loire-rss.yaml"
            ).first)
        #expect(def.timeBudget == 300)
        #expect(throws: FetcherError.self) {
            try SourceCatalogue.parse(yaml: Self.minimal + "\ntime_budget_s: 0", file: "Feeds/loire-rss.yaml")
        }
    }
}
