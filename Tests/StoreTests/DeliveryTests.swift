import Foundation
import Notices
import Testing

@testable import Store

@Suite struct DeliveryTests {
    let now = date("2026-05-05T02:00:00Z")

    @Test func routesAreDeliveredOnceAndAgainWhenTheNoticeChanges() throws {
        let tmp = TempStore()
        let store = try tmp.open()
        let n = tender("boamp", "26-1")
        _ = try store.upsert([n, tender("boamp", "26-2")], at: now)
        let run = try store.beginRun(at: now)
        try store.recordRoutes(
            [
                RouteRecord(
                    noticeID: n.id, cluster: "mecaloire", member: "usinage-forez", role: "direct", score: 0.9,
                    payload: "{\"reasons\":[\"usinage\"]}"),
                RouteRecord(
                    noticeID: "boamp:26-2", cluster: "mecaloire", member: "peinture-sud", role: "indirect",
                    score: 0.4),
                RouteRecord(noticeID: n.id, cluster: "other", member: "x", role: "direct", score: 0.5),
            ], replacingRoutesOf: [n.id, "boamp:26-2"], runID: run, at: now)

        let pending = try store.undelivered(cluster: "mecaloire")
        #expect(pending.map(\.route.member) == ["usinage-forez", "peinture-sud"])
        #expect(pending[0].route.payload == "{\"reasons\":[\"usinage\"]}")
        #expect(pending.allSatisfy { !$0.isUpdate })
        try store.markDelivered(pending.map { $0.delivery(at: now, runID: run) })
        #expect(try store.undelivered(cluster: "mecaloire").isEmpty)
        #expect(try store.undelivered(cluster: "other").count == 1)
        try store.finishRun(
            run, at: now, status: "ok", classifiedThrough: try store.currentChangeSequence(),
            summary: nil)

        // A corrigendum moves the deadline: the notice comes back, as an update.
        var moved = n
        moved.deadline = zoned("2026-06-22T12:00:00+02:00")
        _ = try store.upsert([moved], at: now.addingTimeInterval(86_400))
        let changed = try store.noticesChanged(after: try store.lastClassifiedSequence())
        #expect(changed.map(\.id) == [n.id])
        try store.recordRoutes(
            [
                RouteRecord(noticeID: n.id, cluster: "mecaloire", member: "usinage-forez", role: "direct", score: 0.9)
            ], replacingRoutesOf: [n.id], runID: nil, at: now)
        let again = try store.undelivered(cluster: "mecaloire")
        #expect(again.count == 1)
        #expect(again[0].isUpdate)
        #expect(again[0].deliveredRevision == 1)
        #expect(again[0].notice.revision == 2)
        #expect(
            again[0].changesSinceDelivery == [
                NoticeChange(field: "deadline", old: "2026-06-08T12:00:00+02:00", new: "2026-06-22T12:00:00+02:00")
            ])
        // Replacing routes dropped the "other" cluster's route of this notice.
        #expect(try store.undelivered(cluster: "other").isEmpty)
        try store.markDelivered(again.map { $0.delivery(at: now, runID: nil) })
        #expect(try store.undelivered(cluster: "mecaloire").isEmpty)
        #expect(try store.deliveries(cluster: "mecaloire").first { $0.key.noticeID == n.id }?.revision == 2)
    }

    @Test func aToldRecipientHearsOfAChangeEvenWhenTheRouteIsGone() throws {
        let tmp = TempStore()
        let store = try tmp.open()
        let n = tender("boamp", "26-1")
        _ = try store.upsert([n], at: now)
        try store.recordRoutes(
            [RouteRecord(noticeID: n.id, cluster: "c", member: "m", role: "direct", score: 4, payload: "p")],
            replacingRoutesOf: [n.id], runID: nil, at: now)
        try store.markDelivered(try store.undelivered(cluster: "c").map { $0.delivery(at: now, runID: nil) })
        // The corrigendum brings the deadline so close that the router no longer routes it.
        var moved = n
        moved.deadline = zoned("2026-05-07T12:00:00+02:00")
        _ = try store.upsert([moved], at: now)
        try store.recordRoutes([], replacingRoutesOf: [n.id], runID: nil, at: now)
        let pending = try store.undelivered(cluster: "c")
        #expect(pending.count == 1)
        #expect(pending[0].isUpdate)
        #expect(pending[0].route.key == DeliveryKey(noticeID: n.id, cluster: "c", member: "m", role: "direct"))
        #expect(pending[0].route.payload == nil)
        #expect(pending[0].changesSinceDelivery.map(\.field) == ["deadline"])
        try store.markDelivered(pending.map { $0.delivery(at: now, runID: nil) })
        #expect(try store.undelivered(cluster: "c").isEmpty)
    }

    @Test func replacingRoutesOfSomeClustersLeavesTheOthers() throws {
        let tmp = TempStore()
        let store = try tmp.open()
        _ = try store.upsert([tender("boamp", "1")], at: now)
        try store.recordRoutes(
            ["a", "b"].map { RouteRecord(noticeID: "boamp:1", cluster: $0, member: "m", role: "direct", score: 1) },
            replacingRoutesOf: [], runID: nil, at: now)
        try store.recordRoutes([], replacingRoutesOf: ["boamp:1"], runID: nil, at: now, clusters: ["a"])
        #expect(try store.routes(cluster: "a").isEmpty)
        #expect(try store.routes(cluster: "b").count == 1)
    }

    @Test func aRouteForAnUnknownNoticeIsRefused() throws {
        let tmp = TempStore()
        let store = try tmp.open()
        #expect(throws: StoreError.self) {
            try store.recordRoutes(
                [
                    RouteRecord(
                        noticeID: "boamp:none", cluster: "c", member: "m", role: "direct",
                        score: 1)
                ], replacingRoutesOf: [], runID: nil, at: now)
        }
        #expect(try store.routes(cluster: "c").isEmpty)
    }

    @Test func aKilledRunIsClassifiedAgain() throws {
        let tmp = TempStore()
        let store = try tmp.open()
        _ = try store.upsert([tender("boamp", "1")], at: now)
        let first = try store.beginRun(at: now)
        try store.finishRun(first, at: now, status: "ok", classifiedThrough: 1, summary: nil)
        _ = try store.upsert([tender("boamp", "2")], at: now)
        _ = try store.beginRun(at: now)  // killed: never finished
        #expect(try store.lastClassifiedSequence() == 1)
        #expect(try store.noticesChanged(after: 1).map(\.id) == ["boamp:2"])
        #expect(try store.runs().map(\.status) == ["running", "ok"])
    }
}
