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
        let n = Notice(source: "ted", sourceID: "3", kind: .priorInformation, title: "x",
                       lots: [Lot(id: "PAR-0001", kind: "part"), Lot(id: "LOT-0001")])
        #expect(try JSONDecoder().decode(Notice.self, from: JSONEncoder().encode(n)).lots.map(\.kind) == ["part", nil])
    }
}
