/// Reduces an HTML fragment to clean text: tags removed (block tags and `<br>` become a space), `script` and
/// `style` content dropped, character references decoded, whitespace collapsed and trimmed.
///
/// Tolerant like a browser: a `<` that does not start a tag is text, an unknown `&name;` stays as written.
/// Works on UTF-8 bytes in one pass, without regular expressions.
enum HTMLText {
    /// The text of `html`; `""` for an empty fragment.
    static func toText(_ html: String) -> String {
        var html = html
        return html.withUTF8 { reduce(UnsafeBufferPointer(start: $0.baseAddress, count: $0.count)) }
    }

    /// The text of an HTML fragment given as UTF-8 bytes.
    static func toText(utf8 bytes: UnsafeBufferPointer<UInt8>) -> String { reduce(bytes) }

    /// Collapses every run of whitespace to one space and trims, without touching markup.
    static func collapseWhitespace(_ text: String) -> String {
        var text = text
        return text.withUTF8 { src in
            var out = TextBuilder(capacity: src.count)
            for b in src { out.append(b) }
            return out.finish()
        }
    }

    private static let blockTags: Set<String> = [
        "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "fieldset", "figcaption",
        "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol",
        "p", "pre", "section", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
    ]

    /// Whether a tag name of up to 8 letters, packed little-endian into a UInt64 (lowercase), is a block tag.
    /// A switch over constants: no String and no hashing per tag.
    @inline(__always) private static func isBlockCode(_ code: UInt64) -> Bool {
        switch code {
        case 0x73_7365_7264_6461, 0x65_6C63_6974_7261, 0x65_6469_7361, 0x7262, 0x6464, 0x766964, 0x6C64, 0x7464,
            0x7465_7364_6C65_6966, 0x6572_7567_6966, 0x7265_746F_6F66, 0x6D72_6F66, 0x3168, 0x3268, 0x3368, 0x3468,
            0x3568,
            0x3668, 0x7265_6461_6568, 0x7268, 0x696C, 0x6E69_616D, 0x76616E, 0x6C6F, 0x70, 0x657270,
            0x6E_6F69_7463_6573,
            0x65_6C62_6174, 0x79_646F_6274, 0x6474, 0x74_6F6F_6674, 0x6874, 0x64_6165_6874, 0x7274, 0x6C75:
            return true
        default:
            return false
        }
    }
    private static var scriptCode: UInt64 { 0x7470_6972_6373 }
    private static var styleCode: UInt64 { 0x65_6C79_7473 }

    /// Bytes below 64 that end a run of ordinary text: `<`, `&` and the whitespace characters.
    private static var specialMask: UInt64 { 0x1000_0041_0000_3600 }

    private static func reduce(_ s: UnsafeBufferPointer<UInt8>) -> String {
        let n = s.count
        var out = TextBuilder(capacity: n)
        var skipDepth = 0  // inside <script> or <style>
        var i = 0
        while i < n {
            let b = s[i]
            if b == 0x3C /* < */ {
                if let end = scanMarkup(s, at: i, out: &out, skipDepth: &skipDepth) {
                    i = end
                    continue
                }
                if skipDepth == 0 { out.append(b) }
                i += 1
            } else if b == 0x26 /* & */ {
                let (scalars, end) = decodeReference(s, at: i)
                if skipDepth == 0 {
                    if let scalars { out.append(scalars) } else { out.append(b) }
                }
                i = scalars == nil ? i + 1 : end
            } else if skipDepth == 0 && isSpace(b) {
                out.append(b)
                i += 1
            } else if skipDepth == 0 {
                // A run of ordinary bytes, copied at once.
                var j = i
                let raw = UnsafeRawPointer(s.baseAddress!)
                while j < n {
                    // Eight bytes at a time while none ends the run: descriptions are long runs of words.
                    while j + 8 <= n {
                        let hit = runEnds(raw.loadUnaligned(fromByteOffset: j, as: UInt64.self))
                        if hit != 0 {
                            // The lowest flagged byte is exact: look at it one byte at a time.
                            j += hit.trailingZeroBitCount >> 3
                            break
                        }
                        j += 8
                    }
                    guard j < n else { break }
                    let c = s[j]
                    if c < 64 && (specialMask >> UInt64(c)) & 1 != 0 {
                        // A single space between words needs no collapsing: keep it in the run.
                        if c == 0x20, j + 1 < n {
                            let d = s[j + 1]
                            if !(d < 64 && (specialMask >> UInt64(d)) & 1 != 0) {
                                j += 2
                                continue
                            }
                        }
                        break
                    }
                    j += 1
                }
                if j > i {
                    out.appendRun(UnsafeBufferPointer(rebasing: s[i..<j]))
                    i = j
                } else {
                    out.append(b)
                    i += 1
                }
            } else {
                i += 1
            }
        }
        return out.finish()
    }

    /// The high bit of each byte of `w` (eight bytes, little-endian) that may end a run of ordinary text: a
    /// control or whitespace byte below 0x20, `&`, `<`, a space followed by any of those or by a space, and a
    /// space in the last byte (what follows it is not known here). The byte loop decides on the first flag.
    @inline(__always) private static func runEnds(_ w: UInt64) -> UInt64 {
        let spaces = zeroBytes(w ^ 0x2020_2020_2020_2020)
        let special =
            zeroBytes(w & 0xE0E0_E0E0_E0E0_E0E0) | zeroBytes(w ^ 0x2626_2626_2626_2626)
            | zeroBytes(w ^ 0x3C3C_3C3C_3C3C_3C3C)
        return special | (spaces & ((special | spaces) >> 8)) | (spaces & 0x8000_0000_0000_0000)
    }

    /// The high bit set in each byte of `x` that is zero, and only in those.
    @inline(__always) private static func zeroBytes(_ x: UInt64) -> UInt64 {
        let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        return ~(((x & low7) &+ low7) | x | low7)
    }

    /// Handles a tag, comment or declaration at `i`; returns the index after it, or nil when `<` is text.
    private static func scanMarkup(
        _ s: UnsafeBufferPointer<UInt8>, at i: Int, out: inout TextBuilder,
        skipDepth: inout Int
    ) -> Int? {
        let n = s.count
        guard i + 1 < n else { return nil }
        let c = s[i + 1]
        if c == 0x21 /* ! */ {
            // Comment `<!-- … -->`, else a declaration up to `>`.
            if i + 3 < n, s[i + 2] == 0x2D, s[i + 3] == 0x2D {
                var j = i + 4
                while j + 2 < n {
                    if s[j] == 0x2D, s[j + 1] == 0x2D, s[j + 2] == 0x3E { return j + 3 }
                    j += 1
                }
                return n
            }
            var j = i + 2
            while j < n, s[j] != 0x3E { j += 1 }
            return min(j + 1, n)
        }
        if c == 0x3F /* ? */ {
            var j = i + 2
            while j < n, s[j] != 0x3E { j += 1 }
            return min(j + 1, n)
        }
        let isEnd = c == 0x2F
        let nameStart = isEnd ? i + 2 : i + 1
        guard nameStart < n, isASCIILetter(s[nameStart]) else { return nil }
        var j = nameStart
        var code: UInt64 = 0
        while j < n, !isSpace(s[j]), s[j] != 0x3E, s[j] != 0x2F {
            let k = j - nameStart
            if k < 8 { code |= UInt64(s[j] | 0x20) << (8 * UInt64(k)) }
            j += 1
        }
        let nameLength = j - nameStart
        // Attributes, honouring quotes so `title="a>b"` does not end the tag.
        if j < n, s[j] != 0x3E {
            var quote: UInt8 = 0
            while j < n {
                let d = s[j]
                if quote != 0 {
                    if d == quote { quote = 0 }
                } else if d == 0x22 || d == 0x27 {
                    if s[j - 1] == 0x3D || isSpace(s[j - 1]) { quote = d }
                } else if d == 0x3E {
                    break
                }
                j += 1
            }
        }
        let selfClosing = j < n && s[j - 1] == 0x2F
        if nameLength <= 8 {
            if code == scriptCode || code == styleCode {
                if isEnd { skipDepth = max(0, skipDepth - 1) } else if !selfClosing { skipDepth += 1 }
            }
            if skipDepth == 0, isBlockCode(code) { out.appendSpace() }
        } else if skipDepth == 0 {
            var name = [UInt8]()
            for k in nameStart..<(nameStart + nameLength) { name.append(s[k] | 0x20) }
            if blockTags.contains(String(decoding: name, as: UTF8.self)) { out.appendSpace() }
        }
        return min(j + 1, n)
    }

    /// Decodes `&name;`, `&#NN;` or `&#xHH;` at `i`; returns the scalars and the index after the reference.
    static func decodeReference(_ s: UnsafeBufferPointer<UInt8>, at i: Int) -> (String?, Int) {
        let n = s.count
        var j = i + 1
        guard j < n else { return (nil, i + 1) }
        if s[j] == 0x23 /* # */ {
            j += 1
            var hex = false
            if j < n, s[j] | 0x20 == 0x78 {
                hex = true
                j += 1
            }
            var value: UInt32 = 0
            let digitsStart = j
            while j < n, let d = digit(s[j], hex: hex) {
                value = value > 0x10FFFF ? value : value &* (hex ? 16 : 10) &+ d
                j += 1
            }
            guard j > digitsStart else { return (nil, i + 1) }
            if j < n, s[j] == 0x3B { j += 1 }
            return (String(HTMLEntities.numeric(value)), j)
        }
        while j < n, j - i <= 33, isASCIIAlnum(s[j]) { j += 1 }
        guard j > i + 1 else { return (nil, i + 1) }
        let name = String(decoding: UnsafeBufferPointer(rebasing: s[(i + 1)..<j]), as: UTF8.self)
        if j < n, s[j] == 0x3B, let v = HTMLEntities.named(name) { return (v, j + 1) }
        // Legacy names decode without `;` (`&eacute` in hand-written HTML), longest match first.
        var k = j
        while k > i + 1 {
            let candidate = String(decoding: UnsafeBufferPointer(rebasing: s[(i + 1)..<k]), as: UTF8.self)
            if htmlLegacyEntityNames.contains(candidate), let v = HTMLEntities.named(candidate) { return (v, k) }
            k -= 1
        }
        return (nil, i + 1)
    }

    @inline(__always) static func isSpace(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D || b == 0x0C
    }
    @inline(__always) static func isASCIILetter(_ b: UInt8) -> Bool { (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A }
    @inline(__always) static func isASCIIAlnum(_ b: UInt8) -> Bool { isASCIILetter(b) || (b >= 0x30 && b <= 0x39) }

    @inline(__always) private static func digit(_ b: UInt8, hex: Bool) -> UInt32? {
        if b >= 0x30 && b <= 0x39 { return UInt32(b - 0x30) }
        if hex {
            let l = b | 0x20
            if l >= 0x61 && l <= 0x66 { return UInt32(l - 0x61 + 10) }
        }
        return nil
    }
}

/// Accumulates UTF-8 output, collapsing whitespace runs to one space and trimming both ends.
///
/// Writes into one buffer sized for the worst case up front (`finish` frees it), so the hot loop does no
/// capacity checks or reallocations.
struct TextBuilder {
    private let buffer: UnsafeMutablePointer<UInt8>
    private let capacity: Int
    private var count = 0
    private var pendingSpace = false

    /// `capacity`: the input size; HTML references never expand more than 2× (`&nGt;` is 5 bytes for 6).
    init(capacity input: Int) {
        capacity = input * 2 + 64
        buffer = .allocate(capacity: capacity)
    }

    @inline(__always) private mutating func flushSpace() {
        if pendingSpace {
            if count > 0 {
                buffer[count] = 0x20
                count += 1
            }
            pendingSpace = false
        }
    }

    @inline(__always) mutating func append(_ b: UInt8) {
        if HTMLText.isSpace(b) {
            pendingSpace = true
            return
        }
        flushSpace()
        guard count < capacity else { return }
        buffer[count] = b
        count += 1
    }

    mutating func append(_ s: String) {
        for b in s.utf8 { append(b) }
    }

    mutating func appendSpace() { pendingSpace = true }

    /// Appends bytes known to hold no whitespace.
    @inline(__always) mutating func appendRun(_ run: UnsafeBufferPointer<UInt8>) {
        flushSpace()
        let n = min(run.count, capacity - count)
        guard n > 0 else { return }
        (buffer + count).update(from: run.baseAddress!, count: n)
        count += n
    }

    /// The text, and the buffer released: call once.
    func finish() -> String {
        defer { buffer.deallocate() }
        return String(decoding: UnsafeBufferPointer(start: buffer, count: count), as: UTF8.self)
    }
}
