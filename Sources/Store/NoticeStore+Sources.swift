import Compression
import Foundation
import GRDB
import Notices

/// Tables `source_state` (one row per source: conditional GET validators, cursor, health) and `raw_document`
/// (the newest responses per source, deflated, kept for replays).
extension NoticeStore {
    // MARK: - Source state

    /// Every source's saved state, by source id.
    public func sourceStates() throws -> [String: SourceState] {
        try read { db in
            var out: [String: SourceState] = [:]
            for row in try db.rows(
                """
                SELECT source_id, etag, last_modified, cursor, last_attempt, last_success, consecutive_failures,
                       last_error, last_http_status, incomplete, records_left, last_failure FROM source_state
                """)
            {
                let s = SourceState(
                    sourceID: try row.decode(forColumn: "source_id"), etag: try row.decode(forColumn: "etag"),
                    lastModified: try row.decode(forColumn: "last_modified"),
                    cursor: try row.decode(forColumn: "cursor"), lastAttempt: try row.date("last_attempt"),
                    lastSuccess: try row.date("last_success"),
                    consecutiveFailures: try row.decode(forColumn: "consecutive_failures"),
                    lastError: try row.decode(forColumn: "last_error"),
                    lastHTTPStatus: try row.decode(forColumn: "last_http_status"),
                    isIncomplete: try row.decode(Int.self, forColumn: "incomplete") != 0,
                    left: try row.decode(forColumn: "records_left"),
                    lastFailure: try (row.decode(String?.self, forColumn: "last_failure")).flatMap(
                        SourceFailureKind.init(rawValue:)))
                out[s.sourceID] = s
            }
            return out
        }
    }

    /// Saves (replaces) one source's state.
    public func save(_ state: SourceState) throws {
        try write { db in try saveState(state, in: db) }
    }

    func saveState(_ s: SourceState, in db: Database) throws {
        guard !s.sourceID.isEmpty else { throw StoreError.invalidInput(path: path, reason: "source state without id") }
        try db.exec(
            """
            INSERT OR REPLACE INTO source_state (source_id, etag, last_modified, cursor, last_attempt, last_success,
                consecutive_failures, last_error, last_http_status, incomplete, records_left, last_failure)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                s.sourceID, s.etag, s.lastModified, s.cursor, seconds(s.lastAttempt), seconds(s.lastSuccess),
                s.consecutiveFailures, s.lastError, s.lastHTTPStatus, s.isIncomplete ? 1 : 0, s.left,
                s.lastFailure?.rawValue,
            ])
    }

    // MARK: - Raw documents

    /// Keeps one fetched response; only the newest `rawRetention` per source, fetched within `rawRetentionAge` of
    /// the newest, are kept.
    public func saveRaw(_ doc: RawDocument) throws {
        try write { db in try insertRaw(doc, in: db) }
    }

    func insertRaw(_ d: RawDocument, in db: Database) throws {
        let hash = Self.bodyHash(d.body)
        // A feed that did not change since the last fetch (a file touched, a server ignoring our validators) is
        // kept once: the kept copy becomes the newest, instead of a second copy of the same bytes.
        for row in try db.rows(
            "SELECT id, body, compressed FROM raw_document WHERE source_id = ? AND url = ? AND body_hash = ?",
            [d.sourceID, d.url, hash])
        where try rawBody(row, sourceID: d.sourceID) == d.body {
            let newest = (try Int64.fetchOne(db, sql: "SELECT max(id) FROM raw_document") ?? 0) + 1
            try db.exec(
                "UPDATE raw_document SET id = ?, http_status = ?, content_type = ?, fetched_at = ? WHERE id = ?",
                [
                    newest, d.httpStatus, d.contentType, d.fetchedAt.timeIntervalSince1970,
                    try row.decode(Int64.self, forColumn: "id"),
                ])
            try trimRaw(sourceID: d.sourceID, in: db)
            return
        }
        let body: [UInt8]
        do {
            body = try Zlib.deflate(d.body)
        } catch {
            throw StoreError.invalidInput(path: path, reason: "raw document of \(d.sourceID): \(error)")
        }
        try db.exec(
            "INSERT INTO raw_document (source_id, url, http_status, content_type, body, fetched_at, compressed, "
                + "body_hash) VALUES (?, ?, ?, ?, ?, ?, 1, ?)",
            [d.sourceID, d.url, d.httpStatus, d.contentType, Data(body), d.fetchedAt.timeIntervalSince1970, hash])
        try trimRaw(sourceID: d.sourceID, in: db)
    }

    /// Deletes a source's raw documents beyond the newest `rawRetention` and those fetched more than
    /// `rawRetentionAge` before its newest.
    private func trimRaw(sourceID: String, in db: Database) throws {
        try db.exec(
            """
            DELETE FROM raw_document WHERE source_id = ? AND id NOT IN
                (SELECT id FROM raw_document WHERE source_id = ? ORDER BY id DESC LIMIT ?)
            """, [sourceID, sourceID, max(rawRetention, 0)])
        if let age = rawRetentionAge {
            try db.exec(
                """
                DELETE FROM raw_document WHERE source_id = ? AND fetched_at <
                    (SELECT fetched_at FROM raw_document WHERE source_id = ? ORDER BY id DESC LIMIT 1) - ?
                """, [sourceID, sourceID, age])
        }
    }

    /// FNV-1a 64-bit of the bytes and their count: finds a kept copy of the same body (then compared whole).
    static func bodyHash(_ bytes: [UInt8]) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01b3
        }
        return String(h, radix: 16) + "-" + String(bytes.count)
    }

    /// A raw document's body: deflated (`compressed` = 1) or as builds before v7 stored it.
    private func rawBody(_ row: Row, sourceID: String) throws -> [UInt8] {
        let body = [UInt8](try row.decode(Data.self, forColumn: "body"))
        guard try row.decode(Int.self, forColumn: "compressed") == 1 else { return body }
        do {
            return try Zlib.inflate(body)
        } catch {
            throw StoreError.invalidInput(path: path, reason: "raw document of \(sourceID) does not inflate: \(error)")
        }
    }

    /// The kept raw documents of a source, newest first.
    public func rawDocuments(sourceID: String) throws -> [RawDocument] {
        try read { db in
            try db.rows(
                """
                SELECT source_id, url, http_status, content_type, body, compressed, fetched_at FROM raw_document
                WHERE source_id = ? ORDER BY id DESC
                """, [sourceID]
            ).map { row in
                RawDocument(
                    sourceID: try row.decode(forColumn: "source_id"), url: try row.decode(forColumn: "url"),
                    httpStatus: try row.decode(forColumn: "http_status"),
                    contentType: try row.decode(forColumn: "content_type"),
                    body: try rawBody(row, sourceID: sourceID),
                    fetchedAt: Date(timeIntervalSince1970: try row.decode(forColumn: "fetched_at")))
            }
        }
    }
}
