import ArgumentParser
import Classifier
import Foundation
import Notices

extension Vigie {
    /// `vigie explain`.
    struct Explain: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "explain",
            abstract: "Explain why a notice reaches, or misses, a cluster's members.",
            discussion: """
                Shows the segments recognised (rule, field, matched words or codes, weights), the members \
                reached and why, the members dropped and by which filter, and the suggested consortia. \
                The notice file may hold several notices: each is explained, or pick one with --id.
                """
        )

        @OptionGroup var input: RulesRoutingOptions

        @Option(help: "Cluster id.")
        var cluster: String

        @Option(help: "Only this member.")
        var member: String?

        @Option(help: "Language: fr (default) or en.")
        var lang: String = "fr"

        @Option(help: "Only the notice with this id (source:id) or source id.")
        var id: String?

        @Flag(help: "Print the routing result as JSON.")
        var json = false

        @Argument(help: "Notice file.")
        var notice: String

        func validate() throws {
            guard RoutingExplainer.Language(rawValue: lang) != nil else {
                throw ValidationError("--lang must be fr or en")
            }
        }

        func run() async throws {
            let now = try input.referenceDate()
            let book = try input.loadRulebook()
            guard let c = book.cluster(cluster) else {
                throw ValidationError("unknown cluster '\(cluster)' (clusters: \(book.clusters.map(\.id).joined(separator: ", ")))")
            }
            if let member, c.member(member) == nil {
                throw ValidationError("unknown member '\(member)' in \(cluster)")
            }
            let (all, failed) = RulesRoutingOptions.notices(from: [notice])
            if failed > 0 { throw ExitCode(1) }
            let notices = all.filter { id == nil || $0.id == id || $0.sourceID == id }
            if notices.isEmpty {
                printError("vigie: no notice\(id.map { " with id \($0)" } ?? "") in \(notice)")
                throw ExitCode(1)
            }
            let router = Router(rulebook: book, options: RouterOptions(clusters: [cluster]))
            let explainer = RoutingExplainer(language: RoutingExplainer.Language(rawValue: lang) ?? .fr,
                                             member: member, cluster: cluster, now: now)
            var outputs: [String] = []
            var results: [RoutingResult] = []
            for n in notices {
                let r = router.route(n, now: now)
                results.append(r)
                outputs.append(explainer.render(r, notice: n))
            }
            if json {
                print(String(decoding: try NoticeJSON.encoder().encode(results), as: UTF8.self))
            } else {
                print(outputs.joined(separator: "\n\n"))
            }
        }
    }
}
