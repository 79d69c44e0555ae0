import Foundation

/// Finds CPV codes written in text: "45316110-9", "CPV : 71300000", "code CPV principal 42600000".
///
/// A code with its check digit ("45316110-9") is taken anywhere; a bare eight-digit number only after the word
/// CPV (it could be a phone or file number otherwise). Either way the first two digits must be a CPV division.
/// Codes come back as eight digits without check digit, as eForms writes them, without duplicates.
public enum CPVExtractor {
    /// The CPV codes written in `text`, eight digits each, in text order.
    public static func extract(_ text: String) -> [String] {
        extract(folded: FoldedText(text))
    }

    static func extract(folded t: FoldedText) -> [String] {
        let p = Patterns.shared
        var out: [String] = []
        for m in t.matches(p.code) {
            guard let code = t.group(m, 1), isDivision(code) else { continue }
            let hasCheck = t.group(m, 2) != nil
            if !hasCheck {
                let before = t.foldedText(from: max(0, m.range.location - 80), to: m.range.location)
                guard before.contains("cpv") else { continue }
            }
            if !out.contains(code) { out.append(code) }
        }
        return out
    }

    /// The CPV 2008 divisions (first two digits of every code in the vocabulary).
    static let divisions: Set<String> = [
        "03", "09", "14", "15", "16", "18", "19", "22", "24", "30", "31", "32", "33", "34", "35", "37", "38", "39",
        "41", "42", "43", "44", "45", "48", "50", "51", "55", "60", "63", "64", "65", "66", "70", "71", "72", "73",
        "75", "76", "77", "79", "80", "85", "90", "92", "98",
    ]

    static func isDivision(_ code: String) -> Bool { divisions.contains(String(code.prefix(2))) }

    final class Patterns: @unchecked Sendable {
        static let shared = Patterns()
        let code = frenchRegex(#"(?<!\d)(\d{8})(-\d)?(?!\d)"#)
    }
}
