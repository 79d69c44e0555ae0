import Foundation
import Notices

/// Reads the free-text result of an FNSimple attribution (`attributionMarche`), the only place where that form
/// gives lots, winners and amounts (26-81190):
///
///     Lot 1 : Travaux de réhabilitation de l'ouvrage d'art Attribution : attribué à 1 entreprise(s) - GRAGLIA BTP
///     (43293695300012) Notifié le 05/06/2026 Montant : 213400.41 euros Lot 2 : …
///
/// This is BOAMP's fixed rendering of the form's fields, so only that rendering is read: a winner is
/// "- NAME (14-digit SIRET)", an amount is "Montant : N euros"; a text worded otherwise gives nothing rather
/// than a guess.
enum BOAMPAttributionText {
    struct Result {
        var winners: [Buyer] = []
        var lots: [Lot] = []
    }

    static func read(_ text: String) -> Result {
        var result = Result()
        let ns = text as NSString
        let lotMarks = patterns.lot.matches(in: text, range: NSRange(location: 0, length: ns.length))
        var segments: [(id: String?, range: NSRange)] = []
        if lotMarks.isEmpty {
            segments = [(nil, NSRange(location: 0, length: ns.length))]
        } else {
            for (i, m) in lotMarks.enumerated() {
                let start = NSMaxRange(m.range)
                let end = i + 1 < lotMarks.count ? lotMarks[i + 1].range.location : ns.length
                segments.append((ns.substring(with: m.range(at: 1)), NSRange(location: start, length: end - start)))
            }
        }
        for segment in segments {
            let body = ns.substring(with: segment.range)
            let b = body as NSString
            // The lot's title runs up to "Attribution :"; winners and amount follow it.
            let cut = b.range(of: "Attribution :")
            let head = cut.location == NSNotFound ? body : b.substring(to: cut.location)
            let tail = cut.location == NSNotFound ? body : b.substring(from: cut.location)
            let t = tail as NSString
            var winners: [Buyer] = []
            for m in patterns.winner.matches(in: tail, range: NSRange(location: 0, length: t.length)) {
                let name = FormatSupport.clean(t.substring(with: m.range(at: 1)))
                let winner = Buyer(name: name, id: t.substring(with: m.range(at: 2)))
                if !winners.contains(winner) { winners.append(winner) }
            }
            for w in winners where !result.winners.contains(w) { result.winners.append(w) }
            guard let id = segment.id else { continue }
            var lot = Lot(id: id, title: FormatSupport.nonEmpty(FormatSupport.clean(head)))
            if let m = patterns.amount.firstMatch(in: tail, range: NSRange(location: 0, length: t.length)),
                let v = FormatSupport.decimal(FormatSupport.trim(t.substring(with: m.range(at: 1)))), v > 0
            {
                lot.value = Money(amount: v, currency: "EUR", kind: .awarded)
            }
            result.lots.append(lot)
        }
        return result
    }

    final class Patterns: @unchecked Sendable {
        let lot = try! NSRegularExpression(pattern: #"(?:^|\s)Lot\s+(\d{1,3})\s*:\s*"#)
        let winner = try! NSRegularExpression(pattern: #"-\s+([^()\-][^()]*?)\s+\((\d{14})\)"#)
        let amount = try! NSRegularExpression(pattern: #"Montant\s*:\s*([0-9][0-9 .,]*?)\s*euros"#)
    }

    static let patterns = Patterns()
}
