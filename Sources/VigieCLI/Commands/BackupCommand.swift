import ArgumentParser
import Foundation
import Pipeline
import Store

extension Vigie {
    /// `vigie backup`.
    struct Backup: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "backup",
            abstract: "Copy the store into one file, safely, even while vigie query reads it.",
            discussion: """
                Uses SQLite's online backup: DEST is a complete, consistent store (notices, versions, routes, \
                what was sent to whom), written aside and renamed into place, so a half-written backup never \
                carries the real name. While vigie run, fetch or digest --mark-delivered holds the store it \
                refuses (exit 2) rather than copy half a night: run it after the nightly run.

                Copying vigie.sqlite with cp works too once no command runs (every command leaves the whole \
                store in that one file), but only backup is safe while a reader has it open.

                Restore: stop cron, replace the store file with the backup, start again.

                Prints the backup's path on stdout; --json prints one JSON object (store, destination, bytes).

                Examples:
                  vigie backup --store demo-out/vigie.sqlite demo-out/vigie-backup.sqlite
                  30 5 * * * cd /srv/vigie && vigie backup --store vigie.sqlite backups/vigie-$(date +\\%a).sqlite
                      (cron, after the nightly run)

                Exit codes: 0 written; 2 it could not run (no store, a run holds it, DEST is the store itself, \
                DEST not writable).
                """
        )

        @OptionGroup var store: StoreOptions
        @Argument(help: "Backup file to write (replaced when it exists).")
        var destination: String
        @OptionGroup var output: OutputOptions

        /// `vigie backup --json`: what was written.
        struct BackupJSON: Encodable {
            var store: String
            var destination: String
            var bytes: Int
        }

        func run() throws {
            let path = try store.existing()
            do {
                let lock = try RunLock(store: path)
                defer { lock.unlock() }
                let noticeStore = try NoticeStore(path: path)
                try noticeStore.backup(to: destination)
                try noticeStore.close()
            } catch {
                throw CLIError.cannotRun("\(error)")
            }
            let size = try FileManager.default.attributesOfItem(atPath: destination)[.size] as? Int ?? 0
            if output.json {
                try JSONOutput.print(BackupJSON(store: path, destination: destination, bytes: size))
            } else {
                print(destination)
            }
            printError(Diagnostics.line(command: "backup", "\(path) -> \(destination)", metadata: ["bytes": "\(size)"]))
        }
    }
}
