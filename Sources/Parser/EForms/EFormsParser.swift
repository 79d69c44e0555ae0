import Foundation
import Notices

/// Streams one eForms notice with `XMLStreamReader` into an `EFormsDocument`.
///
/// Walks the document once, keeping only the stack of element local names: fields are recognised by their
/// path (the XPaths of `EFormsDocument`), subtrees Vigie never reads (exclusion grounds, award criteria,
/// tender results) are skipped without copying their text. Namespaces are not compared: eForms local names are
/// unambiguous once the path is known, and the root's default namespace varies by notice type anyway.
final class EFormsParser {
    private let reader: XMLStreamReader
    private var stack: [String] = []
    private var names: [UnsafeRawPointer: String] = [:]
    private var doc = EFormsDocument()
    private var org: EFormsDocument.Organization?
    private var lot: EFormsDocument.LotPart?
    private var location: EFormsDocument.Location?
    private var docRefType: String?
    private var docRefURI: String?
    private var lotResult: EFormsDocument.LotResult?
    private var lotTender: EFormsDocument.LotTender?
    private var party: EFormsDocument.TenderingParty?
    private var tendererRef: String?
    private var tendererLeads = false
    /// The contracting party being read: its buyer profile (BT-508) and where its buyer references start.
    private var partyProfile: String?
    private var partyRefsStart = 0

    init(reader: XMLStreamReader) {
        self.reader = reader
    }

    /// Whether a root local name is an eForms notice root.
    static func isNoticeRoot(_ name: String) -> Bool {
        name == "ContractNotice" || name == "PriorInformationNotice" || name == "ContractAwardNotice"
    }

    /// Parses the whole document. Throws `ParserError.malformed` when the XML is broken beyond recovery.
    func parse() throws -> EFormsDocument {
        var more = try reader.read()
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
                    more = try reader.skip()
                    continue
                }
            case .endElement:
                if let name = stack.last { end(name) }
                if !stack.isEmpty { stack.removeLast() }
            default:
                break
            }
            more = try reader.read()
        }
        return doc
    }

    private enum Action { case descend, consumed, skip }

    private func currentName() -> String {
        guard let p = reader.localNamePointer else { return reader.localName }
        let key = UnsafeRawPointer(p)
        if let n = names[key] { return n }
        let n = String(cString: p)
        names[key] = n
        return n
    }

    private func text() throws -> String { try reader.readText() }

    private func attr(_ name: String) -> String? { reader.attribute(localName: name) }

    // swiftlint:disable:next cyclomatic_complexity
    private func start(_ name: String) throws -> Action {
        let d = stack.count - 1
        if d == 0 {
            doc.root = name
            return .descend
        }
        let section = stack[1]
        if d == 1 {
            switch name {
            case "ID":
                if attr("schemeName") == "notice-id" || doc.noticeID == nil { doc.noticeID = try text() }
                return .consumed
            case "VersionID":
                doc.version = try text()
                return .consumed
            case "ContractFolderID":
                doc.procedureID = try text()
                return .consumed
            case "IssueDate":
                doc.issueDate = try text()
                return .consumed
            case "IssueTime":
                doc.issueTime = try text()
                return .consumed
            case "NoticeTypeCode":
                doc.formType = attr("listName")
                doc.noticeType = try text()
                return .consumed
            case "NoticeLanguageCode":
                doc.language = try text()
                return .consumed
            case "RegulatoryDomain":
                doc.legalBasis = try text()
                return .consumed
            case "ProcurementProjectLot":
                lot = EFormsDocument.LotPart()
                return .descend
            case "ContractingParty":
                partyProfile = nil
                partyRefsStart = doc.buyerRefs.count
                return .descend
            case "UBLExtensions", "TenderingProcess", "ProcurementProject":
                return .descend
            default:
                // Root TenderingTerms (exclusion grounds, lot distribution), AdditionalDocumentReference…
                return .skip
            }
        }
        switch section {
        case "UBLExtensions": return try extensionStart(name, d)
        case "ContractingParty":
            if d == 4, name == "ID", stack[2] == "Party", stack[3] == "PartyIdentification" {
                doc.buyerRefs.append(try text())
                return .consumed
            }
            if d == 2, name == "BuyerProfileURI" {
                partyProfile = try text()
                return .consumed
            }
            if d == 3, name == "PartyTypeCode", stack[2] == "ContractingPartyType" {
                doc.buyerLegalType = try text()
                return .consumed
            }
            if d == 2 && name != "Party" && name != "ContractingPartyType" { return .skip }
            if d == 3 && stack[2] == "Party" && name != "PartyIdentification" { return .skip }
            return .descend
        case "TenderingProcess":
            if d == 2, name == "ProcedureCode" {
                doc.procedureCode = try text()
                return .consumed
            }
            return d == 2 ? .skip : .descend
        case "ProcurementProject":
            return try projectStart(name, base: 1, into: &doc.project)
        case "ProcurementProjectLot":
            return try lotStart(name, d)
        default:
            return .descend
        }
    }

    private func extensionStart(_ name: String, _ d: Int) throws -> Action {
        // E = UBLExtensions/UBLExtension/ExtensionContent/EformsExtension (depths 1–4).
        if d <= 4 { return .descend }
        if d == 5 {
            switch name {
            case "Organizations", "NoticeSubType", "Publication", "NoticeResult": return .descend
            case "Changes":
                doc.hasChanges = true
                return .descend
            default: return .skip
            }
        }
        let part = stack[5]
        switch part {
        case "Organizations":
            if d == 6 { return name == "Organization" ? .descend : .skip }
            if d == 7 {
                if name == "Company" {
                    org = EFormsDocument.Organization()
                    return .descend
                }
                return .skip
            }
            guard org != nil else { return .skip }
            if d == 8 {
                switch name {
                case "PartyIdentification", "PartyName", "PostalAddress", "PartyLegalEntity", "Contact":
                    return .descend
                case "WebsiteURI":
                    org?.website = try text()
                    return .consumed
                default: return .skip
                }
            }
            let group = stack[8]
            switch (group, name) {
            case ("PartyIdentification", "ID"): org?.ref = try text()
            case ("PartyName", "Name"): org?.names.append((attr("languageID"), try text()))
            case ("PartyLegalEntity", "CompanyID"):
                org?.companyIDScheme = attr("schemeName")
                org?.companyID = try text()
            case ("PostalAddress", "CountrySubentityCode"): org?.nuts = try text()
            case ("PostalAddress", "CityName"): org?.city = try text()
            case ("PostalAddress", "PostalZone"): org?.postcode = try text()
            case ("PostalAddress", "IdentificationCode"): org?.country = try text()
            case ("PostalAddress", "Country"): return .descend
            case ("Contact", "Name"): org?.contactName = try text()
            case ("Contact", "Telephone"): org?.contactPhone = try text()
            case ("Contact", "ElectronicMail"): org?.contactEmail = try text()
            default: return .skip
            }
            return .consumed
        case "NoticeSubType":
            if name == "SubTypeCode" {
                doc.subtype = try text()
                return .consumed
            }
            return .descend
        case "Publication":
            switch name {
            case "NoticePublicationID": doc.publicationNumber = try text()
            case "GazetteID": doc.gazetteID = try text()
            case "PublicationDate": doc.publicationDate = try text()
            default: return .skip
            }
            return .consumed
        case "NoticeResult":
            return try resultStart(name, d)
        case "Changes":
            if name == "ChangedNoticeIdentifier" {
                doc.changedNotice = try text()
                return .consumed
            }
            if name == "ReasonCode" {
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
    private func resultStart(_ name: String, _ d: Int) throws -> Action {
        if d == 6 {
            switch name {
            case "TotalAmount":
                doc.resultCurrency = attr("currencyID")
                doc.resultTotal = try text()
                return .consumed
            case "OverallMaximumFrameworkContractsAmount":
                doc.resultFrameworkCurrency = attr("currencyID")
                doc.resultFrameworkMax = try text()
                return .consumed
            case "LotResult":
                lotResult = EFormsDocument.LotResult()
                return .descend
            case "LotTender":
                lotTender = EFormsDocument.LotTender()
                return .descend
            case "TenderingParty":
                party = EFormsDocument.TenderingParty()
                return .descend
            case "SettledContract": return .descend
            default: return .skip
            }
        }
        switch (stack[6], d, name) {
        case ("LotResult", 7, "TenderResultCode"): lotResult?.status = try text()
        case ("LotResult", 7, "LotTender"), ("SettledContract", 7, "LotTender"): return .descend
        case ("LotResult", 7, "FrameworkAgreementValues"), ("LotResult", 7, "TenderLot"): return .descend
        case ("LotResult", 8, "ID") where stack[7] == "LotTender": lotResult?.tenderRefs.append(try text())
        case ("LotResult", 8, "ID") where stack[7] == "TenderLot": lotResult?.lotRef = try text()
        case ("LotResult", 8, "MaximumValueAmount") where stack[7] == "FrameworkAgreementValues":
            lotResult?.frameworkCurrency = attr("currencyID")
            lotResult?.frameworkMax = try text()
        case ("SettledContract", 8, "ID") where stack[7] == "LotTender": doc.contractTenderRefs.append(try text())
        case ("LotTender", 7, "ID"): lotTender?.id = try text()
        case ("LotTender", 7, "RankCode"): lotTender?.rank = try text()
        case ("LotTender", 7, "TenderingParty"): return .descend
        case ("LotTender", 8, "ID") where stack[7] == "TenderingParty": lotTender?.partyRef = try text()
        case ("TenderingParty", 7, "ID"): party?.id = try text()
        case ("TenderingParty", 7, "Tenderer"):
            tendererRef = nil
            tendererLeads = false
            return .descend
        case ("TenderingParty", 8, "ID") where stack[7] == "Tenderer": tendererRef = try text()
        case ("TenderingParty", 8, "GroupLeadIndicator") where stack[7] == "Tenderer":
            tendererLeads = try text() == "true"
        default: return .skip
        }
        return .consumed
    }

    private func lotStart(_ name: String, _ d: Int) throws -> Action {
        guard lot != nil else { return .skip }
        if d == 2 {
            switch name {
            case "ID":
                lot?.scheme = attr("schemeName")
                lot?.id = try text()
                return .consumed
            case "ProcurementProject", "TenderingProcess", "TenderingTerms": return .descend
            default: return .skip
            }
        }
        switch stack[2] {
        case "ProcurementProject":
            var project = lot!.project
            defer { lot?.project = project }
            return try projectStart(name, base: 2, into: &project)
        case "TenderingProcess":
            if d == 3 {
                switch name {
                case "TenderSubmissionDeadlinePeriod", "ParticipationRequestReceptionPeriod",
                    "AdditionalInformationRequestPeriod":
                    return .descend
                default: return .skip
                }
            }
            guard d == 4, name == "EndDate" || name == "EndTime" else { return .skip }
            let v = try text()
            switch (stack[3], name) {
            case ("TenderSubmissionDeadlinePeriod", "EndDate"): lot?.tenderDeadlineDate = v
            case ("TenderSubmissionDeadlinePeriod", "EndTime"): lot?.tenderDeadlineTime = v
            case ("ParticipationRequestReceptionPeriod", "EndDate"): lot?.requestDeadlineDate = v
            case ("ParticipationRequestReceptionPeriod", "EndTime"): lot?.requestDeadlineTime = v
            case ("AdditionalInformationRequestPeriod", "EndDate"): lot?.questionsDeadlineDate = v
            case ("AdditionalInformationRequestPeriod", "EndTime"): lot?.questionsDeadlineTime = v
            default: break
            }
            return .consumed
        case "TenderingTerms":
            if d == 3 {
                if name == "CallForTendersDocumentReference" {
                    docRefType = nil
                    docRefURI = nil
                    return .descend
                }
                return .skip
            }
            if d == 4, name == "DocumentType" {
                docRefType = try text()
                return .consumed
            }
            if name == "URI", stack[d - 1] == "ExternalReference" {
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
        _ name: String, base: Int, into p: inout EFormsDocument.Project
    ) throws
        -> Action
    {
        let rel = stack.count - 1 - base
        if rel == 1 {
            switch name {
            case "ID":
                if attr("schemeName") == "InternalID" { p.internalID = try text() } else { _ = try text() }
                return .consumed
            case "Name":
                p.names.append((attr("languageID"), try text()))
                return .consumed
            case "Description":
                p.descriptions.append((attr("languageID"), try text()))
                return .consumed
            case "ProcurementTypeCode":
                p.nature = try text()
                return .consumed
            case "MainCommodityClassification", "AdditionalCommodityClassification", "RequestedTenderTotal":
                return .descend
            case "RealizedLocation":
                location = EFormsDocument.Location()
                return .descend
            default: return .skip
            }
        }
        let group = stack[base + 1]
        switch group {
        case "MainCommodityClassification":
            if name == "ItemClassificationCode", p.mainCPV == nil {
                p.mainCPV = try text()
                return .consumed
            }
            return .skip
        case "AdditionalCommodityClassification":
            if name == "ItemClassificationCode" {
                p.additionalCPV.append(try text())
                return .consumed
            }
            return .skip
        case "RequestedTenderTotal":
            if name == "EstimatedOverallContractAmount" {
                p.currency = attr("currencyID")
                p.estimatedValue = try text()
                return .consumed
            }
            if name == "FrameworkMaximumAmount" {
                p.frameworkCurrency = attr("currencyID")
                p.frameworkMax = try text()
                return .consumed
            }
            return .descend
        case "RealizedLocation":
            switch name {
            case "Address", "Country": return .descend
            case "CountrySubentityCode": location?.nuts = try text()
            case "CityName": location?.city = try text()
            case "PostalZone": location?.postcode = try text()
            case "IdentificationCode": location?.country = try text()
            default: return .skip
            }
            return .consumed
        default:
            return .skip
        }
    }

    private func end(_ name: String) {
        let d = stack.count - 1
        switch name {
        case "ProcurementProjectLot" where d == 1:
            if let lot { doc.lots.append(lot) }
            lot = nil
        case "ContractingParty" where d == 1:
            // A contracting party names its buyer and, beside it, the buyer's profile (BT-508).
            if let profile = partyProfile {
                for ref in doc.buyerRefs[partyRefsStart...] where doc.buyerProfiles[ref] == nil {
                    doc.buyerProfiles[ref] = profile
                }
            }
            partyProfile = nil
        case "Company" where d == 7:
            if let org { doc.organizations.append(org) }
            org = nil
        case "LotResult" where d == 6:
            if let lotResult { doc.lotResults.append(lotResult) }
            lotResult = nil
        case "LotTender" where d == 6:
            if let lotTender { doc.lotTenders.append(lotTender) }
            lotTender = nil
        case "TenderingParty" where d == 6:
            if let party { doc.tenderingParties.append(party) }
            party = nil
        case "Tenderer" where d == 7:
            // The group leader (OPT-170) names the consortium: keep it first.
            if let ref = tendererRef {
                if tendererLeads { party?.tendererRefs.insert(ref, at: 0) } else { party?.tendererRefs.append(ref) }
            }
            tendererRef = nil
        case "RealizedLocation":
            if let location {
                if d == 2 {
                    doc.project.locations.append(location)
                } else if d == 3 {
                    lot?.project.locations.append(location)
                }
            }
            location = nil
        case "CallForTendersDocumentReference" where d == 3:
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
