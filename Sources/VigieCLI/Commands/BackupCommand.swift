import ArgumentParser
import Foundation
import Pipeline
import Store

extension Vigie {
    /// `vigie backup`.
    struct Backup: AsyncParsableCommand {
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

                Example (cron, after the nightly run): 30 5 * * * cd /srv/vigie && \
                vigie backup --store vigie.sqlite backups/vigie-$(date +\\%a).sqlite
                """
        )

        @Option(help: "SQLite store file.")
        var store = "vigie.sqlite"
        @Argument(help: "Backup file to write (replaced when it exists).")
        var destination: String

        func run() async throws {
            guard FileManager.default.fileExists(atPath: store) else {
                printError("vigie backup: store: \(store): no such file")
                throw ExitCode(2)
            }
            do {
                let lock = try RunLock(store: store)
                defer { lock.unlock() }
                let noticeStore = try NoticeStore(path: store)
                try noticeStore.backup(to: destination)
                try noticeStore.close()
                print(destination)
                printError("vigie backup: \(store) -> \(destination)")
            } catch {
                printError("vigie backup: \(error)")
                throw ExitCode(2)
            }
        }
    }
}
