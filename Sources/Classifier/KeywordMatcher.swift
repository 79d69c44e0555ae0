import Foundation

/// Open-addressing hash table from non-zero `UInt64` keys to `Int32` values, in flat memory.
///
/// Keys are token fingerprints or packed `(node, symbol)` transitions; slots come from Fibonacci hashing
/// (multiply, keep the high bits), linear probing, load ≤ 1/2.
final class FlatTable: @unchecked Sendable {
    private(set) var keys: UnsafeMutablePointer<UInt64>
    private(set) var values: UnsafeMutablePointer<Int32>
    private(set) var capacity: Int
    private(set) var shift: UInt64
    private(set) var count = 0

    init(minimumCapacity: Int = 16) {
        var cap = 16
        while cap < minimumCapacity * 2 { cap <<= 1 }
        capacity = cap
        shift = UInt64(64 - cap.trailingZeroBitCount)
        keys = .allocate(capacity: cap)
        keys.initialize(repeating: 0, count: cap)
        values = .allocate(capacity: cap)
        values.initialize(repeating: -1, count: cap)
    }

    deinit {
        keys.deallocate()
        values.deallocate()
    }

    var memoryBytes: Int { capacity * 12 }

    /// The value for `key`, or -1.
    @inline(__always)
    func find(_ key: UInt64) -> Int32 {
        let mask = capacity - 1
        var i = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
        while true {
            let k = keys[i]
            if k == key { return values[i] }
            if k == 0 { return -1 }
            i = (i + 1) & mask
        }
    }

    /// Inserts or replaces.
    func insert(_ key: UInt64, _ value: Int32) {
        precondition(key != 0)
        if (count + 1) * 2 > capacity { grow() }
        let mask = capacity - 1
        var i = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
        while true {
            let k = keys[i]
            if k == key { values[i] = value; return }
            if k == 0 {
                keys[i] = key
                values[i] = value
                count += 1
                return
            }
            i = (i + 1) & mask
        }
    }

    private func grow() {
        let oldKeys = keys, oldValues = values, oldCap = capacity
        capacity = oldCap * 2
        shift = UInt64(64 - capacity.trailingZeroBitCount)
        keys = .allocate(capacity: capacity)
        keys.initialize(repeating: 0, count: capacity)
        values = .allocate(capacity: capacity)
        values.initialize(repeating: -1, count: capacity)
        count = 0
        for j in 0..<oldCap where oldKeys[j] != 0 { insert(oldKeys[j], oldValues[j]) }
        oldKeys.deallocate()
        oldValues.deallocate()
    }
}

/// Reusable buffers of one scanning thread (no allocation per token or per field).
public final class ScanState {
    let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: FrenchNormalizer.maxTokenBytes + 8)
    var active = UnsafeMutablePointer<Int32>.allocate(capacity: KeywordMatcher.maxActive)
    var next = UnsafeMutablePointer<Int32>.allocate(capacity: KeywordMatcher.maxActive)
    let ring = UnsafeMutablePointer<Int>.allocate(capacity: KeywordMatcher.maxPhraseTokens)
    let symbols = UnsafeMutablePointer<Int32>.allocate(capacity: 16)

    public init() {}

    deinit {
        scratch.deallocate()
        active.deallocate()
        next.deallocate()
        ring.deallocate()
        symbols.deallocate()
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

    let tokens: FlatTable
    let prefixes: FlatTable
    let prefixLengthMask: UInt64
    let maxPrefixLength: Int
    let symbolCount: Int
    let rootChild: UnsafeMutablePointer<Int32>
    let transitions: FlatTable
    let nodeCount: Int
    let outStart: UnsafeMutablePointer<Int32>
    let outputs: UnsafeMutablePointer<Int32>
    let depth: UnsafeMutablePointer<UInt8>
    let hasChildren: UnsafeMutablePointer<Bool>
    /// Normalised form of each pattern, by pattern id.
    public let patterns: [String]

    fileprivate init(builder b: Builder) {
        tokens = b.tokens
        prefixes = b.prefixes
        prefixLengthMask = b.prefixLengthMask
        maxPrefixLength = b.maxPrefixLength
        symbolCount = b.symbolCount
        rootChild = .allocate(capacity: max(1, b.rootChild.count))
        rootChild.initialize(repeating: 0, count: max(1, b.rootChild.count))
        for (i, v) in b.rootChild.enumerated() { rootChild[i] = v }
        transitions = b.transitions
        nodeCount = b.depth.count
        outStart = .allocate(capacity: nodeCount + 1)
        depth = .allocate(capacity: nodeCount)
        hasChildren = .allocate(capacity: nodeCount)
        var total = 0
        for n in 0..<nodeCount { total += b.nodeOutputs[n].count }
        outputs = .allocate(capacity: max(1, total))
        var o = 0
        for n in 0..<nodeCount {
            outStart[n] = Int32(o)
            for p in b.nodeOutputs[n] { outputs[o] = p; o += 1 }
            depth[n] = b.depth[n]
            hasChildren[n] = b.hasChildren[n]
        }
        outStart[nodeCount] = Int32(o)
        patterns = b.patterns
    }

    deinit {
        rootChild.deallocate()
        outStart.deallocate()
        outputs.deallocate()
        depth.deallocate()
        hasChildren.deallocate()
    }

    /// Distinct patterns (after normalisation).
    public var patternCount: Int { patterns.count }

    /// Bytes held by the matcher's tables.
    public var memoryBytes: Int {
        tokens.memoryBytes + prefixes.memoryBytes + transitions.memoryBytes + symbolCount * 4 + nodeCount * 6
            + Int(outStart[nodeCount]) * 4
    }

    /// Scans `p[0..<n]` (UTF-8) once and calls `onHit(pattern, startByte, endByte)` for every occurrence.
    @inline(__always)
    public func scan(_ p: UnsafePointer<UInt8>, count n: Int, state: ScanState,
                     _ onHit: (Int32, Int, Int) -> Void) {
        let scratch = state.scratch
        var active = state.active
        var next = state.next
        let ring = state.ring
        let syms = state.symbols
        var activeCount = 0
        var ordinal = 0
        let cap = FrenchNormalizer.maxTokenBytes
        let pmask = prefixLengthMask
        let pmax = maxPrefixLength
        let ringMask = KeywordMatcher.maxPhraseTokens - 1
        let maxActive = KeywordMatcher.maxActive
        FrenchNormalizer.forEachToken(p, n, scratch: scratch) { len, start, end in
            if len > cap {
                activeCount = 0
                return
            }
            var nsym = 0
            if pmask != 0 {
                var h: UInt64 = FrenchNormalizer.prefixSeed
                let lim = len < pmax ? len : pmax
                var k = 0
                while k < lim {
                    h = (h ^ UInt64(scratch[k])) &* 0x0000_0100_0000_01B3
                    k += 1
                    if pmask & (1 << UInt64(k)) != 0 {
                        let id = prefixes.find(FrenchNormalizer.finalize(h))
                        if id >= 0 && nsym < 12 { syms[nsym] = id; nsym += 1 }
                    }
                }
            }
            let sl = FrenchNormalizer.stem(scratch, len)
            let tid = tokens.find(FrenchNormalizer.fingerprint(scratch, sl))
            if tid == KeywordMatcher.stopwordSymbol { return }
            if tid >= 0 { syms[nsym] = tid; nsym += 1 }
            if nsym == 0 {
                activeCount = 0
                ordinal += 1
                return
            }
            ring[ordinal & ringMask] = start
            var nextCount = 0
            var s = 0
            while s < nsym {
                let sym = syms[s]
                let child = rootChild[Int(sym)]
                if child > 0 {
                    let c = Int(child)
                    var o = Int(outStart[c])
                    let oe = Int(outStart[c + 1])
                    while o < oe { onHit(outputs[o], start, end); o += 1 }
                    if hasChildren[c] && nextCount < maxActive { next[nextCount] = child; nextCount += 1 }
                }
                var a = 0
                while a < activeCount {
                    let key = (UInt64(UInt32(bitPattern: active[a])) << 32) | UInt64(UInt32(bitPattern: sym))
                    let child = transitions.find(key)
                    if child > 0 {
                        let c = Int(child)
                        var o = Int(outStart[c])
                        let oe = Int(outStart[c + 1])
                        if o < oe {
                            let first = ring[(ordinal - Int(depth[c]) + 1) & ringMask]
                            while o < oe { onHit(outputs[o], first, end); o += 1 }
                        }
                        if hasChildren[c] && nextCount < maxActive { next[nextCount] = child; nextCount += 1 }
                    }
                    a += 1
                }
                s += 1
            }
            swap(&active, &next)
            activeCount = nextCount
            ordinal += 1
        }
        state.active = active
        state.next = next
    }

    /// Scans a Swift string.
    public func scan(_ text: String, state: ScanState, _ onHit: (Int32, Int, Int) -> Void) {
        var t = text
        t.withUTF8 { bp in
            guard let base = bp.baseAddress else { return }
            scan(base, count: bp.count, state: state, onHit)
        }
    }

    /// Builds a matcher keyword by keyword.
    public final class Builder {
        fileprivate let tokens = FlatTable()
        fileprivate let prefixes = FlatTable()
        fileprivate var prefixLengthMask: UInt64 = 0
        fileprivate var maxPrefixLength = 0
        fileprivate var symbolCount = 0
        fileprivate var rootChild: [Int32] = []
        fileprivate let transitions = FlatTable()
        fileprivate var depth: [UInt8] = [0]
        fileprivate var hasChildren: [Bool] = [false]
        fileprivate var nodeOutputs: [[Int32]] = [[]]
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
            let form = toks.map { String(decoding: $0.bytes, as: UTF8.self) + ($0.isPrefix ? "*" : "") }
                .joined(separator: " ")
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
                    hasChildren.append(false)
                    nodeOutputs.append([])
                    if node == 0 {
                        rootChild[Int(sym)] = n
                    } else {
                        transitions.insert((UInt64(UInt32(node)) << 32) | UInt64(UInt32(sym)), n)
                    }
                    hasChildren[Int(node)] = true
                    node = n
                }
            }
            nodeOutputs[Int(node)].append(pid)
            return pid
        }

        /// Freezes the tables into a matcher.
        public func build() -> KeywordMatcher { KeywordMatcher(builder: self) }
    }
}
