import Classifier
import Foundation
import Notices
import Parser
import Store
import TestSupport
import Testing

@testable import Pipeline

func zoned(_ s: String) -> ZonedDate { ISO8601.parseZoned(s)! }
func instant(_ s: String) -> Date { ISO8601.parseZoned(s)!.instant }

/// A scratch directory with the store and the digests, removed at the end.
final class Workspace {
    let root: URL
    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("vigie-pipeline-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }
    var storePath: String { root.appendingPathComponent("vigie.sqlite").path }
    var out: String { root.appendingPathComponent("out").path }
    func file(_ relative: String) -> String { root.appendingPathComponent("out/\(relative)").path }
    func read(_ relative: String) throws -> String { try String(contentsOfFile: file(relative), encoding: .utf8) }
    func exists(_ relative: String) -> Bool { FileManager.default.fileExists(atPath: file(relative)) }
    func files(_ cluster: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: file(cluster))) ?? []).sorted()
    }
    deinit { try? FileManager.default.removeItem(at: root) }
}

/// Notices as a parser would emit them, in `vigie parse --json` form.
enum NoticeFixtures {
    static let json = """
        [
          {"source": "boamp", "source_id": "26-41234", "kind": "tender",
           "title": "Usinage de pièces mécaniques pour tramways", "url": "https://www.boamp.fr/avis/detail/26-41234",
           "buyer": {"name": "Saint-Étienne Métropole"}, "published": "2026-05-04T00:00:00Z",
           "deadline": "2026-06-08T12:00:00+02:00",
           "value": {"amount": 246000, "currency": "EUR", "vat": "HT"}, "main_cpv": "42600000", "cpv": ["42600000"],
           "places": [{"departement": "42"}], "refs": {"ted_publication_number": "312345-2026"}},
          {"source": "boamp", "source_id": "26-40001", "kind": "tender",
           "title": "Ligne de traitement de surface et automatisme", "url": "https://www.boamp.fr/avis/detail/26-40001",
           "buyer": {"name": "Ville de Roanne"}, "published": "2026-05-04T00:00:00Z",
           "deadline": "2026-05-11T12:00:00+02:00",
           "value": {"amount": 1500000, "currency": "EUR", "vat": "HT"}, "places": [{"departement": "42"}]},
          {"source": "aides-territoires", "source_id": "at-9876", "kind": "call_for_projects",
           "title": "Appel à projets Industrie du futur", "url": "https://aides-territoires.beta.gouv.fr/aides/9876/",
           "buyer": {"name": "Région Auvergne-Rhône-Alpes"},
           "call": {"beneficiaries": ["PME"], "closing": "2026-09-30T23:59:00+02:00"}},
          {"source": "boamp", "source_id": "26-49999", "kind": "tender",
           "title": "Fourniture de repas scolaires", "buyer": {"name": "Commune de Firminy"},
           "deadline": "2026-06-01T12:00:00+02:00"}
        ]
        """

    static func notices() throws -> [Notice] {
        try NoticeJSON.decoder().decode([Notice].self, from: Data(json.utf8))
    }

    /// The TED record of the BOAMP notice 26-41234 (same procurement).
    static func tedRecord() -> Notice {
        Notice(
            source: "ted", sourceID: "312345-2026", title: "France-Saint-Étienne: Usinage de pièces",
            url: "https://ted.europa.eu/fr/notice/-/detail/312345-2026",
            buyer: Buyer(name: "Saint-Étienne Métropole"),
            deadline: zoned("2026-06-08T12:00:00+02:00"), places: [Place(departement: "42")],
            refs: CrossReferences(tedPublicationNumber: "312345-2026"))
    }
}

/// The cluster of these tests: three members along a small value chain.
let testRulebook = Rulebook(clusters: [
    Cluster(
        id: "mecaloire", name: "Pôle Méca Loire",
        segments: [
            Segment(id: "usinage", label: "Usinage"),
            Segment(id: "surface", label: "Traitement de surface"),
            Segment(id: "automatisme", label: "Automatisme"),
        ],
        members: [
            Member(id: "usinage-forez", name: "Usinage du Forez", segments: ["usinage"]),
            Member(id: "surfaces-loire", name: "Surfaces Loire", segments: ["surface"]),
            Member(id: "auto-gier", name: "Automatismes du Gier", segments: ["automatisme"]),
        ])
])

/// A router with fixed decisions, so these tests pin the pipeline's own behaviour (what is classified,
/// recorded, grouped, written and delivered) whatever the classifier's weights become; the classifier
/// has its own tests, and `RealRouterPipelineTests` runs the real one.
struct FixedRouter: NoticeRouting {
    let rulebook = testRulebook

    func route(_ notice: Notice, now: Date) -> RoutingResult {
        func reason(_ term: String, _ segment: String) -> Reason {
            Reason(.segmentKeyword(segment: segment, term: term), field: .title, term: term, weight: 3)
        }
        var c = ClusterRouting(clusterID: "mecaloire", clusterName: "Pôle Méca Loire")
        // Like the real router's lead-time filter: a deadline within 5 days reaches no one.
        if let d = notice.deadline, d.instant.timeIntervalSince(now) < 5 * 86_400 {
            return RoutingResult(noticeID: notice.id, clusters: [c])
        }
        let title = notice.title.lowercased()
        if title.contains("usinage") {
            c.routes.append(
                Route(
                    clusterID: "mecaloire", memberID: "usinage-forez", memberName: "Usinage du Forez",
                    score: 6, kind: .direct, segments: ["usinage"],
                    reasons: [reason("usinage", "usinage")]))
        }
        if title.contains("traitement de surface") {
            c.routes.append(
                Route(
                    clusterID: "mecaloire", memberID: "surfaces-loire", memberName: "Surfaces Loire",
                    score: 5, kind: .direct, segments: ["surface"],
                    reasons: [reason("traitement de surface", "surface")]))
            c.routes.append(
                Route(
                    clusterID: "mecaloire", memberID: "auto-gier", memberName: "Automatismes du Gier",
                    score: 2.5, kind: .direct, segments: ["automatisme"],
                    reasons: [
                        Reason(
                            .capacityGroupement, field: .value, term: "700 000 €", matched: "900 000 €", weight: 0)
                    ]))
            var group = ConsortiumSuggestion(
                clusterID: "mecaloire", members: ["surfaces-loire", "auto-gier"], lead: "surfaces-loire",
                segments: ["surface", "automatisme"], reason: .both,
                contributions: ["surfaces-loire": ["surface"], "auto-gier": ["automatisme"]])
            group.value = 900_000
            group.memberNames = ["surfaces-loire": "Surfaces Loire", "auto-gier": "Automatismes du Gier"]
            group.segmentLabels = ["surface": "Traitement de surface", "automatisme": "Automatisme"]
            c.consortia.append(group)
        }
        if title.contains("tramways") {
            c.watches.append(
                WatchMatch(
                    watchID: "ferroviaire", name: "Pièces ferroviaires", recipients: ["ferroviaire@mecaloire.example"],
                    reasons: [
                        Reason(
                            rule: "watch:ferroviaire/keyword:tramway*", field: .title, term: "tramway*",
                            matched: "tramways", weight: 3)
                    ]))
        }
        if notice.kind == .callForProjects {
            c.routes.append(
                Route(
                    clusterID: "mecaloire", memberID: "usinage-forez", memberName: "Usinage du Forez",
                    score: 3, kind: .direct, segments: ["usinage"],
                    reasons: [
                        Reason(
                            rule: "segment:usinage/keyword", field: .summary,
                            term: "industrie", weight: 1.5)
                    ]))
        }
        return RoutingResult(noticeID: notice.id, clusters: [c])
    }
}

extension EditionRendering {
    /// The edition's files and e-mails as the publisher takes them (each file in plan order, a second name as the
    /// bytes of its first), then the workers stopped.
    func takeAll(_ prepared: ClusterDigest.Prepared) throws -> (files: [[UInt8]], outbox: [OutboxEntry]) {
        defer { stop() }
        let index = Dictionary(
            prepared.plan.enumerated().map { ($0.element.file.relativePath, $0.offset) },
            uniquingKeysWith: { a, _ in a })
        var files: [[UInt8]] = []
        for i in prepared.plan.indices {
            switch try content(i, plan: prepared.plan, index: index) {
            case .bytes(let bytes): files.append(bytes)
            case .sameAs(let j): files.append(files[j])
            case .staged:
                let path = try #require(staging).path(of: i, relative: prepared.plan[i].file.relativePath)
                files.append(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
            }
        }
        return (files, try outbox())
    }
}

/// The real BOAMP records (5 FNSimple notices of 2026-01-21: 26-7298, 26-7308, 26-7319, 26-7109, 26-7113) and the
/// real TED notice 619675-2026, as parsed.
func realBOAMPAndTEDNotices() throws -> [Notice] {
    var notices: [Notice] = []
    for path in [
        "samples/real/boamp/DERIVED-unwrapped-data-of-jpbenga-where-dateparution-2026.json",
        "samples/real/ted/ted-619675-2026-FRA-buyer.json",
    ] {
        notices += try DocumentParser.parse(
            try SharedData.bytes(path),
            options: ParseOptions(sourceID: RealCaptures.sourceID(of: path), documentName: path)
        ).notices
    }
    return notices
}
