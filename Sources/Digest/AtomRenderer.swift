import Foundation
import Notices

/// The digest as an Atom 1.0 feed (RFC 4287), for staff who follow the watch in a feed reader.
///
/// One entry per notice shown; the entry id is stable per notice (`urn:vigie:<cluster>:<notice id>`) and
/// `updated` is the run date, so a notice that changed comes back as an updated entry, not a duplicate.
public struct AtomRenderer: DigestRenderer {
    public init() {}
    public var format: DigestFormat { .atom }

    public func render(_ input: DigestInput) throws -> [UInt8] { Array(text(input).utf8) }

    public func text(_ input: DigestInput) -> String {
        let html = HTMLRenderer()
        let updated = ISO8601.format(input.runDate)
        var o: [String] = [
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>",
            "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"fr\">",
            "  <id>urn:vigie:\(x(urnPart(input.clusterID)))"
                + (input.recipientID.map { ":\(x(urnPart($0)))" } ?? "") + "</id>",
            "  <title>\(x("Veille \(Wording.heading(input))"))</title>",
            "  <subtitle>\(x(Wording.overview(input)))</subtitle>",
            "  <updated>\(updated)</updated>",
            "  <author><name>Vigie</name></author>",
            "  <generator>Vigie</generator>",
        ]
        var whom: [String: [(String, DigestItem)]] = [:]
        for m in input.members { for i in m.items { whom[i.notice.id, default: []].append((m.memberName, i)) } }
        var changes: [String: ChangedItem] = [:]
        for c in input.changed { changes[c.notice.id] = c }
        for n in input.allNotices {
            var body: [String] = []
            for (label, value) in Wording.facts(n, now: input.runDate) {
                body.append("<p><strong>\(html.esc(label)) :</strong> \(html.esc(value))</p>")
            }
            if let c = changes[n.id] {
                body.append(
                    "<p><strong>\(html.esc(Wording.changed)) :</strong></p><ul>"
                        + c.changes.map { "<li>\(html.esc(FrenchFormat.change($0)))</li>" }.joined() + "</ul>")
            }
            for (member, item) in whom[n.id] ?? [] {
                body.append("<p><strong>\(html.esc(member))</strong> — \(html.esc(Wording.relevance(item)))</p>")
                if !Wording.reasons(item).isEmpty {
                    body.append(
                        "<p>\(html.esc(Wording.why))</p><ul>"
                            + Wording.reasons(item).map { "<li>\(html.esc($0))</li>" }.joined() + "</ul>")
                }
            }
            if let s = n.summary { body.append("<p>\(html.esc(s))</p>") }
            let title = changes[n.id] != nil ? "[Modifié] \(n.title)" : n.title
            o.append("  <entry>")
            o.append("    <id>urn:vigie:\(x(urnPart(input.clusterID))):\(x(urnPart(n.id)))</id>")
            o.append("    <title>\(x(title.isEmpty ? n.id : title))</title>")
            o.append("    <updated>\(updated)</updated>")
            if let p = n.published { o.append("    <published>\(ISO8601.format(p))</published>") }
            if let u = n.url, let safe = html.safeURL(u) {
                o.append("    <link rel=\"alternate\" type=\"text/html\" href=\"\(x(safe))\"/>")
            }
            o.append("    <category term=\"\(x(n.kind.rawValue))\" label=\"\(x(FrenchFormat.kind(n.kind)))\"/>")
            o.append("    <content type=\"html\">\(x(body.joined(separator: "\n")))</content>")
            o.append("  </entry>")
        }
        o.append("</feed>")
        return o.joined(separator: "\n") + "\n"
    }

    /// URN-safe: keeps letters, digits and `-._:`; percent-encodes the rest (RFC 8141).
    func urnPart(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            let c = Character(UnicodeScalar(b))
            if (b < 128 && (c.isLetter || c.isNumber)) || c == "-" || c == "." || c == "_" || c == ":" {
                out.append(c)
            } else {
                out += String(format: "%%%02X", b)
            }
        }
        return out
    }

    /// XML escaping for text and attribute values; drops characters XML 1.0 forbids (control characters
    /// some buyer platforms leave in titles would make the whole feed invalid).
    func x(_ s: String) -> String {
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
