import Foundation
import GRDB

/// Copies the write-ahead log's committed pages into the database file on a connection and a thread of its own,
/// so that the nightly writer does not wait for the copy.
///
/// SQLite checkpoints inside the commit that takes the log past `wal_autocheckpoint` pages. On a national night
/// that was every cluster's edition (its deliveries and e-mails, some 10 MB): the copy — a read and a write per
/// page, and two `fdatasync`s — was half of each edition's commit, 6.4 of the night's 70 s, on the store's one
/// queue, so the next cluster's snapshot read waited too. A PASSIVE checkpoint from a second connection runs beside
/// the writer and the readers (SQLite lets one checkpointer run alongside them) and never waits for them: frames a
/// reader still needs are left for the next checkpoint. The writer keeps its own checkpoint as a bound
/// (``NoticeStore/autoCheckpointPages``), for a log that grows faster than this thread copies it.
final class WALCheckpointer: @unchecked Sendable {
    /// The database file.
    let path: String
    private let queue = DispatchQueue(label: "vigie.store.checkpoint")
    private let lock = NSLock()
    /// A checkpoint is asked for and has not started (guarded by `lock`).
    private var requested = false
    // Used on `queue` only.
    private var connection: DatabaseQueue?
    private var failure: (any Error)?
    private var done = 0

    init(path: String) { self.path = path }

    /// Asks for a checkpoint soon. One waits at most: asking again before it starts adds nothing.
    func request() {
        lock.lock()
        defer { lock.unlock() }
        guard !requested else { return }
        requested = true
        queue.async { self.checkpoint() }
    }

    /// Checkpoints that ran to the end so far, once those asked for are done (tests).
    var completed: Int { queue.sync { done } }

    private func checkpoint() {
        lock.lock()
        requested = false
        lock.unlock()
        do {
            if connection == nil {
                var config = Configuration()
                config.label = "vigie.store.checkpoint"
                connection = try DatabaseQueue(path: path, configuration: config)
            }
            _ = try connection?.writeWithoutTransaction { db in try db.checkpoint(.passive) }
            done += 1
        } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
            // The writer is checkpointing itself (its log past the bound): that checkpoint copies the pages.
        } catch {
            // Nothing is lost (the log still holds every page) and the writer's own checkpoint would meet the same
            // fault; the first is kept for `close()`, which reports it.
            if failure == nil { failure = error }
        }
    }

    /// Waits for the checkpoint under way, if any, and closes the connection. Throws the first failure of a
    /// checkpoint, if one failed.
    func close() throws {
        try queue.sync {
            defer { connection = nil }
            try connection?.close()
            if let failure { throw failure }
        }
    }
}
