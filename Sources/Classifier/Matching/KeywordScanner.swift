import Foundation

// The scan loop of ``KeywordMatcher`` (the hot path) and the per-thread buffers it runs in.

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

extension KeywordMatcher {
    /// Scans `p[0..<n]` (UTF-8) once and calls `onHit(pattern, startByte, endByte)` for every occurrence.
    ///
    /// Phase 1 normalises, hashes and looks up prefixes for a batch of 64 tokens; ``flush(_:_:)`` then looks the
    /// batch up and walks the trie.
    public func scan(
        _ p: UnsafePointer<UInt8>, count n: Int, state: ScanState,
        _ onHit: (Int32, Int, Int) -> Void
    ) {
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
}
