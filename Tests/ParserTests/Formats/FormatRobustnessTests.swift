import Foundation
import Notices
import Testing

@testable import Parser

/// Damaged inputs: every fixture cut and corrupted with a fixed seed must give a document or a `ParserError`,
/// never a crash or another error type.
@Suite struct FormatRobustnessTests {
    static let fixtures = [
        "eforms-cn-mecanique.xml", "eforms-pin-parts.xml", "boamp-annonce-mapa.xml", "boamp-api-records.json",
        "boamp-legacy-notice.json", "ted-search-page.json", "aides-territoires-page.json", "eu-funding-page.json",
        "decp-2022.json", "ted-daily-package.tar.gz",
    ]

    @Test(arguments: fixtures)
    func damagedInputNeverCrashes(_ name: String) throws {
        let original = try Fixture.bytes(name)
        var state: UInt64 = 0x5EED_0000 &+ UInt64(name.utf8.count)
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33)
        }
        for round in 0..<40 {
            var bytes = original
            switch round % 4 {
            case 0: bytes = Array(bytes.prefix(next() % max(1, bytes.count)))
            case 1: for _ in 0..<8 { bytes[next() % bytes.count] = UInt8(truncatingIfNeeded: next()) }
            case 2:
                let at = next() % bytes.count
                bytes.removeSubrange(at..<min(bytes.count, at + 1 + next() % 200))
            default:
                let at = next() % bytes.count
                bytes.insert(contentsOf: Array(#"<x>"{"[&#0;]}</"#.utf8), at: at)
            }
            do {
                _ = try Self.parse(bytes, name: "\(name)#\(round)")
            } catch let error as ParserError {
                // Expected for many damages: a parser error, worded for the user.
                #expect(error.description.hasPrefix("parser: "))
            }
        }
        // The undamaged input still parses after all this (no state leaks between documents).
        #expect(try !Self.parse(original, name: name).notices.isEmpty)
    }

    /// The format adapters' own entry points, chosen by the fixture's kind (JSON, package, notice XML), so the
    /// test exercises this folder's code whatever the damage did to the first bytes.
    static func parse(_ bytes: [UInt8], name: String) throws -> ParsedDocument {
        let options = ParseOptions(documentName: name)
        if name.contains(".json") {
            return try FormatRegistry.parseJSON(bytes, options: options) ?? ParsedDocument(format: .boampJSON)
        }
        if name.contains(".tar.gz") {
            return try FormatRegistry.parsePackage(bytes, options: options) ?? ParsedDocument(format: .tedPackage)
        }
        return try NoticeXMLDispatcher.parse(bytes, documentName: name, options: options)
    }

    @Test func oversizedTarMemberIsSkipped() throws {
        // A header claiming an 8 GiB member must not be allocated.
        var header = [UInt8](repeating: 0, count: 512)
        let name = Array("20261016_201/00000001_2026.xml".utf8)
        header.replaceSubrange(0..<name.count, with: name)
        let size = Array(String(8 << 30, radix: 8).utf8)
        header.replaceSubrange(124..<(124 + size.count), with: size)
        header[156] = UInt8(ascii: "0")
        header.replaceSubrange(257..<262, with: Array("ustar".utf8))
        let tar = header + [UInt8](repeating: 0x20, count: 4096)
        let doc = try #require(try FormatRegistry.parsePackage(tar, options: ParseOptions(documentName: "big.tar")))
        #expect(doc.notices.isEmpty)
        #expect(doc.issues.contains { $0.file == "20261016_201/00000001_2026.xml" && $0.message.contains("larger") })
    }

    @Test func impossibleDatesAreNotDeadlines() {
        #expect(DeadlineExtractor.extract("Date limite de réception des offres : 31/02/2026 à 12h00") == nil)
        #expect(DeadlineExtractor.extract("Date limite de réception des offres : 29/02/2028 à 12h00") != nil)
    }
}
