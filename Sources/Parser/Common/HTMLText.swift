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
            } else {
                if skipDepth == 0 { out.append(b) }
                i += 1
            }
        }
        return out.finish()
    }

    /// Handles a tag, comment or declaration at `i`; returns the index after it, or nil when `<` is text.
    private static func scanMarkup(_ s: UnsafeBufferPointer<UInt8>, at i: Int, out: inout TextBuilder,
                                   skipDepth: inout Int) -> Int? {
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
        var name = [UInt8]()
        while j < n, !isSpace(s[j]), s[j] != 0x3E, s[j] != 0x2F {
            name.append(s[j] | 0x20)
            j += 1
        }
        // Attributes, honouring quotes so `title="a>b"` does not end the tag.
        var quote: UInt8 = 0
        while j < n {
            let d = s[j]
            if quote != 0 {
                if d == quote { quote = 0 }
            } else if d == 0x22 || d == 0x27 {
                if j > 0, s[j - 1] == 0x3D || isSpace(s[j - 1]) { quote = d }
            } else if d == 0x3E {
                break
            }
            j += 1
        }
        let selfClosing = j > 0 && j < n && s[j - 1] == 0x2F
        let tag = String(decoding: name, as: UTF8.self)
        if tag == "script" || tag == "style" {
            if isEnd { skipDepth = max(0, skipDepth - 1) } else if !selfClosing { skipDepth += 1 }
        }
        if skipDepth == 0, blockTags.contains(tag) { out.appendSpace() }
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
            if j < n, s[j] | 0x20 == 0x78 { hex = true; j += 1 }
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

    @inline(__always) static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D || b == 0x0C }
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
struct TextBuilder {
    private var bytes: [UInt8]
    private var pendingSpace = false

    init(capacity: Int) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    @inline(__always) mutating func append(_ b: UInt8) {
        if HTMLText.isSpace(b) {
            pendingSpace = true
            return
        }
        if pendingSpace {
            if !bytes.isEmpty { bytes.append(0x20) }
            pendingSpace = false
        }
        bytes.append(b)
    }

    mutating func append(_ s: String) {
        for b in s.utf8 { append(b) }
    }

    mutating func appendSpace() { pendingSpace = true }

    func finish() -> String { String(decoding: bytes, as: UTF8.self) }
}
