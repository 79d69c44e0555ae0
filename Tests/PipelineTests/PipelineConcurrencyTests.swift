import Classifier
import Digest
import Foundation
import Notices
import Parser
import Store
import TestSupport
import Testing

@testable import Pipeline

/// The routing phase records page k while page k+1 is routed, and an edition renders ahead of a slow staff
/// rendering and composes each e-mail once its parts are rendered: what the store holds and what is written stay
/// what the one-step-at-a-time code left, whatever fails or stops, and when.
@Suite struct PipelineConcurrencyTests {
    let night = instant("2026-01-22T02:00:00Z")

    /// The real BOAMP records (5 FNSimple notices of 2026-01-21: 26-7298, 26-7308, 26-7319, 26-7109, 26-7113) and
    /// the real TED notice 619675-2026, stored and not routed.
    func realNotices(_ ws: Workspace) throws -> NoticeStore {
        let store = try NoticeStore(path: ws.storePath)
        _ = try store.upsert(try realBOAMPAndTEDNotices(), at: night)
        return store
    }

    /// Every notice to the first member of the test cluster; the notice `failing` gets a reason whose weight
    /// cannot be written in a route payload (routing it throws), the notice `ghost` a route naming a notice the
    /// store does not have (recording its page throws).
    struct PageRouter: NoticeRouting {
        let rulebook = testRulebook
        var failing: String?
        var ghost: String?

        func route(_ notice: Notice, now: Date) -> RoutingResult {
            let member = rulebook.clusters[0].members[0]
            let weight = notice.id == failing ? Double.nan : 4
            var c = ClusterRouting(clusterID: "mecaloire", clusterName: "Pôle Méca Loire")
            c.routes.append(
                Route(
                    clusterID: "mecaloire", memberID: member.id, memberName: member.name, score: 4, kind: .direct,
                    segments: member.segments,
                    reasons: [
                        Reason(
                            .segmentKeyword(segment: member.segments[0], term: "prestations"), field: .title,
                            term: "prestations", weight: weight)
                    ]))
            return RoutingResult(noticeID: notice.id == ghost ? "boamp:no-such-notice" : notice.id, clusters: [c])
        }
    }

    /// The store's notices in the order a run pages them, and a run that classifies them `batchSize` at a time.
    func pages(_ store: NoticeStore, _ ws: Workspace, router: PageRouter, batchSize: Int) throws
        -> (order: [String], run: RouteAndDigestRun)
    {
        var options = RouteAndDigestOptions(outputDirectory: ws.out)
        options.batchSize = batchSize
        return (
            try store.noticesChanged(after: 0).map(\.notice.id),
            RouteAndDigestRun(store: store, router: router, options: options)
        )
    }

    /// Classifies every stored notice; the pages `done` was called with, in order, and the error it threw.
    func classify(
        _ run: RouteAndDigestRun, _ store: NoticeStore, through: Int64? = nil, stop: StopRequest = StopRequest(),
        stopAfter: Int? = nil
    ) throws -> (seen: [[String]], error: (any Error)?) {
        var seen: [[String]] = []
        do {
            try run.classify(
                after: 0, through: try through ?? store.currentChangeSequence(), clusters: nil, runID: 1, now: night,
                stop: stop
            ) { batch, _ in
                seen.append(batch.map(\.notice.id))
                if seen.count == stopAfter { stop.request(SIGTERM) }
            }
            return (seen, nil)
        } catch {
            return (seen, error)
        }
    }

    func recorded(_ store: NoticeStore) throws -> Set<String> {
        Set(try store.routes(cluster: "mecaloire").map(\.noticeID))
    }

    @Test(.requiresShared) func pagesAreRecordedInOrderAndDoneIsCalledInOrder() throws {
        let ws = try Workspace()
        let store = try realNotices(ws)
        let (order, run) = try pages(store, ws, router: PageRouter(), batchSize: 2)
        // The five BOAMP records of the capture and its one TED notice.
        #expect(order.count == 6)
        let (seen, error) = try classify(run, store)
        #expect(error == nil)
        #expect(seen == [Array(order[0..<2]), Array(order[2..<4]), Array(order[4..<6])])
        // One route per notice (`PageRouter`), each recorded once.
        #expect(try store.routes(cluster: "mecaloire").count == 6)
        #expect(try recorded(store) == Set(order))
    }

    /// Page 2 of 3 cannot be routed: page 1 is recorded (it was being recorded while page 2 was routed), nothing
    /// of pages 2 and 3, as the one-page-at-a-time loop left it.
    @Test(.requiresShared) func aPageThatCannotBeRoutedLeavesThePagesBeforeItRecorded() throws {
        let ws = try Workspace()
        let store = try realNotices(ws)
        let order = try store.noticesChanged(after: 0).map(\.notice.id)
        let (_, run) = try pages(store, ws, router: PageRouter(failing: order[3]), batchSize: 2)
        let (seen, error) = try classify(run, store)
        #expect(error is PipelineError)
        #expect(seen == [Array(order[0..<2])])
        #expect(try recorded(store) == Set(order[0..<2]))
    }

    /// Page 2 of 3 cannot be recorded (one of its routes names no stored notice): its transaction rolls back
    /// whole, page 3 — routed while page 2 was being recorded — is never recorded, page 1 stays.
    @Test(.requiresShared) func aPageThatCannotBeRecordedLeavesThePagesBeforeItRecorded() throws {
        let ws = try Workspace()
        let store = try realNotices(ws)
        let order = try store.noticesChanged(after: 0).map(\.notice.id)
        let (_, run) = try pages(store, ws, router: PageRouter(ghost: order[2]), batchSize: 2)
        let (seen, error) = try classify(run, store)
        #expect(error is StoreError)
        #expect(seen == [Array(order[0..<2])])
        #expect(try recorded(store) == Set(order[0..<2]))
    }

    /// A stop asked once page 2 is recorded: the run stops at that page boundary, page 3 is not recorded (it was
    /// routed meanwhile, and is dropped).
    @Test(.requiresShared) func aStopRequestBetweenPagesKeepsThePagesRecorded() throws {
        let ws = try Workspace()
        let store = try realNotices(ws)
        let (order, run) = try pages(store, ws, router: PageRouter(), batchSize: 2)
        let (seen, error) = try classify(run, store, stopAfter: 2)
        #expect((error as? PipelineError)?.exitCode == 143)
        #expect(seen == [Array(order[0..<2]), Array(order[2..<4])])
        #expect(try recorded(store) == Set(order[0..<4]))
    }

    /// Cut at `through`: the notices stored after it (a fetch during the run) wait for the next run, as before.
    @Test(.requiresShared) func aPageCutAtThroughIsTheLast() throws {
        let ws = try Workspace()
        let store = try realNotices(ws)
        let (order, run) = try pages(store, ws, router: PageRouter(), batchSize: 4)
        let through = try store.noticesChanged(after: 0)[2].changeSequence
        let (seen, error) = try classify(run, store, through: through)
        #expect(error == nil)
        #expect(seen == [Array(order[0..<3])])
        #expect(try recorded(store) == Set(order[0..<3]))
    }

    // MARK: - Edition rendering

    let editions = EditionRenderingTests()

    /// The edition of the real records, its serial reference (files rendered one by one, e-mails composed with
    /// their parts rendered again) and a rendering of it, not started.
    func edition(maxHeldBytes: Int? = nil) throws
        -> (prepared: ClusterDigest.Prepared, files: [[UInt8]], mails: [OutboxEntry], rendering: EditionRendering)
    {
        let ws = try Workspace()
        let prepared = try editions.prepare(try editions.realStore(ws), ws)
        let composer = editions.composer(prepared)
        let mail = try #require(try composer.plan(prepared))
        let rendering = EditionRendering(
            prepared, mails: mail.mails, composer: composer, envelope: mail.envelope, maxHeldBytes: maxHeldBytes)
        return (prepared, try prepared.renderedFiles().map(\.bytes), try composer.compose(prepared), rendering)
    }

    /// Waits (at most 60 s) until `jobs` are all done; false if they never were.
    static func waitFor(_ jobs: [Int], in rendering: EditionRendering) -> Bool {
        let end = Date().addingTimeInterval(60)
        while Date() < end {
            rendering.lock.lock()
            let done = jobs.allSatisfy { j in
                if case .pending = rendering.slots[j] { return false }
                return true
            }
            rendering.lock.unlock()
            if done { return true }
            usleep(2_000)
        }
        return false
    }

    /// The staff's first rendering is held until every job that does not need it is done — by the one other
    /// worker, past any count of jobs ahead — then the files and e-mails are those of the serial rendering.
    /// (With a window of 4 × cores jobs, the other worker stopped 8 jobs ahead and this waited in vain.)
    @Test(.requiresShared) func aSlowStaffRenderingDoesNotHoldTheOtherWorker() throws {
        let (prepared, files, mails, rendering) = try edition()
        let independent = rendering.jobs.indices.filter { j in
            if j == 0 { return false }
            if case .mail(_, let parts) = rendering.jobs[j] { return !parts.contains(0) }
            return true
        }
        // The staff's digest, its three members' and the watch's: well over 8 jobs.
        #expect(independent.count > 16)
        let waited = Locked(true)
        rendering.beforeJob = { [unowned rendering] j in
            if j == 0 { waited.set(Self.waitFor(independent, in: rendering)) }
        }
        rendering.start(workers: 2)
        let got = try rendering.takeAll(prepared)
        #expect(waited.value)
        #expect(got.files == files)
        #expect(got.outbox == mails)
    }

    /// A mail's last part is held until a rendering after the mail is done: the other worker does not sleep on
    /// the mail (it is handed out once its parts are rendered), it goes on rendering.
    @Test(.requiresShared) func aWorkerDoesNotSleepOnAMailWhosePartsAreRendering() throws {
        let (prepared, files, mails, rendering) = try edition()
        // The first mail with a rendering after it, and that mail's last part.
        let found = rendering.jobs.indices.lazy.compactMap { m -> (part: Int, after: Int)? in
            guard case .mail(_, let parts) = rendering.jobs[m], let part = parts.max() else { return nil }
            let after = rendering.jobs.indices.first { j in
                guard j > m, case .render = rendering.jobs[j] else { return false }
                return true
            }
            return after.map { (part, $0) }
        }.first
        let (part, after) = try #require(found)
        let waited = Locked(true)
        rendering.beforeJob = { [unowned rendering] j in
            if j == part { waited.set(Self.waitFor([after], in: rendering)) }
        }
        rendering.start(workers: 2)
        let got = try rendering.takeAll(prepared)
        #expect(waited.value)
        #expect(got.files == files)
        #expect(got.outbox == mails)
    }

    /// With a bound of one byte the edition is still rendered whole (the job the publisher waits for always
    /// starts), and the bytes held never exceed what is rendering plus a mail's parts waiting for it.
    @Test(.requiresShared, arguments: [1, 2])
    func theBytesHeldAreBounded(workers: Int) throws {
        let (prepared, files, mails, rendering) = try edition(maxHeldBytes: 1)
        rendering.start(workers: workers)
        let got = try rendering.takeAll(prepared)
        #expect(got.files == files)
        #expect(got.outbox == mails)
        // The largest rendering of the edition: its files' and its mails' parts (the watch's digest has no file).
        let largest = try #require(
            try rendering.jobs.compactMap { job -> Int? in
                guard case .render(let key) = job else { return nil }
                let input = rendering.inputs[key.input]
                let renderer = key.format.renderer
                return try (key.subscription ? renderer.renderSubscription(input) : renderer.render(input)).count
            }.max())
        rendering.lock.lock()
        let peak = rendering.peakHeldBytes
        let held = rendering.heldBytes
        rendering.lock.unlock()
        #expect(peak > 0)
        #expect(peak <= (workers + DigestInput.mailFormats.count) * largest)
        // Everything taken: nothing is held once the edition is published.
        #expect(held == 0)
    }
}

/// A value set on one thread and read on another.
final class Locked<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }
    func set(_ value: Value) {
        lock.lock()
        stored = value
        lock.unlock()
    }
}
