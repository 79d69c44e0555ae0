import Foundation

/// Decides, once for the whole document, how to turn its bytes into UTF-8, and builds the streaming pipeline that
/// does it (transcoding, then entity repair).
///
/// Order of precedence, after RFC 3023 and what feed readers do: a byte-order mark, then the byte pattern of
/// UTF-16/32 and EBCDIC `<?xml`, then the HTTP charset hint, then the XML declaration. A document that declares
/// none of these is sniffed as a whole: UTF-8 when every byte of it is well-formed UTF-8, windows-1252 otherwise
/// (what feedparser does, and what French CMS feeds written in Latin-1 without a declaration need: deciding byte
/// pair by byte pair would read « doué » as a CJK character). A document declared UTF-8 that holds stray 8-bit
/// bytes keeps its valid UTF-8 and reads the stray bytes as windows-1252. Encodings that libxml2 2.9 with iconv
/// cannot read (UTF-32, `437`, `macgreek`) are transcoded here.
enum EncodingSniffer {
    /// What the sniffer decided.
    enum Decoding: Sendable, Hashable {
        /// UTF-8 as declared (or BOM), stray invalid bytes read as windows-1252.
        case utf8
        /// Nothing declares the encoding: UTF-8 if the whole document is well-formed UTF-8, else windows-1252
        /// (decided by `decideUndeclared`).
        case undeclared
        case windows1252
        /// A table from `SingleByteCodePages`.
        case singleByte(String)
        /// An encoding name iconv knows.
        case iconv(String)
    }

    /// Bytes sniffed before deciding.
    static let sniffLength = 1024

    /// The decoding to apply and the length of a byte-order mark to skip.
    static func detect(prefix p: [UInt8], charsetHint: String?) -> (decoding: Decoding, bomLength: Int, label: String) {
        func at(_ i: Int) -> UInt8 { i < p.count ? p[i] : 0xAA }
        if at(0) == 0xEF, at(1) == 0xBB, at(2) == 0xBF { return (.utf8, 3, "utf-8") }
        if at(0) == 0x00, at(1) == 0x00, at(2) == 0xFE, at(3) == 0xFF { return (.iconv("UTF-32BE"), 4, "utf-32be") }
        if at(0) == 0xFF, at(1) == 0xFE, at(2) == 0x00, at(3) == 0x00 { return (.iconv("UTF-32LE"), 4, "utf-32le") }
        if at(0) == 0xFE, at(1) == 0xFF { return (.iconv("UTF-16BE"), 2, "utf-16be") }
        if at(0) == 0xFF, at(1) == 0xFE { return (.iconv("UTF-16LE"), 2, "utf-16le") }
        if at(0) == 0x00, at(1) == 0x00, at(2) == 0x00, at(3) == 0x3C { return (.iconv("UTF-32BE"), 0, "utf-32be") }
        if at(0) == 0x3C, at(1) == 0x00, at(2) == 0x00, at(3) == 0x00 { return (.iconv("UTF-32LE"), 0, "utf-32le") }
        if at(0) == 0x00, at(1) == 0x3C, at(2) == 0x00 { return (.iconv("UTF-16BE"), 0, "utf-16be") }
        if at(0) == 0x3C, at(1) == 0x00, at(2) != 0x00 { return (.iconv("UTF-16LE"), 0, "utf-16le") }
        if at(0) == 0x4C, at(1) == 0x6F, at(2) == 0xA7, at(3) == 0x94 {
            // EBCDIC `<?xm`: read the declaration through code page 037 to learn which EBCDIC page it is.
            let declared = declaredEncoding(ebcdicPrefix(p))
            if let declared, let d = decoding(forName: declared), case .iconv = d { return (d, 0, declared) }
            return (.iconv("CP037"), 0, "cp037")
        }
        if let hint = charsetHint?.trimmingCharacters(in: .whitespaces), !hint.isEmpty, let d = decoding(forName: hint)
        {
            return (d, 0, hint.lowercased())
        }
        if let declared = declaredEncoding(p), let d = decoding(forName: declared) {
            return (d, 0, declared.lowercased())
        }
        return (.undeclared, 0, "undeclared")
    }

    /// The `encoding` of an ASCII-compatible XML declaration at the start of `p`.
    static func declaredEncoding(_ p: [UInt8]) -> String? {
        guard p.count > 5, p[0] == 0x3C, p[1] == 0x3F, p[2] == 0x78, p[3] == 0x6D, p[4] == 0x6C else { return nil }
        let end = min(p.count, 400)
        guard let close = (0..<(end - 1)).first(where: { p[$0] == 0x3F && p[$0 + 1] == 0x3E }) else { return nil }
        let decl = String(decoding: p[0..<close], as: UTF8.self)
        guard let r = decl.range(of: "encoding") else { return nil }
        var rest = decl[r.upperBound...].drop(while: {
            $0 == " " || $0 == "=" || $0 == "\t" || $0 == "\n" || $0 == "\r"
        })
        guard let q = rest.first, q == "\"" || q == "'" else { return nil }
        rest = rest.dropFirst()
        guard let endQ = rest.firstIndex(of: q) else { return nil }
        let name = String(rest[..<endQ]).trimmingCharacters(in: .whitespaces)
        return name.isEmpty ? nil : name
    }

    private static func ebcdicPrefix(_ p: [UInt8]) -> [UInt8] {
        guard let cd = iconv_open("UTF-8", "CP037"), cd != iconv_t(bitPattern: -1) else { return [] }
        defer { iconv_close(cd) }
        var input = Array(p.prefix(200))
        var output = [UInt8](repeating: 0, count: 800)
        let produced = input.withUnsafeMutableBytes { ib in
            output.withUnsafeMutableBytes { ob -> Int in
                var inPtr: UnsafeMutablePointer<CChar>? = ib.baseAddress!.assumingMemoryBound(to: CChar.self)
                var inLeft = ib.count
                var outPtr: UnsafeMutablePointer<CChar>? = ob.baseAddress!.assumingMemoryBound(to: CChar.self)
                var outLeft = ob.count
                _ = iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
                return ob.count - outLeft
            }
        }
        return Array(output[0..<produced])
    }

    /// How to decode an encoding label (`ISO-8859-1`, `windows_1252`, `437`, `macgreek`); nil when unknown.
    static func decoding(forName raw: String) -> Decoding? {
        let name = raw.lowercased().trimmingCharacters(in: .whitespaces)
        let compact = name.replacingOccurrences(of: "-", with: "").replacingOccurrences(of: "_", with: "")
        switch compact {
        case "utf8", "unicode11utf8":
            return .utf8
        case "ascii", "usascii", "ansix3.41968", "us":
            // A document that says ASCII and holds 8-bit bytes does not know its encoding: sniff it.
            return .undeclared
        case "iso88591", "latin1", "l1", "iso885911987", "cp1252", "windows1252", "xcp1252", "cp819", "ibm819",
            "iso885915", "latin9", "iso8859":
            // ISO-8859-1 feeds put windows-1252 punctuation in the C1 range; browsers read them as 1252 too.
            return compact.hasPrefix("iso885915") || compact == "latin9" ? .iconv("ISO-8859-15") : .windows1252
        case "utf16", "utf32", "ucs2", "ucs4":
            // Declared without a byte pattern to back it: the bytes are ASCII-compatible, so the label lies.
            return .undeclared
        default:
            break
        }
        if SingleByteCodePages.tables[compact] != nil { return .singleByte(compact) }
        if compact == "maccentraleurope" { return .singleByte("maclatin2") }
        for candidate in [name, name.replacingOccurrences(of: "_", with: "-"), compact]
        where IconvSource.supports(candidate) {
            return .iconv(candidate)
        }
        if let digits = Int(compact), IconvSource.supports("CP\(digits)") { return .iconv("CP\(digits)") }
        return nil
    }

    /// The pipeline that serves `source`'s document as UTF-8 with repaired entities, and the encoding it decided.
    static func utf8Source(for source: any ByteSource, charsetHint: String?) throws -> (any ByteSource, String) {
        let prefix = try source.readPrefix(sniffLength)
        var (decoding, bom, label) = detect(prefix: prefix, charsetHint: charsetHint)
        var raw: any ByteSource = PrefixedByteSource(prefix: Array(prefix.dropFirst(bom)), rest: source)
        if decoding == .undeclared {
            let (readAhead, isUTF8) = try decideUndeclared(prefix: prefix, rest: source)
            raw = PrefixedByteSource(prefix: readAhead, rest: source)
            (decoding, label) = isUTF8 ? (.utf8, "utf-8") : (.windows1252, "windows-1252")
        }
        let decoded: any ByteSource
        switch decoding {
        case .utf8, .undeclared:
            // The commonest case: validation and entity repair in one pass.
            return (XMLEntityRepairSource(upstream: raw, repairingUTF8: true), label)
        case .windows1252:
            // Decoding and entity repair in one pass.
            let table = SingleByteCodePages.packedUTF8(upper: nil)
            return (XMLEntityRepairSource(upstream: raw, singleByteTable: table), label)
        case .singleByte(let key):
            let table = SingleByteCodePages.packedUTF8(upper: SingleByteCodePages.tables[key])
            return (XMLEntityRepairSource(upstream: raw, singleByteTable: table), label)
        case .iconv(let name): decoded = IconvSource(upstream: raw, encoding: name) ?? UTF8RepairSource(upstream: raw)
        }
        return (XMLEntityRepairSource(upstream: decoded), label)
    }

    /// Bytes held in memory while deciding the encoding of an undeclared document whose source cannot be read
    /// twice; beyond it, such a document is taken as UTF-8 (stray bytes still read as windows-1252).
    static let decisionWindow = 1 << 20

    /// Whether an undeclared document is UTF-8 (every byte well-formed UTF-8) rather than windows-1252.
    ///
    /// `prefix` holds the bytes already read from `rest`. Reads ahead until the first ill-formed byte, the end of
    /// the document or `decisionWindow`, and returns what it read (to be replayed) with the verdict. Past the
    /// window, a source that can be reopened (a file, bytes in memory) is checked to its end through a second
    /// reading, so the decision covers the whole document without holding it.
    static func decideUndeclared(prefix: [UInt8], rest: any ByteSource) throws -> (readAhead: [UInt8], isUTF8: Bool) {
        var validator = UTF8Validator()
        var bytes = prefix
        if !bytes.withUnsafeBufferPointer({ validator.feed($0) }) { return (bytes, false) }
        if bytes.count < sniffLength { return (bytes, validator.isCompleteAndValid) }
        let chunk = 64 * 1024
        while bytes.count < decisionWindow {
            let start = bytes.count
            bytes.append(contentsOf: repeatElement(0, count: chunk))
            let n = try bytes.withUnsafeMutableBytes {
                try rest.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[start...]))
            }
            bytes.removeLast(chunk - n)
            if n == 0 { return (bytes, validator.isCompleteAndValid) }
            let valid = bytes.withUnsafeBufferPointer { validator.feed(UnsafeBufferPointer(rebasing: $0[start...])) }
            if !valid { return (bytes, false) }
        }
        guard let again = try rest.reopened() else { return (bytes, true) }
        var whole = UTF8Validator()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 8)
        defer { buffer.deallocate() }
        while true {
            let n = try again.read(into: buffer)
            if n == 0 { return (bytes, whole.isCompleteAndValid) }
            let bytesRead = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
            if !whole.feed(UnsafeBufferPointer(start: bytesRead, count: n)) { return (bytes, false) }
        }
    }
}
