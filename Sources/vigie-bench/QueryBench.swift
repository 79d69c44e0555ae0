import ArgumentParser
import Foundation
import GRDB
import Notices
import Parser
import Store

/// `vigie-bench query`: `vigie query`'s search at scale, beside raw FTS5 on the same table in the same run.
///
/// The store is built as the nightly fetch builds it, minus the network: BOAMP API and TED search pages generated
/// like `vigie-bench run`'s (published over the last three years), parsed by `DocumentParser`, and stored through
/// `NoticeStore.upsert` 5,000 notices a transaction. Then 20 typical queries (printed), `--repetitions` times
/// each, through `NoticeStore.search` with `vigie query`'s defaults (newest first, duplicates collapsed) and a
/// page of 20: `p50_ms`/`p95_ms` over the 20 in that default order; `ranked_p50_ms`/`ranked_p95_ms` over the text
/// queries again with `--sort relevance` (ranked by bm25); `filter_only_*` over the queries without text (always
/// newest first). The baseline (`fts5_ranked_*`) is `SELECT rowid FROM notice_fts WHERE notice_fts MATCH ? ORDER BY rank LIMIT 20` on the
/// store's own FTS table, for the same words, on the text queries without filters (raw FTS5 cannot filter):
/// `ranked_unfiltered_p95_ms` is the store's ranking over those same queries. `per_query_*` give each query's p50
/// (default order, ranked, raw FTS5); `open_s` is the time to open the store, which includes the migrations of a
/// store written by an older build.
struct QueryBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Search latency (default order, ranked, filter-only) beside raw FTS5, on a generated store.")

    @Option(help: "Notices in the store.")
    var notices: Int = 1_000_000

    @Option(help: "Random seed.")
    var seed: UInt64 = 42

    @Option(help: "Repetitions of each query.")
    var repetitions: Int = 5

    @Option(help: "The repository (its Feeds/samples and Rules).")
    var repo: String = "."

    @Option(help: "Use (or build once and keep) the store at this path.")
    var store: String?

    @Flag(help: "Print one JSON line.")
    var json = false

    struct BenchQuery {
        var label: String
        var query: NoticeQuery
        /// The FTS5 expression of the raw baseline (nil: filter-only).
        var fts: String?
    }

    struct Output: Encodable {
        var notices: Int
        var build_s: Double
        var store_bytes_per_notice: Int
        var queries: [String]
        var repetitions: Int
        var p50_ms: Double
        var p95_ms: Double
        var ranked_p50_ms: Double
        var ranked_p95_ms: Double
        var filter_only_p50_ms: Double
        var filter_only_p95_ms: Double
        var fts5_ranked_p50_ms: Double
        var fts5_ranked_p95_ms: Double
        /// Ranked through the store over the same queries as the raw FTS5 anchor (text without filters).
        var ranked_unfiltered_p95_ms: Double
        /// Opening the store: its migrations, when the file was written by an older build.
        var open_s: Double
        var per_query_p50_ms: [Double]
        var per_query_ranked_p50_ms: [Double?]
        var per_query_fts5_p50_ms: [Double?]
        var per_query_results: [Int]
    }

    func queries(now: Date) -> [BenchQuery] {
        let day = 86_400.0
        func q(
            _ label: String, _ text: String? = nil, fts: String? = nil, kinds: [NoticeKind] = [], cpv: String? = nil,
            dep: String? = nil, since: Double? = nil, deadlineAfter: Double? = nil, minValue: Double? = nil
        ) -> BenchQuery {
            BenchQuery(
                label: label,
                query: NoticeQuery(
                    text: text, kinds: kinds, cpvPrefix: cpv, departement: dep,
                    since: since.map { now.addingTimeInterval(-$0 * day) },
                    deadlineAfter: deadlineAfter.map { now.addingTimeInterval($0 * day) }, minValue: minValue,
                    limit: 20),
                fts: fts ?? text)
        }
        return [
            q("usinage", "usinage", fts: "usinage*"),
            q("maintenance", "maintenance", fts: "maintenance*"),
            q("travaux", "travaux", fts: "travaux*"),
            q("chaudronnerie", "chaudronnerie", fts: "chaudronnerie*"),
            q("photovoltaïque", "photovoltaïque", fts: "photovoltaique*"),
            q("nitruration (rare)", "nitruration", fts: "nitruration*"),
            q("\"pièces de rechange\"", "\"pièces de rechange\"", fts: "\"pieces de rechange\""),
            q("\"traitement de surface\"", "\"traitement de surface\"", fts: "\"traitement de surface\""),
            q("robinetterie inox", "robinetterie inox", fts: "robinetterie* inox*"),
            q("usinage --departement 42", "usinage", fts: "usinage*", dep: "42"),
            q("travaux --cpv 45", "travaux", fts: "travaux*", cpv: "45"),
            q("fourniture --since 30d", "fourniture", fts: "fourniture*", since: 30),
            q(
                "maintenance --deadline-after today --min-value 500000", "maintenance", fts: "maintenance*",
                deadlineAfter: 0, minValue: 500_000),
            q("électricité --kind tender", "électricité", fts: "electricite*", kinds: [.tender]),
            q("--departement 69", dep: "69"),
            q("--cpv 4212", cpv: "4212"),
            q("--kind tender --since 7d", kinds: [.tender], since: 7),
            q("--deadline-after +30d", deadlineAfter: 30),
            q("--departement 33 --min-value 1000000", dep: "33", minValue: 1_000_000),
            q("(no filter: newest first)"),
        ]
    }

    func run() throws {
        guard notices > 0, repetitions > 0 else {
            throw ValidationError("--notices and --repetitions must be positive")
        }
        let fm = FileManager.default
        let temporary = store == nil
        let path = store ?? (NSTemporaryDirectory() + "vigie-bench-query-\(getpid()).sqlite")
        defer {
            if temporary {
                for suffix in ["", "-wal", "-shm"] { try? fm.removeItem(atPath: path + suffix) }
            }
        }
        let now = Date()
        var buildS = 0.0
        if !fm.fileExists(atPath: path) {
            let t0 = DispatchTime.now().uptimeNanoseconds
            try build(path: path, now: now)
            buildS = seconds(since: t0)
            if !json { print(String(format: "store of %d notices built in %.1f s", notices, buildS)) }
        }
        let storeBytes = (try fm.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        let list = queries(now: now)
        let t3 = DispatchTime.now().uptimeNanoseconds
        let noticeStore = try NoticeStore(path: path)
        let openS = seconds(since: t3)
        let count = try noticeStore.noticeCount()
        var times = [[Double]](repeating: [], count: list.count)
        var rankedTimes = [[Double]](repeating: [], count: list.count)
        var ftsTimes = [[Double]](repeating: [], count: list.count)
        var results = [Int](repeating: 0, count: list.count)
        let raw = try DatabaseQueue(path: path)
        // Interleaved rounds: load on the shared machine hits every query alike.
        for _ in 0..<repetitions {
            for (i, b) in list.enumerated() {
                let t0 = DispatchTime.now().uptimeNanoseconds
                results[i] = try noticeStore.searchStored(b.query).count
                times[i].append(seconds(since: t0) * 1000)
                if b.query.text != nil {
                    var relevance = b.query
                    relevance.order = .relevance
                    let t2 = DispatchTime.now().uptimeNanoseconds
                    _ = try noticeStore.searchStored(relevance)
                    rankedTimes[i].append(seconds(since: t2) * 1000)
                }
                if let fts = b.fts, b.query.cpvPrefix == nil, b.query.departement == nil, b.query.since == nil,
                    b.query.deadlineAfter == nil, b.query.kinds.isEmpty
                {
                    let t1 = DispatchTime.now().uptimeNanoseconds
                    _ = try raw.read { db in
                        try Int64.fetchAll(
                            db, sql: "SELECT rowid FROM notice_fts WHERE notice_fts MATCH ? ORDER BY rank LIMIT 20",
                            arguments: [fts])
                    }
                    ftsTimes[i].append(seconds(since: t1) * 1000)
                }
            }
        }
        try raw.close()
        try noticeStore.close()
        let ranked = rankedTimes.flatMap { $0 }
        let rankedUnfiltered = list.indices.filter { !ftsTimes[$0].isEmpty }.flatMap { rankedTimes[$0] }
        let filterOnly = list.indices.filter { list[$0].query.text == nil }.flatMap { times[$0] }
        let all = times.flatMap { $0 }
        let out = Output(
            notices: count, build_s: round3(buildS), store_bytes_per_notice: storeBytes / max(count, 1),
            queries: list.map(\.label), repetitions: repetitions,
            p50_ms: pct(all, 50), p95_ms: pct(all, 95), ranked_p50_ms: pct(ranked, 50), ranked_p95_ms: pct(ranked, 95),
            filter_only_p50_ms: pct(filterOnly, 50), filter_only_p95_ms: pct(filterOnly, 95),
            fts5_ranked_p50_ms: pct(ftsTimes.flatMap { $0 }, 50), fts5_ranked_p95_ms: pct(ftsTimes.flatMap { $0 }, 95),
            ranked_unfiltered_p95_ms: pct(rankedUnfiltered, 95), open_s: round3(openS),
            per_query_p50_ms: times.map { pct($0, 50) },
            per_query_ranked_p50_ms: rankedTimes.map { $0.isEmpty ? nil : pct($0, 50) },
            per_query_fts5_p50_ms: ftsTimes.map { $0.isEmpty ? nil : pct($0, 50) }, per_query_results: results)
        if json {
            try printJSONLine(out)
        } else {
            for (i, b) in list.enumerated() {
                print(
                    String(
                        format: "%8.1f ms p50  ranked %8.1f  raw FTS5 %8.1f  %3d results  %@", out.per_query_p50_ms[i],
                        out.per_query_ranked_p50_ms[i] ?? .nan, out.per_query_fts5_p50_ms[i] ?? .nan, results[i],
                        b.label))
            }
            print(
                String(
                    format:
                        "%d notices, %d B/notice, opened in %.1f s: p50 %.1f ms, p95 %.1f ms; ranked p95 %.1f ms"
                        + " (%.1f ms on the anchor's queries); filter-only p95 %.1f ms; raw FTS5 ranked p95 %.1f ms",
                    count, out.store_bytes_per_notice, out.open_s, out.p50_ms, out.p95_ms, out.ranked_p95_ms,
                    out.ranked_unfiltered_p95_ms, out.filter_only_p95_ms, out.fts5_ranked_p95_ms))
        }
    }

    /// Generates, parses and stores `notices` notices, published over the three years before `now`.
    func build(path: String, now: Date) throws {
        var corpus = try BenchCorpus(repo: repo, seed: seed)
        let noticeStore = try NoticeStore(path: path)
        var rng = ClassifyCorpusGenerator(seed: seed ^ 0x51)
        var left = notices
        var page = 0
        var batch: [Notice] = []
        while left > 0 {
            let count = min(250, left)
            let ted = page % 2 == 1
            let data = try corpus.page(
                ted: ted, count: count,
                published: { now.addingTimeInterval(-Double(rng.below(3 * 365 * 86_400))) },
                deadlineAfter: { $0.addingTimeInterval(Double(10 + rng.below(50)) * 86_400) })
            let doc = try DocumentParser.parse(
                [UInt8](data), options: ParseOptions(sourceID: ted ? "ted" : "boamp", documentName: "page-\(page)"))
            batch += doc.notices
            if batch.count >= 5_000 {
                _ = try noticeStore.upsert(batch, at: now)
                batch.removeAll(keepingCapacity: true)
            }
            left -= count
            page += 1
            if !json, page % 400 == 0 { print("  \(notices - left) notices stored") }
        }
        if !batch.isEmpty { _ = try noticeStore.upsert(batch, at: now) }
        try noticeStore.close()
    }

    func pct(_ xs: [Double], _ p: Double) -> Double {
        guard !xs.isEmpty else { return 0 }
        let s = xs.sorted()
        let i = min(s.count - 1, Int((Double(s.count - 1) * p / 100).rounded()))
        return (s[i] * 100).rounded() / 100
    }
}
