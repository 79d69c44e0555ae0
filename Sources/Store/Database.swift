import CSQLite
import Foundation

/// One SQLite connection. Final and single-owner: the connection is closed in `deinit`.
///
/// Deliberately small (GRDB-like naming, no ORM): `execute` for statements without rows,
/// `query` for rows, `transaction` for atomic groups. Every error names the database file.
public final class Database {
    private var handle: OpaquePointer?
    /// The database file.
    public let path: String

    /// Opens (creating if needed) the database at `path`, in WAL mode with foreign keys on.
    public init(path: String) throws {
        self.path = path
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close(db)
            throw StoreError.sqlite(path: path, code: rc, message: message)
        }
        handle = db
        // A concurrent reader (`vigie query` during a run) must not block the nightly writer.
        sqlite3_busy_timeout(db, 5_000)
        try execute("PRAGMA journal_mode=WAL")
        try execute("PRAGMA foreign_keys=ON")
        try execute("PRAGMA synchronous=NORMAL")
    }

    deinit {
        sqlite3_close_v2(handle)
    }

    /// A value bound to a `?` parameter or read from a column.
    public enum Value: Sendable, Hashable {
        case null
        case integer(Int64)
        case real(Double)
        case text(String)
        case blob([UInt8])

        public var string: String? { if case .text(let s) = self { return s } else { return nil } }
        public var int: Int? {
            switch self {
            case .integer(let i): return Int(i)
            case .real(let d): return Int(d)
            default: return nil
            }
        }
        public var double: Double? {
            switch self {
            case .integer(let i): return Double(i)
            case .real(let d): return d
            default: return nil
            }
        }
        public var bytes: [UInt8]? {
            switch self {
            case .blob(let b): return b
            case .text(let s): return Array(s.utf8)
            default: return nil
            }
        }
        public var isNull: Bool { self == .null }
    }

    /// Runs one or more statements that return no rows.
    public func execute(_ sql: String, _ arguments: [Value] = []) throws {
        if arguments.isEmpty {
            var err: UnsafeMutablePointer<CChar>?
            let rc = sqlite3_exec(handle, sql, nil, nil, &err)
            if rc != SQLITE_OK {
                let message = err.map { String(cString: $0) } ?? "error"
                sqlite3_free(err)
                throw StoreError.sqlite(path: path, code: rc, message: message)
            }
            return
        }
        try withStatement(sql) { stmt in
            try bind(arguments, to: stmt)
            let rc = sqlite3_step(stmt)
            guard rc == SQLITE_DONE || rc == SQLITE_ROW else { throw error(rc) }
        }
    }

    /// Runs a query and returns every row as an array of values, in column order.
    public func query(_ sql: String, _ arguments: [Value] = []) throws -> [[Value]] {
        var rows: [[Value]] = []
        try forEachRow(sql, arguments) { rows.append($0) }
        return rows
    }

    /// Runs a query and calls `body` for each row, without materialising them all.
    public func forEachRow(_ sql: String, _ arguments: [Value] = [], _ body: ([Value]) throws -> Void) throws {
        try withStatement(sql) { stmt in
            try bind(arguments, to: stmt)
            let n = sqlite3_column_count(stmt)
            while true {
                let rc = sqlite3_step(stmt)
                if rc == SQLITE_DONE { break }
                guard rc == SQLITE_ROW else { throw error(rc) }
                var row: [Value] = []
                row.reserveCapacity(Int(n))
                for i in 0..<n { row.append(column(stmt, i)) }
                try body(row)
            }
        }
    }

    /// Rowid of the last insert on this connection.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Rows changed by the last statement.
    public var changes: Int { Int(sqlite3_changes(handle)) }

    /// Runs `body` in an immediate transaction: committed if it returns, rolled back if it throws,
    /// so a killed or failing step never leaves half a source in the store.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    // MARK: - Statements

    private var cache: [String: OpaquePointer] = [:]

    private func withStatement(_ sql: String, _ body: (OpaquePointer) throws -> Void) throws {
        let stmt: OpaquePointer
        if let cached = cache[sql] {
            stmt = cached
        } else {
            var s: OpaquePointer?
            let rc = sqlite3_prepare_v2(handle, sql, -1, &s, nil)
            guard rc == SQLITE_OK, let s else { throw error(rc) }
            cache[sql] = s
            stmt = s
        }
        defer {
            sqlite3_reset(stmt)
            sqlite3_clear_bindings(stmt)
        }
        try body(stmt)
    }

    /// Prepared statements are finalised before the connection closes.
    public func close() {
        for (_, s) in cache { sqlite3_finalize(s) }
        cache.removeAll()
        sqlite3_close_v2(handle)
        handle = nil
    }

    private func bind(_ arguments: [Value], to stmt: OpaquePointer) throws {
        for (i, v) in arguments.enumerated() {
            let idx = Int32(i + 1)
            let rc: Int32
            switch v {
            case .null: rc = sqlite3_bind_null(stmt, idx)
            case .integer(let x): rc = sqlite3_bind_int64(stmt, idx, x)
            case .real(let x): rc = sqlite3_bind_double(stmt, idx, x)
            case .text(let s): rc = vigie_sqlite3_bind_text(stmt, idx, s, -1)
            case .blob(let b):
                rc = b.withUnsafeBytes { vigie_sqlite3_bind_blob(stmt, idx, $0.baseAddress, Int32($0.count)) }
            }
            guard rc == SQLITE_OK else { throw error(rc) }
        }
    }

    private func column(_ stmt: OpaquePointer, _ i: Int32) -> Value {
        switch sqlite3_column_type(stmt, i) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(stmt, i))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(stmt, i))
        case SQLITE_TEXT: return .text(String(cString: sqlite3_column_text(stmt, i)))
        case SQLITE_BLOB:
            let n = Int(sqlite3_column_bytes(stmt, i))
            guard n > 0, let p = sqlite3_column_blob(stmt, i) else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: p, count: n)))
        default: return .null
        }
    }

    private func error(_ rc: Int32) -> StoreError {
        StoreError.sqlite(path: path, code: rc, message: String(cString: sqlite3_errmsg(handle)))
    }
}

extension Database.Value: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByNilLiteral {
    public init(stringLiteral value: String) { self = .text(value) }
    public init(integerLiteral value: Int) { self = .integer(Int64(value)) }
    public init(nilLiteral: ()) { self = .null }

    /// `.text(s)` or `.null`.
    public static func optional(_ s: String?) -> Self { s.map { .text($0) } ?? .null }
    /// `.integer(i)` or `.null`.
    public static func optional(_ i: Int?) -> Self { i.map { .integer(Int64($0)) } ?? .null }
}
