import CLibXML2
import Foundation
import Notices

/// Safety limits applied while streaming a document.
struct XMLLimits: Sendable, Hashable {
    /// Largest document accepted, in bytes of input.
    var maxBytes: Int
    /// Deepest element nesting accepted (libxml2 itself stops at 256 without `XML_PARSE_HUGE`).
    var maxDepth: Int

    /// 1 GiB and depth 256: far beyond any real feed or notice, small enough to stop hostile input.
    static let `default` = XMLLimits(maxBytes: 1 << 30, maxDepth: 256)
}

/// Node kinds reported by `XMLStreamReader` (the subset of libxml2's reader types we act on).
enum XMLNodeType: Sendable, Hashable {
    case element
    case endElement
    case text
    case cdata
    case whitespace
    case entityReference
    case comment
    case other
}

/// A streaming XML reader over libxml2's `xmlTextReader`: one node at a time, no DOM of the whole document.
///
/// Options are always `XML_PARSE_NONET | XML_PARSE_RECOVER | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
/// XML_PARSE_COMPACT`; never `NOENT` or `DTDLOAD`, so external entities are neither fetched nor read and
/// internal ones are not expanded in place. Recovered errors are collected in `issues`; an error the
/// parser cannot get past ends `read()` with `ParserError.malformed` naming the line and column.
///
/// Typical use, reading a whole element's text:
/// ```swift
/// let reader = try XMLStreamReader(bytes: bytes, documentName: "notice.xml")
/// while try reader.read() {
///     if reader.nodeType == .element, reader.localName == "title" { title = try reader.readText() }
/// }
/// ```
/// The reader owns its `xmlTextReaderPtr` and frees it in `deinit`; it is single-owner and not `Sendable`.
final class XMLStreamReader {
    /// File path or URL used in error messages.
    let documentName: String
    /// Recovered errors and warnings, in document order (at most 50 are kept).
    private(set) var issues: [ParseIssue] = []
    /// libxml2's codes of the well-formedness (fatal) errors met so far, in document order (at most 50): what
    /// `XMLStreamReader.losesNothing` judges.
    private(set) var fatalErrorCodes: [Int32] = []
    let limits: XMLLimits

    private let reader: xmlTextReaderPtr
    private let input: InputBox
    private let errorBox: ErrorBox
    private var errorsSeen = 0
    /// The recovered tree walked by a reader made with `init(recovering:…)`, freed in `deinit`.
    private let recoveredDoc: xmlDocPtr?

    /// Reads a document held in memory. `encoding` forces the input encoding (e.g. `"UTF-8"` after the caller
    /// transcoded the bytes itself); nil lets libxml2 use the BOM and XML declaration.
    convenience init(
        bytes: [UInt8], documentName: String, baseURL: String? = nil, encoding: String? = nil,
        limits: XMLLimits = .default
    ) throws {
        try self.init(
            source: ArrayByteSource(bytes), documentName: documentName, baseURL: baseURL,
            encoding: encoding, limits: limits)
    }

    /// Reads a document pulled chunk by chunk from `source` (a file, a normaliser), in bounded memory.
    init(
        source: any ByteSource, documentName: String, baseURL: String? = nil, encoding: String? = nil,
        limits: XMLLimits = .default
    ) throws {
        self.documentName = documentName
        self.limits = limits
        let input = InputBox(source: source, maxBytes: limits.maxBytes)
        let errors = ErrorBox()
        let options = Int32(
            XML_PARSE_NONET.rawValue | XML_PARSE_RECOVER.rawValue | XML_PARSE_NOERROR.rawValue
                | XML_PARSE_NOWARNING.rawValue | XML_PARSE_COMPACT.rawValue)
        let ctx = Unmanaged.passUnretained(input).toOpaque()
        guard let reader = xmlReaderForIO(xmlStreamReaderRead, nil, ctx, baseURL, encoding, options) else {
            if let refusal = input.entities.refusal {
                throw ParserError.limitExceeded(ParseIssue(file: documentName, message: refusal))
            }
            throw ParserError.malformed(ParseIssue(file: documentName, message: "cannot create XML reader"))
        }
        self.reader = reader
        self.input = input
        self.errorBox = errors
        self.recoveredDoc = nil
        xmlTextReaderSetStructuredErrorHandler(
            reader, xmlStreamReaderError, Unmanaged.passUnretained(errors).toOpaque())
    }

    /// Reads a document that the streaming reader gave up on, through libxml2's recovering parser.
    ///
    /// `xmlTextReader` stops at the first well-formedness error whatever the options, while the tree parser in
    /// recover mode goes on (a mismatched end tag, a truncated file). This builds that tree for `bytes` (already
    /// UTF-8) and walks it with the same API, so callers reuse their streaming code. Only for documents of bounded
    /// size: the caller decides (`DocumentParser` does it below 8 MB).
    init(recovering bytes: [UInt8], documentName: String, baseURL: String? = nil, limits: XMLLimits = .default) throws {
        self.documentName = documentName
        self.limits = limits
        let options = Int32(
            XML_PARSE_NONET.rawValue | XML_PARSE_RECOVER.rawValue | XML_PARSE_NOERROR.rawValue
                | XML_PARSE_NOWARNING.rawValue | XML_PARSE_COMPACT.rawValue)
        // The recovering parser reads the whole buffer at once: bound its entities before it starts.
        var entities = EntityExpansionGuard()
        if !entities.consume(bytes) || !entities.finish() {
            throw ParserError.limitExceeded(ParseIssue(file: documentName, message: entities.refusal ?? "refused"))
        }
        guard let ctxt = xmlNewParserCtxt() else {
            throw ParserError.malformed(ParseIssue(file: documentName, message: "cannot create XML parser"))
        }
        defer { xmlFreeParserCtxt(ctxt) }
        // The errors of this parse say whether anything was lost (see `losesNothing`): collect them with their
        // codes. libxml2 calls `serror` with the context as its data; `_private` is ours.
        let errors = ErrorBox()
        ctxt.pointee._private = Unmanaged.passUnretained(errors).toOpaque()
        ctxt.pointee.sax.pointee.serror = xmlRecoveringParseError
        let doc = bytes.withUnsafeBufferPointer { buf in
            buf.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buf.count) {
                xmlCtxtReadMemory(ctxt, $0, Int32(clamping: buf.count), baseURL, "UTF-8", options)
            }
        }
        guard let doc, let reader = xmlReaderWalker(doc) else {
            if let doc { xmlFreeDoc(doc) }
            throw ParserError.malformed(ParseIssue(file: documentName, message: "not recoverable as XML"))
        }
        self.reader = reader
        self.recoveredDoc = doc
        self.input = InputBox(source: ArrayByteSource([]), maxBytes: limits.maxBytes)
        self.errorBox = errors
        collectErrors()
    }

    deinit {
        xmlFreeTextReader(reader)
        if let recoveredDoc { xmlFreeDoc(recoveredDoc) }
    }

    // MARK: - Moving

    /// Advances to the next node; false at the end of the document.
    ///
    /// Throws `ParserError.limitExceeded` past `limits`, `ParserError.malformed` when libxml2 cannot recover,
    /// `ParserError.unreadable` when the source fails.
    func read() throws -> Bool {
        let r = xmlTextReaderRead(reader)
        collectErrors()
        if r == 1 {
            currentType = xmlTextReaderNodeType(reader)
            if currentType == 1 {
                let depth = Int(xmlTextReaderDepth(reader))
                if depth >= limits.maxDepth {
                    throw ParserError.limitExceeded(issue("element nesting deeper than \(limits.maxDepth)"))
                }
                if depth == 0 {
                    if rootName == nil { rootName = qualifiedName }
                    if isEmptyElement { rootClosed = true }
                }
            } else if currentType == 15, xmlTextReaderDepth(reader) == 0 {
                rootClosed = true
            }
            return true
        }
        if let error = input.error { throw error }
        if let refusal = input.entities.refusal {
            throw ParserError.limitExceeded(ParseIssue(file: documentName, message: refusal))
        }
        if input.exceeded {
            throw ParserError.limitExceeded(issue("document larger than \(limits.maxBytes) bytes"))
        }
        if r == 0 { return false }
        throw ParserError.malformed(fatalIssueNotingTruncation())
    }

    /// Skips the current element's subtree; the reader is then on the node after it.
    /// Returns false at the end of the document.
    func skip() throws -> Bool {
        let skipsRoot = currentType == 1 && xmlTextReaderDepth(reader) == 0
        let r = xmlTextReaderNext(reader)
        collectErrors()
        if skipsRoot && r >= 0 { rootClosed = true }
        if r == 1 {
            currentType = xmlTextReaderNodeType(reader)
            return true
        }
        if let error = input.error { throw error }
        if let refusal = input.entities.refusal {
            throw ParserError.limitExceeded(ParseIssue(file: documentName, message: refusal))
        }
        if input.exceeded {
            throw ParserError.limitExceeded(issue("document larger than \(limits.maxBytes) bytes"))
        }
        if r == 0 { return false }
        throw ParserError.malformed(fatalIssueNotingTruncation())
    }

    // MARK: - Truncation

    /// Qualified name of the root element, once the reader has reached it.
    private(set) var rootName: String?
    /// Whether the reader has read the end of the root element (or an empty root).
    private(set) var rootClosed = false

    /// Whether the document ends before its root element is closed: a file or a transfer cut short. Call it after
    /// the reader stopped (at the end or at a fatal error): it reads what is left of the input, without parsing it,
    /// and looks at how the document ends. A root end tag cut short (`</rss` at the very end, the last write of
    /// some generators) still closes the root: nothing is lost.
    func endsBeforeRootCloses() -> Bool {
        if rootClosed { return false }
        // libxml2's reader parses a chunk ahead: an error in the first chunk stops it before it returns the root
        // element, so the root may have to be read from the first bytes.
        guard let root = rootName.map(Self.localPart) ?? RootSniffer.scan(input.head)?.localName else { return true }
        input.drain()
        return !Self.closesRoot(input.tail, rootLocalName: root)
    }

    private static func localPart(_ name: String) -> String {
        name.split(separator: ":").last.map(String.init) ?? name
    }

    /// Whether `tail`, the last bytes of a document, ends with the end tag of the root (by its local name;
    /// comments, processing instructions and whitespace after it aside).
    static func closesRoot(_ b: [UInt8], rootLocalName: String) -> Bool {
        var end = b.count
        func ends(with s: String) -> Bool {
            let u = Array(s.utf8)
            return end >= u.count && b[(end - u.count)..<end].elementsEqual(u)
        }
        while true {
            while end > 0, HTMLText.isSpace(b[end - 1]) { end -= 1 }
            if ends(with: "-->"), let open = b[..<end].lastRange(of: Array("<!--".utf8)) {
                end = open.lowerBound
            } else if ends(with: "?>"), let open = b[..<end].lastRange(of: Array("<?".utf8)) {
                end = open.lowerBound
            } else {
                break
            }
        }
        guard let lt = b[..<end].lastIndex(of: 0x3C), lt + 1 < end, b[lt + 1] == 0x2F else { return false }
        var nameEnd = end
        if b[end - 1] == 0x3E { nameEnd -= 1 }
        while nameEnd > lt + 2, HTMLText.isSpace(b[nameEnd - 1]) { nameEnd -= 1 }
        var nameStart = lt + 2
        if let colon = b[nameStart..<nameEnd].lastIndex(of: 0x3A) { nameStart = colon + 1 }
        return b[nameStart..<nameEnd].elementsEqual(rootLocalName.utf8)
    }

    // MARK: - Current node

    /// The libxml2 node type of the current node, read once per move.
    private var currentType: Int32 = 0

    var nodeType: XMLNodeType {
        switch currentType {
        case 1: return .element
        case 15: return .endElement
        case 3: return .text
        case 4: return .cdata
        case 13, 14: return .whitespace
        case 5: return .entityReference
        case 8: return .comment
        default: return .other
        }
    }

    /// Local name of the current element or attribute (`title` for `<dc:title>`).
    var localName: String {
        guard let p = xmlTextReaderConstLocalName(reader) else { return "" }
        return String(cString: p)
    }

    /// Qualified name as written (`dc:title`).
    var qualifiedName: String {
        guard let p = xmlTextReaderConstName(reader) else { return "" }
        return String(cString: p)
    }

    /// Namespace URI of the current node, nil when it has none.
    var namespaceURI: String? {
        guard let p = xmlTextReaderConstNamespaceUri(reader) else { return nil }
        return String(cString: p)
    }

    /// The namespace URI as libxml2's interned pointer: equal strings give equal pointers within one reader,
    /// so hot loops can cache a classification per pointer instead of comparing strings.
    var namespaceURIPointer: UnsafePointer<xmlChar>? { xmlTextReaderConstNamespaceUri(reader) }

    /// The local name as libxml2's interned pointer (see `namespaceURIPointer`).
    var localNamePointer: UnsafePointer<xmlChar>? { xmlTextReaderConstLocalName(reader) }

    /// Depth of the current node, the root element being 0.
    var depth: Int { Int(xmlTextReaderDepth(reader)) }

    /// True for `<x/>`: no end-element node will follow.
    var isEmptyElement: Bool { xmlTextReaderIsEmptyElement(reader) == 1 }

    /// Text of a text, CDATA, whitespace or comment node; nil for elements.
    var value: String? {
        guard let p = xmlTextReaderConstValue(reader) else { return nil }
        return String(cString: p)
    }

    /// The text of the current text, CDATA or whitespace node as libxml2 holds it (valid until the next move).
    var valuePointer: UnsafePointer<xmlChar>? { xmlTextReaderConstValue(reader) }

    /// Value of an attribute of the current element, by local name and namespace URI (nil: no namespace).
    func attribute(localName: String, namespace: String? = nil) -> String? {
        let p: UnsafeMutablePointer<xmlChar>?
        if let namespace {
            p = xmlTextReaderGetAttributeNs(reader, localName, namespace)
        } else {
            p = xmlTextReaderGetAttribute(reader, localName)
        }
        guard let p else { return nil }
        defer { vigie_xmlFree(p) }
        return String(cString: p)
    }

    /// Whether the current element has attributes (cheap: check before several `attribute` calls).
    var hasAttributes: Bool { xmlTextReaderHasAttributes(reader) == 1 }

    /// All attributes of the current element as (qualified name, namespace URI, value), in document order.
    func attributes() -> [(name: String, namespace: String?, value: String)] {
        var out: [(String, String?, String)] = []
        guard xmlTextReaderHasAttributes(reader) == 1 else { return out }
        while xmlTextReaderMoveToNextAttribute(reader) == 1 {
            if xmlTextReaderIsNamespaceDecl(reader) == 1 { continue }
            out.append((qualifiedName, namespaceURI, value ?? ""))
        }
        xmlTextReaderMoveToElement(reader)
        return out
    }

    /// `xml:lang` in scope, if any.
    var xmlLang: String? {
        guard let p = xmlTextReaderConstXmlLang(reader) else { return nil }
        return String(cString: p)
    }

    /// Line of the parser's position (1-based), as libxml2 reports it for the current node.
    var line: Int { Int(xmlTextReaderGetParserLineNumber(reader)) }
    /// Column of the parser's position (1-based).
    var column: Int { Int(xmlTextReaderGetParserColumnNumber(reader)) }

    // MARK: - Reading whole elements

    /// Reads the text content of the current element: all text and CDATA of its descendants, concatenated.
    ///
    /// Call it on an element node; afterwards the reader is on that element's end (or still on it when empty).
    /// On a non-element node it returns that node's value.
    func readText() throws -> String {
        guard nodeType == .element else { return value ?? "" }
        if isEmptyElement { return "" }
        let start = depth
        var text = ""
        while try read() {
            switch nodeType {
            case .text, .cdata, .whitespace:
                if let p = xmlTextReaderConstValue(reader) { text += String(cString: p) }
            case .entityReference:
                if let v = internalEntityText() { text += v }
            case .endElement where depth == start:
                return text
            default:
                break
            }
        }
        return text
    }

    /// The content of an element read once: its text (all descendant text concatenated) and, only when it has
    /// child elements, the same content as markup.
    struct Content {
        var text: String
        /// Child elements written back as tags (`<p class="x">…</p>`, prefixes dropped), text escaped: the
        /// content read as XHTML, an HTML fragment.
        var markup: String?
        /// Child elements written as tags, text as is: the content read as HTML source that happened to contain
        /// elements (an escaped-HTML `<content type="html">` wrapped in a `<div>`).
        var rawMarkup: String?
    }

    /// Reads the current element's content as both text and, when it has child elements, markup: no markup
    /// string is built until an element appears, so the common text-only case costs no more than `readText`.
    /// The reader ends on the element's end.
    func readContent() throws -> Content {
        guard nodeType == .element else { return Content(text: value ?? "") }
        if isEmptyElement { return Content(text: "") }
        let start = depth
        var text = ""
        var markup: String?
        var raw: String?
        while try read() {
            switch nodeType {
            case .text, .cdata, .whitespace:
                if let p = xmlTextReaderConstValue(reader) {
                    let v = String(cString: p)
                    text += v
                    if markup != nil {
                        markup! += Self.escape(v)
                        raw! += v
                    }
                }
            case .entityReference:
                if let v = internalEntityText() {
                    text += v
                    if markup != nil {
                        markup! += Self.escape(v)
                        raw! += v
                    }
                }
            case .element:
                if markup == nil {
                    markup = Self.escape(text)
                    raw = text
                }
                var tag = "<" + localName
                if hasAttributes {
                    for a in attributes() where a.namespace == nil || a.namespace == "" {
                        tag += " \(a.name)=\"\(Self.escape(a.value))\""
                    }
                }
                tag += isEmptyElement ? "/>" : ">"
                markup! += tag
                raw! += tag
            case .endElement:
                if depth == start { return Content(text: text, markup: markup, rawMarkup: raw) }
                markup? += "</" + localName + ">"
                raw? += "</" + localName + ">"
            default:
                break
            }
        }
        return Content(text: text, markup: markup, rawMarkup: raw)
    }

    /// Reads the current element's content as HTML source, appended to `out` as UTF-8: text and CDATA as they
    /// are (escaped HTML stays HTML), child elements written back as tags. Feeds' HTML fields go through here:
    /// no Swift string is made of the raw content, only of the text reduced from it. The reader ends on the
    /// element's end.
    func readHTMLSource(into out: inout [UInt8]) throws {
        guard nodeType == .element, !isEmptyElement else { return }
        let start = depth
        while try read() {
            switch nodeType {
            case .text, .cdata, .whitespace:
                if let p = xmlTextReaderConstValue(reader) {
                    out.append(contentsOf: UnsafeBufferPointer(start: p, count: strlen(p)))
                }
            case .entityReference:
                if let v = internalEntityText() { out.append(contentsOf: v.utf8) }
            case .element:
                out.append(0x3C)
                if let p = xmlTextReaderConstLocalName(reader) {
                    out.append(contentsOf: UnsafeBufferPointer(start: p, count: strlen(p)))
                }
                if hasAttributes {
                    for a in attributes() where a.namespace == nil || a.namespace == "" {
                        out.append(contentsOf: " \(a.name)=\"\(Self.escape(a.value))\"".utf8)
                    }
                }
                if isEmptyElement { out.append(0x2F) }
                out.append(0x3E)
            case .endElement:
                if depth == start { return }
                out.append(contentsOf: [0x3C, 0x2F])
                if let p = xmlTextReaderConstLocalName(reader) {
                    out.append(contentsOf: UnsafeBufferPointer(start: p, count: strlen(p)))
                }
                out.append(0x3E)
            default:
                break
            }
        }
    }

    /// The replacement text of the internal entity the current entity-reference node refers to, when it is plain
    /// text. Entities are never expanded by libxml2 here (no `XML_PARSE_NOENT`); a feed that declares
    /// `<!ENTITY id "tag:example.com,">` still gets its text, while entities whose value holds markup or other
    /// references are left out, which keeps a billion-laughs document harmless.
    func internalEntityText() -> String? {
        guard let node = xmlTextReaderCurrentNode(reader), node.pointee.type == XML_ENTITY_REF_NODE,
            let child = node.pointee.children
        else { return nil }
        let entity = UnsafeMutableRawPointer(child).assumingMemoryBound(to: xmlEntity.self)
        guard entity.pointee.type == XML_ENTITY_DECL, entity.pointee.etype == XML_INTERNAL_GENERAL_ENTITY,
            let content = entity.pointee.content
        else { return nil }
        let value = String(cString: content)
        if value.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C }) { return nil }
        return value
    }

    static func escape(_ s: String) -> String {
        guard s.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 }) else { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count + 16)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    // MARK: - Errors

    /// An issue at the parser's current position.
    func issue(_ message: String) -> ParseIssue {
        ParseIssue(file: documentName, line: line, column: column, message: message)
    }

    @inline(__always) private func collectErrors() {
        guard errorBox.count != errorsSeen else { return }
        errorsSeen = errorBox.count
        for e in errorBox.pending {
            if issues.count < 50 {
                issues.append(ParseIssue(file: documentName, line: e.line, column: e.column, message: e.message))
            }
            if e.isFatal && fatalErrorCodes.count < 50 { fatalErrorCodes.append(e.code) }
        }
        errorBox.pending.removeAll()
    }

    /// Whether libxml2's recovering parser, having met only the well-formedness errors `codes`, kept everything
    /// the document holds. True for a second `<?xml ?>` declaration (feeds concatenated by a CMS template, read
    /// as a processing instruction and skipped) and for end tags that do not match their start tag but balance
    /// (`<title>…</titel>`: the recovering parser closes the open element, as the writer meant). Any other
    /// fatal error — a premature end of data, content after the root, a broken tag — may have lost content;
    /// an unbalanced end tag always brings one of those along.
    static func losesNothing(fatalErrorCodes codes: [Int32]) -> Bool {
        codes.allSatisfy { code in
            code == Int32(XML_ERR_RESERVED_XML_NAME.rawValue) || code == Int32(XML_ERR_TAG_NAME_MISMATCH.rawValue)
        }
    }

    /// libxml2's code for "expected '>'", which a root end tag cut short (`</rss` at the end of the file) raises.
    static let endTagNotClosedCode = Int32(XML_ERR_GT_REQUIRED.rawValue)

    /// The fatal issue, saying so when the document was cut short: libxml2's "Premature end of data" does not
    /// tell a truncated transfer from a broken tag.
    private func fatalIssueNotingTruncation() -> ParseIssue {
        var issue = fatalIssue()
        if endsBeforeRootCloses() {
            let root = (rootName ?? RootSniffer.scan(input.head)?.localName).map { " <\($0)>" } ?? ""
            issue.message = "document ends before its root element\(root) is closed (truncated): " + issue.message
        }
        return issue
    }

    private func fatalIssue() -> ParseIssue {
        // The first fatal error is the cause; later ones are usually its consequences.
        if let last = errorBox.firstFatal ?? errorBox.last {
            return ParseIssue(file: documentName, line: last.line, column: last.column, message: last.message)
        }
        return issue("XML error")
    }
}

/// Per-reader state the C read callback reaches through its context pointer.
private final class InputBox {
    let source: any ByteSource
    let maxBytes: Int
    var total = 0
    var exceeded = false
    var error: (any Error)?
    /// Every byte handed to libxml2 passes through here first (see `EntityExpansionGuard`).
    var entities = EntityExpansionGuard()
    /// The last bytes read, to tell how the document ends (`XMLStreamReader.endsBeforeRootCloses`).
    var tail: [UInt8] = []
    static let tailSize = 4096

    /// The first bytes read, to find the root element when libxml2 stopped before reporting it.
    var head: [UInt8] = []
    static let headSize = 16 * 1024

    func keepTail(_ chunk: UnsafeRawBufferPointer) {
        if head.count < Self.headSize { head.append(contentsOf: chunk.prefix(Self.headSize - head.count)) }
        if chunk.count >= Self.tailSize {
            tail = Array(chunk.suffix(Self.tailSize))
        } else {
            tail.append(contentsOf: chunk)
            if tail.count > 2 * Self.tailSize { tail.removeFirst(tail.count - Self.tailSize) }
        }
    }

    /// Reads the rest of the source (libxml2 stopped at a fatal error), keeping only its tail.
    func drain() {
        guard error == nil, !exceeded else { return }
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while total <= maxBytes {
            let n: Int
            do {
                n = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
            } catch {
                // The end cannot be seen: count the document as cut short rather than complete.
                tail = []
                return
            }
            if n == 0 { break }
            total += n
            buffer.withUnsafeBytes { keepTail(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
    }

    init(source: any ByteSource, maxBytes: Int) {
        self.source = source
        self.maxBytes = maxBytes
    }
}

/// Errors reported by libxml2's structured error callback.
private final class ErrorBox {
    struct Entry {
        var line: Int
        var column: Int
        var message: String
        var code: Int32
        var isFatal: Bool
    }
    var pending: [Entry] = []
    var last: Entry?
    var firstFatal: Entry?
    var count = 0
}

private func xmlStreamReaderRead(
    _ ctx: UnsafeMutableRawPointer?, _ buffer: UnsafeMutablePointer<CChar>?,
    _ len: Int32
) -> Int32 {
    guard let ctx, let buffer, len > 0 else { return -1 }
    let box = Unmanaged<InputBox>.fromOpaque(ctx).takeUnretainedValue()
    if box.exceeded || box.error != nil || box.entities.refusal != nil { return -1 }
    do {
        let n = try box.source.read(into: UnsafeMutableRawBufferPointer(start: buffer, count: Int(len)))
        box.total += n
        if box.total > box.maxBytes {
            box.exceeded = true
            return -1
        }
        // Scanned before libxml2 sees them: a refused document never reaches the parser past this chunk.
        let accepted =
            n == 0
            ? box.entities.finish() : box.entities.consume(UnsafeRawBufferPointer(start: buffer, count: n))
        if !accepted { return -1 }
        box.keepTail(UnsafeRawBufferPointer(start: buffer, count: n))
        return Int32(n)
    } catch {
        box.error = error
        return -1
    }
}

private func xmlStreamReaderError(_ ctx: UnsafeMutableRawPointer?, _ error: xmlErrorPtr?) {
    guard let ctx, let error else { return }
    record(error, in: Unmanaged<ErrorBox>.fromOpaque(ctx).takeUnretainedValue())
}

/// The recovering tree parser's error callback: its data is the parser context, whose `_private` is the box.
private func xmlRecoveringParseError(_ ctx: UnsafeMutableRawPointer?, _ error: xmlErrorPtr?) {
    guard let ctx, let error,
        let box = ctx.assumingMemoryBound(to: xmlParserCtxt.self).pointee._private
    else { return }
    record(error, in: Unmanaged<ErrorBox>.fromOpaque(box).takeUnretainedValue())
}

private func record(_ error: xmlErrorPtr, in box: ErrorBox) {
    box.count += 1
    var message = error.pointee.message.map { String(cString: $0) } ?? "XML error"
    while message.last == "\n" || message.last == " " { message.removeLast() }
    let isFatal = error.pointee.level == XML_ERR_FATAL
    let entry = ErrorBox.Entry(
        line: Int(error.pointee.line), column: Int(error.pointee.int2), message: message,
        code: Int32(error.pointee.code), isFatal: isFatal)
    box.last = entry
    if isFatal, box.firstFatal == nil { box.firstFatal = entry }
    if box.pending.count < 50 { box.pending.append(entry) }
}
