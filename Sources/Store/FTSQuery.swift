import Foundation

/// Turns what a user types into an FTS5 MATCH expression that behaves well on French text.
///
/// The index folds case and accents (`unicode61 remove_diacritics 2`) but does not stem, so each word
/// becomes a prefix query and a final plural `s`/`x` is dropped: "traitement de surface" finds
/// "Traitement de Surfaces", "surfaces" finds "surface". French stop words ("de", "la", "pour"…) are
/// dropped unless they are all there is. User input never reaches FTS5 syntax unquoted, so a stray
/// `"` or `:` cannot make the query fail.
enum FTSQuery {
    static let stopWords: Set<String> = [
        "a", "au", "aux", "avec", "ce", "ces", "d", "dans", "de", "des", "du", "en", "et", "l", "la", "le", "les",
        "leur", "ou", "par", "pour", "sur", "un", "une", "y", "the", "of", "and", "for",
    ]

    /// The MATCH expression, or nil when the text has no searchable word.
    static func expression(_ text: String) -> String? {
        var clauses: [String] = []
        var negated: [String] = []
        // Split out "quoted phrases" first.
        var rest = ""
        var phrases: [String] = []
        var inQuote = false
        var current = ""
        for ch in text {
            if ch == "\"" || ch == "«" || ch == "»" {
                if inQuote {
                    phrases.append(current)
                    current = ""
                } else {
                    rest.append(" ")
                }
                inQuote.toggle()
            } else if inQuote {
                current.append(ch)
            } else {
                rest.append(ch)
            }
        }
        if inQuote { rest += " " + current }
        for p in phrases {
            let words = tokens(p)
            guard !words.isEmpty else { continue }
            clauses.append("\"" + words.joined(separator: " ") + "\"")
        }
        var plain: [String] = []
        for raw in rest.split(whereSeparator: { $0.isWhitespace }) {
            if raw.hasPrefix("-"), raw.count > 1 {
                negated += tokens(String(raw.dropFirst())).map { "\"\(stem($0))\" *" }
            } else {
                plain += tokens(String(raw))
            }
        }
        let meaningful = plain.filter { !stopWords.contains($0) }
        for w in (meaningful.isEmpty ? plain : meaningful) {
            clauses.append("\"\(stem(w))\" *")
        }
        guard !clauses.isEmpty else { return nil }
        var expr = clauses.joined(separator: " AND ")
        for n in negated { expr += " NOT " + n }
        return expr
    }

    /// Lower-cased words made of letters and digits (apostrophes split: "l'usinage" → "l", "usinage").
    static func tokens(_ s: String) -> [String] {
        s.lowercased().split { !($0.isLetter || $0.isNumber) }.map(String.init)
    }

    /// Drops a final plural mark so the prefix query finds singular and plural.
    static func stem(_ w: String) -> String {
        if w.count > 3, let last = w.last, last == "s" || last == "x" { return String(w.dropLast()) }
        return w
    }
}
