import ArgumentParser
import Foundation
import TestSupport
import Testing

@testable import VigieCLI

/// `vigie query`: values read when the command line is parsed (amounts with k/M, département codes, dates,
/// kinds), refused values shown with the query's usage, unknown sources listed with the known ones.
@Suite struct QueryCommandTests {
    // MARK: Parsing

    @Test func amountsWithSuffixes() throws {
        let q = try #require(try Vigie.parseAsRoot(["query", "--min-value", "100k"]) as? Vigie.Query)
        #expect(q.minValue?.euros == 100_000)
        #expect(q.query.minValue == 100_000)
        let m = try #require(try Vigie.parseAsRoot(["query", "--min-value", "2,5 M€"]) as? Vigie.Query)
        #expect(m.minValue?.euros == 2_500_000)
    }

    @Test func sortIsNewestFirstUnlessRelevanceIsAsked() throws {
        let q = try #require(try Vigie.parseAsRoot(["query", "usinage"]) as? Vigie.Query)
        #expect(q.query.order == .newest)
        let r = try #require(try Vigie.parseAsRoot(["query", "usinage", "--sort", "relevance"]) as? Vigie.Query)
        #expect(r.query.order == .relevance)
        let n = try #require(try Vigie.parseAsRoot(["query", "--sort", "newest", "usinage"]) as? Vigie.Query)
        #expect(n.query.order == .newest)
        #expect(throws: (any Error).self) { try Vigie.parseAsRoot(["query", "--sort", "pertinence"]) }
    }

    @Test func departementCodes() throws {
        let q = try #require(try Vigie.parseAsRoot(["query", "--departement", "2a"]) as? Vigie.Query)
        #expect(q.departement?.code == "2A")
        #expect(q.query.departement == "2A")
        let ain = try #require(try Vigie.parseAsRoot(["query", "--departement", "1"]) as? Vigie.Query)
        #expect(ain.departement?.code == "01")
    }

    @Test func datesAndOptionGroups() throws {
        let q = try #require(
            try Vigie.parseAsRoot([
                "query", "usinage", "de", "précision", "--store", "demo-out/vigie.sqlite", "--since", "2026-06-01",
                "--deadline-after", "2026-11-24T03:00:00+01:00", "--json", "--kind", "tender",
            ]) as? Vigie.Query)
        #expect(q.store.store == "demo-out/vigie.sqlite")
        #expect(q.output.json)
        #expect(q.query.text == "usinage de précision")
        #expect(q.query.since?.timeIntervalSince1970 == 1_780_272_000)
        #expect(q.query.deadlineAfter?.timeIntervalSince1970 == 1_795_485_600)
        #expect(q.query.kinds == [.tender])
    }

    /// Each refused value names the option and shows `vigie query`'s usage, not the root's.
    @Test(arguments: [
        ["--departement", "99"], ["--min-value", "lots"], ["--since", "hier"], ["--kind", "appel"],
        ["--limit", "0"], ["--cpv", "abc"],
    ])
    func refusedValues(args: [String]) throws {
        var caught: (any Error)?
        do {
            _ = try Vigie.parseAsRoot(["query"] + args)
        } catch {
            caught = error
        }
        let error = try #require(caught, "\(args) was accepted")
        let message = Vigie.fullMessage(for: error)
        #expect(message.contains("Usage: vigie query"), "\(message)")
        #expect(Vigie.exitCode(for: error) == .validationFailure)
        if args[0] != "--limit" && args[0] != "--cpv" {
            #expect(message.contains("'\(args[1])' is invalid for '\(args[0])"), "\(message)")
        }
    }

    // MARK: The binary, on the demo store

    /// The notices of the demo store, every source record, as `query --json` prints them.
    static func allNotices(_ store: String) throws -> [[String: Any]] {
        let r = try VigieProcess.vigie(["query", "--store", store, "--all-records", "--limit", "1000", "--json"])
        try #require(r.status == 0, "\(r.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: r.stdoutBytes) as? [[String: Any]])
    }

    static func ids(_ r: VigieProcess.Result) throws -> Set<String> {
        let list = try #require(try JSONSerialization.jsonObject(with: r.stdoutBytes) as? [[String: Any]])
        return Set(list.compactMap { $0["id"] as? String })
    }

    static func departements(_ n: [String: Any]) -> Set<String> {
        let lots = (n["lots"] as? [[String: Any]]) ?? []
        let places =
            ((n["places"] as? [[String: Any]]) ?? []) + lots.flatMap { ($0["places"] as? [[String: Any]]) ?? [] }
        return Set(places.compactMap { $0["departement"] as? String })
    }

    /// The largest figure a notice states (amount, else maximum, else minimum), as the filter reads it.
    static func upperValue(_ n: [String: Any]) -> Double? {
        guard let v = n["value"] as? [String: Any] else { return nil }
        return (v["amount"] as? Double) ?? (v["max"] as? Double) ?? (v["min"] as? Double)
    }

    @Test func departementOnTheDemoStore() throws {
        let demo = try DemoStore.get()
        let all = try Self.allNotices(demo.store)
        // The demo's samples name no place in Corsica: 2a is accepted (not refused, not an error) and finds none.
        let corsica = try VigieProcess.vigie(["query", "--store", demo.store, "--departement", "2a", "--json"])
        #expect(corsica.status == 0, "\(corsica.stderr)")
        #expect(try Self.ids(corsica).isEmpty)
        #expect(!all.contains { Self.departements($0).contains("2A") })
        // 42 (Loire): exactly the records that name it, as the JSON of every record shows.
        let loire = try VigieProcess.vigie([
            "query", "--store", demo.store, "--departement", "42", "--all-records", "--limit", "1000", "--json",
        ])
        #expect(loire.status == 0, "\(loire.stderr)")
        let expected = Set(all.filter { Self.departements($0).contains("42") }.compactMap { $0["id"] as? String })
        #expect(!expected.isEmpty)
        #expect(try Self.ids(loire) == expected)
    }

    @Test func minValueWithSuffixOnTheDemoStore() throws {
        let demo = try DemoStore.get()
        let all = try Self.allNotices(demo.store)
        let r = try VigieProcess.vigie([
            "query", "--store", demo.store, "--min-value", "100k", "--all-records", "--limit", "1000", "--json",
        ])
        #expect(r.status == 0, "\(r.stderr)")
        let expected = Set(all.filter { (Self.upperValue($0) ?? -1) >= 100_000 }.compactMap { $0["id"] as? String })
        #expect(!expected.isEmpty && expected.count < all.count)
        #expect(try Self.ids(r) == expected)
        // The same figure written out in full finds the same notices.
        let plain = try VigieProcess.vigie([
            "query", "--store", demo.store, "--min-value", "100000", "--all-records", "--limit", "1000", "--json",
        ])
        #expect(plain.stdout == r.stdout)
    }

    @Test func textLinesAndCount() throws {
        let demo = try DemoStore.get()
        let r = try VigieProcess.vigie(["query", "--store", demo.store, "--departement", "42"])
        #expect(r.status == 0)
        let lines = r.stdout.split(separator: "\n")
        #expect(!lines.isEmpty)
        #expect(r.stderr == "vigie query: \(lines.count) notice\(lines.count == 1 ? "" : "s")\n")
    }

    @Test func unknownSourceListsTheKnownOnes() throws {
        let demo = try DemoStore.get()
        let r = try VigieProcess.vigie(["query", "--store", demo.store, "--source", "boamp"])
        #expect(r.status == 2)
        #expect(r.stdout.isEmpty)
        let known = try DemoStore.catalogueIDs().sorted().joined(separator: ", ")
        #expect(r.stderr == "vigie query: unknown source boamp (known: \(known))\n")
        // A known source is accepted.
        let ok = try VigieProcess.vigie(["query", "--store", demo.store, "--source", "demo-ted-search", "--json"])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(try Self.ids(ok).allSatisfy { $0.hasPrefix("demo-ted-search:") })
    }

    @Test func aBadValuePrintsTheQueryUsage() throws {
        let demo = try DemoStore.get()
        let r = try VigieProcess.vigie(["query", "--store", demo.store, "--departement", "99"])
        #expect(r.status == 2)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains("'99' is invalid for '--departement"))
        #expect(r.stderr.contains("Usage: vigie query"))
        #expect(!r.stderr.contains("vigie <subcommand>"))
    }

    @Test func aMissingStoreIsOneLine() throws {
        let r = try VigieProcess.vigie(["query", "--store", "/nonexistent/vigie.sqlite", "usinage"])
        #expect(r.status == 2)
        #expect(r.stderr.hasPrefix("vigie query: store: /nonexistent/vigie.sqlite: no such file"))
        #expect(r.stderr.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: "/nonexistent/vigie.sqlite.lock"))
    }

    // MARK: A notice in Corse-du-Sud (2A), fetched from a file

    /// One BOAMP record whose place of work is 2A, fetched through a file:// catalogue into a fresh store.
    static func corsicaStore() throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("vigie-2a-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let record = """
            {"total_count": 1, "results": [{"idweb": "26-990001", "id": "26-990001",
            "objet": "Entretien des quais du port de commerce d'Ajaccio", "famille": "FNS",
            "code_departement": ["2A"], "code_departement_prestation": "2A", "dateparution": "2026-11-20",
            "datelimitereponse": "2026-12-18T12:00:00+01:00", "nomacheteur": "Chambre de commerce de Corse-du-Sud",
            "nature": "APPEL_OFFRE", "nature_libelle": "Avis de marché", "type_marche": ["TRAVAUX"],
            "donnees": null}]}
            """
        try Data(record.utf8).write(to: root.appendingPathComponent("corse.json"))
        let catalogue = """
            sources:
              - id: corse-boamp
                name: BOAMP (une annonce de Corse-du-Sud)
                owner: Test
                kind: tenders
                format: boamp-json
                url: file://corse.json
                licence: Test
            """
        try Data(catalogue.utf8).write(to: root.appendingPathComponent("catalogue.yaml"))
        let store = root.appendingPathComponent("s.sqlite").path
        let fetch = try VigieProcess.vigie([
            "fetch", "--feeds", root.appendingPathComponent("catalogue.yaml").path,
            "--store", store,
        ])
        try #require(fetch.status == 0, "\(fetch.stdout)\(fetch.stderr)")
        return store
    }

    @Test(arguments: ["2a", "2A"])
    func corsicaIsFoundWhicheverTheCase(code: String) throws {
        let store = try Self.corsicaStore()
        let r = try VigieProcess.vigie(["query", "--store", store, "--departement", code, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try Self.ids(r) == ["corse-boamp:26-990001"])
        let b = try VigieProcess.vigie(["query", "--store", store, "--departement", "2B", "--json"])
        #expect(try Self.ids(b).isEmpty)
    }
}
