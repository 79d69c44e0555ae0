import Foundation
import Notices

/// Everything the router decided about one notice, for every cluster, with the reasons.
public struct RoutingResult: Sendable, Hashable, Codable {
    public var noticeID: String
    public var clusters: [ClusterRouting]

    public init(noticeID: String, clusters: [ClusterRouting]) {
        self.noticeID = noticeID
        self.clusters = clusters
    }

    /// All routes of every cluster.
    public var routes: [Route] { clusters.flatMap(\.routes) }
    /// All near misses of every cluster.
    public var nearMisses: [NearMiss] { clusters.flatMap(\.nearMisses) }
    /// All consortium suggestions of every cluster.
    public var consortia: [ConsortiumSuggestion] { clusters.flatMap(\.consortia) }
    /// The routing of one cluster.
    public func cluster(_ id: String) -> ClusterRouting? { clusters.first { $0.clusterID == id } }

    enum CodingKeys: String, CodingKey {
        case noticeID = "notice_id"
        case clusters
    }
}

/// What one cluster's rules did with a notice.
public struct ClusterRouting: Sendable, Hashable, Codable {
    public var clusterID: String
    public var clusterName: String
    /// Segments the notice needs, strongest first (only those above the threshold).
    public var segments: [SegmentMatch]
    /// Segments with some evidence below the threshold, or vetoed by an exclusion.
    public var rejectedSegments: [SegmentMatch]
    public var routes: [Route]
    public var nearMisses: [NearMiss]
    public var consortia: [ConsortiumSuggestion]
    public var watches: [WatchMatch]
    /// Notices put before the cluster's staff: core business nobody in range can carry.
    public var signals: [StaffSignal] = []
    /// Per-rule counters for this notice: which rule let it through, which filter dropped whom.
    public var ruleCounters: [RuleCounter]

    public init(
        clusterID: String, clusterName: String, segments: [SegmentMatch] = [],
        rejectedSegments: [SegmentMatch] = [], routes: [Route] = [], nearMisses: [NearMiss] = [],
        consortia: [ConsortiumSuggestion] = [], watches: [WatchMatch] = [], ruleCounters: [RuleCounter] = []
    ) {
        self.clusterID = clusterID
        self.clusterName = clusterName
        self.segments = segments
        self.rejectedSegments = rejectedSegments
        self.routes = routes
        self.nearMisses = nearMisses
        self.consortia = consortia
        self.watches = watches
        self.ruleCounters = ruleCounters
    }

    /// The route to one member, if any.
    public func route(to memberID: String) -> Route? { routes.first { $0.memberID == memberID } }
    /// The near miss of one member, if any.
    public func nearMiss(of memberID: String) -> NearMiss? { nearMisses.first { $0.memberID == memberID } }

    enum CodingKeys: String, CodingKey {
        case clusterID = "cluster_id"
        case clusterName = "cluster_name"
        case segments
        case rejectedSegments = "rejected_segments"
        case routes
        case nearMisses = "near_misses"
        case consortia, watches, signals
        case ruleCounters = "rule_counters"
    }
}

/// A value-chain segment a notice was tagged with, and the evidence.
public struct SegmentMatch: Sendable, Hashable, Codable {
    public var segmentID: String
    public var label: String
    public var score: Double
    public var reasons: [Reason]
    /// Lots whose own text or CPV needs this segment.
    public var lots: [String]
    /// Set when an exclusion vetoed the segment.
    public var vetoedBy: Reason?
    /// Why a segment with evidence is not needed (nil for needed segments).
    public var rejection: SegmentRejection?

    public init(
        segmentID: String, label: String, score: Double, reasons: [Reason], lots: [String] = [],
        vetoedBy: Reason? = nil, rejection: SegmentRejection? = nil
    ) {
        self.segmentID = segmentID
        self.label = label
        self.score = score
        self.reasons = reasons
        self.lots = lots
        self.vetoedBy = vetoedBy
        self.rejection = rejection
    }

    enum CodingKeys: String, CodingKey {
        case segmentID = "segment_id"
        case label, score, reasons, lots, rejection
        case vetoedBy = "vetoed_by"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        segmentID = try c.decode(String.self, forKey: .segmentID)
        label = try c.decode(String.self, forKey: .label)
        score = try c.decode(Double.self, forKey: .score)
        reasons = try c.decode([Reason].self, forKey: .reasons)
        lots = try c.decodeIfPresent([String].self, forKey: .lots) ?? []
        vetoedBy = try c.decodeIfPresent(Reason.self, forKey: .vetoedBy)
        rejection = try c.decodeIfPresent(SegmentRejection.self, forKey: .rejection)
    }
}

/// Why a segment with some evidence was not found needed.
public enum SegmentRejection: Sendable, Hashable, Codable {
    /// A segment exclusion was found.
    case exclusion
    /// The evidence weighs less than the segment's `min_score`.
    case belowThreshold(threshold: Double)
    /// Enough weight, but one isolated word (or words against the buyer's classification) with no CPV code nor
    /// second keyword to confirm it.
    case isolated
    /// The notice's main CPV is a service about the trade (training, culture) in this division.
    case serviceAboutTrade(division: String)
    /// The segment declares a context and the notice names none of it.
    case outOfContext
}

/// Whether a member is reached because it covers a needed segment, or supplies one.
public enum RouteKind: String, Sendable, Hashable, Codable {
    /// The member covers a segment the notice needs (or matched one of its own interests).
    case direct
    /// The member covers a segment upstream of a needed one (it supplies it).
    case indirect
}

/// A notice sent to a member, with a score and every reason.
public struct Route: Sendable, Hashable, Codable {
    public var clusterID: String
    public var memberID: String
    public var memberName: String
    public var score: Double
    public var kind: RouteKind
    /// Needed segments it covers (direct) or supplies (indirect).
    public var segments: [String]
    public var reasons: [Reason]
    /// Départements between its nearest site and the place of work (nil when the place is unknown).
    public var distance: Int?

    public init(
        clusterID: String, memberID: String, memberName: String, score: Double, kind: RouteKind,
        segments: [String], reasons: [Reason], distance: Int? = nil
    ) {
        self.clusterID = clusterID
        self.memberID = memberID
        self.memberName = memberName
        self.score = score
        self.kind = kind
        self.segments = segments
        self.reasons = reasons
        self.distance = distance
    }

    /// True for routes through a covered segment or interest.
    public var isDirect: Bool { kind == .direct }

    enum CodingKeys: String, CodingKey {
        case clusterID = "cluster_id"
        case memberID = "member_id"
        case memberName = "member_name"
        case score, kind, segments, reasons, distance
    }
}

/// Which part of the notice (or which filter) a reason is about: the routing data's own field type (Notices), so
/// the classifier, the store and the digest name fields one way.
public typealias ReasonField = EvidenceField

extension EvidenceField {
    /// Fields that carry the same text in different wrappers count as one part of the notice.
    var part: EvidenceField {
        switch self {
        case .summary, .content, .category: return .summary
        default: return self
        }
    }
}

/// One piece of evidence: which rule fired on which field, on which term or code, with what weight.
public struct Reason: Sendable, Hashable, Codable {
    /// The rule behind the evidence, as data.
    public var source: EvidenceRule
    /// Its stable name (`segment:usinage/keyword:usinage`), as rule counters and JSON show it.
    public var rule: String { source.key }
    public var field: ReasonField
    /// The rule's term or code (`décollet*`, `4262`).
    public var term: String
    /// The text or code as found in the notice (`Décolletage`, `42621000-8`), when different from `term`.
    public var matched: String?
    public var weight: Double
    /// Lot concerned, when the evidence came from a lot.
    public var lotID: String?
    /// The keyword opens the title (the object bought), not a complement that names a setting.
    public var isTitleHead: Bool = false
    /// The keyword sits in a complement naming the setting or the object serviced, not what is bought.
    public var isSetting: Bool = false
    /// For `field == .certification`: whether the member declared the certification the notice asks for.
    public var certification: CertificationStatus?

    public init(
        _ source: EvidenceRule, field: ReasonField, term: String, matched: String? = nil, weight: Double,
        lotID: String? = nil
    ) {
        self.source = source
        self.field = field
        self.term = term
        self.matched = matched
        self.weight = weight
        self.lotID = lotID
    }

    /// A reason named by its rule key (`segment:usinage/keyword:usinage`), as JSON output and stores hold it.
    public init(
        rule: String, field: ReasonField, term: String, matched: String? = nil, weight: Double,
        lotID: String? = nil
    ) {
        self.source = EvidenceRule(key: rule)
        self.field = field
        self.term = term
        self.matched = matched
        self.weight = weight
        self.lotID = lotID
    }

    enum CodingKeys: String, CodingKey {
        case rule, field, term, matched, weight, certification
        case lotID = "lot_id"
        case isTitleHead = "title_head"
        case isSetting = "setting"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        source = EvidenceRule(key: try c.decode(String.self, forKey: .rule))
        field = try c.decode(ReasonField.self, forKey: .field)
        term = try c.decode(String.self, forKey: .term)
        matched = try c.decodeIfPresent(String.self, forKey: .matched)
        weight = try c.decode(Double.self, forKey: .weight)
        lotID = try c.decodeIfPresent(String.self, forKey: .lotID)
        // Routes stored before these flags existed carry none: a keyword then was neither.
        isTitleHead = try c.decodeIfPresent(Bool.self, forKey: .isTitleHead) ?? false
        isSetting = try c.decodeIfPresent(Bool.self, forKey: .isSetting) ?? false
        certification = try c.decodeIfPresent(CertificationStatus.self, forKey: .certification)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(rule, forKey: .rule)
        try c.encode(field, forKey: .field)
        try c.encode(term, forKey: .term)
        try c.encodeIfPresent(matched, forKey: .matched)
        try c.encode(weight, forKey: .weight)
        try c.encodeIfPresent(lotID, forKey: .lotID)
        if isTitleHead { try c.encode(true, forKey: .isTitleHead) }
        if isSetting { try c.encode(true, forKey: .isSetting) }
        try c.encodeIfPresent(certification, forKey: .certification)
    }
}

/// Whether a member declared a certification a notice asks for. A missing one never drops the member (it may
/// obtain it, or bid with a partner who has it): the reason says so, and staff decide.
public enum CertificationStatus: String, Sendable, Hashable, Codable {
    case declared
    case notDeclared = "not_declared"
}

/// The filter that dropped a candidate member: the routing data's own type (Notices), so the store and the
/// digest's « écartés de justesse » name filters as the router does.
public typealias RoutingFilter = RouteExclusion.Filter

/// Why a candidate member was dropped, as data (the explainer and the digest word it).
public enum NearMissCause: Sendable, Hashable, Codable {
    /// The member supplies a needed segment (upstream → downstream) but its own trade is not bought.
    case upstreamSupplier(upstream: String, downstream: String)
    /// An exclusion of the member's segment was found.
    case segmentExclusion(segment: String, term: String, field: ReasonField)
    /// Some evidence for the member's segment, below the threshold.
    case weakMatch(segment: String, score: Double, threshold: Double)
    /// Enough weight, but the evidence does not hold together (see ``SegmentRejection``).
    case incoherentEvidence(segment: String, rejection: SegmentRejection)
    /// One of the member's own exclusions was found.
    case memberExclusion(term: String, field: ReasonField, matched: String?)
    /// The member does not follow this kind of notice.
    case kind(NoticeKind, wanted: [NoticeKind])
    /// The deadline is closer than the cluster's minimum lead time (negative: passed).
    case deadline(leadDays: Double, minimum: Int)
    /// The place of work is out of the member's range.
    case territory(TerritoryMiss)
    /// The value is beyond what the member, or the members in range together, can carry.
    case capacity(value: Double, capacity: Double)

    /// The filter (or stage) that dropped the member.
    public var filter: RoutingFilter {
        switch self {
        case .upstreamSupplier: return .upstreamSupplier
        case .segmentExclusion: return .segmentExclusion
        case .weakMatch, .incoherentEvidence: return .weakMatch
        case .memberExclusion: return .memberExclusion
        case .kind: return .kind
        case .deadline: return .deadline
        case .territory: return .territory
        case .capacity: return .capacity
        }
    }
}

/// How a place of work falls outside a member's range.
public enum TerritoryMiss: Sendable, Hashable, Codable {
    /// Only a foreign country is known.
    case outsideFrance
    /// Only a region is known, and it is none of the member's sites' regions (NUTS codes).
    case outsideRegions(regions: [String])
    /// The nearest site is `distance` départements from the place, more than `maximum`.
    case tooFar(places: [String], distance: Int, site: String, maximum: Int)
    /// No distance could be computed from any site (overseas).
    case outOfReach(places: [String])
}

/// A member that nearly received the notice, and what stopped it.
public struct NearMiss: Sendable, Hashable, Codable {
    public var clusterID: String
    public var memberID: String
    public var memberName: String
    public var cause: NearMissCause
    /// Segments through which it was a candidate.
    public var segments: [String]
    /// Score it would have had.
    public var score: Double
    public var reasons: [Reason]
    /// The member's sites are also out of the notice's reach: a second filter would have dropped it (set for the
    /// causes checked before the territory; a territory miss says its own distance).
    public var outOfReach: Bool

    public init(
        clusterID: String, memberID: String, memberName: String, cause: NearMissCause, segments: [String],
        score: Double, reasons: [Reason] = [], outOfReach: Bool = false
    ) {
        self.clusterID = clusterID
        self.memberID = memberID
        self.memberName = memberName
        self.cause = cause
        self.segments = segments
        self.score = score
        self.reasons = reasons
        self.outOfReach = outOfReach
    }

    /// Whether the member was left out narrowly (« écarté de justesse », what the staff digest lists): by this
    /// one cause, its sites within reach; for a territory miss, at most twice the maximum distance away (at
    /// least two départements more). A member of a Breton cluster with a weak keyword match on a notice in
    /// Occitanie, or one eight départements away when two are allowed, was not nearly sent it.
    public var isNarrow: Bool {
        if case .territory(let miss) = cause {
            if case .tooFar(_, let distance, _, let maximum) = miss { return distance <= max(maximum + 2, 2 * maximum) }
            return true
        }
        return !outOfReach
    }

    /// Of one cluster's near misses for one notice, the `limit` a staff digest could list: one per member (its
    /// highest score, the first of equals), ranked by score then member id; all of them, in their order, when
    /// there are no more than `limit`.
    public static func strongest(_ misses: [NearMiss], limit: Int) -> [NearMiss] {
        misses.count > limit ? ranked(misses, limit: limit) : misses
    }

    /// The first `limit` of `misses`, one per member (its highest score, the first of equals), by score then member
    /// id.
    public static func ranked(_ misses: [NearMiss], limit: Int) -> [NearMiss] {
        // Positions by score, member, then position: a member's first in this order is its best (the first of
        // equals); sorting positions moves no near miss, and no dictionary of every member is built.
        let order = misses.indices.sorted { a, b in
            if misses[a].score != misses[b].score { return misses[a].score > misses[b].score }
            if misses[a].memberID != misses[b].memberID { return misses[a].memberID < misses[b].memberID }
            return a < b
        }
        var out: [NearMiss] = []
        for i in order where out.count < limit {
            if out.contains(where: { $0.memberID == misses[i].memberID }) { continue }
            out.append(misses[i])
        }
        return out
    }

    /// The filter that dropped the member.
    public var filter: RoutingFilter { cause.filter }
    /// The cause in French (for `vigie route`, `vigie explain` and JSON readers).
    public var detail: String { RoutingExplainer(language: .fr).describe(cause) }
    /// The cause in English.
    public var detailEN: String { RoutingExplainer(language: .en).describe(cause) }

    enum CodingKeys: String, CodingKey {
        case clusterID = "cluster_id"
        case memberID = "member_id"
        case memberName = "member_name"
        case filter, cause, detail
        case detailEN = "detail_en"
        case segments, score, reasons
        case outOfReach = "out_of_reach"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        clusterID = try c.decode(String.self, forKey: .clusterID)
        memberID = try c.decode(String.self, forKey: .memberID)
        memberName = try c.decode(String.self, forKey: .memberName)
        cause = try c.decode(NearMissCause.self, forKey: .cause)
        segments = try c.decode([String].self, forKey: .segments)
        score = try c.decode(Double.self, forKey: .score)
        reasons = try c.decodeIfPresent([Reason].self, forKey: .reasons) ?? []
        outOfReach = try c.decodeIfPresent(Bool.self, forKey: .outOfReach) ?? false
    }

    /// The cause as data, plus its filter and wording for readers of `--json` who want a sentence.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(clusterID, forKey: .clusterID)
        try c.encode(memberID, forKey: .memberID)
        try c.encode(memberName, forKey: .memberName)
        try c.encode(filter, forKey: .filter)
        try c.encode(cause, forKey: .cause)
        try c.encode(detail, forKey: .detail)
        try c.encode(detailEN, forKey: .detailEN)
        try c.encode(segments, forKey: .segments)
        try c.encode(score, forKey: .score)
        try c.encode(reasons, forKey: .reasons)
        if outOfReach { try c.encode(outOfReach, forKey: .outOfReach) }
    }
}

/// Why the router proposes bidding together.
public enum ConsortiumReason: String, Sendable, Hashable, Codable {
    /// The notice (or a lot) needs several segments no single member covers.
    case multipleSegments = "multiple_segments"
    /// Its value exceeds every single member's capacity.
    case valueExceedsCapacity = "value_exceeds_capacity"
    /// Both.
    case both
}

/// A proposed group of members ("chasser en meute") covering what the notice needs, as data (the explainer and
/// the digest word it).
public struct ConsortiumSuggestion: Sendable, Hashable, Codable {
    public var clusterID: String
    /// Member ids, lead first.
    public var members: [String]
    public var lead: String
    public var segments: [String]
    public var reason: ConsortiumReason
    /// Needed segments no eligible member covers.
    public var uncovered: [String]
    /// Combined capacity of the group (sum of stated capacities).
    public var combinedCapacity: Double?
    /// The lot concerned, when the suggestion is for one lot.
    public var lotID: String?
    /// Segment each member brings (member id → segments), lead included.
    public var contributions: [String: [String]]
    /// Upstream suppliers in range the group may source from (member id → the upstream segment it brings):
    /// partners of the bid, never recipients of the notice on their own.
    public var suppliers: [String: String] = [:]
    /// The value the group must carry (the lot's, or the notice's).
    public var value: Double?
    /// The lead's capacity and the distance from its nearest site to the place of work.
    public var leadCapacity: Double?
    public var leadDistance: Int?
    /// Names of the members (id → name) and labels of the segments (id → label) named above.
    public var memberNames: [String: String] = [:]
    public var segmentLabels: [String: String] = [:]

    public init(
        clusterID: String, members: [String], lead: String, segments: [String], reason: ConsortiumReason,
        uncovered: [String] = [], combinedCapacity: Double? = nil, lotID: String? = nil,
        contributions: [String: [String]] = [:]
    ) {
        self.clusterID = clusterID
        self.members = members
        self.lead = lead
        self.segments = segments
        self.reason = reason
        self.uncovered = uncovered
        self.combinedCapacity = combinedCapacity
        self.lotID = lotID
        self.contributions = contributions
    }

    /// The proposal in French (for `vigie route`, `vigie explain` and readers of `--json`).
    public var detail: String { RoutingExplainer(language: .fr).describe(self) }
    /// The same in English.
    public var detailEN: String { RoutingExplainer(language: .en).describe(self) }

    enum CodingKeys: String, CodingKey {
        case clusterID = "cluster_id"
        case members, lead, segments, reason, detail
        case detailEN = "detail_en"
        case uncovered
        case combinedCapacity = "combined_capacity"
        case lotID = "lot_id"
        case contributions, suppliers, value
        case leadCapacity = "lead_capacity"
        case leadDistance = "lead_distance"
        case memberNames = "member_names"
        case segmentLabels = "segment_labels"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        clusterID = try c.decode(String.self, forKey: .clusterID)
        members = try c.decode([String].self, forKey: .members)
        lead = try c.decode(String.self, forKey: .lead)
        segments = try c.decode([String].self, forKey: .segments)
        reason = try c.decode(ConsortiumReason.self, forKey: .reason)
        uncovered = try c.decodeIfPresent([String].self, forKey: .uncovered) ?? []
        combinedCapacity = try c.decodeIfPresent(Double.self, forKey: .combinedCapacity)
        lotID = try c.decodeIfPresent(String.self, forKey: .lotID)
        contributions = try c.decodeIfPresent([String: [String]].self, forKey: .contributions) ?? [:]
        suppliers = try c.decodeIfPresent([String: String].self, forKey: .suppliers) ?? [:]
        value = try c.decodeIfPresent(Double.self, forKey: .value)
        leadCapacity = try c.decodeIfPresent(Double.self, forKey: .leadCapacity)
        leadDistance = try c.decodeIfPresent(Int.self, forKey: .leadDistance)
        memberNames = try c.decodeIfPresent([String: String].self, forKey: .memberNames) ?? [:]
        segmentLabels = try c.decodeIfPresent([String: String].self, forKey: .segmentLabels) ?? [:]
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(clusterID, forKey: .clusterID)
        try c.encode(members, forKey: .members)
        try c.encode(lead, forKey: .lead)
        try c.encode(segments, forKey: .segments)
        try c.encode(reason, forKey: .reason)
        try c.encode(detail, forKey: .detail)
        try c.encode(detailEN, forKey: .detailEN)
        try c.encode(uncovered, forKey: .uncovered)
        try c.encodeIfPresent(combinedCapacity, forKey: .combinedCapacity)
        try c.encodeIfPresent(lotID, forKey: .lotID)
        try c.encode(contributions, forKey: .contributions)
        try c.encode(suppliers, forKey: .suppliers)
        try c.encodeIfPresent(value, forKey: .value)
        try c.encodeIfPresent(leadCapacity, forKey: .leadCapacity)
        try c.encodeIfPresent(leadDistance, forKey: .leadDistance)
        try c.encode(memberNames, forKey: .memberNames)
        try c.encode(segmentLabels, forKey: .segmentLabels)
    }
}

/// Why a notice is put before the cluster's staff rather than sent.
public enum StaffSignalReason: String, Sendable, Hashable, Codable {
    /// The notice is the cluster's core business, but neither one member nor a groupement of the members in range
    /// can carry its value.
    case beyondCapacity = "beyond_capacity"
}

/// A notice for the staff digest's « À signaler »: relevant to the cluster, sent to no member, with the figures
/// that say why (data; the digest words it).
public struct StaffSignal: Sendable, Hashable, Codable {
    public var reason: StaffSignalReason
    /// Needed segments whose members could not carry it.
    public var segments: [String]
    public var lotID: String?
    /// The value that had to be carried.
    public var value: Double?
    /// The largest capacity of a member in range, and all of theirs together.
    public var largestCapacity: Double?
    public var combinedCapacity: Double?
    /// Members in range of those segments (ids), largest capacity first.
    public var members: [String]

    public init(
        reason: StaffSignalReason, segments: [String], lotID: String? = nil, value: Double?,
        largestCapacity: Double?, combinedCapacity: Double?, members: [String]
    ) {
        self.reason = reason
        self.segments = segments
        self.lotID = lotID
        self.value = value
        self.largestCapacity = largestCapacity
        self.combinedCapacity = combinedCapacity
        self.members = members
    }

    enum CodingKeys: String, CodingKey {
        case reason, segments, value, members
        case lotID = "lot_id"
        case largestCapacity = "largest_capacity"
        case combinedCapacity = "combined_capacity"
    }
}

/// A saved watch that matched, with its recipients.
public struct WatchMatch: Sendable, Hashable, Codable {
    public var watchID: String
    public var name: String
    public var recipients: [String]
    public var reasons: [Reason]

    public init(watchID: String, name: String, recipients: [String], reasons: [Reason]) {
        self.watchID = watchID
        self.name = name
        self.recipients = recipients
        self.reasons = reasons
    }

    enum CodingKeys: String, CodingKey {
        case watchID = "watch_id"
        case name, recipients, reasons
    }
}

/// How often one rule let notices through or dropped candidates ("how much each rule filters").
public struct RuleCounter: Sendable, Hashable, Codable {
    /// `cluster/segment:usinage/keyword:décollet*`, `cluster/filter:territory`, …
    public var rule: String
    /// Notices this rule matched (keyword, CPV, descriptor rules).
    public var matched: Int
    /// Candidates (member × notice) it dropped (filters, exclusions).
    public var dropped: Int

    public init(rule: String, matched: Int = 0, dropped: Int = 0) {
        self.rule = rule
        self.matched = matched
        self.dropped = dropped
    }
}

/// Sums ``RuleCounter``s over many notices, for `rules stats` and the run report.
public struct RuleStatistics: Sendable, Hashable, Codable {
    public private(set) var notices: Int = 0
    private var byRule: [String: RuleCounter] = [:]

    public init() {}

    /// Adds one notice's counters.
    public mutating func add(_ result: RoutingResult) {
        notices += 1
        for c in result.clusters {
            for r in c.ruleCounters {
                var cur = byRule[r.rule] ?? RuleCounter(rule: r.rule)
                cur.matched += r.matched
                cur.dropped += r.dropped
                byRule[r.rule] = cur
            }
        }
    }

    /// Counters sorted by rule name.
    public var counters: [RuleCounter] { byRule.values.sorted { $0.rule < $1.rule } }
}
