import Foundation
import Notices

/// Reads a contact point out of a free-text contact field (aides-territoires `contact`, HTML written by hand:
/// « Clémence LEBERT, animatrice gestionnaire LEADER<br/>02 40 96 96 07<br/>leader@pays-ancenis.com »).
///
/// Only what has an unmistakable form is taken: an e-mail address, a French telephone number and a web link, the
/// first of each. The name is left out: the text mixes offices, people, functions, postal addresses and sentences
/// (« Prenez contact avec la CCPMB pour vous renseigner : »), and which line names whom cannot be told.
///
/// A field that lists several contacts is a directory: e-mail addresses at several domains (69777: the Region and
/// AD'OCC), more than two telephone numbers (8451: one water-agency office per group of départements), or several
/// addresses each with its number (94839: one referent per group of départements). Which entry concerns the reader
/// is not in the data, so no address or number is picked, and only the link is kept. Two addresses of one office
/// (98912: « mattioli@cc-madetmoselle.Fr ou accueil@… ») or an office's telephone and fax (97343) are one contact.
enum ContactExtractor {
    /// The contact point an HTML or plain-text contact field gives, nil when it holds none of the three.
    static func extract(html: String?) -> ContactPoint? {
        guard let html, !html.isEmpty else { return nil }
        let p = Patterns.shared
        let text = HTMLText.toText(html)
        // A `mailto:` link is the address the writer meant to be used; the visible text may differ (the Drôme
        // payload prints « • n » before a link whose text and address are `ina.croizet@…`).
        let emails =
            all(p.mailto, in: html, group: 1).compactMap { FormatSupport.text(fromHTML: $0) }
            + all(p.email, in: text, group: 0)
        let phones = all(p.phone, in: text, group: 0)
        let addresses = Set(emails.map { $0.lowercased() })
        let domains = Set(addresses.compactMap { $0.split(separator: "@").last })
        let numbers = Set(phones.map { String($0.filter(\.isNumber).suffix(9)) })
        let isDirectory = domains.count > 1 || numbers.count > 2 || (addresses.count > 1 && numbers.count > 1)
        let url =
            all(p.href, in: html, group: 1).first.flatMap { FormatSupport.text(fromHTML: $0) }
            ?? all(p.url, in: text, group: 0).first.map(trimTrailingPunctuation)
        return FormatSupport.contact(
            name: nil, email: isDirectory ? nil : emails.first, phone: isDirectory ? nil : phones.first, url: url)
    }

    /// Every match of `regex` in `s` (the given group), in text order.
    static func all(_ regex: NSRegularExpression, in s: String, group: Int) -> [String] {
        let ns = s as NSString
        return regex.matches(in: s, range: NSRange(location: 0, length: ns.length)).compactMap { m in
            guard m.range(at: group).location != NSNotFound else { return nil }
            return FormatSupport.nonEmpty(ns.substring(with: m.range(at: group)))
        }
    }

    /// A link written in a sentence ends before the sentence's punctuation (« … : http://…/territoriales. »).
    static func trimTrailingPunctuation(_ s: String) -> String {
        var s = Substring(s)
        while let last = s.last, ".,;:)»!?".contains(last) { s = s.dropLast() }
        return String(s)
    }

    final class Patterns: @unchecked Sendable {
        static let shared = Patterns()
        let mailto = frenchRegex(#"href\s*=\s*["']\s*mailto:\s*([^"'?\s]+)"#)
        let href = frenchRegex(#"href\s*=\s*["']\s*(https?://[^"'\s]+)"#)
        let email = frenchRegex(#"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"#)
        /// French numbers as people write them: 04 75 26 99 43, 04.30.08.81.26, +33 320127979, (+33) 4-91-39-49-33.
        let phone = frenchRegex(
            #"(?<![\d+])(?:(?:\(\+33\)|\+33)\s?(?:\(0\)\s?)?[1-9]|0[1-9])(?:[\s.\-]?\d{2}){4}(?!\d)"#)
        let url = frenchRegex(#"(?:https?://|www\.)[^\s<>"]+"#)
    }
}
