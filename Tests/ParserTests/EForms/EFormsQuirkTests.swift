import Foundation
import Notices
import TestSupport
import Testing

@testable import Parser

/// The eForms quirks real notices show: 0 estimates as placeholders, framework maxima as values, `eu` numbers that
/// are no SIRET, an EndDate and an EndTime with different offsets, lot descriptions and the documents' address.
@Suite struct EFormsQuirkTests {
    static func parse(_ xml: String, root: String = "ContractNotice") throws -> Notice {
        let doc = try #require(
            try FormatRegistry.parseNoticeXML(
                rootName: root, namespace: nil, bytes: Array(xml.utf8),
                options: ParseOptions(sourceID: "test", documentName: "inline.xml")))
        return try #require(doc.notices.first)
    }

    /// A minimal eForms notice: `extensions` goes inside the EformsExtension (after the organisations), `project`
    /// inside the procedure's ProcurementProject, `lots` after it.
    static func notice(
        root: String = "ContractNotice", company: String = "<cbc:CompanyID>77566591200082</cbc:CompanyID>",
        country: String = "FRA", extensions: String = "", project: String = "", lots: String = ""
    ) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <\(root) xmlns="urn:oasis:names:specification:ubl:schema:xsd:\(root)-2"
          xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
          xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
          xmlns:efac="http://data.europa.eu/p27/eforms-ubl-extension-aggregate-components/1"
          xmlns:efbc="http://data.europa.eu/p27/eforms-ubl-extension-basic-components/1"
          xmlns:efext="http://data.europa.eu/p27/eforms-ubl-extensions/1"
          xmlns:ext="urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2">
          <ext:UBLExtensions><ext:UBLExtension><ext:ExtensionContent><efext:EformsExtension>
            <efac:Organizations><efac:Organization><efac:Company>
              <cac:PartyIdentification><cbc:ID schemeName="organization">ORG-0001</cbc:ID></cac:PartyIdentification>
              <cac:PartyName><cbc:Name languageID="FRA">Acheteur</cbc:Name></cac:PartyName>
              <cac:PostalAddress><cac:Country>
                <cbc:IdentificationCode listName="country">\(country)</cbc:IdentificationCode>
              </cac:Country></cac:PostalAddress>
              <cac:PartyLegalEntity>\(company)</cac:PartyLegalEntity>
            </efac:Company></efac:Organization></efac:Organizations>
            \(extensions)
          </efext:EformsExtension></ext:ExtensionContent></ext:UBLExtension></ext:UBLExtensions>
          <cbc:ID schemeName="notice-id">11111111-2222-3333-4444-555555555555</cbc:ID>
          <cbc:NoticeLanguageCode>FRA</cbc:NoticeLanguageCode>
          <cac:ContractingParty><cac:Party><cac:PartyIdentification><cbc:ID>ORG-0001</cbc:ID>
          </cac:PartyIdentification></cac:Party></cac:ContractingParty>
          <cac:ProcurementProject><cbc:Name languageID="FRA">Marché</cbc:Name>\(project)</cac:ProcurementProject>
          \(lots)
        </\(root)>
        """
    }

    static func lot(_ id: String, project: String = "", process: String = "", terms: String = "") -> String {
        """
        <cac:ProcurementProjectLot><cbc:ID schemeName="Lot">\(id)</cbc:ID>
          <cac:TenderingTerms>\(terms)</cac:TenderingTerms>
          <cac:TenderingProcess>\(process)</cac:TenderingProcess>
          <cac:ProcurementProject><cbc:Name languageID="FRA">Lot \(id)</cbc:Name>\(project)</cac:ProcurementProject>
        </cac:ProcurementProjectLot>
        """
    }

    static func amount(_ estimate: String?, frameworkMax: String? = nil) -> String {
        var s = "<cac:RequestedTenderTotal>"
        if let estimate {
            s +=
                #"<cbc:EstimatedOverallContractAmount currencyID="EUR">\#(estimate)"#
                + "</cbc:EstimatedOverallContractAmount>"
        }
        if let frameworkMax {
            s += """
                <ext:UBLExtensions><ext:UBLExtension><ext:ExtensionContent><efext:EformsExtension>
                <efbc:FrameworkMaximumAmount currencyID="EUR">\(frameworkMax)</efbc:FrameworkMaximumAmount>
                </efext:EformsExtension></ext:ExtensionContent></ext:UBLExtension></ext:UBLExtensions>
                """
        }
        return s + "</cac:RequestedTenderTotal>"
    }

    // MARK: - Values

    /// `EstimatedOverallContractAmount` 0 is what producers write when they give no figure: no value, never "0 €".
    @Test func zeroEstimateIsAPlaceholder() throws {
        let n = try Self.parse(
            Self.notice(project: Self.amount("0"), lots: Self.lot("LOT-0001", project: Self.amount("0.00"))))
        #expect(n.value == nil)
        #expect(n.lots.first?.value == nil)
    }

    /// BOAMP's framework award 26-80978 writes 0 estimates and gives its ceilings as BT-271 per lot, BT-709 per
    /// lot result and BT-118 for the notice: those are values, of kind `.frameworkMaximum`.
    @Test func frameworkMaximaAreValues() throws {
        let results = """
            <efac:NoticeResult>
              <efbc:OverallMaximumFrameworkContractsAmount currencyID="EUR">440000
              </efbc:OverallMaximumFrameworkContractsAmount>
              <efac:LotResult><cbc:ID schemeName="result">RES-0001</cbc:ID>
                <cbc:TenderResultCode listName="winner-selection-status">selec-w</cbc:TenderResultCode>
                <efac:FrameworkAgreementValues>
                  <cbc:MaximumValueAmount currencyID="EUR">160000</cbc:MaximumValueAmount>
                </efac:FrameworkAgreementValues>
                <efac:TenderLot><cbc:ID schemeName="Lot">LOT-0001</cbc:ID></efac:TenderLot>
              </efac:LotResult>
              <efac:LotResult><cbc:ID schemeName="result">RES-0002</cbc:ID>
                <efac:FrameworkAgreementValues>
                  <cbc:MaximumValueAmount currencyID="EUR">280000</cbc:MaximumValueAmount>
                </efac:FrameworkAgreementValues>
                <efac:TenderLot><cbc:ID schemeName="Lot">LOT-0002</cbc:ID></efac:TenderLot>
              </efac:LotResult>
            </efac:NoticeResult>
            """
        let n = try Self.parse(
            Self.notice(
                root: "ContractAwardNotice", extensions: results, project: Self.amount("0"),
                lots: Self.lot("LOT-0001", project: Self.amount("0")) + Self.lot("LOT-0002")),
            root: "ContractAwardNotice")
        #expect(n.value == Money(amount: 440_000, currency: "EUR", vat: "HT", kind: .frameworkMaximum))
        #expect(n.lots.map(\.value?.amount) == [160_000, 280_000])
        #expect(n.lots.allSatisfy { $0.value?.kind == .frameworkMaximum })
    }

    /// BT-271 with a 0 estimate: the maximum alone; with a real estimate, the estimate bounded by the maximum.
    @Test func frameworkMaximumOfTheProcedureAndOfLots() throws {
        let n = try Self.parse(
            Self.notice(
                project: Self.amount("0", frameworkMax: "500000"),
                lots: Self.lot("LOT-0001", project: Self.amount("350000", frameworkMax: "420000"))))
        #expect(n.value == Money(amount: 500_000, currency: "EUR", vat: "HT", kind: .frameworkMaximum))
        #expect(n.lots.first?.value == Money(amount: 350_000, currency: "EUR", max: 420_000, vat: "HT"))
        // Without a procedure figure, lots of one kind add up, and keep their kind.
        let sum = try Self.parse(
            Self.notice(
                lots: Self.lot("LOT-0001", project: Self.amount("0", frameworkMax: "100000"))
                    + Self.lot("LOT-0002", project: Self.amount(nil, frameworkMax: "50000"))))
        #expect(sum.value == Money(amount: 150_000, currency: "EUR", vat: "HT", kind: .frameworkMaximum))
    }

    /// An award notice's total (BT-161) is an awarded amount.
    @Test func awardTotalIsAwarded() throws {
        let n = try Self.parse(
            Self.notice(
                root: "ContractAwardNotice",
                extensions:
                    #"<efac:NoticeResult><cbc:TotalAmount currencyID="EUR">1535963</cbc:TotalAmount>"#
                    + "</efac:NoticeResult>",
                lots: Self.lot("LOT-0001")),
            root: "ContractAwardNotice")
        #expect(n.value == Money(amount: 1_535_963, currency: "EUR", kind: .awarded))
    }

    // MARK: - Identifiers

    @Test(
        arguments: [
            // schemeName="eu": numbers BOAMP's eForms records really hold there.
            (#"<cbc:CompanyID schemeName="eu">93B89A5C-0AC1-1F94-9033D113B58B67A3</cbc:CompanyID>"#, "FRA", nil),
            (#"<cbc:CompanyID schemeName="eu">13630</cbc:CompanyID>"#, "FRA", nil),
            (#"<cbc:CompanyID schemeName="eu">GCEU</cbc:CompanyID>"#, "LUX", nil),
            // A real SIRET, printed with spaces; a SIREN.
            ("<cbc:CompanyID>775 665 912 00082</cbc:CompanyID>", "FRA", "77566591200082"),
            ("<cbc:CompanyID>326 912 557</cbc:CompanyID>", "FRA", "326912557"),
            // For a French buyer, anything else is no SIRET.
            ("<cbc:CompanyID>FR 12 775665912</cbc:CompanyID>", "FRA", nil),
            ("<cbc:CompanyID>not available</cbc:CompanyID>", "GBR", nil),
            // Other countries keep their national number.
            ("<cbc:CompanyID>ID11111</cbc:CompanyID>", "GBR", "ID11111"),
            // No CompanyID: no id at all, never the notice-local ORG-0001.
            ("", "FRA", nil),
        ] as [(String, String, String?)])
    func buyerIDIsARealRegistrationNumber(_ company: String, _ country: String, _ id: String?) throws {
        let n = try Self.parse(Self.notice(company: company, country: country, lots: Self.lot("LOT-0001")))
        #expect(n.buyer?.name == "Acheteur")
        #expect(n.buyer?.id == id)
    }

    // MARK: - Dates

    @Test(
        arguments: [
            // CNES 612553-2026: the time carries September's offset; the date's is right for 2 November.
            ("2026-11-02+01:00", "12:00:00+02:00", "2026-11-02T12:00:00+01:00"),
            ("2026-06-02+02:00", "12:00:00+01:00", "2026-06-02T12:00:00+02:00"),
            ("2020-04-03+01:00", "12:00:00+01:00", "2020-04-03T12:00:00+01:00"),
            ("2019-06-24Z", "16:00:00Z", "2019-06-24T16:00:00Z"),
            ("2026-11-02", "12:00:00+01:00", "2026-11-02T12:00:00+01:00"),
            ("2026-11-02+01:00", "12:00:00", "2026-11-02T12:00:00+01:00"),
            ("2026-11-02+01:00", nil, "2026-11-02T23:59:00+01:00"),
            ("2026-11-27T12:00:00+01:00", nil, "2026-11-27T12:00:00+01:00"),
        ] as [(String, String?, String)])
    func endDateAndEndTimeCombine(_ date: String, _ time: String?, _ want: String) {
        #expect(EFormsDates.combine(date: date, time: time)?.iso8601 == want)
    }

    /// The real CNES notice: 12:00 Paris on 2 November is 11:00Z; its lot's description and the documents' URL
    /// (BT-15) come through.
    @Test(.requiresShared) func realCNESNotice() throws {
        let dir = TEDRealCaptures.dir
        try SharedData.url(dir)
        let doc = try #require(
            try FormatRegistry.parseNoticeXML(
                rootName: "ContractNotice", namespace: nil,
                bytes: try SharedData.bytes("\(dir)/kivou-612553-2026-CNES-cn.xml"),
                options: ParseOptions(sourceID: "ted", documentName: "cnes.xml")))
        let n = try #require(doc.notices.first)
        #expect(n.deadline.map { ISO8601.format($0.instant) } == "2026-11-02T11:00:00Z")
        #expect(n.deadline?.utcOffset == 3600)
        #expect(n.deadlineKind == .tender)
        #expect(n.documentsURL == "https://marches.cnes.fr/entreprise/consultation/510067?orgAcronyme=t5y")
        #expect(
            n.lots.first?.description
                == "Prestations d’assistance à maîtrise d’ouvrage sur le logiciel SAP "
                + "Cette phase concerne la phase d'offres"
        )
        #expect(
            n.buyer
                == Buyer(
                    name: "CENTRE NATIONAL D'ETUDES SPATIALES", id: "77566591200082", country: "FRA", nuts: "FR101",
                    // ORG-0001 cac:Contact Name, Telephone, ElectronicMail; WebsiteURI (no BuyerProfileURI).
                    contact: ContactPoint(
                        name: "Lucas MARTIN", email: "L-DAR-OAR-TSR@cnes.fr", phone: "+33 561000000",
                        url: "https://marches.cnes.fr/")))
        #expect(n.value == nil)
        #expect(n.refs.tedPublicationNumber == "612553-2026")
    }

    /// The SDK sample with a lot description and documents URL (`expected-extraction.json` docsUrl1).
    @Test(.requiresShared) func sdkSampleDocumentsURL() throws {
        try SharedData.url("samples/eforms")
        let expectedData = try Data(
            contentsOf: SharedData.root.appendingPathComponent("samples/eforms/expected-extraction.json"))
        let all = try #require(try JSONSerialization.jsonObject(with: expectedData) as? [String: [String: Any]])
        for (file, e) in all.sorted(by: { $0.key < $1.key }) {
            let bytes = try SharedData.bytes("samples/eforms/\(file)")
            let doc = try #require(
                try FormatRegistry.parseNoticeXML(
                    rootName: e["root"] as? String ?? "", namespace: nil, bytes: bytes,
                    options: ParseOptions(sourceID: "ted", documentName: file)))
            let want = (e["docsUrl1"] as? String).flatMap { $0.isEmpty ? nil : $0 }
            #expect(doc.notices.first?.documentsURL == want, "\(file)")
        }
    }
}

extension EFormsQuirkTests {
    /// Lots with their own deadline keep it; the notice's deadline is the earliest.
    @Test func lotDeadlineWhenItDiffers() throws {
        func period(_ date: String, _ time: String) -> String {
            "<cac:TenderSubmissionDeadlinePeriod><cbc:EndDate>\(date)</cbc:EndDate><cbc:EndTime>\(time)</cbc:EndTime>"
                + "</cac:TenderSubmissionDeadlinePeriod>"
        }
        let n = try Self.parse(
            Self.notice(
                lots: Self.lot("LOT-0001", process: period("2026-12-01+01:00", "12:00:00+01:00"))
                    + Self.lot("LOT-0002", process: period("2026-12-08+01:00", "16:00:00+01:00"))))
        #expect(n.deadline?.iso8601 == "2026-12-01T12:00:00+01:00")
        #expect(n.lots.map(\.deadline?.iso8601) == [nil, "2026-12-08T16:00:00+01:00"])
    }
}
