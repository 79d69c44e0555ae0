import ArgumentParser
import Foundation
import Logging
import Mail
import Pipeline
import Store

/// The SMTP server of `--send` and `vigie send`, from the environment (never from a file the repository holds).
enum MailEnvironment {
    static func settings() throws -> SMTPSettings {
        let settings: SMTPSettings?
        do {
            settings = try SMTPSettings.fromEnvironment(ProcessInfo.processInfo.environment)
        } catch {
            throw ValidationError("\(error)")
        }
        guard let settings else {
            throw ValidationError(
                "VIGIE_SMTP_URL is not set: export VIGIE_SMTP_URL=smtp://user@mail.example.org:587 (STARTTLS when "
                    + "offered) or smtps://user@mail.example.org:465, and VIGIE_SMTP_PASSWORD; or use --dry-run")
        }
        return settings
    }
}

extension Vigie {
    /// `vigie send`.
    struct Send: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "send",
            abstract: "Send the e-mail still waiting in the outbox (digests of past runs), each message once.",
            discussion: """
                Every run composes its e-mail in the store's outbox with the digests: the staff get the cluster's \
                digest, each member with something that night and a contact its own, each saved watch with \
                matches its recipients. `vigie run --send` sends them at once; `vigie send` sends what is still \
                waiting: mail of a run without --send, recipients deferred by the server (4xx), a server that was \
                down, a run killed while sending. What the server accepted is never sent again; a recipient \
                refused for good (5xx) is not retried and the next staff digest lists it.

                The server comes from the environment:
                  VIGIE_SMTP_URL       smtp://user@host:587 (STARTTLS when the server offers it) or \
                smtps://user@host:465
                  VIGIE_SMTP_PASSWORD  the account's password (never in the URL, never in a file of the repository)

                --json prints the report as one JSON object on stdout; progress goes to stderr (vigie send: …).

                Examples:
                  vigie send --store demo-out/vigie.sqlite --dry-run --out demo-out
                      (writes each waiting message as an .eml file under demo-out/<cluster>/courriels/)
                  VIGIE_SMTP_URL=smtp://veille@mail.example.org:587 VIGIE_SMTP_PASSWORD=… \
                vigie send --store demo-out/vigie.sqlite --cluster mecaloire --json

                Exit codes: 0 everything was accepted (or nothing was waiting); 1 a recipient was refused or \
                deferred, or the server stayed unreachable (the rest waits for the next run); 2 it could not run \
                (no VIGIE_SMTP_URL, no store, store locked or unreadable, a --cluster the store does not hold: \
                the known ones are listed).
                """)

        @OptionGroup var store: StoreOptions
        @Option(help: "With --dry-run: the folder the .eml files go under (<out>/<cluster>/courriels/).")
        var out = "digests"
        @Option(parsing: .upToNextOption, help: "Only the mail of these clusters.")
        var cluster: [String] = []
        @Flag(help: "Write each waiting message as an .eml file instead of sending; the outbox is left as it is.")
        var dryRun = false
        @OptionGroup var output: OutputOptions

        func run() throws {
            let settings = dryRun ? nil : try MailEnvironment.settings()
            let path = try store.existing()
            StopRequest.shared.install()
            let report: MailReport
            do {
                let lock = try RunLock(store: path, now: Date())
                defer { lock.unlock() }
                let db = try NoticeStore(path: path)
                let sent = Result { () throws -> MailReport in
                    // A cluster the store never heard of would send nothing with exit 0: name the known ones.
                    try CLIError.requireKnown(cluster, among: try db.knownClusterIDs(), what: "cluster")
                    let delivery = MailDelivery(store: db)
                    let clusters = cluster.isEmpty ? nil : cluster
                    if let settings {
                        return try delivery.send(
                            settings: settings, clusters: clusters,
                            progress: { line in printError(Diagnostics.line(command: "send", line)) })
                    }
                    let report = try delivery.preview(output: out, clusters: clusters)
                    for f in report.previewFiles { printError(Diagnostics.line(command: "send", "wrote \(f)")) }
                    return report
                }
                try db.close()
                report = try sent.get()
            } catch let error as CLIError {
                throw error
            } catch let error as PipelineError {
                printError(Diagnostics.line(command: "send", level: .error, "\(error)"))
                throw ExitCode(error.exitCode)
            } catch {
                throw CLIError.cannotRun("\(error)")
            }
            if output.json {
                try JSONOutput.print(report)
            } else {
                for line in MailDelivery.summary(report) { print(line) }
            }
            if report.exitCode != 0 { throw ExitCode(report.exitCode) }
        }
    }
}
