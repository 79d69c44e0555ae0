import Foundation
import Notices

/// Everything the French extractors find in one piece of text (what `vigie extract` prints).
public struct TextExtraction: Sendable, Hashable {
    public var deadline: ExtractedDeadline?
    public var amounts: [ExtractedAmount]
    public var places: [Place]
    public var cpv: [String]

    /// Runs the four extractors on `text`.
    public init(_ text: String, defaultZone: TimeZone = DeadlineExtractor.parisZone) {
        let folded = FoldedText(text)
        deadline = DeadlineExtractor.all(folded: folded, defaultZone: defaultZone).first
        amounts = AmountExtractor.extract(folded: folded)
        places = PlaceExtractor.extract(folded: folded)
        cpv = CPVExtractor.extract(folded: folded)
    }

    /// The JSON object of `vigie extract --json`: `deadline` (ISO 8601 with offset, or null), `amounts`
    /// (`amount`, `currency`, `vat`, `kind`), `places` (`departement`, `postcode`, `commune`, `nuts`), `cpv`.
    public var jsonObject: [String: Any] {
        func orNull(_ s: String?) -> Any { s.map { $0 as Any } ?? NSNull() }
        return [
            "deadline": orNull(deadline?.date.iso8601),
            "amounts": amounts.map { a -> [String: Any] in
                [
                    "amount": NSDecimalNumber(decimal: a.amount), "currency": a.currency, "vat": orNull(a.vat),
                    "kind": a.kind.rawValue,
                ]
            },
            "places": places.map { p -> [String: Any] in
                [
                    "departement": orNull(p.departement), "postcode": orNull(p.postcode), "commune": orNull(p.commune),
                    "nuts": orNull(p.nuts),
                ]
            },
            "cpv": cpv,
        ]
    }

    /// One line of JSON with sorted keys.
    public func jsonString() -> String {
        let data =
            (try? JSONSerialization.data(
                withJSONObject: jsonObject,
                options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}

/// Fills a notice's empty structured fields from its own text, for sources that give only text
/// (RSS/Atom items of buyer platforms, regional calls for projects).
public enum NoticeEnricher {
    /// Returns `notice` with `deadline`, `value`, `places` and `cpv`/`mainCPV` filled from title, summary and
    /// content when they are empty; fields the source did fill are never replaced.
    public static func enrich(_ notice: Notice) -> Notice {
        var n = notice
        let needs = n.deadline == nil || n.value == nil || n.places.isEmpty || n.cpv.isEmpty
        let text = [notice.title, notice.summary, notice.content].compactMap { $0 }.filter { !$0.isEmpty }
            .joined(separator: "\n")
        guard needs, !text.isEmpty else { return n }
        // One folding of the text for all four extractors.
        let folded = FoldedText(text)
        if n.deadline == nil, let d = DeadlineExtractor.all(folded: folded).first {
            n.deadline = d.date
            if n.kind == .callForProjects, n.call?.closing == nil {
                var call = n.call ?? CallDetails()
                call.closing = d.date
                n.call = call
            }
        }
        if n.value == nil, let v = AmountExtractor.money(from: AmountExtractor.extract(folded: folded)) {
            n.value = v
        }
        if n.places.isEmpty {
            n.places = PlaceExtractor.extract(folded: folded)
        }
        if n.cpv.isEmpty {
            let codes = CPVExtractor.extract(folded: folded)
            if !codes.isEmpty {
                n.cpv = codes
                n.mainCPV = n.mainCPV ?? codes[0]
            }
        }
        return n
    }
}
