/// Errors of the digest stage. Messages start with `digest:`.
public enum DigestError: Error, Sendable, Hashable, CustomStringConvertible {
    case write(path: String, reason: String)

    public var description: String {
        switch self {
        case .write(let path, let reason): return "digest: \(path): \(reason)"
        }
    }
}
