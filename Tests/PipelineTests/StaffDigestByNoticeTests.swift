import Classifier
import Foundation
import Notices
import Store
import TestSupport
import Testing

@testable import Digest

/// The staff digest of a night of real captures routed to a national cluster of 90 members (`NearMissPageTests`):
/// each notice sent to members is one card of « Les avis de la nuit », naming every member it went to with that
/// member's reasons — every (member, notice) pair the router recorded and the per-member layout showed.
@Suite struct StaffDigestByNoticeTests {
    /// The staff Markdown's cards: heading, then each « Envoyé à » member line with the reasons nested under it.
    static func cards(_ md: String) -> [(heading: String, recipients: [(line: String, reasons: [String])])] {
        var cards: [(heading: String, recipients: [(line: String, reasons: [String])])] = []
        var inSection = false
        var inRecipients = false
        for line in md.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("## ") {
                inSection = line == "## Les avis de la nuit"
            } else if !inSection {
                continue
            } else if line.hasPrefix("#### ") {
                cards.append((String(line.dropFirst(5)), []))
                inRecipients = false
            } else if line.hasPrefix("**Envoyé à ") {
                inRecipients = true
            } else if inRecipients, line.hasPrefix("- **") {
                cards[cards.count - 1].recipients.append((line, []))
            } else if inRecipients, line.hasPrefix("  - ") {
                let c = cards.count - 1
                cards[c].recipients[cards[c].recipients.count - 1].reasons.append(String(line.dropFirst(4)))
            }
        }
        return cards
    }

    @Test(.requiresShared) func everyRoutedMemberIsInItsNoticesOneCardWithItsReasons() throws {
        let ws = try Workspace()
        let night = try NearMissPageTests().night(batchSize: 500, ws)
        let md = String(decoding: try #require(night.files["/national/2026-01-22.md"]), as: UTF8.self)
        let json = try #require(night.files["/national/2026-01-22.json"])
        #expect(String(decoding: json, as: UTF8.self).contains("\"schema_version\" : 2"))
        let digest = try JSONDigestRenderer.decode(json)
        // The JSON reads back the digest the files were rendered from.
        #expect(Array(MarkdownRenderer().text(digest).utf8) == night.files["/national/2026-01-22.md"])
        #expect(try HTMLRenderer().render(digest) == night.files["/national/2026-01-22.html"])

        // What the router recorded tonight: each (member, notice) sent as core business or through the value chain.
        let names = Dictionary(
            uniqueKeysWithValues: NearMissPageTests.rulebook.clusters[0].members.map { ($0.id, $0.name) })
        let routed = try night.store.routes(cluster: "national").filter {
            $0.role == RouteRole.direct.rawValue || $0.role == RouteRole.indirect.rawValue
        }
        let sections = digest.members.filter { !$0.items.isEmpty }
        let pairs = sections.flatMap { m in m.items.map { (m, $0) } }
        let notices = Set(pairs.map(\.1.notice.id))
        // Several members per notice: the night this layout is for.
        #expect(pairs.count > notices.count, "\(pairs.count) pairs, \(notices.count) notices")
        let calls = Set(digest.calls.map(\.notice.id))
        for r in routed where !calls.contains(r.noticeID) {
            #expect(
                pairs.contains { $0.0.memberID == r.member && $0.1.notice.id == r.noticeID },
                "route \(r.member) / \(r.noticeID) shown nowhere")
        }

        let cards = Self.cards(md)
        let renderer = MarkdownRenderer()
        #expect(cards.count == notices.count, "one card per notice")
        #expect(cards.reduce(0) { $0 + $1.recipients.count } == pairs.count, "one line per (member, notice)")
        for (m, item) in pairs {
            let title = renderer.esc(item.notice.title.isEmpty ? item.notice.id : item.notice.title)
            let holding = cards.filter { $0.heading.contains(title) }
            #expect(!holding.isEmpty, "\(item.notice.id): no card")
            var line = "- **\(renderer.esc(names[m.memberID] ?? m.memberName))**"
            if item.direct != nil { line += " — \(renderer.esc(Wording.relevance(item, member: false)))" }
            let reasons = Wording.why(item, member: false).map(renderer.esc)
            #expect(!reasons.isEmpty, "\(m.memberID) / \(item.notice.id): no reason")
            #expect(
                holding.contains { card in card.recipients.contains { $0.line == line && $0.reasons == reasons } },
                "\(m.memberID) / \(item.notice.id): not in its card with its reasons")
        }
        // BOAMP 26-7308, « Prestations traiteurs pour l'URSSAF Normandie », départements 76, 14, 27, 50, 61 (the
        // raw record): the four members in « Services » (prestations, traiteur*) whose site is in the 76 reached it
        // for the same words, and are one card.
        let traiteurs = cards.filter { $0.heading.contains("Prestations traiteurs pour l'URSSAF Normandie") }
        try #require(traiteurs.count == 1)
        for i in [1, 25, 49, 73] {
            #expect(
                traiteurs[0].recipients.contains {
                    $0.line.hasPrefix("- **Entreprise \(i)** — Cœur de métier")
                        && $0.reasons.first
                            == "Métier : Services — mot «\u{A0}Prestations\u{A0}» dans l'intitulé ; "
                            + "mot «\u{A0}traiteurs\u{A0}» dans l'intitulé"
                }, "Entreprise \(i)")
        }
        // Each card names a member once.
        for card in cards { #expect(Set(card.recipients.map(\.line)).count == card.recipients.count) }
        // Feeds and calendars: one entry per notice.
        let atom = String(decoding: try #require(night.files["/national/2026-01-22.atom"]), as: UTF8.self)
        let ids = atom.components(separatedBy: "<entry>\n    <id>").dropFirst().map { $0.prefix { $0 != "<" } }
        #expect(Set(ids).count == ids.count && ids.count >= notices.count)
        let ics = String(decoding: try #require(night.files["/national/2026-01-22.ics"]), as: UTF8.self)
        let uids = ics.components(separatedBy: "\r\n").filter { $0.hasPrefix("UID:") }
        #expect(Set(uids).count == uids.count)
    }
}
