import Foundation
import Notices
import TestSupport
import Testing

@testable import Parser

/// The DECP reader on the real files of `samples/real/decp/` and on the quirks they show.
@Suite struct DECPTests {
    static func parse(_ json: String) throws -> ParsedDocument {
        try DocumentParser.parse(Array(json.utf8), options: ParseOptions(sourceID: "decp", documentName: "decp.json"))
    }

    @Test(
        .requiresShared,
        arguments: [
            (DECPRealCaptures.odsCapture, 4), (DECPRealCaptures.odsEnvelope, 4), (DECPRealCaptures.format2022, 6),
            (DECPRealCaptures.rama2019, 470), (DECPRealCaptures.csv2019, 9), (DECPRealCaptures.csv2022, 9),
        ])
    func everyRealFileIsRecognisedAndRead(_ path: String, _ records: Int) throws {
        try SharedData.url("samples/real/decp")
        let doc = try DECPRealCaptures.parse(path)
        #expect(doc.format == (path.hasSuffix(".csv") ? .decpCSV : .decpJSON))
        #expect(doc.issues.isEmpty)
        #expect(doc.notices.count == records)
        for n in doc.notices {
            #expect(n.kind == .award)
            #expect(n.value?.kind == .awarded)
            #expect(!n.places.isEmpty, "\(n.sourceID)")
        }
    }

    /// The 2019 e-marchespublics file has 437 distinct `id`s and 441 distinct buyer + id pairs for 470 records
    /// (one procedure's lots share an id: 12 records « 20181101 » of buyer 21040049500011). Buyer, id, CPV and
    /// first winner tell them apart except for 4 records that repeat another one in all four (ids 2018038300,
    /// 2018038400, 201960486800, 201907201832500: the same contract published twice).
    @Test(.requiresShared) func idsAreUniqueExceptForRepeatedRecords() throws {
        try SharedData.url("samples/real/decp")
        let notices = try DECPRealCaptures.parse(DECPRealCaptures.rama2019).notices
        #expect(Set(notices.map(\.sourceID)).count == 466)
        let lots = notices.filter { $0.sourceID.hasPrefix("2104004950001120181101/") }
        #expect(lots.count == 12)
        #expect(Set(lots.map(\.sourceID)).count == 12)
        for path in [DECPRealCaptures.odsCapture, DECPRealCaptures.format2022] {
            let ids = try DECPRealCaptures.parse(path).notices.map(\.sourceID)
            #expect(Set(ids).count == ids.count)
        }
    }

    /// The same contract gets the same id from the ODS flat record and from its capture's envelope.
    @Test(.requiresShared) func flatRecordsAndEnvelopeGiveTheSameIDs() throws {
        try SharedData.url("samples/real/decp")
        let a = try DECPRealCaptures.parse(DECPRealCaptures.odsCapture).notices.map(\.sourceID)
        let b = try DECPRealCaptures.parse(DECPRealCaptures.odsEnvelope).notices.map(\.sourceID)
        #expect(a == b)
        // records[0]: acheteur_id 21220295600018, id 2026T06966, codecpv 45000000-7, titulaire_id_1 30102983100031.
        #expect(a.first == "212202956000182026T06966/45000000/30102983100031")
    }

    @Test func placeholdersAreNotValues() throws {
        let doc = try Self.parse(
            """
            {"total_count": 1, "results": [{"id": "X1", "objet": "Travaux", "codecpv": "45000000-7",
              "acheteur_id": "21220295600018", "montant": 0, "titulaire_id_1": "CDL", "titulaire_typeidentifiant_1": "CDL",
              "titulaire_id_2": "CDL", "lieuexecution_code": "CDL", "lieuexecution_typecode": "CDL", "idaccordcadre": "CDL"}]}
            """)
        #expect(doc.format == .decpJSON)
        let n = try #require(doc.notices.first)
        #expect(n.awardees.isEmpty)
        #expect(n.value == nil)
        #expect(n.places.isEmpty)
    }

    @Test(arguments: [
        ("94", "Code région", Place(nuts: "FRM")),
        ("28", "Code région", Place(nuts: "FRD")),
        ("04", "Code région", Place(nuts: "FRY4", departement: "974")),
        ("544", "Code arrondissement", Place(nuts: "FRF31", departement: "54")),
        ("59850", "Code commune", Place(nuts: "FRE11", departement: "59")),
        ("83107", "Code commune", Place(nuts: "FRL05", departement: "83")),
        ("2A004", "Code commune", Place(nuts: "FRM01", departement: "2A")),
        ("97430", "Code postal", Place(nuts: "FRY40", departement: "974", postcode: "97430")),
        ("22", "Code département", Place(nuts: "FRH01", departement: "22")),
        ("FR", "Code pays", Place(nuts: "FR")),
    ])
    func placeCodes(_ code: String, _ type: String, _ expected: Place) {
        #expect(DECPAdapter.place(code: code, type: type) == expected)
    }

    @Test func csvRowsMayHoldQuotedSeparatorsAndLineBreaks() throws {
        let csv =
            "\u{FEFF}id;objet;acheteur.id;codeCPV;montant;titulaire_id_1;titulaire_id_2\r\n"
            + "A1;\"Lot 1 ; voirie\nphase \"\"B\"\"\";21740033200029;45112500-0;349054.58;33901418500013;CDL\r\n"
        let doc = try DocumentParser.parse(Array(csv.utf8), options: ParseOptions(documentName: "t.csv"))
        #expect(doc.format == .decpCSV)
        let n = try #require(doc.notices.first)
        #expect(n.title == "Lot 1 ; voirie phase \"B\"")
        #expect(n.awardees == [Buyer(id: "33901418500013")])
        #expect(n.value?.amount == Decimal(string: "349054.58"))
    }

    @Test(.requiresShared) func foreignWinnerKeepsItsVATNumber() throws {
        try SharedData.url("samples/real/decp")
        let notices = try DECPRealCaptures.parse(DECPRealCaptures.odsCapture).notices
        // records[2]: titulaire_typeidentifiant_1 TVA, titulaire_id_1 IT03876500277.
        #expect(notices[2].awardees == [Buyer(id: "IT03876500277")])
    }

    /// A BOAMP capture shares the `records` envelope: the first record decides, so it is not read as DECP.
    @Test(.requiresShared) func boampRecordsAreNotDECP() throws {
        try SharedData.url("samples/real/boamp")
        let bytes = try SharedData.bytes("samples/real/boamp/kivou-boamp-records-4-awards-2026-08.json")
        #expect(!DECPParser.matches(bytes))
        #expect(!DECPParser.matches(Array(#"{"total_count": 0, "results": []}"#.utf8)))
        #expect(DECPParser.matches(Array(#"{"marches": {"marche": []}}"#.utf8)))
    }

    @Test func scannerFindsRecordsWithoutParsingTheRest() throws {
        let json =
            #"{"a": "[x]", "b": {"c": [1, {"d": "}"}]}, "marches": {"x": 1, "marche": [{"id": "q\"]"}, {"id": 2}]}}"#
        var scanner = DECPRecordScanner(bytes: Array(json.utf8))
        var records: [String] = []
        let path = try scanner.forEachRecord { range in
            records.append(String(decoding: Array(json.utf8)[range], as: UTF8.self))
            return true
        }
        #expect(path == ["marches", "marche"])
        #expect(records == [#"{"id": "q\"]"}"#, #"{"id": 2}"#])
    }

    @Test(arguments: [#"{"marches": [{"id": 1}, }"#, #"{"marches": [{"id": 1"#, #"{"marches": [1, 2"#])
    func damagedFilesStopWithAnError(_ json: String) {
        var scanner = DECPRecordScanner(bytes: Array(json.utf8))
        #expect(throws: DECPRecordScanner.ScanError.self) {
            try scanner.forEachRecord { _ in true }
        }
    }

    @Test func truncatedFileKeepsTheRecordsBeforeTheCut() throws {
        let doc = try Self.parse(
            #"{"marches": [{"id": "1", "objet": "O", "acheteur": {"id": "21220295600018"}}, {"id": "2", "obj"#)
        #expect(doc.notices.map(\.title) == ["O"])
        #expect(doc.issues.first?.message.hasPrefix("decp: byte") == true)
    }

    /// Consolidated files written by pandas hold bare NaN: the record is read, the repair reported.
    @Test func bareNaNIsReadAsNull() throws {
        let doc = try Self.parse(
            #"{"marches": [{"id": "1", "objet": "O", "acheteur": {"id": "21220295600018"}, "montant": NaN, "titulaires": []}]}"#
        )
        #expect(doc.notices.count == 1)
        #expect(doc.notices.first?.value == nil)
        #expect(doc.issues.first?.message.contains("NaN") == true)
    }
}
