import Foundation
import Notices

/// CommonMark digest: readable as plain text in a mail (it is the e-mail's text part), rendered nicely by any
/// forge or mail client. Same content as the HTML.
public struct MarkdownRenderer: DigestRenderer {
    /// Every card in full (the files), or the e-mail's cut (``DigestLayout/mail``), which the HTML part decides.
    public var layout: DigestLayout

    public init(layout: DigestLayout = .file) { self.layout = layout }
    public var format: DigestFormat { .markdown }

    public func render(_ input: DigestInput) throws -> [UInt8] { bytes(input) }

    /// The digest as Markdown text, in the renderer's layout (an e-mail's cut is the HTML part's: rendered here
    /// when not given, see ``DigestInput/mailParts()``).
    public func text(_ input: DigestInput) -> String { String(decoding: bytes(input), as: UTF8.self) }

    /// The digest's UTF-8 bytes, in the renderer's layout.
    func bytes(_ input: DigestInput) -> [UInt8] {
        guard layout == .mail else { return page(input, cut: nil) }
        return bytes(input, replaying: HTMLRenderer(layout: .mail).mail(input).cut)
    }

    /// The e-mail's text part (UTF-8), cut at the same cards as its HTML part.
    func bytes(_ input: DigestInput, replaying cut: MailCut) -> [UInt8] {
        page(input, cut: MailCut(replaying: cut))
    }

    /// The page's UTF-8 bytes; `cut` nil shows every entry and every list in full (the files).
    private func page(_ input: DigestInput, cut: MailCut?) -> [UInt8] {
        // Room for a member's e-mail part (the cut keeps it near 25 KB): a page grown from empty was copied a
        // dozen times on the way.
        var o = PageLines(capacity: 32_768)
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
            for f in Wording.summaryRows(input, limit: cut == nil ? nil : MailCut.listLimit) { fact(f, into: &o) }
            o.append("")
        }
        if Wording.isStaff(input) && !input.mailFailures.isEmpty {
            o.append("## \(Wording.mailFailures)")
            o.append("")
            for f in input.mailFailures.prefix(MailCut.shown(input.mailFailures.count, cut: cut)) {
                o.append("- \(esc(Wording.mailFailure(f)))")
            }
            moreLine(input.mailFailures.count, cut: cut, into: &o)
            o.append("")
        }
        let sections = Wording.orderedMembers(input)
        if !sections.isEmpty {
            o.append("## \(Wording.members(input))")
            o.append("")
            if member {
                // By index: a `for` over the items copied each one (a whole notice) for every entry.
                let places = sections.indices.flatMap { s in sections[s].items.indices.map { (s, $0) } }
                cards(
                    places.count, .notices, input: input, cut: cut, into: &o, shown: &shown,
                    notice: { sections[places[$0].0].items[places[$0].1].notice }
                ) { k, o, shown in
                    let (s, i) = places[k]
                    notice(
                        sections[s].items[i].notice, input: input, into: &o,
                        item: ItemLines(sections[s].items[i], member: true), shown: &shown)
                }
            } else {
                let groups = Wording.byNotice(input)
                cards(
                    groups.count, .notices, input: input, cut: cut, into: &o, shown: &shown,
                    notice: { sections[groups[$0].first.section].items[groups[$0].first.item].notice },
                    note: { FrenchFormat.plural(groups[$0].recipients.count, "adhérent", "adhérents") }
                ) { k, o, shown in
                    staffNotice(groups[k], sections, input: input, into: &o, shown: &shown)
                }
            }
        }
        if !input.consortia.isEmpty {
            o.append("## \(Wording.consortia)")
            o.append("")
            cards(
                input.consortia.count, .consortia, input: input, cut: cut, into: &o, shown: &shown,
                notice: { input.consortia[$0].notice }
            ) { k, o, shown in
                let c = input.consortia[k]
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
            cards(
                input.signals.count, .signals, input: input, cut: cut, into: &o, shown: &shown,
                notice: { input.signals[$0].notice }
            ) { k, o, shown in
                let s = input.signals[k]
                notice(s.notice, input: input, into: &o, item: nil, shown: &shown)
                o.append("- \(esc(Wording.signal(s)))")
                o.append("")
            }
        }
        if !input.calls.isEmpty {
            o.append("## \(Wording.calls)")
            o.append("")
            cards(
                input.calls.count, .calls, input: input, cut: cut, into: &o, shown: &shown,
                notice: { input.calls[$0].notice }
            ) { i, o, shown in
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
                cards(
                    w.items.count, .watch, input: input, cut: cut, into: &o, shown: &shown,
                    notice: { w.items[$0].notice }
                ) { i, o, shown in
                    notice(
                        w.items[i].notice, input: input, into: &o, item: ItemLines(w.items[i], member: member),
                        shown: &shown)
                }
            }
        }
        if !input.deadlinesSoon.isEmpty {
            o.append("## \(Wording.deadlines)")
            o.append("")
            for item in input.deadlinesSoon.prefix(MailCut.shown(input.deadlinesSoon.count, cut: cut)) {
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
            moreLine(input.deadlinesSoon.count, cut: cut, into: &o)
            o.append("")
        }
        if !input.changed.isEmpty {
            o.append("## \(Wording.changed)")
            o.append("")
            for c in input.changed.prefix(MailCut.shown(input.changed.count, cut: cut)) {
                o.append("### \(link(c.notice))")
                o.append("")
                for ch in c.changes { o.append("- \(esc(FrenchFormat.change(ch)))") }
                var told = esc(Wording.told(c, member: member))
                if let t = c.toldAt { told += " le \(FrenchFormat.date(t))" }
                o.append("- \(told)")
                o.append("")
            }
            if input.changed.count > MailCut.shown(input.changed.count, cut: cut) {
                moreLine(input.changed.count, cut: cut, into: &o)
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
        return o.bytes
    }

    /// One section's entries: each in full for the files (`cut` nil); for an e-mail, as the HTML part decided
    /// (``MailCut``): in full, then one line each under « Et N autres … », then where the full digest is.
    private func cards(
        _ count: Int, _ kind: MailList, input: DigestInput, cut: MailCut?, into o: inout PageLines,
        shown: inout Set<String>, notice: (Int) -> Notice, note: (Int) -> String? = { _ in nil },
        card render: (Int, inout PageLines, inout Set<String>) -> Void
    ) {
        guard let cut else {
            for i in 0..<count { render(i, &o, &shown) }
            return
        }
        cut.begin(kind)
        var lines: [String] = []
        var counted = 0
        for i in 0..<count {
            switch cut.decide({ 0 }) {
            case .full: render(i, &o, &shown)
            case .listed: lines.append(compactLine(notice(i), input: input, note: note(i)))
            case .counted: counted += 1
            }
        }
        guard !lines.isEmpty || counted > 0 else { return }
        o.append("### \(esc(Wording.more(kind, lines.count + counted, member: Wording.isMember(input))))")
        o.append("")
        for line in lines { o.append(line) }
        if counted > 0 { o.append("- \(esc(Wording.countedMore(counted)))") }
        o.append("")
        let full = Wording.fullDigest(input)
        var whereLine = esc(full.text)
        if let file = full.file {
            whereLine += full.url.flatMap(safeURL).map { "[\(esc(file))](<\($0)>)" } ?? esc(file)
        }
        o.append(whereLine)
        o.append("")
    }

    /// An entry an e-mail shows as one line: the title linked, then the deadline, the buyer, the place, `note`.
    private func compactLine(_ n: Notice, input: DigestInput, note: String?) -> String {
        let title = esc(Wording.shortened(n.title.isEmpty ? n.id : n.title, 150))
        var s = "- " + (n.url.flatMap(safeURL).map { "[\(title)](<\($0)>)" } ?? title)
        var facts = Wording.compactFacts(n, now: input.runDate)
        if let note { facts.append(note) }
        for f in facts { s += " — \(esc(f))" }
        return s
    }

    /// « … et 12 autres » under a list an e-mail cut; nothing for the files.
    private func moreLine(_ count: Int, cut: MailCut?, into o: inout PageLines) {
        let hidden = count - MailCut.shown(count, cut: cut)
        if hidden > 0 { o.append("- \(esc(Wording.listMore(hidden)))") }
    }

    private func link(_ n: Notice) -> String {
        let title = esc(n.title.isEmpty ? n.id : n.title)
        guard let url = n.url, let safe = safeURL(url) else { return title }
        return "[\(title)](<\(safe)>)"
    }

    /// One fact as a bullet; a fact of several lines (lots, CPV codes, contact) as nested bullets.
    private func fact(_ f: Fact, into o: inout PageLines) {
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
        _ n: Notice, input: DigestInput, into o: inout PageLines, item: ItemLines?, shown: inout Set<String>,
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
        var lines = PageLines()
        for f in Wording.facts(n, input: input) { fact(f, into: &lines) }
        var summary: String?
        if let s = n.summary, !s.isEmpty {
            summary = "> \(esc(s.utf8.count > 400 && s.count > 400 ? String(s.prefix(400)) + "…" : s))"
        }
        return DigestRenderCache.CardParts(
            head: "#### \(link(n))", facts: lines.joined, summary: summary)
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
        _ g: NoticeRecipients, _ sections: [MemberSection], input: DigestInput, into o: inout PageLines,
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
        if let fast = ByteEscaper.typeset(s, punctuation: false, lineEnds: true, escape: Self.markups) { return fast }
        return escapeByCharacter(s)
    }

    /// ``markup(_:)`` as tables, for ``ByteEscaper/typeset(_:punctuation:lineEnds:escape:)``.
    static let markups = ByteEscaper.ByteEscapes(markup)

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
