import Foundation

/// State of one night's digest edition for a cluster.
public enum EditionState: String, Sendable, Hashable, Codable { case staged, published }

/// One night's digest edition of a cluster: every file (cluster and members) written aside in `staging`,
/// then moved to `files` (final paths, same order as `staged`).
public struct EditionRecord: Sendable, Hashable {
    public var cluster: String
    public var stamp: String
    public var edition: Int
    public var staging: String
    public var staged: [String]
    public var files: [String]
    public var state: EditionState
    public var runID: Int64?
    public var createdAt: Date

    public init(cluster: String, stamp: String, edition: Int, staging: String, staged: [String], files: [String],
                state: EditionState, runID: Int64?, createdAt: Date) {
        self.cluster = cluster
        self.stamp = stamp
        self.edition = edition
        self.staging = staging
        self.staged = staged
        self.files = files
        self.state = state
        self.runID = runID
        self.createdAt = createdAt
    }
}

extension NoticeStore {
    private static func json(_ a: [String]) -> String {
        String(decoding: (try? JSONEncoder().encode(a)) ?? Data("[]".utf8), as: UTF8.self)
    }

    public func stageEdition(_ e: EditionRecord, deliveries: [DeliveryRecord]) throws {
        try database.transaction {
            try database.execute(
                "INSERT INTO edition (cluster, stamp, edition, staging, staged, files, state, run_id, created_at) "
                    + "VALUES (?, ?, ?, ?, ?, ?, 'staged', ?, ?)",
                [.text(e.cluster), .text(e.stamp), .integer(Int64(e.edition)), .text(e.staging),
                 .text(Self.json(e.staged)), .text(Self.json(e.files)), e.runID.map { .integer($0) } ?? .null,
                 .real(e.createdAt.timeIntervalSince1970)])
            for d in deliveries {
                try database.execute(
                    """
                    INSERT OR REPLACE INTO delivery (notice_id, cluster, member, role, revision, delivered_at, run_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                    [
                        .text(d.key.noticeID), .text(d.key.cluster), .text(d.key.member), .text(d.key.role),
                        .integer(Int64(d.revision)), .real(d.deliveredAt.timeIntervalSince1970),
                        d.runID.map { .integer($0) } ?? .null,
                    ])
            }
        }
    }

    public func publishEdition(cluster: String, stamp: String, edition: Int) throws {
        try database.execute(
            "UPDATE edition SET state = 'published' WHERE cluster = ? AND stamp = ? AND edition = ?",
            [.text(cluster), .text(stamp), .integer(Int64(edition))])
    }

    public func stagedEditions() throws -> [EditionRecord] {
        try database.query(
            "SELECT cluster, stamp, edition, staging, staged, files, run_id, created_at FROM edition "
                + "WHERE state = 'staged' ORDER BY created_at, cluster, edition"
        ).map { r in
            let staged = (try? JSONDecoder().decode([String].self, from: Data((r[4].string ?? "[]").utf8))) ?? []
            let files = (try? JSONDecoder().decode([String].self, from: Data((r[5].string ?? "[]").utf8))) ?? []
            return EditionRecord(
                cluster: r[0].string ?? "", stamp: r[1].string ?? "", edition: r[2].int ?? 1,
                staging: r[3].string ?? "", staged: staged, files: files, state: .staged,
                runID: r[6].int.map(Int64.init), createdAt: Date(timeIntervalSince1970: r[7].double ?? 0))
        }
    }

    public func lastEdition(cluster: String, stamp: String) throws -> Int? {
        try database.query(
            "SELECT max(edition) FROM edition WHERE cluster = ? AND stamp = ?", [.text(cluster), .text(stamp)]
        ).first?.first?.int
    }

    public func rulesFingerprints() throws -> [String: String] {
        var out: [String: String] = [:]
        for r in try database.query("SELECT cluster, fingerprint FROM cluster_rules") {
            out[r[0].string ?? ""] = r[1].string ?? ""
        }
        return out
    }

    public func setRulesFingerprint(_ fingerprint: String, cluster: String, at date: Date) throws {
        try database.execute(
            "INSERT OR REPLACE INTO cluster_rules (cluster, fingerprint, updated_at) VALUES (?, ?, ?)",
            [.text(cluster), .text(fingerprint), .real(date.timeIntervalSince1970)])
    }
}

extension NoticeStore {
    /// Checkpoints the WAL into the main file and closes the connection.
    public func close() throws {
        try database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        database.close()
    }
}

extension NoticeStore {
    /// Provisional: a consistent copy through `VACUUM INTO` (the GRDB store uses SQLite's online backup).
    public func backup(to destination: String) throws {
        let tmp = destination + ".tmp-\(getpid())"
        unlink(tmp)
        try database.execute("VACUUM INTO ?", [.text(tmp)])
        guard rename(tmp, destination) == 0 else {
            throw StoreError.invalidInput(path: destination, reason: String(cString: strerror(errno)))
        }
    }
}
