import Classifier
import Digest
import Fetcher
import Foundation
import Logging
import Mail
import Notices
import Store

/// What `vigie run` needs.
public struct NightlyRunOptions: Sendable {
    /// Source catalogue: a directory of `*.yaml` or one file (`Feeds/demo.yaml`).
    public var feeds: String
    /// Rules directory.
    public var rules: String
    /// SQLite store (created when missing).
    public var store: String
    /// Digest output directory.
    public var output: String
    /// The run's instant (nil: the clock). A fixed value makes demo output reproducible, and is the fetch's
    /// clock too: the first night's window counts from it, and a record dated after it never moves a cursor.
    public var now: Date?
    /// Only these source ids (all enabled sources when empty).
    public var onlySources: [String]
    /// Only these clusters (nil: all).
    public var clusters: [String]?
    public var formats: [DigestFormat]
    public var concurrency: Int
    /// Skip the fetch: route and digest what the store already holds.
    public var skipFetch: Bool
    public var userAgent: String
    /// "Dates limites proches": deadlines within this many days.
    public var deadlineSoonDays: Int
    /// Classify every stored notice again (after a rules change).
    public var reclassifyAll = false
    /// Delete notices over (deadline passed, not seen in any source) for more than this many days;
    /// nil keeps everything.
    public var keepDays: Int?
    /// Forget the text of e-mails sent (or refused for good and reported) more than this many days ago; their
    /// outbox rows stay, so none is sent twice. nil or 0 keeps every message.
    public var keepMailDays: Int? = 30
    /// Seconds the whole fetch may take (nil: no limit); sources not done by then fail with `time-budget`.
    public var runTimeBudget: Double? = FetchConfiguration().runTimeBudget
    /// Seconds one source may take unless its catalogue entry says otherwise (`time_budget_s`); nil: no limit.
    public var sourceTimeBudget: Double? = FetchConfiguration().sourceTimeBudget
    /// What to do with the night's e-mail once the digests are out (composed in the outbox either way).
    public var mail: MailMode = .keep
    /// Whether tonight is a first night: everything stored, routed and written, the deliveries recorded (the
    /// next night sends only what is new), but no e-mail composed or sent. Default: automatic, on a new store.
    public var firstNight: FirstNightMode = .automatic
    /// `--days-back`: the window of a source without a stored cursor starts this many days before the run,
    /// instead of its catalogue's `first_night_days` (nil: each source's own).
    public var firstNightDays: Int?

    public init(
        feeds: String, rules: String, store: String, output: String, now: Date? = nil,
        onlySources: [String] = [], clusters: [String]? = nil, formats: [DigestFormat] = DigestFormat.allCases,
        concurrency: Int = 16, skipFetch: Bool = false, userAgent: String = "Vigie",
        deadlineSoonDays: Int = 7
    ) {
        self.feeds = feeds
        self.rules = rules
        self.store = store
        self.output = output
        self.now = now
        self.onlySources = onlySources
        self.clusters = clusters
        self.formats = formats
        self.concurrency = concurrency
        self.skipFetch = skipFetch
        self.userAgent = userAgent
        self.deadlineSoonDays = deadlineSoonDays
    }
}

/// When a run is a first night (nothing sent).
public enum FirstNightMode: Sendable {
    /// On a new store: one with no completed run and no mail ever composed (a first run that failed or was
    /// interrupted sent nothing, so the next one is still the first night).
    case automatic
    /// Tonight is a first night whatever the store holds (`--first-night`).
    case on
    /// Never: mail is composed and sent from the first run (`--no-first-night`: the demo, tests).
    case off
}

/// What a run does with the outbox.
public enum MailMode: Sendable {
    /// Leave it composed: `vigie send` sends it later (staff may read the digests first).
    case keep
    /// Send it through this server.
    case send(SMTPSettings)
    /// Write each pending message as an `.eml` file under the output folder, send nothing.
    case preview
}

/// What a nightly run did.
public struct NightlyRunReport: Sendable, Codable {
    public var runID: Int64
    public var startedAt: Date
    /// `ok`, or `partial` when some sources failed (the run still completed).
    public var status: String
    public var sources: [SourceRunReport]
    public var routing: RouteAndDigestReport
    /// Notices deleted by `keepDays`.
    public var pruned: Int = 0
    /// E-mails whose text `keepMailDays` dropped from the outbox, and the bytes given back.
    public var prunedMessages: Int = 0
    public var prunedMessageBytes: Int = 0
    /// Pid of a previous run that died holding the lock, when one did.
    public var staleLockHolder: Int32?
    /// The e-mail step (`--send`, `--dry-run`); nil when the mail was only composed, or on a first night.
    public var mail: MailReport?
    /// Tonight was a first night: digests written and deliveries recorded, no e-mail composed or sent.
    public var firstNight = false
    /// Envelope recipients the mail server accepted tonight (0 on a first night).
    public var messagesSent = 0
    /// Staff told by e-mail that their cluster's rules did not load (cluster ids; the mail is in the outbox).
    public var staffNotified: [String] = []

    /// 0 when every source and cluster succeeded, 1 when the run completed with failed sources, clusters whose
    /// rules could not be loaded, or digests that could not be written.
    public var exitCode: Int32 {
        sources.contains(where: \.isFailure) || !routing.failedClusters.isEmpty || !routing.unwrittenDigests.isEmpty
            || (mail?.exitCode ?? 0) != 0 ? 1 : 0
    }

    enum CodingKeys: String, CodingKey {
        case status, sources, routing, pruned
        case prunedMessages = "pruned_messages"
        case prunedMessageBytes = "pruned_message_bytes"
        case runID = "run_id"
        case startedAt = "started_at"
        case staleLockHolder = "stale_lock_holder"
        case mail
        case firstNight = "first_night"
        case messagesSent = "messages_sent"
        case staffNotified = "staff_notified"
    }
}

/// `vigie run`: lock, fetch every source (FetchRun: parse, upsert with dedup and versions, one transaction per
/// source), then route what is new or changed and write every cluster's digest (RouteAndDigestRun).
///
/// A first night (``FirstNightMode``) does all of this and records the deliveries, but composes no e-mail: no
/// outbox entry exists for its editions, so no later `vigie send` or `--send` can ever send them — nothing of it is
/// sent twice, and nothing is lost (the items are in the digests the staff read, and the next night's news is
/// exactly what came after).
///
/// Throws `PipelineError` only when the run could not run (lock held, bad rules or catalogue, store not
/// writable, digests not writable): exit 2. A dead source is reported in `sources`, not thrown.
public enum NightlyRun {
    /// Cluster id → fingerprint of the rules the store's routes were computed with (rules that linted clean
    /// then; a cluster whose file failed is recorded `unloaded`, which no rules match): what
    /// ``Classifier/Rulebook/loadEach(directory:vocabulary:linted:cache:)`` need not lint again. None when the store
    /// does not exist yet (nothing is created here) or cannot be read: then every cluster is linted, and opening
    /// the store for the run says what is wrong with it.
    public static func recordedRules(store path: String) -> [String: String] {
        guard FileManager.default.fileExists(atPath: path) else { return [:] }
        do {
            let store = try NoticeStore(path: path)
            let recorded = try store.rulesFingerprints()
            try store.close()
            return recorded
        } catch {
            return [:]
        }
    }

    /// Where ``Classifier/Rulebook/loadEach(directory:vocabulary:linted:cache:)`` keeps the rule files it read:
    /// `<store>.rules-cache`, beside the store (never in the rules folder, which users keep in git). None while
    /// the store does not exist: a run that cannot run leaves nothing behind.
    public static func rulesCache(store path: String) -> String? {
        FileManager.default.fileExists(atPath: path) ? path + ".rules-cache" : nil
    }

    public static func run(
        _ options: NightlyRunOptions, logger: Logger = Logger(label: "vigie.run"),
        progress: @escaping (String) -> Void = { _ in }
    ) throws -> NightlyRunReport {
        let now = options.now ?? Date()
        // The inputs first, read-only: a run that cannot run (no rules folder, a bad catalogue) leaves nothing
        // behind — no store, no lock file, no folder.
        //
        // Cluster by cluster: one cluster's broken file (empty, a YAML error) is that cluster's failure, reported
        // with its location (`file:line:col`) and a failing exit code; the other clusters are still served tonight.
        let rules: RulebookLoad
        do {
            // Rules are linted once per change: those the store routed with were linted clean then.
            rules = try Rulebook.loadEach(
                directory: options.rules, linted: recordedRules(store: options.store),
                cache: rulesCache(store: options.store))
        } catch {
            throw PipelineError.cannotRun("cannot load the rules in \(options.rules): \(error)")
        }
        if let problem = rules.cacheProblem {
            // Only a cache: the rules were read from their files, tonight runs as it would without it.
            logger.notice("rules: cache not used: \(problem)")
        }
        let rulebook = rules.rulebook
        try ClusterSelection.check(options.clusters, in: rules)
        var selected: [SourceDefinition] = []
        var catalogueSources: [SourceDefinition] = []
        var names: [String: String] = [:]
        if !options.skipFetch {
            let check = SourceCatalogue.check(path: options.feeds)
            if let first = check.errors.first {
                throw PipelineError.cannotRun(
                    "the catalogue \(options.feeds) has \(check.errors.count) error(s), "
                        + "first: \(first)")
            }
            selected = try FetchRun.select(SourceCatalogue(sources: check.sources), only: options.onlySources)
            for s in check.sources { names[s.id] = s.name }
            catalogueSources = check.sources
        } else if FileManager.default.fileExists(atPath: options.feeds) {
            // Not fetching, but the catalogue still gives the sources' names for the health table.
            catalogueSources = SourceCatalogue.check(path: options.feeds).sources
            for s in catalogueSources { names[s.id] = s.name }
        }

        // A first nightly run on a fresh machine: create the store's folder rather than fail on it.
        let folder = (options.store as NSString).deletingLastPathComponent
        if !folder.isEmpty, !FileManager.default.fileExists(atPath: folder) {
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw PipelineError.cannotRun(
                    "cannot create the store's folder \(folder): \(error.localizedDescription)")
            }
        }
        let lock = try RunLock(store: options.store, now: now)
        defer { lock.unlock() }
        if let stale = lock.staleHolder {
            progress("previous run (pid \(stale)) died without finishing; its work is resumed")
        }
        for failed in rules.failed {
            progress(
                "\(failed.cluster): rules not loaded, no digest tonight: \(failed.errors.first.map { "\($0)" } ?? "")")
        }
        let store: NoticeStore
        do {
            store = try NoticeStore(path: options.store)
        } catch {
            throw PipelineError.cannotRun("cannot open the store: \(error)")
        }
        let firstNight: Bool
        switch options.firstNight {
        case .on: firstNight = true
        case .off: firstNight = false
        case .automatic:
            do {
                firstNight = try !store.hasCompletedNight()
            } catch {
                throw PipelineError.cannotRun("cannot read the store: \(error)")
            }
        }
        if firstNight {
            progress("première nuit : tout est enregistré, routé et écrit, aucun courriel n'est composé ni envoyé")
        }
        let runID: Int64
        do {
            runID = try store.beginRun(at: now)
        } catch {
            throw PipelineError.cannotRun("cannot write to the store: \(error)")
        }

        /// Records a run that stops on `error` (interrupted or failed, never classified through) and closes the
        /// store. The run's own error is what the operator needs: a failure to record it is logged, not thrown.
        func abandon(_ error: any Error, at date: Date) {
            RunRecord.abandon(runID, in: store, because: error, at: date, logger: logger)
        }

        var reports: [SourceRunReport] = []
        if !options.skipFetch {
            progress("fetching \(selected.filter { $0.enabled || !options.onlySources.isEmpty }.count) sources")
            var configuration = FetchConfiguration(maxConcurrent: max(1, options.concurrency))
            configuration.transport.userAgent = options.userAgent
            // A run replayed at a given date (`--now`) computes the first night's window and the latest date a
            // cursor may take from that date, not from the machine's clock.
            configuration.now = options.now
            configuration.firstNightDays = options.firstNightDays
            configuration.runTimeBudget = options.runTimeBudget
            configuration.sourceTimeBudget = options.sourceTimeBudget
            // A stop request ends the transfers on the spot; sources already stored stay stored, each one whole.
            configuration.shouldStop = { StopRequest.shared.receivedSignal != nil }
            let engine = FetchEngine(configuration: configuration, logger: logger)
            let fixed = now
            do {
                reports = try FetchRun.run(
                    selected, store: store, engine: engine,
                    includeDisabled: !options.onlySources.isEmpty, logger: logger,
                    now: { options.now == nil ? Date() : fixed })
            } catch {
                abandon(error, at: Date())
                throw error
            }
            let width = max(12, reports.map(\.source.count).max() ?? 12)
            for r in reports { progress(FetchRun.line(r, idWidth: width)) }
        }

        let routing: RouteAndDigestReport
        do {
            let health =
                options.skipFetch
                ? SourceHealthBuilder.fromStates(try store.sourceStates(), now: now, names: names)
                : SourceHealthBuilder.fromReports(reports, states: try store.sourceStates(), names: names)
            let redacted = SourceHealthBuilder.redacted(health, catalogue: catalogueSources)
            // The store keeps a near miss's cause and score, not the evidence behind it.
            let router = Router(
                rulebook: rulebook, options: RouterOptions(clusters: options.clusters, nearMissReasons: false))
            var stageOptions = RouteAndDigestOptions(
                outputDirectory: options.output, formats: options.formats, clusters: options.clusters,
                deadlineSoonDays: options.deadlineSoonDays, sourceNames: names)
            stageOptions.reclassifyAll = options.reclassifyAll
            stageOptions.rulesFingerprints = rules.fingerprints
            stageOptions.failedClusters = options.clusters == nil ? rules.failed : []
            stageOptions.composeMail = !firstNight
            stageOptions.sourceOrder = catalogueSources.map(\.id)
            let stage = RouteAndDigestRun(store: store, router: router, options: stageOptions, logger: logger)
            routing = try stage.run(now: now, runID: runID, sourceHealth: redacted, progress: progress)
        } catch {
            abandon(error, at: now)
            if error is PipelineError { throw error }
            throw PipelineError.cannotRun("\(error)")
        }
        let status = reports.contains(where: \.isFailure) ? "partial" : "ok"
        var pruned = 0
        if let days = options.keepDays, days > 0 {
            do {
                pruned = try store.prune(before: now.addingTimeInterval(-Double(days) * 86_400))
                if pruned > 0 { progress("pruned \(pruned) notices over for more than \(days) days") }
            } catch {
                // Housekeeping: tonight's digests are out; report and go on.
                progress("cannot prune the store: \(error)")
            }
        }
        var droppedMail = (messages: 0, bytes: 0)
        if let days = options.keepMailDays, days > 0 {
            do {
                droppedMail = try store.dropSentMessages(before: now.addingTimeInterval(-Double(days) * 86_400))
                if droppedMail.messages > 0 {
                    progress("dropped the text of \(droppedMail.messages) e-mails sent more than \(days) days ago")
                }
            } catch {
                progress("cannot prune the outbox: \(error)")
            }
        }
        var report = NightlyRunReport(
            runID: runID, startedAt: now, status: status, sources: reports,
            routing: routing, staleLockHolder: lock.staleHolder)
        report.pruned = pruned
        report.prunedMessages = droppedMail.messages
        report.prunedMessageBytes = droppedMail.bytes
        report.firstNight = firstNight
        do {
            report.staffNotified = try contacts(
                rulebook: rulebook, failed: firstNight ? [] : routing.failedClusters, store: store, now: now)
        } catch {
            // Tonight's digests are out: a contact not recorded, or a warning not composed, is reported, not fatal.
            logger.error("cannot record or tell the clusters' contacts", metadata: ["error": "\(error)"])
        }
        for c in report.staffNotified {
            progress("\(c): its staff are told by e-mail that the rules file did not load")
        }
        do {
            try store.finishRun(
                runID, at: options.now ?? Date(), status: status,
                classifiedThrough: routing.classifiedThrough,
                summary: try RouteMapping.encode(report))
        } catch {
            throw PipelineError.cannotRun("cannot record the end of the run: \(error)")
        }
        // The digests are out and recorded: now the e-mail. A mail server down is this step's failure (exit 1,
        // retried by the next run or `vigie send`), never the night's.
        if firstNight {
            // A first night composed nothing of tonight's; mail left by an earlier run waits for `vigie send`.
            if case .keep = options.mail {
            } else {
                progress("première nuit : aucun envoi (les envois commencent la nuit prochaine)")
            }
        } else {
            switch options.mail {
            case .keep: break
            case .send(let settings):
                report.mail = try MailDelivery(store: store, logger: logger).send(
                    settings: settings, clusters: options.clusters, progress: progress)
            case .preview:
                report.mail = try MailDelivery(store: store, logger: logger).preview(
                    output: options.output, clusters: options.clusters)
            }
        }
        report.messagesSent = report.mail?.accepted ?? 0
        // Checkpoint the WAL into the .sqlite file and close: the file alone is then the whole store.
        do {
            try store.close()
        } catch {
            throw PipelineError.cannotRun("cannot close the store: \(error)")
        }
        return report
    }

    /// Records the contacts (name, sender, staff) of every cluster whose rules loaded tonight, and composes, for
    /// each cluster whose rules did not, a message to the staff recorded the last night they did. Returns the
    /// clusters whose staff were written to.
    static func contacts(
        rulebook: Rulebook, failed: [FailedClusterReport], store: NoticeStore, now: Date
    ) throws -> [String] {
        for cluster in rulebook.clusters {
            guard let sender = cluster.delivery.sender else { continue }
            try store.setClusterContact(
                ClusterContact(
                    cluster: cluster.id, name: cluster.name, sender: sender, staff: cluster.delivery.staff,
                    updatedAt: now))
        }
        var told: [String] = []
        for f in failed {
            guard let contact = try store.clusterContact(f.cluster) else { continue }
            let entries = try MailComposer.rulesFailure(f, contact: contact, now: now)
            guard !entries.isEmpty else { continue }
            try store.enqueueMail(entries)
            told.append(f.cluster)
        }
        return told
    }

    /// The summary printed on stdout.
    public static func summary(_ r: NightlyRunReport) -> [String] {
        var lines: [String] = []
        let failed = r.sources.filter(\.isFailure)
        let inserted = r.sources.reduce(0) { $0 + $1.inserted }
        let changed = r.sources.reduce(0) { $0 + $1.changed }
        // A source stopped at an API cap stored what it fetched: it is not a failure, but it is not done either.
        let incomplete = r.sources.filter { $0.status == "incomplete" }
        if !r.sources.isEmpty {
            var line = "sources: \(r.sources.count - failed.count - incomplete.count) ok, "
            if !incomplete.isEmpty {
                let owed = incomplete.map { "\($0.source): \($0.left.map { "\($0) left" } ?? "more left")" }
                line += "\(incomplete.count) incomplete (\(owed.joined(separator: ", ")); resumed next run), "
            }
            line += "\(failed.count) failed"
            if !failed.isEmpty { line += " (\(failed.map(\.source).joined(separator: ", ")))" }
            lines.append(line + "; notices: +\(inserted) new, ~\(changed) changed")
        }
        lines.append("classified: \(r.routing.classified) notices, \(r.routing.routes) routes")
        for c in r.routing.clusters {
            var line =
                "\(c.cluster): \(c.newNotices) new notices (\(c.memberItems) member items), "
                + "\(c.consortia) consortium, \(c.calls) calls, \(c.watchItems) watch matches, \(c.changed) changed, "
                + "\(c.deadlinesSoon) deadlines soon"
            if let first = c.files.first {
                let stem = (first as NSString).deletingPathExtension
                let exts = c.files.filter { !($0 as NSString).lastPathComponent.hasPrefix("latest.") }
                    .map { ($0 as NSString).pathExtension }
                line += " -> \(stem).{\(exts.joined(separator: ","))}"
                if c.memberDigests > 0 { line += " + \(c.memberDigests) member digests in adherents/" }
            } else {
                line += " -> nothing new, no file written"
            }
            lines.append(line)
        }
        if r.routing.recoveredEditions > 0 {
            lines.append(
                "recovered: \(r.routing.recoveredEditions) edition(s) interrupted by the previous run, now in place")
        }
        if !r.routing.rerouted.isEmpty {
            lines.append(
                "rules changed: \(r.routing.rerouted.joined(separator: ", ")) routed again over every stored notice")
        }
        for u in r.routing.unwrittenDigests {
            lines.append(
                "\(u.cluster): DIGEST NOT WRITTEN (nothing recorded as sent; the next run writes it): \(u.error)")
        }
        for f in r.routing.failedClusters {
            lines.append("\(f.cluster): NOT DIGESTED, its rules have errors: \(f.errors.first ?? f.file)")
        }
        if r.pruned > 0 { lines.append("pruned: \(r.pruned) notices") }
        if r.prunedMessages > 0 {
            let mb = String(format: "%.1f", Double(r.prunedMessageBytes) / 1_048_576)
            lines.append("pruned: the text of \(r.prunedMessages) e-mails long sent (\(mb) MB)")
        }
        if !r.staffNotified.isEmpty {
            lines.append(
                "staff told by e-mail that their rules did not load: \(r.staffNotified.joined(separator: ", "))")
        }
        if r.firstNight {
            lines.append(
                "première nuit : \(r.routing.classified) avis enregistrés et routés, digests écrits, aucun envoi "
                    + "(les envois commencent la nuit prochaine)")
        }
        if let m = r.mail { lines += MailDelivery.summary(m) }
        lines.append("run \(r.runID): \(r.status)")
        return lines
    }
}
