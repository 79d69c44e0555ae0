import Foundation
import Notices
import TestSupport
import Testing

@testable import Parser

/// The SAX2 fast path (`XMLEventBuffer(saxParsing:)`) against the full streaming reader: the same notice from the
/// same bytes, and the fast path declining every document it must leave to the reader.
@Suite struct EFormsFastPathTests {
    static let fixtures = [
        "eforms-cn-mecanique.xml", "eforms-pin-parts.xml", "eforms-can-mecanique.xml", "eforms-change-mecanique.xml",
    ]

    static func bothPaths(_ bytes: [UInt8], name: String) throws -> (fast: Notice, full: Notice) {
        let options = ParseOptions(sourceID: "ted", documentName: name)
        #expect(XMLEventBuffer(saxParsing: bytes) != nil, "the fast path should take \(name)")
        let fast = try EFormsAdapter.parse(bytes, options: options)
        let full = try EFormsAdapter.parse(bytes, options: options, fastPath: false)
        #expect(fast.issues.isEmpty && full.issues.isEmpty)
        return (fast.notice, full.notice)
    }

    @Test("Fixtures: the fast path gives the full reader's notice", arguments: fixtures)
    func fixture(_ name: String) throws {
        let (fast, full) = try Self.bothPaths(try Fixture.bytes(name), name: name)
        #expect(fast == full)
        #expect(!fast.title.isEmpty)
    }

    @Test(
        "Real TED capture (CNES 612553-2026): the same notice either way, with the raw file's values", .requiresShared)
    func realCapture() throws {
        let file = "kivou-612553-2026-CNES-cn.xml"
        let (fast, full) = try Self.bothPaths(
            try SharedData.bytes("\(TEDRealCaptures.dir)/\(file)"), name: file)
        #expect(fast == full)
        // E/efac:Publication/efbc:NoticePublicationID "00612553-2026"; /*/cac:ProcurementProject/cbc:Name.
        #expect(fast.sourceID == "612553-2026")
        #expect(fast.title == "Assistance à maîtrise d’ouvrage sur le logiciel SAP")
        // cac:MainCommodityClassification/cbc:ItemClassificationCode.
        #expect(fast.mainCPV == "72261000")
    }

    @Test("Characters, CDATA and predefined entities in a field read the same either way")
    func textPieces() throws {
        let xml = EFormsQuirkTests.notice(
            project: "<cbc:Description languageID=\"FRA\">A &amp; B &#233;t&lt;<![CDATA[ <c> ]]>fin</cbc:Description>")
        let (fast, full) = try Self.bothPaths(Array(xml.utf8), name: "inline.xml")
        #expect(fast == full)
        #expect(fast.summary == "A & B ét< <c> fin")
    }

    @Test("The fast path declines a DOCTYPE, an XML error, UTF-16 and an attribute with a reference")
    func declines() throws {
        let plain = EFormsQuirkTests.notice()
        #expect(XMLEventBuffer(saxParsing: Array(plain.utf8)) != nil)
        let withDTD = plain.replacingOccurrences(
            of: "<ContractNotice ", with: "<!DOCTYPE ContractNotice [<!ENTITY x \"y\">]>\n<ContractNotice ")
        #expect(XMLEventBuffer(saxParsing: Array(withDTD.utf8)) == nil)
        let broken = plain.replacingOccurrences(of: "</cbc:NoticeLanguageCode>", with: "</cbc:NoticeLanguage>")
        #expect(XMLEventBuffer(saxParsing: Array(broken.utf8)) == nil)
        let cut = Array(plain.utf8.prefix(plain.utf8.count / 2))
        #expect(XMLEventBuffer(saxParsing: cut) == nil)
        var utf16: [UInt8] = [0xFF, 0xFE]
        for unit in plain.utf16 { utf16 += [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        #expect(XMLEventBuffer(saxParsing: utf16) == nil)
        let ampersand = plain.replacingOccurrences(of: "schemeName=\"notice-id\"", with: "schemeName=\"a&amp;b\"")
        #expect(XMLEventBuffer(saxParsing: Array(ampersand.utf8)) == nil)
        // Declined documents go through the reader: the same notice, or the same error, as before.
        for doc in [withDTD, broken, ampersand] {
            #expect(Self.outcome(Array(doc.utf8), fastPath: true) == Self.outcome(Array(doc.utf8), fastPath: false))
        }
        #expect(Self.outcome(cut, fastPath: true) == Self.outcome(cut, fastPath: false))
        #expect(Self.outcome(cut, fastPath: true).hasPrefix("error: "))
    }

    static func outcome(_ bytes: [UInt8], fastPath: Bool) -> String {
        do {
            let parsed = try EFormsAdapter.parse(
                bytes, options: ParseOptions(documentName: "d.xml"), fastPath: fastPath)
            return "\(parsed.notice) \(parsed.issues)"
        } catch {
            return "error: \(error)"
        }
    }

    @Test(
        "Plain amounts are the Decimal Foundation reads",
        arguments: [
            "1850000", "159691.60", "-12.5", "0", "0.000", "123456789012345678", "1234567890123456789", ".5", "1.",
            "-0",
            "007", "1.2.3", "12-3",
        ])
    func plainDecimal(_ s: String) {
        let fast = FormatSupport.plainDecimal(s)
        let foundation = Decimal(string: s)
        #expect(fast == foundation)
        #expect(fast?.description == foundation?.description)
    }
}
