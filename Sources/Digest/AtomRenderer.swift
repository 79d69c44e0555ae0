import Foundation
import Notices

/// The digest as an Atom 1.0 feed (RFC 4287), for staff and members who follow the watch in a feed reader.
///
/// One entry per notice; the entry id is stable per notice (`urn:vigie:<cluster>:<notice id>`), so a notice
/// that changed comes back as an updated entry, not a duplicate. The dated file holds tonight's notices; the
/// subscription (`latest.atom`) holds tonight's then the window's earlier ones, newest first, so a reader that
/// missed a night loses nothing — up to the cluster's `subscription_max_notices` (``DigestInput/windowLimit``,
/// default 500), which the store already caps the window at: a national cluster's 60 days (~48,000 notices)
/// would be a feed of tens of MB rewritten every night. The dated files stay the archive.
public struct AtomRenderer: DigestRenderer {
    public init() {}
    public var format: DigestFormat { .atom }

    public func render(_ input: DigestInput) throws -> [UInt8] { tonightFeed(input) }

    public func renderSubscription(_ input: DigestInput) throws -> [UInt8] { subscriptionFeed(input) }

    func tonightFeed(_ input: DigestInput) -> [UInt8] {
        feed(
            input, selfName: "\(DigestWriter.dateStamp(input.runDate)).atom",
            entries: input.newsNotices.map { ($0, input.runDate, []) })
    }

    func subscriptionFeed(_ input: DigestInput) -> [UInt8] {
        var entries: [(Notice, Date, [String])] = input.newsNotices.map { ($0, input.runDate, []) }
        let member = Wording.isMember(input)
        for e in input.earlierWindow(after: Set(entries.map(\.0.id))) {
            entries.append((e.notice, e.sentAt, member ? [] : e.members))
        }
        return feed(input, selfName: "latest.atom", entries: entries)
    }

    /// Tonight's feed: tonight's news (``DigestInput/newsNotices``). A notice whose deadline nears was an entry
    /// the night it was told; announced again as updated each of its last seven nights, it came back unread in
    /// the reader every night, and on a deployment two months old the feed was mostly such reminders (297 of a
    /// cluster's 463 entries on a 10,000-notice night). The digest lists them under « Échéances proches » and the
    /// calendars keep their deadlines.
    public func text(_ input: DigestInput) -> String {
        String(decoding: tonightFeed(input), as: UTF8.self)
    }

    /// The subscription feed: tonight's news (all of it), then the window's earlier notices, newest first, up to
    /// `windowLimit` entries (``DigestInput/earlierWindow(after:)``).
    public func subscriptionText(_ input: DigestInput) -> String {
        String(decoding: subscriptionFeed(input), as: UTF8.self)
    }

    /// `publicURL` + name, or the bare name (relative to the file) when the folder has no public address.
    func selfLink(_ input: DigestInput, _ name: String) -> String {
        guard var base = input.publicURL?.trimmingWhitespace(), !base.isEmpty else { return name }
        if !base.hasSuffix("/") { base += "/" }
        return base + name
    }

    /// The feed's bytes, written as they come: a staff feed of a national night holds hundreds of entries, each
    /// with every member it went to, and building it as lines of `String`s, joined, then copied to bytes was a
    /// third of its cost. Texts are XML-escaped straight into the output (``ByteEscaper/xml(_:into:)``).
    func feed(_ input: DigestInput, selfName: String, entries: [(notice: Notice, updated: Date, members: [String])])
        -> [UInt8]
    {
        let html = HTMLRenderer()
        let member = Wording.isMember(input)
        var o: [UInt8] = []
        o.reserveCapacity(4096 + entries.count * 2048)
        func put(_ s: StaticString) { s.withUTF8Buffer { o.append(contentsOf: $0) } }
        func put(_ s: String) { o.append(contentsOf: s.utf8) }
        func esc(_ s: String) { ByteEscaper.xml(s, into: &o) }
        let clusterURN = x(urnPart(input.clusterID))
        put(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"fr\">\n"
        )
        put("  <id>urn:vigie:")
        put(clusterURN)
        if let r = input.recipientID {
            put(":")
            esc(urnPart(r))
        }
        put("</id>\n  <title>")
        esc("Veille \(Wording.heading(input))")
        put("</title>\n  <subtitle>")
        esc(input.hasNews ? Wording.overview(input) : Wording.nothing(input))
        put("</subtitle>\n  <link rel=\"self\" type=\"application/atom+xml\" href=\"")
        esc(selfLink(input, selfName))
        put("\"/>\n  <updated>")
        put(ISO8601.format(input.runDate))
        put("</updated>\n  <author><name>")
        esc(input.clusterName)
        put("</name></author>\n  <generator>Vigie</generator>\n")
        // What each entry says of the members it went to, worded from each item where it lies (keeping the items
        // copied them, whole notices).
        var whom: [String: [(name: String, relevance: String, why: [String])]] = [:]
        func add(_ name: String, _ item: DigestItem) {
            let relevance = !member && !name.isEmpty ? Wording.relevance(item, member: false) : ""
            whom[item.notice.id, default: []].append((name, relevance, Wording.reasons(item, member: member)))
        }
        // By index: a `for` over the items copied each one, a whole notice.
        for m in input.members.indices {
            for i in input.members[m].items.indices { add(input.members[m].memberName, input.members[m].items[i]) }
        }
        for i in input.calls.indices { add("", input.calls[i]) }
        var changes: [String: ChangedItem] = [:]
        for c in input.changed { changes[c.notice.id] = c }
        // A member's name is on many entries: escaped once for HTML.
        var names: [String: String] = [:]
        let why = html.esc(Wording.why)
        // The subscription's entries were updated on a few nights only (tonight's, the window's earlier ones).
        var stamps: [Date: String] = [input.runDate: ISO8601.format(input.runDate)]
        var rest: [UInt8] = []
        for (n, updated, members) in entries {
            // What follows the facts and depends on the cluster or the recipient (escaped for HTML here, then for
            // the feed): its parts joined by line feeds. The summary, the notice's alone, comes escaped with the
            // entry's other parts.
            rest.removeAll(keepingCapacity: true)
            func part(_ s: String) {
                if !rest.isEmpty { rest.append(0x0A) }
                ByteEscaper.xml(s, into: &rest)
            }
            let change = changes[n.id]
            if let c = change {
                part(
                    "<p><strong>\(html.esc(Wording.changed)) :</strong></p><ul>"
                        + c.changes.map { "<li>\(html.esc(FrenchFormat.change($0)))</li>" }.joined() + "</ul>")
            }
            for (name, relevance, reasons) in whom[n.id] ?? [] {
                if !member, !name.isEmpty {
                    let escaped = names[name] ?? html.esc(name)
                    names[name] = escaped
                    part("<p><strong>\(escaped)</strong> — \(html.esc(relevance))</p>")
                }
                if !reasons.isEmpty {
                    part("<p>\(why)</p><ul>" + reasons.map { "<li>\(html.esc($0))</li>" }.joined() + "</ul>")
                }
            }
            if !member, !members.isEmpty {
                part("<p><strong>Envoyé à :</strong> \(html.esc(members.joined(separator: ", ")))</p>")
            }
            let parts = entryParts(n, input: input, html: html)
            put("  <entry>\n    <id>urn:vigie:")
            put(clusterURN)
            put(":")
            o.append(contentsOf: parts.id)
            put("</id>\n    <title>")
            // Escaping is per character: the escaped prefix and the escaped title, joined, are the whole escaped.
            if change != nil {
                put("[Modifié] ")
                if !n.title.isEmpty { o.append(contentsOf: parts.title) }
            } else {
                o.append(contentsOf: parts.title)
            }
            put("</title>\n    <updated>")
            if let stamp = stamps[updated] {
                put(stamp)
            } else {
                let stamp = ISO8601.format(updated)
                stamps[updated] = stamp
                put(stamp)
            }
            o.append(contentsOf: parts.tail)
            // The content's paragraphs, joined by line feeds: the facts, the rest, the summary.
            if parts.hasFacts, !rest.isEmpty || parts.summary != nil { o.append(0x0A) }
            o.append(contentsOf: rest)
            if let summary = parts.summary {
                if !rest.isEmpty { o.append(0x0A) }
                o.append(contentsOf: summary)
            }
            put("</content>\n  </entry>\n")
        }
        put("</feed>\n")
        return o
    }

    /// The parts of notice `n`'s entry that hold the notice alone, escaped for the feed: from the night's cache
    /// when there is one (the same notice is an entry of every recipient's feed, tonight's and the subscription's).
    func entryParts(_ n: Notice, input: DigestInput, html: HTMLRenderer) -> DigestRenderCache.AtomEntryParts {
        func make() -> DigestRenderCache.AtomEntryParts {
            var o: [UInt8] = []
            func put(_ s: StaticString) { s.withUTF8Buffer { o.append(contentsOf: $0) } }
            func put(_ s: String) { o.append(contentsOf: s.utf8) }
            func esc(_ s: String) { ByteEscaper.xml(s, into: &o) }
            put("</updated>\n")
            if let p = n.published {
                put("    <published>")
                put(ISO8601.format(p))
                put("</published>\n")
            }
            if let u = n.url, Wording.isWebURL(u) {
                put("    <link rel=\"alternate\" type=\"text/html\" href=\"")
                esc(u.trimmingWhitespace())
                put("\"/>\n")
            }
            if let d = n.documentsURL, Wording.isWebURL(d), d != n.url {
                put("    <link rel=\"related\" type=\"text/html\" title=\"Dossier de consultation (DCE)\" href=\"")
                esc(d.trimmingWhitespace())
                put("\"/>\n")
            }
            put("    <category term=\"")
            esc(n.kind.rawValue)
            put("\" label=\"")
            esc(FrenchFormat.kind(n.kind))
            put("\"/>\n    <content type=\"html\">")
            let facts = Wording.facts(n, input: input).map { f in
                "<p><strong>\(html.esc(f.label)) :</strong> \(html.lines(f.lines))</p>"
            }.joined(separator: "\n")
            esc(facts)
            return DigestRenderCache.AtomEntryParts(
                id: Array(x(urnPart(n.id)).utf8), title: Array(x(n.title.isEmpty ? n.id : n.title).utf8), tail: o,
                hasFacts: !facts.isEmpty, summary: n.summary.map { Array(x("<p>\(html.esc($0))</p>").utf8) })
        }
        return DigestRenderCache.part(of: n, in: input, at: \.atom, make: make)
    }

    /// URN-safe: keeps letters, digits and `-._:`; percent-encodes the rest (RFC 8141).
    func urnPart(_ s: String) -> String {
        // Notice ids are `source:id` in letters, digits and `-`: nothing to encode, nothing to copy.
        if !s.utf8.contains(where: { !Self.isURNSafe($0) }) { return s }
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count + 16)
        for b in s.utf8 {
            if Self.isURNSafe(b) {
                out.append(b)
            } else {
                out.append(contentsOf: [0x25, hex[Int(b >> 4)], hex[Int(b & 0x0F)]])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// ASCII letters, digits and `-._:`.
    static func isURNSafe(_ b: UInt8) -> Bool {
        switch b {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2D, 0x2E, 0x5F, 0x3A: return true
        default: return false
        }
    }

    /// XML escaping for text and attribute values; drops characters XML 1.0 forbids (control characters
    /// some buyer platforms leave in titles would make the whole feed invalid).
    func x(_ s: String) -> String { ByteEscaper.xml(s) }

    /// The reference rules, scalar by scalar (``x(_:)`` does the same on the bytes).
    func escapeByScalar(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\t", "\n", "\r": out.unicodeScalars.append(u)
            default:
                if u.value < 0x20 || u.value == 0xFFFE || u.value == 0xFFFF { continue }
                out.unicodeScalars.append(u)
            }
        }
        return out
    }
}
