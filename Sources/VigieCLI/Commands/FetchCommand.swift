import ArgumentParser
import Fetcher
import Foundation
import Logging
import Notices
import Pipeline
import Store

extension Vigie {
    /// `vigie fetch`.
    struct Fetch: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "fetch",
            abstract: "Fetch every source of the catalogue, parse and keep responses and source state.",
            discussion: """
                Prints one line per source (status, HTTP code, bytes, notices, duration, error) and a summary; \
                --json prints one JSON array instead, one object per source (source, status, http_status, bytes, \
                pages, notices, inserted, changed, duration_s, reason, error, warnings, consecutive_failures, \
                left). Retries and warnings go to stderr as vigie fetch: lines, and one vigie fetch: error: line \
                per failed source. A source stopped by an API cap or max_pages is `incomplete`: what it fetched \
                is stored and the next run resumes from there.

                Examples (offline: the demo's sources are file:// URLs):
                  vigie fetch --feeds Feeds/demo.yaml --store demo-out/vigie.sqlite --json
                  vigie fetch --feeds Feeds/demo.yaml --only demo-ted-search --store demo-out/vigie.sqlite

                Exit codes: 0 every source succeeded, was not modified or is incomplete; 1 the run completed but \
                some sources failed; 2 it could not run (bad catalogue, an --only id the catalogue does not hold, \
                store locked or not writable).
                """
        )

        @OptionGroup var feeds: FeedsOptions
        @OptionGroup var store: StoreOptions
        @Option(parsing: .upToNextOption, help: "Fetch only these source ids (disabled ones too).")
        var only: [String] = []
        @Option(help: "Requests in flight at once.")
        var concurrency = 16
        @Option(help: "Seconds the whole fetch may take; sources not done by then fail (time-budget). 0: no limit.")
        var runBudget: Double = FetchConfiguration().runTimeBudget ?? 0
        @Option(help: "Seconds one source may take, unless its catalogue entry sets time_budget_s. 0: no limit.")
        var sourceBudget: Double = FetchConfiguration().sourceTimeBudget ?? 0
        @OptionGroup var output: OutputOptions
        @OptionGroup var clock: ClockOptions

        func validate() throws {
            if concurrency < 1 { throw ValidationError("--concurrency must be at least 1") }
        }

        func run() throws {
            let logger = Logger(label: "vigie.fetch")
            let report = SourceCatalogue.check(path: feeds.feeds)
            if !report.errors.isEmpty {
                for error in report.errors { printError(Diagnostics.line(command: "fetch", level: .error, "\(error)")) }
                throw CLIError.cannotRun("the catalogue has \(report.errors.count) error(s); nothing fetched")
            }
            try CLIError.requireKnown(only, among: report.sources.map(\.id), what: "source")
            let selected = only.isEmpty ? report.sources : report.sources.filter { only.contains($0.id) }
            let path = store.store
            let lock: RunLock
            do {
                lock = try RunLock(store: path)
            } catch {
                throw CLIError.cannotRun("\(error)")
            }
            defer { lock.unlock() }
            StopRequest.shared.install()
            let noticeStore: NoticeStore
            do {
                noticeStore = try NoticeStore(path: path)
            } catch {
                throw CLIError.cannotRun("cannot open the store: \(error)")
            }
            var configuration = FetchConfiguration(maxConcurrent: concurrency)
            configuration.transport.userAgent = FetchConfiguration.userAgent(version: Vigie.version)
            configuration.runTimeBudget = runBudget > 0 ? runBudget : nil
            configuration.sourceTimeBudget = sourceBudget > 0 ? sourceBudget : nil
            configuration.shouldStop = { StopRequest.shared.receivedSignal != nil }
            // A fetch replayed at a given date (`--now`), as `vigie run --now` does: the first night's window and
            // the stored dates count from it, so `vigie fetch` then `vigie digest` gives what `vigie run` gives.
            configuration.now = clock.now?.instant
            let fixed = clock.now?.instant
            let engine = FetchEngine(configuration: configuration, logger: logger)
            let fetched = Result {
                try FetchRun.run(
                    selected, store: noticeStore, engine: engine, includeDisabled: !only.isEmpty,
                    logger: logger, now: { fixed ?? Date() })
            }
            // Closed whatever happened: the WAL is checkpointed, so the .sqlite file alone is the whole store.
            let closed = Result { try noticeStore.close() }
            let reports: [SourceRunReport]
            do {
                reports = try fetched.get()
                try closed.get()
            } catch {
                printError(Diagnostics.line(command: "fetch", level: .error, "\(error)"))
                throw ExitCode((error as? PipelineError)?.exitCode ?? 2)
            }
            if output.json {
                // The report's own keys (already snake_case), one array: the shape scripts have read so far.
                let data = try NoticeJSON.encoder(pretty: true).encode(reports)
                print(String(decoding: data, as: UTF8.self))
            } else {
                let width = max(12, reports.map(\.source.count).max() ?? 12)
                for r in reports { print(FetchRun.line(r, idWidth: width)) }
                let failed = reports.filter(\.isFailure).count
                let disabled = reports.filter { $0.status == "disabled" }.count
                let incomplete = reports.filter { $0.status == "incomplete" }.count
                let notices = reports.reduce(0) { $0 + $1.notices }
                print(
                    "\(reports.count) sources: \(reports.count - failed - disabled - incomplete) ok or not "
                        + "modified, \(incomplete) incomplete (resumed next run), \(failed) failed, "
                        + "\(disabled) disabled; \(notices) notices")
            }
            // The log says which sources failed too, so a cron log grepped for `error:` finds them.
            for r in reports where r.isFailure {
                printError(
                    Diagnostics.line(
                        command: "fetch", level: .error, r.error ?? "\(r.source): failed",
                        metadata: ["source.id": "\(r.source)", "reason": "\(r.reason ?? "unknown")"]))
            }
            if reports.contains(where: \.isFailure) { throw ExitCode(1) }
        }
    }
}
