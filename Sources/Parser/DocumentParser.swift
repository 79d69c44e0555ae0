import Foundation
import Notices

/// Entry point of the parser stage: detects the format of a document and parses it into notices.
///
/// Pure: bytes (or a file) in, `ParsedDocument` out. Detection looks at the first bytes, never the file name:
/// `{` or `[` → JSON API adapters; gzip magic → TED package; XML whose root is `rss`, `RDF`, `feed` or `channel`
/// → the feed parser; any other XML root → the notice-XML adapters (eForms, BOAMP). `ParseOptions.format`
/// overrides detection.
public enum DocumentParser {
    /// Parses `bytes` as whatever format they are in.
    public static func parse(_ bytes: [UInt8], options: ParseOptions) throws -> ParsedDocument {
        let kind = try sniff(prefix: Array(bytes.prefix(EncodingSniffer.sniffLength * 4)), options: options)
        switch kind {
        case .feed:
            return try parseFeed(source: ArrayByteSource(bytes), options: options)
        case .json:
            if let doc = try FormatRegistry.parseJSON(bytes, options: options) { return doc }
            throw ParserError.unknownFormat(document: options.documentName, hint: "JSON of no known API shape")
        case .package:
            if let doc = try FormatRegistry.parsePackage(bytes, options: options) { return doc }
            throw ParserError.unknownFormat(document: options.documentName, hint: "gzip data that is not a TED package")
        case .noticeXML(let root, let ns):
            if let doc = try FormatRegistry.parseNoticeXML(rootName: root, namespace: ns, bytes: bytes, options: options) {
                return doc
            }
            throw ParserError.unknownFormat(
                document: options.documentName, hint: "XML root <\(root)>\(ns.map { " in \($0)" } ?? "") is no known format")
        }
    }

    /// Reads and parses a local file. Feeds are streamed from disk, so their size does not bound memory
    /// (the notices themselves still accumulate: see `parseFeedFile(atPath:options:onNotice:)`).
    public static func parseFile(atPath path: String, options: ParseOptions) throws -> ParsedDocument {
        let file = try FileByteSource(path: path)
        let prefix = try file.readPrefix(EncodingSniffer.sniffLength * 4)
        let kind = try sniff(prefix: prefix, options: options)
        if case .feed = kind {
            return try parseFeed(source: PrefixedByteSource(prefix: prefix, rest: file), options: options)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ParserError.unreadable(document: path, reason: "no such file or not readable")
        }
        return try parse([UInt8](data), options: options)
    }

    /// Streams a feed file, handing each notice to `onNotice` as soon as its entry ends; the returned document
    /// has the feed-level fields and issues but no notices. Memory stays bounded whatever the file size.
    public static func parseFeedFile(atPath path: String, options: ParseOptions,
                                     onNotice: (Notice) -> Void) throws -> ParsedDocument {
        try withoutActuallyEscaping(onNotice) { handler in
            try parseFeed(source: FileByteSource(path: path), options: options, onNotice: handler)
        }
    }

    /// Parses a feed (RSS, RDF or Atom) from bytes, whatever its root says; throws `unknownFormat` when the root
    /// element is not a feed.
    public static func parseFeed(_ bytes: [UInt8], options: ParseOptions) throws -> ParsedDocument {
        try parseFeed(source: ArrayByteSource(bytes), options: options)
    }

    static func parseFeed(source: any ByteSource, options: ParseOptions, limits: XMLLimits = .default,
                          onNotice: ((Notice) -> Void)? = nil) throws -> ParsedDocument {
        let (utf8, _) = try EncodingSniffer.utf8Source(for: source, charsetHint: options.charsetHint)
        let reader = try XMLStreamReader(source: utf8, documentName: options.documentName, baseURL: options.baseURL,
                                         encoding: "UTF-8", limits: limits)
        let parser = FeedParser(reader: reader, baseURL: options.baseURL)
        var notices: [Notice] = []
        var adapter = FeedAdapter(options: options)
        var header = FeedDocument(format: .rss)
        header = try parser.parse { entry in
            let notice = adapter.notice(from: entry)
            if let onNotice { onNotice(notice) } else { notices.append(notice) }
        } feedLinkUpdate: { link in
            adapter.feedLink = link
        }
        return ParsedDocument(format: header.documentFormat, title: header.title?.plain, link: header.mainLink,
                              notices: notices, issues: parser.issues)
    }

    // MARK: - Sniffing

    enum Kind: Equatable {
        case feed
        case json
        case package
        case noticeXML(root: String, namespace: String?)
    }

    static func sniff(prefix: [UInt8], options: ParseOptions) throws -> Kind {
        if let format = options.format {
            switch format {
            case .rss, .rdf, .atom: return .feed
            case .tedPackage: return .package
            case .boampJSON, .tedJSON, .aidesTerritoiresJSON, .euFundingJSON, .decpJSON: return .json
            case .eforms, .boampXML:
                let root = try RootSniffer.root(of: prefix, charsetHint: options.charsetHint)
                return .noticeXML(root: root?.localName ?? "", namespace: root?.namespace)
            }
        }
        if prefix.count >= 2, prefix[0] == 0x1F, prefix[1] == 0x8B { return .package }
        var i = 0
        if prefix.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        while i < prefix.count, HTMLText.isSpace(prefix[i]) { i += 1 }
        if i < prefix.count, prefix[i] == 0x7B || prefix[i] == 0x5B { return .json }
        guard let root = try RootSniffer.root(of: prefix, charsetHint: options.charsetHint) else {
            if i >= prefix.count {
                throw ParserError.unknownFormat(document: options.documentName, hint: "empty document")
            }
            // No root in the first kilobytes (a huge DOCTYPE, say): let the feed parser read on and decide.
            return .feed
        }
        if ["rss", "RDF", "feed", "channel"].contains(root.localName) { return .feed }
        return .noticeXML(root: root.localName, namespace: root.namespace)
    }
}
