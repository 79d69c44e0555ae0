import Foundation

// The token trie of ``KeywordMatcher``: its node layout and the builder that grows it keyword by keyword;
// `KeywordMatcher.init(builder:)` freezes it into flat memory.

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

extension KeywordMatcher {
    /// Builds a matcher keyword by keyword. Use once: ``build()`` hands its tables to the matcher.
    public final class Builder {
        let tokens = FlatTable()
        let prefixes = FlatTable()
        var prefixLengthMask: UInt64 = 0
        var maxPrefixLength = 0
        var symbolCount = 0
        var rootChild: [Int32] = []
        let transitions = FlatTable()
        var depth: [UInt8] = [0]
        var signature: [UInt64] = [0]
        var childCount: [Int32] = [0]
        /// (pattern, node) pairs, turned into per-node output lists at build time.
        var outputPairs: [(Int32, Int32)] = []
        var patterns: [String] = []
        private var patternIndex: [String: Int32] = [:]

        public init() {
            for w in FrenchNormalizer.stopwordSet {
                tokens.insert(
                    w.withUnsafeBufferPointer { FrenchNormalizer.fingerprint($0.baseAddress!, $0.count) },
                    KeywordMatcher.stopwordSymbol)
            }
        }

        private func symbol(for t: FrenchNormalizer.KeywordToken) -> Int32 {
            let fp: UInt64 = t.bytes.withUnsafeBufferPointer {
                FrenchNormalizer.fingerprint(
                    $0.baseAddress!, $0.count,
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
