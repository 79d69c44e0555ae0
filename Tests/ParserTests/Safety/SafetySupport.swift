import Foundation
import Notices
import Parser
import TestSupport
import Testing

/// What the safety suites (truncation, skipped records) share: one parse call and the pages they build from real
/// captures.
enum SafetySupport {
    /// Parses bytes as a fetched document named `name` would be, format detected.
    static func parse(_ bytes: [UInt8], _ name: String) throws -> ParsedDocument {
        try DocumentParser.parse(bytes, options: ParseOptions(documentName: name))
    }

    /// The real TED search capture holds one notice: three copies of it, publication numbers made distinct
    /// (619671-2026, 619672-2026, 619673-2026), and what follows the capture's notice list (`tail`, from the list's
    /// closing bracket on), to build pages from.
    static func tedNoticeCopies() throws -> (copies: [String], tail: String) {
        let raw = String(
            decoding: try SharedData.bytes("samples/real/ted/ted-619675-2026-FRA-buyer.json"), as: UTF8.self)
        let open = try #require(raw.range(of: "{\"notices\": ["))
        let close = try #require(raw.range(of: "}],", options: .backwards))
        let notice = String(raw[open.upperBound..<raw.index(after: close.lowerBound)])
        let copies = (1...3).map { notice.replacingOccurrences(of: "619675-2026", with: "61967\($0)-2026") }
        return (copies, String(raw[raw.index(after: close.lowerBound)...]))
    }

    /// The three copies as one page.
    static func tedPageOfThree() throws -> [UInt8] {
        let (copies, tail) = try tedNoticeCopies()
        return Array(("{\"notices\": [" + copies.joined(separator: ", ") + tail).utf8)
    }
}
