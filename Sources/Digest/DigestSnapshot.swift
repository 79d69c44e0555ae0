import Foundation
import Notices

/// What one cluster's digest is made from, read from the store by the pipeline: routes as data (no words),
/// the records to show, and what was already told. `DigestAssembler` turns it into a `DigestInput` without
/// touching the store, so the whole of "what to tell whom" is table-testable.
public struct DigestSnapshot: Sendable, Hashable {
    public struct Member: Sendable, Hashable {
        public var id: String
        public var name: String
        public init(id: String, name: String) {
            self.id = id
            self.name = name
        }
    }

    /// A consortium idea as routed: member ids (lead first), names, what each brings, the figures.
    public struct ConsortiumIdea: Sendable, Hashable {
        public var members: [String]
        public var names: [String: String]
        public var lead: String
        public var contributions: [String: [String]]
        public var need: ConsortiumItem.Need
        public var uncovered: [String]
        /// Member id → trade label it could supply.
        public var suppliers: [String: String]
        public var combinedCapacity: Double?
        public var value: Double?
        public var lotID: String?
        public init(
            members: [String], names: [String: String], lead: String, contributions: [String: [String]],
            need: ConsortiumItem.Need, uncovered: [String], suppliers: [String: String], combinedCapacity: Double?,
            value: Double?, lotID: String?
        ) {
            self.members = members
            self.names = names
            self.lead = lead
            self.contributions = contributions
            self.need = need
            self.uncovered = uncovered
            self.suppliers = suppliers
            self.combinedCapacity = combinedCapacity
            self.value = value
            self.lotID = lotID
        }
    }

    /// What a route says, by role.
    public enum Detail: Sendable, Hashable {
        case member(name: String, segments: [String], evidence: [RouteEvidence])
        case watch(name: String, recipients: [String], evidence: [RouteEvidence])
        case consortium(ConsortiumIdea)
        /// « À signaler »: its notice is the record routed; the digest shows the opportunity's richest.
        case signal(SignalItem)
        case nearMiss(name: String, exclusion: RouteExclusion)
    }

    /// One route not yet told at its notice's current revision.
    public struct Pending: Sendable, Hashable {
        public var role: RouteRole
        /// The member id, or `watch:<id>`, `consortium:…`, `signal:…`, `near-miss:<member>`.
        public var recipient: String
        public var score: Double
        /// Nil for a recipient the changed notice no longer routes to (told of the change all the same).
        public var detail: Detail?
        /// The record routed.
        public var notice: Notice
        public var opportunityID: Int64
        /// The record shown for its opportunity: the richest of its sources (BOAMP names the buyer, the
        /// procedure and the lots where a buyer platform's RSS item does not), so one tender is one entry.
        public var display: Notice
        /// Other sources that published the same opportunity.
        public var otherSources: [String]
        /// Told before at an earlier revision: these changes since.
        public var isUpdate: Bool
        public var changes: [NoticeChange]
        public var deliveredAt: Date?
        /// This recipient was already told of the opportunity through another record (or the other member role).
        public var alreadyTold: Bool
        /// When `alreadyTold`: the deadline move this record brings (a corrigendum published as its own notice).
        public var deadlineMove: NoticeChange?

        public init(
            role: RouteRole, recipient: String, score: Double, detail: Detail?, notice: Notice, opportunityID: Int64,
            display: Notice? = nil, otherSources: [String] = [], isUpdate: Bool = false, changes: [NoticeChange] = [],
            deliveredAt: Date? = nil, alreadyTold: Bool = false, deadlineMove: NoticeChange? = nil
        ) {
            self.role = role
            self.recipient = recipient
            self.score = score
            self.detail = detail
            self.notice = notice
            self.opportunityID = opportunityID
            self.display = display ?? notice
            self.otherSources = otherSources
            self.isUpdate = isUpdate
            self.changes = changes
            self.deliveredAt = deliveredAt
            self.alreadyTold = alreadyTold
            self.deadlineMove = deadlineMove
        }
    }

    /// A notice routed to a member (sent tonight or earlier), for « dates limites proches » and subscriptions.
    public struct Routed: Sendable, Hashable {
        public var notice: Notice
        public var opportunityID: Int64
        public var memberID: String
        public var direct: Bool
        public var score: Double
        /// When it was sent to the member; nil when not yet.
        public var sentAt: Date?
        public init(
            notice: Notice, opportunityID: Int64, memberID: String, direct: Bool, score: Double,
            sentAt: Date? = nil
        ) {
            self.notice = notice
            self.opportunityID = opportunityID
            self.memberID = memberID
            self.direct = direct
            self.score = score
            self.sentAt = sentAt
        }
    }

    public var clusterID: String
    public var clusterName: String
    /// In the rules' order.
    public var members: [Member]
    /// Watch ids and names in the rules' order.
    public var watches: [Member]
    public var now: Date
    public var pending: [Pending]
    /// Member routes whose deadline is within the « proches » window.
    public var soon: [Routed]
    /// Member routes sent within the last `windowDays` days: the newest `windowLimit` notices of the cluster and
    /// of each member with its own files (the store reads no more than the subscription files hold).
    public var sent: [Routed]
    public var sources: [SourceHealth]
    public var sourceNames: [String: String]
    public var windowDays: Int
    /// The most notices a subscription file holds (`delivery.subscription_max_notices`): `sent` holds the
    /// cluster's newest that many and each member's own newest, not the whole window.
    public var windowLimit: Int
    public var sharePartners: Bool
    public var staffContact: String?
    public var publicURL: String?

    public init(
        clusterID: String, clusterName: String, members: [Member], watches: [Member] = [], now: Date,
        pending: [Pending], soon: [Routed] = [], sent: [Routed] = [], sources: [SourceHealth] = [],
        sourceNames: [String: String] = [:], windowDays: Int = 60, windowLimit: Int = 500, sharePartners: Bool = false,
        staffContact: String? = nil, publicURL: String? = nil
    ) {
        self.clusterID = clusterID
        self.clusterName = clusterName
        self.members = members
        self.watches = watches
        self.now = now
        self.pending = pending
        self.soon = soon
        self.sent = sent
        self.sources = sources
        self.sourceNames = sourceNames
        self.windowDays = windowDays
        self.windowLimit = windowLimit
        self.sharePartners = sharePartners
        self.staffContact = staffContact
        self.publicURL = publicURL
    }

    /// A member's name by the rules, else the name stored with its route, else its id.
    func memberName(_ id: String, stored: String? = nil) -> String {
        members.first { $0.id == id }?.name ?? stored ?? id
    }

    /// Which of several records of one opportunity to show: the one that says the most (buyer, procedure, lots,
    /// cross-references, value, deadline), then the lowest id so the choice is stable.
    public static func richest(_ records: [Notice]) -> Notice? {
        func richness(_ n: Notice) -> Int {
            (n.buyer?.name != nil ? 2 : 0) + (n.procedure != nil ? 1 : 0) + (n.lots.isEmpty ? 0 : 1)
                + (n.refs.isEmpty ? 0 : 1) + (n.value != nil ? 1 : 0) + (n.deadline != nil ? 1 : 0)
                + (n.documentsURL != nil ? 1 : 0) + (n.buyer?.contact != nil ? 1 : 0)
        }
        return records.min { a, b in
            let (ra, rb) = (richness(a), richness(b))
            return ra != rb ? ra > rb : a.id < b.id
        }
    }
}
