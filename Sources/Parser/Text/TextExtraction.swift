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
        deadline = DeadlineExtractor.extract(text, defaultZone: defaultZone)
        amounts = AmountExtractor.extract(text)
        places = PlaceExtractor.extract(text)
        cpv = CPVExtractor.extract(text)
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
        let text = [notice.title, notice.summary, notice.content].compactMap { $0 }.filter { !$0.isEmpty }
            .joined(separator: "\n")
        guard !text.isEmpty else { return n }
        if n.deadline == nil, let d = DeadlineExtractor.extract(text) {
            n.deadline = d.date
            if n.kind == .callForProjects, n.call?.closing == nil {
                var call = n.call ?? CallDetails()
                call.closing = d.date
                n.call = call
            }
        }
        if n.value == nil, let v = AmountExtractor.money(from: AmountExtractor.extract(text)) {
            n.value = v
        }
        if n.places.isEmpty {
            n.places = PlaceExtractor.extract(text)
        }
        if n.cpv.isEmpty {
            let codes = CPVExtractor.extract(text)
            if !codes.isEmpty {
                n.cpv = codes
                n.mainCPV = n.mainCPV ?? codes[0]
            }
        }
        return n
    }
}
