import Foundation

/// Amounts as people write them in rule files and on the command line: `2500000`, `2 500 000`, `2.5M`, `2,5 M€`,
/// `800k`. One reader for both, so that `vigie query --min-value 800k` accepts what a rule's `min_value: 800k` does.
public enum EuroAmount {
    /// The amount in euros, or nil when the text is not an amount (negative, not finite, not a number).
    public static func parse(_ raw: String) -> Double? {
        var s = raw.replacingOccurrences(of: "€", with: "").replacingOccurrences(of: "EUR", with: "")
            .replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "_", with: "")
            .replacingOccurrences(of: "\u{A0}", with: "").replacingOccurrences(of: "\u{202F}", with: "")
            .replacingOccurrences(of: ",", with: ".")
        var factor = 1.0
        if s.hasSuffix("M") || s.hasSuffix("m") {
            factor = 1_000_000
            s.removeLast()
        } else if s.hasSuffix("k") || s.hasSuffix("K") {
            factor = 1_000
            s.removeLast()
        }
        guard let v = Double(s), v >= 0, v.isFinite else { return nil }
        return v * factor
    }
}
