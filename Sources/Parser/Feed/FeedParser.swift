import CLibXML2
import Foundation
import Notices

/// Streams an RSS 0.9x/2.0, RSS 1.0 (RDF) or Atom 0.3/1.0 document into a `FeedDocument`, one node at a time.
///
/// One parser serves the three families because real feeds mix them: RSS 2.0 items carry `atom:link`,
/// `dc:creator` and `content:encoded`; RDF channels use Dublin Core dates. The family (from the root element)
/// decides only where entries and channel fields are; fields are recognised by namespace and local name.
/// Entries are handed to `onEntry` as soon as they end, so a feed of any size is parsed in bounded memory.
final class FeedParser {
    private let reader: XMLStreamReader
    private let documentBase: String?
    /// `xml:base` in scope: (element depth, resolved base) of the open elements that set one, innermost last.
    private var bases: [(depth: Int, base: String?)] = []
    private var namespaceCache: [UnsafeRawPointer: Namespace] = [:]
    /// Reused for every HTML field, so reading one allocates nothing but its text.
    private var htmlBuffer: [UInt8] = []
    private var lastNamespaceKey: UnsafeRawPointer?
    private var lastNamespace = Namespace.none
    private var format = FeedFormat.rss

    init(reader: XMLStreamReader, baseURL: String?) {
        self.reader = reader
        self.documentBase = baseURL
    }

    /// Issues libxml2 recovered from, and the fatal error if the document ended early.
    private(set) var issues: [ParseIssue] = []
    /// The error that stopped the reader before the end of the document, if any.
    private(set) var fatalIssue: ParseIssue?
    /// Whether a root element was read at all.
    private(set) var sawRootElement = false

    /// Parses the document. Entries go to `onEntry` in document order; the returned document holds the feed-level
    /// fields only. Throws `ParserError.unknownFormat` when the root is not a feed, `.limitExceeded` past the
    /// reader's limits, and `.malformed` only when nothing could be read; otherwise a fatal XML error is recorded
    /// in `issues` and what came before it is kept.
    func parse(
        onEntry: (FeedEntryDocument) -> Void,
        feedLinkUpdate: (String) -> Void = { _ in },
        feedLanguageUpdate: (String) -> Void = { _ in }
    ) throws -> FeedDocument {
        var doc = FeedDocument(format: .rss)
        var sawRoot = false
        var channelDepth = 0
        do {
            while try reader.read() {
                guard reader.nodeType == .element else { continue }
                let depth = reader.depth
                let base = enter(depth: depth)
                let ns = namespace()
                let name = reader.localName
                if !sawRoot {
                    sawRoot = true
                    guard let f = Self.format(root: name, namespace: ns) else {
                        throw ParserError.unknownFormat(
                            document: reader.documentName,
                            hint: "root element <\(reader.qualifiedName)> is not a feed")
                    }
                    format = f
                    doc.format = f
                    doc.language = reader.xmlLang
                    if f == .atom10 || f == .atom03, let p = reader.namespaceURIPointer, ns == .other {
                        // Atom 0.3 feeds with a made-up default namespace: their elements are still Atom.
                        namespaceCache[UnsafeRawPointer(p)] = f == .atom03 ? .atom03 : .atom10
                        lastNamespaceKey = nil
                    }
                    channelDepth = name == "channel" ? 0 : (f == .atom10 || f == .atom03 ? 0 : -10)
                    continue
                }
                if isEntry(ns, name) {
                    onEntry(try parseEntry(depth: depth))
                    continue
                }
                if name == "channel" && (ns == .none || ns == .rss) {
                    channelDepth = depth
                    continue
                }
                guard depth == channelDepth + 1 else { continue }
                let before = doc.mainLink
                let language = doc.language
                try readFeedField(&doc, ns: ns, name: name, base: base)
                if let link = doc.mainLink, link != before { feedLinkUpdate(link) }
                if let l = doc.language, l != language { feedLanguageUpdate(l) }
            }
        } catch let error as ParserError {
            if case .malformed(let issue) = error {
                // The streaming reader stops at the first fatal error: keep what was read and say where it
                // stopped; the caller may re-read the document with the recovering parser.
                issues.append(contentsOf: reader.issues)
                issues.append(issue)
                fatalIssue = issue
                sawRootElement = sawRoot
                return doc
            }
            throw error
        }
        issues.append(contentsOf: reader.issues)
        sawRootElement = sawRoot
        guard sawRoot else {
            throw ParserError.malformed(reader.issues.first ?? reader.issue("no root element"))
        }
        return doc
    }

    // MARK: - Format and namespaces

    enum Namespace {
        case none, rss, atom10, atom03, rdf, dc, dcterms, content, xhtml, other
    }

    static func format(root: String, namespace: Namespace) -> FeedFormat? {
        switch root {
        case "rss", "channel": return .rss
        case "RDF": return .rdf
        case "feed": return namespace == .atom03 ? .atom03 : .atom10
        default: return nil
        }
    }

    private func namespace() -> Namespace {
        guard let p = reader.namespaceURIPointer else {
            // Atom without a namespace declaration (hand-written test feeds, some 0.3 generators).
            return format == .atom10 || format == .atom03 ? .atom10 : .none
        }
        let key = UnsafeRawPointer(p)
        if key == lastNamespaceKey { return lastNamespace }
        let ns: Namespace
        if let cached = namespaceCache[key] {
            ns = cached
        } else {
            ns = Self.classify(String(cString: p))
            namespaceCache[key] = ns
        }
        lastNamespaceKey = key
        lastNamespace = ns
        return ns
    }

    static func classify(_ uri: String) -> Namespace {
        switch uri {
        case "http://www.w3.org/2005/Atom": return .atom10
        case "http://purl.org/atom/ns#": return .atom03
        case "http://purl.org/rss/1.0/", "http://my.netscape.com/rdf/simple/0.9/", "http://backend.userland.com/rss2",
            "http://blogs.law.harvard.edu/tech/rss", "http://purl.org/net/rss1.1#",
            "http://channel.netscape.com/rdf/simple/0.9/":
            return .rss
        case "http://www.w3.org/1999/02/22-rdf-syntax-ns#": return .rdf
        case "http://purl.org/dc/elements/1.1/", "http://purl.org/dc/elements/1.0/": return .dc
        case "http://purl.org/dc/terms/": return .dcterms
        case "http://purl.org/rss/1.0/modules/content/": return .content
        case "http://www.w3.org/1999/xhtml": return .xhtml
        default:
            // Atom feeds in the wild also use the draft namespaces of 2004–2005.
            if uri.hasPrefix("http://purl.org/atom/ns#draft") || uri.hasPrefix("http://www.w3.org/2005/Atom") {
                return .atom10
            }
            return .other
        }
    }

    private func isEntry(_ ns: Namespace, _ name: String) -> Bool {
        switch format {
        case .rss, .rdf: return name == "item" && (ns == .none || ns == .rss)
        case .atom10, .atom03: return name == "entry" && (ns == .atom10 || ns == .atom03 || ns == .none)
        }
    }

    // MARK: - xml:base

    /// Base URI of the element at `depth` (the current node), maintaining the stack of bases. Only elements that
    /// set `xml:base` are pushed: the base in scope is that of the innermost open one, else the document's.
    private func enter(depth: Int) -> String? {
        while let last = bases.last, last.depth >= depth { bases.removeLast() }
        let parent = bases.last?.base ?? documentBase
        guard reader.hasAttributes,
            let xmlBase = reader.attribute(localName: "base", namespace: "http://www.w3.org/XML/1998/namespace")
        else { return parent }
        let base = URLResolver.resolve(xmlBase, against: parent)
        if !reader.isEmptyElement { bases.append((depth, base)) }
        return base
    }

    // MARK: - Feed level

    private func readFeedField(_ doc: inout FeedDocument, ns: Namespace, name: String, base: String?) throws {
        switch (ns, name) {
        case (.none, "title"), (.rss, "title"):
            if doc.title == nil { doc.title = try readHTML() }
        case (.atom10, "title"), (.atom03, "title"):
            if doc.title == nil { doc.title = try readAtomText() }
        case (.dc, "title"):
            if doc.title == nil { doc.title = try readHTML() }
        case (.none, "link"), (.rss, "link"):
            let text = try reader.readText().trimmingASCIIWhitespace()
            if !text.isEmpty {
                doc.links.append(FeedLink(href: URLResolver.resolve(text, against: base), isText: true))
            }
        case (.atom10, "link"), (.atom03, "link"):
            if let link = try readAtomLink(base: base) { doc.links.append(link) }
        case (.none, "language"), (.rss, "language"), (.dc, "language"):
            let text = try reader.readText().trimmingASCIIWhitespace()
            if !text.isEmpty { doc.language = text }
        default:
            break
        }
    }

    // MARK: - Entries

    private func parseEntry(depth: Int) throws -> FeedEntryDocument {
        var e = FeedEntryDocument()
        e.language = reader.xmlLang
        if let about = reader.hasAttributes ? reader.attribute(localName: "about", namespace: Self.rdfURI) : nil {
            e.rdfAbout = about
        }
        if reader.isEmptyElement { return e }
        while try reader.read() {
            let type = reader.nodeType
            if type == .endElement && reader.depth == depth { break }
            guard type == .element else { continue }
            let d = reader.depth
            let fieldBase = enter(depth: d)
            guard d == depth + 1 else { continue }
            try readEntryField(&e, ns: namespace(), name: reader.localName, base: fieldBase)
        }
        return e
    }

    private static let rdfURI = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

    private func readEntryField(_ e: inout FeedEntryDocument, ns: Namespace, name: String, base: String?) throws {
        switch ns {
        case .none, .rss:
            switch name {
            case "title": if e.title == nil { e.title = try readHTML() }
            case "link":
                let text = try reader.readText().trimmingASCIIWhitespace()
                if !text.isEmpty {
                    e.links.append(FeedLink(href: URLResolver.resolve(text, against: base), isText: true))
                }
            case "description", "summary":
                // Some generators write both `description` and a non-standard `summary`: the first is the
                // summary, the second the full content.
                if e.summary == nil {
                    e.summary = try readHTML()
                } else if e.content == nil {
                    e.content = try readHTML()
                }
            case "tags":
                for tag in try reader.readText().split(separator: ",") { appendCategory(&e, String(tag)) }
            case "guid":
                let permalink = reader.hasAttributes ? reader.attribute(localName: "isPermaLink") : nil
                let text = try reader.readText().trimmingASCIIWhitespace()
                if e.id == nil, !text.isEmpty {
                    e.id = text
                    e.guidIsPermaLink = permalink.map { $0.trimmingASCIIWhitespace().lowercased() == "true" } ?? true
                }
            // A repeated date element overrides the earlier one, as feedparser reads them.
            case "pubDate": e.published = try reader.readText()
            case "category": appendCategory(&e, try reader.readText())
            case "enclosure":
                if let url = reader.attribute(localName: "url")?.trimmingASCIIWhitespace(), !url.isEmpty {
                    e.enclosures.append(URLResolver.resolve(url, against: base))
                }
            case "author": if e.author == nil { e.author = try reader.readText() }
            // `content:encoded` written without its namespace, and `fullitem` (some 2003-era generators).
            case "encoded", "fullitem": if e.content == nil { e.content = try readHTML() }
            default: break
            }
        case .dc:
            switch name {
            case "title": if e.title == nil { e.title = try readHTML() }
            case "creator", "author": if e.author == nil { e.author = try reader.readText() }
            case "subject": appendCategory(&e, try reader.readText())
            case "date": if e.dcDate == nil { e.dcDate = try reader.readText() }
            case "description": if e.summary == nil { e.summary = try readHTML() }
            default: break
            }
        case .dcterms:
            switch name {
            case "issued": e.published = try reader.readText()
            case "modified": e.updated = try reader.readText()
            case "created": if e.created == nil { e.created = try reader.readText() }
            default: break
            }
        case .content:
            if name == "encoded", e.content == nil { e.content = try readHTML() }
        case .xhtml:
            if name == "body", e.content == nil {
                let c = try reader.readContent()
                e.content = FeedText(kind: .xhtml, text: c.text, markup: c.markup ?? XMLStreamReader.escape(c.text))
            }
        case .atom10, .atom03:
            switch name {
            case "title": if e.title == nil { e.title = try readAtomText() }
            case "link":
                if let link = try readAtomLink(base: base) {
                    e.links.append(link)
                    if link.rel == "enclosure" { e.enclosures.append(link.href) }
                }
            case "id":
                let text = try reader.readText().trimmingASCIIWhitespace()
                // An Atom id is an IRI; a relative one (`/relative/link`) is resolved like any other reference.
                if e.id == nil, !text.isEmpty {
                    e.id = text.hasPrefix("/") && base != nil ? URLResolver.resolve(text, against: base) : text
                }
            case "published", "issued": e.published = try reader.readText()
            case "updated", "modified": e.updated = try reader.readText()
            case "created": if e.created == nil { e.created = try reader.readText() }
            case "summary": if e.summary == nil { e.summary = try readAtomText() }
            case "content": if e.content == nil { e.content = try readAtomText() }
            case "category":
                if let term = reader.attribute(localName: "term") { appendCategory(&e, term) }
            case "author": try readAtomAuthor(&e)
            default: break
            }
        case .rdf, .other:
            break
        }
    }

    private func appendCategory(_ e: inout FeedEntryDocument, _ raw: String) {
        let value = HTMLText.collapseWhitespace(raw)
        if !value.isEmpty, !e.categories.contains(value) { e.categories.append(value) }
    }

    private func readAtomAuthor(_ e: inout FeedEntryDocument) throws {
        guard !reader.isEmptyElement else { return }
        let start = reader.depth
        var name: String?
        while try reader.read() {
            if reader.nodeType == .endElement && reader.depth == start { break }
            guard reader.nodeType == .element, reader.depth == start + 1 else { continue }
            if reader.localName == "name" { name = HTMLText.collapseWhitespace(try reader.readText()) }
        }
        if e.author == nil, let name, !name.isEmpty { e.author = name }
    }

    // MARK: - Text constructs

    /// RSS text: possibly entity-encoded HTML (feed readers have always rendered RSS titles that way).
    private func readHTML() throws -> FeedText {
        htmlBuffer.removeAll(keepingCapacity: true)
        try reader.readHTMLSource(into: &htmlBuffer)
        return FeedText(reducedHTML: htmlBuffer.withUnsafeBufferPointer { HTMLText.toText(utf8: $0) })
    }

    /// An Atom text construct, honouring `type` (1.0) and `mode`/`type` (0.3).
    private func readAtomText() throws -> FeedText {
        let type = reader.hasAttributes ? reader.attribute(localName: "type")?.lowercased() : nil
        let mode = reader.hasAttributes ? reader.attribute(localName: "mode")?.lowercased() : nil
        var kind: FeedText.Kind
        var base64 = mode == "base64"
        switch type ?? "text" {
        case "html", "text/html": kind = .html
        case "xhtml", "application/xhtml+xml": kind = .xhtml
        case let t where t.isEmpty || t == "text" || t.hasPrefix("text/") || t.hasSuffix("+xml") || t.hasSuffix("/xml"):
            kind = .text
        default:
            // RFC 4287 §4.1.3.3: any other media type is base64-encoded.
            kind = .text
            if format == .atom10 { base64 = true }
        }
        if kind == .html && !base64 { return try readHTML() }
        let c = try reader.readContent()
        if base64, let data = Data(base64Encoded: c.text.trimmingASCIIWhitespace(), options: .ignoreUnknownCharacters) {
            return FeedText(
                kind: kind == .xhtml ? .html : kind, text: String(decoding: data, as: UTF8.self), markup: nil)
        }
        if kind == .xhtml {
            return FeedText(kind: .xhtml, text: c.text, markup: c.markup ?? XMLStreamReader.escape(c.text))
        }
        return FeedText(kind: kind, text: c.text, markup: c.markup, rawMarkup: c.rawMarkup)
    }

    private func readAtomLink(base: String?) throws -> FeedLink? {
        let hasAttributes = reader.hasAttributes
        let rel = hasAttributes ? reader.attribute(localName: "rel")?.trimmingASCIIWhitespace().lowercased() : nil
        let type = hasAttributes ? reader.attribute(localName: "type")?.trimmingASCIIWhitespace().lowercased() : nil
        // Atom 0.3 drafts put the URL in the element's text rather than in `href`.
        let attr = hasAttributes ? reader.attribute(localName: "href")?.trimmingASCIIWhitespace() : nil
        let href = try attr ?? reader.readText().trimmingASCIIWhitespace()
        guard !href.isEmpty else { return nil }
        return FeedLink(
            href: URLResolver.resolve(href, against: base), rel: (rel?.isEmpty ?? true) ? "alternate" : rel!,
            type: (type?.isEmpty ?? true) ? nil : type, isText: attr == nil)
    }
}
