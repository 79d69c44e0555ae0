/// The encodings that keep a message 7-bit clean with short lines: RFC 2047 encoded-words and header folding
/// (RFC 5322 §2.2.3), quoted-printable and base64 bodies (RFC 2045), RFC 2231 parameters.
enum MIMEEncoding {
    /// Lines are folded before this many characters (RFC 5322's "SHOULD be no more than 78").
    static let foldWidth = 78
    /// UTF-8 bytes per encoded-word: 42 bytes are 56 base64 characters, 68 with `=?UTF-8?B?` and `?=`, so the
    /// first word fits after the longest header name we write ("Reply-To: ") within 78 columns, and every word
    /// stays under RFC 2047's 75.
    static let encodedWordBytes = 42

    // MARK: - Headers

    /// A header value with every control character (CR and LF above all: header injection) turned into a space.
    static func clean(_ value: String) -> String {
        // Every header of every message goes through here: a value with nothing to replace is returned as is.
        if !value.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) { return value }
        return String(String.UnicodeScalarView(value.unicodeScalars.map { isControl($0) ? " " : $0 }))
    }

    /// Only printable ASCII without spaces, for values that must stay one token (address specs, Message-ID, URI).
    static func cleanToken(_ value: String, dropping forbidden: Set<Unicode.Scalar> = []) -> String {
        // Addresses and Message-IDs are already clean: returned as they are, without a walk through a `Set`.
        var mask: (low: UInt64, high: UInt64) = (0, 0)
        for scalar in forbidden where scalar.value < 0x80 {
            if scalar.value < 64 { mask.low |= 1 << scalar.value } else { mask.high |= 1 << (scalar.value - 64) }
        }
        let clean = value.utf8.allSatisfy { byte in
            guard byte > 0x20, byte < 0x7F else { return false }
            return byte < 64 ? mask.low & (1 << byte) == 0 : mask.high & (1 << (byte - 64)) == 0
        }
        if clean { return value }
        return String(
            String.UnicodeScalarView(
                value.unicodeScalars.filter {
                    $0.value > 0x20 && $0.value < 0x7F && !forbidden.contains($0)
                }))
    }

    static func isPlainASCII(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F }
    }

    /// `text` (any Unicode) as RFC 2047 "B" encoded-words of whole characters. Decoders drop the folding white
    /// space between adjacent encoded-words, so the words join back into exactly `text`.
    static func encodedWords(_ text: String) -> [String] {
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in text {
            let bytes = Array(String(character).utf8)
            if !chunk.isEmpty && chunk.count + bytes.count > encodedWordBytes {
                words.append(encodedWord(chunk))
                chunk = []
            }
            // A single grapheme longer than a word's budget (a long emoji sequence) is split by scalars.
            if bytes.count > encodedWordBytes {
                for scalar in String(character).unicodeScalars {
                    let scalarBytes = Array(String(scalar).utf8)
                    if chunk.count + scalarBytes.count > encodedWordBytes {
                        words.append(encodedWord(chunk))
                        chunk = []
                    }
                    chunk += scalarBytes
                }
            } else {
                chunk += bytes
            }
        }
        if !chunk.isEmpty || words.isEmpty { words.append(encodedWord(chunk)) }
        return words
    }

    private static func encodedWord(_ bytes: [UInt8]) -> String {
        "=?UTF-8?B?" + base64(bytes) + "?="
    }

    /// An unstructured value (Subject) as foldable tokens: its words when it is plain ASCII with single spaces
    /// and nothing a decoder could take for an encoded-word, else encoded-words.
    static func unstructuredTokens(_ value: String) -> [String] {
        if value.isEmpty { return [] }
        let words = value.split(separator: " ", omittingEmptySubsequences: false)
        let isPlain =
            isPlainASCII(value) && !value.contains("=?")
            && words.allSatisfy { !$0.isEmpty && $0.count <= foldWidth - 12 }
        return isPlain ? words.map(String.init) : encodedWords(value)
    }

    /// A display name as foldable tokens: plain words, one quoted-string when it holds specials, or
    /// encoded-words when it is not ASCII.
    static func phraseTokens(_ name: String) -> [String] {
        let words = name.split(separator: " ", omittingEmptySubsequences: false)
        guard isPlainASCII(name), !name.contains("=?"),
            words.allSatisfy({ !$0.isEmpty && $0.count <= foldWidth - 12 })
        else { return encodedWords(name) }
        if words.allSatisfy({ $0.unicodeScalars.allSatisfy(isAtext) }) { return words.map(String.init) }
        let escaped = name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return ["\"" + escaped + "\""]
    }

    /// A mailbox list (From, To, Cc, Reply-To) as foldable tokens, a comma after each mailbox but the last.
    static func addressListTokens(_ addresses: [MailAddress]) -> [String] {
        var tokens: [String] = []
        for (index, mailbox) in addresses.enumerated() {
            let comma = index == addresses.count - 1 ? "" : ","
            let spec = cleanToken(mailbox.address, dropping: ["<", ">", ",", ";", "\"", "(", ")"])
            let name = clean(mailbox.name ?? "").trimmingSpaces()
            if name.isEmpty {
                tokens.append(spec + comma)
            } else {
                tokens += phraseTokens(name)
                tokens.append("<" + spec + ">" + comma)
            }
        }
        return tokens
    }

    /// `Field: token token …` folded before `foldWidth` columns; a token longer than a line goes on a line of its
    /// own (it cannot be broken), and every token is ASCII, so the header is 7-bit.
    static func header(_ field: String, _ tokens: [String]) -> String {
        var lines: [String] = []
        var line = field + ":"
        var lineHasToken = false
        for token in tokens {
            if lineHasToken && line.count + 1 + token.count > foldWidth {
                lines.append(line)
                line = " " + token
            } else {
                line += " " + token
            }
            lineHasToken = true
        }
        lines.append(line)
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// A MIME parameter `name="value"`, or `name*=UTF-8''percent-encoded` (RFC 2231) when the value is not plain
    /// ASCII or holds a quote or backslash.
    static func parameter(_ name: String, _ value: String) -> String {
        let value = clean(value)
        if isPlainASCII(value) && !value.contains("\"") && !value.contains("\\") {
            return name + "=\"" + value + "\""
        }
        var encoded = ""
        for byte in value.utf8 {
            let scalar = Unicode.Scalar(byte)
            if isLetterOrDigit(scalar) || "!#$&+-.^_`|~".unicodeScalars.contains(scalar) {
                encoded.unicodeScalars.append(scalar)
            } else {
                encoded += "%" + hex(byte)
            }
        }
        return name + "*=UTF-8''" + encoded
    }

    // MARK: - Bodies

    /// Text as quoted-printable with CRLF line ends, every line at most 76 octets: readable for French text,
    /// 7-bit, and immune to a mail server's line-length limit.
    static func quotedPrintable(_ text: String) -> String {
        var out: [UInt8] = []
        quotedPrintable(text, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// ``quotedPrintable(_:)`` appended to `out` as bytes.
    static func quotedPrintable(_ text: String, into out: inout [UInt8]) {
        var text = text
        text.withUTF8 { quotedPrintable($0, into: &out) }
    }

    /// UTF-8 text as quoted-printable, appended to `out`.
    static func quotedPrintable(_ input: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        // Written through a pointer into room made in `out` beforehand: appending octet by octet to the array (a
        // capacity and uniqueness check each) was 14 % of rendering a national night's e-mails. `MIMEWriter`
        // encodes into its message buffer directly (``encodeLines(_:into:)``).
        let bound = quotedPrintableBound(input.count)
        let base = out.count
        out.append(contentsOf: repeatElement(0, count: bound))
        let written = out.withUnsafeMutableBufferPointer { buffer in
            encodeLines(input, into: buffer.baseAddress! + base)
        }
        out.removeLast(bound - written)
    }

    /// The most octets quoted-printable makes of `count` octets: every octet escaped (3), a soft break (3) per
    /// 25 escapes, a CRLF per line (at most one per octet, plus the last).
    static func quotedPrintableBound(_ count: Int) -> Int {
        3 * count + 3 * (count / 25 + 1) + 2 * (count + 1)
    }

    /// Every line of `input` as quoted-printable, CRLF-ended, written from `out`, which has room for
    /// ``quotedPrintableBound(_:)`` octets; returns the octets written.
    static func encodeLines(_ input: UnsafeBufferPointer<UInt8>, into out: UnsafeMutablePointer<UInt8>) -> Int {
        let count = input.count
        var written = 0
        var lineStart = 0
        var emitted = false
        while true {
            // Lines split on CRLF, CR or LF alike. Eight octets checked at once first: a member's e-mail is long
            // lines of HTML, and this search octet by octet was a third of its encoding.
            var lineEnd = lineStart
            if let base = input.baseAddress {
                while lineEnd + 8 <= count, !hasLineEnd(UnsafeRawPointer(base + lineEnd).loadUnaligned(as: UInt64.self))
                {
                    lineEnd += 8
                }
            }
            while lineEnd < count, input[lineEnd] != 0x0A, input[lineEnd] != 0x0D { lineEnd += 1 }
            // A final line end adds no empty line.
            if lineEnd == count, lineStart == count, emitted { break }
            written = encodeLine(input, lineStart, lineEnd, into: out, at: written)
            out[written] = 0x0D
            out[written + 1] = 0x0A
            written += 2
            emitted = true
            if lineEnd == count { break }
            lineStart =
                input[lineEnd] == 0x0D && lineEnd + 1 < count && input[lineEnd + 1] == 0x0A
                ? lineEnd + 2 : lineEnd + 1
        }
        return written
    }

    /// How quoted-printable treats an octet: written as is (printable ASCII but `=`), white space (as is but at
    /// the end of a line), or always escaped.
    private static let octetClass: [UInt8] = (0..<256).map { byte in
        if byte == 0x20 || byte == 0x09 { return 2 }
        return byte >= 0x21 && byte <= 0x7E && byte != 0x3D ? 0 : 1
    }

    /// One line's octets `start..<end`, soft-broken before 76 columns, written at `out + at`; returns the end.
    private static func encodeLine(
        _ input: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, into out: UnsafeMutablePointer<UInt8>,
        at: Int
    ) -> Int {
        octetClass.withUnsafeBufferPointer { classes in
            hexDigits.withUnsafeBufferPointer { hex in
                var o = at
                var column = 0
                var index = start
                while index < end {
                    // Mid-line with room for an escape (column 1…72): no octet can need a soft break nor start a
                    // line, so each goes as it is or as `=XX` at once. Eight plain octets are checked and stored
                    // as one word; a word with an escape goes octet by octet. A member's HTML part has an `=3D`
                    // in every attribute and an accent in most words: runs of plain octets copied with `memmove`
                    // stopped at each, and the octet after went through every test below.
                    if column > 0, column <= 72 {
                        let from = input.baseAddress! + index
                        if column <= 67, end - index >= 8 {
                            let word = UnsafeRawPointer(from).loadUnaligned(as: UInt64.self)
                            if isPlain(word) {
                                UnsafeMutableRawPointer(out + o).storeBytes(of: word, as: UInt64.self)
                                o += 8
                                column += 8
                                index += 8
                                continue
                            }
                        }
                        let stop = min(end, index + 8)
                        while index < stop, column <= 72 {
                            let byte = input[index]
                            let kind = classes[Int(byte)]
                            // White space is escaped only as a line's last octet.
                            if kind == 0 || (kind == 2 && index != end - 1) {
                                out[o] = byte
                                o += 1
                                column += 1
                            } else {
                                out[o] = 0x3D
                                out[o + 1] = hex[Int(byte >> 4)]
                                out[o + 2] = hex[Int(byte & 0x0F)]
                                o += 3
                                column += 3
                            }
                            index += 1
                        }
                        continue
                    }
                    let byte = input[index]
                    let kind = classes[Int(byte)]
                    var escape: Bool
                    if kind == 2 {
                        // White space at the end of a line is dropped by some transports: encoded there.
                        escape = index == end - 1
                    } else if kind == 0 {
                        // A "." alone at the start of a line is SMTP's end of data: libcurl doubles it, and encoding
                        // it as well keeps the body identical whatever transport carries it. "From " at the start
                        // of a line is rewritten ">From " by mbox-minded relays: its F is encoded.
                        escape = column == 0 && startsLineSpecially(input, index, end)
                    } else {
                        escape = true
                    }
                    if column + (escape ? 3 : 1) > 75 {
                        out[o] = 0x3D
                        out[o + 1] = 0x0D
                        out[o + 2] = 0x0A
                        o += 3
                        column = 0
                        // A line a soft break opens counts too.
                        if kind == 0 { escape = startsLineSpecially(input, index, end) }
                    }
                    if escape {
                        out[o] = 0x3D
                        out[o + 1] = hex[Int(byte >> 4)]
                        out[o + 2] = hex[Int(byte & 0x0F)]
                        o += 3
                        column += 3
                    } else {
                        out[o] = byte
                        o += 1
                        column += 1
                    }
                    index += 1
                }
                return o
            }
        }
    }

    /// Whether the eight octets of `word` are all printable ASCII but `=` (class 0 of `octetClass`): none below
    /// 0x21, none above 0x7E, none equal to 0x3D (the bit tricks' "hasless", "hasmore" and "haszero", exact as
    /// a yes or no).
    @inline(__always)
    private static func isPlain(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let below = (word &- ones &* 0x21) & ~word & highs
        let above = ((word &+ ones &* (127 - 0x7E)) | word) & highs
        let equals = word ^ (ones &* 0x3D)
        let hasEquals = (equals &- ones) & ~equals & highs
        return below | above | hasEquals == 0
    }

    /// Whether one of the eight octets of `word` is a CR or an LF ("haszero" on the word XORed with each, exact as a
    /// yes or no).
    @inline(__always)
    static func hasLineEnd(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let lf = word ^ (ones &* 0x0A)
        let cr = word ^ (ones &* 0x0D)
        return ((lf &- ones) & ~lf & highs) | ((cr &- ones) & ~cr & highs) != 0
    }

    /// A "." or the F of "From " at `index`, were it the first octet of a line.
    private static func startsLineSpecially(_ input: UnsafeBufferPointer<UInt8>, _ index: Int, _ end: Int) -> Bool {
        let byte = input[index]
        if byte == 0x2E { return true }
        return byte == 0x46 && end - index >= 5 && input[index + 1] == 0x72 && input[index + 2] == 0x6F
            && input[index + 3] == 0x6D && input[index + 4] == 0x20
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    /// Bytes as base64 in lines of 76 characters, CRLF line ends.
    static func base64Lines(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        base64Lines(bytes, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// ``base64Lines(_:)`` appended to `out` as bytes.
    static func base64Lines(_ bytes: [UInt8], into out: inout [UInt8]) {
        let count = base64LinesCount(bytes.count)
        guard count > 0 else { return }
        let encoded = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            initialized = bytes.withUnsafeBufferPointer { encodeBase64Lines($0, into: buffer.baseAddress!) }
        }
        out.append(contentsOf: encoded)
    }

    /// The octets of ``base64Lines(_:)`` for `count` octets: four per three (the last group padded), and a CRLF
    /// after every 76 of them and after the last.
    static func base64LinesCount(_ count: Int) -> Int {
        let encoded = (count + 2) / 3 * 4
        return encoded + 2 * ((encoded + 75) / 76)
    }

    /// ``base64Lines(_:)`` of `input` written from `out`, which has room for ``base64LinesCount(_:)`` octets;
    /// returns the octets written. Straight to the message (a calendar was encoded into a `String`, turned into
    /// an array, then copied line by line).
    static func encodeBase64Lines(_ input: UnsafeBufferPointer<UInt8>, into out: UnsafeMutablePointer<UInt8>) -> Int {
        alphabet.withUnsafeBufferPointer { a in
            var o = 0
            var column = 0
            var index = 0
            let count = input.count
            while index < count {
                let b0 = input[index]
                let b1 = index + 1 < count ? input[index + 1] : 0
                let b2 = index + 2 < count ? input[index + 2] : 0
                out[o] = a[Int(b0 >> 2)]
                out[o + 1] = a[Int((b0 & 0x03) << 4 | b1 >> 4)]
                out[o + 2] = index + 1 < count ? a[Int((b1 & 0x0F) << 2 | b2 >> 6)] : UInt8(ascii: "=")
                out[o + 3] = index + 2 < count ? a[Int(b2 & 0x3F)] : UInt8(ascii: "=")
                o += 4
                column += 4
                index += 3
                // 76 characters a line: nineteen groups of four.
                if column == 76 || index >= count {
                    out[o] = 0x0D
                    out[o + 1] = 0x0A
                    o += 2
                    column = 0
                }
            }
            return o
        }
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func base64(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let b0 = bytes[index]
            let b1 = index + 1 < bytes.count ? bytes[index + 1] : 0
            let b2 = index + 2 < bytes.count ? bytes[index + 2] : 0
            out.append(alphabet[Int(b0 >> 2)])
            out.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
            out.append(index + 1 < bytes.count ? alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)] : UInt8(ascii: "="))
            out.append(index + 2 < bytes.count ? alphabet[Int(b2 & 0x3F)] : UInt8(ascii: "="))
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF".unicodeScalars)
        return String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0x0F)])
    }

    /// FNV-1a, 64 bits: a stable hash (Swift's `Hasher` is seeded per process) for boundaries.
    static func stableHash(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        let hexDigits = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hexDigits.count) + hexDigits
    }
}
