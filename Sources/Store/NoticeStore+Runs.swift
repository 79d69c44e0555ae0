import Foundation
import GRDB
import Notices

/// Tables `run` (one row per nightly run), `route` (what the router decided, per notice and recipient) and
/// `cluster_rules` (the rules fingerprint each cluster's routes were computed with).
extension NoticeStore {
    // MARK: - Runs

    /// Records the start of a run and returns its id.
    public func beginRun(at date: Date) throws -> Int64 {
        try write { db in
            try db.exec("INSERT INTO run (started_at, status) VALUES (?, 'running')", [date.timeIntervalSince1970])
            return db.lastInsertedRowID
        }
    }

    /// Records the end of a run: `status` is `ok`, `partial` or `failed`; `classifiedThrough` the change
    /// sequence up to which notices were classified (nil when the run failed before classifying).
    public func finishRun(
        _ id: Int64, at date: Date, status: String, classifiedThrough: Int64?,
        summary: String?
    ) throws {
        try write { db in
            try db.exec(
                "UPDATE run SET finished_at = ?, status = ?, classified_through = ?, summary = ? WHERE id = ?",
                [date.timeIntervalSince1970, status, classifiedThrough, summary, id])
        }
    }

    /// The change sequence the last run that classified went through (0 when none did), so the next run
    /// classifies only what is new or changed since. A killed run (still `running`) does not count:
    /// its notices are classified again.
    public func lastClassifiedSequence() throws -> Int64 {
        try read { db in
            try Int64.fetchOne(
                db, sql: "SELECT coalesce(max(classified_through), 0) FROM run WHERE status IN ('ok', 'partial')")
                ?? 0
        }
    }

    /// Recorded runs, newest first.
    public func runs(limit: Int = 20) throws -> [RunRecord] {
        try read { db in
            try db.rows(
                """
                SELECT id, started_at, finished_at, status, classified_through, summary FROM run
                ORDER BY id DESC LIMIT ?
                """,
                [limit]
            ).map { row in
                RunRecord(
                    id: try row.decode(forColumn: "id"),
                    startedAt: Date(timeIntervalSince1970: try row.decode(forColumn: "started_at")),
                    finishedAt: try row.date("finished_at"), status: try row.decode(forColumn: "status"),
                    classifiedThrough: try row.decode(forColumn: "classified_through"),
                    summary: try row.decode(forColumn: "summary"))
            }
        }
    }

    // MARK: - Routes

    /// Replaces the routes of the given notices by `routes` (a notice classified again may lose routes),
    /// in one transaction. Each route is tied to the notice's current revision. The notices' rows of `pending` are
    /// recomputed in the same transaction.
    ///
    /// With `clusters`, only those clusters' routes are replaced (a run limited to some clusters leaves the
    /// others' routes alone).
    public func recordRoutes(
        _ routes: [RouteRecord], replacingRoutesOf noticeIDs: [String], runID: Int64?,
        at date: Date, clusters: [String]? = nil
    ) throws {
        // A page of a national night's routes is megabytes: copied into the database file beside the next page.
        defer { checkpointer.request() }
        try write { db in
            try absorbRevisions(in: db)
            let touched = Set(noticeIDs + routes.map(\.noticeID))
            // One statement per list of notices, not per notice (and cluster): a national night replaces the routes
            // of 10,000 notices, each a lookup of the statement by its SQL text and a run of SQLite's program.
            let clusterLists = clusters.map { Self.chunks(of: $0) }
            for ids in Self.chunks(of: touched.sorted()) {
                if let clusterLists {
                    for cs in clusterLists {
                        try db.exec(
                            Self.deleteRoutesSQL(notices: ids.count, clusters: cs.count),
                            StatementArguments(Array(ids)) + StatementArguments(Array(cs)))
                    }
                } else {
                    try db.exec(Self.deleteRoutesSQL(notices: ids.count), StatementArguments(Array(ids)))
                }
            }
            // A notice's revision is read once, not once per route row: a national night records some seventy
            // rows per notice routed (members of many clusters), each of which looked the notice up again.
            var revisions: [String: Int64] = [:]
            let revisionOf = try db.cachedStatement(sql: "SELECT revision FROM notice WHERE id = ?")
            let recordedAt = date.timeIntervalSince1970
            // 705,000 rows a national night, on the store's queue while the classifier waits: batched as the
            // deliveries are (see `insertBatched`).
            try insertBatched(
                routes, rowsPerInsert: Self.routesPerInsert, sql: Self.insertRoutesSQL(rows:), faultPoint: "route",
                in: db
            ) { r in
                let revision: Int64
                if let known = revisions[r.noticeID] {
                    revision = known
                } else {
                    guard let found = try Int64.fetchOne(revisionOf, arguments: [r.noticeID]) else {
                        throw StoreError.invalidInput(path: path, reason: "route for unknown notice \(r.noticeID)")
                    }
                    revisions[r.noticeID] = found
                    revision = found
                }
                return [r.noticeID, r.cluster, r.member, r.role, r.score, revision, r.payload, runID, recordedAt]
            }
            // Every cluster's rows of these notices, not only `clusters`': a notice classified again may have a new
            // revision, which makes its deliveries to the other clusters stale too.
            try refreshPending(notices: touched, in: db)
        }
    }

    /// Rows of `route` per INSERT: 64 rows are 576 parameters, under SQLite's oldest limit (999).
    static let routesPerInsert = 64

    /// `rows` rows of `route`, replacing those of the same keys; parameters, row after row: notice, cluster, member,
    /// role, score, revision, payload, run, time.
    static func insertRoutesSQL(rows: Int) -> String {
        """
        INSERT OR REPLACE INTO route (notice_id, cluster, member, role, score, revision, payload, run_id, recorded_at)
        VALUES \(valueTuples(rows: rows, columns: 9))
        """
    }

    /// Deletes the routes of `notices` notice ids, and with `clusters`, only those of that many clusters;
    /// parameters: the notice ids, then the clusters.
    static func deleteRoutesSQL(notices: Int, clusters: Int? = nil) -> String {
        let inClusters = clusters.map { " AND cluster IN (\(placeholders(count: $0)))" } ?? ""
        return "DELETE FROM route WHERE notice_id IN (\(placeholders(count: notices)))" + inClusters
    }

    /// Routes of a cluster (all, delivered or not).
    public func routes(cluster: String) throws -> [RouteRecord] {
        try read { db in
            try db.rows(
                "SELECT notice_id, cluster, member, role, score, payload FROM route WHERE cluster = ? "
                    + "ORDER BY score DESC, notice_id, member, role", [cluster]
            ).map(Self.route)
        }
    }

    /// Decodes the route columns `notice_id, cluster, member, role, score, payload` of a row, by name.
    static func route(_ row: Row) throws -> RouteRecord {
        RouteRecord(
            noticeID: try row.decode(forColumn: "notice_id"), cluster: try row.decode(forColumn: "cluster"),
            member: try row.decode(forColumn: "member"), role: try row.decode(forColumn: "role"),
            score: try row.decode(forColumn: "score"), payload: try row.decode(forColumn: "payload"))
    }

    // MARK: - Rules fingerprints

    /// Fingerprint of the rules each cluster was last classified with (cluster id → fingerprint).
    public func rulesFingerprints() throws -> [String: String] {
        try read { db in
            var out: [String: String] = [:]
            for row in try db.rows("SELECT cluster, fingerprint FROM cluster_rules") {
                out[try row.decode(forColumn: "cluster")] = try row.decode(forColumn: "fingerprint")
            }
            return out
        }
    }

    /// Records the fingerprint a cluster's routes were computed with.
    public func setRulesFingerprint(_ fingerprint: String, cluster: String, at date: Date) throws {
        try write { db in
            try db.exec(
                "INSERT OR REPLACE INTO cluster_rules (cluster, fingerprint, updated_at) VALUES (?, ?, ?)",
                [cluster, fingerprint, date.timeIntervalSince1970])
        }
    }

    /// Whether the store has been through a night already: a run that completed (`ok` or `partial`), or mail
    /// composed (a run killed after composing its edition's mail has told members, or is about to). A store with
    /// neither is new: its first night sends nothing. A run that failed or was interrupted does not count: it
    /// sent nothing.
    public func hasCompletedNight() throws -> Bool {
        // EXISTS, not count(*): the outbox keeps every message ever composed, and the answer needs one row.
        try read { db in
            try Bool.fetchOne(
                db,
                sql: """
                    SELECT EXISTS (SELECT 1 FROM run WHERE status IN ('ok', 'partial'))
                        OR EXISTS (SELECT 1 FROM outbox)
                    """) ?? false
        }
    }
}
