import Foundation
import Notices

/// The digest as a self-contained HTML page that is also the e-mail's HTML part: tables and inline styles
/// only (mail clients drop `<style>` blocks, grids and flex boxes), 640 px at most and fluid below, long words
/// and addresses allowed to break so nothing is clipped on a 390 px phone, and the values a firm acts on
/// (deadline, amount) kept whole on a line of their own when they do not fit. No script, no remote resource;
/// every text from a notice is escaped and links are limited to http(s), mailto and tel.
public struct HTMLRenderer: DigestRenderer {
    /// Every card in full (the files), or the e-mail's cut (``DigestLayout/mail``).
    public var layout: DigestLayout

    public init(layout: DigestLayout = .file) { self.layout = layout }
    public var format: DigestFormat { .html }

    public func render(_ input: DigestInput) throws -> [UInt8] { bytes(input) }

    // Inline styles. `overflow-wrap:anywhere` lets a 150-character address or a long compound word break
    // inside a table cell (plain `break-word` does not shrink a cell's minimum width); `word-break:break-word`
    // is the same for older WebKit mail clients.
    static let font = "font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;"
    static let wrap = "overflow-wrap:anywhere;word-break:break-word;"
    static let table = "width:100%;border-collapse:collapse;"
    static let blue = "#1f5fa8"
    static let grey = "#5f6b7a"
    static let line = "#d5dbe3"

    /// Progressive extras only: the page reads the same without them (most mail clients drop this block).
    static let style = """
        a{color:#1f5fa8}
        @media (max-width:480px){.vigie-page{padding:12px 10px !important}h1{font-size:20px !important}}
        """

    /// The digest as an HTML document, in the renderer's layout.
    public func text(_ input: DigestInput) -> String { String(decoding: bytes(input), as: UTF8.self) }

    /// The document's UTF-8 bytes, in the renderer's layout.
    func bytes(_ input: DigestInput) -> [UInt8] { layout == .mail ? mail(input).bytes : page(input, cut: nil) }

    /// The e-mail's HTML part (UTF-8) and the cut it made (which cards in full), for the text part to cut at the
    /// same notices.
    func mail(_ input: DigestInput) -> (bytes: [UInt8], cut: MailCut) {
        let cut = MailCut()
        return (page(input, cut: cut), cut)
    }

    /// The page's UTF-8 bytes; `cut` nil shows every card and every list in full (the files).
    private func page(_ input: DigestInput, cut: MailCut?) -> [UInt8] {
        // Room for a member's e-mail part (the cut keeps it near 50 KB): a page grown from empty was copied a
        // dozen times on the way.
        var o = PageLines(capacity: 65_536)
        var shown = Set<String>()
        let member = Wording.isMember(input)
        o.append("<!DOCTYPE html>")
        o.append("<html lang=\"fr\">")
        o.append("<head>")
        o.append("<meta charset=\"utf-8\">")
        o.append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        o.append("<title>\(esc(Wording.title(input)))</title>")
        o.append("<style>\n\(Self.style)\n</style>")
        o.append("</head>")
        o.append("<body style=\"margin:0;padding:0;background-color:#eef1f5;\">")
        o.append(
            "<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" "
                + "style=\"\(Self.table)background-color:#eef1f5;\"><tr>"
                + "<td align=\"center\" style=\"padding:12px 6px;\">"
        )
        o.append(
            "<table role=\"presentation\" width=\"640\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" "
                + "style=\"\(Self.table)max-width:640px;background-color:#ffffff;border:1px solid \(Self.line);\">"
                + "<tr><td class=\"vigie-page\" style=\"padding:16px 14px;\(Self.font)font-size:15px;line-height:1.5;"
                + "color:#1d2430;text-align:left;\(Self.wrap)\">")
        o.append(
            "<h1 style=\"margin:0 0 6px;font-size:22px;line-height:1.3;color:\(Self.blue);\">"
                + "\(esc(Wording.title(input)))</h1>")
        o.append("<p style=\"margin:0 0 12px;color:\(Self.grey);font-size:14px;\">\(esc(Wording.overview(input)))</p>")
        if !input.hasNews {
            o.append(
                "<p style=\"margin:12px 0;padding:10px 12px;background-color:#eef5ff;font-size:17px;\"><strong>"
                    + "\(esc(Wording.nothing(input)))</strong></p>")
        }
        if Wording.isStaff(input) {
            navigation(input, into: &o)
            if input.hasNews {
                h2("resume", Wording.summary, into: &o)
                o.append("<table role=\"presentation\" width=\"100%\" style=\"\(Self.table)margin:0 0 8px;\">")
                for f in Wording.summaryRows(input, limit: cut == nil ? nil : MailCut.listLimit) {
                    o.append(
                        "<tr><th scope=\"row\" style=\"width:38%;text-align:left;vertical-align:top;padding:6px 8px;"
                            + "background-color:#f0f3f7;border:1px solid \(Self.line);font-size:14px;\">"
                            + "\(esc(f.label))</th><td style=\"vertical-align:top;padding:6px 8px;border:1px solid "
                            + "\(Self.line);font-size:14px;\(Self.wrap)\">\(lines(f.lines))</td></tr>")
                }
                o.append("</table>")
            }
        }
        if Wording.isStaff(input) && !input.mailFailures.isEmpty {
            h2("courriels", Wording.mailFailures, into: &o)
            o.append(
                "<ul style=\"margin:4px 0;padding-left:20px;\">"
                    + input.mailFailures.prefix(MailCut.shown(input.mailFailures.count, cut: cut)).map {
                        "<li style=\"margin:0 0 6px;\">\(esc(Wording.mailFailure($0)))</li>"
                    }
                    .joined() + more(input.mailFailures.count, cut: cut) + "</ul>")
        }
        let sections = Wording.orderedMembers(input)
        if !sections.isEmpty {
            h2("adherents", Wording.members(input), into: &o)
            if member {
                // By index: a `for` over the items copied each one (a whole notice) for every card.
                let places = sections.indices.flatMap { s in sections[s].items.indices.map { (s, $0) } }
                cards(
                    places.count, .notices, input: input, cut: cut, into: &o, shown: &shown,
                    notice: { sections[places[$0].0].items[places[$0].1].notice }
                ) { k, o, shown in
                    let (s, i) = places[k]
                    card(
                        sections[s].items[i].notice, input: input, item: ItemLines(sections[s].items[i], member: true),
                        into: &o, shown: &shown)
                }
            } else {
                let groups = Wording.byNotice(input)
                cards(
                    groups.count, .notices, input: input, cut: cut, into: &o, shown: &shown,
                    notice: { sections[groups[$0].first.section].items[groups[$0].first.item].notice },
                    note: { FrenchFormat.plural(groups[$0].recipients.count, "adhérent", "adhérents") }
                ) { k, o, shown in
                    let g = groups[k]
                    let lead = sections[g.first.section].items[g.first.item]
                    card(
                        lead.notice, input: input, item: nil, into: &o, extra: [recipients(g, sections)],
                        shown: &shown, also: lead.alsoPublishedOn)
                }
            }
        }
        if !input.consortia.isEmpty {
            h2("meute", Wording.consortia, into: &o)
            cards(
                input.consortia.count, .consortia, input: input, cut: cut, into: &o, shown: &shown,
                notice: { input.consortia[$0].notice }
            ) { k, o, shown in
                let c = input.consortia[k]
                var extra: [String] = [box(Wording.whyConsortium, Wording.rationale(c, member: member))]
                var group = c.partners.map { p -> String in
                    var s = "<li>\(esc(p.memberName))"
                    if !p.segments.isEmpty { s += " : \(esc(p.segments.joined(separator: ", ")))" }
                    if p.memberName == c.lead { s += " — <strong>mandataire pressenti</strong>" }
                    return s + "</li>"
                }
                if c.hiddenPartners > 0 {
                    var s =
                        "<li>avec \(FrenchFormat.plural(c.hiddenPartners, "autre adhérent", "autres adhérents"))"
                        + " — contactez l'équipe"
                    if let staff = Wording.staffContact(input) {
                        s += " : <a href=\"\(esc(staff.url))\">\(esc(staff.address))</a>"
                    }
                    group.append(s + "</li>")
                }
                extra.append(
                    "<p style=\"margin:8px 0 2px;\"><strong>Groupement proposé :</strong></p>"
                        + "<ul style=\"margin:0 0 4px;padding-left:20px;\">\(group.joined())</ul>")
                card(c.notice, input: input, item: nil, into: &o, extra: extra, shown: &shown)
            }
        }
        if !input.signals.isEmpty {
            h2("signaler", Wording.signals, into: &o)
            cards(
                input.signals.count, .signals, input: input, cut: cut, into: &o, shown: &shown,
                notice: { input.signals[$0].notice }
            ) { k, o, shown in
                let s = input.signals[k]
                card(s.notice, input: input, item: nil, into: &o, extra: [box(nil, [Wording.signal(s)])], shown: &shown)
            }
        }
        if !input.calls.isEmpty {
            h2("appels", Wording.calls, into: &o)
            cards(
                input.calls.count, .calls, input: input, cut: cut, into: &o, shown: &shown,
                notice: { input.calls[$0].notice }
            ) { i, o, shown in
                card(
                    input.calls[i].notice, input: input, item: ItemLines(input.calls[i], member: member), into: &o,
                    shown: &shown)
            }
        }
        let watches = input.watches.filter { !$0.items.isEmpty }
        if !watches.isEmpty {
            h2("veilles", Wording.watches, into: &o)
            for w in watches {
                o.append("<h3 style=\"margin:18px 0 6px;font-size:17px;\">\(esc(w.name)) (\(w.items.count))</h3>")
                if !w.recipients.isEmpty {
                    o.append(meta("Destinataires : \(esc(w.recipients.joined(separator: ", ")))"))
                }
                cards(
                    w.items.count, .watch, input: input, cut: cut, into: &o, shown: &shown,
                    notice: { w.items[$0].notice }
                ) { i, o, shown in
                    card(
                        w.items[i].notice, input: input, item: ItemLines(w.items[i], member: member), into: &o,
                        shown: &shown)
                }
            }
        }
        if !input.deadlinesSoon.isEmpty {
            h2("echeances", Wording.deadlines, into: &o)
            o.append("<table role=\"presentation\" width=\"100%\" style=\"\(Self.table)\">")
            for item in input.deadlinesSoon.prefix(MailCut.shown(input.deadlinesSoon.count, cut: cut)) {
                let n = item.notice
                var cell =
                    FrenchFormat.mainDeadline(n).map {
                        "<strong>\(pieces(Wording.deadline($0, now: input.runDate)))</strong><br>"
                    } ?? ""
                cell += link(n)
                if !member, !item.members.isEmpty {
                    cell +=
                        "<br><span style=\"color:\(Self.grey);font-size:14px;\">"
                        + "\(esc(Wording.shortList(item.members)))</span>"
                }
                o.append(
                    "<tr><td style=\"padding:8px 0;border-bottom:1px solid \(Self.line);vertical-align:top;"
                        + "\(Self.wrap)\">\(cell)</td></tr>")
            }
            o.append("</table>")
            moreLine(input.deadlinesSoon.count, cut: cut, into: &o)
        }
        if !input.changed.isEmpty {
            h2("modifies", Wording.changed, into: &o)
            for c in input.changed.prefix(MailCut.shown(input.changed.count, cut: cut)) {
                var told = Wording.told(c, member: member)
                if let t = c.toldAt { told += " le \(FrenchFormat.date(t))" }
                o.append(
                    cardOpen(nil) + h4(link(c.notice)) + "<ul style=\"margin:4px 0;padding-left:20px;\">"
                        + c.changes.map { "<li>\(esc(FrenchFormat.change($0)))</li>" }.joined() + "</ul>"
                        + meta(esc(told)) + Self.cardClose)
            }
            moreLine(input.changed.count, cut: cut, into: &o)
        }
        // Worked out once: the staff digest asks for it three times.
        let leftOut = Wording.isStaff(input) ? Wording.leftOut(input) : []
        if !leftOut.isEmpty {
            h2("ecartes", Wording.nearMisses, into: &o)
            var items = leftOut.prefix(Wording.nearMissLimit).map { m in
                "<li style=\"margin:0 0 6px;\"><strong>\(esc(m.memberName))</strong> — \(link(m.notice)) — "
                    + "\(esc(Wording.exclusion(m.exclusion)))</li>"
            }
            let more = leftOut.count - Wording.nearMissLimit
            if more > 0 { items.append("<li>… et \(more) autres (liste complète dans le fichier JSON)</li>") }
            o.append("<ul style=\"margin:4px 0;padding-left:20px;\">\(items.joined())</ul>")
        }
        if !input.sources.isEmpty {
            // One row per source, the remark under its name: four columns do not fit a phone's width.
            h2("sources", Wording.sources, into: &o)
            o.append("<table role=\"presentation\" width=\"100%\" style=\"\(Self.table)font-size:14px;\">")
            for s in input.sources {
                var cell =
                    "<strong>\(esc(s.name ?? s.sourceID))</strong> — <span style=\"color:"
                    + "\(Self.statusColor(s.status));\">\(esc(FrenchFormat.source(s.status)))</span> · "
                    + FrenchFormat.plural(s.newNotices, "nouvel avis", "nouveaux avis")
                let remark = FrenchFormat.sourceRemark(s)
                if !remark.isEmpty { cell += "<br><span style=\"color:\(Self.grey);\">\(esc(remark))</span>" }
                o.append(
                    "<tr><td style=\"padding:6px 0;border-bottom:1px solid \(Self.line);vertical-align:top;"
                        + "\(Self.wrap)\">\(cell)</td></tr>")
            }
            o.append("</table>")
        }
        var footer = esc(Wording.footer(input))
        if let staff = Wording.staffContact(input) {
            footer = Self.replacing(
                esc(staff.address) + ".", with: "<a href=\"\(esc(staff.url))\">\(esc(staff.address))</a>.",
                in: footer)
        }
        o.append(
            "<p style=\"margin:24px 0 0;padding-top:8px;border-top:1px solid \(Self.line);color:\(Self.grey);"
                + "font-size:13px;\">\(footer)</p>")
        o.append("</td></tr></table>")
        o.append("</td></tr></table>")
        o.append("</body>")
        o.append("</html>")
        return o.bytes
    }

    /// `text.replacingOccurrences(of: target, with: replacement)`, on the bytes when that gives the same: an
    /// ASCII target met between ASCII characters (or the ends), in a text with none of the three characters
    /// Unicode holds equal to an ASCII one (U+212A K, U+037E ;, U+1FEF `). Every digest's footer links the
    /// staff's address, and Foundation's search was a twelfth of rendering a member's HTML.
    static func replacing(_ target: String, with replacement: String, in text: String) -> String {
        var text = text
        let target = Array(target.utf8)
        let fast: String?? = text.withUTF8 { b -> String?? in
            guard !target.isEmpty, target.allSatisfy({ $0 >= 0x20 && $0 < 0x80 }) else { return nil }
            var out: [UInt8] = []
            var mark = 0
            var i = 0
            while i < b.count {
                let c = b[i]
                // E2 84 AA, CD BE, E1 BF AF: the three singletons.
                if (c == 0xE2 && i + 2 < b.count && b[i + 1] == 0x84 && b[i + 2] == 0xAA)
                    || (c == 0xCD && i + 1 < b.count && b[i + 1] == 0xBE)
                    || (c == 0xE1 && i + 2 < b.count && b[i + 1] == 0xBF && b[i + 2] == 0xAF)
                {
                    return nil
                }
                if c == target[0], i + target.count <= b.count,
                    target.indices.allSatisfy({ b[i + $0] == target[$0] })
                {
                    let end = i + target.count
                    if (i > 0 && b[i - 1] >= 0x80) || (end < b.count && b[end] >= 0x80) { return nil }
                    if out.isEmpty { out.reserveCapacity(b.count + replacement.utf8.count) }
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: b[mark..<i]))
                    out.append(contentsOf: replacement.utf8)
                    i = end
                    mark = end
                    continue
                }
                i += 1
            }
            if mark == 0 { return .some(nil) }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: b[mark..<b.count]))
            return .some(String(decoding: out, as: UTF8.self))
        }
        switch fast {
        case .some(.some(let replaced)): return replaced
        case .some(.none): return text
        case .none: return text.replacingOccurrences(of: String(decoding: target, as: UTF8.self), with: replacement)
        }
    }

    static func statusColor(_ s: SourceHealth.Status) -> String {
        switch s {
        case .ok: return "#1c7c3a"
        case .failing: return "#b3261e"
        case .stale, .incomplete: return "#8a5a00"
        case .skipped: return grey
        }
    }

    /// One section's cards: each in full for the files (`cut` nil); for an e-mail, in full while the cut admits
    /// them (measured on the card's HTML), then one line each under « Et N autres … », then where the full
    /// digest is. A card shown as a line is not « shown »: a later card of the same notice is a full one.
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
            var part = PageLines()
            var seen = shown
            let decision = cut.decide {
                render(i, &part, &seen)
                return part.bytes.count
            }
            switch decision {
            case .full:
                o.append(contentsOf: part)
                shown = seen
            case .listed: lines.append(compactLine(notice(i), input: input, note: note(i)))
            case .counted: counted += 1
            }
        }
        guard !lines.isEmpty || counted > 0 else { return }
        o.append(
            "<h3 style=\"margin:18px 0 6px;font-size:17px;\">"
                + "\(esc(Wording.more(kind, lines.count + counted, member: Wording.isMember(input))))</h3>")
        var list = "<ul style=\"margin:4px 0;padding-left:20px;\">" + lines.joined()
        if counted > 0 { list += "<li>\(esc(Wording.countedMore(counted)))</li>" }
        o.append(list + "</ul>")
        let full = Wording.fullDigest(input)
        var whereLine = esc(full.text)
        if let file = full.file {
            whereLine += full.url.map { "<a href=\"\(esc($0))\">\(esc(file))</a>" } ?? esc(file)
        }
        o.append(meta(whereLine))
    }

    /// A card an e-mail shows as one line: the title linked, then the deadline, the buyer, the place, `note`.
    private func compactLine(_ n: Notice, input: DigestInput, note: String?) -> String {
        let title = esc(Wording.shortened(n.title.isEmpty ? n.id : n.title, 150))
        var s = "<li style=\"margin:0 0 6px;\">"
        if let url = n.url, let safe = safeURL(url) { s += "<a href=\"\(esc(safe))\">\(title)</a>" } else { s += title }
        var facts = Wording.compactFacts(n, now: input.runDate)
        if let note { facts.append(note) }
        for (i, f) in facts.enumerated() {
            // The deadline kept whole, as on a card.
            s +=
                i == 0 && FrenchFormat.mainDeadline(n) != nil
                ? " — <span style=\"white-space:nowrap;\">\(esc(f))</span>" : " — \(esc(f))"
        }
        return s + "</li>"
    }

    /// « … et 12 autres » as the last item of a list an e-mail cut; nothing for the files.
    private func more(_ count: Int, cut: MailCut?) -> String {
        let hidden = count - MailCut.shown(count, cut: cut)
        return hidden > 0 ? "<li>\(esc(Wording.listMore(hidden)))</li>" : ""
    }

    /// « … et 12 autres » under a table an e-mail cut; nothing for the files.
    private func moreLine(_ count: Int, cut: MailCut?, into o: inout PageLines) {
        let hidden = count - MailCut.shown(count, cut: cut)
        if hidden > 0 { o.append(meta(esc(Wording.listMore(hidden)))) }
    }

    /// Links to the staff digest's sections, on one wrapping line.
    private func navigation(_ input: DigestInput, into o: inout PageLines) {
        var nav: [(String, String)] = []
        if input.hasNews { nav.append(("resume", Wording.summary)) }
        if !input.mailFailures.isEmpty { nav.append(("courriels", Wording.mailFailures)) }
        if input.members.contains(where: { !$0.items.isEmpty }) { nav.append(("adherents", Wording.members(input))) }
        if !input.consortia.isEmpty { nav.append(("meute", "Consortium")) }
        if !input.signals.isEmpty { nav.append(("signaler", "À signaler")) }
        if !input.calls.isEmpty { nav.append(("appels", Wording.calls)) }
        if input.watches.contains(where: { !$0.items.isEmpty }) { nav.append(("veilles", Wording.watches)) }
        if !input.deadlinesSoon.isEmpty { nav.append(("echeances", Wording.deadlines)) }
        if !input.changed.isEmpty { nav.append(("modifies", "Modifiés")) }
        if !Wording.leftOut(input).isEmpty { nav.append(("ecartes", Wording.nearMisses)) }
        if !input.sources.isEmpty { nav.append(("sources", Wording.sources)) }
        guard nav.count > 2 else { return }
        o.append(
            "<p style=\"margin:0 0 8px;font-size:14px;\">"
                + nav.map { "<a href=\"#\($0.0)\">\(esc($0.1))</a>" }
                .joined(separator: " · ") + "</p>")
    }

    private func h2(_ id: String, _ title: String, into o: inout PageLines) {
        o.append(
            "<h2 id=\"\(id)\" style=\"margin:26px 0 8px;padding-bottom:4px;font-size:19px;line-height:1.3;"
                + "color:\(Self.blue);border-bottom:2px solid \(Self.blue);\">\(esc(title))</h2>")
    }

    private func h4(_ html: String) -> String {
        "<h4 style=\"margin:0 0 6px;font-size:16px;line-height:1.35;\">\(html)</h4>"
    }

    private func meta(_ html: String) -> String { Self.metaOpen + html + "</p>" }

    // The markup every card, box and note repeats, made once: each was interpolated again for every card of the
    // thirty thousand member e-mails of a national night.
    private static let metaOpen = "<p style=\"margin:6px 0 0;color:\(grey);font-size:13px;\">"
    private static let cardOpenStart = "<table role=\"presentation\" width=\"100%\""
    private static let cardOpenEnd =
        " cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"width:100%;border-collapse:separate;"
        + "margin:10px 0;border:1px solid \(line);border-radius:6px;background-color:#fbfcfe;\"><tr>"
        + "<td style=\"padding:10px 12px;vertical-align:top;\(wrap)\">"
    private static let plainCardOpen = cardOpenStart + cardOpenEnd
    private static let boxOpen =
        "<table role=\"presentation\" width=\"100%\" style=\"\(table)margin:8px 0 0;\"><tr>"
        + "<td style=\"background-color:#eef5ff;border-left:3px solid \(blue);padding:6px 10px;\(wrap)\">"
    private static let boxListOpen = "<ul style=\"margin:4px 0 2px;padding-left:20px;\">"
    /// « Pourquoi cet avis ? » as a box's title, escaped.
    private static let whyTitle = "<p style=\"margin:0;\"><strong>\(HTMLRenderer().esc(Wording.why))</strong></p>"

    private func cardOpen(_ id: String?) -> String {
        guard let id else { return Self.plainCardOpen }
        return Self.cardOpenStart + " id=\"\(id)\"" + Self.cardOpenEnd
    }

    private static let cardClose = "</td></tr></table>"

    /// A highlighted box with a title and a list (« Pourquoi cet avis ? »).
    private func box(_ title: String?, _ items: [String]) -> String {
        var o = PageLines()
        box(title.map { "<p style=\"margin:0;\"><strong>\(esc($0))</strong></p>" }, items, into: &o)
        return String(decoding: o.bytes, as: UTF8.self)
    }

    /// ``box(_:_:)`` written on the current line of `o`, its title already marked up (`titleHTML`): a card writes
    /// its « Pourquoi cet avis ? » straight into the page.
    private func box(_ titleHTML: String?, _ items: [String], into o: inout PageLines) {
        o.write(Self.boxOpen)
        if let titleHTML { o.write(titleHTML) }
        if items.count == 1 && titleHTML == nil {
            o.write("<p style=\"margin:0;\">")
            o.write(esc(items[0]))
            o.write("</p>")
        } else {
            o.write(Self.boxListOpen)
            for item in items {
                o.write("<li>")
                o.write(esc(item))
                o.write("</li>")
            }
            o.write("</ul>")
        }
        o.write("</td></tr></table>")
    }

    /// « Envoyé à » of a staff card: each member the notice went to, how it concerns it, and its own reasons
    /// nested under its name.
    private func recipients(_ g: NoticeRecipients, _ sections: [MemberSection]) -> String {
        var s =
            "<table role=\"presentation\" width=\"100%\" style=\"\(Self.table)margin:8px 0 0;\"><tr>"
            + "<td style=\"background-color:#eef5ff;border-left:3px solid \(Self.blue);padding:6px 10px;"
            + "\(Self.wrap)\"><p style=\"margin:0;\"><strong>Envoyé à "
            + "\(FrenchFormat.plural(g.recipients.count, "adhérent", "adhérents")) :</strong></p>"
            + "<ul style=\"margin:4px 0 2px;padding-left:20px;\">"
        for p in g.recipients {
            let m = sections[p.section]
            let item = m.items[p.item]
            s += "<li style=\"margin:0 0 4px;\"><strong>\(esc(m.memberName))</strong>"
            if item.direct != nil { s += " — \(esc(Wording.relevance(item, member: false)))" }
            let why = Wording.reasons(item, member: false)
            if !why.isEmpty {
                s +=
                    "<ul style=\"margin:2px 0 0;padding-left:18px;\">" + why.map { "<li>\(esc($0))</li>" }.joined()
                    + "</ul>"
            }
            s += "</li>"
        }
        return s + "</ul></td></tr></table>"
    }

    private func link(_ n: Notice) -> String {
        let title = esc(n.title.isEmpty ? n.id : n.title)
        guard let url = n.url, let safe = safeURL(url) else { return title }
        return "<a href=\"\(esc(safe))\">\(title)</a>"
    }

    /// A fact's pieces: dates and amounts in a no-wrap span, so a phone moves them whole to the next line.
    func pieces(_ p: [Fact.Piece]) -> String {
        p.map { piece -> String in
            switch piece {
            case .text(let s): return esc(s)
            case .whole(let s): return "<span style=\"white-space:nowrap;\">\(esc(s))</span>"
            case .link(let s, let url):
                guard let safe = safeURL(url) else { return esc(s) }
                return "<a href=\"\(esc(safe))\">\(esc(s))</a>"
            }
        }.joined()
    }

    /// A fact's lines, one per `<br>` (also the Atom entries' content).
    func lines(_ l: [[Fact.Piece]]) -> String { l.map(pieces).joined(separator: "<br>") }

    /// An HTML id for a notice's first card, so later mentions can link to it.
    func anchor(_ n: Notice) -> String {
        "avis-"
            + String(
                n.id.unicodeScalars.map { u -> Character in
                    Self.isAnchorSafe(u) ? Character(u) : "_"
                })
    }

    /// ASCII letters, digits and `-` (what `CharacterSet.alphanumerics` holds among ASCII scalars, and the dash).
    static func isAnchorSafe(_ u: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(u) || ("A"..."Z").contains(u) || ("0"..."9").contains(u) || u == "-"
    }

    /// The full notice the first time it appears: each fact on its own row, label above value (a phone has
    /// no room for two columns); afterwards only the recipient's relevance and reasons with a link back.
    private func card(
        _ n: Notice, input: DigestInput, item: ItemLines?, into o: inout PageLines, extra: [String] = [],
        shown: inout Set<String>, also: [String] = []
    ) {
        let member = Wording.isMember(input)
        let first = shown.insert(n.id).inserted
        // A later mention shows only the title: without a night's cache, the rest is not rendered at all.
        let parts =
            first || input.renderCache != nil
            ? noticeParts(n, input: input) : DigestRenderCache.CardParts(head: h4(link(n)), facts: "")
        // Written piece by piece into the page: the card was one string grown by each piece, then copied in.
        o.write(cardOpen(first ? anchor(n) : nil))
        o.write(parts.head)
        if first { o.write(parts.facts) }
        if let item, !member {
            if let relevance = item.relevance { o.write(factRow(Fact("Lien avec l'adhérent", text: relevance))) }
            if !item.members.isEmpty {
                o.write(factRow(Fact("Adhérents concernés", text: item.members.joined(separator: ", "))))
            }
        }
        if first, let summary = parts.summary { o.write(summary) }
        if let why = item?.why, !why.isEmpty { box(Self.whyTitle, why, into: &o) }
        for e in extra { o.write(e) }
        o.write(
            first
                ? sourceLine(n, input: input, also: item?.alsoPublishedOn ?? also)
                : meta("<a href=\"#\(anchor(n))\">Détails de l'avis plus haut</a>"))
        o.write(Self.cardClose)
        o.endLine()
    }

    /// What a card shows of the notice alone: its title, its facts and its summary, from the night's cache when
    /// there is one (the same notice's card in seventy members' e-mails and twenty-five staff digests).
    private func noticeParts(_ n: Notice, input: DigestInput) -> DigestRenderCache.CardParts {
        DigestRenderCache.part(of: n, in: input, at: \.html) { makeNoticeParts(n, input: input) }
    }

    private func makeNoticeParts(_ n: Notice, input: DigestInput) -> DigestRenderCache.CardParts {
        // One paragraph per fact, label above value: the lightest markup that stacks on a phone (Gmail clips
        // a message past 102 KB, and a night's staff digest holds dozens of notices). Breaking long words
        // is inherited from the card's cell.
        var facts = ""
        for f in Wording.facts(n, input: input) { facts += factRow(f) }
        var summary: String?
        if let text = n.summary, !text.isEmpty {
            summary =
                "<p style=\"margin:8px 0 0;\">"
                + esc(text.utf8.count > 600 && text.count > 600 ? String(text.prefix(600)) + "…" : text)
                + "</p>"
        }
        return DigestRenderCache.CardParts(head: h4(link(n)), facts: facts, summary: summary)
    }

    private func factRow(_ f: Fact) -> String {
        "<p style=\"margin:0 0 5px;\"><span style=\"font-size:13px;font-weight:bold;color:#4a5568;\">"
            + "\(esc(f.label))</span><br>\(lines(f.lines))</p>"
    }

    /// The first card's « Source : … » line, from the night's cache when it was made with the same other sources.
    private func sourceLine(_ n: Notice, input: DigestInput, also: [String]) -> String {
        func make() -> String { meta(esc(Wording.sourceLine(n, also: also, names: input.sourceNames))) }
        return DigestRenderCache.part(
            of: n, in: input, read: { $0.html?.source(also: also) }, keep: { $0.html?.keep(source: $1, also: also) },
            make: make)
    }

    /// Escapes the five HTML-significant characters; French guillemets keep their words (« EN 9100 » never
    /// ends a line on its closing mark) and « : », « ; », « ? » never start a line.
    func esc(_ s: String) -> String {
        if let fast = ByteEscaper.typeset(s, punctuation: true, escape: Self.entities) { return fast }
        return escapeByCharacter(s)
    }

    /// ``entity(_:)`` as tables, for ``ByteEscaper/typeset(_:punctuation:lineEnds:escape:)``.
    static let entities = ByteEscaper.ByteEscapes(entity)

    static func entity(_ c: UInt8) -> StaticString? {
        switch c {
        case 0x26: return "&amp;"
        case 0x3C: return "&lt;"
        case 0x3E: return "&gt;"
        case 0x22: return "&quot;"
        case 0x27: return "&#39;"
        default: return nil
        }
    }

    /// The reference rules, character by character: a text whose ASCII marks carry combining marks.
    func escapeByCharacter(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for ch in FrenchFormat.guillemets(s, punctuation: true) {
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
        let t = s.trimmingWhitespace()
        return t.isSafeLink ? t : nil
    }
}
