import Foundation
import Notices
import Testing

@testable import Store

/// `sentRoutes(cluster:since:limit:eachOf:)`: what the subscription files can hold of the window, never the window
/// — the cluster's newest `limit` notices, and each listed member's own newest `limit`, by latest delivery (ties
/// by notice id), each with every member route of the window that told it.
@Suite struct SentRoutesTests {
    let since = date("2026-05-01T00:00:00Z")
    let t1 = date("2026-05-02T02:00:00Z")
    let t2 = date("2026-05-03T02:00:00Z")
    let t3 = date("2026-05-04T02:00:00Z")

    /// n0 told before the window (to m3); n1 to m1 on night 1 and to m2 on night 3 (m2 joined); n2 to m3 on night 1;
    /// n3–n5 to m1 (n4 indirect) on night 2; n6–n9 to m2 on night 3, and n9 to the watch `w` (not a member).
    func told() throws -> (TempStore, NoticeStore) {
        let tmp = TempStore()
        let store = try tmp.open()
        let ids = (0...9).map { "26-0\($0)" }
        _ = try store.upsert(ids.map { tender("boamp", $0) }, at: since.addingTimeInterval(-10 * 86_400))
        func told(_ n: Int, _ member: String, _ at: Date, role: String = "direct") -> DeliveryRecord {
            DeliveryRecord(
                key: DeliveryKey(noticeID: "boamp:26-0\(n)", cluster: "c", member: member, role: role), revision: 1,
                deliveredAt: at)
        }
        try store.recordRoutes(
            [RouteRecord(noticeID: "boamp:26-06", cluster: "c", member: "m2", role: "direct", score: 0.9)],
            replacingRoutesOf: ["boamp:26-06"], runID: nil, at: t3)
        try store.markDelivered([
            told(0, "m3", since.addingTimeInterval(-86_400)), told(1, "m1", t1), told(2, "m3", t1),
            told(3, "m1", t2), told(4, "m1", t2, role: "indirect"), told(5, "m1", t2), told(1, "m2", t3),
            told(6, "m2", t3), told(7, "m2", t3), told(8, "m2", t3), told(9, "m2", t3), told(9, "w", t3, role: "watch"),
            // Another cluster's deliveries are not this one's.
            DeliveryRecord(
                key: DeliveryKey(noticeID: "boamp:26-00", cluster: "other", member: "m1", role: "direct"),
                revision: 1, deliveredAt: t3),
        ])
        return (tmp, store)
    }

    static func rows(_ sent: [SentRoute]) -> [String] {
        sent.map { "\($0.route.noticeID.dropFirst(10)) \($0.route.member) \($0.route.role)" }
    }

    @Test func theClustersNewestByLatestDeliveryTiesByID() throws {
        let (tmp, store) = try told()
        _ = tmp
        let sent = try store.sentRoutes(cluster: "c", since: since, limit: 3)
        // Night 3 told n1 (again), n6, n7, n8, n9: the newest three by id are n1, n6, n7; n1 comes with its night-1
        // route to m1 too. The watch's delivery is no member's.
        #expect(Self.rows(sent) == ["1 m2 direct", "6 m2 direct", "7 m2 direct", "1 m1 direct"])
        #expect(sent.map(\.sentAt) == [t3, t3, t3, t1])
        #expect(sent[1].route.score == 0.9 && sent[0].route.score == 0)
        #expect(sent[0].notice.notice.id == "boamp:26-01" && sent[3].notice.notice.id == "boamp:26-01")
    }

    @Test func eachListedMemberKeepsItsOwnNewest() throws {
        let (tmp, store) = try told()
        _ = tmp
        let sent = try store.sentRoutes(cluster: "c", since: since, limit: 3, eachOf: ["m1", "m3"])
        // The cluster's n1, n6, n7; m1's newest three n3, n4, n5 (its n1 of night 1 is its fourth); m3's n2 (its n0
        // was told before the window). m2 is not listed: its n8, n9 stay out.
        #expect(
            Self.rows(sent) == [
                "1 m2 direct", "6 m2 direct", "7 m2 direct", "3 m1 direct", "4 m1 indirect", "5 m1 direct",
                "1 m1 direct", "2 m3 direct",
            ])
        // Every listed member's own window fits, however many the cluster told others.
        let wide = try store.sentRoutes(cluster: "c", since: since, limit: 1, eachOf: ["m1", "m2", "m3"])
        #expect(Self.rows(wide) == ["1 m2 direct", "3 m1 direct", "1 m1 direct", "2 m3 direct"])
    }

    @Test func aLimitAsLargeAsTheWindowReadsTheWholeWindowAndNothingBefore() throws {
        let (tmp, store) = try told()
        _ = tmp
        let sent = try store.sentRoutes(cluster: "c", since: since, limit: 500, eachOf: ["m1", "m2", "m3"])
        #expect(
            Self.rows(sent) == [
                "1 m2 direct", "6 m2 direct", "7 m2 direct", "8 m2 direct", "9 m2 direct", "3 m1 direct",
                "4 m1 indirect", "5 m1 direct", "1 m1 direct", "2 m3 direct",
            ])
        #expect(try store.sentRoutes(cluster: "c", since: since, limit: 0).isEmpty)
    }
}
