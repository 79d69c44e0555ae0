import Foundation
import Notices
import Testing

@testable import Parser

@Suite("Feed parser on realistic fixtures")
struct FeedParserTests {
    @Test("RSS 2.0 with HTML entities, CDATA, French dates, xml:base and Dublin Core")
    func rssWithEntities() throws {
        let doc = try parseFixture("rss2-marches-entities.xml")
        #expect(doc.format == .rss)
        #expect(doc.title == "Marchés publics – Loire")
        #expect(doc.link == "https://marches.example-loire.fr/")
        #expect(doc.notices.count == 3)
        let first = doc.notices[0]
        #expect(first.source == "test")
        #expect(first.kind == .tender)
        #expect(first.title == "Réhabilitation thermique de l’école Jules-Ferry & du gymnase")
        #expect(first.sourceID == "loire-2026-0142")
        // Relative link and enclosure resolve against the channel's xml:base.
        #expect(first.url == "https://marches.example-loire.fr/consultations/avis.php?id=2026-0142&lang=fr")
        #expect(first.enclosures == ["https://marches.example-loire.fr/consultations/docs/DCE-2026-0142.zip"])
        #expect(utc(first.published) == "2026-11-24T08:00:00Z")  // lun., 24 nov. 2026 09:00:00 +0100
        #expect(first.author == "Ville de Saint-Étienne")
        #expect(first.language == "fr")  // channel <language>fr-FR</language>
        #expect(first.categories == ["Travaux", "Bâtiment"])
        #expect(first.summary == "Lot\u{A0}1 : isolation par l'extérieur. Date limite : 15/12/2026 à 12h00")
        // Script content is dropped, block tags become spaces.
        #expect(first.content == "Objet Travaux d’isolation.")

        let second = doc.notices[1]
        #expect(utc(second.published) == "2026-11-25T13:30:00Z")  // CET
        #expect(second.summary == "Accord-cadre à bons de commande")
        // No guid: the link is the source id.
        #expect(second.sourceID == "https://marches.example-loire.fr/avis.php?id=2026-0143")

        let third = doc.notices[2]
        #expect(third.published == nil)  // "not a date at all" is never guessed
        #expect(third.url == nil)
        #expect(third.sourceID.hasPrefix("hash:"))
        #expect(
            third.sourceID == FeedAdapter.stableHash(title: "Avis sans identifiant ni lien", date: "not a date at all"))
    }

    @Test("Atom 1.0 with nested xml:base, XHTML content, HTML summary, enclosure link")
    func atomXMLBase() throws {
        let doc = try parseFixture("atom10-calls-xmlbase.xml")
        #expect(doc.format == .atom)
        #expect(doc.title == "Appels à projets innovation")
        #expect(doc.link == "https://aides.example.gouv.fr/appels/")
        let e = try #require(doc.notices.first)
        #expect(e.title == "Appel à projets « Hydrogène vert »")
        #expect(e.url == "https://aides.example.gouv.fr/appels/2026/hydrogene-vert")
        #expect(e.enclosures == ["https://aides.example.gouv.fr/appels/2026/cahier-des-charges.pdf"])
        #expect(e.sourceID == "tag:aides.example.gouv.fr,2026:aap-42")
        #expect(utc(e.published) == "2026-11-20T09:00:00Z")
        #expect(utc(e.updated) == "2026-11-22T16:45:30Z")
        #expect(e.author == "Bpifrance")
        #expect(e.language == "fr")  // xml:lang on the feed
        #expect(doc.notices[1].language == "en")  // xml:lang="en-GB" on the entry
        #expect(e.categories == ["énergie", "hydrogène"])
        #expect(e.summary == "Soutien aux démonstrateurs jusqu'à 2\u{A0}M€")
        #expect(e.content == "Clôture le 15 janvier 2027. Projets collaboratifs & PME.")
        // type="text" keeps angle brackets as text.
        #expect(doc.notices[1].title == "Texte brut avec <chevrons>")
        #expect(utc(doc.notices[1].updated) == "2026-11-21T00:00:00Z")
    }

    @Test("RSS 1.0: rdf:about as id, dc:date as publication date")
    func rdf() throws {
        let doc = try parseFixture("rdf-avis.xml")
        #expect(doc.format == .rdf)
        #expect(doc.title == "Avis de la préfecture")
        let e = try #require(doc.notices.first)
        #expect(e.sourceID == "https://prefecture.example.fr/avis/9")
        #expect(utc(e.published) == "2026-11-23T17:15:00Z")
        #expect(e.categories == ["Services"])
    }

    @Test("Atom 0.3: escaped mode, base64 summary, issued and modified")
    func atom03() throws {
        let doc = try parseFixture("atom03-modes.xml")
        #expect(doc.format == .atom)
        #expect(doc.title == "Ancien flux Atom 0.3")
        let e = try #require(doc.notices.first)
        #expect(e.summary == "Résumé en base64")
        #expect(utc(e.published) == "2004-01-01T19:48:21Z")
        #expect(utc(e.updated) == "2004-01-02T08:00:00Z")
    }

    @Test("A truncated feed keeps its entries and reports where it broke")
    func truncated() throws {
        let doc = try parseFixture("rss2-truncated.xml")
        #expect(doc.title == "Flux coupé")
        #expect(doc.notices.map(\.title) == ["Entrée complète", "Entrée coupée"])
        let issue = try #require(doc.issues.last)
        #expect(issue.file == "rss2-truncated.xml")
        #expect(issue.line == 12)
        #expect(issue.column != nil)
        #expect(issue.message.contains("itm"))
        // It ends after `</channel>`: the root `<rss>` is never closed.
        #expect(doc.truncated == true)
    }

    @Test("The format comes from the root element, whatever the file is called")
    func detection() throws {
        let atom = try parseFeedText(#"<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title></feed>"#)
        #expect(atom.format == .atom)
        let rss091 = try parseFeedText(
            "<rss version=\"0.91\"><channel><title>Old</title><item><title>I</title></item></channel></rss>")
        #expect(rss091.format == .rss)
        #expect(rss091.notices.map(\.title) == ["I"])
        #expect(throws: ParserError.self) { try parseFixture("not-a-feed.xml") }
    }

    @Test("Relative links resolve against the document URL, else the feed link")
    func linkResolution() throws {
        let xml =
            "<rss version=\"2.0\"><channel><title>T</title><link>https://site.example.fr/news/</link>"
            + "<item><title>A</title><link>a.html</link></item></channel></rss>"
        let withURL = try parseFeedText(xml, baseURL: "https://feeds.example.fr/rss/all.xml")
        #expect(withURL.notices[0].url == "https://feeds.example.fr/rss/a.html")
        let withoutURL = try parseFeedText(xml)
        #expect(withoutURL.notices[0].url == "https://site.example.fr/news/a.html")
    }

    @Test("Streaming API hands notices over one by one")
    func streaming() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vigie-stream-\(getpid()).xml").path
        try Data(try feedFixture("rss2-marches-entities.xml")).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        var titles: [String] = []
        let doc = try DocumentParser.parseFeedFile(atPath: path, options: ParseOptions(documentName: path)) {
            titles.append($0.title)
        }
        #expect(doc.notices.isEmpty)
        #expect(titles.count == 3)
        #expect(doc.title == "Marchés publics – Loire")
    }
}
