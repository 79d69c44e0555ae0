import Foundation

/// One opportunity — a tender, a prior information notice, an award, a call for
/// projects or a change notice — whatever source and format it came from.
///
/// Every parser adapter produces `Notice` values; every later stage (store,
/// classifier, digests) reads only this type. Fields a source does not carry
/// stay `nil` or empty: nothing is guessed.
///
/// A copy shares the fields with the notice it copies until one of them is changed (copy-on-write).
public struct Notice: Sendable, Hashable, Codable {
    /// The fields, in one copy-on-write box, so that copying a notice costs one reference count, not one per
    /// string, array and optional field (about thirty). A national night (300 clusters × 100 members, 10,000 new
    /// notices) copies each notice into routes, digest items, windows, render caches and member digests: with the
    /// fields inline, the value-witness copies and destroys of `Notice` alone were ~1.7 % of all CPU, and ARC as a
    /// whole 17 %. A change goes through `uniqueFields` (`_modify`), which copies the box first only when it is
    /// shared, so `notice.lots.append(x)` stays in place. `Fields` says why the accessors are inlinable.
    @usableFromInline var storage: Storage

    /// Identifier of the source in `Feeds/` (for example `boamp`, `ted`, `demo-rss`).
    @inlinable public var source: String {
        get { storage.fields.source }
        _modify { yield &uniqueFields.source }
    }
    /// The source's own identifier of the notice (BOAMP idweb, TED publication
    /// number, RSS guid, Atom id, …).
    @inlinable public var sourceID: String {
        get { storage.fields.sourceID }
        _modify { yield &uniqueFields.sourceID }
    }
    @inlinable public var kind: NoticeKind {
        get { storage.fields.kind }
        _modify { yield &uniqueFields.kind }
    }
    @inlinable public var title: String {
        get { storage.fields.title }
        _modify { yield &uniqueFields.title }
    }
    /// Plain-text summary (HTML reduced to text).
    @inlinable public var summary: String? {
        get { storage.fields.summary }
        _modify { yield &uniqueFields.summary }
    }
    /// Plain text of the full content when the source gives one (`content:encoded`, `atom:content`).
    @inlinable public var content: String? {
        get { storage.fields.content }
        _modify { yield &uniqueFields.content }
    }
    @inlinable public var url: String? {
        get { storage.fields.url }
        _modify { yield &uniqueFields.url }
    }
    /// ISO 639-1 language of the texts chosen (`fr`, `en`, …).
    @inlinable public var language: String? {
        get { storage.fields.language }
        _modify { yield &uniqueFields.language }
    }
    @inlinable public var buyer: Buyer? {
        get { storage.fields.buyer }
        _modify { yield &uniqueFields.buyer }
    }
    /// Awarded suppliers (award notices, DECP): name and registration number as the source gives them.
    @inlinable public var awardees: [Buyer] {
        get { storage.fields.awardees }
        _modify { yield &uniqueFields.awardees }
    }
    @inlinable public var published: Date? {
        get { storage.fields.published }
        _modify { yield &uniqueFields.published }
    }
    @inlinable public var updated: Date? {
        get { storage.fields.updated }
        _modify { yield &uniqueFields.updated }
    }
    /// The main deadline: the next date by which a firm must act (receipt of tenders, or of requests to
    /// participate in a restricted procedure, or of applications to a call). `deadlineKind` says which.
    @inlinable public var deadline: ZonedDate? {
        get { storage.fields.deadline }
        _modify { yield &uniqueFields.deadline }
    }
    /// What `deadline` is the limit for. TED and BOAMP restricted procedures carry only a request-to-participate
    /// deadline, which must not be presented as a tender deadline.
    @inlinable public var deadlineKind: DeadlineKind {
        get { storage.fields.deadlineKind }
        _modify { yield &uniqueFields.deadlineKind }
    }
    /// Other dated milestones (requests to participate, questions, opening…).
    @inlinable public var otherDeadlines: [NamedDate] {
        get { storage.fields.otherDeadlines }
        _modify { yield &uniqueFields.otherDeadlines }
    }
    @inlinable public var value: Money? {
        get { storage.fields.value }
        _modify { yield &uniqueFields.value }
    }
    @inlinable public var mainCPV: String? {
        get { storage.fields.mainCPV }
        _modify { yield &uniqueFields.mainCPV }
    }
    /// All CPV codes, main first, without duplicates.
    @inlinable public var cpv: [String] {
        get { storage.fields.cpv }
        _modify { yield &uniqueFields.cpv }
    }
    /// BOAMP descriptor codes.
    @inlinable public var descriptors: [String] {
        get { storage.fields.descriptors }
        _modify { yield &uniqueFields.descriptors }
    }
    /// Places of *work* (execution or delivery), never the places where the notice is published.
    @inlinable public var places: [Place] {
        get { storage.fields.places }
        _modify { yield &uniqueFields.places }
    }
    /// Départements where the notice is published (BOAMP `code_departement`): kept apart from the place of work,
    /// because BOAMP publishes one job in several neighbouring départements.
    @inlinable public var publicationDepartements: [String] {
        get { storage.fields.publicationDepartements }
        _modify { yield &uniqueFields.publicationDepartements }
    }
    /// Where the tender documents (DCE) can be downloaded, when the source says.
    @inlinable public var documentsURL: String? {
        get { storage.fields.documentsURL }
        _modify { yield &uniqueFields.documentsURL }
    }
    /// Procedure type as the source names it (`open`, `restricted`, `neg-w-call`, `MAPA`…).
    @inlinable public var procedure: String? {
        get { storage.fields.procedure }
        _modify { yield &uniqueFields.procedure }
    }
    @inlinable public var lots: [Lot] {
        get { storage.fields.lots }
        _modify { yield &uniqueFields.lots }
    }
    @inlinable public var refs: CrossReferences {
        get { storage.fields.refs }
        _modify { yield &uniqueFields.refs }
    }
    /// Feed categories (RSS `category`, `dc:subject`, Atom `category/@term`).
    @inlinable public var categories: [String] {
        get { storage.fields.categories }
        _modify { yield &uniqueFields.categories }
    }
    /// Enclosure URLs.
    @inlinable public var enclosures: [String] {
        get { storage.fields.enclosures }
        _modify { yield &uniqueFields.enclosures }
    }
    @inlinable public var author: String? {
        get { storage.fields.author }
        _modify { yield &uniqueFields.author }
    }
    /// Calls for projects and grants only.
    @inlinable public var call: CallDetails? {
        get { storage.fields.call }
        _modify { yield &uniqueFields.call }
    }
    /// Version of the notice at its source (corrigenda, change notices).
    @inlinable public var version: String? {
        get { storage.fields.version }
        _modify { yield &uniqueFields.version }
    }

    /// Stable identifier across runs: `source:sourceID`.
    public var id: String {
        // The two fields are read one by one: a computed property of `Fields` called through the box copied all
        // thirty fields first (`Fields` value-witness copies under `Notice.id` in the Atom and HTML renderers).
        Fields.id(source: storage.fields.source, sourceID: storage.fields.sourceID)
    }

    /// Makes a notice; only `source`, `sourceID` and `title` are required, every other field starts absent or empty.
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
        storage = Storage(
            Fields(
                source: source, sourceID: sourceID, kind: kind, title: title, summary: summary, content: content,
                url: url, language: language, buyer: buyer, awardees: awardees, published: published, updated: updated,
                deadline: deadline, deadlineKind: deadlineKind, otherDeadlines: otherDeadlines, value: value,
                mainCPV: mainCPV, cpv: cpv, descriptors: descriptors, places: places,
                publicationDepartements: publicationDepartements, documentsURL: documentsURL, procedure: procedure,
                lots: lots, refs: refs, categories: categories, enclosures: enclosures, author: author, call: call,
                version: version))
    }

    public init(from decoder: any Decoder) throws {
        storage = Storage(try Fields(from: decoder))
    }

    /// Encodes every field, `id` included, with nulls for absent values so the JSON schema is stable.
    public func encode(to encoder: any Encoder) throws {
        try storage.fields.encode(to: encoder)
    }

    /// Two notices are equal when their fields are; copies of one notice share their box and compare at once.
    public static func == (lhs: Notice, rhs: Notice) -> Bool {
        lhs.storage === rhs.storage || lhs.storage.fields == rhs.storage.fields
    }

    /// Hashes the fields, as `==` compares them.
    public func hash(into hasher: inout Hasher) {
        storage.fields.hash(into: &hasher)
    }

    /// The fields, made this notice's own before they are changed: a box shared with a copy is copied first.
    @inlinable var uniqueFields: Fields {
        get { storage.fields }
        _modify {
            if !isKnownUniquelyReferenced(&storage) { storage = Storage(storage.fields) }
            yield &storage.fields
        }
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
