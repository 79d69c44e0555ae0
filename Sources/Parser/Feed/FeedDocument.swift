import Foundation

// Specs: RSS 2.0 https://www.rssboard.org/rss-specification ; RSS 1.0 https://web.resource.org/rss/1.0/spec ;
// Atom 1.0 RFC 4287 https://www.rfc-editor.org/rfc/rfc4287 ;
// Atom 0.3 https://web.archive.org/web/2004/http://www.mnot.net/drafts/draft-nottingham-atom-format-02.html

/// A text construct as the feed wrote it, before reduction to plain text.
struct FeedText: Sendable, Hashable {
    /// How the text is to be read.
    enum Kind: Sendable, Hashable {
        /// Plain text (Atom `type="text"`).
        case text
        /// Escaped HTML (RSS `description`, Atom `type="html"`).
        case html
        /// Inline XHTML (Atom `type="xhtml"`), held as markup.
        case xhtml
    }

    var kind: Kind
    /// The decoded character content of the element.
    var text: String
    /// The element's children as markup, when it had child elements (inline HTML or XHTML).
    var markup: String?
    /// The same with text left unescaped: escaped HTML that a generator wrapped in an element.
    var rawMarkup: String?

    /// The plain text, when the parser reduced the HTML as it read it.
    var reduced: String?

    init(kind: Kind, text: String, markup: String? = nil, rawMarkup: String? = nil) {
        self.kind = kind
        self.text = text
        self.markup = markup
        self.rawMarkup = rawMarkup
    }

    /// HTML already reduced to text by the parser.
    init(reducedHTML: String) {
        kind = .html
        text = ""
        reduced = reducedHTML
    }

    /// The text with markup removed, entities decoded and whitespace collapsed; nil when empty.
    var plain: String? {
        var out: String
        if let reduced {
            out = Mojibake.repair(reduced)
            return out.isEmpty ? nil : out
        }
        switch kind {
        case .text: out = HTMLText.collapseWhitespace(text)
        case .html: out = HTMLText.toText(rawMarkup ?? markup ?? text)
        case .xhtml: out = HTMLText.toText(markup ?? XMLStreamReader.escape(text))
        }
        out = Mojibake.repair(out)
        return out.isEmpty ? nil : out
    }
}

/// A link of an entry or feed: RSS `<link>`, Atom `<link>` (also `atom:link` inside RSS), already resolved
/// against `xml:base`.
struct FeedLink: Sendable, Hashable {
    var href: String
    /// `alternate` when absent, as RFC 4287 §4.2.7.2 says (and for RSS `<link>`).
    var rel: String
    /// The `type` attribute, lowercased; nil when absent.
    var type: String?
    /// The URL was the element's text (RSS `<link>`, Atom 0.3 drafts), not an `href` attribute.
    var isText: Bool

    init(href: String, rel: String = "alternate", type: String? = nil, isText: Bool = false) {
        self.href = href
        self.rel = rel
        self.type = type
        self.isText = isText
    }

    /// The main link of an entry or feed among its links in document order, as feedparser (the reference
    /// parser) picks it: every RSS `<link>` and every alternate Atom `<link href>` of an HTML type (or none)
    /// replaces the one before, so the last wins; feeds that repeat `<link>` put the page users read last.
    /// Failing those, the first alternate link written as text (Atom 0.3) or of another type.
    static func main(of links: [FeedLink]) -> String? {
        if let l = links.last(where: { $0.isText ? $0.rel == "alternate" && $0.type == nil : $0.isAlternateHTML }) {
            return l.href
        }
        return links.first(where: { $0.rel == "alternate" })?.href
    }

    private var isAlternateHTML: Bool {
        guard rel == "alternate" else { return false }
        guard let type else { return true }
        return type.hasPrefix("text/html") || type.hasPrefix("application/xhtml+xml") || type == "html"
            || type == "xhtml"
    }
}

/// One RSS `item` or Atom `entry`, field by field as the document gives them (not yet a `Notice`).
struct FeedEntryDocument: Sendable, Hashable {
    var title: FeedText?
    /// RSS `<link>` text and Atom links (also `atom:link` inside RSS), in document order.
    var links: [FeedLink] = []
    /// RSS `guid`, Atom `id`, RSS 1.0 `rdf:about`.
    var id: String?
    /// RSS `guid isPermaLink` (true when absent, as RSS 2.0 says): the guid is then also the item's URL.
    var guidIsPermaLink = false
    var rdfAbout: String?
    /// `pubDate`, `atom:published`, Atom 0.3 `issued`, `dcterms:issued`.
    var published: String?
    /// `atom:updated`, Atom 0.3 `modified`, `dcterms:modified`.
    var updated: String?
    /// `dc:date`: publication date in RSS 1.0 practice.
    var dcDate: String?
    /// Atom 0.3 `created`.
    var created: String?
    /// RSS `description`, `atom:summary`, `dc:description`.
    var summary: FeedText?
    /// `content:encoded`, `atom:content`, `xhtml:body`.
    var content: FeedText?
    var categories: [String] = []
    var enclosures: [String] = []
    /// RSS `author`, `dc:creator`, Atom `author/name`.
    var author: String?
    /// `xml:lang` in scope at the entry.
    var language: String?
}

/// A whole feed's channel-level fields (its entries are handed over one by one as they are parsed).
struct FeedDocument: Sendable, Hashable {
    var format: FeedFormat
    var title: FeedText?
    /// RSS `<link>` text and Atom links, in document order.
    var links: [FeedLink] = []
    /// RSS `language`, `dc:language`, or `xml:lang` on the root.
    var language: String?
}

/// The three feed families, detected from the root element.
enum FeedFormat: Sendable, Hashable {
    case rss
    case rdf
    case atom10
    case atom03
}
