import Foundation
import GRDB
import Notices

/// Tables `source_state` (one row per source: conditional GET validators, cursor, health) and `raw_document`
/// (the newest responses per source, kept for replays).
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

    /// Keeps one fetched response; only the newest `rawRetention` per source are kept.
    public func saveRaw(_ doc: RawDocument) throws {
        try write { db in try insertRaw(doc, in: db) }
    }

    func insertRaw(_ d: RawDocument, in db: Database) throws {
        try db.exec(
            "INSERT INTO raw_document (source_id, url, http_status, content_type, body, fetched_at) "
                + "VALUES (?, ?, ?, ?, ?, ?)",
            [d.sourceID, d.url, d.httpStatus, d.contentType, Data(d.body), d.fetchedAt.timeIntervalSince1970])
        try db.exec(
            """
            DELETE FROM raw_document WHERE source_id = ? AND id NOT IN
                (SELECT id FROM raw_document WHERE source_id = ? ORDER BY id DESC LIMIT ?)
            """, [d.sourceID, d.sourceID, max(rawRetention, 0)])
    }

    /// The kept raw documents of a source, newest first.
    public func rawDocuments(sourceID: String) throws -> [RawDocument] {
        try read { db in
            try db.rows(
                """
                SELECT source_id, url, http_status, content_type, body, fetched_at FROM raw_document
                WHERE source_id = ? ORDER BY id DESC
                """, [sourceID]
            ).map { row in
                RawDocument(
                    sourceID: try row.decode(forColumn: "source_id"), url: try row.decode(forColumn: "url"),
                    httpStatus: try row.decode(forColumn: "http_status"),
                    contentType: try row.decode(forColumn: "content_type"),
                    body: [UInt8](try row.decode(Data.self, forColumn: "body")),
                    fetchedAt: Date(timeIntervalSince1970: try row.decode(forColumn: "fetched_at")))
            }
        }
    }
}
