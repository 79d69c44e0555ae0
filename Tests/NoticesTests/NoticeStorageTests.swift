import Foundation
import Testing

@testable import Notices

/// The copy-on-write box behind `Notice`: copies share it, a change to one copy never shows in another, and a
/// notice that is not shared is changed in place.
@Suite struct NoticeStorageTests {
    static let full: Notice = {
        let z = ISO8601.parseZoned("2026-06-08T12:00:00+02:00")
        return Notice(
            source: "boamp", sourceID: "26-41872", kind: .tender, title: "Usinage de pièces",
            summary: "Pièces mécaniques", content: "Lot unique", url: "https://example.org/26-41872",
            language: "fr", buyer: Buyer(name: "Saint-Étienne Métropole", id: "24420016900011", country: "FRA"),
            awardees: [Buyer(name: "Usinage du Forez")], published: Date(timeIntervalSince1970: 1_780_000_000),
            updated: nil, deadline: z, deadlineKind: .requestToParticipate,
            otherDeadlines: z.map { [NamedDate(kind: .questions, lot: "1", date: $0)] } ?? [],
            value: Money(amount: 480_000, currency: "EUR", vat: "HT", kind: .frameworkMaximum), mainCPV: "42600000",
            cpv: ["42600000", "45000000"], descriptors: ["274"], places: [Place(departement: "42", commune: "Firminy")],
            publicationDepartements: ["42", "43"], documentsURL: "https://example.org/dce", procedure: "open",
            lots: [Lot(id: "1", title: "Tournage", cpv: ["42600000"])], refs: CrossReferences(boampIDWeb: "26-41872"),
            categories: ["Travaux"], enclosures: ["https://example.org/avis.pdf"], author: "BOAMP",
            call: CallDetails(funder: "Bpifrance", beneficiaries: ["PME"]), version: "2")
    }()

    @Test func aChangeToACopyLeavesTheOriginalAlone() {
        let original = Self.full
        var copy = original
        copy.title = "Autre titre"
        copy.lots.append(Lot(id: "2"))
        copy.buyer?.contact = ContactPoint(email: "achats@example.org")
        copy.refs.changedNotice = "26-1"
        #expect(original.title == "Usinage de pièces")
        #expect(original.lots.map(\.id) == ["1"])
        #expect(original.buyer?.contact == nil)
        #expect(original.refs.changedNotice == nil)
        #expect(copy.lots.map(\.id) == ["1", "2"])
        #expect(copy != original)
    }

    @Test func copiesShareOneBoxUntilOneChanges() {
        let original = Self.full
        var copy = original
        #expect(copy.storage === original.storage)
        copy.cpv.append("45000000")
        #expect(copy.storage !== original.storage)
        // An identifier, not a reference: holding the box here would share it and force the copy under test.
        let box = ObjectIdentifier(copy.storage)
        copy.lots[0].title = "Fraisage"
        copy.categories.removeAll()
        #expect(ObjectIdentifier(copy.storage) == box, "a notice that is not shared is changed in place")
        #expect(copy.lots[0].title == "Fraisage")
    }

    @Test func noticesWithTheSameFieldsAreEqualAndHashAlike() throws {
        let data = try JSONEncoder().encode(Self.full)
        let decoded = try JSONDecoder().decode(Notice.self, from: data)
        #expect(decoded.storage !== Self.full.storage)
        #expect(decoded == Self.full)
        #expect(decoded.hashValue == Self.full.hashValue)
        #expect(Set([decoded, Self.full]).count == 1)
        var other = decoded
        other.version = "3"
        #expect(other != Self.full)
    }

    /// The form every store and golden digest holds, as it was when the fields were stored inline.
    @Test func theJSONFormIsUnchanged() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(
            decoding: try encoder.encode(Notice(source: "rss", sourceID: "g1", title: "x")), as: UTF8.self)
        #expect(
            json
                == #"{"author":null,"awardees":[],"buyer":null,"call":null,"categories":[],"content":null,"cpv":[],"#
                + #""deadline":null,"deadline_kind":"tender","descriptors":[],"documents_url":null,"enclosures":[],"#
                + #""id":"rss:g1","kind":"tender","language":null,"lots":[],"main_cpv":null,"other_deadlines":[],"#
                + #""places":[],"procedure":null,"publication_departements":[],"published":null,"refs":{},"#
                + #""source":"rss","source_id":"g1","summary":null,"title":"x","updated":null,"url":null,"#
                + #""value":null,"version":null}"#)
    }
}
