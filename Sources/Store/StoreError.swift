/// Errors of the store stage. Messages start with `store:`.
public enum StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// SQLite refused an operation; `path` is the database file.
    case sqlite(path: String, code: Int32, message: String)

    public var description: String {
        switch self {
        case .sqlite(let path, let code, let message): return "store: \(path): SQLite error \(code): \(message)"
        }
    }
}
