import Foundation
import Notices
import TestSupport
import Testing

@testable import Parser

/// Awarded suppliers (`Notice.awardees`), PIN parts (`Lot.kind`) and the notice a change modifies
/// (`CrossReferences.changedNotice`), on the shared samples and on small documents written here.
@Suite struct AwardAndChangeTests {
    static func shared(_ path: String, root: String) throws -> Notice {
        try SharedData.url((path as NSString).deletingLastPathComponent)
        let doc = try #require(
            try FormatRegistry.parseNoticeXML(
                rootName: root, namespace: nil, bytes: try SharedData.bytes(path),
                options: ParseOptions(sourceID: "test", documentName: path)))
        return try #require(doc.notices.first)
    }

    static func xml(_ text: String, root: String) throws -> Notice {
        let doc = try #require(
            try FormatRegistry.parseNoticeXML(
                rootName: root, namespace: nil, bytes: Array(text.utf8),
                options: ParseOptions(sourceID: "test", documentName: "inline.xml")))
        return try #require(doc.notices.first)
    }

    static func json(_ text: String) throws -> ParsedDocument {
        try #require(
            try FormatRegistry.parseJSON(
                Array(text.utf8), options: ParseOptions(sourceID: "test", documentName: "inline.json")))
    }

    // MARK: - eForms

    @Test(.requiresShared) func eformsAwardNoticeNamesTheWinnerOfEachLot() throws {
        let n = try Self.shared("samples/eforms/can_24_FRA_comments.xml", root: "ContractAwardNotice")
        // LOT-0001 → TEN-0001 → TPA-0001 → ORG-0004; LOT-0002 → TEN-0002 → TPA-0002 → ORG-0005.
        #expect(n.awardees.map(\.name) == ["Espaces Verts Lemire", "ID Verde SASU"])
        #expect(n.awardees.map(\.id) == ["326912557", "339609661"])
        // The buyer, the review body and the eSender are organisations too, never winners.
        #expect(!n.awardees.contains { $0.name == "Rouen Habitat" || $0.name == "eSendCorp" })
    }

    @Test(.requiresShared) func eformsAwardNoticeInEnglish() throws {
        let n = try Self.shared("samples/eforms/can_24_UKRI.xml", root: "ContractAwardNotice")
        #expect(n.awardees.map(\.name) == ["Ramboll UK Ltd"])
        #expect(n.awardees.map(\.id) == ["ID222222"])
    }

    @Test(
        .requiresShared,
        arguments: ["cn_24_open.xml", "cn_81_FRA.xml", "pin-only_24_lots.xml", "change-cn_24_open_dates.xml"])
    func eformsNoticesWithoutResultsHaveNoAwardees(_ file: String) throws {
        let root = file.hasPrefix("pin") ? "PriorInformationNotice" : "ContractNotice"
        let n = try Self.shared("samples/eforms/\(file)", root: root)
        #expect(n.awardees.isEmpty)
    }

    @Test(.requiresShared) func eformsChangeNoticeNamesTheNoticeItChanges() throws {
        let n = try Self.shared("samples/eforms/change-cn_24_open_dates.xml", root: "ContractNotice")
        #expect(n.kind == .change)
        #expect(n.refs.changedNotice == "c4c415ee-ac08-4465-8fa6-57568cf69462-01")
        #expect(!n.refs.isEmpty)
        let plain = try Self.shared("samples/eforms/cn_24_open.xml", root: "ContractNotice")
        #expect(plain.refs.changedNotice == nil)
    }

    @Test(.requiresShared) func eformsPriorInformationPartsAreFlagged() throws {
        let n = try Self.shared("samples/eforms/pin-only_24_lots.xml", root: "PriorInformationNotice")
        #expect(!n.lots.isEmpty)
        #expect(n.lots.allSatisfy { $0.kind == "part" })
        let cn = try Self.shared("samples/eforms/cn_24_maximal.xml", root: "ContractNotice")
        #expect(!cn.lots.isEmpty)
        #expect(cn.lots.allSatisfy { $0.kind == nil })
    }

    /// A consortium wins lot 1 (its leader listed second), lot 2 closes without a winner although a tender is
    /// listed; a third organisation tendered and lost.
    static func can(settled: Bool) -> String {
        let contracts =
            settled
            ? """
            <efac:SettledContract><cbc:ID schemeName="contract">CON-0001</cbc:ID>
              <efac:LotTender><cbc:ID schemeName="tender">TEN-0001</cbc:ID></efac:LotTender></efac:SettledContract>
            """ : ""
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <ContractAwardNotice xmlns="urn:oasis:names:specification:ubl:schema:xsd:ContractAwardNotice-2"
              xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
              xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
              xmlns:ext="urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2"
              xmlns:efac="http://data.europa.eu/p27/eforms-ubl-extension-aggregate-components/1"
              xmlns:efbc="http://data.europa.eu/p27/eforms-ubl-extension-basic-components/1"
              xmlns:efext="http://data.europa.eu/p27/eforms-ubl-extensions/1">
              <ext:UBLExtensions><ext:UBLExtension><ext:ExtensionContent><efext:EformsExtension>
                <efac:NoticeResult>
                  <cbc:TotalAmount currencyID="EUR">412000</cbc:TotalAmount>
                  <efac:LotResult><cbc:ID schemeName="result">RES-0001</cbc:ID>
                    <cbc:TenderResultCode listName="winner-selection-status">selec-w</cbc:TenderResultCode>
                    <efac:LotTender><cbc:ID schemeName="tender">TEN-0001</cbc:ID></efac:LotTender>
                    <efac:TenderLot><cbc:ID schemeName="Lot">LOT-0001</cbc:ID></efac:TenderLot></efac:LotResult>
                  <efac:LotResult><cbc:ID schemeName="result">RES-0002</cbc:ID>
                    <cbc:TenderResultCode listName="winner-selection-status">clos-nw</cbc:TenderResultCode>
                    <efac:LotTender><cbc:ID schemeName="tender">TEN-0002</cbc:ID></efac:LotTender>
                    <efac:TenderLot><cbc:ID schemeName="Lot">LOT-0002</cbc:ID></efac:TenderLot></efac:LotResult>
                  <efac:LotTender><cbc:ID schemeName="tender">TEN-0001</cbc:ID><cbc:RankCode>1</cbc:RankCode>
                    <efac:TenderingParty><cbc:ID schemeName="tendering-party">TPA-0001</cbc:ID></efac:TenderingParty>
                  </efac:LotTender>
                  <efac:LotTender><cbc:ID schemeName="tender">TEN-0002</cbc:ID>
                    <efac:TenderingParty><cbc:ID schemeName="tendering-party">TPA-0002</cbc:ID></efac:TenderingParty>
                  </efac:LotTender>
                  \(contracts)
                  <efac:TenderingParty><cbc:ID schemeName="tendering-party">TPA-0001</cbc:ID>
                    <efac:Tenderer><cbc:ID schemeName="organization">ORG-0003</cbc:ID></efac:Tenderer>
                    <efac:Tenderer><cbc:ID schemeName="organization">ORG-0002</cbc:ID>
                      <efbc:GroupLeadIndicator>true</efbc:GroupLeadIndicator></efac:Tenderer>
                  </efac:TenderingParty>
                  <efac:TenderingParty><cbc:ID schemeName="tendering-party">TPA-0002</cbc:ID>
                    <efac:Tenderer><cbc:ID schemeName="organization">ORG-0004</cbc:ID></efac:Tenderer>
                  </efac:TenderingParty>
                </efac:NoticeResult>
                <efac:Organizations>
                  <efac:Organization><efac:Company>
                    <cac:PartyIdentification>
                      <cbc:ID schemeName="organization">ORG-0001</cbc:ID></cac:PartyIdentification>
                    <cac:PartyName><cbc:Name languageID="FRA">Saint-Étienne Métropole</cbc:Name></cac:PartyName>
                    <cac:PartyLegalEntity><cbc:CompanyID>244 200 770 00013</cbc:CompanyID></cac:PartyLegalEntity>
                  </efac:Company></efac:Organization>
                  <efac:Organization><efac:Company>
                    <cac:PartyIdentification>
                      <cbc:ID schemeName="organization">ORG-0002</cbc:ID></cac:PartyIdentification>
                    <cac:PartyName><cbc:Name languageID="FRA">Usinage du Forez</cbc:Name></cac:PartyName>
                    <cac:PostalAddress><cbc:CountrySubentityCode listName="nuts">FRK25</cbc:CountrySubentityCode>
                      <cac:Country><cbc:IdentificationCode listName="country">FRA</cbc:IdentificationCode></cac:Country>
                    </cac:PostalAddress>
                    <cac:PartyLegalEntity><cbc:CompanyID>412 345 678 00021</cbc:CompanyID></cac:PartyLegalEntity>
                  </efac:Company></efac:Organization>
                  <efac:Organization><efac:Company>
                    <cac:PartyIdentification>
                      <cbc:ID schemeName="organization">ORG-0003</cbc:ID></cac:PartyIdentification>
                    <cac:PartyName><cbc:Name languageID="FRA">Surfaces Loire</cbc:Name></cac:PartyName>
                  </efac:Company></efac:Organization>
                  <efac:Organization><efac:Company>
                    <cac:PartyIdentification>
                      <cbc:ID schemeName="organization">ORG-0004</cbc:ID></cac:PartyIdentification>
                    <cac:PartyName><cbc:Name languageID="FRA">Perdant SA</cbc:Name></cac:PartyName>
                  </efac:Company></efac:Organization>
                </efac:Organizations>
              </efext:EformsExtension></ext:ExtensionContent></ext:UBLExtension></ext:UBLExtensions>
              <cbc:ID schemeName="notice-id">0f4e3d2c-1b0a-4f9e-8d7c-6b5a49382716</cbc:ID>
              <cbc:VersionID>01</cbc:VersionID>
              <cbc:NoticeTypeCode listName="result">can-standard</cbc:NoticeTypeCode>
              <cbc:NoticeLanguageCode>FRA</cbc:NoticeLanguageCode>
              <cac:ContractingParty><cac:Party><cac:PartyIdentification>
                <cbc:ID schemeName="organization">ORG-0001</cbc:ID>
              </cac:PartyIdentification></cac:Party></cac:ContractingParty>
              <cac:ProcurementProject><cbc:Name languageID="FRA">Pièces de bogies</cbc:Name></cac:ProcurementProject>
              <cac:ProcurementProjectLot><cbc:ID schemeName="Lot">LOT-0001</cbc:ID>
                <cac:ProcurementProject><cbc:Name languageID="FRA">Usinage</cbc:Name></cac:ProcurementProject>
              </cac:ProcurementProjectLot>
              <cac:ProcurementProjectLot><cbc:ID schemeName="Lot">LOT-0002</cbc:ID>
                <cac:ProcurementProject><cbc:Name languageID="FRA">Peinture</cbc:Name></cac:ProcurementProject>
              </cac:ProcurementProjectLot>
            </ContractAwardNotice>
            """
    }

    @Test(arguments: [false, true])
    func eformsConsortiumWinsWithItsLeaderFirst(_ settled: Bool) throws {
        let n = try Self.xml(Self.can(settled: settled), root: "ContractAwardNotice")
        #expect(n.kind == .award)
        #expect(
            n.awardees == [
                Buyer(name: "Usinage du Forez", id: "41234567800021", country: "FRA", nuts: "FRK25"),
                Buyer(name: "Surfaces Loire"),
            ])
        #expect(n.buyer?.name == "Saint-Étienne Métropole")
        #expect(n.lots.map(\.kind) == [nil, nil])
    }

    // MARK: - BOAMP XML (schema v230)

    @Test(.requiresShared) func boampAttributionNoticesNameTheirTitulaires() throws {
        let dir = "samples/boamp/xml-v230"
        try SharedData.url(dir)
        func awardees(_ file: String) throws -> [Buyer] {
            try Self.shared("\(dir)/\(file)", root: "ANNONCE").awardees
        }
        #expect(try awardees("test-attribution-2.xml") == [Buyer(name: "SARL ENVIRONNEMENT & SOLUTIONS")])
        #expect(try awardees("test-attribution-5.xml").map(\.name) == ["Moter"])
        // Consortium members keep the role the buyer wrote after their name.
        #expect(
            try awardees("test-attribution-10.xml").map(\.name) == [
                "CONCRETE WAVES SKATE PARKS(Mandataire)", "SPORT DES VILLES(co-traitant)",
                "LAURENCE CREMEL PAYSAGISTE(Co-traitant)",
            ])
        #expect(
            try awardees("test-attribution-8.xml").map(\.name) == [
                "ARC INTERIM (Rang 1)", "PROMAN MEDICAL (Rang 2)", "ADECCO MEDECINS (Rang 3)",
            ])
        // 18 lot decisions, 12 distinct firms: a firm winning several lots is listed once.
        let many = try awardees("test-attribution-12.xml")
        #expect(many.count == 12)
        #expect(many.first == Buyer(name: "Brake France Service", nuts: "FRJ13"))
        #expect(many.last?.name == "Sarl Boulangerie-Patisserie Lapierre")
        // Lots attributed without naming anyone.
        #expect(try awardees("test-attribution-4.xml").isEmpty)
        #expect(try awardees("test-pub.xml").isEmpty)
    }

    @Test(.requiresShared) func boampAttributionIsNotAChange() throws {
        // An award lists the call it follows (ANNONCE_ANTERIEUR), but it modifies nothing.
        let n = try Self.shared("samples/boamp/xml-v230/test-attribution-2.xml", root: "ANNONCE")
        #expect(n.kind == .award)
        #expect(n.refs.changedNotice == nil)
    }

    @Test func boampCorrigendumNamesTheInitialNotice() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <ANNONCE><GESTION>
              <REFERENCE><IDWEB>26-50002</IDWEB><TYPE_AVIS><NATURE><APPEL_OFFRE/></NATURE>
                <STATUT><RECTIFICATIF/></STATUT></TYPE_AVIS></REFERENCE>
              <MARCHE>
                <ANNONCE_ANTERIEUR><REFERENCE><IDWEB>26-48811</IDWEB><TYPE_AVIS><STATUT><RECTIFICATIF/></STATUT>
                  </TYPE_AVIS></REFERENCE></ANNONCE_ANTERIEUR>
                <ANNONCE_ANTERIEUR><REFERENCE><IDWEB>26-41234</IDWEB><TYPE_AVIS><STATUT><INITIAL/></STATUT>
                  </TYPE_AVIS></REFERENCE></ANNONCE_ANTERIEUR>
              </MARCHE>
              <INDEXATION><RESUME_OBJET>Usinage de pièces (rectificatif)</RESUME_OBJET></INDEXATION>
            </GESTION><DONNEES><IDENTITE><DENOMINATION>Saint-Étienne Métropole</DENOMINATION></IDENTITE></DONNEES>
            </ANNONCE>
            """
        let n = try Self.xml(xml, root: "ANNONCE")
        #expect(n.kind == .change)
        #expect(n.refs.changedNotice == "26-41234")
    }

    @Test func boampTitulaireWithSIRET() throws {
        let xml = """
            <ANNONCE><GESTION><REFERENCE><IDWEB>26-50003</IDWEB><TYPE_AVIS><NATURE><ATTRIBUTION/></NATURE>
              <STATUT><INITIAL/></STATUT></TYPE_AVIS></REFERENCE>
              <INDEXATION><RESUME_OBJET>Maintenance des presses</RESUME_OBJET></INDEXATION></GESTION>
            <DONNEES><ATTRIBUTION><DECISION><NUM_LOT>1</NUM_LOT>
              <TITULAIRE><DENOMINATION>Hydraulique Forez</DENOMINATION>
                <CODE_IDENT_NATIONAL>412 345 678 00021</CODE_IDENT_NATIONAL></TITULAIRE>
            </DECISION></ATTRIBUTION></DONNEES></ANNONCE>
            """
        let n = try Self.xml(xml, root: "ANNONCE")
        #expect(n.awardees == [Buyer(name: "Hydraulique Forez", id: "41234567800021")])
    }

    // MARK: - DECP

    @Test(.requiresShared) func decpSharedSamplesGiveTitulairesByID() throws {
        try SharedData.url("samples/decp")
        func notices(_ file: String) throws -> [Notice] {
            try #require(
                try FormatRegistry.parseJSON(
                    try SharedData.bytes("samples/decp/\(file)"),
                    options: ParseOptions(sourceID: "decp", documentName: file))
            ).notices
        }
        let recent = try notices("decp_test_2022.json")
        let first = try #require(recent.first { $0.title.hasPrefix("Eléctricité courant fort") })
        #expect(first.awardees == [Buyer(id: "12345678900023"), Buyer(id: "99999999999")])
        // Both shapes in one list: a bare {typeIdentifiant, id} and the {titulaire: {…}} wrapper.
        let mixed = try #require(recent.first { $0.sourceID.contains("2019K1209") })
        #expect(mixed.awardees.map(\.id) == ["39210031900038", "39210873400063", "39830819700035"])
        let old = try notices("decp_test_2019.json")
        let named = try #require(old.first { $0.awardees.count == 2 })
        #expect(named.awardees == [Buyer(name: "FFF", id: "12345678900023"), Buyer(name: "DEF", id: "99999999999")])
        // Winners live in `awardees` only (digests print them on their own line), not again in the summary.
        #expect(named.summary == nil)
    }

    // MARK: - BOAMP JSON

    @Test func boampRecordsTitulaireAndAnnonceLie() throws {
        let text = """
            {"total_count": 2, "results": [
              {"idweb": "26-120002", "objet": "Avis d'attribution : usinage", "nature": "ATTRIBUTION",
               "nature_libelle": "Avis d'attribution", "etat": "INITIAL",
               "titulaire": ["USINAGE DU FOREZ", "Surfaces &amp; Loire", "USINAGE DU FOREZ"]},
              {"idweb": "26-120003", "objet": "Usinage de pièces (rectificatif)", "nature": "APPEL_OFFRE",
               "etat": "RECTIFICATIF", "annonce_lie": "26-41234", "titulaire": null}
            ]}
            """
        let doc = try Self.json(text)
        #expect(doc.notices.count == 2)
        #expect(doc.notices[0].awardees == [Buyer(name: "USINAGE DU FOREZ"), Buyer(name: "Surfaces & Loire")])
        #expect(doc.notices[0].refs.changedNotice == nil)
        #expect(doc.notices[1].kind == .change)
        #expect(doc.notices[1].refs.changedNotice == "26-41234")
        #expect(doc.notices[1].awardees.isEmpty)
    }

    // MARK: - TED search API

    @Test func tedSearchWinnersPairNamesWithIdentifiersOnlyWhenAligned() throws {
        let text = """
            {"notices": [
              {"publication-number": "00712345-2026", "notice-type": "can-standard",
               "notice-title": {"fra": "France – Machines-outils – Centres d'usinage"},
               "winner-name": {"fra": ["Usinage du Forez", "Surfaces Loire"], "eng": ["Forez Machining", "Loire"]},
               "winner-identifier": ["412 345 678 00021", "52345678900012"]},
              {"publication-number": "00712346-2026", "notice-type": "can-standard",
               "notice-title": {"fra": "France – Peinture – Peinture de châssis"},
               "winner-name": {"fra": ["Peinture Roannaise", "Usinage du Forez"]},
               "winner-identifier": ["41234567800021"]},
              {"publication-number": "00712347-2026", "notice-type": "cn-standard",
               "notice-title": {"fra": "France – Usinage – Pièces"}}
            ], "totalNoticeCount": 3}
            """
        let doc = try Self.json(text)
        #expect(doc.notices.count == 3)
        #expect(
            doc.notices[0].awardees == [
                Buyer(name: "Usinage du Forez", id: "41234567800021"),
                Buyer(name: "Surfaces Loire", id: "52345678900012"),
            ])
        #expect(doc.notices[1].awardees == [Buyer(name: "Peinture Roannaise"), Buyer(name: "Usinage du Forez")])
        #expect(doc.notices[2].awardees.isEmpty)
    }

    @Test func boampRecordWithEFormsResultsGivesRegistrationNumbers() throws {
        // The eForms tree inside `donnees` names the winner with its SIRET; the flat list only its name.
        let donnees: [String: Any] = [
            "EFORMS": [
                "ContractAwardNotice": [
                    "cbc:NoticeLanguageCode": "FRA",
                    "ext:UBLExtensions": [
                        "ext:UBLExtension": [
                            "ext:ExtensionContent": [
                                "efext:EformsExtension": [
                                    "efac:NoticeResult": [
                                        "efac:LotResult": [
                                            "cbc:TenderResultCode": "selec-w",
                                            "efac:LotTender": ["cbc:ID": "TEN-0001"],
                                        ],
                                        "efac:LotTender": [
                                            "cbc:ID": "TEN-0001", "efac:TenderingParty": ["cbc:ID": "TPA-0001"],
                                        ],
                                        "efac:TenderingParty": [
                                            "cbc:ID": "TPA-0001",
                                            "efac:Tenderer": ["cbc:ID": "ORG-0002"],
                                        ],
                                    ],
                                    "efac:Organizations": [
                                        "efac:Organization": [
                                            ["efac:Company": ["cac:PartyIdentification": ["cbc:ID": "ORG-0001"]]],
                                            [
                                                "efac:Company": [
                                                    "cac:PartyIdentification": ["cbc:ID": "ORG-0002"],
                                                    "cac:PartyName": [
                                                        "cbc:Name": ["@languageID": "FRA", "#text": "Garage du Velay"]
                                                    ],
                                                    "cac:PartyLegalEntity": ["cbc:CompanyID": "432 109 876 00018"],
                                                ]
                                            ],
                                        ]
                                    ],
                                ]
                            ]
                        ]
                    ],
                    "cac:ProcurementProject": ["cbc:Name": ["@languageID": "FRA", "#text": "Véhicules"]],
                ]
            ]
        ]
        let donneesText = String(decoding: try JSONSerialization.data(withJSONObject: donnees), as: UTF8.self)
        let record: [String: Any] = [
            "idweb": "26-120004", "objet": "Véhicules", "nature": "ATTRIBUTION", "titulaire": ["GARAGE DU VELAY"],
            "donnees": donneesText,
        ]
        let text = String(decoding: try JSONSerialization.data(withJSONObject: [record]), as: UTF8.self)
        let n = try #require(try Self.json(text).notices.first)
        #expect(n.awardees == [Buyer(name: "Garage du Velay", id: "43210987600018")])
    }
}
