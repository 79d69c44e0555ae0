import Foundation
import Testing

@testable import Digest

/// The CSV field's byte rules (`ByteEscaper.csvField`) against the character rules they stand in for
/// (`CSVRenderer.fieldByCharacters`): the same text wherever the bytes answer, and no answer where a quote, a
/// separator or a line end sits beside a non-ASCII character that could join it.
@Suite struct CSVRendererTests {
    @Test(arguments: [
        "", " ", "a", "Usinage de pièces", "a;b", "\"x\"", "line\nbreak", " lead", "trail ", "=1+1", "+33 4",
        "@SUM(A1)", "\tx", "-12", "'=x", "=HYPERLINK(\"x\")", "1\u{00A0}234\u{00A0}€", "\u{00A0}x", "x\u{00A0}",
        "=\u{00A0}a", "«\u{00A0}clé\u{00A0}» ; \"x\"", "é ; é", "😀 \"a\" 😀", "=", "\t", "\"",
    ])
    func bytesGiveWhatTheCharacterRulesGive(_ s: String) {
        var bytes: [UInt8] = []
        #expect(ByteEscaper.csvField(s, into: &bytes))
        #expect(String(decoding: bytes, as: UTF8.self) == CSVRenderer.fieldByCharacters(s))
        #expect(CSVRenderer.field(s) == CSVRenderer.fieldByCharacters(s))
    }

    /// A combining mark, or any character beside a special one, can make it another character: the byte rules
    /// leave those to the character rules, and write nothing.
    @Test(arguments: [
        "a;\u{301}b", "\"\u{301}x\"", "é\"x", "=\u{301}1", " \u{301}x", "x\u{0600} ", "a\r\nb", "a\rb", "x;é",
    ])
    func bytesLeaveCharactersBesideAMarkToTheCharacterRules(_ s: String) {
        var bytes: [UInt8] = [0x41]
        #expect(!ByteEscaper.csvField(s, into: &bytes))
        #expect(bytes == [0x41])
        #expect(CSVRenderer.field(s) == CSVRenderer.fieldByCharacters(s))
    }

    /// The file row by row: every field through `field`, the scores formatted once per value and the same.
    @Test func rowsHoldTheFieldsAsTheyAreQuoted() throws {
        var input = SampleDigest.input
        input.members[0].items[0].notice.title = "=cmd|' /C calc'!A0; « Lot\u{00A0}1 »"
        input.members[0].items[0].score = -0.0
        let text = String(decoding: try CSVRenderer().render(input).dropFirst(3), as: UTF8.self)
        let row = try #require(text.components(separatedBy: "\r\n").first { $0.contains("calc") })
        #expect(row.contains(";\"'=cmd|' /C calc'!A0; « Lot 1 »\";"))
        #expect(row.contains(";" + FrenchFormat.score(-0.0) + ";"))
        #expect(text.hasSuffix("\r\n"))
    }
}
