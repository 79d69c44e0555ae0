import TestSupport
import Testing

@testable import Mail

@Suite struct MIMEEncodingTests {
    @Test func quotedPrintableFoldsBeforeSeventySixOctetsWithoutSplittingAnEscape() {
        // 74 letters then "é" (=C3=A9): the first escape would end at column 77, so it opens the next line; the
        // space that ends the line is encoded.
        let text = String(repeating: "a", count: 74) + "é \n"
        #expect(
            MIMEEncoding.quotedPrintable(text) == String(repeating: "a", count: 74) + "=\r\n=C3=A9=20\r\n")
    }

    @Test func quotedPrintableTakesEveryLineEndAsOne() {
        // CRLF, a lone CR and LF are each one line end; a final line end adds no empty line.
        #expect(MIMEEncoding.quotedPrintable("x\r\ny\rz\n") == "x\r\ny\r\nz\r\n")
        #expect(MIMEEncoding.quotedPrintable("x\n\n") == "x\r\n\r\n")
        #expect(MIMEEncoding.quotedPrintable("") == "\r\n")
    }

    @Test func quotedPrintableEncodesEqualsTabsAtLineEndAndDotsAfterASoftBreak() {
        #expect(MIMEEncoding.quotedPrintable("a=b\t\n\tc") == "a=3Db=09\r\n\tc\r\n")
        // The 76th character is a dot: it starts a line after the soft break, so it is encoded too.
        let text = String(repeating: "b", count: 75) + ".x"
        #expect(MIMEEncoding.quotedPrintable(text) == String(repeating: "b", count: 75) + "=\r\n=2Ex\r\n")
    }

    /// The encoder writes through a pointer into room it reserves; this is RFC 2045 §6.7 octet by octet, as the
    /// encoder was written first, and the two must agree on every input, at every line length and line end.
    @Test func quotedPrintableMatchesTheOctetByOctetRules() {
        var random = SplitMix64(seed: 2045)
        let pieces = [
            "a", "b", "F", "From ", ".", "=", " ", "\t", "é", "€", "—", "\r", "\n", "\r\n", "<p style=\"x\">", "Fr",
            String(repeating: "z", count: 70), "\u{7F}", "\u{01}",
        ]
        for _ in 0..<3000 {
            var text = ""
            for _ in 0..<Int.random(in: 0...60, using: &random) { text += pieces.randomElement(using: &random)! }
            let reference = Self.referenceQuotedPrintable(text)
            #expect(MIMEEncoding.quotedPrintable(text) == reference, "\(text.debugDescription)")
            var appended = Array("prefix".utf8)
            MIMEEncoding.quotedPrintable(text, into: &appended)
            #expect(appended == Array("prefix".utf8) + Array(reference.utf8))
        }
    }

    /// The eight-octet test for a line end: every octet value at every place of a word of other octets.
    @Test func aLineEndIsFoundInAWordOfEightOctets() {
        for filler: UInt8 in [0x00, 0x09, 0x0B, 0x0C, 0x0E, 0x20, 0x41, 0x8A, 0x8D, 0xFF] {
            for value in 0...255 {
                for place in 0..<8 {
                    var bytes = [UInt8](repeating: filler, count: 8)
                    bytes[place] = UInt8(value)
                    let word = bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
                    #expect(MIMEEncoding.hasLineEnd(word) == (value == 0x0A || value == 0x0D))
                }
            }
        }
    }

    static func referenceQuotedPrintable(_ text: String) -> String {
        let input = Array(text.utf8)
        var out: [UInt8] = []
        func special(_ i: Int, _ end: Int) -> Bool {
            input[i] == 0x2E || (input[i] == 0x46 && Array(input[i..<min(end, i + 5)]) == Array("From ".utf8))
        }
        var lineStart = 0
        var emitted = false
        while true {
            var lineEnd = lineStart
            while lineEnd < input.count, input[lineEnd] != 0x0A, input[lineEnd] != 0x0D { lineEnd += 1 }
            if lineEnd == input.count, lineStart == input.count, emitted { break }
            var column = 0
            for i in lineStart..<lineEnd {
                let byte = input[i]
                let printable = byte >= 0x21 && byte <= 0x7E && byte != 0x3D
                var escape =
                    byte == 0x20 || byte == 0x09
                    ? i == lineEnd - 1 : printable ? column == 0 && special(i, lineEnd) : true
                if column + (escape ? 3 : 1) > 75 {
                    out += Array("=\r\n".utf8)
                    column = 0
                    if printable { escape = special(i, lineEnd) }
                }
                if escape {
                    let hex = Array("0123456789ABCDEF".utf8)
                    out += [0x3D, hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
                    column += 3
                } else {
                    out.append(byte)
                    column += 1
                }
            }
            out += [0x0D, 0x0A]
            emitted = true
            if lineEnd == input.count { break }
            lineStart =
                input[lineEnd] == 0x0D && lineEnd + 1 < input.count && input[lineEnd + 1] == 0x0A
                ? lineEnd + 2 : lineEnd + 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}
