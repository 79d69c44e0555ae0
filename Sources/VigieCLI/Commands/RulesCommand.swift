import ArgumentParser
import Classifier
import Foundation
import Notices

extension Vigie {
    /// `vigie rules`: check and inspect rule files.
    struct Rules: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rules",
            abstract: "Check and inspect rule files (clusters, value chains, members).",
            subcommands: [Lint.self, Show.self],
            defaultSubcommand: Lint.self
        )
    }
}

extension Vigie.Rules {
    /// `vigie rules lint [DIR]`.
    struct Lint: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "lint",
            abstract: "Check rule files without running anything.",
            discussion: """
                Prints one line per problem as FILE:LINE:COLUMN: error|warning: KEY: message, then a summary. \
                Exit status 1 when there is an error, 0 when there are only warnings.
                """
        )

        @Argument(help: "Rules directory (or one rule file).")
        var directory: String = "Rules"

        @Option(name: .customLong("cpv"), help: "CPV code list (CSV, codes in the first column) to check codes against.")
        var cpvFile: String?

        @Flag(help: "Print the diagnostics as one JSON object.")
        var json = false

        func run() async throws {
            let vocabulary: CPVVocabulary?
            let report: LintReport
            do {
                vocabulary = try cpvFile.map { try CPVVocabulary.load(csvPath: $0) }
                report = try RulesLinter(vocabulary: vocabulary).lint(directory: directory)
            } catch {
                printError("vigie: \(error)")
                throw ExitCode(2)
            }
            if json {
                struct Out: Encodable {
                    var files: [String]
                    var errors: Int
                    var warnings: Int
                    var diagnostics: [LintDiagnostic]
                }
                let out = Out(files: report.files, errors: report.errors.count, warnings: report.warnings.count,
                              diagnostics: report.diagnostics)
                print(String(decoding: try NoticeJSON.encoder().encode(out), as: UTF8.self))
            } else {
                for d in report.diagnostics { print(d.description) }
                var summary = "\(report.errors.count) error(s), \(report.warnings.count) warning(s) in "
                    + "\(report.files.count) file(s)"
                if let book = report.rulebook {
                    let segs = book.clusters.reduce(0) { $0 + $1.segments.count }
                    let members = book.clusters.reduce(0) { $0 + $1.members.count }
                    let kws = book.clusters.reduce(0) { acc, c in
                        acc + c.segments.reduce(0) { $0 + $1.keywords.count + $1.exclusions.count }
                            + c.members.reduce(0) { $0 + $1.interests.count + $1.exclusions.count }
                    }
                    summary += "; \(book.clusters.count) cluster(s), \(segs) segment(s), \(members) member(s), "
                        + "\(kws) keyword(s), \(book.thesaurus.groups.count) thesaurus group(s)"
                }
                print(summary)
            }
            if !report.errors.isEmpty { throw ExitCode(1) }
        }
    }

    /// `vigie rules show`.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Print each cluster's value chain and members as Vigie understands them."
        )

        @Argument(help: "Rules directory.")
        var directory: String = "Rules"

        @Option(help: "Only this cluster.")
        var cluster: String?

        func run() async throws {
            let book: Rulebook
            do {
                book = try Rulebook.load(directory: directory)
            } catch {
                printError("vigie: \(error)")
                throw ExitCode(2)
            }
            for c in book.clusters where cluster == nil || c.id == cluster {
                print("\(c.name) (\(c.id)) — \(c.segments.count) segments, \(c.members.count) membres")
                for s in c.segments {
                    let up = c.segments.filter { $0.supplies.contains(s.id) }.map(\.id)
                    let members = c.members.filter { $0.segments.contains(s.id) }.map(\.id)
                    print("  \(s.id) — \(s.label)")
                    print("    mots-clés : \(s.keywords.joined(separator: ", "))")
                    if !s.cpv.isEmpty { print("    CPV : \(s.cpv.joined(separator: ", "))") }
                    if !up.isEmpty { print("    fournisseurs amont : \(up.joined(separator: ", "))") }
                    if !s.supplies.isEmpty { print("    fournit : \(s.supplies.joined(separator: ", "))") }
                    print("    membres : \(members.joined(separator: ", "))")
                }
                // Who gets e-mail: what `vigie run --send` will do with this cluster.
                let d = c.delivery
                if let sender = d.sender {
                    print("  courriel : de \(sender) ; équipe : \(d.staff.joined(separator: ", "))"
                        + (d.replyTo.isEmpty ? "" : " ; réponses à \(d.replyTo.joined(separator: ", "))"))
                    let without = c.members.filter(\.contacts.isEmpty).map(\.id)
                    print("    \(c.members.count - without.count) adhérents avec contact"
                        + (without.isEmpty ? "" : " ; sans contact (fichiers seulement) : \(without.joined(separator: ", "))"))
                    print("    partenaires nommés aux adhérents : \(d.sharePartners ? "oui" : "non") ; "
                        + "abonnements (latest.ics, latest.atom) : \(d.subscriptionDays) jours")
                } else {
                    print("  courriel : aucun (pas de delivery.sender) — fichiers seulement")
                }
            }
        }
    }
}
