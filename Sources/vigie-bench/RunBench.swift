import ArgumentParser
import Classifier
import Fetcher
import Foundation
import Logging
import Notices
import Parser
import Pipeline
import Store

/// `vigie-bench run`: a night as a user's data makes it, timed in-process.
///
/// In a temporary folder: `--notices` notices as BOAMP API and TED search pages (250 records a page, one
/// `file://` source per page in a generated catalogue), and the rules (`Rules/` as they are, or `--clusters` ×
/// `--members-per-cluster` derived from its example clusters). Then two timed steps on a new store:
/// 1. `fetch_store_s`: `FetchRun.run` over the catalogue (libcurl `file://` fetch, parse, one transaction per
///    source), as `vigie fetch` does;
/// 2. `classify_route_digest_s`: `NightlyRun.run` with `skipFetch` and `firstNight: .off` (a normal night:
///    classify every new notice, route, write every digest format, compose the mail) — the whole night minus the
///    fetch, so its figure is the issue's "classify + route + digest".
/// Peak RSS is each step's own (`VmHWM`, reset between steps); files and bytes are those under the output folder.
///
/// With `--history N`, the store holds N notices of earlier nights before tonight's fetch (see
/// ``HistoryBuilder``), and a third timed step follows: `nothing_new_s`, the next night (tomorrow, nothing fetched
/// since). The night's cost must not grow with that history: only its own notices and its windows (deadlines soon,
/// subscription) count.
struct RunBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "A nightly run on generated notices: fetch+store, then classify+route+digest, timed.")

    @Option(
        help: ArgumentHelp(
            "Clusters (default: the example clusters of Rules/ as they are).",
            discussion:
                "Generated clusters copy the examples' value chains, each on its own home département (its "
                + "neighbours as territory, its members' sites there), as a national deployment spreads over the "
                + "country."))
    var clusters: Int?

    @Option(help: "Members per generated cluster (default 20 when --clusters is given).")
    var membersPerCluster: Int?

    @Option(
        help: ArgumentHelp(
            "The generated clusters' delivery.member_files (all, unmailed, none); default: the examples' setting.",
            discussion:
                "A national deployment that mails its members writes no files for them: --member-files unmailed."))
    var memberFiles: String?

    @Option(help: "Notices in tonight's pages.")
    var notices: Int = 10_000

    @Option(help: "Percent of the notices whose title names what a cluster looks for (the rest routes nowhere).")
    var topicalPercent: Int = 20

    @Option(help: "Random seed.")
    var seed: UInt64 = 42

    @Option(
        help: "Notices of earlier nights already in the store, routed and delivered, before tonight's (default 0).")
    var history: Int = 0

    @Option(
        help: ArgumentHelp(
            "Keep the store with its history here: built once, then copied for each run with the same options.",
            discussion:
                "Building a million notices of history takes most of an hour; the figures of tonight's night are "
                + "the same on a copy. The options it was built with are kept beside it (`PATH.options`) and must "
                + "match."))
    var historyStore: String?

    @Flag(
        help: ArgumentHelp(
            "Lay the history's nights one day apart up to yesterday: the subscription window full (steady state).",
            discussion:
                "By default the history ends 61 days before tonight, outside every window, so it measures the "
                + "store's size alone. A deployment that has run for two months has its subscription window "
                + "(latest.atom, latest.ics) and its deadlines full of the notices it told: with this flag, "
                + "tonight and the night after pay for those windows as they would after 60 nights of 2,500 "
                + "notices (`--history 150000`)."))
    var historyInWindow = false

    @Option(help: "The repository (its Feeds/samples and Rules).")
    var repo: String = "."

    @Option(help: "Keep the generated folder here instead of a temporary one deleted at the end.")
    var keep: String?

    @Flag(help: "Print one JSON line.")
    var json = false

    struct Output: Encodable {
        var notices: Int
        var topical_percent: Int
        var stored_notices: Int
        var sources: Int
        var clusters: Int
        var members: Int
        var fetch_store_s: Double
        var fetch_peak_rss_mb: Double
        var classify_route_digest_s: Double
        var peak_rss_mb: Double
        var process_peak_rss_mb: Double
        var classified: Int
        var routes: Int
        var failed_clusters: Int
        var member_files: String?
        /// Distinct files (a hard link counts once) and their bytes.
        var files_written: Int
        var bytes_written: Int
        /// File names under the output folder, links included.
        var paths_written: Int
        var store_bytes: Int
        var history_notices: Int
        var history_build_s: Double
        var nothing_new_s: Double
        var nothing_new_files: Int
        /// CPU seconds (user + system) of the same steps: on a machine shared with other work, the figure that
        /// does not move with the load.
        var classify_route_digest_cpu_s: Double
        var nothing_new_cpu_s: Double
    }

    func run() throws {
        guard notices > 0 else { throw ValidationError("--notices must be positive") }
        guard history >= 0 else { throw ValidationError("--history must not be negative") }
        guard history > 0 || !historyInWindow else { throw ValidationError("--history-in-window needs --history N") }
        let fm = FileManager.default
        let root = keep ?? (NSTemporaryDirectory() + "vigie-bench-run-\(getpid())")
        try? fm.removeItem(atPath: root)
        for d in ["pages", "rules", "out"] {
            try fm.createDirectory(atPath: "\(root)/\(d)", withIntermediateDirectories: true)
        }
        defer { if keep == nil { try? fm.removeItem(atPath: root) } }

        // Tonight's pages: published today or in the two days before, deadlines 3–60 days later.
        var corpus = try BenchCorpus(repo: repo, seed: seed)
        corpus.topicalPercent = topicalPercent
        let now = Date()
        var catalogue = "sources:\n"
        var left = notices
        var page = 0
        while left > 0 {
            let count = min(250, left)
            let ted = page % 2 == 1
            var rng = ClassifyCorpusGenerator(seed: seed &+ UInt64(page))
            let data = try corpus.page(
                ted: ted, count: count,
                published: { now.addingTimeInterval(-Double(rng.below(2 * 86_400))) },
                deadlineAfter: { $0.addingTimeInterval(Double(3 + rng.below(58)) * 86_400) })
            let file = "\(root)/pages/page-\(page).json"
            try data.write(to: URL(fileURLWithPath: file))
            let id = String(format: "bench-%@-%04d", ted ? "ted" : "boamp", page)
            catalogue += """
                  - id: \(id)
                    name: \(ted ? "TED" : "BOAMP") page \(page)
                    owner: vigie-bench
                    kind: tenders
                    format: \(ted ? "ted-json" : "boamp-json")
                    url: file://\(file)
                    licence: generated

                """
            left -= count
            page += 1
        }
        let feeds = "\(root)/catalogue.yaml"
        try catalogue.write(toFile: feeds, atomically: true, encoding: .utf8)

        let rules: String
        var clusterCount = 0
        var memberCount = 0
        if clusters == nil, membersPerCluster == nil, memberFiles == nil {
            rules = "\(repo)/Rules"
            let derived = try RulesDeriver(rulesFolder: rules)
            clusterCount = derived.templates.count
            memberCount = derived.templates.map(\.memberCount).reduce(0, +)
        } else {
            rules = "\(root)/rules"
            let c = clusters ?? 4
            let m = membersPerCluster ?? 20
            guard c > 0, m > 0 else { throw ValidationError("--clusters and --members-per-cluster must be positive") }
            let derived = try RulesDeriver(rulesFolder: "\(repo)/Rules")
            try derived.write(clusters: c, members: m, to: rules, seed: seed, memberFiles: memberFiles)
            clusterCount = c
            memberCount = c * m
        }

        let store = "\(root)/vigie.sqlite"
        let output = "\(root)/out"
        var logger = Logger(label: "vigie-bench.run")
        logger.logLevel = .error

        // 0. The store's past, untimed in the night's figures.
        var historyStored = 0
        var historyS = 0.0
        if history > 0 {
            let t = DispatchTime.now().uptimeNanoseconds
            // What the kept store was built from: the same options give the same history.
            let spec =
                "history \(history) seed \(seed) topical \(topicalPercent) clusters \(clusters.map(String.init) ?? "-") "
                + "members \(membersPerCluster.map(String.init) ?? "-") member-files \(memberFiles ?? "-")"
                + (historyInWindow ? " in-window" : "") + "\n"
            if let kept = historyStore, fm.fileExists(atPath: kept) {
                let built = (try? String(contentsOfFile: kept + ".options", encoding: .utf8)) ?? "(none)"
                guard built == spec else {
                    throw ValidationError(
                        "--history-store \(kept) was built with other options (\(built.trimmingCharacters(in: .newlines))); "
                            + "expected \(spec.trimmingCharacters(in: .newlines))")
                }
                try fm.copyItem(atPath: kept, toPath: store)
                let check = try NoticeStore(path: store)
                historyStored = try check.noticeCount()
                try check.close()
            } else {
                var builder = try HistoryBuilder(
                    repo: repo, rules: rules, store: store, seed: seed, topicalPercent: topicalPercent)
                historyStored = try builder.build(notices: history, before: now, inWindow: historyInWindow)
                if let kept = historyStore {
                    try fm.copyItem(atPath: store, toPath: kept)
                    try spec.write(toFile: kept + ".options", atomically: true, encoding: .utf8)
                }
            }
            historyS = seconds(since: t)
            if !json {
                print(String(format: "history: %d notices routed and delivered in %.2f s", historyStored, historyS))
            }
        }

        // 1. fetch + parse + store.
        PeakMemory.reset()
        let t0 = DispatchTime.now().uptimeNanoseconds
        let check = SourceCatalogue.check(path: feeds)
        if let first = check.errors.first { throw BenchError("generated catalogue: \(first)") }
        let noticeStore = try NoticeStore(path: store)
        let engine = FetchEngine(configuration: FetchConfiguration(maxConcurrent: 16), logger: logger)
        let reports = try FetchRun.run(check.sources, store: noticeStore, engine: engine, logger: logger)
        let stored = try noticeStore.noticeCount()
        try noticeStore.close()
        let fetchS = seconds(since: t0)
        let fetchPeak = PeakMemory.megabytes()
        if let failed = reports.first(where: \.isFailure) {
            throw BenchError("source \(failed.source) failed: \(failed.error ?? failed.reason ?? failed.status)")
        }
        if !json { print(String(format: "fetch+store: %d notices stored in %.2f s", stored, fetchS)) }

        // 2. classify + route + digest: the night after the fetch.
        var options = NightlyRunOptions(feeds: feeds, rules: rules, store: store, output: output, skipFetch: true)
        options.firstNight = .off
        PeakMemory.reset()
        let t1 = DispatchTime.now().uptimeNanoseconds
        let c1 = cpuSeconds()
        let report = try NightlyRun.run(options, logger: logger)
        let nightS = seconds(since: t1)
        let nightCPU = cpuSeconds() - c1
        let nightPeak = PeakMemory.megabytes()
        if let failed = report.routing.failedClusters.first {
            throw BenchError("cluster \(failed.cluster): rules not loaded: \(failed.errors.first ?? "")")
        }

        // Files as the disk holds them: a `latest.*` that is a hard link to tonight's dated file is one file, its
        // bytes written once; `paths` counts the names.
        var files = 0
        var bytes = 0
        var paths = 0
        var seen: Set<[Int]> = []
        if let e = fm.enumerator(atPath: output) {
            while let path = e.nextObject() as? String {
                let a = try fm.attributesOfItem(atPath: "\(output)/\(path)")
                if (a[.type] as? FileAttributeType) == .typeRegular {
                    paths += 1
                    let inode = [(a[.systemNumber] as? Int) ?? 0, (a[.systemFileNumber] as? Int) ?? paths]
                    if seen.insert(inode).inserted {
                        files += 1
                        bytes += (a[.size] as? Int) ?? 0
                    }
                }
            }
        }
        let storeBytes = (try fm.attributesOfItem(atPath: store)[.size] as? Int) ?? 0

        // 3. The next night, with nothing fetched since: its cost is its windows', never the history's.
        var nextNight = NightlyRunOptions(
            feeds: feeds, rules: rules, store: store, output: "\(root)/out-next",
            now: Date().addingTimeInterval(86_400),
            skipFetch: true)
        nextNight.firstNight = .off
        let t2 = DispatchTime.now().uptimeNanoseconds
        let c2 = cpuSeconds()
        let next = try NightlyRun.run(nextNight, logger: logger)
        let nothingNewS = seconds(since: t2)
        let nothingNewCPU = cpuSeconds() - c2
        if next.routing.classified != 0 {
            throw BenchError("the night after tonight classified \(next.routing.classified) notices, expected none")
        }
        let nextFiles = next.routing.clusters.reduce(0) { $0 + $1.files.count }
        let out = Output(
            notices: notices, topical_percent: topicalPercent, stored_notices: stored, sources: page,
            clusters: clusterCount, members: memberCount,
            fetch_store_s: round3(fetchS), fetch_peak_rss_mb: round3(fetchPeak),
            classify_route_digest_s: round3(nightS), peak_rss_mb: round3(nightPeak),
            process_peak_rss_mb: round3(PeakMemory.processPeakMB()), classified: report.routing.classified,
            routes: report.routing.routes,
            failed_clusters: report.routing.failedClusters.count,
            member_files: memberFiles, files_written: files, bytes_written: bytes, paths_written: paths,
            store_bytes: storeBytes, history_notices: historyStored,
            history_build_s: round3(historyS), nothing_new_s: round3(nothingNewS), nothing_new_files: nextFiles,
            classify_route_digest_cpu_s: round3(nightCPU), nothing_new_cpu_s: round3(nothingNewCPU))
        if json {
            try printJSONLine(out)
        } else {
            print(
                String(
                    format:
                        "%d clusters, %d members: classify+route+digest %.2f s, peak RSS %.0f MB, %d files, %.1f MB written",
                    clusterCount, memberCount, nightS, nightPeak, files, Double(bytes) / 1_048_576))
            print(String(format: "next night, nothing new: %.2f s", nothingNewS))
        }
    }
}

/// User + system CPU seconds of this process so far.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return s(usage.ru_utime) + s(usage.ru_stime)
}

/// The past of a store: notices of earlier nights, stored, routed and delivered as those nights did, minus the
/// digest files (their rows — notices, versions, routes, deliveries, runs, rules fingerprints — are a real night's;
/// only the editions' files and their mail are not written).
///
/// Nights of 2,500 notices a week apart, the last one 61 days before tonight: every deadline (3–60 days after
/// publication) has passed and every delivery is older than the default 60-day subscription window, so the history
/// adds nothing to tonight's lists — whatever tonight costs more with it is the store's size, not its news. With
/// `inWindow`, nights a day apart up to yesterday instead: a deployment's steady state, its subscription window
/// and deadlines full of what it told (what tonight costs more then is its windows'). Each
/// night: the generated BOAMP/TED pages parsed as `vigie fetch` parses them, upserted in one transaction, routed by
/// `RouteAndDigestRun.route` at that night's date (the real classification, with the rules' fingerprints), every
/// pending route recorded as delivered at that date, and the run finished as classified through.
struct HistoryBuilder {
    static let perNight = 2_500
    var corpus: BenchCorpus
    let rules: RulebookLoad
    let router: Router
    let storePath: String
    let seed: UInt64

    init(repo: String, rules folder: String, store: String, seed: UInt64, topicalPercent: Int) throws {
        corpus = try BenchCorpus(repo: repo, seed: seed ^ 0x4849_5354)
        corpus.topicalPercent = topicalPercent
        // Identifiers (BOAMP idweb, TED publication number, procedure ids) apart from tonight's.
        corpus.serial = 50_000_000
        rules = try Rulebook.loadEach(directory: folder)
        router = Router(rulebook: rules.rulebook)
        storePath = store
        self.seed = seed
    }

    /// Stores `notices` notices of past nights; returns how many the store holds afterwards.
    mutating func build(notices: Int, before tonight: Date, inWindow: Bool = false) throws -> Int {
        let store = try NoticeStore(path: storePath)
        let nights = (notices + Self.perNight - 1) / Self.perNight
        var left = notices
        var page = 0
        for k in 0..<nights {
            let daysBefore = inWindow ? nights - k : 61 + 7 * (nights - 1 - k)
            let date = tonight.addingTimeInterval(-Double(daysBefore) * 86_400)
            var batch: [Notice] = []
            var inNight = min(Self.perNight, left)
            left -= inNight
            while inNight > 0 {
                let count = min(250, inNight)
                let ted = page % 2 == 1
                var rng = ClassifyCorpusGenerator(seed: seed &+ 0x10_0000 &+ UInt64(page))
                let data = try corpus.page(
                    ted: ted, count: count,
                    published: { date.addingTimeInterval(-Double(rng.below(2 * 86_400))) },
                    deadlineAfter: { $0.addingTimeInterval(Double(3 + rng.below(58)) * 86_400) })
                let id = String(format: "bench-%@-%04d", ted ? "ted" : "boamp", page)
                let options = ParseOptions(
                    sourceID: id, documentName: "history page \(page)", format: ted ? .tedJSON : .boampJSON)
                let parsed = try DocumentParser.parse([UInt8](data), options: options)
                batch += NoticeIntake.notices(of: parsed, format: options.format)
                inNight -= count
                page += 1
            }
            _ = try store.upsert(batch, at: date)
            let runID = try store.beginRun(at: date)
            var options = RouteAndDigestOptions(outputDirectory: NSTemporaryDirectory(), batchSize: 1_000)
            options.rulesFingerprints = rules.fingerprints
            let routing = try RouteAndDigestRun(store: store, router: router, options: options)
                .route(now: date, runID: runID)
            // What that night's digests recorded: every pending route of every cluster, at its notice's revision.
            for cluster in rules.rulebook.clusters {
                let told = try store.undelivered(cluster: cluster.id).map {
                    DeliveryRecord(key: $0.route.key, revision: $0.notice.revision, deliveredAt: date, runID: runID)
                }
                try store.markDelivered(told)
            }
            try store.finishRun(runID, at: date, status: "ok", classifiedThrough: routing.through, summary: nil)
        }
        let count = try store.noticeCount()
        try store.close()
        return count
    }
}

/// Rules derived from the example clusters of `Rules/`: each generated cluster copies one example's cluster
/// header and segments (new id and name, one cluster-specific keyword per segment) and gets generated members,
/// each with a contact.
///
/// A national deployment is many clusters of a few value chains spread over the country, each rooted in its own
/// départements: the 300 clusters of `--clusters 300` are the four examples' value chains, each copy moved to its
/// own home (a metropolitan département, drawn in turn from a seeded shuffle of all 96) with its neighbours as
/// territory, its region, and members whose sites are in that territory. Copies that all kept the template's
/// territory and sites would be 75 identical clusters per value chain, every topical notice routed to 75 of them:
/// not a country, and not what the figures are meant to measure.
struct RulesDeriver {
    struct Template {
        var file: String
        var id: String
        /// Text before `members:` (cluster header and segments).
        var head: String
        var segments: [String]
        var memberCount: Int
        /// Départements of the example's territory (a derived cluster's territory has as many).
        var departements: Int
    }

    var templates: [Template] = []
    var extraFiles: [String] = []
    let folder: String

    init(rulesFolder: String) throws {
        folder = rulesFolder
        for file in try FileManager.default.contentsOfDirectory(atPath: rulesFolder).sorted()
        where file.hasSuffix(".yaml") {
            let text = try String(contentsOfFile: "\(rulesFolder)/\(file)", encoding: .utf8)
            guard text.contains("\ncluster:"), let members = text.range(of: "\nmembers:") else {
                extraFiles.append(file)
                continue
            }
            let head = String(text[..<members.lowerBound])
            let lines = head.split(separator: "\n", omittingEmptySubsequences: false)
            let id = lines.first { $0.hasPrefix("  id: ") }.map { String($0.dropFirst(6)) } ?? file
            let segments = lines.filter { $0.hasPrefix("  - id: ") }.map { String($0.dropFirst(8)) }
            let tail = text[members.upperBound...]
            let memberSection = tail.range(of: "\n\n").map { tail[..<$0.lowerBound] } ?? tail
            let count = memberSection.components(separatedBy: "- {id:").count - 1
            let territory = lines.first { $0.hasPrefix("    departements: [") }
            let departements = territory.map { $0.split(separator: ",").count } ?? 1
            templates.append(
                Template(
                    file: file, id: id, head: head, segments: segments, memberCount: count,
                    departements: departements))
        }
        guard !templates.isEmpty else { throw BenchError("\(rulesFolder): no cluster file") }
    }

    func write(clusters: Int, members: Int, to out: String, seed: UInt64, memberFiles: String? = nil) throws {
        for f in extraFiles { try FileManager.default.copyItem(atPath: "\(folder)/\(f)", toPath: "\(out)/\(f)") }
        var rng = ClassifyCorpusGenerator(seed: seed ^ 0xC1)
        // Metropolitan départements with numeric codes (a member site is written as a postcode, `33000`).
        var homes = Departements.all.filter { $0.region != "FRY" && Int($0.code) != nil }
        for k in stride(from: homes.count - 1, to: 0, by: -1) { homes.swapAt(k, rng.below(k + 1)) }
        for i in 0..<clusters {
            let t = templates[i % templates.count]
            let id = String(format: "%@-%04d", t.id, i)
            let word = rng.word()
            let home = homes[(i / templates.count) % homes.count]
            let territory = [home.code] + home.neighbours.filter { Int($0) != nil }.prefix(max(0, t.departements - 1))
            var lines = t.head.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            var idDone = false
            var nameDone = false
            for j in lines.indices {
                let l = lines[j]
                if !idDone, l.hasPrefix("  id: ") {
                    lines[j] = "  id: \(id)"
                    idDone = true
                } else if !nameDone, l.hasPrefix("  name: ") {
                    lines[j] = l + " \(i)"
                    nameDone = true
                } else if l.hasPrefix("    departements: [") {
                    lines[j] = "    departements: [" + territory.map { "\"\($0)\"" }.joined(separator: ", ") + "]"
                } else if l.hasPrefix("    regions: [") {
                    lines[j] = "    regions: [\(home.region)]"
                } else if l.hasPrefix("    keywords: [") {
                    lines[j] = l.replacingOccurrences(of: "keywords: [", with: "keywords: [\"\(word)\", ")
                } else if l == "  delivery:", let memberFiles {
                    lines[j] = l + "\n    member_files: \(memberFiles)"
                }
            }
            var text = lines.joined(separator: "\n") + "\nmembers:\n"
            for m in 0..<members {
                let seg1 = t.segments[rng.below(t.segments.count)]
                let seg2 = t.segments[rng.below(t.segments.count)]
                let segs = seg1 == seg2 ? seg1 : "\(seg1), \(seg2)"
                let site = territory[rng.below(territory.count)] + "000"
                text +=
                    "  - {id: m\(m)-\(id), name: Membre \(m) \(id), segments: [\(segs)], sites: [\"\(site)\"], "
                    + "capacity: \(1 + rng.below(5))M, contact: contact@m\(m).\(id).example.org}\n"
            }
            try text.write(toFile: "\(out)/\(id).yaml", atomically: true, encoding: .utf8)
        }
    }
}
