import Foundation
import Notices
import Testing

@testable import Digest

/// The staff's digest lists each notice of the night once, with the members it went to and each one's reasons
/// (« Les avis de la nuit »), where it printed the whole card once per member (« Par adhérent »): every (member,
/// notice) pair the per-member layout showed, with its reasons, is still there, and each notice's card once.
@Suite struct StaffByNoticeTests {
    /// The per-member layout of the golden sample (the golden Markdown before this change), read from the file:
    /// under each member, its notice, how it concerns it and « Pourquoi cet avis ? ».
    static let oldGoldenPairs: [(member: String, title: String, line: String, reasons: [String])] = [
        (
            "Usinage du Forez", "Fourniture de pièces mécaniques usinées et décolletées de précision",
            "- **Usinage du Forez** — Cœur de métier · pertinence moyenne",
            [
                "Métier : Usinage et décolletage de précision — mot «\u{A0}pièces mécaniques\u{A0}» dans l'intitulé ;"
                    + " mot «\u{A0}décolletées\u{A0}» dans l'intitulé ; code CPV 42621000-5 (Tours)",
                "L'avis demande la certification «\u{A0}EN 9100\u{A0}» : non déclarée dans sa fiche (à vérifier, ou à "
                    + "apporter par un partenaire)",
                "Lieu d'exécution : Loire (42) ; son site le plus proche : Haute-Loire (43)",
            ]
        ),
        (
            "Tôlerie de l'Ondaine \\<TO\\>", "Conception et réalisation d'une ligne de traitement de surface",
            "- **Tôlerie de l'Ondaine \\<TO\\>** — Par la chaîne de valeur · pertinence faible",
            ["Fournit «\u{A0}Traitements de surface et thermiques\u{A0}», un métier dont l'avis a besoin"]
        ),
    ]

    @Test func theGoldenSampleKeepsEveryMemberAndReasonOfThePerMemberLayout() throws {
        let md = MarkdownRenderer().text(SampleDigest.input)
        #expect(!md.contains("## Par adhérent"))
        let cards = StaffCards(markdown: md)
        #expect(cards.cards.count == 2)
        for old in Self.oldGoldenPairs {
            let matching = cards.cards.filter { $0.heading.contains(old.title) }
            try #require(matching.count == 1, "\(old.title): \(matching.count) cards")
            #expect(matching[0].recipients == [StaffCards.Recipient(line: old.line, reasons: old.reasons)])
        }
        // The core business card comes first, though its member's section came second in the assembler's order.
        #expect(cards.cards.first?.heading.contains("Fourniture de pièces mécaniques") == true)
        try StaffCards.checkEveryPair(SampleDigest.input)
    }

    /// A notice routed to three members: one card naming the three, core business first, each with its reasons.
    @Test func aNoticeSentToThreeMembersIsOneCardNamingTheThree() throws {
        let input = Self.sharedNotice
        let md = MarkdownRenderer().text(input)
        let cards = StaffCards(markdown: md)
        #expect(cards.cards.count == 2)
        let usinage = try #require(cards.cards.first { $0.heading.contains("Fourniture de pièces mécaniques") })
        #expect(
            usinage.recipients.map(\.line) == [
                "- **Usinage du Forez** — Cœur de métier · pertinence moyenne",
                "- **Mécanique Roannaise** — Cœur de métier · pertinence faible",
                "- **Tôlerie de l'Ondaine \\<TO\\>** — Par la chaîne de valeur · pertinence faible",
            ])
        #expect(md.contains("**Envoyé à 3 adhérents :**"))
        #expect(
            usinage.recipients[1].reasons == [
                "Métier : Usinage et décolletage de précision — code CPV 42621000-5 (Tours)"
            ])
        // The whole card (its buyer, its CPV codes) once, not once per member.
        let section = try #require(
            md.components(separatedBy: "## Les avis de la nuit").last?.components(separatedBy: "\n## ").first)
        #expect(section.components(separatedBy: "- **Acheteur :** Saint-Étienne Métropole").count == 2)
        #expect(section.components(separatedBy: "- **Codes CPV :**").count == 2)
        // « Pour qui » keeps the per-member counts.
        #expect(md.contains("- **Pour qui :**\n  - Usinage du Forez : 1 avis\n  - Mécanique Roannaise : 1 avis"))
        #expect(md.contains("  - Tôlerie de l'Ondaine \\<TO\\> : 2 avis"))
        try StaffCards.checkEveryPair(input)
    }

    @Test func theStaffJSONListsEachNoticeOnceAndReadsBackExactly() throws {
        let input = Self.sharedNotice
        let bytes = try JSONDigestRenderer().render(input)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains("\"schema_version\" : 2"))
        #expect(text.contains("\"notice_ids\" : ["))
        #expect(try JSONDigestRenderer.decode(bytes) == input)
        struct Staff: Decodable {
            struct Digest: Decodable {
                struct Sent: Decodable {
                    struct Notice: Decodable { var id: String }
                    struct To: Decodable { var member_id: String }
                    var notice: Notice
                    var sent_to: [To]
                }
                var notices: [Sent]
            }
            var digest: Digest
        }
        let staff = try JSONDecoder().decode(Staff.self, from: Data(bytes))
        #expect(staff.digest.notices.map(\.notice.id) == ["boamp:26-41234", "ted:312345-2026"])
        #expect(
            staff.digest.notices[0].sent_to.map(\.member_id) == [
                "usinage-forez", "mecanique-roannaise", "tolerie-ondaine",
            ])
        // The same JSONEncoder writes, byte for byte.
        let envelope = JSONDigestRenderer.Envelope(schemaVersion: 2, generator: "vigie", digest: input)
        #expect(Array(bytes.dropLast()) == Array(try NoticeJSON.encoder(pretty: true).encode(envelope)))
    }

    /// A member's own JSON keeps its layout, byte for byte, and its schema number; read from the staff's JSON,
    /// the cluster's digest still cuts the same member digests.
    @Test func aMembersOwnJSONIsUnchanged() throws {
        let input = Self.sharedNotice
        let back = try JSONDigestRenderer.decode(try JSONDigestRenderer().render(input))
        for m in input.members {
            let own = input.forMember(id: m.memberID, name: m.memberName)
            #expect(back.forMember(id: m.memberID, name: m.memberName) == own)
            let bytes = try JSONDigestRenderer().render(own)
            let legacy = JSONDigestRenderer.Envelope(schemaVersion: 1, generator: "vigie", digest: own)
            #expect(Array(bytes.dropLast()) == Array(try NoticeJSON.encoder(pretty: true).encode(legacy)))
            #expect(String(decoding: bytes, as: UTF8.self).contains("\"schema_version\" : 1"))
            #expect(!String(decoding: bytes, as: UTF8.self).contains("\"notices\""))
        }
    }

    /// Feeds and calendars were already one entry per notice: still so when a notice went to three members.
    @Test func theFeedAndTheCalendarHoldEachNoticeOnce() throws {
        let input = Self.sharedNotice
        let atom = AtomRenderer().text(input)
        let ids = atom.components(separatedBy: "<entry>\n    <id>").dropFirst().map { $0.prefix { $0 != "<" } }
        #expect(!ids.isEmpty && Set(ids).count == ids.count)
        let ics = ICalendarRenderer().text(input)
        let uids = ics.components(separatedBy: "\r\n").filter { $0.hasPrefix("UID:") }
        #expect(!uids.isEmpty && Set(uids).count == uids.count)
    }

    /// « Pourquoi » worded once by the assembler is what each renderer worded for itself: same files, staff's and
    /// members'; the words are forgotten when the evidence changes.
    @Test func reasonsWordedOnceRenderTheSameFiles() throws {
        let plain = Self.sharedNotice
        var worded = plain
        for m in worded.members.indices { worded.members[m].items = worded.members[m].items.map { $0.worded() } }
        let item = worded.members[1].items[0]
        #expect(item.reasons.staff == Wording.why(item, member: false))
        #expect(item.reasons.member == Wording.why(item, member: true))
        #expect(worded == plain)
        var changed = item
        changed.evidence.removeLast()
        #expect(changed.reasons.staff == nil && changed.reasons.member == nil)
        for format in DigestFormat.allCases {
            #expect(try format.renderer.render(worded) == format.renderer.render(plain), "\(format)")
            for m in plain.members {
                let (a, b) = (
                    worded.forMember(id: m.memberID, name: m.memberName),
                    plain.forMember(id: m.memberID, name: m.memberName)
                )
                #expect(try format.renderer.render(a) == format.renderer.render(b), "\(format) \(m.memberID)")
            }
        }
    }

    /// The sample with the usinage tender also sent to a second member in its trade (weaker evidence) and, through
    /// the value chain, to the member that already has the surface line.
    static var sharedNotice: DigestInput {
        var input = SampleDigest.input
        let usinage = input.members[1].items[0]
        var roannaise = usinage
        roannaise.score = 1.5
        roannaise.memberIDs = ["mecanique-roannaise"]
        roannaise.alsoPublishedOn = ["ted"]
        roannaise.evidence = [
            RouteEvidence(kind: .cpv, field: .cpv, term: "42621000", matched: "42621000-5", weight: 1.5)
        ]
        var tolerie = usinage
        tolerie.score = 1
        tolerie.direct = false
        tolerie.memberIDs = ["tolerie-ondaine"]
        tolerie.segments = ["Tôlerie, chaudronnerie et mécano-soudure"]
        tolerie.evidence = [
            RouteEvidence(kind: .valueChain, field: .link, term: "Usinage et décolletage de précision", weight: 1)
        ]
        input.members[0].items.append(tolerie)
        input.members.insert(
            MemberSection(memberID: "mecanique-roannaise", memberName: "Mécanique Roannaise", items: [roannaise]), at: 2
        )
        return input
    }
}

/// The staff Markdown's « Les avis de la nuit » read back: each card's heading, and under « Envoyé à » each member's
/// line and the reasons nested under it.
struct StaffCards {
    struct Recipient: Equatable {
        var line: String
        var reasons: [String]
    }
    struct Card {
        var heading: String
        var recipients: [Recipient] = []
    }
    var cards: [Card] = []

    init(markdown: String) {
        var inSection = false
        var inRecipients = false
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("## ") {
                inSection = line == "## \(Wording.byNotice)"
                continue
            }
            guard inSection else { continue }
            if line.hasPrefix("#### ") {
                cards.append(Card(heading: String(line.dropFirst(5))))
                inRecipients = false
            } else if line.hasPrefix("**Envoyé à ") {
                inRecipients = true
            } else if inRecipients, line.hasPrefix("- **") {
                cards[cards.count - 1].recipients.append(Recipient(line: line, reasons: []))
            } else if inRecipients, line.hasPrefix("  - ") {
                let c = cards.count - 1
                cards[c].recipients[cards[c].recipients.count - 1].reasons.append(String(line.dropFirst(4)))
            }
        }
    }

    /// Every (member, notice) pair of `input`'s member sections, with the relevance and « Pourquoi » lines the
    /// per-member layout printed under the member's heading, is in the card of its notice, in the Markdown and in
    /// the HTML; each notice has one card; no card names a member the sections do not pair with it.
    static func checkEveryPair(_ input: DigestInput) throws {
        let md = MarkdownRenderer()
        let html = HTMLRenderer()
        let cards = StaffCards(markdown: md.text(input)).cards
        let page = html.text(input)
        let start = try #require(page.range(of: "<h2 id=\"adherents\""))
        let end = page.range(of: "<h2 ", range: start.upperBound..<page.endIndex)?.lowerBound ?? page.endIndex
        let htmlCards = page[start.upperBound..<end].components(separatedBy: "<h4 ").dropFirst().map {
            htmlText("<h4 " + $0)
        }
        var titles: [String: Set<String>] = [:]
        var pairs = 0
        for m in input.members {
            for item in m.items {
                pairs += 1
                let n = item.notice
                let title = n.title.isEmpty ? n.id : n.title
                titles[title, default: []].insert(n.id)
                var line = "- **\(md.esc(m.memberName))**"
                var plain = m.memberName
                if item.direct != nil {
                    line += " — \(md.esc(Wording.relevance(item, member: false)))"
                    plain += " — \(Wording.relevance(item, member: false))"
                }
                let reasons = Wording.why(item, member: false)
                let expected = Recipient(line: line, reasons: reasons.map(md.esc))
                #expect(
                    cards.contains { $0.heading.contains(md.esc(title)) && $0.recipients.contains(expected) },
                    "\(m.memberID) / \(n.id): not in its Markdown card")
                let shown = htmlText(html.esc(([plain] + reasons).joined(separator: " ")))
                #expect(
                    htmlCards.contains { $0.hasPrefix(htmlText(html.esc(title))) && $0.contains(shown) },
                    "\(m.memberID) / \(n.id): not in its HTML card")
            }
        }
        #expect(cards.reduce(0) { $0 + $1.recipients.count } == pairs)
        for (title, ids) in titles {
            #expect(cards.filter { $0.heading.contains(md.esc(title)) }.count >= ids.count)
            #expect(htmlCards.filter { $0.hasPrefix(htmlText(html.esc(title))) }.count >= ids.count)
        }
        let notices = Set(input.members.flatMap { $0.items.map(\.notice.id) })
        #expect(cards.count == notices.count, "one card per notice")
        #expect(htmlCards.count == notices.count, "one HTML card per notice")
    }
}
