import Foundation
import Notices
import Testing

@testable import Parser

/// Which of several `<link>` elements is an entry's or a feed's link: the last one, as feedparser (the reference
/// parser, whose conformance cases Vigie is scored on) reads them.
@Suite("Feed links: the last link wins")
struct FeedLinkTests {
    @Test("RSS: of two <link> elements, the last one")
    func rssRepeatedLink() throws {
        let doc = try parseFeedText(
            """
            <rss version="2.0"><channel><title>T</title><link>https://old.example.fr/</link>\
            <link>https://www.example.fr/</link>
            <item><title>A</title><link>https://www.example.fr/avis/1?old</link>\
            <link>https://www.example.fr/avis/1</link><guid isPermaLink="false">1</guid></item></channel></rss>
            """)
        #expect(doc.link == "https://www.example.fr/")
        #expect(doc.notices[0].url == "https://www.example.fr/avis/1")
    }

    @Test("RSS with atom:link: rel=self never replaces the link, an alternate after <link> does")
    func rssWithAtomLinks() throws {
        let doc = try parseFeedText(
            """
            <rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>T</title>\
            <link>https://www.example.fr/</link>\
            <atom:link rel="self" type="application/rss+xml" href="https://www.example.fr/rss.xml"/>
            <item><title>A</title><link>https://www.example.fr/a</link>\
            <atom:link rel="self" href="https://www.example.fr/a.xml"/></item>
            <item><title>B</title><link>https://www.example.fr/b?v=1</link>\
            <atom:link rel="alternate" href="https://www.example.fr/b"/></item></channel></rss>
            """)
        #expect(doc.link == "https://www.example.fr/")
        #expect(doc.notices.map(\.url) == ["https://www.example.fr/a", "https://www.example.fr/b"])
    }

    @Test("Atom: the last alternate link of an HTML type; other types and rels only when nothing else")
    func atomAlternates() throws {
        let doc = try parseFeedText(
            """
            <feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>\
            <link rel="alternate" href="https://www.example.fr/v1"/>\
            <link rel="alternate" type="text/html" hreflang="fr" href="https://www.example.fr/"/>\
            <link rel="self" href="https://www.example.fr/atom.xml"/>
            <entry><title>A</title><id>a</id>\
            <link rel="alternate" type="text/html" href="https://www.example.fr/a?draft"/>\
            <link href="https://www.example.fr/a"/>\
            <link rel="alternate" type="application/pdf" href="https://www.example.fr/a.pdf"/>\
            <link rel="related" href="https://www.example.fr/b"/></entry>
            <entry><title>B</title><id>b</id>\
            <link rel="alternate" type="application/pdf" href="https://www.example.fr/b.pdf"/>\
            <link rel="enclosure" href="https://www.example.fr/b.zip"/></entry></feed>
            """)
        #expect(doc.link == "https://www.example.fr/")
        #expect(doc.notices[0].url == "https://www.example.fr/a")
        // Nothing of an HTML type: the alternate PDF is still better than no link.
        #expect(doc.notices[1].url == "https://www.example.fr/b.pdf")
        #expect(doc.notices[1].enclosures == ["https://www.example.fr/b.zip"])
    }

    @Test("Atom 0.3 links written as text: the alternate one, wherever it is")
    func atom03TextLinks() throws {
        let doc = try parseFeedText(
            """
            <feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>T</title>
            <entry><title>A</title><link rel="enclosure" type="text/html">https://www.example.fr/e</link>\
            <link rel="alternate" type="text/html">https://www.example.fr/a</link></entry></feed>
            """)
        #expect(doc.notices[0].url == "https://www.example.fr/a")
    }
}
