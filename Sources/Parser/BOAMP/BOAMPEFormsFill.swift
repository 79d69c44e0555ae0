import Foundation
import Notices

/// Reads the eForms notice BOAMP embeds in `donnees` (`{"EFORMS": {"ContractNotice" | "ContractAwardNotice" |
/// "PriorInformationNotice": …}}`): the UBL tree in xmltodict form, read by path (`JSONValue`), since its shape
/// follows the XML (an element seen once is an object, several times a list).
///
/// The eForms XML adapter reads the same business terms from XML; this one keeps to the JSON rendering.
enum BOAMPEFormsFill {
    static let extPath = "UBLExtensions/UBLExtension/ExtensionContent/EformsExtension"

    static func fill(_ n: inout Notice, deadlines: inout Deadlines, from e: Any) {
        let project = JSONValue.member(e, "ProcurementProject")
        let lang = JSONValue.string(JSONValue.member(e, "NoticeLanguageCode"))
        let ext = JSONValue.at(e, extPath)
        let result = JSONValue.member(ext, "NoticeResult")
        // The eForms tree inside `donnees` is entity-encoded like the rest of BOAMP's JSON (`d&#x27;usure`).
        n.summary = FormatSupport.text(
            fromHTML: FormatSupport.pick(
                JSONValue.texts(JSONValue.member(project, "Description")), noticeLanguage: lang)
        ).map(FormatSupport.clean)

        var cpv: [String] = []
        for c in commodities(project) where !cpv.contains(c) { cpv.append(c) }
        let lotNodes = JSONValue.all(e, "ProcurementProjectLot")
        var lots: [Lot] = []
        var tenderDeadlines: [ZonedDate] = []
        var requestDeadlines: [ZonedDate] = []
        for node in lotNodes {
            let sub = JSONValue.member(node, "ProcurementProject")
            for c in commodities(sub) where !cpv.contains(c) { cpv.append(c) }
            let process = JSONValue.member(node, "TenderingProcess")
            let tender = period(JSONValue.member(process, "TenderSubmissionDeadlinePeriod"))
            let request = period(JSONValue.member(process, "ParticipationRequestReceptionPeriod"))
            if let tender { tenderDeadlines.append(tender) }
            if let request { requestDeadlines.append(request) }
            if n.documentsURL == nil {
                n.documentsURL = FormatSupport.nonEmpty(
                    JSONValue.string(
                        JSONValue.at(
                            node, "TenderingTerms/CallForTendersDocumentReference/Attachment/ExternalReference/URI")))
            }
            guard let id = JSONValue.string(JSONValue.member(node, "ID")) else { continue }
            let scheme = JSONValue.attribute(JSONValue.member(node, "ID"), "schemeName")
            // Groups of lots (BT-330) are not lots.
            if scheme == "LotsGroup" { continue }
            var l = Lot(id: id)
            l.title = FormatSupport.pick(JSONValue.texts(JSONValue.member(sub, "Name")), noticeLanguage: lang)
                .flatMap(FormatSupport.text(fromHTML:)).map(FormatSupport.clean)
            l.description = FormatSupport.pick(
                JSONValue.texts(JSONValue.member(sub, "Description")), noticeLanguage: lang
            )
            .flatMap(FormatSupport.text(fromHTML:)).map(FormatSupport.clean)
            l.cpv = commodities(sub)
            l.value = lotValue(node, lotID: id, result: result, isAward: n.kind == .award)
            l.places = locations(sub)
            l.deadline = tender
            if scheme == "Part" { l.kind = "part" }
            lots.append(l)
        }
        n.lots = lots
        if !cpv.isEmpty {
            n.cpv = cpv
            n.mainCPV = cpv[0]
        }
        deadlines.tender = tenderDeadlines.min()
        deadlines.request = requestDeadlines.min()
        // A lot's deadline is kept only where lots differ; one deadline for all lies on the notice.
        if Set(lots.compactMap(\.deadline)).count <= 1 {
            for i in n.lots.indices { n.lots[i].deadline = nil }
        }

        n.value = noticeValue(project: project, result: result, lots: lots, isAward: n.kind == .award)

        n.procedure = JSONValue.string(JSONValue.at(e, "TenderingProcess/ProcedureCode")) ?? n.procedure
        n.refs.eformsProcedureID = n.refs.eformsProcedureID ?? JSONValue.string(JSONValue.member(e, "ContractFolderID"))
        if let id = JSONValue.string(JSONValue.member(e, "ID")) {
            n.refs.eformsNoticeID = JSONValue.string(JSONValue.member(e, "VersionID")).map { "\(id)-\($0)" } ?? id
        }
        var places = locations(project)
        for l in lots { for p in l.places { FormatSupport.appendUnique(p, to: &places) } }
        if !places.isEmpty { n.places = places }

        let organizations = JSONValue.all(ext, "Organizations/Organization").map { JSONValue.member($0, "Company") }
        n.awardees = awardees(result, organizations: organizations, lang: lang)
        // A change notice (BT-758); a record's `annonce_lie`, when present, is preferred over it later on.
        n.refs.changedNotice = FormatSupport.nonEmpty(
            JSONValue.string(JSONValue.at(ext, "Changes/ChangedNoticeIdentifier")))
        // The buyer: the organisation the contracting party points to.
        if let ref = JSONValue.string(JSONValue.at(e, "ContractingParty/Party/PartyIdentification/ID")),
            let company = organizations.first(where: {
                JSONValue.string(JSONValue.at($0, "PartyIdentification/ID")) == ref
            })
        {
            n.buyer?.id = registrationNumber(JSONValue.at(company, "PartyLegalEntity/CompanyID"))
            n.buyer?.nuts = JSONValue.string(JSONValue.at(company, "PostalAddress/CountrySubentityCode"))
            if n.buyer?.name == nil {
                n.buyer?.name = FormatSupport.pick(
                    JSONValue.texts(JSONValue.at(company, "PartyName/Name")),
                    noticeLanguage: lang)
            }
            // Its contact point (BT-502/503/506) and the buyer profile of the contracting party (BT-508), else the
            // organisation's site (BT-505), as the eForms XML adapter reads them (26-80978: "Commande publique").
            n.buyer?.contact = FormatSupport.contact(
                name: JSONValue.string(JSONValue.at(company, "Contact/Name")),
                email: JSONValue.string(JSONValue.at(company, "Contact/ElectronicMail")),
                phone: JSONValue.string(JSONValue.at(company, "Contact/Telephone")),
                url: JSONValue.string(JSONValue.at(e, "ContractingParty/BuyerProfileURI"))
                    ?? JSONValue.string(JSONValue.member(company, "WebsiteURI")))
        }
    }

    /// A registration number (BT-501) unless it is an `eu` scheme identifier: BOAMP's eForms put internal
    /// numbers there (26-80922: buyer `13630`, winner `1812659-1-0-1`), which are not SIRETs.
    static func registrationNumber(_ v: Any?) -> String? {
        if JSONValue.attribute(v, "schemeName")?.lowercased() == "eu" { return nil }
        return FormatSupport.registrationNumber(JSONValue.string(v))
    }

    /// Main then additional CPV codes of a `ProcurementProject`.
    static func commodities(_ project: Any?) -> [String] {
        var out: [String] = []
        for path in [
            "MainCommodityClassification/ItemClassificationCode",
            "AdditionalCommodityClassification/ItemClassificationCode",
        ] {
            for c in JSONValue.all(project, path).compactMap({ FormatSupport.cpv(JSONValue.string($0)) })
            where !out.contains(c) { out.append(c) }
        }
        return out
    }

    static func locations(_ project: Any?) -> [Place] {
        var places: [Place] = []
        for loc in JSONValue.all(project, "RealizedLocation/Address") {
            FormatSupport.appendUnique(
                FormatSupport.place(
                    nuts: JSONValue.string(JSONValue.member(loc, "CountrySubentityCode")),
                    postcode: JSONValue.string(JSONValue.member(loc, "PostalZone")),
                    commune: JSONValue.string(JSONValue.member(loc, "CityName"))), to: &places)
        }
        return places
    }

    static func period(_ p: Any?) -> ZonedDate? {
        FormatSupport.combine(
            date: JSONValue.string(JSONValue.member(p, "EndDate")),
            time: JSONValue.string(JSONValue.member(p, "EndTime")))
    }

    /// An eForms amount (`{"#text": "159691.6", "@currencyID": "EUR"}`, excluding VAT); 0 is a placeholder
    /// (26-80978's lots give `EstimatedOverallContractAmount` 0 beside their framework maximum).
    static func money(_ amount: Any?, kind: ValueKind) -> Money? {
        guard let amount, let v = FormatSupport.decimal(JSONValue.string(amount)), v > 0 else { return nil }
        return Money(amount: v, currency: JSONValue.attribute(amount, "currencyID") ?? "EUR", vat: "HT", kind: kind)
    }

    /// The notice's value: for results the awarded total (BT-161), else the estimate (BT-27), else the framework
    /// maximum (BT-118 of results, BT-271 of the procedure), else what every lot adds up to.
    static func noticeValue(project: Any?, result: Any?, lots: [Lot], isAward: Bool) -> Money? {
        let total = JSONValue.at(project, "RequestedTenderTotal")
        let estimate = money(JSONValue.member(total, "EstimatedOverallContractAmount"), kind: .estimated)
        let frameworkMaximum =
            money(JSONValue.member(result, "OverallMaximumFrameworkContractsAmount"), kind: .frameworkMaximum)
            ?? money(JSONValue.at(total, extPath + "/FrameworkMaximumAmount"), kind: .frameworkMaximum)
        let awarded = money(JSONValue.member(result, "TotalAmount"), kind: .awarded)
        if let v = isAward ? (awarded ?? estimate ?? frameworkMaximum) : (estimate ?? frameworkMaximum) {
            return v
        }
        let kinds = Set(lots.compactMap(\.value?.kind))
        guard kinds.count == 1, let kind = kinds.first, var sum = FormatSupport.total(of: lots) else { return nil }
        sum.kind = kind
        return sum
    }

    /// A lot's value: what was awarded for it (BT-720 of its winning tender), else its estimate (BT-27), else its
    /// framework maximum (BT-709 of its result, BT-271 of the lot).
    static func lotValue(_ lot: Any?, lotID: String, result: Any?, isAward: Bool) -> Money? {
        let total = JSONValue.at(lot, "ProcurementProject/RequestedTenderTotal")
        let estimate = money(JSONValue.member(total, "EstimatedOverallContractAmount"), kind: .estimated)
        let lotResults = JSONValue.all(result, "LotResult").filter {
            JSONValue.string(JSONValue.at($0, "TenderLot/ID")) == lotID
        }
        let resultMaximum = lotResults.lazy.compactMap {
            money(JSONValue.at($0, "FrameworkAgreementValues/MaximumValueAmount"), kind: .frameworkMaximum)
        }.first
        let lotMaximum = money(JSONValue.at(total, extPath + "/FrameworkMaximumAmount"), kind: .frameworkMaximum)
        let awarded = JSONValue.all(result, "LotTender").filter {
            JSONValue.string(JSONValue.at($0, "TenderLot/ID")) == lotID
        }.lazy.compactMap { money(JSONValue.at($0, "LegalMonetaryTotal/PayableAmount"), kind: .awarded) }.first
        return isAward
            ? (awarded ?? estimate ?? resultMaximum ?? lotMaximum)
            : (estimate ?? lotMaximum)
    }

    /// Winners: tenders that became contracts, else those of results with a winner chosen; their tendering
    /// parties' organisations, with their registration numbers when these are not `eu` scheme numbers.
    static func awardees(_ result: Any?, organizations: [Any?], lang: String?) -> [Buyer] {
        var winning = JSONValue.all(result, "SettledContract/LotTender/ID").compactMap { JSONValue.string($0) }
        if winning.isEmpty {
            winning = JSONValue.all(result, "LotResult")
                .filter { JSONValue.string(JSONValue.member($0, "TenderResultCode")) == "selec-w" }
                .flatMap { JSONValue.all($0, "LotTender/ID").compactMap { JSONValue.string($0) } }
        }
        let tenders = JSONValue.all(result, "LotTender")
        let parties = JSONValue.all(result, "TenderingParty")
        var out: [Buyer] = []
        for ref in winning {
            guard let tender = tenders.first(where: { JSONValue.string(JSONValue.member($0, "ID")) == ref }),
                let partyRef = JSONValue.string(JSONValue.at(tender, "TenderingParty/ID")),
                let party = parties.first(where: { JSONValue.string(JSONValue.member($0, "ID")) == partyRef })
            else { continue }
            for orgRef in JSONValue.all(party, "Tenderer/ID").compactMap({ JSONValue.string($0) }) {
                guard
                    let org = organizations.first(where: {
                        JSONValue.string(JSONValue.at($0, "PartyIdentification/ID")) == orgRef
                    })
                else { continue }
                let b = Buyer(
                    name: FormatSupport.text(
                        fromHTML: FormatSupport.pick(
                            JSONValue.texts(JSONValue.at(org, "PartyName/Name")), noticeLanguage: lang)),
                    id: registrationNumber(JSONValue.at(org, "PartyLegalEntity/CompanyID")),
                    country: FormatSupport.nonEmpty(
                        JSONValue.string(JSONValue.at(org, "PostalAddress/Country/IdentificationCode"))),
                    nuts: FormatSupport.nonEmpty(
                        JSONValue.string(JSONValue.at(org, "PostalAddress/CountrySubentityCode"))))
                guard b.name != nil || b.id != nil else { continue }
                if !out.contains(where: { $0.name == b.name && $0.id == b.id }) { out.append(b) }
            }
        }
        return out
    }
}
