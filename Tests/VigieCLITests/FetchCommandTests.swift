import ArgumentParser
import Foundation
import TestSupport
import Testing

@testable import VigieCLI

/// `vigie fetch`: the demo catalogue fetched offline (file:// sources), the per-source report as JSON, unknown
/// `--only` ids refused with the known ones, every stderr line in Vigie's one format.
@Suite struct FetchCommandTests {
    struct SourceReport: Decodable {
        var source: String
        var status: String
        var notices: Int
        var inserted: Int
        var duration_s: Double
    }

    static func scratch() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigie-fetch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.path
    }

    @Test func parsing() throws {
        let f = try #require(
            try Vigie.parseAsRoot([
                "fetch", "--feeds", "Feeds/demo.yaml", "--store", "s.sqlite", "--only", "a", "b",
                "--json",
            ]) as? Vigie.Fetch)
        #expect(f.feeds.feeds == "Feeds/demo.yaml" && f.store.store == "s.sqlite" && f.output.json)
        #expect(f.only == ["a", "b"])
        #expect(throws: (any Error).self) { try Vigie.parseAsRoot(["fetch", "--concurrency", "0"]) }
    }

    @Test func demoCatalogueOfflineAsJSON() throws {
        let dir = try Self.scratch()
        let r = try VigieProcess.vigie(["fetch", "--feeds", "Feeds/demo.yaml", "--store", dir + "/s.sqlite", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let reports = try JSONDecoder().decode([SourceReport].self, from: r.stdoutBytes)
        #expect(reports.map(\.source) == (try DemoStore.catalogueIDs()))
        #expect(reports.allSatisfy { $0.status == "ok" && $0.notices > 0 && $0.inserted == $0.notices })
        #expect(DemoStore.linesOutOfFormat(r.stderr).isEmpty, "\(r.stderr)")
        // The notices are in the store: query finds each source's.
        let q = try VigieProcess.vigie([
            "query", "--store", dir + "/s.sqlite", "--source", "demo-eforms-notice", "--json",
        ])
        #expect(q.status == 0, "\(q.stderr)")
    }

    @Test func textReportAndOneStderrFormat() throws {
        let dir = try Self.scratch()
        let r = try VigieProcess.vigie(["fetch", "--feeds", "Feeds/demo.yaml", "--store", dir + "/s.sqlite"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n")
        let ids = try DemoStore.catalogueIDs()
        #expect(lines.count == ids.count + 1)
        #expect(lines.last?.hasPrefix("\(ids.count) sources: \(ids.count) ok or not modified") == true)
        #expect(DemoStore.linesOutOfFormat(r.stderr).isEmpty, "\(r.stderr)")
    }

    @Test func unknownOnlyListsTheKnownOnes() throws {
        let dir = try Self.scratch()
        let r = try VigieProcess.vigie([
            "fetch", "--feeds", "Feeds/demo.yaml", "--store", dir + "/s.sqlite", "--only",
            "demo-ted-search", "ted", "boamp",
        ])
        #expect(r.status == 2)
        let known = try DemoStore.catalogueIDs().sorted().joined(separator: ", ")
        #expect(r.stderr == "vigie fetch: unknown sources ted, boamp (known: \(known))\n")
        // Refused before anything was opened: no store, no lock file left in the folder.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
    }

    @Test func aBrokenCatalogueFetchesNothing() throws {
        let dir = try Self.scratch()
        let catalogue = dir + "/bad.yaml"
        try Data("sources:\n  - id: x\n    kind: tenders\n".utf8).write(to: URL(fileURLWithPath: catalogue))
        let r = try VigieProcess.vigie(["fetch", "--feeds", catalogue, "--store", dir + "/s.sqlite"])
        #expect(r.status == 2)
        #expect(DemoStore.linesOutOfFormat(r.stderr).isEmpty, "\(r.stderr)")
        #expect(r.stderr.contains("vigie fetch: error: "))
        #expect(
            r.stderr.hasSuffix(
                "vigie fetch: the catalogue has \(r.stderr.components(separatedBy: "vigie fetch: error: ").count - 1) error(s); nothing fetched\n"
            ))
        #expect(!FileManager.default.fileExists(atPath: dir + "/s.sqlite"))
    }

    /// Failing sources: the fetcher's own log lines (retries, debug) come out in the command's format too.
    @Test func failingSourcesLogInOneFormat() throws {
        let dir = try Self.scratch()
        let catalogue = dir + "/cat.yaml"
        // Port 9 on loopback (discard) refuses connections: a transport failure, retried, without the network.
        try Data(
            """
            sources:
              - id: refused
                name: Refused
                owner: Test
                kind: tenders
                format: rss
                url: http://127.0.0.1:9/feed.xml
                licence: Test
              - id: missing-file
                name: Missing file
                owner: Test
                kind: tenders
                format: rss
                url: file://nothing-here.xml
                licence: Test
            """.utf8
        ).write(to: URL(fileURLWithPath: catalogue))
        let r = try VigieProcess.vigie(
            ["fetch", "--feeds", catalogue, "--store", dir + "/s.sqlite"], environment: ["VIGIE_LOG_LEVEL": "debug"])
        #expect(r.status == 1, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("2 failed"))
        #expect(r.stderr.contains("vigie fetch: retrying "), "\(r.stderr)")
        #expect(r.stderr.contains("vigie fetch: debug: fetch start "), "\(r.stderr)")
        #expect(r.stderr.contains("source.id=refused"))
        // One error line per failed source, naming it.
        let errors = r.stderr.split(separator: "\n").filter { $0.hasPrefix("vigie fetch: error: ") }
        #expect(errors.count == 2, "\(r.stderr)")
        #expect(errors.contains { $0.contains("reason=connection") && $0.hasSuffix("source.id=refused") })
        #expect(errors.contains { $0.contains("nothing-here.xml") && $0.hasSuffix("source.id=missing-file") })
        #expect(DemoStore.linesOutOfFormat(r.stderr).isEmpty, "\(r.stderr)")
    }
}
