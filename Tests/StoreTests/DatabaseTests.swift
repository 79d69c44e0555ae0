import Foundation
import Testing

@testable import Store

@Suite struct DatabaseTests {
    func tempPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("vigie-db-\(UUID().uuidString).sqlite").path
    }

    @Test func roundTripsValuesThroughARealFile() throws {
        let path = tempPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let db = try Database(path: path)
        try db.execute("CREATE TABLE t (a INTEGER, b TEXT, c REAL, d BLOB)")
        try db.execute(
            "INSERT INTO t VALUES (?, ?, ?, ?)",
            [.integer(42), "Appel à projets – été", .real(1.5), .blob([0, 1, 255])])
        try db.execute("INSERT INTO t VALUES (?, ?, ?, ?)", [nil, nil, nil, nil])
        let rows = try db.query("SELECT a, b, c, d FROM t ORDER BY rowid")
        #expect(rows.count == 2)
        #expect(rows[0] == [.integer(42), .text("Appel à projets – été"), .real(1.5), .blob([0, 1, 255])])
        #expect(rows[1] == [.null, .null, .null, .null])
    }

    @Test func failedTransactionLeavesNothingBehind() throws {
        let path = tempPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let db = try Database(path: path)
        try db.execute("CREATE TABLE t (a INTEGER PRIMARY KEY)")
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try db.transaction {
                try db.execute("INSERT INTO t VALUES (?)", [1])
                throw Boom()
            }
        }
        #expect(try db.query("SELECT count(*) FROM t") == [[.integer(0)]])
    }

    @Test func errorsNameTheFile() throws {
        let path = tempPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let db = try Database(path: path)
        do {
            try db.execute("SELECT * FROM missing_table WHERE x = ?", [1])
            Issue.record("expected an error")
        } catch let e as StoreError {
            #expect(e.description.hasPrefix("store: \(path): SQLite error"))
            #expect(e.description.contains("missing_table"))
        }
    }
}
