/// Errors of the fetcher stage. Messages start with `fetcher:` and name the source.
public enum FetcherError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A catalogue file (`Feeds/*.yaml`) is invalid.
    case catalogue(file: String, line: Int?, key: String?, message: String)

    public var description: String {
        switch self {
        case .catalogue(let file, let line, let key, let message):
            var s = "fetcher: \(file)"
            if let line { s += ":\(line)" }
            if let key { s += ": key '\(key)'" }
            return s + ": " + message
        }
    }
}
