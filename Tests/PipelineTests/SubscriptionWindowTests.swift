import Classifier
import Digest
import Foundation
import Notices
import Store
import TestSupport
import Testing

@testable import Pipeline

/// `latest.atom` and `latest.ics` over successive nights, with the cluster's `subscription_max_notices` at 2: the
/// feed holds tonight's notices (all of them) then the newest earlier ones up to the limit; a member's feed keeps
/// its own notices however many the cluster told others; the calendar keeps only the open deadlines of what the
/// feed holds. Real BOAMP records of 2026-01-21 and the real TED notice 619675-2026.
@Suite(.requiresShared) struct SubscriptionWindowTests {
    static let cluster: Cluster = {
        var c = Cluster(
            id: "fenetre", name: "Pôle Fenêtre", segments: [Segment(id: "travaux", label: "Travaux")],
            members: [
                Member(id: "alpha", name: "Alpha", segments: ["travaux"]),
                Member(id: "beta", name: "Beta", segments: ["travaux"]),
            ])
        c.delivery.subscriptionMaxNotices = 2
        return c
    }()

    /// Who each real notice goes to (by its source id), whatever it says: the window is under test, not routing.
    struct TableRouter: NoticeRouting {
        let rulebook = Rulebook(clusters: [SubscriptionWindowTests.cluster])
        static let table = [
            "26-7319": "beta", "26-7298": "alpha", "26-7308": "alpha", "26-7109": "alpha", "26-7113": "alpha",
            "619675-2026": "alpha",
        ]

        func route(_ notice: Notice, now: Date) -> RoutingResult {
            var c = ClusterRouting(clusterID: "fenetre", clusterName: "Pôle Fenêtre")
            if let id = Self.table[notice.sourceID], let m = rulebook.clusters[0].member(id) {
                c.routes.append(
                    Route(
                        clusterID: "fenetre", memberID: m.id, memberName: m.name, score: 4, kind: .direct,
                        segments: ["travaux"],
                        reasons: [
                            Reason(
                                .segmentKeyword(segment: "travaux", term: "travaux"), field: .title, term: "travaux",
                                weight: 4)
                        ]))
            }
            return RoutingResult(noticeID: notice.id, clusters: [c])
        }
    }

    /// The entry ids of a feed, in order (`urn:vigie:fenetre:<notice id>` → the notice id).
    static func entries(_ path: String) throws -> [String] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return text.components(separatedBy: "<entry>").dropFirst().compactMap { entry in
            guard let start = entry.range(of: "<id>urn:vigie:fenetre:"), let end = entry.range(of: "</id>") else {
                return nil
            }
            return String(entry[start.upperBound..<end.lowerBound])
        }
    }

    /// The events of a calendar, by UID.
    static func events(_ path: String) throws -> Set<String> {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return Set(text.components(separatedBy: "\r\n").filter { $0.hasPrefix("UID:") }.map { String($0.dropFirst(4)) })
    }

    @Test func theFeedsHoldTonightThenTheNewestUpToTheLimitAndEachMemberKeepsItsOwn() throws {
        let ws = try Workspace()
        let store = try NoticeStore(path: ws.storePath)
        let real = Dictionary(uniqueKeysWithValues: try realBOAMPAndTEDNotices().map { ($0.sourceID, $0) })
        #expect(real.count == 6)
        var options = RouteAndDigestOptions(outputDirectory: ws.out)
        // Tonight's « dates limites proches » are tonight's notices too: kept out of the way here.
        options.deadlineSoonDays = 1
        let run = RouteAndDigestRun(store: store, router: TableRouter(), options: options)
        func night(_ when: String, _ ids: [String]) throws {
            let now = instant(when)
            _ = try store.upsert(try ids.map { try #require(real[$0]) }, at: now)
            _ = try run.run(now: now)
        }
        let (staff, alpha, beta) = ("fenetre", "fenetre/adherents/alpha", "fenetre/adherents/beta")
        func feed(_ folder: String) throws -> [String] { try Self.entries(ws.file("\(folder)/latest.atom")) }
        func calendar(_ folder: String) throws -> Set<String> { try Self.events(ws.file("\(folder)/latest.ics")) }

        // Night 1: three notices, over the limit of 2 — tonight's notices are the news, all of them are in.
        try night("2026-01-22T02:00:00Z", ["26-7319", "26-7298", "26-7308"])
        #expect(Set(try feed(staff)) == ["boamp:26-7319", "boamp:26-7298", "boamp:26-7308"])
        #expect(try feed(beta) == ["boamp:26-7319"])

        // Night 2: two more for alpha fill the cluster's feed; beta's keeps its own notice of night 1.
        try night("2026-01-23T02:00:00Z", ["26-7109", "26-7113"])
        #expect(Set(try feed(staff)) == ["boamp:26-7109", "boamp:26-7113"])
        #expect(Set(try feed(alpha)) == ["boamp:26-7109", "boamp:26-7113"])
        #expect(try feed(beta) == ["boamp:26-7319"])

        // Night 3: tonight's TED notice, then the newest earlier one: night 2's two tie, the lower id wins.
        try night("2026-01-24T02:00:00Z", ["619675-2026"])
        #expect(try feed(staff) == ["ted:619675-2026", "boamp:26-7109"])
        #expect(try feed(alpha) == ["ted:619675-2026", "boamp:26-7109"])
        #expect(try feed(beta) == ["boamp:26-7319"])

        // Night 4, nothing new, after 26-7319's deadline (2026-02-11T12:00:00+00:00 in the BOAMP record): the feeds
        // are the newest two; the calendars hold their open deadlines only — TED 619675's 2026-10-19 and
        // 26-7109's 2026-03-06 — and beta's, whose only notice closed, none.
        try night("2026-02-12T02:00:00Z", [])
        #expect(try feed(staff) == ["ted:619675-2026", "boamp:26-7109"])
        #expect(try feed(alpha) == ["ted:619675-2026", "boamp:26-7109"])
        #expect(try feed(beta) == ["boamp:26-7319"])
        let open: Set<String> = ["deadline-ted_619675-2026@vigie", "deadline-boamp_26-7109@vigie"]
        #expect(try calendar(staff) == open)
        #expect(try calendar(alpha) == open)
        #expect(try calendar(beta).isEmpty)
        // The JSON digest's window is what the feed holds.
        let json = try JSONDigestRenderer.decode(
            Array(try Data(contentsOf: URL(fileURLWithPath: ws.file("\(staff)/latest.json")))))
        #expect(json.window.map(\.notice.id) == ["ted:619675-2026", "boamp:26-7109"])
    }
}
