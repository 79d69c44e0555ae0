import Foundation

/// French typography and a format's escaping in one pass over a text's UTF-8 bytes, instead of a search and a copy
/// of the whole text per rule (`replacingOccurrences`, each a Foundation string search): a digest escapes every
/// title, buyer and reason it prints, in several formats, for each member.
///
/// The result is the same, byte for byte, as the character-by-character rules it replaces
/// (``FrenchFormat/guillemets(_:punctuation:)`` then the format's per-character escape): an ASCII character
/// followed by a combining mark is one `Character` for those rules (`*` + U+0301 is not `*`), so such a text takes
/// the character path.
enum ByteEscaper {
    /// UTF-8 of « (U+00AB), » (U+00BB) and the no-break space (U+00A0): all `0xC2 xx`.
    static let lead: UInt8 = 0xC2
    static let open: UInt8 = 0xAB
    static let close: UInt8 = 0xBB
    static let nbsp: UInt8 = 0xA0

    /// `s` with the guillemets' inner spaces (and, with `punctuation`, the space before `:`, `;`, `?`, `!`) made
    /// no-break, and each byte `escape` maps replaced by its bytes. `lineEnds`: a lone CR or LF becomes a space (a
    /// CRLF pair is one character and stays). Nil when a rule meets a combining mark (see the type's note).
    static func typeset(_ s: String, punctuation: Bool, lineEnds: Bool = false, escape: ByteEscapes) -> String? {
        let outcome: Typeset =
            s.utf8.withContiguousStorageIfAvailable { b in
                escape.stops.withUnsafeBufferPointer { stops in
                    escape.replacements.withUnsafeBufferPointer { replacements in
                        typeset(
                            b, punctuation: punctuation, lineEnds: lineEnds, stops: stops, replacements: replacements)
                    }
                }
            } ?? .characterPath
        switch outcome {
        case .unchanged: return s
        case .changed(let out): return String(decoding: out, as: UTF8.self)
        case .characterPath: return nil
        }
    }

    /// What ``typeset(_:punctuation:lineEnds:escape:)`` made of a text's bytes.
    private enum Typeset {
        /// No rule applied: the text as it is, without a copy (most texts).
        case unchanged
        case changed([UInt8])
        /// A rule met a combining mark: the caller takes the character path.
        case characterPath
    }

    /// The byte pass of ``typeset(_:punctuation:lineEnds:escape:)``, a function of its own: its run-copying
    /// `flush` and the buffer it appends to are this function's locals, checked at compile time. Captured from
    /// the closures that lend the text's and the tables' bytes, each access was checked at run time (0.4 % of a
    /// national night's CPU, in the member pages).
    private static func typeset(
        _ b: UnsafeBufferPointer<UInt8>, punctuation: Bool, lineEnds: Bool, stops: UnsafeBufferPointer<Bool>,
        replacements: UnsafeBufferPointer<StaticString?>
    ) -> Typeset {
        var out: [UInt8] = []
        var changed = false
        // Bytes are copied by runs, from `mark` up to a change: most texts have no change at all and are returned
        // as they are, without a copy.
        var mark = 0
        func flush(_ upTo: Int) {
            if !changed {
                changed = true
                out.reserveCapacity(b.count + 16)
            }
            if upTo > mark { out.append(contentsOf: UnsafeBufferPointer(rebasing: b[mark..<upTo])) }
        }
        var i = 0
        let n = b.count
        while i < n {
            let c = b[i]
            // Most bytes of a text are none of the marks below: passed over with one look-up.
            if !stops[Int(c)] {
                i += 1
                continue
            }
            if c == 0x20, i + 1 < n {
                let next = b[i + 1]
                // " »" → nbsp + »; " :" → nbsp + ":" (the mark itself is copied with the next run).
                let closes = next == lead && i + 2 < n && b[i + 2] == close
                let tight = punctuation && (next == 0x3A || next == 0x3B || next == 0x3F || next == 0x21)
                if closes || tight {
                    if !followedBySimpleBoundary(b, closes ? i + 2 : i + 1) { return .characterPath }
                    flush(i)
                    out.append(lead)
                    out.append(nbsp)
                    i += 1
                    mark = i
                    continue
                }
            }
            if c == lead, i + 2 < n, b[i + 1] == open, b[i + 2] == 0x20 {
                // "« " → « + nbsp: the space is consumed here.
                if !followedBySimpleBoundary(b, i + 2) { return .characterPath }
                flush(i)
                out.append(lead)
                out.append(open)
                out.append(lead)
                out.append(nbsp)
                i += 3
                mark = i
                continue
            }
            if c < 0x80, let e = replacements[Int(c)] {
                if !followedBySimpleBoundary(b, i) { return .characterPath }
                flush(i)
                e.withUTF8Buffer { out.append(contentsOf: $0) }
                i += 1
                mark = i
                continue
            }
            if lineEnds, c == 0x0A || c == 0x0D {
                // A CRLF pair is one Character and stays as it is.
                if c == 0x0D, i + 1 < n, b[i + 1] == 0x0A {
                    i += 2
                    continue
                }
                if !followedBySimpleBoundary(b, i) { return .characterPath }
                flush(i)
                out.append(0x20)
                i += 1
                mark = i
                continue
            }
            i += 1
        }
        guard changed else { return .unchanged }
        if n > mark { out.append(contentsOf: UnsafeBufferPointer(rebasing: b[mark..<n])) }
        return .changed(out)
    }

    /// A format's escapes as tables looked up by byte, made once per format. `typeset` took a closure and called it
    /// for every byte of every text a night prints (the HTML part of each member's e-mail included): the calls were
    /// a third of escaping's cost in the national night's profile.
    struct ByteEscapes: Sendable {
        /// What each ASCII byte becomes; nil: itself.
        let replacements: [StaticString?]
        /// The bytes `typeset` must look at: those replaced, the space and the first byte of « » and the no-break
        /// space (`0xC2`), CR and LF.
        let stops: [Bool]

        /// The tables of `escape`, asked once for each ASCII byte.
        init(_ escape: (UInt8) -> StaticString?) {
            let replacements = (0..<128).map { (b: Int) -> StaticString? in escape(UInt8(b)) }
            var stops = [Bool](repeating: false, count: 256)
            for b in [0x20, ByteEscaper.lead, 0x0A, 0x0D] { stops[Int(b)] = true }
            for b in replacements.indices where replacements[b] != nil { stops[b] = true }
            self.replacements = replacements
            self.stops = stops
        }
    }

    /// Whether the ASCII character at `i` is a whole `Character`: the next scalar does not extend it (a combining
    /// mark, a variation selector, a zero-width joiner).
    static func followedBySimpleBoundary(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Bool {
        let j = i + 1
        guard j < b.count, b[j] >= 0x80 else { return true }
        var it = b[j...].makeIterator()
        var decoder = UTF8()
        guard case .scalarValue(let u) = decoder.decode(&it) else { return false }
        let p = u.properties
        return !(p.isGraphemeExtend || u.value == 0x200D || p.generalCategory == .spacingMark)
    }

    /// Whether the ASCII character at `i` belongs to the Character before it (a prepended concatenation mark, such
    /// as U+0600, takes the next character into its cluster). Only a non-ASCII scalar before can do that.
    static func joinsPrevious(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Bool {
        guard i > 0, b[i - 1] >= 0x80 else { return false }
        var start = i - 1
        while start > 0, b[start] & 0xC0 == 0x80 { start -= 1 }
        let pair = String(decoding: UnsafeBufferPointer(rebasing: b[start...i]), as: UTF8.self)
        return pair.count == 1
    }

    /// A CSV field (RFC 4180 with `;`) appended to `out`: no-break spaces as plain spaces, a leading `=`, `+`, `@`
    /// or tab defused with an apostrophe, the field quoted (quotes doubled) when it holds `;`, `"` or LF, or starts
    /// or ends with a space. False, with nothing appended, when the character rules could say otherwise
    /// (``CSVRenderer/fieldByCharacters(_:)``, Foundation's search, which matches whole composed characters): such a
    /// character beside a non-ASCII one (a combining mark), or any CR (CRLF is one character).
    static func csvField(_ s: String, into out: inout [UInt8]) -> Bool {
        var s = s
        return s.withUTF8 { b in
            guard b.count > 1, b.contains(0xA0) else { return csvField(plain: b, into: &out) }
            // U+00A0 is `C2 A0`; an A0 byte is otherwise only a continuation byte, left as it is.
            var t: [UInt8] = []
            t.reserveCapacity(b.count)
            var i = 0
            while i < b.count {
                if b[i] == lead, i + 1 < b.count, b[i + 1] == nbsp {
                    t.append(0x20)
                    i += 2
                } else {
                    t.append(b[i])
                    i += 1
                }
            }
            return t.withUnsafeBufferPointer { csvField(plain: $0, into: &out) }
        }
    }

    /// ``csvField(_:into:)`` for a text whose no-break spaces are already plain.
    static func csvField(plain t: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) -> Bool {
        let n = t.count
        guard n > 0 else { return true }
        let first = t[0]
        let defuse = first == 0x3D || first == 0x2B || first == 0x40 || first == 0x09
        // The first or last character compared whole: a mark after it makes it another character.
        if defuse || first == 0x20, n > 1, t[1] >= 0x80 { return false }
        if t[n - 1] == 0x20, n > 1, t[n - 2] >= 0x80 { return false }
        var special = false
        for i in 0..<n {
            let c = t[i]
            guard c == 0x3B || c == 0x22 || c == 0x0A || c == 0x0D else { continue }
            if c == 0x0D || (i > 0 && t[i - 1] >= 0x80) || (i + 1 < n && t[i + 1] >= 0x80) { return false }
            special = true
        }
        let quote = special || first == 0x20 || t[n - 1] == 0x20
        if quote { out.append(0x22) }
        if defuse { out.append(UInt8(ascii: "'")) }
        if special {
            var mark = 0
            for i in 0..<n where t[i] == 0x22 {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: t[mark...i]))
                out.append(0x22)
                mark = i + 1
            }
            if n > mark { out.append(contentsOf: UnsafeBufferPointer(rebasing: t[mark..<n])) }
        } else {
            out.append(contentsOf: t)
        }
        if quote { out.append(0x22) }
        return true
    }

    /// XML 1.0 text and attribute escaping on the bytes: `&`, `<`, `>`, `"` as entities; control characters other
    /// than tab, LF and CR, and U+FFFE / U+FFFF (`EF BF BE` / `EF BF BF`), dropped. Scalar by scalar, so exact.
    static func xml(_ s: String) -> String {
        // One home for the rules: the feeds write through `xml(_:into:)`; this form is left for the few texts
        // escaped once per feed or cached per notice.
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        xml(s, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// ``xml(_:)`` appended to `out`: the feeds write their texts straight into their bytes.
    static func xml(_ s: String, into out: inout [UInt8]) {
        var s = s
        s.withUTF8 { b in
            var mark = 0
            var i = 0
            while i < b.count {
                let c = b[i]
                // Nothing at or above `?` but the lead byte of U+FFFE / U+FFFF needs a look.
                if c > 0x3E, c != 0xEF {
                    i += 1
                    continue
                }
                let replacement: StaticString
                var width = 1
                switch c {
                case 0x26: replacement = "&amp;"
                case 0x3C: replacement = "&lt;"
                case 0x3E: replacement = "&gt;"
                case 0x22: replacement = "&quot;"
                case 0x00..<0x20 where c != 0x09 && c != 0x0A && c != 0x0D: replacement = ""
                case 0xEF where i + 2 < b.count && b[i + 1] == 0xBF && (b[i + 2] == 0xBE || b[i + 2] == 0xBF):
                    replacement = ""
                    width = 3
                default:
                    i += 1
                    continue
                }
                if i > mark { out.append(contentsOf: UnsafeBufferPointer(rebasing: b[mark..<i])) }
                replacement.withUTF8Buffer { out.append(contentsOf: $0) }
                i += width
                mark = i
            }
            if b.count > mark { out.append(contentsOf: UnsafeBufferPointer(rebasing: b[mark..<b.count])) }
        }
    }
}
