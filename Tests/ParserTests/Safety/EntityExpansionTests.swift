import Foundation
import Notices
import TestSupport
import Testing

@testable import Parser

/// Entity-expansion attacks, generated here, against every path that hands XML to libxml2: the feed reader, its
/// recovering pass, eForms, BOAMP XML and TED packages. Debian 12's libxml2 (2.9.14) stops the nested "billion
/// laughs" by itself, but not a flat quadratic blow-up: a 108 KB feed whose 50 KB entity was referenced
/// thousands of times took 175 s and 7.9 GB before `EntityExpansionGuard`.
@Suite("Safety: entity expansion is bounded in every XML path")
struct EntityExpansionTests {
    /// The classic nested expansion: lol9 is 10⁹ × "lol".
    static let billionLaughsDTD: String = {
        var d = "<!ENTITY lol0 \"lol\">\n"
        for i in 1...9 { d += "<!ENTITY lol\(i) \"" + String(repeating: "&lol\(i - 1);", count: 10) + "\">\n" }
        return d
    }()

    /// One 50 KB entity: each reference costs 50 KB, 14,000 references 700 MB, from about 110 KB of input.
    static let quadraticDTD = "<!ENTITY a \"" + String(repeating: "x", count: 50_000) + "\">\n"
    static let quadraticRefs = String(repeating: "&a;", count: 14_000)

    enum Attack: CaseIterable {
        case billionLaughs, quadratic
        /// The quadratic blow-up with a 4 KB entity (3,000 references, 12 MB): notice roots are looked for in the
        /// first 16 KB, which a 50 KB DTD would hide (the document is then refused as no notice, before libxml2).
        case quadraticSmallDTD
        var dtd: String {
            switch self {
            case .billionLaughs: return EntityExpansionTests.billionLaughsDTD
            case .quadratic: return EntityExpansionTests.quadraticDTD
            case .quadraticSmallDTD: return "<!ENTITY a \"" + String(repeating: "z", count: 4_000) + "\">\n"
            }
        }
        var refs: String {
            switch self {
            case .billionLaughs: return "&lol9;"
            case .quadratic: return EntityExpansionTests.quadraticRefs
            case .quadraticSmallDTD: return String(repeating: "&a;", count: 3_000)
            }
        }
    }

    /// Inserts `<!DOCTYPE root [dtd]>` after the XML declaration and replaces the content of the first element
    /// matching `open`…`close` with `content`.
    static func inject(_ xml: String, root: String, dtd: String, open: String, close: String, content: String) throws
        -> [UInt8]
    {
        var s = xml
        let decl = try #require(s.range(of: "?>"))
        s.insert(contentsOf: "\n<!DOCTYPE \(root) [\n\(dtd)]>", at: decl.upperBound)
        let o = try #require(s.range(of: open))
        let c = try #require(s.range(of: close, range: o.upperBound..<s.endIndex))
        s.replaceSubrange(o.upperBound..<c.lowerBound, with: content)
        return Array(s.utf8)
    }

    /// Runs `body`, expects the entity refusal naming `document` within 2 s.
    static func expectRefused(
        _ document: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
    ) {
        let start = Date()
        let outcome = Result { try body() }
        let elapsed = Date().timeIntervalSince(start)
        #expect(elapsed < 2, "took \(elapsed) s", sourceLocation: sourceLocation)
        guard case .failure(let error) = outcome else {
            Issue.record("\(document): the attack was not refused", sourceLocation: sourceLocation)
            return
        }
        guard case ParserError.limitExceeded(let issue) = error else {
            Issue.record("\(document): unexpected \(error)", sourceLocation: sourceLocation)
            return
        }
        #expect(issue.file == document, sourceLocation: sourceLocation)
        #expect(issue.message.hasPrefix("entity expansion exceeds "), sourceLocation: sourceLocation)
        #expect(issue.message.hasSuffix(": refused"), sourceLocation: sourceLocation)
        #expect(
            "\(error)".hasPrefix("parser: \(document): entity expansion exceeds "), sourceLocation: sourceLocation)
    }

    static func feed(_ attack: Attack, inAttribute: Bool = false) -> [UInt8] {
        let item =
            inAttribute
            ? "<item><title>i</title><atom:link rel=\"alternate\" href=\"\(attack.refs)\"/></item>"
            : "<item><title>i</title><description>\(attack.refs)</description></item>"
        return Array(
            """
            <?xml version="1.0"?>
            <!DOCTYPE rss [
            \(attack.dtd)]>
            <rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>t</title>\(item)</channel></rss>

            """.utf8)
    }

    // MARK: - Feeds

    @Test("RSS: billion laughs and quadratic blow-up in text are refused fast", arguments: Attack.allCases)
    func rssText(_ attack: Attack) {
        Self.expectRefused("attack.xml") {
            _ = try DocumentParser.parse(Self.feed(attack), options: ParseOptions(documentName: "attack.xml"))
        }
    }

    @Test("RSS: billion laughs and quadratic blow-up in an attribute are refused fast", arguments: Attack.allCases)
    func rssAttribute(_ attack: Attack) {
        Self.expectRefused("attack.xml") {
            _ = try DocumentParser.parse(
                Self.feed(attack, inAttribute: true), options: ParseOptions(documentName: "attack.xml"))
        }
    }

    @Test("Atom streamed from a file: the quadratic blow-up is refused fast")
    func atomFile() throws {
        let xml =
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<!DOCTYPE feed [\n\(Self.quadraticDTD)]>\n"
            + "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title><entry><title>e</title><id>x</id>"
            + "<summary>\(Self.quadraticRefs)</summary></entry></feed>\n"
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vigie-atom-attack-\(getpid()).xml")
        try Data(xml.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        Self.expectRefused(url.path) {
            _ = try DocumentParser.parseFile(atPath: url.path, options: ParseOptions(documentName: url.path))
        }
    }

    @Test("Recovering pass: a feed broken before its references is refused, not re-read", arguments: Attack.allCases)
    func recoveringPass(_ attack: Attack) throws {
        // The streaming pass stops at the mismatched tag; the recovering parser would read the rest in one go.
        let padding = String(repeating: "<item><title>p</title></item>\n", count: 4000)
        let xml =
            "<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n\(attack.dtd)]>\n<rss version=\"2.0\"><channel><title>t</titel>"
            + padding + "<item><title>i</title><description>\(attack.refs)</description></item></channel></rss>\n"
        Self.expectRefused("broken.xml") {
            _ = try DocumentParser.parse(Array(xml.utf8), options: ParseOptions(documentName: "broken.xml"))
        }
        // And the recovering reader itself refuses before building a tree.
        Self.expectRefused("broken.xml") {
            _ = try XMLStreamReader(recovering: Array(xml.utf8), documentName: "broken.xml")
        }
    }

    @Test("Tricks: BOM, parameter entity, character reference, UTF-16 and a declared UTF-7 do not hide the references")
    func tricks() throws {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF] + Self.feed(.quadratic)
        Self.expectRefused("bom.xml") {
            _ = try DocumentParser.parse(bom, options: ParseOptions(documentName: "bom.xml"))
        }
        let viaParameter =
            "<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n<!ENTITY % p \"<!ENTITY a '"
            + String(repeating: "y", count: 50_000) + "'>\">\n%p;\n]>\n<rss><channel><title>t</title><item>"
            + "<title>i</title><description>\(Self.quadraticRefs)</description></item></channel></rss>"
        Self.expectRefused("pe.xml") {
            _ = try DocumentParser.parse(Array(viaParameter.utf8), options: ParseOptions(documentName: "pe.xml"))
        }
        // A reference hidden behind a character reference: `&#38;a;` becomes `&a;` when `b` is declared.
        let viaCharRef =
            "<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n\(Self.quadraticDTD)<!ENTITY b \"&#38;a;\">\n]>\n<rss><channel>"
            + "<title>t</title><item><title>i</title><description>"
            + String(repeating: "&b;", count: 14_000) + "</description></item></channel></rss>"
        Self.expectRefused("charref.xml") {
            _ = try DocumentParser.parse(Array(viaCharRef.utf8), options: ParseOptions(documentName: "charref.xml"))
        }
        // Notice XML reaches libxml2 undecoded: a UTF-16 notice must be scanned by code units.
        let utf16 =
            "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n<!DOCTYPE ANNONCE [\n\(Self.billionLaughsDTD)]>\n"
            + "<ANNONCE><GESTION><REFERENCE><IDWEB>&lol9;</IDWEB></REFERENCE></GESTION></ANNONCE>"
        let utf16Bytes: [UInt8] = [0xFF, 0xFE] + utf16.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        Self.expectRefused("utf16.xml") {
            _ = try BOAMPXMLAdapter.parse(utf16Bytes, options: ParseOptions(documentName: "utf16.xml"))
        }
        let utf7 = "<?xml version=\"1.0\" encoding=\"UTF-7\"?>\n<ANNONCE/>"
        let start = Date()
        #expect(throws: ParserError.self) {
            _ = try BOAMPXMLAdapter.parse(Array(utf7.utf8), options: ParseOptions(documentName: "utf7.xml"))
        }
        #expect(Date().timeIntervalSince(start) < 2)
    }

    // MARK: - Notice XML

    @Test("eForms (real TED capture): both attacks are refused fast", .requiresShared, arguments: Attack.allCases)
    func eForms(_ attack: Attack) throws {
        try SharedData.url("samples/real")
        let raw = String(
            decoding: try SharedData.bytes("samples/real/ted/kivou-612553-2026-CNES-cn.xml"), as: UTF8.self)
        let bytes = try Self.inject(
            raw, root: "ContractNotice", dtd: attack.dtd, open: "<cbc:Name languageID=\"FRA\">", close: "</cbc:Name>",
            content: attack.refs)
        Self.expectRefused("cn.xml") {
            _ = try EFormsAdapter.parse(bytes, options: ParseOptions(documentName: "cn.xml"))
        }
        guard attack != .quadratic else { return }  // its 50 KB DTD hides the root from the dispatcher (see Attack)
        Self.expectRefused("cn.xml") {
            _ = try NoticeXMLDispatcher.parse(bytes, documentName: "cn.xml", options: ParseOptions())
        }
    }

    @Test("BOAMP XML: both attacks are refused fast", arguments: Attack.allCases)
    func boampXML(_ attack: Attack) throws {
        let raw = String(decoding: try Fixture.bytes("boamp-annonce-mapa.xml"), as: UTF8.self)
        let bytes = try Self.inject(
            raw, root: "ANNONCE", dtd: attack.dtd, open: "<RESUME_OBJET>", close: "</RESUME_OBJET>",
            content: attack.refs)
        Self.expectRefused("annonce.xml") {
            _ = try BOAMPXMLAdapter.parse(bytes, options: ParseOptions(documentName: "annonce.xml"))
        }
    }

    @Test(
        "TED package: the attacking member becomes an issue naming it, fast", .requiresShared,
        arguments: [Attack.billionLaughs, .quadraticSmallDTD])
    func tedPackage(_ attack: Attack) throws {
        try SharedData.url("samples/real")
        let raw = String(
            decoding: try SharedData.bytes("samples/real/ted/kivou-612553-2026-CNES-cn.xml"), as: UTF8.self)
        let member = "20260917_180/00612553_2026.xml"
        let bytes = try Self.inject(
            raw, root: "ContractNotice", dtd: attack.dtd, open: "<cbc:Name languageID=\"FRA\">", close: "</cbc:Name>",
            content: attack.refs)
        let start = Date()
        let doc = try #require(
            try FormatRegistry.parsePackage(Self.tar([(member, bytes)]), options: ParseOptions(documentName: "p.tar")))
        #expect(Date().timeIntervalSince(start) < 2)
        #expect(doc.notices.isEmpty)
        #expect(doc.issues.count == 1)
        #expect(doc.issues.first?.file == member)
        #expect(doc.issues.first?.message.hasPrefix("entity expansion exceeds ") == true)
    }

    /// A plain (uncompressed) tar of `members`.
    static func tar(_ members: [(String, [UInt8])]) -> [UInt8] {
        var out: [UInt8] = []
        for (name, data) in members {
            var h = [UInt8](repeating: 0, count: 512)
            h.replaceSubrange(0..<name.utf8.count, with: Array(name.utf8))
            for (offset, text) in [(100, "0000644"), (108, "0000000"), (116, "0000000"), (136, "00000000000")] {
                h.replaceSubrange(offset..<(offset + text.count), with: Array(text.utf8))
            }
            let size = String(data.count, radix: 8)
            let sizeField = String(repeating: "0", count: 11 - size.count) + size
            h.replaceSubrange(124..<135, with: Array(sizeField.utf8))
            h[156] = UInt8(ascii: "0")
            h.replaceSubrange(257..<263, with: Array("ustar\0".utf8))
            h.replaceSubrange(263..<265, with: Array("00".utf8))
            h.replaceSubrange(148..<156, with: [UInt8](repeating: 0x20, count: 8))
            let sum = String(h.reduce(0) { $0 + Int($1) }, radix: 8)
            let sumField = String(repeating: "0", count: 6 - sum.count) + sum
            h.replaceSubrange(148..<156, with: Array(sumField.utf8) + [0, 0x20])
            out += h + data + [UInt8](repeating: 0, count: (512 - data.count % 512) % 512)
        }
        return out + [UInt8](repeating: 0, count: 1024)
    }

    // MARK: - Harmless entities

    @Test("A feed with a few harmless entities still parses and keeps their text")
    func harmlessFeed() throws {
        let xml = """
            <?xml version="1.0"?>
            <!DOCTYPE rss [
              <!ENTITY org "Syndicat mixte">
              <!ENTITY nbsp "&#160;">
            ]>
            <rss version="2.0"><channel><title>Avis &amp; marchés</title>
            <item><title>&org; : travaux</title><description>Lot&nbsp;1 &amp; lot 2</description></item>
            </channel></rss>
            """
        let doc = try DocumentParser.parse(Array(xml.utf8), options: ParseOptions(documentName: "ok.xml"))
        #expect(doc.title == "Avis & marchés")
        #expect(doc.notices.count == 1)
        #expect(doc.notices.first?.title == "Syndicat mixte : travaux")
        #expect(doc.notices.first?.summary?.contains("& lot 2") == true)
        #expect(doc.truncated == false)
    }

    @Test("An eForms notice with a small declared entity still parses and keeps its text", .requiresShared)
    func harmlessEForms() throws {
        try SharedData.url("samples/real")
        let raw = String(
            decoding: try SharedData.bytes("samples/real/ted/kivou-612553-2026-CNES-cn.xml"), as: UTF8.self)
        let plain = try EFormsAdapter.parse(Array(raw.utf8), options: ParseOptions(documentName: "cn.xml")).notice
        // The raw file's buyer name (first cbc:Name languageID="FRA"), replaced by an entity of the same text.
        let o = try #require(raw.range(of: "<cbc:Name languageID=\"FRA\">"))
        let c = try #require(raw.range(of: "</cbc:Name>", range: o.upperBound..<raw.endIndex))
        let name = String(raw[o.upperBound..<c.lowerBound])
        #expect(!name.isEmpty)
        let bytes = try Self.inject(
            raw, root: "ContractNotice", dtd: "<!ENTITY buyer \"\(name)\">\n", open: "<cbc:Name languageID=\"FRA\">",
            close: "</cbc:Name>", content: "&buyer;")
        let notice = try EFormsAdapter.parse(bytes, options: ParseOptions(documentName: "cn.xml")).notice
        #expect(notice.buyer?.name == name)
        #expect(notice.buyer?.name == plain.buyer?.name)
        #expect(notice.title == plain.title)
    }

    @Test("The allowance: 1 MiB, or ten times the input")
    func allowance() {
        var small = EntityExpansionGuard()
        let smallAccepted = small.consume(Array("<r>".utf8))
        #expect(smallAccepted)
        #expect(small.allowance == 1 << 20)
        var large = EntityExpansionGuard()
        let largeAccepted = large.consume([UInt8](repeating: 0x20, count: 200_000))
        #expect(largeAccepted)
        #expect(large.allowance == 2_000_000)
    }
}
