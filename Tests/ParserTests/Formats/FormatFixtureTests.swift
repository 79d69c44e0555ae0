import Foundation
import Notices
import Testing

@testable import Parser

/// Every adapter on the repository's own invented fixtures (Tests/ParserTests/Fixtures/Formats/).
@Suite struct FormatFixtureTests {
    static func xml(_ name: String, root: String) throws -> ParsedDocument {
        try #require(
            try FormatRegistry.parseNoticeXML(
                rootName: root, namespace: nil, bytes: try Fixture.bytes(name),
                options: ParseOptions(sourceID: "test", documentName: name)))
    }

    static func json(_ name: String, baseURL: String? = nil) throws -> ParsedDocument {
        try #require(
            try FormatRegistry.parseJSON(
                try Fixture.bytes(name),
                options: ParseOptions(sourceID: "test", documentName: name, baseURL: baseURL)))
    }

    @Test func eformsContractNotice() throws {
        let doc = try Self.xml("eforms-cn-mecanique.xml", root: "ContractNotice")
        #expect(doc.format == .eforms)
        #expect(doc.issues.isEmpty)
        let n = try #require(doc.notices.first)
        #expect(n.id == "test:612345-2026")
        #expect(n.kind == .tender)
        // French text chosen over the English one listed first, whitespace collapsed.
        #expect(n.title == "Fourniture de machines-outils à commande numérique et maintenance associée")
        #expect(n.language == "fr")
        #expect(
            n.buyer
                == Buyer(
                    name: "Syndicat mixte des ateliers de la Loire", id: "25420012300017",
                    country: "FRA", nuts: "FRK25",
                    // ORG-0001's cac:Contact (no e-mail) and WebsiteURI (the notice gives no BuyerProfileURI).
                    contact: ContactPoint(
                        name: "Service de la commande publique", phone: "+33 477000000",
                        url: "https://www.saint-etienne-metropole.example")))
        #expect(n.mainCPV == "42600000")
        #expect(n.cpv == ["42600000", "50530000", "42636000"])
        #expect(n.value == Money(amount: 1_850_000, currency: "EUR", vat: "HT"))
        #expect(n.deadline?.iso8601 == "2026-11-27T12:00:00+01:00")
        #expect(n.otherDeadlines.map(\.kind) == [.questions])
        #expect(n.procedure == "open")
        #expect(n.lots.map(\.id) == ["LOT-0001", "LOT-0002"])
        #expect(n.lots[0].places == [Place(nuts: "FRK25", departement: "42", postcode: "42700", commune: "Firminy")])
        #expect(n.lots[1].value == Money(amount: 350_000, currency: "EUR", max: 420_000, vat: "HT"))
        #expect(n.places.first == Place(nuts: "FRK25", departement: "42"))
        #expect(
            n.refs
                == CrossReferences(
                    eformsProcedureID: "b81c44d0-1e2f-4c3a-8d9e-5f6a7b8c9d01",
                    eformsNoticeID: "3f2a9c1e-7d41-4b8e-9a55-0c6d2e8f1a77-01",
                    tedPublicationNumber: "612345-2026", buyerReference: "2026-MEC-014"))
        #expect(n.url == "https://ted.europa.eu/fr/notice/-/detail/612345-2026")
        #expect(n.published.map { ISO8601.format($0, offset: 7200) } == "2026-10-16T00:00:00+02:00")
    }

    @Test func eformsPriorInformationWithParts() throws {
        let n = try #require(try Self.xml("eforms-pin-parts.xml", root: "PriorInformationNotice").notices.first)
        #expect(n.kind == .priorInformation)
        #expect(n.lots.map(\.id) == ["PAR-0001", "PAR-0002"])
        #expect(n.lots.map(\.kind) == ["part", "part"])
        #expect(n.deadline == nil)
        #expect(n.value?.amount == 1_850_000)
    }

    @Test func eformsAwardNotice() throws {
        let n = try #require(try Self.xml("eforms-can-mecanique.xml", root: "ContractAwardNotice").notices.first)
        #expect(n.kind == .award)
        // The notice total of an award notice (BT-161) is what was awarded, not an estimate.
        #expect(n.value == Money(amount: Decimal(string: "1712500.50"), currency: "EUR", kind: .awarded))
        #expect(n.deadline == nil)
    }

    @Test func eformsChangeNotice() throws {
        let n = try #require(try Self.xml("eforms-change-mecanique.xml", root: "ContractNotice").notices.first)
        #expect(n.kind == .change)
        #expect(n.version == "02")
        #expect(n.refs.eformsNoticeID == "3f2a9c1e-7d41-4b8e-9a55-0c6d2e8f1a77-02")
        #expect(n.deadline?.iso8601 == "2026-12-04T12:00:00+01:00")
        #expect(n.refs.changedNotice == "3f2a9c1e-7d41-4b8e-9a55-0c6d2e8f1a77-01")
    }

    @Test func boampXMLNotice() throws {
        let doc = try Self.xml("boamp-annonce-mapa.xml", root: "ANNONCE")
        #expect(doc.format == .boampXML)
        let n = try #require(doc.notices.first)
        #expect(n.sourceID == "26-104512", "the earlier notice's IDWEB (26-99001) must not be taken")
        #expect(n.kind == .tender)
        #expect(
            n.buyer
                == Buyer(
                    name: "Lycée professionnel Benoît Fourneyron", id: "19420045600012", country: "FRA",
                    nuts: "FRK25"))
        #expect(n.deadline?.iso8601 == "2026-11-10T12:00:00+01:00")
        #expect(n.procedure == "MAPA")
        #expect(n.cpv == ["50530000", "42636100"])
        #expect(n.descriptors == ["127", "274"])
        #expect(n.value == Money(currency: "EUR", min: 120_000, max: Decimal(string: "195000.5"), vat: "HT"))
        #expect(n.places.contains(Place(nuts: "FRK25", departement: "42")))
        #expect(n.places.contains(Place(nuts: "FRK25", departement: "42", postcode: "42100", commune: "Saint-Étienne")))
        #expect(n.url == "https://www.boamp.fr/pages/avis/?q=idweb:26-104512")
    }

    /// A MAPA notice with the deadline only in its free text: read by the French extractor, dispatch date excluded.
    @Test func boampXMLDeadlineFromText() throws {
        let xml = """
            <ANNONCE><GESTION><REFERENCE><IDWEB>26-130001</IDWEB><TYPE_AVIS><NATURE><APPEL_OFFRE/></NATURE>
            </TYPE_AVIS></REFERENCE><INDEXATION><DATE_PUBLICATION>2026-12-01</DATE_PUBLICATION></INDEXATION></GESTION>
            <DONNEES><IDENTITE><DENOMINATION>Commune de Rive-de-Gier</DENOMINATION></IDENTITE>
            <OBJET><TITRE_MARCHE>Réfection de la toiture du gymnase</TITRE_MARCHE></OBJET>
            <RENSEIGNEMENTS_COMPLEMENTAIRES><RENS_COMPLEMENT>Date d'envoi du présent avis : 28/11/2026.
            Date limite de réception des offres : 12/01/2027 à 12h00.</RENS_COMPLEMENT></RENSEIGNEMENTS_COMPLEMENTAIRES>
            </DONNEES></ANNONCE>
            """
        let doc = try #require(
            try FormatRegistry.parseNoticeXML(
                rootName: "ANNONCE", namespace: nil, bytes: Array(xml.utf8),
                options: ParseOptions()))
        #expect(doc.notices.first?.deadline?.iso8601 == "2027-01-12T12:00:00+01:00")
    }

    @Test func boampAPIRecords() throws {
        let doc = try Self.json(
            "boamp-api-records.json",
            baseURL:
                "https://boamp-datadila.opendatasoft.com/api/explore/v2.1/catalog/datasets/boamp/records?limit=100&offset=0"
        )
        #expect(doc.format == .boampJSON)
        #expect(doc.notices.map(\.sourceID) == ["26-118734", "23-27115", "26-120001"])
        #expect(doc.issues.count == 1)
        #expect(doc.issues.first?.file == "boamp-api-records.json")
        #expect(doc.issues.first?.message.contains("idweb") == true)

        let e = doc.notices[0]
        #expect(e.title == "Maintenance des équipements de traitement de l'eau")
        #expect(e.buyer?.name == "Communauté d'agglomération Loire Forez")
        #expect(e.buyer?.id == "20006559700014")
        #expect(e.value == Money(amount: 7_000_000, currency: "EUR", vat: "HT"))
        #expect(e.mainCPV == "50514100")
        #expect(e.cpv == ["50514100", "42122000", "45232430"])
        // The eForms lot deadline in donnees (12:00+01:00), not the column's Paris time labelled +00:00.
        #expect(e.deadline?.iso8601 == "2026-12-08T12:00:00+01:00")
        #expect(e.publicationDepartements == ["42"])
        #expect(e.procedure == "open")
        #expect(e.places == [Place(nuts: "FRK25", departement: "42")])
        #expect(e.descriptors == ["159", "274"])
        #expect(e.refs.eformsNoticeID == "5b6c7d8e-9f01-4a2b-8c3d-4e5f60718293-01")
        #expect(e.lots.map(\.id) == ["LOT-0001"])

        let f = doc.notices[1]
        #expect(f.mainCPV == "77310000")
        #expect(f.buyer?.id == "21420099500015")
        #expect(f.value?.amount == 86000)
        #expect(f.summary == "Entretien des espaces verts communaux, tonte et taille.")

        #expect(doc.notices[2].kind == .award)
        #expect(
            doc.notices[2].value
                == Money(amount: Decimal(string: "512340.50"), currency: "EUR", vat: "HT", kind: .awarded))
        #expect(doc.notices[2].mainCPV == "34100000")
        // code_departement is where the notice is published, not where the work is.
        #expect(doc.notices[2].places.isEmpty)
        #expect(doc.notices[2].publicationDepartements == ["43"])
        #expect(doc.notices[2].awardees == [Buyer(name: "GARAGE DU VELAY")])
        #expect(doc.notices[0].awardees.isEmpty, "titulaire: null on a call for tenders")
    }

    @Test func boampLegacyNotice() throws {
        let doc = try Self.json("boamp-legacy-notice.json")
        let n = try #require(doc.notices.first)
        #expect(n.sourceID == "21-4242")
        #expect(n.title == "Acquisition d'un tour à commande numérique")
        #expect(n.buyer?.name == "Lycée Jean Monnet")
        #expect(n.deadline?.iso8601 == "2021-02-12T12:00:00+01:00")
        #expect(n.procedure == "MAPA")
        #expect(n.mainCPV == "42621100")
        #expect(n.descriptors == ["127"])
        #expect(n.places == [Place(nuts: "FRK25", departement: "42", postcode: "42000", commune: "Saint-Etienne")])
    }

    @Test func tedSearchPage() throws {
        let doc = try Self.json("ted-search-page.json")
        #expect(doc.format == .tedJSON)
        #expect(doc.notices.count == 2)
        #expect(doc.issues.count == 1)
        let n = doc.notices[0]
        #expect(n.sourceID == "612345-2026")
        #expect(n.title == "Fourniture de machines-outils à commande numérique")
        #expect(n.language == "fr")
        #expect(n.buyer?.name == "Syndicat mixte des ateliers de la Loire")
        #expect(n.cpv == ["42600000", "50530000", "42636000"])
        #expect(n.deadline?.iso8601 == "2026-11-27T12:00:00+01:00")
        #expect(n.places == [Place(nuts: "FRK25", departement: "42")])
        #expect(n.value?.amount == 1_850_000)
        #expect(n.lots.count == 2)
        #expect(n.url == "https://ted.europa.eu/fr/notice/-/detail/612345-2026")
        #expect(doc.notices[1].kind == .award)
        #expect(doc.notices[1].language == "en")
        #expect(doc.notices[1].places == [Place(nuts: "DE212")])
    }

    @Test func aidesTerritoiresPage() throws {
        let doc = try Self.json("aides-territoires-page.json")
        #expect(doc.format == .aidesTerritoiresJSON)
        let n = doc.notices[0]
        #expect(n.kind == .callForProjects)
        #expect(n.sourceID == "152337")
        #expect(n.url == "https://aides-territoires.beta.gouv.fr/aides/appel-a-projets-industrie-du-futur-loire/")
        #expect(n.deadline?.iso8601 == "2026-12-15T23:59:00+01:00")
        #expect(n.call?.closing == n.deadline)
        #expect(n.call?.opening?.iso8601 == "2026-09-15T00:00:00+02:00")
        #expect(n.call?.funder == "Département de la Loire, Bpifrance")
        #expect(n.call?.beneficiaries == ["Entreprises privées"])
        #expect(n.call?.collaborative == true)
        #expect(n.places == [Place(nuts: "FRK25", departement: "42")])
        #expect(n.value == Money(currency: "EUR", max: 200_000))
        #expect(n.otherDeadlines.first?.kind == .predeposit)
        let loan = doc.notices[1]
        #expect(loan.deadline == nil)
        // « France (Pays) »: the whole country.
        #expect(loan.places == [Place(nuts: "FR")])
        #expect(loan.value?.max == 100_000)
    }

    @Test func euFundingPage() throws {
        let doc = try Self.json(
            "eu-funding-page.json",
            baseURL:
                "https://api.tech.ec.europa.eu/search-api/prod/rest/search?apiKey=SEDIA&text=***&pageSize=2&pageNumber=1"
        )
        #expect(doc.format == .euFundingJSON)
        #expect(doc.notices.count == 2)
        #expect(doc.issues.map(\.noticeID) == ["NO-TITLE-TOPIC"])
        let n = doc.notices[0]
        #expect(n.kind == .callForProjects)
        #expect(n.deadline?.iso8601 == "2027-09-23T17:00:00+02:00")
        #expect(n.value == Money(amount: 24_000_000, currency: "EUR", min: 5_000_000, max: 6_000_000))
        #expect(n.call?.collaborative == true)
        #expect(n.summary == "Projects are expected to contribute to flexible, reconfigurable production lines.")
        let eic = doc.notices[1]
        #expect(eic.deadline?.iso8601 == "2027-03-12T17:00:00+01:00")
        #expect(eic.otherDeadlines.count == 1)
        #expect(eic.call?.collaborative == false)
    }

    @Test func decpAwards() throws {
        let doc = try Self.json("decp-2022.json")
        #expect(doc.format == .decpJSON)
        // uid (buyer SIRET + id), then the CPV and the first winner, which tell apart lots sharing an id.
        #expect(
            doc.notices.map(\.sourceID) == [
                "254200123000172026-0042/50530000/41234567800021", "214200995000152026-0043/77310000",
            ])
        #expect(doc.issues.count == 1)
        let n = doc.notices[0]
        #expect(n.kind == .award)
        #expect(n.mainCPV == "50530000")
        #expect(n.value == Money(amount: 176_500, currency: "EUR", vat: "HT", kind: .awarded))
        #expect(n.places == [Place(nuts: "FRK25", departement: "42", postcode: "42100")])
        #expect(n.awardees == [Buyer(id: "41234567800021")])
        #expect(n.summary == nil)
        #expect(doc.notices[1].awardees.isEmpty)
        #expect(doc.notices[1].summary == nil)
        #expect(doc.notices[1].value?.amount == 84000)
        #expect(doc.notices[1].places.first?.departement == "42")
    }

    @Test func tedDailyPackage() throws {
        let bytes = try Fixture.bytes("ted-daily-package.tar.gz")
        let doc = try #require(
            try FormatRegistry.parsePackage(
                bytes,
                options: ParseOptions(
                    sourceID: "ted",
                    documentName: "202600201.tar.gz")))
        #expect(doc.format == .tedPackage)
        #expect(doc.notices.map(\.sourceID) == ["612345-2026", "598765-2026", "701234-2026"])
        #expect(doc.notices.map(\.kind) == [.tender, .priorInformation, .award])
        // The truncated member is reported with its path and notice number; the others still parse.
        let issue = try #require(doc.issues.first { $0.file == "20261016_201/00612399_2026.xml" })
        #expect(issue.noticeID == "612399-2026")
        #expect(!issue.message.isEmpty)
    }

    @Test func corruptPackageKeepsWhatWasRead() throws {
        var bytes = try Fixture.bytes("ted-daily-package.tar.gz")
        bytes.removeLast(bytes.count / 3)
        let doc = try? FormatRegistry.parsePackage(bytes, options: ParseOptions(documentName: "cut.tar.gz"))
        if let doc {
            #expect(doc.issues.contains { $0.message.contains("package:") })
        }
        // A stream cut before any member throws; either way nothing crashes and the cause is named.
        do {
            _ = try FormatRegistry.parsePackage(
                Array(bytes.prefix(40)), options: ParseOptions(documentName: "cut.tar.gz"))
            Issue.record("a 40-byte gzip stream cannot be a package")
        } catch let ParserError.malformed(issue) {
            #expect(issue.message.contains("package:"))
        }
    }

    /// The last page of a query is empty: it must parse to no notices, in the right format, not fail. (That the
    /// walk ends there is the pager's: FetcherTests/PagerFixturePageTests.)
    @Test(arguments: [
        (#"{"count": 0, "next": null, "previous": null, "results": []}"#, DocumentFormat.aidesTerritoiresJSON),
        (#"{"total_count": 0, "results": []}"#, .boampJSON),
        (#"{"notices": [], "totalNoticeCount": 0, "timedOut": false}"#, .tedJSON),
        (#"{"totalResults": 0, "pageNumber": 1, "pageSize": 50, "results": []}"#, .euFundingJSON),
        (#"{"marches": {"marche": []}}"#, .decpJSON),
    ])
    func emptyPages(_ json: String, _ format: DocumentFormat) throws {
        let doc = try #require(try FormatRegistry.parseJSON(Array(json.utf8), options: ParseOptions()))
        #expect(doc.format == format)
        #expect(doc.notices.isEmpty)
    }

    @Test func brokenJSONIsMalformed() throws {
        #expect(throws: ParserError.self) {
            _ = try FormatRegistry.parseJSON(Array(#"{"results": [ {"idweb": "1"#.utf8), options: ParseOptions())
        }
        #expect(try FormatRegistry.parseJSON(Array("<rss/>".utf8), options: ParseOptions()) == nil)
        #expect(
            try FormatRegistry.parseJSON(
                Array(#"{"version": "https://jsonfeed.org/version/1.1"}"#.utf8),
                options: ParseOptions()) == nil)
    }
}
