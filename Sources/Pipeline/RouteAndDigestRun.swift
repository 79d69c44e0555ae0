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
    /// Classify every stored notice again, not only what is new or changed (after editing the rules: a
    /// member who joined gets the open opportunities; what was already sent is not sent again).
    public var reclassifyAll: Bool = false

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

    enum CodingKeys: String, CodingKey {
        case classified, routes, clusters
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

    /// Runs. When `runID` is given, the caller began the run and will finish it; otherwise this records
    /// its own run. `sourceHealth` is tonight's source table (nil: built from the stored source states).
    public func run(
        now: Date, runID givenRunID: Int64? = nil, sourceHealth: [SourceHealth]? = nil,
        progress: (String) -> Void = { _ in }
    ) throws -> RouteAndDigestReport {
        if let only = options.clusters {
            let unknown = only.filter { id in !rulebook.clusters.contains { $0.id == id } }
            if !unknown.isEmpty {
                throw PipelineError.cannotRun(
                    "unknown cluster(s): \(unknown.joined(separator: ", ")) (known: "
                        + rulebook.clusters.map(\.id).joined(separator: ", ") + ")")
            }
        }
        let runID = try givenRunID ?? store.beginRun(at: now)
        let since = options.reclassifyAll ? 0 : try store.lastClassifiedSequence()
        let through = try store.currentChangeSequence()
        progress("classifying notices new or changed since change \(since) (up to \(through))")
        var routeCount = 0
        var classified = 0
        var cursor = since
        // Page through the store: a reclassification of a large store never holds every notice at once.
        while true {
            let batch = try store.noticesChanged(after: cursor, limit: max(options.batchSize, 1))
                .filter { $0.changeSequence <= through }
            guard let last = batch.last else { break }
            var records: [RouteRecord] = []
            for s in batch {
                records += RouteMapping.records(router.route(s.notice, now: now), rulebook: rulebook)
            }
            try store.recordRoutes(
                records, replacingRoutesOf: batch.map(\.id), runID: runID, at: now,
                clusters: options.clusters)
            routeCount += records.count
            classified += batch.count
            cursor = last.changeSequence
        }
        progress("classified \(classified) notices, \(routeCount) routes")
        let health =
            try sourceHealth
            ?? SourceHealthBuilder.fromStates(
                try store.sourceStates(), now: now,
                names: options.sourceNames)
        var reports: [ClusterDigestReport] = []
        for cluster in selectedClusters {
            let report = try digest(cluster, now: now, runID: runID, health: health)
            progress(
                "\(cluster.id): \(report.newNotices) new, \(report.consortia) consortium, "
                    + "\(report.changed) changed" + (report.files.isEmpty ? ", nothing written" : ""))
            reports.append(report)
        }
        let classifiedThrough: Int64? = options.clusters == nil ? through : nil
        if givenRunID == nil {
            try store.finishRun(
                runID, at: now, status: "ok", classifiedThrough: classifiedThrough,
                summary: RouteMapping.encode(reports.map(\.cluster)))
        }
        return RouteAndDigestReport(
            runID: runID, classified: classified, routes: routeCount,
            classifiedThrough: classifiedThrough, clusters: reports)
    }

    func digest(_ cluster: Cluster, now: Date, runID: Int64?, health: [SourceHealth]) throws -> ClusterDigestReport {
        try ClusterDigest.write(
            cluster: cluster, store: store, output: options.outputDirectory,
            formats: options.formats, now: now, runID: runID, health: health,
            deadlineSoonDays: options.deadlineSoonDays, sourceNames: options.sourceNames, markDelivered: true)
    }
}

/// One cluster's digest from what the store holds: assemble, write, record deliveries.
public enum ClusterDigest {
    /// Builds the cluster's digest from its undelivered routes, writes it (a new edition when tonight's
    /// digest exists and there is news; nothing when there is no news and it exists) and, when
    /// `markDelivered`, records the deliveries.
    public static func write(
        cluster: Cluster, store: NoticeStore, output: String, formats: [DigestFormat],
        now: Date, runID: Int64? = nil, health: [SourceHealth]? = nil,
        deadlineSoonDays: Int = 7, sourceNames: [String: String] = [:], markDelivered: Bool
    ) throws -> ClusterDigestReport {
        let sources = try health ?? SourceHealthBuilder.fromStates(try store.sourceStates(), now: now)
        let assembled = try DigestAssembler(
            store: store, cluster: cluster, now: now,
            deadlineSoonDays: deadlineSoonDays
        ).assemble(sources: sources)
        var input = assembled.input
        input.sourceNames = sourceNames
        let writer = DigestWriter(outputDirectory: output, formats: formats)
        var files: [String] = []
        let hasNews = input.hasNews
        let existing = writer.existingEdition(of: input)
        if hasNews || existing == nil {
            // A second run the same night with news writes a second edition instead of replacing the first.
            files = try writer.write(input, edition: existing.map { $0 + 1 })
        }
        // Each member's own digest, to forward as is: only members with news tonight, each with its own
        // editions like the cluster's.
        var memberDigests = 0
        if hasNews {
            for member in cluster.members {
                guard let own = input.forMember(id: member.id, name: member.name) else { continue }
                let previous = writer.existingEdition(of: own)
                try writer.write(own, edition: previous.map { $0 + 1 })
                memberDigests += 1
            }
        }
        if markDelivered {
            try store.markDelivered(
                assembled.deliveries.map {
                    DeliveryRecord(key: $0.route.key, revision: $0.notice.revision, deliveredAt: now, runID: runID)
                })
        }
        let memberNotices = Set(input.members.flatMap { $0.items.map(\.notice.id) })
        return ClusterDigestReport(
            cluster: cluster.id, name: cluster.name,
            newNotices: memberNotices.union(input.calls.map(\.notice.id)).count,
            memberItems: input.members.reduce(0) { $0 + $1.items.count }, consortia: input.consortia.count,
            calls: input.calls.count, watchItems: input.watches.reduce(0) { $0 + $1.items.count },
            changed: input.changed.count, deadlinesSoon: input.deadlinesSoon.count,
            files: files, memberDigests: memberDigests, deliveries: markDelivered ? assembled.deliveries.count : 0)
    }
}
