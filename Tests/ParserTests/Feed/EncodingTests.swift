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
            + Array(#"">]><rss><channel><title>&v; <![CDATA["#.utf8) + [0xE0]
            + Array("]]></title></channel></rss>".utf8)
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

    @Test("Declared UTF-8 with stray bytes: invalid bytes become windows-1252, C1 controls become punctuation")
    func repair() throws {
        let body: [UInt8] =
            Array("<rss><channel><title>".utf8) + [0x64, 0x6F, 0x6E, 0xC2, 0x92, 0x74, 0x20, 0xE9, 0x74, 0xE9]
            + Array(" \u{2713}</title></channel></rss>".utf8)
        // The declaration says UTF-8: its valid sequences are UTF-8, only the stray bytes are windows-1252.
        let declared = try DocumentParser.parse(
            Array("<?xml version=\"1.0\" encoding=\"utf-8\"?>".utf8) + body, options: ParseOptions())
        #expect(declared.title == "don’t été ✓")
        // Nothing declared and not valid UTF-8 as a whole: the whole document is windows-1252, as feedparser reads it.
        let undeclared = try DocumentParser.parse(body, options: ParseOptions())
        #expect(undeclared.title == "donÂ’t été âœ“")
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
            (Array("<rss>".utf8), nil, .undeclared),
            (Array("<?xml version='1.0'?><rss>".utf8), nil, .undeclared),
            (Array("<?xml version='1.0' encoding='us-ascii'?>".utf8), nil, .undeclared),
            (Array("<?xml version='1.0' encoding='UTF-8'?>".utf8), nil, .utf8),
        ] as [([UInt8], String?, EncodingSniffer.Decoding)])
    func sniffing(prefix: [UInt8], hint: String?, expected: EncodingSniffer.Decoding) {
        #expect(EncodingSniffer.detect(prefix: prefix, charsetHint: hint).decoding == expected)
    }

    // MARK: - Undeclared 8-bit text: one decision for the whole document

    /// A French call for projects written in windows-1252 (Latin-1 plus its punctuation) by a CMS that declares
    /// nothing. French typography puts a no-break space inside guillemets, so « doué » ends in E9 A0 BB: a byte
    /// triple that is valid UTF-8 (U+983B, a CJK character).
    static let latin1Title =
        "Appel à projets «\u{A0}Territoire doué\u{A0}» : un niveau «\u{A0}élevé\u{A0}» pour la Saône"
    static let latin1Summary = "Projets d’intérêt régional, dépôt avant le 31 janvier ; coût élevé ≥ 50 000 €"
    /// Only closing guillemets after a final é: every 8-bit byte of this title is part of a valid UTF-8 triple.
    static let validLookingTitle = "Dossier publié\u{A0}» puis modifié\u{A0}»"

    /// The feed in windows-1252; `asciiItems` items in plain ASCII come after the first one, so the first byte that
    /// is not valid UTF-8 can be put far into the document.
    static func latin1Feed(channelTitle: String = "Région — appels", asciiItems: Int = 0) -> [UInt8] {
        var xml = "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel><title>\(channelTitle)</title>\n"
        xml += "<item><title>\(validLookingTitle)</title><guid>aap-1</guid></item>\n"
        for k in 0..<asciiItems { xml += "<item><title>Plain \(k)</title><guid>p\(k)</guid></item>\n" }
        // "≥" is not in windows-1252: a real feed writes it as a reference.
        let summary = latin1Summary.replacingOccurrences(of: "≥", with: "&#8805;")
        xml += "<item><title>\(latin1Title)</title><description>\(summary)</description><guid>aap-2</guid></item>\n"
        xml += "</channel></rss>\n"
        return Array(xml.data(using: .windowsCP1252)!)
    }

    @Test("The trap is real: « doué » in windows-1252 holds bytes that are valid UTF-8, and decode to CJK")
    func latin1BytesLookLikeUTF8() throws {
        let bytes = Array("«\u{A0}doué\u{A0}»".data(using: .windowsCP1252)!)
        #expect(bytes == [0xAB, 0xA0, 0x64, 0x6F, 0x75, 0xE9, 0xA0, 0xBB])
        #expect(String(validating: bytes[5...], as: UTF8.self) == "\u{983B}")
        #expect(Self.firstInvalidUTF8(Array(Self.validLookingTitle.data(using: .windowsCP1252)!)) == nil)
    }

    @Test("An undeclared windows-1252 French feed reads right, valid-looking UTF-8 triples included")
    func undeclaredLatin1French() throws {
        let doc = try DocumentParser.parse(Self.latin1Feed(), options: ParseOptions(documentName: "aap.xml"))
        #expect(doc.title == "Région — appels")
        #expect(doc.notices.map(\.title) == [Self.validLookingTitle, Self.latin1Title])
        #expect(doc.notices[1].summary == Self.latin1Summary)
        #expect(doc.issues.isEmpty)
    }

    @Test("The decision covers the whole document: the first invalid byte 200 KB in still makes it windows-1252")
    func undeclaredLatin1DecidedForTheWholeDocument() throws {
        // Past the 64 KB chunks of the decoding pipeline, and past the bytes sniffed for the declaration.
        let bytes = Self.latin1Feed(channelTitle: "Appels", asciiItems: 4_000)
        #expect(try #require(Self.firstInvalidUTF8(bytes)) > 200_000)
        let doc = try DocumentParser.parse(bytes, options: ParseOptions())
        #expect(doc.notices.first?.title == Self.validLookingTitle)
        #expect(doc.notices.last?.title == Self.latin1Title)
        #expect(doc.notices.last?.summary == Self.latin1Summary)
    }

    @Test("Past the read-ahead window, a file is checked to its end before deciding")
    func undeclaredLatin1BeyondTheWindow() throws {
        let bytes = Self.latin1Feed(channelTitle: "Appels", asciiItems: EncodingSniffer.decisionWindow / 50)
        #expect(try #require(Self.firstInvalidUTF8(bytes)) > EncodingSniffer.decisionWindow)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigie-enc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("aap.xml").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        var titles: [String] = []
        _ = try DocumentParser.parseFeedFile(atPath: path, options: ParseOptions(documentName: path)) {
            titles.append($0.title)
        }
        #expect(titles.first == Self.validLookingTitle)
        #expect(titles.last == Self.latin1Title)
    }

    @Test("An undeclared document that is valid UTF-8 throughout stays UTF-8, CJK included")
    func undeclaredUTF8() throws {
        let xml =
            "<rss><channel><title>Appel «\u{A0}doué\u{A0}» — 東京</title><item><title>Saône été</title></item>"
            + "</channel></rss>"
        let doc = try DocumentParser.parse(Array(xml.utf8), options: ParseOptions())
        #expect(doc.title == "Appel «\u{A0}doué\u{A0}» — 東京")
        #expect(doc.notices.first?.title == "Saône été")
    }

    /// Offset of the first byte that does not continue a valid UTF-8 sequence.
    static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            let len =
                b < 0x80 ? 1 : b >= 0xC2 && b <= 0xDF ? 2 : b >= 0xE0 && b <= 0xEF ? 3 : b >= 0xF0 && b <= 0xF4 ? 4 : 0
            guard len > 0, i + len <= bytes.count,
                String(validating: bytes[i..<(i + len)], as: UTF8.self) != nil
            else { return i }
            i += len
        }
        return nil
    }
}
