/// Errors of the classifier stage. Messages start with `rules:` and name file, line, column and key.
public enum ClassifierError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A rule file breaks the schema; the position is that of the offending key or value.
    case invalidRule(file: String, line: Int, column: Int, key: String?, message: String)
    /// A rule file or directory could not be read.
    case unreadable(path: String, reason: String)
    /// The YAML itself does not parse.
    case syntax(file: String, line: Int, column: Int, message: String)
    /// A cluster, member or segment named by the caller does not exist.
    case unknownReference(kind: String, id: String)

    public var description: String {
        switch self {
        case .invalidRule(let file, let line, let column, let key, let message):
            return "rules: \(file):\(line):\(column): " + (key.map { "\($0): " } ?? "") + message
        case .unreadable(let path, let reason):
            return "rules: \(path): \(reason)"
        case .syntax(let file, let line, let column, let message):
            return "rules: \(file):\(line):\(column): YAML syntax: \(message)"
        case .unknownReference(let kind, let id):
            return "rules: unknown \(kind) '\(id)'"
        }
    }
}
