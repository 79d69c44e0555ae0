import Classifier
import Digest
import Foundation
import Notices
import Store
import TestSupport
import Testing

@testable import Pipeline

/// The run's records of each opportunity: read once for every cluster's digest, the same snapshot as a reading of
/// its own.
@Suite struct OpportunityRecordsTests {
    static func stored(_ id: String) -> StoredNotice {
        let t = Date(timeIntervalSince1970: 0)
        return StoredNotice(
            notice: Notice(source: "boamp", sourceID: id, title: "Usinage \(id)"), opportunityID: 1, revision: 1,
            changeSequence: 1, firstSeen: t, lastSeen: t, lastChanged: t)
    }

    @Test func eachOpportunityIsReadOnceAndTheCacheStartsAgainPastItsLimit() throws {
        let cache = OpportunityRecords(limit: 2)
        var reads: [Int64] = []
        func records(_ id: Int64) throws -> [StoredNotice] {
            try cache.records(of: id) {
                reads.append(id)
                return [Self.stored("26-\(id)")]
            }
        }
        #expect(try records(1).map(\.notice.sourceID) == ["26-1"])
        #expect(try records(1).map(\.notice.sourceID) == ["26-1"])
        _ = try records(2)
        #expect(reads == [1, 2])
        // A third opportunity: the cache was full, it starts again with it alone.
        _ = try records(3)
        _ = try records(3)
        _ = try records(1)
        #expect(reads == [1, 2, 3, 1])
    }

    @Test func aReadFailureIsThrownAndNothingIsKept() throws {
        struct Unreadable: Error {}
        let cache = OpportunityRecords()
        #expect(throws: Unreadable.self) { try cache.records(of: 7) { throw Unreadable() } }
        #expect(try cache.records(of: 7) { [Self.stored("26-7")] }.count == 1)
    }

    /// Two clusters sharing the run's cache read the snapshot each reads alone (real BOAMP and TED records, and a
    /// BOAMP notice with its TED record: one opportunity of two records).
    @Test(.requiresShared) func snapshotsReadWithTheSharedCacheAreTheSnapshotsReadAlone() throws {
        let ws = try Workspace()
        let store = try NoticeStore(path: ws.storePath)
        let now = instant("2026-01-22T02:00:00Z")
        let notices = try realBOAMPAndTEDNotices() + [try NoticeFixtures.notices()[0], NoticeFixtures.tedRecord()]
        _ = try store.upsert(notices, at: now.addingTimeInterval(-3_600))
        let base = testRulebook.clusters[0]
        var other = base
        other.id = "mecaloire-sud"
        let routes = [base, other].flatMap { cluster in
            notices.flatMap { n in
                cluster.members.map {
                    RouteRecord(noticeID: n.id, cluster: cluster.id, member: $0.id, role: "direct", score: 4)
                }
            }
        }
        try store.recordRoutes(routes, replacingRoutesOf: notices.map(\.id), runID: nil, at: now)
        let shared = OpportunityRecords()
        for cluster in [base, other] {
            let alone = try DigestSnapshotReader(
                store: store, cluster: cluster, now: now, deadlineSoonDays: 7, windowDays: 60
            ).read(sources: [], sourceNames: [:])
            var reader = DigestSnapshotReader(
                store: store, cluster: cluster, now: now, deadlineSoonDays: 7, windowDays: 60)
            reader.opportunityRecords = shared
            let withShared = try reader.read(sources: [], sourceNames: [:])
            #expect(alone.snapshot.pending.count == notices.count * cluster.members.count)
            #expect(Set(alone.snapshot.pending.map(\.opportunityID)).count < notices.count)
            #expect(withShared.snapshot == alone.snapshot)
            #expect(withShared.deliveries == alone.deliveries)
        }
    }
}
