/// Errors of the store stage. Messages start with `store:` and name the database file.
public enum StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// SQLite refused an operation; `path` is the database file.
    case sqlite(path: String, code: Int32, message: String)
    /// The file was written by a newer Vigie (its schema version is above the one this build knows).
    case schemaTooNew(path: String, found: Int, supported: Int)
    /// A stored notice could not be decoded or encoded.
    case corruptNotice(path: String, noticeID: String, reason: String)
    /// A value the caller gave cannot be stored (empty source id, mismatched source…).
    case invalidInput(path: String, reason: String)

    public var description: String {
        switch self {
        case .sqlite(let path, let code, let message): return "store: \(path): SQLite error \(code): \(message)"
        case .schemaTooNew(let path, let found, let supported):
            return "store: \(path): schema version \(found) is newer than this build supports (\(supported)); "
                + "upgrade vigie"
        case .corruptNotice(let path, let noticeID, let reason):
            return "store: \(path): notice \(noticeID): \(reason)"
        case .invalidInput(let path, let reason): return "store: \(path): \(reason)"
        }
    }
}
