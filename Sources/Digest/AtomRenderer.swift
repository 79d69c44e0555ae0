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

    public func render(_ input: DigestInput) throws -> [UInt8] { Array(text(input).utf8) }

    public func renderSubscription(_ input: DigestInput) throws -> [UInt8] { Array(subscriptionText(input).utf8) }

    /// Tonight's feed: tonight's news (``DigestInput/newsNotices``). A notice whose deadline nears was an entry
    /// the night it was told; announced again as updated each of its last seven nights, it came back unread in
    /// the reader every night, and on a deployment two months old the feed was mostly such reminders (297 of a
    /// cluster's 463 entries on a 10,000-notice night). The digest lists them under « Échéances proches » and the
    /// calendars keep their deadlines.
    public func text(_ input: DigestInput) -> String {
        feed(
            input, selfName: "\(DigestWriter.dateStamp(input.runDate)).atom",
            entries: input.newsNotices.map { ($0, input.runDate, []) })
    }

    /// The subscription feed: tonight's news (all of it), then the window's earlier notices, newest first, up to
    /// `windowLimit` entries (``DigestInput/earlierWindow(after:)``).
    public func subscriptionText(_ input: DigestInput) -> String {
        var entries: [(Notice, Date, [String])] = input.newsNotices.map { ($0, input.runDate, []) }
        let member = Wording.isMember(input)
        for e in input.earlierWindow(after: Set(entries.map(\.0.id))) {
            entries.append((e.notice, e.sentAt, member ? [] : e.members))
        }
        return feed(input, selfName: "latest.atom", entries: entries)
    }

    /// `publicURL` + name, or the bare name (relative to the file) when the folder has no public address.
    func selfLink(_ input: DigestInput, _ name: String) -> String {
        guard var base = input.publicURL?.trimmingWhitespace(), !base.isEmpty else { return name }
        if !base.hasSuffix("/") { base += "/" }
        return base + name
    }

    func feed(_ input: DigestInput, selfName: String, entries: [(notice: Notice, updated: Date, members: [String])])
        -> String
    {
        let html = HTMLRenderer()
        let member = Wording.isMember(input)
        let feedID = "urn:vigie:\(x(urnPart(input.clusterID)))" + (input.recipientID.map { ":\(x(urnPart($0)))" } ?? "")
        var o: [String] = [
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>",
            "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"fr\">",
            "  <id>\(feedID)</id>",
            "  <title>\(x("Veille \(Wording.heading(input))"))</title>",
            "  <subtitle>\(x(input.hasNews ? Wording.overview(input) : Wording.nothing(input)))</subtitle>",
            "  <link rel=\"self\" type=\"application/atom+xml\" href=\"\(x(selfLink(input, selfName)))\"/>",
            "  <updated>\(ISO8601.format(input.runDate))</updated>",
            "  <author><name>\(x(input.clusterName))</name></author>",
            "  <generator>Vigie</generator>",
        ]
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
        for (n, updated, members) in entries {
            // What follows the facts (escaped here; the facts come escaped from `facts`).
            var body: [String] = []
            if let c = changes[n.id] {
                body.append(
                    "<p><strong>\(html.esc(Wording.changed)) :</strong></p><ul>"
                        + c.changes.map { "<li>\(html.esc(FrenchFormat.change($0)))</li>" }.joined() + "</ul>")
            }
            for (name, relevance, why) in whom[n.id] ?? [] {
                if !member, !name.isEmpty {
                    body.append("<p><strong>\(html.esc(name))</strong> — \(html.esc(relevance))</p>")
                }
                if !why.isEmpty {
                    body.append(
                        "<p>\(html.esc(Wording.why))</p><ul>" + why.map { "<li>\(html.esc($0))</li>" }.joined()
                            + "</ul>")
                }
            }
            if !member, !members.isEmpty {
                body.append("<p><strong>Envoyé à :</strong> \(html.esc(members.joined(separator: ", ")))</p>")
            }
            if let s = n.summary { body.append("<p>\(html.esc(s))</p>") }
            let title = changes[n.id] != nil ? "[Modifié] \(n.title)" : n.title
            o.append("  <entry>")
            o.append("    <id>urn:vigie:\(x(urnPart(input.clusterID))):\(x(urnPart(n.id)))</id>")
            o.append("    <title>\(x(title.isEmpty ? n.id : title))</title>")
            o.append("    <updated>\(ISO8601.format(updated))</updated>")
            if let p = n.published { o.append("    <published>\(ISO8601.format(p))</published>") }
            if let u = n.url, Wording.isWebURL(u) {
                o.append(
                    "    <link rel=\"alternate\" type=\"text/html\" "
                        + "href=\"\(x(u.trimmingWhitespace()))\"/>"
                )
            }
            if let d = n.documentsURL, Wording.isWebURL(d), d != n.url {
                o.append(
                    "    <link rel=\"related\" type=\"text/html\" title=\"Dossier de consultation (DCE)\" "
                        + "href=\"\(x(d.trimmingWhitespace()))\"/>")
            }
            o.append("    <category term=\"\(x(n.kind.rawValue))\" label=\"\(x(FrenchFormat.kind(n.kind)))\"/>")
            let facts = self.facts(n, input: input, html: html)
            // Escaping is per character: the escaped facts and the escaped rest, joined, are the whole escaped.
            let rest = body.isEmpty ? "" : x(body.joined(separator: "\n"))
            let content = facts.isEmpty ? rest : rest.isEmpty ? facts : facts + "\n" + rest
            o.append("    <content type=\"html\">\(content)</content>")
            o.append("  </entry>")
        }
        o.append("</feed>")
        return o.joined(separator: "\n") + "\n"
    }

    /// An entry's facts as HTML paragraphs, escaped for the feed: from the night's cache when there is one (the
    /// same notice is an entry of every recipient's feed, tonight's and the subscription's).
    func facts(_ n: Notice, input: DigestInput, html: HTMLRenderer) -> String {
        func make() -> String {
            x(
                Wording.facts(n, input: input).map { f in
                    "<p><strong>\(html.esc(f.label)) :</strong> \(html.lines(f.lines))</p>"
                }.joined(separator: "\n"))
        }
        return DigestRenderCache.part(of: n, in: input, at: \.atomFacts, make: make)
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
