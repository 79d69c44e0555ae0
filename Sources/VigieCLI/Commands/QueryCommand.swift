import ArgumentParser
import Digest
import Foundation
import Notices
import Store

extension NoticeQuery.Order: ExpressibleByArgument {}

extension Vigie {
    /// `vigie query`.
    struct Query: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "query",
            abstract: "Search the store for notices (ad hoc watch queries).",
            discussion: """
                Full text ignores case and accents and matches word beginnings, so "traitement de surface" \
                finds "Traitement de Surfaces"; French stop words are dropped; "…" searches a phrase and \
                -word excludes a word. Results come newest first; --sort relevance puts the best matches of \
                the words first. Filters combine. A procurement published by several sources is shown \
                once (--all-records shows each record). One line per notice on stdout (deadline, value, id, \
                title, buyer, places), the count on stderr; --json prints the notices as one JSON array (the \
                schema of vigie parse --json).

                Examples (after `make demo`):
                  vigie query --store demo-out/vigie.sqlite "traitement de surface"
                  vigie query --store demo-out/vigie.sqlite --sort relevance usinage
                  vigie query --store demo-out/vigie.sqlite --departement 42 --min-value 100k
                  vigie query --store demo-out/vigie.sqlite --kind call_for_projects --json
                  vigie query --store demo-out/vigie.sqlite --source demo-boamp-api --cpv 4526

                Amounts take k and M (100k, 2.5M, "2,5 M€"); départements are codes (42, 01 or 1, 2A, 974); \
                dates are YYYY-MM-DD or ISO 8601.

                Exit codes: 0 the search ran (also when nothing matched); 2 it could not run: a bad value \
                (with this usage), no store at --store, a --source the store does not hold (the known ones are \
                listed).
                """
        )

        @Argument(help: "Words to search for (optional).")
        var text: [String] = []
        @OptionGroup var store: StoreOptions
        @Option(
            parsing: .singleValue,
            help: "Notice kind (repeatable).")
        var kind: [NoticeKind] = []
        @Option(help: "CPV code prefix (4526 matches 45261000).")
        var cpv: String?
        @Option(help: "Département code (42, 01, 2A, 974): where the work is done.")
        var departement: DepartementArgument?
        @Option(help: "Published on or after this date: YYYY-MM-DD, ISO 8601, or 7d (seven days ago).")
        var since: QueryDateArgument?
        @Option(help: "Deadline on or after this date: YYYY-MM-DD, ISO 8601, today, or +30d (thirty days ahead).")
        var deadlineAfter: QueryDateArgument?
        @Option(help: "Minimum estimated value in euros (upper bound of the amount): 100000, 100k, 2.5M.")
        var minValue: AmountArgument?
        @Option(help: "Only this source id (as in the catalogue: boamp-api, demo-ted-search…).")
        var source: String?
        @Option(help: "At most this many results.")
        var limit = 50
        @Option(
            help: "Order of results with words: newest (newest first, the default) or relevance (best matches first).")
        var sort: NoticeQuery.Order = .newest
        @Flag(help: "Show every source record of a procurement, not one per opportunity.")
        var allRecords = false
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if limit < 1 { throw ValidationError("--limit must be at least 1") }
            if let cpv, cpv.first?.isNumber != true || !cpv.allSatisfy({ $0.isNumber || $0 == "-" }) {
                throw ValidationError("--cpv takes the digits of a CPV code or its prefix (4526, 45261000-1)")
            }
        }

        /// The store query the options describe (relative dates counted from now).
        var query: NoticeQuery { query(now: Date()) }

        /// The store query the options describe, relative dates counted from `now`.
        func query(now: Date) -> NoticeQuery {
            NoticeQuery(
                text: text.isEmpty ? nil : text.joined(separator: " "), kinds: kind, cpvPrefix: cpv,
                departement: departement?.code, since: since?.instant(now: now),
                deadlineAfter: deadlineAfter?.instant(now: now),
                minValue: minValue?.euros, source: source, limit: limit, collapseDuplicates: !allRecords,
                order: sort)
        }

        func run() throws {
            let path = try store.existing()
            let results: [Notice]
            do {
                let noticeStore = try NoticeStore(path: path)
                let found = Result {
                    if let source {
                        // A source the store does not hold finds nothing: say which ones it holds instead.
                        try CLIError.requireKnown([source], among: try noticeStore.knownSourceIDs(), what: "source")
                    }
                    return try noticeStore.search(query)
                }
                try noticeStore.close()
                results = try found.get()
            } catch let error as CLIError {
                throw error
            } catch {
                throw CLIError.cannotRun("store: \(path): \(error)")
            }
            if output.json {
                let data = try NoticeJSON.encoder(pretty: true).encode(results)
                print(String(decoding: data, as: UTF8.self))
                return
            }
            for n in results { print(Self.line(n)) }
            printError(Diagnostics.line(command: "query", "\(results.count) notice\(results.count == 1 ? "" : "s")"))
        }

        /// `2026-06-08  246 000 € HT  boamp:26-41234  Usinage de pièces… — Saint-Étienne Métropole (42)`.
        static func line(_ n: Notice) -> String {
            let deadline = FrenchFormat.mainDeadline(n).map { String($0.iso8601.prefix(10)) } ?? "----------"
            let amount = (FrenchFormat.amount(n.value) ?? "").replacingOccurrences(of: FrenchFormat.nbsp, with: " ")
            var s = "\(deadline)  \(amount.padding(toLength: max(amount.count, 16), withPad: " ", startingAt: 0))  "
            s += "\(n.id)  \(n.title)"
            if let b = n.buyer?.name { s += " — \(b)" }
            if let p = FrenchFormat.places(n) { s += " [\(p)]" }
            return s
        }
    }
}
