import Foundation
import Notices

/// Entry point of the parser stage: detects the format of a document and parses it into notices.
///
/// Pure: bytes (or a file) in, `ParsedDocument` out. Detection looks at the first bytes, never the file name:
/// `{` or `[` → JSON API adapters; a `;`-separated DECP header → decp.info CSV; gzip magic → TED package; XML
/// whose root is `rss`, `RDF`, `feed` or `channel` → the feed parser; any other XML root → the notice-XML
/// adapters (eForms, BOAMP). `ParseOptions.format` overrides detection.
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
        case .csv:
            return try DECPCSVParser.parse(bytes, options: options)
        case .package:
            if let doc = try FormatRegistry.parsePackage(bytes, options: options) { return doc }
            throw ParserError.unknownFormat(document: options.documentName, hint: "gzip data that is not a TED package")
        case .noticeXML(let root, let ns):
            if let doc = try FormatRegistry.parseNoticeXML(
                rootName: root, namespace: ns, bytes: bytes, options: options)
            {
                return doc
            }
            throw ParserError.unknownFormat(
                document: options.documentName,
                hint: "XML root <\(root)>\(ns.map { " in \($0)" } ?? "") is no known format")
        }
    }

    /// Reads and parses a local file. Feeds are streamed from disk, so their size does not bound memory
    /// (the notices themselves still accumulate: see `parseFeedFile(atPath:options:onNotice:)`).
    public static func parseFile(atPath path: String, options: ParseOptions) throws -> ParsedDocument {
        try parseFileWithIntegrity(atPath: path, options: options).document
    }

    /// Reads and parses a local file like `parseFile(atPath:options:)`, and says whether anything may be missing
    /// from what was read: `vigie parse` warns on a recovered document and fails on a damaged one.
    public static func parseFileWithIntegrity(atPath path: String, options: ParseOptions) throws -> ParseResult {
        let file = try FileByteSource(path: path)
        let prefix = try file.readPrefix(EncodingSniffer.sniffLength * 4)
        let kind = try sniff(prefix: prefix, options: options)
        if case .feed = kind {
            return try parseFeedWithIntegrity(source: PrefixedByteSource(prefix: prefix, rest: file), options: options)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ParserError.unreadable(document: path, reason: "no such file or not readable")
        }
        let doc = try parse([UInt8](data), options: options)
        // Issues of notice formats are notices skipped or fields unread: content is missing.
        return ParseResult(document: doc, integrity: doc.issues.isEmpty ? .intact : .damaged)
    }

    /// Reads and parses a local file of any format, handing each notice to `onNotice` instead of collecting them.
    /// Feeds are streamed (bounded memory whatever the file size); other formats are parsed whole, then handed
    /// over. The returned document has no notices.
    public static func parseFile(
        atPath path: String, options: ParseOptions,
        onNotice: (Notice) -> Void
    ) throws -> ParsedDocument {
        let file = try FileByteSource(path: path)
        let prefix = try file.readPrefix(EncodingSniffer.sniffLength * 4)
        if case .feed = try sniff(prefix: prefix, options: options) {
            return try withoutActuallyEscaping(onNotice) { handler in
                try parseFeed(
                    source: PrefixedByteSource(prefix: prefix, rest: file), options: options, onNotice: handler)
            }
        }
        if case .json = try sniff(prefix: prefix, options: options),
            options.format == nil || options.format == .decpJSON
        {
            // DECP files (the national one is ~500 MB) hand each award over as soon as its record is read, so
            // the notices never accumulate; the bytes are read once, never parsed into one tree.
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ParserError.unreadable(document: path, reason: "no such file or not readable")
            }
            let bytes = [UInt8](data)
            if options.format == .decpJSON || DECPParser.matches(bytes) {
                let (issues, truncated) = try DECPParser.parseReporting(bytes, options: options, onNotice: onNotice)
                return ParsedDocument(format: .decpJSON, notices: [], issues: issues, truncated: truncated)
            }
            var doc = try parse(bytes, options: options)
            doc.notices.forEach(onNotice)
            doc.notices = []
            return doc
        }
        var doc = try parseFile(atPath: path, options: options)
        doc.notices.forEach(onNotice)
        doc.notices = []
        return doc
    }

    /// Streams a feed file, handing each notice to `onNotice` as soon as its entry ends; the returned document
    /// has the feed-level fields and issues but no notices. Memory stays bounded whatever the file size.
    public static func parseFeedFile(
        atPath path: String, options: ParseOptions,
        onNotice: (Notice) -> Void
    ) throws -> ParsedDocument {
        try withoutActuallyEscaping(onNotice) { handler in
            try parseFeed(source: FileByteSource(path: path), options: options, onNotice: handler)
        }
    }

    /// Parses a feed (RSS, RDF or Atom) from bytes, whatever its root says; throws `unknownFormat` when the root
    /// element is not a feed.
    public static func parseFeed(_ bytes: [UInt8], options: ParseOptions) throws -> ParsedDocument {
        try parseFeed(source: ArrayByteSource(bytes), options: options)
    }

    static func parseFeed(
        source: any ByteSource, options: ParseOptions, limits: XMLLimits = .default,
        onNotice: ((Notice) -> Void)? = nil
    ) throws -> ParsedDocument {
        try parseFeedWithIntegrity(source: source, options: options, limits: limits, onNotice: onNotice).document
    }

    static func parseFeedWithIntegrity(
        source: any ByteSource, options: ParseOptions, limits: XMLLimits = .default,
        onNotice: ((Notice) -> Void)? = nil
    ) throws -> ParseResult {
        let (utf8, _) = try EncodingSniffer.utf8Source(for: source, charsetHint: options.charsetHint)
        // No encoding is passed to libxml2: the stream is UTF-8 without BOM or declared encoding by now, which
        // libxml2 reads natively (naming "UTF-8" would add its UTF-8 to UTF-8 copying pass).
        let reader = try XMLStreamReader(
            source: utf8, documentName: options.documentName, baseURL: options.baseURL,
            limits: limits)
        var notices: [Notice] = []
        var adapter = FeedAdapter(options: options)
        var delivered = 0
        func deliver(_ entry: FeedEntryDocument) {
            let notice = adapter.notice(from: entry)
            delivered += 1
            if let onNotice { onNotice(notice) } else { notices.append(notice) }
        }
        let parser = FeedParser(reader: reader, baseURL: options.baseURL)
        var header = try parser.parse(
            onEntry: deliver, feedLinkUpdate: { adapter.feedLink = $0 },
            feedLanguageUpdate: { adapter.feedLanguage = $0 })
        var issues = parser.issues
        // Errors libxml2's reader got past without stopping (namespace errors, warnings) lose nothing.
        var integrity = issues.isEmpty ? DocumentIntegrity.intact : .recovered
        var truncated = false
        if let fatal = parser.fatalIssue {
            integrity = .damaged
            // Before the recovering pass salvages what it can: a document cut short (a Content-Length shorter
            // than the body made curl keep only the first part) is a failed page for the fetcher, however much
            // is recovered.
            truncated = reader.endsBeforeRootCloses()
            // xmlTextReader stops at the first well-formedness error; libxml2's recovering tree parser goes on.
            // Re-read small documents that way and deliver the entries the first pass did not reach.
            if let bytes = try recoverableDocument(source, options: options),
                let recovering = try recoveringReader(bytes, options: options, limits: limits)
            {
                let second = FeedParser(reader: recovering, baseURL: options.baseURL)
                let already = delivered
                var index = 0
                let doc = try? second.parse(
                    onEntry: { entry in
                        index += 1
                        if index > already { deliver(entry) }
                    },
                    feedLinkUpdate: { adapter.feedLink = $0 },
                    feedLanguageUpdate: { adapter.feedLanguage = $0 })
                if let doc, second.sawRootElement {
                    header = doc
                    let codes = recovering.fatalErrorCodes
                    if XMLStreamReader.losesNothing(fatalErrorCodes: codes)
                        || (codes == [XMLStreamReader.endTagNotClosedCode] && isRootEndTagCut(bytes))
                    {
                        integrity = .recovered
                    }
                }
            }
            if !parser.sawRootElement && delivered == 0 && header.title == nil {
                throw ParserError.malformed(fatal)
            }
            issues = issues.filter { $0 != fatal } + [fatal]
        }
        let document = ParsedDocument(
            format: header.documentFormat, title: header.title?.plain, link: header.mainLink,
            notices: notices, issues: issues, truncated: truncated)
        return ParseResult(document: document, integrity: integrity)
    }

    /// The recovering parser over `bytes`, nil when libxml2 cannot build a tree of them; a safety limit (entity
    /// expansion) still throws: the first pass may have stopped before the offending references.
    private static func recoveringReader(
        _ bytes: [UInt8], options: ParseOptions, limits: XMLLimits
    ) throws -> XMLStreamReader? {
        do {
            return try XMLStreamReader(
                recovering: bytes, documentName: options.documentName, baseURL: options.baseURL, limits: limits)
        } catch let error as ParserError {
            if case .limitExceeded = error { throw error }
            return nil
        }
    }

    /// Whether the document's only damage can be its root end tag cut short at the end (`</rss`, `</feed`: the
    /// last write of some generators and of hand-edited feeds), which loses no entry: the last `<` of the
    /// document opens an end tag that runs to the end, whitespace aside.
    static func isRootEndTagCut(_ bytes: [UInt8]) -> Bool {
        var end = bytes.count
        while end > 0, HTMLText.isSpace(bytes[end - 1]) { end -= 1 }
        guard let lt = bytes[..<end].lastIndex(of: 0x3C), lt + 2 < end, bytes[lt + 1] == 0x2F else { return false }
        let name = bytes[(lt + 2)..<end]
        let local = name.split(separator: 0x3A).last.map { String(decoding: $0, as: UTF8.self) } ?? ""
        return local == "rss" || local == "feed" || local == "RDF"
    }

    /// Documents up to this size (after decoding) are re-read with the recovering parser when malformed.
    static let recoveryCap = 8 << 20

    /// The whole document again, decoded to UTF-8 with repaired entities, when its source can be reopened and
    /// it is no larger than `recoveryCap`.
    private static func recoverableDocument(_ source: any ByteSource, options: ParseOptions) throws -> [UInt8]? {
        guard let again = try source.reopened() else { return nil }
        let (utf8, _) = try EncodingSniffer.utf8Source(for: again, charsetHint: options.charsetHint)
        let bytes = try utf8.readPrefix(recoveryCap + 1)
        return bytes.count > recoveryCap ? nil : bytes
    }

    // MARK: - Sniffing

    enum Kind: Equatable {
        case feed
        case json
        case package
        /// decp.info's `;`-separated award files: text that is neither JSON nor XML, told apart by its header.
        case csv
        case noticeXML(root: String, namespace: String?)
    }

    static func sniff(prefix: [UInt8], options: ParseOptions) throws -> Kind {
        if let format = options.format {
            switch format {
            case .rss, .rdf, .atom: return .feed
            case .tedPackage: return .package
            case .boampJSON, .tedJSON, .aidesTerritoiresJSON, .euFundingJSON, .decpJSON: return .json
            case .decpCSV: return .csv
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
        if DECPCSVParser.matches(prefix) { return .csv }
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

/// Whether anything may be missing from a parsed document.
public enum DocumentIntegrity: Sendable, Hashable {
    /// Well-formed: read in full, no issue.
    case intact
    /// Not well-formed, but what libxml2 recovered holds everything the document does: a second `<?xml ?>`
    /// declaration, end tags misspelt but balanced, the root end tag cut short at the end of the file, namespace
    /// errors. The issues are warnings.
    case recovered
    /// Content may be missing: a truncated or unbalanced document, a notice skipped inside a package, or a
    /// malformed feed larger than `DocumentParser.recoveryCap` (not re-read, so what followed the error is lost).
    case damaged
}

/// A parsed document with its integrity.
public struct ParseResult: Sendable, Hashable {
    public var document: ParsedDocument
    public var integrity: DocumentIntegrity

    public init(document: ParsedDocument, integrity: DocumentIntegrity) {
        self.document = document
        self.integrity = integrity
    }
}
