import Foundation
import Notices
import TestSupport
import Testing

@testable import Digest

/// « À signaler »: what no member can carry is worded for staff with its figures, and never reaches a member.
@Suite struct SignalRenderingTests {
    static var input: DigestInput {
        var d = SampleDigest.input
        d.signals = [
            SignalItem(
                notice: SampleDigest.ligne, segments: ["Robinetterie, vannes et pompes"], value: 45_000_000,
                largestCapacity: 3_000_000, combinedCapacity: 5_000_000,
                members: ["Vannes de la Drôme", "Pompes du Bugey"])
        ]
        return d
    }

    @Test func staffDigestsSayWhyWithTheFigures() {
        let nb = "\u{A0}"
        let md = MarkdownRenderer().text(Self.input)
        #expect(md.contains("## À signaler — cœur de métier hors de portée des adhérents"))
        #expect(
            md.contains(
                "Cœur de métier («\(nb)Robinetterie, vannes et pompes\(nb)») pour 45\(nb)000\(nb)000\(nb)€ : "
                    + "aucun adhérent ne peut le porter, seul ni en groupement (plus grande capacité "
                    + "3\(nb)000\(nb)000\(nb)€, 5\(nb)000\(nb)000\(nb)€ à tous ensemble)"))
        #expect(md.contains("1 avis à signaler"))
        let html = HTMLRenderer().text(Self.input)
        #expect(html.contains("<h2 id=\"signaler\""))
        #expect(htmlText(html).contains("Adhérents concernés : Vannes de la Drôme, Pompes du Bugey"))
    }

    @Test func membersNeverSeeSignals() throws {
        let member = try #require(Self.input.members.first)
        let cut = Self.input.forMember(id: member.memberID, name: member.memberName)
        #expect(cut.signals.isEmpty)
        #expect(!MarkdownRenderer().text(cut).contains("À signaler"))
    }
}
