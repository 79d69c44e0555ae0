import Foundation
import Notices

@testable import Parser

/// Bytes of a fixture in `Fixtures/Feed/`.
func feedFixture(_ name: String) throws -> [UInt8] {
    guard let url = Bundle.module.url(forResource: "Fixtures/Feed/" + name, withExtension: nil) else {
        throw ParserError.unreadable(document: name, reason: "fixture missing from the test bundle")
    }
    return [UInt8](try Data(contentsOf: url))
}

/// Parses a fixture as a user would (format detected from the content).
func parseFixture(_ name: String, baseURL: String? = nil, charset: String? = nil) throws -> ParsedDocument {
    try DocumentParser.parse(
        try feedFixture(name),
        options: ParseOptions(
            sourceID: "test", documentName: name, baseURL: baseURL,
            charsetHint: charset))
}

/// Parses feed text given inline.
func parseFeedText(_ xml: String, baseURL: String? = nil) throws -> ParsedDocument {
    try DocumentParser.parse(
        Array(xml.utf8),
        options: ParseOptions(
            sourceID: "test", documentName: "inline.xml",
            baseURL: baseURL))
}

/// `2026-11-24T08:00:00Z`-style UTC rendering for readable expectations.
func utc(_ date: Date?) -> String? {
    guard let date else { return nil }
    let f = ISO8601DateFormatter()
    f.timeZone = TimeZone(identifier: "UTC")
    return f.string(from: date)
}
