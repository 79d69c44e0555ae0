import ArgumentParser
import Digest
import Fetcher
import Foundation
import Logging
import Mail
import Notices
import Pipeline

extension Vigie {
    /// `vigie run`.
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract: "Run the nightly pipeline: fetch, parse, store, route and write digests.",
            discussion: """
                Locks the store, fetches every source of the catalogue, parses and stores the notices \
                (duplicates across sources recognised, changes versioned), routes only what is new or changed \
                since the last run, writes each cluster's digest (<out>/<cluster>/<date>.md, .html, .json, .ics, \
                .atom, .csv and latest.*) and each member's own (<out>/<cluster>/adherents/<member>/…), \
                records what was sent, so a re-run sends nothing twice, and composes the night's e-mail in the \
                outbox (staff: the cluster's digest; each member with something tonight: its own; each watch: \
                its matches). --send sends it (then `vigie send` retries what the server deferred), --dry-run \
                writes it as .eml files.

                Progress goes to stderr, the summary to stdout (--json: one JSON object).
                Exit codes: 0 ok; 1 the run completed but some sources failed, a cluster's rules have errors or \
                a cluster's digest could not be written (a full disk: nothing of it counts as sent, the next run \
                writes it), or an e-mail was refused or deferred (the staff digest lists refusals; `vigie send` \
                retries the rest); the other clusters are served; 2 it could not run (lock held, bad catalogue, store \
                not writable); 130 / 143 stopped by SIGINT / SIGTERM at a safe point (the next run resumes; \
                nothing is sent twice).

                Each cluster's digests of a night are one edition, written aside then moved into place with the \
                deliveries recorded in the same step: after a crash, a full disk or a signal, the next run \
                finishes the same edition, never a second one with the same items.

                Nightly (cron): 30 2 * * * cd /srv/vigie && vigie run --store vigie.sqlite --out digests --send \
                >> run.log 2>&1   (with VIGIE_SMTP_URL and VIGIE_SMTP_PASSWORD in the crontab's environment)

                Offline demo: vigie run --feeds Feeds/demo.yaml --rules Rules --store demo-out/vigie.sqlite \
                --out demo-out --now 2026-11-24T02:00:00Z --soon-days 21
                """
        )

        @Option(help: "Source catalogue: a directory of *.yaml, or one file.")
        var feeds = "Feeds"
        @Option(help: "Rules directory (one file per cluster).")
        var rules = "Rules"
        @Option(help: "SQLite store file (created when missing).")
        var store = "vigie.sqlite"
        @Option(help: "Digest output directory.")
        var out = "digests"
        @Option(help: """
            The run's date and time, ISO 8601 (default: now). Fixes the output for demos and tests, and is the \
            fetch's clock: the first night's window and the latest date a cursor may take count from it.
            """)
        var now: String?
        @Option(parsing: .upToNextOption, help: "Fetch only these source ids.")
        var only: [String] = []
        @Option(parsing: .upToNextOption, help: "Write digests only for these clusters.")
        var cluster: [String] = []
        @Option(help: "Digest formats, comma-separated: md,html,json,ics,atom,csv.")
        var format = "md,html,json,ics,atom,csv"
        @Option(help: "List deadlines within this many days under \"Dates limites proches\".")
        var soonDays = 7
        @Option(help: "Requests in flight at once.")
        var concurrency = 16
        @Flag(help: "Do not fetch: route and write digests from what the store holds.")
        var noFetch = false
        @Option(help: "Delete notices whose deadline passed more than this many days ago (default: keep all).")
        var keepDays: Int?
        @Flag(help: "Classify every stored notice again (after editing the rules), not only new or changed ones.")
        var reclassify = false
        @Option(help: "Seconds the whole fetch may take; sources not done by then fail (time-budget). 0: no limit.")
        var runBudget: Double = FetchConfiguration().runTimeBudget ?? 0
        @Option(help: """
            Seconds one source may take, unless its catalogue entry sets time_budget_s; a source over budget \
            fails and keeps nothing this run (its cursor stays). 0: no limit.
            """)
        var sourceBudget: Double = FetchConfiguration().sourceTimeBudget ?? 0
        @Flag(help: """
            Send the night's e-mail once the digests are out (server from VIGIE_SMTP_URL / VIGIE_SMTP_PASSWORD). \
            Without it the mail waits in the outbox for `vigie send`.
            """)
        var send = false
        @Flag(help: "Write the night's e-mail as .eml files under <out>/<cluster>/courriels/ instead of sending.")
        var dryRun = false
        @Flag(help: "Print the run report as JSON on stdout.")
        var json = false

        func validate() throws {
            if send && dryRun { throw ValidationError("--send and --dry-run exclude each other") }
            if send { _ = try MailEnvironment.settings() }
            if let now, ISO8601.parseZoned(now) == nil {
                throw ValidationError("--now must be an ISO 8601 date, e.g. 2026-05-05T02:00:00Z (got \(now))")
            }
            do { _ = try DigestFormat.parseList(format) } catch { throw ValidationError("\(error)") }
        }

        func run() async throws {
            let logger = Logger(label: "vigie.run")
            var options = NightlyRunOptions(
                feeds: feeds, rules: rules, store: store, output: out,
                now: now.flatMap { ISO8601.parseZoned($0)?.instant }, onlySources: only,
                clusters: cluster.isEmpty ? nil : cluster, formats: try DigestFormat.parseList(format),
                concurrency: concurrency, skipFetch: noFetch,
                userAgent: FetchConfiguration.userAgent(version: Vigie.version),
                deadlineSoonDays: max(0, soonDays))
            options.reclassifyAll = reclassify
            options.keepDays = keepDays
            options.runTimeBudget = runBudget > 0 ? runBudget : nil
            options.sourceTimeBudget = sourceBudget > 0 ? sourceBudget : nil
            if send { options.mail = .send(try MailEnvironment.settings()) } else if dryRun { options.mail = .preview }
            // SIGTERM / SIGINT stop the run at the next safe point instead of killing it mid-edition.
            StopRequest.shared.install()
            let report: NightlyRunReport
            do {
                report = try NightlyRun.run(options, logger: logger) { line in
                    printError("vigie run: " + line)
                }
            } catch let error as PipelineError {
                printError("vigie \(error)")
                throw ExitCode(error.exitCode)
            } catch {
                printError("vigie \(error)")
                throw ExitCode(2)
            }
            if json {
                let data = try NoticeJSON.encoder(pretty: false).encode(report)
                print(String(decoding: data, as: UTF8.self))
            } else {
                for line in NightlyRun.summary(report) { print(line) }
            }
            if report.exitCode != 0 { throw ExitCode(report.exitCode) }
        }
    }
}
