/// Errors of the digest stage. Messages start with `digest:`.
public enum DigestError: Error, Sendable, Hashable, CustomStringConvertible {
    case write(path: String, reason: String)
    /// `--format` named a format Vigie does not write.
    case unknownFormat(String)
    /// A renderer could not encode its input.
    case render(format: String, reason: String)

    public var description: String {
        switch self {
        case .write(let path, let reason): return "digest: \(path): \(reason)"
        case .unknownFormat(let name):
            return "digest: unknown format \"\(name)\" (expected md, html, json, ics, atom or csv)"
        case .render(let format, let reason): return "digest: cannot render \(format): \(reason)"
        }
    }
}
