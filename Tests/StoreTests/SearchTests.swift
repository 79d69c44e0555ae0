import Foundation
import Notices
import Testing

@testable import Store

@Suite struct SearchTests {
    let now = date("2026-05-05T02:00:00Z")

    func seeded() throws -> (TempStore, NoticeStore) {
        let tmp = TempStore()
        let store = try tmp.open()
        var call = Notice(
            source: "aides-territoires", sourceID: "at-1", kind: .callForProjects,
            title: "Appel à projets Industrie du futur", summary: "Robotisation des PME",
            published: date("2026-04-01T00:00:00Z"),
            call: CallDetails(
                funder: "Région Auvergne-Rhône-Alpes", beneficiaries: ["PME"],
                closing: zoned("2026-09-30T23:59:00+02:00")))
        call.places = [Place(departement: "69")]
        _ = try store.upsert(
            [
                tender(
                    "boamp", "1", title: "Traitement de Surfaces et peinture de pièces", cpv: ["45442000-7"],
                    departement: "42", value: 80_000, published: "2026-05-01T00:00:00Z"),
                tender(
                    "boamp", "2", title: "Réalisation d'un bâtiment d'usinage", cpv: ["45210000"],
                    departement: "2A", value: 1_200_000, published: "2026-05-03T00:00:00Z"),
                tender(
                    "ted", "3", title: "Machining of aerospace parts", deadline: "2026-05-10T12:00:00Z",
                    cpv: ["42600000"], departement: "1", value: nil, published: "2026-04-20T00:00:00Z"),
                call,
            ], at: now)
        return (tmp, store)
    }

    @Test(arguments: [
        ("traitement de surface", ["boamp:1"]),
        ("TRAITEMENT SURFACES", ["boamp:1"]),
        ("realisation batiment", ["boamp:2"]),
        ("réalisation bâtiments", ["boamp:2"]),
        ("\"traitement de surfaces\"", ["boamp:1"]),
        ("usinage", ["boamp:2"]),
        ("usinage -batiment", [String]()),
        ("pièces", ["boamp:1"]),
        ("robotisation", ["aides-territoires:at-1"]),
        ("auvergne", ["aides-territoires:at-1"]),
        ("saint-etienne", ["boamp:1", "boamp:2", "ted:3"]),
        ("de la", [String]()),
        ("\" : * (", [String]()),
    ])
    func fullTextIsFrenchFriendly(_ text: String, _ expected: [String]) throws {
        let (tmp, store) = try seeded()
        _ = tmp
        #expect(try store.search(NoticeQuery(text: text)).map(\.id).sorted() == expected, "\(text)")
    }

    @Test func filtersCombine() throws {
        let (tmp, store) = try seeded()
        _ = tmp
        func ids(_ q: NoticeQuery) throws -> [String] { try store.search(q).map(\.id) }
        #expect(try ids(NoticeQuery(kinds: [.callForProjects])) == ["aides-territoires:at-1"])
        #expect(try ids(NoticeQuery(cpvPrefix: "4544")) == ["boamp:1"])
        #expect(try ids(NoticeQuery(cpvPrefix: "45")).sorted() == ["boamp:1", "boamp:2"])
        #expect(try ids(NoticeQuery(departement: "2a")) == ["boamp:2"])
        #expect(try ids(NoticeQuery(departement: "01")) == ["ted:3"])
        #expect(try ids(NoticeQuery(since: date("2026-05-02T00:00:00Z"))) == ["boamp:2"])
        // Newest first without text.
        #expect(try ids(NoticeQuery(source: "boamp")) == ["boamp:2", "boamp:1"])
        #expect(
            try ids(NoticeQuery(deadlineAfter: date("2026-06-01T00:00:00Z"))).sorted()
                == ["aides-territoires:at-1", "boamp:1", "boamp:2"])
        #expect(try ids(NoticeQuery(minValue: 100_000)) == ["boamp:2"])
        #expect(try ids(NoticeQuery(text: "pièces", source: "ted")).isEmpty)
        #expect(try ids(NoticeQuery(limit: 2)).count == 2)
    }

    @Test func theIndexFollowsChanges() throws {
        let (tmp, store) = try seeded()
        _ = tmp
        _ = try store.upsert(
            [
                tender(
                    "boamp", "1", title: "Nettoyage industriel", cpv: ["45442000-7"],
                    departement: "42", value: 80_000, published: "2026-05-01T00:00:00Z")
            ],
            at: now)
        #expect(try store.search(NoticeQuery(text: "traitement surface")).isEmpty)
        #expect(try store.search(NoticeQuery(text: "nettoyage")).map(\.id) == ["boamp:1"])
    }
}
