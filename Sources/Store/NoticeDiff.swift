import Foundation
import Notices

/// Material differences between two versions of a notice.
///
/// `published` and `updated` are left out on purpose: several RSS feeds (buyer platforms) bump
/// `updated` or `pubDate` at every fetch with nothing else changed, and telling a member
/// "changed since we told you" for that would be noise.
enum NoticeDiff {
    static func changes(from old: Notice, to new: Notice) -> [NoticeChange] {
        var out: [NoticeChange] = []
        func add(_ field: String, _ a: String?, _ b: String?) {
            if a != b { out.append(NoticeChange(field: field, old: a, new: b)) }
        }
        /// For long texts and structures, only say that they changed.
        func addOpaque<T: Equatable>(_ field: String, _ a: T, _ b: T) {
            if a != b { out.append(NoticeChange(field: field, old: nil, new: nil)) }
        }
        add("kind", old.kind.rawValue, new.kind.rawValue)
        add("title", old.title, new.title)
        add("deadline", old.deadline?.iso8601, new.deadline?.iso8601)
        add("value", money(old.value), money(new.value))
        add("buyer", old.buyer?.name, new.buyer?.name)
        add("url", old.url, new.url)
        add("procedure", old.procedure, new.procedure)
        add("version", old.version, new.version)
        add("main_cpv", old.mainCPV, new.mainCPV)
        add("cpv", old.cpv.joined(separator: " "), new.cpv.joined(separator: " "))
        add("places", places(old.places), places(new.places))
        addOpaque("summary", old.summary, new.summary)
        addOpaque("content", old.content, new.content)
        addOpaque("other_deadlines", old.otherDeadlines, new.otherDeadlines)
        addOpaque("lots", old.lots, new.lots)
        addOpaque("descriptors", old.descriptors, new.descriptors)
        add("call_closing", old.call?.closing?.iso8601, new.call?.closing?.iso8601)
        addOpaque("call", old.call, new.call)
        if out.contains(where: { $0.field == "call_closing" }) {
            out.removeAll { $0.field == "call" }
        }
        add(
            "awardees", old.awardees.compactMap(\.name).joined(separator: ", "),
            new.awardees.compactMap(\.name).joined(separator: ", "))
        addOpaque("refs", old.refs, new.refs)
        addOpaque("enclosures", old.enclosures, new.enclosures)
        return out
    }

    static func money(_ m: Money?) -> String? {
        guard let m else { return nil }
        var parts: [String] = []
        if let a = m.amount { parts.append("\(a)") }
        if m.min != nil || m.max != nil {
            parts.append("[\(m.min.map { "\($0)" } ?? "")–\(m.max.map { "\($0)" } ?? "")]")
        }
        if let c = m.currency { parts.append(c) }
        if let v = m.vat { parts.append(v) }
        return parts.isEmpty ? nil : parts.joined(separator: " ")
    }

    static func places(_ p: [Place]) -> String? {
        let s = p.map { [$0.departement, $0.nuts, $0.postcode, $0.commune].compactMap { $0 }.joined(separator: "/") }
            .joined(separator: ", ")
        return s.isEmpty ? nil : s
    }
}

/// FNV-1a 64-bit hash of the notice JSON, as hex: a cheap, stable fingerprint (not security).
enum Fingerprint {
    static func of(_ s: String) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in s.utf8 {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01b3
        }
        return String(h, radix: 16)
    }
}
