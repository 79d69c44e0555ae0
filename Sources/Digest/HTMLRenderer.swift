import Foundation
import Notices

/// A self-contained HTML page (inline CSS, no script, no remote resource) that reads well in a browser
/// and in mail clients. Every text from a notice is escaped; links are limited to http(s) and mailto.
public struct HTMLRenderer: DigestRenderer {
    public init() {}
    public var format: DigestFormat { .html }

    public func render(_ input: DigestInput) throws -> [UInt8] { Array(text(input).utf8) }

    static let style = """
        body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:52rem;margin:2rem auto;\
        padding:0 1rem;color:#1d2430;line-height:1.45}
        h1{font-size:1.6rem;border-bottom:3px solid #1f5fa8;padding-bottom:.3rem}
        h2{font-size:1.3rem;margin-top:2.2rem;color:#1f5fa8}
        h3{font-size:1.1rem;margin-top:1.6rem}
        article{border:1px solid #d5dbe3;border-radius:6px;padding:.6rem 1rem;margin:.8rem 0;background:#fbfcfe}
        article h4{margin:.2rem 0 .5rem;font-size:1rem}
        dl{display:grid;grid-template-columns:max-content 1fr;gap:.15rem .8rem;margin:.4rem 0}
        dt{font-weight:600;color:#4a5568}dd{margin:0}
        .why{background:#eef5ff;border-left:3px solid #1f5fa8;padding:.3rem .8rem;margin:.5rem 0}
        .why p{margin:.2rem 0;font-weight:600}
        .meta{color:#5f6b7a;font-size:.9rem}
        .direct{color:#1c7c3a}.indirect{color:#8a5a00}
        table{border-collapse:collapse;width:100%;font-size:.9rem}
        th,td{border:1px solid #d5dbe3;padding:.3rem .5rem;text-align:left;vertical-align:top}
        th{background:#f0f3f7}
        .ok{color:#1c7c3a}.failing{color:#b3261e;font-weight:600}.skipped{color:#5f6b7a}
        .stale,.incomplete{color:#8a5a00}
        nav ul{columns:2}
        footer{margin-top:2rem;color:#5f6b7a;font-size:.85rem;border-top:1px solid #d5dbe3;padding-top:.5rem}
        """

    /// The digest as an HTML document.
    public func text(_ input: DigestInput) -> String {
        var o: [String] = []
        var shown = Set<String>()
        let now = input.runDate
        o.append("<!DOCTYPE html>")
        o.append("<html lang=\"fr\">")
        o.append("<head>")
        o.append("<meta charset=\"utf-8\">")
        o.append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        o.append("<title>\(esc(Wording.title(input)))</title>")
        o.append("<style>\n\(Self.style)\n</style>")
        o.append("</head>")
        o.append("<body>")
        o.append("<h1>\(esc(Wording.title(input)))</h1>")
        o.append("<p class=\"meta\">\(esc(Wording.overview(input)))</p>")
        if !input.hasNews { o.append("<p>\(esc(Wording.nothing))</p>") }
        let withItems = input.members.filter { !$0.items.isEmpty }
        var nav: [(String, String)] = []
        if !withItems.isEmpty { nav.append(("adherents", Wording.members(input))) }
        if !input.consortia.isEmpty { nav.append(("meute", Wording.consortia)) }
        if !input.signals.isEmpty { nav.append(("signaler", Wording.signals)) }
        if !input.calls.isEmpty { nav.append(("appels", Wording.calls)) }
        if input.watches.contains(where: { !$0.items.isEmpty }) { nav.append(("veilles", Wording.watches)) }
        if !input.deadlinesSoon.isEmpty { nav.append(("echeances", Wording.deadlines)) }
        if !input.changed.isEmpty { nav.append(("modifies", Wording.changed)) }
        if !input.sources.isEmpty { nav.append(("sources", Wording.sources)) }
        if nav.count > 1 {
            o.append("<nav><ul>")
            for (id, label) in nav { o.append("<li><a href=\"#\(id)\">\(esc(label))</a></li>") }
            o.append("</ul></nav>")
        }
        if !withItems.isEmpty {
            o.append("<h2 id=\"adherents\">\(esc(Wording.members(input)))</h2>")
            for m in withItems {
                o.append("<section>")
                o.append("<h3>\(esc(m.memberName)) (\(m.items.count))</h3>")
                for item in m.items {
                    article(item.notice, now: now, item: item, into: &o, shown: &shown, names: input.sourceNames)
                }
                o.append("</section>")
            }
        }
        if !input.consortia.isEmpty {
            o.append("<h2 id=\"meute\">\(esc(Wording.consortia))</h2>")
            for c in input.consortia {
                var extra: [String] = []
                if !Wording.rationale(c).isEmpty {
                    extra.append(
                        "<div class=\"why\"><p>Pourquoi en consortium ?</p><ul>"
                            + Wording.rationale(c).map { "<li>\(esc($0))</li>" }.joined() + "</ul></div>")
                }
                extra.append(
                    "<p>Groupement proposé :</p><ul>"
                        + c.partners.map { p in
                            var s = "<li>\(esc(p.memberName))"
                            if !p.segments.isEmpty { s += " : \(esc(p.segments.joined(separator: ", ")))" }
                            if p.memberName == c.lead { s += " — <strong>mandataire pressenti</strong>" }
                            return s + "</li>"
                        }.joined() + "</ul>")
                article(c.notice, now: now, item: nil, into: &o, extra: extra, shown: &shown, names: input.sourceNames)
            }
        }
        if !input.signals.isEmpty {
            o.append("<h2 id=\"signaler\">\(esc(Wording.signals))</h2>")
            for s in input.signals {
                article(s.notice, now: now, item: nil, into: &o,
                        extra: ["<div class=\"why\"><p>\(esc(Wording.signal(s)))</p></div>"], shown: &shown,
                        names: input.sourceNames)
            }
        }
        if !input.calls.isEmpty {
            o.append("<h2 id=\"appels\">\(esc(Wording.calls))</h2>")
            for item in input.calls {
                article(item.notice, now: now, item: item, into: &o, shown: &shown, names: input.sourceNames)
            }
        }
        let watches = input.watches.filter { !$0.items.isEmpty }
        if !watches.isEmpty {
            o.append("<h2 id=\"veilles\">\(esc(Wording.watches))</h2>")
            for w in watches {
                o.append("<section>")
                o.append("<h3>\(esc(w.name)) (\(w.items.count))</h3>")
                if !w.recipients.isEmpty {
                    o.append("<p class=\"meta\">Destinataires : \(esc(w.recipients.joined(separator: ", ")))</p>")
                }
                for item in w.items {
                    article(item.notice, now: now, item: item, into: &o, shown: &shown, names: input.sourceNames)
                }
                o.append("</section>")
            }
        }
        if !input.deadlinesSoon.isEmpty {
            o.append("<h2 id=\"echeances\">\(esc(Wording.deadlines))</h2>")
            o.append("<table><thead><tr><th>Date limite</th><th>Avis</th><th>Adhérents</th></tr></thead><tbody>")
            for item in input.deadlinesSoon {
                let n = item.notice
                let d = FrenchFormat.mainDeadline(n)
                let when = d.map { "\(FrenchFormat.dateTime($0)) (\(FrenchFormat.relative($0, from: now)))" } ?? "—"
                o.append(
                    "<tr><td>\(esc(when))</td><td>\(link(n))</td>"
                        + "<td>\(esc(Wording.shortList(item.members)))</td></tr>"
                )
            }
            o.append("</tbody></table>")
        }
        if !input.changed.isEmpty {
            o.append("<h2 id=\"modifies\">\(esc(Wording.changed))</h2>")
            for c in input.changed {
                o.append("<article>")
                o.append("<h4>\(link(c.notice))</h4>")
                o.append("<ul>" + c.changes.map { "<li>\(esc(FrenchFormat.change($0)))</li>" }.joined() + "</ul>")
                var told = "Envoyé à \(Wording.audiences(c).joined(separator: ", "))"
                if let t = c.toldAt { told += " le \(FrenchFormat.date(t))" }
                o.append("<p class=\"meta\">\(esc(told))</p>")
                o.append("</article>")
            }
        }
        if !input.sources.isEmpty {
            o.append("<h2 id=\"sources\">\(esc(Wording.sources))</h2>")
            o.append(
                "<table><thead><tr><th>Source</th><th>État</th><th>Nouveaux avis</th><th>Dernier succès</th>"
                    + "<th>Échecs consécutifs</th><th>Remarque</th></tr></thead><tbody>")
            for s in input.sources {
                o.append(
                    "<tr><td>\(esc(s.name ?? s.sourceID))</td>"
                        + "<td class=\"\(s.status.rawValue)\">\(esc(FrenchFormat.source(s.status)))</td>"
                        + "<td>\(s.newNotices)</td>"
                        + "<td>\(esc(s.lastSuccess.map { FrenchFormat.dateTime($0) } ?? "jamais"))</td>"
                        + "<td>\(s.consecutiveFailures)</td><td>\(esc(FrenchFormat.sourceRemark(s)))</td></tr>")
            }
            o.append("</tbody></table>")
        }
        o.append("<footer>\(esc(Wording.footer))</footer>")
        o.append("</body>")
        o.append("</html>")
        return o.joined(separator: "\n") + "\n"
    }

    private func link(_ n: Notice) -> String {
        let title = esc(n.title.isEmpty ? n.id : n.title)
        guard let url = n.url, let safe = safeURL(url) else { return title }
        return "<a href=\"\(esc(safe))\">\(title)</a>"
    }

    /// An HTML id for a notice's first article, so later mentions can link to it.
    func anchor(_ n: Notice) -> String {
        "avis-"
            + String(
                n.id.unicodeScalars.map { u -> Character in
                    u.isASCII && (CharacterSet.alphanumerics.contains(u) || u == "-") ? Character(u) : "_"
                })
    }

    /// The full notice the first time it appears; afterwards relevance and reasons with a link to it.
    private func article(
        _ n: Notice, now: Date, item: DigestItem?, into o: inout [String], extra: [String] = [],
        shown: inout Set<String>, names: [String: String]
    ) {
        let first = shown.insert(n.id).inserted
        o.append(first ? "<article id=\"\(anchor(n))\">" : "<article>")
        o.append("<h4>\(link(n))</h4>")
        o.append("<dl>")
        if !first {
            relevance(item, into: &o)
            why(item, into: &o)
            o.append(contentsOf: extra)
            o.append("<p class=\"meta\"><a href=\"#\(anchor(n))\">Détails de l'avis plus haut</a></p>")
            o.append("</article>")
            return
        }
        for (label, value) in Wording.facts(n, now: now) { o.append("<dt>\(esc(label))</dt><dd>\(esc(value))</dd>") }
        relevance(item, into: &o)
        if let s = n.summary, !s.isEmpty {
            o.append("<p>\(esc(s.count > 600 ? String(s.prefix(600)) + "…" : s))</p>")
        }
        why(item, into: &o)
        o.append(contentsOf: extra)
        o.append("<p class=\"meta\">\(esc(Wording.sourceLine(n, also: item?.alsoPublishedOn ?? [], names: names)))</p>")
        o.append("</article>")
    }

    /// The item's relevance and members, then the end of the facts list: shown with the full notice and
    /// again wherever the same notice is only referred back to.
    private func relevance(_ item: DigestItem?, into o: inout [String]) {
        if let item {
            o.append(
                "<dt>Pertinence</dt><dd class=\"\(item.direct.map { $0 ? "direct" : "indirect" } ?? "score")\">"
                    + "\(esc(Wording.relevance(item)))</dd>")
            if !item.members.isEmpty {
                o.append("<dt>Adhérents concernés</dt><dd>\(esc(item.members.joined(separator: ", ")))</dd>")
            }
        }
        o.append("</dl>")
    }

    /// Why the item was routed, as a list.
    private func why(_ item: DigestItem?, into o: inout [String]) {
        guard let item, !Wording.reasons(item).isEmpty else { return }
        o.append(
            "<div class=\"why\"><p>\(esc(Wording.why))</p><ul>"
                + Wording.reasons(item).map { "<li>\(esc($0))</li>" }.joined() + "</ul></div>")
    }

    /// Escapes the five HTML-significant characters.
    func esc(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }

    func safeURL(_ s: String) -> String? {
        let lower = s.trimmingCharacters(in: .whitespaces).lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") || lower.hasPrefix("mailto:") else {
            return nil
        }
        return s.trimmingCharacters(in: .whitespaces)
    }
}
