import Classifier
import Digest
import Foundation
import Notices
import Store

/// Reads what one cluster's digest is made from out of the store: its pending routes with their payloads
/// decoded into data, the record to show for each opportunity, what was already told, the near deadlines and
/// the subscription window. No words: `DigestAssembler` (Digest) makes the digest from this snapshot.
struct DigestSnapshotReader {
    let store: NoticeStore
    let cluster: Cluster
    let now: Date
    let deadlineSoonDays: Int
    let windowDays: Int
    /// The run's records of each opportunity, shared by every cluster's reading (nil: read for this cluster).
    var opportunityRecords: OpportunityRecords? = nil

    /// The most notices the subscription files hold (`delivery.subscription_max_notices`).
    /// Nothing when the cluster writes none of the files that show the window (`formats:` without atom, ics, json).
    var windowLimit: Int {
        if let formats = cluster.delivery.formats, !formats.contains(where: { ["atom", "ics", "json"].contains($0) }) {
            return 0
        }
        return cluster.delivery.subscriptionMaxNotices
    }

    /// The members whose own digest files are written (`delivery.member_files`): only they need their own window.
    var membersWithFiles: [String] {
        cluster.members.filter { ClusterDigest.writesFiles(for: $0, of: cluster) }.map(\.id)
    }

    struct Result {
        var snapshot: DigestSnapshot
        /// Every pending route the digest accounts for (shown, or folded into a shown duplicate).
        var deliveries: [PendingRoute]
    }

    /// The deadline this record gives against the other records of its opportunity, when it moves it: any move
    /// for a change notice (rectificatif), a move of a day or more for another source's copy (TED and BOAMP often
    /// state the same day at different hours).
    static func deadlineMove(of s: StoredNotice, among records: [StoredNotice]) -> NoticeChange? {
        func main(_ n: Notice) -> ZonedDate? { n.deadline ?? n.call?.closing }
        guard let new = main(s.notice) else { return nil }
        let others = records.filter { $0.id != s.id }.sorted { $0.firstSeen < $1.firstSeen }
        guard let previous = others.last(where: { main($0.notice) != nil }), let old = main(previous.notice) else {
            return nil
        }
        let gap = abs(new.instant.timeIntervalSince(old.instant))
        let moved = s.notice.kind == .change ? gap >= 60 : gap >= 86_400
        return moved ? NoticeChange(field: "deadline", old: old.iso8601, new: new.iso8601) : nil
    }

    func detail(_ route: RouteRecord, role: RouteRole, notice: Notice) throws -> DigestSnapshot.Detail? {
        switch role {
        case .direct, .indirect:
            return try RouteMapping.decode(MemberRoutePayload.self, route.payload).map {
                .member(name: $0.memberName, segments: $0.segments, evidence: $0.evidence)
            }
        case .watch:
            return try RouteMapping.decode(WatchRoutePayload.self, route.payload).map {
                .watch(name: $0.name, recipients: $0.recipients, evidence: $0.evidence)
            }
        case .consortium:
            return try RouteMapping.decode(ConsortiumRoutePayload.self, route.payload).map {
                .consortium(
                    DigestSnapshot.ConsortiumIdea(
                        members: $0.members, names: $0.names, lead: $0.lead, contributions: $0.contributions,
                        need: $0.need, uncovered: $0.uncovered, suppliers: $0.suppliers,
                        combinedCapacity: $0.combinedCapacity, value: $0.value, lotID: $0.lotID))
            }
        case .signal:
            return try RouteMapping.decode(SignalRoutePayload.self, route.payload).map {
                .signal(
                    SignalItem(
                        notice: notice, segments: $0.segments, lotID: $0.lotID,
                        value: $0.value.map { Decimal($0.rounded()) },
                        largestCapacity: $0.largestCapacity.map { Decimal($0.rounded()) },
                        combinedCapacity: $0.combinedCapacity.map { Decimal($0.rounded()) }, members: $0.members))
            }
        case .nearMiss:
            return try RouteMapping.decode(NearMissRoutePayload.self, route.payload).map {
                .nearMiss(name: $0.memberName, exclusion: $0.exclusion)
            }
        }
    }

    func read(sources: [SourceHealth], sourceNames: [String: String]) throws -> Result {
        let pendingRoutes = try store.undelivered(cluster: cluster.id)
        // Only what tonight's new items need: whether their opportunity was told already, through another record.
        let told = try store.deliveredOpportunities(
            cluster: cluster.id, among: Set(pendingRoutes.filter { !$0.isUpdate }.map(\.notice.opportunityID)))
        let shared = opportunityRecords ?? OpportunityRecords()
        func records(_ opportunity: Int64) throws -> [StoredNotice] {
            try shared.records(of: opportunity) { try store.records(ofOpportunity: opportunity) }
        }
        // Every list shows an opportunity by its richest record, so a calendar event keeps its UID from one night
        // to the next whichever source's record was routed.
        func display(_ s: StoredNotice) throws -> Notice {
            DigestSnapshot.richest(try records(s.opportunityID).map(\.notice)) ?? s.notice
        }
        var pending: [DigestSnapshot.Pending] = []
        for p in pendingRoutes {
            guard let role = RouteRole(rawValue: p.route.role) else {
                throw PipelineError.cannotRun("digest: unknown route role \(p.route.role) in the store")
            }
            let s = p.notice
            let all = try records(s.opportunityID)
            var others = all.map(\.notice.source)
            if let i = others.firstIndex(of: s.notice.source) { others.remove(at: i) }
            // Told through another record of the same opportunity, or under the other member role (a rules edit
            // turned a direct route into an indirect one).
            let roles: [RouteRole] = role.reachesMember ? [.direct, .indirect] : [role]
            let alreadyTold =
                !p.isUpdate
                && roles.contains {
                    told.contains(
                        DeliveredOpportunity(opportunityID: s.opportunityID, member: p.route.member, role: $0.rawValue))
                }
            pending.append(
                DigestSnapshot.Pending(
                    role: role, recipient: p.route.member, score: p.route.score,
                    detail: try detail(p.route, role: role, notice: s.notice),
                    notice: s.notice, opportunityID: s.opportunityID,
                    display: DigestSnapshot.richest(all.map(\.notice)) ?? s.notice,
                    otherSources: Array(Set(others)).sorted(), isUpdate: p.isUpdate, changes: p.changesSinceDelivery,
                    deliveredAt: p.deliveredAt, alreadyTold: alreadyTold,
                    deadlineMove: alreadyTold && role.reachesMember ? Self.deadlineMove(of: s, among: all) : nil))
        }
        let horizon = now.addingTimeInterval(Double(deadlineSoonDays) * 86_400)
        var soon: [DigestSnapshot.Routed] = []
        for r in try store.routedNotices(cluster: cluster.id, deadlineFrom: now, to: horizon) {
            guard let role = RouteRole(rawValue: r.route.role), role.reachesMember else { continue }
            soon.append(
                DigestSnapshot.Routed(
                    notice: try display(r.notice), opportunityID: r.notice.opportunityID, memberID: r.route.member,
                    direct: role == .direct, score: r.route.score))
        }
        let since = now.addingTimeInterval(-Double(windowDays) * 86_400)
        // What the subscription files (`latest.atom`, `latest.ics`, and the window a JSON digest carries) can hold:
        // the cluster's newest `subscription_max_notices`, and each member's own newest when the member gets files.
        let sent = try store.sentRoutes(
            cluster: cluster.id, since: since, limit: windowLimit, eachOf: Set(membersWithFiles)
        ).map { r in
            DigestSnapshot.Routed(
                notice: try display(r.notice), opportunityID: r.notice.opportunityID, memberID: r.route.member,
                direct: r.route.role == RouteRole.direct.rawValue, score: r.route.score, sentAt: r.sentAt)
        }
        let snapshot = DigestSnapshot(
            clusterID: cluster.id, clusterName: cluster.name,
            members: cluster.members.map { DigestSnapshot.Member(id: $0.id, name: $0.name) },
            watches: cluster.watches.map { DigestSnapshot.Member(id: $0.id, name: $0.name) }, now: now,
            pending: pending, soon: soon, sent: sent, sources: sources, sourceNames: sourceNames,
            windowDays: windowDays, windowLimit: windowLimit)
        return Result(snapshot: snapshot, deliveries: pendingRoutes)
    }
}

/// The records of each opportunity, read once for a run's digests and shared by every cluster's snapshot.
///
/// A national night read the records of each routed notice's opportunity once per cluster it reached: 600,000
/// queries for 10,000 notices in 300 clusters, each prepared anew and decoded, on the store's one queue (4 % of
/// the night's CPU). The digests change no notice, so what the first cluster read holds for the others. Bounded:
/// past `limit` opportunities (a history's subscription window) it starts again empty.
public final class OpportunityRecords: @unchecked Sendable {
    /// More than the opportunities a national night routes (a few thousand), as many as the store keeps decoded
    /// notices: twice that held 35 MB more on a 4-cluster night over 150,000 notices of history in the window,
    /// whose old opportunities each cluster reads once.
    public static let defaultLimit = 8_192

    private let lock = NSLock()
    private var cached: [Int64: [StoredNotice]] = [:]
    private let limit: Int

    /// An empty cache holding at most about `limit` opportunities.
    public init(limit: Int = OpportunityRecords.defaultLimit) { self.limit = max(1, limit) }

    /// The records of `opportunity`: kept from an earlier reading, or `read`'s (then kept).
    func records(of opportunity: Int64, read: () throws -> [StoredNotice]) throws -> [StoredNotice] {
        lock.lock()
        let hit = cached[opportunity]
        lock.unlock()
        if let hit { return hit }
        let records = try read()
        lock.lock()
        defer { lock.unlock() }
        if cached.count >= limit { cached.removeAll(keepingCapacity: true) }
        cached[opportunity] = records
        return records
    }
}
