import Foundation
import Notices
import TestSupport
import Testing

@testable import Parser

/// One record that cannot be read is left out of its page with an issue naming the document, the record's index,
/// its id when readable and what could not be read; the other records of the page are kept, with the values the
/// raw file holds. Each test corrupts one field of one record of a real capture (a wrong type, or a missing id).
@Suite("One bad JSON record is skipped, the rest of its page kept")
struct RecordSkipTests {
    /// `raw` with the first `old` after the first `anchor` replaced by `new`.
    static func corrupt(
        _ raw: [UInt8], after anchor: String, replacing old: String, with new: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> [UInt8] {
        let a = try #require(raw.firstRange(of: Array(anchor.utf8)), "\(anchor)", sourceLocation: sourceLocation)
        let r = try #require(
            raw[a.lowerBound...].firstRange(of: Array(old.utf8)), "\(old)", sourceLocation: sourceLocation)
        var out = raw
        out.replaceSubrange(r, with: Array(new.utf8))
        return out
    }

    /// The raw file's JSON, to read the values the tests compare with.
    static func json(_ bytes: [UInt8]) throws -> Any { try JSONSerialization.jsonObject(with: Data(bytes)) }

    @Test(
        "BOAMP JSON (real ODS records): a record whose idweb is not a string is skipped, the other three kept",
        .requiresShared)
    func boamp() throws {
        try SharedData.url("samples/real")
        let raw = try SharedData.bytes("samples/real/boamp/kivou-boamp-records-4-awards-2026-08.json")
        let records = try #require((try Self.json(raw) as? [String: Any])?["records"] as? [[String: Any]])
        let ids = records.compactMap { $0["idweb"] as? String }
        #expect(ids == ["26-80978", "26-80922", "26-81190", "26-80528"])
        let whole = try SafetySupport.parse(raw, "boamp.json")
        let bad = try Self.corrupt(raw, after: "\"idweb\": \"26-80922\"", replacing: "\"26-80922\"", with: "true")
        let doc = try SafetySupport.parse(bad, "boamp.json")
        #expect(doc.notices.map(\.sourceID) == [ids[0], ids[2], ids[3]])
        #expect(doc.notices == [whole.notices[0], whole.notices[2], whole.notices[3]])
        let issues = doc.issues.filter { $0.message.contains("skipped") }
        #expect(issues.count == 1)
        #expect(issues.first?.file == "boamp.json")
        // The ODS record id (`"id": "26_80922"`) is still readable and names the record.
        #expect(records[1]["id"] as? String == "26_80922")
        #expect(issues.first?.noticeID == "26_80922")
        #expect(issues.first?.message.hasPrefix("record 1 (id 26_80922) skipped: boamp: record has no idweb") == true)
        // The raw value of a kept record, read from the file: the title of 26-81190.
        #expect(doc.notices[1].title == (records[2]["objet"] as? String))
    }

    @Test("BOAMP JSON (real Explore v2.1 page): the first record without idweb does not hide the page", .requiresShared)
    func boampFirstRecord() throws {
        try SharedData.url("samples/real")
        let raw = try SharedData.bytes(
            "samples/real/boamp/DERIVED-unwrapped-data-of-jpbenga-where-dateparution-2026.json")
        let results = try #require((try Self.json(raw) as? [String: Any])?["results"] as? [[String: Any]])
        let ids = results.compactMap { $0["idweb"] as? String }
        #expect(ids == ["26-7298", "26-7308", "26-7319", "26-7109", "26-7113"])
        let whole = try SafetySupport.parse(raw, "boamp.json")
        #expect(whole.notices.map(\.sourceID) == ids)
        // The key misspelt: the first record has no idweb at all.
        let bad = try Self.corrupt(
            raw, after: "\"results\"", replacing: "\"idweb\": \"26-7298\"", with: "\"idwb\": \"26-7298\"")
        let doc = try SafetySupport.parse(bad, "boamp.json")
        #expect(doc.format == .boampJSON)
        #expect(doc.notices == Array(whole.notices.dropFirst()))
        let issues = doc.issues.filter { $0.message.contains("skipped") }
        #expect(issues.count == 1)
        #expect(issues.first?.message.hasPrefix("record 0 (id 26_7298) skipped: boamp: record has no idweb") == true)
    }

    @Test(
        "TED search JSON (real notice, page of three): a notice without publication-number is skipped", .requiresShared)
    func ted() throws {
        try SharedData.url("samples/real")
        let page = try SafetySupport.tedPageOfThree()
        let whole = try SafetySupport.parse(page, "ted.json")
        #expect(whole.notices.map(\.sourceID) == ["619671-2026", "619672-2026", "619673-2026"])
        // A missing required id (the key misspelt). A publication number of another JSON type is kept as text:
        // TED's fields change shape, and `TEDSearchDocument.Values` reads every shape rather than lose a page.
        let bad = try Self.corrupt(
            page, after: "\"619671-2026\"", replacing: "\"publication-number\": \"619672-2026\"",
            with: "\"publication-numbr\": \"619672-2026\"")
        let doc = try SafetySupport.parse(bad, "ted.json")
        #expect(doc.notices == [whole.notices[0], whole.notices[2]])
        let issues = doc.issues.filter { $0.message.contains("skipped") }
        #expect(issues.count == 1)
        #expect(issues.first?.file == "ted.json")
        #expect(issues.first?.message.hasPrefix("record 1 skipped: ted: notice has no publication-number") == true)
        #expect(issues.first?.noticeID == nil)
        // A notice entry that is not an object at all: skipped the same way.
        let (copies, tail) = try SafetySupport.tedNoticeCopies()
        let notObject = Array(("{\"notices\": [" + copies[0] + ", 42, " + copies[2] + tail).utf8)
        let doc2 = try SafetySupport.parse(notObject, "ted.json")
        #expect(doc2.notices == [whole.notices[0], whole.notices[2]])
        #expect(doc2.issues.contains { $0.message.hasPrefix("record 1 skipped: ted: notices[1]: ") })
    }

    @Test(
        "aides-territoires (real Drôme page): an aid whose name is a number is skipped, with its id and path",
        .requiresShared)
    func aidesTerritoires() throws {
        try SharedData.url("samples/real")
        let path = "samples/real/aides-territoires/at-django-dataproviders-test-departement_drome_data.json"
        let raw = try SharedData.bytes(path)
        let results = try #require((try Self.json(raw) as? [String: Any])?["results"] as? [[String: Any]])
        #expect(results.count == 3)
        let id = try #require(results[1]["id"] as? Int)
        let name = try #require(results[1]["name"] as? String)
        let whole = try SafetySupport.parse(raw, "at.json")
        #expect(whole.notices.count == 3)
        // The raw file writes names with \u escapes: replace the second aid's "name" value whatever its spelling.
        let text = String(decoding: raw, as: UTF8.self)
        let a = try #require(text.range(of: "\"id\": \(id),"))
        let n = try #require(text.range(of: "\"name\": \"", range: a.upperBound..<text.endIndex))
        let end = try #require(text.range(of: "\",\n", range: n.upperBound..<text.endIndex))
        let bad = Array((text[..<n.lowerBound] + "\"name\": 12,\n" + text[end.upperBound...]).utf8)
        let doc = try SafetySupport.parse(bad, "at.json")
        #expect(doc.notices == [whole.notices[0], whole.notices[2]])
        #expect(!doc.notices.contains { $0.title == name })
        let issues = doc.issues.filter { $0.message.contains("skipped") }
        #expect(issues.count == 1)
        #expect(issues.first?.file == "at.json")
        #expect(issues.first?.noticeID == String(id))
        #expect(
            issues.first?.message.hasPrefix(
                "record 1 (id \(id)) skipped: aides-territoires: results[1].name: expected String")
                == true)
    }

    @Test("EU Funding (repository fixture: no real capture exists): a result whose title is a number is skipped")
    func euFunding() throws {
        let raw = try Fixture.bytes("eu-funding-page.json")
        let results = try #require((try Self.json(raw) as? [String: Any])?["results"] as? [[String: Any]])
        let whole = try SafetySupport.parse(raw, "euf.json")
        // The fixture's third result has no title at all: already skipped, with its own issue.
        #expect(results.count == 3)
        #expect(whole.notices.count == 2)
        #expect(whole.issues.filter { $0.message.hasPrefix("record 2 ") }.count == 1)
        let title = try #require(results[0]["title"] as? String)
        let bad = try Self.corrupt(raw, after: "\"results\"", replacing: "\"\(title)\"", with: "12")
        let doc = try SafetySupport.parse(bad, "euf.json")
        #expect(doc.notices == Array(whole.notices.dropFirst()))
        let issues = doc.issues.filter { $0.message.hasPrefix("record 0 ") }
        #expect(issues.count == 1)
        #expect(issues.first?.file == "euf.json")
        #expect(issues.first?.message.contains("skipped: eu-funding: results[0].title: expected String") == true)
    }

    @Test("DECP 2022 (real test file): a contract whose objet is an object is skipped, with its id", .requiresShared)
    func decp() throws {
        try SharedData.url("samples/real")
        let raw = try SharedData.bytes("samples/real/decp/decp-processing-decp_test-format2022.json")
        let marches = try #require(
            ((try Self.json(raw) as? [String: Any])?["marches"] as? [String: Any])?["marche"] as? [[String: Any]])
        let id = try #require(marches[2]["id"] as? String)
        let objet = try #require(marches[2]["objet"] as? String)
        let whole = try SafetySupport.parse(raw, "decp.json")
        #expect(whole.notices.count == marches.count)
        let bad = try Self.corrupt(
            raw, after: "\"id\": \"\(id)\"", replacing: "\"objet\": \"\(objet)\"", with: "\"objet\": {\"a\": 1}")
        let doc = try SafetySupport.parse(bad, "decp.json")
        var expected = whole.notices
        expected.remove(at: 2)
        #expect(doc.notices == expected)
        let issues = doc.issues.filter { $0.message.contains("skipped") }
        #expect(issues.count == 1)
        #expect(issues.first?.file == "decp.json")
        #expect(issues.first?.noticeID == id)
        #expect(issues.first?.message.hasPrefix("record 2 (id \(id)) skipped: decp: objet: ") == true)
    }

    @Test("A page that is not JSON at all still throws")
    func notJSON() {
        #expect(throws: ParserError.self) {
            _ = try SafetySupport.parse(Array("{ <html>erreur 502</html> }".utf8), "page.json")
        }
        #expect(throws: ParserError.self) {
            _ = try SafetySupport.parse(Array("[\"a\" \"b\"]".utf8), "page.json")
        }
    }
}
