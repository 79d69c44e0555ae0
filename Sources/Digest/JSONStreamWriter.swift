import Foundation
import Notices

extension JSONByteWriter {
    /// Writes the JSON in one pass, straight into the output: each value at its place, indented for its depth as it
    /// arrives. The digest's types write their keys in sorted order nearly everywhere (their `CodingKeys` were
    /// ordered so), so an object is laid out as its keys come; only an object whose keys came out of order (a
    /// dictionary, a few types) has its entries, already written, put in order when it ends. The tree writer built a
    /// box per container, an entry per key, and copied every byte a second time: it was half of the JSON's cost, and
    /// the JSON digest 7 % of a national night (each staff digest lists thousands of items with their evidence).
    ///
    /// Containers are used in a stack: a write to a container ends the containers opened after it. An `Encodable`
    /// that comes back to a container already ended (a nested container written after its parent's later keys),
    /// asks for a super encoder, or writes a single value twice makes the stream give up (`failed`), and the tree
    /// writer, which takes any order, writes the document instead.
    final class Stream {
        // Its properties are reached only by the encoding that owns the stream, one access at a time, and the
        // runtime's check of each access (a thread-local lookup per write) was a quarter of the stream's time.
        enum Kind { case none, single, keyed, unkeyed }

        /// An open container.
        struct Frame {
            var id: Int
            var kind: Kind
            /// Indentation of its closing bracket.
            var depth: Int
            /// Entries written.
            var count = 0
            /// Where its entries start in `starts` and `keys`.
            var base: Int
            /// Whether its keys came in strictly ascending order so far.
            var sorted = true
        }

        @exclusivity(unchecked) var out: [UInt8] = []
        @exclusivity(unchecked) var frames: [Frame] = []
        /// For each entry of the open containers: where its text starts (after the separator), and its key.
        @exclusivity(unchecked) var starts: [Int] = []
        @exclusivity(unchecked) var keys: [String] = []
        @exclusivity(unchecked) var nextID = 0
        /// Set when the stream cannot write the value (see the type's note); what it wrote is then dropped.
        @exclusivity(unchecked) var failed = false
        /// An object's key count, first and last keys.
        struct Shape: Hashable {
            var count: Int
            var first: String
            var last: String
        }
        /// The last order found for each shape of object, with the keys it was found for.
        @exclusivity(unchecked) var orders: [Shape: (keys: [String], order: [Int])] = [:]
        /// The text of the object being put in order.
        @exclusivity(unchecked) var scratch: [UInt8] = []
        /// For each of its entries that move (``permute(_:_:)``): where it goes, and where it waits in `scratch`.
        @exclusivity(unchecked) var place: [Int] = []
        @exclusivity(unchecked) var kept: [Int] = []
        /// Where the notices already written are kept (``write(_:depth:)``): the night's render cache, shared by
        /// every cluster's digest (``share(_:)``), or the stream's own; with the night's date and source names, its
        /// entries' key.
        @exclusivity(unchecked) var notices = DigestRenderCache()
        @exclusivity(unchecked) var night: (runDate: Date, names: [String: String]) = (.distantPast, [:])
        /// The pieces of evidence already written, by their fields' bytes and depth (``reuse(_:depth:)``): their JSON.
        @exclusivity(unchecked) var evidence: [EvidenceKey: [UInt8]] = [:]
        /// The key being looked up, its buffer kept from one piece of evidence to the next.
        @exclusivity(unchecked) var lookup = EvidenceKey()

        /// A new open container; its id.
        func push(_ kind: Kind, depth: Int) -> Int {
            nextID += 1
            frames.append(Frame(id: nextID, kind: kind, depth: depth, base: starts.count))
            return nextID
        }

        /// Makes the container `id` the innermost open one, ending those opened after it; false (and `failed`)
        /// when it already ended.
        @inline(__always) func enter(_ id: Int) -> Bool {
            if failed { return false }
            if let top = frames.last, top.id == id { return true }
            while let top = frames.last, top.id > id { end() }
            if let top = frames.last, top.id == id { return true }
            failed = true
            return false
        }

        /// Ends the innermost container: its closing bracket, its entries put in key order when they came out of it.
        func end() {
            let f = frames.removeLast()
            switch f.kind {
            case .none:
                // An encoder given nothing is an empty object, as in JSONEncoder.
                out.append(UInt8(ascii: "{"))
                out.append(0x0A)
                out.append(0x0A)
                JSONByteWriter.indent(f.depth, into: &out)
                out.append(UInt8(ascii: "}"))
            case .single:
                // A single-value container left empty: the tree writer writes what JSONEncoder does.
                if f.count == 0 { failed = true }
            case .keyed, .unkeyed:
                if f.kind == .keyed, !f.sorted { reorder(f) }
                if f.count == 0 { out.append(0x0A) }
                out.append(0x0A)
                JSONByteWriter.indent(f.depth, into: &out)
                out.append(f.kind == .keyed ? UInt8(ascii: "}") : UInt8(ascii: "]"))
            }
            starts.removeSubrange(f.base...)
            keys.removeSubrange(f.base...)
        }

        /// Puts an object's entries in key order (UTF-8 bytes), one per key, the last written for a key kept (as
        /// JSONEncoder's dictionary of keys does): each entry's text, indentation and all, moves as it is.
        func reorder(_ f: Frame) {
            let order = keyOrder(f)
            if order.count == f.count {
                permute(f, order)
                return
            }
            let n = f.count
            let first = starts[f.base]
            scratch.removeAll(keepingCapacity: true)
            scratch.append(contentsOf: out[first...])
            let total = out.count
            out.removeSubrange(first...)
            for (j, i) in order.enumerated() {
                if j > 0 {
                    out.append(UInt8(ascii: ","))
                    out.append(0x0A)
                }
                // An entry ends where the next one's separator (`,` and a line feed) begins.
                let end = i + 1 < n ? starts[f.base + i + 1] - 2 : total
                out.append(contentsOf: scratch[(starts[f.base + i] - first)..<(end - first)])
            }
        }

        /// ``reorder(_:)`` when every key came once: the object keeps its length, so the entries already at their
        /// place (leading or trailing) stay, and the largest of the others moves once, in place; only the rest go
        /// through `scratch`. Copying every entry out and back copied each byte of a staff digest several times
        /// over: a member's evidence (its `sent_to` entry), the whole digest at its root.
        func permute(_ f: Frame, _ order: [Int]) {
            let n = f.count
            var lo = 0
            while lo < n, order[lo] == lo { lo += 1 }
            var hi = n
            while hi > lo, order[hi - 1] == hi - 1 { hi -= 1 }
            guard lo < hi else { return }
            let total = out.count
            func start(_ i: Int) -> Int { starts[f.base + i] }
            // An entry ends where the next one's separator (`,` and a line feed) begins.
            func end(_ i: Int) -> Int { i + 1 < n ? start(i + 1) - 2 : total }
            var largest = lo
            for i in lo..<hi where end(i) - start(i) > end(largest) - start(largest) { largest = i }
            // Where each entry of the region goes, and where the others wait in `scratch` (arrays kept from one
            // object to the next: a staff digest puts one in order per member of each notice).
            place.removeAll(keepingCapacity: true)
            place.append(contentsOf: repeatElement(0, count: hi - lo))
            kept.removeAll(keepingCapacity: true)
            kept.append(contentsOf: repeatElement(0, count: hi - lo))
            var at = start(lo)
            for j in lo..<hi {
                if j > lo { at += 2 }
                place[order[j] - lo] = at
                at += end(order[j]) - start(order[j])
            }
            scratch.removeAll(keepingCapacity: true)
            for i in lo..<hi where i != largest {
                kept[i - lo] = scratch.count
                scratch.append(contentsOf: out[start(i)..<end(i)])
            }
            out.withUnsafeMutableBufferPointer { o in
                guard let base = o.baseAddress else { return }
                memmove(base + place[largest - lo], base + start(largest), end(largest) - start(largest))
                scratch.withUnsafeBufferPointer { s in
                    guard let saved = s.baseAddress else { return }
                    for i in lo..<hi where i != largest {
                        (base + place[i - lo]).update(from: saved + kept[i - lo], count: end(i) - start(i))
                    }
                }
                for j in (lo + 1)..<hi {
                    base[place[order[j] - lo] - 2] = UInt8(ascii: ",")
                    base[place[order[j] - lo] - 1] = 0x0A
                }
            }
        }

        /// The order of an object's entries, one per key: the order found for the last object with the same keys in
        /// the same order when there is one (most types write their keys in one order that is not sorted: every
        /// member an item went to, every piece of evidence), else sorted.
        func keyOrder(_ f: Frame) -> [Int] {
            let n = f.count
            let shape = Shape(count: n, first: keys[f.base], last: keys[f.base + n - 1])
            if let known = orders[shape], known.keys.elementsEqual(keys[f.base..<(f.base + n)]) { return known.order }
            var order = Array(0..<n)
            order.sort { a, b in
                let ka = keys[f.base + a]
                let kb = keys[f.base + b]
                return JSONByteWriter.precedes(ka, kb) || (!JSONByteWriter.precedes(kb, ka) && a < b)
            }
            var kept: [Int] = []
            kept.reserveCapacity(n)
            for i in order {
                if let last = kept.last, !JSONByteWriter.precedes(keys[f.base + last], keys[f.base + i]) {
                    kept[kept.count - 1] = i
                } else {
                    kept.append(i)
                }
            }
            orders[shape] = (Array(keys[f.base..<(f.base + n)]), kept)
            return kept
        }

        /// Starts an entry of the container `id` (its separator and indentation, and its key in an object); the
        /// depth its value's closing bracket takes. Nil when the stream failed.
        @inline(__always) func entry(_ id: Int, key: String) -> Int? {
            guard enter(id) else { return nil }
            let t = frames.count - 1
            let f = frames[t]
            if f.kind == .single || f.kind == .none {
                // A keyed or unkeyed container asked for after the encoder's single value: JSONEncoder refuses it.
                failed = true
                return nil
            }
            if f.count > 0 {
                out.append(UInt8(ascii: ","))
                if f.kind == .keyed, f.sorted, !JSONByteWriter.precedes(keys[keys.count - 1], key) {
                    frames[t].sorted = false
                }
            }
            out.append(0x0A)
            starts.append(out.count)
            keys.append(key)
            frames[t].count += 1
            JSONByteWriter.indent(f.depth + 1, into: &out)
            if f.kind == .keyed {
                JSONByteWriter.writeString(key, into: &out)
                out.append(0x20)
                out.append(UInt8(ascii: ":"))
                out.append(0x20)
            }
            return f.depth + 1
        }

        /// The encoder's own value: the depth it is written at. Nil when the stream failed.
        @inline(__always) func single(_ id: Int) -> Int? {
            guard enter(id) else { return nil }
            let t = frames.count - 1
            let f = frames[t]
            guard (f.kind == .none || f.kind == .single), f.count == 0 else {
                // A second value, or a value after a container: the tree writer keeps JSONEncoder's rules for it.
                failed = true
                return nil
            }
            frames[t].kind = .single
            frames[t].count = 1
            return f.depth
        }

        /// Makes the encoder `id`'s container keyed or unkeyed, writing its opening bracket the first time.
        func open(_ id: Int, as kind: Kind) {
            guard enter(id) else { return }
            let t = frames.count - 1
            switch frames[t].kind {
            case .none:
                frames[t].kind = kind
                out.append(kind == .keyed ? UInt8(ascii: "{") : UInt8(ascii: "["))
            case kind:
                // The same encoder asked again: one container, as in JSONEncoder.
                break
            default:
                failed = true
            }
        }

        /// A nested container for an entry just started at `depth`: opened, its id.
        func nested(_ kind: Kind, depth: Int) -> Int {
            let id = push(kind, depth: depth)
            out.append(kind == .keyed ? UInt8(ascii: "{") : UInt8(ascii: "["))
            return id
        }

        /// Writes `value` where an entry was just started (or where the encoder's single value goes), its closing
        /// bracket at `depth`.
        func value<T: Encodable>(_ value: T, depth: Int) throws {
            if try JSONByteWriter.writeSpecial(value, into: &out) { return }
            if T.self == Notice.self {
                try write(value as! Notice, depth: depth)
                return
            }
            if T.self == RouteEvidence.self {
                try reuse(value as! RouteEvidence, depth: depth)
                return
            }
            try encode(value, depth: depth)
        }

        /// Writes the notices the digest `input` shows as they were written at the same depth by any digest of its
        /// night that shares its render cache, if it has one.
        func share(_ input: DigestInput) {
            guard let cache = input.renderCache else { return }
            notices = cache
            night = (input.runDate, input.sourceNames)
        }

        /// Writes a notice as the bytes it was written as before at the same depth, if it was (tonight, by this
        /// digest or by another cluster's: ``share(_:)``). Its object depends on the notice alone and on its
        /// indentation, and is most of a staff digest's bytes (lots, summaries): the same notice is written for
        /// some twenty-five clusters on a national night, and in one digest at several places (the members it went
        /// to, a consortium, the deadlines, the window). Encoding it each time through its containers, keys and
        /// their reordering was a third of the staff JSON digest's cost, itself 8 of a national night's 95 CPU-s.
        ///
        /// Kept by the cache's rule (same id, equal value): `==` finds `é` and `e` + U+0301 equal where JSON writes
        /// them apart, but a night's digests show notices the store decoded from its one row per notice, so equal
        /// values there hold the same bytes.
        func write(_ notice: Notice, depth: Int) throws {
            if let bytes = notices.found(notice, runDate: night.runDate, names: night.names, read: { $0.json[depth] }) {
                out.append(contentsOf: bytes)
                return
            }
            let start = out.count
            try encode(notice, depth: depth)
            // A stream that gave up wrote what the tree writer will write again: nothing of it is kept.
            if !failed {
                notices.keep(
                    Array(out[start...]), of: notice, runDate: night.runDate, names: night.names,
                    in: { $0.json[depth] = $1 })
            }
        }

        /// Writes a piece of evidence as the bytes it was written as before at the same depth, if it was. A staff
        /// digest repeats the same few pieces of evidence (a keyword in a title, a segment) for every member and
        /// notice they hold for: a quarter of its JSON's cost went to encoding them again, each through a
        /// container, its keys and their reordering, where a lookup does.
        func reuse(_ e: RouteEvidence, depth: Int) throws {
            lookup.set(e, depth: depth)
            if let bytes = evidence[lookup] {
                out.append(contentsOf: bytes)
                return
            }
            let key = lookup
            let start = out.count
            try encode(e, depth: depth)
            if !failed { evidence[key] = Array(out[start...]) }
        }

        func encode<T: Encodable>(_ value: T, depth: Int) throws {
            let id = push(.none, depth: depth)
            try value.encode(to: StreamEncoder(stream: self, id: id))
            // Its containers, and any opened under them, end with it.
            while let top = frames.last, top.id >= id { end() }
        }

        @inline(__always) func int<I: FixedWidthInteger>(_ v: I) {
            if v >= 0, v < 10 {
                out.append(0x30 + UInt8(truncatingIfNeeded: v))
            } else {
                out.append(contentsOf: v.description.utf8)
            }
        }
    }

    /// A piece of evidence as its fields' bytes, and the depth it is written at: equal exactly when the two write
    /// the same JSON there. `RouteEvidence`'s own `==` is not that: it finds `é` equal to `e` + U+0301 and `-0.0`
    /// to `0.0`, which JSON writes apart. Every stored field is listed (`JSONByteWriterTests` checks the count).
    struct EvidenceKey: Hashable {
        var bytes: [UInt8] = []

        mutating func set(_ e: RouteEvidence, depth: Int) {
            bytes.removeAll(keepingCapacity: true)
            add(depth)
            add(e.kind.rawValue)
            add(e.field.rawValue)
            add(e.term)
            add(e.matched)
            add(e.lotID)
            add(e.segment)
            add(Int(bitPattern: UInt(e.weight.bitPattern)))
            add(e.declared.map { $0 ? 1 : 0 } ?? -1)
            add(e.distance == nil ? 0 : 1)
            add(e.distance ?? 0)
        }

        private mutating func add(_ v: Int) { withUnsafeBytes(of: v) { bytes.append(contentsOf: $0) } }
        /// A string as its length and UTF-8 bytes; nil apart from every string.
        private mutating func add(_ s: String?) {
            guard var s else { return add(-1) }
            add(s.utf8.count)
            s.withUTF8 { bytes.append(contentsOf: $0) }
        }

        func hash(into hasher: inout Hasher) { bytes.withUnsafeBytes { hasher.combine(bytes: $0) } }
    }

    struct StreamEncoder: Encoder {
        let stream: Stream
        let id: Int
        var codingPath: [any CodingKey] { [] }
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            stream.open(id, as: .keyed)
            return KeyedEncodingContainer(StreamKeyed<Key>(stream: stream, id: id))
        }

        func unkeyedContainer() -> any UnkeyedEncodingContainer {
            stream.open(id, as: .unkeyed)
            return StreamUnkeyed(stream: stream, id: id)
        }

        func singleValueContainer() -> any SingleValueEncodingContainer { StreamSingle(stream: stream, id: id) }
    }

    struct StreamKeyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let stream: Stream
        let id: Int
        var codingPath: [any CodingKey] { [] }

        @inline(__always) func raw(_ key: Key, _ text: StaticString) {
            guard stream.entry(id, key: key.stringValue) != nil else { return }
            text.withUTF8Buffer { stream.out.append(contentsOf: $0) }
        }
        @inline(__always) func int<I: FixedWidthInteger>(_ v: I, _ key: Key) {
            guard stream.entry(id, key: key.stringValue) != nil else { return }
            stream.int(v)
        }

        func encodeNil(forKey key: Key) throws { raw(key, "null") }
        func encode(_ value: Bool, forKey key: Key) throws { raw(key, value ? "true" : "false") }
        func encode(_ value: String, forKey key: Key) throws {
            guard stream.entry(id, key: key.stringValue) != nil else { return }
            JSONByteWriter.writeString(value, into: &stream.out)
        }
        func encode(_ value: Double, forKey key: Key) throws {
            guard stream.entry(id, key: key.stringValue) != nil else { return }
            try JSONByteWriter.writeFloat(value, into: &stream.out)
        }
        func encode(_ value: Float, forKey key: Key) throws {
            guard stream.entry(id, key: key.stringValue) != nil else { return }
            try JSONByteWriter.writeFloat(value, into: &stream.out)
        }
        func encode(_ value: Int, forKey key: Key) throws { int(value, key) }
        func encode(_ value: Int8, forKey key: Key) throws { int(value, key) }
        func encode(_ value: Int16, forKey key: Key) throws { int(value, key) }
        func encode(_ value: Int32, forKey key: Key) throws { int(value, key) }
        func encode(_ value: Int64, forKey key: Key) throws { int(value, key) }
        func encode(_ value: UInt, forKey key: Key) throws { int(value, key) }
        func encode(_ value: UInt8, forKey key: Key) throws { int(value, key) }
        func encode(_ value: UInt16, forKey key: Key) throws { int(value, key) }
        func encode(_ value: UInt32, forKey key: Key) throws { int(value, key) }
        func encode(_ value: UInt64, forKey key: Key) throws { int(value, key) }
        func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            guard let depth = stream.entry(id, key: key.stringValue) else { return }
            try stream.value(value, depth: depth)
        }

        func nestedContainer<NestedKey: CodingKey>(
            keyedBy keyType: NestedKey.Type, forKey key: Key
        ) -> KeyedEncodingContainer<NestedKey> {
            guard let depth = stream.entry(id, key: key.stringValue) else {
                return KeyedEncodingContainer(StreamKeyed<NestedKey>(stream: stream, id: -1))
            }
            return KeyedEncodingContainer(
                StreamKeyed<NestedKey>(stream: stream, id: stream.nested(.keyed, depth: depth)))
        }

        func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            guard let depth = stream.entry(id, key: key.stringValue) else {
                return StreamUnkeyed(stream: stream, id: -1)
            }
            return StreamUnkeyed(stream: stream, id: stream.nested(.unkeyed, depth: depth))
        }

        // A super encoder's value can be written after the container's later keys: the tree writer's case.
        func superEncoder() -> any Encoder {
            stream.failed = true
            return StreamEncoder(stream: stream, id: -1)
        }
        func superEncoder(forKey key: Key) -> any Encoder { superEncoder() }
    }

    /// Where an unkeyed or single-value container writes its next value: the depth it is written at, or nil when
    /// the stream gave up. Both write their values the same way; only finding the place differs.
    protocol StreamValueSlot {
        var stream: Stream { get }
        func slot() -> Int?
    }

    struct StreamUnkeyed: UnkeyedEncodingContainer, StreamValueSlot {
        let stream: Stream
        let id: Int
        var codingPath: [any CodingKey] { [] }
        var count: Int { stream.frames.last { $0.id == id }?.count ?? 0 }

        /// The array's next element.
        @inline(__always) func slot() -> Int? { stream.entry(id, key: "") }

        func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey>
        {
            guard let depth = slot() else {
                return KeyedEncodingContainer(StreamKeyed<NestedKey>(stream: stream, id: -1))
            }
            return KeyedEncodingContainer(
                StreamKeyed<NestedKey>(stream: stream, id: stream.nested(.keyed, depth: depth)))
        }

        func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            guard let depth = slot() else { return StreamUnkeyed(stream: stream, id: -1) }
            return StreamUnkeyed(stream: stream, id: stream.nested(.unkeyed, depth: depth))
        }

        func superEncoder() -> any Encoder {
            stream.failed = true
            return StreamEncoder(stream: stream, id: -1)
        }
    }

    /// The encoder's one value, written where it goes, at the encoder's own depth.
    struct StreamSingle: SingleValueEncodingContainer, StreamValueSlot {
        let stream: Stream
        let id: Int
        var codingPath: [any CodingKey] { [] }

        @inline(__always) func slot() -> Int? { stream.single(id) }
    }
}

extension JSONByteWriter.StreamValueSlot {
    @inline(__always) func raw(_ text: StaticString) {
        guard slot() != nil else { return }
        text.withUTF8Buffer { stream.out.append(contentsOf: $0) }
    }
    @inline(__always) func int<I: FixedWidthInteger>(_ v: I) {
        guard slot() != nil else { return }
        stream.int(v)
    }

    func encodeNil() throws { raw("null") }
    func encode(_ value: Bool) throws { raw(value ? "true" : "false") }
    func encode(_ value: String) throws {
        guard slot() != nil else { return }
        JSONByteWriter.writeString(value, into: &stream.out)
    }
    func encode(_ value: Double) throws {
        guard slot() != nil else { return }
        try JSONByteWriter.writeFloat(value, into: &stream.out)
    }
    func encode(_ value: Float) throws {
        guard slot() != nil else { return }
        try JSONByteWriter.writeFloat(value, into: &stream.out)
    }
    func encode(_ value: Int) throws { int(value) }
    func encode(_ value: Int8) throws { int(value) }
    func encode(_ value: Int16) throws { int(value) }
    func encode(_ value: Int32) throws { int(value) }
    func encode(_ value: Int64) throws { int(value) }
    func encode(_ value: UInt) throws { int(value) }
    func encode(_ value: UInt8) throws { int(value) }
    func encode(_ value: UInt16) throws { int(value) }
    func encode(_ value: UInt32) throws { int(value) }
    func encode(_ value: UInt64) throws { int(value) }
    func encode<T: Encodable>(_ value: T) throws {
        guard let depth = slot() else { return }
        try stream.value(value, depth: depth)
    }
}
