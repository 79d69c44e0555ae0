import Foundation
import Notices

/// Everything one cluster's digest shows, for one night. The digest stage's own view model: the pipeline
/// maps routes, store records and source states into it, so renderers depend on nothing but `Notices`.
public struct DigestInput: Sendable, Hashable, Codable {
    public var clusterID: String
    public var clusterName: String
    /// The run's instant ("now"); dates are shown relative to it ("dans 3 jours").
    public var runDate: Date
    /// One section per member with something for it, in the order to show.
    public var members: [MemberSection]
    /// Opportunities that need several members together ("chasser en meute").
    public var consortia: [ConsortiumItem]
    /// For staff only (« À signaler »): core business that no member in range can carry, alone or together.
    public var signals: [SignalItem]
    /// Calls for projects and grants relevant to the cluster.
    public var calls: [DigestItem]
    /// The cluster's saved watches (named queries in the rules) and what matched them tonight.
    public var watches: [WatchSection]
    /// Items of this digest or earlier ones whose deadline is near.
    public var deadlinesSoon: [DigestItem]
    /// Notices already sent that changed since ("changed since we told you").
    public var changed: [ChangedItem]
    public var sources: [SourceHealth]
    /// Display names of sources by id (`boamp` → `BOAMP`), for "Source : …" lines.
    public var sourceNames: [String: String]
    /// Set on one member's own digest (see `forMember`): its id and name. Nil on the cluster's digest.
    public var recipientID: String?
    public var recipientName: String?

    enum CodingKeys: String, CodingKey {
        case clusterID = "cluster_id"
        case clusterName = "cluster_name"
        case runDate = "run_date"
        case members, consortia, signals
        case calls, watches
        case deadlinesSoon = "deadlines_soon"
        case changed, sources
        case sourceNames = "source_names"
        case recipientID = "recipient_id"
        case recipientName = "recipient_name"
    }

    public init(
        clusterID: String, clusterName: String, runDate: Date, members: [MemberSection] = [],
        consortia: [ConsortiumItem] = [], calls: [DigestItem] = [], watches: [WatchSection] = [],
        deadlinesSoon: [DigestItem] = [], changed: [ChangedItem] = [], sources: [SourceHealth] = [],
        sourceNames: [String: String] = [:], recipientID: String? = nil, recipientName: String? = nil,
        signals: [SignalItem] = []
    ) {
        self.clusterID = clusterID
        self.clusterName = clusterName
        self.runDate = runDate
        self.members = members
        self.consortia = consortia
        self.signals = signals
        self.calls = calls
        self.watches = watches
        self.deadlinesSoon = deadlinesSoon
        self.changed = changed
        self.sources = sources
        self.sourceNames = sourceNames
        self.recipientID = recipientID
        self.recipientName = recipientName
    }

    /// One member's own digest, cut from the cluster's: its section, the consortia it is proposed in, the
    /// calls for projects and changes that name it, and the near deadlines of those notices. Saved watches
    /// stay with the cluster's staff. Nil when tonight's digest has nothing for the member.
    public func forMember(id: String, name: String) -> DigestInput? {
        var d = self
        d.recipientID = id
        d.recipientName = name
        d.members = members.filter { $0.memberID == id && !$0.items.isEmpty }
        d.consortia = consortia.filter { $0.partners.contains { $0.memberID == id } }
        d.calls = calls.filter { $0.members.contains(name) }
        d.changed = changed.filter { $0.members.contains(name) }
        d.watches = []
        d.signals = []
        guard d.hasNews else { return nil }
        var mine = Set(d.members.flatMap { $0.items.map(\.notice.id) })
        mine.formUnion(d.consortia.map(\.notice.id))
        mine.formUnion(d.calls.map(\.notice.id))
        d.deadlinesSoon = deadlinesSoon.filter { $0.members.contains(name) || mine.contains($0.notice.id) }
        return d
    }

    /// True when there is news: something for a member, a consortium, a call, or a change. Deadlines soon
    /// are reminders, not news.
    public var hasNews: Bool {
        !(members.allSatisfy(\.items.isEmpty) && consortia.isEmpty && calls.isEmpty && changed.isEmpty
            && watches.allSatisfy(\.items.isEmpty) && signals.isEmpty)
    }

    /// True when there is nothing at all to show but source health.
    public var isEmpty: Bool { !hasNews && deadlinesSoon.isEmpty }

    /// Every distinct notice shown, in order of first appearance (for calendars and feeds).
    public var allNotices: [Notice] {
        var seen = Set<String>()
        var out: [Notice] = []
        func add(_ n: Notice) { if seen.insert(n.id).inserted { out.append(n) } }
        members.forEach { $0.items.forEach { add($0.notice) } }
        consortia.forEach { add($0.notice) }
        signals.forEach { add($0.notice) }
        calls.forEach { add($0.notice) }
        watches.forEach { $0.items.forEach { add($0.notice) } }
        changed.forEach { add($0.notice) }
        deadlinesSoon.forEach { add($0.notice) }
        return out
    }
}

/// One saved watch and the notices that matched it.
public struct WatchSection: Sendable, Hashable, Codable {
    public var watchID: String
    public var name: String
    /// Who follows it (addresses or names, as the rules give them).
    public var recipients: [String]
    public var items: [DigestItem]

    enum CodingKeys: String, CodingKey {
        case watchID = "watch_id"
        case name, recipients, items
    }

    public init(watchID: String, name: String, recipients: [String], items: [DigestItem]) {
        self.watchID = watchID
        self.name = name
        self.recipients = recipients
        self.items = items
    }
}

/// What one member gets.
public struct MemberSection: Sendable, Hashable, Codable {
    public var memberID: String
    public var memberName: String
    public var items: [DigestItem]

    enum CodingKeys: String, CodingKey {
        case memberID = "member_id"
        case memberName = "member_name"
        case items
    }

    public init(memberID: String, memberName: String, items: [DigestItem]) {
        self.memberID = memberID
        self.memberName = memberName
        self.items = items
    }
}

/// One notice as shown to a recipient, with why.
public struct DigestItem: Sendable, Hashable, Codable {
    public var notice: Notice
    /// Relevance as the router scores it (sum of evidence weights; higher is better).
    public var score: Double
    /// "Pourquoi cet avis ?": French sentences, one per reason.
    public var reasons: [String]
    /// True when the notice needs what the member does itself; false when it reaches the member through
    /// the value chain (it supplies a segment the notice needs); nil where that does not apply (a saved
    /// watch's match).
    public var direct: Bool?
    /// Names of the members concerned (for cluster-wide lists: calls, deadlines).
    public var members: [String]
    /// Other sources that published the same opportunity (`ted` for a BOAMP notice also on TED).
    public var alsoPublishedOn: [String]

    enum CodingKeys: String, CodingKey {
        case notice, score, reasons, direct, members
        case alsoPublishedOn = "also_published_on"
    }

    public init(
        notice: Notice, score: Double, reasons: [String] = [], direct: Bool? = true, members: [String] = [],
        alsoPublishedOn: [String] = []
    ) {
        self.notice = notice
        self.score = score
        self.reasons = reasons
        self.direct = direct
        self.members = members
        self.alsoPublishedOn = alsoPublishedOn
    }
}

/// A suggested consortium for one notice.
public struct ConsortiumItem: Sendable, Hashable, Codable {
    public var notice: Notice
    public var score: Double
    /// Why it needs a group (segments needed, value above any single member's capacity…), in French.
    public var rationale: [String]
    public var partners: [ConsortiumPartner]
    /// Name of the suggested lead (mandataire).
    public var lead: String?

    public init(notice: Notice, score: Double, rationale: [String], partners: [ConsortiumPartner], lead: String?) {
        self.notice = notice
        self.score = score
        self.rationale = rationale
        self.partners = partners
        self.lead = lead
    }
}

/// A notice for the staff's « À signaler »: the cluster's core business that no member in range can carry,
/// alone or in a groupement, with the figures (an alliance beyond the cluster, or asking the buyer for lots).
public struct SignalItem: Sendable, Hashable, Codable {
    public var notice: Notice
    /// Labels of the segments concerned.
    public var segments: [String]
    public var lotID: String?
    public var value: Decimal?
    public var largestCapacity: Decimal?
    public var combinedCapacity: Decimal?
    /// Names of the members in range, largest capacity first.
    public var members: [String]

    enum CodingKeys: String, CodingKey {
        case notice, segments, value, members
        case lotID = "lot_id"
        case largestCapacity = "largest_capacity"
        case combinedCapacity = "combined_capacity"
    }

    public init(notice: Notice, segments: [String], lotID: String? = nil, value: Decimal?, largestCapacity: Decimal?,
                combinedCapacity: Decimal?, members: [String]) {
        self.notice = notice
        self.segments = segments
        self.lotID = lotID
        self.value = value
        self.largestCapacity = largestCapacity
        self.combinedCapacity = combinedCapacity
        self.members = members
    }
}

/// One member of a suggested consortium and what it brings.
public struct ConsortiumPartner: Sendable, Hashable, Codable {
    public var memberID: String
    public var memberName: String
    /// Value-chain segments it covers for this notice (labels).
    public var segments: [String]

    enum CodingKeys: String, CodingKey {
        case memberID = "member_id"
        case memberName = "member_name"
        case segments
    }

    public init(memberID: String, memberName: String, segments: [String]) {
        self.memberID = memberID
        self.memberName = memberName
        self.segments = segments
    }
}

/// A notice sent earlier that changed since.
public struct ChangedItem: Sendable, Hashable, Codable {
    public var notice: Notice
    public var changes: [NoticeChange]
    /// Names of the members who had been told.
    public var members: [String]
    /// When we told them.
    public var toldAt: Date?

    enum CodingKeys: String, CodingKey {
        case notice, changes, members
        case toldAt = "told_at"
    }

    public init(notice: Notice, changes: [NoticeChange], members: [String], toldAt: Date? = nil) {
        self.notice = notice
        self.changes = changes
        self.members = members
        self.toldAt = toldAt
    }
}

/// How one source did in this run and lately.
public struct SourceHealth: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Hashable, Codable {
        /// Fetched and parsed tonight.
        case ok
        /// Fetched, parsed and stored, but stopped before the end of the results (an API cap, `max_pages`):
        /// the rest comes the next nights (`left` says how much, when the API tells).
        case incomplete
        /// Failed tonight (the run went on).
        case failing
        /// Not fetched tonight and no success for a while.
        case stale
        /// Not part of tonight's run.
        case skipped
    }

    public var sourceID: String
    public var name: String?
    public var status: Status
    public var lastSuccess: Date?
    public var consecutiveFailures: Int
    public var lastError: String?
    /// Notices new or changed from this source tonight.
    public var newNotices: Int
    /// Records still to fetch when `incomplete` (nil when complete or when the API gives no total).
    public var left: Int?

    enum CodingKeys: String, CodingKey {
        case sourceID = "source_id"
        case name, status
        case lastSuccess = "last_success"
        case consecutiveFailures = "consecutive_failures"
        case lastError = "last_error"
        case newNotices = "new_notices"
        case left
    }

    public init(
        sourceID: String, name: String? = nil, status: Status, lastSuccess: Date? = nil,
        consecutiveFailures: Int = 0, lastError: String? = nil, newNotices: Int = 0, left: Int? = nil
    ) {
        self.sourceID = sourceID
        self.name = name
        self.status = status
        self.lastSuccess = lastSuccess
        self.consecutiveFailures = consecutiveFailures
        self.lastError = lastError
        self.newNotices = newNotices
        self.left = left
    }
}
