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

                Exit codes: 0 everything was accepted (or nothing was waiting); 1 a recipient was refused or \
                deferred, or the server stayed unreachable (the rest waits for the next run); 2 it could not run \
                (no VIGIE_SMTP_URL, store locked or unreadable).

                Check first: vigie send --dry-run --out digests   (writes each message as an .eml file)
                """)

        @Option(help: "SQLite store file.")
        var store = "vigie.sqlite"
        @Option(help: "With --dry-run: the folder the .eml files go under (<out>/<cluster>/courriels/).")
        var out = "digests"
        @Option(parsing: .upToNextOption, help: "Only the mail of these clusters.")
        var cluster: [String] = []
        @Flag(help: "Write each waiting message as an .eml file instead of sending; the outbox is left as it is.")
        var dryRun = false
        @Flag(help: "Print the report as JSON on stdout.")
        var json = false

        func run() throws {
            let settings = dryRun ? nil : try MailEnvironment.settings()
            guard FileManager.default.fileExists(atPath: store) else {
                printError("vigie send: no store at \(store) (run `vigie run` first)")
                throw ExitCode(2)
            }
            StopRequest.shared.install()
            let report: MailReport
            do {
                let lock = try RunLock(store: store, now: Date())
                defer { lock.unlock() }
                let db = try NoticeStore(path: store)
                let delivery = MailDelivery(store: db)
                let clusters = cluster.isEmpty ? nil : cluster
                if let settings {
                    report = try delivery.send(
                        settings: settings, clusters: clusters,
                        progress: { line in
                            printError("vigie send: " + line)
                        })
                } else {
                    report = try delivery.preview(output: out, clusters: clusters)
                    for f in report.previewFiles { printError("vigie send: wrote \(f)") }
                }
                try db.close()
            } catch let error as PipelineError {
                printError("vigie \(error)")
                throw ExitCode(error.exitCode)
            } catch {
                printError("vigie send: \(error)")
                throw ExitCode(2)
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
            } else {
                for line in MailDelivery.summary(report) { print(line) }
            }
            if report.exitCode != 0 { throw ExitCode(report.exitCode) }
        }
    }
}
