import Foundation

/// Derived forms of a French keyword, so that a rule written as a noun also finds its adjective, its agent noun
/// or its trade noun: « agrivoltaïsme » finds « projet agrivoltaïque », « chaudronnerie » finds « chaudronnier »,
/// « soudage » finds « soudeur ». The light stem of ``FrenchNormalizer`` already folds plurals and feminines;
/// this adds the suffix families a cluster's staff would otherwise have to spell out.
///
/// Only the last word of a phrase is derived (the head noun of « traitement thermique » is not), wildcards are
/// left alone, and a root must keep four letters (« soud- » of soudage/soudeur). The variants are extra keyword
/// forms, never a folding of the notice's text: « fraisage » adds « fraiseur », it does not make « frais » match.
enum FrenchDerivation {
    /// Suffix families: each suffix of a family may replace any other.
    static let families: [[String]] = [
        ["isme", "ique", "iste"],
        ["age", "eur", "euse"],
        ["erie", "ier", "ière"],
        ["ation", "ateur", "atrice"],
    ]

    /// The derived variants of `keyword` (without the keyword itself).
    static func variants(of keyword: String) -> [String] {
        guard !keyword.hasSuffix("*") else { return [] }
        // Accents fold before matching anyway; folding here lets « agrivoltaïsme » end in « isme ».
        let lower = keyword.lowercased().folding(options: .diacriticInsensitive, locale: nil)
        // Split off the last word (letters only) of the phrase.
        guard
            let lastStart = lower.lastIndex(where: { !$0.isLetter }).map({ lower.index(after: $0) })
                ?? (lower.isEmpty ? nil : lower.startIndex)
        else { return [] }
        let head = String(lower[..<lastStart])
        let word = String(lower[lastStart...])
        var out: [String] = []
        for family in families {
            for suffix in family where word.hasSuffix(suffix) {
                let root = String(word.dropLast(suffix.count))
                guard root.count >= 4 else { continue }
                for other in family where other != suffix { out.append(head + root + other) }
                break
            }
        }
        return out
    }
}
