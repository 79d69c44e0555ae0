import ArgumentParser
import Classifier
import Foundation
import Notices
import Parser

/// Options shared by `route` and `explain`: where the rules are, and the reference date.
struct RulesRoutingOptions: ParsableArguments {
    @Option(help: "Rules directory.")
    var rules: String = "Rules"

    @Option(help: "Reference date for deadline lead times (ISO 8601, e.g. 2026-05-01T08:00:00Z); default: now.")
    var now: String?

    func referenceDate() throws -> Date {
        guard let now else { return Date() }
        guard let z = ISO8601.parseZoned(now) else {
            throw ValidationError("--now: not an ISO 8601 date: \(now)")
        }
        return z.instant
    }

    func loadRulebook() throws -> Rulebook {
        do {
            return try Rulebook.load(directory: rules)
        } catch {
            printError("vigie: \(error)")
            throw ExitCode(2)
        }
    }

    /// Notices of each file; a file that does not parse is reported and skipped.
    static func notices(from files: [String]) -> (notices: [Notice], failed: Int) {
        var out: [Notice] = []
        var failed = 0
        for f in files {
            if let own = vigieNoticeJSON(atPath: f) {
                out += own
                continue
            }
            do {
                let doc = try DocumentParser.parseFile(atPath: f, options: ParseOptions(sourceID: "file", documentName: f))
                out += NoticeIntake.notices(of: doc)
                for issue in doc.issues { printError("vigie: \(issue)") }
            } catch {
                failed += 1
                printError("vigie: \(f): \(error)")
            }
        }
        return (out, failed)
    }

    /// Vigie's own notice JSON (`vigie parse --json` output, test fixtures): one notice, an array, or an object
    /// with a `notices` array. Nil when the file is not that shape, so the parser gets it.
    static func vigieNoticeJSON(atPath path: String) -> [Notice]? {
        guard let data = FileManager.default.contents(atPath: path),
              let first = data.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }), first == 0x7B || first == 0x5B
        else { return nil }
        struct Wrapped: Decodable { var notices: [Notice] }
        let d = NoticeJSON.decoder()
        if let many = try? d.decode([Notice].self, from: data) { return many }
        if let w = try? d.decode(Wrapped.self, from: data) { return w.notices }
        if let one = try? d.decode(Notice.self, from: data) { return [one] }
        return nil
    }
}

extension Vigie {
    /// `vigie route`.
    struct Route: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "route",
            abstract: "Route notices parsed from files to cluster members, without a store.",
            discussion: """
                For each notice: the members reached (score, direct or through the value chain, reasons), \
                the near misses with the filter that dropped them, and consortium suggestions. \
                With --json, one JSON object: {"now", "results": [...], "rule_counters": [...]}.
                """
        )

        @OptionGroup var input: RulesRoutingOptions

        @Option(help: "Only this cluster (repeatable).")
        var cluster: [String] = []

        @Flag(help: "Print JSON instead of text.")
        var json = false

        @Flag(help: "Also print how many notices each rule let through and how many candidates each filter dropped.")
        var stats = false

        @Flag(help: """
            Route with the naive baseline instead (any keyword of a member's segments anywhere in the text, no \
            CPV, no filters), as `make routing-eval` prints it beside the real figures.
            """)
        var naiveBaseline = false

        @Argument(help: "Notice files (any format the parser reads).")
        var files: [String]

        func run() async throws {
            let now = try input.referenceDate()
            let book = try input.loadRulebook()
            for c in cluster where book.cluster(c) == nil {
                throw ValidationError("unknown cluster '\(c)' (clusters: \(book.clusters.map(\.id).joined(separator: ", ")))")
            }
            let router = Router(rulebook: book, options: RouterOptions(clusters: cluster.isEmpty ? nil : cluster))
            let (notices, failed) = RulesRoutingOptions.notices(from: files)
            var statistics = RuleStatistics()
            var results: [(Notice, RoutingResult)] = []
            for n in notices {
                let r = naiveBaseline ? router.naiveRoute(n) : router.route(n, now: now)
                statistics.add(r)
                results.append((n, r))
            }
            if json {
                struct Item: Encodable {
                    var notice_id: String
                    var title: String
                    var clusters: [ClusterRouting]
                }
                struct Out: Encodable {
                    var now: String
                    var notices: Int
                    var results: [Item]
                    var rule_counters: [RuleCounter]
                }
                let out = Out(now: ISO8601.format(now), notices: results.count,
                              results: results.map { Item(notice_id: $0.0.id, title: $0.0.title, clusters: $0.1.clusters) },
                              rule_counters: statistics.counters)
                print(String(decoding: try NoticeJSON.encoder().encode(out), as: UTF8.self))
            } else {
                for (n, r) in results { print(Route.text(n, r)) }
                if stats {
                    print("Règles (\(statistics.notices) avis) :")
                    for c in statistics.counters {
                        print("  \(c.rule) : \(c.matched) retenu(s), \(c.dropped) écarté(s)")
                    }
                }
                print("\(results.count) avis, \(results.filter { !$0.1.routes.isEmpty }.count) routé(s), "
                      + "\(results.reduce(0) { $0 + $1.1.routes.count }) envoi(s), "
                      + "\(results.reduce(0) { $0 + $1.1.consortia.count }) groupement(s) proposé(s)")
            }
            if failed > 0 { throw ExitCode(1) }
        }

        static func text(_ n: Notice, _ r: RoutingResult) -> String {
            var lines = ["\(n.id) — \(n.title)"]
            let explainer = RoutingExplainer(language: .fr)
            for c in r.clusters where !c.routes.isEmpty || !c.nearMisses.isEmpty || !c.segments.isEmpty {
                let segs = c.segments.map { "\($0.segmentID) (\(Router.fmt($0.score)))" }.joined(separator: ", ")
                lines.append("  [\(c.clusterID)] segments : \(segs.isEmpty ? "aucun" : segs)")
                for route in c.routes {
                    let why = route.reasons.sorted { $0.weight > $1.weight }.prefix(3).map { explainer.describe($0) }
                        .joined(separator: " ; ")
                    lines.append("    → \(route.memberName) (\(route.memberID)) \(route.kind.rawValue) "
                                 + "score \(Router.fmt(route.score)) : \(why)")
                }
                for m in c.nearMisses {
                    lines.append("    ✗ \(m.memberName) (\(m.memberID)) \(m.filter.rawValue) : \(m.detail)")
                }
                for g in c.consortia { lines.append("    ◆ \(g.detail)") }
                for s in c.signals { lines.append("    ⚑ à signaler : \(explainer.describe(s))") }
                for w in c.watches { lines.append("    ▸ veille \(w.name) → \(w.recipients.joined(separator: ", "))") }
            }
            if r.clusters.allSatisfy({ $0.routes.isEmpty && $0.nearMisses.isEmpty && $0.segments.isEmpty }) {
                lines.append("  (aucune règle ne concerne cet avis)")
            }
            return lines.joined(separator: "\n")
        }
    }
}
