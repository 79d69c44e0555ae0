import Foundation
import GRDB
import Notices

/// Tables `delivery` (who was told about which revision of a notice) and `edition` (one night's digest
/// files of a cluster, staged then published).
extension NoticeStore {
    // MARK: - Deliveries

    /// Routes of a cluster not delivered at the notice's current revision: never told (`isUpdate` false),
    /// or told about an earlier revision (`isUpdate` true, with `changesSinceDelivery`) — including
    /// recipients the changed notice no longer routes to (their route then has score 0 and no payload).
    /// Best scores first.
    ///
    /// Reads only the notices `pending` lists for the cluster (and those changed since it was last brought up to
    /// date), by index: a night with nothing new reads nothing, whatever the history.
    public func undelivered(cluster: String) throws -> [PendingRoute] {
        try read { db in
            var out: [PendingRoute] = []
            // A notice routed to twenty members comes back twenty times: decode it once.
            var decoded: [String: StoredNotice] = [:]
            try db.eachRow(Self.undeliveredSQL, ["cluster": cluster]) { row in
                let route = try Self.route(row)
                let s: StoredNotice
                if let cached = decoded[route.noticeID] {
                    s = cached
                } else {
                    s = try stored(row)
                    decoded[route.noticeID] = s
                }
                let delivered: Int? = try row.decode(forColumn: "delivered_revision")
                out.append(
                    PendingRoute(
                        route: route, notice: s, deliveredRevision: delivered,
                        deliveredAt: try row.date("delivered_at"),
                        changesSinceDelivery: try delivered.map { try changes(of: s.id, since: $0, in: db) } ?? []))
            }
            return out
        }
    }

    /// `undelivered`'s query, parameter `:cluster`. Second half: a notice told to someone that changed and no
    /// longer routes to them (a corrigendum brought the deadline inside the lead time, or removed the lot they
    /// were routed through). They still need to hear about the change, so deliveries, not routes, drive "changed
    /// since we told you". `CROSS JOIN`: the few pending notices lead, the cluster's routes are looked up by key.
    static let undeliveredSQL = """
        WITH cand(notice_id) AS (\(pendingNotices))
        SELECT r.notice_id, r.cluster, r.member, r.role, r.score, r.payload,
               d.revision AS delivered_revision, d.delivered_at AS delivered_at, \(noticeColumns)
        FROM cand c CROSS JOIN route r ON r.notice_id = c.notice_id AND r.cluster = :cluster
        JOIN notice n ON n.id = r.notice_id
        LEFT JOIN delivery d ON d.notice_id = r.notice_id AND d.cluster = r.cluster AND d.member = r.member
             AND d.role = r.role
        WHERE d.revision IS NULL OR d.revision < n.revision
        UNION ALL
        SELECT d.notice_id, d.cluster, d.member, d.role, 0.0, NULL, d.revision, d.delivered_at,
               \(noticeColumns)
        FROM cand c CROSS JOIN delivery d ON d.notice_id = c.notice_id AND d.cluster = :cluster
        JOIN notice n ON n.id = d.notice_id
        WHERE d.revision < n.revision AND NOT EXISTS (
            SELECT 1 FROM route r WHERE r.notice_id = d.notice_id AND r.cluster = d.cluster
                AND r.member = d.member AND r.role = d.role)
        ORDER BY 5 DESC, 1, 3, 4
        """

    /// Records that these recipients were told, at the given revisions, so a re-run sends nothing twice.
    public func markDelivered(_ deliveries: [DeliveryRecord]) throws {
        try write { db in try insertDeliveries(deliveries, in: db) }
    }

    /// Rows of `delivery` per INSERT: 64 rows are 448 parameters, well under SQLite's limit.
    static let deliveriesPerInsert = 64

    /// `rows` rows of `delivery`, replacing those of the same keys; parameters, row after row: notice, cluster,
    /// member, role, revision, time, run. Rows of one statement are inserted in order, as separate statements were.
    static func insertDeliveriesSQL(rows: Int) -> String {
        """
        INSERT OR REPLACE INTO delivery (notice_id, cluster, member, role, revision, delivered_at, run_id)
        VALUES \(valueTuples(rows: rows, columns: 7))
        """
    }

    private func insertDeliveries(_ deliveries: [DeliveryRecord], in db: Database) throws {
        guard !deliveries.isEmpty else { return }
        try absorbRevisions(in: db)
        // A national night records 705,000 deliveries (2,350 an edition) on the thread that stages the editions
        // while the workers render the next clusters: batched (see `insertBatched`), a third less of that thread's
        // time for the same rows (profile of a 2,000-notice national night).
        try insertBatched(
            deliveries, rowsPerInsert: Self.deliveriesPerInsert, sql: Self.insertDeliveriesSQL(rows:),
            faultPoint: "delivery", in: db
        ) { d in
            [
                d.key.noticeID, d.key.cluster, d.key.member, d.key.role, d.revision,
                d.deliveredAt.timeIntervalSince1970, d.runID,
            ]
        }
        let touched = Set(deliveries.map { PendingPair(cluster: $0.key.cluster, noticeID: $0.key.noticeID) })
        try refreshPending(pairs: touched, in: db)
    }

    /// Deliveries recorded for a cluster.
    public func deliveries(cluster: String) throws -> [DeliveryRecord] {
        try read { db in
            try db.rows(
                """
                SELECT notice_id, cluster, member, role, revision, delivered_at, run_id FROM delivery WHERE cluster = ?
                ORDER BY notice_id, member, role
                """, [cluster]
            ).map { row in
                DeliveryRecord(
                    key: DeliveryKey(
                        noticeID: try row.decode(forColumn: "notice_id"), cluster: try row.decode(forColumn: "cluster"),
                        member: try row.decode(forColumn: "member"), role: try row.decode(forColumn: "role")),
                    revision: try row.decode(forColumn: "revision"),
                    deliveredAt: Date(timeIntervalSince1970: try row.decode(forColumn: "delivered_at")),
                    runID: try row.decode(forColumn: "run_id"))
            }
        }
    }

    /// Opportunities already told to each recipient of a cluster, so that the TED record of a procurement
    /// already sent from BOAMP is not announced again as new. Every delivery of the cluster: a night asks
    /// ``deliveredOpportunities(cluster:among:)`` instead.
    public func deliveredOpportunities(cluster: String) throws -> Set<DeliveredOpportunity> {
        try read { db in
            Set(
                try db.rows(
                    """
                    SELECT DISTINCT n.opportunity_id, d.member, d.role FROM delivery d
                    JOIN notice n ON n.id = d.notice_id WHERE d.cluster = ?
                    """, [cluster]
                ).map(Self.deliveredOpportunity))
        }
    }

    /// `deliveredOpportunities(cluster:)` restricted to these opportunities (tonight's pending ones): read through
    /// the notices of each opportunity and their deliveries' key, never the cluster's whole delivery history.
    public func deliveredOpportunities(
        cluster: String, among opportunities: Set<Int64>
    ) throws -> Set<DeliveredOpportunity> {
        try read { db in
            var out: Set<DeliveredOpportunity> = []
            for chunk in Self.chunks(of: opportunities.sorted()) {
                let args = StatementArguments([cluster]) + StatementArguments(Array(chunk))
                for row in try db.rows(Self.deliveredOpportunitiesSQL(count: chunk.count), args) {
                    out.insert(try Self.deliveredOpportunity(row))
                }
            }
            return out
        }
    }

    static func deliveredOpportunitiesSQL(count: Int) -> String {
        """
        SELECT DISTINCT n.opportunity_id, d.member, d.role
        FROM notice n CROSS JOIN delivery d ON d.notice_id = n.id AND d.cluster = ?
        WHERE n.opportunity_id IN (\(placeholders(count: count)))
        """
    }

    static func deliveredOpportunity(_ row: Row) throws -> DeliveredOpportunity {
        DeliveredOpportunity(
            opportunityID: try row.decode(forColumn: "opportunity_id"),
            member: try row.decode(forColumn: "member"), role: try row.decode(forColumn: "role"))
    }

    /// Routes of a cluster whose notice's deadline (or call closing date) falls in `from...to`, with the
    /// notices, soonest first: the digest's "deadlines soon" list, delivered or not. Read through the notices'
    /// deadline index then the routes' key: the window's notices, not the cluster's history.
    public func routedNotices(cluster: String, deadlineFrom from: Date, to: Date) throws -> [RoutedNotice] {
        try read { db in
            var decoded: [String: StoredNotice] = [:]
            return try db.rows(
                Self.routedNoticesSQL, [cluster, from.timeIntervalSince1970, to.timeIntervalSince1970]
            ).map { row in
                let route = try Self.route(row)
                if let cached = decoded[route.noticeID] { return RoutedNotice(route: route, notice: cached) }
                let s = try stored(row)
                decoded[route.noticeID] = s
                return RoutedNotice(route: route, notice: s)
            }
        }
    }

    static let routedNoticesSQL = """
        SELECT r.notice_id, r.cluster, r.member, r.role, r.score, r.payload, \(noticeColumns)
        FROM notice n CROSS JOIN route r ON r.notice_id = n.id AND r.cluster = ?
        WHERE n.deadline >= ? AND n.deadline <= ?
        ORDER BY n.deadline, r.notice_id, r.member, r.role
        """

    /// Member routes of a cluster told since `since` (the subscription window) that its subscription files can
    /// hold: the newest `limit` notices told to the cluster and, for each of `members`, the newest `limit` of the
    /// notices told to that member (a member's own `latest.atom` keeps its notices however many others the cluster
    /// told) — newest by their latest delivery, ties by notice id. Each kept notice comes with every member route
    /// of the window that told it, its notice decoded once; newest first. Only the roles that reach a member
    /// (direct, indirect).
    ///
    /// Reads what the files hold, not the window: the cluster's newest are read down the deliveries' (cluster,
    /// time) index until `limit` notices are found; the members' newest (only when some member gets its own files)
    /// rank the window's delivery keys, without their notices; the kept notices are then read by key.
    public func sentRoutes(
        cluster: String, since: Date, limit: Int, eachOf members: Set<String> = []
    ) throws -> [SentRoute] {
        guard limit > 0 else { return [] }
        return try read { (db: Database) -> [SentRoute] in
            var kept: [String] = []
            var seen: Set<String> = []
            // A national cluster tells ~800 notices a night: 60 nights of window are ~48,000 notices, and the
            // cluster's files hold `limit` of them. The cursor stops there.
            let newest = try String.fetchCursor(
                db.cachedStatement(sql: Self.sentNewestSQL), arguments: [cluster, since.timeIntervalSince1970])
            while seen.count < limit, let id = try newest.next() {
                if seen.insert(id).inserted { kept.append(id) }
            }
            if !members.isEmpty {
                var args: StatementArguments = [cluster, since.timeIntervalSince1970]
                args += StatementArguments(members.sorted())
                args += [limit]
                for id in try String.fetchAll(
                    db.cachedStatement(sql: Self.sentNewestOfMembersSQL(count: members.count)), arguments: args)
                where seen.insert(id).inserted {
                    kept.append(id)
                }
            }
            var out: [SentRoute] = []
            for chunk in Self.chunks(of: kept) {
                var args: StatementArguments = [cluster, since.timeIntervalSince1970]
                args += StatementArguments(Array(chunk))
                var decoded: [String: StoredNotice] = [:]
                try db.eachRow(Self.sentRoutesSQL(count: chunk.count), args) { row in
                    let route = try Self.route(row)
                    let s = try decoded[route.noticeID] ?? stored(row)
                    decoded[route.noticeID] = s
                    out.append(SentRoute(route: route, notice: s, sentAt: try row.date("delivered_at") ?? since))
                }
            }
            out.sort { a, b in
                if a.sentAt != b.sentAt { return a.sentAt > b.sentAt }
                if a.route.noticeID != b.route.noticeID { return a.route.noticeID < b.route.noticeID }
                return (a.route.member, a.route.role) < (b.route.member, b.route.role)
            }
            return out
        }
    }

    /// The notices told to a cluster since a time, newest delivery first (a notice comes once per delivery: the
    /// first time it comes is its latest), parameters cluster and since. Read down `delivery_cluster_time`; the
    /// ties of one night are sorted by id as they come, so a reader that stops early reads one night more at most.
    static let sentNewestSQL = """
        SELECT notice_id FROM delivery
        WHERE cluster = ? AND delivered_at >= ? AND role IN ('direct', 'indirect')
        ORDER BY delivered_at DESC, notice_id
        """

    /// For each of `count` members, the newest `limit` notices told to it since a time (by its latest delivery of
    /// each, ties by id), parameters cluster, since, the members, limit: the window's delivery keys only.
    static func sentNewestOfMembersSQL(count: Int) -> String {
        """
        WITH told(member, notice_id, at) AS (
            SELECT member, notice_id, max(delivered_at) FROM delivery
            WHERE cluster = ? AND delivered_at >= ? AND role IN ('direct', 'indirect')
                AND member IN (\(placeholders(count: count)))
            GROUP BY member, notice_id),
        ranked(notice_id, rank) AS (
            SELECT notice_id, ROW_NUMBER() OVER (PARTITION BY member ORDER BY at DESC, notice_id) FROM told)
        SELECT DISTINCT notice_id FROM ranked WHERE rank <= ?
        """
    }

    /// The member routes of the window that told these notices, with the notices, parameters cluster, since and
    /// `count` notice ids. `CROSS JOIN`: the notices lead, by key, and their deliveries follow by their key (never
    /// the cluster's window by time: hence `+delivered_at`).
    static func sentRoutesSQL(count: Int) -> String {
        """
        SELECT d.notice_id, d.cluster, d.member, d.role, COALESCE(r.score, 0.0) AS score, r.payload,
               d.delivered_at AS delivered_at, \(noticeColumns)
        FROM notice n CROSS JOIN delivery d ON d.notice_id = n.id AND d.cluster = ?
        LEFT JOIN route r ON r.notice_id = d.notice_id AND r.cluster = d.cluster AND r.member = d.member
             AND r.role = d.role
        WHERE +d.delivered_at >= ? AND d.role IN ('direct', 'indirect')
            AND n.id IN (\(placeholders(count: count)))
        """
    }

    // MARK: - Editions

    /// In ONE transaction: insert the edition (state .staged) and the deliveries (same semantics as
    /// `markDelivered`). A run that dies after this finds the edition in `stagedEditions()` and publishes the
    /// same files, so nothing is sent twice nor lost.
    ///
    /// Staging again an edition still staged replaces it (a re-run re-wrote its files); staging again one
    /// already published is refused.
    /// The edition's e-mail (`outbox`) is composed in the same transaction, and the mail failures its staff
    /// digest reports (`reportedMail`) are marked as reported.
    public func stageEdition(
        _ edition: EditionRecord, deliveries: [DeliveryRecord], outbox: [OutboxEntry] = [],
        reportedMail: [OutboxEntry] = []
    ) throws {
        guard edition.staged.count == edition.files.count else {
            throw StoreError.invalidInput(
                path: path,
                reason: "edition \(edition.cluster) \(edition.stamp) #\(edition.edition): \(edition.staged.count) "
                    + "staged files for \(edition.files.count) final paths")
        }
        let staged = try pathsJSON(edition.staged)
        let files = try pathsJSON(edition.files)
        // An edition's e-mails are megabytes: copied into the database file while the next cluster is prepared.
        defer { checkpointer.request() }
        try write { db in
            let state = try String.fetchOne(
                db, sql: "SELECT state FROM edition WHERE cluster = ? AND stamp = ? AND edition = ?",
                arguments: [edition.cluster, edition.stamp, edition.edition])
            if state == EditionState.published.rawValue {
                throw StoreError.invalidInput(
                    path: path,
                    reason: "edition \(edition.cluster) \(edition.stamp) #\(edition.edition) is already published")
            }
            try db.exec(
                """
                INSERT OR REPLACE INTO edition (cluster, stamp, edition, staging, staged, files, state, run_id,
                    created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    edition.cluster, edition.stamp, edition.edition, edition.staging, staged, files,
                    EditionState.staged.rawValue, edition.runID, edition.createdAt.timeIntervalSince1970,
                ])
            try faultHook?("edition")
            try insertDeliveries(deliveries, in: db)
            try insertOutbox(outbox, in: db)
            try markReported(reportedMail, in: db)
        }
    }

    /// Marks the edition published.
    public func publishEdition(cluster: String, stamp: String, edition: Int) throws {
        try write { db in
            try db.exec(
                "UPDATE edition SET state = ? WHERE cluster = ? AND stamp = ? AND edition = ?",
                [EditionState.published.rawValue, cluster, stamp, edition])
            if db.changesCount == 0 {
                throw StoreError.invalidInput(
                    path: path, reason: "no edition \(cluster) \(stamp) #\(edition) to publish")
            }
        }
    }

    /// Editions still .staged (a run died between staging and publishing), oldest first.
    public func stagedEditions() throws -> [EditionRecord] {
        try read { db in
            try db.rows(
                """
                SELECT cluster, stamp, edition, staging, staged, files, state, run_id, created_at FROM edition
                WHERE state = ? ORDER BY created_at, cluster, stamp, edition
                """, [EditionState.staged.rawValue]
            ).map(editionRecord)
        }
    }

    /// Highest edition number recorded for the cluster and night (staged or published), nil when none.
    public func lastEdition(cluster: String, stamp: String) throws -> Int? {
        try read { db in
            try Int.fetchOne(
                db, sql: "SELECT max(edition) FROM edition WHERE cluster = ? AND stamp = ?",
                arguments: [cluster, stamp])
        }
    }

    private func editionRecord(_ row: Row) throws -> EditionRecord {
        let cluster: String = try row.decode(forColumn: "cluster")
        let stateText: String = try row.decode(forColumn: "state")
        guard let state = EditionState(rawValue: stateText) else {
            throw StoreError.invalidInput(path: path, reason: "edition of \(cluster) in unknown state \(stateText)")
        }
        return EditionRecord(
            cluster: cluster, stamp: try row.decode(forColumn: "stamp"), edition: try row.decode(forColumn: "edition"),
            staging: try row.decode(forColumn: "staging"), staged: try paths(try row.decode(forColumn: "staged")),
            files: try paths(try row.decode(forColumn: "files")), state: state,
            runID: try row.decode(forColumn: "run_id"),
            createdAt: Date(timeIntervalSince1970: try row.decode(forColumn: "created_at")))
    }

    private func pathsJSON(_ paths: [String]) throws -> String {
        do {
            return String(decoding: try JSONEncoder().encode(paths), as: UTF8.self)
        } catch {
            throw StoreError.invalidInput(path: path, reason: "cannot encode edition paths: \(error)")
        }
    }

    private func paths(_ json: String) throws -> [String] {
        do {
            return try JSONDecoder().decode([String].self, from: Data(json.utf8))
        } catch {
            throw StoreError.invalidInput(path: path, reason: "stored edition paths are not a JSON list: \(error)")
        }
    }
}
