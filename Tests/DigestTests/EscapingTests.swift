import Foundation
import Testing

@testable import Digest

/// The one-pass byte escaping gives what the character rules give, byte for byte.
@Suite struct EscapingTests {
    static let texts: [String] = [
        "",
        "Usinage de pièces mécaniques",
        "Marché « EN 9100 » : lot 2 ; options ? oui !",
        "«  double  »",
        "« :",
        "A&B <tag> \"quoted\" l'équipe",
        "*gras* _it_ `code` [lien](x) #titre | a\\b > c",
        "ligne 1\nligne 2\rligne 3\r\nligne 4",
        // A mark carrying a combining accent is one character, not the mark: the character rules leave it.
        "x *\u{0301} y & \u{0301} '\u{0301} :\u{0301}",
        "emoji 👷🏽‍♀️ & « é » !",
        "fin avec espace :",
        "\u{00A0}déjà insécable\u{00A0}:",
    ]

    @Test(arguments: texts)
    func htmlEscapingMatchesTheCharacterRules(_ s: String) {
        let r = HTMLRenderer()
        #expect(Array(r.esc(s).utf8) == Array(r.escapeByCharacter(s).utf8))
    }

    @Test(arguments: texts)
    func markdownEscapingMatchesTheCharacterRules(_ s: String) {
        let r = MarkdownRenderer()
        #expect(Array(r.esc(s).utf8) == Array(r.escapeByCharacter(s).utf8))
    }

    @Test(arguments: texts + ["bell\u{07} nul\u{00} tab\t \u{FFFE}\u{FFFF}\u{FFFD} fin", "\u{EFFFF}"])
    func xmlEscapingMatchesTheScalarRules(_ s: String) {
        let r = AtomRenderer()
        #expect(Array(r.x(s).utf8) == Array(r.escapeByScalar(s).utf8))
        // The feeds escape straight into their bytes, after what is already there.
        var out = Array("déjà ".utf8)
        ByteEscaper.xml(s, into: &out)
        #expect(out == Array(("déjà " + r.escapeByScalar(s)).utf8))
    }

    /// Lines folded into bytes as the String fold did: at 75 octets, then 74 after the leading space, never inside
    /// a UTF-8 sequence (a title of accented letters, a line of 4-byte emoji).
    @Test(arguments: [
        "", "SUMMARY:court", String(repeating: "a", count: 75), String(repeating: "a", count: 76),
        "DESCRIPTION:" + String(repeating: "é", count: 120), String(repeating: "😀", count: 40),
        "X:" + String(repeating: "ab€", count: 90),
    ])
    func calendarLinesAreFoldedOnCharacterBoundaries(_ line: String) {
        var out: [UInt8] = []
        ICalendarRenderer.fold(line, into: &out)
        let parts = String(decoding: out, as: UTF8.self).components(separatedBy: "\r\n ")
        #expect(parts.joined() == line)
        #expect(parts.allSatisfy { $0.utf8.count <= 75 })
        #expect(parts.dropFirst().allSatisfy { $0.utf8.count <= 74 })
        #expect(parts.dropLast().allSatisfy { $0.utf8.count >= 72 })
    }

    @Test func frenchSpacesAndEntitiesInOnePass() {
        #expect(
            HTMLRenderer().esc("Marché « EN 9100 » : A&B") == "Marché «\u{00A0}EN 9100\u{00A0}»\u{00A0}: A&amp;B")
        #expect(MarkdownRenderer().esc("« *x* »\nfin") == "«\u{00A0}\\*x\\*\u{00A0}» fin")
        #expect(AtomRenderer().x("A&B\u{01} <\"x\">\u{FFFF}") == "A&amp;B &lt;&quot;x&quot;&gt;")
        // Nothing to change: the same string back.
        #expect(HTMLRenderer().esc("Usinage de pièces") == "Usinage de pièces")
    }

    @Test func byteReplacementsMatchFoundation() {
        let url = "https://a.fr/x y<z>\nfin"
        #expect(
            MarkdownRenderer().safeURL(url)
                == url.replacingOccurrences(of: "<", with: "%3C").replacingOccurrences(of: ">", with: "%3E")
                .replacingOccurrences(of: " ", with: "%20").replacingOccurrences(of: "\n", with: ""))
        #expect(MarkdownRenderer().safeURL("javascript:alert(1)") == nil)
        #expect(HTMLRenderer().safeURL(" HTTPS://A.fr ") == "HTTPS://A.fr")
        #expect("1\u{00A0}234\u{00A0}€ à".withPlainSpaces == "1 234 € à")
        #expect(CSVRenderer.field("a;\"b\"") == "\"a;\"\"b\"\"\"")
        #expect(CSVRenderer.field("=1+1") == "'=1+1")
        #expect(Wording.plainTerm(" \"décollet*\" ") == "décollet")
        #expect(ICalendarRenderer.utc(SampleDigest.now) == "20260505T020000Z")
    }

    /// Atom entry ids: the byte rule gives what the character rule (RFC 8141's letters, digits and `-._:`) gave.
    @Test(arguments: ["boamp:26-7308", "decp:2019/04 lot é", "ted:619675-2026", "a%b_c.d~e", ""])
    func urnPartsMatchTheCharacterRule(_ s: String) {
        var reference = ""
        for b in s.utf8 {
            let c = Character(UnicodeScalar(b))
            if (b < 128 && (c.isLetter || c.isNumber)) || c == "-" || c == "." || c == "_" || c == ":" {
                reference.append(c)
            } else {
                reference += String(format: "%%%02X", b)
            }
        }
        #expect(AtomRenderer().urnPart(s) == reference)
    }
}
