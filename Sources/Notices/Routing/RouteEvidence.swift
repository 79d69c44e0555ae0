import Foundation

/// What a stored route is for: the member it reaches and how, a consortium idea, a saved watch, a staff signal,
/// or a member the router dropped at the last filter (shown to staff as « écartés de justesse »).
public enum RouteRole: String, Sendable, Hashable, Codable, CaseIterable {
    /// The notice buys what the member does itself.
    case direct
    /// The member supplies a trade the notice needs (value chain).
    case indirect
    case consortium
    case watch
    case signal
    /// A member dropped by one filter (too far, above capacity…): staff see it, nobody is sent it.
    case nearMiss = "near_miss"

    /// Routes whose notice a member is told about.
    public var reachesMember: Bool { self == .direct || self == .indirect }
}

/// Which part of the notice a piece of evidence is about.
public enum EvidenceField: String, Sendable, Hashable, Codable {
    case title, summary, content, lot, category, cpv, descriptor
    case place, value, kind, deadline, segment, interest, link, certification
}

/// One piece of routing evidence, as data: the digest words it (« votre métier : usinage — mot « décolletage »
/// dans l'intitulé »). The classifier's own `Reason` is mapped to this by the pipeline, so the store and the
/// digest share a type that neither the rules' syntax nor any wording leaks into.
public struct RouteEvidence: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        /// A keyword of the member's trade (`term`) found in `field` (`matched`: the text as found).
        case keyword
        /// A CPV code of the notice (`matched`) under a code or prefix of the trade (`term`).
        case cpv
        /// A BOAMP descriptor code.
        case descriptor
        /// The notice names the trade itself (a segment-level signal).
        case segment
        /// The member reaches the notice through the value chain: it supplies `term` (a trade the notice needs).
        case valueChain = "value_chain"
        /// One of the member's own interests (`term`).
        case interest
        /// A certification the notice asks for (`term`); `declared` says whether the member has it.
        case certification
        /// The place of work (`matched`) is far from the member's site `term`: a penalty.
        case distance
        /// The value (`matched`, euros) is above what the member carries alone (`term`, euros): a groupement.
        case groupement
        /// A saved watch (`term`: its name) matched on `matched`.
        case watch
        /// Other evidence on a field (place, value, kind, deadline).
        case other
    }

    public var kind: Kind
    public var field: EvidenceField
    public var term: String
    public var matched: String?
    /// The lot the evidence came from.
    public var lotID: String?
    /// Label of the trade (segment) the evidence is for, when it is for one.
    public var segment: String?
    /// The router's weight (negative for a penalty). Staff-facing figures only; members are shown words.
    public var weight: Double
    /// For `.certification`: whether the member declared it.
    public var declared: Bool?
    /// For `.distance`: how many départements lie between the member's nearest site and the place of work.
    public var distance: Int?

    enum CodingKeys: String, CodingKey {
        case kind, field, term, matched, segment, weight, declared, distance
        case lotID = "lot_id"
    }

    public init(
        kind: Kind, field: EvidenceField, term: String, matched: String? = nil, lotID: String? = nil,
        segment: String? = nil, weight: Double, declared: Bool? = nil, distance: Int? = nil
    ) {
        self.distance = distance
        self.kind = kind
        self.field = field
        self.term = term
        self.matched = matched
        self.lotID = lotID
        self.segment = segment
        self.weight = weight
        self.declared = declared
    }
}

/// Why the router dropped a candidate member, with the figures; the digest words it for staff.
public struct RouteExclusion: Sendable, Hashable, Codable {
    public enum Filter: String, Sendable, Hashable, Codable, CaseIterable {
        /// Place of work too far from every site of the member (or outside its regions / France).
        case territory
        /// Value above what the member can carry alone.
        case capacity
        /// The member does not want this kind of notice.
        case kind
        /// Deadline too close or passed.
        case deadline
        /// One of the member's exclusions is in the notice (`term`, in `field`).
        case memberExclusion = "member_exclusion"
        /// An exclusion of the trade vetoed it (`term`, in `field`).
        case segmentExclusion = "segment_exclusion"
        /// Some evidence for the trade, below the threshold (`score` < `threshold`).
        case weakMatch = "weak_match"
        /// The member only supplies a trade the notice needs (`upstream` → `downstream`).
        case upstreamSupplier = "upstream_supplier"
    }

    public var filter: Filter
    /// Label of the trade concerned.
    public var segment: String?
    public var term: String?
    public var field: EvidenceField?
    /// Places of work (département codes or names) for `.territory`.
    public var places: [String]
    public var distance: Int?
    public var maximumDistance: Int?
    public var site: String?
    /// The member's regions, when the place is outside them.
    public var regions: [String]
    public var outsideFrance: Bool
    public var value: Double?
    public var capacity: Double?
    public var leadDays: Double?
    public var minimumLeadDays: Int?
    public var score: Double?
    public var threshold: Double?
    public var noticeKind: NoticeKind?
    public var wantedKinds: [NoticeKind]
    public var upstream: String?
    public var downstream: String?

    enum CodingKeys: String, CodingKey {
        case filter, segment, term, field, places, distance, site, regions, value, capacity, score, threshold
        case upstream, downstream
        case maximumDistance = "maximum_distance"
        case outsideFrance = "outside_france"
        case leadDays = "lead_days"
        case minimumLeadDays = "minimum_lead_days"
        case noticeKind = "notice_kind"
        case wantedKinds = "wanted_kinds"
    }

    public init(
        filter: Filter, segment: String? = nil, term: String? = nil, field: EvidenceField? = nil,
        places: [String] = [], distance: Int? = nil, maximumDistance: Int? = nil, site: String? = nil,
        regions: [String] = [], outsideFrance: Bool = false, value: Double? = nil, capacity: Double? = nil,
        leadDays: Double? = nil, minimumLeadDays: Int? = nil, score: Double? = nil, threshold: Double? = nil,
        noticeKind: NoticeKind? = nil, wantedKinds: [NoticeKind] = [], upstream: String? = nil,
        downstream: String? = nil
    ) {
        self.filter = filter
        self.segment = segment
        self.term = term
        self.field = field
        self.places = places
        self.distance = distance
        self.maximumDistance = maximumDistance
        self.site = site
        self.regions = regions
        self.outsideFrance = outsideFrance
        self.value = value
        self.capacity = capacity
        self.leadDays = leadDays
        self.minimumLeadDays = minimumLeadDays
        self.score = score
        self.threshold = threshold
        self.noticeKind = noticeKind
        self.wantedKinds = wantedKinds
        self.upstream = upstream
        self.downstream = downstream
    }
}

/// Why a source failed, as data (the fetcher's condition names); the digest words it in French.
public enum SourceFailureKind: String, Sendable, Hashable, Codable, CaseIterable {
    case catalogue
    case httpStatus = "http-status"
    case rateLimited = "rate-limited"
    case connection, timeout, stalled, truncated
    case lengthMismatch = "length-mismatch"
    case refusedURL = "refused-url"
    case timeBudget = "time-budget"
    case bodyTooLarge = "body-too-large"
    case redirectLoop = "redirect-loop"
    case tooManyRedirects = "too-many-redirects"
    case htmlInsteadOfData = "html-instead-of-data"
    case unexpectedContent = "unexpected-content"
    case paging
    case missingCredential = "missing-credential"
    case authentication, transport, interrupted
    /// The response could not be read (parser).
    case parse
}
