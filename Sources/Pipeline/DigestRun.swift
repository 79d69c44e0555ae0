import Classifier
import Digest
import Fetcher
import Foundation
import Logging
import Notices
import Store

/// What `vigie digest` needs.
public struct DigestRunOptions: Sendable {
    /// SQLite store (must exist: a digest never creates one).
    public var store: String
    /// Digest output directory (`<output>/<cluster>/`).
    public var output: String
    /// The digest's instant.
    public var now: Date
    /// Only these clusters (nil: every cluster of the rules).
    public var clusters: [String]?
    public var formats: [DigestFormat]
    /// "Dates limites proches": deadlines within this many days.
    public var deadlineSoonDays: Int
    /// Source catalogue, for the sources' names in the health table and to redact their keys from stored
    /// errors; nil or a missing path: the table shows source ids.
    public var feeds: String?
    /// Record the deliveries and compose the e-mail, as `vigie run` does; false: a preview.
    public var markDelivered: Bool

    public init(
        store: String, output: String, now: Date, clusters: [String]? = nil,
        formats: [DigestFormat] = DigestFormat.allCases, deadlineSoonDays: Int = 7, feeds: String? = nil,
        markDelivered: Bool = false
    ) {
        self.store = store
        self.output = output
        self.now = now
        self.clusters = clusters
        self.formats = formats
        self.deadlineSoonDays = deadlineSoonDays
        self.feeds = feeds
        self.markDelivered = markDelivered
    }
}

/// What `vigie digest` did.
public struct DigestRunReport: Sendable, Codable {
    /// The routing and digest step, as in `vigie run`'s report.
    public var routing: RouteAndDigestReport
    /// Whether the deliveries were recorded (`--mark-delivered`); false for a preview, whose items a later run
    /// still writes and sends.
    public var deliveriesRecorded: Bool

    /// 0 when every cluster's digest was written, 1 when a cluster's rules have errors or its digest could not be
    /// written (the other clusters were served).
    public var exitCode: Int32 {
        routing.failedClusters.isEmpty && routing.unwrittenDigests.isEmpty ? 0 : 1
    }

    enum CodingKeys: String, CodingKey {
        case routing
        case deliveriesRecorded = "deliveries_recorded"
    }
}

/// `vigie digest`: route what the store holds and has not been classified yet, then write the digests — the
/// same ``RouteAndDigestRun/run(now:runID:sourceHealth:progress:)`` as `vigie run` after its fetch, so that
/// `vigie fetch` then `vigie digest --mark-delivered` gives the night `vigie run` gives.
///
/// Routing writes the store (routes, the rules' fingerprints, a run record), so even a preview takes the run
/// lock. A preview records routes, never deliveries, and does not count as having classified anything: the run
/// that sends classifies the same notices again (idempotent) and takes them as its night's news.
public enum DigestRun {
    /// Throws `PipelineError` when it could not run (lock held, a selected cluster's rules have errors, store
    /// not writable, no digest writable). `rules` is the rules folder as loaded by `Rulebook.loadEach`.
    public static func run(
        _ options: DigestRunOptions, rules: RulebookLoad, logger: Logger = Logger(label: "vigie.digest"),
        progress: @escaping (String) -> Void = { _ in }
    ) throws -> DigestRunReport {
        let rulebook = rules.rulebook
        for failed in rules.failed {
            progress("\(failed.cluster): rules not loaded, no digest: \(failed.errors.first.map { "\($0)" } ?? "")")
        }
        try ClusterSelection.check(options.clusters, in: rules)
        // The same catalogue reading as `vigie run --no-fetch`: names for the health table, keys to redact.
        var catalogueSources: [SourceDefinition] = []
        var names: [String: String] = [:]
        if let feeds = options.feeds, FileManager.default.fileExists(atPath: feeds) {
            catalogueSources = SourceCatalogue.check(path: feeds).sources
            for s in catalogueSources { names[s.id] = s.name }
        }
        let lock = try RunLock(store: options.store, now: options.now)
        defer { lock.unlock() }
        let store: NoticeStore
        do {
            store = try NoticeStore(path: options.store)
        } catch {
            throw PipelineError.cannotRun("cannot open the store: \(error)")
        }
        let runID: Int64
        do {
            runID = try store.beginRun(at: options.now)
        } catch {
            throw PipelineError.cannotRun("cannot write to the store: \(error)")
        }
        let routing: RouteAndDigestReport
        do {
            let health = SourceHealthBuilder.redacted(
                SourceHealthBuilder.fromStates(try store.sourceStates(), now: options.now, names: names),
                catalogue: catalogueSources)
            let router = Router(
                rulebook: rulebook, options: RouterOptions(clusters: options.clusters, nearMissReasons: false))
            var stageOptions = RouteAndDigestOptions(
                outputDirectory: options.output, formats: options.formats, clusters: options.clusters,
                deadlineSoonDays: options.deadlineSoonDays, sourceNames: names)
            stageOptions.rulesFingerprints = rules.fingerprints
            stageOptions.failedClusters = options.clusters == nil ? rules.failed : []
            stageOptions.markDelivered = options.markDelivered
            stageOptions.sourceOrder = catalogueSources.map(\.id)
            let stage = RouteAndDigestRun(store: store, router: router, options: stageOptions, logger: logger)
            routing = try stage.run(now: options.now, runID: runID, sourceHealth: health, progress: progress)
        } catch {
            RunRecord.abandon(runID, in: store, because: error, at: options.now, logger: logger)
            if error is PipelineError { throw error }
            throw PipelineError.cannotRun("\(error)")
        }
        let report = DigestRunReport(routing: routing, deliveriesRecorded: options.markDelivered)
        do {
            // A preview is recorded as such: it classified nothing as far as the next run is concerned.
            try store.finishRun(
                runID, at: options.now, status: options.markDelivered ? "ok" : "preview",
                classifiedThrough: routing.classifiedThrough, summary: try RouteMapping.encode(report))
            // Checkpoint the WAL into the .sqlite file and close: the file alone is then the whole store.
            try store.close()
        } catch {
            throw PipelineError.cannotRun("cannot record the end of the digest run: \(error)")
        }
        return report
    }
}
