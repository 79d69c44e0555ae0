import Foundation
import Notices

/// Turns an `EFormsDocument` into a `Notice`.
enum EFormsAdapter {
    /// Parses one eForms notice held in memory.
    ///
    /// Throws `ParserError.malformed` when the XML is broken beyond recovery or the notice has neither an id
    /// nor a title (nothing a user could recognise it by).
    /// `fastPath: false` forces the full streaming reader (the tests compare both paths).
    static func parse(
        _ bytes: [UInt8], options: ParseOptions, fastPath: Bool = true
    ) throws -> (notice: Notice, issues: [ParseIssue]) {
        let documentName = options.documentName
        // The plain case (no DTD, no XML error) is read by the SAX2 parser in one pass; anything else by the full
        // streaming reader, whose errors, recovery and limits then apply unchanged.
        let events: XMLEventBuffer
        var issues: [ParseIssue] = []
        if fastPath, let fast = XMLEventBuffer(saxParsing: bytes) {
            events = fast
        } else {
            let reader = try XMLStreamReader(bytes: bytes, documentName: documentName)
            events = try XMLEventBuffer(reader: reader)
            issues = reader.issues
        }
        let doc = try EFormsParser(reader: events).parse()
        guard EFormsParser.isNoticeRoot(doc.root) else {
            throw ParserError.malformed(
                ParseIssue(
                    file: documentName,
                    message: "eforms: root <\(doc.root)> is not an eForms notice"))
        }
        let notice = try self.notice(from: doc, documentName: documentName, sourceID: options.sourceID)
        return (notice, issues)
    }

    static func notice(from doc: EFormsDocument, documentName: String, sourceID: String) throws -> Notice {
        let lang = doc.language
        let pubNo = FormatSupport.tedPublicationNumber(doc.publicationNumber)
        guard let id = pubNo ?? FormatSupport.nonEmpty(doc.noticeID) else {
            throw ParserError.malformed(
                ParseIssue(
                    file: documentName,
                    message: "eforms: notice has no notice-id (BT-701)"))
        }
        let lots = doc.lots.filter { $0.scheme != "LotsGroup" }
        // A notice with one lot often names only the lot; fall back to it for title and description.
        // Picked once: the title and its language come from the same choice.
        let picked = FormatSupport.pickWithLanguage(doc.project.names, noticeLanguage: lang)
        let title =
            picked?.text
            ?? lots.lazy.compactMap { FormatSupport.pick($0.project.names, noticeLanguage: lang) }.first
        guard let title else {
            throw ParserError.malformed(
                ParseIssue(
                    file: documentName, noticeID: id,
                    message: "eforms: notice has no title (BT-21)"))
        }
        var n = Notice(source: sourceID, sourceID: id, kind: kind(doc), title: title)
        n.summary =
            FormatSupport.pick(doc.project.descriptions, noticeLanguage: lang)
            ?? lots.lazy.compactMap { FormatSupport.pick($0.project.descriptions, noticeLanguage: lang) }.first
        n.language = picked?.lang ?? FormatSupport.iso639_1(lang)
        n.version = doc.version
        n.procedure = doc.procedureCode
        n.refs = CrossReferences(
            eformsProcedureID: doc.procedureID,
            eformsNoticeID: doc.noticeID.map { nid in
                doc.version.map { v in "\(nid)-\(v)" } ?? nid
            }, tedPublicationNumber: pubNo,
            buyerReference: FormatSupport.nonEmpty(doc.project.internalID),
            changedNotice: doc.hasChanges ? FormatSupport.nonEmpty(doc.changedNotice) : nil)
        n.documentsURL = lots.lazy.compactMap(\.documentsURL).first
        if let pubNo {
            n.url = "https://ted.europa.eu/fr/notice/-/detail/\(pubNo)"
        } else {
            n.url = n.documentsURL
        }
        n.published = FormatSupport.date(doc.publicationDate ?? doc.issueDate)?.instant
        n.buyer = buyer(doc)
        n.awardees = awardees(doc)

        // CPV: procedure main first, then additional and lot codes.
        var cpv: [String] = []
        func add(_ c: String?) {
            if let c = FormatSupport.cpv(c), !cpv.contains(c) { cpv.append(c) }
        }
        add(doc.project.mainCPV)
        doc.project.additionalCPV.forEach(add)
        for l in lots {
            add(l.project.mainCPV)
            l.project.additionalCPV.forEach(add)
        }
        n.mainCPV = FormatSupport.cpv(doc.project.mainCPV) ?? cpv.first
        n.cpv = cpv

        // Places of performance: procedure level and every lot (never the buyer's address).
        var places: [Place] = []
        for loc in doc.project.locations { FormatSupport.appendUnique(place(loc), to: &places) }
        n.lots = lots.map { l in
            var lot = Lot(
                id: l.id, title: FormatSupport.pick(l.project.names, noticeLanguage: lang),
                description: FormatSupport.pick(l.project.descriptions, noticeLanguage: lang))
            // PINs describe "parts" (schemeName Part) rather than lots: same shape, flagged for the reader.
            if l.scheme == "Part" { lot.kind = "part" }
            let lotMain = FormatSupport.cpv(l.project.mainCPV)
            lot.cpv =
                [lotMain].compactMap { $0 }
                + l.project.additionalCPV.compactMap(FormatSupport.cpv).filter { $0 != lotMain }
            // An award notice gives a framework lot's ceiling in its result (BT-709) when the lot gives none.
            lot.value =
                money(l.project)
                ?? doc.lotResults.lazy.filter { $0.lotRef == l.id }.compactMap {
                    frameworkMaximum($0.frameworkMax, currency: $0.frameworkCurrency)
                }.first
            for loc in l.project.locations { FormatSupport.appendUnique(place(loc), to: &lot.places) }
            return lot
        }
        for lot in n.lots { lot.places.forEach { FormatSupport.appendUnique($0, to: &places) } }
        n.places = places

        n.value = value(doc, lots: n.lots)

        // Deadlines: the earliest receipt of tenders; restricted procedures may only have requests to
        // participate (BT-1311), which then is the deadline.
        var tenders: [(String, ZonedDate)] = []
        var requests: [(String, ZonedDate)] = []
        var questions: [(String, ZonedDate)] = []
        for l in lots {
            if let z = EFormsDates.combine(date: l.tenderDeadlineDate, time: l.tenderDeadlineTime) {
                tenders.append((l.id, z))
            }
            if let z = EFormsDates.combine(date: l.requestDeadlineDate, time: l.requestDeadlineTime) {
                requests.append((l.id, z))
            }
            if let z = EFormsDates.combine(date: l.questionsDeadlineDate, time: l.questionsDeadlineTime) {
                questions.append((l.id, z))
            }
        }
        let mainKind: DeadlineKind = tenders.isEmpty ? .requestToParticipate : .tender
        let main = (tenders.isEmpty ? requests : tenders).map(\.1).min()
        n.deadline = main
        if main != nil { n.deadlineKind = mainKind }
        // Other milestones, once per label and date (lots usually share them); lot ids only when they differ.
        var others: [NamedDate] = []
        let kinds: [(DeadlineKind, [(String, ZonedDate)])] = [
            (.tender, tenders), (.requestToParticipate, requests), (.questions, questions),
        ]
        for (kind, list) in kinds {
            let distinct = Set(list.map(\.1))
            for (lotID, z) in list where !(kind == mainKind && z == main) {
                let named = NamedDate(kind: kind, lot: distinct.count > 1 ? lotID : nil, date: z)
                if !others.contains(named) { others.append(named) }
            }
        }
        n.otherDeadlines = others
        // A lot whose own tender deadline differs from the notice's keeps it.
        for (lotID, z) in tenders where z != main {
            if let i = n.lots.firstIndex(where: { $0.id == lotID }) { n.lots[i].deadline = z }
        }
        return n
    }

    static func kind(_ doc: EFormsDocument) -> NoticeKind {
        if doc.hasChanges { return .change }
        switch doc.root {
        case "PriorInformationNotice": return .priorInformation
        case "ContractAwardNotice": return .award
        default: return .tender
        }
    }

    /// The first buyer (OPT-300) resolved to its organisation. The notice-local reference (ORG-0001) is never used
    /// as the buyer's id: every notice numbers its organisations from ORG-0001, so it identifies nobody.
    static func buyer(_ doc: EFormsDocument) -> Buyer? {
        guard let ref = doc.buyerRefs.first, let org = doc.organizations.first(where: { $0.ref == ref }) else {
            return nil
        }
        return Buyer(
            name: FormatSupport.pick(org.names, noticeLanguage: doc.language),
            id: nationalID(org.companyID, scheme: org.companyIDScheme, country: org.country),
            country: FormatSupport.nonEmpty(org.country), nuts: FormatSupport.nonEmpty(org.nuts),
            contact: FormatSupport.contact(
                name: org.contactName, email: org.contactEmail, phone: org.contactPhone,
                // The buyer profile (BT-508) is where the buyer's procurements and their questions live; the
                // organisation's own site (BT-505) only when the notice gives no profile.
                url: doc.buyerProfiles[ref] ?? org.website))
    }

    /// The registration number of an organisation (BT-501), or nil when what the notice holds is none.
    ///
    /// - `schemeName="eu"`: an internal number of an EU body or eSender (BOAMP's eForms records hold
    ///   `93B89A5C-0AC1-…` and `1812659-1-0-1` there), not a SIRET.
    /// - A value without any digit is a placeholder (`not available`, `EU-PO` in the SDK examples).
    /// - A French organisation's number is its SIRET (14 digits) or SIREN (9 digits), spaces and dots removed
    ///   ("254 200 123 00017"); anything else there is no SIRET and is left out.
    /// - Other countries' numbers are kept as written (cleaned): `Buyer.id` then holds the national number.
    static func nationalID(_ raw: String?, scheme: String?, country: String?) -> String? {
        guard let id = FormatSupport.registrationNumber(raw) else { return nil }
        if scheme?.lowercased() == "eu" { return nil }
        guard id.contains(where: \.isNumber) else { return nil }
        if country == "FRA" || country == "FR" {
            return id.allSatisfy(\.isNumber) && (id.count == 14 || id.count == 9) ? id : nil
        }
        return id
    }

    /// The winners of an award notice, each organisation once, in the order of the results.
    ///
    /// Winning tenders are those that became contracts (SettledContract, OPT-320); notices without contracts
    /// fall back on the tenders of results with a winner chosen (BT-142 `selec-w`), and notices with no result
    /// at all (a partial notice) on every tender listed. Each tender names a tendering party whose tenderers
    /// (the group leader first) are organisations of `efac:Organizations`.
    static func awardees(_ doc: EFormsDocument) -> [Buyer] {
        var winning = doc.contractTenderRefs
        if winning.isEmpty {
            winning = doc.lotResults.filter { $0.status == "selec-w" }.flatMap(\.tenderRefs)
        }
        if winning.isEmpty, doc.lotResults.isEmpty {
            winning = doc.lotTenders.map(\.id)
        }
        var out: [Buyer] = []
        for ref in winning {
            guard let tender = doc.lotTenders.first(where: { $0.id == ref }),
                let party = doc.tenderingParties.first(where: { $0.id == tender.partyRef })
            else { continue }
            for orgRef in party.tendererRefs {
                guard let org = doc.organizations.first(where: { $0.ref == orgRef }) else { continue }
                let b = Buyer(
                    name: FormatSupport.pick(org.names, noticeLanguage: doc.language),
                    id: nationalID(org.companyID, scheme: org.companyIDScheme, country: org.country),
                    country: FormatSupport.nonEmpty(org.country), nuts: FormatSupport.nonEmpty(org.nuts))
                guard b.name != nil || b.id != nil else { continue }
                if !out.contains(where: { $0.name == b.name && $0.id == b.id }) { out.append(b) }
            }
        }
        return out
    }

    /// The notice's value:
    /// 1. the procedure's estimate (BT-27) or framework maximum (BT-271);
    /// 2. for an award notice, the total awarded (BT-161, `.awarded`), else the ceiling of the framework agreements
    ///    it awards (BT-118, `.frameworkMaximum`);
    /// 3. the lots' values added up, when every lot has one of the same kind and currency.
    static func value(_ doc: EFormsDocument, lots: [Lot]) -> Money? {
        if let v = money(doc.project) { return v }
        if doc.root == "ContractAwardNotice" {
            if let total = nonZero(doc.resultTotal) {
                return Money(amount: total, currency: doc.resultCurrency, kind: .awarded)
            }
            if let max = frameworkMaximum(doc.resultFrameworkMax, currency: doc.resultFrameworkCurrency) { return max }
        }
        let kinds = Set(lots.compactMap(\.value?.kind))
        guard kinds.count == 1, var total = FormatSupport.total(of: lots) else { return nil }
        total.kind = kinds.first ?? .estimated
        return total
    }

    /// A procedure's or a lot's value: the estimate (BT-27), with the framework maximum (BT-271) as its upper bound
    /// when both are given, or the maximum alone as a `.frameworkMaximum`.
    ///
    /// An `EstimatedOverallContractAmount` of 0 is a placeholder (BOAMP's framework award 26-80978 writes 0 for
    /// both its lots and gives the real ceilings in BT-271, BT-709 and BT-118): never a value.
    static func money(_ p: EFormsDocument.Project) -> Money? {
        let max = nonZero(p.frameworkMax)
        // eForms amounts are always exclusive of VAT (BT-27 "Valeur estimée hors TVA").
        if let amount = nonZero(p.estimatedValue) {
            return Money(amount: amount, currency: p.currency ?? p.frameworkCurrency, max: max, vat: "HT")
        }
        return frameworkMaximum(p.frameworkMax, currency: p.frameworkCurrency ?? p.currency)
    }

    /// A framework agreement's ceiling (BT-271, BT-709, BT-118) as a value of its own kind, nil for 0 or absent.
    static func frameworkMaximum(_ amount: String?, currency: String?) -> Money? {
        guard let max = nonZero(amount) else { return nil }
        return Money(amount: max, currency: currency, vat: "HT", kind: .frameworkMaximum)
    }

    static func nonZero(_ s: String?) -> Decimal? {
        guard let d = FormatSupport.decimal(s), d != 0 else { return nil }
        return d
    }

    static func place(_ l: EFormsDocument.Location) -> Place? {
        // "anyw" and friends (BT-727) carry no code: nothing to route on.
        guard l.country == nil || l.country == "FRA" || l.nuts != nil || l.city != nil else { return nil }
        let isFrench = l.country == nil || l.country == "FRA"
        return FormatSupport.place(nuts: l.nuts, postcode: isFrench ? l.postcode : nil, commune: l.city)
    }
}
