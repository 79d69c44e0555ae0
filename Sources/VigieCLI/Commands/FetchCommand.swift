import ArgumentParser
import Fetcher
import Foundation
import Logging
import Notices
import Pipeline
import Store

extension Vigie {
    /// `vigie fetch`.
    struct Fetch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "fetch",
            abstract: "Fetch every source of the catalogue, parse and keep responses and source state.",
            discussion: """
                Prints one line per source (status, HTTP code, bytes, notices, duration, error), or a JSON \
                array with --json. A source stopped by an API cap or max_pages is `incomplete`: what it fetched is \
                stored and the next run resumes from there. Exit 0 when every source succeeded, was not modified or \
                is incomplete, 1 when the run \
                completed but some sources failed, 2 when it could not run (bad catalogue, store not writable).

                Offline demo: vigie fetch --feeds Feeds/demo.yaml --store demo-out/vigie.sqlite
                """
        )

        @Option(help: "Catalogue directory (every *.yaml but demo.yaml) or one catalogue file.")
        var feeds = "Feeds"
        @Option(help: "SQLite store file (created when missing).")
        var store = "vigie.sqlite"
        @Option(parsing: .upToNextOption, help: "Fetch only these source ids.")
        var only: [String] = []
        @Option(help: "Requests in flight at once.")
        var concurrency = 16
        @Option(help: "Seconds the whole fetch may take; sources not done by then fail (time-budget). 0: no limit.")
        var runBudget: Double = FetchConfiguration().runTimeBudget ?? 0
        @Option(help: "Seconds one source may take, unless its catalogue entry sets time_budget_s. 0: no limit.")
        var sourceBudget: Double = FetchConfiguration().sourceTimeBudget ?? 0
        @Flag(help: "Print a JSON array instead of lines.")
        var json = false

        func run() async throws {
            let logger = Logger(label: "vigie.fetch")
            let report = SourceCatalogue.check(path: feeds)
            if !report.errors.isEmpty {
                for error in report.errors { printError("\(error)") }
                printError("vigie fetch: the catalogue has \(report.errors.count) error(s); nothing fetched")
                throw ExitCode(2)
            }
            let selected: [SourceDefinition]
            do {
                selected = try FetchRun.select(SourceCatalogue(sources: report.sources), only: only)
            } catch {
                printError("\(error)")
                throw ExitCode(2)
            }
            let lock: RunLock
            do {
                lock = try RunLock(store: store)
            } catch {
                printError("vigie fetch: \(error)")
                throw ExitCode(2)
            }
            defer { lock.unlock() }
            StopRequest.shared.install()
            let noticeStore: NoticeStore
            do {
                noticeStore = try NoticeStore(path: store)
            } catch {
                printError("vigie fetch: cannot open the store: \(error)")
                throw ExitCode(2)
            }
            var configuration = FetchConfiguration(maxConcurrent: max(1, concurrency))
            configuration.transport.userAgent = FetchConfiguration.userAgent(version: Vigie.version)
            configuration.runTimeBudget = runBudget > 0 ? runBudget : nil
            configuration.sourceTimeBudget = sourceBudget > 0 ? sourceBudget : nil
            configuration.shouldStop = { StopRequest.shared.receivedSignal != nil }
            let engine = FetchEngine(configuration: configuration, logger: logger)
            let fetched = Result {
                try FetchRun.run(selected, store: noticeStore, engine: engine, includeDisabled: !only.isEmpty,
                                 logger: logger)
            }
            // Closed whatever happened: the WAL is checkpointed, so the .sqlite file alone is the whole store.
            let closed = Result { try noticeStore.close() }
            let reports: [SourceRunReport]
            do {
                reports = try fetched.get()
                try closed.get()
            } catch {
                printError("vigie fetch: \(error)")
                throw ExitCode((error as? PipelineError)?.exitCode ?? 2)
            }
            if json {
                let data = try NoticeJSON.encoder(pretty: false).encode(reports)
                print(String(decoding: data, as: UTF8.self))
            } else {
                let width = max(12, reports.map(\.source.count).max() ?? 12)
                for r in reports { print(FetchRun.line(r, idWidth: width)) }
                let failed = reports.filter(\.isFailure).count
                let disabled = reports.filter { $0.status == "disabled" }.count
                let incomplete = reports.filter { $0.status == "incomplete" }.count
                let notices = reports.reduce(0) { $0 + $1.notices }
                print("\(reports.count) sources: \(reports.count - failed - disabled - incomplete) ok or not "
                      + "modified, \(incomplete) incomplete (resumed next run), \(failed) failed, "
                      + "\(disabled) disabled; \(notices) notices")
            }
            if reports.contains(where: \.isFailure) { throw ExitCode(1) }
        }
    }
}
