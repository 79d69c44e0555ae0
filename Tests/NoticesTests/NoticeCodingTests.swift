import Foundation
import Testing

@testable import Notices

/// The JSON form of the fields added for awards, PIN parts and change notices.
@Suite struct NoticeCodingTests {
    static func json(_ n: Notice) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(n)) as? [String: Any])
    }

    @Test func awardeesRoundTripAndAreAlwaysEncoded() throws {
        var n = Notice(source: "decp", sourceID: "1", kind: .award, title: "Rétrofit")
        #expect(try Self.json(n)["awardees"] as? [Any] != nil, "an empty list, never absent")
        n.awardees = [Buyer(name: "Usinage du Forez", id: "41234567800021"), Buyer(id: "FR99999999999")]
        let data = try JSONEncoder().encode(n)
        #expect(try JSONDecoder().decode(Notice.self, from: data) == n)
        let list = try #require(try Self.json(n)["awardees"] as? [[String: Any]])
        #expect(list.first?["name"] as? String == "Usinage du Forez")
        #expect(list.last?["id"] as? String == "FR99999999999")
    }

    @Test func noticesStoredBeforeTheFieldsExistStillDecode() throws {
        let old =
            #"{"source":"boamp","source_id":"26-1","title":"x","refs":{"boamp_idweb":"26-1"},"#
            + #""lots":[{"id":"1","cpv":[],"places":[]}]}"#
        let n = try JSONDecoder().decode(Notice.self, from: Data(old.utf8))
        #expect(n.awardees.isEmpty)
        #expect(n.refs.changedNotice == nil)
        #expect(n.lots.first?.kind == nil)
    }

    @Test func changedNoticeHasItsKeyAndCountsAsAReference() throws {
        let refs = CrossReferences(changedNotice: "c4c415ee-ac08-4465-8fa6-57568cf69462-01")
        #expect(!refs.isEmpty)
        #expect(CrossReferences().isEmpty)
        let n = Notice(source: "ted", sourceID: "2", kind: .change, title: "x", refs: refs)
        let encoded = try #require(try Self.json(n)["refs"] as? [String: Any])
        #expect(encoded["changed_notice"] as? String == "c4c415ee-ac08-4465-8fa6-57568cf69462-01")
        #expect(try JSONDecoder().decode(Notice.self, from: JSONEncoder().encode(n)).refs == refs)
    }

    @Test func lotKindRoundTrips() throws {
        let n = Notice(
            source: "ted", sourceID: "3", kind: .priorInformation, title: "x",
            lots: [Lot(id: "PAR-0001", kind: "part"), Lot(id: "LOT-0001")])
        #expect(try JSONDecoder().decode(Notice.self, from: JSONEncoder().encode(n)).lots.map(\.kind) == ["part", nil])
    }
}

/// Deadline kinds, value kinds and the place of publication, and their reading of stores written before them.
@Suite struct NoticeKindsCodingTests {
    @Test func deadlineAndValueKindsRoundTrip() throws {
        let z = try #require(ISO8601.parseZoned("2026-06-08T12:00:00+02:00"))
        var n = Notice(
            source: "ted", sourceID: "612558-2026", title: "x", deadline: z,
            deadlineKind: .requestToParticipate)
        n.otherDeadlines = [NamedDate(kind: .questions, lot: "LOT-0002", date: z)]
        n.value = Money(amount: 480_000, currency: "EUR", kind: .frameworkMaximum)
        n.publicationDepartements = ["52", "10"]
        n.lots = [Lot(id: "LOT-0001", title: "Robinetterie", description: "Vannes DN50", deadline: z)]
        let back = try JSONDecoder().decode(Notice.self, from: JSONEncoder().encode(n))
        #expect(back == n)
        let json = try NoticeCodingTests.json(n)
        #expect(json["deadline_kind"] as? String == "request_to_participate")
        #expect((json["value"] as? [String: Any])?["kind"] as? String == "framework_maximum")
        #expect(json["publication_departements"] as? [String] == ["52", "10"])
    }

    @Test(arguments: [
        ("requests LOT-0002", DeadlineKind.requestToParticipate, "LOT-0002" as String?, nil as String?),
        ("questions", .questions, nil, nil),
        ("stage 2", .nextStage, nil, nil),
        ("Visite du site", .other, nil, "Visite du site"),
    ])
    func legacyLabelsDecodeToKinds(_ label: String, _ kind: DeadlineKind, _ lot: String?, _ kept: String?) throws {
        let old = #"{"label":"\#(label)","date":"2026-06-08T12:00:00+02:00"}"#
        let d = try JSONDecoder().decode(NamedDate.self, from: Data(old.utf8))
        #expect(d.kind == kind)
        #expect(d.lot == lot)
        #expect(d.label == kept)
    }

    @Test func oldStoresDecodeWithDefaults() throws {
        let old = #"{"source":"boamp","source_id":"26-1","title":"x","value":{"amount":1000}}"#
        let n = try JSONDecoder().decode(Notice.self, from: Data(old.utf8))
        #expect(n.deadlineKind == .tender)
        #expect(n.value?.kind == .estimated)
        #expect(n.publicationDepartements.isEmpty)
    }
}
