import Foundation
import Notices
import TestSupport
import Testing

@testable import Parser

/// The 10 eForms SDK examples in `../shared/samples/eforms/` against `expected-extraction.json`.
@Suite struct EFormsSampleTests {
    static let dir = "samples/eforms"

    static var names: [String] {
        let n = SharedData.files(dir, ext: "xml")
        return n.isEmpty ? ["(../shared missing)"] : n
    }

    @Test(.requiresShared, arguments: names)
    func matchesExpectedExtraction(_ file: String) throws {
        try SharedData.url(Self.dir)
        let expectedData = try Data(
            contentsOf: SharedData.root.appendingPathComponent("\(Self.dir)/expected-extraction.json"))
        let all = try #require(try JSONSerialization.jsonObject(with: expectedData) as? [String: [String: Any]])
        let e = try #require(all[file], "no expected values for \(file)")
        let bytes = try SharedData.bytes("\(Self.dir)/\(file)")
        let doc = try #require(
            try FormatRegistry.parseNoticeXML(
                rootName: e["root"] as? String ?? "", namespace: nil,
                bytes: bytes, options: ParseOptions(sourceID: "ted", documentName: file)))
        #expect(doc.format == .eforms)
        #expect(doc.notices.count == 1)
        let n = try #require(doc.notices.first)
        func s(_ k: String) -> String { e[k] as? String ?? "" }

        #expect(n.title == FormatSupport.clean(s("title")))
        #expect(n.buyer?.name == s("buyerName"))
        #expect((n.buyer?.country ?? "") == s("buyerCountry"))
        #expect((n.buyer?.nuts ?? "") == s("buyerNUTS"))
        #expect((n.mainCPV ?? "") == s("cpvMain"))
        #expect((n.procedure ?? "") == s("procType"))
        #expect(n.version == s("version"))
        #expect(n.refs.eformsNoticeID == "\(s("noticeId"))-\(s("version"))")
        #expect(n.language == FormatSupport.iso639_1(s("lang")))
        // Lots: eForms lots (schemeName Lot); PIN parts are kept as lots too, flagged `part` (PAR- ids).
        #expect(n.lots.filter { $0.kind != "part" }.count == e["lots"] as? Int)
        #expect(n.lots.allSatisfy { ($0.kind == "part") == $0.id.hasPrefix("PAR-") })
        // Value: BT-27 estimate, else the award notice total (BT-161).
        let wantValue = s("estValue").isEmpty ? s("noticeValue") : s("estValue")
        if wantValue.isEmpty {
            #expect(n.value == nil)
        } else {
            #expect(n.value?.amount == Decimal(string: wantValue))
            #expect(n.value?.currency == (s("cur").isEmpty ? "EUR" : s("cur")))
        }
        if !s("lotValue1").isEmpty {
            #expect(n.lots.first?.value?.amount == Decimal(string: s("lotValue1")))
        }
        // Deadline: BT-131 date + time of the first lot.
        if s("deadline1").isEmpty {
            // No BT-131: restricted and negotiated procedures then close on requests to participate (BT-1311).
            let requestDeadlines: [String: String] = [
                "cn_81_FRA.xml": "2020-09-14T16:00:00+01:00", "cn_24_maximal.xml": "2023-05-22T20:59:32+01:00",
            ]
            #expect(n.deadline?.iso8601 == requestDeadlines[file])
        } else {
            let want = FormatSupport.combine(date: s("deadline1"), time: s("deadlineT1"))
            #expect(n.deadline == want)
            #expect(
                n.deadline?.iso8601.hasPrefix(
                    String(s("deadline1").prefix(10)) + "T" + String(s("deadlineT1").prefix(8))) == true)
        }
        if !s("nutsProc").isEmpty { #expect(n.places.contains { $0.nuts == s("nutsProc") }) }
        if !s("nutsLot1").isEmpty { #expect(n.lots.first?.places.contains { $0.nuts == s("nutsLot1") } == true) }
        if !s("pubNo").isEmpty {
            #expect(n.refs.tedPublicationNumber == FormatSupport.tedPublicationNumber(s("pubNo")))
        }
        let kind: NoticeKind =
            file.hasPrefix("change-")
            ? .change
            : s("root") == "ContractAwardNotice"
                ? .award
                : s("root") == "PriorInformationNotice" ? .priorInformation : .tender
        #expect(n.kind == kind)
        #expect(n.cpv.first == n.mainCPV)
    }
}

extension EFormsSampleTests {
    /// The buyer's address (Seine-et-Marne, FR102) is not a place of performance (Bouches-du-Rhône, FRL04).
    @Test(.requiresShared) func buyerAddressIsNotThePlace() throws {
        try SharedData.url(Self.dir)
        let bytes = try SharedData.bytes("\(Self.dir)/cn_81_FRA.xml")
        let doc = try #require(
            try FormatRegistry.parseNoticeXML(
                rootName: "ContractNotice", namespace: nil,
                bytes: bytes, options: ParseOptions()))
        let n = try #require(doc.notices.first)
        #expect(n.buyer?.nuts == "FR102")
        #expect(n.places.map(\.nuts) == ["FRL04"])
        #expect(n.places.first?.departement == "13")
        #expect(n.title.hasPrefix("Assistance à maîtrise d’œuvre"))
        #expect(n.kind == .tender)
    }

    /// Multilingual notice: the notice language (English) wins over the first text (Bulgarian).
    @Test(.requiresShared) func multilingualPicksNoticeLanguage() throws {
        try SharedData.url(Self.dir)
        let bytes = try SharedData.bytes("\(Self.dir)/cn_24_multilingual.xml")
        let doc = try #require(
            try FormatRegistry.parseNoticeXML(
                rootName: "ContractNotice", namespace: nil,
                bytes: bytes, options: ParseOptions()))
        let n = try #require(doc.notices.first)
        #expect(n.language == "en")
        #expect(n.title.hasPrefix("Provision of IT Services"))
    }
}
