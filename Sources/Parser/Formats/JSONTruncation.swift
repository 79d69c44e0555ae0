import Foundation
import Notices

/// Tells a JSON page cut short from a malformed one, and keeps the records read before the cut.
///
/// A server whose Content-Length is shorter than its body makes curl keep only the first part of the page: the
/// JSON then ends inside its top-level value. Such a page is `ParsedDocument.truncated` (the fetcher treats it as
/// failed); what can still be read is the complete records of the page's record array, which `vigie parse`
/// shows. The record array is the outermost array open at the cut: `results` (BOAMP, aides-territoires, EU
/// Funding), `notices` (TED), `marches` (DECP), or the top-level list of a bare dump.
enum JSONTruncation {
    /// What a scan of a truncated document found.
    struct Cut: Equatable {
        /// Bytes of the document before the cut.
        var length: Int
        /// The document up to the last complete element of its record array, with every open container closed:
        /// valid JSON holding only complete records. Nil when no array was open at the cut (one bare object cut
        /// short has nothing complete to keep).
        var salvage: [UInt8]?
    }

    /// The cut, when `bytes` end before the top-level value is closed; nil for a document that closes it (well
    /// formed or not: a syntax error elsewhere is not a truncation).
    static func cut(_ bytes: [UInt8]) -> Cut? {
        var stack: [UInt8] = []  // '{' or '['
        /// For each open array, the end of its last complete element (or just after its '[').
        var boundaries: [Int] = []
        var string = JSONStringScan()
        var i = 0
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        while i < bytes.count {
            let c = bytes[i]
            if string.isOpen {
                string.consume(c)
                i += 1
                continue
            }
            switch c {
            case 0x22:
                if stack.isEmpty { return nil }  // a bare string at the top level: not a page
                string.open()
            case 0x7B, 0x5B:  // { [
                stack.append(c)
                boundaries.append(i + 1)
            case 0x7D, 0x5D:  // } ]
                guard !stack.isEmpty else { return nil }  // more closers than openers: malformed, not cut
                stack.removeLast()
                boundaries.removeLast()
                if stack.isEmpty { return nil }  // the top-level value is closed: not a truncation
                if stack.last == 0x5B { boundaries[boundaries.count - 1] = i + 1 }
            case 0x2C:  // , after a complete element
                if stack.last == 0x5B { boundaries[boundaries.count - 1] = i }
            default:
                if stack.isEmpty && !HTMLText.isSpace(c) { return nil }  // a bare scalar: not a page
            }
            i += 1
        }
        guard !stack.isEmpty || string.isOpen else { return nil }
        guard let outer = stack.firstIndex(of: 0x5B) else { return Cut(length: bytes.count, salvage: nil) }
        var salvage = Array(bytes[..<boundaries[outer]])
        for opener in stack[...outer].reversed() { salvage.append(opener == 0x5B ? 0x5D : 0x7D) }
        return Cut(length: bytes.count, salvage: salvage)
    }

    /// Whether `bytes` end before their top-level value is closed.
    static func isTruncated(_ bytes: [UInt8]) -> Bool { cut(bytes) != nil }

    /// The issue recorded on a truncated page.
    static func issue(_ documentName: String, cut: Cut, kept: Int) -> ParseIssue {
        ParseIssue(
            file: documentName,
            message:
                "json: document ends before its top-level value is closed (truncated after \(cut.length) bytes): "
                + "\(kept) complete record\(kept == 1 ? "" : "s") read before the cut")
    }
}
