import Foundation

extension Notice {
    /// The stored fields of a notice, held once in `Storage` and shared by its copies. They carry the notice's
    /// equality, hashing and JSON form.
    ///
    /// The fields and the accessors are `@usableFromInline`/`@inlinable`: the stages (classifier, digests) read
    /// notice fields in their inner loops, and an accessor they could not inline would hand back every string and
    /// array retained, where reading a field inline borrows it — the box must not bring back the reference counts
    /// it saves on copies.
    @usableFromInline struct Fields: Sendable, Hashable {
        @usableFromInline var source: String
        @usableFromInline var sourceID: String
        @usableFromInline var kind: NoticeKind
        @usableFromInline var title: String
        @usableFromInline var summary: String?
        @usableFromInline var content: String?
        @usableFromInline var url: String?
        @usableFromInline var language: String?
        @usableFromInline var buyer: Buyer?
        @usableFromInline var awardees: [Buyer]
        @usableFromInline var published: Date?
        @usableFromInline var updated: Date?
        @usableFromInline var deadline: ZonedDate?
        @usableFromInline var deadlineKind: DeadlineKind
        @usableFromInline var otherDeadlines: [NamedDate]
        @usableFromInline var value: Money?
        @usableFromInline var mainCPV: String?
        @usableFromInline var cpv: [String]
        @usableFromInline var descriptors: [String]
        @usableFromInline var places: [Place]
        @usableFromInline var publicationDepartements: [String]
        @usableFromInline var documentsURL: String?
        @usableFromInline var procedure: String?
        @usableFromInline var lots: [Lot]
        @usableFromInline var refs: CrossReferences
        @usableFromInline var categories: [String]
        @usableFromInline var enclosures: [String]
        @usableFromInline var author: String?
        @usableFromInline var call: CallDetails?
        @usableFromInline var version: String?

        /// Stable identifier across runs: `source:sourceID`.
        static func id(source: String, sourceID: String) -> String { "\(source):\(sourceID)" }
    }

    /// The box a notice and its copies share.
    ///
    /// `@unchecked Sendable`: `fields` is only written through `Notice.uniqueFields`, after
    /// `isKnownUniquelyReferenced` has made the box this notice's alone, so no other thread can be reading it.
    /// `@exclusivity(unchecked)` for the same reason: every access to the box is nested in an access to the
    /// `Notice` value that holds it, which Swift already checks, and the dynamic check on a class property would
    /// otherwise run at each field read.
    @usableFromInline final class Storage: @unchecked Sendable {
        @usableFromInline @exclusivity(unchecked) var fields: Fields

        @usableFromInline init(_ fields: Fields) {
            self.fields = fields
        }
    }
}

extension Notice.Fields: Codable {
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

    @usableFromInline init(from decoder: any Decoder) throws {
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
    @usableFromInline func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Self.id(source: source, sourceID: sourceID), forKey: .id)
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
