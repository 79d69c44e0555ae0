import Foundation

/// `trimmingCharacters(in: .whitespaces)` (or `.whitespacesAndNewlines`) in Swift, on the text's scalars: the rules
/// reader trims every keyword, code and address of every rule file (30,000 members in a national deployment) and
/// the digest renderers trim addresses on every item, and NSString's trimming, with its copies to UTF-16 and back,
/// was a fifth of reading the rules and a share of writing digests. The same characters as Foundation's (see
/// `isFoundationWhitespace`); the text itself, without a copy, when there is nothing to trim.
extension String {
    /// The text without leading and trailing whitespace (and newlines with `newlines`), as Foundation trims it.
    public func trimmingWhitespace(newlines: Bool = false) -> String {
        guard let first = utf8.first, let last = utf8.last else { return self }
        // A visible ASCII character at both ends (every address and code the notices and rules carry): as is.
        if first > 0x20, first < 0x7F, last > 0x20, last < 0x7F { return self }
        return trimmingScalars { Self.isFoundationWhitespace($0, newlines: newlines) }
    }

    /// The text without the leading and trailing scalars `drop` accepts; itself when there are none.
    public func trimmingScalars(where drop: (Unicode.Scalar) -> Bool) -> String {
        let scalars = unicodeScalars
        var start = scalars.startIndex
        var end = scalars.endIndex
        while start < end, drop(scalars[start]) { start = scalars.index(after: start) }
        while end > start, drop(scalars[scalars.index(before: end)]) { end = scalars.index(before: end) }
        if start == scalars.startIndex && end == scalars.endIndex { return self }
        return String(scalars[start..<end])
    }

    /// Whether nothing is left once whitespace (not newlines) is trimmed.
    public var isBlank: Bool { unicodeScalars.allSatisfy { Self.isFoundationWhitespace($0, newlines: false) } }

    /// What `CharacterSet.whitespaces` holds — Unicode `Zs`, tab, and U+200B (a space in older Unicode, still
    /// trimmed) — and with `newlines` what `.whitespacesAndNewlines` adds.
    public static func isFoundationWhitespace(_ c: Unicode.Scalar, newlines: Bool) -> Bool {
        switch c.value {
        case 0x09, 0x20, 0xA0, 0x1680, 0x2000...0x200B, 0x202F, 0x205F, 0x3000: return true
        case 0x0A...0x0D, 0x85, 0x2028, 0x2029: return newlines
        default: return false
        }
    }
}
