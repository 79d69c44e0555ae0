/// Errors of the classifier stage. Messages start with `rules:` and name file, line, column and key.
public enum ClassifierError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalidRule(file: String, line: Int, column: Int, key: String?, message: String)

    public var description: String {
        switch self {
        case .invalidRule(let file, let line, let column, let key, let message):
            return "rules: \(file):\(line):\(column): " + (key.map { "\($0): " } ?? "") + message
        }
    }
}
