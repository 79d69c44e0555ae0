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
enum JSONByteWriter {
    /// The value's pretty-printed JSON (no final newline).
    static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64 * 1024)
        try encodeValue(value, depth: 0, into: &out)
        return out
    }

    /// Writes `value` as it stands at `depth` (the indentation of its closing bracket) at the end of `out`.
    static func encodeValue<T: Encodable>(_ value: T, depth: Int, into out: inout [UInt8]) throws {
        if try writeSpecial(value, into: &out) { return }
        let box = Box(depth: depth)
        try value.encode(to: ByteEncoder(box: box))
        box.write(into: &out)
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

    /// A quoted, escaped string (swift-foundation's `serializeString` with `withoutEscapingSlashes`).
    static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(0x22)
        var s = s
        s.withUTF8 { b in
            var mark = 0
            for i in 0..<b.count {
                let c = b[i]
                guard c < 0x20 || c == 0x22 || c == 0x5C else { continue }
                if i > mark { out.append(contentsOf: UnsafeBufferPointer(rebasing: b[mark..<i])) }
                mark = i + 1
                out.append(0x5C)
                switch c {
                case 0x22: out.append(0x22)
                case 0x5C: out.append(0x5C)
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

    static func indent(_ level: Int, into out: inout [UInt8]) {
        for _ in 0..<level {
            out.append(0x20)
            out.append(0x20)
        }
    }

    /// What one encoder collects: a single value's bytes, or a container's entries (each value already written at
    /// `depth + 1`, or a nested container still open, written when this one is).
    final class Box {
        enum Kind { case none, single, keyed, unkeyed }
        let depth: Int
        var kind = Kind.none
        /// The entries' values, one after the other (a single value: its bytes).
        var bytes: [UInt8] = []
        var entries: [Entry] = []

        struct Entry {
            var key: String
            var start: Int
            var end: Int
            /// A container asked for with `nestedContainer` / `nestedUnkeyedContainer` / `superEncoder`.
            var nested: Box?
        }

        init(depth: Int) { self.depth = depth }

        /// Starts an entry: its value is written to `bytes` next.
        @inline(__always) func begin() -> Int { bytes.count }

        @inline(__always) func end(_ key: String, _ start: Int) {
            entries.append(Entry(key: key, start: start, end: bytes.count, nested: nil))
        }

        func addNested(_ key: String) -> Box {
            let child = Box(depth: depth + 1)
            entries.append(Entry(key: key, start: 0, end: 0, nested: child))
            return child
        }

        func writeEntry(_ e: Entry, into out: inout [UInt8]) {
            if let n = e.nested {
                n.write(into: &out)
            } else {
                bytes.withUnsafeBufferPointer {
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: $0[e.start..<e.end]))
                }
            }
        }

        func write(into out: inout [UInt8]) {
            switch kind {
            case .single:
                out.append(contentsOf: bytes)
            case .unkeyed:
                out.append(UInt8(ascii: "["))
                out.append(0x0A)
                for (i, e) in entries.enumerated() {
                    if i > 0 {
                        out.append(UInt8(ascii: ","))
                        out.append(0x0A)
                    }
                    JSONByteWriter.indent(depth + 1, into: &out)
                    writeEntry(e, into: &out)
                }
                out.append(0x0A)
                JSONByteWriter.indent(depth, into: &out)
                out.append(UInt8(ascii: "]"))
            case .keyed, .none:
                // An encoder given nothing is an empty object, as in JSONEncoder.
                out.append(UInt8(ascii: "{"))
                out.append(0x0A)
                var first = true
                for i in sortedOrder() {
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
                    writeEntry(e, into: &out)
                }
                out.append(0x0A)
                JSONByteWriter.indent(depth, into: &out)
                out.append(UInt8(ascii: "}"))
            }
        }

        /// Entry indices in key order (UTF-8 bytes), one per key: JSONEncoder keeps a dictionary, so the last
        /// value written for a key wins.
        func sortedOrder() -> [Int] {
            var order = Array(entries.indices)
            var sorted = true
            for i in entries.indices.dropFirst()
            where !entries[i - 1].key.utf8.lexicographicallyPrecedes(entries[i].key.utf8) {
                sorted = false
                break
            }
            if sorted { return order }
            order.sort { a, b in
                let ka = entries[a].key
                let kb = entries[b].key
                if ka == kb { return a < b }
                return ka.utf8.lexicographicallyPrecedes(kb.utf8)
            }
            var out: [Int] = []
            out.reserveCapacity(order.count)
            for i in order {
                if let last = out.last, entries[last].key == entries[i].key {
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

        @inline(__always) func raw(_ key: Key, _ text: String) {
            let s = box.begin()
            box.bytes.append(contentsOf: text.utf8)
            box.end(key.stringValue, s)
        }

        func encodeNil(forKey key: Key) throws { raw(key, "null") }
        func encode(_ value: Bool, forKey key: Key) throws { raw(key, value ? "true" : "false") }
        func encode(_ value: String, forKey key: Key) throws {
            let s = box.begin()
            JSONByteWriter.writeString(value, into: &box.bytes)
            box.end(key.stringValue, s)
        }
        func encode(_ value: Double, forKey key: Key) throws {
            let s = box.begin()
            try JSONByteWriter.writeFloat(value, into: &box.bytes)
            box.end(key.stringValue, s)
        }
        func encode(_ value: Float, forKey key: Key) throws {
            let s = box.begin()
            try JSONByteWriter.writeFloat(value, into: &box.bytes)
            box.end(key.stringValue, s)
        }
        func encode(_ value: Int, forKey key: Key) throws { raw(key, value.description) }
        func encode(_ value: Int8, forKey key: Key) throws { raw(key, value.description) }
        func encode(_ value: Int16, forKey key: Key) throws { raw(key, value.description) }
        func encode(_ value: Int32, forKey key: Key) throws { raw(key, value.description) }
        func encode(_ value: Int64, forKey key: Key) throws { raw(key, value.description) }
        func encode(_ value: UInt, forKey key: Key) throws { raw(key, value.description) }
        func encode(_ value: UInt8, forKey key: Key) throws { raw(key, value.description) }
        func encode(_ value: UInt16, forKey key: Key) throws { raw(key, value.description) }
        func encode(_ value: UInt32, forKey key: Key) throws { raw(key, value.description) }
        func encode(_ value: UInt64, forKey key: Key) throws { raw(key, value.description) }
        func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            let s = box.begin()
            try JSONByteWriter.encodeValue(value, depth: box.depth + 1, into: &box.bytes)
            box.end(key.stringValue, s)
        }

        func nestedContainer<NestedKey: CodingKey>(
            keyedBy keyType: NestedKey.Type, forKey key: Key
        ) -> KeyedEncodingContainer<NestedKey> {
            let child = box.addNested(key.stringValue)
            child.kind = .keyed
            return KeyedEncodingContainer(KeyedContainer<NestedKey>(box: child))
        }

        func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            let child = box.addNested(key.stringValue)
            child.kind = .unkeyed
            return UnkeyedContainer(box: child)
        }

        func superEncoder() -> any Encoder { ByteEncoder(box: box.addNested("super")) }
        func superEncoder(forKey key: Key) -> any Encoder { ByteEncoder(box: box.addNested(key.stringValue)) }
    }

    struct UnkeyedContainer: UnkeyedEncodingContainer {
        let box: Box
        var codingPath: [any CodingKey] { [] }
        var count: Int { box.entries.count }

        @inline(__always) func raw(_ text: String) {
            let s = box.begin()
            box.bytes.append(contentsOf: text.utf8)
            box.end("", s)
        }

        func encodeNil() throws { raw("null") }
        func encode(_ value: Bool) throws { raw(value ? "true" : "false") }
        func encode(_ value: String) throws {
            let s = box.begin()
            JSONByteWriter.writeString(value, into: &box.bytes)
            box.end("", s)
        }
        func encode(_ value: Double) throws {
            let s = box.begin()
            try JSONByteWriter.writeFloat(value, into: &box.bytes)
            box.end("", s)
        }
        func encode(_ value: Float) throws {
            let s = box.begin()
            try JSONByteWriter.writeFloat(value, into: &box.bytes)
            box.end("", s)
        }
        func encode(_ value: Int) throws { raw(value.description) }
        func encode(_ value: Int8) throws { raw(value.description) }
        func encode(_ value: Int16) throws { raw(value.description) }
        func encode(_ value: Int32) throws { raw(value.description) }
        func encode(_ value: Int64) throws { raw(value.description) }
        func encode(_ value: UInt) throws { raw(value.description) }
        func encode(_ value: UInt8) throws { raw(value.description) }
        func encode(_ value: UInt16) throws { raw(value.description) }
        func encode(_ value: UInt32) throws { raw(value.description) }
        func encode(_ value: UInt64) throws { raw(value.description) }
        func encode<T: Encodable>(_ value: T) throws {
            let s = box.begin()
            try JSONByteWriter.encodeValue(value, depth: box.depth + 1, into: &box.bytes)
            box.end("", s)
        }

        func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey>
        {
            let child = box.addNested("")
            child.kind = .keyed
            return KeyedEncodingContainer(KeyedContainer<NestedKey>(box: child))
        }

        func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            let child = box.addNested("")
            child.kind = .unkeyed
            return UnkeyedContainer(box: child)
        }

        func superEncoder() -> any Encoder { ByteEncoder(box: box.addNested("")) }
    }

    /// One value: written where the encoder's value goes, at the encoder's own depth.
    struct SingleContainer: SingleValueEncodingContainer {
        let box: Box
        var codingPath: [any CodingKey] { [] }

        @inline(__always) func raw(_ text: String) {
            box.kind = .single
            box.bytes.append(contentsOf: text.utf8)
        }

        func encodeNil() throws { raw("null") }
        func encode(_ value: Bool) throws { raw(value ? "true" : "false") }
        func encode(_ value: String) throws {
            box.kind = .single
            JSONByteWriter.writeString(value, into: &box.bytes)
        }
        func encode(_ value: Double) throws {
            box.kind = .single
            try JSONByteWriter.writeFloat(value, into: &box.bytes)
        }
        func encode(_ value: Float) throws {
            box.kind = .single
            try JSONByteWriter.writeFloat(value, into: &box.bytes)
        }
        func encode(_ value: Int) throws { raw(value.description) }
        func encode(_ value: Int8) throws { raw(value.description) }
        func encode(_ value: Int16) throws { raw(value.description) }
        func encode(_ value: Int32) throws { raw(value.description) }
        func encode(_ value: Int64) throws { raw(value.description) }
        func encode(_ value: UInt) throws { raw(value.description) }
        func encode(_ value: UInt8) throws { raw(value.description) }
        func encode(_ value: UInt16) throws { raw(value.description) }
        func encode(_ value: UInt32) throws { raw(value.description) }
        func encode(_ value: UInt64) throws { raw(value.description) }
        func encode<T: Encodable>(_ value: T) throws {
            box.kind = .single
            try JSONByteWriter.encodeValue(value, depth: box.depth, into: &box.bytes)
        }
    }
}
