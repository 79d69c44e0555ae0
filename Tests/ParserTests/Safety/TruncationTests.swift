import Foundation
import Notices
import TestSupport
import Testing

@testable import Parser

/// A document cut short — a server's Content-Length shorter than its body makes curl keep only the first part —
/// is `truncated`, whether or not the recovering pass salvages entries: the fetcher counts it as a failed page.
/// Real captures are cut in the middle of a record; the uncut file is the reference.
@Suite("Truncated documents are flagged")
struct TruncationTests {
    /// `bytes` up to the middle of the first occurrence of `needle`.
    static func cut(_ bytes: [UInt8], inside needle: String, sourceLocation: SourceLocation = #_sourceLocation)
        throws -> [UInt8]
    {
        let n = Array(needle.utf8)
        let r = try #require(bytes.firstRange(of: n), "\(needle) not found", sourceLocation: sourceLocation)
        return Array(bytes[..<(r.lowerBound + n.count / 2)])
    }

    // MARK: - Feeds (no real feed capture exists in ../shared/samples/real: the repository's fixtures)

    @Test("RSS cut inside its second item: truncated, the first item kept; uncut: not truncated")
    func rssCut() throws {
        let raw = try Fixture.bytes("rss-buyer-platform.xml")
        let whole = try SafetySupport.parse(raw, "rss.xml")
        #expect(whole.truncated == false)
        #expect(whole.notices.count == 2)
        let second = try #require(
            raw.indices.filter { raw[$0...].starts(with: Array("<item>".utf8)) }.dropFirst().first)
        let cut = Array(raw[..<(second + 40)])
        let doc = try SafetySupport.parse(cut, "rss.xml")
        #expect(doc.truncated == true)
        #expect(doc.notices.first == whole.notices.first)
        #expect(doc.issues.contains { $0.message.contains("truncated") })
    }

    @Test("RSS streamed from a file and cut: truncated")
    func rssFileCut() throws {
        let raw = try Fixture.bytes("rss-buyer-platform.xml")
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vigie-cut-\(getpid()).xml")
        try Data(raw[..<(raw.count * 2 / 3)]).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let doc = try DocumentParser.parseFile(atPath: url.path, options: ParseOptions(documentName: url.path))
        #expect(doc.truncated == true)
        try Data(raw).write(to: url)
        #expect(try DocumentParser.parseFile(atPath: url.path, options: ParseOptions()).truncated == false)
    }

    @Test("Atom cut inside its entry: truncated; uncut: not")
    func atomCut() throws {
        let raw = try Fixture.bytes("atom-regional-calls.xml")
        #expect(try SafetySupport.parse(raw, "atom.xml").truncated == false)
        let doc = try SafetySupport.parse(try Self.cut(raw, inside: "<entry>"), "atom.xml")
        #expect(doc.truncated == true)
    }

    @Test("A root end tag cut short at the very end loses nothing: not truncated")
    func rootEndTagCut() throws {
        let raw = try Fixture.bytes("rss-buyer-platform.xml")
        let end = try #require(raw.lastRange(of: Array("</rss>".utf8)))
        let doc = try SafetySupport.parse(Array(raw[..<(end.upperBound - 1)]), "rss.xml")
        #expect(doc.truncated == false)
        #expect(doc.notices.count == 2)
        // Comments after the root do not hide its end.
        let commented = try SafetySupport.parse(raw + Array("\n<!-- généré le 24/11 -->\n".utf8), "rss.xml")
        #expect(commented.truncated == false)
    }

    @Test("A feed broken in the middle but complete is damaged, not truncated")
    func brokenNotTruncated() throws {
        let raw = String(decoding: try Fixture.bytes("rss-buyer-platform.xml"), as: UTF8.self)
        let broken = raw.replacingOccurrences(of: "</title>", with: "</titel>")
        let doc = try SafetySupport.parse(Array(broken.utf8), "rss.xml")
        #expect(doc.truncated == false)
    }

    // MARK: - eForms and BOAMP XML: one notice per document, so a cut one fails and says why

    @Test("eForms (real TED capture) cut in the middle: refused, the error says truncated", .requiresShared)
    func eFormsCut() throws {
        try SharedData.url("samples/real")
        let raw = try SharedData.bytes("samples/real/ted/kivou-612553-2026-CNES-cn.xml")
        #expect(try SafetySupport.parse(raw, "cn.xml").truncated == false)
        let cut = Array(raw[..<(raw.count / 2)])
        #expect {
            _ = try EFormsAdapter.parse(cut, options: ParseOptions(documentName: "cn.xml"))
        } throws: { error in
            guard case ParserError.malformed(let issue) = error else { return false }
            return issue.file == "cn.xml"
                && issue.message.hasPrefix(
                    "document ends before its root element <ContractNotice> is closed (truncated)")
        }
    }

    // MARK: - JSON pages (real captures)

    @Test("BOAMP JSON (real ODS records) cut inside the third record: truncated, the first two kept", .requiresShared)
    func boampJSONCut() throws {
        try SharedData.url("samples/real")
        let raw = try SharedData.bytes("samples/real/boamp/kivou-boamp-records-4-awards-2026-08.json")
        let whole = try SafetySupport.parse(raw, "boamp.json")
        #expect(whole.truncated == false)
        #expect(whole.notices.map(\.sourceID) == ["26-80978", "26-80922", "26-81190", "26-80528"])
        let doc = try SafetySupport.parse(try Self.cut(raw, inside: "\"idweb\": \"26-81190\""), "boamp.json")
        #expect(doc.truncated == true)
        #expect(doc.notices == Array(whole.notices.prefix(2)))
        #expect(doc.issues.contains { $0.file == "boamp.json" && $0.message.contains("truncated") })
    }

    @Test(
        "TED search JSON (real page of one notice) cut inside it: nothing complete, so it fails and says why",
        .requiresShared)
    func tedJSONCut() throws {
        try SharedData.url("samples/real")
        let raw = try SharedData.bytes("samples/real/ted/ted-619675-2026-FRA-buyer.json")
        let whole = try SafetySupport.parse(raw, "ted.json")
        #expect(whole.truncated == false)
        #expect(whole.notices.map(\.sourceID) == ["619675-2026"])
        #expect {
            _ = try SafetySupport.parse(Array(raw[..<(raw.count / 2)]), "ted.json")
        } throws: { error in
            guard case ParserError.malformed(let issue) = error else { return false }
            return issue.file == "ted.json"
                && issue.message.hasPrefix("json: document ends before its top-level value is closed (truncated after ")
        }
    }

    @Test("TED search JSON (real notice, page of three) cut inside the third: truncated, two kept", .requiresShared)
    func tedJSONPageCut() throws {
        try SharedData.url("samples/real")
        // The real page holds one notice: three copies of it (publication numbers made distinct) form a page.
        let page = try SafetySupport.tedPageOfThree()
        let whole = try SafetySupport.parse(page, "ted.json")
        #expect(whole.notices.map(\.sourceID) == ["619671-2026", "619672-2026", "619673-2026"])
        let doc = try SafetySupport.parse(try Self.cut(page, inside: "\"619673-2026\""), "ted.json")
        #expect(doc.truncated == true)
        #expect(doc.notices == Array(whole.notices.prefix(2)))
    }

    @Test("aides-territoires (real dump) cut inside its 101st aid: truncated, the first 100 kept", .requiresShared)
    func aidesTerritoiresCut() throws {
        try SharedData.url("samples/real")
        let path = "samples/real/aides-territoires/offseason-AT_aides_full-2021-11-26-TRIMMED.json"
        let raw = try SharedData.bytes(path)
        let records = try #require(try JSONSerialization.jsonObject(with: Data(raw)) as? [[String: Any]])
        let whole = try SafetySupport.parse(raw, "at.json")
        #expect(whole.truncated == false)
        try #require(whole.notices.count == records.count)
        let slug = try #require(records[100]["slug"] as? String)
        let doc = try SafetySupport.parse(try Self.cut(raw, inside: "\"slug\": \"\(slug)\""), "at.json")
        #expect(doc.truncated == true)
        #expect(doc.notices == Array(whole.notices.prefix(100)))
    }

    @Test("DECP (real 2019 file) cut inside a record: truncated, the records before kept", .requiresShared)
    func decpCut() throws {
        try SharedData.url("samples/real")
        let raw = try SharedData.bytes("samples/real/decp/decp-rama-e-marchespublics-2019-04-03.json")
        let whole = try SafetySupport.parse(raw, "decp.json")
        #expect(whole.truncated == false)
        let cut = Array(raw[..<(raw.count / 2)])
        let doc = try SafetySupport.parse(cut, "decp.json")
        #expect(doc.truncated == true)
        #expect(!doc.notices.isEmpty)
        #expect(doc.notices == Array(whole.notices.prefix(doc.notices.count)))
        // The streaming entry point says the same.
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vigie-decp-cut-\(getpid()).json")
        try Data(cut).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        var streamed = 0
        let streamedDoc = try DocumentParser.parseFile(atPath: url.path, options: ParseOptions()) { _ in streamed += 1 }
        #expect(streamedDoc.truncated == true)
        #expect(streamed == doc.notices.count)
    }

    @Test("JSON cut detection: closed documents, bare scalars and broken-but-closed ones are not truncated")
    func cutDetection() {
        #expect(JSONTruncation.cut(Array(#"{"results": [{"a": 1}, {"b": "]"}]}"#.utf8)) == nil)
        #expect(JSONTruncation.cut(Array(#"{"results": [1,, 2]}"#.utf8)) == nil)
        #expect(JSONTruncation.cut(Array("42".utf8)) == nil)
        let cut = JSONTruncation.cut(Array(#"{"n": 2, "results": [{"a": "x"}, {"b": "y\"}"#.utf8))
        #expect(cut?.salvage.map { String(decoding: $0, as: UTF8.self) } == #"{"n": 2, "results": [{"a": "x"}]}"#)
        #expect(JSONTruncation.cut(Array(#"{"a": {"b": 1"#.utf8)) == JSONTruncation.Cut(length: 13, salvage: nil))
    }
}
