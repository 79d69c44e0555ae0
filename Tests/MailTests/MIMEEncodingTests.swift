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
}
