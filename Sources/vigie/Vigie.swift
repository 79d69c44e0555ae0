import ArgumentParser
import Foundation
import Logging

/// `vigie`: the nightly tender and call-for-projects watch for business clusters.
@main
struct Vigie: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "vigie",
        abstract: "Veille des appels d'offres et appels à projets pour les pôles et grappes d'entreprises.",
        discussion: """
            Vigie fetches public tenders (BOAMP, TED, buyer platforms) and calls for projects \
            (aides-territoires, EU Funding & Tenders, regions), normalises them, stores them in SQLite, \
            routes each one to the cluster members whose value-chain segments it needs, and writes a \
            digest per cluster.

            Nightly:     vigie run --feeds Feeds --rules Rules --store vigie.sqlite --out digests/ --send
            E-mail left: vigie send --store vigie.sqlite   (server: VIGIE_SMTP_URL, VIGIE_SMTP_PASSWORD)
            One file:    vigie parse --json notice.xml
            Rules:       vigie rules lint Rules/
            Why/why not: vigie explain NOTICE-FILE --rules Rules --cluster mecaloire

            Exit codes: 0 success; 1 the command ran but something failed (a source, a lint error); \
            2 it could not run (bad arguments, bad catalogue, store not writable).
            """,
        version: version,
        subcommands: [
            Run.self, Fetch.self, Parse.self, Extract.self, Route.self, Explain.self, Rules.self,
            Query.self, DigestCommand.self, Send.self, Sources.self, Backup.self,
        ]
    )

    static func main() async {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            // Usage errors exit 2 like every "could not run" case (ArgumentParser's default is 64),
            // so cron wrappers only need to know 0, 1 and 2.
            if exitCode(for: error) == .validationFailure {
                printError(fullMessage(for: error))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}

/// Writes one line to stderr: every command's diagnostics go there, results to stdout.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
