import Foundation
import GRDB
import Notices
import TestSupport
import Testing

@testable import Store

/// What the store promises about its file: one file holds everything once closed, nothing leaks, a foreign or
/// empty file is refused, stores from older builds are bridged, backups are whole.
@Suite struct StoreFileTests {
    let now = date("2026-05-05T02:00:00Z")

    // MARK: - One file

    /// After `close()`, the `.sqlite` file copied alone (no -wal, no -shm), as any backup script would, holds
    /// the whole store.
    @Test func theSQLiteFileAloneIsTheWholeStoreAfterClose() throws {
        let live = try TempFolder()
        let copy = try TempFolder()
        let store = try NoticeStore(path: live.file("vigie.sqlite"))
        _ = try store.upsert(
            [tender("boamp", "26-1"), tender("boamp", "26-2", title: "Peinture industrielle")], at: now)
        try store.save(SourceState(sourceID: "boamp", etag: "\"e1\""))
        try store.close()
        try store.close()  // a second close does nothing
        // The WAL was checkpointed and removed with the last connection.
        #expect(try live.names() == ["vigie.sqlite"])
        try FileManager.default.copyItem(atPath: live.file("vigie.sqlite"), toPath: copy.file("vigie.sqlite"))

        let reopened = try NoticeStore(path: copy.file("vigie.sqlite"))
        #expect(try reopened.noticeCount() == 2)
        #expect(try reopened.notice(id: "boamp:26-2")?.notice.title == "Peinture industrielle")
        #expect(try reopened.search(NoticeQuery(text: "peinture")).map(\.id) == ["boamp:26-2"])
        #expect(try reopened.sourceStates()["boamp"]?.etag == "\"e1\"")
    }

    /// The night's writes keep SQLite's statement journals in memory and its pages in a cache larger than the
    /// default: on file, the journals of the `INSERT OR REPLACE` into `route` were 12 KB of writes per route row
    /// (8 GB to a deleted temporary file on a national night), and a 2 MB cache re-read 1.8 GB of pages.
    @Test func statementJournalsStayInMemoryAndThePageCacheHoldsANight() throws {
        let live = try TempFolder()
        let store = try NoticeStore(path: live.file("vigie.sqlite"))
        let (tempStore, cacheSize) = try store.read { db in
            (try Int.fetchOne(db, sql: "PRAGMA temp_store"), try Int.fetchOne(db, sql: "PRAGMA cache_size"))
        }
        #expect(tempStore == 2, "2 is MEMORY")
        #expect(cacheSize == -NoticeStore.pageCacheKiB)
        try store.close()
    }

    /// A large transaction (a page of routes, an edition) commits without copying the log into the database file:
    /// the store's checkpointer copies it on its own connection, and the writer's bound is above one edition.
    /// The store still closes to one file.
    @Test func theLogIsCopiedBesideTheWriterNotInItsCommit() throws {
        let live = try TempFolder()
        let store = try NoticeStore(path: live.file("vigie.sqlite"))
        let bound = try store.read { db in try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint") }
        #expect(bound == NoticeStore.autoCheckpointPages)
        let notices = (1...300).map { tender("boamp", "26-\($0)") }
        _ = try store.upsert(notices, at: now)
        func mainFileSize() throws -> Int {
            try #require(try FileManager.default.attributesOfItem(atPath: live.file("vigie.sqlite"))[.size] as? Int)
        }
        let before = try mainFileSize()
        let routes = notices.flatMap { n in
            (1...40).map { m in
                RouteRecord(
                    noticeID: n.id, cluster: "mecaloire", member: "membre-\(m)", role: "direct", score: 3,
                    payload: String(repeating: "x", count: 300))
            }
        }
        try store.recordRoutes(routes, replacingRoutesOf: notices.map(\.id), runID: nil, at: now)
        // Waits for the checkpoint asked for by the commit.
        #expect(store.checkpointer.completed == 1)
        #expect(try mainFileSize() > before + 12_000 * 300, "the routes' pages are in the database file")
        #expect(try store.undelivered(cluster: "mecaloire").count == routes.count)
        try store.close()
        #expect(try live.names() == ["vigie.sqlite"])
    }

    /// A store dropped without `close()` is checkpointed and closed by `deinit`.
    @Test func deinitAlsoLeavesOneFile() throws {
        let live = try TempFolder()
        do {
            let store = try NoticeStore(path: live.file("vigie.sqlite"))
            _ = try store.upsert([tender("boamp", "26-1")], at: now)
        }
        #expect(try live.names() == ["vigie.sqlite"])
    }

    /// A run killed (kill -9) before the first checkpoint leaves the data in the WAL: the files as they are
    /// then (main file and -wal, no -shm) open with every committed row.
    @Test func aStoreKilledBeforeItsFirstCheckpointOpens() throws {
        let live = try TempFolder()
        let crashed = try TempFolder()
        let store = try NoticeStore(path: live.file("vigie.sqlite"))
        _ = try store.upsert([tender("boamp", "26-1"), tender("boamp", "26-2")], at: now)
        // What a kill leaves on disk now: copy the files while the connection is still open.
        for name in ["vigie.sqlite", "vigie.sqlite-wal"] {
            try FileManager.default.copyItem(atPath: live.file(name), toPath: crashed.file(name))
        }
        let mainSize = try #require(
            try FileManager.default.attributesOfItem(atPath: crashed.file("vigie.sqlite"))[.size] as? Int)
        let walSize = try #require(
            try FileManager.default.attributesOfItem(atPath: crashed.file("vigie.sqlite-wal"))[.size] as? Int)
        #expect(walSize > 0)
        print("store killed before its first checkpoint: main file \(mainSize) bytes, WAL \(walSize) bytes")
        let reopened = try NoticeStore(path: crashed.file("vigie.sqlite"))
        #expect(try reopened.noticeCount() == 2)
        try reopened.close()
        #expect(try crashed.names() == ["vigie.sqlite"])
    }

    /// A closed store refuses work with a store error naming the file (SQLite would crash on the closed handle).
    @Test func aClosedStoreThrowsAStoreError() throws {
        let tmp = TempStore()
        let store = try tmp.open()
        try store.close()
        #expect {
            _ = try store.noticeCount()
        } throws: { error in
            guard case .closed(let path) = error as? StoreError else { return false }
            return path == tmp.path && "\(error)" == "store: \(tmp.path): used after close()"
        }
    }

    /// Opening and closing 50 stores leaves no descriptor open on their files, whether closed explicitly or
    /// by `deinit` (the hand-written layer leaked two per store: its statements were never finalised).
    @Test func fiftyStoresOpenedAndClosedLeakNoDescriptor() throws {
        let folder = try TempFolder()
        let before = try openDescriptors(inside: folder.path)
        let totalBefore = try openDescriptorCount()
        for i in 0..<50 {
            let store = try NoticeStore(path: folder.file("s\(i % 5).sqlite"))
            _ = try store.upsert([tender("boamp", "26-\(i)")], at: now)
            _ = try store.search(NoticeQuery(text: "usinage"))
            if i.isMultiple(of: 2) { try store.close() }
        }
        let after = try openDescriptors(inside: folder.path)
        let totalAfter = try openDescriptorCount()
        print(
            "store fds: inside the folder \(before) before, \(after) after 50 opens; "
                + "process total \(totalBefore) → \(totalAfter)")
        #expect(before == 0)
        #expect(after == 0)
    }

    // MARK: - Transactions and errors

    @Test func aFailedWriteLeavesNothingBehind() throws {
        let tmp = TempStore()
        let store = try tmp.open()
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try store.write { db in
                try db.execute(sql: "INSERT INTO opportunity (first_seen) VALUES (1)")
                throw Boom()
            }
        }
        #expect(try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM opportunity") } == 0)
    }

    /// GRDB's error is kept whole (code, message, statement) inside a store error naming the file.
    @Test func sqliteErrorsAreWrappedAndNameTheFile() throws {
        let tmp = TempStore()
        let store = try tmp.open()
        do {
            try store.read { db in try db.execute(sql: "SELECT * FROM missing_table") }
            Issue.record("expected an error")
        } catch let error as StoreError {
            guard case .database(let path, let underlying) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(path == tmp.path)
            #expect(underlying.resultCode == .SQLITE_ERROR)
            #expect(underlying.message?.contains("missing_table") == true)
            #expect(error.description.hasPrefix("store: \(tmp.path): SQLite error 1"))
        }
    }

    /// A second writer waits for the first one's lock (busy timeout) instead of failing at once.
    @Test func aSecondWriterWaitsForTheLock() throws {
        let tmp = TempStore()
        let first = try tmp.open()
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        let path = tmp.path
        try first.write { db in
            try db.execute(sql: "INSERT INTO opportunity (first_seen) VALUES (1)")
            DispatchQueue.global().async {
                do {
                    let second = try NoticeStore(path: path)
                    try second.save(SourceState(sourceID: "boamp"))
                    try second.close()
                } catch {
                    outcome.set("\(error)")
                }
                done.signal()
            }
            Thread.sleep(forTimeInterval: 0.5)
        }
        done.wait()
        #expect(outcome.get() == nil)
        #expect(try first.sourceStates().keys.sorted() == ["boamp"])
    }

    /// Four processes (here threads, each with its own connection) opening a store that does not exist yet
    /// and writing at once: one creates it, the others open it, every write lands.
    @Test func storesOpenedAtOnceOnANewPathAllWork() throws {
        let folder = try TempFolder()
        let path = folder.file("vigie.sqlite")
        let outcome = Outcome()
        let now = self.now
        DispatchQueue.concurrentPerform(iterations: 4) { i in
            do {
                let store = try NoticeStore(path: path)
                _ = try store.upsert([tender("boamp", "26-\(i)")], at: now)
                try store.close()
            } catch {
                outcome.set("\(error)")
            }
        }
        #expect(outcome.get() == nil)
        #expect(try NoticeStore(path: path).noticeCount() == 4)
        #expect(try folder.names() == ["vigie.sqlite"])
    }

    /// Opening an up-to-date store needs no lock: `vigie query` started while the nightly run holds its write
    /// transaction opens and reads at once, without waiting for the busy timeout.
    @Test func openingAStoreDuringAWriteDoesNotWait() throws {
        let tmp = TempStore()
        let writer = try tmp.open()
        _ = try writer.upsert([tender("boamp", "26-1")], at: now)
        let started = Date()
        try writer.write { db in
            _ = try writer.upsertInTransaction(db, [tender("boamp", "26-2")], at: now)
            let reader = try tmp.open()
            #expect(try reader.noticeCount() == 1)
            try reader.close()
        }
        #expect(Date().timeIntervalSince(started) < 2, "opening must not wait for the writer's lock")
        #expect(try writer.noticeCount() == 2)
    }

    // MARK: - Refusing what is not a store

    /// A missing file is a new store, created whole beside its name then linked, so no moment exists where a
    /// kill leaves a 0-byte store; leftovers of a creation killed midway (dead process) are removed.
    @Test func aMissingFileIsANewStoreCreatedWhole() throws {
        let folder = try TempFolder()
        let dead = try ProcessRunner.run(URL(fileURLWithPath: "/bin/true"), [])
        let stray = folder.file("new.sqlite.new-\(dead.pid)")
        #expect(FileManager.default.createFile(atPath: stray, contents: Data()))
        let store = try NoticeStore(path: folder.file("new.sqlite"))
        #expect(try store.schemaVersion() == NoticeStore.supportedSchemaVersion)
        #expect(try store.read { db in try Int32.fetchOne(db, sql: "PRAGMA application_id") } == Schema.applicationID)
        try store.close()
        #expect(try folder.names() == ["new.sqlite"])
    }

    /// A new store in a folder that does not exist fails with an error naming the file.
    @Test func aNewStoreInAMissingFolderFails() throws {
        let folder = try TempFolder()
        let path = folder.file("missing/vigie.sqlite")
        #expect {
            _ = try NoticeStore(path: path)
        } throws: { error in
            guard case .database(let p, _) = error as? StoreError else { return false }
            return p == path && "\(error)".hasPrefix("store: \(path): SQLite error")
        }
        #expect(try folder.names().isEmpty)
    }

    /// A 0-byte store (a truncated copy, a full disk) is not taken for a new store: everything would be
    /// delivered again.
    @Test func anEmptyFileIsRefused() throws {
        let folder = try TempFolder()
        let path = folder.file("vigie.sqlite")
        #expect(FileManager.default.createFile(atPath: path, contents: Data()))
        do {
            _ = try NoticeStore(path: path)
            Issue.record("expected emptyFile")
        } catch let error as StoreError {
            guard case .emptyFile(let p) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(p == path)
            #expect(error.description.hasPrefix("store: \(path) is an empty file"))
            #expect(error.description.contains("vigie backup"))
        }
        // Nothing was written into it.
        #expect(try folder.names() == ["vigie.sqlite"])
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int == 0)
    }

    @Test func aTextFileIsRefusedAsForeign() throws {
        let folder = try TempFolder()
        let path = folder.file("vigie.sqlite")
        try Data("this is not sqlite, just text that is long enough to have a header".utf8)
            .write(to: URL(fileURLWithPath: path))
        #expect(throws: StoreError.self) { _ = try NoticeStore(path: path) }
        do {
            _ = try NoticeStore(path: path)
        } catch StoreError.foreignFile(let p, let reason) {
            #expect(p == path)
            #expect(reason == "it is not an SQLite database")
        }
    }

    /// Another program's SQLite database is refused, and left as it was (not switched to WAL, no tables
    /// added).
    @Test func anotherProgramsDatabaseIsRefusedAndLeftAlone() throws {
        let folder = try TempFolder()
        let path = folder.file("other.sqlite")
        do {
            let other = try DatabaseQueue(path: path)
            try other.write { db in try db.execute(sql: "CREATE TABLE player (id INTEGER PRIMARY KEY, name TEXT)") }
            try other.close()
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        do {
            _ = try NoticeStore(path: path)
            Issue.record("expected foreignFile")
        } catch StoreError.foreignFile(let p, let reason) {
            #expect(p == path)
            #expect(reason.contains("player"))
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(try folder.names() == ["other.sqlite"])
    }

    /// An SQLite file carrying another application id is refused even with no table.
    @Test func anotherApplicationIDIsRefused() throws {
        let folder = try TempFolder()
        let path = folder.file("other.sqlite")
        do {
            let other = try DatabaseQueue(path: path)
            try other.write { db in try db.execute(sql: "PRAGMA application_id = 1234") }
            try other.close()
        }
        do {
            _ = try NoticeStore(path: path)
            Issue.record("expected foreignFile")
        } catch StoreError.foreignFile(_, let reason) {
            #expect(reason.contains("4d2"))
        }
    }

    /// An SQLite file with no table at all (made by `sqlite3 vigie.sqlite ''`) becomes a store.
    @Test func anSQLiteFileWithoutTablesBecomesAStore() throws {
        let folder = try TempFolder()
        let path = folder.file("vigie.sqlite")
        do {
            let blank = try DatabaseQueue(path: path)
            try blank.write { db in try db.execute(sql: "PRAGMA user_version = 0; CREATE TABLE t (a); DROP TABLE t") }
            try blank.close()
        }
        let store = try NoticeStore(path: path)
        _ = try store.upsert([tender("boamp", "26-1")], at: now)
        #expect(try store.noticeCount() == 1)
    }

    // MARK: - Stores of older builds

    /// A schema-2 store of the build before GRDB (schema_version, no grdb_migrations) is bridged: its
    /// migrations are recorded, only v3 runs, its data is intact, and it gets Vigie's application id.
    @Test func aSchemaTwoStoreIsBridged() throws {
        let tmp = TempStore()
        try writeLegacyStore(at: tmp.path, version: 2) { db in
            try db.execute(
                sql: "INSERT INTO source_state (source_id, etag, incomplete, records_left) VALUES ('ted', 'x', 1, 40)")
            try db.execute(sql: "INSERT INTO opportunity (id, first_seen) VALUES (7, 1795000000)")
        }
        let store = try tmp.open()
        #expect(try store.schemaVersion() == NoticeStore.supportedSchemaVersion)
        let state = try #require(try store.sourceStates()["ted"])
        #expect(state.isIncomplete && state.left == 40 && state.etag == "x")
        let (applied, versions, applicationID) = try store.read { db in
            (
                // In the order they ran (by identifier, "v10" would sort before "v2").
                try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid"),
                try Int.fetchAll(db, sql: "SELECT version FROM schema_version ORDER BY version"),
                try Int32.fetchOne(db, sql: "PRAGMA application_id")
            )
        }
        #expect(applied == Schema.identifiers)
        // 3 and more in schema_version make a build before GRDB refuse the file rather than run without editions.
        #expect(versions == Schema.identifiers.compactMap { Int($0.dropFirst()) })
        #expect(applicationID == Schema.applicationID)
        // The new tables work, and the bridged source state gained its failure condition column.
        #expect(state.lastFailure == nil)
        try store.setRulesFingerprint("abc", cluster: "mecaloire", at: now)
        #expect(try store.rulesFingerprints() == ["mecaloire": "abc"])
        try store.close()
        // And it opens again without bridging twice.
        #expect(try tmp.open().schemaVersion() == NoticeStore.supportedSchemaVersion)
    }

    /// A store of the old layout claiming a version no old build wrote is refused, untouched.
    @Test func anOldLayoutStoreFromTheFutureIsRefused() throws {
        let tmp = TempStore()
        try writeLegacyStore(at: tmp.path, version: 2) { db in
            try db.execute(sql: "INSERT INTO schema_version (version) VALUES (999)")
        }
        do {
            _ = try tmp.open()
            Issue.record("expected schemaTooNew")
        } catch StoreError.schemaTooNew(_, let unknown, _) {
            #expect(unknown == ["schema_version 999"])
        }
        let queue = try DatabaseQueue(path: tmp.path)
        #expect(try queue.read { db in try db.tableExists("grdb_migrations") } == false)
        try queue.close()
    }

    // MARK: - Backup

    @Test func aBackupIsAWholeStore() throws {
        let live = try TempFolder()
        let backups = try TempFolder()
        let store = try NoticeStore(path: live.file("vigie.sqlite"))
        _ = try store.upsert([tender("boamp", "26-1"), tender("boamp", "26-2")], at: now)
        try store.save(SourceState(sourceID: "boamp", cursor: "2026-05-04"))
        let destination = backups.file("vigie-2026-05-05.sqlite")
        // Half a backup left by a killed `vigie backup` (its process is gone) is removed.
        let dead = try ProcessRunner.run(URL(fileURLWithPath: "/bin/true"), [])
        #expect(
            FileManager.default.createFile(
                atPath: destination + ".tmp-\(dead.pid)", contents: Data("half".utf8)))
        try store.backup(to: destination)
        #expect(try backups.names() == ["vigie-2026-05-05.sqlite"])
        // The store goes on; a second backup replaces the first.
        _ = try store.upsert([tender("boamp", "26-3")], at: now)
        try store.backup(to: destination)
        #expect(try backups.names() == ["vigie-2026-05-05.sqlite"])

        let copy = try NoticeStore(path: destination)
        #expect(try copy.noticeCount() == 3)
        #expect(try copy.sourceStates()["boamp"]?.cursor == "2026-05-04")
        #expect(try copy.search(NoticeQuery(text: "usinage")).count == 3)
        #expect(try copy.schemaVersion() == NoticeStore.supportedSchemaVersion)
    }

    /// A reader holding a read transaction (a `vigie query` during the backup) does not stop it, and the
    /// backup holds what was committed.
    @Test func aBackupRunsWhileAReaderHoldsATransaction() throws {
        let live = try TempFolder()
        let path = live.file("vigie.sqlite")
        let store = try NoticeStore(path: path)
        _ = try store.upsert([tender("boamp", "26-1")], at: now)
        let reader = try DatabaseQueue(path: path)
        try reader.read { db in
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM notice") == 1)
            try store.backup(to: live.file("backup.sqlite"))
        }
        try reader.close()
        #expect(try NoticeStore(path: live.file("backup.sqlite")).noticeCount() == 1)
        #expect(try live.names().filter { $0.contains(".tmp-") }.isEmpty)
    }

    @Test func aBackupOntoTheStoreItselfIsRefused() throws {
        let live = try TempFolder()
        let path = live.file("vigie.sqlite")
        let store = try NoticeStore(path: path)
        _ = try store.upsert([tender("boamp", "26-1")], at: now)
        try FileManager.default.createSymbolicLink(atPath: live.file("link.sqlite"), withDestinationPath: path)
        for destination in [path, live.file("link.sqlite"), live.path + "/./vigie.sqlite"] {
            do {
                try store.backup(to: destination)
                Issue.record("expected backupRefused for \(destination)")
            } catch StoreError.backupRefused(let p, let d, let reason) {
                #expect(p == path && d == destination)
                #expect(reason == "it is the store itself")
            }
        }
        #expect(try store.noticeCount() == 1)
        #expect(try live.names().filter { $0.contains(".tmp-") }.isEmpty)
    }

    /// A backup that cannot be written (its folder is missing) leaves nothing, under any name.
    @Test func aFailedBackupLeavesNothing() throws {
        let live = try TempFolder()
        let store = try NoticeStore(path: live.file("vigie.sqlite"))
        #expect(throws: StoreError.self) { try store.backup(to: live.file("missing/backup.sqlite")) }
        #expect(try live.names().sorted() == ["vigie.sqlite", "vigie.sqlite-shm", "vigie.sqlite-wal"])
    }
}

/// The outcome of work on another thread.
private final class Outcome: @unchecked Sendable {
    private let lock = NSLock()
    private var value: String?
    func set(_ v: String) { lock.withLock { value = v } }
    func get() -> String? { lock.withLock { value } }
}
