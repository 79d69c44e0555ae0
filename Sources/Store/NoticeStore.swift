import Foundation
import GRDB
import Notices

/// Vigie's memory between runs, in one SQLite file: source state, raw responses, notices with their
/// versions and cross-source duplicates, a French-friendly full-text index, routes, deliveries, digest
/// editions and runs.
///
/// Final and single-owner (it owns a connection). Open one per process or thread; several processes may
/// open the same file: SQLite's WAL mode lets `vigie query` read while the nightly run writes. `close()` (or
/// `deinit`) checkpoints the WAL into the `.sqlite` file, so that file alone is the whole store — what any
/// backup script copies.
///
/// The methods are grouped by table family: `+Sources` (source state, raw documents), `+Notices`,
/// `+Opportunities`, `+Search`, `+Runs` (runs, routes, rules fingerprints), `+Deliveries` (deliveries,
/// editions).
///
/// ```swift
/// let store = try NoticeStore(path: "vigie.sqlite")
/// let summary = try store.ingest(sourceID: "boamp", state: state, raws: raws, notices: notices, at: now)
/// try store.close()
/// ```
public final class NoticeStore {
    /// The connection. One queue: one process writes at a time, and the methods are synchronous.
    let queue: DatabaseQueue
    /// The database file.
    public let path: String
    /// Checkpoints the log on a thread of its own after the night's large transactions.
    let checkpointer: WALCheckpointer
    /// How many raw documents are kept per source (the newest); older ones are deleted at each save.
    public var rawRetention: Int = 5
    /// How long raw documents are kept, in seconds before a source's newest one (nil: no limit by age). A week
    /// by default: enough to replay the last nights' responses of a source after a parser fix.
    public var rawRetentionAge: TimeInterval? = 7 * 86_400

    /// Called at points inside `ingest` (`"state"`, `"raw"`, `"notice:<id>"`) and `stageEdition`
    /// (`"edition"`, `"delivery"`) so tests can make a run die midway and check that the transaction left
    /// nothing behind.
    var faultHook: ((String) throws -> Void)?

    /// One decoder for the store's life: creating a JSONDecoder per notice dominated large digests.
    let noticeDecoder = NoticeJSON.decoder()

    /// Notices decoded from their stored bytes, by those bytes: a national night reads each notice once for every
    /// cluster it went to (300 clusters: inflating and decoding the same JSON up to 300 times, on the store's one
    /// queue).
    let decodedNotices = DecodedNotices(limit: 8_192)

    private var isClosed = false

    /// SQLite's page cache for the store's connection, in KiB (`PRAGMA cache_size`): used only as the pages are
    /// touched, so a small store or a query costs no more.
    static let pageCacheKiB = 16_384

    /// Log pages (4 KB each) past which the writer checkpoints in its own commit (`PRAGMA wal_autocheckpoint`):
    /// above a national night's edition (10 MB), so that its commit leaves the copy to ``WALCheckpointer``, and a
    /// bound on the log when that thread falls behind. SQLite's 1,000 made every edition checkpoint in its commit.
    static let autoCheckpointPages = 16_384

    /// Opens or creates the store at `path`, bringing its schema to the current version.
    ///
    /// A missing file is a new store. Throws `StoreError` naming the file when it is empty (`emptyFile`: a
    /// truncated copy must not pass for a new store, or everything would be delivered again), is not a Vigie
    /// store (`foreignFile`), was written by a newer build (`schemaTooNew`), or cannot be opened.
    public init(path: String) throws {
        self.path = path
        checkpointer = WALCheckpointer(path: path)
        if try !Self.checkFile(at: path) { try Self.create(at: path) }
        var config = Configuration()
        // A `vigie query` reading during a run, or a second process opening the file, waits for a lock
        // instead of failing at once.
        config.busyMode = .timeout(5)
        config.foreignKeysEnabled = true
        config.label = "vigie.store"
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // Statement journals in memory: each `INSERT OR REPLACE` into `route` (a foreign key, a replace) keeps
            // the pages it changes in a statement journal, which SQLite spills to a temporary file past 64 KB and
            // then writes for every later statement of the transaction — 12 KB per route row, 8 GB of writes to a
            // deleted file on a national night of 700,000 routes. In memory it holds one statement's pages at a
            // time. (VACUUM's temporary copy of the store is the exception: `compactAfterUpgrade` sets it back.)
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
            // A larger page cache than SQLite's 2 MB: a night's transactions change more pages than that, and
            // every page spilled from the cache mid-transaction is written to the WAL, read back, and written
            // again (3.5 GB read back on a national night of 2,000 notices). 16 MB does as well there as 64 MB,
            // which added 90 MB to a 4-cluster night on a store of 150,000 notices.
            try db.execute(sql: "PRAGMA cache_size = -\(Self.pageCacheKiB)")
            try db.execute(sql: "PRAGMA wal_autocheckpoint = \(Self.autoCheckpointPages)")
        }
        do {
            queue = try DatabaseQueue(path: path, configuration: config)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB {
            throw StoreError.foreignFile(path: path, reason: "SQLite says it is not a database (\(error))")
        } catch let error as DatabaseError {
            throw StoreError.database(path: path, underlying: error)
        }
        // From here on `deinit` closes the connection if the checks below throw.
        try Self.checkOwner(queue, path: path)
        try wrap {
            try queue.writeWithoutTransaction { db in
                // WAL so that a reader never blocks the nightly writer (a persistent setting of the file, set
                // once: opening a store during a run must not wait for the writer).
                if try String.fetchOne(db, sql: "PRAGMA journal_mode")?.lowercased() != "wal" {
                    _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
                }
            }
        }
        try migrate()
    }

    deinit {
        guard !isClosed else { return }
        do {
            try close()
        } catch {
            // Nothing can be reported from deinit. No data is at stake: every transaction is committed,
            // and a WAL left behind is replayed by SQLite at the next open.
        }
    }

    /// Checkpoints the WAL into the database file (`PRAGMA wal_checkpoint(TRUNCATE)`) and closes the
    /// connection, so the `.sqlite` file alone holds the whole store. Calling it again does nothing; any other
    /// method called afterwards throws.
    public func close() throws {
        guard !isClosed else { return }
        isClosed = true
        var checkpointError: (any Error)?
        do {
            // Its checkpoint under way would keep the last one from emptying the log.
            try checkpointer.close()
        } catch {
            checkpointError = error
        }
        do {
            _ = try queue.writeWithoutTransaction { db in
                // No waiting here: a `vigie query` closing while the nightly run writes would otherwise hang for
                // the whole busy timeout.
                try db.execute(sql: "PRAGMA busy_timeout = 0")
                return try db.checkpoint(.truncate)
            }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
            // Another connection reads or writes: the WAL cannot be emptied now. Nothing is lost, and the file
            // still ends whole: the last connection to close checkpoints it.
        } catch let error as DatabaseError {
            checkpointError = checkpointError ?? error
        }
        do {
            try queue.close()
        } catch let error as DatabaseError {
            throw StoreError.database(path: path, underlying: error)
        }
        if let checkpointError = checkpointError as? DatabaseError {
            throw StoreError.database(path: path, underlying: checkpointError)
        }
        if let checkpointError { throw checkpointError }
    }

    /// Schema version of the file: the number of this build's migrations applied to it.
    public func schemaVersion() throws -> Int {
        try read { db in try Schema.migrator.appliedMigrations(db).count }
    }

    /// Schema version this build writes (its number of migrations).
    public static var supportedSchemaVersion: Int { Schema.identifiers.count }

    // MARK: - Backup

    /// Copies the store to `destination` with SQLite's online backup: consistent even while a run writes or
    /// a reader holds a transaction. The copy is written to `<destination>.tmp-<pid>` beside it, then renamed
    /// onto `destination`, so a failed or killed backup never leaves half a file under the real name.
    ///
    /// Refused when `destination` is the store itself, a directory, or a live store (it has a `-wal` file).
    public func backup(to destination: String) throws {
        guard !isClosed else { throw StoreError.closed(path: path) }
        func refuse(_ reason: String) -> StoreError {
            StoreError.backupRefused(path: path, destination: destination, reason: reason)
        }
        var target = stat()
        if stat(destination, &target) == 0 {
            var mine = stat()
            if stat(path, &mine) == 0, mine.st_dev == target.st_dev, mine.st_ino == target.st_ino {
                throw refuse("it is the store itself")
            }
            if (target.st_mode & S_IFMT) == S_IFDIR { throw refuse("it is a directory; give a file path") }
        }
        if FileManager.default.fileExists(atPath: destination + "-wal") {
            throw refuse("it is a store in use (\(destination)-wal exists)")
        }
        let url = URL(fileURLWithPath: destination)
        let tmp = url.deletingLastPathComponent().appendingPathComponent(
            url.lastPathComponent + ".tmp-\(getpid())"
        ).path
        try Self.removeLeftovers(of: destination, marker: ".tmp-", store: path)
        try Self.removeIfPresent(tmp, store: path)
        do {
            let copy = try DatabaseQueue(path: tmp)
            try queue.backup(to: copy)
            try copy.close()
            // The copy's bytes reach the disk before its name does.
            try Self.sync(tmp, store: path)
            guard rename(tmp, destination) == 0 else {
                throw StoreError.fileSystem(path: path, operation: "rename to \(destination)", file: tmp, errno: errno)
            }
            try Self.sync(url.deletingLastPathComponent().path, store: path)
        } catch {
            for suffix in ["", "-wal", "-shm", "-journal"] { try Self.removeIfPresent(tmp + suffix, store: path) }
            if let error = error as? DatabaseError { throw StoreError.database(path: path, underlying: error) }
            throw error
        }
    }

    /// Removes `<file><marker><pid>…` files (and their -wal, -shm) left by a process that died (a creation or a
    /// backup killed midway); those of a live process are its work in progress.
    private static func removeLeftovers(of file: String, marker: String, store: String) throws {
        let url = URL(fileURLWithPath: file)
        let folder = url.deletingLastPathComponent().path
        let prefix = url.lastPathComponent + marker
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder)
        } catch {
            // The folder is missing or unreadable: the caller's next step fails with an error naming the file.
            return
        }
        for name in names where name.hasPrefix(prefix) {
            let pid = name.dropFirst(prefix.count).prefix { $0.isNumber }
            guard let pid = Int32(pid), kill(pid, 0) != 0, errno == ESRCH else { continue }
            try removeIfPresent(folder + "/" + name, store: store)
        }
    }

    private static func removeIfPresent(_ file: String, store: String) throws {
        if unlink(file) != 0, errno != ENOENT {
            throw StoreError.fileSystem(path: store, operation: "remove", file: file, errno: errno)
        }
    }

    /// fsync of a file or folder, so what was written reaches the disk before a rename makes it visible.
    private static func sync(_ file: String, store: String) throws {
        let fd = open(file, O_RDONLY)
        guard fd >= 0 else { throw StoreError.fileSystem(path: store, operation: "open", file: file, errno: errno) }
        defer { _ = Glibc.close(fd) }
        guard fsync(fd) == 0 else {
            throw StoreError.fileSystem(path: store, operation: "fsync", file: file, errno: errno)
        }
    }

    // MARK: - Opening checks

    /// Refuses a 0-byte file and a file that is not SQLite, before SQLite sees it (SQLite would take an empty
    /// file for a new database). Returns false when there is no file: a new store.
    static func checkFile(at path: String) throws -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT { return false }
            throw StoreError.fileSystem(path: path, operation: "stat", file: path, errno: errno)
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            throw StoreError.foreignFile(path: path, reason: "it is a directory")
        }
        // Stores are created whole (see `create`), so a 0-byte store is a truncated copy or a full disk.
        if info.st_size == 0 { throw StoreError.emptyFile(path: path) }
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw StoreError.fileSystem(path: path, operation: "open", file: path, errno: errno) }
        var header = [UInt8](repeating: 0, count: 16)
        let count = Glibc.read(fd, &header, 16)
        _ = Glibc.close(fd)  // read-only: nothing to flush
        guard count == 16, header == Array("SQLite format 3\0".utf8) else {
            throw StoreError.foreignFile(path: path, reason: "it is not an SQLite database")
        }
        return true
    }

    /// Creates a new store whole: migrated in `<path>.new-<pid>-<random>` beside it, then linked to `path`. SQLite
    /// creates its file empty and fills it later, so a run killed at that moment would leave a 0-byte store,
    /// which the next run must refuse; built aside, the store appears under its name complete or not at all.
    /// Leftovers of creations killed midway (their process is gone) are removed.
    static func create(at path: String) throws {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try removeLeftovers(of: path, marker: ".new-", store: path)
        // The pid tells a dead creator's leftovers; the random part keeps two threads of one process apart.
        let tmp = path + ".new-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        for suffix in ["", "-wal", "-shm", "-journal"] { try removeIfPresent(tmp + suffix, store: path) }
        do {
            let fresh = try DatabaseQueue(path: tmp)
            _ = try fresh.writeWithoutTransaction { db in try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL") }
            try Schema.migrator.migrate(fresh)
            _ = try fresh.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
            try fresh.close()
            try sync(tmp, store: path)
            // link, not rename: if another process created the store meanwhile, keep theirs.
            if link(tmp, path) != 0, errno != EEXIST {
                // A file system without hard links: rename, unless the store appeared meanwhile.
                guard [EPERM, ENOTSUP, EOPNOTSUPP].contains(errno), !FileManager.default.fileExists(atPath: path),
                    rename(tmp, path) == 0
                else {
                    throw StoreError.fileSystem(path: path, operation: "link from \(tmp)", file: path, errno: errno)
                }
            }
            try removeIfPresent(tmp, store: path)
            try sync(folder, store: path)
        } catch {
            for suffix in ["", "-wal", "-shm", "-journal"] { try removeIfPresent(tmp + suffix, store: path) }
            if let error = error as? DatabaseError { throw StoreError.database(path: path, underlying: error) }
            throw error
        }
    }

    /// Refuses another program's SQLite database: one with another `application_id`, or with tables but
    /// neither Vigie's id nor the tables of a store from a build before GRDB.
    static func checkOwner(_ queue: DatabaseQueue, path: String) throws {
        let (tables, applicationID): (Set<String>, Int32)
        do {
            (tables, applicationID) = try queue.read { db in
                (
                    try String.fetchSet(
                        db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"),
                    try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
                )
            }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB {
            throw StoreError.foreignFile(path: path, reason: "SQLite says it is not a database (\(error))")
        } catch let error as DatabaseError {
            throw StoreError.database(path: path, underlying: error)
        }
        if applicationID == Schema.applicationID || (applicationID == 0 && tables.isEmpty) { return }
        if applicationID != 0 {
            throw StoreError.foreignFile(
                path: path,
                reason: "its SQLite application id is \(String(UInt32(bitPattern: applicationID), radix: 16)), "
                    + "not Vigie's \(String(Schema.applicationID, radix: 16))")
        }
        // Stores written before GRDB carry no application id: recognised by their tables.
        if ["schema_version", "source_state", "notice"].allSatisfy(tables.contains),
            !tables.contains("grdb_migrations")
        {
            return
        }
        let names = tables.sorted()
        throw StoreError.foreignFile(
            path: path,
            reason: "an SQLite database of another program (tables \(names.prefix(5).joined(separator: ", "))"
                + (names.count > 5 ? "…" : "") + ")")
    }

    // MARK: - Migrations

    /// Bridges a store from a build before GRDB, refuses one from a newer build, then runs the migrations
    /// the file lacks.
    private func migrate() throws {
        let migrator = Schema.migrator
        // Read first, without the write lock: a store already up to date (every open of `vigie query` during
        // a run) must not wait for the nightly writer's transaction.
        let (isLegacy, applied, isComplete) = try read { db in
            let isLegacy = try db.tableExists("schema_version") && !db.tableExists("grdb_migrations")
            return (isLegacy, try migrator.appliedIdentifiers(db), try !isLegacy && migrator.hasCompletedMigrations(db))
        }
        let unknown = applied.subtracting(Schema.identifiers).sorted()
        if !unknown.isEmpty {
            throw StoreError.schemaTooNew(path: path, unknown: unknown, supported: Schema.identifiers)
        }
        if isComplete { return }
        if isLegacy {
            try write { db in
                // Under the lock, again: another process may have bridged the file meanwhile.
                let unknown = try Schema.bridgeLegacy(db)
                if !unknown.isEmpty {
                    throw StoreError.schemaTooNew(path: path, unknown: unknown, supported: Schema.identifiers)
                }
            }
        }
        // Two processes creating the store at the same moment both see "v1" missing; once the first commits,
        // the second one's "v1" fails (table exists). Reading again then finds the migrations done.
        for attempt in 1...3 {
            do {
                try migrator.migrate(queue)
                // A store that existed before this open and was just upgraded past a table rebuild.
                let ran = Set(Schema.identifiers).subtracting(applied)
                if isLegacy || applied.contains("v1"), !ran.isDisjoint(with: Schema.rebuildingMigrations) {
                    do {
                        try compactAfterUpgrade(progress: Schema.reportUpgrade)
                    } catch {
                        // The upgrade is committed and the store whole: a failed compaction (another process busy
                        // with the file, a disk filled meanwhile) only leaves the free pages where they were.
                        Schema.reportUpgrade(
                            "store: \(path): compacting after the upgrade failed, its free pages are kept: \(error)")
                    }
                }
                return
            } catch let error as DatabaseError {
                if try read({ db in try migrator.hasCompletedMigrations(db) }) { return }
                if attempt == 3 { throw StoreError.database(path: path, underlying: error) }
            }
        }
    }

    // MARK: - Compaction

    /// Rewrites the file without its free pages (`VACUUM`) when an upgrade that rebuilt a table left at least a
    /// tenth of the file free: v9 copies the dedup keys to a new table and drops the old one (600 MB of a store of
    /// a million notices). SQLite reuses free pages for new rows but never gives them back to the disk, and
    /// `backup` copies them too. Nothing else compacts a store, so it is done once, here.
    ///
    /// VACUUM writes the compacted store twice — a temporary database (in SQLite's temporary folder), then the
    /// WAL beside the store before the checkpoint folds it in — so it runs only when the disk holds both with a
    /// margin; otherwise the free pages stay (new notices fill them) and a line says so. Stopped midway, it leaves
    /// the store as it was.
    func compactAfterUpgrade(progress: (String) -> Void) throws {
        let (pageSize, pages, free) = try read { db in
            (
                try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 4096,
                try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0,
                try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0
            )
        }
        guard free * 10 >= pages, free > 0 else { return }
        let mb = { (bytes: Int) in "\(bytes >> 20) MB" }
        let used = (pages - free) * pageSize
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        // Where SQLite's unix VFS puts the temporary database (its search order, /tmp last).
        let environment = ProcessInfo.processInfo.environment
        let temporary =
            [environment["SQLITE_TMPDIR"], environment["TMPDIR"], "/var/tmp", "/usr/tmp", "/tmp"].compactMap { $0 }
            .first { FileManager.default.isWritableFile(atPath: $0) } ?? "/tmp"
        let margin = 64 << 20
        let room = [folder, temporary].map(Self.availableBytes)
        let sameDisk = Self.device(folder) == Self.device(temporary)
        let enough =
            sameDisk ? (room[0] ?? 0) >= 2 * used + margin : (room[0] ?? 0) >= used + margin && (room[1] ?? 0) >= used
        guard enough else {
            progress(
                "store: \(path): \(mb(free * pageSize)) of free pages left by the upgrade are kept (new notices reuse "
                    + "them): compacting needs \(mb(used)) free in \(folder) and in \(temporary), "
                    + "\(room.map { $0.map(mb) ?? "unknown" }.joined(separator: " and ")) available")
            return
        }
        // A small store compacts in a moment: only a long rewrite says so.
        let reports = used >= 64 << 20
        if reports {
            progress(
                "store: \(path): compacting: \(mb(free * pageSize)) of free pages left by the upgrade, rewriting "
                    + "\(mb(used)) (minutes on a large store; stopped, it leaves the store as it was)")
        }
        let start = Date()
        try wrap {
            try queue.writeWithoutTransaction { db in
                // VACUUM builds the compacted copy as a temporary database: on disk, not in memory (a store of a
                // million notices is gigabytes).
                // If VACUUM fails, the setting stays on FILE: slower statements, nothing else.
                try db.execute(sql: "PRAGMA temp_store = FILE")
                try db.execute(sql: "VACUUM")
                try db.execute(sql: "PRAGMA temp_store = MEMORY")
                do {
                    _ = try db.checkpoint(.truncate)
                } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
                    // The WAL holds the whole rewritten store until it is checkpointed; a reader delays that, and
                    // the last connection to close does it. Nothing is lost: the WAL is part of the store.
                }
            }
        }
        guard reports else { return }
        var info = stat()
        let size = stat(path, &info) == 0 ? mb(Int(info.st_size)) : "?"
        progress("store: \(path): compacted to \(size) in \(Int(Date().timeIntervalSince(start))) s")
    }

    /// Free bytes for an unprivileged writer on the file system of `folder` (nil when it cannot be read).
    private static func availableBytes(_ folder: String) -> Int? {
        var info = statvfs()
        guard statvfs(folder, &info) == 0 else { return nil }
        return Int(info.f_bavail) * Int(info.f_frsize)
    }

    /// The device of a file or folder, to tell whether two folders share a disk.
    private static func device(_ file: String) -> UInt? {
        var info = stat()
        return stat(file, &info) == 0 ? UInt(info.st_dev) : nil
    }

    // MARK: - Batching

    /// Keys per `IN (…)` list: well under SQLite's parameter limit, and few distinct statements to cache.
    static let chunkSize = 200

    /// `keys` cut into lists of at most `size` (``chunkSize`` unless told), in order.
    static func chunks<T>(of keys: [T], size: Int = chunkSize) -> [ArraySlice<T>] {
        stride(from: 0, to: keys.count, by: size).map { keys[$0..<min($0 + size, keys.count)] }
    }

    /// `count` positional parameters for an `IN (…)` list: `?, ?, …`.
    static func placeholders(count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ", ")
    }

    /// The `VALUES` of a multi-row INSERT: `rows` tuples of `columns` positional parameters, `(?, ?), (?, ?)`.
    static func valueTuples(rows: Int, columns: Int) -> String {
        Array(repeating: "(\(placeholders(count: columns)))", count: rows).joined(separator: ", ")
    }

    /// Inserts `rows` `rowsPerInsert` at a time: `sql(n)` is the statement of `n` rows, `arguments` a row's
    /// parameters in the statement's order. Rows of one statement are inserted in order, as separate statements
    /// were, so with `INSERT OR REPLACE` a later row of the same key still replaces an earlier one. `faultPoint`
    /// is told to ``faultHook`` after each statement.
    ///
    /// A national night inserts some 705,000 delivery rows and as many route rows. One statement a row cost a
    /// lookup of the statement by its SQL text, a check of its arguments and a run of SQLite's program for each
    /// row; the full-size statement is found once a call and bound unchecked (the SQL fixes the count), and only
    /// the last, partial batch prepares a statement of its own.
    func insertBatched<T>(
        _ rows: [T], rowsPerInsert: Int, sql: (Int) -> String, faultPoint: String, in db: Database,
        arguments: (T) throws -> StatementArguments
    ) throws {
        guard !rows.isEmpty else { return }
        let full = try db.cachedStatement(sql: sql(rowsPerInsert))
        for batch in Self.chunks(of: rows, size: rowsPerInsert) {
            var args = StatementArguments()
            for row in batch { args += try arguments(row) }
            let insert = batch.count == rowsPerInsert ? full : try db.makeStatement(sql: sql(batch.count))
            insert.setUncheckedArguments(args)
            try insert.execute()
            try faultHook?(faultPoint)
        }
    }

    // MARK: - Access

    /// Runs `body` in an IMMEDIATE transaction: committed if it returns, rolled back if it throws, so a
    /// killed or failing step never leaves half its work in the store. IMMEDIATE takes the write lock at
    /// once, so the busy timeout applies there rather than failing at the first write.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        try wrap {
            try queue.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
                guard let result else {
                    throw StoreError.invalidInput(path: path, reason: "transaction ended without a result")
                }
                return result
            }
        }
    }

    /// Runs `body` in a read transaction: one consistent snapshot.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        try wrap { try queue.read(body) }
    }

    /// GRDB's errors become `StoreError.database` naming the file; the store's own errors pass through.
    func wrap<T>(_ body: () throws -> T) throws -> T {
        // GRDB does not check for a closed connection before calling SQLite (which would crash).
        guard !isClosed else { throw StoreError.closed(path: path) }
        do {
            return try body()
        } catch let error as DatabaseError {
            throw StoreError.database(path: path, underlying: error)
        }
    }
}

extension Database {
    /// Runs one statement, prepared once per connection (the upsert loop runs the same few thousands of times).
    func exec(_ sql: String, _ arguments: StatementArguments = StatementArguments()) throws {
        try cachedStatement(sql: sql).execute(arguments: arguments)
    }

    /// Every row of one query (cached statement), for decoding by column name.
    func rows(_ sql: String, _ arguments: StatementArguments = StatementArguments()) throws -> [Row] {
        try Row.fetchAll(cachedStatement(sql: sql), arguments: arguments)
    }

    /// Each row of one query (cached statement), decoded in `body` as SQLite steps, not copied: for the reads of
    /// a night's routes. A copied row holds every column's value and its own column names, found by name through
    /// a lowercased comparison per column; the routes of a national night are 700,000 rows, each carrying its
    /// notice's stored JSON though only the first row of a notice decodes it. The row is valid only inside `body`.
    func eachRow(
        _ sql: String, _ arguments: StatementArguments = StatementArguments(), _ body: (Row) throws -> Void
    ) throws {
        let rows = try Row.fetchCursor(cachedStatement(sql: sql), arguments: arguments)
        while let row = try rows.next() { try body(row) }
    }
}

/// Seconds since 1970, the store's time column format (REAL), or nil.
func seconds(_ date: Date?) -> Double? { date?.timeIntervalSince1970 }

extension Row {
    /// A REAL time column as a date (nil when NULL).
    func date(_ column: String) throws -> Date? {
        try decode(Double?.self, forColumn: column).map(Date.init(timeIntervalSince1970:))
    }
}
