import Foundation
import Notices
import TestSupport
import Testing
@testable import Fetcher

/// The catalogue schema: every error names the file, the line and the key; the real Feeds/ passes.
@Suite struct SourceCatalogueTests {
    /// The package root.
    static let packageRoot = SharedData.packageRoot.path

    static let minimal = """
        id: loire-rss
        name: Marchés Loire
        owner: Département de la Loire
        kind: tenders
        format: rss
        url: https://marches.loire.example/rss.xml
        licence: Licence Ouverte 2.0
        """

    @Test func minimalSourceHasDefaults() throws {
        let defs = try SourceCatalogue.parse(yaml: Self.minimal, file: "/feeds/loire-rss.yaml")
        let def = try #require(defs.first)
        #expect(def.id == "loire-rss")
        #expect(def.format == .rss)
        #expect(def.method == "GET")
        #expect(def.paging == .none)
        #expect(def.confirmed)
        #expect(def.enabled)
        #expect(def.host == "marches.loire.example")
        #expect(def.politeness == Politeness())
    }

    @Test func fullSourceIsRead() throws {
        let yaml = """
            id: boamp-api
            name: BOAMP
            owner: DILA
            kind: tenders
            format: boamp-json
            url: https://boamp.example/records
            query:
              where: "dateparution >= date'{cursor}'"
              order_by: dateparution asc, idweb asc
            paging:
              scheme: offset-limit
              page_size: 50
              max_offset: 10000
            cursor:
              field: dateparution
              first_night_days: 3
              template: date
              order: oldest-first
            auth:
              env: BOAMP_KEY
              query_param: apikey
              optional: true
              exchange:
                url: https://boamp.example/login
                header: X-AUTH-TOKEN
            politeness:
              max_concurrent: 1
              delay_ms: 1500
            max_body_bytes: 1048576
            timeout_s: 600
            licence: Licence Ouverte / Etalab 2.0
            confirmed: false
            evidence: no capture of this host
            note: to verify
            """
        let def = try #require(try SourceCatalogue.parse(yaml: yaml, file: "boamp-api.yaml").first)
        #expect(
            def.query == [
                QueryParameter("where", "dateparution >= date'{cursor}'"),
                QueryParameter("order_by", "dateparution asc, idweb asc"),
            ])
        #expect(def.evidence == "no capture of this host")
        guard case .offsetLimit(let scheme) = def.paging else {
            Issue.record("expected offset-limit paging")
            return
        }
        #expect(scheme.pageSize == 50)
        #expect(
            def.cursor
                == CursorSpec(
                    field: "dateparution", firstNightDays: 3, template: .date,
                    order: .oldestFirst))
        #expect(
            def.auth
                == AuthSpec(
                    env: "BOAMP_KEY", queryParam: "apikey", optional: true,
                    exchange: TokenExchange(
                        url: "https://boamp.example/login",
                        header: "X-AUTH-TOKEN", tokenKey: "token")))
        #expect(def.politeness == Politeness(maxConcurrent: 1, delay: 1.5))
        #expect(def.maxBodyBytes == 1_048_576)
        #expect(def.timeout == 600)
        #expect(!def.confirmed)
    }

    @Test func sharedPagingKeysOverrideEachSchemesDefaults() throws {
        func paging(_ lines: String) throws -> PagingScheme {
            try #require(try SourceCatalogue.parse(yaml: Self.minimal + "\npaging:\n" + lines, file: "a.yaml").first)
                .paging
        }
        var offset = PagingScheme.OffsetLimit()
        offset.resultsKey = "rows"
        offset.totalKey = "n"
        offset.maxPages = 7
        #expect(
            try paging("  scheme: offset-limit\n  results_key: rows\n  total_key: n\n  max_pages: 7")
                == .offsetLimit(offset))
        var pages = PagingScheme.PageNumber()
        pages.maxPages = 3
        #expect(try paging("  scheme: page-number\n  max_pages: 3") == .pageNumber(pages))
        var link = PagingScheme.NextLink()
        link.resultsKey = "items"
        link.totalKey = "total"
        #expect(try paging("  scheme: next-link\n  results_key: items\n  total_key: total") == .nextLink(link))
    }

    struct ErrorCase: Sendable, CustomStringConvertible {
        var name: String
        var yaml: String
        var line: Int?
        var key: String?
        var fragment: String
        var description: String { name }
    }

    static let errorCases: [ErrorCase] = [
        ErrorCase(
            name: "unknown format", yaml: minimal.replacingOccurrences(of: "format: rss", with: "format: rss2"),
            line: 5, key: "format", fragment: "'rss2' is not one of"),
        ErrorCase(
            name: "typo in a key", yaml: minimal + "\npoliteness:\n  max_concurent: 2", line: 9,
            key: "politeness.max_concurent", fragment: "unknown key"),
        ErrorCase(
            name: "typo in a source key", yaml: minimal + "\nlicense: MIT", line: 8, key: "license",
            fragment: "unknown key (expected one of: auth, body,"),
        ErrorCase(
            name: "missing licence",
            yaml: minimal.replacingOccurrences(of: "licence: Licence Ouverte 2.0", with: ""),
            line: 1, key: "licence", fragment: "is required"),
        ErrorCase(
            name: "page size not a number",
            yaml: minimal + "\npaging:\n  scheme: offset-limit\n  page_size: cent", line: 10,
            key: "paging.page_size", fragment: "must be an integer"),
        ErrorCase(
            name: "unknown paging scheme", yaml: minimal + "\npaging:\n  scheme: cursor", line: 9,
            key: "paging.scheme", fragment: "'cursor' is not one of"),
        ErrorCase(
            name: "secret in headers",
            yaml: minimal + "\nheaders:\n  Authorization: Bearer abc", line: 8, key: "headers",
            fragment: "credentials never go in the catalogue"),
        ErrorCase(
            name: "secret instead of a variable name",
            yaml: minimal + "\nauth:\n  env: eyJhbGciOi.secret\n  header: Authorization", line: 9,
            key: "auth.env", fragment: "never the secret"),
        ErrorCase(
            name: "query in the URL",
            yaml: minimal.replacingOccurrences(of: "rss.xml", with: "rss.xml?page=1"), line: 6, key: "url",
            fragment: "put query parameters under `query:`"),
        ErrorCase(
            name: "body on GET", yaml: minimal + "\nbody: '{}'", line: 8, key: "method",
            fragment: "need method: POST"),
        ErrorCase(
            name: "cursor without paging",
            yaml: minimal + "\ncursor:\n  field: date", line: 8, key: "cursor",
            fragment: "needs a paging scheme"),
        ErrorCase(
            name: "a start date in the catalogue",
            yaml: minimal + "\npaging:\n  scheme: offset-limit\ncursor:\n  field: date\n  initial: '2026-01-01'",
            line: 12, key: "cursor.initial", fragment: "first_night_days"),
        ErrorCase(
            name: "unknown cursor order",
            yaml: minimal + "\npaging:\n  scheme: offset-limit\ncursor:\n  field: date\n  order: random",
            line: 12, key: "cursor.order", fragment: "oldest-first, newest-first"),
        ErrorCase(
            name: "unconfirmed without evidence", yaml: minimal + "\nconfirmed: false", line: 8,
            key: "evidence", fragment: "needs `evidence:`"),
        ErrorCase(
            name: "bad id", yaml: minimal.replacingOccurrences(of: "id: loire-rss", with: "id: Loire RSS"),
            line: 1, key: "id", fragment: "lower-case letters"),
        ErrorCase(
            name: "YAML syntax", yaml: "id: [unclosed\nname: x", line: 2, key: nil,
            fragment: "YAML syntax"),
        ErrorCase(
            name: "iteration token without a JSON body",
            yaml: minimal + "\nmethod: POST\nbody: 'query=x'\npaging:\n  scheme: iteration-token", line: 9,
            key: "body", fragment: "needs a JSON object body"),
        ErrorCase(
            name: "placeholder without a cursor",
            yaml: minimal + "\nquery:\n  since: '{cursor}'", line: 8, key: "cursor",
            fragment: "no `cursor:`"),
        ErrorCase(
            name: "daily issue without {issue}",
            yaml: minimal + "\npaging:\n  scheme: daily-issue\n  initial: '202600227'", line: 6, key: "url",
            fragment: "needs `{issue}` in the URL"),
        ErrorCase(
            name: "bad initial issue",
            yaml: minimal.replacingOccurrences(of: "rss.xml", with: "{issue}")
                + "\npaging:\n  scheme: daily-issue\n  initial: '2026-227'", line: 10, key: "paging.initial",
            fragment: "YYYYNNNNN"),
        ErrorCase(
            name: "kind", yaml: minimal.replacingOccurrences(of: "kind: tenders", with: "kind: grants"),
            line: 4, key: "kind", fragment: "'grants' is not one of: tenders, calls-for-projects, awards"),
    ]

    @Test(arguments: errorCases)
    func errorsNameFileLineAndKey(_ c: ErrorCase) {
        do {
            _ = try SourceCatalogue.parse(yaml: c.yaml, file: "Feeds/loire-rss.yaml")
            Issue.record("expected an error")
        } catch let error as FetcherError {
            guard case .catalogue(let file, let line, let key, let message) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(file == "Feeds/loire-rss.yaml")
            #expect(line == c.line)
            #expect(key == c.key)
            #expect(message.contains(c.fragment), "\(message)")
            #expect(error.description.hasPrefix("fetcher: Feeds/loire-rss.yaml:\(c.line.map(String.init) ?? "")"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func duplicateIDsAcrossFilesAreErrors() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigie-cat-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.minimal.write(to: dir.appendingPathComponent("a.yaml"), atomically: true, encoding: .utf8)
        try Self.minimal.write(to: dir.appendingPathComponent("b.yaml"), atomically: true, encoding: .utf8)
        try "not: [valid".write(to: dir.appendingPathComponent("c.yaml"), atomically: true, encoding: .utf8)
        let report = SourceCatalogue.check(path: dir.path)
        #expect(report.sources.count == 1)
        #expect(report.errors.count == 2)
        #expect(report.errors.contains { $0.description.contains("duplicate source id 'loire-rss'") })
        #expect(report.errors.contains { $0.description.contains("c.yaml") })
        #expect(throws: FetcherError.self) { try SourceCatalogue.load(directory: dir.path) }
    }

    @Test func aCursorWhoseOrderDoesNotFitTheRequestIsWarnedAbout() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigie-cat-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func warnings(_ query: String, order: String) throws -> [String] {
            let yaml =
                Self.minimal + "\nquery:\n\(query)\npaging:\n  scheme: offset-limit\n"
                + "cursor:\n  field: dateparution\n  order: \(order)"
            try yaml.write(to: dir.appendingPathComponent("a.yaml"), atomically: true, encoding: .utf8)
            let report = SourceCatalogue.check(path: dir.path, environment: [:])
            #expect(report.errors.isEmpty, "\(report.errors)")
            return report.warnings
        }
        // Newest first without a server-side filter: the walk needs a descending sort to stop at the cursor.
        #expect(try warnings("  order_by: dateparution", order: "newest-first").contains { $0.contains("descending") })
        #expect(try warnings("  order_by: dateparution desc", order: "newest-first").isEmpty)
        // Oldest first needs a `>= cursor` window, and no descending sort.
        #expect(try warnings("  order_by: dateparution asc", order: "oldest-first").contains { $0.contains("window") })
        #expect(
            try warnings("  where: \"d >= '{cursor}'\"\n  order_by: d desc", order: "oldest-first")
                .contains { $0.contains("descending sort") })
        #expect(
            try warnings("  where: \"d >= '{cursor}'\"\n  order_by: d asc, idweb asc", order: "oldest-first")
                .isEmpty)
        // "desc" inside a field name (TED's description-lot) is not a sort order.
        #expect(
            try warnings("  where: \"d >= '{cursor}'\"\n  fields: description-lot", order: "oldest-first")
                .isEmpty)
    }

    @Test func theRealCatalogueIsValidAndCoversTheRequiredSources() throws {
        let report = SourceCatalogue.check(path: Self.packageRoot + "/Feeds", environment: [:])
        #expect(report.errors.isEmpty, "\(report.errors)")
        #expect(!report.warnings.contains { $0.contains("cursor") || $0.contains("descending") }, "\(report.warnings)")
        let ids = Set(report.sources.map(\.id))
        for required in [
            "boamp-api", "ted-search-api", "ted-daily-packages", "aides-territoires",
            "eu-funding-tenders", "les-aides-fr", "decp-consolidated",
        ] {
            #expect(ids.contains(required), "missing \(required)")
        }
        #expect(!ids.contains { $0.hasPrefix("demo-") }, "demo.yaml must not be loaded with the real sources")
        for source in report.sources {
            #expect(!source.licence.isEmpty && !source.owner.isEmpty)
            #expect(source.url.hasPrefix("https://"), "\(source.id): \(source.url)")
            #expect(source.evidence != nil, "\(source.id): say which real captures were checked, or why none")
        }
        // Sources with no evidence that they exist are not fetched.
        for id in ["place-rss", "region-paysdelaloire-rss"] where ids.contains(id) {
            let source = try #require(report.sources.first { $0.id == id })
            #expect(!source.enabled && !source.confirmed, "\(id)")
        }
        // The DECP source names a data file, not the dataset's HTML page.
        let decp = try #require(report.sources.first { $0.id == "decp-consolidated" })
        #expect(!decp.url.contains("/datasets/5cd57bf68b4c4179299eb0e9/"), "\(decp.url)")
        let boamp = try #require(report.sources.first { $0.id == "boamp-api" })
        guard case .offsetLimit(let scheme) = boamp.paging else {
            Issue.record("BOAMP pages by offset")
            return
        }
        #expect(scheme.pageSize == 100 && scheme.maxOffset == 10_000)
        #expect(boamp.query.contains { $0.name == "order_by" && $0.value == "dateparution asc, idweb asc" })
        #expect(boamp.cursor?.order == .oldestFirst)
        let ted = try #require(report.sources.first { $0.id == "ted-search-api" })
        #expect(ted.method == "POST" && ted.politeness.maxConcurrent == 1 && ted.politeness.delay >= 1)
    }

    @Test func demoCatalogueResolvesItsSamplesRelativeToItsFolder() throws {
        let catalogue = try SourceCatalogue.load(directory: Self.packageRoot + "/Feeds/demo.yaml")
        #expect(catalogue.sources.count >= 6)
        for source in catalogue.sources {
            #expect(source.url.hasPrefix("file://" + Self.packageRoot + "/Feeds/samples/"), "\(source.url)")
            let path = String(source.url.dropFirst("file://".count))
            #expect(FileManager.default.fileExists(atPath: path), "\(path)")
        }
    }

    @Test func demoSamplesFetchThroughLibcurlAndPassTheContentCheck() throws {
        let catalogue = try SourceCatalogue.load(directory: Self.packageRoot + "/Feeds/demo.yaml")
        let results = engine().fetch(catalogue.sources, states: [:])
        for result in results {
            #expect(result.outcome == .ok, "\(result.sourceID): \(result.outcome)")
            #expect(result.bytes > 1000)
        }
    }
}
