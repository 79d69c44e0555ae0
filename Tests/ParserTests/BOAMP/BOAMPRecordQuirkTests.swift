import Foundation
import TestSupport
import Testing

@testable import Notices
@testable import Parser

/// The quirks of BOAMP's Opendatasoft records, each on the real record that shows it
/// (`../shared/samples/real/boamp/`), and the field table of `BOAMPRealCaptures` at 100 %.
@Suite struct BOAMPRecordQuirkTests {
    static func notices(_ path: String) throws -> [String: Notice] {
        let doc = try #require(try BOAMPRealCaptures.parse(path))
        #expect(doc.format == .boampJSON)
        #expect(doc.issues.isEmpty, "\(doc.issues)")
        return Dictionary(uniqueKeysWithValues: doc.notices.map { ($0.sourceID, $0) })
    }

    /// The raw record, as the file holds it.
    static func raw(_ path: String, _ idweb: String) throws -> [String: Any] {
        let root = try JSONSerialization.jsonObject(with: Data(try SharedData.bytes(path))) as? [String: Any]
        let records = (root?["results"] ?? root?["records"]) as? [[String: Any]] ?? []
        return try #require(records.first { $0["idweb"] as? String == idweb })
    }

    static func instant(_ s: String) throws -> Date { try #require(ISO8601.parseZoned(s)?.instant) }

    @Test(.requiresShared) func everyBOAMPFieldOfTheRealCapturesIsRight() throws {
        try SharedData.url("samples/real/boamp")
        let checks = try BOAMPRealCaptures.checks()
        #expect(checks.count == BOAMPRealCaptures.expected.count * FieldCheck.Field.allCases.count)
        for miss in checks where !miss.isRight { Issue.record("\(miss)") }
    }

    @Test(.requiresShared) func allNineRealRecordsParse() throws {
        try SharedData.url("samples/real/boamp")
        #expect(
            try Self.notices(BOAMPRealCaptures.awards).keys.sorted() == [
                "26-80528", "26-80922", "26-80978", "26-81190",
            ])
        #expect(
            try Self.notices(BOAMPRealCaptures.fnsimple).keys.sorted()
                == ["26-7109", "26-7113", "26-7298", "26-7308", "26-7319"])
    }

    // MARK: - Deadline: `datelimitereponse` is Paris wall-clock time labelled +00:00

    @Test(.requiresShared) func fnsimpleDeadlineIsTheDonneesInstantNotTheMislabelledColumn() throws {
        try SharedData.url("samples/real/boamp")
        let path = BOAMPRealCaptures.fnsimple
        let raw = try Self.raw(path, "26-7298")
        #expect(raw["datelimitereponse"] as? String == "2026-02-16T12:00:00+00:00")
        let n = try #require(try Self.notices(path)["26-7298"])
        // donnees: "dateReceptionOffres": "2026-02-16T12:00:00.000+01:00" — noon in Paris, 11:00 UTC.
        #expect(n.deadline?.instant == (try Self.instant("2026-02-16T11:00:00Z")))
        #expect(n.deadline?.instant == (try Self.instant("2026-02-16T12:00:00+00:00")).addingTimeInterval(-3600))
        #expect(n.deadlineKind == .tender)
        // 26-7308: "dateReceptionOffres": "2026-02-27T12:00:00" without offset, gestion "…T12:00:00": Paris time.
        #expect(try Self.notices(path)["26-7308"]?.deadline?.instant == (try Self.instant("2026-02-27T11:00:00Z")))
    }

    @Test func columnAloneIsReadAsParisWallClock() throws {
        // A record whose donnees and gestion give no deadline: only the +00:00-labelled column is left.
        let text =
            #"{"total_count": 1, "results": [{"idweb": "26-1", "objet": "Travaux", "nature": "APPEL_OFFRE","#
            + #" "datelimitereponse": "2026-07-10T12:00:00+00:00"}]}"#
        let doc = try #require(try FormatRegistry.parseJSON(Array(text.utf8), options: ParseOptions()))
        let n = try #require(doc.notices.first)
        #expect(n.deadline?.instant == (try Self.instant("2026-07-10T10:00:00Z")), "noon in Paris in July (CEST)")
    }

    @Test func gestionDeadlineWithoutOffsetIsParisTime() throws {
        let gestion = #"{\"INDEXATION\": {\"DATE_LIMITE_REPONSE\": \"2026-02-27T12:00:00\"}}"#
        let text =
            #"{"total_count": 1, "results": [{"idweb": "26-2", "objet": "Traiteur", "nature": "APPEL_OFFRE","#
            + #" "datelimitereponse": "2026-02-27T12:00:00+00:00", "gestion": ""# + gestion + #""}]}"#
        let doc = try #require(try FormatRegistry.parseJSON(Array(text.utf8), options: ParseOptions()))
        #expect(doc.notices.first?.deadline?.instant == (try Self.instant("2026-02-27T11:00:00Z")))
    }

    @Test func requestToParticipateIsTheDeadlineOnlyWhenThereIsNoTenderDeadline() throws {
        // eForms restricted procedure in donnees: only ParticipationRequestReceptionPeriod (BT-1311).
        let donnees: [String: Any] = [
            "EFORMS": [
                "ContractNotice": [
                    "cac:ProcurementProjectLot": [
                        "cbc:ID": ["@schemeName": "Lot", "#text": "LOT-0001"],
                        "cac:TenderingProcess": [
                            "cac:ParticipationRequestReceptionPeriod": [
                                "cbc:EndDate": "2026-03-02+01:00", "cbc:EndTime": "16:00:00+01:00",
                            ]
                        ],
                    ]
                ]
            ]
        ]
        let record: [String: Any] = [
            "idweb": "26-3", "objet": "Maîtrise d'œuvre", "nature": "APPEL_OFFRE",
            "donnees": String(decoding: try JSONSerialization.data(withJSONObject: donnees), as: UTF8.self),
        ]
        let bytes = Array(try JSONSerialization.data(withJSONObject: ["total_count": 1, "results": [record]]))
        let n = try #require(try FormatRegistry.parseJSON(bytes, options: ParseOptions())?.notices.first)
        #expect(n.deadline?.instant == (try Self.instant("2026-03-02T15:00:00Z")))
        #expect(n.deadlineKind == .requestToParticipate)
    }

    // MARK: - Values

    @Test(.requiresShared) func fourchetteIsARange() throws {
        try SharedData.url("samples/real/boamp")
        // "valeurEstimee": {"@devise": "EUR", "fourchette": {"valeurBasse": "1", "valeurHaute": "75000"}}
        let v = try #require(try Self.notices(BOAMPRealCaptures.fnsimple)["26-7308"]?.value)
        #expect(v.amount == nil)
        #expect(v.min == 1)
        #expect(v.max == 75000)
        #expect(v.currency == "EUR")
        #expect(v.kind == .estimated)
    }

    @Test(.requiresShared) func zeroIsAPlaceholderNeverAValue() throws {
        try SharedData.url("samples/real/boamp")
        // 26-7319: both lots "estimationValeur": {"@devise": "EUR", "valeur": "0.00"}.
        let fns = try #require(try Self.notices(BOAMPRealCaptures.fnsimple)["26-7319"])
        #expect(fns.lots.map(\.id) == ["2", "5"])
        #expect(fns.lots.allSatisfy { $0.value == nil })
        #expect(fns.value == nil)
        // 26-80978: each lot's EstimatedOverallContractAmount is "0" beside its FrameworkMaximumAmount.
        let eforms = try #require(try Self.notices(BOAMPRealCaptures.awards)["26-80978"])
        #expect(
            eforms.lots.map(\.value) == [
                Money(amount: 160000, currency: "EUR", vat: "HT", kind: .frameworkMaximum),
                Money(amount: 280000, currency: "EUR", vat: "HT", kind: .frameworkMaximum),
            ])
        #expect(eforms.value == Money(amount: 440000, currency: "EUR", vat: "HT", kind: .frameworkMaximum))
    }

    @Test(.requiresShared) func awardedAmountsAreAwarded() throws {
        try SharedData.url("samples/real/boamp")
        let awards = try Self.notices(BOAMPRealCaptures.awards)
        #expect(awards["26-80922"]?.value == Money(amount: 1_535_963, currency: "EUR", vat: "HT", kind: .awarded))
        #expect(awards["26-80528"]?.value == Money(amount: 102193, currency: "EUR", kind: .awarded))
    }

    // MARK: - Places

    @Test(.requiresShared) func publicationDepartementsAreNotPlacesOfWork() throws {
        try SharedData.url("samples/real/boamp")
        // 26-7113: a gendarmerie in Doulaincourt-Saucourt (52270), published in nine départements.
        let n = try #require(try Self.notices(BOAMPRealCaptures.fnsimple)["26-7113"])
        #expect(n.publicationDepartements == ["02", "08", "10", "51", "52", "54", "55", "57", "77"])
        #expect(n.places.map(\.departement) == ["52"])
        #expect(n.places.first?.postcode == "52270")
        // 26-80922: no place of work in the record at all; its publication département stays out of places.
        let award = try #require(try Self.notices(BOAMPRealCaptures.awards)["26-80922"])
        #expect(award.places.isEmpty)
        #expect(award.publicationDepartements == ["75"])
    }

    // MARK: - Identifiers

    @Test(.requiresShared) func euSchemeIdentifiersAreNotSIRETs() throws {
        try SharedData.url("samples/real/boamp")
        let awards = try Self.notices(BOAMPRealCaptures.awards)
        // 26-80922: buyer CompanyID {"@schemeName": "eu", "#text": "13630"}, winner "1812659-1-0-1".
        #expect(awards["26-80922"]?.buyer?.id == nil)
        #expect(awards["26-80922"]?.awardees == [Buyer(name: "ULTIME SECURITE", country: "FRA", nuts: "FR107")])
        // 26-80978: CompanyID "21310506700010" with no scheme is the buyer's SIRET.
        #expect(awards["26-80978"]?.buyer?.id == "21310506700010")
        // FNSimple: "typeIdentificationNational": {"siret": ""}, "codeIdentificationNational": "22520001300012".
        #expect(awards["26-81190"]?.buyer?.id == "22520001300012")
    }

    // MARK: - FNSimple details

    @Test(.requiresShared) func fnsimpleAttributionWinnersComeFromBOAMPsFixedRenderingOnly() throws {
        try SharedData.url("samples/real/boamp")
        let n = try #require(try Self.notices(BOAMPRealCaptures.awards)["26-81190"])
        #expect(
            n.awardees == [
                Buyer(name: "GRAGLIA BTP", id: "43293695300012"),
                Buyer(name: "SOCIETE ENTR'IN 52", id: "81535164800010"),
            ])
        #expect(
            n.lots.map(\.title) == [
                "Travaux de réhabilitation de l'ouvrage d'art", "Travaux de consolidation des berges",
            ])
        // Free text worded otherwise gives nothing rather than a guess.
        let loose = BOAMPAttributionText.read("Le marché a été attribué à la société Dupont pour 12 000 €.")
        #expect(loose.winners.isEmpty)
        #expect(loose.lots.isEmpty)
    }

    @Test(.requiresShared) func fnsimpleLotsSummaryAndDocuments() throws {
        try SharedData.url("samples/real/boamp")
        let notices = try Self.notices(BOAMPRealCaptures.fnsimple)
        let n = try #require(notices["26-7113"])
        #expect(
            n.lots.map(\.title) == [
                "Rénovation de l'isolement thermique par l'extérieur (ITE)", "TOITURE",
                "MENUISERIE EXTÉRIEURE", "PEINTURE INTÉRIEURE",
            ])
        #expect(
            n.lots[1].description
                == "TOITURE Révision de la toiture, rénovation des débords de toiture et bardage, et isolation des "
                + "combles du bâtiment 2."
        )
        #expect(n.summary?.hasPrefix("Ce projet a pour objet la rénovation de la caserne de gendarmerie") == true)
        // 26-7113 has no urlDocConsul; its urlProfilAch is the consultation's own page.
        #expect(
            n.documentsURL
                == "https://www.marches-publics.gouv.fr/?page=Entreprise.EntrepriseAdvancedSearch&AllCons"
                + "&id=2920347&orgAcronyme=g6l"
        )
        #expect(
            notices["26-7298"]?.documentsURL
                == "https://marchespublics596280.fr/entreprise/consultation/581998?orgAcronyme=50368")
        #expect(notices["26-7298"]?.refs.buyerReference == "2026_TX_AMENAGEMENTS")
    }

    @Test(.requiresShared) func eformsLotsHaveDescriptionsAndAllTheirCPV() throws {
        try SharedData.url("samples/real/boamp")
        let n = try #require(try Self.notices(BOAMPRealCaptures.awards)["26-80978"])
        #expect(n.lots.map(\.title) == ["Lot 1 - Transports ponctuels", "Lot 2 - Transports récurrents"])
        #expect(n.lots.first?.description?.hasPrefix("Achat de services de transports ponctuels") == true)
        #expect(n.lots.first?.cpv == ["60170000", "60172000"])
    }

    // MARK: - Routing dev set (BOAMP-shaped records with eForms donnees)

    @Test(.requiresShared) func routingDevSetRecordsKeepTheirDeadlinesCPVAndPlaces() throws {
        try SharedData.url("routing/notices")
        let path = "routing/notices/boamp-page-1.json"
        let doc = try #require(
            try FormatRegistry.parseJSON(try SharedData.bytes(path), options: ParseOptions(documentName: path)))
        #expect(doc.notices.count == 29)
        #expect(doc.issues.isEmpty)
        // 26-131001: datelimitereponse "2027-01-11T12:00:00+01:00", and the same lot deadline in donnees;
        // RealizedLocation FRK25 / 42000 Saint-Étienne; CPV 34631000 + 34320000; estimate 420000 EUR.
        let n = try #require(doc.notices.first { $0.sourceID == "26-131001" })
        #expect(n.deadline?.instant == (try Self.instant("2027-01-11T11:00:00Z")))
        #expect(n.cpv == ["34631000", "34320000"])
        #expect(n.places.map(\.departement) == ["42"])
        #expect(n.publicationDepartements == ["42"])
        #expect(n.value == Money(amount: 420000, currency: "EUR", vat: "HT", kind: .estimated))
    }
}
