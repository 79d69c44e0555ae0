import Foundation

/// The text work the renderers do on every item (dropping a character, replacing one byte; trimming is Notices'),
/// in Swift on the UTF-8 bytes instead of Foundation's `NSString` bridging (`trimmingCharacters`,
/// `replacingOccurrences`), which copied each string to UTF-16 and back and was about 15 % of writing a digest.
/// Each helper returns the string itself, without a copy, when there is nothing to change: the common case.
extension String {
    /// Whether any of the UTF-8 bytes is one of `bytes` (all ASCII): a quick test before Character-level work.
    func containsAnyByte(_ bytes: StaticString) -> Bool {
        bytes.withUTF8Buffer { set in utf8.contains { set.contains($0) } }
    }

    /// Each ASCII byte `map` gives bytes for, replaced by them (an empty replacement drops it); itself when no
    /// byte is replaced. Byte-level: a combining mark after the ASCII character does not protect it, which only
    /// matters for the control characters and URL delimiters this is used on.
    func replacingBytes(_ map: (UInt8) -> StaticString?) -> String {
        guard utf8.contains(where: { $0 < 0x80 && map($0) != nil }) else { return self }
        var out: [UInt8] = []
        var copied = 0
        let all = Array(utf8)
        for (i, b) in all.enumerated() where b < 0x80 {
            guard let r = map(b) else { continue }
            if out.isEmpty { out.reserveCapacity(all.count + 16) }
            out.append(contentsOf: all[copied..<i])
            r.withUTF8Buffer { out.append(contentsOf: $0) }
            copied = i + 1
        }
        out.append(contentsOf: all[copied...])
        return String(decoding: out, as: UTF8.self)
    }

    /// The no-break spaces (U+00A0) as plain spaces: spreadsheets read "246 000" as text otherwise.
    var withPlainSpaces: String {
        guard utf8.contains(0xA0) else { return self }
        var out: [UInt8] = []
        let all = Array(utf8)
        out.reserveCapacity(all.count)
        var i = 0
        while i < all.count {
            if all[i] == 0xC2, i + 1 < all.count, all[i + 1] == 0xA0 {
                out.append(0x20)
                i += 2
            } else {
                out.append(all[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Two-digit and four-digit decimal figures without `String(format:)` (CoreFoundation's formatter).
enum Digits {
    /// `07`, `42` (0…99).
    static func two(_ v: Int) -> String {
        guard (0..<100).contains(v) else { return String(v) }
        return String(decoding: [UInt8(48 + v / 10), UInt8(48 + v % 10)], as: UTF8.self)
    }
}

extension String {
    /// `lowercased().hasPrefix(prefix)` for an ASCII lower-case `prefix`, without lower-casing the whole string.
    func hasASCIIPrefix(_ prefix: StaticString) -> Bool {
        prefix.withUTF8Buffer { p in
            var it = utf8.makeIterator()
            for c in p {
                guard let b = it.next() else { return false }
                // ASCII letters fold by their 0x20 bit; other bytes must be equal.
                let lower = (0x41...0x5A).contains(b) ? b | 0x20 : b
                if lower != c { return false }
            }
            return true
        }
    }

    /// An http(s), mailto or tel link, whatever the scheme's case: the only links a digest writes.
    var isSafeLink: Bool {
        hasASCIIPrefix("http://") || hasASCIIPrefix("https://") || hasASCIIPrefix("mailto:") || hasASCIIPrefix("tel:")
    }
}
