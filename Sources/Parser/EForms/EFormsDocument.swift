import Foundation

// Specs: https://docs.ted.europa.eu/eforms/latest/ (eForms SDK 1.15, fields/fields.json xpathAbsolute)

/// The parts of one eForms notice (UBL 2.3 + eForms extensions) that Vigie reads, as the XML holds them.
///
/// Roots: `ContractNotice` (CN), `PriorInformationNotice` (PIN), `ContractAwardNotice` (CAN). `E` below is
/// `/*/ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent/efext:EformsExtension`.
struct EFormsDocument: Sendable {
    /// A text with its `@languageID` (`FRA`, `ENG`…).
    typealias Text = (lang: String?, text: String)

    /// Local name of the root element.
    var root: String = ""
    /// BT-701 `/*/cbc:ID[@schemeName='notice-id']` (UUID).
    var noticeID: String?
    /// BT-757 `/*/cbc:VersionID` ("01").
    var version: String?
    /// BT-04 `/*/cbc:ContractFolderID` (procedure id, shared by all notices of a procedure).
    var procedureID: String?
    /// BT-05(a) `/*/cbc:IssueDate` (dispatch date, `2019-05-10+01:00`).
    var issueDate: String?
    var issueTime: String?
    /// BT-02 `/*/cbc:NoticeTypeCode` (cn-standard, pin-only, can-standard…) and BT-03 its `@listName`.
    var noticeType: String?
    var formType: String?
    /// OPP-070 `E/efac:NoticeSubType/cbc:SubTypeCode`.
    var subtype: String?
    /// BT-702(a) `/*/cbc:NoticeLanguageCode` (`FRA`).
    var language: String?
    /// BT-01 `/*/cbc:RegulatoryDomain`.
    var legalBasis: String?
    /// OPT-300 `/*/cac:ContractingParty/cac:Party/cac:PartyIdentification/cbc:ID` (ORG-xxxx), one per buyer.
    var buyerRefs: [String] = []
    /// BT-508 `/*/cac:ContractingParty/cbc:BuyerProfileURI`, by the buyer (ORG-xxxx) of the same contracting party.
    var buyerProfiles: [String: String] = [:]
    /// BT-11 `/*/cac:ContractingParty/cac:ContractingPartyType/cbc:PartyTypeCode`.
    var buyerLegalType: String?
    /// BT-105 `/*/cac:TenderingProcess/cbc:ProcedureCode`.
    var procedureCode: String?
    /// `/*/cac:ProcurementProject`.
    var project = Project()
    /// `/*/cac:ProcurementProjectLot` (lots, lots groups and — in PINs — parts).
    var lots: [LotPart] = []
    /// `E/efac:Organizations/efac:Organization/efac:Company`.
    var organizations: [Organization] = []
    /// OPP-010/011/012 `E/efac:Publication` (only in TED-published XML).
    var publicationNumber: String?
    var gazetteID: String?
    var publicationDate: String?
    /// BT-161 `E/efac:NoticeResult/cbc:TotalAmount` and its `@currencyID`.
    var resultTotal: String?
    var resultCurrency: String?
    /// BT-118 `E/efac:NoticeResult/efbc:OverallMaximumFrameworkContractsAmount` and its `@currencyID`: the ceiling of
    /// every framework agreement the notice awards.
    var resultFrameworkMax: String?
    var resultFrameworkCurrency: String?
    /// `E/efac:NoticeResult/efac:LotResult`: one per lot (or group of lots) of an award notice.
    var lotResults: [LotResult] = []
    /// `E/efac:NoticeResult/efac:LotTender`: the tenders the results refer to.
    var lotTenders: [LotTender] = []
    /// `E/efac:NoticeResult/efac:TenderingParty`: who submitted each tender (one or several tenderers).
    var tenderingParties: [TenderingParty] = []
    /// OPT-320 `E/efac:NoticeResult/efac:SettledContract/efac:LotTender/cbc:ID`: tenders that became contracts.
    var contractTenderRefs: [String] = []
    /// BT-758 `E/efac:Changes/efbc:ChangedNoticeIdentifier` (changed notice id + "-NN").
    var changedNotice: String?
    /// BT-140 `E/efac:Changes/efac:ChangeReason/cbc:ReasonCode`.
    var changeReason: String?
    var hasChanges = false

    /// `cac:ProcurementProject`, at procedure level or in a lot.
    struct Project: Sendable {
        /// BT-22 `cbc:ID[@schemeName='InternalID']`: the buyer's own reference.
        var internalID: String?
        /// BT-21 `cbc:Name`.
        var names: [Text] = []
        /// BT-24 `cbc:Description`.
        var descriptions: [Text] = []
        /// BT-23 `cbc:ProcurementTypeCode` (works, supplies, services).
        var nature: String?
        /// BT-262 `cac:MainCommodityClassification/cbc:ItemClassificationCode`.
        var mainCPV: String?
        /// BT-263 `cac:AdditionalCommodityClassification/cbc:ItemClassificationCode`.
        var additionalCPV: [String] = []
        /// BT-27 `cac:RequestedTenderTotal/cbc:EstimatedOverallContractAmount` and `@currencyID`.
        var estimatedValue: String?
        var currency: String?
        /// BT-271 `cac:RequestedTenderTotal/ext:…/efbc:FrameworkMaximumAmount`.
        var frameworkMax: String?
        var frameworkCurrency: String?
        /// BT-5071 / 5131 / 5121 / 514 `cac:RealizedLocation/cac:Address/…`.
        var locations: [Location] = []
    }

    struct Location: Sendable {
        var nuts: String?
        var city: String?
        var postcode: String?
        var country: String?
    }

    /// `cac:ProcurementProjectLot`.
    struct LotPart: Sendable {
        /// BT-137 `cbc:ID` and its `@schemeName` (`Lot`, `LotsGroup`, `Part`).
        var id: String = ""
        var scheme: String?
        var project = Project()
        /// BT-131(d)/(t) `cac:TenderingProcess/cac:TenderSubmissionDeadlinePeriod/cbc:EndDate|EndTime`.
        var tenderDeadlineDate: String?
        var tenderDeadlineTime: String?
        /// BT-1311 `cac:TenderingProcess/cac:ParticipationRequestReceptionPeriod/cbc:EndDate|EndTime`.
        var requestDeadlineDate: String?
        var requestDeadlineTime: String?
        /// BT-13 `cac:TenderingProcess/cac:AdditionalInformationRequestPeriod/cbc:EndDate|EndTime`.
        var questionsDeadlineDate: String?
        var questionsDeadlineTime: String?
        /// BT-15 `cac:TenderingTerms/cac:CallForTendersDocumentReference[DocumentType='non-restricted-document']`.
        var documentsURL: String?
    }

    /// `efac:LotResult`.
    struct LotResult: Sendable {
        /// BT-142 `cbc:TenderResultCode` (`selec-w` winner chosen, `clos-nw` no winner, `open-nw` still open).
        var status: String?
        /// OPT-320 `efac:LotTender/cbc:ID` (TEN-xxxx).
        var tenderRefs: [String] = []
        /// BT-13713 `efac:TenderLot/cbc:ID`: the lot (LOT-xxxx) this result is for.
        var lotRef: String?
        /// BT-709 `efac:FrameworkAgreementValues/cbc:MaximumValueAmount` and its `@currencyID`.
        var frameworkMax: String?
        var frameworkCurrency: String?
    }

    /// `efac:LotTender`.
    struct LotTender: Sendable {
        /// OPT-321 `cbc:ID` (TEN-xxxx).
        var id: String = ""
        /// OPT-310 `efac:TenderingParty/cbc:ID` (TPA-xxxx).
        var partyRef: String?
        /// BT-171 `cbc:RankCode`.
        var rank: String?
    }

    /// `efac:TenderingParty`.
    struct TenderingParty: Sendable {
        /// OPT-210 `cbc:ID` (TPA-xxxx).
        var id: String = ""
        /// OPT-300 `efac:Tenderer/cbc:ID` (ORG-xxxx), the group leader (OPT-170) first.
        var tendererRefs: [String] = []
    }

    /// `efac:Organization/efac:Company`.
    struct Organization: Sendable {
        /// OPT-200 `cac:PartyIdentification/cbc:ID` (ORG-xxxx).
        var ref: String?
        /// BT-500 `cac:PartyName/cbc:Name`.
        var names: [Text] = []
        /// BT-501 `cac:PartyLegalEntity/cbc:CompanyID` (SIRET for French buyers) and its `@schemeName` (`eu` for
        /// the internal numbers of EU bodies and of some eSenders, which are no registration number).
        var companyID: String?
        var companyIDScheme: String?
        /// BT-507, BT-513, BT-512, BT-514 `cac:PostalAddress/…`.
        var nuts: String?
        var city: String?
        var postcode: String?
        var country: String?
        /// BT-505 `cbc:WebsiteURI`: the organisation's internet address.
        var website: String?
        /// BT-502 `cac:Contact/cbc:Name`, BT-503 `cac:Contact/cbc:Telephone`, BT-506 `cac:Contact/cbc:ElectronicMail`:
        /// the contact point (a person or an office) of the organisation.
        var contactName: String?
        var contactPhone: String?
        var contactEmail: String?
    }
}
