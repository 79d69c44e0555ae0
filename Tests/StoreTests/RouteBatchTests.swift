import Foundation
import GRDB
import Notices
import Testing

@testable import Store

/// `recordRoutes` inserts a night's routes many rows a statement: the table it leaves is the one a statement a row
/// left, duplicate keys included (the later row wins), and a failure part way leaves the previous routes whole.
@Suite struct RouteBatchTests {
    let now = date("2026-05-05T02:00:00Z")

    /// A route row as stored: its key, then score, revision, payload, run and time.
    struct StoredRoute: Hashable, CustomStringConvertible {
        var key: [String]
        var score: Double
        var revision: Int64
        var payload: String?
        var runID: Int64?
        var recordedAt: Double
        var description: String { "\(key) \(score) r\(revision) \(payload ?? "-") \(runID ?? -1) \(recordedAt)" }
    }

    func table(_ store: NoticeStore) throws -> [StoredRoute] {
        try store.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT notice_id, cluster, member, role, score, revision, payload, run_id, recorded_at FROM route
                    ORDER BY notice_id, cluster, member, role
                    """
            ).map { row in
                StoredRoute(
                    key: [row["notice_id"], row["cluster"], row["member"], row["role"]], score: row["score"],
                    revision: row["revision"], payload: row["payload"], runID: row["run_id"],
                    recordedAt: row["recorded_at"])
            }
        }
    }

    /// What a DELETE per notice (and cluster) then an `INSERT OR REPLACE` per row, in order, leave in `before`.
    func rowByRow(
        _ before: [StoredRoute], _ routes: [RouteRecord], replacing ids: [String], clusters: [String]?,
        revisions: [String: Int64], runID: Int64?, at date: Date
    ) -> [StoredRoute] {
        let touched = Set(ids + routes.map(\.noticeID))
        var rows: [[String]: StoredRoute] = [:]
        for r in before where !(touched.contains(r.key[0]) && (clusters?.contains(r.key[1]) ?? true)) {
            rows[r.key] = r
        }
        for r in routes {
            let key = [r.noticeID, r.cluster, r.member, r.role]
            rows[key] = StoredRoute(
                key: key, score: r.score, revision: revisions[r.noticeID] ?? -1, payload: r.payload, runID: runID,
                recordedAt: date.timeIntervalSince1970)
        }
        return rows.values.sorted { $0.key.lexicographicallyPrecedes($1.key) }
    }

    @Test func batchedRoutesLeaveTheRowsRowByRowInsertsLeft() throws {
        let tmp = TempStore()
        let store = try tmp.open()
        let notices = (0..<(NoticeStore.chunkSize + 7)).map { tender("boamp", "26-\($0)") }
        let ids = notices.map(\.id)
        _ = try store.upsert(notices, at: now)
        var revisions = Dictionary(uniqueKeysWithValues: ids.map { ($0, Int64(1)) })

        // Several batches' worth, each notice's keys given twice with different scores and payloads, some far apart
        // (in different statements), some next to each other (in the same one).
        var routes: [RouteRecord] = []
        for (i, id) in ids.enumerated() {
            for cluster in ["energie", "mecaloire"] {
                routes.append(
                    RouteRecord(noticeID: id, cluster: cluster, member: "m\(i % 3)", role: "direct", score: 0.1))
                routes.append(
                    RouteRecord(
                        noticeID: id, cluster: cluster, member: "m\(i % 3)", role: "direct", score: 0.2,
                        payload: "second"))
            }
        }
        for (i, id) in ids.enumerated() where i % 2 == 0 {
            routes.append(
                RouteRecord(noticeID: id, cluster: "energie", member: "m\(i % 3)", role: "direct", score: 0.9))
            routes.append(RouteRecord(noticeID: id, cluster: "energie", member: "", role: "call", score: 0.5))
        }
        #expect(routes.count > 2 * NoticeStore.routesPerInsert)
        var expected = rowByRow(
            [], routes, replacing: ids, clusters: nil, revisions: revisions, runID: 1, at: now)
        try store.recordRoutes(routes, replacingRoutesOf: ids, runID: 1, at: now)
        #expect(try table(store) == expected)

        // A new revision of some notices, then a re-route: fewer rows for some notices, none for others (listed
        // only in `replacingRoutesOf`), a notice routed without being listed.
        let later = now.addingTimeInterval(86_400)
        for notice in try reviseEveryThird(notices, in: store, at: later) { revisions[notice.id] = 2 }
        let rerouteIDs = ids.enumerated().filter { $0.offset % 4 != 3 }.map(\.element)
        var rerouted: [RouteRecord] = []
        for (i, id) in rerouteIDs.enumerated() where i % 2 == 0 {
            rerouted.append(RouteRecord(noticeID: id, cluster: "mecaloire", member: "m9", role: "direct", score: 0.4))
        }
        rerouted.append(RouteRecord(noticeID: ids[3], cluster: "textile", member: "m1", role: "direct", score: 0.7))
        expected = rowByRow(
            expected, rerouted, replacing: rerouteIDs, clusters: nil, revisions: revisions, runID: 2, at: later)
        try store.recordRoutes(rerouted, replacingRoutesOf: rerouteIDs, runID: 2, at: later)
        #expect(try table(store) == expected)

        // A run limited to one cluster replaces only that cluster's routes.
        let limited = ids.prefix(70).map {
            RouteRecord(noticeID: $0, cluster: "energie", member: "m5", role: "direct", score: 0.6)
        }
        expected = rowByRow(
            expected, limited, replacing: ids, clusters: ["energie"], revisions: revisions, runID: 3, at: later)
        try store.recordRoutes(limited, replacingRoutesOf: ids, runID: 3, at: later, clusters: ["energie"])
        #expect(try table(store) == expected)

        // Killed after its first statement of rows: nothing of the call is left, the previous routes are whole.
        struct Killed: Error {}
        store.faultHook = { if $0 == "route" { throw Killed() } }
        #expect(throws: Killed.self) {
            try store.recordRoutes(routes, replacingRoutesOf: ids, runID: 4, at: later)
        }
        store.faultHook = nil
        #expect(try table(store) == expected)
    }
}
