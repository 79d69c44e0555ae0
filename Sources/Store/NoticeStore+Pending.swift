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
    func refreshPending<S: Sequence>(notices: S, in db: Database) throws where S.Element == String {
        for id in notices {
            try db.exec("DELETE FROM pending WHERE notice_id = ?", [id])
            try db.exec(
                """
                INSERT OR IGNORE INTO pending (cluster, notice_id)
                SELECT r.cluster, r.notice_id FROM route r JOIN notice n ON n.id = r.notice_id
                LEFT JOIN delivery d ON d.notice_id = r.notice_id AND d.cluster = r.cluster AND d.member = r.member
                     AND d.role = r.role
                WHERE r.notice_id = :id AND (d.revision IS NULL OR d.revision < n.revision)
                UNION
                SELECT d.cluster, d.notice_id FROM delivery d JOIN notice n ON n.id = d.notice_id
                WHERE d.notice_id = :id AND d.revision < n.revision
                """, ["id": id])
        }
    }

    /// A (cluster, notice) row of `pending`.
    struct PendingPair: Hashable {
        var cluster: String
        var noticeID: String
    }

    /// Recomputes these (cluster, notice) rows of `pending`: after deliveries were recorded. One notice is
    /// delivered to each cluster in turn, so only that cluster's routes and deliveries of it are read.
    func refreshPending(pairs: Set<PendingPair>, in db: Database) throws {
        for p in pairs {
            let args: StatementArguments = ["c": p.cluster, "id": p.noticeID]
            try db.exec("DELETE FROM pending WHERE cluster = :c AND notice_id = :id", args)
            try db.exec(
                """
                INSERT OR IGNORE INTO pending (cluster, notice_id)
                SELECT :c, :id WHERE EXISTS (
                    SELECT 1 FROM route r JOIN notice n ON n.id = r.notice_id
                    LEFT JOIN delivery d ON d.notice_id = r.notice_id AND d.cluster = r.cluster
                         AND d.member = r.member AND d.role = r.role
                    WHERE r.notice_id = :id AND r.cluster = :c AND (d.revision IS NULL OR d.revision < n.revision))
                OR EXISTS (
                    SELECT 1 FROM delivery d JOIN notice n ON n.id = d.notice_id
                    WHERE d.notice_id = :id AND d.cluster = :c AND d.revision < n.revision)
                """, args)
        }
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
