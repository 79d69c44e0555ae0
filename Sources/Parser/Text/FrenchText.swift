import Foundation

/// Text normalisation shared by the French extractors.
///
/// The extractors match (with `NSRegularExpression`, which is thread-safe) on a *folded* copy of the text —
/// lower case, no accents, one kind of space and apostrophe — that has exactly the same UTF-16 length as the
/// original, so a match in the folded text can be cut back out of the original (a commune name keeps its
/// accents and capitals).
struct FoldedText {
    /// The original text, with exotic spaces and apostrophes already normalised.
    let original: NSString
    /// Same UTF-16 length as `original`: lower case, accents removed.
    let folded: NSString
    let string: String
    let length: Int

    init(_ text: String) {
        // Composed form first when the text has combining marks: a decomposed "é" (e + U+0301) would not fold.
        let hasCombiningMarks = text.utf16.contains { $0 >= 0x0300 && $0 <= 0x036F }
        let source = hasCombiningMarks ? text.precomposedStringWithCanonicalMapping : text
        // One UTF-16 unit in, one out: surrogates and other non-BMP units pass through unchanged.
        var orig: [UInt16] = []
        var fold: [UInt16] = []
        orig.reserveCapacity(source.utf16.count)
        fold.reserveCapacity(source.utf16.count)
        let table = FrenchText.unitTable
        for u in source.utf16 {
            if Int(u) < table.count {
                let (n, f) = table[Int(u)]
                orig.append(n)
                fold.append(f)
            } else if let scalar = Unicode.Scalar(u) {
                let n = FrenchText.normalizeScalar(scalar)
                orig.append(UInt16(n.value))
                fold.append(UInt16(FrenchText.foldScalar(n).value))
            } else {
                orig.append(u)
                fold.append(u)
            }
        }
        original = String(decoding: orig, as: UTF16.self) as NSString
        string = String(decoding: fold, as: UTF16.self)
        folded = string as NSString
        length = folded.length
    }

    /// The original text in `range` (clamped).
    func originalText(_ range: NSRange) -> String {
        original.substring(with: clamp(range))
    }

    /// The folded text in `range` (clamped).
    func foldedText(_ range: NSRange) -> String {
        folded.substring(with: clamp(range))
    }

    /// The folded text between two UTF-16 offsets.
    func foldedText(from a: Int, to b: Int) -> String {
        foldedText(NSRange(location: a, length: max(0, b - a)))
    }

    func clamp(_ r: NSRange) -> NSRange {
        let a = max(0, min(r.location, length))
        let b = max(a, min(r.location + r.length, length))
        return NSRange(location: a, length: b - a)
    }

    /// Every match of `regex` in the folded text, from offset `from`.
    func matches(_ regex: NSRegularExpression, from: Int = 0, to: Int? = nil) -> [NSTextCheckingResult] {
        let end = min(to ?? length, length)
        guard from < end else { return [] }
        return regex.matches(in: string, range: NSRange(location: from, length: end - from))
    }

    /// The first match of `regex` anchored at `from` (the pattern should start with `^` or `\G`).
    func match(_ regex: NSRegularExpression, at from: Int, maxLength: Int = 80) -> NSTextCheckingResult? {
        let end = min(length, from + maxLength)
        guard from <= end else { return nil }
        return regex.firstMatch(in: string, options: [.anchored], range: NSRange(location: from, length: end - from))
    }

    /// Capture group `i` of `m` in the folded text, nil when the group did not take part.
    func group(_ m: NSTextCheckingResult, _ i: Int) -> String? {
        let r = m.range(at: i)
        return r.location == NSNotFound ? nil : folded.substring(with: r)
    }
}

/// Compiles a pattern known to be valid (the extractors' own patterns, checked by their tests).
func frenchRegex(_ pattern: String) -> NSRegularExpression {
    do {
        return try NSRegularExpression(pattern: pattern, options: [])
    } catch {
        fatalError("parser: invalid built-in pattern \(pattern): \(error)")
    }
}

/// French-specific helpers: folding, month names, number parsing.
enum FrenchText {
    /// Unifies spaces and apostrophes. French typography uses U+00A0 and U+202F as thousands separators
    /// ("246 000,00 €") and curly apostrophes ("d’exécution"); BOAMP text mixes all of them.
    /// Always maps a BMP scalar to a BMP scalar, so UTF-16 offsets are kept.
    static func normalizeScalar(_ u: Unicode.Scalar) -> Unicode.Scalar {
        switch u.value {
        case 0x00A0, 0x202F, 0x2009, 0x2007, 0x09, 0x0A, 0x0D, 0x2028, 0x200A: return " "
        case 0x2019, 0x2018, 0x02BC, 0x60, 0xB4: return "'"
        case 0x2010, 0x2011, 0x2013, 0x2014, 0x2212: return "-"
        case 0xAB, 0xBB, 0x201C, 0x201D: return "\""
        default: return u
        }
    }

    /// (normalised, folded) for every UTF-16 unit below U+0250 (ASCII, Latin-1, Latin Extended-A/B): the
    /// common case of French text, without a call per character.
    static let unitTable: [(UInt16, UInt16)] = (0..<0x250).map { v -> (UInt16, UInt16) in
        guard let s = Unicode.Scalar(UInt32(v)) else { return (UInt16(v), UInt16(v)) }
        let n = normalizeScalar(s)
        return (UInt16(n.value), UInt16(foldScalar(n).value))
    }

    /// Lower case without diacritics, one scalar for one (and never changing its UTF-16 length).
    static func foldScalar(_ u: Unicode.Scalar) -> Unicode.Scalar {
        let v = u.value
        if v < 0x80 { return v >= 65 && v <= 90 ? Unicode.Scalar(v + 32)! : u }
        switch u {
        case "à", "â", "ä", "á", "À", "Â", "Ä", "Á", "æ", "Æ": return "a"
        case "é", "è", "ê", "ë", "É", "È", "Ê", "Ë": return "e"
        case "î", "ï", "í", "Î", "Ï": return "i"
        case "ô", "ö", "ó", "Ô", "Ö", "œ", "Œ": return "o"
        case "ù", "û", "ü", "ú", "Ù", "Û", "Ü": return "u"
        case "ç", "Ç": return "c"
        case "ÿ", "Ÿ": return "y"
        case "€": return u
        default:
            let s = String(u).folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil)
            if s.unicodeScalars.count == 1, let f = s.unicodeScalars.first, f.utf16.count == u.utf16.count { return f }
            return u
        }
    }

    /// Folded form of a whole string.
    static func fold(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        for u in s.unicodeScalars { out.append(foldScalar(normalizeScalar(u))) }
        return String(out)
    }

    /// Key to compare place names: folded, with hyphens, apostrophes and spaces removed, "saint" → "st".
    static func foldName(_ s: String) -> String {
        var f = fold(s)
        f = f.replacingOccurrences(of: "saint-", with: "st-").replacingOccurrences(of: "saint ", with: "st ")
        if f.hasPrefix("la ") { f.removeFirst(3) }
        return String(f.filter { $0.isLetter || $0.isNumber })
    }

    /// French month names, folded (accents gone: "fevrier", "aout", "decembre").
    static let months: [String: Int] = [
        "janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7, "aout": 8,
        "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12,
        "janv": 1, "fevr": 2, "fev": 2, "avr": 4, "juil": 7, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
    ]

    /// Parses a French-written number: "246 000,00", "136,000,000", "1,2", "159691.6", "1.500".
    ///
    /// With both marks, the last one is the decimal mark ("1.234,56"). With one kind only, a mark seen twice,
    /// or once before exactly three digits, separates thousands ("136,000,000", "1.500"); otherwise it is the
    /// decimal mark ("1,2", "246000,00", "159691.6").
    static func parseNumber(_ s: String) -> Decimal? {
        let chars = s.filter { $0 != " " }
        guard !chars.isEmpty else { return nil }
        var intPart = chars
        var fracPart = ""
        if let last = chars.lastIndex(where: { $0 == "," || $0 == "." }) {
            let mark = chars[last]
            let marks = chars.filter { $0 == "," || $0 == "." }
            let after = chars.distance(from: chars.index(after: last), to: chars.endIndex)
            let mixed = marks.contains { $0 != mark }
            let isDecimal = mixed || (marks.count == 1 && after != 3)
            if isDecimal {
                intPart = String(chars[..<last])
                fracPart = String(chars[chars.index(after: last)...])
            }
        }
        let digits = intPart.filter { $0.isNumber }
        let frac = fracPart.filter { $0.isNumber }
        guard !digits.isEmpty || !frac.isEmpty else { return nil }
        return Decimal(string: (digits.isEmpty ? "0" : digits) + (frac.isEmpty ? "" : "." + frac))
    }

    /// Range of the last match of `regex` in `s`. (Foundation on Linux ignores `.backwards` for regular
    /// expression searches and returns the first match.)
    static func lastMatch(_ regex: NSRegularExpression, in s: String) -> Range<String.Index>? {
        guard let m = regex.matches(in: s, range: NSRange(s.startIndex..., in: s)).last else { return nil }
        return Range(m.range, in: s)
    }

    /// UTF-16 offset of the last match of `regex` in `s`, nil without one.
    static func lastMatchLocation(_ regex: NSRegularExpression, in s: String) -> Int? {
        regex.matches(in: s, range: NSRange(location: 0, length: (s as NSString).length)).last?.range.location
    }
}
