import ArgumentParser
import Foundation
import Logging

/// `vigie`: the nightly tender and call-for-projects watch for business clusters.
public struct Vigie: ParsableCommand {
    public static let version = "0.1.0"

    public init() {}

    public static let configuration = CommandConfiguration(
        commandName: "vigie",
        abstract: "Veille des appels d'offres et appels à projets pour les pôles et grappes d'entreprises.",
        discussion: """
            Vigie fetches public tenders (BOAMP, TED, buyer platforms) and calls for projects \
            (aides-territoires, EU Funding & Tenders, regions), normalises them, stores them in SQLite, \
            routes each one to the cluster members whose value-chain segments it needs, and writes a \
            digest per cluster.

            Try it offline after `make demo` (store demo-out/vigie.sqlite, catalogue Feeds/demo.yaml):
              vigie query --store demo-out/vigie.sqlite --departement 42 --min-value 100k
              vigie sources check --feeds Feeds/demo.yaml
              vigie rules show mecaloire
              vigie parse Feeds/samples/acheteurs-rhone-loire.rss.xml

            A new cluster's configuration folder, to fill in (then read its README.md):
              vigie init /etc/vigie --cluster-id mon-pole --name "Mon pôle"
            Every night (cron), then the e-mail a server deferred (VIGIE_SMTP_URL, VIGIE_SMTP_PASSWORD); a new
            store's first run is a first night: everything stored and routed, nothing sent:
              vigie run --store vigie.sqlite --out digests --send
              vigie send --store vigie.sqlite
            Check the rules, see why a notice reaches a member or not, back the store up:
              vigie rules lint Rules
              vigie explain --store vigie.sqlite --cluster mecaloire NOTICE-ID-OR-FILE
              vigie backup --store vigie.sqlite backups/vigie.sqlite

            Every command that prints results takes --json (one JSON document on stdout, snake_case keys); \
            messages go to stderr, one line each: vigie <command>: [warning: |error: ]message. \
            `vigie help <command>` shows a command's options and examples.

            Exit codes: 0 success; 1 the command ran but something failed (a source, a lint error); \
            2 it could not run (bad arguments, bad catalogue, store not writable, an unknown id).
            """,
        version: version,
        subcommands: [
            Init.self, Run.self, Fetch.self, Parse.self, Extract.self, Route.self, Explain.self, Rules.self,
            Query.self, DigestCommand.self, Send.self, Sources.self, Backup.self,
        ]
    )

    /// The entry point of the `vigie` executable: one log format, then the command, with exit codes 0, 1, 2.
    public static func execute() {
        Diagnostics.bootstrap()
        var parsed: (any ParsableCommand)?
        do {
            var command = try parseAsRoot()
            parsed = command
            // Every command is synchronous: none awaits anything (the fetch drives libcurl's multi handle itself).
            try command.run()
        } catch let error as CLIError {
            // Located, one line, no usage: the arguments were fine, what they name is not.
            printError(Diagnostics.line(command: Self.name(of: parsed), error.description))
            Foundation.exit(error.exitCode)
        } catch {
            // Usage errors exit 2 like every "could not run" case (ArgumentParser's default is 64), so cron
            // wrappers only need to know 0, 1 and 2. The usage shown is the subcommand's, also for a value refused
            // once the command had started.
            if exitCode(for: error) == .validationFailure {
                if let parsed, error is ValidationError {
                    printError("Error: \(error)\n" + usageString(for: type(of: parsed)))
                    printError("  See 'vigie \(Self.name(of: parsed)) --help' for more.")
                } else {
                    printError(fullMessage(for: error))
                }
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }

    /// `run`, `rules lint`…: the subcommand's path, for messages.
    static func name(of command: (any ParsableCommand)?) -> String {
        guard let command else { return "" }
        return path(of: type(of: command))
    }
}
