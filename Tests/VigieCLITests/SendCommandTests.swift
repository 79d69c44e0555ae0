import ArgumentParser
import Foundation
import TestSupport
import Testing

@testable import VigieCLI

/// `vigie send`: the clusters it takes are the store's, the report is one JSON object.
@Suite struct SendCommandTests {
    @Test func parsing() throws {
        let s = try #require(
            try Vigie.parseAsRoot(["send", "--store", "s.sqlite", "--cluster", "a", "b", "--dry-run", "--json"])
                as? Vigie.Send)
        #expect(s.store.store == "s.sqlite" && s.cluster == ["a", "b"] && s.dryRun && s.output.json)
    }

    @Test func unknownClusterListsTheStoresClusters() throws {
        let demo = try DemoStore.get()
        let store = try DemoStore.copy()
        let r = try VigieProcess.vigie([
            "send", "--store", store, "--dry-run", "--out", demo.root + "/mail",
            "--cluster", "meca-loire",
        ])
        #expect(r.status == 2)
        // The demo run classified every cluster of Rules/.
        let known = try DemoStore.ruleClusterIDs().joined(separator: ", ")
        #expect(r.stderr == "vigie send: unknown cluster meca-loire (known: \(known))\n")
        #expect(!FileManager.default.fileExists(atPath: demo.root + "/mail"))
    }

    @Test func dryRunReportAsJSON() throws {
        let demo = try DemoStore.get()
        let out = demo.root + "/mail-\(UUID().uuidString)"
        let r = try VigieProcess.vigie([
            "send", "--store", try DemoStore.copy(), "--dry-run", "--out", out, "--cluster", "mecaloire",
            "--json",
        ])
        #expect(r.status == 0, "\(r.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: r.stdoutBytes) as? [String: Any])
        let files = try #require(object["preview_files"] as? [String])
        #expect(!files.isEmpty)
        #expect(
            files.allSatisfy {
                $0.hasPrefix(out + "/mecaloire/courriels/") && FileManager.default.fileExists(atPath: $0)
            })
        // One stderr line per file written, in Vigie's format.
        #expect(DemoStore.linesOutOfFormat(r.stderr).isEmpty, "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == files.count)
    }
}
