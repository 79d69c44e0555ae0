import Foundation
import Notices
import Parser
import TestSupport
import Testing

@testable import Digest

/// `DigestSnapshot.richest`: which record of one procurement a digest shows, on the real BOAMP capture and a
/// buyer platform's RSS item announcing the same procurement.
@Suite struct DigestSnapshotTests {
    static let capture = "samples/real/boamp/DERIVED-unwrapped-data-of-jpbenga-where-dateparution-2026.json"

    /// Record 26-7308 of the capture, as the BOAMP adapter reads it.
    static func boampRecord() throws -> Notice {
        let doc = try DocumentParser.parse(
            try SharedData.bytes(capture), options: ParseOptions(sourceID: "boamp", documentName: capture))
        return try #require(doc.notices.first { $0.sourceID == "26-7308" })
    }

    /// The same procurement as a buyer platform's RSS item: a title, a link and a line of text, nothing else.
    static func feedItem() throws -> Notice {
        let rss = """
            <?xml version="1.0" encoding="utf-8"?>
            <rss version="2.0"><channel><title>Consultations en cours</title>
            <link>https://acheteurs-normandie.example/</link><description>Avis</description>
            <item><title>Prestations traiteurs pour l'URSSAF Normandie</title>
            <link>https://acheteurs-normandie.example/consultation/7308</link>
            <guid isPermaLink="false">CONS-7308</guid>
            <pubDate>Wed, 21 Jan 2026 09:00:00 +0000</pubDate>
            <description>Prestations traiteurs. Consultation en ligne.</description></item>
            </channel></rss>
            """
        let doc = try DocumentParser.parse(
            Array(rss.utf8), options: ParseOptions(sourceID: "acheteurs-normandie", documentName: "feed.xml"))
        return try #require(doc.notices.first)
    }

    @Test(.requiresShared) func theBOAMPRecordIsPreferredToTheFeedItemOfTheSameProcurement() throws {
        let boamp = try Self.boampRecord()
        let item = try Self.feedItem()
        // What the raw record holds (`objet`, `nomacheteur`, `procedure_libelle`) and the item lacks.
        #expect(boamp.title == "Prestations traiteurs pour l'URSSAF Normandie")
        #expect(boamp.buyer?.name == "URSSAF Normandie")
        #expect(boamp.procedure == "OUVERT")  // `type_procedure`
        #expect(boamp.url == "https://www.boamp.fr/pages/avis/?q=idweb:26-7308")  // `url_avis`
        #expect(item.procedure == nil && item.buyer?.name == nil)
        #expect(item.title == boamp.title)

        #expect(DigestSnapshot.richest([item, boamp])?.id == boamp.id)
        #expect(DigestSnapshot.richest([boamp, item])?.id == boamp.id)

        // In a member's digest: routed through the feed item, shown as the BOAMP record, once.
        let display = try #require(DigestSnapshot.richest([item, boamp]))
        let evidence = RouteEvidence(
            kind: .keyword, field: .title, term: "traiteur", segment: "Restauration", weight: 3)
        let pending = [item, boamp].map { n in
            DigestSnapshot.Pending(
                role: .direct, recipient: "traiteur-caen", score: 3,
                detail: .member(name: "Traiteur de Caen", segments: ["Restauration"], evidence: [evidence]),
                notice: n, opportunityID: 7308, display: display,
                otherSources: n.source == "boamp" ? ["acheteurs-normandie"] : ["boamp"])
        }
        let snapshot = DigestSnapshot(
            clusterID: "normandie", clusterName: "Pôle Normandie",
            members: [.init(id: "traiteur-caen", name: "Traiteur de Caen")],
            now: try #require(ISO8601.parseZoned("2026-01-22T02:00:00Z")).instant, pending: pending)
        let digest = DigestAssembler.assemble(snapshot).forMember(id: "traiteur-caen", name: "Traiteur de Caen")
        let items = digest.members.flatMap(\.items)
        #expect(items.count == 1)
        #expect(items.first?.notice.id == boamp.id)
        #expect(items.first?.notice.buyer?.name == "URSSAF Normandie")
        // The member reads BOAMP's link, not the platform's.
        let text = MarkdownRenderer().text(digest)
        #expect(text.contains("https://www.boamp.fr/pages/avis/?q=idweb:26-7308"))
        #expect(!text.contains("https://acheteurs-normandie.example/consultation/7308"))
    }
}
