import ArgumentParser
import Classifier
import Digest
import Foundation
import Logging
import Notices
import Pipeline

extension Vigie {
    /// `vigie digest`.
    struct DigestCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "digest",
            abstract: "Route what the store holds and write the clusters' digests, without fetching.",
            discussion: """
                Routes what is new or changed in the store since the last run (as vigie run does after its \
                fetch: vigie fetch then vigie digest --mark-delivered gives the digest vigie run gives), then \
                writes each cluster's digest from what has not been sent yet. By default it is a preview: \
                routes are recorded, nothing is marked as sent, so the next vigie run still writes and sends \
                these items; --mark-delivered records the deliveries and composes the e-mail as vigie run does. \
                Recording routes writes the store: like vigie run, it takes the store's lock.

                Files written go to stdout, one per line (--json: one JSON report with the clusters, the \
                files, the counts and whether the deliveries were recorded); progress goes to stderr.
                Exit codes: 0 ok; 1 a cluster's rules have errors or its digest could not be written (the \
                other clusters are served); 2 it could not run (no store, unknown cluster, lock held).

                Examples (after make demo):
                  vigie digest --store demo-out/vigie.sqlite --out preview --now 2026-11-24T02:00:00Z
                  vigie digest --store demo-out/vigie.sqlite --cluster mecaloire --out preview --format md,html
                """
        )

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var clock: ClockOptions
        @OptionGroup var rulesOptions: RulesOptions
        @OptionGroup var feedsOptions: FeedsOptions
        @OptionGroup var formatOptions: FormatOptions
        @OptionGroup var output: OutputOptions

        @Option(parsing: .upToNextOption, help: "Only these clusters (default: every cluster of the rules).")
        var cluster: [String] = []
        @Option(help: "Output directory (files go to <out>/<cluster>/).")
        var out = "digests"
        @Option(help: "List deadlines within this many days under \"Dates limites proches\".")
        var soonDays = 7
        @Flag(help: "Record the deliveries, so the next run does not send these items again.")
        var markDelivered = false

        func run() throws {
            let store = try storeOptions.existing()
            let rules: RulebookLoad
            do {
                rules = try Rulebook.loadEach(
                    directory: rulesOptions.rules, linted: NightlyRun.recordedRules(store: store),
                    cache: NightlyRun.rulesCache(store: store))
            } catch {
                throw CLIError.cannotRun("\(error)")
            }
            // A cluster whose file does not load is still a known id: DigestRun says what is wrong with it.
            let known = rules.rulebook.clusters.map(\.id) + rules.failed.map(\.cluster)
            try CLIError.requireKnown(cluster, among: known, what: "cluster")
            let options = DigestRunOptions(
                store: store, output: out, now: clock.date, clusters: cluster.isEmpty ? nil : cluster,
                formats: formatOptions.format.formats, deadlineSoonDays: max(0, soonDays), feeds: feedsOptions.feeds,
                markDelivered: markDelivered)
            StopRequest.shared.install()
            let report: DigestRunReport
            do {
                report = try DigestRun.run(options, rules: rules, logger: Logger(label: "vigie.digest")) { line in
                    printError(Diagnostics.line(command: "digest", line))
                }
            } catch let error as PipelineError {
                printError(Diagnostics.line(command: "digest", level: .error, "\(error)"))
                throw ExitCode(error.exitCode)
            }
            if output.json {
                print(String(decoding: try NoticeJSON.encoder(pretty: false).encode(report), as: UTF8.self))
            } else {
                for c in report.routing.clusters { for f in c.files { print(f) } }
                for c in report.routing.clusters {
                    printError(
                        Diagnostics.line(
                            command: "digest",
                            "\(c.cluster): \(c.newNotices) new notices, \(c.consortia) consortium, \(c.changed) changed"
                                + (c.files.isEmpty ? ", nothing new, no file written" : "")
                                + (markDelivered
                                    ? ", \(c.deliveries) deliveries recorded" : " (preview: nothing marked as sent)")))
                }
                for u in report.routing.unwrittenDigests {
                    printError(
                        Diagnostics.line(
                            command: "digest", level: .error, "\(u.cluster): digest not written: \(u.error)"))
                }
                for f in report.routing.failedClusters {
                    printError(
                        Diagnostics.line(
                            command: "digest", level: .error,
                            "\(f.cluster): not digested, its rules have errors: \(f.errors.first ?? f.file)"))
                }
            }
            if report.exitCode != 0 { throw ExitCode(report.exitCode) }
        }
    }
}
