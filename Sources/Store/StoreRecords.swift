import Foundation
import Notices

/// One notice as the store holds it: the notice and its bookkeeping.
public struct StoredNotice: Sendable, Hashable {
    public var notice: Notice
    /// The opportunity this source record belongs to (shared by a BOAMP and a TED record of one procurement).
    public var opportunityID: Int64
    /// 1 when first stored, +1 at each material change.
    public var revision: Int
    /// Global change sequence: grows at each insert or material change, across all notices.
    /// A run classifies the notices whose `changeSequence` is above the one it last went through.
    public var changeSequence: Int64
    public var firstSeen: Date
    public var lastSeen: Date
    public var lastChanged: Date

    public var id: String { notice.id }

    public init(
        notice: Notice, opportunityID: Int64, revision: Int, changeSequence: Int64, firstSeen: Date,
        lastSeen: Date, lastChanged: Date
    ) {
        self.notice = notice
        self.opportunityID = opportunityID
        self.revision = revision
        self.changeSequence = changeSequence
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.lastChanged = lastChanged
    }
}

/// A previous version of a notice, kept when a material change replaced it.
public struct NoticeVersion: Sendable, Hashable {
    public var noticeID: String
    /// The revision this version was (the current notice has a higher one).
    public var revision: Int
    public var notice: Notice
    /// What changed when it was replaced.
    public var changes: [NoticeChange]
    public var replacedAt: Date
}

/// What one upsert did.
public struct UpsertSummary: Sendable, Hashable, Codable {
    /// Notices never stored before.
    public var inserted: [String] = []
    /// Notices whose content changed materially (a new revision, the previous kept in versions).
    public var changed: [String] = []
    /// Notices seen again with no material change.
    public var unchanged: [String] = []
    /// Among `inserted`, the notices that joined an opportunity already known from another source
    /// (same eForms procedure, BOAMP idweb, TED publication number or buyer reference).
    public var joined: [String] = []
    /// Changes per changed notice id.
    public var changes: [String: [NoticeChange]] = [:]

    public init() {}

    public var newCount: Int { inserted.count }
    public var changedCount: Int { changed.count }
    public var unchangedCount: Int { unchanged.count }

    /// Adds another summary's ids to this one.
    public mutating func merge(_ other: UpsertSummary) {
        inserted += other.inserted
        changed += other.changed
        unchanged += other.unchanged
        joined += other.joined
        changes.merge(other.changes) { _, b in b }
    }
}

/// What a router decided for one notice and one recipient, as the store keeps it.
///
/// The store does not know the classifier's types: `role` and `payload` are the pipeline's to define
/// (for example role `direct`, `indirect`, `consortium`, `call`; payload a JSON of reasons).
public struct RouteRecord: Sendable, Hashable, Codable {
    public var noticeID: String
    public var cluster: String
    /// Member id, or an empty string for a cluster-level item (a consortium suggestion, a call).
    public var member: String
    public var role: String
    public var score: Double
    /// Opaque text the pipeline wants back with the route (reasons, consortium members…).
    public var payload: String?

    public init(
        noticeID: String, cluster: String, member: String, role: String, score: Double,
        payload: String? = nil
    ) {
        self.noticeID = noticeID
        self.cluster = cluster
        self.member = member
        self.role = role
        self.score = score
        self.payload = payload
    }

    /// The recipient key a delivery is recorded under.
    public var key: DeliveryKey { DeliveryKey(noticeID: noticeID, cluster: cluster, member: member, role: role) }
}

/// Who was told about which notice.
public struct DeliveryKey: Sendable, Hashable, Codable {
    public var noticeID: String
    public var cluster: String
    public var member: String
    public var role: String

    public init(noticeID: String, cluster: String, member: String, role: String) {
        self.noticeID = noticeID
        self.cluster = cluster
        self.member = member
        self.role = role
    }
}

/// A route not yet delivered at the notice's current revision.
public struct PendingRoute: Sendable, Hashable {
    public var route: RouteRecord
    public var notice: StoredNotice
    /// The revision last delivered to this recipient, nil if never told.
    public var deliveredRevision: Int?
    public var deliveredAt: Date?
    /// What changed since the delivered revision (empty when never told).
    public var changesSinceDelivery: [NoticeChange]

    /// True when the recipient was told about an earlier revision: "changed since we told you".
    public var isUpdate: Bool { deliveredRevision != nil }
}

/// One nightly run as recorded.
public struct RunRecord: Sendable, Hashable {
    public var id: Int64
    public var startedAt: Date
    public var finishedAt: Date?
    /// `running`, `ok`, `partial` (some sources failed) or `failed`.
    public var status: String
    /// The change sequence the run classified up to.
    public var classifiedThrough: Int64?
    public var summary: String?
}

/// An ad hoc query on the store (`vigie query`).
public struct NoticeQuery: Sendable, Hashable {
    /// Free text, French-friendly: accents and case ignored, words matched as prefixes (so "surface" finds
    /// "Surfaces"), French stop words dropped, `"…"` for a phrase, `-word` to exclude.
    public var text: String?
    public var kinds: [NoticeKind] = []
    /// CPV code prefix (`4521` matches `45210000`).
    public var cpvPrefix: String?
    public var departement: String?
    /// Published (or first seen when the source gives no date) on or after.
    public var since: Date?
    public var deadlineAfter: Date?
    /// Minimum value (upper bound of the estimated amount), in the notice's currency.
    public var minValue: Double?
    public var source: String?
    public var limit: Int = 50
    /// One result per opportunity (a BOAMP and a TED record of one procurement count once).
    public var collapseDuplicates: Bool = true
    /// The order of a query with text (a query without text is always newest first).
    public var order: Order = .newest

    /// How results with text are ordered.
    public enum Order: String, Sendable, Hashable, CaseIterable {
        /// Newest first (`coalesce(published, first_seen)`), then notice id: what staff watching for new
        /// opportunities read first.
        case newest
        /// Best matches first (FTS5's bm25), then notice id.
        case relevance
    }

    public init(
        text: String? = nil, kinds: [NoticeKind] = [], cpvPrefix: String? = nil, departement: String? = nil,
        since: Date? = nil, deadlineAfter: Date? = nil, minValue: Double? = nil, source: String? = nil,
        limit: Int = 50, collapseDuplicates: Bool = true, order: Order = .newest
    ) {
        self.text = text
        self.kinds = kinds
        self.cpvPrefix = cpvPrefix
        self.departement = departement
        self.since = since
        self.deadlineAfter = deadlineAfter
        self.minValue = minValue
        self.source = source
        self.limit = limit
        self.collapseDuplicates = collapseDuplicates
        self.order = order
    }
}

/// A recorded delivery: who was told about which revision of a notice, when.
public struct DeliveryRecord: Sendable, Hashable {
    public var key: DeliveryKey
    public var revision: Int
    public var deliveredAt: Date
    public var runID: Int64?

    public init(key: DeliveryKey, revision: Int, deliveredAt: Date, runID: Int64? = nil) {
        self.key = key
        self.revision = revision
        self.deliveredAt = deliveredAt
        self.runID = runID
    }
}

extension PendingRoute {
    /// The delivery to record once this route went out in a digest.
    public func delivery(at date: Date, runID: Int64?) -> DeliveryRecord {
        DeliveryRecord(key: route.key, revision: notice.revision, deliveredAt: date, runID: runID)
    }
}

/// One opportunity told to one recipient of a cluster (any of its source records).
public struct DeliveredOpportunity: Sendable, Hashable {
    public var opportunityID: Int64
    public var member: String
    public var role: String

    public init(opportunityID: Int64, member: String, role: String) {
        self.opportunityID = opportunityID
        self.member = member
        self.role = role
    }
}

/// A route with its notice.
public struct RoutedNotice: Sendable, Hashable {
    public var route: RouteRecord
    public var notice: StoredNotice
}

/// A route told to its member, with when (the subscription window).
public struct SentRoute: Sendable, Hashable {
    public var route: RouteRecord
    public var notice: StoredNotice
    public var sentAt: Date
}

/// State of one night's digest edition for a cluster.
public enum EditionState: String, Sendable, Hashable, Codable {
    /// Every file written aside in the staging directory, deliveries recorded; not yet moved into place.
    case staged
    /// The files are in place.
    case published
}

/// One night's digest edition of a cluster: every file (cluster and members) written aside in `staging`,
/// then moved to `files` (final paths, same order as `staged`).
public struct EditionRecord: Sendable, Hashable {
    public var cluster: String
    /// The night, in Paris time ("2026-05-05").
    public var stamp: String
    /// 1 for `<date>.*`, 2 for `<date>-2.*`…
    public var edition: Int
    /// The staging directory.
    public var staging: String
    /// Staged file paths (inside `staging`).
    public var staged: [String]
    /// Final paths, index-aligned with `staged`.
    public var files: [String]
    public var state: EditionState
    public var runID: Int64?
    public var createdAt: Date

    public init(
        cluster: String, stamp: String, edition: Int, staging: String, staged: [String], files: [String],
        state: EditionState, runID: Int64?, createdAt: Date
    ) {
        self.cluster = cluster
        self.stamp = stamp
        self.edition = edition
        self.staging = staging
        self.staged = staged
        self.files = files
        self.state = state
        self.runID = runID
        self.createdAt = createdAt
    }
}
