import Classifier
import Digest
import Foundation
import Notices
import Parser
import Store
import TestSupport
import Testing

@testable import Pipeline

/// A page of notices records only the near misses the staff digest could still list: the digest of a night is
/// the same whether its notices were routed one by one or 500 at a time, with far fewer rows.
@Suite struct NearMissPageTests {
    /// The night after the real BOAMP records' publication (2026-01-21).
    static let night = instant("2026-01-22T02:00:00Z")

    /// Real captures of BOAMP, TED and aides-territoires, as the parsers read them.
    static let captures = RealCaptures.routable

    static func realNotices() throws -> [Notice] {
        try captures.flatMap { path in
            try DocumentParser.parse(
                try SharedData.bytes(path),
                options: ParseOptions(sourceID: RealCaptures.sourceID(of: path), documentName: path)
            ).notices
        }
    }

    /// A national cluster whose trades name what the real records are about (works, services, energy, business
    /// support), with 90 members spread over the country: for most records, many members are narrowly out of
    /// reach, out of their kinds or above their capacity — near misses with many different scores.
    static let rulebook: Rulebook = {
        let segments = [
            Segment(
                id: "batiment", label: "Bâtiment",
                keywords: ["travaux", "rénovation", "aménagement", "menuiserie", "finitions", "caserne"]),
            Segment(
                id: "services", label: "Services",
                keywords: ["prestations", "traiteur*", "commissaires aux comptes", "assistance", "maintenance"]),
            Segment(
                id: "energie", label: "Énergie",
                keywords: ["énergie", "chaleur renouvelable", "mobilité*", "environnement", "polluants"]),
            Segment(
                id: "entreprises", label: "Entreprises",
                keywords: ["entreprise*", "développement", "projet*", "innovation", "économie"]),
        ]
        let departements = [
            "59", "76", "14", "74", "69", "92", "52", "75", "13", "33", "31", "44", "67", "35", "26", "38", "42",
            "63", "21", "51", "57", "80", "29", "64",
        ]
        let members = (0..<90).map { i in
            Member(
                id: String(format: "m%02d", i), name: "Entreprise \(i)",
                segments: i % 7 == 0
                    ? [segments[i % 4].id, segments[(i + 1) % 4].id] : [segments[i % 4].id],
                sites: [departements[i % departements.count]],
                capacity: i % 5 == 0 ? 20_000 : nil, kinds: i % 9 == 0 ? [.award] : [],
                maxDistance: 1 + i % 2)
        }
        return Rulebook(clusters: [
            Cluster(
                id: "national", name: "Réseau national", territory: Territory(departements: departements),
                routing: RoutingSettings(maxDistance: 1, minScore: 2), segments: segments, members: members,
                watches: [
                    Watch(
                        id: "energie", name: "Énergie", clusterID: "national", keywords: ["énergie"],
                        recipients: ["veille@example.org"])
                ])
        ])
    }()

    /// The night routed with `batchSize`: the store and every file written.
    func night(batchSize: Int, _ ws: Workspace) throws -> (store: NoticeStore, files: [String: [UInt8]]) {
        let store = try NoticeStore(path: ws.storePath)
        _ = try store.upsert(try Self.realNotices(), at: Self.night)
        var options = RouteAndDigestOptions(outputDirectory: ws.out, batchSize: batchSize)
        options.composeMail = false
        _ = try RouteAndDigestRun(store: store, router: Router(rulebook: Self.rulebook), options: options)
            .run(now: Self.night)
        var files: [String: [UInt8]] = [:]
        let root = URL(fileURLWithPath: ws.out)
        let walk = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])
        while let url = walk?.nextObject() as? URL {
            guard (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true else { continue }
            files[String(url.path.dropFirst(root.path.count))] = [UInt8](try Data(contentsOf: url))
        }
        return (store, files)
    }

    @Test(.requiresShared) func aNightRoutedByPagesWritesTheDigestsOfANightRoutedNoticeByNotice() throws {
        let (one, paged) = (try Workspace(), try Workspace())
        let byNotice = try night(batchSize: 1, one)
        let byPage = try night(batchSize: 500, paged)
        #expect(!byNotice.files.isEmpty)
        #expect(byPage.files.keys.sorted() == byNotice.files.keys.sorted())
        for (path, bytes) in byNotice.files {
            #expect(byPage.files[path] == bytes, "\(path) differs")
        }
        // Every format of the staff digest is there, and it lists the night's strongest near misses in full.
        for ext in DigestFormat.allCases.map(\.fileExtension) {
            #expect(byNotice.files["/national/2026-01-22.\(ext)"] != nil, "no .\(ext) digest")
        }
        let digest = try JSONDigestRenderer.decode(try #require(byNotice.files["/national/2026-01-22.json"]))
        #expect(digest.nearMisses.count == DigestAssembler.nearMissLimit)
        func nearMissRows(_ store: NoticeStore) throws -> Int {
            try store.routes(cluster: "national").filter { $0.role == RouteRole.nearMiss.rawValue }.count
        }
        let (rowsByNotice, rowsByPage) = (try nearMissRows(byNotice.store), try nearMissRows(byPage.store))
        #expect(rowsByPage < rowsByNotice)
        #expect(rowsByPage >= DigestAssembler.nearMissLimit)
        // Nothing but near misses is pruned.
        func otherRows(_ store: NoticeStore) throws -> [RouteRecord] {
            try store.routes(cluster: "national").filter { $0.role != RouteRole.nearMiss.rawValue }
                .sorted { ($0.noticeID, $0.member, $0.role) < ($1.noticeID, $1.member, $1.role) }
        }
        #expect(try otherRows(byPage.store) == otherRows(byNotice.store))
        #expect(try !otherRows(byPage.store).isEmpty)
    }

    // MARK: - The page's selection

    /// What the staff digest lists of these rows (the assembler's rule): per (member, opportunity) the best score
    /// (the first by notice id among equals), ranked by score, then the displayed record's id, then the member;
    /// the first `nearMissLimit` of each cluster.
    static func listed(_ rows: [NearMissCandidate], display: [Int64: String]) -> [String: [NearMissCandidate]] {
        var best: [String: NearMissCandidate] = [:]
        for r in rows.sorted(by: { ($0.score, $1.noticeID) > ($1.score, $0.noticeID) }) {
            let key = "\(r.cluster)\u{0}\(r.memberID)\u{0}\(r.opportunityID)"
            if best[key] == nil { best[key] = r }
        }
        return Dictionary(grouping: best.values, by: \.cluster).mapValues { items in
            Array(
                items.sorted { a, b in
                    if a.score != b.score { return a.score > b.score }
                    let (da, db) = (display[a.opportunityID]!, display[b.opportunityID]!)
                    return da != db ? da < db : a.memberID < b.memberID
                }
                .prefix(DigestAssembler.nearMissLimit))
        }
    }

    static func candidate(
        _ cluster: String, notice: String, opportunity: Int64, member: String, score: Double
    ) -> NearMissCandidate {
        NearMissCandidate(
            cluster: cluster, noticeID: notice, opportunityID: opportunity, memberID: member, score: score,
            payload: NearMissRoutePayload(
                memberName: member, exclusion: RouteExclusion(filter: .territory, places: [notice]), score: score))
    }

    /// Random pages with many ties (scores on a coarse grid), several records per opportunity whose displayed
    /// record is not the first by id, two clusters: the rows kept list what all the rows list, and every row
    /// dropped ranks after the last one listed (or is a weaker copy of one listed).
    /// A random page of near misses: up to `maxNotices` notices of a few opportunities, each in two clusters
    /// for up to 20 of 40 members, scores on a grid of `scoreSteps` half points (many ties); with the record each
    /// opportunity is displayed by (often another source's, whose id sorts differently).
    static func randomPage(_ rng: inout SplitMix64, maxNotices: UInt64, scoreSteps: UInt64) -> (
        rows: [NearMissCandidate], display: [Int64: String]
    ) {
        let opportunities = 3 + Int(rng.next() % 30)
        var display: [Int64: String] = [:]
        var rows: [NearMissCandidate] = []
        for n in 0..<(5 + Int(rng.next() % maxNotices)) {
            let opportunity = Int64(rng.next() % UInt64(opportunities))
            let notice = String(format: "boamp:%03d", n)
            display[opportunity] = display[opportunity] ?? String(format: "ted:%03d", 999 - Int(opportunity))
            for cluster in ["a", "b"] where rng.next() % 4 != 0 {
                var members = Set<Int>()
                for _ in 0..<Int(rng.next() % 20) { members.insert(Int(rng.next() % 40)) }
                for m in members.sorted() {
                    rows.append(
                        candidate(
                            cluster, notice: notice, opportunity: opportunity, member: String(format: "m%02d", m),
                            score: Double(rng.next() % scoreSteps) / 2))
                }
            }
        }
        return (rows, display)
    }

    @Test(arguments: 1...40) func aPageKeepsItsStrongestNearMisses(seed: Int) throws {
        var rng = SplitMix64(seed: UInt64(seed))
        let (rows, display) = Self.randomPage(&rng, maxNotices: 60, scoreSteps: 8)
        var asked: Set<Int64> = []
        let kept = RouteMapping.strongest(inPage: rows) { o in
            asked.insert(o)
            return display[o]!
        }
        let all = Self.listed(rows, display: display)
        #expect(Self.listed(kept, display: display) == all)
        // In the page's order, and a subset of it.
        var k = 0
        for r in rows where k < kept.count && kept[k] == r { k += 1 }
        #expect(k == kept.count)
        let dropped = rows.filter { !kept.contains($0) }
        for (cluster, shown) in all where shown.count == DigestAssembler.nearMissLimit {
            let last = shown[shown.count - 1]
            for d in dropped where d.cluster == cluster {
                let weakerCopy = shown.contains {
                    $0.memberID == d.memberID && $0.opportunityID == d.opportunityID && $0.score > d.score
                }
                let after =
                    d.score < last.score
                    || (d.score == last.score
                        && (display[d.opportunityID]!, d.memberID) > (display[last.opportunityID]!, last.memberID))
                #expect(weakerCopy || after, "\(d) was dropped but could be listed")
            }
            // No more than the listed entries' rows, their copies and the rows tied with the last one.
            #expect(kept.filter { $0.cluster == cluster && $0.score < last.score }.isEmpty)
        }
        #expect(asked.isSubset(of: Set(rows.map(\.opportunityID))))
    }

    /// Copies of one tender (a BOAMP notice, its corrigendum and the TED record: one opportunity) for the same 15
    /// members fill 45 rows ahead of a 16th member: counting rows, not (member, opportunity), would drop copies the
    /// digest picks from and keep the 16th, which it never lists.
    @Test func copiesOfOneTenderCountOnce() {
        var rows: [NearMissCandidate] = []
        for notice in ["boamp:1", "boamp:1-rectificatif", "ted:1"] {
            for m in 0..<15 {
                rows.append(
                    Self.candidate(
                        "a", notice: notice, opportunity: 7, member: String(format: "m%02d", m), score: 6))
            }
        }
        rows.append(Self.candidate("a", notice: "boamp:2", opportunity: 8, member: "m99", score: 5.5))
        var asked = 0
        let kept = RouteMapping.strongest(inPage: rows) { _ in
            asked += 1
            return ""
        }
        #expect(kept == Array(rows.prefix(45)))
        // One opportunity at the cut: its members' ids order it, no record needs to be read.
        #expect(asked == 0)
        // Fewer rows than the limit in a cluster: all of them stay.
        let few = Array(rows.suffix(10))
        #expect(RouteMapping.strongest(inPage: few) { _ in "" } == few)
    }
}
