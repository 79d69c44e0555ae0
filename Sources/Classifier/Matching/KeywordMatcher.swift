import Foundation

/// One slot of a ``FlatTable``: key, value and a second value (16 bytes, one cache line fetch per probe).
struct FlatSlot {
    var key: UInt64
    var value: Int32
    /// For token and prefix tables: the trie node reached from the root by this symbol (0 = none).
    var extra: Int32
}

/// Open-addressing hash table from non-zero `UInt64` keys to `Int32` values, in flat memory.
///
/// Keys are token fingerprints or packed `(node, symbol)` transitions; slots come from Fibonacci hashing
/// (multiply, keep the high bits), linear probing, load ≤ 0.7. Key and values share a 16-byte slot so a lookup
/// touches one cache line.
final class FlatTable: @unchecked Sendable {
    private(set) var slots: UnsafeMutablePointer<FlatSlot>
    private(set) var capacity: Int
    private(set) var shift: UInt64
    private(set) var count = 0

    init(minimumCapacity: Int = 16) {
        var cap = 16
        while cap * 7 < minimumCapacity * 10 { cap <<= 1 }
        capacity = cap
        shift = UInt64(64 - cap.trailingZeroBitCount)
        slots = .allocate(capacity: cap)
        slots.initialize(repeating: FlatSlot(key: 0, value: -1, extra: 0), count: cap)
    }

    deinit { slots.deallocate() }

    var memoryBytes: Int { capacity * MemoryLayout<FlatSlot>.stride }

    @inline(__always)
    private func index(_ key: UInt64) -> Int { Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift) }

    /// The slot holding `key`, or nil.
    @inline(__always)
    func slot(_ key: UInt64) -> UnsafeMutablePointer<FlatSlot>? {
        let mask = capacity - 1
        var i = index(key)
        while true {
            let k = slots[i].key
            if k == key { return slots + i }
            if k == 0 { return nil }
            i = (i + 1) & mask
        }
    }

    /// The key stored in `key`'s home slot: a load that brings the slot's cache line in early.
    @inline(__always)
    func homeKey(_ key: UInt64) -> UInt64 { slots[index(key)].key }

    /// The value for `key`, or -1.
    @inline(__always)
    func find(_ key: UInt64) -> Int32 {
        let mask = capacity - 1
        var i = index(key)
        while true {
            let k = slots[i].key
            if k == key { return slots[i].value }
            if k == 0 { return -1 }
            i = (i + 1) & mask
        }
    }

    /// Inserts or replaces. The table grows past 70 % load: linear probes stay within one or two cache lines
    /// (four slots per line) while the table stays small enough for the cache at 300,000 keywords.
    func insert(_ key: UInt64, _ value: Int32) {
        precondition(key != 0)
        if (count + 1) * 10 > capacity * 7 { grow() }
        let mask = capacity - 1
        var i = index(key)
        while true {
            let k = slots[i].key
            if k == key { slots[i].value = value; return }
            if k == 0 {
                slots[i] = FlatSlot(key: key, value: value, extra: 0)
                count += 1
                return
            }
            i = (i + 1) & mask
        }
    }

    /// Calls `body` on every occupied slot.
    func forEachSlot(_ body: (inout FlatSlot) -> Void) {
        for i in 0..<capacity where slots[i].key != 0 { body(&slots[i]) }
    }

    private func grow() {
        let old = slots, oldCap = capacity
        capacity = oldCap * 2
        shift = UInt64(64 - capacity.trailingZeroBitCount)
        slots = .allocate(capacity: capacity)
        slots.initialize(repeating: FlatSlot(key: 0, value: -1, extra: 0), count: capacity)
        count = 0
        for j in 0..<oldCap where old[j].key != 0 { insert(old[j].key, old[j].value) }
        old.deallocate()
    }
}

/// Per trie node, packed in 16 bytes: outputs, depth, and a 64-bit signature of its children's symbols so
/// most `(node, symbol)` probes are answered without touching the transition table.
struct TrieNode {
    var outStart: Int32
    var outCount: UInt16
    var depth: UInt8
    /// `hasWideSignatureFlag` (whether a node has children is read from its slot's `hasChildrenBit`).
    var flags: UInt8
    var childSignature: UInt64

    /// Many children (a common word starting many phrases): a 4,096-bit signature sits in `wideSignatures`.
    static let hasWideSignatureFlag: UInt8 = 2
    static let wideThreshold = 12
    static let wideWords = 64

    @inline(__always)
    static func wideBit(_ symbol: Int32) -> (word: Int, bit: UInt64) {
        let h = (UInt64(UInt32(bitPattern: symbol)) &* 0xC2B2_AE3D_27D4_EB4F) >> 52  // 12 bits
        return (Int(h >> 6), 1 << (h & 63))
    }

    @inline(__always)
    static func signatureBit(_ symbol: Int32) -> UInt64 {
        1 << ((UInt64(UInt32(bitPattern: symbol)) &* 0x9E37_79B9_7F4A_7C15) >> 58)
    }
}

/// Phrase state carried from token to token and from batch to batch.
struct ScanCursor {
    var active: UnsafeMutablePointer<Int32>
    var next: UnsafeMutablePointer<Int32>
    var activeCount = 0
    var ordinal = 0
    var pending = 0
    /// Keeps the batch's warming loads from being optimised away.
    var sink: UInt64 = 0

    init(active: UnsafeMutablePointer<Int32>, next: UnsafeMutablePointer<Int32>) {
        self.active = active
        self.next = next
    }
}

/// Reusable buffers of one scanning thread (no allocation per token or per field).
public final class ScanState {
    let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: FrenchNormalizer.maxTokenBytes + 8)
    let active = UnsafeMutablePointer<Int32>.allocate(capacity: KeywordMatcher.maxActive)
    let next = UnsafeMutablePointer<Int32>.allocate(capacity: KeywordMatcher.maxActive)
    let ring = UnsafeMutablePointer<Int>.allocate(capacity: KeywordMatcher.maxPhraseTokens)
    let symbols = UnsafeMutablePointer<Int32>.allocate(capacity: 16)
    let roots = UnsafeMutablePointer<Int32>.allocate(capacity: 16)
    // A batch of tokens, normalised and hashed before any is looked up, so the table loads of a whole batch
    // are in flight together instead of one cache miss after another.
    static let batch = 64
    static let maxPrefixHits = 12
    let bStart = UnsafeMutablePointer<Int>.allocate(capacity: ScanState.batch)
    let bEnd = UnsafeMutablePointer<Int>.allocate(capacity: ScanState.batch)
    let bFingerprint = UnsafeMutablePointer<UInt64>.allocate(capacity: ScanState.batch)
    let bValue = UnsafeMutablePointer<Int32>.allocate(capacity: ScanState.batch)
    let bExtra = UnsafeMutablePointer<Int32>.allocate(capacity: ScanState.batch)
    let bPrefixCount = UnsafeMutablePointer<Int>.allocate(capacity: ScanState.batch)
    let bPrefixValue = UnsafeMutablePointer<Int32>.allocate(capacity: ScanState.batch * ScanState.maxPrefixHits)
    let bPrefixExtra = UnsafeMutablePointer<Int32>.allocate(capacity: ScanState.batch * ScanState.maxPrefixHits)
    /// Mutable scan state behind a pointer: no exclusivity checks in the hot loop.
    let cursor = UnsafeMutablePointer<ScanCursor>.allocate(capacity: 1)

    public init() {
        cursor.initialize(to: ScanCursor(active: active, next: next))
    }

    deinit {
        scratch.deallocate()
        active.deallocate()
        next.deallocate()
        ring.deallocate()
        symbols.deallocate()
        roots.deallocate()
        bStart.deallocate()
        bEnd.deallocate()
        bFingerprint.deallocate()
        bValue.deallocate()
        bExtra.deallocate()
        bPrefixCount.deallocate()
        bPrefixValue.deallocate()
        bPrefixExtra.deallocate()
        cursor.deallocate()
    }
}

/// One multi-pattern matcher for every keyword of every cluster: the cost of scanning a text does not grow
/// with the number of rules.
///
/// Text is tokenised and normalised once (``FrenchNormalizer``); each token becomes a symbol through one hash
/// table of known tokens (unknown tokens reset phrase state); prefix wildcards (`décollet*`) are looked up in
/// a table of prefix fingerprints at the few lengths that exist; phrases walk a token trie whose transitions
/// `(node, symbol)` live in one open-addressing table. Everything is flat memory; nothing is allocated while
/// scanning.
public final class KeywordMatcher: @unchecked Sendable {
    static let maxActive = 64
    /// Longest phrase, in tokens (the lint rejects longer ones).
    public static let maxPhraseTokens = 16
    static let stopwordSymbol: Int32 = -2

    /// Fingerprint of a stemmed token → (symbol, root child).
    let tokens: FlatTable
    /// Fingerprint of a folded prefix → (symbol, root child).
    let prefixes: FlatTable
    let prefixLengthMask: UInt64
    let maxPrefixLength: Int
    let symbolCount: Int
    /// `(node << 32 | symbol)` → child node, for nodes below the root.
    let transitions: FlatTable
    let nodeCount: Int
    let nodes: UnsafeMutablePointer<TrieNode>
    /// Node → index of its wide signature (only read for nodes flagged wide, which are few and hot).
    let wideIndex: UnsafeMutablePointer<Int32>
    let wideSignatures: UnsafeMutablePointer<UInt64>
    let wideCount: Int
    /// 65,536-bit filter of prefix fingerprints: most prefix lengths are ruled out without a table probe.
    let prefixFilter: UnsafeMutablePointer<UInt64>
    let outputs: UnsafeMutablePointer<Int32>
    let outputCount: Int
    /// Normalised form of each pattern, by pattern id.
    public let patterns: [String]

    fileprivate init(builder b: Builder) {
        tokens = b.tokens
        prefixes = b.prefixes
        prefixLengthMask = b.prefixLengthMask
        maxPrefixLength = b.maxPrefixLength
        let symbols = b.symbolCount
        symbolCount = symbols
        // Renumber nodes so the root child of symbol s is node s + 1: a token's table slot then gives its
        // first node without storing it, and the slot's spare field can hold the node's single output.
        let oldCount = b.depth.count
        var newID = [Int32](repeating: -1, count: oldCount)
        newID[0] = 0
        for sym in 0..<symbols where b.rootChild[sym] > 0 { newID[Int(b.rootChild[sym])] = Int32(sym + 1) }
        var nextID = Int32(symbols + 1)
        for old in 1..<max(1, oldCount) where newID[old] < 0 {
            newID[old] = nextID
            nextID += 1
        }
        let count = Int(nextID)
        nodeCount = count
        var depth = [UInt8](repeating: 0, count: count)
        var signature = [UInt64](repeating: 0, count: count)
        var childCount = [Int32](repeating: 0, count: count)
        for old in 0..<oldCount {
            let n = Int(newID[old])
            depth[n] = b.depth[old]
            signature[n] = b.signature[old]
            childCount[n] = b.childCount[old]
        }
        let trans = FlatTable(minimumCapacity: b.transitions.count)
        b.transitions.forEachSlot { slot in
            let parent = Int64(newID[Int(slot.key >> 32)])
            let sym = slot.key & 0xFFFF_FFFF
            trans.insert((UInt64(parent) << 32) | sym, newID[Int(slot.value)])
        }
        transitions = trans
        var counts = [Int32](repeating: 0, count: count)
        for (_, node) in b.outputPairs { counts[Int(newID[Int(node)])] += 1 }
        var starts = [Int32](repeating: 0, count: count + 1)
        for n in 0..<count { starts[n + 1] = starts[n] + counts[n] }
        outputCount = Int(starts[count])
        let outs = UnsafeMutablePointer<Int32>.allocate(capacity: max(1, outputCount))
        var fill = starts
        for (pattern, node) in b.outputPairs {
            let n = Int(newID[Int(node)])
            outs[Int(fill[n])] = pattern
            fill[n] += 1
        }
        outputs = outs
        // Each transition slot carries what the walk needs of its child: id, depth and has-children in `value`,
        // the pattern ending there (or -1) in `extra`, so a phrase step reads one slot and no node.
        precondition(count < 1 << 24, "keyword matcher: more than 16 million trie nodes")
        trans.forEachSlot { slot in
            let child = Int(slot.value)
            var v = Int32(child) | Int32(depth[child]) << 24
            if signature[child] != 0 { v |= KeywordMatcher.transitionHasChildrenBit }
            slot.value = v
            slot.extra = counts[child] > 0 ? outs[Int(starts[child])] : -1
        }
        // Flag bits in each token/prefix slot: has outputs, has children, single output (then in `extra`).
        let roots = b.rootChild
        func annotate(_ slot: inout FlatSlot) {
            guard slot.value >= 0, roots[Int(slot.value)] > 0 else { return }
            let child = Int(slot.value) + 1
            if counts[child] > 0 { slot.value |= KeywordMatcher.hasOutputsBit }
            if counts[child] == 1 {
                slot.value |= KeywordMatcher.singleOutputBit
                slot.extra = outs[Int(starts[child])]
            }
            if signature[child] != 0 { slot.value |= KeywordMatcher.hasChildrenBit }
        }
        tokens.forEachSlot(annotate)
        prefixes.forEachSlot(annotate)
        let pf = UnsafeMutablePointer<UInt64>.allocate(capacity: 1024)
        pf.initialize(repeating: 0, count: 1024)
        b.prefixes.forEachSlot { slot in
            let h = Int(slot.key >> 48)
            pf[h >> 6] |= 1 << UInt64(h & 63)
        }
        prefixFilter = pf
        let wi = UnsafeMutablePointer<Int32>.allocate(capacity: count)
        wi.initialize(repeating: -1, count: count)
        let wideNodes = (0..<count).filter { childCount[$0] >= TrieNode.wideThreshold }
        wideCount = wideNodes.count
        let ws = UnsafeMutablePointer<UInt64>.allocate(capacity: max(1, wideNodes.count * TrieNode.wideWords))
        ws.initialize(repeating: 0, count: max(1, wideNodes.count * TrieNode.wideWords))
        for (i, n) in wideNodes.enumerated() { wi[n] = Int32(i) }
        trans.forEachSlot { slot in
            let w = wi[Int(slot.key >> 32)]
            guard w >= 0 else { return }
            let (word, bit) = TrieNode.wideBit(Int32(truncatingIfNeeded: slot.key & 0xFFFF_FFFF))
            ws[Int(w) * TrieNode.wideWords + word] |= bit
        }
        wideIndex = wi
        wideSignatures = ws
        let nodeArray = UnsafeMutablePointer<TrieNode>.allocate(capacity: count)
        for n in 0..<count {
            let flags: UInt8 = wi[n] >= 0 ? TrieNode.hasWideSignatureFlag : 0
            nodeArray[n] = TrieNode(outStart: starts[n], outCount: UInt16(min(Int(counts[n]), Int(UInt16.max))),
                                    depth: depth[n], flags: flags, childSignature: signature[n])
        }
        nodes = nodeArray
        patterns = b.patterns
    }

    deinit {
        nodes.deallocate()
        wideIndex.deallocate()
        wideSignatures.deallocate()
        prefixFilter.deallocate()
        outputs.deallocate()
    }

    /// Flag bits in token/prefix slot values (symbols stay below 2^29).
    static let hasOutputsBit: Int32 = 1 << 30
    static let hasChildrenBit: Int32 = 1 << 29
    static let singleOutputBit: Int32 = 1 << 28
    static let transitionHasChildrenBit: Int32 = 1 << 30
    static let symbolMask: Int32 = (1 << 28) - 1

    /// Distinct patterns (after normalisation).
    public var patternCount: Int { patterns.count }

    /// Bytes held by the matcher's tables.
    public var memoryBytes: Int {
        tokens.memoryBytes + prefixes.memoryBytes + transitions.memoryBytes + nodeCount * MemoryLayout<TrieNode>.stride
            + nodeCount * 4 + wideCount * TrieNode.wideWords * 8 + 8192 + outputCount * 4
    }

    /// Scans `p[0..<n]` (UTF-8) once and calls `onHit(pattern, startByte, endByte)` for every occurrence.
    ///
    /// Phase 1 normalises, hashes and looks up prefixes for a batch of 64 tokens; ``flush(_:_:)`` then looks the
    /// batch up and walks the trie.
    public func scan(_ p: UnsafePointer<UInt8>, count n: Int, state: ScanState,
                     _ onHit: (Int32, Int, Int) -> Void) {
        let cur = state.cursor
        cur.pointee.activeCount = 0
        cur.pointee.ordinal = 0
        cur.pointee.pending = 0
        let scratch = state.scratch
        let bStart = state.bStart, bEnd = state.bEnd, bFingerprint = state.bFingerprint
        let bPrefixCount = state.bPrefixCount, bPrefixValue = state.bPrefixValue, bPrefixExtra = state.bPrefixExtra
        let maxPrefixHits = ScanState.maxPrefixHits
        let batch = ScanState.batch
        let cap = FrenchNormalizer.maxTokenBytes
        let pmask = prefixLengthMask
        let pmax = maxPrefixLength
        let pfilter = self.prefixFilter
        let prefixes = self.prefixes
        var pos = 0
        var pending = 0
        while true {
            let (len, start, end) = FrenchNormalizer.nextToken(p, n, &pos, scratch: scratch)
            if len == 0 { break }
            bStart[pending] = start
            bEnd[pending] = end
            if len > cap {
                bFingerprint[pending] = 0
                bPrefixCount[pending] = 0
            } else {
                var pc = 0
                if pmask != 0 {
                    var h: UInt64 = FrenchNormalizer.prefixSeed
                    let lim = len < pmax ? len : pmax
                    var k = 0
                    while k < lim {
                        h = (h ^ UInt64(scratch[k])) &* 0x0000_0100_0000_01B3
                        k += 1
                        if pmask & (1 << UInt64(k)) != 0 && pc < maxPrefixHits {
                            let fp = FrenchNormalizer.finalize(h)
                            let f = Int(fp >> 48)
                            if pfilter[f >> 6] & (1 << UInt64(f & 63)) != 0, let slot = prefixes.slot(fp) {
                                bPrefixValue[pending * maxPrefixHits + pc] = slot.pointee.value
                                bPrefixExtra[pending * maxPrefixHits + pc] = slot.pointee.extra
                                pc += 1
                            }
                        }
                    }
                }
                bPrefixCount[pending] = pc
                let sl = FrenchNormalizer.stem(scratch, len)
                bFingerprint[pending] = FrenchNormalizer.fingerprint(scratch, sl)
            }
            pending += 1
            if pending == batch {
                cur.pointee.pending = pending
                flush(state, cur, onHit)
                pending = 0
            }
        }
        cur.pointee.pending = pending
        flush(state, cur, onHit)
    }

    /// Phase 2: warm the batch's token slots (independent loads, all in flight at once), resolve them, and warm
    /// the trie nodes and first transitions the walk will read. Phase 3: walk the trie token by token.
    @inline(__always)
    func flush(_ state: ScanState, _ cur: UnsafeMutablePointer<ScanCursor>, _ onHit: (Int32, Int, Int) -> Void) {
        let pending = cur.pointee.pending
        let bStart = state.bStart, bEnd = state.bEnd, bFingerprint = state.bFingerprint
        let bValue = state.bValue, bExtra = state.bExtra
        let bPrefixCount = state.bPrefixCount, bPrefixValue = state.bPrefixValue, bPrefixExtra = state.bPrefixExtra
        let maxPrefixHits = ScanState.maxPrefixHits
        let syms = state.symbols
        let roots = state.roots
        let ring = state.ring
        let ringMask = KeywordMatcher.maxPhraseTokens - 1
        let maxActive = KeywordMatcher.maxActive
        let nodes = self.nodes
        let outputs = self.outputs
        let wide = self.wideSignatures
        let wideIndex = self.wideIndex
        let tokens = self.tokens
        let transitions = self.transitions
        var sink: UInt64 = 0
        var i = 0
        while i < pending {
            if bFingerprint[i] != 0 { sink &+= tokens.homeKey(bFingerprint[i]) }
            i += 1
        }
        i = 0
        while i < pending {
            var v: Int32 = -1
            if bFingerprint[i] != 0, let slot = tokens.slot(bFingerprint[i]) {
                v = slot.pointee.value
                bExtra[i] = slot.pointee.extra
            }
            bValue[i] = v
            if v >= 0 && v & KeywordMatcher.hasChildrenBit != 0 {
                sink &+= nodes[Int(v & KeywordMatcher.symbolMask) + 1].childSignature
            }
            i += 1
        }
        // Two-word continuations whose parent's signature admits the next word: warm their transition slots.
        i = 0
        var previous: Int32 = -1
        while i < pending {
            let v = bValue[i]
            i += 1
            if v == KeywordMatcher.stopwordSymbol { continue }
            if v >= 0 && previous >= 0 && previous & KeywordMatcher.hasChildrenBit != 0 {
                let sym = v & KeywordMatcher.symbolMask
                let parent = (previous & KeywordMatcher.symbolMask) + 1
                let pnode = nodes[Int(parent)]
                if pnode.childSignature & TrieNode.signatureBit(sym) != 0 {
                    var admitted = true
                    if pnode.flags & TrieNode.hasWideSignatureFlag != 0 {
                        let (word, wbit) = TrieNode.wideBit(sym)
                        admitted = wide[Int(wideIndex[Int(parent)]) &* TrieNode.wideWords &+ word] & wbit != 0
                    }
                    if admitted {
                        sink &+= transitions.homeKey((UInt64(UInt32(bitPattern: parent)) << 32) | UInt64(UInt32(sym)))
                    }
                }
            }
            previous = v
        }
        var active = cur.pointee.active
        var next = cur.pointee.next
        var activeCount = cur.pointee.activeCount
        var ordinal = cur.pointee.ordinal
        i = 0
        while i < pending {
            let t = i
            i += 1
            let start = bStart[t], end = bEnd[t]
            if bFingerprint[t] == 0 {  // too long to be a word
                activeCount = 0
                continue
            }
            let tid = bValue[t]
            if tid == KeywordMatcher.stopwordSymbol { continue }
            var nsym = 0
            let pc = bPrefixCount[t]
            while nsym < pc {
                syms[nsym] = bPrefixValue[t * maxPrefixHits + nsym]
                roots[nsym] = bPrefixExtra[t * maxPrefixHits + nsym]
                nsym += 1
            }
            if tid >= 0 {
                syms[nsym] = tid
                roots[nsym] = bExtra[t]
                nsym += 1
            }
            if nsym == 0 {
                activeCount = 0
                ordinal += 1
                continue
            }
            ring[ordinal & ringMask] = start
            var nextCount = 0
            var s = 0
            while s < nsym {
                let value = syms[s]
                let sym = value & KeywordMatcher.symbolMask
                let child = sym + 1
                if value & KeywordMatcher.singleOutputBit != 0 {
                    onHit(roots[s], start, end)
                } else if value & KeywordMatcher.hasOutputsBit != 0 {
                    let node = nodes[Int(child)]
                    var o = Int(node.outStart)
                    let oe = o + Int(node.outCount)
                    while o < oe { onHit(outputs[o], start, end); o += 1 }
                }
                if value & KeywordMatcher.hasChildrenBit != 0 && nextCount < maxActive {
                    next[nextCount] = child
                    nextCount += 1
                }
                let bit = TrieNode.signatureBit(sym)
                var a = 0
                while a < activeCount {
                    let parent = active[a]
                    a += 1
                    let pnode = nodes[Int(parent)]
                    if pnode.childSignature & bit == 0 { continue }
                    if pnode.flags & TrieNode.hasWideSignatureFlag != 0 {
                        let (word, wbit) = TrieNode.wideBit(sym)
                        if wide[Int(wideIndex[Int(parent)]) &* TrieNode.wideWords &+ word] & wbit == 0 { continue }
                    }
                    let key = (UInt64(UInt32(bitPattern: parent)) << 32) | UInt64(UInt32(bitPattern: sym))
                    if let slot = transitions.slot(key) {
                        let tv = slot.pointee.value
                        let out = slot.pointee.extra
                        if out >= 0 {
                            let depth = Int((tv >> 24) & 31)
                            onHit(out, ring[(ordinal - depth + 1) & ringMask], end)
                        }
                        if tv & KeywordMatcher.transitionHasChildrenBit != 0 && nextCount < maxActive {
                            next[nextCount] = tv & 0xFF_FFFF
                            nextCount += 1
                        }
                    }
                }
                s += 1
            }
            swap(&active, &next)
            activeCount = nextCount
            ordinal += 1
        }
        cur.pointee.active = active
        cur.pointee.next = next
        cur.pointee.activeCount = activeCount
        cur.pointee.ordinal = ordinal
        cur.pointee.pending = 0
        cur.pointee.sink &+= sink
    }

    /// Scans a Swift string.
    public func scan(_ text: String, state: ScanState, _ onHit: (Int32, Int, Int) -> Void) {
        var t = text
        t.withUTF8 { bp in
            guard let base = bp.baseAddress else { return }
            scan(base, count: bp.count, state: state, onHit)
        }
    }

    /// Builds a matcher keyword by keyword. Use once: ``build()`` hands its tables to the matcher.
    public final class Builder {
        fileprivate let tokens = FlatTable()
        fileprivate let prefixes = FlatTable()
        fileprivate var prefixLengthMask: UInt64 = 0
        fileprivate var maxPrefixLength = 0
        fileprivate var symbolCount = 0
        fileprivate var rootChild: [Int32] = []
        fileprivate let transitions = FlatTable()
        fileprivate var depth: [UInt8] = [0]
        fileprivate var signature: [UInt64] = [0]
        fileprivate var childCount: [Int32] = [0]
        /// (pattern, node) pairs, turned into per-node output lists at build time.
        fileprivate var outputPairs: [(Int32, Int32)] = []
        fileprivate var patterns: [String] = []
        private var patternIndex: [String: Int32] = [:]

        public init() {
            for w in FrenchNormalizer.stopwordSet {
                tokens.insert(w.withUnsafeBufferPointer { FrenchNormalizer.fingerprint($0.baseAddress!, $0.count) },
                              KeywordMatcher.stopwordSymbol)
            }
        }

        private func symbol(for t: FrenchNormalizer.KeywordToken) -> Int32 {
            let fp: UInt64 = t.bytes.withUnsafeBufferPointer {
                FrenchNormalizer.fingerprint($0.baseAddress!, $0.count,
                                            seed: t.isPrefix ? FrenchNormalizer.prefixSeed : 0xcbf2_9ce4_8422_2325)
            }
            let table = t.isPrefix ? prefixes : tokens
            let found = table.find(fp)
            if found >= 0 { return found }
            let id = Int32(symbolCount)
            symbolCount += 1
            rootChild.append(0)
            table.insert(fp, id)
            if t.isPrefix {
                let l = t.bytes.count
                if l < 63 { prefixLengthMask |= 1 << UInt64(l) }
                maxPrefixLength = max(maxPrefixLength, l)
            }
            return id
        }

        /// Adds a keyword (phrase, `*` prefixes) and returns its pattern id; keywords with the same normalised
        /// form share one id. Nil when nothing is left after normalisation or the phrase is too long.
        @discardableResult
        public func add(_ keyword: String) -> Int32? {
            let toks = FrenchNormalizer.keywordTokens(keyword)
            guard !toks.isEmpty, toks.count <= KeywordMatcher.maxPhraseTokens,
                  toks.allSatisfy({ !$0.bytes.isEmpty && $0.bytes.count <= FrenchNormalizer.maxTokenBytes })
            else { return nil }
            var form = ""
            for (k, t) in toks.enumerated() {
                if k > 0 { form += " " }
                form += String(decoding: t.bytes, as: UTF8.self)
                if t.isPrefix { form += "*" }
            }
            if let id = patternIndex[form] { return id }
            let pid = Int32(patterns.count)
            patterns.append(form)
            patternIndex[form] = pid
            var node: Int32 = 0
            for (k, t) in toks.enumerated() {
                let sym = symbol(for: t)
                let child: Int32
                if node == 0 {
                    child = rootChild[Int(sym)]
                } else {
                    child = transitions.find((UInt64(UInt32(node)) << 32) | UInt64(UInt32(sym)))
                }
                if child > 0 {
                    node = child
                } else {
                    let n = Int32(depth.count)
                    depth.append(UInt8(k + 1))
                    signature.append(0)
                    childCount.append(0)
                    childCount[Int(node)] += 1
                    if node == 0 {
                        rootChild[Int(sym)] = n
                    } else {
                        transitions.insert((UInt64(UInt32(node)) << 32) | UInt64(UInt32(sym)), n)
                    }
                    signature[Int(node)] |= TrieNode.signatureBit(sym)
                    node = n
                }
            }
            outputPairs.append((pid, node))
            return pid
        }

        /// Freezes the tables into a matcher.
        public func build() -> KeywordMatcher { KeywordMatcher(builder: self) }
    }
}
