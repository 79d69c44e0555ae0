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
                abstract: "Validate every source file; exit 1 on errors (each names file, line and key)."
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
                        if !s.confirmed { flags.append("unconfirmed") }
                        if !s.enabled { flags.append("disabled") }
                        if let auth = s.auth { flags.append("auth:\(auth.env)") }
                        print("\(id) \(kind) \(format) \(paging) \(flags.joined(separator: " "))")
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
