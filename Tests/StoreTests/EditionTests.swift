import Foundation
import Notices
import Testing

@testable import Store

/// Digest editions staged with their deliveries in one transaction, then published; rules fingerprints.
@Suite struct EditionTests {
    let now = date("2026-05-05T02:00:00Z")

    /// A store with two notices routed in cluster "mecaloire".
    func routedStore(_ tmp: TempStore) throws -> NoticeStore {
        let store = try tmp.open()
        _ = try store.upsert([tender("boamp", "26-1"), tender("boamp", "26-2")], at: now)
        try store.recordRoutes(
            [
                RouteRecord(
                    noticeID: "boamp:26-1", cluster: "mecaloire", member: "usinage-forez", role: "direct",
                    score: 0.9),
                RouteRecord(noticeID: "boamp:26-2", cluster: "mecaloire", member: "", role: "consortium", score: 0.5),
            ], replacingRoutesOf: [], runID: nil, at: now)
        return store
    }

    func edition(_ number: Int, stamp: String = "2026-05-05", at time: Date? = nil) -> EditionRecord {
        let suffix = number == 1 ? "" : "-\(number)"
        return EditionRecord(
            cluster: "mecaloire", stamp: stamp, edition: number, staging: "/out/.staging-\(stamp)\(suffix)",
            staged: ["/out/.staging-\(stamp)\(suffix)/a.md", "/out/.staging-\(stamp)\(suffix)/b.md"],
            files: ["/out/mecaloire/\(stamp)\(suffix).md", "/out/mecaloire/usinage-forez/\(stamp)\(suffix).md"],
            state: .staged, runID: 4, createdAt: time ?? now)
    }

    @Test func aStagedEditionIsRecordedWithItsDeliveriesThenPublished() throws {
        let tmp = TempStore()
        let store = try routedStore(tmp)
        #expect(try store.lastEdition(cluster: "mecaloire", stamp: "2026-05-05") == nil)
        let pending = try store.undelivered(cluster: "mecaloire")
        #expect(pending.count == 2)
        let staged = edition(1)
        try store.stageEdition(staged, deliveries: pending.map { $0.delivery(at: now, runID: 4) })

        #expect(try store.stagedEditions() == [staged])
        #expect(try store.undelivered(cluster: "mecaloire").isEmpty)
        #expect(try store.deliveries(cluster: "mecaloire").map(\.key.noticeID) == ["boamp:26-1", "boamp:26-2"])
        #expect(try store.lastEdition(cluster: "mecaloire", stamp: "2026-05-05") == 1)

        try store.publishEdition(cluster: "mecaloire", stamp: "2026-05-05", edition: 1)
        #expect(try store.stagedEditions().isEmpty)
        #expect(try store.lastEdition(cluster: "mecaloire", stamp: "2026-05-05") == 1)
        #expect(try store.lastEdition(cluster: "mecaloire", stamp: "2026-05-06") == nil)
        #expect(try store.lastEdition(cluster: "other", stamp: "2026-05-05") == nil)

        // A second edition the same night numbers on.
        try store.stageEdition(edition(2), deliveries: [])
        #expect(try store.lastEdition(cluster: "mecaloire", stamp: "2026-05-05") == 2)
        try store.close()
        // All of it survives a reopen.
        let again = try tmp.open()
        #expect(try again.stagedEditions() == [edition(2)])
        #expect(try again.lastEdition(cluster: "mecaloire", stamp: "2026-05-05") == 2)
    }

    /// A failure inside `stageEdition` (here, right after the first delivery) leaves neither the edition nor
    /// any delivery: the next run stages the same edition again.
    @Test func aFailureWhileStagingLeavesNothing() throws {
        let tmp = TempStore()
        let store = try routedStore(tmp)
        let deliveries = try store.undelivered(cluster: "mecaloire").map { $0.delivery(at: now, runID: 4) }
        struct Killed: Error {}
        for point in ["edition", "delivery"] {
            store.faultHook = { if $0 == point { throw Killed() } }
            #expect(throws: Killed.self) { try store.stageEdition(edition(1), deliveries: deliveries) }
            store.faultHook = nil
            #expect(try store.stagedEditions().isEmpty)
            #expect(try store.lastEdition(cluster: "mecaloire", stamp: "2026-05-05") == nil)
            #expect(try store.deliveries(cluster: "mecaloire").isEmpty)
            #expect(try store.undelivered(cluster: "mecaloire").count == 2)
        }
        // An SQLite error (a delivery for a notice the store does not have) rolls back the same way.
        let stray = DeliveryRecord(
            key: DeliveryKey(noticeID: "boamp:gone", cluster: "mecaloire", member: "x", role: "direct"), revision: 1,
            deliveredAt: now)
        #expect(throws: StoreError.self) { try store.stageEdition(edition(1), deliveries: deliveries + [stray]) }
        #expect(try store.stagedEditions().isEmpty)
        #expect(try store.deliveries(cluster: "mecaloire").isEmpty)
    }

    @Test func stagedEditionsComeOldestFirst() throws {
        let tmp = TempStore()
        let store = try tmp.open()
        try store.stageEdition(edition(1, stamp: "2026-05-06", at: now.addingTimeInterval(86_400)), deliveries: [])
        try store.stageEdition(edition(1, stamp: "2026-05-05"), deliveries: [])
        try store.stageEdition(edition(2, stamp: "2026-05-05", at: now.addingTimeInterval(60)), deliveries: [])
        try store.publishEdition(cluster: "mecaloire", stamp: "2026-05-05", edition: 2)
        #expect(try store.stagedEditions().map { "\($0.stamp)#\($0.edition)" } == ["2026-05-05#1", "2026-05-06#1"])
    }

    /// Staging an edition still staged again replaces it (a re-run rewrote its files); staging a published
    /// one again is refused, as is publishing one never staged.
    @Test func restagingAndPublishingRules() throws {
        let tmp = TempStore()
        let store = try tmp.open()
        try store.stageEdition(edition(1), deliveries: [])
        var rewritten = edition(1)
        rewritten.staging = "/out/.staging-again"
        rewritten.staged = ["/out/.staging-again/a.md"]
        rewritten.files = ["/out/mecaloire/2026-05-05.md"]
        try store.stageEdition(rewritten, deliveries: [])
        #expect(try store.stagedEditions() == [rewritten])
        try store.publishEdition(cluster: "mecaloire", stamp: "2026-05-05", edition: 1)
        #expect(throws: StoreError.self) { try store.stageEdition(edition(1), deliveries: []) }
        #expect(throws: StoreError.self) {
            try store.publishEdition(cluster: "mecaloire", stamp: "2026-05-05", edition: 5)
        }
        var misaligned = edition(3)
        misaligned.files.removeLast()
        #expect(throws: StoreError.self) { try store.stageEdition(misaligned, deliveries: []) }
        #expect(try store.lastEdition(cluster: "mecaloire", stamp: "2026-05-05") == 1)
    }

    @Test func rulesFingerprintsRoundTripAndReplace() throws {
        let tmp = TempStore()
        let store = try tmp.open()
        #expect(try store.rulesFingerprints().isEmpty)
        try store.setRulesFingerprint("f1", cluster: "mecaloire", at: now)
        try store.setRulesFingerprint("g1", cluster: "vallee-chimie", at: now)
        try store.setRulesFingerprint("f2", cluster: "mecaloire", at: now.addingTimeInterval(86_400))
        #expect(try store.rulesFingerprints() == ["mecaloire": "f2", "vallee-chimie": "g1"])
        try store.close()
        #expect(try tmp.open().rulesFingerprints() == ["mecaloire": "f2", "vallee-chimie": "g1"])
    }
}
