import Classifier
import Digest
import Foundation
import Logging
import Notices
import Store

/// Anything that routes a notice with a rulebook: the classifier's `Router`.
public protocol NoticeRouting: Sendable {
    var rulebook: Rulebook { get }
    func route(_ notice: Notice, now: Date) -> RoutingResult
    /// The routing keeping only the near misses `nearMisses` selects (a router that cannot choose keeps all: the
    /// night selects them again).
    func route(_ notice: Notice, now: Date, nearMisses: NearMissSelection) -> RoutingResult
}

extension NoticeRouting {
    public func route(_ notice: Notice, now: Date, nearMisses: NearMissSelection) -> RoutingResult {
        route(notice, now: now)
    }
}

extension Router: NoticeRouting {}

/// Knobs of the route-and-digest half of the nightly run.
public struct RouteAndDigestOptions: Sendable {
    /// Digests go to `<outputDirectory>/<cluster>/`.
    public var outputDirectory: String
    public var formats: [DigestFormat]
    /// Only these clusters (nil: every cluster of the rulebook).
    public var clusters: [String]?
    /// "Dates limites proches": deadlines within this many days of the run.
    public var deadlineSoonDays: Int
    /// Display names of sources (`boamp` → `BOAMP`), for the source health table.
    public var sourceNames: [String: String]
    /// Notices classified and recorded per transaction.
    public var batchSize: Int
    /// Source ids in the catalogue's order: the source table lists them so, whether it was built from tonight's
    /// fetch (which runs in that order) or from stored states (which have no order), then any source no longer in
    /// the catalogue, by id. Empty: the table's own order.
    public var sourceOrder: [String] = []
    /// Classify every stored notice again, not only what is new or changed (after editing the rules: a
    /// member who joined gets the open opportunities; what was already sent is not sent again).
    public var reclassifyAll: Bool = false
    /// Cluster id → fingerprint of the rules it is routed with (``RulebookLoad/fingerprints``). A cluster whose
    /// fingerprint differs from the one its stored routes were computed with is routed again over every stored
    /// notice. Empty: no such check (a caller with a hand-made rulebook).
    public var rulesFingerprints: [String: String] = [:]
    /// Clusters whose rules could not be loaded tonight: reported, not digested, and routed again over every
    /// stored notice once their file is fixed.
    public var failedClusters: [RulebookLoad.FailedCluster] = []
    /// Record the deliveries and compose the e-mail (`vigie run`, `vigie digest --mark-delivered`); false: a
    /// preview that writes the digests and records no delivery (`vigie digest`).
    public var markDelivered: Bool = true
    /// False on a first night: the digests are written and the deliveries recorded (the next night sends only
    /// what is new), but no e-mail is composed, so nothing of tonight's can ever be sent.
    public var composeMail: Bool = true

    public init(
        outputDirectory: String, formats: [DigestFormat] = DigestFormat.allCases, clusters: [String]? = nil,
        deadlineSoonDays: Int = 7, sourceNames: [String: String] = [:], batchSize: Int = 500
    ) {
        self.outputDirectory = outputDirectory
        self.formats = formats
        self.clusters = clusters
        self.deadlineSoonDays = deadlineSoonDays
        self.sourceNames = sourceNames
        self.batchSize = batchSize
    }
}

/// A cluster whose rules could not be loaded.
public struct FailedClusterReport: Sendable, Hashable, Codable {
    public var cluster: String
    public var file: String
    /// The errors, `file:line:column: error: …`.
    public var errors: [String]
}

/// A cluster whose digest could not be written.
public struct UnwrittenDigestReport: Sendable, Hashable, Codable {
    public var cluster: String
    /// The digest stage's error: the file and the system's reason.
    public var error: String
}

/// What one cluster's digest contained and where it went.
public struct ClusterDigestReport: Sendable, Hashable, Codable {
    public var cluster: String
    public var name: String
    /// Distinct notices newly sent to members (member sections and calls).
    public var newNotices: Int
    /// Member × notice lines in member sections.
    public var memberItems: Int
    public var consortia: Int
    public var calls: Int
    /// Watch × notice lines under "Veilles enregistrées".
    public var watchItems: Int
    public var changed: Int
    public var deadlinesSoon: Int
    /// Files written (empty when there was nothing new and tonight's digest already existed).
    public var files: [String]
    /// Members' own digests written under `<cluster>/adherents/`.
    public var memberDigests: Int
    public var deliveries: Int

    enum CodingKeys: String, CodingKey {
        case cluster, name, consortia, calls, changed, files, deliveries
        case memberDigests = "member_digests"
        case newNotices = "new_notices"
        case memberItems = "member_items"
        case deadlinesSoon = "deadlines_soon"
        case watchItems = "watch_items"
    }
}

/// What the route-and-digest half did.
public struct RouteAndDigestReport: Sendable, Hashable, Codable {
    public var runID: Int64
    /// Notices classified (new or changed since the last run).
    public var classified: Int
    public var routes: Int
    /// The change sequence this run classified through; nil when it was limited to some clusters (it then
    /// does not move the cursor, so the next full run classifies those notices for the other clusters).
    public var classifiedThrough: Int64?
    public var clusters: [ClusterDigestReport]
    /// Clusters routed again over every stored notice because their rules changed.
    public var rerouted: [String] = []
    /// Clusters left out tonight because their rules have errors, with the first error (file:line:column).
    public var failedClusters: [FailedClusterReport] = []
    /// Editions a killed run had recorded but not moved into place, finished by this run.
    public var recoveredEditions: Int = 0
    /// Clusters whose digest could not be written tonight (a full disk…): nothing of theirs counts as sent.
    public var unwrittenDigests: [UnwrittenDigestReport] = []

    enum CodingKeys: String, CodingKey {
        case classified, routes, clusters, rerouted
        case failedClusters = "failed_clusters"
        case unwrittenDigests = "unwritten_digests"
        case recoveredEditions = "recovered_editions"
        case runID = "run_id"
        case classifiedThrough = "classified_through"
    }
}

/// Classifies what is new or changed in the store since the last run, records routes, writes every cluster's
/// digest atomically and records deliveries, so a re-run sends nothing twice — except "changed since we
/// told you" when a notice already sent has changed.
///
/// Order matters for a killed run: routes are recorded (idempotent: classifying again replaces them), then
/// files are written, then deliveries recorded, then the run marked finished. A run killed before the end is
/// not counted as having classified anything, so the next run picks its notices up again; one killed between
/// writing and recording deliveries sends those items again rather than losing them.
public final class RouteAndDigestRun {
    let store: NoticeStore
    let router: any NoticeRouting
    public var options: RouteAndDigestOptions
    let logger: Logger

    public init(
        store: NoticeStore, router: any NoticeRouting, options: RouteAndDigestOptions,
        logger: Logger = Logger(label: "vigie.run")
    ) {
        self.store = store
        self.router = router
        self.options = options
        self.logger = logger
    }

    var rulebook: Rulebook { router.rulebook }

    var selectedClusters: [Cluster] {
        guard let only = options.clusters else { return rulebook.clusters }
        return rulebook.clusters.filter { only.contains($0.id) }
    }

    /// Routes then writes: ``route(now:runID:progress:)`` followed by ``writeDigests(now:runID:routing:sourceHealth:progress:)``,
    /// the one path of `vigie run` (with or without fetch) and `vigie digest`. When `runID` is given, the caller
    /// began the run and will finish it; otherwise this records its own run. `sourceHealth` is tonight's source
    /// table (nil: built from the stored source states).
    public func run(
        now: Date, runID givenRunID: Int64? = nil, sourceHealth: [SourceHealth]? = nil,
        progress: (String) -> Void = { _ in }
    ) throws -> RouteAndDigestReport {
        try checkClusters()
        let runID = try givenRunID ?? store.beginRun(at: now)
        let routing = try route(now: now, runID: runID, progress: progress)
        let report = try writeDigests(
            now: now, runID: runID, routing: routing, sourceHealth: sourceHealth, progress: progress)
        if givenRunID == nil {
            try store.finishRun(
                runID, at: now, status: "ok", classifiedThrough: report.classifiedThrough,
                summary: try RouteMapping.encode(report.clusters.map(\.cluster)))
        }
        return report
    }

    /// What the routing step did, for the digest step.
    public struct Routing: Sendable, Hashable {
        public var runID: Int64
        /// Notices classified (new or changed since the last completed classification).
        public var classified: Int
        public var routes: Int
        /// The change sequence the routing went through: the run counts as classified through it once its
        /// digests are out (``writeDigests(now:runID:routing:sourceHealth:progress:)`` decides).
        public var through: Int64
        /// Clusters routed again over every stored notice because their rules changed.
        public var rerouted: [String]
        /// Notices new or changed since the last completed classification, per source: the night's news for the
        /// source table.
        public var newBySource: [String: Int]
    }

    /// The routing step: classifies the stored notices new or changed since the last completed classification
    /// (every one with `reclassifyAll`), clusters whose rules changed over every stored notice, and records the
    /// routes and the rules' fingerprints. Recording routes sends nothing: what is routed is written and sent by
    /// the digest step of this run or a later one, until its delivery is recorded.
    public func route(now: Date, runID: Int64, progress: (String) -> Void = { _ in }) throws -> Routing {
        try checkClusters()
        let lastCompleted = try store.lastClassifiedSequence()
        let since = options.reclassifyAll ? 0 : lastCompleted
        let through = try store.currentChangeSequence()
        progress("classifying notices new or changed since change \(since) (up to \(through))")
        var routeCount = 0
        var classified = 0
        // Counted from the store, not from tonight's fetch reports, so that a run resumed after a crash (or a
        // `vigie digest` after `vigie fetch`) says what the clean run would.
        var newBySource: [String: Int] = [:]
        try classify(after: since, through: through, clusters: options.clusters, runID: runID, now: now) { batch, n in
            for s in batch where s.changeSequence > lastCompleted { newBySource[s.notice.source, default: 0] += 1 }
            classified += batch.count
            routeCount += n
        }
        // Rules edited since a cluster's routes were computed (or a cluster file restored after an error): that
        // cluster is routed again over what the first pass did not cover.
        let stored = try store.rulesFingerprints()
        let rerouted =
            options.rulesFingerprints.isEmpty || options.reclassifyAll || since == 0
            ? [] : selectedClusters.map(\.id).filter { stored[$0] != options.rulesFingerprints[$0] }
        if !rerouted.isEmpty {
            progress(
                "rules changed for \(rerouted.joined(separator: ", ")): routing every stored notice again for them")
            try classify(after: 0, through: since, clusters: rerouted, runID: runID, now: now) { batch, n in
                routeCount += n
            }
        }
        for cluster in selectedClusters {
            if let fingerprint = options.rulesFingerprints[cluster.id] {
                try store.setRulesFingerprint(fingerprint, cluster: cluster.id, at: now)
            }
        }
        for failed in options.failedClusters {
            // Never equal to a real fingerprint: once the file is fixed, the cluster is routed over everything.
            try store.setRulesFingerprint("unloaded", cluster: failed.cluster, at: now)
        }
        progress("classified \(classified) notices, \(routeCount) routes")
        return Routing(
            runID: runID, classified: classified, routes: routeCount, through: through, rerouted: rerouted,
            newBySource: newBySource)
    }

    /// The digest step: writes each selected cluster's digest from its undelivered routes and, with
    /// `options.markDelivered`, records the deliveries and composes the e-mail (an edition, finished first when a
    /// killed run left one staged). A preview (`markDelivered` false) records nothing: a later run writes and
    /// sends the same items. The report's `classifiedThrough` is what the caller records when it finishes the run.
    public func writeDigests(
        now: Date, runID: Int64, routing: Routing, sourceHealth: [SourceHealth]? = nil,
        progress: (String) -> Void = { _ in }
    ) throws -> RouteAndDigestReport {
        let recovered =
            options.markDelivered
            ? try EditionPublisher(output: options.outputDirectory, store: store, logger: logger).recover() : []
        for e in recovered {
            progress("\(e.cluster): finished edition \(e.edition) of \(e.stamp), interrupted by the previous run")
        }
        var health =
            try sourceHealth
            ?? SourceHealthBuilder.fromStates(
                try store.sourceStates(), now: now,
                names: options.sourceNames)
        for i in health.indices { health[i].newNotices = routing.newBySource[health[i].sourceID] ?? 0 }
        if !options.sourceOrder.isEmpty {
            let rank = Dictionary(options.sourceOrder.enumerated().map { ($1, $0) }) { first, _ in first }
            health.sort { a, b in
                switch (rank[a.sourceID], rank[b.sourceID]) {
                case let (x?, y?): return x < y
                case (_?, nil): return true
                case (nil, _?): return false
                case (nil, nil): return a.sourceID < b.sourceID
                }
            }
        }
        var reports: [ClusterDigestReport] = []
        var unwritten: [UnwrittenDigestReport] = []
        let clusters = selectedClusters
        // Two stages run ahead of the cluster being published: cluster k+1's edition renders on the cores while
        // cluster k's files are flushed and its e-mails and deliveries committed (the cores sat idle at each of
        // 300 clusters' ends), and cluster k+2's snapshot is read from the store meanwhile (the read was a sixth
        // of the night, on one core). Reads and renderings only: a cluster's snapshot and edition hold nothing
        // another cluster's publication writes.
        // One per run, shared by every cluster's digests: a notice's card is rendered once a night, not once per
        // member and per cluster (it reaches some seventy members in twenty-five clusters on a national night).
        let renderCache = DigestRenderCache()
        let opportunityRecords = OpportunityRecords()
        func prepareAhead(_ cluster: Cluster) -> Ahead<Result<ClusterDigest.Prepared, any Error>> {
            self.prepareAhead(
                cluster, now: now, runID: runID, health: health, renderCache: renderCache,
                opportunityRecords: opportunityRecords)
        }
        var nextPrepared = clusters.first.map(prepareAhead)
        func begin(_ k: Int) -> Result<ClusterDigest.Edition, any Error>? {
            guard k < clusters.count, let prepared = nextPrepared?.value else { return nil }
            nextPrepared =
                k + 1 < clusters.count ? prepareAhead(clusters[k + 1]) : nil
            return Result {
                try ClusterDigest.begin(
                    try prepared.get(), cluster: clusters[k], output: options.outputDirectory, now: now,
                    markDelivered: options.markDelivered, composeMail: options.composeMail)
            }
        }
        var ahead = begin(0)
        defer {
            // A stop request or a failure: the edition begun ahead is never published.
            if case .success(let edition)? = ahead {
                do {
                    try edition.abandon()
                } catch {
                    // Left for the next run's recovery, which removes every staging folder nothing recorded.
                    logger.warning(
                        "digest: an edition begun ahead was not removed",
                        metadata: ["cluster": "\(edition.cluster.id)", "error": "\(error)"])
                }
            }
            _ = nextPrepared?.value
        }
        for (k, cluster) in clusters.enumerated() {
            try StopRequest.shared.checkpoint("before the digest of \(cluster.id)")
            guard let edition = ahead else { break }
            ahead = begin(k + 1)
            let report: ClusterDigestReport
            do {
                report = try ClusterDigest.finish(
                    try edition.get(), store: store, output: options.outputDirectory, now: now, runID: runID)
            } catch let error as DigestError {
                // A full or unwritable output folder: this cluster's edition was not recorded, so nothing of it
                // counts as sent and the next run writes it whole; the other clusters still get theirs.
                progress("\(cluster.id): digest not written: \(error)")
                unwritten.append(UnwrittenDigestReport(cluster: cluster.id, error: "\(error)"))
                continue
            }
            progress(
                "\(cluster.id): \(report.newNotices) new, \(report.consortia) consortium, "
                    + "\(report.changed) changed" + (report.files.isEmpty ? ", nothing written" : ""))
            reports.append(report)
        }
        if reports.isEmpty, let first = unwritten.first {
            // Not one cluster served: the output itself is unusable (not a folder, read-only, full from the start).
            throw PipelineError.cannotRun("no digest could be written: \(first.error)")
        }
        // A digest left unwritten keeps the run from counting as classified through: the next run takes the same
        // notices as tonight's news again, so the edition it writes is the one tonight's would have been. A
        // preview does not count either: the run that sends takes them as its news.
        let classifiedThrough: Int64? =
            options.clusters == nil && unwritten.isEmpty && options.markDelivered ? routing.through : nil
        var report = RouteAndDigestReport(
            runID: runID, classified: routing.classified, routes: routing.routes,
            classifiedThrough: classifiedThrough, clusters: reports)
        report.rerouted = routing.rerouted
        report.recoveredEditions = recovered.count
        report.unwrittenDigests = unwritten
        report.failedClusters = options.failedClusters.map {
            FailedClusterReport(cluster: $0.cluster, file: $0.file, errors: $0.errors.map(\.description))
        }
        return report
    }

    /// Throws when `options.clusters` names a cluster the rulebook does not have (before any run is recorded).
    func checkClusters() throws {
        guard let only = options.clusters else { return }
        let unknown = only.filter { id in !rulebook.clusters.contains { $0.id == id } }
        if !unknown.isEmpty {
            throw PipelineError.cannotRun(
                "unknown cluster(s): \(unknown.joined(separator: ", ")) (known: "
                    + rulebook.clusters.map(\.id).joined(separator: ", ") + ")")
        }
    }

    /// Routes the stored notices with change sequence in `after+1...through`, page by page (a reclassification
    /// of a large store never holds every notice at once), and records their routes for `clusters` (nil: all).
    /// Stops at a safe point between pages when asked to (`stop`: the process's request, a test's own).
    ///
    /// Two stages overlap: page k+1 is routed on the cores while page k's strongest near misses are picked and
    /// encoded and its routes recorded in the store (one transaction, on the store's queue), and page k+2 is read
    /// meanwhile. At 3,000 notices the main thread did all of page k's recording alone while the other core idled:
    /// 1.2 of 2 cores busy for the whole phase. At most one page is being recorded and one read ahead, so memory
    /// stays that of three pages. Pages are recorded in order, each after the previous one committed, and `done`
    /// is called in that order once a page is recorded; a failure or a stop leaves the store as the
    /// one-page-at-a-time loop left it at a page boundary: the pages before recorded, nothing of the failed one.
    func classify(
        after: Int64, through: Int64, clusters: [String]?, runID: Int64, now: Date, stop: StopRequest = .shared,
        _ done: ([StoredNotice], Int) -> Void
    ) throws {
        // The store serializes every access on its one queue (``prepareAhead(_:now:runID:health:)``): the read
        // ahead and the recording run on other threads without touching the connection at once. Neither reads
        // what the other writes: routes are recorded, notices are read.
        let shared = UncheckedSendable(store)
        let limit = max(options.batchSize, 1)
        func readAhead(after cursor: Int64) -> Ahead<Result<[StoredNotice], any Error>> {
            Ahead { Result { try shared.value.noticesChanged(after: cursor, limit: limit) } }
        }
        let display = DisplayedRecords(store)
        // Nil once the last page is read: a short page, or one cut at `through`, has nothing after it.
        var reading: Ahead<Result<[StoredNotice], any Error>>? = readAhead(after: after)
        var recording: (batch: [StoredNotice], routes: Ahead<Result<Int, any Error>>)?
        /// Waits for the page being recorded; once it is in the store, says so.
        func settle() throws {
            guard let page = recording else { return }
            recording = nil
            done(page.batch, try page.routes.value.get())
        }
        defer {
            // Leaving early (a failure, a stop): the page being recorded still commits or rolls back whole, as the
            // serial loop's last page did, and is counted if it committed; the error already thrown is the one
            // reported, a second one of this page would only hide it. Nothing runs on after this call: the caller
            // may close the store.
            if let page = recording, case .success(let n) = page.routes.value { done(page.batch, n) }
            _ = reading?.value
        }
        while true {
            try stop.checkpoint("while classifying")
            guard let page = try reading?.value.get() else { break }
            let batch = page.filter { $0.changeSequence <= through }
            guard let last = batch.last else { break }
            reading = page.count == limit && batch.count == page.count ? readAhead(after: last.changeSequence) : nil
            let routed = try Self.routed(batch, router: router, now: now)
            try settle()
            // Also here, not only before a page: a stop asked while this page was routed records nothing more.
            try stop.checkpoint("while classifying")
            let ids = batch.map(\.id)
            recording = (
                batch,
                Ahead {
                    Result {
                        try Self.record(
                            routed, of: ids, store: shared.value, display: display, clusters: clusters,
                            runID: runID, now: now)
                    }
                }
            )
        }
        try settle()
    }

    /// Records a routed page (``routed(_:router:now:)``) whose notices are `ids`: its route records, then the
    /// near misses the staff digest could list, encoded; only `clusters`' (nil: all). Returns the records' count.
    static func record(
        _ routed: RoutedPage, of ids: [String], store: NoticeStore, display: DisplayedRecords, clusters: [String]?,
        runID: Int64, now: Date
    ) throws -> Int {
        // A national page of 500 notices gave up to 15 near misses per notice and cluster, 200,000 rows the digest
        // could never show: only the page's strongest are encoded and recorded.
        let misses = try RouteMapping.strongest(inPage: routed.nearMisses, display: display.id).map { try $0.record() }
        var records: [RouteRecord] = []
        records.reserveCapacity(routed.records.reduce(misses.count) { $0 + $1.count })
        for slice in routed.records { records += slice }
        records += misses
        if let clusters { records.removeAll { !clusters.contains($0.cluster) } }
        try store.recordRoutes(records, replacingRoutesOf: ids, runID: runID, at: now, clusters: clusters)
        return records.count
    }

    /// A routed page: its route records in the page's order, as the slices it was routed in (joined once, when
    /// recorded), and its near misses that may still be listed (``NearMissCut``), not yet ranked nor encoded.
    typealias RoutedPage = (records: [[RouteRecord]], nearMisses: [NearMissCandidate])

    /// Routes a page of notices. Routing is pure, so the page is routed in slices on every core (a 10,000-notice
    /// night spent a sixth of its time routing on one core); the slices are joined in the page's order.
    static func routed(_ batch: [StoredNotice], router: any NoticeRouting, now: Date) throws -> RoutedPage {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        // A few slices per core even out notices of very different lengths; a small page is routed in place.
        let slices = batch.count < 32 || cores < 2 ? 1 : min(batch.count, 4 * cores)
        let rulebook = router.rulebook
        let clusterIndex = RouteMapping.clusterIndex(rulebook)
        let results = ParallelSlots<Result<(records: [RouteRecord], nearMisses: [NearMissCandidate]), any Error>>(
            count: slices)
        DispatchQueue.concurrentPerform(iterations: slices) { k in
            let range = (batch.count * k / slices)..<(batch.count * (k + 1) / slices)
            results[k] = Result {
                var records: [RouteRecord] = []
                var misses: [NearMissCandidate] = []
                var cut = NearMissCut()
                for s in batch[range] {
                    // Only the near misses the staff digest could list are built (``RouteMapping/records`` keeps
                    // those and no other).
                    try RouteMapping.append(
                        router.route(s.notice, now: now, nearMisses: .narrowest(limit: DigestAssembler.nearMissLimit)),
                        rulebook: rulebook, opportunityID: s.opportunityID, clusterIndex: clusterIndex, to: &records,
                        nearMisses: &misses, cut: &cut)
                }
                return (records, misses)
            }
        }
        // Every slot is filled once `concurrentPerform` returns; an empty one would be notices left unrouted.
        var page: RoutedPage = ([], [])
        page.records.reserveCapacity(slices)
        // A slice sees a cluster's near misses of a few notices only: the page's cut, over all of them, keeps
        // fewer for the store's thread to rank.
        var cut = NearMissCut()
        for (k, slot) in results.values.enumerated() {
            guard let slot else { throw PipelineError.cannotRun("route: slice \(k) of the page was not routed") }
            let slice = try slot.get()
            page.records.append(slice.records)
            for m in slice.nearMisses
            where cut.admits(m.score, member: m.memberID, opportunity: m.opportunityID, cluster: m.cluster) {
                page.nearMisses.append(m)
            }
        }
        return page
    }

    /// Reads a cluster's snapshot and plans its edition (``ClusterDigest/prepare(cluster:store:output:formats:now:runID:health:deadlineSoonDays:sourceNames:markDelivered:renderCache:)``).
    func digestPreparation(
        _ cluster: Cluster, now: Date, runID: Int64?, health: [SourceHealth], renderCache: DigestRenderCache? = nil,
        opportunityRecords: OpportunityRecords? = nil
    ) throws -> ClusterDigest.Prepared {
        try ClusterDigest.prepare(
            cluster: cluster, store: store, output: options.outputDirectory,
            formats: options.formats, now: now, runID: runID, health: health,
            deadlineSoonDays: options.deadlineSoonDays, sourceNames: options.sourceNames,
            markDelivered: options.markDelivered, renderCache: renderCache, opportunityRecords: opportunityRecords)
    }

    /// ``digestPreparation(_:now:runID:health:)`` on another thread; `value` waits for it.
    ///
    /// The store is shared with the thread that publishes the previous cluster: every access to it goes through
    /// its one serial database queue (``NoticeStore`` runs each read and write there), so the two never touch the
    /// connection at once, and this side only reads.
    func prepareAhead(
        _ cluster: Cluster, now: Date, runID: Int64?, health: [SourceHealth], renderCache: DigestRenderCache? = nil,
        opportunityRecords: OpportunityRecords? = nil
    ) -> Ahead<Result<ClusterDigest.Prepared, any Error>> {
        let run = UncheckedSendable(self)
        return Ahead {
            Result {
                try run.value.digestPreparation(
                    cluster, now: now, runID: runID, health: health, renderCache: renderCache,
                    opportunityRecords: opportunityRecords)
            }
        }
    }
}

/// One slot per parallel iteration, each written by its own iteration only (so no lock), read once all are done.
final class ParallelSlots<Value>: @unchecked Sendable {
    private let slots: UnsafeMutablePointer<Value?>
    let count: Int

    init(count: Int) {
        self.count = count
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil, count: count)
    }

    deinit {
        slots.deinitialize(count: count)
        slots.deallocate()
    }

    subscript(i: Int) -> Value? {
        get { slots[i] }
        set { slots[i] = newValue }
    }

    /// Every slot, in order: read after the iterations are over.
    var values: [Value?] { Array(UnsafeBufferPointer(start: slots, count: count)) }
}

/// A value computed on another thread, started at once; `value` waits for it (once computed, at once).
final class Ahead<Value: Sendable>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: Value?

    init(_ body: @escaping @Sendable () -> Value) {
        DispatchQueue.global().async {
            self.result = body()
            self.done.signal()
        }
    }

    /// Waits for the value (the semaphore orders the other thread's write before this read).
    var value: Value {
        done.wait()
        defer { done.signal() }  // later reads return at once
        return result!
    }
}

/// Hands a non-`Sendable` reference to one other thread whose use of it is serialized by the reference itself
/// (see ``RouteAndDigestRun/prepareAhead(_:now:runID:health:)``).
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// The id of the record each opportunity is shown by (the digest's `DigestSnapshot.richest`), asked only for near
/// misses tied at a page's cut: routing does not change the records, so one answer serves the run. Used by one
/// page's recording at a time (``RouteAndDigestRun/classify(after:through:clusters:runID:now:stop:_:)`` records
/// page k+1 once page k is recorded), on whichever thread records it.
final class DisplayedRecords: @unchecked Sendable {
    let store: NoticeStore
    private var shown: [Int64: String] = [:]

    init(_ store: NoticeStore) { self.store = store }

    func id(_ opportunity: Int64) throws -> String {
        if let id = shown[opportunity] { return id }
        let id = DigestSnapshot.richest(try store.records(ofOpportunity: opportunity).map(\.notice))?.id ?? ""
        shown[opportunity] = id
        return id
    }
}
