import Foundation
import TestSupport
import Testing

@testable import VigieCLI

/// `vigie init DIR`: a configuration folder that lints, checks and runs as written, never written over.
@Suite struct InitCommandTests {
    @Test func theFolderWrittenLintsChecksAndRuns() throws {
        let scratch = try VigieProcess.Scratch("init")
        let dir = scratch.path("conf")
        let initResult = try VigieProcess.vigie([
            "init", dir, "--cluster-id", "grappe-test", "--name", "Grappe d'essai", "--json",
        ])
        #expect(initResult.status == 0, "\(initResult.stderr)")
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(initResult.stdout.utf8)) as? [String: Any],
            "\(initResult.stdout)")
        let written = Set(try #require(json["written"] as? [String]))
        #expect(json["kept"] as? [String] == [])
        for relative in [
            "rules/grappe-test.yaml", "feeds/boamp-api.yaml", "feeds/ted-search-api.yaml",
            "feeds/decp-consolidated.yaml", "feeds/eu-funding-tenders.yaml", "feeds/aides-territoires.yaml",
            "vigie.env.example", "README.md",
        ] {
            #expect(written.contains("\(dir)/\(relative)"), "\(relative) not listed")
            #expect(FileManager.default.fileExists(atPath: "\(dir)/\(relative)"), "\(relative) not written")
        }
        // The demo catalogue is not copied.
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/feeds/demo.yaml"))

        let lint = try VigieProcess.vigie(["rules", "lint", "\(dir)/rules"])
        #expect(lint.status == 0, "lint: \(lint.stdout)\(lint.stderr)")
        let check = try VigieProcess.vigie(["sources", "check", "--feeds", "\(dir)/feeds"])
        #expect(check.status == 0, "sources check: \(check.stdout)\(check.stderr)")

        // The source that needs a key is there, disabled, naming its variable; the env example lists it.
        let keyed = try String(contentsOfFile: "\(dir)/feeds/aides-territoires.yaml", encoding: .utf8)
        #expect(keyed.hasSuffix("enabled: false\n"))
        #expect(keyed.hasPrefix("# DÉSACTIVÉE tant que sa clé manque : mettre la clé dans AIDES_TERRITOIRES_KEY"))
        let env = try String(contentsOfFile: "\(dir)/vigie.env.example", encoding: .utf8)
        for variable in ["VIGIE_SMTP_URL=", "VIGIE_SMTP_PASSWORD=", "AIDES_TERRITOIRES_KEY="] {
            #expect(env.contains("\n\(variable)"), "vigie.env.example lacks \(variable)")
        }
        let readme = try String(contentsOfFile: "\(dir)/README.md", encoding: .utf8)
        for command in [
            "vigie rules lint \(dir)/rules", "vigie sources check --feeds \(dir)/feeds", "--first-night", "--send",
            "vigie send --store",
        ] {
            #expect(readme.contains(command), "README.md lacks \(command)")
        }

        // A run on the new folder, not fetching, on an empty store: it runs and names the cluster.
        let run = try VigieProcess.vigie([
            "run", "--feeds", "\(dir)/feeds", "--rules", "\(dir)/rules", "--no-fetch", "--store",
            scratch.path("vigie.sqlite"), "--out", scratch.path("digests"), "--now", "2026-11-24T02:00:00Z",
        ])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("grappe-test:"), "\(run.stdout)")
        #expect(run.stdout.contains("première nuit"), "\(run.stdout)")
    }

    @Test func theCatalogueEntriesAreTheRepositorysFiles() throws {
        let feeds = VigieProcess.packageRoot.appendingPathComponent("Feeds")
        #expect(InitCatalogue.entries.count == 5)
        for entry in InitCatalogue.entries {
            let file = try String(contentsOf: feeds.appendingPathComponent(entry.file), encoding: .utf8)
            #expect(entry.text == file, "\(entry.file) drifted from Feeds/\(entry.file): regenerate InitCatalogue")
            // Enabled in the repository; a key is needed exactly when the file says `auth: env:`.
            #expect(!file.contains("\nenabled: false"))
            let needsKey = file.contains("\nauth:\n  env: ")
            #expect(needsKey == (entry.keyVariable != nil), "\(entry.file)")
            if let variable = entry.keyVariable { #expect(file.contains("env: \(variable)\n")) }
        }
    }

    @Test func aFolderNotEmptyIsRefusedAndLeftAlone() throws {
        let scratch = try VigieProcess.Scratch("init-refused")
        let dir = try scratch.write("mes notes\n", to: "conf/notes.txt")
        let folder = (dir as NSString).deletingLastPathComponent
        let result = try VigieProcess.vigie(["init", folder])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("notes.txt"), "\(result.stderr)")
        #expect(result.stderr.contains("--force"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["notes.txt"])
    }

    @Test func forceWritesOnlyWhatIsMissing() throws {
        let scratch = try VigieProcess.Scratch("init-force")
        let mine = try scratch.write("mon README\n", to: "conf/README.md")
        let folder = (mine as NSString).deletingLastPathComponent
        let result = try VigieProcess.vigie(["init", folder, "--force", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(json["kept"] as? [String] == [mine])
        #expect(try String(contentsOfFile: mine, encoding: .utf8) == "mon README\n")
        #expect(FileManager.default.fileExists(atPath: "\(folder)/rules/mon-pole.yaml"))
    }

    @Test func aBadClusterIDGetsTheUsage() throws {
        #expect(throws: (any Error).self) { _ = try Vigie.parseAsRoot(["init", "/tmp/x", "--cluster-id", "Mon Pôle"]) }
    }
}
