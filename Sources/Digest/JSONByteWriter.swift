import Foundation
import Notices

/// Writes a value's JSON straight to bytes, byte for byte as `NoticeJSON.encoder(pretty: true)` does (sorted keys,
/// pretty printing with two spaces and ` : `, `/` not escaped, dates as `ISO8601.format`), without the
/// encoder's tree of boxed values: the JSON digest is written once per recipient each night, and JSONEncoder was
/// 13 % of the night's CPU.
///
/// The layout rules are swift-foundation's `JSONWriter`: keys sorted by their UTF-8 bytes, the last value written
/// for a key kept, an empty container written `[`, a blank line, `]`; numbers as their `description` (a whole
/// `Double` without its `.0`, a `Decimal` as is); strings with `"`, `\`, control characters escaped (`\n`, `\t`,
/// `\u001f`…) and everything else, non-ASCII included, as is. `DigestTests` compares the two on the golden
/// digest and on digests of the real samples, so they cannot drift apart silently.
///
/// `codingPath` is left empty: no type of the digest reads it, and keeping it costs an array per value.
public enum JSONByteWriter {
    /// The value's pretty-printed JSON (no final newline): written in one pass (``Stream``), or by the tree writer
    /// (``encodeTree(_:)``) when the value uses its containers in an order the stream cannot follow. The notices
    /// it holds are copied from those the digests sharing `digest`'s render cache wrote, if any.
    static func encode<T: Encodable>(_ value: T, sharingNoticesOf digest: DigestInput? = nil) throws -> [UInt8] {
        let stream = Stream()
        if let digest { stream.share(digest) }
        stream.out.reserveCapacity(64 * 1024)
        try stream.value(value, depth: 0)
        while !stream.frames.isEmpty { stream.end() }
        if !stream.failed { return stream.out }
        return try encodeTree(value)
    }

    /// The value's pretty-printed JSON (no final newline), through a tree of the values.
    ///
    /// Two passes: the values' bytes (strings escaped, numbers, dates) are written one after the other to one
    /// buffer while the containers record which range each key holds; then the document is laid out in key order,
    /// each value's bytes copied once. Sorting keys needs every key of an object before it is written, and this
    /// keeps the copies to two whatever the nesting (a notice inside an item inside a member section).
    static func encodeTree<T: Encodable>(_ value: T) throws -> [UInt8] {
        let heap = Heap()
        // The boxes it remembers hold the heap: let them go, or both would live on.
        defer { heap.notices = [:] }
        heap.bytes.reserveCapacity(16 * 1024)
        let root = Box(heap: heap)
        root.kind = .single
        try root.add("", value)
        var out: [UInt8] = []
        out.reserveCapacity(heap.bytes.count + heap.bytes.count / 2)
        heap.bytes.withUnsafeBufferPointer { root.write(into: &out, $0, depth: 0) }
        return out
    }

    /// The types JSONEncoder writes itself instead of asking them to encode (dates through NoticeJSON's strategy).
    static func writeSpecial<T: Encodable>(_ value: T, into out: inout [UInt8]) throws -> Bool {
        if T.self == Date.self {
            writeString(ISO8601.format(value as! Date), into: &out)
        } else if T.self == Decimal.self {
            out.append(contentsOf: (value as! Decimal).description.utf8)
        } else if T.self == URL.self {
            writeString((value as! URL).absoluteString, into: &out)
        } else if T.self == Data.self {
            writeString((value as! Data).base64EncodedString(), into: &out)
        } else {
            return false
        }
        return true
    }

    /// A quoted, escaped string as JSONEncoder writes it (swift-foundation's `serializeString`): with
    /// `withoutEscapingSlashes` (the digests) or, `escapingSlashes`, its default (`/` as `\/`).
    public static func writeString(_ s: String, into out: inout [UInt8], escapingSlashes: Bool = false) {
        out.append(0x22)
        var s = s
        s.withUTF8 { b in
            var mark = 0
            for i in 0..<b.count {
                let c = b[i]
                guard c < 0x20 || c == 0x22 || c == 0x5C || (c == 0x2F && escapingSlashes) else { continue }
                if i > mark { out.append(contentsOf: UnsafeBufferPointer(rebasing: b[mark..<i])) }
                mark = i + 1
                out.append(0x5C)
                switch c {
                case 0x22, 0x5C, 0x2F: out.append(c)
                case 0x08: out.append(UInt8(ascii: "b"))
                case 0x0C: out.append(UInt8(ascii: "f"))
                case 0x0A: out.append(UInt8(ascii: "n"))
                case 0x0D: out.append(UInt8(ascii: "r"))
                case 0x09: out.append(UInt8(ascii: "t"))
                default:
                    out.append(contentsOf: [UInt8(ascii: "u"), 0x30, 0x30])
                    out.append(hex(c >> 4))
                    out.append(hex(c & 0x0F))
                }
            }
            if b.count > mark { out.append(contentsOf: UnsafeBufferPointer(rebasing: b[mark..<b.count])) }
        }
        out.append(0x22)
    }

    static func hex(_ v: UInt8) -> UInt8 { v < 10 ? 0x30 + v : 0x61 + v - 10 }

    /// `Double` and `Float` as JSONEncoder writes them: `description`, without a trailing `.0`; not finite throws.
    static func writeFloat<F: BinaryFloatingPoint & CustomStringConvertible>(_ f: F, into out: inout [UInt8]) throws {
        guard f.isFinite else {
            throw EncodingError.invalidValue(
                f, .init(codingPath: [], debugDescription: "Unable to encode \(F.self).\(f) directly in JSON."))
        }
        var s = f.description
        if s.hasSuffix(".0") { s.removeLast(2) }
        out.append(contentsOf: s.utf8)
    }

    /// `a` before `b` by their UTF-8 bytes (swift-foundation's key order), with one `memcmp`.
    static func precedes(_ a: String, _ b: String) -> Bool {
        var a = a
        var b = b
        return a.withUTF8 { pa in
            b.withUTF8 { pb in
                let n = min(pa.count, pb.count)
                if n > 0, let x = pa.baseAddress, let y = pb.baseAddress {
                    let c = memcmp(x, y, n)
                    if c != 0 { return c < 0 }
                }
                return pa.count < pb.count
            }
        }
    }

    static let spaces = [UInt8](repeating: 0x20, count: 64)

    static func indent(_ level: Int, into out: inout [UInt8]) {
        if 2 * level <= spaces.count {
            out.append(contentsOf: spaces[0..<(2 * level)])
        } else {
            for _ in 0..<level { out.append(contentsOf: [0x20, 0x20]) }
        }
    }

    /// The values' bytes, in the order they were encoded.
    final class Heap {
        var bytes: [UInt8] = []
        /// Objects' key counts, first and last keys.
        struct Shape: Hashable {
            var count: Int
            var first: String
            var last: String
        }
        /// The last key order found for each shape of object.
        var orders: [Shape: [Int]] = [:]
        /// The notices already written, by id.
        var notices: [String: (notice: Notice, box: Box)] = [:]
    }

    /// What one encoder collects: a single value, or a container's entries, each a range of the heap (a string,
    /// a number) or a nested container. The layout's depth is given when it is written, so one notice's box
    /// serves every place the digest shows that notice (a member's section, the deadlines, the window).
    final class Box {
        enum Kind { case none, single, keyed, unkeyed }
        let heap: Heap
        var kind = Kind.none
        var entries: [Entry] = []
        /// The key order, once found (a notice's box is laid out at each place the digest shows it).
        var order: [Int]?

        struct Entry {
            var key: String
            var start: Int
            var end: Int
            var nested: Box?
        }

        init(heap: Heap) {
            self.heap = heap
        }

        /// An entry whose bytes `write` appends to the heap.
        @inline(__always) func leaf(_ key: String, _ write: (inout [UInt8]) throws -> Void) rethrows {
            let start = heap.bytes.count
            try write(&heap.bytes)
            entries.append(Entry(key: key, start: start, end: heap.bytes.count, nested: nil))
        }

        @inline(__always) func raw(_ key: String, _ text: String) {
            leaf(key) { $0.append(contentsOf: text.utf8) }
        }

        /// An entry holding `value`.
        func add<T: Encodable>(_ key: String, _ value: T) throws {
            let start = heap.bytes.count
            if try JSONByteWriter.writeSpecial(value, into: &heap.bytes) {
                entries.append(Entry(key: key, start: start, end: heap.bytes.count, nested: nil))
                return
            }
            if T.self == Notice.self {
                // The same notice is written several times in one digest (each member it was routed to, the
                // deadlines, the window): its bytes are written once and laid out at each place.
                let notice = value as! Notice
                if let known = heap.notices[notice.id], known.notice == notice {
                    entries.append(Entry(key: key, start: 0, end: 0, nested: known.box))
                    return
                }
                let child = Box(heap: heap)
                entries.append(Entry(key: key, start: 0, end: 0, nested: child))
                try value.encode(to: ByteEncoder(box: child))
                heap.notices[notice.id] = (notice, child)
                return
            }
            let child = Box(heap: heap)
            entries.append(Entry(key: key, start: 0, end: 0, nested: child))
            try value.encode(to: ByteEncoder(box: child))
        }

        /// A container asked for with `nestedContainer`, `nestedUnkeyedContainer` or `superEncoder`.
        func addNested(_ key: String, kind: Kind) -> Box {
            let child = Box(heap: heap)
            child.kind = kind
            entries.append(Entry(key: key, start: 0, end: 0, nested: child))
            return child
        }

        @inline(__always) func writeEntry(
            _ e: Entry, into out: inout [UInt8], _ heap: UnsafeBufferPointer<UInt8>, depth: Int
        ) {
            if let n = e.nested {
                n.write(into: &out, heap, depth: depth)
            } else {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: heap[e.start..<e.end]))
            }
        }

        /// Lays the box out with its closing bracket indented `depth` levels.
        func write(into out: inout [UInt8], _ heap: UnsafeBufferPointer<UInt8>, depth: Int) {
            switch kind {
            case .single:
                // The last value written wins, as in JSONEncoder's single-value container.
                if let e = entries.last { writeEntry(e, into: &out, heap, depth: depth) }
            case .unkeyed:
                out.append(UInt8(ascii: "["))
                out.append(0x0A)
                for (i, e) in entries.enumerated() {
                    if i > 0 {
                        out.append(UInt8(ascii: ","))
                        out.append(0x0A)
                    }
                    JSONByteWriter.indent(depth + 1, into: &out)
                    writeEntry(e, into: &out, heap, depth: depth + 1)
                }
                out.append(0x0A)
                JSONByteWriter.indent(depth, into: &out)
                out.append(UInt8(ascii: "]"))
            case .keyed, .none:
                // An encoder given nothing is an empty object, as in JSONEncoder.
                out.append(UInt8(ascii: "{"))
                out.append(0x0A)
                var first = true
                for i in sortedOrder(heap: self.heap) {
                    let e = entries[i]
                    if first {
                        first = false
                    } else {
                        out.append(UInt8(ascii: ","))
                        out.append(0x0A)
                    }
                    JSONByteWriter.indent(depth + 1, into: &out)
                    JSONByteWriter.writeString(e.key, into: &out)
                    out.append(contentsOf: [0x20, UInt8(ascii: ":"), 0x20])
                    writeEntry(e, into: &out, heap, depth: depth + 1)
                }
                out.append(0x0A)
                JSONByteWriter.indent(depth, into: &out)
                out.append(UInt8(ascii: "}"))
            }
        }

        /// Entry indices in key order (UTF-8 bytes), one per key: JSONEncoder keeps a dictionary, so the last
        /// value written for a key wins.
        func sortedOrder(heap: Heap) -> [Int] {
            if let order { return order }
            // Objects of one type come with the same keys in the same order (a notice's thirty fields): the
            // order found for the last such object is checked in one pass before sorting again.
            let shape = Heap.Shape(count: entries.count, first: entries.first?.key ?? "", last: entries.last?.key ?? "")
            if entries.count > 2, let known = heap.orders[shape], isStrictlyAscending(known) {
                order = known
                return known
            }
            let found = sortKeys()
            if entries.count > 2 { heap.orders[shape] = found }
            order = found
            return found
        }

        /// Whether `order` lists the keys from smallest to largest, each once (so it is their sorted order).
        func isStrictlyAscending(_ order: [Int]) -> Bool {
            guard order.count == entries.count else { return false }
            for i in order.indices.dropFirst()
            where !JSONByteWriter.precedes(entries[order[i - 1]].key, entries[order[i]].key) {
                return false
            }
            return true
        }

        func sortKeys() -> [Int] {
            var order = Array(entries.indices)
            var sorted = true
            for i in entries.indices.dropFirst() where !JSONByteWriter.precedes(entries[i - 1].key, entries[i].key) {
                sorted = false
                break
            }
            if sorted { return order }
            order.sort { a, b in
                let ka = entries[a].key
                let kb = entries[b].key
                return JSONByteWriter.precedes(ka, kb) || (!JSONByteWriter.precedes(kb, ka) && a < b)
            }
            var out: [Int] = []
            out.reserveCapacity(order.count)
            for i in order {
                if let last = out.last, !JSONByteWriter.precedes(entries[last].key, entries[i].key) {
                    out[out.count - 1] = i
                } else {
                    out.append(i)
                }
            }
            return out
        }
    }

    struct ByteEncoder: Encoder {
        let box: Box
        var codingPath: [any CodingKey] { [] }
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            if box.kind == .none { box.kind = .keyed }
            return KeyedEncodingContainer(KeyedContainer<Key>(box: box))
        }

        func unkeyedContainer() -> any UnkeyedEncodingContainer {
            if box.kind == .none { box.kind = .unkeyed }
            return UnkeyedContainer(box: box)
        }

        func singleValueContainer() -> any SingleValueEncodingContainer {
            SingleContainer(box: box)
        }
    }

    struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let box: Box
        var codingPath: [any CodingKey] { [] }

        func encodeNil(forKey key: Key) throws { box.raw(key.stringValue, "null") }
        func encode(_ value: Bool, forKey key: Key) throws { box.raw(key.stringValue, value ? "true" : "false") }
        func encode(_ value: String, forKey key: Key) throws {
            box.leaf(key.stringValue) { JSONByteWriter.writeString(value, into: &$0) }
        }
        func encode(_ value: Double, forKey key: Key) throws {
            try box.leaf(key.stringValue) { try JSONByteWriter.writeFloat(value, into: &$0) }
        }
        func encode(_ value: Float, forKey key: Key) throws {
            try box.leaf(key.stringValue) { try JSONByteWriter.writeFloat(value, into: &$0) }
        }
        func encode(_ value: Int, forKey key: Key) throws { box.raw(key.stringValue, value.description) }
        func encode(_ value: Int8, forKey key: Key) throws { box.raw(key.stringValue, value.description) }
        func encode(_ value: Int16, forKey key: Key) throws { box.raw(key.stringValue, value.description) }
        func encode(_ value: Int32, forKey key: Key) throws { box.raw(key.stringValue, value.description) }
        func encode(_ value: Int64, forKey key: Key) throws { box.raw(key.stringValue, value.description) }
        func encode(_ value: UInt, forKey key: Key) throws { box.raw(key.stringValue, value.description) }
        func encode(_ value: UInt8, forKey key: Key) throws { box.raw(key.stringValue, value.description) }
        func encode(_ value: UInt16, forKey key: Key) throws { box.raw(key.stringValue, value.description) }
        func encode(_ value: UInt32, forKey key: Key) throws { box.raw(key.stringValue, value.description) }
        func encode(_ value: UInt64, forKey key: Key) throws { box.raw(key.stringValue, value.description) }
        func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            try box.add(key.stringValue, value)
        }

        func nestedContainer<NestedKey: CodingKey>(
            keyedBy keyType: NestedKey.Type, forKey key: Key
        ) -> KeyedEncodingContainer<NestedKey> {
            KeyedEncodingContainer(KeyedContainer<NestedKey>(box: box.addNested(key.stringValue, kind: .keyed)))
        }

        func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            UnkeyedContainer(box: box.addNested(key.stringValue, kind: .unkeyed))
        }

        func superEncoder() -> any Encoder { ByteEncoder(box: box.addNested("super", kind: .none)) }
        func superEncoder(forKey key: Key) -> any Encoder {
            ByteEncoder(box: box.addNested(key.stringValue, kind: .none))
        }
    }

    struct UnkeyedContainer: UnkeyedEncodingContainer {
        let box: Box
        var codingPath: [any CodingKey] { [] }
        var count: Int { box.entries.count }

        func encodeNil() throws { box.raw("", "null") }
        func encode(_ value: Bool) throws { box.raw("", value ? "true" : "false") }
        func encode(_ value: String) throws { box.leaf("") { JSONByteWriter.writeString(value, into: &$0) } }
        func encode(_ value: Double) throws { try box.leaf("") { try JSONByteWriter.writeFloat(value, into: &$0) } }
        func encode(_ value: Float) throws { try box.leaf("") { try JSONByteWriter.writeFloat(value, into: &$0) } }
        func encode(_ value: Int) throws { box.raw("", value.description) }
        func encode(_ value: Int8) throws { box.raw("", value.description) }
        func encode(_ value: Int16) throws { box.raw("", value.description) }
        func encode(_ value: Int32) throws { box.raw("", value.description) }
        func encode(_ value: Int64) throws { box.raw("", value.description) }
        func encode(_ value: UInt) throws { box.raw("", value.description) }
        func encode(_ value: UInt8) throws { box.raw("", value.description) }
        func encode(_ value: UInt16) throws { box.raw("", value.description) }
        func encode(_ value: UInt32) throws { box.raw("", value.description) }
        func encode(_ value: UInt64) throws { box.raw("", value.description) }
        func encode<T: Encodable>(_ value: T) throws { try box.add("", value) }

        func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey>
        {
            KeyedEncodingContainer(KeyedContainer<NestedKey>(box: box.addNested("", kind: .keyed)))
        }

        func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            UnkeyedContainer(box: box.addNested("", kind: .unkeyed))
        }

        func superEncoder() -> any Encoder { ByteEncoder(box: box.addNested("", kind: .none)) }
    }

    /// One value: laid out where the encoder's value goes, at the encoder's own depth.
    struct SingleContainer: SingleValueEncodingContainer {
        let box: Box
        var codingPath: [any CodingKey] { [] }

        func single() -> Box {
            box.kind = .single
            return box
        }

        func encodeNil() throws { single().raw("", "null") }
        func encode(_ value: Bool) throws { single().raw("", value ? "true" : "false") }
        func encode(_ value: String) throws { single().leaf("") { JSONByteWriter.writeString(value, into: &$0) } }
        func encode(_ value: Double) throws {
            try single().leaf("") { try JSONByteWriter.writeFloat(value, into: &$0) }
        }
        func encode(_ value: Float) throws {
            try single().leaf("") { try JSONByteWriter.writeFloat(value, into: &$0) }
        }
        func encode(_ value: Int) throws { single().raw("", value.description) }
        func encode(_ value: Int8) throws { single().raw("", value.description) }
        func encode(_ value: Int16) throws { single().raw("", value.description) }
        func encode(_ value: Int32) throws { single().raw("", value.description) }
        func encode(_ value: Int64) throws { single().raw("", value.description) }
        func encode(_ value: UInt) throws { single().raw("", value.description) }
        func encode(_ value: UInt8) throws { single().raw("", value.description) }
        func encode(_ value: UInt16) throws { single().raw("", value.description) }
        func encode(_ value: UInt32) throws { single().raw("", value.description) }
        func encode(_ value: UInt64) throws { single().raw("", value.description) }
        func encode<T: Encodable>(_ value: T) throws { try single().add("", value) }
    }
}
