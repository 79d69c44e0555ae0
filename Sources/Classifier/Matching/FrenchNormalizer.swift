import Foundation

/// French text normalisation on UTF-8 bytes, shared by rule keywords and notice text so both sides fold alike.
///
/// A token is a run of letters and digits. Folding: ASCII case; Latin accents (`é` → `e`); ligatures
/// (`œ` → `oe`, `æ` → `ae`, `ß` → `ss`); hyphens, dashes and every punctuation are separators, so
/// `sous-traitance` = `sous traitance`; apostrophes (`'` `’` `‘` `ʼ`) separate and drop the elided word
/// before them (`l'`, `d'`, `qu'`, `lorsqu'`…). Then a light stem folds plurals and feminines
/// (`métaux` → `metal`, `pièces` → `piec`, `usinée` → `usin`) and a few function words are skipped
/// (`de`, `la`, `pour`…), so `pièces de rechange` = `pièce rechange`.
public enum FrenchNormalizer {
    /// Longest token kept; longer runs (hashes, base64 in bad feeds) never match.
    static let maxTokenBytes = 48

    // Byte classes.
    static let clsSeparator: UInt8 = 0
    static let clsASCII: UInt8 = 1
    static let clsApostrophe: UInt8 = 2
    static let clsLead2: UInt8 = 3
    static let clsLead3: UInt8 = 4
    static let clsLead4: UInt8 = 5
    static let clsCont: UInt8 = 6

    /// Per byte: its class.
    nonisolated(unsafe) static let byteClass: UnsafeMutablePointer<UInt8> = {
        let t = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        for b in 0..<256 {
            let c: UInt8
            switch b {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: c = clsASCII
            case 0x27, 0x60: c = clsApostrophe
            case 0x80...0xBF: c = clsCont
            case 0xC2...0xDF: c = clsLead2
            case 0xE0...0xEF: c = clsLead3
            case 0xF0...0xF4: c = clsLead4
            default: c = clsSeparator
            }
            t[b] = c
        }
        return t
    }()

    /// ASCII case folding.
    nonisolated(unsafe) static let asciiFold: UnsafeMutablePointer<UInt8> = {
        let t = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        for b in 0..<256 { t[b] = (b >= 0x41 && b <= 0x5A) ? UInt8(b + 32) : UInt8(b) }
        return t
    }()

    /// Two-byte code points U+0080…U+07FF: folded length (0 = separator, 1–2 = ASCII letters in
    /// `fold2A`/`fold2B`, 254 = apostrophe, 255 = keep the raw bytes: Greek, Cyrillic… letters).
    nonisolated(unsafe) static let fold2 = makeFold2()
    nonisolated(unsafe) static let fold2Len: UnsafeMutablePointer<UInt8> = fold2.0
    nonisolated(unsafe) static let fold2A: UnsafeMutablePointer<UInt8> = fold2.1
    nonisolated(unsafe) static let fold2B: UnsafeMutablePointer<UInt8> = fold2.2

    private static func makeFold2() -> (
        UnsafeMutablePointer<UInt8>, UnsafeMutablePointer<UInt8>,
        UnsafeMutablePointer<UInt8>
    ) {
        let len = UnsafeMutablePointer<UInt8>.allocate(capacity: 0x800)
        let a = UnsafeMutablePointer<UInt8>.allocate(capacity: 0x800)
        let bb = UnsafeMutablePointer<UInt8>.allocate(capacity: 0x800)
        len.initialize(repeating: 0, count: 0x800)
        a.initialize(repeating: 0, count: 0x800)
        bb.initialize(repeating: 0, count: 0x800)
        let special: [UInt32: String] = [
            0xC6: "ae", 0xE6: "ae", 0x152: "oe", 0x153: "oe", 0xDF: "ss", 0xD8: "o", 0xF8: "o", 0xD0: "d",
            0xF0: "d", 0xDE: "th", 0xFE: "th", 0x110: "d", 0x111: "d", 0x141: "l", 0x142: "l", 0x132: "ij",
            0x133: "ij", 0x131: "i", 0xAA: "a", 0xBA: "o", 0xB5: "u",
        ]
        for cp in UInt32(0x80)..<0x800 {
            var out: String?
            if let s = special[cp] {
                out = s
            } else if cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7, let u = Unicode.Scalar(cp) {
                let f = String(Character(u)).folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil)
                if !f.isEmpty, f.utf8.count <= 2, f.utf8.allSatisfy({ $0 >= 0x61 && $0 <= 0x7A }) { out = f }
            }
            if let out {
                let u = Array(out.utf8)
                len[Int(cp)] = UInt8(u.count)
                a[Int(cp)] = u[0]
                if u.count > 1 { bb[Int(cp)] = u[1] }
            } else if cp == 0x2BC || cp == 0x2BB {
                len[Int(cp)] = 254  // ʼ ʻ modifier apostrophes, seen in some buyer platforms' exports
            } else if cp >= 0x370, let u = Unicode.Scalar(cp), u.properties.isAlphabetic {
                len[Int(cp)] = 255
            }
        }
        return (len, a, bb)
    }

    /// Words skipped in both keywords and text (after stemming), so phrases match across them.
    static let stopwords: [String] = [
        "a", "au", "aux", "de", "des", "du", "d", "en", "et", "la", "le", "les", "l", "un", "une", "pour", "par",
        "sur", "dans", "avec", "ou", "the", "of", "and", "for",
    ]

    /// Calls `body(length, startOffset, endOffset)` for each token of `p[0..<n]`, with its folded (not yet
    /// stemmed) bytes in `scratch[0..<min(length, maxTokenBytes)]`. Elided words are not reported.
    @inline(__always)
    static func forEachToken(
        _ p: UnsafePointer<UInt8>, _ n: Int, scratch: UnsafeMutablePointer<UInt8>,
        _ body: (Int, Int, Int) -> Void
    ) {
        var pos = 0
        while true {
            let (len, start, end) = nextToken(p, n, &pos, scratch: scratch)
            if len == 0 { return }
            body(len, start, end)
        }
    }

    /// The next token at or after byte `pos` (then moved past it): `(length, start, end)` with its folded bytes
    /// in `scratch`; length 0 at the end of the text. Elided words are skipped.
    @inline(__always)
    static func nextToken(
        _ p: UnsafePointer<UInt8>, _ n: Int, _ pos: inout Int,
        scratch: UnsafeMutablePointer<UInt8>
    ) -> (Int, Int, Int) {
        let cls = byteClass
        let fold = asciiFold
        let cap = maxTokenBytes
        var i = pos
        var len = 0
        var start = 0
        while i < n {
            let b = p[i]
            let c = cls[Int(b)]
            if c == clsASCII {
                if len == 0 { start = i }
                if len < cap { scratch[len] = fold[Int(b)] }
                len += 1
                i += 1
                continue
            }
            var apostrophe = false
            var step = 1
            // A lead byte without its continuation bytes (truncated or Latin-1 text mislabelled as UTF-8) is a
            // separator, so it can neither swallow the next byte nor glue two words.
            if c == clsLead2, i + 1 < n, p[i + 1] & 0xC0 == 0x80 {
                let cp = (Int(b & 0x1F) << 6) | Int(p[i + 1] & 0x3F)
                let fl = fold2Len[cp]
                step = 2
                if fl == 1 || fl == 2 {
                    if len == 0 { start = i }
                    if len < cap { scratch[len] = fold2A[cp] }
                    len += 1
                    if fl == 2 {
                        if len < cap { scratch[len] = fold2B[cp] }
                        len += 1
                    }
                    i += 2
                    continue
                } else if fl == 255 {
                    if len == 0 { start = i }
                    if len + 1 < cap { scratch[len] = b; scratch[len + 1] = p[i + 1] }
                    len += 2
                    i += 2
                    continue
                } else if fl == 254 {
                    apostrophe = true
                }
            } else if c == clsLead3, i + 2 < n, p[i + 1] & 0xC0 == 0x80, p[i + 2] & 0xC0 == 0x80 {
                step = 3
                // U+2018 / U+2019 quotes used as apostrophes (Word, most web pages).
                if b == 0xE2 && p[i + 1] == 0x80 && (p[i + 2] == 0x98 || p[i + 2] == 0x99) {
                    apostrophe = true
                } else if b != 0xE2 && b != 0xEF && b != 0xE3 {
                    // Other 3-byte scripts (CJK…) stay letters; E2/E3/EF hold punctuation and symbols.
                    if len == 0 { start = i }
                    if len + 2 < cap { scratch[len] = b; scratch[len + 1] = p[i + 1]; scratch[len + 2] = p[i + 2] }
                    len += 3
                    i += 3
                    continue
                }
            } else if c == clsLead4, i + 3 < n, p[i + 1] & 0xC0 == 0x80 {
                step = 4
            } else if c == clsApostrophe {
                apostrophe = true
            }
            if len > 0 {
                if !(apostrophe && isElision(scratch, len)) {
                    pos = i + step
                    return (len, start, i)
                }
                len = 0
            }
            i += step
        }
        pos = n
        return len > 0 ? (len, start, n) : (0, 0, 0)
    }

    /// `l'`, `d'`, `j'`, `qu'`, `lorsqu'`, `jusqu'`, `puisqu'`…: the word before an apostrophe that elides.
    @inline(__always)
    static func isElision(_ s: UnsafeMutablePointer<UInt8>, _ len: Int) -> Bool {
        if len == 1 { return true }
        if len >= 2 && len <= 7 && s[len - 2] == 0x71 && s[len - 1] == 0x75 { return true }  // …qu
        return false
    }

    /// Light plural/feminine folding in place; returns the new length. Both sides use it, so it only has to
    /// be consistent, not linguistically exact.
    @inline(__always)
    static func stem(_ s: UnsafeMutablePointer<UInt8>, _ length: Int) -> Int {
        var len = length
        if len > 48 { return len }
        // métaux → metal, hôpitaux → hopital (but bureaux/eaux → bureau/eau)
        if len > 4 && s[len - 1] == 0x78 && s[len - 2] == 0x75 && s[len - 3] == 0x61 && s[len - 4] != 0x65 {
            s[len - 2] = 0x6C
            len -= 1
        } else if len > 3 && (s[len - 1] == 0x73 || s[len - 1] == 0x78) {
            len -= 1
        }
        if len > 4 && s[len - 1] == 0x65 { len -= 1 }
        if len > 4 && s[len - 1] == 0x65 { len -= 1 }
        return len
    }

    /// 64-bit fingerprint of bytes (FNV-1a then a finaliser); never 0, which marks empty table slots.
    @inline(__always)
    static func fingerprint(_ s: UnsafePointer<UInt8>, _ len: Int, seed: UInt64 = 0xcbf2_9ce4_8422_2325) -> UInt64 {
        var h = seed
        for k in 0..<len {
            h = (h ^ UInt64(s[k])) &* 0x0000_0100_0000_01B3
        }
        return finalize(h)
    }

    @inline(__always)
    static func finalize(_ x: UInt64) -> UInt64 {
        var h = x
        h ^= h >> 33
        h = h &* 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        return h == 0 ? 1 : h
    }

    /// Seed of prefix fingerprints, distinct from whole tokens.
    static let prefixSeed: UInt64 = 0x84222325_cbf29ce4

    /// One normalised token of a keyword.
    struct KeywordToken: Hashable {
        /// Stemmed bytes (whole word) or folded bytes (prefix).
        var bytes: [UInt8]
        var isPrefix: Bool
    }

    static let stopwordSet: Set<[UInt8]> = {
        var set = Set<[UInt8]>()
        for w in stopwords { for t in rawTokens(w) { set.insert(t.stemmed) } }
        return set
    }()

    /// Folded and stemmed tokens of a string (no stopword removal).
    static func rawTokens(_ text: String) -> [(folded: [UInt8], stemmed: [UInt8], start: Int, end: Int)] {
        var out: [(folded: [UInt8], stemmed: [UInt8], start: Int, end: Int)] = []
        let bytes = Array(text.utf8)
        let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: maxTokenBytes + 4)
        defer { scratch.deallocate() }
        bytes.withUnsafeBufferPointer { bp in
            guard let base = bp.baseAddress else { return }
            forEachToken(base, bp.count, scratch: scratch) { len, s, e in
                let l = min(len, maxTokenBytes)
                let folded = Array(UnsafeBufferPointer(start: scratch, count: l))
                let sl = stem(scratch, l)
                out.append((folded, Array(UnsafeBufferPointer(start: scratch, count: sl)), s, e))
            }
        }
        return out
    }

    /// Fingerprints of the stemmed stopwords.
    static let stopwordFingerprints: Set<UInt64> = {
        Set(stopwordSet.map { w in w.withUnsafeBufferPointer { fingerprint($0.baseAddress!, $0.count) } })
    }()

    /// Tokens of a rule keyword, in one pass over its bytes: a word directly followed by `*` is a prefix
    /// (folded, not stemmed); other words are stemmed and function words dropped.
    static func keywordTokens(_ keyword: String) -> [KeywordToken] {
        var out: [KeywordToken] = []
        var text = keyword
        text.withUTF8 { bp in
            guard let base = bp.baseAddress else { return }
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maxTokenBytes + 8) { tmp in
                let scratch = tmp.baseAddress!
                forEachToken(base, bp.count, scratch: scratch) { len, _, end in
                    // Longer words never match in text (the scanner skips them): an empty token marks it.
                    if len > maxTokenBytes {
                        out.append(KeywordToken(bytes: [], isPrefix: false))
                        return
                    }
                    let l = len
                    if end < bp.count && base[end] == 0x2A {
                        out.append(
                            KeywordToken(bytes: Array(UnsafeBufferPointer(start: scratch, count: l)), isPrefix: true))
                        return
                    }
                    let sl = stem(scratch, l)
                    if stopwordFingerprints.contains(fingerprint(scratch, sl)) { return }
                    out.append(
                        KeywordToken(bytes: Array(UnsafeBufferPointer(start: scratch, count: sl)), isPrefix: false))
                }
            }
        }
        return out
    }

    /// The canonical form of a keyword: its normalised tokens joined by spaces, `*` after prefixes.
    /// Two keywords with the same form match exactly the same texts.
    public static func normalizedPhrase(_ keyword: String) -> String {
        keywordTokens(keyword).map { String(decoding: $0.bytes, as: UTF8.self) + ($0.isPrefix ? "*" : "") }
            .joined(separator: " ")
    }

    /// Folded words of a text (accents, case, ligatures; no stemming), for display and tests.
    public static func foldedWords(_ text: String) -> [String] {
        rawTokens(text).map { String(decoding: $0.folded, as: UTF8.self) }
    }
}
