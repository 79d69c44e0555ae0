import Foundation
import Notices
import Testing
@testable import Parser

/// RSS and Atom items from buyer platforms and regional calls carry their facts in text: the feed parser reads
/// them, `NoticeEnricher` fills the structured fields (the pipeline runs it right after the feed parser).
@Suite struct FeedEnrichmentTests {
    static func enriched(_ name: String) throws -> [Notice] {
        let doc = try DocumentParser.parse(
            try Fixture.bytes(name),
            options: ParseOptions(
                sourceID: "feed",
                documentName: name))
        return doc.notices.map(NoticeEnricher.enrich)
    }

    @Test func buyerPlatformRSS() throws {
        let notices = try Self.enriched("rss-buyer-platform.xml")
        #expect(notices.count == 2)
        let first = notices[0]
        // The dispatch date (30/10/2026) is not the deadline.
        #expect(first.deadline?.iso8601 == "2026-11-27T12:00:00+01:00")
        #expect(first.value == Money(amount: 420_000, currency: "EUR", vat: "HT"))
        #expect(first.mainCPV == "42636000")
        #expect(first.places == [Place(nuts: "FRK25", departement: "42", commune: "Firminy")])

        let second = notices[1]
        #expect(second.deadline?.iso8601 == "2026-12-07T16:00:00+01:00")
        // The minimum turnover is not the contract's value; the framework's min and max are.
        #expect(second.value == Money(currency: "EUR", min: 30_000, max: 150_000, vat: "HT"))
        // The buyer's address (Saint-Étienne) is not where the work is done (Saint-Chamond).
        #expect(second.places == [Place(nuts: "FRK25", departement: "42", postcode: "42400", commune: "Saint-Chamond")])
    }

    @Test func regionalCallsAtom() throws {
        let notices = try Self.enriched("atom-regional-calls.xml")
        let call = try #require(notices.first)
        #expect(call.deadline?.iso8601 == "2027-01-15T23:59:00+01:00")
        #expect(call.value == Money(amount: 1_200_000, currency: "EUR"))
        #expect(call.places.compactMap(\.departement) == ["42", "43"])
    }
}
