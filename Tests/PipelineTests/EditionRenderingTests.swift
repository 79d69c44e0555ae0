import Classifier
import Digest
import Foundation
import Notices
import Parser
import Store
import TestSupport
import Testing

@testable import Pipeline

/// An edition rendered on every core, each part once, gives the very files and e-mails of the serial rendering
/// that renders each file, then each e-mail's parts again (`mailContent()`).
@Suite struct EditionRenderingTests {
    /// The night after the BOAMP records' publication (2026-01-21), before their deadlines (February, March).
    let night = instant("2026-01-22T02:00:00Z")

    /// The test cluster, mailing: staff, two members with an address, one member named only, a saved watch.
    static let cluster: Cluster = {
        var c = testRulebook.clusters[0]
        c.delivery.sender = "Veille Méca Loire <veille@mecaloire.example.org>"
        c.delivery.staff = ["Équipe <equipe@mecaloire.example.org>"]
        c.delivery.replyTo = ["contact@mecaloire.example.org"]
        c.members[0].contacts = ["achats@usinage-forez.example.org"]
        c.members[1].contacts = ["Service achats <achats@surfaces-loire.example.org>", "dg@surfaces-loire.example.org"]
        c.members[2].contacts = ["Service achats"]  // a name: files, no e-mail
        c.watches = [
            Watch(
                id: "batiment", name: "Bâtiment", clusterID: "mecaloire", keywords: ["travaux"],
                recipients: ["batiment@mecaloire.example.org"])
        ]
        return c
    }()

    /// Every notice to every member of the cluster and to its watch, so each digest and each e-mail has content.
    struct EveryoneRouter: NoticeRouting {
        let rulebook = Rulebook(clusters: [EditionRenderingTests.cluster])

        func route(_ notice: Notice, now: Date) -> RoutingResult {
            var c = ClusterRouting(clusterID: "mecaloire", clusterName: "Pôle Méca Loire")
            for m in rulebook.clusters[0].members {
                c.routes.append(
                    Route(
                        clusterID: "mecaloire", memberID: m.id, memberName: m.name, score: 4, kind: .direct,
                        segments: m.segments,
                        reasons: [
                            Reason(
                                .segmentKeyword(segment: m.segments[0], term: "travaux"), field: .title,
                                term: "travaux", weight: 4)
                        ]))
            }
            c.watches.append(
                WatchMatch(
                    watchID: "batiment", name: "Bâtiment", recipients: ["batiment@mecaloire.example.org"],
                    reasons: [Reason(rule: "watch:batiment/keyword:travaux", field: .title, term: "travaux", weight: 3)]
                ))
            return RoutingResult(noticeID: notice.id, clusters: [c])
        }
    }

    /// The real BOAMP records (5 FNSimple notices of 2026-01-21) and the real TED notice, stored and routed.
    func realStore(_ ws: Workspace) throws -> NoticeStore {
        try routed(try realBOAMPAndTEDNotices(), ws)
    }

    func routed(_ notices: [Notice], _ ws: Workspace) throws -> NoticeStore {
        let store = try NoticeStore(path: ws.storePath)
        _ = try store.upsert(notices, at: night)
        let changed = try store.noticesChanged(after: 0)
        let router = EveryoneRouter()
        try store.recordRoutes(
            try changed.flatMap {
                try RouteMapping.records(router.route($0.notice, now: night), rulebook: router.rulebook)
            },
            replacingRoutesOf: changed.map(\.id), runID: nil, at: night)
        return store
    }

    func prepare(_ store: NoticeStore, _ ws: Workspace) throws -> ClusterDigest.Prepared {
        try ClusterDigest.prepare(
            cluster: Self.cluster, store: store, output: ws.out, formats: DigestFormat.allCases, now: night,
            health: [], markDelivered: true)
    }

    func composer(_ prepared: ClusterDigest.Prepared) -> MailComposer {
        MailComposer(cluster: Self.cluster, now: night, stamp: prepared.stamp, edition: prepared.edition)
    }

    /// The edition's files and e-mails as the run renders them: `workers` threads, `window` renderings ahead, each
    /// file written into `staging` by its renderer when given.
    func rendered(
        _ prepared: ClusterDigest.Prepared, workers: Int, window: Int, staging: EditionPublisher.Staging? = nil
    ) throws -> (files: [[UInt8]], outbox: [OutboxEntry]) {
        let composer = composer(prepared)
        let mail = try #require(try composer.plan(prepared))
        let rendering = EditionRendering(
            prepared, mails: mail.mails, composer: composer, envelope: mail.envelope, staging: staging,
            window: window)
        rendering.start(workers: workers)
        return try rendering.takeAll(prepared)
    }

    @Test(.requiresShared, arguments: [(1, 1, false), (2, 2, false), (2, 8, true), (4, 64, true)])
    func sharedRenderingsGiveTheSerialFilesAndMails(workers: Int, window: Int, staged: Bool) throws {
        let ws = try Workspace()
        let store = try realStore(ws)
        let prepared = try prepare(store, ws)
        // The serial reference: each file rendered alone, each e-mail's parts rendered again (`mailContent()`).
        let reference = try prepared.renderedFiles().map(\.bytes)
        let mails = try composer(prepared).compose(prepared)
        let staging =
            staged
            ? try EditionPublisher.stage(
                output: ws.out, cluster: "mecaloire", stamp: prepared.stamp, edition: prepared.edition) : nil
        let got = try rendered(prepared, workers: workers, window: window, staging: staging)
        #expect(got.files == reference)
        #expect(got.outbox == mails)
        if let staging {
            // Every file but the second names (`latest.*` equal to tonight's), written by its renderer.
            let written = try FileManager.default.contentsOfDirectory(atPath: staging.folder)
            #expect(written.count == prepared.plan.filter { $0.file.sameAs == nil }.count)
        }
        // Staff, two members (three addresses), the watch: the member known by name only gets no e-mail.
        #expect(
            mails.map(\.audience) == [
                "staff", "member:usinage-forez", "member:surfaces-loire",
                "member:surfaces-loire", "watch:batiment",
            ])
        // The staff's mail says what the raw records hold: 26-7308's `objet`, and tonight's deadlines attached.
        let staff = String(decoding: try #require(got.outbox.first).message.bytes(), as: UTF8.self)
        #expect(staff.contains("Subject: "))
        let text = try prepared.input.mailContent().text
        #expect(text.contains("Prestations traiteurs pour l'URSSAF Normandie"))
        #expect(staff.contains("echeances-mecaloire-2026-01-22.ics"))
    }

    /// Each mailed digest's content from its file renderings equals `mailContent()`, which renders them again.
    @Test(.requiresShared) func mailContentFromRenderedPartsIsMailContent() throws {
        let ws = try Workspace()
        let prepared = try prepare(try realStore(ws), ws)
        let mail = try #require(try composer(prepared).plan(prepared))
        #expect(mail.mails.count == 4)
        for planned in mail.mails {
            let input = planned.input
            let shared = input.mailContent(
                markdown: try MarkdownRenderer().render(input), html: try HTMLRenderer().render(input),
                calendar: try ICalendarRenderer().render(input))
            #expect(shared == (try input.mailContent()))
            // Every record has a deadline (`datelimitereponse`): each digest attaches its calendar.
            #expect(shared.calendar != nil)
        }
        // A digest with no deadline attaches no calendar, as `mailContent()` does.
        var quiet = prepared.input
        quiet.members = []
        quiet.calls = []
        quiet.consortia = []
        quiet.watches = []
        quiet.changed = []
        quiet.signals = []
        quiet.deadlinesSoon = []
        let shared = quiet.mailContent(
            markdown: try MarkdownRenderer().render(quiet), html: try HTMLRenderer().render(quiet),
            calendar: try ICalendarRenderer().render(quiet))
        #expect(shared == (try quiet.mailContent()))
        #expect(shared.calendar == nil)
    }

    /// A night too long for a mail client (the 212 notices of the real captures to every member): each e-mail is
    /// the mail layout (`mailContent()`, first cards in full, the others one line each), rendered in its mail job
    /// once the files' HTML shows it is too long; a member mailed and given no files (`member_files: unmailed`)
    /// has no Markdown or HTML rendering of its own, only its e-mail's. The files keep every card.
    @Test(.requiresShared, arguments: [DeliverySettings.MemberFiles.all, .unmailed])
    func aLongNightsMailsAreTheMailLayout(_ memberFiles: DeliverySettings.MemberFiles) throws {
        let ws = try Workspace()
        let notices = try RealCaptures.routable.flatMap { path in
            try DocumentParser.parse(
                try SharedData.bytes(path),
                options: ParseOptions(sourceID: RealCaptures.sourceID(of: path), documentName: path)
            ).notices
        }
        try #require(notices.count > 200)
        let store = try routed(notices, ws)
        var cluster = Self.cluster
        cluster.delivery.memberFiles = memberFiles
        let prepared = try ClusterDigest.prepare(
            cluster: cluster, store: store, output: ws.out, formats: DigestFormat.allCases, now: night,
            health: [], markDelivered: true)
        let composer = MailComposer(cluster: cluster, now: night, stamp: prepared.stamp, edition: prepared.edition)
        let mail = try #require(try composer.plan(prepared))
        let rendering = EditionRendering(prepared, mails: mail.mails, composer: composer, envelope: mail.envelope)
        rendering.start(workers: 2)
        let got = try rendering.takeAll(prepared)
        #expect(got.files == (try prepared.renderedFiles().map(\.bytes)))
        #expect(got.outbox == (try composer.compose(prepared)))
        for planned in mail.mails {
            let content = try planned.input.mailContent()
            let file = try HTMLRenderer().render(planned.input)
            #expect(content.htmlBytes.count < 102 * 1024, "\(planned.audience): \(content.htmlBytes.count) bytes")
            #expect(content.htmlBytes.count < file.count / 2, "\(planned.audience) is cut")
        }
        // The mailed members (usinage-forez, surfaces-loire): files or not, as the cluster says.
        let mailedMembers = Set(mail.mails.compactMap { $0.member })
        try #require(mailedMembers.count == 2)
        let ownParts = rendering.jobs.filter {
            guard case .render(let key) = $0 else { return false }
            return mailedMembers.contains(key.input - 1) && (key.format == .markdown || key.format == .html)
        }
        #expect(ownParts.count == (memberFiles == .all ? 4 : 0))
    }

    /// The run's path (`ClusterDigest.write`, rendered on every core and published as one edition) writes the
    /// files and queues the e-mails that the serial rendering gives, under the same names.
    @Test func aParallelEditionWritesWhatASerialOneWrites() throws {
        let serial = try Workspace()
        let serialStore = try routed(try NoticeFixtures.notices(), serial)
        let prepared = try prepare(serialStore, serial)
        let files = try prepared.renderedFiles()
        _ = try EditionPublisher(output: serial.out, store: serialStore).publish(
            cluster: "mecaloire", stamp: prepared.stamp, edition: prepared.edition, files: files,
            deliveries: prepared.deliveries, outbox: try composer(prepared).compose(prepared),
            reportedMail: prepared.reportedMail, runID: nil, at: night)

        let parallel = try Workspace()
        let parallelStore = try routed(try NoticeFixtures.notices(), parallel)
        let report = try ClusterDigest.write(
            cluster: Self.cluster, store: parallelStore, output: parallel.out, formats: DigestFormat.allCases,
            now: night, health: [], markDelivered: true)
        #expect(report.files.count == 12)
        for file in files {
            let written = try #require(FileManager.default.contents(atPath: parallel.file(file.relativePath)))
            #expect([UInt8](written) == file.bytes, "\(file.relativePath)")
        }
        #expect(try parallelStore.outbox(cluster: "mecaloire") == serialStore.outbox(cluster: "mecaloire"))
        #expect(try parallelStore.deliveries(cluster: "mecaloire") == serialStore.deliveries(cluster: "mecaloire"))
        #expect(try !parallelStore.outbox(cluster: "mecaloire").isEmpty)
    }

    /// A file its renderer cannot stage (here: something already at its staged path) fails the edition with the
    /// file's path and reason; the publisher records nothing and removes the staging folder, and an edition begun
    /// and never published leaves no staging folder behind once abandoned.
    @Test func aFileThatCannotBeStagedFailsTheEditionAndLeavesNothing() throws {
        let ws = try Workspace()
        let store = try routed(try NoticeFixtures.notices(), ws)
        let prepared = try prepare(store, ws)
        let edition = try ClusterDigest.begin(
            prepared, cluster: Self.cluster, output: ws.out, now: night, markDelivered: true, composeMail: true)
        let staging = try #require(edition.rendering?.staging)
        try edition.abandon()
        #expect(!FileManager.default.fileExists(atPath: staging.folder))

        // The rendering starts as soon as it is begun: the blocker must be there first, so stage by hand.
        let blocked = try EditionPublisher.stage(
            output: ws.out, cluster: "mecaloire", stamp: prepared.stamp, edition: prepared.edition)
        let last = try #require(prepared.plan.lastIndex { $0.file.sameAs == nil })
        let path = blocked.path(of: last, relative: prepared.plan[last].file.relativePath)
        try Data("déjà là".utf8).write(to: URL(fileURLWithPath: path))
        let rendering = EditionRendering(prepared, mails: [], composer: nil, envelope: nil, staging: blocked)
        let blockedEdition = ClusterDigest.Edition(
            prepared: prepared, cluster: Self.cluster, markDelivered: true, rendering: rendering)
        rendering.start(workers: 2)
        #expect {
            _ = try ClusterDigest.finish(blockedEdition, store: store, output: ws.out, now: night, runID: nil)
        } throws: { error in
            guard case DigestError.write(let failed, let reason) = error else { return false }
            return failed == path && reason.contains("exists")
        }
        #expect(!FileManager.default.fileExists(atPath: blocked.folder))
        #expect(try store.stagedEditions().isEmpty)
        #expect(try store.deliveries(cluster: "mecaloire").isEmpty)
    }

    /// A stopped edition (its publisher failed) hands no more files, and stopping waits for the workers.
    @Test func aStoppedEditionHandsNoMoreFiles() throws {
        let ws = try Workspace()
        let prepared = try prepare(try routed(try NoticeFixtures.notices(), ws), ws)
        let rendering = EditionRendering(prepared, mails: [], composer: nil, envelope: nil, window: 1)
        rendering.start(workers: 2)
        guard case .bytes(let first) = try rendering.content(0, plan: prepared.plan, index: [:]) else {
            Issue.record("the first file is rendered, not a link")
            return
        }
        #expect(first == (try prepared.renderedFiles()[0].bytes))
        rendering.stop()
        #expect(throws: PipelineError.self) {
            try rendering.content(prepared.plan.count - 2, plan: prepared.plan, index: [:])
        }
    }

    /// Three clusters, each routed every notice: the run reads cluster k+1's snapshot while cluster k renders.
    struct ThreeClusterRouter: NoticeRouting {
        let rulebook = Rulebook(
            clusters: ["a", "b", "c"].map { id in
                var c = testRulebook.clusters[0]
                c.id = id
                c.name = "Pôle \(id.uppercased())"
                return c
            })

        func route(_ notice: Notice, now: Date) -> RoutingResult {
            RoutingResult(
                noticeID: notice.id,
                clusters: rulebook.clusters.map { cluster in
                    var c = ClusterRouting(clusterID: cluster.id, clusterName: cluster.name)
                    c.routes = cluster.members.map { m in
                        Route(
                            clusterID: cluster.id, memberID: m.id, memberName: m.name, score: 4, kind: .direct,
                            segments: m.segments,
                            reasons: [
                                Reason(
                                    .segmentKeyword(segment: m.segments[0], term: "usinage"), field: .title,
                                    term: "usinage", weight: 4)
                            ])
                    }
                    return c
                })
        }
    }

    /// Cluster b's folder cannot be made (a file holds its name): b is reported unwritten, a and c are written
    /// as a run of one cluster at a time writes them.
    @Test func aClusterThatCannotBeWrittenLeavesTheOthersWritten() throws {
        let ws = try Workspace()
        let store = try NoticeStore(path: ws.storePath)
        _ = try store.upsert(try NoticeFixtures.notices(), at: night)
        try FileManager.default.createDirectory(atPath: ws.out, withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: ws.file("b"), contents: Data("not a folder".utf8)))
        let report = try RouteAndDigestRun(
            store: store, router: ThreeClusterRouter(), options: RouteAndDigestOptions(outputDirectory: ws.out)
        ).run(now: night)
        #expect(report.unwrittenDigests.map(\.cluster) == ["b"])
        #expect(report.clusters.map(\.cluster) == ["a", "c"])
        // Each of a and c: the 4 fixture notices (this router sends every notice to every member).
        #expect(report.clusters.map(\.newNotices) == [4, 4])
        // One cluster alone, in a fresh store: the same bytes as c's.
        let alone = try Workspace()
        let aloneStore = try NoticeStore(path: alone.storePath)
        _ = try aloneStore.upsert(try NoticeFixtures.notices(), at: night)
        var options = RouteAndDigestOptions(outputDirectory: alone.out)
        options.clusters = ["c"]
        _ = try RouteAndDigestRun(store: aloneStore, router: ThreeClusterRouter(), options: options).run(now: night)
        for name in ["2026-01-22.md", "2026-01-22.json", "latest.ics", "adherents/usinage-forez/2026-01-22.html"] {
            #expect(try ws.read("c/" + name) == alone.read("c/" + name), "c/\(name)")
        }
    }
}
