import Foundation
import TestSupport

@testable import Notices
@testable import Parser

/// Expected field values of the real eForms XML captures in `../shared/samples/real/`, read from the raw files
/// (each literal names the XML element it comes from).
enum EFormsRealCaptures {
    /// TED notice 612553-2026, CNES (Paris), one lot, open procedure; `E` is the eForms extension.
    static let cnes = TEDRealCaptures.Row(
        notice: "612553-2026",  // E/efac:Publication/efbc:NoticePublicationID "00612553-2026"
        title: "Assistance à maîtrise d’ouvrage sur le logiciel SAP",  // /*/cac:ProcurementProject/cbc:Name
        buyer: "CENTRE NATIONAL D'ETUDES SPATIALES",  // ORG-0001 (the ContractingParty) cac:PartyName/cbc:Name
        buyerID: "77566591200082",  // ORG-0001 cac:PartyLegalEntity/cbc:CompanyID (a SIRET, no schemeName)
        // LOT-0001 TenderSubmissionDeadlinePeriod: EndDate "2026-11-02+01:00", EndTime "12:00:00+02:00". Paris is
        // at +01:00 on 2 November: 12:00 Paris is 11:00Z (the time's +02:00 is September's offset).
        deadline: "2026-11-02T11:00:00Z",
        deadlineKind: "tender",  // TenderSubmissionDeadlinePeriod (BT-131)
        value: "-",  // no RequestedTenderTotal anywhere
        cpv: "72261000",  // cac:MainCommodityClassification/cbc:ItemClassificationCode, procedure and lot
        place: "-",  // cac:RealizedLocation: Region "anyw-cou", Country FRA (anywhere in France): no département
        lots: "LOT-0001:72261000:-",  // cac:ProcurementProjectLot cbc:ID LOT-0001, lot MainCommodityClassification
        winners: "-",  // a contract notice: no NoticeResult
        kind: "tender")  // root ContractNotice, NoticeTypeCode cn-standard

    static func checks() throws -> [FieldCheck] {
        let file = "kivou-612553-2026-CNES-cn.xml"
        let doc = try FormatRegistry.parseNoticeXML(
            rootName: "ContractNotice", namespace: nil,
            bytes: try SharedData.bytes("\(TEDRealCaptures.dir)/\(file)"),
            options: ParseOptions(sourceID: "ted", documentName: file))
        return cnes.checks(capture: "ted/" + file, in: doc?.notices ?? [])
    }
}
