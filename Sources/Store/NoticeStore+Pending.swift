import Foundation
import GRDB

/// Table `pending` (schema v6): for each cluster, the notices it has something to tell about — a route not
/// delivered at the notice's current revision, or a delivery of an earlier revision — so that a night reads its
/// own work by index instead of every route and delivery the cluster ever had.
///
/// `pending` may hold more than is pending (a night's queries apply the exact condition to what it lists), never
/// less. It is kept so:
/// - routes recorded: their notices' rows are recomputed (`refreshPending(notices:in:)`);
/// - deliveries recorded: the delivered (cluster, notice) rows are recomputed (`refreshPending(pairs:in:)`);
/// - a notice's new revision (the upsert, which knows nothing of routes) makes its deliveries stale: such notices
///   are found by their change sequence above `pending_cursor.through`, joined to `delivery` by its primary key —
///   by the night's queries directly, and moved into `pending` by the next write here (`absorbRevisions(in:)`).
/// - a notice deleted (pruning) takes its rows with it (foreign key).
extension NoticeStore {
    /// The change sequence up to which new revisions are accounted for in `pending` (0 when unknown: every notice
    /// is then looked at, which is slow but right).
    static let pendingThrough = "coalesce((SELECT through FROM pending_cursor WHERE id = 1), 0)"

    /// Records in `pending` the deliveries made stale by revisions newer than the cursor, then moves the cursor to
    /// the newest change. In the caller's write transaction; costs the changes since the last call.
    func absorbRevisions(in db: Database) throws {
        try db.exec(
            """
            INSERT OR IGNORE INTO pending (cluster, notice_id)
            SELECT DISTINCT d.cluster, d.notice_id FROM notice n CROSS JOIN delivery d ON d.notice_id = n.id
            WHERE n.change_seq > \(Self.pendingThrough) AND d.revision < n.revision
            """)
        try db.exec(
            """
            INSERT OR REPLACE INTO pending_cursor (id, through) SELECT 1, coalesce(max(change_seq), 0) FROM notice
            """)
    }

    /// Recomputes the `pending` rows of these notices, every cluster: after their routes were replaced.
    ///
    /// A batch of notices at a time: one DELETE and one INSERT…SELECT per ``chunkSize`` notices, not per notice
    /// (a national night records routes for 10,000 notices). The work per row is the same; what a batch saves is
    /// the statements' own cost, and a route is checked against its recipient's delivery by key alone
    /// (``refreshPendingOfNoticesSQL(count:)``).
    func refreshPending<S: Sequence>(notices: S, in db: Database) throws where S.Element == String {
        for chunk in Self.chunks(of: Set(notices).sorted()) {
            let ids = Self.padded(chunk)
            let args = StatementArguments(ids)
            try db.exec("DELETE FROM pending WHERE notice_id IN (\(Self.placeholders(count: ids.count)))", args)
            try db.exec(Self.refreshPendingOfNoticesSQL(count: ids.count), args + args)
        }
    }

    /// The `pending` rows of `count` notices (the notice ids, twice): each cluster with a route of the notice that
    /// was never delivered, or with a delivery of an earlier revision. The invariant's "a route not delivered at
    /// the current revision" split in two: a route delivered at an earlier revision has such a delivery, so the
    /// routes are only checked for a delivery at all — by the delivery's primary key, without reading its row (an
    /// eighth of the refresh's time on a national store).
    static func refreshPendingOfNoticesSQL(count: Int) -> String {
        """
        INSERT OR IGNORE INTO pending (cluster, notice_id)
        SELECT r.cluster, r.notice_id FROM notice n CROSS JOIN route r ON r.notice_id = n.id
        WHERE n.id IN (\(placeholders(count: count))) AND NOT EXISTS (
            SELECT 1 FROM delivery d WHERE d.notice_id = r.notice_id AND d.cluster = r.cluster AND d.member = r.member
                AND d.role = r.role)
        UNION
        SELECT d.cluster, d.notice_id FROM notice n CROSS JOIN delivery d ON d.notice_id = n.id
        WHERE n.id IN (\(placeholders(count: count))) AND d.revision < n.revision
        """
    }

    /// A batch of notice ids (not empty) padded to a power of two by repeating its last: an `IN (…)` list holds each
    /// value once, so the rows are the same, and the store caches the statements of nine lengths (1 to 256) instead
    /// of preparing two for each batch, which took a sixth of the pairs' refresh on a national night's profile.
    static func padded(_ ids: ArraySlice<String>) -> [String] {
        var size = 1
        while size < ids.count { size *= 2 }
        return Array(ids) + Array(repeating: ids.last ?? "", count: size - ids.count)
    }

    /// A (cluster, notice) row of `pending`.
    struct PendingPair: Hashable {
        var cluster: String
        var noticeID: String
    }

    /// Recomputes these (cluster, notice) rows of `pending`: after deliveries were recorded. One notice is
    /// delivered to each cluster in turn, so only that cluster's routes and deliveries of it are read.
    ///
    /// An edition's pairs (about 210 notices of one cluster on a national night, 62,800 over the night, on the
    /// thread that stages editions) go a cluster and a batch of notices at a time: one DELETE and one
    /// INSERT…SELECT per batch instead of per pair (``refreshPendingOfClusterSQL(count:)``).
    func refreshPending(pairs: Set<PendingPair>, in db: Database) throws {
        for (cluster, clusterPairs) in Dictionary(grouping: pairs, by: \.cluster).sorted(by: { $0.key < $1.key }) {
            for chunk in Self.chunks(of: clusterPairs.map(\.noticeID).sorted()) {
                let ids = Self.padded(chunk)
                let args = StatementArguments(ids) + ["c": cluster]
                try db.exec(
                    "DELETE FROM pending WHERE cluster = :c AND notice_id IN (\(Self.placeholders(count: ids.count)))",
                    args)
                try db.exec(Self.refreshPendingOfClusterSQL(count: ids.count), args)
            }
        }
    }

    /// The `pending` rows of cluster `:c` for `count` notices (the positional parameters): the notices with a
    /// delivery to the cluster of an earlier revision, or with a route in the cluster never delivered (as in
    /// ``refreshPendingOfNoticesSQL(count:)``, a route delivered at an earlier revision is the first case, so a
    /// route is checked by the delivery's key alone: most of an edition's routes were just delivered, and reading
    /// each delivery's row for its revision took an eighth of the refresh's time on a national store).
    static func refreshPendingOfClusterSQL(count: Int) -> String {
        """
        INSERT OR IGNORE INTO pending (cluster, notice_id)
        SELECT :c, n.id FROM notice n
        WHERE n.id IN (\(placeholders(count: count))) AND (
            EXISTS (
                SELECT 1 FROM delivery d WHERE d.notice_id = n.id AND d.cluster = :c AND d.revision < n.revision)
            OR EXISTS (
                SELECT 1 FROM route r WHERE r.notice_id = n.id AND r.cluster = :c AND NOT EXISTS (
                    SELECT 1 FROM delivery d WHERE d.notice_id = r.notice_id AND d.cluster = r.cluster
                        AND d.member = r.member AND d.role = r.role)))
        """
    }

    /// The notices of `pending` for a cluster, plus those whose new revision is not accounted for there yet and
    /// that were delivered to the cluster: a subquery (`notice_id`) for the night's reads, with parameters
    /// `:cluster`.
    static let pendingNotices = """
        SELECT notice_id FROM pending WHERE cluster = :cluster
        UNION
        SELECT d.notice_id FROM notice cn CROSS JOIN delivery d ON d.notice_id = cn.id AND d.cluster = :cluster
        WHERE cn.change_seq > \(pendingThrough) AND d.revision < cn.revision
        """

    /// The plans SQLite chooses for the night's reads of a cluster (`EXPLAIN QUERY PLAN` details, one list per
    /// query), so a test can check that none of them scans a table whole.
    func nightQueryPlans(cluster: String, now: Date, horizon: Date, since: Date) throws -> [String: [String]] {
        try read { db in
            func plan(_ sql: String, _ args: StatementArguments) throws -> [String] {
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: args).map { row in
                    try row.decode(String.self, forColumn: "detail")
                }
            }
            return [
                "undelivered": try plan(Self.undeliveredSQL, ["cluster": cluster]),
                "deliveredOpportunities": try plan(
                    Self.deliveredOpportunitiesSQL(count: 2), StatementArguments([cluster, 1, 2])),
                "routedNotices": try plan(
                    Self.routedNoticesSQL, [cluster, now.timeIntervalSince1970, horizon.timeIntervalSince1970]),
                "sentRoutes": try plan(Self.sentNewestSQL, [cluster, since.timeIntervalSince1970]),
                "sentRoutesOfMembers": try plan(
                    Self.sentNewestOfMembersSQL(count: 2), [cluster, since.timeIntervalSince1970, "m1", "m2", 500]),
                "sentRoutesRows": try plan(
                    Self.sentRoutesSQL(count: 2), [cluster, since.timeIntervalSince1970, "a", "b"]),
                "absorbRevisions": try plan(
                    """
                    SELECT DISTINCT d.cluster, d.notice_id FROM notice n CROSS JOIN delivery d ON d.notice_id = n.id
                    WHERE n.change_seq > \(Self.pendingThrough) AND d.revision < n.revision
                    """, []),
            ]
        }
    }
}
