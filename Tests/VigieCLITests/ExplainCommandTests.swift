import Foundation
import TestSupport
import Testing

/// `vigie explain` on a notice of the store, named by its id: the members it names are those the digest names.
@Suite(.serialized) struct ExplainCommandTests {
    static let now = "2026-11-24T02:00:00Z"

    /// The demo night into a scratch store: `<root>/vigie.sqlite`, digests under `<root>/out`.
    static func demoNight(_ s: VigieProcess.Scratch) throws {
        let run = try VigieProcess.vigie([
            "run", "--feeds", "Feeds/demo.yaml", "--rules", "Rules", "--store", s.path("vigie.sqlite"),
            "--out", s.path("out"), "--now", now, "--format", "json",
            "--no-first-night",
        ])
        #expect(run.status == 0, "\(run.stderr.suffix(600))")
    }

    /// Notice id → the member ids the cluster's digest lists it under (read from the digest's JSON).
    static func digestMembers(_ path: String) throws -> [String: Set<String>] {
        let data = try #require(FileManager.default.contents(atPath: path), "no digest at \(path)")
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let digest = try #require(object["digest"] as? [String: Any])
        var out: [String: Set<String>] = [:]
        // The staff's digest (schema 2): each notice once, with the members it was sent to.
        for sent in digest["notices"] as? [[String: Any]] ?? [] {
            let notice = try #require((sent["notice"] as? [String: Any])?["id"] as? String)
            for member in sent["sent_to"] as? [[String: Any]] ?? [] {
                out[notice, default: []].insert(try #require(member["member_id"] as? String))
            }
        }
        return out
    }

    @Test func aStoredNoticeByIdNamesTheMembersOfTheDigest() throws {
        let s = try VigieProcess.Scratch("explain")
        try Self.demoNight(s)
        let byNotice = try Self.digestMembers(s.path("out/mecaloire/2026-11-24.json"))
        // Every notice the digest sends to mecaloire's members, explained from the store by its id. The
        // digest shows one record per opportunity (the richest) under every member any of its records reaches:
        // explaining each record of the opportunity (as the store groups them) names those members, no others.
        let shown = byNotice.keys.sorted()
        #expect(shown.count >= 5, "the demo sends notices to mecaloire's members: \(shown)")
        var explained: [String: Set<String>] = [:]
        func reached(_ id: String) throws -> Set<String> {
            if let known = explained[id] { return known }
            let r = try VigieProcess.vigie([
                "explain", "--store", s.path("vigie.sqlite"), "--rules", "Rules", "--cluster", "mecaloire",
                "--now", Self.now, id,
            ])
            #expect(r.status == 0, "\(id): \(r.stderr)")
            #expect(r.stdout.hasPrefix("Avis \(id) — "), "\(r.stdout.prefix(200))")
            // "✓ Métro Contrôle Loire (metro-controle) — direct, score …": the members reached.
            let members = Set(
                r.stdout.split(separator: "\n").compactMap { line -> String? in
                    guard line.contains("✓ "), let open = line.range(of: " ("), let close = line.range(of: ") — ")
                    else { return nil }
                    return String(line[open.upperBound..<close.lowerBound])
                })
            explained[id] = members
            return members
        }
        var severalRecords = 0
        for id in shown {
            let records = try VigieProcess.sqlite3(
                s.path("vigie.sqlite"),
                "SELECT b.id FROM notice a JOIN notice b ON b.opportunity_id = a.opportunity_id WHERE a.id = '\(id)' "
                    + "ORDER BY b.id"
            ).split(separator: "\n").map(String.init)
            #expect(records.contains(id))
            if records.count > 1 { severalRecords += 1 }
            let own = try reached(id)
            var all = own
            for other in records where other != id { all.formUnion(try reached(other)) }
            #expect(!own.isEmpty, "\(id): explain names nobody, yet the digest lists it")
            #expect(
                all == byNotice[id],
                "\(id) (records \(records)): explain names \(all.sorted()), the digest \(byNotice[id] ?? [])")
        }
        // The demo's tenders for mecaloire are each published by several sources: the grouping was exercised.
        #expect(severalRecords > 0, "\(severalRecords) of \(shown.count)")
        // The source's own id, without the source, names the same notice when one source has it.
        let first = try #require(shown.first { $0.hasPrefix("demo-boamp-api:") })
        let bare = String(first.dropFirst("demo-boamp-api:".count))
        let byBare = try VigieProcess.vigie([
            "explain", "--store", s.path("vigie.sqlite"), "--cluster", "mecaloire", "--now", Self.now, bare,
        ])
        #expect(byBare.status == 0, "\(byBare.stderr)")
        #expect(byBare.stdout.hasPrefix("Avis \(first) — "))
    }

    @Test func anUnknownIdClusterOrMemberIsRefusedWithWhatExists() throws {
        let s = try VigieProcess.Scratch("explain")
        try Self.demoNight(s)
        let store = s.path("vigie.sqlite")
        let byNotice = try Self.digestMembers(s.path("out/mecaloire/2026-11-24.json"))
        let id = try #require(byNotice.keys.filter { $0.hasPrefix("demo-boamp-api:") }.sorted().first)
        let bare = String(id.dropFirst("demo-boamp-api:".count))

        // The id with another source's prefix (as BOAMP's own site writes it): the stored id is suggested.
        let wrongSource = try VigieProcess.vigie([
            "explain", "--store", store, "--cluster", "mecaloire", "boamp:\(bare)",
        ])
        #expect(wrongSource.status == 2)
        #expect(
            wrongSource.stderr.contains("vigie explain: unknown notice boamp:\(bare) (known: "), "\(wrongSource.stderr)"
        )
        #expect(wrongSource.stderr.contains(id))
        #expect(wrongSource.stderr.contains("vigie query --store \(store)"))
        #expect(wrongSource.stdout.isEmpty)

        let nothing = try VigieProcess.vigie([
            "explain", "--store", store, "--cluster", "mecaloire", "zz-no-such-notice",
        ])
        #expect(nothing.status == 2)
        #expect(nothing.stderr.contains("unknown notice zz-no-such-notice"), "\(nothing.stderr)")
        #expect(nothing.stderr.contains("vigie query"))

        // An id and no store: said so, not taken for a missing file.
        let noStore = try VigieProcess.vigie([
            "explain", "--store", s.path("none.sqlite"), "--cluster", "mecaloire", id,
        ])
        #expect(noStore.status == 2)
        #expect(noStore.stderr.contains("\(id): no such file, and no store to look the id up in"), "\(noStore.stderr)")
        #expect(!FileManager.default.fileExists(atPath: s.path("none.sqlite")), "a store was created")

        let cluster = try VigieProcess.vigie(["explain", "--store", store, "--cluster", "nope", id])
        #expect(cluster.status == 2)
        #expect(
            cluster.stderr.contains("unknown cluster nope (known: cognac, energie, mecaloire, nucleaire)"),
            "\(cluster.stderr)")

        let member = try VigieProcess.vigie([
            "explain", "--store", store, "--cluster", "mecaloire", "--member", "nobody", id,
        ])
        #expect(member.status == 2)
        #expect(member.stderr.contains("unknown member nobody (known: "), "\(member.stderr)")
        for m in byNotice[id] ?? [] { #expect(member.stderr.contains(m), "member \(m) not listed") }
    }
}
