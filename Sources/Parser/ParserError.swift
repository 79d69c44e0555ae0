import Notices

/// Errors of the parser stage. Messages start with `parser:` and name the document and position.
public enum ParserError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The document is not well-formed beyond recovery, or not of the expected shape.
    case malformed(ParseIssue)
    /// Nothing in the document looks like a format Vigie knows.
    case unknownFormat(document: String, hint: String)
    /// The document exceeds a safety limit (size, depth, entity expansion).
    case limitExceeded(ParseIssue)
    /// The file could not be read.
    case unreadable(document: String, reason: String)

    public var description: String {
        switch self {
        case .malformed(let issue): return "parser: \(issue)"
        case .unknownFormat(let document, let hint): return "parser: \(document): unknown format (\(hint))"
        case .limitExceeded(let issue): return "parser: \(issue)"
        case .unreadable(let document, let reason): return "parser: \(document): cannot read: \(reason)"
        }
    }
}
