import Foundation

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

    init(builder b: Builder) {
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
            nodeArray[n] = TrieNode(
                outStart: starts[n], outCount: UInt16(min(Int(counts[n]), Int(UInt16.max))),
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
}
