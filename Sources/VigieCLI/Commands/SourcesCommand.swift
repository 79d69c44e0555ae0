import ArgumentParser
import Fetcher
import Foundation

extension Vigie {
    /// `vigie sources`.
    struct Sources: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sources",
            abstract: "Check the source catalogue in Feeds/.",
            discussion: """
                Example:
                  vigie sources check --feeds Feeds/demo.yaml

                Exit codes: 0 the catalogue is valid; 1 it has errors; 2 bad arguments.
                """,
            subcommands: [Check.self],
            defaultSubcommand: Check.self
        )

        /// `vigie sources check`.
        struct Check: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "check",
                abstract: "Validate every source file; exit 1 on errors (each names file, line and key).",
                discussion: """
                    For each source, prints whether its request and response shapes were checked against real \
                    responses captured from the service (`confirmed:`), and which captures, or why not \
                    (`evidence:`). Errors go to stderr, one line each (vigie sources check: error: FILE:LINE: …); \
                    --json prints the whole report as one JSON object (files, sources, errors, warnings).

                    Examples:
                      vigie sources check
                      vigie sources check --feeds Feeds/demo.yaml --json
                      vigie sources check --feeds Feeds --only boamp-api ted-search-api

                    Exit codes: 0 the catalogue is valid (warnings allowed); 1 it has errors; 2 bad arguments \
                    or an --only id the catalogue does not hold (the known ones are listed).
                    """
            )

            @OptionGroup var feeds: FeedsOptions
            @Option(parsing: .upToNextOption, help: "Show only these source ids.")
            var only: [String] = []
            @Flag(help: "Print only errors and warnings.")
            var quiet = false
            @OptionGroup var output: OutputOptions

            func run() throws {
                var report = SourceCatalogue.check(path: feeds.feeds)
                if !only.isEmpty {
                    // Only when the catalogue loaded: with errors, the ids it holds are not all known.
                    if report.errors.isEmpty {
                        try CLIError.requireKnown(only, among: report.sources.map(\.id), what: "source")
                    }
                    report.sources = report.sources.filter { only.contains($0.id) }
                }
                if output.json {
                    try JSONOutput.print(CatalogueCheckJSON(report))
                } else {
                    if !quiet { printTable(report.sources) }
                    for warning in report.warnings {
                        printError(Diagnostics.line(command: "sources check", level: .warning, warning))
                    }
                    print(
                        "\(report.files.count) file(s), \(report.sources.count) source(s), "
                            + "\(report.errors.count) error(s), \(report.warnings.count) warning(s)")
                }
                // Errors stay on stderr with --json too: a script reads the JSON, a person the log.
                for error in report.errors {
                    printError(Diagnostics.line(command: "sources check", level: .error, "\(error)"))
                }
                if !report.errors.isEmpty { throw ExitCode(1) }
            }

            private func printTable(_ sources: [SourceDefinition]) {
                let width = max(12, sources.map(\.id.count).max() ?? 12)
                if !sources.isEmpty {
                    let columns: [(String, Int)] = [("id", width), ("kind", 18), ("format", 22), ("paging", 15)]
                    let header = columns.map { $0.0.padding(toLength: $0.1, withPad: " ", startingAt: 0) }
                    print(header.joined(separator: " ") + " flags")
                }
                for s in sources {
                    let id = s.id.padding(toLength: width, withPad: " ", startingAt: 0)
                    let kind = s.kind.rawValue.padding(toLength: 18, withPad: " ", startingAt: 0)
                    let format = s.format.rawValue.padding(toLength: 22, withPad: " ", startingAt: 0)
                    let paging = s.paging.name.padding(toLength: 15, withPad: " ", startingAt: 0)
                    print(
                        "\(id) \(kind) \(format) \(paging) \(CatalogueCheckJSON.Source.flags(s).joined(separator: " "))"
                    )
                    // Whether the request and response shapes were checked against real captured answers.
                    let checked = s.confirmed ? "yes" : "no"
                    print("    checked against real responses: \(checked) — \(CatalogueCheckJSON.Source.evidence(s))")
                }
            }
        }
    }
}

/// `vigie sources check --json`: the catalogue as Vigie read it.
struct CatalogueCheckJSON: Encodable {
    struct Source: Encodable {
        var id: String
        var name: String
        var kind: String
        var format: String
        var url: String
        var paging: String
        var isEnabled: Bool
        /// `cursor:dateparution,asc`, `auth:PISTE_KEY`, `disabled`: what the table's last column shows.
        var flags: [String]
        /// Checked against real responses captured from the service.
        var confirmed: Bool
        var evidence: String

        init(_ s: SourceDefinition) {
            id = s.id
            name = s.name
            kind = s.kind.rawValue
            format = s.format.rawValue
            url = s.url
            paging = s.paging.name
            isEnabled = s.enabled
            flags = Self.flags(s)
            confirmed = s.confirmed
            evidence = Self.evidence(s)
        }

        static func flags(_ s: SourceDefinition) -> [String] {
            var flags: [String] = []
            if !s.enabled { flags.append("disabled") }
            if let cursor = s.cursor { flags.append("cursor:\(cursor.field),\(cursor.order.rawValue)") }
            if let auth = s.auth { flags.append("auth:\(auth.env)") }
            return flags
        }

        static func evidence(_ s: SourceDefinition) -> String {
            (s.evidence ?? s.note ?? "no evidence recorded").split(whereSeparator: \.isWhitespace).joined(
                separator: " ")
        }
    }

    /// A catalogue error, located: the file, the line and the key when the catalogue gives them.
    struct Finding: Encodable {
        var file: String?
        var line: Int?
        var key: String?
        var message: String
    }

    var files: [String]
    var sources: [Source]
    var errors: [Finding]
    var warnings: [String]

    init(_ report: SourceCatalogue.CheckReport) {
        files = report.files
        sources = report.sources.map(Source.init)
        errors = report.errors.map { error in
            if case .catalogue(let file, let line, let key, let message) = error {
                return Finding(file: file, line: line, key: key, message: message)
            }
            return Finding(file: nil, line: nil, key: nil, message: "\(error)")
        }
        warnings = report.warnings
    }
}
