import ArgumentParser
import Foundation
import TestSupport
import Testing

@testable import VigieCLI

/// `vigie sources check`: the catalogue as a table or one JSON object, errors located on stderr in Vigie's format.
@Suite struct SourcesCommandTests {
    struct Report: Decodable {
        struct Source: Decodable {
            var id: String
            var kind: String
            var format: String
            var url: String
            var is_enabled: Bool
            var confirmed: Bool
        }
        struct Finding: Decodable {
            var file: String?
            var line: Int?
            var key: String?
            var message: String
        }
        var files: [String]
        var sources: [Source]
        var errors: [Finding]
        var warnings: [String]
    }

    @Test func parsing() throws {
        let c = try #require(
            try Vigie.parseAsRoot(["sources", "check", "--feeds", "Feeds/demo.yaml", "--json", "--only", "a", "b"])
                as? Vigie.Sources.Check)
        #expect(c.feeds.feeds == "Feeds/demo.yaml")
        #expect(c.output.json)
        #expect(c.only == ["a", "b"])
        // `vigie sources` alone is `vigie sources check`.
        #expect(try Vigie.parseAsRoot(["sources"]) is Vigie.Sources.Check)
    }

    @Test func demoCatalogueAsJSON() throws {
        let r = try VigieProcess.vigie(["sources", "check", "--feeds", "Feeds/demo.yaml", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let report = try JSONDecoder().decode(Report.self, from: r.stdoutBytes)
        #expect(report.sources.map(\.id) == (try DemoStore.catalogueIDs()))
        #expect(report.files == ["Feeds/demo.yaml"])
        #expect(report.errors.isEmpty)
        // Feeds/demo.yaml: the RSS sample of the buyers' platform, its file:// URL resolved against the catalogue's
        // folder as the fetcher reads it.
        let rss = try #require(report.sources.first { $0.id == "demo-acheteurs-rhone-loire" })
        #expect(rss.kind == "tenders" && rss.format == "rss")
        #expect(rss.url == "file://" + VigieProcess.packageRoot.path + "/Feeds/samples/acheteurs-rhone-loire.rss.xml")
        #expect(rss.is_enabled)
    }

    @Test func onlyNamesKnownSources() throws {
        let one = try VigieProcess.vigie([
            "sources", "check", "--feeds", "Feeds/demo.yaml", "--only", "demo-ted-search",
            "--json",
        ])
        #expect(one.status == 0)
        #expect(try JSONDecoder().decode(Report.self, from: one.stdoutBytes).sources.map(\.id) == ["demo-ted-search"])
        let r = try VigieProcess.vigie(["sources", "check", "--feeds", "Feeds/demo.yaml", "--only", "ted"])
        #expect(r.status == 2)
        let known = try DemoStore.catalogueIDs().sorted().joined(separator: ", ")
        #expect(r.stderr == "vigie sources check: unknown source ted (known: \(known))\n")
    }

    @Test func errorsAreLocatedOneFormat() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigie-sources-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("bad.yaml").path
        try Data(
            """
            sources:
              - id: x
                name: X
                owner: X
                kind: tenders
                format: rss
                url: https://example.org/x.xml
                licence: X
                pagng: none
            """.utf8
        ).write(to: URL(fileURLWithPath: file))
        let r = try VigieProcess.vigie(["sources", "check", "--feeds", file])
        #expect(r.status == 1)
        #expect(DemoStore.linesOutOfFormat(r.stderr).isEmpty, "\(r.stderr)")
        #expect(r.stderr.contains("vigie sources check: error: "))
        #expect(r.stderr.contains("\(file):9"), "\(r.stderr)")
        let json = try VigieProcess.vigie(["sources", "check", "--feeds", file, "--json"])
        #expect(json.status == 1)
        let report = try JSONDecoder().decode(Report.self, from: json.stdoutBytes)
        #expect(report.errors.first?.file == file)
        #expect(report.errors.first?.line == 9)
    }
}
