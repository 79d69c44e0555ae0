import ArgumentParser
import Foundation
import Notices

extension Vigie {
    /// `vigie init DIR`.
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init",
            abstract:
                "Write a new configuration folder: a cluster file to fill in, the sources, an env file, a README.",
            discussion: """
                Writes DIR/rules/<cluster-id>.yaml (the cluster: territory, delivery, two example segments and two \
                example members, each line to fill in marked « À REMPLIR »), DIR/feeds/*.yaml (the real sources: \
                those that need no key enabled, those that need one written with enabled: false and the variable \
                to set), DIR/vigie.env.example (SMTP URL and password, source keys) and DIR/README.md (French, for \
                the cluster's IT person: each file, and the five commands to try). The result passes \
                `vigie rules lint DIR/rules` and `vigie sources check --feeds DIR/feeds` as written.

                A new cluster starts here and never edits the repository's examples (Rules/, Feeds/demo.yaml), \
                which stay for the demo.

                DIR must be empty or missing; with --force, files already there are kept (never overwritten) and \
                listed, the missing ones written. Exit codes: 0 written; 2 DIR not empty (nothing written) or not \
                writable.

                Examples:
                  vigie init /etc/vigie --cluster-id mecaloire --name "Pôle Méca Loire"
                  vigie init /tmp/essai --json
                """
        )

        @Argument(help: "The folder to write (created when missing).")
        var directory: String
        @Option(help: "The cluster's id: lower-case letters, digits, - and _ (names its digest folder).")
        var clusterId = "mon-pole"
        @Option(help: "The cluster's name, as members read it.")
        var name = "Mon pôle"
        @Flag(help: "Write into a folder that is not empty: only the missing files, never over an existing one.")
        var force = false
        @OptionGroup var jsonOptions: OutputOptions

        func validate() throws {
            let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-_")
            if clusterId.isEmpty || !clusterId.allSatisfy({ allowed.contains($0) }) {
                throw ValidationError(
                    "--cluster-id: lower-case letters, digits, - and _ only (got \(clusterId))")
            }
            if name.trimmingCharacters(in: .whitespaces).isEmpty
                || name.contains(where: { "\"\\<>,;:\n\r".contains($0) })
            {
                // The name goes into YAML and into the `From:` display name: kept to what needs no quoting rules.
                throw ValidationError("--name must not be empty nor hold \" \\ < > , ; : or a line break (got \(name))")
            }
        }

        /// What `--json` prints.
        struct Report: Encodable {
            var directory: String
            var cluster: String
            var written: [String]
            /// Files already there, left as they were (`--force`).
            var kept: [String]
        }

        /// The files to write, relative to DIR, in order.
        func files() -> [(path: String, text: String)] {
            var keyed: [(variable: String, source: String)] = []
            var out: [(String, String)] = []
            let clusterFile = "\(clusterId).yaml"
            out.append(("rules/\(clusterFile)", InitTemplates.cluster(id: clusterId, name: name)))
            for entry in InitCatalogue.entries {
                guard let variable = entry.keyVariable else {
                    out.append(("feeds/\(entry.file)", entry.text))
                    continue
                }
                let id = (entry.file as NSString).deletingPathExtension
                keyed.append((variable, id))
                // Disabled until its key is given: a source without its key would fail every night.
                let head = """
                    # DÉSACTIVÉE tant que sa clé manque : mettre la clé dans \(variable) (vigie.env), puis passer
                    # « enabled: false » (en fin de fichier) à « enabled: true ».

                    """
                out.append(("feeds/\(entry.file)", head + entry.text + "enabled: false\n"))
            }
            out.append(("vigie.env.example", InitTemplates.environment(clusterID: clusterId, keyed: keyed)))
            out.append(
                ("README.md", InitTemplates.readme(directory: directory, clusterFile: clusterFile, keyed: keyed)))
            return out
        }

        func run() throws {
            let fm = FileManager.default
            var isDirectory: ObjCBool = false
            if fm.fileExists(atPath: directory, isDirectory: &isDirectory) {
                guard isDirectory.boolValue else { throw CLIError.cannotRun("\(directory) is a file, not a folder") }
                let present: [String]
                do {
                    present = try fm.contentsOfDirectory(atPath: directory).sorted()
                } catch {
                    throw CLIError.cannotRun("cannot read \(directory): \(error.localizedDescription)")
                }
                if !present.isEmpty && !force {
                    throw CLIError.cannotRun(
                        "\(directory) is not empty (\(present.prefix(10).joined(separator: ", "))"
                            + (present.count > 10 ? ", …" : "")
                            + "); nothing written. Choose an empty folder, or --force to add only the missing files")
                }
            }
            var report = Report(directory: directory, cluster: clusterId, written: [], kept: [])
            for (relative, text) in files() {
                let path = (directory as NSString).appendingPathComponent(relative)
                if fm.fileExists(atPath: path) {
                    report.kept.append(path)
                    continue
                }
                do {
                    try fm.createDirectory(
                        atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                    // `.withoutOverwriting`: a file that appeared since the check above is still never replaced.
                    try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .withoutOverwriting)
                } catch {
                    throw CLIError.cannotRun("cannot write \(path): \(error.localizedDescription)")
                }
                report.written.append(path)
            }
            if jsonOptions.json {
                let data = try NoticeJSON.encoder(pretty: true).encode(report)
                print(String(decoding: data, as: UTF8.self))
                return
            }
            for path in report.written { print("written: \(path)") }
            for path in report.kept { print("kept (already there): \(path)") }
            print(
                """
                next: fill in the lines marked « À REMPLIR » in \(directory)/rules/\(clusterId).yaml, then
                  vigie rules lint \(directory)/rules
                  vigie sources check --feeds \(directory)/feeds
                (\(directory)/README.md lists the five commands to try)
                """)
        }
    }
}
