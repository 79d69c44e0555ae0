import ArgumentParser
import Classifier
import Foundation
import Notices
import Parser
import Store

/// The notices `route` and `explain` work on: files (any format the parser reads, or Vigie's own notice JSON)
/// and ids of notices in the store, routed the same way.
enum NoticeInputs {
    /// The rules, or `CLIError.cannotRun` saying why they do not load.
    static func rulebook(_ rules: RulesOptions) throws -> Rulebook {
        do {
            return try Rulebook.load(directory: rules.rules)
        } catch {
            throw CLIError.cannotRun("rules: cannot load \(rules.rules): \(error)")
        }
    }

    /// The notices each argument names: a path that exists is a file (a file that does not parse is reported
    /// and counted in `failed`); anything else is a notice id in the store (`source:id`, or the source's own id
    /// when one source has it). Ids that name nothing throw `CLIError.unknownID` with the ids that look like
    /// them, before anything is routed.
    static func notices(_ arguments: [String], store: StoreOptions, command: String) throws -> (
        notices: [Notice], failed: Int
    ) {
        var out: [Notice] = []
        var failed = 0
        var opened: NoticeStore?
        var unknown: [String] = []
        var similar: [String] = []
        for argument in arguments {
            if FileManager.default.fileExists(atPath: argument) {
                let (notices, didFail) = fromFile(argument, command: command)
                out += notices
                if didFail { failed += 1 }
                continue
            }
            guard FileManager.default.fileExists(atPath: store.store) else {
                // Neither a file nor, without a store, an id: say both, a mistyped path is the likelier.
                throw CLIError.cannotRun(
                    "notice: \(argument): no such file, and no store to look the id up in "
                        + "(\(store.store): no such file; give the store with --store)")
            }
            let noticeStore: NoticeStore
            if let opened {
                noticeStore = opened
            } else {
                do { noticeStore = try NoticeStore(path: store.store) } catch {
                    throw CLIError.cannotRun("store: \(store.store): \(error)")
                }
                opened = noticeStore
            }
            switch try noticeStore.lookupNotice(argument) {
            case .found(let stored): out.append(stored.notice)
            case .ambiguous(let ids):
                throw CLIError.cannotRun(
                    "notice: \(argument) is the source id of several stored notices: \(ids.joined(separator: ", ")); "
                        + "give one of them")
            case .notFound(let like):
                unknown.append(argument)
                similar += like.filter { !similar.contains($0) }
            }
        }
        if let opened { try opened.close() }
        if !unknown.isEmpty {
            // The store may hold thousands of ids: list those that look like the ones given, and say where the
            // others are.
            printError(
                Diagnostics.line(
                    command: command,
                    "notice ids are the third column of `vigie query --store \(store.store) WORDS` "
                        + "(or the \"id\" of `vigie query --json`), e.g. boamp:26-41234"))
            guard !similar.isEmpty else {
                throw CLIError.cannotRun(
                    "unknown notice\(unknown.count == 1 ? "" : "s") \(unknown.joined(separator: ", ")): neither a file "
                        + "nor an id stored in \(store.store), and no stored id looks like it")
            }
            throw CLIError.unknownID(what: "notice", given: unknown, known: Array(similar.prefix(5)))
        }
        return (out, failed)
    }

    /// Notices of one file; a file that does not parse is reported (`didFail`).
    static func fromFile(_ path: String, command: String) -> (notices: [Notice], didFail: Bool) {
        if let own = vigieNoticeJSON(atPath: path) { return (own, false) }
        do {
            let doc = try DocumentParser.parseFile(
                atPath: path, options: ParseOptions(sourceID: "file", documentName: path))
            for issue in doc.issues { printError(Diagnostics.line(command: command, level: .warning, "\(issue)")) }
            return (NoticeIntake.notices(of: doc), false)
        } catch {
            printError(Diagnostics.line(command: command, level: .error, "\(path): \(error)"))
            return ([], true)
        }
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
    struct Route: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "route",
            abstract: "Route notices, from files or from the store, to cluster members.",
            discussion: """
                For each notice: the members reached (score, direct or through the value chain, reasons), \
                the near misses with the filter that dropped them, and consortium suggestions. Nothing is \
                recorded. Each argument is a notice file if that path exists, otherwise the id of a notice in \
                the store (boamp:26-41234 as vigie query prints it, or the source's own id when only one \
                source has it). With --json, one JSON object: {"now", "results": [...], "rule_counters": [...]}.

                Exit codes: 0 ok; 1 a notice file could not be read (the others are still routed); 2 it could not \
                run (rules with errors, an unknown cluster, member or notice id, a missing store).

                Examples:
                  vigie route --rules Rules Feeds/samples/boamp-api-page.json
                  vigie route --store demo-out/vigie.sqlite demo-boamp-api:26-118511 --json
                """
        )

        @OptionGroup var rulesOptions: RulesOptions
        @OptionGroup var clock: ClockOptions
        @OptionGroup var storeOptions: StoreOptions

        @Option(help: "Only this cluster (repeatable).")
        var cluster: [String] = []

        @OptionGroup var output: OutputOptions

        @Flag(help: "Also print how many notices each rule let through and how many candidates each filter dropped.")
        var stats = false

        @Flag(
            help: """
                Route with the naive baseline instead (any keyword of a member's segments anywhere in the text, no \
                CPV, no filters), as `make routing-eval` prints it beside the real figures.
                """)
        var naiveBaseline = false

        @Argument(help: "Notice files (any format the parser reads), or ids of notices in the store.")
        var files: [String]

        func run() throws {
            let now = clock.date
            let book = try NoticeInputs.rulebook(rulesOptions)
            try CLIError.requireKnown(cluster, among: book.clusters.map(\.id), what: "cluster")
            let router = Router(rulebook: book, options: RouterOptions(clusters: cluster.isEmpty ? nil : cluster))
            let (notices, failed) = try NoticeInputs.notices(files, store: storeOptions, command: "route")
            var statistics = RuleStatistics()
            // Each notice is written as soon as it is routed and its result let go: at 300 clusters a result
            // weighs megabytes, and a thousand of them held until the end weighed gigabytes.
            let encoder = NoticeJSON.encoder()
            func json<T: Encodable>(_ value: T) throws -> String {
                String(decoding: try encoder.encode(value), as: UTF8.self)
            }
            struct Item: Encodable {
                var notice_id: String
                var title: String
                var clusters: [ClusterRouting]
            }
            // The same object as encoding {"notices", "now", "results", "rule_counters"} at once (sorted keys).
            if output.json {
                print(
                    "{\"notices\":\(notices.count),\"now\":\(try json(ISO8601.format(now))),\"results\":[",
                    terminator: "")
            }
            var routed = 0
            var sent = 0
            var proposed = 0
            for (i, n) in notices.enumerated() {
                let r = naiveBaseline ? router.naiveRoute(n) : router.route(n, now: now)
                statistics.add(r)
                if output.json {
                    print(
                        (i == 0 ? "" : ",") + (try json(Item(notice_id: n.id, title: n.title, clusters: r.clusters))),
                        terminator: "")
                } else {
                    print(Route.text(n, r))
                    if !r.routes.isEmpty { routed += 1 }
                    sent += r.routes.count
                    proposed += r.consortia.count
                }
            }
            if output.json {
                print("],\"rule_counters\":\(try json(statistics.counters))}")
            } else {
                if stats {
                    print("Règles (\(statistics.notices) avis) :")
                    for c in statistics.counters {
                        print("  \(c.rule) : \(c.matched) retenu(s), \(c.dropped) écarté(s)")
                    }
                }
                print(
                    "\(notices.count) avis, \(routed) routé(s), \(sent) envoi(s), \(proposed) groupement(s) proposé(s)")
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
                    lines.append(
                        "    → \(route.memberName) (\(route.memberID)) \(route.kind.rawValue) "
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
