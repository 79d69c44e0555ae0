import ArgumentParser
import Foundation
import TestSupport
import Testing

@testable import VigieCLI

/// `vigie backup --json`: what was written.
@Suite struct BackupCommandTests {
    struct Written: Decodable {
        var store: String
        var destination: String
        var bytes: Int
    }

    @Test func parsing() throws {
        let b = try #require(
            try Vigie.parseAsRoot(["backup", "--store", "a.sqlite", "b.sqlite", "--json"]) as? Vigie.Backup)
        #expect(b.store.store == "a.sqlite" && b.destination == "b.sqlite" && b.output.json)
        #expect(throws: (any Error).self) { try Vigie.parseAsRoot(["backup", "--store", "a.sqlite"]) }
    }

    @Test func jsonSaysWhatWasWritten() throws {
        let demo = try DemoStore.get()
        let dest = demo.root + "/backup-\(UUID().uuidString).sqlite"
        let store = try DemoStore.copy()
        let r = try VigieProcess.vigie(["backup", "--store", store, dest, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let written = try JSONDecoder().decode(Written.self, from: r.stdoutBytes)
        #expect(written.store == store && written.destination == dest)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: dest)[.size] as? Int)
        #expect(written.bytes == size && size > 0)
        #expect(r.stderr == "vigie backup: \(store) -> \(dest) bytes=\(size)\n")
    }

    @Test func noStoreIsOneLine() throws {
        let r = try VigieProcess.vigie(["backup", "--store", "/nonexistent/vigie.sqlite", "/tmp/never.sqlite"])
        #expect(r.status == 2)
        #expect(r.stderr.hasPrefix("vigie backup: store: /nonexistent/vigie.sqlite: no such file"))
        #expect(r.stderr.split(separator: "\n").count == 1)
    }
}
