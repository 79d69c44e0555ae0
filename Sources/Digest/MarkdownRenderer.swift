import Foundation
import Notices

/// CommonMark digest: readable as plain text in a mail (it is the e-mail's text part), rendered nicely by any
/// forge or mail client. Same content as the HTML.
public struct MarkdownRenderer: DigestRenderer {
    public init() {}
    public var format: DigestFormat { .markdown }

    public func render(_ input: DigestInput) throws -> [UInt8] { Array(text(input).utf8) }

    /// The digest as Markdown text.
    public func text(_ input: DigestInput) -> String {
        var o: [String] = []
        var shown = Set<String>()
        let now = input.runDate
        let member = Wording.isMember(input)
        o.append("# \(esc(Wording.title(input)))")
        o.append("")
        o.append(Wording.overview(input))
        o.append("")
        if !input.hasNews {
            o.append("**\(Wording.nothing(input))**")
            o.append("")
        }
        if Wording.isStaff(input) && input.hasNews {
            o.append("## \(Wording.summary)")
            o.append("")
            for f in Wording.summaryRows(input) { fact(f, into: &o) }
            o.append("")
        }
        if Wording.isStaff(input) && !input.mailFailures.isEmpty {
            o.append("## \(Wording.mailFailures)")
            o.append("")
            for f in input.mailFailures { o.append("- \(esc(Wording.mailFailure(f)))") }
            o.append("")
        }
        let sections = Wording.orderedMembers(input)
        if !sections.isEmpty {
            o.append("## \(Wording.members(input))")
            o.append("")
            if member {
                // By index: a `for` over the items copied each one (a whole notice) for every entry.
                for s in sections.indices {
                    for i in sections[s].items.indices {
                        notice(
                            sections[s].items[i].notice, input: input, into: &o,
                            item: ItemLines(sections[s].items[i], member: true), shown: &shown)
                    }
                }
            } else {
                for g in Wording.byNotice(sections) { staffNotice(g, sections, input: input, into: &o, shown: &shown) }
            }
        }
        if !input.consortia.isEmpty {
            o.append("## \(Wording.consortia)")
            o.append("")
            for c in input.consortia {
                notice(c.notice, input: input, into: &o, item: nil, shown: &shown)
                o.append("**\(Wording.whyConsortium)**")
                o.append("")
                for r in Wording.rationale(c, member: member) { o.append("- \(esc(r))") }
                o.append("")
                o.append("**Groupement proposé :**")
                o.append("")
                for p in c.partners {
                    let lead = p.memberName == c.lead ? " — **mandataire pressenti**" : ""
                    let segs = p.segments.isEmpty ? "" : " : \(esc(p.segments.joined(separator: ", ")))"
                    o.append("- \(esc(p.memberName))\(segs)\(lead)")
                }
                if c.hiddenPartners > 0 {
                    var s =
                        "- avec \(FrenchFormat.plural(c.hiddenPartners, "autre adhérent", "autres adhérents"))"
                        + " — contactez l'équipe"
                    if let staff = Wording.staffContact(input) { s += " : [\(esc(staff.address))](<\(staff.url)>)" }
                    o.append(s)
                }
                o.append("")
            }
        }
        if !input.signals.isEmpty {
            o.append("## \(Wording.signals)")
            o.append("")
            for s in input.signals {
                notice(s.notice, input: input, into: &o, item: nil, shown: &shown)
                o.append("- \(esc(Wording.signal(s)))")
                o.append("")
            }
        }
        if !input.calls.isEmpty {
            o.append("## \(Wording.calls)")
            o.append("")
            for i in input.calls.indices {
                notice(
                    input.calls[i].notice, input: input, into: &o, item: ItemLines(input.calls[i], member: member),
                    shown: &shown)
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
                    notice(item.notice, input: input, into: &o, item: ItemLines(item, member: member), shown: &shown)
                }
            }
        }
        if !input.deadlinesSoon.isEmpty {
            o.append("## \(Wording.deadlines)")
            o.append("")
            for item in input.deadlinesSoon {
                let n = item.notice
                var line = "- "
                if let d = FrenchFormat.mainDeadline(n) {
                    line += "**\(FrenchFormat.dateTime(d))** (\(FrenchFormat.relative(d, from: now))) — "
                } else {
                    line += "— "
                }
                line += link(n)
                if !member, !item.members.isEmpty { line += " — \(esc(Wording.shortList(item.members)))" }
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
                var told = esc(Wording.told(c, member: member))
                if let t = c.toldAt { told += " le \(FrenchFormat.date(t))" }
                o.append("- \(told)")
                o.append("")
            }
        }
        // Worked out once: the staff digest asks for it three times.
        let leftOut = Wording.isStaff(input) ? Wording.leftOut(input) : []
        if !leftOut.isEmpty {
            o.append("## \(Wording.nearMisses)")
            o.append("")
            for m in leftOut.prefix(Wording.nearMissLimit) {
                o.append("- **\(esc(m.memberName))** — \(link(m.notice)) — \(esc(Wording.exclusion(m.exclusion)))")
            }
            let more = leftOut.count - Wording.nearMissLimit
            if more > 0 { o.append("- … et \(more) autres (liste complète dans le fichier JSON)") }
            o.append("")
        }
        if !input.sources.isEmpty {
            o.append("## \(Wording.sources)")
            o.append("")
            o.append("| Source | État | Nouveaux avis | Remarque |")
            o.append("|---|---|---:|---|")
            for s in input.sources {
                let cells = [
                    esc(s.name ?? s.sourceID), FrenchFormat.source(s.status), "\(s.newNotices)",
                    esc(FrenchFormat.sourceRemark(s)),
                ]
                o.append("| " + cells.joined(separator: " | ") + " |")
            }
            o.append("")
        }
        o.append("---")
        o.append(esc(Wording.footer(input)))
        return o.joined(separator: "\n") + "\n"
    }

    private func link(_ n: Notice) -> String {
        let title = esc(n.title.isEmpty ? n.id : n.title)
        guard let url = n.url, let safe = safeURL(url) else { return title }
        return "[\(title)](<\(safe)>)"
    }

    /// One fact as a bullet; a fact of several lines (lots, CPV codes, contact) as nested bullets.
    private func fact(_ f: Fact, into o: inout [String]) {
        let lines = f.lines.map(line)
        if lines.count == 1 {
            o.append("- **\(esc(f.label)) :** \(lines[0])")
        } else {
            o.append("- **\(esc(f.label)) :**")
            for l in lines { o.append("  - \(l)") }
        }
    }

    private func line(_ pieces: [Fact.Piece]) -> String {
        pieces.map { p -> String in
            switch p {
            case .text(let s), .whole(let s): return esc(s)
            case .link(let s, let url): return safeURL(url).map { "[\(esc(s))](<\($0)>)" } ?? esc(s)
            }
        }.joined()
    }

    /// The full notice the first time it appears in the digest; afterwards only what differs for this
    /// recipient (relevance, reasons), so a notice routed to ten members does not fill ten screens.
    private func notice(
        _ n: Notice, input: DigestInput, into o: inout [String], item: ItemLines?, shown: inout Set<String>,
        also: [String] = []
    ) {
        let member = Wording.isMember(input)
        let first = shown.insert(n.id).inserted
        // A later mention shows only the title: without a night's cache, the rest is not rendered at all.
        let parts =
            first || input.renderCache != nil
            ? noticeParts(n, input: input) : DigestRenderCache.CardParts(head: "#### \(link(n))", facts: "")
        o.append(parts.head)
        o.append("")
        if first, !parts.facts.isEmpty { o.append(parts.facts) }
        if let item {
            if let relevance = item.relevance {
                o.append("- **Lien avec l'adhérent :** \(relevance)")
            }
            if !member, !item.members.isEmpty {
                o.append("- **Adhérents concernés :** \(esc(item.members.joined(separator: ", ")))")
            }
        }
        o.append(
            first ? sourceLine(n, input: input, also: item?.alsoPublishedOn ?? also) : "- Détails de l'avis plus haut")
        o.append("")
        if first, let summary = parts.summary {
            o.append(summary)
            o.append("")
        }
        if let why = item?.why {
            if !why.isEmpty {
                o.append("**\(Wording.why)**")
                o.append("")
                for r in why { o.append("- \(esc(r))") }
                o.append("")
            }
        }
    }

    /// What a notice's entry shows of the notice alone: its title, its facts (one line each, joined) and its
    /// summary, from the night's cache when there is one (the same notice in seventy members' e-mails and
    /// twenty-five staff digests).
    private func noticeParts(_ n: Notice, input: DigestInput) -> DigestRenderCache.CardParts {
        DigestRenderCache.part(of: n, in: input, at: \.markdown) { makeNoticeParts(n, input: input) }
    }

    private func makeNoticeParts(_ n: Notice, input: DigestInput) -> DigestRenderCache.CardParts {
        var lines: [String] = []
        for f in Wording.facts(n, input: input) { fact(f, into: &lines) }
        var summary: String?
        if let s = n.summary, !s.isEmpty {
            summary = "> \(esc(s.utf8.count > 400 && s.count > 400 ? String(s.prefix(400)) + "…" : s))"
        }
        return DigestRenderCache.CardParts(
            head: "#### \(link(n))", facts: lines.joined(separator: "\n"), summary: summary)
    }

    /// The first mention's « Source : … » bullet, from the night's cache when made with the same other sources.
    private func sourceLine(_ n: Notice, input: DigestInput, also: [String]) -> String {
        func make() -> String { "- \(esc(Wording.sourceLine(n, also: also, names: input.sourceNames)))" }
        return DigestRenderCache.part(
            of: n, in: input, read: { $0.markdown?.source(also: also) },
            keep: { $0.markdown?.keep(source: $1, also: also) }, make: make)
    }

    /// A notice of the staff's « Les avis de la nuit »: its card once, then « Envoyé à » each member it went to,
    /// with how it concerns that member and that member's own reasons (nested bullets: the reasons of one member
    /// stay under its name).
    private func staffNotice(
        _ g: NoticeRecipients, _ sections: [MemberSection], input: DigestInput, into o: inout [String],
        shown: inout Set<String>
    ) {
        let lead = sections[g.first.section].items[g.first.item]
        notice(lead.notice, input: input, into: &o, item: nil, shown: &shown, also: lead.alsoPublishedOn)
        o.append(
            "**Envoyé à \(FrenchFormat.plural(g.recipients.count, "adhérent", "adhérents")) :**")
        o.append("")
        for p in g.recipients {
            let m = sections[p.section]
            let item = m.items[p.item]
            var line = "- **\(esc(m.memberName))**"
            if item.direct != nil { line += " — \(esc(Wording.relevance(item, member: false)))" }
            o.append(line)
            for r in Wording.reasons(item, member: false) { o.append("  - \(esc(r))") }
        }
        o.append("")
    }

    /// Backslash-escapes what CommonMark would read as markup in text taken from notices.
    func esc(_ s: String) -> String {
        if let fast = ByteEscaper.typeset(s, punctuation: false, lineEnds: true, escape: Self.markup) { return fast }
        return escapeByCharacter(s)
    }

    static func markup(_ c: UInt8) -> StaticString? {
        switch c {
        case 0x5C: return "\\\\"
        case 0x60: return "\\`"
        case 0x2A: return "\\*"
        case 0x5F: return "\\_"
        case 0x5B: return "\\["
        case 0x5D: return "\\]"
        case 0x3C: return "\\<"
        case 0x3E: return "\\>"
        case 0x23: return "\\#"
        case 0x7C: return "\\|"
        default: return nil
        }
    }

    /// The reference rules, character by character: a text whose ASCII marks carry combining marks.
    func escapeByCharacter(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for ch in FrenchFormat.guillemets(s) {
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

    /// Only http(s), mailto and tel links, with characters that would end the `<…>` destination
    /// percent-encoded.
    func safeURL(_ s: String) -> String? {
        guard s.isSafeLink else { return nil }
        return s.replacingBytes { b in
            switch b {
            case 0x3C: return "%3C"
            case 0x3E: return "%3E"
            case 0x20: return "%20"
            case 0x0A: return ""
            default: return nil
            }
        }
    }
}
