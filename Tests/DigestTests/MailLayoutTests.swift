import Foundation
import Notices
import Parser
import Testing
import TestSupport

@testable import Digest

/// The e-mail's layout (``MailCut``): the first cards in full while their HTML stays within the budget, the others
/// one line each, so a mail client that clips past 102 KB (Gmail) shows the whole message; the files keep every
/// card in full.
@Suite struct MailLayoutTests {
    /// Gmail clips a message whose HTML passes 102 KB.
    static let gmailClip = 102 * 1024
    static let now = ISO8601.parseZoned("2026-02-10T02:00:00Z")!.instant

    /// The real captures' notices (BOAMP, TED, aides-territoires), as parsed.
    static func realNotices() throws -> [Notice] {
        try RealCaptures.routable.flatMap { path in
            try DocumentParser.parse(
                try SharedData.bytes(path),
                options: ParseOptions(sourceID: RealCaptures.sourceID(of: path), documentName: path)
            ).notices
        }
    }

    /// A night of `notices` for `members` members: notice `i` goes to member `i % members` and the `spread - 1`
    /// next ones, core business for the first and through the value chain for the others, each with its reasons
    /// (as the router gives them) — a staff card names every member it went to.
    static func night(_ notices: [Notice], members: Int, spread: Int, publicURL: String? = nil) -> DigestInput {
        var items = [[DigestItem]](repeating: [], count: members)
        for (i, n) in notices.enumerated() {
            for k in 0..<min(spread, members) {
                let m = (i + k) % members
                let evidence = [
                    RouteEvidence(
                        kind: .keyword, field: .title, term: "travaux", matched: "TRAVAUX", segment: "Bâtiment",
                        weight: 2),
                    RouteEvidence(
                        kind: .cpv, field: .cpv, term: "45", matched: "45000000", segment: "Bâtiment", weight: 1),
                ]
                items[m].append(
                    DigestItem(
                        notice: n, score: Double(3 - min(k, 2)), evidence: evidence, segments: ["Bâtiment"],
                        direct: k == 0, members: ["Adhérent \(m)"], memberIDs: ["m\(m)"],
                        memberEvidence: ["m\(m)": evidence]))
            }
        }
        let sections = items.enumerated().map { m, list in
            MemberSection(
                memberID: "m\(m)", memberName: "Adhérent \(m)",
                items: list.sorted(by: DigestAssembler.readingOrder).map { $0.worded() })
        }
        var d = DigestInput(
            clusterID: "loire", clusterName: "Pôle Loire", runDate: now, members: sections,
            sources: [SourceHealth(sourceID: "boamp", name: "BOAMP", status: .ok, newNotices: notices.count)],
            sourceNames: ["boamp": "BOAMP", "ted": "TED", "aides-territoires": "Aides-territoires"],
            staffContact: "veille@loire.example", publicURL: publicURL)
        d.tally()
        return d
    }

    static func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    /// The full cards of an HTML part: each holds its anchor (`id="avis-…"`).
    static func fullCards(html: String) -> Int { count(" id=\"avis-", in: html) }

    /// The sample digest with its first member's first item `copies` times under other ids (`-0`, `-1`…): more
    /// cards than an e-mail holds in full. Not tallied: the caller adds what it needs first.
    static func sampleWith(copies: Int) throws -> DigestInput {
        var input = SampleDigest.input
        let item = try #require(input.members.first?.items.first)
        input.members[0].items = (0..<copies).map { k in
            var i = item
            i.notice.sourceID += "-\(k)"
            return i
        }
        return input
    }

    /// A digest's e-mail parts and its files' Markdown and HTML, as text, with the cards the e-mail shows in full.
    static func mailAndFiles(_ input: DigestInput) -> (
        markdown: String, html: String, fileMarkdown: String, fileHTML: String, full: Int
    ) {
        let parts = input.mailParts()
        let html = String(decoding: parts.html, as: UTF8.self)
        return (
            String(decoding: parts.markdown, as: UTF8.self), html, MarkdownRenderer().text(input),
            HTMLRenderer().text(input), fullCards(html: html)
        )
    }

    /// BOAMP 26-7298 of the jpbenga capture, as its raw record says: « TRAVAUX D'AMENAGEMENTS INTERIEURS ET
    /// EXTERIEURS », COMMUNE DE LA MADELEINE, answers due 2026-02-16T12:00:00+00:00 (six days after the night).
    @Test(.requiresShared) func aMembersMailShowsTheFirstCardsInFullAndTheOthersAsOneLineEach() throws {
        let all = try Self.realNotices()
        let madeleine = try #require(all.first { $0.sourceID == "26-7298" })
        // 30 notices for one member (a national night gives a member about 24); 26-7298 last: the only one that
        // reaches the member through the value chain.
        let others = all.filter { $0.id != madeleine.id }.prefix(29)
        var input = Self.night(Array(others), members: 1, spread: 1)
        var indirect = DigestItem(
            notice: madeleine, score: 0.5, segments: ["Bâtiment"], direct: false, members: ["Adhérent 0"],
            memberIDs: ["m0"])
        indirect = indirect.worded()
        input.members[0].items.append(indirect)
        input.tally()
        let member = input.forMember(id: "m0", name: "Adhérent 0")
        let items = Wording.orderedMembers(member)[0].items
        #expect(items.count == 30)
        #expect(items.last?.notice.id == "boamp:26-7298")

        let (markdown, html, fileMarkdown, fileHTML, full) = Self.mailAndFiles(member)
        print(
            "member mail, 30 real notices: HTML \(fileHTML.utf8.count) → \(html.utf8.count) bytes, text "
                + "\(fileMarkdown.utf8.count) → \(markdown.utf8.count) bytes, \(full) cards in full")
        #expect(html.utf8.count < Self.gmailClip)
        #expect(full > 0 && full < 30)
        // The file keeps every card in full.
        #expect(Self.fullCards(html: fileHTML) == 30)
        // Text and HTML cut at the same notice: the first `full` in full, in the digest's order, then the others.
        let html5 = HTMLRenderer()
        let md = MarkdownRenderer()
        for (i, item) in items.enumerated() {
            let n = item.notice
            let title = n.title.isEmpty ? n.id : n.title
            if i < full {
                #expect(html.contains(" id=\"\(html5.anchor(n))\""), "\(n.id) in full in the HTML")
                #expect(markdown.contains("#### [\(md.esc(title))]"), "\(n.id) in full in the text")
            } else {
                let short = Wording.shortened(title, 150)
                #expect(!html.contains(" id=\"\(html5.anchor(n))\""), "\(n.id) is a line in the HTML")
                #expect(Self.count(">\(html5.esc(short))</a>", in: html) == 1, "\(n.id)'s link once in the HTML")
                #expect(Self.count("- [\(md.esc(short))](<", in: markdown) == 1, "\(n.id)'s link once in the text")
                #expect(!markdown.contains("#### [\(md.esc(title))]"))
            }
        }
        let heading = "Et \(30 - full) autres avis pour vous"
        #expect(html.contains(">\(heading)</h3>"))
        #expect(markdown.contains("### \(heading)\n"))
        // The raw record's values on its line: title linked, « dans 6 jours », the buyer.
        #expect(
            markdown.contains(
                "- [TRAVAUX D'AMENAGEMENTS INTERIEURS ET EXTERIEURS](<https://www.boamp.fr/pages/avis/?q=idweb:26-7298>)"
                    + " — dans 6 jours — COMMUNE DE LA MADELEINE"))
        #expect(html.contains("dans 6 jours</span> — COMMUNE DE LA MADELEINE"))
        // A member's files may not be written: its lines lead to each notice's page.
        #expect(markdown.contains("Chaque titre ouvre l'avis complet sur sa source."))
        #expect(!html.contains("latest.html"))
        // `mailContent()` is the same parts.
        let content = try member.mailContent()
        #expect(content.textBytes == Array(markdown.utf8) && content.htmlBytes == Array(html.utf8))
    }

    /// A staff e-mail for 200 notices sent to 20 members (each to five): a few cards in full with every member
    /// they went to, 30 lines, the rest counted, and a link to the full digest, under 102 KB; the file keeps them
    /// all.
    @Test(.requiresShared) func theStaffMailPointsAtTheFullDigest() throws {
        let all = try Self.realNotices()
        let notices = Array(all.prefix(200))
        try #require(notices.count == 200, "the captures hold 200 notices")
        let input = Self.night(notices, members: 20, spread: 5, publicURL: "https://veille.loire.example/loire")
        let (markdown, html, fileMarkdown, fileHTML, full) = Self.mailAndFiles(input)
        print(
            "staff mail, 200 real notices × 5 members: HTML \(fileHTML.utf8.count) → \(html.utf8.count) bytes, text "
                + "\(fileMarkdown.utf8.count) → \(markdown.utf8.count) bytes, \(full) cards in full")
        #expect(html.utf8.count < Self.gmailClip)
        #expect(full >= 1 && full < 200)
        #expect(Self.fullCards(html: fileHTML) == 200)
        #expect(Self.count("Envoyé à 5 adhérents", in: fileMarkdown) == 200)
        #expect(Self.count("Envoyé à 5 adhérents", in: markdown) == full)
        #expect(Self.count("Envoyé à 5 adhérents", in: html) == full)
        let listed = MailCut.listedLimit
        #expect(html.contains(">Et \(200 - full) autres avis</h3>"))
        #expect(markdown.contains("### Et \(200 - full) autres avis\n"))
        #expect(Self.count(" — 5 adhérents</li>", in: html) == listed)
        #expect(Self.count(" — 5 adhérents\n", in: markdown) == listed)
        #expect(html.contains("<li>… et \(200 - full - listed) de plus</li>"))
        #expect(markdown.contains("- … et \(200 - full - listed) de plus\n"))
        let lead = HTMLRenderer().esc("Le digest complet, chaque avis en détail : ")
        #expect(html.contains(lead + "<a href=\"https://veille.loire.example/loire/latest.html\">latest.html</a>"))
        #expect(
            markdown.contains(
                "Le digest complet, chaque avis en détail : [latest.html](<https://veille.loire.example/loire/latest.html>)"
            ))
        // Without a public address, the file's name.
        var local = input
        local.publicURL = nil
        #expect(String(decoding: local.mailParts().html, as: UTF8.self).contains(lead + "latest.html</p>"))
    }

    /// A staff night's deadlines: the e-mail attaches the soonest `mailEventLimit`, the calendar file keeps them all;
    /// a night with fewer attaches the file's bytes.
    @Test(.requiresShared) func theMailCalendarKeepsTheSoonestDeadlines() throws {
        let notices = Array(try Self.realNotices().prefix(200))
        let input = Self.night(notices, members: 20, spread: 5)
        let withDeadline = notices.filter { FrenchFormat.mainDeadline($0) != nil }
        let limit = ICalendarRenderer.mailEventLimit
        try #require(withDeadline.count > limit, "the captures hold more deadlines than an e-mail attaches")
        func events(_ bytes: [UInt8]) -> [String: String] {
            // UID → DTSTART of each VEVENT.
            var out: [String: String] = [:]
            var uid: String?
            for line in String(decoding: bytes, as: UTF8.self).components(separatedBy: "\r\n") {
                if line.hasPrefix("UID:") { uid = String(line.dropFirst(4)) }
                if line.hasPrefix("DTSTART:"), let u = uid { out[u] = String(line.dropFirst(8)) }
            }
            return out
        }
        let file = events(try ICalendarRenderer().render(input))
        let mail = events(try ICalendarRenderer().renderMail(input))
        #expect(file.count == withDeadline.count)
        #expect(mail.count == limit)
        #expect(!input.mailCalendarIsFile)
        // The soonest: nothing left out is due before the latest attached (UTC stamps sort as text).
        let latestAttached = mail.values.max() ?? ""
        #expect(file.filter { mail[$0.key] == nil }.allSatisfy { $0.value >= latestAttached })
        #expect(mail.allSatisfy { file[$0.key] == $0.value })
        #expect(try input.mailContent().calendar == (try ICalendarRenderer().renderMail(input)))
        // Few deadlines: the file's bytes.
        let few = Self.night(Array(withDeadline.prefix(limit)), members: 3, spread: 2)
        #expect(few.mailCalendarIsFile)
        #expect(try ICalendarRenderer().renderMail(few) == (try ICalendarRenderer().render(few)))
    }

    /// A digest whose cards fit: the e-mail's parts are the files' bytes (the golden sample, staff and member, and
    /// a real night of five notices).
    @Test(.requiresShared) func aMailThatFitsIsTheFilesBytes() throws {
        let boamp = try Self.realNotices().filter { $0.source == "boamp" }.prefix(5)
        let small = Self.night(Array(boamp), members: 2, spread: 2)
        for input in [
            SampleDigest.input, SampleDigest.input.forMember(id: "usinage-forez", name: "Usinage du Forez"), small,
            small.forMember(id: "m0", name: "Adhérent 0"),
        ] {
            let parts = input.mailParts()
            #expect(parts.html == (try HTMLRenderer().render(input)))
            #expect(parts.markdown == (try MarkdownRenderer().render(input)))
            #expect(input.mailIsFileLayout(htmlBytes: parts.html.count))
        }
    }

    /// Once the notices spent the budget, the consortium ideas are lines too, eight of their own, the rest counted.
    @Test func eachSectionAfterTheNoticesKeepsLinesOfItsOwn() throws {
        var input = try Self.sampleWith(copies: 40)
        let idea = try #require(input.consortia.first)
        input.consortia = (0..<12).map { k in
            var c = idea
            c.notice.sourceID += "-c\(k)"
            c.notice.title = "Idée \(k)"
            return c
        }
        input.tally()
        let parts = input.mailParts()
        let (markdown, html) = (
            String(decoding: parts.markdown, as: UTF8.self), String(decoding: parts.html, as: UTF8.self)
        )
        #expect(markdown.contains("### Et 12 autres idées de consortium\n"))
        #expect(html.contains(">Et 12 autres idées de consortium</h3>"))
        #expect(Self.count("\n- [Idée ", in: markdown) == MailCut.otherListedLimit)
        #expect(Self.count(">Idée ", in: html) == MailCut.otherListedLimit)
        #expect(markdown.contains("- … et 4 de plus\n"))
        // The file: every idea in full.
        #expect(Self.count("#### [Idée ", in: MarkdownRenderer().text(input)) == 12)
    }

    /// The long lists of a staff digest are cut in the e-mail (« … et 5 autres »), not in the file.
    @Test func longListsAreCutInTheMailOnly() throws {
        var input = SampleDigest.input
        let item = try #require(input.members.first?.items.first)
        input.deadlinesSoon = (0..<15).map { k in
            var i = item
            i.notice.sourceID += "-\(k)"
            i.notice.title = "Échéance \(k)"
            return i
        }
        #expect(input.hasLongMailLists)
        #expect(!input.mailIsFileLayout(htmlBytes: 1))
        let mail = String(decoding: input.mailParts().markdown, as: UTF8.self)
        let file = MarkdownRenderer().text(input)
        #expect(file.contains("Échéance 14") && !file.contains("- … et 5 autres"))
        #expect(mail.contains("Échéance 9") && !mail.contains("Échéance 10]") && mail.contains("- … et 5 autres"))
    }
}
