import Classifier
import Digest
import Foundation
import Notices
import Store
import TestSupport
import Testing

@testable import Pipeline

/// What a quiet night costs as the subscription window fills: a cluster told `perNight` notices a night (each to its
/// three members, as a national cluster tells ~800), then a night with nothing new, timed at several window depths.
/// A measurement, not a check: run with `VIGIE_WINDOW_FIGURES=1` (it prints its figures; skipped otherwise).
@Suite struct SubscriptionWindowFiguresTests {
    @Test(
        .requiresShared,
        .enabled(if: ProcessInfo.processInfo.environment["VIGIE_WINDOW_FIGURES"] != nil))
    func aQuietNightsCostAsTheWindowFills() throws {
        let perNight = Int(ProcessInfo.processInfo.environment["VIGIE_WINDOW_PER_NIGHT"] ?? "") ?? 400
        let marks: Set<Int> = [1, 5, 15, 30, 59]
        let ws = try Workspace()
        let store = try NoticeStore(path: ws.storePath)
        let base = try realBOAMPAndTEDNotices()
        let cluster = testRulebook.clusters[0]
        let start = instant("2026-01-02T02:00:00Z")
        for night in 1...59 {
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
            guard marks.contains(night) else { continue }
            let quiet = at.addingTimeInterval(86_400)
            let t0 = Date()
            let read = try DigestSnapshotReader(
                store: store, cluster: cluster, now: quiet, deadlineSoonDays: 7, windowDays: 60
            ).read(sources: [], sourceNames: [:])
            let t1 = Date()
            let out = ws.root.appendingPathComponent("out-\(night)").path
            let report = try ClusterDigest.write(
                cluster: cluster, store: store, output: out, formats: DigestFormat.allCases, now: quiet, health: [],
                markDelivered: false, composeMail: false)
            let t2 = Date()
            let atom = try FileManager.default.attributesOfItem(atPath: "\(out)/mecaloire/latest.atom")[.size] as? Int
            print(
                "window figures: nights \(night) told \(night * perNight) read \(read.snapshot.sent.count) routes "
                    + String(
                        format: "%.3f s, quiet night of the cluster %.3f s", t1.timeIntervalSince(t0),
                        t2.timeIntervalSince(t1))
                    + " files \(report.files.count) latest.atom \(atom ?? -1) B")
        }
    }
}
