import Foundation
import GRDB
import Notices
import Testing

@testable import Store

/// A night reads its own work by index: `pending` lists what each cluster has to tell, the night's queries never
/// read a cluster's whole history of routes and deliveries, and stores from before `pending` are backfilled.
@Suite struct PendingTests {
    let now = date("2026-05-05T02:00:00Z")

    func route(_ id: String, _ cluster: String, _ member: String, score: Double = 0.8) -> RouteRecord {
        RouteRecord(noticeID: id, cluster: cluster, member: member, role: "direct", score: score)
    }

    func pendingRows(_ store: NoticeStore) throws -> [String] {
        try store.read { db in
            try Row.fetchAll(db, sql: "SELECT cluster, notice_id FROM pending ORDER BY cluster, notice_id").map {
                "\($0["cluster"] as String) \($0["notice_id"] as String)"
            }
        }
    }

    /// Routed → listed; delivered → gone; changed after delivery → listed again (through the change sequence,
    /// before any write, then kept by the next write); delivered again → gone. The history a night leaves behind
    /// is empty of pending work.
    @Test func pendingFollowsRoutesDeliveriesAndRevisions() throws {
        let tmp = TempStore()
        let store = try tmp.open()
        let a = tender("boamp", "26-1")
        let b = tender("boamp", "26-2", title: "Peinture industrielle")
        _ = try store.upsert([a, b], at: now)
        try store.recordRoutes(
            [route(a.id, "mecaloire", "m1"), route(b.id, "mecaloire", "m2"), route(a.id, "energie", "e1")],
            replacingRoutesOf: [a.id, b.id], runID: nil, at: now)
        #expect(try pendingRows(store) == ["energie boamp:26-1", "mecaloire boamp:26-1", "mecaloire boamp:26-2"])

        try store.markDelivered(try store.undelivered(cluster: "mecaloire").map { $0.delivery(at: now, runID: nil) })
        #expect(try pendingRows(store) == ["energie boamp:26-1"])
        try store.markDelivered(try store.undelivered(cluster: "energie").map { $0.delivery(at: now, runID: nil) })
        #expect(try pendingRows(store).isEmpty)
        #expect(try store.undelivered(cluster: "mecaloire").isEmpty)

        // The upsert knows nothing of `pending`: the new revision is found by its change sequence.
        var moved = a
        moved.deadline = zoned("2026-06-22T12:00:00+02:00")
        _ = try store.upsert([moved], at: now.addingTimeInterval(86_400))
        #expect(try pendingRows(store).isEmpty)
        let changed = try store.undelivered(cluster: "mecaloire")
        #expect(changed.map(\.route.member) == ["m1"])
        #expect(changed.first?.isUpdate == true)
        #expect(try store.undelivered(cluster: "energie").map(\.route.member) == ["e1"])

        // A write on another notice brings `pending` up to date with that revision too.
        try store.markDelivered([])
        try store.recordRoutes([route(b.id, "mecaloire", "m2")], replacingRoutesOf: [b.id], runID: nil, at: now)
        #expect(try pendingRows(store) == ["energie boamp:26-1", "mecaloire boamp:26-1"])
        #expect(try store.undelivered(cluster: "mecaloire").map(\.route.member) == ["m1"])

        try store.markDelivered(try store.undelivered(cluster: "mecaloire").map { $0.delivery(at: now, runID: nil) })
        try store.markDelivered(try store.undelivered(cluster: "energie").map { $0.delivery(at: now, runID: nil) })
        #expect(try pendingRows(store).isEmpty)
        #expect(try store.undelivered(cluster: "mecaloire").isEmpty)
        #expect(try store.undelivered(cluster: "energie").isEmpty)
    }

    /// A recipient the changed notice no longer routes to still hears of the change: its delivery keeps the
    /// notice listed although its route is gone.
    @Test func aDeliveryWithoutRouteStaysPendingWhenTheNoticeChanges() throws {
        let tmp = TempStore()
        let store = try tmp.open()
        let a = tender("boamp", "26-1")
        _ = try store.upsert([a], at: now)
        try store.recordRoutes([route(a.id, "mecaloire", "m1")], replacingRoutesOf: [a.id], runID: nil, at: now)
        try store.markDelivered(try store.undelivered(cluster: "mecaloire").map { $0.delivery(at: now, runID: nil) })
        var moved = a
        moved.deadline = zoned("2026-05-06T12:00:00+02:00")
        _ = try store.upsert([moved], at: now)
        // Classified again: no route any more (the deadline is too close), but m1 was told of revision 1.
        try store.recordRoutes([], replacingRoutesOf: [a.id], runID: nil, at: now)
        #expect(try pendingRows(store) == ["mecaloire boamp:26-1"])
        let told = try store.undelivered(cluster: "mecaloire")
        #expect(told.map(\.route.member) == ["m1"])
        #expect(told.first?.route.score == 0 && told.first?.deliveredRevision == 1)
        try store.markDelivered(told.map { $0.delivery(at: now, runID: nil) })
        #expect(try pendingRows(store).isEmpty)
    }

    /// `pending` as the invariant defines it, computed from every route and delivery (the v6 backfill's query):
    /// what the batched refreshes must leave, row for row.
    func definedPendingRows(_ store: NoticeStore) throws -> [String] {
        try store.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT r.cluster, r.notice_id FROM route r JOIN notice n ON n.id = r.notice_id
                    LEFT JOIN delivery d ON d.notice_id = r.notice_id AND d.cluster = r.cluster
                        AND d.member = r.member AND d.role = r.role
                    WHERE d.revision IS NULL OR d.revision < n.revision
                    UNION
                    SELECT d.cluster, d.notice_id FROM delivery d JOIN notice n ON n.id = d.notice_id
                    WHERE d.revision < n.revision
                    ORDER BY 1, 2
                    """
            ).map { "\($0["cluster"] as String) \($0["notice_id"] as String)" }
        }
    }

    /// The refreshes work a cluster and a batch of notices at a time (more notices here than one batch holds):
    /// after partial deliveries, new revisions, re-routes that drop and add recipients, and editions, `pending`
    /// holds exactly the pairs the invariant defines — none missing, none left over.
    @Test func batchedRefreshesKeepExactlyThePendingPairs() throws {
        let tmp = TempStore()
        let store = try tmp.open()
        let count = NoticeStore.chunkSize + 23
        let notices = (0..<count).map { tender("boamp", "26-\($0)") }
        let ids = notices.map(\.id)
        _ = try store.upsert(notices, at: now)
        let clusters = ["energie", "mecaloire", "textile"]
        // Each notice to one to three clusters, one to three members each, one of them also indirectly.
        var routes: [RouteRecord] = []
        for (i, id) in ids.enumerated() {
            for (c, cluster) in clusters.enumerated() where (i + c) % 4 != 0 {
                for m in 0...((i + c) % 3) { routes.append(route(id, cluster, "m\(m)", score: Double(i % 7) / 10)) }
                if i % 5 == c {
                    routes.append(
                        RouteRecord(noticeID: id, cluster: cluster, member: "m0", role: "indirect", score: 0.3))
                }
            }
        }
        try store.recordRoutes(routes, replacingRoutesOf: ids, runID: nil, at: now)
        #expect(try pendingRows(store) == definedPendingRows(store))
        #expect(try pendingRows(store).count > NoticeStore.chunkSize)

        // Partial deliveries: every other route of mecaloire, all of energie (in an edition), none of textile.
        let mecaloire = try store.undelivered(cluster: "mecaloire")
        try store.markDelivered(
            mecaloire.enumerated().filter { $0.offset % 2 == 0 }.map { $0.element.delivery(at: now, runID: 1) })
        #expect(try pendingRows(store) == definedPendingRows(store))
        let edition = EditionRecord(
            cluster: "energie", stamp: "2026-05-05", edition: 1, staging: "/out/.staging-2026-05-05", staged: [],
            files: [],
            state: .staged, runID: 1, createdAt: now)
        try store.stageEdition(
            edition, deliveries: try store.undelivered(cluster: "energie").map { $0.delivery(at: now, runID: 1) })
        #expect(try pendingRows(store) == definedPendingRows(store))

        // New revisions of a notice in three, absorbed by the next write; then re-routes of one in four, which drop
        // a member or gain one, some of them notices that also changed.
        let later = now.addingTimeInterval(86_400)
        try reviseEveryThird(notices, in: store, at: later)
        var rerouted: [RouteRecord] = []
        var rerouteIDs: [String] = []
        for (i, id) in ids.enumerated() where i % 4 == 1 {
            rerouteIDs.append(id)
            let members = i % 8 == 1 ? ["m1"] : ["m0", "m1", "m2", "m3"]
            for cluster in ["energie", "mecaloire"] {
                for member in members { rerouted.append(route(id, cluster, member)) }
            }
        }
        try store.recordRoutes(rerouted, replacingRoutesOf: rerouteIDs, runID: nil, at: later)
        #expect(try pendingRows(store) == definedPendingRows(store))

        // A second night: part of each cluster's pending work delivered, then the rest.
        for cluster in clusters {
            let pending = try store.undelivered(cluster: cluster)
            try store.markDelivered(pending.prefix(pending.count / 3).map { $0.delivery(at: later, runID: 2) })
            #expect(try pendingRows(store) == definedPendingRows(store))
        }
        for cluster in clusters {
            try store.markDelivered(try store.undelivered(cluster: cluster).map { $0.delivery(at: later, runID: 2) })
            #expect(try pendingRows(store) == definedPendingRows(store))
        }
        #expect(try pendingRows(store).isEmpty)
    }

    /// Pruning a notice takes its `pending` rows with it.
    @Test func aPrunedNoticeLeavesNoPendingRow() throws {
        let tmp = TempStore()
        let store = try tmp.open()
        let old = tender("boamp", "26-1", deadline: "2026-01-10T12:00:00+01:00")
        _ = try store.upsert([old], at: date("2026-01-02T02:00:00Z"))
        try store.recordRoutes([route(old.id, "mecaloire", "m1")], replacingRoutesOf: [old.id], runID: nil, at: now)
        #expect(try pendingRows(store) == ["mecaloire boamp:26-1"])
        #expect(try store.prune(before: date("2026-03-01T00:00:00Z")) == 1)
        #expect(try pendingRows(store).isEmpty)
    }

    /// EXPLAIN QUERY PLAN of every query a night runs for a cluster: each reads route, delivery and notice through
    /// an index search (`SEARCH`), never a scan of the table or of a whole index.
    @Test func theNightsQueriesSearchIndexesAndScanNoTable() throws {
        let tmp = TempStore()
        let store = try tmp.open()
        // Enough rows that SQLite's planner has something to choose between (ANALYZE-less, it guesses anyway).
        var notices: [Notice] = []
        for i in 0..<50 { notices.append(tender("boamp", "26-\(i)")) }
        _ = try store.upsert(notices, at: now)
        try store.recordRoutes(
            notices.map { route($0.id, "mecaloire", "m1") }, replacingRoutesOf: notices.map(\.id), runID: nil, at: now)
        try store.markDelivered(try store.undelivered(cluster: "mecaloire").map { $0.delivery(at: now, runID: nil) })
        let plans = try store.nightQueryPlans(
            cluster: "mecaloire", now: now, horizon: now.addingTimeInterval(7 * 86_400),
            since: now.addingTimeInterval(-60 * 86_400))
        #expect(
            plans.keys.sorted() == [
                "absorbRevisions", "deliveredOpportunities", "routedNotices", "sentRoutes", "sentRoutesOfMembers",
                "sentRoutesRows", "undelivered",
            ])
        for (query, details) in plans {
            #expect(!details.isEmpty)
            for line in details {
                // `SCAN c`: the CTE of pending notices (tonight's list); `SCAN CONSTANT ROW`: no table. The members'
                // newest: the window's delivery keys as found (`told`), ranked (the window function's subquery,
                // `ranked`).
                let what = line.dropFirst(5)
                let intermediate =
                    ["c", "told", "ranked"].contains(what)
                    || ["CONSTANT", "(subquery-"].contains { what.hasPrefix($0) }
                let scans = line.hasPrefix("SCAN ") && !intermediate
                #expect(!scans, "\(query): \(line)")
            }
            let searched = details.filter { $0.hasPrefix("SEARCH ") }
            #expect(!searched.isEmpty, "\(query): \(details)")
        }
        let undelivered = try #require(plans["undelivered"])
        #expect(undelivered.contains { $0.hasPrefix("SEARCH pending USING") })
        #expect(undelivered.contains { $0.contains("notice_change_seq") })
        #expect(try #require(plans["routedNotices"]).contains { $0.contains("notice_deadline") })
        // The cluster's newest: down the (cluster, time) index, sorting only the ties of one time (a night).
        let newest = try #require(plans["sentRoutes"])
        #expect(newest.contains { $0.contains("delivery_cluster_time") })
        #expect(newest.allSatisfy { !$0.contains("TEMP B-TREE") || $0.contains("RIGHT PART OF ORDER BY") })
        #expect(try #require(plans["sentRoutesOfMembers"]).contains { $0.contains("delivery_cluster_time") })
        // The kept notices' routes: by key, never the window by time.
        let rows = try #require(plans["sentRoutesRows"])
        #expect(
            rows.contains {
                $0.hasPrefix("SEARCH d USING INDEX sqlite_autoindex_delivery_1 (notice_id=? AND cluster=?)")
            })
        #expect(!rows.contains { $0.contains("delivery_cluster_time") })
        #expect(try #require(plans["deliveredOpportunities"]).contains { $0.contains("notice_opportunity") })
    }

    /// A store written before v6 (its routes, deliveries and a notice changed since it was told) is backfilled:
    /// `pending` lists exactly what was pending, and the night's answers are the same as before the migration.
    @Test func aStoreFromBeforePendingIsBackfilled() throws {
        let tmp = TempStore()
        let a = tender("boamp", "26-1")
        let b = tender("boamp", "26-2", title: "Peinture industrielle")
        let c = tender("ted", "123-2026", title: "Chaudronnerie")
        var expected: [String: [PendingRoute]] = [:]
        do {
            let store = try tmp.open()
            _ = try store.upsert([a, b, c], at: now)
            try store.recordRoutes(
                [route(a.id, "mecaloire", "m1"), route(b.id, "mecaloire", "m2"), route(c.id, "energie", "e1")],
                replacingRoutesOf: [a.id, b.id, c.id], runID: nil, at: now)
            // Told: a and b to mecaloire, c to energie; then a changes. Never told: nothing (b's second member).
            try store.markDelivered(
                try store.undelivered(cluster: "mecaloire").map { $0.delivery(at: now, runID: nil) })
            try store.markDelivered(try store.undelivered(cluster: "energie").map { $0.delivery(at: now, runID: nil) })
            try store.recordRoutes(
                [route(b.id, "mecaloire", "m2"), route(b.id, "mecaloire", "m3")], replacingRoutesOf: [b.id],
                runID: nil, at: now)
            var moved = a
            moved.deadline = zoned("2026-06-22T12:00:00+02:00")
            _ = try store.upsert([moved], at: now)
            for cluster in ["mecaloire", "energie"] { expected[cluster] = try store.undelivered(cluster: cluster) }
            try store.close()
        }
        // Back to the v5 layout, as a build before v6 leaves it.
        let queue = try DatabaseQueue(path: tmp.path)
        try queue.write { db in
            try db.execute(
                sql: """
                    DROP TABLE pending; DROP TABLE pending_cursor; DROP INDEX delivery_cluster_time;
                    CREATE INDEX delivery_cluster ON delivery(cluster);
                    DELETE FROM grdb_migrations WHERE identifier = 'v6'; DELETE FROM schema_version WHERE version = 6;
                    """)
        }
        try queue.close()

        let store = try tmp.open()
        #expect(try store.schemaVersion() == Schema.identifiers.count)
        #expect(try pendingRows(store) == ["mecaloire boamp:26-1", "mecaloire boamp:26-2"])
        let indexes = try store.read { db in
            try String.fetchAll(
                db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'delivery'")
        }
        #expect(indexes.contains("delivery_cluster_time") && !indexes.contains("delivery_cluster"))
        let mecaloire = try store.undelivered(cluster: "mecaloire")
        #expect(mecaloire == expected["mecaloire"])
        #expect(mecaloire.map(\.route.member) == ["m1", "m3"])
        #expect(mecaloire.map(\.isUpdate) == [true, false])
        #expect(try store.undelivered(cluster: "energie").isEmpty)
        #expect(expected["energie"]?.isEmpty == true)
    }
}
