import Foundation
import Notices

/// Decodes the bytes of a TED Search API v3 answer into a `TEDSearchDocument`.
enum TEDSearchParser {
    /// Whether a JSON value (as `JSONSerialization` decoded it) has the shape of a search page or of one bare
    /// search hit.
    static func matches(_ root: Any) -> Bool {
        guard let d = root as? [String: Any] else { return false }
        if let notices = d["notices"] as? [Any] {
            return d["totalNoticeCount"] != nil || d["iterationNextToken"] != nil
                || notices.prefix(JSONPageSupport.recordsJudged).contains {
                    ($0 as? [String: Any])?["publication-number"] != nil
                }
        }
        // A single hit saved alone: the publication number plus a field only search hits carry.
        return d["publication-number"] != nil
            && (d["notice-type"] != nil || d["notice-title"] != nil || d["links"] != nil)
    }

    /// Throws `ParserError.malformed` when the bytes are not JSON or not a JSON object.
    static func parse(_ bytes: [UInt8], documentName: String) throws -> TEDSearchDocument {
        do {
            return try JSONDecoder().decode(TEDSearchDocument.self, from: Data(bytes))
        } catch {
            throw ParserError.malformed(ParseIssue(file: documentName, message: "ted: \(describe(error))"))
        }
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let c): return c.debugDescription
        case DecodingError.typeMismatch(_, let c): return "unexpected shape at \(path(c)): \(c.debugDescription)"
        case DecodingError.valueNotFound(_, let c): return "missing value at \(path(c))"
        case DecodingError.keyNotFound(let k, let c): return "missing \(k.stringValue) at \(path(c))"
        default: return "\(error)"
        }
    }

    private static func path(_ c: DecodingError.Context) -> String {
        c.codingPath.isEmpty
            ? "top level"
            : c.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }
                .joined(separator: ".")
    }
}
