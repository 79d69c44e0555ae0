import ArgumentParser
import Fetcher
import Foundation

extension Vigie {
    /// `vigie sources`.
    struct Sources: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sources",
            abstract: "Check the source catalogue in Feeds/.",
            subcommands: [Check.self],
            defaultSubcommand: Check.self
        )

        /// `vigie sources check`.
        struct Check: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "check",
                abstract: "Validate every source file; exit 1 on errors (each names file, line and key).",
                discussion: """
                    For each source, prints whether its request and response shapes were checked against real \
                    responses captured from the service (`confirmed:`), and which captures, or why not (`evidence:`).
                    """
            )

            @Option(help: "Catalogue directory (every *.yaml but demo.yaml) or one catalogue file.")
            var feeds = "Feeds"
            @Flag(help: "Print only errors and warnings.")
            var quiet = false

            func run() async throws {
                let report = SourceCatalogue.check(path: feeds)
                if !quiet {
                    let width = max(12, report.sources.map(\.id.count).max() ?? 12)
                    if !report.sources.isEmpty {
                        let columns: [(String, Int)] = [("id", width), ("kind", 18), ("format", 22), ("paging", 15)]
                        let header = columns.map { $0.0.padding(toLength: $0.1, withPad: " ", startingAt: 0) }
                        print(header.joined(separator: " ") + " flags")
                    }
                    for s in report.sources {
                        let id = s.id.padding(toLength: width, withPad: " ", startingAt: 0)
                        let kind = s.kind.rawValue.padding(toLength: 18, withPad: " ", startingAt: 0)
                        let format = s.format.rawValue.padding(toLength: 22, withPad: " ", startingAt: 0)
                        let paging = s.paging.name.padding(toLength: 15, withPad: " ", startingAt: 0)
                        var flags: [String] = []
                        if !s.enabled { flags.append("disabled") }
                        if let cursor = s.cursor { flags.append("cursor:\(cursor.field),\(cursor.order.rawValue)") }
                        if let auth = s.auth { flags.append("auth:\(auth.env)") }
                        print("\(id) \(kind) \(format) \(paging) \(flags.joined(separator: " "))")
                        // Whether the request and response shapes were checked against real captured answers.
                        let checked = s.confirmed ? "yes" : "no"
                        let why = (s.evidence ?? s.note ?? "no evidence recorded")
                            .split(whereSeparator: \.isWhitespace).joined(separator: " ")
                        print("    checked against real responses: \(checked) — \(why)")
                    }
                }
                for warning in report.warnings { print("warning: \(warning)") }
                for error in report.errors { printError("\(error)") }
                print("\(report.files.count) file(s), \(report.sources.count) source(s), "
                      + "\(report.errors.count) error(s), \(report.warnings.count) warning(s)")
                if !report.errors.isEmpty { throw ExitCode(1) }
            }
        }
    }
}
