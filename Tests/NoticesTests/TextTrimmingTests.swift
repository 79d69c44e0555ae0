import Foundation
import Notices
import Testing

/// The rules reader's and the renderers' trimming, without NSString, trims what Foundation's trims.
struct TextTrimmingTests {
    @Test(arguments: [
        "", " ", "\t a \t", "\u{A0}x\u{202F}", "\u{3000}x\u{2003}", "\nx\r\n", "\u{85}x\u{2028}", "x\u{2029} ",
        " \u{301}x", "é ", "\u{FEFF}x", "\u{200B}x\u{180E}", "a b", "\u{1680}\u{205F}",
        "\u{2000}x\u{200A}", "\u{200B}x", "\u{180E}x", "\u{FEFF}", "\u{200C}x\u{2060}", "\u{1}x\u{7F}",
        // Addresses and links as the digests carry them.
        "a", " mailto:x@y.fr ", "\t06 12\u{00A0}", "\u{2003}https://a.fr/\u{3000}", "\nligne\n", " \u{0301}x ",
        "\u{00A0}\u{202F}", "x\u{205F}",
    ])
    func trimmingIsFoundationsTrimming(_ s: String) {
        #expect(
            Array(s.trimmingWhitespace().unicodeScalars) == Array(s.trimmingCharacters(in: .whitespaces).unicodeScalars)
        )
        #expect(
            Array(s.trimmingWhitespace(newlines: true).unicodeScalars)
                == Array(s.trimmingCharacters(in: .whitespacesAndNewlines).unicodeScalars))
        #expect(s.isBlank == s.trimmingCharacters(in: .whitespaces).isEmpty)
    }
}
