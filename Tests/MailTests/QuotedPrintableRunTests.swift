import Testing
import TestSupport

@testable import Mail

/// Runs of plain octets are checked eight at a time and copied at once: every octet on either side of what is
/// plain (`!` and `~`, `=`, space, DEL, the first non-ASCII octets), at every offset within a word and a line,
/// still gives the octet-by-octet encoding.
@Suite struct QuotedPrintableRunTests {
    @Test func runsOfPlainOctetsEncodeAsOctetByOctet() {
        var random = SplitMix64(seed: 7)
        let edges = ["!", "~", "=", " ", "\t", "\u{7F}", "\u{80}", "\u{20}", "\"", "<", ">", "é", "😀", "\n", ".", "F"]
        for _ in 0..<4000 {
            var text = ""
            for _ in 0..<Int.random(in: 0...12, using: &random) {
                text += String(repeating: "x", count: Int.random(in: 0...80, using: &random))
                text += edges.randomElement(using: &random)!
            }
            #expect(MIMEEncoding.quotedPrintable(text) == MIMEEncodingTests.referenceQuotedPrintable(text))
        }
    }
}
