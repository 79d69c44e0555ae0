import ArgumentParser
import Classifier
import Foundation
import Notices
import Parser

/// `vigie-bench classify`: matcher throughput as the rule set grows.
///
/// Builds keyword sets of 1,000 to 300,000 keywords (seeded: French procurement vocabulary plus generated
/// words, one in two keywords a 2–3-word phrase, a few prefix wildcards), then scans the same generated notice
/// text (~50 MB, accents, elisions, capitals, punctuation) with each. The baseline, measured in the same run, is
/// the normaliser alone (tokenise + fold every byte, no lookup): the matcher can be no faster.
///
/// With `--clusters`, routing instead: rules derived from `Rules/` for that many clusters (as `vigie-bench run`
/// writes them), loaded with `Rulebook.loadEach` as the night loads them, and the notices `vigie-bench run`
/// generates (BOAMP and TED pages, parsed) routed through every cluster; load, router build and routing timed,
/// with the peak resident memory of routing and a fingerprint of every result to compare builds.
struct ClassifyBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify",
        abstract:
            "Matcher throughput as the rule set grows from 1,000 to 300,000 keywords (or, with --clusters, routing)."
    )

    @Option(help: "Route through this many generated clusters instead of measuring the matcher alone.")
    var clusters: Int?

    @Option(help: "Members per generated cluster (with --clusters).")
    var membersPerCluster: Int = 100

    @Option(help: "Notices routed (with --clusters).")
    var notices: Int = 1000

    @Option(help: "Percent of the notices whose title names what a cluster looks for (with --clusters).")
    var topicalPercent: Int = 20

    @Option(help: "The repository (its Feeds/samples and Rules), with --clusters.")
    var repo: String = "."

    @Flag(help: "Keep every routing result in memory, as `vigie route` used to (with --clusters).")
    var keepResults = false

    @Option(help: "Keep the generated rules and pages here (with --clusters), e.g. to run `vigie route` on them.")
    var keep: String?

    @Option(help: "Megabytes of notice text to scan.")
    var mb: Int = 50

    @Option(help: "Keyword counts, comma-separated.")
    var sizes: String = "1000,10000,100000,300000"

    @Option(help: "Random seed.")
    var seed: UInt64 = 42

    @Option(help: "Scan rounds; each size keeps its best round.")
    var rounds: Int = 5

    @Flag(help: "Print one JSON line.")
    var json = false

    struct Result: Encodable {
        var keywords: Int
        var patterns: Int
        var mb_per_s: Double
        var build_s: Double
        var build_mb: Double
        var matcher_mb: Double
        var hits: Int
        var ratio_to_baseline: Double
    }

    struct Output: Encodable {
        var mb: Double
        var notices: Int
        var baseline_normalize_mb_per_s: Double
        var results: [Result]
        var flatness: Double
        var mb_per_s_300k: Double?
    }

    func run() async throws {
        if let clusters {
            try routing(clusters: clusters)
            return
        }
        guard rounds > 0 else { throw ValidationError("--rounds must be positive") }
        let sizeList = sizes.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !sizeList.isEmpty, mb > 0 else { throw ValidationError("--sizes and --mb must be positive") }
        var gen = ClassifyCorpusGenerator(seed: seed)
        let maxKeywords = sizeList.max()!
        let allKeywords = gen.keywords(count: maxKeywords)
        let (text, bounds) = gen.text(bytes: mb * 1_000_000)
        let megabytes = Double(text.count) / 1_000_000
        if !json {
            print(
                String(
                    format: "corpus: %.1f MB in %d notices; keywords up to %d", megabytes, bounds.count - 1,
                    maxKeywords))
        }

        // Baseline: normalisation only (an empty matcher still tokenises and folds every byte, one hash per token).
        let baseline = KeywordMatcher.Builder().build()

        // Build every matcher first, then scan in interleaved rounds and keep each size's best round: on a
        // shared machine, load changes during the run hit every size alike.
        var built: [(n: Int, matcher: KeywordMatcher, buildS: Double, buildMB: Double)] = []
        for n in sizeList {
            let rss0 = ClassifyBench.residentMB()
            let t0 = DispatchTime.now().uptimeNanoseconds
            let builder = KeywordMatcher.Builder()
            for k in allKeywords.prefix(n) { builder.add(k) }
            let matcher = builder.build()
            let buildS = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            let rss1 = ClassifyBench.residentMB()
            built.append((n, matcher, buildS, max(rss1 - rss0, Double(matcher.memoryBytes) / 1_048_576)))
        }
        var best = [Double](repeating: .infinity, count: built.count)
        var hits = [Int](repeating: 0, count: built.count)
        var baseBest = Double.infinity
        for _ in 0..<rounds {
            baseBest = min(baseBest, measure(baseline, text: text, bounds: bounds).seconds)
            for (i, b) in built.enumerated() {
                let m = measure(b.matcher, text: text, bounds: bounds)
                best[i] = min(best[i], m.seconds)
                hits[i] = m.hits
            }
        }
        let baseSpeed = megabytes / baseBest
        if !json { print(String(format: "baseline (normalise only): %.1f MB/s", baseSpeed)) }
        var results: [Result] = []
        for (i, b) in built.enumerated() {
            let speed = megabytes / best[i]
            let r = Result(
                keywords: b.n, patterns: b.matcher.patternCount, mb_per_s: round1(speed),
                build_s: round3(b.buildS), build_mb: round1(b.buildMB),
                matcher_mb: round1(Double(b.matcher.memoryBytes) / 1_048_576), hits: hits[i],
                ratio_to_baseline: round3(speed / baseSpeed))
            results.append(r)
            if !json {
                print(
                    String(
                        format:
                            "%7d keywords (%7d patterns): %6.1f MB/s (%.2f× baseline), build %.3f s, %.1f MB, %d hits",
                        b.n, r.patterns, speed, r.ratio_to_baseline, b.buildS, r.build_mb, hits[i]))
            }
        }
        let first = results.first!.mb_per_s
        let last = results.last!.mb_per_s
        let out = Output(
            mb: round1(megabytes), notices: bounds.count - 1, baseline_normalize_mb_per_s: round1(baseSpeed),
            results: results, flatness: round3(last / first),
            mb_per_s_300k: results.first { $0.keywords == 300_000 }?.mb_per_s)
        if json {
            try printJSONLine(out)
        } else {
            print(
                String(
                    format: "flatness (%d over %d keywords): %.2f", results.last!.keywords, results.first!.keywords,
                    out.flatness))
        }
    }

    struct Measure {
        var seconds: Double
        var hits: Int
    }

    struct RoutingOutput: Encodable {
        var clusters: Int
        var members: Int
        var notices: Int
        var load_each_s: Double
        var load_each_cpu_s: Double
        /// The same load given the fingerprints a store recorded with the first: nothing linted again.
        var load_each_linted_s: Double
        var load_each_linted_cpu_s: Double
        /// Of which reading the files (YAML), without lint nor fingerprints.
        var read_cpu_s: Double
        /// The linted load with a rules cache beside the store: the first writes it (every file read), the
        /// second finds every file in it (none read).
        var load_each_cache_cold_cpu_s: Double
        var load_each_cache_warm_s: Double
        var load_each_cache_warm_cpu_s: Double
        var router_build_s: Double
        var patterns: Int
        var route_s: Double
        /// CPU time of routing (user + system): steadier than the wall clock on a shared machine.
        var route_cpu_s: Double
        var notices_per_s: Double
        var route_peak_rss_mb: Double
        var routes: Int
        var near_misses: Int
        /// FNV-1a of every result's JSON: equal between two builds when they route identically.
        var results_fingerprint: String
    }

    /// Routing at scale: `clusters` generated clusters × `membersPerCluster` members, `notices` generated notices.
    func routing(clusters: Int) throws {
        guard clusters > 0, membersPerCluster > 0, notices > 0 else {
            throw ValidationError("--clusters, --members-per-cluster and --notices must be positive")
        }
        let fm = FileManager.default
        let root = keep ?? (NSTemporaryDirectory() + "vigie-bench-classify-\(getpid())")
        try? fm.removeItem(atPath: root)
        for d in ["pages", "rules"] {
            try fm.createDirectory(atPath: "\(root)/\(d)", withIntermediateDirectories: true)
        }
        defer { if keep == nil { try? fm.removeItem(atPath: root) } }
        let rules = "\(root)/rules"
        try RulesDeriver(rulesFolder: "\(repo)/Rules").write(
            clusters: clusters, members: membersPerCluster, to: rules, seed: seed)

        // The notices of `vigie-bench run`, with dates anchored on a fixed day so that two builds route alike.
        let now = Date(timeIntervalSince1970: 1_796_083_200)
        var corpus = try BenchCorpus(repo: repo, seed: seed)
        corpus.topicalPercent = topicalPercent
        var all: [Notice] = []
        var page = 0
        while all.count < notices {
            let count = min(250, notices - all.count)
            let ted = page % 2 == 1
            var rng = ClassifyCorpusGenerator(seed: seed &+ UInt64(page))
            let data = try corpus.page(
                ted: ted, count: count,
                published: { now.addingTimeInterval(-Double(rng.below(2 * 86_400))) },
                deadlineAfter: { $0.addingTimeInterval(Double(3 + rng.below(58)) * 86_400) })
            let file = "\(root)/pages/page-\(page).json"
            try data.write(to: URL(fileURLWithPath: file))
            let doc = try DocumentParser.parseFile(
                atPath: file, options: ParseOptions(sourceID: "bench", documentName: file))
            all += NoticeIntake.notices(of: doc)
            page += 1
        }

        let t0 = DispatchTime.now().uptimeNanoseconds
        let c0 = ClassifyBench.cpuSeconds()
        let load = try Rulebook.loadEach(directory: rules)
        let loadS = seconds(since: t0)
        let loadCPU = ClassifyBench.cpuSeconds() - c0
        let t2 = DispatchTime.now().uptimeNanoseconds
        let c2 = ClassifyBench.cpuSeconds()
        let again = try Rulebook.loadEach(directory: rules, linted: load.fingerprints)
        let lintedS = seconds(since: t2)
        let lintedCPU = ClassifyBench.cpuSeconds() - c2
        let c3 = ClassifyBench.cpuSeconds()
        _ = try RulebookLoader().read(directory: rules)
        let readCPU = ClassifyBench.cpuSeconds() - c3
        guard again.rulebook == load.rulebook, again.fingerprints == load.fingerprints else {
            throw BenchError("rules loaded without lint differ from the rules loaded with it")
        }
        let cachePath = "\(root)/rules-cache"
        if FileManager.default.fileExists(atPath: cachePath) { try FileManager.default.removeItem(atPath: cachePath) }
        let c5 = ClassifyBench.cpuSeconds()
        let cold = try Rulebook.loadEach(directory: rules, linted: load.fingerprints, cache: cachePath)
        let coldCPU = ClassifyBench.cpuSeconds() - c5
        let t6 = DispatchTime.now().uptimeNanoseconds
        let c6 = ClassifyBench.cpuSeconds()
        let warm = try Rulebook.loadEach(directory: rules, linted: load.fingerprints, cache: cachePath)
        let warmS = seconds(since: t6)
        let warmCPU = ClassifyBench.cpuSeconds() - c6
        guard cold.rulebook == load.rulebook, warm.rulebook == load.rulebook, warm.fingerprints == load.fingerprints,
            warm.parsedFiles.isEmpty, cold.cacheProblem == nil, warm.cacheProblem == nil
        else {
            throw BenchError("rules loaded through the cache differ from the rules read from their files")
        }
        if let failed = load.failed.first {
            throw BenchError("cluster \(failed.cluster): \(failed.errors.first?.message ?? "rules not loaded")")
        }
        let t1 = DispatchTime.now().uptimeNanoseconds
        let router = Router(rulebook: load.rulebook)
        let buildS = seconds(since: t1)

        PeakMemory.reset()
        var kept: [RoutingResult] = []
        var routes = 0
        var nearMisses = 0
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var routeS = 0.0
        var routeCPU = 0.0
        for n in all {
            let c = ClassifyBench.cpuSeconds()
            let t = DispatchTime.now().uptimeNanoseconds
            let r = router.route(n, now: now)
            routeS += seconds(since: t)
            routeCPU += ClassifyBench.cpuSeconds() - c
            routes += r.routes.count
            nearMisses += r.nearMisses.count
            if keepResults { kept.append(r) }
            // Only clusters with something to say: an empty entry is the same whether visited or skipped.
            let said = r.clusters.filter {
                !$0.segments.isEmpty || !$0.rejectedSegments.isEmpty || !$0.routes.isEmpty || !$0.nearMisses.isEmpty
                    || !$0.watches.isEmpty || !$0.consortia.isEmpty || !$0.signals.isEmpty
            }
            for b in try encoder.encode(RoutingResult(noticeID: r.noticeID, clusters: said)) {
                hash ^= UInt64(b)
                hash &*= 0x100_0000_01b3
            }
        }
        let peak = PeakMemory.megabytes()
        let out = RoutingOutput(
            clusters: clusters, members: clusters * membersPerCluster, notices: all.count,
            load_each_s: round3(loadS), load_each_cpu_s: round3(loadCPU),
            load_each_linted_s: round3(lintedS), load_each_linted_cpu_s: round3(lintedCPU),
            read_cpu_s: round3(readCPU), load_each_cache_cold_cpu_s: round3(coldCPU),
            load_each_cache_warm_s: round3(warmS), load_each_cache_warm_cpu_s: round3(warmCPU),
            router_build_s: round3(buildS),
            patterns: router.patternCount,
            route_s: round3(routeS), route_cpu_s: round3(routeCPU), notices_per_s: round1(Double(all.count) / routeS),
            route_peak_rss_mb: round1(peak), routes: routes, near_misses: nearMisses,
            results_fingerprint: String(hash, radix: 16))
        if json {
            try printJSONLine(out)
        } else {
            print(
                String(
                    format:
                        "%d clusters × %d members, %d notices: loadEach %.2f s, router %.2f s, route %.2f s "
                        + "(%.0f notices/s), peak RSS %.0f MB, %d routes, %d near misses, results %@",
                    clusters, membersPerCluster, all.count, loadS, buildS, routeS, out.notices_per_s, peak, routes,
                    nearMisses, out.results_fingerprint))
        }
        withExtendedLifetime(kept) {}
    }

    /// One scan of every notice (rounds and best-of are the caller's, interleaved across sizes).
    func measure(_ matcher: KeywordMatcher, text: [UInt8], bounds: [Int]) -> Measure {
        let state = ScanState()
        var hits = 0
        let t0 = DispatchTime.now().uptimeNanoseconds
        text.withUnsafeBufferPointer { bp in
            let base = bp.baseAddress!
            for i in 0..<(bounds.count - 1) {
                matcher.scan(base + bounds[i], count: bounds[i + 1] - bounds[i], state: state) { _, _, _ in hits += 1 }
            }
        }
        return Measure(seconds: Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9, hits: hits)
    }

    /// User + system CPU time of this process.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return s(usage.ru_utime) + s(usage.ru_stime)
    }

    static func residentMB() -> Double {
        guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in s.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let kb = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
            return kb / 1024
        }
        return 0
    }

    func round1(_ x: Double) -> Double { (x * 10).rounded() / 10 }
}

/// Seeded generator of procurement-like keywords and notice text.
struct ClassifyCorpusGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }

    /// SplitMix64.
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    static let vocabulary: [String] = """
        marché public fourniture travaux services maintenance entretien réparation installation usinage décolletage \
        tournage fraisage rectification chaudronnerie tôlerie soudure soudage forge fonderie moulage estampage \
        traitement surface galvanisation peinture thermolaquage anodisation assemblage intégration machine spéciale \
        ligne production convoyeur robot automatisme supervision contrôle métrologie étalonnage essais mesure \
        génie civil béton bâtiment réhabilitation rénovation énergétique chaufferie biomasse réseau chaleur \
        photovoltaïque éolien hydrogène électrolyseur stockage batteries raccordement poste transformation \
        bornes recharge éclairage public voirie assainissement eau potable station épuration déchets collecte \
        transport logistique entreposage emballage carton étiquettes bouteilles verrerie bouchons distillation \
        tonnellerie fûts chêne vignoble spiritueux conditionnement embouteillage palettisation informatique logiciel \
        prestations intellectuelles étude faisabilité assistance maîtrise ouvrage ingénierie sûreté nucléaire \
        démantèlement radioprotection dosimétrie robinetterie vannes pompes tuyauterie équipements pression \
        électricité câblage armoires instrumentation formation nettoyage locaux restauration scolaire mobilier \
        véhicules matériel roulant ferroviaire aéronautique pièces détachées outillage moules matrices acier inox \
        aluminium cuivre titane laser découpe pliage presse hydraulique banc essai lot accord-cadre bons commande \
        procédure adaptée appel offres ouvert candidature offre délai réception date limite montant estimé durée \
        reconduction pouvoir adjudicateur acheteur commune département région métropole syndicat centre hospitalier \
        université lycée collège communauté agglomération office habitat
        """.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)

    static let glue: [String] = [
        "de", "la", "le", "les", "des", "du", "et", "pour", "en", "au", "aux", "à", "sur",
        "dans", "avec", "par", "un", "une", "l'", "d'", "qu'",
    ]

    static let onsets = [
        "b", "c", "d", "f", "g", "l", "m", "n", "p", "r", "s", "t", "v", "ch", "tr", "pl", "gr", "br",
        "cr", "fl", "pr", "qu", "gu", "st",
    ]
    static let vowels = ["a", "e", "i", "o", "u", "é", "è", "ou", "ai", "au", "eu", "oi", "ê", "â", "an", "on", "in"]
    static let codas = ["", "", "", "r", "l", "s", "n", "t", "x", "ment", "age", "tion", "que", "ette", "eur"]

    /// A generated French-looking word (the generator's state decides it).
    mutating func word() -> String {
        let syllables = 2 + below(3)
        var w = ""
        for _ in 0..<syllables {
            w += ClassifyCorpusGenerator.onsets[below(ClassifyCorpusGenerator.onsets.count)]
            w += ClassifyCorpusGenerator.vowels[below(ClassifyCorpusGenerator.vowels.count)]
        }
        w += ClassifyCorpusGenerator.codas[below(ClassifyCorpusGenerator.codas.count)]
        return w
    }

    /// A pool of generated words shared by keywords and text, so big rule sets know many text tokens.
    lazy var pool: [String] = {
        var g = ClassifyCorpusGenerator(seed: state ^ 0xA5A5)
        return (0..<200_000).map { _ in g.word() }
    }()

    /// Cumulative Zipf weights (s = 1) over the pool's ranks: text draws its rarer words like real text does,
    /// a few often and most seldom.
    lazy var zipf: [Double] = {
        var acc = 0.0
        return (1...200_000).map { r in
            acc += 1 / Double(r); return acc
        }
    }()

    mutating func zipfIndex() -> Int {
        let total = zipf[zipf.count - 1]
        let x = Double(next() >> 11) / Double(1 << 53) * total
        var lo = 0, hi = zipf.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if zipf[mid] < x { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    mutating func term() -> String {
        below(5) == 0
            ? ClassifyCorpusGenerator.vocabulary[below(ClassifyCorpusGenerator.vocabulary.count)]
            : pool[below(pool.count)]
    }

    /// `count` keywords: half single words, a third 2-word phrases, the rest 3-word phrases; 3 % prefixes.
    mutating func keywords(count: Int) -> [String] {
        var out: [String] = []
        out.reserveCapacity(count)
        while out.count < count {
            let r = below(100)
            if r < 3 {
                let w = term()
                out.append(String(w.prefix(4 + below(4))) + "*")
            } else if r < 50 {
                out.append(term())
            } else if r < 85 {
                out.append(term() + " " + term())
            } else {
                out.append(term() + " " + ClassifyCorpusGenerator.glue[below(8)] + " " + term() + " " + term())
            }
        }
        return out
    }

    /// About `bytes` of notice text, as notices of 1–8 KB; returns the text and the notice boundaries.
    ///
    /// Each notice mixes function words (30 %), procurement vocabulary (40 %), rarer words (25 %: half from
    /// the notice's own dozen topic words, which a notice repeats, half drawn Zipf-like from 200,000 words) and
    /// numbers (5 %).
    mutating func text(bytes: Int) -> ([UInt8], [Int]) {
        var out: [UInt8] = []
        out.reserveCapacity(bytes + 10_000)
        var bounds = [0]
        var noticeEnd = 1_000 + below(7_000)
        var sentenceStart = true
        var topics = (0..<12).map { _ in zipfIndex() }
        while out.count < bytes {
            let r = below(100)
            var w: String
            if r < 30 {
                w = ClassifyCorpusGenerator.glue[below(ClassifyCorpusGenerator.glue.count)]
            } else if r < 70 {
                w = ClassifyCorpusGenerator.vocabulary[below(ClassifyCorpusGenerator.vocabulary.count)]
            } else if r < 95 {
                w = pool[r < 83 ? topics[below(topics.count)] : zipfIndex()]
            } else {
                w = String(below(100_000))
            }
            if sentenceStart, let f = w.first {
                w = f.uppercased() + w.dropFirst()
                sentenceStart = false
            } else if below(40) == 0 {
                w = w.uppercased()
            }
            out.append(contentsOf: w.utf8)
            if w.hasSuffix("'") { continue }
            let p = below(100)
            if p < 5 {
                out.append(contentsOf: ". ".utf8)
                sentenceStart = true
            } else if p < 9 {
                out.append(contentsOf: ", ".utf8)
            } else if p < 10 {
                out.append(contentsOf: " – ".utf8)
            } else if p < 11 {
                out.append(contentsOf: "-".utf8)
            } else {
                out.append(0x20)
            }
            if out.count >= noticeEnd {
                out.append(0x0A)
                bounds.append(out.count)
                topics = (0..<12).map { _ in zipfIndex() }
                noticeEnd = out.count + 1_000 + below(7_000)
                sentenceStart = true
            }
        }
        if bounds.last! != out.count { bounds.append(out.count) }
        return (out, bounds)
    }
}
