import Foundation
import GRDB
import Notices

@testable import Store

/// A fresh database file per test, removed (with its WAL side files) when the value goes away.
final class TempStore {
    let path: String
    init() {
        path =
            FileManager.default.temporaryDirectory
            .appendingPathComponent("vigie-store-\(UUID().uuidString).sqlite").path
    }
    func open() throws -> NoticeStore { try NoticeStore(path: path) }
    deinit {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
}

func date(_ s: String) -> Date { ISO8601.parseZoned(s)!.instant }
func zoned(_ s: String) -> ZonedDate { ISO8601.parseZoned(s)! }

func tender(
    _ source: String, _ id: String, title: String = "Usinage de pièces mécaniques",
    deadline: String? = "2026-06-08T12:00:00+02:00", refs: CrossReferences = CrossReferences(),
    cpv: [String] = ["42600000"], departement: String? = "42", value: Decimal? = 246_000,
    summary: String? = nil, published: String = "2026-05-04T00:00:00Z"
) -> Notice {
    Notice(
        source: source, sourceID: id, title: title, summary: summary, url: "https://example.org/\(id)",
        language: "fr", buyer: Buyer(name: "Ville de Saint-Étienne", id: "21420218600011"),
        published: date(published), deadline: deadline.map(zoned),
        value: value.map { Money(amount: $0, currency: "EUR", vat: "HT") }, mainCPV: cpv.first, cpv: cpv,
        places: departement.map { [Place(departement: $0)] } ?? [], refs: refs)
}

/// Writes a store the way builds before GRDB did: WAL mode, `schema_version` counting the migrations run
/// (their exact SQL, kept as "v1" and "v2"), no `grdb_migrations`, no application id. `fill` adds rows.
func writeLegacyStore(at path: String, version: Int, fill: (GRDB.Database) throws -> Void = { _ in }) throws {
    let queue = try DatabaseQueue(path: path)
    _ = try queue.writeWithoutTransaction { db in try String.fetchOne(db, sql: "PRAGMA journal_mode=WAL") }
    try queue.write { db in
        try db.execute(sql: "CREATE TABLE schema_version (version INTEGER NOT NULL)")
        for (i, sql) in [Schema.v1, Schema.v2].prefix(version).enumerated() {
            try db.execute(sql: sql)
            try db.execute(sql: "INSERT INTO schema_version (version) VALUES (?)", arguments: [i + 1])
        }
        try fill(db)
    }
    try queue.close()
}

/// A fresh empty folder, removed with its content when the value goes away.
final class TempFolder {
    let path: String
    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("vigie-store-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func file(_ name: String) -> String { path + "/" + name }
    /// The names of the folder's files, sorted.
    func names() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: path).sorted() }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// This process's open file descriptors that point inside `folder` (read from /proc/self/fd), so a count is
/// not disturbed by the tests running in parallel.
func openDescriptors(inside folder: String) throws -> Int {
    try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").filter { fd in
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + fd) else {
            return false  // the descriptor of the listing itself, closed in between
        }
        return target.hasPrefix(folder + "/")
    }.count
}

/// Every open descriptor of the process.
func openDescriptorCount() throws -> Int {
    try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count
}

/// Gives every third notice a new revision (a later deadline) in `store`, as a source correcting its notices
/// overnight; returns the notices changed.
@discardableResult
func reviseEveryThird(_ notices: [Notice], in store: NoticeStore, at date: Date) throws -> [Notice] {
    var moved: [Notice] = []
    for (i, notice) in notices.enumerated() where i % 3 == 0 {
        var changed = notice
        changed.deadline = zoned("2026-06-22T12:00:00+02:00")
        moved.append(changed)
    }
    _ = try store.upsert(moved, at: date)
    return moved
}
