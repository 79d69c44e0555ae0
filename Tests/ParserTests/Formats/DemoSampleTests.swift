import Foundation
import TestSupport
import Testing

@testable import Notices
@testable import Parser

/// The invented samples of `make demo` (`Feeds/samples/`, read by `Feeds/demo.yaml`).
///
/// The store merges the records of one opportunity through their identifiers (BOAMP idweb, TED publication number,
/// eForms procedure and notice ids, buyer's reference). Two samples that share one must be the same tender on two
/// sources — same buyer, same deadline — or the demo shows one tender made of two, with conflicting deadlines
/// (the eForms sample once carried the TED number 781765-2026 of the Cognac bottles tender).
@Suite struct DemoSampleTests {
    static let folder = SharedData.packageRoot.appendingPathComponent("Feeds/samples")

    /// Every notice of every demo sample, as `vigie fetch` reads them.
    static func notices() throws -> [Notice] {
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        var out: [Notice] = []
        for name in files {
            let bytes = [UInt8](try Data(contentsOf: folder.appendingPathComponent(name)))
            let options = ParseOptions(sourceID: "demo-" + name, documentName: name)
            // The format is found from the content, as `vigie fetch` does.
            let parsed = try DocumentParser.parse(bytes, options: options)
            #expect(parsed.issues.isEmpty, "\(name): \(parsed.issues)")
            // Feed items state their deadline in prose: the intake the nightly fetch uses reads it.
            out += NoticeIntake.notices(of: parsed)
        }
        return out
    }

    /// The identifiers a notice is merged by, written so that equal ones compare equal (TED numbers without their
    /// zero padding, as the store compares them).
    static func identifiers(_ n: Notice) -> [String] {
        var ids: [String] = []
        if let v = n.refs.boampIDWeb { ids.append("boamp:" + v) }
        if let v = n.refs.tedPublicationNumber {
            let parts = v.split(separator: "-", maxSplits: 1)
            ids.append("ted:" + String(parts[0].drop { $0 == "0" }) + "-" + (parts.count > 1 ? String(parts[1]) : ""))
        }
        if let v = n.refs.eformsProcedureID { ids.append("procedure:" + v.lowercased()) }
        if let v = n.refs.eformsNoticeID { ids.append("notice:" + v.lowercased()) }
        if let v = n.refs.buyerReference { ids.append("buyer-ref:\(n.buyer?.id ?? n.buyer?.name ?? "")|\(v)") }
        return ids
    }

    @Test func sharedIdentifiersJoinOnlyTheSameTender() throws {
        let notices = try Self.notices()
        #expect(notices.count == 55, "11 RSS items, 10 aids, 12 BOAMP records, 1 eForms notice, 9 calls, 12 TED")
        var byID: [String: [Notice]] = [:]
        for n in notices {
            for id in Self.identifiers(n) { byID[id, default: []].append(n) }
        }
        for (id, group) in byID.sorted(by: { $0.key < $1.key }) where group.count > 1 {
            let deadlines = Set(group.map { $0.deadline?.instant })
            let buyers = Set(group.map { $0.buyer?.name })
            #expect(deadlines.count == 1, "\(id) joins \(group.map(\.id)) with deadlines \(deadlines)")
            #expect(buyers.count == 1, "\(id) joins \(group.map(\.id)) of buyers \(buyers)")
        }
    }

    /// The tender four samples carry on purpose: BOAMP 26-118548, TED search 781652-2026, the eForms notice (the
    /// same TED publication, the same procedure) and the buyer platform's item 2026-AO-4104 (joined by title and
    /// deadline), with one deadline, 1 February 2027 at 12:00 in Paris.
    @Test func theChaudronnerieTenderIsOneTenderOnFourSources() throws {
        let notices = try Self.notices()
        let eforms = try #require(notices.first { $0.source == "demo-eforms-cn-chaudronnerie-nucleaire.xml" })
        let boamp = try #require(notices.first { $0.sourceID == "26-118548" })
        let ted = try #require(
            notices.first { $0.source == "demo-ted-search-page.json" && $0.sourceID == "781652-2026" })
        let rss = try #require(notices.first { $0.sourceID == "2026-AO-4104" })
        #expect(eforms.refs.tedPublicationNumber == "781652-2026")
        #expect(eforms.refs.eformsProcedureID == boamp.refs.eformsProcedureID)
        #expect(ted.refs.eformsProcedureID == boamp.refs.eformsProcedureID)
        for n in [eforms, boamp, ted, rss] {
            #expect(n.deadline.map { ISO8601.format($0.instant) } == "2027-02-01T11:00:00Z", "\(n.id)")
        }
        #expect(eforms.documentsURL == "https://marches.acheteurs-rhone-loire.example/consultation/2026-AO-4104/dce")
        #expect(eforms.buyer?.contact == boamp.buyer?.contact)
    }

    /// TED's search answers and BOAMP's records of the same tenders give the same instant: the TED sample names
    /// the time of each deadline (`deadline-receipt-tender-time-lot`), so none falls back to 23:59.
    @Test func tedAndBOAMPGiveTheSameDeadlines() throws {
        let notices = try Self.notices()
        let ted = notices.filter { $0.source == "demo-ted-search-page.json" }
        #expect(ted.count == 12)
        for t in ted {
            let twin = notices.first {
                $0.source == "demo-boamp-api-page.json" && $0.refs.eformsProcedureID == t.refs.eformsProcedureID
            }
            #expect(twin != nil, "\(t.sourceID) has no BOAMP record of the same procedure")
            #expect(twin?.deadline?.instant == t.deadline?.instant, "\(t.sourceID)")
        }
    }

    /// The demo shows what a member needs to act on a few notices: the buyer's contact and the documents link.
    @Test func someNoticesCarryAContactAndADocumentsLink() throws {
        let notices = try Self.notices()
        let tenders = notices.filter { $0.kind == .tender }
        let withBoth = tenders.filter { $0.buyer?.contact?.email != nil && $0.documentsURL != nil }
        #expect(withBoth.count >= 5, "\(withBoth.map(\.id))")
        let calls = notices.filter { $0.kind == .callForProjects && $0.buyer?.contact?.email != nil }
        #expect(calls.count >= 3, "\(calls.map(\.id))")
    }

    /// Every lot of the structured samples has a title, as eForms requires (BT-21): none shows as a bare LOT-0001.
    @Test func everyLotHasATitle() throws {
        let lots = try Self.notices().flatMap { n in n.lots.map { (n.id, $0) } }
        #expect(lots.count >= 27, "12 BOAMP, 12 TED and 3 eForms lots")
        for (id, lot) in lots { #expect(lot.title != nil, "\(id) \(lot.id)") }
    }
}
