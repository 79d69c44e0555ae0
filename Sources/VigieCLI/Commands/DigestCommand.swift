import ArgumentParser
import Classifier
import Digest
import Fetcher
import Foundation
import Notices
import Pipeline
import Store

extension Vigie {
    /// `vigie digest`.
    struct DigestCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "digest",
            abstract: "Write digests from the store for a cluster.",
            discussion: """
                Writes what the store holds for the cluster and has not been sent yet (routes recorded by \
                vigie run), without fetching or classifying. By default it is a preview: nothing is marked as \
                sent; --mark-delivered records the deliveries as vigie run does.

                Example: vigie digest --cluster mecaloire --store vigie.sqlite --out preview --format md,html
                """
        )

        @Option(help: "Cluster id.")
        var cluster: String
        @Option(help: "SQLite store file.")
        var store = "vigie.sqlite"
        @Option(help: "Output directory (files go to <out>/<cluster>/).")
        var out = "digests"
        @Option(help: "Formats, comma-separated: md,html,json,ics,atom,csv.")
        var format = "md,html,json,ics,atom,csv"
        @Option(help: "Rules directory, for cluster and member names (optional).")
        var rules: String?
        @Option(help: "Source catalogue, for source names (optional).")
        var feeds: String?
        @Option(help: "Date and time of the digest, ISO 8601 (default: now).")
        var now: String?
        @Flag(help: "Record the deliveries, so the next run does not send these items again.")
        var markDelivered = false

        func validate() throws {
            if let now, ISO8601.parseZoned(now) == nil { throw ValidationError("--now must be an ISO 8601 date") }
            do { _ = try DigestFormat.parseList(format) } catch { throw ValidationError("\(error)") }
        }

        func run() async throws {
            guard FileManager.default.fileExists(atPath: store) else {
                printError("vigie digest: store: \(store): no such file")
                throw ExitCode(2)
            }
            do {
                var clusterRules = Cluster(id: cluster, name: cluster)
                if let rules {
                    let book = try Rulebook.load(directory: rules)
                    guard let c = book.cluster(cluster) else {
                        throw PipelineError.cannotRun(
                            "no cluster \(cluster) in \(rules) (known: "
                                + book.clusters.map(\.id).joined(separator: ", ") + ")")
                    }
                    clusterRules = c
                }
                var names: [String: String] = [:]
                if let feeds {
                    for s in SourceCatalogue.check(path: feeds).sources { names[s.id] = s.name }
                }
                // Recording deliveries writes the store: one writer at a time, and a previous run's interrupted
                // edition is finished first so that its items are not written again.
                let lock = markDelivered ? try RunLock(store: store) : nil
                defer { lock?.unlock() }
                let noticeStore = try NoticeStore(path: store)
                if markDelivered {
                    try EditionPublisher(output: out, store: noticeStore).recover()
                }
                let result = try ClusterDigest.write(
                    cluster: clusterRules, store: noticeStore, output: out,
                    formats: try DigestFormat.parseList(format),
                    now: now.flatMap { ISO8601.parseZoned($0)?.instant } ?? Date(), sourceNames: names,
                    markDelivered: markDelivered)
                try noticeStore.close()
                for f in result.files { print(f) }
                printError(
                    "vigie digest: \(cluster): \(result.newNotices) new notices, \(result.consortia) consortium, "
                        + "\(result.changed) changed"
                        + (markDelivered
                            ? ", \(result.deliveries) deliveries recorded" : " (preview: nothing marked as sent)"))
            } catch {
                printError("vigie digest: \(error)")
                throw ExitCode(2)
            }
        }
    }
}
