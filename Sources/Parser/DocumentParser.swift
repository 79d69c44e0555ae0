import Foundation
import Notices

/// Entry point of the parser stage: detects the format of a document and parses it into notices.
///
/// Pure: bytes in, `ParsedDocument` out. (Skeleton: the feed work fills this in.)
public enum DocumentParser {
    /// Parses `bytes` as whatever format they are in.
    public static func parse(_ bytes: [UInt8], options: ParseOptions) throws -> ParsedDocument {
        if let doc = try FormatRegistry.parseJSON(bytes, options: options) { return doc }
        throw ParserError.unknownFormat(document: options.documentName, hint: "not implemented yet")
    }

    /// Reads and parses a local file.
    public static func parseFile(atPath path: String, options: ParseOptions) throws -> ParsedDocument {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ParserError.unreadable(document: path, reason: "no such file or not readable")
        }
        return try parse([UInt8](data), options: options)
    }
}
