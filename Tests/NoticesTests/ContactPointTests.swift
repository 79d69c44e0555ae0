import Foundation
import Testing

@testable import Notices

/// The buyer's contact point in the notice's JSON form (what the store keeps), and stores written before it.
@Suite struct ContactPointTests {
    static func roundTrip(_ n: Notice) throws -> Notice {
        try JSONDecoder().decode(Notice.self, from: JSONEncoder().encode(n))
    }

    @Test func contactRoundTripsUnderTheBuyer() throws {
        let contact = ContactPoint(
            name: "Commande publique", email: "commande.publique@example.org", phone: "+33 4 77 00 00 00",
            url: "https://marches.example.org/")
        let n = Notice(
            source: "boamp", sourceID: "26-1", title: "x",
            buyer: Buyer(name: "Ville", id: "21420218600011", country: "FRA", contact: contact))
        #expect(try Self.roundTrip(n) == n)
        let json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(n)) as? [String: Any])
        let buyer = try #require(json["buyer"] as? [String: Any])
        let encoded = try #require(buyer["contact"] as? [String: Any])
        #expect(encoded["email"] as? String == "commande.publique@example.org")
        #expect(encoded["phone"] as? String == "+33 4 77 00 00 00")
        #expect(encoded["url"] as? String == "https://marches.example.org/")
        #expect(encoded["name"] as? String == "Commande publique")
    }

    /// A notice stored before contacts existed: its buyer has no `contact` key.
    @Test func aStoredNoticeWithoutContactStillDecodes() throws {
        let old =
            #"{"source":"boamp","source_id":"26-7298","title":"x","#
            + #""buyer":{"name":"COMMUNE DE LA MADELEINE","id":"21590368300013","country":"FRA"},"#
            + #""awardees":[{"name":"Usinage du Forez"}]}"#
        let n = try JSONDecoder().decode(Notice.self, from: Data(old.utf8))
        #expect(n.buyer?.name == "COMMUNE DE LA MADELEINE")
        #expect(n.buyer?.id == "21590368300013")
        #expect(n.buyer?.contact == nil)
        #expect(n.awardees.first?.contact == nil)
    }

    /// A partial contact keeps what it has; one with nothing is `isEmpty`.
    @Test func partialAndEmptyContacts() throws {
        let partial = Buyer(name: "CNES", contact: ContactPoint(email: "achats@example.org"))
        let n = Notice(source: "ted", sourceID: "1-2026", title: "x", buyer: partial)
        let back = try Self.roundTrip(n)
        #expect(back.buyer?.contact == ContactPoint(email: "achats@example.org"))
        #expect(back.buyer?.contact?.phone == nil)
        #expect(ContactPoint().isEmpty)
        #expect(!ContactPoint(url: "https://example.org").isEmpty)
    }

    /// A buyer without a contact encodes no `contact` key, so notices parsed before and after contacts existed
    /// store the same JSON (and the same fingerprint) when their source gives none.
    @Test func aBuyerWithoutContactEncodesAsBefore() throws {
        let json = try #require(
            try JSONSerialization.jsonObject(with: JSONEncoder().encode(Buyer(name: "Ville"))) as? [String: Any])
        #expect(json["contact"] == nil)
        #expect(json["name"] as? String == "Ville")
    }
}
