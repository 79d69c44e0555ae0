import Classifier
import Digest
import Foundation
import Notices
import Store
import Testing

@testable import Pipeline

/// Which files a cluster's edition writes (`delivery.formats`, `delivery.member_files`) and how: `latest.*` as a
/// second name of tonight's file when the bytes are the same.
@Suite struct ClusterDigestFilesTests {
    let night = instant("2026-05-05T02:00:00Z")

    /// A store holding the fixtures' notices, routed by the fixed router, ready for `ClusterDigest.write`.
    func routedStore(_ ws: Workspace) throws -> NoticeStore {
        let store = try NoticeStore(path: ws.storePath)
        _ = try store.upsert(try NoticeFixtures.notices(), at: night)
        let changed = try store.noticesChanged(after: 0)
        try store.recordRoutes(
            try changed.flatMap {
                try RouteMapping.records(FixedRouter().route($0.notice, now: night), rulebook: testRulebook)
            },
            replacingRoutesOf: changed.map(\.id), runID: nil, at: night)
        return store
    }

    func write(_ cluster: Cluster, _ ws: Workspace, _ store: NoticeStore, markDelivered: Bool = true) throws
        -> ClusterDigestReport
    {
        try ClusterDigest.write(
            cluster: cluster, store: store, output: ws.out, formats: DigestFormat.allCases, now: night, health: [],
            markDelivered: markDelivered)
    }

    func inode(_ path: String) throws -> UInt64 {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return try #require((attributes[.systemFileNumber] as? NSNumber)?.uint64Value)
    }

    @Test(arguments: [true, false])
    func latestIsTonightsFileUnderASecondNameUnlessItCoversTheSubscriptionWindow(markDelivered: Bool) throws {
        let ws = try Workspace()
        let store = try routedStore(ws)
        let report = try write(testRulebook.clusters[0], ws, store, markDelivered: markDelivered)
        #expect(report.files.count == 12)
        for ext in ["md", "html", "json", "csv"] {
            #expect(try inode(ws.file("mecaloire/latest.\(ext)")) == inode(ws.file("mecaloire/2026-05-05.\(ext)")))
        }
        // The calendar and the feed cover the last `subscription_days` in `latest.*`: a file of their own.
        for ext in ["ics", "atom"] {
            #expect(try inode(ws.file("mecaloire/latest.\(ext)")) != inode(ws.file("mecaloire/2026-05-05.\(ext)")))
            #expect(try ws.read("mecaloire/latest.\(ext)").contains("BEGIN:VCALENDAR") == (ext == "ics"))
        }
        // Tonight's Markdown holds the fixture's routed notice as the golden renderer writes it.
        #expect(try ws.read("mecaloire/latest.md").contains("Usinage de pièces mécaniques pour tramways"))
        // Every member gets its folder: one with news its dated files, one without only `latest.*`.
        #expect(ws.files("mecaloire/adherents/usinage-forez").contains("2026-05-05.md"))
        #expect(ws.files("mecaloire/adherents") == ["auto-gier", "surfaces-loire", "usinage-forez"])
        #expect(!FileManager.default.fileExists(atPath: ws.out + "/.vigie-staging"))
    }

    @Test func theClustersFormatsAndNoMemberFiles() throws {
        let ws = try Workspace()
        let store = try routedStore(ws)
        var cluster = testRulebook.clusters[0]
        cluster.delivery.formats = ["html", "csv"]
        cluster.delivery.memberFiles = .none
        let report = try write(cluster, ws, store)
        #expect(ws.files("mecaloire") == ["2026-05-05.csv", "2026-05-05.html", "latest.csv", "latest.html"])
        #expect(report.files.count == 4)
        #expect(!ws.exists("mecaloire/adherents"))
        // Files or not, the edition is recorded and its items delivered once.
        #expect(try store.lastEdition(cluster: "mecaloire", stamp: "2026-05-05") == 1)
        #expect(try !store.deliveries(cluster: "mecaloire").isEmpty)
    }

    @Test func onlyTheMembersNotMailedGetFiles() throws {
        let ws = try Workspace()
        let store = try routedStore(ws)
        var cluster = testRulebook.clusters[0]
        cluster.delivery.sender = "Veille <veille@mecaloire.example.org>"
        cluster.delivery.memberFiles = .unmailed
        cluster.members[0].contacts = ["achats@usinage-forez.example.org"]
        cluster.members[1].contacts = ["Service achats"]  // a name, not an address: not mailed
        _ = try write(cluster, ws, store)
        #expect(ws.files("mecaloire/adherents") == ["auto-gier", "surfaces-loire"])
        #expect(ws.files("mecaloire").contains("latest.md"))
        // Without a sender nobody is mailed: every member gets its files.
        let ws2 = try Workspace()
        cluster.delivery.sender = nil
        _ = try write(cluster, ws2, try routedStore(ws2))
        #expect(ws2.files("mecaloire/adherents") == ["auto-gier", "surfaces-loire", "usinage-forez"])
    }
}
