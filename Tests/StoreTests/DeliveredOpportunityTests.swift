import Foundation
import Notices
import Testing

@testable import Store

@Suite struct DeliveredOpportunityTests {
    let now = date("2026-05-05T02:00:00Z")

    @Test func aSecondSourceOfATooldOpportunityIsRecognised() throws {
        let tmp = TempStore()
        let store = try tmp.open()
        _ = try store.upsert([tender("boamp", "26-1", refs: CrossReferences(tedPublicationNumber: "77-2026"))], at: now)
        try store.recordRoutes(
            [
                RouteRecord(
                    noticeID: "boamp:26-1", cluster: "c", member: "m", role: "direct",
                    score: 3)
            ], replacingRoutesOf: [], runID: nil, at: now)
        try store.markDelivered(try store.undelivered(cluster: "c").map { $0.delivery(at: now, runID: nil) })
        _ = try store.upsert(
            [tender("ted", "77-2026", refs: CrossReferences(tedPublicationNumber: "77-2026"))],
            at: now)
        let ted = try #require(try store.notice(id: "ted:77-2026"))
        let told = try store.deliveredOpportunities(cluster: "c")
        #expect(told.contains(DeliveredOpportunity(opportunityID: ted.opportunityID, member: "m", role: "direct")))
        #expect(try store.deliveredOpportunities(cluster: "other").isEmpty)
    }

    @Test func routedNoticesByDeadline() throws {
        let tmp = TempStore()
        let store = try tmp.open()
        _ = try store.upsert(
            [
                tender("boamp", "soon", deadline: "2026-05-08T12:00:00+02:00"),
                tender("boamp", "later", deadline: "2026-07-01T12:00:00+02:00"),
                tender("boamp", "past", deadline: "2026-05-01T12:00:00+02:00"),
            ], at: now)
        try store.recordRoutes(
            ["soon", "later", "past"].map {
                RouteRecord(noticeID: "boamp:\($0)", cluster: "c", member: "m", role: "direct", score: 1)
            }, replacingRoutesOf: [], runID: nil, at: now)
        let soon = try store.routedNotices(cluster: "c", deadlineFrom: now, to: now.addingTimeInterval(7 * 86_400))
        #expect(soon.map(\.notice.id) == ["boamp:soon"])
    }
}
