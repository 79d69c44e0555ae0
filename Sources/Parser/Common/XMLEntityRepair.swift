/// Makes the entity references of a UTF-8 XML stream acceptable to libxml2 without changing what they mean.
///
/// RSS written by hand or by PHP templates uses HTML entities (`&eacute;`, `&nbsp;`) that XML does not declare;
/// Debian's libxml2 2.9.14 in recover mode silently drops them. This pass rewrites them as numeric character
/// references, escapes bare ampersands (`AT&T`, `?a=1&b=2`) and leaves alone the five XML entities, entities the
/// document's internal DTD declares, and everything inside CDATA sections, comments, processing instructions and
/// the DOCTYPE. It also blanks the XML declaration's `encoding`, because the bytes are UTF-8 by now.
final class XMLEntityRepairSource: TransformByteSource {
    private enum State { case text, cdata, comment, pi, doctype }
    private var state = State.text
    private var atStart = true
    private var doctypeDepth = 0
    private var doctypeQuote: UInt8 = 0
    private var doctypeText: [UInt8] = []
    /// Entities declared by the internal subset: passed to libxml2 untouched.
    private(set) var declaredEntities: Set<String> = []
    /// Also validate UTF-8 in the same pass, reading invalid bytes as windows-1252 (see `UTF8RepairSource`).
    private let repairsUTF8: Bool

    /// `repairingUTF8`: the upstream is meant to be UTF-8 but may hold stray 8-bit bytes; checking them here
    /// saves a second pass over every byte.
    /// When set, the upstream is in a single-byte code page, decoded here through this table (see
    /// `SingleByteCodePages.packedUTF8`): one pass instead of two for Latin-1 feeds.
    private let singleByte: [UInt32]?

    init(upstream: any ByteSource, repairingUTF8: Bool = false, singleByteTable: [UInt32]? = nil) {
        repairsUTF8 = repairingUTF8
        singleByte = singleByteTable
        super.init(upstream: upstream)
    }

    /// Bytes below 64 that stop the text scan: `&` and `<`.
    private static var textStopMask: UInt64 { 0x1000_0040_0000_0000 }

    override func transform(_ s: UnsafeBufferPointer<UInt8>, isEnd: Bool, into out: inout [UInt8]) -> Int {
        let n = s.count
        var i = 0
        if atStart {
            if n < 256 && !isEnd { return 0 }
            atStart = false
            i = copyDeclaration(s, into: &out)
        }
        var runStart = i
        @inline(__always) func flush(_ upTo: Int) {
            if upTo > runStart { out.append(contentsOf: UnsafeBufferPointer(rebasing: s[runStart..<upTo])) }
        }
        /// Ends the call having consumed `upTo` bytes. When nothing was changed, the output is the input itself:
        /// say so rather than copy it (most chunks of a UTF-8 feed need no repair).
        @inline(__always) func finish(_ upTo: Int) -> Int {
            if runStart == 0 && out.isEmpty {
                outputIsInput = true
            } else {
                flush(upTo)
            }
            return upTo
        }
        /// A byte ≥ 0x80 at `i` when repairing UTF-8: the index after it, or nil to wait for more input.
        let table = singleByte
        func highByte(_ i: Int) -> Int? {
            let b = s[i]
            if let table {
                let v = table[Int(b)]
                flush(i)
                out.append(UInt8(truncatingIfNeeded: v >> 8))
                if v & 0xFF > 1 { out.append(UInt8(truncatingIfNeeded: v >> 16)) }
                if v & 0xFF > 2 { out.append(UInt8(truncatingIfNeeded: v >> 24)) }
                runStart = i + 1
                return i + 1
            }
            let len: Int
            if b >= 0xC2 && b <= 0xDF {
                len = 2
            } else if b >= 0xE0 && b <= 0xEF {
                len = 3
            } else if b >= 0xF0 && b <= 0xF4 {
                len = 4
            } else {
                len = 0
            }
            if len > 0 && i + len > n && !isEnd { return nil }
            if len > 0 && i + len <= n && UTF8RepairSource.isValid(s, i, len) {
                if b == 0xC2 && s[i + 1] <= 0x9F, let mapped = Windows1252.c1Mapping[Int(s[i + 1] - 0x80)] {
                    flush(i)
                    out.append(contentsOf: String(mapped).utf8)
                    runStart = i + 2
                }
                return i + len
            }
            flush(i)
            out.append(contentsOf: Windows1252.utf8Table[Int(b)])
            runStart = i + 1
            return i + 1
        }
        let repairs = repairsUTF8 || table != nil
        let utf8Mode = table == nil
        while i < n {
            switch state {
            case .text:
                let raw = UnsafeRawPointer(s.baseAddress!)
                while i < n {
                    // Eight bytes at a time while none is `&`, `<` or (when repairing) ≥ 0x80.
                    while i + 8 <= n {
                        let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                        let amp = w ^ 0x2626_2626_2626_2626
                        let lt = w ^ 0x3C3C_3C3C_3C3C_3C3C
                        let ones: UInt64 = 0x0101_0101_0101_0101
                        let highs: UInt64 = 0x8080_8080_8080_8080
                        let hit = ((amp &- ones) & ~amp | (lt &- ones) & ~lt | (repairs ? w : 0)) & highs
                        if hit != 0 {
                            // The lowest flagged byte is exact: jump straight to it.
                            i += hit.trailingZeroBitCount >> 3
                            break
                        }
                        i += 8
                    }
                    guard i < n else { break }
                    let c = s[i]
                    if c < 64 {
                        if (Self.textStopMask >> UInt64(c)) & 1 != 0 { break }
                    } else if c >= 0x80 && repairs {
                        // Valid two-byte sequences (é, à, ç…) stay in the run; everything else is checked in full.
                        if utf8Mode && c >= 0xC3 && c <= 0xDF && i + 1 < n && s[i + 1] & 0xC0 == 0x80 {
                            i += 2
                            continue
                        }
                        guard let next = highByte(i) else {
                            return finish(i)
                        }
                        i = next
                        continue
                    }
                    i += 1
                }
                guard i < n else { break }
                let b = s[i]
                if b == 0x26 {  // &
                    // `&lt;`, `&gt;` and `&amp;` (escaped HTML is full of them) stay in the run untouched.
                    if i + 4 < n, s[i + 3] == 0x3B, s[i + 2] == 0x74, s[i + 1] == 0x6C || s[i + 1] == 0x67 {
                        i += 4
                        continue
                    }
                    if i + 5 < n, s[i + 4] == 0x3B, s[i + 1] == 0x61, s[i + 2] == 0x6D, s[i + 3] == 0x70 {
                        i += 5
                        continue
                    }
                    flush(i)
                    guard let end = repairReference(s, at: i, isEnd: isEnd, into: &out) else { return i }
                    i = end
                    runStart = i
                } else if b == 0x3C {  // <
                    // Most `<` start ordinary tags: only `<!` and `<?` need a closer look.
                    if i + 1 < n, s[i + 1] != 0x21, s[i + 1] != 0x3F {
                        i += 1
                        continue
                    }
                    if i + 9 > n && !isEnd {
                        return finish(i)
                    }
                    if matches(s, i, "<![CDATA[") {
                        state = .cdata
                        i += 9
                    } else if matches(s, i, "<!--") {
                        state = .comment
                        i += 4
                    } else if matches(s, i, "<?") {
                        state = .pi
                        i += 2
                    } else if matches(s, i, "<!DOCTYPE") {
                        state = .doctype
                        doctypeDepth = 0
                        doctypeQuote = 0
                        i += 9
                    } else {
                        i += 1
                    }
                }
            case .cdata, .comment, .pi:
                let terminator: StaticString = state == .cdata ? "]]>" : state == .comment ? "-->" : "?>"
                let tlen = terminator.utf8CodeUnitCount
                let first = terminator.utf8Start[0]
                let pattern = UInt64(first) &* 0x0101_0101_0101_0101
                let raw = UnsafeRawPointer(s.baseAddress!)
                while i < n {
                    // Eight bytes at a time while none is the terminator's first byte or (when repairing) ≥ 0x80:
                    // CDATA descriptions are long.
                    while i + 8 <= n {
                        let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                        let x = w ^ pattern
                        let hit = ((x &- 0x0101_0101_0101_0101) & ~x | (repairs ? w : 0)) & 0x8080_8080_8080_8080
                        if hit != 0 {
                            // The lowest flagged byte is exact: jump straight to it.
                            i += hit.trailingZeroBitCount >> 3
                            break
                        }
                        i += 8
                    }
                    guard i < n else { break }
                    if s[i] >= 0x80 && repairs {
                        if utf8Mode && s[i] >= 0xC3 && s[i] <= 0xDF && i + 1 < n && s[i + 1] & 0xC0 == 0x80 {
                            i += 2
                            continue
                        }
                        guard let next = highByte(i) else {
                            return finish(i)
                        }
                        i = next
                        continue
                    }
                    if s[i] == terminator.utf8Start[0] {
                        if i + tlen > n {
                            if isEnd {
                                i = n
                                break
                            }
                            return finish(i)
                        }
                        if matches(s, i, terminator) {
                            i += tlen
                            state = .text
                            break
                        }
                    }
                    i += 1
                }
            case .doctype:
                while i < n {
                    let b = s[i]
                    if b >= 0x80 && repairs {
                        // Entity values in the internal subset are text too: decode or repair them.
                        guard let next = highByte(i) else {
                            return finish(i)
                        }
                        i = next
                        continue
                    }
                    doctypeText.append(b)
                    i += 1
                    if doctypeText.count > 1 << 20 { doctypeText.removeAll() }  // absurd internal subset
                    if doctypeQuote != 0 {
                        if b == doctypeQuote { doctypeQuote = 0 }
                    } else if b == 0x22 || b == 0x27 {
                        doctypeQuote = b
                    } else if b == 0x5B {
                        doctypeDepth += 1
                    } else if b == 0x5D {
                        doctypeDepth -= 1
                    } else if b == 0x3E && doctypeDepth <= 0 {
                        collectDeclaredEntities()
                        state = .text
                        break
                    }
                }
            }
        }
        return finish(n)
    }

    /// Copies a leading XML declaration with its `encoding="…"` blanked out; returns the bytes consumed.
    private func copyDeclaration(_ s: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) -> Int {
        guard matches(s, 0, "<?xml") else { return 0 }
        var end = 5
        while end + 1 < min(s.count, 512), !(s[end] == 0x3F && s[end + 1] == 0x3E) { end += 1 }
        guard end + 1 < s.count, s[end] == 0x3F else { return 0 }
        var decl = Array(s[0..<(end + 2)])
        if let at = find(decl, "encoding") {
            var j = at + 8
            while j < decl.count, decl[j] == 0x20 || decl[j] == 0x3D || decl[j] == 0x09 { j += 1 }
            if j < decl.count, decl[j] == 0x22 || decl[j] == 0x27 {
                let q = decl[j]
                var k = j + 1
                while k < decl.count, decl[k] != q { k += 1 }
                if k < decl.count { for x in at...k { decl[x] = 0x20 } }
            }
        }
        out.append(contentsOf: decl)
        return end + 2
    }

    /// Handles `&` at `i`; returns the index after what it consumed, or nil to wait for more input.
    private func repairReference(
        _ s: UnsafeBufferPointer<UInt8>, at i: Int, isEnd: Bool,
        into out: inout [UInt8]
    ) -> Int? {
        let n = s.count
        var j = i + 1
        if j < n, s[j] == 0x23 {  // numeric
            j += 1
            var hex = false
            // XML only knows `&#x`; HTML also accepts `&#X`, which libxml2 rejects outright.
            let upperX = j < n && s[j] == 0x58
            if j < n, s[j] | 0x20 == 0x78 {
                hex = true
                j += 1
            }
            var value: UInt32 = 0
            let digitsStart = j
            while j < n, j - digitsStart < 10 {
                let d = s[j]
                if d >= 0x30 && d <= 0x39 {
                    value = value &* (hex ? 16 : 10) &+ UInt32(d - 0x30)
                } else if hex, (d | 0x20) >= 0x61, (d | 0x20) <= 0x66 {
                    value = value &* 16 &+ UInt32((d | 0x20) - 0x61 + 10)
                } else {
                    break
                }
                j += 1
            }
            if j == n && !isEnd { return nil }
            guard j > digitsStart else {
                out.append(contentsOf: Self.ampEscape)
                return i + 1
            }
            let hasSemicolon = j < n && s[j] == 0x3B
            let scalar = HTMLEntities.numeric(value)
            if hasSemicolon && !upperX && scalar.value == value && Self.isXMLChar(value) {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: s[i...j]))
            } else {
                appendCharRef(Self.isXMLChar(scalar.value) ? scalar.value : 0xFFFD, into: &out)
            }
            return hasSemicolon ? j + 1 : j
        }
        // The five XML entities, by far the commonest (escaped HTML is all `&lt;` and `&gt;`), without a lookup.
        if j + 3 < n, s[j + 2] == 0x3B, s[j + 1] == 0x74, s[j] == 0x6C || s[j] == 0x67 {  // lt; gt;
            out.append(contentsOf: UnsafeBufferPointer(rebasing: s[i...(j + 2)]))
            return j + 3
        }
        if j + 4 < n, s[j] == 0x61, s[j + 1] == 0x6D, s[j + 2] == 0x70, s[j + 3] == 0x3B {  // amp;
            out.append(contentsOf: UnsafeBufferPointer(rebasing: s[i...(j + 3)]))
            return j + 4
        }
        while j < n, j - i <= 40,
            HTMLText.isASCIIAlnum(s[j]) || (s[j] >= 0x80) || s[j] == 0x5F || s[j] == 0x2D
                || s[j] == 0x2E || s[j] == 0x3A
        {
            j += 1
        }
        if j == n && !isEnd { return nil }
        if j == i + 1 {
            out.append(contentsOf: Self.ampEscape)
            return i + 1
        }
        let name = String(decoding: UnsafeBufferPointer(rebasing: s[(i + 1)..<j]), as: UTF8.self)
        if j < n, s[j] == 0x3B {
            if Self.xmlEntities.contains(name) || declaredEntities.contains(name) {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: s[i...j]))
                return j + 1
            }
            if let v = HTMLEntities.named(name) {
                for u in v.unicodeScalars { appendCharRef(u.value, into: &out) }
                return j + 1
            }
            out.append(contentsOf: Self.ampEscape)  // unknown name: keep it as text
            return i + 1
        }
        // No `;`: HTML still decodes the legacy names (`&eacute`, `&copy 2004`), longest first, unless the
        // name runs on into letters or `=` (a URL query such as `?a=1&copy=2`).
        var k = j
        while k > i + 1 {
            let candidate = String(decoding: UnsafeBufferPointer(rebasing: s[(i + 1)..<k]), as: UTF8.self)
            if htmlLegacyEntityNames.contains(candidate), let v = HTMLEntities.named(candidate) {
                let next: UInt8 = k < n ? s[k] : 0x20
                if HTMLText.isASCIIAlnum(next) || next == 0x3D { break }
                for u in v.unicodeScalars { appendCharRef(u.value, into: &out) }
                return k
            }
            k -= 1
        }
        out.append(contentsOf: Self.ampEscape)
        return i + 1
    }

    private static let ampEscape: [UInt8] = Array("&amp;".utf8)
    private static let xmlEntities: Set<String> = ["amp", "lt", "gt", "quot", "apos"]

    static func isXMLChar(_ v: UInt32) -> Bool {
        v == 0x9 || v == 0xA || v == 0xD || (v >= 0x20 && v <= 0xD7FF) || (v >= 0xE000 && v <= 0xFFFD)
            || (v >= 0x10000 && v <= 0x10FFFF)
    }

    private func appendCharRef(_ v: UInt32, into out: inout [UInt8]) {
        out.append(contentsOf: [0x26, 0x23, 0x78])  // &#x
        out.append(contentsOf: Array(String(v, radix: 16).utf8))
        out.append(0x3B)
    }

    private func collectDeclaredEntities() {
        // `<!ENTITY name …>` (general entities only: `<!ENTITY % name` are parameter entities).
        let text = doctypeText
        doctypeText.removeAll()
        var i = 0
        while let at = find(text, "<!ENTITY", from: i) {
            var j = at + 8
            while j < text.count, HTMLText.isSpace(text[j]) { j += 1 }
            if j < text.count, text[j] == 0x25 {
                i = j
                continue
            }
            let start = j
            while j < text.count, !HTMLText.isSpace(text[j]), text[j] != 0x22, text[j] != 0x27 { j += 1 }
            if j > start { declaredEntities.insert(String(decoding: text[start..<j], as: UTF8.self)) }
            i = j
        }
    }

    private func matches(_ s: UnsafeBufferPointer<UInt8>, _ i: Int, _ lit: StaticString) -> Bool {
        let len = lit.utf8CodeUnitCount
        guard i + len <= s.count else { return false }
        let p = lit.utf8Start
        for k in 0..<len where s[i + k] != p[k] { return false }
        return true
    }

    private func find(_ a: [UInt8], _ lit: StaticString, from: Int = 0) -> Int? {
        let len = lit.utf8CodeUnitCount
        let p = lit.utf8Start
        var i = from
        while i + len <= a.count {
            var ok = true
            for k in 0..<len where a[i + k] != p[k] {
                ok = false
                break
            }
            if ok { return i }
            i += 1
        }
        return nil
    }
}
