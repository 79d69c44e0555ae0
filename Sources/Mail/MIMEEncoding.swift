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
        String(String.UnicodeScalarView(value.unicodeScalars.map { isControl($0) ? " " : $0 }))
    }

    /// Only printable ASCII without spaces, for values that must stay one token (address specs, Message-ID, URI).
    static func cleanToken(_ value: String, dropping forbidden: Set<Unicode.Scalar> = []) -> String {
        String(
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
        // On the UTF-8 bytes in one pass (a digest's HTML part is a few hundred kilobytes per member): CRLF and a
        // lone CR read as LF; each line encoded, soft-broken before 76 characters.
        let input = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(input.count + input.count / 8)
        let digits = Array("0123456789ABCDEF".utf8)
        let from = Array("From ".utf8)
        var lineStart = 0
        var i = 0
        func encodeLine(_ line: ArraySlice<UInt8>) {
            var current = 0  // characters on the current output line
            for index in line.indices {
                let byte = line[index]
                let isLast = index == line.endIndex - 1
                let encoded: Bool
                switch byte {
                case 0x20, 0x09:
                    // White space at the end of a line is dropped by some transports: encoded there.
                    encoded = isLast
                case 0x21...0x7E where byte != 0x3D:
                    // A "." alone at the start of a line is SMTP's end of data: libcurl doubles it, and encoding it
                    // as well keeps the body identical whatever transport carries it.
                    // "From " at the start of a line is rewritten ">From " by mbox-minded relays: its F is encoded.
                    let isLineStart = current == 0
                    let isFrom = byte == 0x46 && isLineStart && line[index...].starts(with: from)
                    encoded = (byte == 0x2E && isLineStart) || isFrom
                default:
                    encoded = true
                }
                let width = encoded ? 3 : 1
                if current + width > 75 {
                    out.append(contentsOf: [0x3D, 0x0D, 0x0A])
                    current = 0
                }
                if encoded {
                    out.append(contentsOf: [0x3D, digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
                } else {
                    out.append(byte)
                }
                current += width
            }
            out.append(contentsOf: [0x0D, 0x0A])
        }
        var lines: [Range<Int>] = []
        while i < input.count {
            if input[i] == 0x0A || input[i] == 0x0D {
                lines.append(lineStart..<i)
                i += input[i] == 0x0D && i + 1 < input.count && input[i + 1] == 0x0A ? 2 : 1
                lineStart = i
            } else {
                i += 1
            }
        }
        lines.append(lineStart..<input.count)
        // The text's final line end ends the last line; it does not open an empty one.
        if lines.count > 1, lines.last?.isEmpty == true { lines.removeLast() }
        for line in lines { encodeLine(input[line]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Bytes as base64 in lines of 76 characters, CRLF line ends.
    static func base64Lines(_ bytes: [UInt8]) -> String {
        let encoded = Array(base64(bytes).utf8)
        var out = ""
        var start = 0
        while start < encoded.count {
            let end = min(start + 76, encoded.count)
            out += String(decoding: encoded[start..<end], as: UTF8.self) + "\r\n"
            start = end
        }
        return out
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
