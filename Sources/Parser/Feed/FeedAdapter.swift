import Foundation
import Notices

/// Maps feed entries to `Notice` values. Every fallback names the feed habit that forced it.
struct FeedAdapter {
    var options: ParseOptions
    /// The feed's own link once known: relative entry links resolve against it when neither `xml:base` nor the
    /// document URL gave a base (feeds saved to disk and parsed by hand).
    var feedLink: String?
    var kind: NoticeKind = .tender
    /// The feed's language once known (`fr-FR` in RSS `language`), for entries without `xml:lang`.
    var feedLanguage: String?

    /// The notice for one entry.
    func notice(from e: FeedEntryDocument) -> Notice {
        let title = e.title?.plain ?? ""
        let url = link(of: e).map(absolutise)
        let published = date(e.published) ?? date(e.dcDate) ?? date(e.created)
        let updated = date(e.updated)
        // feedparser and most readers show the content as summary when there is no description.
        let content = e.content?.plain
        let summary = e.summary?.plain ?? content
        let id = e.id ?? e.rdfAbout
        let sourceID = id ?? url ?? Self.stableHash(title: title, date: e.published ?? e.dcDate ?? e.updated)
        return Notice(
            source: options.sourceID, sourceID: sourceID, kind: kind, title: title, summary: summary,
            content: content, url: url, language: Self.languageCode(e.language ?? feedLanguage),
            published: published, updated: updated,
            categories: e.categories, enclosures: e.enclosures.map(absolutise), author: authorName(e))
    }

    /// The entry's main link: the last RSS `<link>` or alternate Atom link (`FeedLink.main`), else a permalink
    /// guid.
    func link(of e: FeedEntryDocument) -> String? {
        if let l = FeedLink.main(of: e.links) { return l }
        // RSS 2.0: a guid without isPermaLink="false" is the item's URL (many feeds have no <link>).
        if e.guidIsPermaLink, let id = e.id, id.hasPrefix("http://") || id.hasPrefix("https://") { return id }
        return nil
    }

    private func absolutise(_ s: String) -> String {
        guard !URLResolver.isAbsolute(s), let feedLink, URLResolver.isAbsolute(feedLink) else { return s }
        return URLResolver.resolve(s, against: feedLink)
    }

    private func date(_ s: String?) -> Date? {
        guard let s else { return nil }
        return FeedDate.parse(s)
    }

    /// The author's display name: `Name` from `jdoe@example.com (Name)` or `Name <jdoe@example.com>`.
    func authorName(_ e: FeedEntryDocument) -> String? {
        guard let raw = e.author.map(HTMLText.collapseWhitespace), !raw.isEmpty else { return nil }
        guard raw.utf8.contains(0x40) else { return raw }  // no e-mail address to strip
        if let open = raw.firstIndex(of: "("), raw.hasSuffix(")"), raw[..<open].contains("@") {
            let name = raw[raw.index(after: open)..<raw.index(before: raw.endIndex)].trimmingCharacters(
                in: .whitespaces)
            if !name.isEmpty { return name }
        }
        if let lt = raw.firstIndex(of: "<"), raw.hasSuffix(">"), raw[lt...].contains("@") {
            let name = raw[..<lt].trimmingCharacters(in: .whitespaces)
            if !name.isEmpty { return name }
        }
        if let open = raw.lastIndex(of: "("), raw.hasSuffix(")"), raw[open...].contains("@") {
            // `Name (jdoe@example.com)`.
            let name = raw[..<open].trimmingCharacters(in: .whitespaces)
            if !name.isEmpty { return name }
        }
        return raw
    }

    /// ISO 639-1 code from a language tag (`fr-FR`, `FR`, `fr_fr` → `fr`); nil when it is not one.
    static func languageCode(_ tag: String?) -> String? {
        guard let tag else { return nil }
        let primary = tag.split(whereSeparator: { $0 == "-" || $0 == "_" }).first.map { $0.lowercased() } ?? ""
        guard primary.utf8.count == 2, primary.utf8.allSatisfy({ $0 >= 0x61 && $0 <= 0x7A }) else { return nil }
        return primary
    }

    /// `hash:` and 16 hex digits of FNV-1a over title and date: stable across runs for entries with no id or link.
    static func stableHash(title: String, date: String?) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in title.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        h = (h ^ 0x0A) &* 0x100_0000_01b3
        for b in (date ?? "").utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        let hex = String(h, radix: 16)
        return "hash:" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}

extension FeedDocument {
    /// The feed's main link: the last channel `<link>` or alternate Atom link (`FeedLink.main`).
    var mainLink: String? { FeedLink.main(of: links) }

    var documentFormat: DocumentFormat {
        switch format {
        case .rss: return .rss
        case .rdf: return .rdf
        case .atom10, .atom03: return .atom
        }
    }
}
