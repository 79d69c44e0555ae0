import Compression
import Foundation
import GRDB

/// Errors of the store stage. Messages start with `store:` and name the database file.
public enum StoreError: Error, Sendable, CustomStringConvertible {
    /// SQLite (through GRDB) refused an operation; `path` is the database file, `underlying` SQLite's own error
    /// (result code, message, statement).
    case database(path: String, underlying: DatabaseError)
    /// The file was migrated by a newer Vigie: it holds migrations this build does not know.
    case schemaTooNew(path: String, unknown: [String], supported: [String])
    /// The store file exists but is empty (0 bytes): a truncated copy or a full disk, never a store to start
    /// afresh in, since every notice would then be delivered again.
    case emptyFile(path: String)
    /// The file is not SQLite, or an SQLite database of another application.
    case foreignFile(path: String, reason: String)
    /// The store was used after `close()`.
    case closed(path: String)
    /// A stored notice could not be decoded or encoded.
    case corruptNotice(path: String, noticeID: String, reason: String)
    /// An outbox message's stored bytes cannot be read back (a damaged file, or a hand-edited row): that one
    /// e-mail cannot be sent, the others can.
    case corruptMessage(path: String, messageID: String, recipient: String, underlying: CompressionError)
    /// A value the caller gave cannot be stored (empty source id, mismatched source…).
    case invalidInput(path: String, reason: String)
    /// A backup was refused before anything was written (destination is the store itself…).
    case backupRefused(path: String, destination: String, reason: String)
    /// A file-system call on `file` failed with `errno` (the POSIX error code).
    case fileSystem(path: String, operation: String, file: String, errno: Int32)

    public var description: String {
        switch self {
        case .database(let path, let underlying): return "store: \(path): \(underlying)"
        case .schemaTooNew(let path, let unknown, let supported):
            return "store: \(path): written by a newer Vigie (migrations \(unknown.joined(separator: ", ")) are "
                + "unknown to this build, which knows \(supported.joined(separator: ", "))); upgrade vigie"
        case .emptyFile(let path):
            return "store: \(path) is an empty file (0 bytes), not a Vigie store; restore it from a backup "
                + "(vigie backup) or remove it to start afresh"
        case .foreignFile(let path, let reason):
            return "store: \(path): not a Vigie store: \(reason); give another --store path"
        case .closed(let path): return "store: \(path): used after close()"
        case .corruptNotice(let path, let noticeID, let reason):
            return "store: \(path): notice \(noticeID): \(reason)"
        case .corruptMessage(let path, let messageID, let recipient, let underlying):
            return "store: \(path): outbox message \(messageID) to \(recipient) cannot be read: \(underlying)"
        case .invalidInput(let path, let reason): return "store: \(path): \(reason)"
        case .backupRefused(let path, let destination, let reason):
            return "store: \(path): backup to \(destination) refused: \(reason)"
        case .fileSystem(let path, let operation, let file, let code):
            return "store: \(path): \(operation) \(file): \(String(cString: strerror(code)))"
        }
    }
}
