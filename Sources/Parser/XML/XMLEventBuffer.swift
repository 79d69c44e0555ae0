import CLibXML2
import Foundation
import Notices

/// A whole small document read once into a flat list of events (element starts and ends, text), then walked
/// like `XMLStreamReader`: `read`, `skip`, `readText`, `attribute`.
///
/// Why: eForms notices come one per file (10–50 KB) by the hundred thousand, and libxml2's `xmlTextReader` builds
/// and frees a tree node for every node it reports — 2.5× the time of its SAX2 parser over the same bytes. The
/// fast path (`init?(saxParsing:)`) runs the SAX2 push parser with callbacks that only append to three arrays:
/// skipping a subtree is then a jump to its recorded end, and text is decoded only for the fields a parser asks
/// for. The fast path takes only the plain case — ASCII-compatible input, no DOCTYPE (so no declared entity to
/// bound or expand), no error or warning of any kind, attribute values without references — and returns nil for
/// anything else; `init(reader:)` then records the same events through `XMLStreamReader`, whose error messages,
/// recovery, entity guard and limits stay the only ones a document can meet.
final class XMLEventBuffer {
    enum Kind: UInt8 { case start, end, text }

    struct Event {
        var kind: Kind
        /// Element starts: index of the matching end event (the start itself for an empty element).
        var end: Int32 = 0
        /// Element starts: range in `attributes`; text: range in `bytes`.
        var lo: Int32 = 0
        var hi: Int32 = 0
        /// Element starts: the local name, interned by libxml2 (equal names, equal pointers, for one document).
        var name: UnsafePointer<xmlChar>?
    }

    /// An attribute without prefix: its local name and value as ranges of `bytes`.
    struct Attribute {
        var nameLo: Int32
        var nameHi: Int32
        var valueLo: Int32
        var valueHi: Int32
    }

    // Unchecked exclusivity: every SAX callback and every step of the walk touches these, and no access to them is
    // ever held across a call (the dynamic checks on class properties showed in the reader path's profile).
    @exclusivity(unchecked) private(set) var events: [Event] = []
    @exclusivity(unchecked) private(set) var attributes: [Attribute] = []
    @exclusivity(unchecked) private(set) var bytes: [UInt8] = []
    /// Open elements while recording (indices of their start events).
    @exclusivity(unchecked) private var open: [Int32] = []
    /// Set by the SAX callbacks when the document leaves the plain case: the caller then takes the full reader.
    fileprivate var declined = false
    /// What keeps the interned names alive: the SAX parser context, or the `XMLStreamReader`.
    private var context: xmlParserCtxtPtr?
    private var keepAlive: AnyObject?
    private let maxDepth: Int

    /// The event under the cursor (-1 before the first `read`).
    @exclusivity(unchecked) private var position = -1

    private init(capacity: Int, maxDepth: Int) {
        self.maxDepth = maxDepth
        events.reserveCapacity(capacity / 24)
        bytes.reserveCapacity(capacity / 2)
        attributes.reserveCapacity(capacity / 256)
        open.reserveCapacity(32)
    }

    deinit {
        if let context { xmlFreeParserCtxt(context) }
    }

    // MARK: - Recording

    /// The fast path: `bytes` parsed by libxml2's SAX2 push parser, or nil when the document is not in the plain
    /// case described above (the caller then uses `init(reader:)`).
    convenience init?(saxParsing bytes: [UInt8], limits: XMLLimits = .default) {
        guard bytes.count <= limits.maxBytes, Self.isPlain(bytes) else { return nil }
        self.init(capacity: bytes.count, maxDepth: limits.maxDepth)
        var handler = xmlSAXHandler()
        handler.initialized = UInt32(XML_SAX2_MAGIC)
        handler.startElementNs = eventStart
        handler.endElementNs = eventEnd
        handler.characters = eventText
        handler.ignorableWhitespace = eventText
        handler.cdataBlock = eventText
        handler.reference = eventDecline
        handler.internalSubset = eventDeclineSubset
        handler.externalSubset = eventDeclineSubset
        handler.serror = eventError
        let box = Unmanaged.passUnretained(self).toOpaque()
        guard let ctxt = xmlCreatePushParserCtxt(&handler, box, nil, 0, nil) else { return nil }
        context = ctxt
        let options = Int32(
            XML_PARSE_NONET.rawValue | XML_PARSE_RECOVER.rawValue | XML_PARSE_NOERROR.rawValue
                | XML_PARSE_NOWARNING.rawValue | XML_PARSE_COMPACT.rawValue)
        xmlCtxtUseOptions(ctxt, options)
        let status = bytes.withUnsafeBufferPointer { buf in
            buf.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buf.count) {
                xmlParseChunk(ctxt, $0, Int32(clamping: buf.count), 1)
            }
        }
        if status != 0 || declined || !open.isEmpty || events.isEmpty || ctxt.pointee.wellFormed == 0 { return nil }
    }

    /// Whether the fast path may read `b`: UTF-8 or another ASCII-compatible encoding (the first byte after an
    /// optional BOM is `<` followed by a non-zero byte), and no `<!DOCTYPE` anywhere (the bytes `<!D` are enough to
    /// decline: a comment or CDATA mentioning it only costs the slower path).
    static func isPlain(_ b: [UInt8]) -> Bool {
        b.withUnsafeBufferPointer { buf -> Bool in
            var start = 0
            if buf.count >= 3, buf[0] == 0xEF, buf[1] == 0xBB, buf[2] == 0xBF { start = 3 }
            guard buf.count >= start + 2, buf[start] == 0x3C, buf[start + 1] != 0 else { return false }
            // `memchr` from one `<!` candidate to the next (`memmem` is not exposed to Swift on Linux).
            let base = UnsafeRawPointer(buf.baseAddress!)
            var i = start
            while i + 2 < buf.count, let p = memchr(base + i, 0x3C, buf.count - i) {
                i = base.distance(to: UnsafeRawPointer(p))
                if i + 2 < buf.count, buf[i + 1] == 0x21, buf[i + 2] == 0x44 { return false }
                i += 1
            }
            return true
        }
    }

    /// The slow path: every node `reader` reports, recorded as events (text of plain internal entities included,
    /// as `XMLStreamReader.readText` reads it). Throws what the reader throws.
    convenience init(reader: XMLStreamReader) throws {
        self.init(capacity: 64 * 1024, maxDepth: reader.limits.maxDepth)
        keepAlive = reader
        while try reader.read() {
            switch reader.nodeType {
            case .element:
                let lo = Int32(attributes.count)
                if reader.hasAttributes {
                    // `XMLStreamReader.attribute(localName:)` matches the qualified name: keep unprefixed ones.
                    for a in reader.attributes() where !a.name.utf8.contains(0x3A) {
                        let nameLo = Int32(bytes.count)
                        bytes.append(contentsOf: a.name.utf8)
                        let valueLo = Int32(bytes.count)
                        bytes.append(contentsOf: a.value.utf8)
                        attributes.append(
                            Attribute(nameLo: nameLo, nameHi: valueLo, valueLo: valueLo, valueHi: Int32(bytes.count)))
                    }
                }
                recordStart(reader.localNamePointer, attributesFrom: lo)
                if reader.isEmptyElement { recordEnd() }
            case .endElement:
                recordEnd()
            case .text, .cdata, .whitespace:
                if let p = reader.valuePointer { recordText(p, count: strlen(p)) }
            case .entityReference:
                if let v = reader.internalEntityText() {
                    var v = v
                    v.withUTF8 { recordText($0.baseAddress, count: $0.count) }
                }
            default:
                break
            }
        }
    }

    @inline(__always) fileprivate func recordStart(_ name: UnsafePointer<xmlChar>?, attributesFrom lo: Int32) {
        if open.count >= maxDepth {
            declined = true
            return
        }
        open.append(Int32(events.count))
        events.append(Event(kind: .start, lo: lo, hi: Int32(attributes.count), name: name))
    }

    @inline(__always) fileprivate func recordEnd() {
        guard let start = open.popLast() else { return }
        let s = Int(start)
        if s == events.count - 1 {
            // Nothing inside: an empty element, as the reader reports `<x/>`.
            events[s].end = start
        } else {
            events[s].end = Int32(events.count)
            events.append(Event(kind: .end, name: events[s].name))
        }
    }

    @inline(__always) fileprivate func recordText(_ p: UnsafePointer<xmlChar>?, count: Int) {
        guard let p, count > 0 else { return }
        let lo = Int32(bytes.count)
        bytes.append(contentsOf: UnsafeBufferPointer(start: p, count: count))
        // Consecutive pieces (text around a character reference, a CDATA section) make one text event.
        if let last = events.last, last.kind == .text, last.hi == lo {
            events[events.count - 1].hi = Int32(bytes.count)
        } else {
            events.append(Event(kind: .text, lo: lo, hi: Int32(bytes.count)))
        }
    }

    fileprivate func recordAttributes(_ count: Int, _ attrs: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?) {
        guard let attrs else { return }
        for i in 0..<count {
            let base = attrs + 5 * i
            // Prefixed attributes (`xml:lang`…) are never asked for by local name alone.
            guard base[1] == nil, let name = base[0], let value = base[3], let valueEnd = base[4] else { continue }
            let n = value.distance(to: valueEnd)
            // With entities left unexpanded, libxml2 hands `&amp;` in an attribute over as `&#38;` for the tree
            // builder to decode: such values take the full reader.
            if memchr(value, 0x26, n) != nil {
                declined = true
                return
            }
            let nameLo = Int32(bytes.count)
            bytes.append(contentsOf: UnsafeBufferPointer(start: name, count: strlen(name)))
            let valueLo = Int32(bytes.count)
            bytes.append(contentsOf: UnsafeBufferPointer(start: value, count: n))
            attributes.append(Attribute(nameLo: nameLo, nameHi: valueLo, valueLo: valueLo, valueHi: Int32(bytes.count)))
        }
    }

    fileprivate func stop() {
        declined = true
        if let context { xmlStopParser(context) }
    }

    // MARK: - Walking

    /// Moves to the next event; false at the end.
    @inline(__always) func read() -> Bool {
        position += 1
        return position < events.count
    }

    /// Moves past the current element's subtree; false at the end.
    @inline(__always) func skip() -> Bool {
        if position >= 0, position < events.count, events[position].kind == .start {
            position = Int(events[position].end)
        }
        return read()
    }

    var nodeType: XMLNodeType {
        switch events[position].kind {
        case .start: return .element
        case .end: return .endElement
        case .text: return .text
        }
    }

    /// True for an element with nothing inside: no end event follows.
    var isEmptyElement: Bool { events[position].kind == .start && Int(events[position].end) == position }

    /// The current element's local name as libxml2's interned pointer.
    var localNamePointer: UnsafePointer<xmlChar>? { events[position].name }

    /// The current element's local name.
    var localName: String { events[position].name.map { String(cString: $0) } ?? "" }

    /// The text of the current element's descendants, concatenated; the cursor then is on the element's end.
    func readText() -> String {
        let e = events[position]
        if e.kind == .text { return string(Int(e.lo), Int(e.hi)) }
        guard e.kind == .start, Int(e.end) != position else { return "" }
        let end = Int(e.end)
        var first = -1
        var pieces = 0
        for i in (position + 1)..<end where events[i].kind == .text {
            if first < 0 { first = i }
            pieces += 1
        }
        position = end
        if pieces == 0 { return "" }
        if pieces == 1 { return string(Int(events[first].lo), Int(events[first].hi)) }
        var joined: [UInt8] = []
        for i in first..<end where events[i].kind == .text {
            joined += bytes[Int(events[i].lo)..<Int(events[i].hi)]
        }
        return String(decoding: joined, as: UTF8.self)
    }

    /// Value of the current element's attribute `name` (without prefix), nil when absent.
    func attribute(localName name: String) -> String? {
        let e = events[position]
        guard e.kind == .start, e.lo < e.hi else { return nil }
        var name = name
        return name.withUTF8 { want -> String? in
            for i in Int(e.lo)..<Int(e.hi) {
                let a = attributes[i]
                guard Int(a.nameHi - a.nameLo) == want.count else { continue }
                let same = bytes.withUnsafeBufferPointer { b in
                    memcmp(b.baseAddress! + Int(a.nameLo), want.baseAddress!, want.count) == 0
                }
                if same { return string(Int(a.valueLo), Int(a.valueHi)) }
            }
            return nil
        }
    }

    @inline(__always) private func string(_ lo: Int, _ hi: Int) -> String {
        bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[lo..<hi]), as: UTF8.self) }
    }
}

// MARK: - SAX2 callbacks (their context is the buffer being filled)

@inline(__always) private func buffer(_ ctx: UnsafeMutableRawPointer?) -> XMLEventBuffer {
    Unmanaged<XMLEventBuffer>.fromOpaque(ctx!).takeUnretainedValue()
}

private func eventStart(
    _ ctx: UnsafeMutableRawPointer?, _ localname: UnsafePointer<xmlChar>?, _ prefix: UnsafePointer<xmlChar>?,
    _ uri: UnsafePointer<xmlChar>?, _ nbNamespaces: Int32, _ namespaces: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?,
    _ nbAttributes: Int32, _ nbDefaulted: Int32, _ attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?
) {
    let b = buffer(ctx)
    let lo = Int32(b.attributes.count)
    if nbAttributes > 0 { b.recordAttributes(Int(nbAttributes), attributes) }
    b.recordStart(localname, attributesFrom: lo)
    if b.declined { b.stop() }
}

private func eventEnd(
    _ ctx: UnsafeMutableRawPointer?, _ localname: UnsafePointer<xmlChar>?, _ prefix: UnsafePointer<xmlChar>?,
    _ uri: UnsafePointer<xmlChar>?
) {
    buffer(ctx).recordEnd()
}

private func eventText(_ ctx: UnsafeMutableRawPointer?, _ ch: UnsafePointer<xmlChar>?, _ len: Int32) {
    buffer(ctx).recordText(ch, count: Int(len))
}

/// An entity reference: only documents with a DTD have any besides the predefined ones, which libxml2 hands over as
/// text. Declined all the same, should one come.
private func eventDecline(_ ctx: UnsafeMutableRawPointer?, _ name: UnsafePointer<xmlChar>?) {
    buffer(ctx).stop()
}

private func eventDeclineSubset(
    _ ctx: UnsafeMutableRawPointer?, _ name: UnsafePointer<xmlChar>?, _ externalID: UnsafePointer<xmlChar>?,
    _ systemID: UnsafePointer<xmlChar>?
) {
    buffer(ctx).stop()
}

/// Any error or warning: the full reader reports it (with its line, column and truncation diagnosis).
private func eventError(_ ctx: UnsafeMutableRawPointer?, _ error: xmlErrorPtr?) {
    buffer(ctx).stop()
}
