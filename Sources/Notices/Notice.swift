import Foundation

/// One opportunity — a tender, a prior information notice, an award, a call for
/// projects or a change notice — whatever source and format it came from.
///
/// Every parser adapter produces `Notice` values; every later stage (store,
/// classifier, digests) reads only this type. Fields a source does not carry
/// stay `nil` or empty: nothing is guessed.
public struct Notice: Sendable, Hashable, Codable {
    /// Identifier of the source in `Feeds/` (for example `boamp`, `ted`, `demo-rss`).
    public var source: String
    /// The source's own identifier of the notice (BOAMP idweb, TED publication
    /// number, RSS guid, Atom id, …).
    public var sourceID: String
    public var kind: NoticeKind
    public var title: String
    /// Plain-text summary (HTML reduced to text).
    public var summary: String?
    /// Plain text of the full content when the source gives one (`content:encoded`, `atom:content`).
    public var content: String?
    public var url: String?
    /// ISO 639-1 language of the texts chosen (`fr`, `en`, …).
    public var language: String?
    public var buyer: Buyer?
    /// Awarded suppliers (award notices, DECP): name and registration number as the source gives them.
    public var awardees: [Buyer]
    public var published: Date?
    public var updated: Date?
    /// The main deadline: the next date by which a firm must act (receipt of tenders, or of requests to
    /// participate in a restricted procedure, or of applications to a call). `deadlineKind` says which.
    public var deadline: ZonedDate?
    /// What `deadline` is the limit for. TED and BOAMP restricted procedures carry only a request-to-participate
    /// deadline, which must not be presented as a tender deadline.
    public var deadlineKind: DeadlineKind
    /// Other dated milestones (requests to participate, questions, opening…).
    public var otherDeadlines: [NamedDate]
    public var value: Money?
    public var mainCPV: String?
    /// All CPV codes, main first, without duplicates.
    public var cpv: [String]
    /// BOAMP descriptor codes.
    public var descriptors: [String]
    /// Places of *work* (execution or delivery), never the places where the notice is published.
    public var places: [Place]
    /// Départements where the notice is published (BOAMP `code_departement`): kept apart from the place of work,
    /// because BOAMP publishes one job in several neighbouring départements.
    public var publicationDepartements: [String]
    /// Where the tender documents (DCE) can be downloaded, when the source says.
    public var documentsURL: String?
    /// Procedure type as the source names it (`open`, `restricted`, `neg-w-call`, `MAPA`…).
    public var procedure: String?
    public var lots: [Lot]
    public var refs: CrossReferences
    /// Feed categories (RSS `category`, `dc:subject`, Atom `category/@term`).
    public var categories: [String]
    /// Enclosure URLs.
    public var enclosures: [String]
    public var author: String?
    /// Calls for projects and grants only.
    public var call: CallDetails?
    /// Version of the notice at its source (corrigenda, change notices).
    public var version: String?

    /// Stable identifier across runs: `source:sourceID`.
    public var id: String { "\(source):\(sourceID)" }

    public init(
        source: String, sourceID: String, kind: NoticeKind = .tender, title: String,
        summary: String? = nil, content: String? = nil, url: String? = nil, language: String? = nil,
        buyer: Buyer? = nil, awardees: [Buyer] = [], published: Date? = nil, updated: Date? = nil,
        deadline: ZonedDate? = nil, deadlineKind: DeadlineKind = .tender, otherDeadlines: [NamedDate] = [],
        value: Money? = nil, mainCPV: String? = nil,
        cpv: [String] = [], descriptors: [String] = [], places: [Place] = [], publicationDepartements: [String] = [],
        documentsURL: String? = nil, procedure: String? = nil,
        lots: [Lot] = [], refs: CrossReferences = CrossReferences(), categories: [String] = [],
        enclosures: [String] = [], author: String? = nil, call: CallDetails? = nil, version: String? = nil
    ) {
        self.source = source
        self.sourceID = sourceID
        self.kind = kind
        self.title = title
        self.summary = summary
        self.content = content
        self.url = url
        self.language = language
        self.buyer = buyer
        self.awardees = awardees
        self.published = published
        self.updated = updated
        self.deadline = deadline
        self.deadlineKind = deadlineKind
        self.otherDeadlines = otherDeadlines
        self.value = value
        self.mainCPV = mainCPV
        self.cpv = cpv
        self.descriptors = descriptors
        self.places = places
        self.publicationDepartements = publicationDepartements
        self.documentsURL = documentsURL
        self.procedure = procedure
        self.lots = lots
        self.refs = refs
        self.categories = categories
        self.enclosures = enclosures
        self.author = author
        self.call = call
        self.version = version
    }

    enum CodingKeys: String, CodingKey {
        case id
        case source, kind, title, summary, content, url, language, buyer, awardees, published, updated, deadline
        case sourceID = "source_id"
        case deadlineKind = "deadline_kind"
        case otherDeadlines = "other_deadlines"
        case publicationDepartements = "publication_departements"
        case documentsURL = "documents_url"
        case value
        case mainCPV = "main_cpv"
        case cpv, descriptors, places, procedure, lots, refs, categories, enclosures, author, call, version
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        source = try c.decode(String.self, forKey: .source)
        sourceID = try c.decode(String.self, forKey: .sourceID)
        kind = try c.decodeIfPresent(NoticeKind.self, forKey: .kind) ?? .tender
        title = try c.decodeIfPresent(String.self, forKey: .title) ?? ""
        summary = try c.decodeIfPresent(String.self, forKey: .summary)
        content = try c.decodeIfPresent(String.self, forKey: .content)
        url = try c.decodeIfPresent(String.self, forKey: .url)
        language = try c.decodeIfPresent(String.self, forKey: .language)
        buyer = try c.decodeIfPresent(Buyer.self, forKey: .buyer)
        awardees = try c.decodeIfPresent([Buyer].self, forKey: .awardees) ?? []
        published = try c.decodeIfPresent(Date.self, forKey: .published)
        updated = try c.decodeIfPresent(Date.self, forKey: .updated)
        deadline = try c.decodeIfPresent(ZonedDate.self, forKey: .deadline)
        deadlineKind = try c.decodeIfPresent(DeadlineKind.self, forKey: .deadlineKind) ?? .tender
        otherDeadlines = try c.decodeIfPresent([NamedDate].self, forKey: .otherDeadlines) ?? []
        value = try c.decodeIfPresent(Money.self, forKey: .value)
        mainCPV = try c.decodeIfPresent(String.self, forKey: .mainCPV)
        cpv = try c.decodeIfPresent([String].self, forKey: .cpv) ?? []
        descriptors = try c.decodeIfPresent([String].self, forKey: .descriptors) ?? []
        places = try c.decodeIfPresent([Place].self, forKey: .places) ?? []
        publicationDepartements = try c.decodeIfPresent([String].self, forKey: .publicationDepartements) ?? []
        documentsURL = try c.decodeIfPresent(String.self, forKey: .documentsURL)
        procedure = try c.decodeIfPresent(String.self, forKey: .procedure)
        lots = try c.decodeIfPresent([Lot].self, forKey: .lots) ?? []
        refs = try c.decodeIfPresent(CrossReferences.self, forKey: .refs) ?? CrossReferences()
        categories = try c.decodeIfPresent([String].self, forKey: .categories) ?? []
        enclosures = try c.decodeIfPresent([String].self, forKey: .enclosures) ?? []
        author = try c.decodeIfPresent(String.self, forKey: .author)
        call = try c.decodeIfPresent(CallDetails.self, forKey: .call)
        version = try c.decodeIfPresent(String.self, forKey: .version)
    }

    /// Encodes every field, `id` included, with nulls for absent values so the JSON schema is stable.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(source, forKey: .source)
        try c.encode(sourceID, forKey: .sourceID)
        try c.encode(kind, forKey: .kind)
        try c.encode(title, forKey: .title)
        try c.encode(summary, forKey: .summary)
        try c.encode(content, forKey: .content)
        try c.encode(url, forKey: .url)
        try c.encode(language, forKey: .language)
        try c.encode(buyer, forKey: .buyer)
        try c.encode(awardees, forKey: .awardees)
        try c.encode(published, forKey: .published)
        try c.encode(updated, forKey: .updated)
        try c.encode(deadline, forKey: .deadline)
        try c.encode(deadlineKind, forKey: .deadlineKind)
        try c.encode(otherDeadlines, forKey: .otherDeadlines)
        try c.encode(value, forKey: .value)
        try c.encode(mainCPV, forKey: .mainCPV)
        try c.encode(cpv, forKey: .cpv)
        try c.encode(descriptors, forKey: .descriptors)
        try c.encode(places, forKey: .places)
        try c.encode(publicationDepartements, forKey: .publicationDepartements)
        try c.encode(documentsURL, forKey: .documentsURL)
        try c.encode(procedure, forKey: .procedure)
        try c.encode(lots, forKey: .lots)
        try c.encode(refs, forKey: .refs)
        try c.encode(categories, forKey: .categories)
        try c.encode(enclosures, forKey: .enclosures)
        try c.encode(author, forKey: .author)
        try c.encode(call, forKey: .call)
        try c.encode(version, forKey: .version)
    }
}

/// What a notice announces.
public enum NoticeKind: String, Sendable, Hashable, Codable, CaseIterable {
    case tender
    case priorInformation = "prior_information"
    case award
    case callForProjects = "call_for_projects"
    case change
}

/// The contracting authority or funder.
public struct Buyer: Sendable, Hashable, Codable {
    public var name: String?
    /// SIRET, eForms ORG id or national registration number.
    public var id: String?
    /// ISO 3166-1 alpha-3 as in eForms (`FRA`) or alpha-2 when the source gives that.
    public var country: String?
    public var nuts: String?
    /// Who to ask about the procurement, as the notice gives it.
    public var contact: ContactPoint?

    public init(
        name: String? = nil, id: String? = nil, country: String? = nil, nuts: String? = nil,
        contact: ContactPoint? = nil
    ) {
        self.name = name
        self.id = id
        self.country = country
        self.nuts = nuts
        self.contact = contact
    }
}

/// A buyer's or funder's contact point: the office, person or address a firm writes to with questions.
///
/// Every field is as the source writes it (eForms `cac:Contact` of the buyer organisation, BOAMP `coord` /
/// `communication`, aides-territoires `contact`); nothing is composed or guessed. Stores written before contacts
/// existed hold no `contact` and decode with `nil`.
public struct ContactPoint: Sendable, Hashable, Codable {
    /// The contact's name: a person or a department ("Commande publique", "Pôle Achats Marchés").
    public var name: String?
    public var email: String?
    public var phone: String?
    /// The buyer profile (the platform where its tenders and questions live) or, failing that, its web address.
    public var url: String?

    public init(name: String? = nil, email: String? = nil, phone: String? = nil, url: String? = nil) {
        self.name = name
        self.email = email
        self.phone = phone
        self.url = url
    }

    /// True when no field is filled: such a contact is left out (`nil`) rather than stored empty.
    public var isEmpty: Bool { name == nil && email == nil && phone == nil && url == nil }
}

/// An amount of money, or a range.
public struct Money: Sendable, Hashable, Codable {
    public var amount: Decimal?
    /// ISO 4217 code (`EUR`).
    public var currency: String?
    public var min: Decimal?
    public var max: Decimal?
    /// `HT` (excluding VAT), `TTC` (including VAT) or nil when unstated.
    public var vat: String?
    /// What the figure is: an estimate, a framework agreement's maximum, or an awarded amount.
    public var kind: ValueKind

    public init(
        amount: Decimal? = nil, currency: String? = nil, min: Decimal? = nil, max: Decimal? = nil,
        vat: String? = nil, kind: ValueKind = .estimated
    ) {
        self.amount = amount
        self.currency = currency
        self.min = min
        self.max = max
        self.vat = vat
        self.kind = kind
    }

    enum CodingKeys: String, CodingKey { case amount, currency, min, max, vat, kind }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        amount = try c.decodeIfPresent(Decimal.self, forKey: .amount)
        currency = try c.decodeIfPresent(String.self, forKey: .currency)
        min = try c.decodeIfPresent(Decimal.self, forKey: .min)
        max = try c.decodeIfPresent(Decimal.self, forKey: .max)
        vat = try c.decodeIfPresent(String.self, forKey: .vat)
        // Stores written before value kinds existed hold no `kind`: those figures were estimates.
        kind = try c.decodeIfPresent(ValueKind.self, forKey: .kind) ?? .estimated
    }

    /// The largest figure known: amount, else max, else min.
    public var upperBound: Decimal? { amount ?? max ?? min }
}

/// What a `Money` figure stands for.
public enum ValueKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// The buyer's estimate of the contract (eForms BT-27, BOAMP `valeurEstimee`).
    case estimated
    /// The maximum of a framework agreement (eForms BT-118/BT-709): a ceiling, not an expected spend.
    case frameworkMaximum = "framework_maximum"
    /// The amount of an awarded contract (award notices, DECP).
    case awarded
}

/// What a deadline is the limit for.
public enum DeadlineKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// Receipt of tenders (offres).
    case tender
    /// Receipt of requests to participate (candidatures) in a restricted or negotiated procedure.
    case requestToParticipate = "request_to_participate"
    /// Receipt of applications to a call for projects.
    case application
    /// Last date for questions to the buyer.
    case questions
    /// Opening of tenders.
    case opening
    /// Mandatory site visit.
    case visit
    /// A call's pre-deposit (pré-dépôt) date.
    case predeposit
    /// A later stage of a multi-stage call.
    case nextStage = "next_stage"
    /// Notification of an awarded contract.
    case notification
    /// A date the source names in words only (kept in `NamedDate.label`).
    case other
}

/// Where the work is done.
public struct Place: Sendable, Hashable, Codable {
    public var nuts: String?
    /// French département code (`42`, `2A`, `971`).
    public var departement: String?
    public var postcode: String?
    public var commune: String?

    public init(nuts: String? = nil, departement: String? = nil, postcode: String? = nil, commune: String? = nil) {
        self.nuts = nuts
        self.departement = departement
        self.postcode = postcode
        self.commune = commune
    }
}

/// One lot of a divided procurement.
public struct Lot: Sendable, Hashable, Codable {
    public var id: String
    public var title: String?
    /// What the lot buys, in the buyer's words (eForms BT-24 of the lot, TED `description-lot`, BOAMP lot
    /// `description`).
    public var description: String?
    public var cpv: [String]
    public var value: Money?
    public var places: [Place]
    /// The lot's own tender deadline when it differs from the notice's.
    public var deadline: ZonedDate?
    /// `part` for the parts of a prior information notice (eForms schemeName `Part`), nil for ordinary lots.
    public var kind: String?

    public init(
        id: String, title: String? = nil, description: String? = nil, cpv: [String] = [], value: Money? = nil,
        places: [Place] = [], deadline: ZonedDate? = nil, kind: String? = nil
    ) {
        self.id = id
        self.title = title
        self.description = description
        self.cpv = cpv
        self.value = value
        self.places = places
        self.deadline = deadline
        self.kind = kind
    }

    enum CodingKeys: String, CodingKey { case id, title, description, cpv, value, places, deadline, kind }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        title = try c.decodeIfPresent(String.self, forKey: .title)
        description = try c.decodeIfPresent(String.self, forKey: .description)
        cpv = try c.decodeIfPresent([String].self, forKey: .cpv) ?? []
        value = try c.decodeIfPresent(Money.self, forKey: .value)
        places = try c.decodeIfPresent([Place].self, forKey: .places) ?? []
        deadline = try c.decodeIfPresent(ZonedDate.self, forKey: .deadline)
        kind = try c.decodeIfPresent(String.self, forKey: .kind)
    }
}

/// Identifiers that let the store recognise one procurement published by several sources.
public struct CrossReferences: Sendable, Hashable, Codable {
    public var eformsProcedureID: String?
    public var eformsNoticeID: String?
    public var boampIDWeb: String?
    public var tedPublicationNumber: String?
    public var buyerReference: String?
    /// For change notices: the notice they modify (eForms BT-758 ChangedNoticeIdentifier, or BOAMP annonce_lie /
    /// reference to the initial notice).
    public var changedNotice: String?

    public init(
        eformsProcedureID: String? = nil, eformsNoticeID: String? = nil, boampIDWeb: String? = nil,
        tedPublicationNumber: String? = nil, buyerReference: String? = nil, changedNotice: String? = nil
    ) {
        self.eformsProcedureID = eformsProcedureID
        self.eformsNoticeID = eformsNoticeID
        self.boampIDWeb = boampIDWeb
        self.tedPublicationNumber = tedPublicationNumber
        self.buyerReference = buyerReference
        self.changedNotice = changedNotice
    }

    enum CodingKeys: String, CodingKey {
        case eformsProcedureID = "eforms_procedure_id"
        case eformsNoticeID = "eforms_notice_id"
        case boampIDWeb = "boamp_idweb"
        case tedPublicationNumber = "ted_publication_number"
        case buyerReference = "buyer_reference"
        case changedNotice = "changed_notice"
    }

    public var isEmpty: Bool {
        eformsProcedureID == nil && eformsNoticeID == nil && boampIDWeb == nil && tedPublicationNumber == nil
            && buyerReference == nil && changedNotice == nil
    }
}

/// Details only calls for projects and grants carry.
public struct CallDetails: Sendable, Hashable, Codable {
    public var funder: String?
    /// Eligible beneficiaries as the source words them (SME, ETI, research, local authority…).
    public var beneficiaries: [String]
    public var opening: ZonedDate?
    public var closing: ZonedDate?
    public var collaborative: Bool?

    public init(
        funder: String? = nil, beneficiaries: [String] = [], opening: ZonedDate? = nil,
        closing: ZonedDate? = nil, collaborative: Bool? = nil
    ) {
        self.funder = funder
        self.beneficiaries = beneficiaries
        self.opening = opening
        self.closing = closing
        self.collaborative = collaborative
    }
}

/// A secondary dated milestone: what it is for, the lot it concerns if any, and the instant.
public struct NamedDate: Sendable, Hashable, Codable {
    public var kind: DeadlineKind
    /// The lot this date applies to, when it is one lot's.
    public var lot: String?
    /// The source's own words, for `kind == .other` (an RSS item's « visite le … »).
    public var label: String?
    public var date: ZonedDate

    public init(kind: DeadlineKind, lot: String? = nil, label: String? = nil, date: ZonedDate) {
        self.kind = kind
        self.lot = lot
        self.label = label
        self.date = date
    }

    enum CodingKeys: String, CodingKey { case kind, lot, label, date }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        date = try c.decode(ZonedDate.self, forKey: .date)
        lot = try c.decodeIfPresent(String.self, forKey: .lot)
        label = try c.decodeIfPresent(String.self, forKey: .label)
        if let k = try c.decodeIfPresent(DeadlineKind.self, forKey: .kind) {
            kind = k
        } else {
            // Stores written before deadline kinds held an English key in `label` (`requests LOT-0001`).
            let parts = (label ?? "").split(separator: " ", maxSplits: 1).map(String.init)
            switch parts.first {
            case "tenders": kind = .tender
            case "requests": kind = .requestToParticipate
            case "questions": kind = .questions
            case "opening": kind = .opening
            case "visit": kind = .visit
            case "predeposit": kind = .predeposit
            case "notification": kind = .notification
            case "stage": kind = .nextStage
            default: kind = .other
            }
            if kind != .other {
                if lot == nil, parts.count > 1, kind != .nextStage { lot = parts[1] }
                label = nil
            }
        }
    }
}
