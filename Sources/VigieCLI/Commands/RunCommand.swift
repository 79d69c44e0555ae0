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
    struct Run: ParsableCommand {
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

                First night: on a new store (no completed run yet; a first run that failed or was interrupted \
                sent nothing, so the next one is still the first), the run stores, routes and writes everything \
                it fetches and records it as delivered, but composes no e-mail and sends nothing, even with \
                --send: the staff look at the digests, and the second night sends only what is new. The summary \
                says « première nuit … aucun envoi » (--json: "first_night": true, "messages_sent": 0). \
                --first-night forces it, --no-first-night turns it off (mail from the first run). How far back a \
                source reaches the first time is its catalogue's `first_night_days` (under `cursor:`), or \
                --days-back N for every source without a cursor yet.

                A cluster whose rules file does not load (a YAML typo) is left out tonight, named with \
                file:line:col; the other clusters are served and the run exits 1. Its staff (as recorded the \
                last night the file loaded) get an e-mail saying so; once the file is fixed, the next run routes \
                every stored notice again for it. With --cluster naming that cluster, the run stops (exit 2).

                --now sets the run's date and time, and is the fetch's clock: the first night's window and the \
                latest date a cursor may take count from it.

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

                Examples:
                  vigie run --feeds Feeds/demo.yaml --rules Rules --store demo-out/vigie.sqlite --out demo-out \
                --now 2026-11-24T02:00:00Z --soon-days 21 --no-first-night --dry-run     (the offline demo)
                  vigie run --feeds /etc/vigie/feeds --rules /etc/vigie/rules --store /var/lib/vigie/vigie.sqlite \
                --out /var/lib/vigie/digests --send     (a night in production; see deploy/ for the systemd timer \
                and the cron line, which loads the keys and SMTP settings from /etc/vigie/vigie.env)
                """
        )

        @OptionGroup var feedsOptions: FeedsOptions
        @OptionGroup var rulesOptions: RulesOptions
        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "Digest output directory.")
        var out = "digests"
        @OptionGroup var clock: ClockOptions
        @Option(parsing: .upToNextOption, help: "Fetch only these source ids.")
        var only: [String] = []
        @Option(parsing: .upToNextOption, help: "Write digests only for these clusters.")
        var cluster: [String] = []
        @OptionGroup var formatOptions: FormatOptions
        @Option(help: "List deadlines within this many days under \"Dates limites proches\".")
        var soonDays = 7
        @Option(help: "Requests in flight at once.")
        var concurrency = 16
        @Flag(help: "Do not fetch: route and write digests from what the store holds.")
        var noFetch = false
        @Option(help: "Delete notices whose deadline passed more than this many days ago (default: keep all).")
        var keepDays: Int?
        @Option(
            help: """
                Forget the text of e-mails sent (or refused and reported) more than this many days ago; the outbox \
                keeps their record, so none is sent twice. 0: keep every message.
                """)
        var keepMailDays = 30
        @Flag(help: "Classify every stored notice again (after editing the rules), not only new or changed ones.")
        var reclassify = false
        @Option(help: "Seconds the whole fetch may take; sources not done by then fail (time-budget). 0: no limit.")
        var runBudget: Double = FetchConfiguration().runTimeBudget ?? 0
        @Option(
            help: """
                Seconds one source may take, unless its catalogue entry sets time_budget_s; a source over budget \
                fails and keeps nothing this run (its cursor stays). 0: no limit.
                """)
        var sourceBudget: Double = FetchConfiguration().sourceTimeBudget ?? 0
        @Flag(
            help: """
                Send the night's e-mail once the digests are out (server from VIGIE_SMTP_URL / VIGIE_SMTP_PASSWORD). \
                Without it the mail waits in the outbox for `vigie send`.
                """)
        var send = false
        @Flag(help: "Write the night's e-mail as .eml files under <out>/<cluster>/courriels/ instead of sending.")
        var dryRun = false
        @Flag(
            help: """
                Tonight is a first night whatever the store holds: every notice fetched is stored, routed and written \
                in the digests, and recorded as delivered, but no e-mail is composed or sent (--send sends nothing). \
                Automatic on a new store (no completed run yet).
                """)
        var firstNight = false
        @Flag(
            help: """
                Never a first night: compose (and with --send, send) the night's e-mail even on a new store.
                """)
        var noFirstNight = false
        @Option(
            help: """
                Days back the fetch reaches for a source that has no cursor yet (its first night), instead of its \
                catalogue's `first_night_days` (cursor: first_night_days: N in Feeds/*.yaml). A source with a cursor \
                resumes from it.
                """)
        var daysBack: Int?
        @OptionGroup var jsonOptions: OutputOptions

        func validate() throws {
            if send && dryRun { throw ValidationError("--send and --dry-run exclude each other") }
            if firstNight && noFirstNight {
                throw ValidationError("--first-night and --no-first-night exclude each other")
            }
            if let daysBack, daysBack < 0 { throw ValidationError("--days-back must be 0 or more (got \(daysBack))") }
            if send { _ = try MailEnvironment.settings() }
        }

        func run() throws {
            let logger = Logger(label: "vigie.run")
            var options = NightlyRunOptions(
                feeds: feedsOptions.feeds, rules: rulesOptions.rules, store: storeOptions.store, output: out,
                now: clock.now?.instant, onlySources: only,
                clusters: cluster.isEmpty ? nil : cluster, formats: formatOptions.format.formats,
                concurrency: concurrency, skipFetch: noFetch,
                userAgent: FetchConfiguration.userAgent(version: Vigie.version),
                deadlineSoonDays: max(0, soonDays))
            options.reclassifyAll = reclassify
            options.keepDays = keepDays
            options.keepMailDays = keepMailDays
            options.runTimeBudget = runBudget > 0 ? runBudget : nil
            options.sourceTimeBudget = sourceBudget > 0 ? sourceBudget : nil
            options.firstNight = firstNight ? .on : noFirstNight ? .off : .automatic
            options.firstNightDays = daysBack
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
            if jsonOptions.json {
                let data = try NoticeJSON.encoder(pretty: false).encode(report)
                print(String(decoding: data, as: UTF8.self))
            } else {
                for line in NightlyRun.summary(report) { print(line) }
            }
            if report.exitCode != 0 { throw ExitCode(report.exitCode) }
        }
    }
}
