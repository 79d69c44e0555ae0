import ArgumentParser
import Digest
import Foundation
import Notices
import Store

extension Vigie {
    /// `vigie query`.
    struct Query: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "query",
            abstract: "Search the store for notices (ad hoc watch queries).",
            discussion: """
                Full text ignores case and accents and matches word beginnings, so "traitement de surface" \
                finds "Traitement de Surfaces"; French stop words are dropped; "…" searches a phrase and \
                -word excludes a word. Filters combine. A procurement published by several sources is shown \
                once (--all-records shows each record).

                Examples:
                  vigie query --store vigie.sqlite "usinage" --departement 42 --deadline-after 2026-06-01
                  vigie query --store vigie.sqlite --kind call_for_projects --since 2026-05-01 --json
                  vigie query --store vigie.sqlite --cpv 4526 --min-value 100000
                """
        )

        @Argument(help: "Words to search for (optional).")
        var text: [String] = []
        @Option(help: "SQLite store file.")
        var store = "vigie.sqlite"
        @Option(
            parsing: .singleValue,
            help: "Notice kind: tender, prior_information, award, call_for_projects, change (repeatable).")
        var kind: [String] = []
        @Option(help: "CPV code prefix (4526 matches 45261000).")
        var cpv: String?
        @Option(help: "Département code (42, 2A, 974).")
        var departement: String?
        @Option(help: "Published on or after this date (YYYY-MM-DD or ISO 8601).")
        var since: String?
        @Option(help: "Deadline on or after this date (YYYY-MM-DD or ISO 8601).")
        var deadlineAfter: String?
        @Option(help: "Minimum estimated value (upper bound of the amount).")
        var minValue: Double?
        @Option(help: "Only this source id.")
        var source: String?
        @Option(help: "At most this many results.")
        var limit = 50
        @Flag(help: "Show every source record of a procurement, not one per opportunity.")
        var allRecords = false
        @Flag(help: "Print the notices as a JSON array (same schema as vigie parse --json).")
        var json = false

        func validate() throws {
            for k in kind where NoticeKind(rawValue: k) == nil {
                throw ValidationError(
                    "unknown --kind \(k) (expected "
                        + NoticeKind.allCases.map(\.rawValue).joined(separator: ", ") + ")")
            }
            for (name, value) in [("--since", since), ("--deadline-after", deadlineAfter)] {
                if let value, ISO8601.parseZoned(value) == nil {
                    throw ValidationError("\(name) must be a date, YYYY-MM-DD or ISO 8601 (got \(value))")
                }
            }
            if limit < 1 { throw ValidationError("--limit must be at least 1") }
        }

        func run() async throws {
            guard FileManager.default.fileExists(atPath: store) else {
                printError("vigie query: store: \(store): no such file")
                throw ExitCode(2)
            }
            let q = NoticeQuery(
                text: text.isEmpty ? nil : text.joined(separator: " "), kinds: kind.compactMap(NoticeKind.init),
                cpvPrefix: cpv, departement: departement, since: since.flatMap { ISO8601.parseZoned($0)?.instant },
                deadlineAfter: deadlineAfter.flatMap { ISO8601.parseZoned($0)?.instant }, minValue: minValue,
                source: source, limit: limit, collapseDuplicates: !allRecords)
            let results: [Notice]
            do {
                let noticeStore = try NoticeStore(path: store)
                results = try noticeStore.search(q)
                try noticeStore.close()
            } catch {
                printError("vigie query: \(error)")
                throw ExitCode(2)
            }
            if json {
                let data = try NoticeJSON.encoder(pretty: true).encode(results)
                print(String(decoding: data, as: UTF8.self))
                return
            }
            for n in results { print(Self.line(n)) }
            printError("\(results.count) notice\(results.count == 1 ? "" : "s")")
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
