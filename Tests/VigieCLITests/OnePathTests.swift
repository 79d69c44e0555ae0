import Foundation
import TestSupport
import Testing

/// One path everywhere: `vigie fetch` then `vigie digest` routes and writes as `vigie run` does, through the same
/// pipeline step, so that the two give the same digests, routes and deliveries. The built binary, on the demo
/// catalogue (the bundled samples, read through the real fetcher with file:// URLs).
@Suite(.serialized) struct OnePathTests {
    static let now = "2026-11-24T02:00:00Z"

    /// The clusters of `Rules/`, read from the files (`cluster:` → `id:`), not from the program under test.
    static func ruleClusters() throws -> [String] {
        let folder = VigieProcess.packageRoot.appendingPathComponent("Rules")
        var ids: [String] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        where name.hasSuffix(".yaml") && name != "thesaurus.yaml" {
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            guard let start = lines.firstIndex(where: { $0.hasPrefix("cluster:") }),
                let idLine = lines[(start + 1)...].first(where: {
                    $0.trimmingCharacters(in: .whitespaces).hasPrefix("id:")
                })
            else { continue }
            ids.append(
                idLine.split(separator: ":", maxSplits: 1)[1].trimmingCharacters(in: .whitespaces)
                    .trimmingCharacters(in: CharacterSet(charactersIn: "\"'")))
        }
        return ids
    }

    @Test func fetchThenDigestGivesTheDigestOfRun() throws {
        let w = try VigieProcess.Scratch("onepath")
        let clusters = try Self.ruleClusters()
        #expect(clusters.count >= 2, "Rules/ holds the example clusters: \(clusters)")

        let run = try VigieProcess.vigie([
            "run", "--feeds", "Feeds/demo.yaml", "--rules", "Rules", "--store", w.path("A/vigie.sqlite"),
            "--out", w.path("outA"), "--now", Self.now,
            "--no-first-night",
        ])
        #expect(run.status == 0, "\(run.stderr.suffix(600))")

        try FileManager.default.createDirectory(atPath: w.path("B"), withIntermediateDirectories: true)
        let fetch = try VigieProcess.vigie([
            "fetch", "--feeds", "Feeds/demo.yaml", "--store", w.path("B/vigie.sqlite"), "--now", Self.now,
        ])
        #expect(fetch.status == 0, "\(fetch.stderr.suffix(600))")
        let digest = try VigieProcess.vigie([
            "digest", "--rules", "Rules", "--feeds", "Feeds/demo.yaml", "--store", w.path("B/vigie.sqlite"),
            "--out", w.path("outB"), "--now", Self.now, "--mark-delivered", "--json",
        ])
        #expect(digest.status == 0, "\(digest.stderr.suffix(600))")

        // The JSON report: every cluster of the rules, its files, its counts, the deliveries recorded.
        let report = try #require(try JSONSerialization.jsonObject(with: digest.stdoutBytes) as? [String: Any])
        #expect(report["deliveries_recorded"] as? Bool == true)
        let routing = try #require(report["routing"] as? [String: Any])
        let reported = try #require(routing["clusters"] as? [[String: Any]])
        #expect(reported.compactMap { $0["cluster"] as? String }.sorted() == clusters.sorted())
        let mecaloire = try #require(reported.first { $0["cluster"] as? String == "mecaloire" })
        #expect((mecaloire["new_notices"] as? Int ?? 0) > 0, "the demo reaches mecaloire: \(mecaloire)")
        #expect((mecaloire["deliveries"] as? Int ?? 0) > 0)
        #expect(
            (mecaloire["files"] as? [String] ?? []).contains(w.path("outB") + "/mecaloire/2026-11-24.md"),
            "\(mecaloire["files"] ?? "none")")

        // Same digests, cluster by cluster, byte for byte: nothing is masked.
        for cluster in clusters {
            for name in ["latest.md", "latest.json", "2026-11-24.md", "2026-11-24.json"] {
                let a = FileManager.default.contents(atPath: w.path("outA/\(cluster)/\(name)"))
                let b = FileManager.default.contents(atPath: w.path("outB/\(cluster)/\(name)"))
                #expect(a != nil, "run wrote no \(cluster)/\(name)")
                #expect(a == b, "\(cluster)/\(name) differs between run and fetch + digest")
            }
        }
        let mdA = try String(contentsOfFile: w.path("outA/mecaloire/latest.md"), encoding: .utf8)
        #expect(mdA.hasPrefix("# Veille Pôle Méca Loire — mardi 24 novembre 2026"), "\(mdA.prefix(200))")
        // And every other file of the two trees (members' digests, html, ics, atom, csv, the e-mail's .eml
        // files are not written without --dry-run).
        let differences = VigieProcess.treeDifferences(
            expected: VigieProcess.tree(w.path("outA")), actual: VigieProcess.tree(w.path("outB")))
        #expect(differences.isEmpty, "\(differences)")
        // The same routes and the same deliveries in both stores.
        #expect(
            try VigieProcess.storeDump(w.path("A/vigie.sqlite")) == VigieProcess.storeDump(w.path("B/vigie.sqlite")))

        // And `vigie run --no-fetch` after `vigie fetch` is the same path again.
        try FileManager.default.createDirectory(atPath: w.path("C"), withIntermediateDirectories: true)
        let fetchC = try VigieProcess.vigie([
            "fetch", "--feeds", "Feeds/demo.yaml", "--store", w.path("C/vigie.sqlite"), "--now", Self.now,
        ])
        #expect(fetchC.status == 0, "\(fetchC.stderr.suffix(600))")
        let noFetch = try VigieProcess.vigie([
            "run", "--no-fetch", "--feeds", "Feeds/demo.yaml", "--rules", "Rules", "--store", w.path("C/vigie.sqlite"),
            "--out", w.path("outC"), "--now", Self.now,
            "--no-first-night",
        ])
        #expect(noFetch.status == 0, "\(noFetch.stderr.suffix(600))")
        let differencesC = VigieProcess.treeDifferences(
            expected: VigieProcess.tree(w.path("outA")), actual: VigieProcess.tree(w.path("outC")))
        #expect(differencesC.isEmpty, "run --no-fetch: \(differencesC)")
    }

    /// A preview records routes, never deliveries: the run after it still writes and sends those items. Both
    /// a preview of every cluster and one of a single cluster.
    @Test(arguments: [[], ["--cluster", "mecaloire"]])
    func aPreviewThenARunStillSendsEverything(only: [String]) throws {
        let w = try VigieProcess.Scratch("onepath")
        let store = w.path("vigie.sqlite")
        let fetch = try VigieProcess.vigie(["fetch", "--feeds", "Feeds/demo.yaml", "--store", store, "--now", Self.now])
        #expect(fetch.status == 0, "\(fetch.stderr.suffix(600))")
        let preview = try VigieProcess.vigie(
            [
                "digest", "--rules", "Rules", "--feeds", "Feeds/demo.yaml", "--store", store,
                "--out", w.path("preview"), "--now", Self.now, "--json",
            ] + only)
        #expect(preview.status == 0, "\(preview.stderr.suffix(600))")
        let report = try #require(try JSONSerialization.jsonObject(with: preview.stdoutBytes) as? [String: Any])
        #expect(report["deliveries_recorded"] as? Bool == false)
        let routing = try #require(report["routing"] as? [String: Any])
        #expect((routing["routes"] as? Int ?? 0) > 0, "the preview routed: \(routing)")
        let previewed = try #require(routing["clusters"] as? [[String: Any]])
        let clusters = previewed.compactMap { $0["cluster"] as? String }
        #expect(clusters == (only.isEmpty ? try Self.ruleClusters().sorted() : ["mecaloire"]))
        for c in previewed { #expect(c["deliveries"] as? Int == 0) }
        let mecaloire = try #require(previewed.first { $0["cluster"] as? String == "mecaloire" })
        #expect((mecaloire["new_notices"] as? Int ?? 0) > 0)
        func count(_ sql: String) throws -> String {
            try VigieProcess.sqlite3(store, sql).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        #expect(try count("SELECT count(*) FROM delivery") == "0")
        #expect(try count("SELECT count(*) FROM outbox") == "0", "a preview composes no e-mail")
        #expect(try count("SELECT count(*) FROM route WHERE cluster = 'mecaloire'") != "0")

        let run = try VigieProcess.vigie([
            "run", "--no-fetch", "--feeds", "Feeds/demo.yaml", "--rules", "Rules", "--store", store,
            "--out", w.path("out"), "--now", Self.now,
            "--no-first-night",
        ])
        #expect(run.status == 0, "\(run.stderr.suffix(600))")
        // The run writes what the preview showed, and records it as sent.
        for cluster in clusters {
            for name in ["2026-11-24.md", "2026-11-24.json"] {
                let a = FileManager.default.contents(atPath: w.path("preview/\(cluster)/\(name)"))
                let b = FileManager.default.contents(atPath: w.path("out/\(cluster)/\(name)"))
                #expect(a != nil && a == b, "\(cluster)/\(name): the run did not write what the preview showed")
            }
        }
        #expect(
            run.stdout.contains("mecaloire: \(mecaloire["new_notices"] as? Int ?? -1) new notices"), "\(run.stdout)")
        #expect(try count("SELECT count(*) FROM delivery WHERE cluster = 'mecaloire'") != "0")
        #expect(try count("SELECT count(*) FROM outbox") != "0")
    }

    @Test func anUnknownClusterIsRefusedWithTheKnownOnes() throws {
        let w = try VigieProcess.Scratch("onepath")
        let store = w.path("vigie.sqlite")
        let fetch = try VigieProcess.vigie(["fetch", "--feeds", "Feeds/demo.yaml", "--store", store, "--now", Self.now])
        #expect(fetch.status == 0, "\(fetch.stderr.suffix(600))")
        let r = try VigieProcess.vigie([
            "digest", "--rules", "Rules", "--store", store, "--cluster", "nope", "--out", w.path("out"),
        ])
        #expect(r.status == 2)
        #expect(r.stderr.contains("vigie digest: unknown cluster nope (known: "), "\(r.stderr)")
        for id in try Self.ruleClusters() { #expect(r.stderr.contains(id), "\(id) not listed: \(r.stderr)") }
        #expect(!FileManager.default.fileExists(atPath: w.path("out")), "an unknown cluster wrote something")
    }
}
