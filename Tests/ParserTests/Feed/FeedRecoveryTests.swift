import Foundation
import Notices
import Testing

@testable import Parser

/// Whether a malformed feed lost anything: libxml2's recovering parser reads past some errors with nothing lost
/// (`DocumentIntegrity.recovered`), others cut content (`.damaged`).
@Suite("Feed recovery: recovered with nothing lost, or damaged")
struct FeedRecoveryTests {
    static func parse(_ xml: String) throws -> ParseResult {
        try DocumentParser.parseFeedWithIntegrity(
            source: ArrayByteSource(Array(xml.utf8)), options: ParseOptions(documentName: "f.xml"))
    }

    static let items = "<item><title>A</title><guid>a</guid></item><item><title>B</title><guid>b</guid></item>"

    @Test("A well-formed feed is intact")
    func intact() throws {
        let r = try Self.parse("<rss><channel><title>T</title>\(Self.items)</channel></rss>")
        #expect(r.integrity == .intact)
        #expect(r.document.issues.isEmpty)
    }

    @Test(
        "Recovered, every entry and field read",
        arguments: [
            // A second XML declaration, as CMS templates that include a header twice write it.
            "<?xml version=\"1.0\"?>\n<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                + "<rss><channel><title>T</title>ITEMS</channel></rss>",
            "<?xml version=\"1.0\"?><rss><channel><title>T</title><?xml version=\"1.0\"?>ITEMS</channel></rss>",
            // A misspelt end tag: balanced, the recovering parser closes the open element.
            "<rss><channel><title>T</titel>ITEMS</channel></rss>",
            // The root end tag cut short at the end of the file.
            "<rss><channel><title>T</title>ITEMS</channel>\n</rss\n",
        ])
    func recovered(xml: String) throws {
        let r = try Self.parse(xml.replacingOccurrences(of: "ITEMS", with: Self.items))
        #expect(r.integrity == .recovered)
        #expect(r.document.title == "T")
        #expect(r.document.notices.map(\.title) == ["A", "B"])
        #expect(r.document.notices.map(\.sourceID) == ["a", "b"])
        #expect(!r.document.issues.isEmpty)
    }

    @Test(
        "Damaged: content may be missing",
        arguments: [
            // Truncated.
            "<rss><channel><title>T</title><item><title>A</title></item><item><title>B</ti",
            // An end tag missing: the next item lands inside the first, the document never closes.
            "<rss><channel><title>T</title><item><title>A</item><item><title>B</title></item></channel></rss>",
            // A stray end tag closes the channel early: what follows is outside the document.
            "<rss><channel><title>T</title><item><title>A</title></foo></item><item><title>B</title></item>"
                + "</channel></rss>",
        ])
    func damaged(xml: String) throws {
        let r = try Self.parse(xml)
        #expect(r.integrity == .damaged)
        #expect(!r.document.issues.isEmpty)
    }
}
