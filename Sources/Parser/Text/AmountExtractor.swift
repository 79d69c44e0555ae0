import Foundation
import Notices

/// An amount of money found in French text.
public struct ExtractedAmount: Sendable, Hashable {
    /// What the amount stands for, judged from its label.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// "Valeur estimée", "Montant estimé", "Estimation".
        case estimated
        /// A lower bound ("20 000 euros HT au minimum", "de 30 000 à …").
        case min
        /// An upper bound ("au maximum", "plafonnée à", "Valeur maximale de l'accord-cadre").
        case max
        /// "Budget", "enveloppe".
        case budget
        /// Anything else with a currency, such as the cost of the works (not the contract's value).
        case other
    }

    /// The figure, multipliers applied ("1,2 M€" → 1 200 000).
    public var amount: Decimal
    /// ISO 4217 code: `EUR`, `MAD` (dirhams on Moroccan portals), `XPF`, `USD`…
    public var currency: String
    /// `HT`, `TTC`, or nil when unstated.
    public var vat: String?
    public var kind: Kind

    public init(amount: Decimal, currency: String, vat: String?, kind: Kind) {
        self.amount = amount
        self.currency = currency
        self.vat = vat
        self.kind = kind
    }
}

/// Finds amounts of money in French notice text: "246 000,00 €", "1,2 M€ TTC", "150 k€ HT",
/// "136,000,000 Euro", "20 000 euros HT au minimum ; 100 000 euros HT au maximum", "de 30 000 à 2 000 000 euros",
/// "Estimation (en Dhs TTC) * : 15 000 000,00".
///
/// A number counts only with a currency (after it, or declared in its label). Amounts whose label is a
/// requirement on the candidate — minimum turnover, capital, insurance — or a guarantee are dropped: they are not
/// the contract's value. The cost of works ("coût prévisionnel des travaux") is kept with kind `other`.
public enum AmountExtractor {
    /// Every amount in `text`, in text order.
    public static func extract(_ text: String) -> [ExtractedAmount] {
        extract(folded: FoldedText(text))
    }

    static func extract(folded t: FoldedText) -> [ExtractedAmount] {
        let p = Patterns.shared
        struct Raw {
            var start: Int
            var end: Int
            var value: Decimal
            var currency: String?
            var vat: String?
            var kind: ExtractedAmount.Kind?
            var excluded = false
        }
        var raws: [Raw] = []
        for m in t.matches(p.number) {
            let numberText = t.foldedText(m.range(at: 1))
            guard var value = FrenchText.parseNumber(numberText) else { continue }
            var end = NSMaxRange(m.range)
            var raw = Raw(start: m.range.location, end: end, value: value)
            if let cm = t.match(p.currency, at: end) {
                let mult = t.group(cm, 1) ?? ""
                if mult.hasPrefix("k") || mult == "mille" { value *= 1000 }
                if mult == "m" || mult.hasPrefix("million") { value *= 1_000_000 }
                if mult.hasPrefix("md") || mult.hasPrefix("milliard") { value *= 1_000_000_000 }
                raw.value = value
                raw.currency = currencyCode(t.group(cm, 2) ?? "")
                end = NSMaxRange(cm.range)
            }
            if raw.currency != nil, let vm = t.match(p.vat, at: end) {
                raw.vat = (t.group(vm, 1) ?? "").hasPrefix("t") ? "TTC" : "HT"
                end = NSMaxRange(vm.range)
            }
            if raw.currency != nil, let km = t.match(p.boundAfter, at: end) {
                raw.kind = (t.group(km, 1) ?? "").hasPrefix("min") ? .min : .max
                end = NSMaxRange(km.range)
            }
            raw.end = end
            raws.append(raw)
        }
        // Ranges: "de 30 000 à 2 000 000 euros" — the first bound takes the second's currency and VAT.
        for i in raws.indices.dropLast() where raws[i].currency == nil && raws[i + 1].currency != nil {
            let between = t.foldedText(from: raws[i].end, to: raws[i + 1].start)
            if between.range(of: #"^\s*(?:a|et|-|au)\s*$"#, options: .regularExpression) != nil {
                raws[i].currency = raws[i + 1].currency
                raws[i].vat = raws[i].vat ?? raws[i + 1].vat
                raws[i].kind = raws[i].kind ?? .min
                raws[i + 1].kind = raws[i + 1].kind ?? .max
            }
        }
        var out: [ExtractedAmount] = []
        var previousEnd = 0
        var sentenceKind: ExtractedAmount.Kind?
        var sentenceExcluded = false
        for var raw in raws {
            let window = labelWindow(t, before: raw.start, after: previousEnd)
            if window.startsSentence {
                sentenceKind = nil
                sentenceExcluded = false
            }
            let label = window.text
            defer { previousEnd = raw.end }
            if raw.currency == nil {
                // "Estimation (en Dhs TTC) * : 15 000 000,00": the unit is declared in the label.
                guard let dm = firstMatch(p.declaredCurrency, in: label), let unit = dm.group(1) else { continue }
                raw.currency = currencyCode(unit)
            }
            if raw.vat == nil {
                if label.range(of: #"\bttc\b|t\.t\.c|toutes taxes"#, options: .regularExpression) != nil {
                    raw.vat = "TTC"
                } else if label.range(of: #"hors tax|hors tva|\bht\b|h\.t\."#, options: .regularExpression) != nil {
                    raw.vat = "HT"
                }
            }
            if label.range(of: p.excludedLabel, options: .regularExpression) != nil {
                sentenceExcluded = true
            }
            if sentenceExcluded { continue }
            let labelKind = kind(of: label)
            if let k = labelKind { sentenceKind = k }
            let kind = raw.kind ?? labelKind ?? sentenceKind ?? .other
            guard let currency = raw.currency, raw.value > 0 else { continue }
            out.append(ExtractedAmount(amount: raw.value, currency: currency, vat: raw.vat, kind: kind))
        }
        return out
    }

    /// The notice value these amounts give: an estimate or budget first, else the min/max range; amounts of
    /// kind `other` (works cost) never become the value.
    public static func money(from amounts: [ExtractedAmount]) -> Money? {
        if let e = amounts.first(where: { $0.kind == .estimated || $0.kind == .budget }) {
            return Money(amount: e.amount, currency: e.currency, vat: e.vat)
        }
        let mins = amounts.filter { $0.kind == .min }
        let maxs = amounts.filter { $0.kind == .max }
        guard !mins.isEmpty || !maxs.isEmpty else { return nil }
        let ref = (mins + maxs)[0]
        return Money(
            currency: ref.currency, min: mins.map(\.amount).min(), max: maxs.map(\.amount).max(),
            vat: ref.vat)
    }

    // MARK: - Labels

    struct Window {
        var text: String
        var startsSentence: Bool
    }

    static func labelWindow(_ t: FoldedText, before start: Int, after previousEnd: Int) -> Window {
        let from = max(previousEnd, start - 140, 0)
        var w = t.foldedText(from: from, to: start)
        var starts = from == 0 || from == start - 140
        if let r = FrenchText.lastMatch(Patterns.shared.sentenceEnd, in: w) {
            w = String(w[r.upperBound...])
            starts = true
        }
        return Window(text: w, startsSentence: starts)
    }

    static func kind(of label: String) -> ExtractedAmount.Kind? {
        let p = Patterns.shared
        if label.range(of: p.worksCost, options: .regularExpression) != nil { return .other }
        if label.range(of: p.maxLabel, options: .regularExpression) != nil { return .max }
        if label.range(of: p.minLabel, options: .regularExpression) != nil { return .min }
        if label.range(of: p.budgetLabel, options: .regularExpression) != nil { return .budget }
        if label.range(of: p.estimatedLabel, options: .regularExpression) != nil { return .estimated }
        return nil
    }

    static func currencyCode(_ unit: String) -> String {
        let u = unit.trimmingCharacters(in: .whitespaces)
        switch u {
        case "€", "eur", "euro", "euros": return "EUR"
        case "dhs", "dh", "mad", "dirhams", "dirham": return "MAD"
        case "usd", "$", "dollars", "dollars us": return "USD"
        case "chf", "francs suisses": return "CHF"
        case "£", "gbp", "livres sterling": return "GBP"
        case "fcfa", "xof", "francs cfa": return "XOF"
        default:
            if u.contains("cfp") || u == "xpf" { return "XPF" }
            return u.uppercased()
        }
    }

    struct SimpleMatch {
        let result: NSTextCheckingResult
        let string: NSString
        func group(_ i: Int) -> String? {
            let r = result.range(at: i)
            return r.location == NSNotFound ? nil : string.substring(with: r)
        }
    }

    static func firstMatch(_ r: NSRegularExpression, in s: String) -> SimpleMatch? {
        let ns = s as NSString
        guard let m = r.firstMatch(in: s, range: NSRange(location: 0, length: ns.length)) else { return nil }
        return SimpleMatch(result: m, string: ns)
    }

    final class Patterns: @unchecked Sendable {
        static let shared = Patterns()

        /// "246 000,00", "136,000,000", "1,2", "159691.6"; thousands groups separated by one space, dot or comma.
        let number = frenchRegex(#"(?<![\d,.])(\d{1,3}(?:[ .,]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d+)?)(?![\d])"#)
        /// Multiplier and currency right after a number: "k€", " M€", " millions d'euros", " euros", " Dhs".
        let currency = frenchRegex(
            #"^\s*(k|m|md|mds|mille|millions?|milliards?)?\s*(?:d'|de\s+)?"#
                + #"(€|euros?\b|eur\b|dhs\b|dh\b|mad\b|dirhams?\b|usd\b|\$|dollars(?: us)?\b|chf\b|francs suisses"#
                + #"|£|gbp\b|livres sterling|xpf\b|f\s?cfp\b|francs? cfp\b|fcfa\b|xof\b|francs cfa)"#)
        let vat = frenchRegex(
            #"^\s*\(?\s*(ht\b|h\.t\.?|hors tax\w*|hors tva|ttc\b|t\.t\.c\.?|toutes taxes comprises|net de tva)"#)
        /// A sentence end or a line break: where a label window starts.
        let sentenceEnd = frenchRegex(#"[.!?;]\s+(?=\S)|\n"#)
        let boundAfter = frenchRegex(#"^\s*,?\s*(?:au |en |de |du )?(minimum|maximum|mini\b|maxi\b)"#)
        let declaredCurrency = frenchRegex(
            #"\(\s*(?:en\s+)?(€|euros?|eur|dhs|dh|mad|dirhams?|usd|xpf|chf)\b[^)]*\)|\ben\s+(?:euros|€)"#)
        let excludedLabel =
            #"chiffre d'?\s?affaires|\bca\b (?:global|annuel|moyen)|capital social|assurance"#
            + #"|garantie|caution|penalit|indemnit|retenue de|salaire|remuneration des"#
        let worksCost =
            #"cout\w*\s+(?:\w+\s+){0,2}des travaux|montant\w*\s+(?:\w+\s+){0,2}des travaux"#
            + #"|enveloppe (?:\w+\s+){0,3}travaux"#
        let maxLabel =
            #"maxim|\bmaxi\b|plafon|jusqu'a|au plus|ne (?:pourra|peut|doit) (?:pas )?exceder"#
            + #"|dans la limite de|n'excedant pas"#
        let minLabel = #"minim|\bmini\b|au moins|plancher|a partir de"#
        let budgetLabel = #"budget|enveloppe|dotation"#
        let estimatedLabel = #"valeur|montant|estimation|estime|previsionnel|estimatif|evalue|prix global"#
    }
}
