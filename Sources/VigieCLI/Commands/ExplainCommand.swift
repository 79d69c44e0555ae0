import ArgumentParser
import Classifier
import Foundation
import Notices

extension Vigie {
    /// `vigie explain`.
    struct Explain: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "explain",
            abstract: "Explain why a notice reaches, or misses, a cluster's members.",
            discussion: """
                Shows the segments recognised (rule, field, matched words or codes, weights), the members \
                reached and why, the members dropped and by which filter, and the suggested consortia. \
                The notice is a file if that path exists (it may hold several notices: each is explained, or \
                pick one with --id), otherwise the id of a notice in the store (boamp:26-41234 as vigie query \
                prints it, or the source's own id when only one source has it).

                Exit codes: 0 ok; 1 the notice file could not be read or holds no notice; 2 it could not \
                run (rules with errors, an unknown cluster, member or notice id, a missing store).

                Examples:
                  vigie explain Feeds/samples/boamp-api-page.json --rules Rules --cluster mecaloire
                  vigie explain --store demo-out/vigie.sqlite --cluster mecaloire demo-boamp-api:26-118511
                """
        )

        @OptionGroup var rulesOptions: RulesOptions
        @OptionGroup var clock: ClockOptions
        @OptionGroup var storeOptions: StoreOptions

        @Option(help: "Cluster id.")
        var cluster: String

        @Option(help: "Only this member.")
        var member: String?

        @Option(help: "Language: fr (default) or en.")
        var lang: String = "fr"

        @Option(help: "In a notice file holding several, only the notice with this id (source:id) or source id.")
        var id: String?

        @OptionGroup var output: OutputOptions

        @Argument(help: "Notice file, or the id of a notice in the store.")
        var notice: String

        func validate() throws {
            guard RoutingExplainer.Language(rawValue: lang) != nil else {
                throw ValidationError("--lang must be fr or en")
            }
        }

        func run() throws {
            let now = clock.date
            let book = try NoticeInputs.rulebook(rulesOptions)
            guard let c = book.cluster(cluster) else {
                throw CLIError.unknownID(what: "cluster", given: [cluster], known: book.clusters.map(\.id))
            }
            if let member, c.member(member) == nil {
                throw CLIError.unknownID(what: "member", given: [member], known: c.members.map(\.id))
            }
            let (all, failed) = try NoticeInputs.notices([notice], store: storeOptions, command: "explain")
            if failed > 0 { throw ExitCode(1) }
            let notices = all.filter { id == nil || $0.id == id || $0.sourceID == id }
            if notices.isEmpty {
                // An id that the file does not hold: the ids it does hold are the ones to choose from.
                if let id { throw CLIError.unknownID(what: "notice", given: [id], known: all.map(\.id)) }
                printError(Diagnostics.line(command: "explain", level: .error, "no notice in \(notice)"))
                throw ExitCode(1)
            }
            let router = Router(rulebook: book, options: RouterOptions(clusters: [cluster]))
            let explainer = RoutingExplainer(
                language: RoutingExplainer.Language(rawValue: lang) ?? .fr,
                member: member, cluster: cluster, now: now)
            var outputs: [String] = []
            var results: [RoutingResult] = []
            for n in notices {
                let r = router.route(n, now: now)
                results.append(r)
                outputs.append(explainer.render(r, notice: n))
            }
            if output.json {
                print(String(decoding: try NoticeJSON.encoder().encode(results), as: UTF8.self))
            } else {
                print(outputs.joined(separator: "\n\n"))
            }
        }
    }
}
