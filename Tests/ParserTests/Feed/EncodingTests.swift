import Foundation
import Notices
import Testing

@testable import Parser

@Suite("Encodings: declared, BOM, HTTP hint, undeclared 8-bit")
struct EncodingTests {
    @Test("Undeclared windows-1252 bytes are read as windows-1252 (’ « » € included)")
    func undeclaredWindows1252() throws {
        let doc = try parseFixture("rss2-undeclared-windows1252.xml")
        #expect(doc.title == "Appels à projets — Région")
        #expect(doc.notices[0].title == "Aide à l’innovation «Industrie du futur» : 50 000 €")
        #expect(doc.notices[0].summary == "Ouvert aux PME & ETI de la région. Dépôt avant le 31 janvier.")
    }

    @Test("Declared ISO-8859-1")
    func declaredLatin1() throws {
        let doc = try parseFixture("rss2-declared-iso88591.xml")
        #expect(doc.notices[0].title == "Étude de faisabilité d'un réseau de chaleur")
        // Latin-1 inside an internal DTD subset and a CDATA section is decoded too.
        let xml: [UInt8] =
            Array(#"<?xml version="1.0" encoding="ISO-8859-1"?><!DOCTYPE rss [<!ENTITY v ""#.utf8) + [0xE9, 0x74, 0xE9]
            + Array(#"">]><rss><channel><title>&v; <![CDATA["#.utf8) + [0xE0] + Array("]]></title></channel></rss>".utf8)
        let latin = try DocumentParser.parse(xml, options: ParseOptions())
        #expect(latin.title == "été à")
    }

    @Test("UTF-16LE with a byte-order mark")
    func utf16() throws {
        let doc = try parseFixture("atom-utf16le-bom.xml")
        #expect(doc.title == "Flux UTF-16")
        #expect(doc.notices[0].title == "Crédit d’impôt recherche")
    }

    @Test("The HTTP charset hint overrides the XML declaration")
    func charsetHint() throws {
        // Declared UTF-8 but served (and written) as ISO-8859-15: the server knows better.
        // Œ and € are 0xBC and 0xA4 in ISO-8859-15.
        let latin9 =
            Array("<?xml version=\"1.0\" encoding=\"utf-8\"?><rss><channel><title>".utf8) + [0xBC] + Array("uvre ".utf8)
            + [0xA4] + Array("</title></channel></rss>".utf8)
        let doc = try DocumentParser.parse(latin9, options: ParseOptions(charsetHint: "ISO-8859-15"))
        #expect(doc.title == "Œuvre €")
        // Without the hint, the same bytes are read as windows-1252 (the UTF-8 repair): not what the server said.
        let guessed = try DocumentParser.parse(latin9, options: ParseOptions())
        #expect(guessed.title == "¼uvre ¤")
    }

    @Test(
        "Encodings libxml2 cannot decode itself",
        arguments: [
            ("utf-32le", "UTF-32LE"), ("utf-32be", "UTF-32BE"), ("437", "CP437"), ("macgreek", "MACGREEK"),
        ])
    func exotic(label: String, encoder: String) throws {
        let title = encoder == "MACGREEK" ? "Ελλάδα" : "Café"
        let xml = "<?xml version=\"1.0\" encoding=\"\(label)\"?><rss><channel><title>\(title)</title></channel></rss>"
        let bytes: [UInt8]
        switch encoder {
        case "UTF-32LE": bytes = xml.unicodeScalars.flatMap { s in (0..<4).map { UInt8((s.value >> (8 * $0)) & 0xFF) } }
        case "UTF-32BE":
            bytes = xml.unicodeScalars.flatMap { s in (0..<4).reversed().map { UInt8((s.value >> (8 * $0)) & 0xFF) } }
        case "CP437": bytes = xml.unicodeScalars.map { $0 == "é" ? 0x82 : UInt8($0.value) }
        default:
            // Mac Greek: Ε 0x85? use the code page table itself to encode, so the test checks the round trip.
            let upper = SingleByteCodePages.tables["macgreek"]!
            bytes = xml.unicodeScalars.map { s in
                s.value < 0x80 ? UInt8(s.value) : UInt8(0x80 + upper.firstIndex(of: UInt16(s.value))!)
            }
        }
        let doc = try DocumentParser.parse(bytes, options: ParseOptions(documentName: label))
        #expect(doc.title == title)
    }

    @Test("UTF-8 repair: invalid bytes become windows-1252, C1 controls become punctuation, output stays valid")
    func repair() throws {
        let bytes: [UInt8] =
            Array("<rss><channel><title>".utf8) + [0x64, 0x6F, 0x6E, 0xC2, 0x92, 0x74, 0x20, 0xE9, 0x74, 0xE9]
            + Array(" \u{2713}</title></channel></rss>".utf8)
        let doc = try DocumentParser.parse(bytes, options: ParseOptions())
        #expect(doc.title == "don’t été ✓")
    }

    @Test("Mojibake of UTF-8 read as windows-1252 is undone, genuine accents are kept")
    func mojibake() {
        #expect(Mojibake.repair("Ã©tÃ© â€¦") == "été …")
        #expect(Mojibake.repair("été à Noël") == "été à Noël")
        #expect(Mojibake.repair("plain") == "plain")
    }

    @Test(
        "Sniffing decisions",
        arguments: [
            ([0xEF, 0xBB, 0xBF, 0x3C], nil, EncodingSniffer.Decoding.utf8),
            ([0xFF, 0xFE, 0x3C, 0x00], nil, .iconv("UTF-16LE")),
            ([0x00, 0x00, 0x00, 0x3C], nil, .iconv("UTF-32BE")),
            ([0x4C, 0x6F, 0xA7, 0x94], nil, .iconv("CP037")),
            (Array("<?xml version='1.0' encoding='windows-1252'?>".utf8), nil, .windows1252),
            (Array("<?xml version='1.0' encoding='utf-8'?>".utf8), "iso-8859-1", .windows1252),
            (Array("<rss>".utf8), nil, .utf8),
        ] as [([UInt8], String?, EncodingSniffer.Decoding)])
    func sniffing(prefix: [UInt8], hint: String?, expected: EncodingSniffer.Decoding) {
        #expect(EncodingSniffer.detect(prefix: prefix, charsetHint: hint).decoding == expected)
    }
}
