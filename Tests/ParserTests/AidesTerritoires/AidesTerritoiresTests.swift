import Foundation
import Notices
import TestSupport
import Testing

@testable import Parser

/// The aides-territoires adapter on the real captures and on today's API shape (`samples/real/README.md`).
@Suite struct AidesTerritoiresTests {
    static func parse(_ json: String) throws -> ParsedDocument {
        try DocumentParser.parse(Array(json.utf8), options: ParseOptions(sourceID: "at", documentName: "page.json"))
    }

    @Test(.requiresShared) func realDumpPlacesEveryDepartementAndRegionPerimeter() throws {
        try SharedData.url("samples/real/aides-territoires")
        let doc = try AidesTerritoiresRealCaptures.parse(AidesTerritoiresRealCaptures.dump)
        #expect(doc.format == .aidesTerritoiresJSON)
        #expect(doc.issues.isEmpty)
        #expect(doc.notices.count == 195)
        let placed = doc.notices.filter { !$0.places.isEmpty }
        #expect(placed.count == AidesTerritoiresRealCaptures.dumpAidsWithPlace)
        // Every aid has a deadline kind of a call, a funder and an absolute URL on the site.
        for n in doc.notices {
            #expect(n.deadlineKind == .application)
            #expect(n.url?.hasPrefix("https://aides-territoires.beta.gouv.fr/aides/") == true, "\(n.sourceID)")
        }
        // id 27145 « Rhin-Meuse (Bassin hydrographique) » spans several départements: no place is guessed.
        let basin = try #require(doc.notices.first { $0.sourceID == "27145" })
        #expect(basin.places.isEmpty)
    }

    /// Today's Symfony API writes the name and the scale apart; the Django app wrote the scale in brackets.
    @Test(
        arguments: [
            ("Occitanie", "Région", [Place(nuts: "FRJ")]),
            ("Auvergne-Rhône-Alpes", "Région", [Place(nuts: "FRK")]),
            ("Nouvelle-Aquitaine", "Région", [Place(nuts: "FRI")]),
            ("Provence-Alpes-Côte d'Azur", "Région", [Place(nuts: "FRL")]),
            ("Martinique", "Région", [Place(nuts: "FRY2", departement: "972")]),
            ("Drôme", "Département", [Place(nuts: "FRK23", departement: "26")]),
            ("France", "Pays", [Place(nuts: "FR")]),
            ("Occitanie (Région)", nil, [Place(nuts: "FRJ")]),
            ("Landes (Département)", nil, [Place(nuts: "FRI13", departement: "40")]),
            ("France (Pays)", nil, [Place(nuts: "FR")]),
            ("Drôme", nil, [Place(nuts: "FRK23", departement: "26")]),
            ("CC du Pays d'Ancenis (EPCI)", nil, []),
            ("CC du Pays d'Ancenis", "EPCI", []),
            ("Seine-Normandie (Bassin hydrographique)", nil, []),
            ("Europe", "Continent", []),
        ] as [(String, String?, [Place])])
    func perimeterAndScaleGivePlaces(_ perimeter: String, _ scale: String?, _ expected: [Place]) {
        #expect(AidesTerritoiresAdapter.places(perimeter: perimeter, scale: scale) == expected)
    }

    /// A page as today's API sends it (field list of `samples/real/README.md`).
    @Test func todaysAPIPage() throws {
        let doc = try Self.parse(
            """
            {"count": 2, "previous": null,
             "next": "https://aides-territoires.beta.gouv.fr/api/aids/?page=2&itemsPerPage=1",
             "results": [{"id": 171234, "slug": "aap-hydrogene", "url": "/aides/aap-hydrogene/", "name": "AAP hydrogène",
               "financers": ["Région Occitanie"], "financers_full": [{"id": 12, "name": "Région Occitanie", "logo": null},
               {"id": 40, "name": "ADEME", "logo": null}], "perimeter": "Occitanie", "perimeter_scale": "Région",
               "is_call_for_project": true, "targeted_audiences": ["Entreprises privées"], "start_date": "2026-03-01",
               "submission_deadline": "2026-06-30", "date_created": "2026-02-20T10:00:00+01:00"}]}
            """)
        #expect(doc.format == .aidesTerritoiresJSON)
        let n = try #require(doc.notices.first)
        #expect(n.places == [Place(nuts: "FRJ")])
        #expect(n.call?.funder == "Région Occitanie, ADEME")
        #expect(n.buyer?.name == "Région Occitanie")
        #expect(n.procedure == "call-for-projects")
        #expect(n.deadlineKind == .application)
        // « 2026-06-30 » is a Paris day: applications close at its end, summer time.
        #expect(n.deadline?.iso8601 == "2026-06-30T23:59:00+02:00")
        #expect(n.call?.opening?.iso8601 == "2026-03-01T00:00:00+01:00")
        #expect(n.url == "https://aides-territoires.beta.gouv.fr/aides/aap-hydrogene/")
    }

    @Test func standingAidIsNotACallForProjects() throws {
        let doc = try Self.parse(
            #"[{"id": 1, "name": "Prêt d'honneur", "is_call_for_project": false, "perimeter": "France (Pays)"}]"#)
        let n = try #require(doc.notices.first)
        #expect(n.kind == .callForProjects)
        #expect(n.procedure == "aid")
        #expect(n.deadline == nil)
    }

    @Test func malformedAidBecomesAnIssue() throws {
        let doc = try Self.parse(
            #"{"count": 2, "next": null, "previous": null, "results": [{"id": 5, "name": "A", "financers": ["X"]}, {"id": 6}]}"#
        )
        #expect(doc.notices.map(\.sourceID) == ["5"])
        #expect(doc.issues.map(\.noticeID) == ["6"])
    }

    /// The routing dev set's page (today's shape: `perimeter_scale` beside the bracketed name).
    @Test(.requiresShared) func routingDevSetPage() throws {
        try SharedData.url("routing/notices")
        let path = "routing/notices/aides-territoires-page.json"
        let doc = try DocumentParser.parse(try SharedData.bytes(path), options: ParseOptions(documentName: path))
        // perimeter / perimeter_scale of ids 190001…190004: Charente (Département), Occitanie (Région),
        // France (Pays), Loire (Département).
        #expect(
            doc.notices.map { Canonical.placeKeys($0.places) } == ["dep:16", "nuts:FRJ", "nuts:FR", "dep:42"])
        // financers_full[0].name of 190003.
        #expect(doc.notices[2].buyer?.name == "Bpifrance")
    }
}
