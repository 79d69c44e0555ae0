import Compression
import Foundation
import GRDB
import Notices

/// One e-mail to one envelope recipient, as the outbox keeps it: composed with its edition, then sent and
/// accepted (or deferred, or refused for good).
public struct OutboxEntry: Sendable, Hashable {
    public var messageID: String
    /// The envelope recipient (one SMTP transaction each: a refused address never holds back the others).
    public var recipient: String
    public var cluster: String
    public var stamp: String
    public var edition: Int
    /// `staff`, `member:<id>` or `watch:<id>`.
    public var audience: String
    public var envelopeFrom: String
    public var subject: String
    /// The whole RFC 5322 message, as sent (the same bytes on every attempt), compressed; empty once the entry is
    /// done with and older than the outbox keeps messages (``NoticeStore/dropSentMessages(before:)``).
    public var message: OutboxMessage
    public var state: OutboxState
    public var attempts: Int
    public var lastCode: Int?
    public var lastError: String?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        messageID: String, recipient: String, cluster: String, stamp: String, edition: Int, audience: String,
        envelopeFrom: String, subject: String, message: OutboxMessage, state: OutboxState = .composed,
        attempts: Int = 0, lastCode: Int? = nil, lastError: String? = nil, createdAt: Date, updatedAt: Date? = nil
    ) {
        self.messageID = messageID
        self.recipient = recipient
        self.cluster = cluster
        self.stamp = stamp
        self.edition = edition
        self.audience = audience
        self.envelopeFrom = envelopeFrom
        self.subject = subject
        self.message = message
        self.state = state
        self.attempts = attempts
        self.lastCode = lastCode
        self.lastError = lastError
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
    }
}

/// An outbox e-mail as the store keeps it: one zstd frame, made where the entry is built — on the rendering
/// threads of a night — so that the edition's commit, on the night's critical path, writes a quarter of the bytes (a
/// national night's 30,000 messages were 3.1 GB of BLOBs, written into the log and copied again into the file).
/// Equal when the messages are, however each is stored.
public struct OutboxMessage: Sendable, Hashable {
    /// How the bytes are stored: the outbox's `message_encoding` column.
    public enum Encoding: String, Sendable, Hashable {
        /// As composed: rows written before the store compressed messages (v10), and emptied messages.
        case identity
        /// One zstd frame recording its content size.
        case zstd
    }

    /// The largest message read back: a damaged frame header cannot make the reader allocate more. Far above what
    /// mail servers accept (Postfix's default `message_size_limit` is 10 MB).
    public static let sizeLimit = 64 << 20

    /// How ``stored`` holds the message.
    public let encoding: Encoding
    /// The bytes as stored (the `message` BLOB).
    public let stored: [UInt8]

    /// A composed message, compressed here (zstd level 1: ≈ 4× on the outbox's mails, for ≈ 5 CPU-s over a national
    /// night's 3.1 GB on this project's 2-core bench machine, spread over the rendering threads).
    public init(_ bytes: [UInt8]) {
        do {
            self.init(stored: try Zstd.compress(bytes), encoding: .zstd)
        } catch {
            // zstd fails only when it cannot allocate its context: the message is then kept as composed — read
            // back the same, only larger — rather than failing the cluster's edition.
            self.init(stored: bytes, encoding: .identity)
        }
    }

    /// A message as a row stores it.
    public init(stored: [UInt8], encoding: Encoding) {
        self.stored = stored
        self.encoding = encoding
    }

    /// True for an emptied message.
    public var isEmpty: Bool { stored.isEmpty }

    /// The message as composed, byte for byte. Throws when the stored frame is damaged or says it holds more than
    /// ``sizeLimit``.
    public func bytes() throws(CompressionError) -> [UInt8] {
        switch encoding {
        case .identity: stored
        case .zstd: try Zstd.decompress(stored, limit: Self.sizeLimit)
        }
    }

    public static func == (a: OutboxMessage, b: OutboxMessage) -> Bool {
        if a.encoding == b.encoding && a.stored == b.stored { return true }
        do {
            return try a.bytes() == b.bytes()
        } catch {
            // A damaged message equals only the very same stored bytes (above).
            return false
        }
    }

    /// The composed size: what equal messages share however they are stored, read without decompressing.
    public func hash(into hasher: inout Hasher) {
        switch encoding {
        case .identity: hasher.combine(stored.count)
        case .zstd:
            do {
                hasher.combine(try Zstd.contentSize(stored))
            } catch {
                // A damaged frame equals only itself.
                hasher.combine(stored)
            }
        }
    }
}

/// One envelope recipient still to send, without the message (read with ``NoticeStore/mailMessage(messageID:recipient:)``
/// when its turn comes).
public struct PendingRecipient: Sendable, Hashable {
    public var messageID: String
    public var recipient: String
    public var cluster: String
    public var stamp: String
    public var edition: Int
    /// `staff`, `member:<id>` or `watch:<id>`.
    public var audience: String
    public var envelopeFrom: String
    public var state: OutboxState
    public var attempts: Int
}

/// Where one outbox entry stands.
public enum OutboxState: String, Sendable, Hashable, Codable {
    /// Written with its edition, not tried yet.
    case composed
    /// A transaction was started and its outcome not recorded (the run died during it): tried again, with the
    /// same Message-ID, so a mail client that already has it shows it once.
    case sending
    /// The server took it (2xx after DATA): never sent again.
    case accepted
    /// A temporary failure (4xx, server unreachable): tried again on the next run.
    case deferred
    /// Refused for good (5xx): reported to the staff, not tried again.
    case failed

    /// States still to send.
    public static let pending: [OutboxState] = [.composed, .sending, .deferred]
}

extension NoticeStore {
    static let outboxColumns = """
        message_id, recipient, cluster, stamp, edition, audience, envelope_from, subject, message, message_encoding,
        state, attempts, last_code, last_error, created_at, updated_at
        """

    static func outboxEntry(_ row: Row) throws -> OutboxEntry {
        let state: String = try row.decode(forColumn: "state")
        guard let s = OutboxState(rawValue: state) else {
            throw StoreError.invalidInput(path: "outbox", reason: "unknown outbox state \(state)")
        }
        return OutboxEntry(
            messageID: try row.decode(forColumn: "message_id"), recipient: try row.decode(forColumn: "recipient"),
            cluster: try row.decode(forColumn: "cluster"), stamp: try row.decode(forColumn: "stamp"),
            edition: try row.decode(forColumn: "edition"), audience: try row.decode(forColumn: "audience"),
            envelopeFrom: try row.decode(forColumn: "envelope_from"), subject: try row.decode(forColumn: "subject"),
            message: try outboxMessage(row), state: s, attempts: try row.decode(forColumn: "attempts"),
            lastCode: try row.decode(forColumn: "last_code"), lastError: try row.decode(forColumn: "last_error"),
            createdAt: try row.date("created_at") ?? Date(timeIntervalSince1970: 0),
            updatedAt: try row.date("updated_at") ?? Date(timeIntervalSince1970: 0))
    }

    /// The `message` and `message_encoding` of a row, as stored.
    static func outboxMessage(_ row: Row) throws -> OutboxMessage {
        let encoding: String = try row.decode(forColumn: "message_encoding")
        guard let e = OutboxMessage.Encoding(rawValue: encoding) else {
            throw StoreError.invalidInput(path: "outbox", reason: "unknown message encoding \(encoding)")
        }
        let blob: Data = try row.decode(forColumn: "message")
        return OutboxMessage(stored: [UInt8](blob), encoding: e)
    }

    /// Inserts an edition's messages in the caller's transaction (the edition's own, so an edition recorded is an
    /// edition whose mail is composed). Entries already there (a staged edition staged again) keep their state.
    func insertOutbox(_ entries: [OutboxEntry], in db: Database) throws {
        for e in entries {
            try db.exec(
                """
                INSERT OR IGNORE INTO outbox (\(Self.outboxColumns))
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    e.messageID, e.recipient, e.cluster, e.stamp, e.edition, e.audience, e.envelopeFrom, e.subject,
                    Self.blob(e.message.stored), e.message.encoding.rawValue, e.state.rawValue, e.attempts,
                    e.lastCode, e.lastError,
                    seconds(e.createdAt), seconds(e.updatedAt),
                ])
        }
    }

    /// The message as the BLOB to bind, sharing the array's bytes: `Data(message)` copied every message (a
    /// national night's 30,000 e-mails, ~230 KB each before they were compressed) once per recipient only for
    /// SQLite to copy it again when bound.
    /// The `Data` keeps the array, and so its buffer, alive as long as it lives.
    static func blob(_ message: [UInt8]) -> Data {
        message.withUnsafeBytes { raw in
            guard let base = raw.baseAddress, !raw.isEmpty else { return Data() }
            return Data(
                bytesNoCopy: UnsafeMutableRawPointer(mutating: base), count: raw.count,
                deallocator: .custom { _, _ in withExtendedLifetime(message) {} })
        }
    }

    /// Adds messages to the outbox on their own (tests, or mail composed outside an edition).
    public func enqueueMail(_ entries: [OutboxEntry]) throws {
        try write { db in try insertOutbox(entries, in: db) }
    }

    /// Entries still to send, oldest first, in a stable order (one message's recipients together), each with its
    /// whole message: for tests and small outboxes. Sending reads ``pendingRecipients(clusters:)`` and each message
    /// when its turn comes.
    public func pendingMail(cluster: String? = nil) throws -> [OutboxEntry] {
        try read { db in
            try db.rows(
                """
                SELECT \(Self.outboxColumns) FROM outbox
                WHERE state IN ('composed', 'sending', 'deferred') AND (?1 IS NULL OR cluster = ?1)
                ORDER BY created_at, cluster, stamp, edition, message_id, recipient
                """, [cluster]
            ).map(Self.outboxEntry)
        }
    }

    /// The envelope recipients still to send (all clusters, or those of `clusters`), in ``pendingMail(cluster:)``'s
    /// order, without their messages: a national night's outbox holds 30,000 messages and gigabytes, which sending
    /// loaded whole before its first transaction.
    public func pendingRecipients(clusters: [String]? = nil) throws -> [PendingRecipient] {
        let wanted = clusters.map(Set.init)
        return try read { db in
            try db.rows(
                """
                SELECT message_id, recipient, cluster, stamp, edition, audience, envelope_from, state, attempts
                FROM outbox WHERE state IN ('composed', 'sending', 'deferred')
                ORDER BY created_at, cluster, stamp, edition, message_id, recipient
                """
            ).compactMap { row -> PendingRecipient? in
                let cluster: String = try row.decode(forColumn: "cluster")
                if let wanted, !wanted.contains(cluster) { return nil }
                let state: String = try row.decode(forColumn: "state")
                guard let s = OutboxState(rawValue: state) else {
                    throw StoreError.invalidInput(path: "outbox", reason: "unknown outbox state \(state)")
                }
                return PendingRecipient(
                    messageID: try row.decode(forColumn: "message_id"),
                    recipient: try row.decode(forColumn: "recipient"), cluster: cluster,
                    stamp: try row.decode(forColumn: "stamp"), edition: try row.decode(forColumn: "edition"),
                    audience: try row.decode(forColumn: "audience"),
                    envelopeFrom: try row.decode(forColumn: "envelope_from"), state: s,
                    attempts: try row.decode(forColumn: "attempts"))
            }
        }
    }

    /// The message of one outbox entry, as composed (the same bytes on every attempt). Throws
    /// ``StoreError/corruptMessage(path:messageID:recipient:underlying:)`` when its stored bytes cannot be read back.
    public func mailMessage(messageID: String, recipient: String) throws -> [UInt8] {
        let message = try read { db in
            guard
                let row = try db.rows(
                    "SELECT message, message_encoding FROM outbox WHERE message_id = ? AND recipient = ?",
                    [messageID, recipient]
                ).first
            else {
                throw StoreError.invalidInput(path: "outbox", reason: "no message \(messageID) to \(recipient)")
            }
            return try Self.outboxMessage(row)
        }
        // Decompressed once the read is over: the connection is not held for it.
        do {
            return try message.bytes()
        } catch {
            throw StoreError.corruptMessage(path: path, messageID: messageID, recipient: recipient, underlying: error)
        }
    }

    /// Every entry (or those of one cluster), for reports and tests.
    public func outbox(cluster: String? = nil) throws -> [OutboxEntry] {
        try read { db in
            try db.rows(
                """
                SELECT \(Self.outboxColumns) FROM outbox WHERE (?1 IS NULL OR cluster = ?1)
                ORDER BY created_at, cluster, stamp, edition, message_id, recipient
                """, [cluster]
            ).map(Self.outboxEntry)
        }
    }

    /// Records that a transaction for this entry is starting (committed before the first SMTP byte): a run that
    /// dies during it leaves `sending`, which the next run tries again.
    public func markSending(messageID: String, recipient: String, at date: Date) throws {
        try write { db in
            try db.exec(
                """
                UPDATE outbox SET state = 'sending', attempts = attempts + 1, updated_at = ?
                WHERE message_id = ? AND recipient = ? AND state IN ('composed', 'sending', 'deferred')
                """, [seconds(date), messageID, recipient])
        }
    }

    /// Records the outcome of a transaction.
    public func markMail(
        messageID: String, recipient: String, state: OutboxState, code: Int?, error: String?, at date: Date
    ) throws {
        try write { db in
            try db.exec(
                """
                UPDATE outbox SET state = ?, last_code = ?, last_error = ?, updated_at = ?
                WHERE message_id = ? AND recipient = ?
                """, [state.rawValue, code, error, seconds(date), messageID, recipient])
        }
    }

    /// Empties the messages of entries done with — accepted, or refused for good and shown to the staff — whose
    /// outcome is older than `cutoff`. The rows stay: a night's mail is never composed or sent twice. Without it
    /// the outbox kept every message ever sent (a national night is 30,000 messages, gigabytes). Returns how many
    /// messages and bytes were given back (the pages are reused by the next nights). One transaction.
    @discardableResult
    public func dropSentMessages(before cutoff: Date) throws -> (messages: Int, bytes: Int) {
        try write { db in
            let done = """
                WHERE (state = 'accepted' OR (state = 'failed' AND reported = 1)) AND updated_at < ?
                AND length(message) > 0
                """
            let bytes =
                try db.rows("SELECT coalesce(sum(length(message)), 0) AS n FROM outbox \(done)", [seconds(cutoff)])
                .first.map { try $0.decode(Int.self, forColumn: "n") } ?? 0
            // An emptied message is stored as it is: an empty zstd BLOB would be no frame at all.
            try db.exec("UPDATE outbox SET message = x'', message_encoding = 'identity' \(done)", [seconds(cutoff)])
            return (db.changesCount, bytes)
        }
    }

    /// Messages refused for good and not yet shown to the cluster's staff.
    public func unreportedMailFailures(cluster: String) throws -> [OutboxEntry] {
        try read { db in
            try db.rows(
                """
                SELECT \(Self.outboxColumns) FROM outbox WHERE cluster = ? AND state = 'failed' AND reported = 0
                ORDER BY updated_at, message_id, recipient
                """, [cluster]
            ).map(Self.outboxEntry)
        }
    }

    /// In the edition's transaction: these failures are now in a staff digest.
    func markReported(_ entries: [OutboxEntry], in db: Database) throws {
        for e in entries {
            try db.exec(
                "UPDATE outbox SET reported = 1 WHERE message_id = ? AND recipient = ?", [e.messageID, e.recipient])
        }
    }
}
