import Foundation
import Notices
import Testing

@testable import Parser

/// An RSS feed of `items` entries (about 2 KB each) generated on the fly: big inputs without big files.
final class GeneratedFeedSource: ByteSource {
    private let items: Int
    private var produced = 0
    private var pending: [UInt8]
    private var offset = 0
    private var finished = false
    /// Bytes handed out so far.
    private(set) var delivered = 0

    init(items: Int) {
        self.items = items
        pending = Array(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel><title>Gros flux</title>\n".utf8)
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while offset == pending.count {
            if finished { return 0 }
            offset = 0
            if produced < items {
                produced += 1
                let body = String(
                    repeating: "&lt;p&gt;Travaux de r&amp;eacute;habilitation, lot \(produced).&lt;/p&gt; ", count: 24)
                pending = Array(
                    "<item><title>Avis \(produced) &eacute;t&eacute;</title><guid>id-\(produced)</guid><pubDate>Tue, 24 Nov 2026 09:00:00 +0100</pubDate><description>\(body)</description></item>\n"
                        .utf8)
            } else {
                pending = Array("</channel></rss>\n".utf8)
                finished = true
            }
        }
        let n = min(buffer.count, pending.count - offset)
        pending.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + offset, byteCount: n) }
        offset += n
        delivered += n
        return n
    }
}

/// Resident memory of this process, in bytes.
func residentBytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        return (line.split(separator: " ").compactMap { Int($0) }.first ?? 0) * 1024
    }
    return 0
}

@Suite("Safety: hostile and huge documents")
struct SafetyTests {
    @Test("XXE: external entities are never read, from disk or network")
    func xxe() throws {
        let secret = FileManager.default.temporaryDirectory.appendingPathComponent("vigie-secret-\(getpid()).txt")
        try "VIGIE-SECRET-CONTENT".write(to: secret, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: secret) }
        let xml = """
            <?xml version="1.0"?>
            <!DOCTYPE rss [
              <!ENTITY local SYSTEM "file://\(secret.path)">
              <!ENTITY passwd SYSTEM "file:///etc/passwd">
              <!ENTITY remote SYSTEM "http://127.0.0.1:9/evil.xml">
              <!ENTITY % dtd SYSTEM "http://127.0.0.1:9/evil.dtd"> %dtd;
            ]>
            <rss version="2.0"><channel><title>A&local;B&passwd;C&remote;</title>
            <item><title>&local;</title><description>&passwd;</description></item></channel></rss>
            """
        let start = Date()
        let doc = try DocumentParser.parse(Array(xml.utf8), options: ParseOptions(documentName: "xxe.xml"))
        #expect(Date().timeIntervalSince(start) < 5)
        let everything = [doc.title ?? ""] + doc.notices.flatMap { [$0.title, $0.summary ?? ""] }
        for text in everything {
            #expect(!text.contains("VIGIE-SECRET"))
            #expect(!text.contains("root:"))
        }
        #expect(doc.title == "ABC")
    }

    @Test("Billion laughs ends quickly, with bounded output")
    func billionLaughs() throws {
        var xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n<!ENTITY lol \"lol\">\n"
        xml += "<!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
        for i in 2...9 {
            xml += "<!ENTITY lol\(i) \"" + String(repeating: "&lol\(i - 1);", count: 10) + "\">\n"
        }
        xml += "]>\n<rss><channel><title>&lol9;</title><item><title>&lol9;</title></item></channel></rss>"
        let before = residentBytes()
        let start = Date()
        let outcome = Result {
            try DocumentParser.parse(Array(xml.utf8), options: ParseOptions(documentName: "lol.xml"))
        }
        #expect(Date().timeIntervalSince(start) < 5)
        #expect(residentBytes() - before < 64 << 20)
        switch outcome {
        case .success(let doc):
            // Not expanded (or expansion refused): nothing like 10⁹ "lol" came out.
            #expect((doc.title ?? "").utf8.count < 10_000)
            #expect(doc.notices.allSatisfy { $0.title.utf8.count < 10_000 })
        case .failure(let error):
            #expect(error is ParserError)
        }
    }

    @Test("10,000 nested elements: a limit error, no crash")
    func deepNesting() throws {
        let depth = 10_000
        let xml =
            "<rss><channel><item><title>x</title>" + String(repeating: "<a>", count: depth)
            + String(repeating: "</a>", count: depth) + "</item></channel></rss>"
        let outcome = Result {
            try DocumentParser.parse(Array(xml.utf8), options: ParseOptions(documentName: "deep.xml"))
        }
        switch outcome {
        case .success(let doc):
            // libxml2 stops at 256 levels; what came before is kept and the stop is reported.
            #expect(!doc.issues.isEmpty)
        case .failure(let error):
            guard let error = error as? ParserError else {
                Issue.record("unexpected \(error)")
                return
            }
            switch error {
            case .limitExceeded, .malformed: break
            default: Issue.record("unexpected \(error)")
            }
        }
        // The reader's own limit, below libxml2's, is reported as limitExceeded with a position.
        let reader = try XMLStreamReader(
            bytes: Array(xml.utf8), documentName: "deep.xml",
            limits: XMLLimits(maxBytes: 1 << 20, maxDepth: 50))
        let error = #expect(throws: ParserError.self) { while try reader.read() {} }
        guard case .limitExceeded(let issue) = error else {
            Issue.record("expected limitExceeded")
            return
        }
        #expect(issue.line == 1)
        #expect(issue.message.contains("50"))
    }

    @Test("A document past the size limit stops with limitExceeded after reading only that much")
    func sizeLimit() throws {
        // 250,000 items ≈ 500 MB if it were read to the end; the 4 MB limit stops it early.
        let source = GeneratedFeedSource(items: 250_000)
        var count = 0
        let error = #expect(throws: ParserError.self) {
            _ = try DocumentParser.parseFeed(
                source: source, options: ParseOptions(documentName: "huge.xml"),
                limits: XMLLimits(maxBytes: 4 << 20, maxDepth: 256)
            ) { _ in count += 1 }
        }
        guard case .limitExceeded(let issue) = error else {
            Issue.record("expected limitExceeded")
            return
        }
        #expect(issue.message.contains("larger than"))
        #expect(source.delivered < 6 << 20)
        #expect(count > 100)  // entries before the limit were delivered as they came
    }

    @Test("Streaming: notices arrive while the input is still being read, memory does not follow the input size")
    func streaming() throws {
        let source = GeneratedFeedSource(items: 3_000)  // ≈ 6 MB
        var firstNoticeAt: Int?
        var count = 0
        let doc = try DocumentParser.parseFeed(
            source: source, options: ParseOptions(documentName: "stream.xml"),
            onNotice: { notice in
                if firstNoticeAt == nil { firstNoticeAt = source.delivered }
                count += 1
                #expect(notice.title.hasSuffix("été"))
            })
        #expect(count == 3_000)
        #expect(doc.notices.isEmpty)
        #expect(source.delivered > 5 << 20)
        // The first notice came after at most a few chunks of a 6 MB input: the parse is incremental.
        #expect(try #require(firstNoticeAt) < 512 << 10)
        // Whole-process peak memory on a big file is checked on the built binary, in its own process
        // (ParseCommandTests): resident size here would include the tests running in parallel.
    }
}
