import Foundation
import Notices
import Testing

@testable import Parser

@Suite("XMLStreamReader")
struct XMLStreamReaderTests {
    @Test("Walks elements with names, namespaces, depth, attributes and text")
    func walk() throws {
        let xml = """
            <?xml version="1.0"?>
            <n:notice xmlns:n="urn:example:notice" id="42"><n:title lang="fr">Marché &amp; lots</n:title><empty/>\
            <body>avant <b>gras</b> après<![CDATA[ <brut> ]]></body></n:notice>
            """
        let reader = try XMLStreamReader(bytes: Array(xml.utf8), documentName: "t.xml")
        var seen: [String] = []
        var title: String?
        var body: XMLStreamReader.Content?
        while try reader.read() {
            guard reader.nodeType == .element else { continue }
            seen.append("\(reader.depth):\(reader.localName)")
            switch reader.localName {
            case "notice":
                #expect(reader.namespaceURI == "urn:example:notice")
                #expect(reader.qualifiedName == "n:notice")
                #expect(reader.attribute(localName: "id") == "42")
                #expect(reader.attribute(localName: "missing") == nil)
            case "title":
                #expect(reader.attributes().map(\.name) == ["lang"])
                title = try reader.readText()
                #expect(reader.nodeType == .endElement)
            case "empty":
                #expect(reader.isEmptyElement)
                #expect(try reader.readText() == "")
            case "body":
                body = try reader.readContent()
            default:
                break
            }
        }
        #expect(seen == ["0:notice", "1:title", "1:empty", "1:body"])
        #expect(title == "Marché & lots")
        #expect(body?.text == "avant gras après <brut> ")
        #expect(body?.markup == "avant <b>gras</b> après &lt;brut&gt; ")
        #expect(
            try XMLStreamReader(bytes: Array("<a><b>x</b></a>".utf8), documentName: "m").readMarkupOfRoot()
                == "<b>x</b>")
    }

    @Test("A fatal error names the document, line and column")
    func fatalError() throws {
        let xml = "<root>\n  <a>text</b>\n</root>"
        let reader = try XMLStreamReader(bytes: Array(xml.utf8), documentName: "broken.xml")
        let error = #expect(throws: ParserError.self) { while try reader.read() {} }
        guard case .malformed(let issue) = error else {
            Issue.record("expected .malformed, got \(String(describing: error))")
            return
        }
        #expect(issue.file == "broken.xml")
        #expect(issue.line == 2)
        #expect(issue.column != nil)
        #expect("\(error!)".hasPrefix("parser: broken.xml:2:"))
    }

    @Test("The recovering reader gets past a mismatched tag")
    func recovering() throws {
        let xml = "<root><a>one</b><c>two</c></root>"
        let reader = try XMLStreamReader(recovering: Array(xml.utf8), documentName: "r.xml")
        var texts: [String] = []
        while try reader.read() {
            if reader.nodeType == .element && reader.localName != "root" { texts.append(try reader.readText()) }
        }
        #expect(texts.contains("two"))
    }

    @Test("Entities and multi-byte characters cut by the 64 KB chunk boundary survive the pre-pass")
    func chunkBoundaries() throws {
        let chunk = TransformByteSource.chunkSize
        for shift in 0..<8 {
            let head = "<rss><channel><title>"
            let padding = String(repeating: "x", count: chunk - head.utf8.count - 4 + shift)
            let xml = head + padding + "&eacute;€&amp;é</title></channel></rss>"
            let doc = try DocumentParser.parse(Array(xml.utf8), options: ParseOptions())
            #expect(doc.title == padding + "é€&é", "shift \(shift)")
        }
    }

    @Test("A CDATA section whose end is cut by the chunk boundary, with Latin-1 bytes inside")
    func cdataBoundary() throws {
        let chunk = TransformByteSource.chunkSize
        for shift in 0..<8 {
            let head = Array("<rss><channel><item><title>t</title><description><![CDATA[".utf8)
            let padding = [UInt8](repeating: 0x61, count: chunk - head.count - 6 + shift)
            // 0xE9 is "é" in windows-1252, invalid as UTF-8: repaired inside CDATA too.
            let bytes = head + padding + [0xE9] + Array("]] & <b>x</b>]]></description></item></channel></rss>".utf8)
            let doc = try DocumentParser.parse(bytes, options: ParseOptions())
            let summary = try #require(doc.notices.first?.summary, "shift \(shift)")
            #expect(summary.hasSuffix("aé]] & x"), "shift \(shift)")
        }
    }

    @Test("Entity pre-pass leaves CDATA, comments, declared entities and the five XML entities alone")
    func entityRepair() throws {
        let xml = """
            <?xml version="1.0" encoding="iso-8859-1"?>
            <!DOCTYPE rss [<!ENTITY org "Vigie &amp; Cie">]>
            <rss><channel><title>&org; &eacute;t&eacute; &lt;b&gt; AT&T &#X41; &#146; &bogus;</title>
            <description><![CDATA[&eacute; & <b>]]></description><!-- &nbsp; --></channel></rss>
            """
        let source = try EncodingSniffer.utf8Source(for: ArrayByteSource(Array(xml.utf8)), charsetHint: nil).0
        let out = String(decoding: try source.readPrefix(10_000), as: UTF8.self)
        #expect(out.contains("&org;"))
        #expect(out.contains("&#xe9;t&#xe9;"))
        #expect(out.contains("&lt;b&gt;"))
        #expect(out.contains("AT&amp;T"))
        #expect(out.contains("&#x41;"))
        #expect(out.contains("&#x2019;"))
        #expect(out.contains("&amp;bogus;"))
        #expect(out.contains("<![CDATA[&eacute; & <b>]]>"))
        #expect(out.contains("<!-- &nbsp; -->"))
        #expect(!out.contains("iso-8859-1"))
    }
}

extension XMLStreamReader {
    /// The markup inside the root element (test helper).
    fileprivate func readMarkupOfRoot() throws -> String {
        while try read() {
            if nodeType == .element { return try readContent().markup ?? "" }
        }
        return ""
    }
}
