import Classifier
import Digest
import Foundation
import Notices
import Store
import TestSupport
import Testing

@testable import Pipeline

/// What a night reads of the subscription window as nights accumulate: no more than the subscription files hold,
/// however many nights the window has (a national cluster tells ~800 notices a night, 60 nights of window).
@Suite(.requiresShared) struct SubscriptionWindowCostTests {
    /// Tells `cluster` `perNight` notices a night (copies of the real BOAMP and TED records, each its own
    /// opportunity), each to every member, then calls `after` with the night's number and the next night's time.
    static func tell(
        _ store: NoticeStore, _ cluster: Cluster, perNight: Int, nights: Int, after: (Int, Date) throws -> Void
    ) throws {
        let base = try realBOAMPAndTEDNotices()
        let start = instant("2026-01-02T02:00:00Z")
        for night in 1...nights {
            let at = start.addingTimeInterval(Double(night - 1) * 86_400)
            var notices: [Notice] = []
            for i in 0..<perNight {
                var n = base[i % base.count]
                n.sourceID += "-n\(night)-\(i)"
                n.title += " (\(night)-\(i))"
                n.refs = CrossReferences()
                notices.append(n)
            }
            _ = try store.upsert(notices, at: at)
            let routes = notices.flatMap { n in
                cluster.members.map {
                    RouteRecord(noticeID: n.id, cluster: cluster.id, member: $0.id, role: "direct", score: 4)
                }
            }
            try store.recordRoutes(routes, replacingRoutesOf: notices.map(\.id), runID: nil, at: at)
            try store.markDelivered(try store.undelivered(cluster: cluster.id).map { $0.delivery(at: at, runID: nil) })
            try after(night, at.addingTimeInterval(86_400))
        }
    }

    /// 8 notices a night to the three members of the test cluster, a limit of 10: once 10 are told, a quiet night
    /// reads 10 notices (the cluster's newest, which are each member's newest too) × 3 routes, night after night.
    @Test func aQuietNightReadsWhatTheFilesHoldWhateverTheWindowsNights() throws {
        let ws = try Workspace()
        let store = try NoticeStore(path: ws.storePath)
        var cluster = testRulebook.clusters[0]
        cluster.delivery.subscriptionMaxNotices = 10
        var read: [Int] = []
        try Self.tell(store, cluster, perNight: 8, nights: 6) { night, quiet in
            let r = try DigestSnapshotReader(
                store: store, cluster: cluster, now: quiet, deadlineSoonDays: 7, windowDays: 60
            ).read(sources: [], sourceNames: [:])
            read.append(r.snapshot.sent.count)
            // The newest first: tonight's eve's 8, then 2 of the night before (lowest ids of a night's ties).
            #expect(Set(r.snapshot.sent.map(\.notice.id)).count == min(8 * night, 10))
        }
        #expect(read == [24, 30, 30, 30, 30, 30])
        // Without member files (a national deployment that mails its members), only the cluster's newest.
        cluster.delivery.memberFiles = .none
        cluster.delivery.subscriptionMaxNotices = 4
        let r = try DigestSnapshotReader(
            store: store, cluster: cluster, now: instant("2026-01-08T02:00:00Z"), deadlineSoonDays: 7, windowDays: 60
        ).read(sources: [], sourceNames: [:])
        #expect(Set(r.snapshot.sent.map(\.notice.id)).count == 4 && r.snapshot.sent.count == 12)
        // A cluster that writes neither feed, calendar nor JSON reads no window at all.
        cluster.delivery.formats = ["html", "md"]
        let none = try DigestSnapshotReader(
            store: store, cluster: cluster, now: instant("2026-01-08T02:00:00Z"), deadlineSoonDays: 7, windowDays: 60
        ).read(sources: [], sourceNames: [:])
        #expect(none.snapshot.sent.isEmpty)
    }
}
