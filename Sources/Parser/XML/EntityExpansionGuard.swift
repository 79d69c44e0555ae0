import Foundation

/// Bounds what the internal entities of an XML document can expand to, before libxml2 or Vigie expands any.
///
/// Debian 12's libxml2 (2.9.14) catches the nested "billion laughs" (its amplification check), but not a flat
/// quadratic blow-up: one 50 KB internal entity referenced thousands of times in a 108 KB feed. Vigie itself
/// expands plain-text entities when it reads a field (`XMLStreamReader.internalEntityText`), and libxml2 expands
/// every entity of an attribute value when the value is read: that feed took 175 s and 7.9 GB. So every XML path
/// passes its bytes through this guard on their way to libxml2 (the streaming reader's input callback, and the
/// recovering parser's whole buffer).
///
/// The guard reads the internal DTD subset, computes each declared entity's fully expanded size (recursively:
/// `&b;` ten times in `a` counts ten times `b`'s size; a reference loop counts as unbounded), then adds the size
/// of every reference met in the document body. Once the total exceeds
/// `max(EntityExpansionGuard.floor, EntityExpansionGuard.ratio × bytes read so far)` — 1 MiB, or ten times the
/// input — the document is refused. Counting is conservative: references inside comments or CDATA count too, and
/// a reference counts its full expansion even where libxml2 would leave it unexpanded. Real notices and feeds
/// declare few entities, if any (`<!ENTITY nbsp "&#160;">`), and stay far below.
///
/// The scan works on ASCII markup, so the input is read by code units: one byte (UTF-8, Latin-1, windows-1252),
/// two (UTF-16) or four (UCS-4), detected from the first bytes as libxml2 does; a code unit above 0x7F stands for
/// a non-ASCII name character. EBCDIC input has no ASCII markup to scan and is refused.
struct EntityExpansionGuard {
    /// Expansion always allowed, whatever the input size.
    static let floor = 1 << 20
    /// Expansion allowed per byte of input read so far.
    static let ratio = 10

    /// Why the document was refused: the message of `ParserError.limitExceeded`.
    private(set) var refusal: String?

    private enum Phase { case detecting, prolog, subset, body }
    private var phase = Phase.detecting
    /// Code unit width and byte order, from the first bytes.
    private var unitWidth = 1
    private var bigEndian = false
    /// Bytes not yet forming a whole code unit (UTF-16/UCS-4 split across reads), or the first bytes while the
    /// encoding is not known yet.
    private var pendingBytes: [UInt8] = []
    /// The prolog and internal subset, as ASCII skeleton, kept until their tokens complete.
    private var prolog: [UInt8] = []
    private var prologPos = 0
    /// Declared general entities: name → replacement text (skeleton); external ones → empty.
    private var general: [[UInt8]: [UInt8]] = [:]
    /// Declared parameter entities: name → replacement text.
    private var parameter: [[UInt8]: [UInt8]] = [:]
    /// Parameter-entity text injected into the subset so far (bounded like the body's expansion).
    private var parameterExpanded = 0
    /// Expanded size of each general entity, computed once the subset is complete.
    private var sizes: [[UInt8]: Int] = [:]
    private var longestName = 0
    /// Whether a code unit starts some declared general entity's name.
    private var firstUnits = [Bool](repeating: false, count: 256)
    /// Body scan state: the name of a reference being read (after `&`), nil outside one.
    private var refName: [UInt8]?
    /// Bytes of input seen so far, and the expansion their references add up to.
    private(set) var inputBytes = 0
    private(set) var expanded = 0

    /// The expansion allowed for the input read so far.
    var allowance: Int { max(Self.floor, Self.ratio.multipliedReportingOverflow(by: inputBytes).partialValue) }

    /// Feeds the next bytes of the document; returns false (and sets `refusal`) once the document must be refused.
    mutating func consume(_ chunk: UnsafeRawBufferPointer) -> Bool {
        guard refusal == nil else { return false }
        guard !chunk.isEmpty else { return true }
        inputBytes += chunk.count
        if phase == .detecting {
            pendingBytes.append(contentsOf: chunk)
            guard pendingBytes.count >= 4 else { return true }
            detectEncoding()
            if refusal != nil { return false }
            phase = .prolog
            let bytes = pendingBytes
            pendingBytes = []
            return bytes.withUnsafeBytes { feedUnits($0) }
        }
        return feedUnits(chunk)
    }

    /// Feeds a whole document held in memory.
    mutating func consume(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { consume($0) }
    }

    /// Call at the end of the input: a document shorter than four bytes still gets scanned.
    mutating func finish() -> Bool {
        guard refusal == nil else { return false }
        if phase == .detecting {
            phase = .prolog
            let bytes = pendingBytes
            pendingBytes = []
            return bytes.withUnsafeBytes { feedUnits($0) }
        }
        return true
    }

    // MARK: - Encoding

    private mutating func detectEncoding() {
        let b = pendingBytes
        switch (b[0], b[1], b[2], b[3]) {
        case (0x00, 0x00, 0xFE, 0xFF), (0x00, 0x00, 0x00, 0x3C): (unitWidth, bigEndian) = (4, true)
        case (0xFF, 0xFE, 0x00, 0x00), (0x3C, 0x00, 0x00, 0x00): (unitWidth, bigEndian) = (4, false)
        case (0xFE, 0xFF, _, _), (0x00, 0x3C, 0x00, _): (unitWidth, bigEndian) = (2, true)
        case (0xFF, 0xFE, _, _), (0x3C, 0x00, _, 0x00): (unitWidth, bigEndian) = (2, false)
        case (0x4C, 0x6F, 0xA7, 0x94):
            refusal = "EBCDIC XML is not accepted (its entities cannot be bounded)"
        default: (unitWidth, bigEndian) = (1, false)
        }
    }

    /// Turns raw bytes into the ASCII skeleton (one byte per code unit) and scans it.
    private mutating func feedUnits(_ raw: UnsafeRawBufferPointer) -> Bool {
        if unitWidth == 1 { return scan(raw) }
        var units: [UInt8] = []
        units.reserveCapacity(raw.count / unitWidth + 1)
        var bytes = pendingBytes
        bytes.append(contentsOf: raw)
        let whole = bytes.count - bytes.count % unitWidth
        var i = 0
        while i < whole {
            var v: UInt32 = 0
            for k in 0..<unitWidth {
                let byte = UInt32(bytes[i + (bigEndian ? k : unitWidth - 1 - k)])
                v = v << 8 | byte
            }
            // A non-ASCII unit keeps its low bits above 0x80, so different names mostly stay different; names that
            // clash share one entry holding both texts (see `parseEntityDecl`).
            units.append(v < 0x80 ? UInt8(v) : 0x80 | UInt8(truncatingIfNeeded: v & 0x7F))
            i += unitWidth
        }
        pendingBytes = Array(bytes[whole...])
        return units.withUnsafeBytes { scan($0) }
    }

    // MARK: - Scanning

    private mutating func scan(_ units: UnsafeRawBufferPointer) -> Bool {
        guard phase != .body else { return scanBody(units) }
        prolog.append(contentsOf: units)
        if prolog.count > Self.maxProlog {
            refusal = "prolog and internal DTD subset larger than \(Self.maxProlog) bytes: refused"
            return false
        }
        // Every token of the prolog ends with '>' (or ';' for a parameter-entity reference): until one arrives,
        // the incomplete token is not scanned again.
        guard units.contains(where: { $0 == 0x3E || $0 == 0x3B }) || prologPos == 0 && prolog.count == units.count
        else { return true }
        parseProlog()
        if refusal != nil { return false }
        guard phase == .body else { return true }
        // What followed the prolog in the buffer is the start of the body.
        let rest = Array(prolog[prologPos...])
        prolog = []
        prologPos = 0
        return rest.withUnsafeBytes { scanBody($0) }
    }

    /// Largest prolog (XML declaration, comments, DOCTYPE with its internal subset) accepted: real feeds and
    /// notices have none or a few lines; a larger one can only be meant to blow up.
    static let maxProlog = 1 << 20

    /// Counts the references of the body, adding each declared entity's expanded size. `memchr` jumps from one
    /// `&` to the next, and a name whose first character starts no declared name is dropped at once: a feed full
    /// of escaped HTML (`&lt;p&gt;`) costs little more than without the guard.
    private mutating func scanBody(_ units: UnsafeRawBufferPointer) -> Bool {
        guard !sizes.isEmpty, let base = units.baseAddress else { return true }
        let n = units.count
        var i = 0
        while i < n {
            guard var name = refName else {
                guard let p = memchr(base + i, 0x26, n - i) else { return true }
                i = base.distance(to: UnsafeRawPointer(p)) + 1
                refName = []
                continue
            }
            let c = units[i]
            i += 1
            if c == 0x3B {  // ';'
                refName = nil
                if let size = sizes[name] {
                    let (sum, overflow) = expanded.addingReportingOverflow(size)
                    expanded = overflow ? Int.max : sum
                    if expanded > allowance {
                        refusal = refusalMessage()
                        return false
                    }
                }
            } else if c == 0x26 {
                refName = []
            } else if Self.isNameUnit(c), name.count < longestName, !name.isEmpty || firstUnits[Int(c)] {
                name.append(c)
                refName = name
            } else {
                refName = nil
            }
        }
        return true
    }

    private func refusalMessage() -> String {
        let shown = expanded == Int.max ? "unbounded" : "\(expanded) bytes"
        return "entity expansion exceeds \(allowance) bytes (\(shown) from \(inputBytes)): refused"
    }

    static func isNameUnit(_ c: UInt8) -> Bool {
        c >= 0x80 || (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39)
            || c == 0x5F || c == 0x3A || c == 0x2D || c == 0x2E
    }

    // MARK: - Prolog and internal subset

    /// Reads the complete tokens of the prolog; stops (keeping `prologPos`) at an incomplete one.
    private mutating func parseProlog() {
        while refusal == nil {
            if phase == .subset {
                guard parseSubsetToken() else { return }
                continue
            }
            skipSpace()
            guard prologPos < prolog.count else { return }
            if prologPos == 0, starts("\u{FEFF}") {  // UTF-8 byte-order mark
                prologPos = 3
                continue
            }
            if prologPos == 0, prolog[0] == 0xFF {  // UTF-16/UCS-4 byte-order mark, as one skeleton unit
                prologPos = 1
                continue
            }
            // Text before the root: libxml2 stops there ("Start tag expected"), so no DTD can follow.
            if prolog[prologPos] != 0x3C {
                enterBody()
                return
            }
            if starts("<?xml") {
                guard let end = prolog[prologPos...].firstRange(of: Array("?>".utf8)) else { return }
                checkDeclaredEncoding(prolog[prologPos..<end.lowerBound])
                prologPos = end.upperBound
            } else if starts("<?") {
                guard skip(past: Array("?>".utf8)) else { return }
            } else if starts("<!--") {
                guard skip(past: Array("-->".utf8)) else { return }
            } else if starts("<!DOCTYPE") {
                guard parseDoctypeHead() else { return }
            } else if prolog.count - prologPos < 9 && Array("<!DOCTYPE".utf8).starts(with: prolog[prologPos...]) {
                return  // could still become `<!DOCTYPE`
            } else {
                enterBody()
                return
            }
        }
    }

    /// Encodings whose markup is ASCII in the bytes (or in UTF-16/UCS-4 code units): the only ones the scan can
    /// read. UTF-7 or EBCDIC declared in a notice would hide its references from the scan, so they are refused.
    /// (Feeds never get here with a declaration: `EncodingSniffer` hands libxml2 UTF-8 without one.)
    private mutating func checkDeclaredEncoding(_ decl: ArraySlice<UInt8>) {
        guard let r = decl.firstRange(of: Array("encoding".utf8)) else { return }
        var i = r.upperBound
        while i < decl.endIndex, decl[i] != 0x22 && decl[i] != 0x27 { i += 1 }
        guard i < decl.endIndex, let close = decl[(i + 1)...].firstIndex(of: decl[i]) else { return }
        let name = String(decoding: decl[(i + 1)..<close], as: UTF8.self).lowercased()
        let accepted = [
            "utf-8", "utf8", "us-ascii", "ascii", "iso-8859-", "iso8859", "latin", "windows-", "cp125", "utf-16",
            "utf16", "ucs-2", "ucs2", "utf-32", "ucs-4", "ucs4", "iso-10646", "shift_jis", "sjis", "euc-", "gb",
            "big5", "koi8",
        ]
        if !accepted.contains(where: { name.hasPrefix($0) }) {
            refusal = "declared encoding \(name) is not accepted (its entity references cannot be bounded)"
        }
    }

    private mutating func enterBody() {
        computeSizes()
        phase = .body
    }

    /// `<!DOCTYPE name [ExternalID] [` or `… >`: moves into the subset, or past the declaration. False: incomplete.
    private mutating func parseDoctypeHead() -> Bool {
        var i = prologPos + 9
        while i < prolog.count {
            let c = prolog[i]
            if c == 0x22 || c == 0x27 {  // a quoted system or public id
                guard let close = prolog[(i + 1)...].firstIndex(of: c) else { return false }
                i = close + 1
                continue
            }
            if c == 0x5B {  // '['
                prologPos = i + 1
                phase = .subset
                return true
            }
            if c == 0x3E {  // '>': no internal subset
                prologPos = i + 1
                return true
            }
            i += 1
        }
        return false
    }

    /// One token of the internal subset. False: incomplete, wait for more input.
    private mutating func parseSubsetToken() -> Bool {
        skipSpace()
        guard prologPos < prolog.count else { return false }
        let c = prolog[prologPos]
        if c == 0x5D {  // ']' then '>'
            guard let gt = prolog[prologPos...].firstIndex(of: 0x3E) else { return false }
            prologPos = gt + 1
            phase = .prolog
            return true
        }
        if c == 0x25 {  // '%name;' between declarations: libxml2 reads the parameter entity's text here
            guard let semi = prolog[prologPos...].firstIndex(of: 0x3B) else { return false }
            let name = Array(prolog[(prologPos + 1)..<semi])
            let text = parameter[name] ?? []
            parameterExpanded += text.count
            if parameterExpanded > allowance {
                refusal = "parameter entity expansion exceeds \(allowance) bytes: refused"
                return true
            }
            prolog.replaceSubrange(prologPos...semi, with: text)
            return true
        }
        if starts("<!--") { return skip(past: Array("-->".utf8)) }
        if starts("<?") { return skip(past: Array("?>".utf8)) }
        if starts("<!ENTITY") { return parseEntityDecl() }
        if c == 0x3C {  // another declaration: skip it, quotes respected
            var i = prologPos + 1
            while i < prolog.count {
                let d = prolog[i]
                if d == 0x22 || d == 0x27 {
                    guard let close = prolog[(i + 1)...].firstIndex(of: d) else { return false }
                    i = close + 1
                    continue
                }
                if d == 0x3E {
                    prologPos = i + 1
                    return true
                }
                i += 1
            }
            return false
        }
        prologPos += 1  // stray character: libxml2 reports it; skip
        return true
    }

    /// `<!ENTITY [%] name ("value" | SYSTEM "…" | PUBLIC "…" "…") [NDATA n]>`. False: incomplete.
    private mutating func parseEntityDecl() -> Bool {
        var i = prologPos + 8
        func space() { while i < prolog.count, HTMLText.isSpace(prolog[i]) { i += 1 } }
        space()
        var isParameter = false
        if i < prolog.count, prolog[i] == 0x25 {
            isParameter = true
            i += 1
            space()
        }
        let nameStart = i
        while i < prolog.count, Self.isNameUnit(prolog[i]) { i += 1 }
        guard i < prolog.count else { return false }
        let name = Array(prolog[nameStart..<i])
        space()
        guard i < prolog.count else { return false }
        var value: [UInt8] = []
        var external = false
        var firstLiteral = true
        while i < prolog.count {
            let c = prolog[i]
            if c == 0x22 || c == 0x27 {
                guard let close = prolog[(i + 1)...].firstIndex(of: c) else { return false }
                if firstLiteral && !external { value = Array(prolog[(i + 1)..<close]) }
                firstLiteral = false
                i = close + 1
                continue
            }
            if c == 0x3E {
                prologPos = i + 1
                // An external entity is never loaded (no DTDLOAD, no NOENT): it expands to nothing.
                let text = external ? [] : Self.decodingCharacterReferences(value)
                // XML binds the first declaration of a name; the scan keeps every declaration's text, so that
                // two non-ASCII names that share a skeleton (UTF-16) can only be counted larger, never smaller.
                if isParameter {
                    parameter[name, default: []] += text
                } else {
                    general[name, default: []] += text
                    longestName = max(longestName, name.count)
                    if let first = name.first { firstUnits[Int(first)] = true }
                }
                return true
            }
            if firstLiteral && Self.isNameUnit(c) { external = true }  // SYSTEM / PUBLIC
            i += 1
        }
        return false
    }

    /// An entity value with its character references replaced, as XML does when the entity is declared:
    /// `<!ENTITY a "&#38;b;">` has the replacement text `&b;`, a reference to `b` once `a` is expanded. Only
    /// ASCII characters matter to the scan; other references are kept as written (their length bounds theirs).
    static func decodingCharacterReferences(_ text: [UInt8]) -> [UInt8] {
        guard text.contains(0x26) else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        var i = 0
        while i < text.count {
            if text[i] == 0x26, i + 2 < text.count, text[i + 1] == 0x23,
                let semi = text[(i + 2)...].prefix(10).firstIndex(of: 0x3B)
            {
                var digits = text[(i + 2)..<semi]
                var radix = 10
                if digits.first == 0x78 || digits.first == 0x58 {  // x, X
                    radix = 16
                    digits = digits.dropFirst()
                }
                if let v = UInt32(String(decoding: digits, as: UTF8.self), radix: radix), v < 0x80 {
                    out.append(UInt8(v))
                    i = semi + 1
                    continue
                }
            }
            out.append(text[i])
            i += 1
        }
        return out
    }

    private func starts(_ s: String) -> Bool {
        let u = Array(s.utf8)
        return prolog.count - prologPos >= u.count && prolog[prologPos..<(prologPos + u.count)].elementsEqual(u)
    }

    private mutating func skipSpace() {
        while prologPos < prolog.count, HTMLText.isSpace(prolog[prologPos]) { prologPos += 1 }
    }

    private mutating func skip(past terminator: [UInt8]) -> Bool {
        guard let r = prolog[prologPos...].firstRange(of: terminator) else { return false }
        prologPos = r.upperBound
        return true
    }

    // MARK: - Sizes

    /// The expanded size of every declared general entity.
    private mutating func computeSizes() {
        var visiting: Set<[UInt8]> = []
        for name in general.keys where sizes[name] == nil {
            _ = size(of: name, visiting: &visiting)
        }
    }

    /// Bytes `name` expands to: its text, each reference replaced by the size of what it names (parameter
    /// references, forbidden in the internal subset's values but read by libxml2 in recovery, count their text).
    /// A loop is unbounded.
    private mutating func size(of name: [UInt8], visiting: inout Set<[UInt8]>) -> Int {
        if let s = sizes[name] { return s }
        guard let text = general[name] else { return 0 }
        guard visiting.insert(name).inserted else { return Int.max }
        var total = 0
        var i = 0
        while i < text.count {
            let c = text[i]
            if c == 0x26 || c == 0x25, let semi = text[(i + 1)...].prefix(longestName + 2).firstIndex(of: 0x3B),
                semi > i + 1
            {
                let ref = Array(text[(i + 1)..<semi])
                let add: Int
                if c == 0x26, general[ref] != nil {
                    add = size(of: ref, visiting: &visiting)
                } else if c == 0x25, let p = parameter[ref] {
                    add = p.count
                } else {
                    add = semi - i + 1
                }
                let (sum, overflow) = total.addingReportingOverflow(add)
                total = overflow ? Int.max : sum
                i = semi + 1
                continue
            }
            total = total == Int.max ? total : total + 1
            i += 1
        }
        visiting.remove(name)
        sizes[name] = total
        return total
    }
}
