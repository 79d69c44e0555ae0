import ArgumentParser
import Classifier
import Foundation
import Notices

extension Vigie {
    /// `vigie rules`: check and inspect rule files.
    struct Rules: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rules",
            abstract: "Check and inspect rule files (clusters, value chains, members).",
            discussion: """
                Examples:
                  vigie rules lint Rules
                  vigie rules show mecaloire

                Exit codes: 0 ok; 1 the rules have errors; 2 it could not run (no such folder, unknown cluster).
                """,
            subcommands: [Lint.self, Show.self],
            defaultSubcommand: Lint.self
        )
    }
}

extension Vigie.Rules {
    /// `vigie rules lint [DIR]`.
    struct Lint: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "lint",
            abstract: "Check rule files without running anything.",
            discussion: """
                Prints one line per problem as FILE:LINE:COLUMN: error|warning: KEY: message, then a summary; \
                --json prints one JSON object: files, errors and warnings (counts) and diagnostics (file, line, \
                column, severity, key, message).

                Examples:
                  vigie rules lint Rules
                  vigie rules lint --json Rules/mecaloire.yaml

                Exit codes: 0 no error (warnings allowed); 1 an error in the rules; 2 it could not run (no such \
                folder or file, unreadable --cpv list).
                """
        )

        @Argument(help: "Rules directory (or one rule file).")
        var directory: String = "Rules"

        @Option(
            name: .customLong("cpv"), help: "CPV code list (CSV, codes in the first column) to check codes against.")
        var cpvFile: String?

        @OptionGroup var output: OutputOptions

        /// `vigie rules lint --json`.
        struct LintJSON: Encodable {
            var files: [String]
            var errors: Int
            var warnings: Int
            var diagnostics: [LintDiagnostic]
        }

        func run() throws {
            let report: LintReport
            do {
                let vocabulary = try cpvFile.map { try CPVVocabulary.load(csvPath: $0) }
                report = try RulesLinter(vocabulary: vocabulary).lint(directory: directory)
            } catch {
                throw CLIError.cannotRun("\(error)")
            }
            if output.json {
                try JSONOutput.print(
                    LintJSON(
                        files: report.files, errors: report.errors.count, warnings: report.warnings.count,
                        diagnostics: report.diagnostics))
            } else {
                for d in report.diagnostics { print(d.description) }
                var summary =
                    "\(report.errors.count) error(s), \(report.warnings.count) warning(s) in "
                    + "\(report.files.count) file(s)"
                if let book = report.rulebook {
                    let segs = book.clusters.reduce(0) { $0 + $1.segments.count }
                    let members = book.clusters.reduce(0) { $0 + $1.members.count }
                    let kws = book.clusters.reduce(0) { acc, c in
                        acc + c.segments.reduce(0) { $0 + $1.keywords.count + $1.exclusions.count }
                            + c.members.reduce(0) { $0 + $1.interests.count + $1.exclusions.count }
                    }
                    summary +=
                        "; \(book.clusters.count) cluster(s), \(segs) segment(s), \(members) member(s), "
                        + "\(kws) keyword(s), \(book.thesaurus.groups.count) thesaurus group(s)"
                }
                print(summary)
            }
            if !report.errors.isEmpty { throw ExitCode(1) }
        }
    }

    /// `vigie rules show`.
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Print each cluster's value chain and members as Vigie understands them.",
            discussion: """
                For each cluster: its segments (keywords, CPV, who supplies whom), which members work in each, \
                and who gets e-mail. --json prints one JSON object: {"clusters": [...]}.

                Examples:
                  vigie rules show mecaloire
                  vigie rules show --rules Rules --json

                A folder given as the first argument is read as --rules (the older form: vigie rules show Rules).

                Exit codes: 0 shown; 2 it could not run (rules that do not load, a cluster the rules do not \
                hold: the known ones are listed).
                """
        )

        @Argument(help: ArgumentHelp("Only these clusters (default: all).", valueName: "cluster"))
        var clusters: [String] = []

        @Option(help: "Only this cluster (same as giving it as an argument).")
        var cluster: String?

        @OptionGroup var rules: RulesOptions

        @OptionGroup var output: OutputOptions

        /// The rules folder and the clusters asked for: a first argument naming a folder or a file is the rules
        /// folder, as `vigie rules show Rules` always read.
        var selection: (rules: String, clusters: [String]) {
            var ids = clusters
            var folder = rules.rules
            if let first = ids.first, first.contains("/") || FileManager.default.fileExists(atPath: first) {
                folder = first
                ids.removeFirst()
            }
            return (folder, ids + (cluster.map { [$0] } ?? []))
        }

        func run() throws {
            let (folder, wanted) = selection
            let book: Rulebook
            do {
                book = try Rulebook.load(directory: folder)
            } catch {
                throw CLIError.cannotRun("\(error)")
            }
            try CLIError.requireKnown(wanted, among: book.clusters.map(\.id), what: "cluster")
            let shown = book.clusters.filter { wanted.isEmpty || wanted.contains($0.id) }
            if output.json {
                try JSONOutput.print(RulesShowJSON(clusters: shown.map(RulesShowJSON.Cluster.init)))
                return
            }
            for c in shown { Self.printCluster(c) }
        }

        static func printCluster(_ c: Cluster) {
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
                print(
                    "  courriel : de \(sender) ; équipe : \(d.staff.joined(separator: ", "))"
                        + (d.replyTo.isEmpty ? "" : " ; réponses à \(d.replyTo.joined(separator: ", "))"))
                let without = c.members.filter(\.contacts.isEmpty).map(\.id)
                print(
                    "    \(c.members.count - without.count) adhérents avec contact"
                        + (without.isEmpty
                            ? "" : " ; sans contact (fichiers seulement) : \(without.joined(separator: ", "))"))
                print(
                    "    partenaires nommés aux adhérents : \(d.sharePartners ? "oui" : "non") ; "
                        + "abonnements (latest.ics, latest.atom) : \(d.subscriptionDays) jours, "
                        + "\(d.subscriptionMaxNotices) avis au plus")
            } else {
                print("  courriel : aucun (pas de delivery.sender) — fichiers seulement")
            }
        }
    }
}

/// `vigie rules show --json`: each cluster's value chain, members and delivery, as the rules were read.
struct RulesShowJSON: Encodable {
    struct Segment: Encodable {
        var id: String
        var label: String
        var keywords: [String]
        var exclusions: [String]
        var cpv: [String]
        /// Segments this one supplies, and those that supply it (upstream).
        var supplies: [String]
        var suppliedBy: [String]
        var members: [String]
    }

    struct Member: Encodable {
        var id: String
        var name: String
        var segments: [String]
        /// Largest contract value the member can take on, in euros; absent when the rules state none.
        var capacity: Double?
        var contacts: [String]
    }

    struct Delivery: Encodable {
        var sender: String?
        var staff: [String]
        var replyTo: [String]
        var sharePartners: Bool
        var subscriptionDays: Int
        /// The most notices `latest.ics` / `latest.atom` hold.
        var subscriptionMaxNotices: Int
    }

    struct Cluster: Encodable {
        var id: String
        var name: String
        var file: String?
        var segments: [Segment]
        var members: [Member]
        var delivery: Delivery

        init(_ c: Classifier.Cluster) {
            id = c.id
            name = c.name
            file = c.file
            segments = c.segments.map { s in
                Segment(
                    id: s.id, label: s.label, keywords: s.keywords, exclusions: s.exclusions, cpv: s.cpv,
                    supplies: s.supplies, suppliedBy: c.segments.filter { $0.supplies.contains(s.id) }.map(\.id),
                    members: c.members.filter { $0.segments.contains(s.id) }.map(\.id))
            }
            members = c.members.map {
                Member(id: $0.id, name: $0.name, segments: $0.segments, capacity: $0.capacity, contacts: $0.contacts)
            }
            let d = c.delivery
            delivery = Delivery(
                sender: d.sender, staff: d.staff, replyTo: d.replyTo, sharePartners: d.sharePartners,
                subscriptionDays: d.subscriptionDays, subscriptionMaxNotices: d.subscriptionMaxNotices)
        }
    }

    var clusters: [Cluster]
}
