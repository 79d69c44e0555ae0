import Foundation
import Notices

/// CommonMark digest: readable as plain text in a mail, rendered nicely by any forge or mail client.
public struct MarkdownRenderer: DigestRenderer {
    public init() {}
    public var format: DigestFormat { .markdown }

    public func render(_ input: DigestInput) throws -> [UInt8] { Array(text(input).utf8) }

    /// The digest as Markdown text.
    public func text(_ input: DigestInput) -> String {
        var o: [String] = []
        var shown = Set<String>()
        let now = input.runDate
        o.append("# \(esc(Wording.title(input)))")
        o.append("")
        o.append(Wording.overview(input))
        o.append("")
        if !input.hasNews {
            o.append(Wording.nothing)
            o.append("")
        }
        let withItems = input.members.filter { !$0.items.isEmpty }
        if !withItems.isEmpty {
            o.append("## \(Wording.members(input))")
            o.append("")
            for m in withItems {
                o.append("### \(esc(m.memberName)) (\(m.items.count))")
                o.append("")
                for item in m.items {
                    notice(item.notice, now: now, into: &o, item: item, shown: &shown, names: input.sourceNames)
                }
            }
        }
        if !input.consortia.isEmpty {
            o.append("## \(Wording.consortia)")
            o.append("")
            for c in input.consortia {
                notice(c.notice, now: now, into: &o, item: nil, shown: &shown, names: input.sourceNames)
                if !Wording.rationale(c).isEmpty {
                    o.append("Pourquoi en consortium ?")
                    o.append("")
                    for r in Wording.rationale(c) { o.append("- \(esc(r))") }
                    o.append("")
                }
                o.append("Groupement proposé :")
                o.append("")
                for p in c.partners {
                    let lead = p.memberName == c.lead ? " — **mandataire pressenti**" : ""
                    let segs = p.segments.isEmpty ? "" : " : \(esc(p.segments.joined(separator: ", ")))"
                    o.append("- \(esc(p.memberName))\(segs)\(lead)")
                }
                o.append("")
            }
        }
        if !input.signals.isEmpty {
            o.append("## \(Wording.signals)")
            o.append("")
            for s in input.signals {
                notice(s.notice, now: now, into: &o, item: nil, shown: &shown, names: input.sourceNames)
                o.append("- \(esc(Wording.signal(s)))")
                o.append("")
            }
        }
        if !input.calls.isEmpty {
            o.append("## \(Wording.calls)")
            o.append("")
            for item in input.calls {
                notice(item.notice, now: now, into: &o, item: item, shown: &shown, names: input.sourceNames)
            }
        }
        let watches = input.watches.filter { !$0.items.isEmpty }
        if !watches.isEmpty {
            o.append("## \(Wording.watches)")
            o.append("")
            for w in watches {
                o.append("### \(esc(w.name)) (\(w.items.count))")
                o.append("")
                if !w.recipients.isEmpty {
                    o.append("Destinataires : \(esc(w.recipients.joined(separator: ", ")))")
                    o.append("")
                }
                for item in w.items {
                    notice(item.notice, now: now, into: &o, item: item, shown: &shown, names: input.sourceNames)
                }
            }
        }
        if !input.deadlinesSoon.isEmpty {
            o.append("## \(Wording.deadlines)")
            o.append("")
            for item in input.deadlinesSoon {
                let n = item.notice
                let d = FrenchFormat.mainDeadline(n)
                var line = "- **\(d.map { FrenchFormat.dateTime($0) } ?? "—")**"
                if let d { line += " (\(FrenchFormat.relative(d, from: now)))" }
                line += " — \(link(n))"
                if !item.members.isEmpty { line += " — \(esc(Wording.shortList(item.members)))" }
                o.append(line)
            }
            o.append("")
        }
        if !input.changed.isEmpty {
            o.append("## \(Wording.changed)")
            o.append("")
            for c in input.changed {
                o.append("### \(link(c.notice))")
                o.append("")
                for ch in c.changes { o.append("- \(esc(FrenchFormat.change(ch)))") }
                var told = "Envoyé à \(esc(Wording.audiences(c).joined(separator: ", ")))"
                if let t = c.toldAt { told += " le \(FrenchFormat.date(t))" }
                o.append("- \(told)")
                o.append("")
            }
        }
        if !input.sources.isEmpty {
            o.append("## \(Wording.sources)")
            o.append("")
            o.append("| Source | État | Nouveaux avis | Dernier succès | Échecs consécutifs | Remarque |")
            o.append("|---|---|---:|---|---:|---|")
            for s in input.sources {
                let cells = [
                    esc(s.name ?? s.sourceID), FrenchFormat.source(s.status), "\(s.newNotices)",
                    s.lastSuccess.map { FrenchFormat.dateTime($0) } ?? "jamais", "\(s.consecutiveFailures)",
                    esc(FrenchFormat.sourceRemark(s)),
                ]
                o.append("| " + cells.joined(separator: " | ") + " |")
            }
            o.append("")
        }
        o.append("---")
        o.append(Wording.footer)
        return o.joined(separator: "\n") + "\n"
    }

    private func link(_ n: Notice) -> String {
        let title = esc(n.title.isEmpty ? n.id : n.title)
        guard let url = n.url, let safe = safeURL(url) else { return title }
        return "[\(title)](<\(safe)>)"
    }

    /// The full notice the first time it appears in the digest; afterwards only what differs for this
    /// recipient (relevance, reasons), so a notice routed to ten members does not fill ten screens.
    private func notice(
        _ n: Notice, now: Date, into o: inout [String], item: DigestItem?, shown: inout Set<String>,
        names: [String: String]
    ) {
        o.append("#### \(link(n))")
        o.append("")
        let first = shown.insert(n.id).inserted
        if !first {
            relevance(item, into: &o)
            o.append("- Détails de l'avis plus haut")
            o.append("")
            why(item, into: &o)
            return
        }
        for (label, value) in Wording.facts(n, now: now) { o.append("- **\(label) :** \(esc(value))") }
        relevance(item, into: &o)
        o.append("- \(esc(Wording.sourceLine(n, also: item?.alsoPublishedOn ?? [], names: names)))")
        o.append("")
        if let s = n.summary, !s.isEmpty {
            o.append("> \(esc(s.count > 400 ? String(s.prefix(400)) + "…" : s))")
            o.append("")
        }
        why(item, into: &o)
    }

    /// The item's relevance and members, with the full notice and again wherever it is referred back to.
    private func relevance(_ item: DigestItem?, into o: inout [String]) {
        guard let item else { return }
        o.append("- **Pertinence :** \(Wording.relevance(item))")
        if !item.members.isEmpty {
            o.append("- **Adhérents concernés :** \(esc(item.members.joined(separator: ", ")))")
        }
    }

    /// Why the item was routed, as a list.
    private func why(_ item: DigestItem?, into o: inout [String]) {
        guard let item, !Wording.reasons(item).isEmpty else { return }
        o.append("**\(Wording.why)**")
        o.append("")
        for r in Wording.reasons(item) { o.append("- \(esc(r))") }
        o.append("")
    }

    /// Backslash-escapes what CommonMark would read as markup in text taken from notices.
    func esc(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for ch in s {
            switch ch {
            case "\\", "`", "*", "_", "[", "]", "<", ">", "#", "|":
                out.append("\\")
                out.append(ch)
            case "\n", "\r": out.append(" ")
            default: out.append(ch)
            }
        }
        return out
    }

    /// Only http(s) and mailto links, with characters that would end the `<…>` destination percent-encoded.
    func safeURL(_ s: String) -> String? {
        let lower = s.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") || lower.hasPrefix("mailto:") else {
            return nil
        }
        return s.replacingOccurrences(of: "<", with: "%3C").replacingOccurrences(of: ">", with: "%3E")
            .replacingOccurrences(of: " ", with: "%20").replacingOccurrences(of: "\n", with: "")
    }
}
