import Foundation
import Notices

/// Walks one eForms notice, recorded as an `XMLEventBuffer`, into an `EFormsDocument`.
///
/// Walks the document once, keeping only the stack of element local names: fields are recognised by their
/// path (the XPaths of `EFormsDocument`), subtrees Vigie never reads (exclusion grounds, award criteria,
/// tender results) are skipped in one jump to their recorded end, their text never decoded. Namespaces are not compared: eForms local names are
/// unambiguous once the path is known, and the root's default namespace varies by notice type anyway.
///
/// The state below is marked `@exclusivity(unchecked)`: it is touched at every element, the dynamic checks on class
/// properties were 8 % of the eForms parse in the release profile (`swift_beginAccess`), and no access is
/// held across a call that touches the same property (the in-place `projectStart(into: &lot!.project)` never
/// touches `lot` itself).
final class EFormsParser {
    private let reader: XMLEventBuffer
    @exclusivity(unchecked) private var stack: [EFormsName] = []
    /// Tags of the names met so far, by libxml2's interned pointer: a small open-addressed table (a `Dictionary`
    /// hashed every element with SipHash; a document has about a hundred distinct names).
    @exclusivity(unchecked) private var nameKeys = [UInt](repeating: 0, count: EFormsParser.nameSlots)
    @exclusivity(unchecked) private var nameTags = [EFormsName](repeating: .other, count: EFormsParser.nameSlots)
    private static let nameSlots = 512
    @exclusivity(unchecked) private var doc = EFormsDocument()
    @exclusivity(unchecked) private var org: EFormsDocument.Organization?
    @exclusivity(unchecked) private var lot: EFormsDocument.LotPart?
    @exclusivity(unchecked) private var location: EFormsDocument.Location?
    @exclusivity(unchecked) private var docRefType: String?
    @exclusivity(unchecked) private var docRefURI: String?
    @exclusivity(unchecked) private var lotResult: EFormsDocument.LotResult?
    @exclusivity(unchecked) private var lotTender: EFormsDocument.LotTender?
    @exclusivity(unchecked) private var party: EFormsDocument.TenderingParty?
    @exclusivity(unchecked) private var tendererRef: String?
    @exclusivity(unchecked) private var tendererLeads = false
    /// The contracting party being read: its buyer profile (BT-508) and where its buyer references start.
    @exclusivity(unchecked) private var partyProfile: String?
    @exclusivity(unchecked) private var partyRefsStart = 0

    init(reader: XMLEventBuffer) {
        self.reader = reader
    }

    /// Whether a root local name is an eForms notice root.
    static func isNoticeRoot(_ name: String) -> Bool {
        name == "ContractNotice" || name == "PriorInformationNotice" || name == "ContractAwardNotice"
    }

    /// Parses the whole document. Throws `ParserError.malformed` when the XML is broken beyond recovery.
    func parse() throws -> EFormsDocument {
        var more = reader.read()
        while more {
            switch reader.nodeType {
            case .element:
                let name = currentName()
                let empty = reader.isEmptyElement
                stack.append(name)
                switch try start(name) {
                case .descend:
                    if empty {
                        end(name)
                        stack.removeLast()
                    }
                case .consumed:
                    end(name)
                    stack.removeLast()
                case .skip:
                    stack.removeLast()
                    more = reader.skip()
                    continue
                }
            case .endElement:
                if let name = stack.last { end(name) }
                if !stack.isEmpty { stack.removeLast() }
            default:
                break
            }
            more = reader.read()
        }
        return doc
    }

    private enum Action { case descend, consumed, skip }

    /// The current element's name as a tag: libxml2 interns names per document, so each distinct name is looked
    /// up once and every later element compares small integers instead of strings.
    private func currentName() -> EFormsName {
        guard let p = reader.localNamePointer else { return EFormsName.byName[reader.localName] ?? .other }
        let key = UInt(bitPattern: p)
        let mask = Self.nameSlots - 1
        var i = Int(truncatingIfNeeded: (key >> 4) ^ (key >> 13)) & mask
        for _ in 0..<Self.nameSlots {
            let k = nameKeys[i]
            if k == key { return nameTags[i] }
            if k == 0 {
                let n = EFormsName.byName[String(cString: p)] ?? .other
                nameKeys[i] = key
                nameTags[i] = n
                return n
            }
            i = (i + 1) & mask
        }
        // Table full (a document with hundreds of distinct names): look up without caching.
        return EFormsName.byName[String(cString: p)] ?? .other
    }

    private func text() throws -> String { reader.readText() }

    private func attr(_ name: String) -> String? { reader.attribute(localName: name) }

    // swiftlint:disable:next cyclomatic_complexity
    private func start(_ name: EFormsName) throws -> Action {
        let d = stack.count - 1
        if d == 0 {
            doc.root = reader.localName
            return .descend
        }
        let section = stack[1]
        if d == 1 {
            switch name {
            case .id:
                if attr("schemeName") == "notice-id" || doc.noticeID == nil { doc.noticeID = try text() }
                return .consumed
            case .versionID:
                doc.version = try text()
                return .consumed
            case .contractFolderID:
                doc.procedureID = try text()
                return .consumed
            case .issueDate:
                doc.issueDate = try text()
                return .consumed
            case .issueTime:
                doc.issueTime = try text()
                return .consumed
            case .noticeTypeCode:
                doc.formType = attr("listName")
                doc.noticeType = try text()
                return .consumed
            case .noticeLanguageCode:
                doc.language = try text()
                return .consumed
            case .regulatoryDomain:
                doc.legalBasis = try text()
                return .consumed
            case .procurementProjectLot:
                lot = EFormsDocument.LotPart()
                return .descend
            case .contractingParty:
                partyProfile = nil
                partyRefsStart = doc.buyerRefs.count
                return .descend
            case .ublExtensions, .tenderingProcess, .procurementProject:
                return .descend
            default:
                // Root TenderingTerms (exclusion grounds, lot distribution), AdditionalDocumentReference…
                return .skip
            }
        }
        switch section {
        case .ublExtensions: return try extensionStart(name, d)
        case .contractingParty:
            if d == 4, name == .id, stack[2] == .party, stack[3] == .partyIdentification {
                doc.buyerRefs.append(try text())
                return .consumed
            }
            if d == 2, name == .buyerProfileURI {
                partyProfile = try text()
                return .consumed
            }
            if d == 3, name == .partyTypeCode, stack[2] == .contractingPartyType {
                doc.buyerLegalType = try text()
                return .consumed
            }
            if d == 2 && name != .party && name != .contractingPartyType { return .skip }
            if d == 3 && stack[2] == .party && name != .partyIdentification { return .skip }
            return .descend
        case .tenderingProcess:
            if d == 2, name == .procedureCode {
                doc.procedureCode = try text()
                return .consumed
            }
            return d == 2 ? .skip : .descend
        case .procurementProject:
            return try projectStart(name, base: 1, into: &doc.project)
        case .procurementProjectLot:
            return try lotStart(name, d)
        default:
            return .descend
        }
    }

    private func extensionStart(_ name: EFormsName, _ d: Int) throws -> Action {
        // E = UBLExtensions/UBLExtension/ExtensionContent/EformsExtension (depths 1–4).
        if d <= 4 { return .descend }
        if d == 5 {
            switch name {
            case .organizations, .noticeSubType, .publication, .noticeResult: return .descend
            case .changes:
                doc.hasChanges = true
                return .descend
            default: return .skip
            }
        }
        let part = stack[5]
        switch part {
        case .organizations:
            if d == 6 { return name == .organization ? .descend : .skip }
            if d == 7 {
                if name == .company {
                    org = EFormsDocument.Organization()
                    return .descend
                }
                return .skip
            }
            guard org != nil else { return .skip }
            if d == 8 {
                switch name {
                case .partyIdentification, .partyName, .postalAddress, .partyLegalEntity, .contact:
                    return .descend
                case .websiteURI:
                    org?.website = try text()
                    return .consumed
                default: return .skip
                }
            }
            let group = stack[8]
            switch (group, name) {
            case (.partyIdentification, .id): org?.ref = try text()
            case (.partyName, .name): org?.names.append((attr("languageID"), try text()))
            case (.partyLegalEntity, .companyID):
                org?.companyIDScheme = attr("schemeName")
                org?.companyID = try text()
            case (.postalAddress, .countrySubentityCode): org?.nuts = try text()
            case (.postalAddress, .cityName): org?.city = try text()
            case (.postalAddress, .postalZone): org?.postcode = try text()
            case (.postalAddress, .identificationCode): org?.country = try text()
            case (.postalAddress, .country): return .descend
            case (.contact, .name): org?.contactName = try text()
            case (.contact, .telephone): org?.contactPhone = try text()
            case (.contact, .electronicMail): org?.contactEmail = try text()
            default: return .skip
            }
            return .consumed
        case .noticeSubType:
            if name == .subTypeCode {
                doc.subtype = try text()
                return .consumed
            }
            return .descend
        case .publication:
            switch name {
            case .noticePublicationID: doc.publicationNumber = try text()
            case .gazetteID: doc.gazetteID = try text()
            case .publicationDate: doc.publicationDate = try text()
            default: return .skip
            }
            return .consumed
        case .noticeResult:
            return try resultStart(name, d)
        case .changes:
            if name == .changedNoticeIdentifier {
                doc.changedNotice = try text()
                return .consumed
            }
            if name == .reasonCode {
                doc.changeReason = try text()
                return .consumed
            }
            return .descend
        default:
            return .skip
        }
    }

    /// `E/efac:NoticeResult` (depth 5): the notice value and who won what, through three id lists
    /// (LotResult → LotTender → TenderingParty → Tenderer organisation).
    private func resultStart(_ name: EFormsName, _ d: Int) throws -> Action {
        if d == 6 {
            switch name {
            case .totalAmount:
                doc.resultCurrency = attr("currencyID")
                doc.resultTotal = try text()
                return .consumed
            case .overallMaximumFrameworkContractsAmount:
                doc.resultFrameworkCurrency = attr("currencyID")
                doc.resultFrameworkMax = try text()
                return .consumed
            case .lotResult:
                lotResult = EFormsDocument.LotResult()
                return .descend
            case .lotTender:
                lotTender = EFormsDocument.LotTender()
                return .descend
            case .tenderingParty:
                party = EFormsDocument.TenderingParty()
                return .descend
            case .settledContract: return .descend
            default: return .skip
            }
        }
        switch (stack[6], d, name) {
        case (.lotResult, 7, .tenderResultCode): lotResult?.status = try text()
        case (.lotResult, 7, .lotTender), (.settledContract, 7, .lotTender): return .descend
        case (.lotResult, 7, .frameworkAgreementValues), (.lotResult, 7, .tenderLot): return .descend
        case (.lotResult, 8, .id) where stack[7] == .lotTender: lotResult?.tenderRefs.append(try text())
        case (.lotResult, 8, .id) where stack[7] == .tenderLot: lotResult?.lotRef = try text()
        case (.lotResult, 8, .maximumValueAmount) where stack[7] == .frameworkAgreementValues:
            lotResult?.frameworkCurrency = attr("currencyID")
            lotResult?.frameworkMax = try text()
        case (.settledContract, 8, .id) where stack[7] == .lotTender: doc.contractTenderRefs.append(try text())
        case (.lotTender, 7, .id): lotTender?.id = try text()
        case (.lotTender, 7, .rankCode): lotTender?.rank = try text()
        case (.lotTender, 7, .tenderingParty): return .descend
        case (.lotTender, 8, .id) where stack[7] == .tenderingParty: lotTender?.partyRef = try text()
        case (.tenderingParty, 7, .id): party?.id = try text()
        case (.tenderingParty, 7, .tenderer):
            tendererRef = nil
            tendererLeads = false
            return .descend
        case (.tenderingParty, 8, .id) where stack[7] == .tenderer: tendererRef = try text()
        case (.tenderingParty, 8, .groupLeadIndicator) where stack[7] == .tenderer:
            tendererLeads = try text() == "true"
        default: return .skip
        }
        return .consumed
    }

    private func lotStart(_ name: EFormsName, _ d: Int) throws -> Action {
        guard lot != nil else { return .skip }
        if d == 2 {
            switch name {
            case .id:
                lot?.scheme = attr("schemeName")
                lot?.id = try text()
                return .consumed
            case .procurementProject, .tenderingProcess, .tenderingTerms: return .descend
            default: return .skip
            }
        }
        switch stack[2] {
        case .procurementProject:
            // In place: a copy taken and written back at every element of the lot's project shared its arrays
            // with the lot, so each appended name, CPV or place copied the whole array.
            return try projectStart(name, base: 2, into: &lot!.project)
        case .tenderingProcess:
            if d == 3 {
                switch name {
                case .tenderSubmissionDeadlinePeriod, .participationRequestReceptionPeriod,
                    .additionalInformationRequestPeriod:
                    return .descend
                default: return .skip
                }
            }
            guard d == 4, name == .endDate || name == .endTime else { return .skip }
            let v = try text()
            switch (stack[3], name) {
            case (.tenderSubmissionDeadlinePeriod, .endDate): lot?.tenderDeadlineDate = v
            case (.tenderSubmissionDeadlinePeriod, .endTime): lot?.tenderDeadlineTime = v
            case (.participationRequestReceptionPeriod, .endDate): lot?.requestDeadlineDate = v
            case (.participationRequestReceptionPeriod, .endTime): lot?.requestDeadlineTime = v
            case (.additionalInformationRequestPeriod, .endDate): lot?.questionsDeadlineDate = v
            case (.additionalInformationRequestPeriod, .endTime): lot?.questionsDeadlineTime = v
            default: break
            }
            return .consumed
        case .tenderingTerms:
            if d == 3 {
                if name == .callForTendersDocumentReference {
                    docRefType = nil
                    docRefURI = nil
                    return .descend
                }
                return .skip
            }
            if d == 4, name == .documentType {
                docRefType = try text()
                return .consumed
            }
            if name == .uri, stack[d - 1] == .externalReference {
                docRefURI = try text()
                return .consumed
            }
            return .descend
        default:
            return .skip
        }
    }

    /// `cac:ProcurementProject` children; `base` is the depth of the ProcurementProject element.
    private func projectStart(
        _ name: EFormsName, base: Int, into p: inout EFormsDocument.Project
    ) throws
        -> Action
    {
        let rel = stack.count - 1 - base
        if rel == 1 {
            switch name {
            case .id:
                if attr("schemeName") == "InternalID" { p.internalID = try text() } else { _ = try text() }
                return .consumed
            case .name:
                p.names.append((attr("languageID"), try text()))
                return .consumed
            case .description:
                p.descriptions.append((attr("languageID"), try text()))
                return .consumed
            case .procurementTypeCode:
                p.nature = try text()
                return .consumed
            case .mainCommodityClassification, .additionalCommodityClassification, .requestedTenderTotal:
                return .descend
            case .realizedLocation:
                location = EFormsDocument.Location()
                return .descend
            default: return .skip
            }
        }
        let group = stack[base + 1]
        switch group {
        case .mainCommodityClassification:
            if name == .itemClassificationCode, p.mainCPV == nil {
                p.mainCPV = try text()
                return .consumed
            }
            return .skip
        case .additionalCommodityClassification:
            if name == .itemClassificationCode {
                p.additionalCPV.append(try text())
                return .consumed
            }
            return .skip
        case .requestedTenderTotal:
            if name == .estimatedOverallContractAmount {
                p.currency = attr("currencyID")
                p.estimatedValue = try text()
                return .consumed
            }
            if name == .frameworkMaximumAmount {
                p.frameworkCurrency = attr("currencyID")
                p.frameworkMax = try text()
                return .consumed
            }
            return .descend
        case .realizedLocation:
            switch name {
            case .address, .country: return .descend
            case .countrySubentityCode: location?.nuts = try text()
            case .cityName: location?.city = try text()
            case .postalZone: location?.postcode = try text()
            case .identificationCode: location?.country = try text()
            default: return .skip
            }
            return .consumed
        default:
            return .skip
        }
    }

    private func end(_ name: EFormsName) {
        let d = stack.count - 1
        switch name {
        case .procurementProjectLot where d == 1:
            if let lot { doc.lots.append(lot) }
            lot = nil
        case .contractingParty where d == 1:
            // A contracting party names its buyer and, beside it, the buyer's profile (BT-508).
            if let profile = partyProfile {
                for ref in doc.buyerRefs[partyRefsStart...] where doc.buyerProfiles[ref] == nil {
                    doc.buyerProfiles[ref] = profile
                }
            }
            partyProfile = nil
        case .company where d == 7:
            if let org { doc.organizations.append(org) }
            org = nil
        case .lotResult where d == 6:
            if let lotResult { doc.lotResults.append(lotResult) }
            lotResult = nil
        case .lotTender where d == 6:
            if let lotTender { doc.lotTenders.append(lotTender) }
            lotTender = nil
        case .tenderingParty where d == 6:
            if let party { doc.tenderingParties.append(party) }
            party = nil
        case .tenderer where d == 7:
            // The group leader (OPT-170) names the consortium: keep it first.
            if let ref = tendererRef {
                if tendererLeads { party?.tendererRefs.insert(ref, at: 0) } else { party?.tendererRefs.append(ref) }
            }
            tendererRef = nil
        case .realizedLocation:
            if let location {
                if d == 2 {
                    doc.project.locations.append(location)
                } else if d == 3 {
                    lot?.project.locations.append(location)
                }
            }
            location = nil
        case .callForTendersDocumentReference where d == 3:
            // BT-15 is the non-restricted documents' address; restricted ones (BT-615) are not public.
            if let uri = docRefURI, docRefType == nil || docRefType == "non-restricted-document",
                lot?.documentsURL == nil
            {
                lot?.documentsURL = uri
            }
        default:
            break
        }
    }
}

/// The element names the eForms parser acts on (local names, as the eForms schemas spell them); `other` for
/// every name it only passes through or skips.
enum EFormsName: UInt8 {
    case other
    case additionalCommodityClassification
    case additionalInformationRequestPeriod
    case address
    case buyerProfileURI
    case callForTendersDocumentReference
    case changedNoticeIdentifier
    case changes
    case cityName
    case company
    case companyID
    case contact
    case contractFolderID
    case contractingParty
    case contractingPartyType
    case country
    case countrySubentityCode
    case description
    case documentType
    case electronicMail
    case endDate
    case endTime
    case estimatedOverallContractAmount
    case externalReference
    case frameworkAgreementValues
    case frameworkMaximumAmount
    case gazetteID
    case groupLeadIndicator
    case id
    case identificationCode
    case issueDate
    case issueTime
    case itemClassificationCode
    case lotResult
    case lotTender
    case mainCommodityClassification
    case maximumValueAmount
    case name
    case noticeLanguageCode
    case noticePublicationID
    case noticeResult
    case noticeSubType
    case noticeTypeCode
    case organization
    case organizations
    case overallMaximumFrameworkContractsAmount
    case participationRequestReceptionPeriod
    case party
    case partyIdentification
    case partyLegalEntity
    case partyName
    case partyTypeCode
    case postalAddress
    case postalZone
    case procedureCode
    case procurementProject
    case procurementProjectLot
    case procurementTypeCode
    case publication
    case publicationDate
    case rankCode
    case realizedLocation
    case reasonCode
    case regulatoryDomain
    case requestedTenderTotal
    case settledContract
    case subTypeCode
    case telephone
    case tenderLot
    case tenderResultCode
    case tenderSubmissionDeadlinePeriod
    case tenderer
    case tenderingParty
    case tenderingProcess
    case tenderingTerms
    case totalAmount
    case ublExtensions
    case uri
    case versionID
    case websiteURI

    /// Local name → tag.
    static let byName: [String: EFormsName] = [
        "AdditionalCommodityClassification": .additionalCommodityClassification,
        "AdditionalInformationRequestPeriod": .additionalInformationRequestPeriod,
        "Address": .address,
        "BuyerProfileURI": .buyerProfileURI,
        "CallForTendersDocumentReference": .callForTendersDocumentReference,
        "ChangedNoticeIdentifier": .changedNoticeIdentifier,
        "Changes": .changes,
        "CityName": .cityName,
        "Company": .company,
        "CompanyID": .companyID,
        "Contact": .contact,
        "ContractFolderID": .contractFolderID,
        "ContractingParty": .contractingParty,
        "ContractingPartyType": .contractingPartyType,
        "Country": .country,
        "CountrySubentityCode": .countrySubentityCode,
        "Description": .description,
        "DocumentType": .documentType,
        "ElectronicMail": .electronicMail,
        "EndDate": .endDate,
        "EndTime": .endTime,
        "EstimatedOverallContractAmount": .estimatedOverallContractAmount,
        "ExternalReference": .externalReference,
        "FrameworkAgreementValues": .frameworkAgreementValues,
        "FrameworkMaximumAmount": .frameworkMaximumAmount,
        "GazetteID": .gazetteID,
        "GroupLeadIndicator": .groupLeadIndicator,
        "ID": .id,
        "IdentificationCode": .identificationCode,
        "IssueDate": .issueDate,
        "IssueTime": .issueTime,
        "ItemClassificationCode": .itemClassificationCode,
        "LotResult": .lotResult,
        "LotTender": .lotTender,
        "MainCommodityClassification": .mainCommodityClassification,
        "MaximumValueAmount": .maximumValueAmount,
        "Name": .name,
        "NoticeLanguageCode": .noticeLanguageCode,
        "NoticePublicationID": .noticePublicationID,
        "NoticeResult": .noticeResult,
        "NoticeSubType": .noticeSubType,
        "NoticeTypeCode": .noticeTypeCode,
        "Organization": .organization,
        "Organizations": .organizations,
        "OverallMaximumFrameworkContractsAmount": .overallMaximumFrameworkContractsAmount,
        "ParticipationRequestReceptionPeriod": .participationRequestReceptionPeriod,
        "Party": .party,
        "PartyIdentification": .partyIdentification,
        "PartyLegalEntity": .partyLegalEntity,
        "PartyName": .partyName,
        "PartyTypeCode": .partyTypeCode,
        "PostalAddress": .postalAddress,
        "PostalZone": .postalZone,
        "ProcedureCode": .procedureCode,
        "ProcurementProject": .procurementProject,
        "ProcurementProjectLot": .procurementProjectLot,
        "ProcurementTypeCode": .procurementTypeCode,
        "Publication": .publication,
        "PublicationDate": .publicationDate,
        "RankCode": .rankCode,
        "RealizedLocation": .realizedLocation,
        "ReasonCode": .reasonCode,
        "RegulatoryDomain": .regulatoryDomain,
        "RequestedTenderTotal": .requestedTenderTotal,
        "SettledContract": .settledContract,
        "SubTypeCode": .subTypeCode,
        "Telephone": .telephone,
        "TenderLot": .tenderLot,
        "TenderResultCode": .tenderResultCode,
        "TenderSubmissionDeadlinePeriod": .tenderSubmissionDeadlinePeriod,
        "Tenderer": .tenderer,
        "TenderingParty": .tenderingParty,
        "TenderingProcess": .tenderingProcess,
        "TenderingTerms": .tenderingTerms,
        "TotalAmount": .totalAmount,
        "UBLExtensions": .ublExtensions,
        "URI": .uri,
        "VersionID": .versionID,
        "WebsiteURI": .websiteURI,
    ]
}
