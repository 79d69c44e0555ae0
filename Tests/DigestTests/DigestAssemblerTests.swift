import Foundation
import Notices
import Testing

@testable import Digest

/// "What to tell whom", from a snapshot value (no store): one entry per opportunity with its richest record,
/// each member's own reasons and nobody else's name, near misses for staff, the subscription window.
@Suite struct DigestAssemblerTests {
    static let now = ISO8601.parseZoned("2026-11-24T02:00:00Z")!.instant

    static func notice(
        _ source: String, _ id: String, deadline: String? = "2026-12-15T12:00:00+01:00", buyer: String? = nil,
        kind: NoticeKind = .tender, procedure: String? = nil
    ) -> Notice {
        var n = Notice(source: source, sourceID: id, kind: kind, title: "Usinage de pièces \(id)")
        n.deadline = deadline.flatMap { ISO8601.parseZoned($0) }
        n.buyer = buyer.map { Buyer(name: $0) }
        n.procedure = procedure
        return n
    }

    static let keyword = RouteEvidence(kind: .keyword, field: .title, term: "usinage", segment: "Usinage", weight: 3)
    static let chain = RouteEvidence(kind: .valueChain, field: .link, term: "Traitement de surface", weight: 1)

    static func member(
        _ id: String, _ n: Notice, opportunity: Int64, role: RouteRole = .direct, score: Double = 3,
        evidence: [RouteEvidence] = [keyword], display: Notice? = nil
    ) -> DigestSnapshot.Pending {
        DigestSnapshot.Pending(
            role: role, recipient: id, score: score,
            detail: .member(name: id.uppercased(), segments: ["Usinage"], evidence: evidence), notice: n,
            opportunityID: opportunity, display: display)
    }

    static func snapshot(_ pending: [DigestSnapshot.Pending], sent: [DigestSnapshot.Routed] = []) -> DigestSnapshot {
        DigestSnapshot(
            clusterID: "mecaloire", clusterName: "Pôle Méca Loire",
            members: [
                .init(id: "furan", name: "Décolletage du Furan"), .init(id: "forez", name: "Méca Forez"),
                .init(id: "velay", name: "Usinage du Velay"),
            ],
            now: now, pending: pending, sent: sent)
    }

    @Test func oneOpportunityIsOneEntryShownWithItsRichestRecord() {
        let rss = Self.notice("rss", "1", deadline: "2026-12-15T23:59:00+01:00")
        let boamp = Self.notice("boamp", "26-1", buyer: "Saint-Étienne Métropole", procedure: "open")
        let ted = Self.notice("ted", "781652-2026", buyer: "Saint-Étienne Métropole")
        let richest = DigestSnapshot.richest([rss, boamp, ted])
        #expect(richest?.id == "boamp:26-1")
        let input = DigestAssembler.assemble(
            Self.snapshot([rss, boamp, ted].map { Self.member("furan", $0, opportunity: 7, display: richest) }))
        let items = input.members.flatMap(\.items)
        #expect(items.count == 1)
        #expect(items.first?.notice.id == "boamp:26-1")
    }

    @Test func aMembersDigestNamesNoOtherMemberAndKeepsItsOwnReasons() {
        var call = Self.notice("aides-territoires", "42", kind: .callForProjects)
        call.call = CallDetails(funder: "Région")
        let pending = [
            Self.member("furan", call, opportunity: 1, evidence: [Self.keyword]),
            Self.member("forez", call, opportunity: 1, role: .indirect, score: 1, evidence: [Self.chain]),
            DigestSnapshot.Pending(
                role: .consortium, recipient: "consortium:0", score: 3,
                detail: .consortium(
                    DigestSnapshot.ConsortiumIdea(
                        members: ["furan", "forez", "velay"], names: [:], lead: "forez",
                        contributions: [
                            "furan": ["Usinage"], "forez": ["Traitement de surface"], "velay": ["Usinage"],
                        ],
                        need: .multipleSegments, uncovered: [], suppliers: [:], combinedCapacity: 2_000_000,
                        value: 1_500_000, lotID: nil)),
                notice: Self.notice("boamp", "26-9"), opportunityID: 2),
        ]
        let staff = DigestAssembler.assemble(Self.snapshot(pending))
        #expect(staff.calls.first?.members == ["Décolletage du Furan", "Méca Forez"])
        let furan = staff.forMember(id: "furan", name: "Décolletage du Furan")
        #expect(furan.calls.first?.evidence == [Self.keyword], "its own reasons, not the strongest member's")
        #expect(furan.calls.first?.members.isEmpty == true)
        let idea = furan.consortia.first
        #expect(idea?.partners.map(\.memberID) == ["furan"])
        #expect(idea?.hiddenPartners == 2)
        #expect(idea?.lead == nil, "the lead is another member: not named")
        let forez = staff.forMember(id: "forez", name: "Méca Forez")
        #expect(forez.calls.first?.evidence == [Self.chain])
        #expect(forez.consortia.first?.lead == "Méca Forez", "its own role as lead is its to know")
        // With the cluster's leave, partners are named.
        var shared = Self.snapshot(pending)
        shared.sharePartners = true
        #expect(DigestAssembler.assemble(shared).forMember(id: "furan", name: "x").consortia.first?.partners.count == 3)
        // Velay is only in the consortium idea: that is its news, without the others' names.
        let velay = staff.forMember(id: "velay", name: "Usinage du Velay")
        #expect(velay.hasNews && velay.calls.isEmpty && velay.consortia.first?.hiddenPartners == 2)
    }

    @Test func membersReadWhatTheyDoThemselvesFirst() {
        let weakIndirect = Self.member(
            "furan", Self.notice("boamp", "26-2", deadline: "2026-11-26T12:00:00+01:00"), opportunity: 2,
            role: .indirect, score: 9, evidence: [Self.chain])
        let direct = Self.member("furan", Self.notice("boamp", "26-3"), opportunity: 3, score: 2)
        let input = DigestAssembler.assemble(Self.snapshot([weakIndirect, direct]))
        #expect(input.members.first?.items.map(\.direct) == [true, false])
    }

    @Test func nearMissesAreForStaffOnlyAndLimited() {
        let misses = (0..<30).map { i in
            DigestSnapshot.Pending(
                role: .nearMiss, recipient: "near-miss:velay", score: Double(i),
                detail: .nearMiss(
                    name: "Usinage du Velay",
                    exclusion: RouteExclusion(filter: .territory, places: ["33"], distance: 4, maximumDistance: 2)),
                notice: Self.notice("boamp", "n\(i)"), opportunityID: Int64(100 + i))
        }
        let input = DigestAssembler.assemble(Self.snapshot(misses))
        #expect(input.nearMisses.count == DigestAssembler.nearMissLimit)
        #expect(input.nearMisses.first?.score == 29, "strongest first")
        #expect(input.members.isEmpty && input.hasNews == false)
        #expect(input.forMember(id: "velay", name: "Usinage du Velay").nearMisses.isEmpty)
    }

    @Test func theSubscriptionWindowKeepsEarlierNightsAndTonights() {
        let earlier = DigestSnapshot.Routed(
            notice: Self.notice("boamp", "26-0"), opportunityID: 1, memberID: "forez", direct: true, score: 3,
            sentAt: Self.now.addingTimeInterval(-5 * 86_400))
        let tonight = Self.member("furan", Self.notice("boamp", "26-5"), opportunity: 5)
        let input = DigestAssembler.assemble(Self.snapshot([tonight], sent: [earlier]))
        #expect(Set(input.window.map(\.notice.id)) == ["boamp:26-0", "boamp:26-5"])
        #expect(input.forMember(id: "forez", name: "Méca Forez").window.map(\.notice.id) == ["boamp:26-0"])
        #expect(input.forMember(id: "forez", name: "Méca Forez").hasNews == false)
    }

    /// Every field whose change is told again to the members it was sent to, with the label their digest shows.
    /// Written out here, not read from `significantFields`: a field dropped from the list must fail.
    static let retoldChanges: [(NoticeChange, String)] = [
        (NoticeChange(field: "kind", old: "tender", new: "change"), "Type d'avis"),
        (NoticeChange(field: "title", old: "Usinage de pièces", new: "Usinage et décolletage de pièces"), "Intitulé"),
        (
            NoticeChange(field: "deadline", old: "2026-12-15T12:00:00+01:00", new: "2026-12-22T12:00:00+01:00"),
            "Date limite"
        ),
        (
            NoticeChange(field: "call_closing", old: "2026-12-15T12:00:00+01:00", new: "2027-01-15T12:00:00+01:00"),
            "Clôture de l'appel"
        ),
        (NoticeChange(field: "value", old: "246000 EUR HT", new: "300000 EUR HT"), "Montant estimé"),
        (NoticeChange(field: "lots", old: nil, new: nil), "Lots"),
        (NoticeChange(field: "other_deadlines", old: nil, new: nil), "Autres échéances"),
        (NoticeChange(field: "places", old: "42", new: "43"), "Lieu d'exécution"),
        (NoticeChange(field: "procedure", old: "Procédure ouverte", new: "Procédure restreinte"), "Procédure"),
        (NoticeChange(field: "buyer", old: "Ville de Saint-Étienne", new: "Saint-Étienne Métropole"), "Acheteur"),
        (NoticeChange(field: "call", old: nil, new: nil), "Conditions de l'appel"),
    ]

    /// The list above is the whole of what is re-told: no field is told again without a test saying so.
    @Test func theRetoldFieldsAreExactlyTheListedOnes() {
        #expect(DigestAssembler.significantFields == Set(Self.retoldChanges.map(\.0.field)))
    }

    /// A member told of a notice earlier is told again when this field changes: the change is in its own digest,
    /// under the field's French label.
    @Test(arguments: retoldChanges)
    func aChangeOfThisFieldIsRetoldToTheMember(_ change: NoticeChange, _ label: String) {
        var update = Self.member("furan", Self.notice("boamp", "26-9"), opportunity: 9)
        update.isUpdate = true
        update.changes = [change]
        update.deliveredAt = Self.now.addingTimeInterval(-7 * 86_400)
        let digest = DigestAssembler.assemble(Self.snapshot([update]))
            .forMember(id: "furan", name: "Décolletage du Furan")
        #expect(digest.changed.count == 1)
        #expect(digest.changed.first?.notice.id == "boamp:26-9")
        #expect(digest.changed.first?.changes == [change])
        #expect(digest.changed.first?.audiences == [.member(id: "furan")])
        #expect(digest.hasNews)
        #expect(MarkdownRenderer().text(digest).contains(label), "\(change.field): « \(label) » not in the digest")
        // Nobody else is told.
        #expect(
            DigestAssembler.assemble(Self.snapshot([update])).forMember(id: "forez", name: "Méca Forez")
                .changed.isEmpty)
    }

    /// A reworded summary alone is recorded as delivered without a word.
    @Test func aSummaryRewordedAloneIsNotRetold() {
        var update = Self.member("furan", Self.notice("boamp", "26-9"), opportunity: 9)
        update.isUpdate = true
        update.changes = [NoticeChange(field: "summary", old: nil, new: nil)]
        let digest = DigestAssembler.assemble(Self.snapshot([update]))
            .forMember(id: "furan", name: "Décolletage du Furan")
        #expect(digest.changed.isEmpty)
    }

    /// Members reached for the same reasons share the words worded for the first; a member reached for other
    /// reasons, or a call instead of a tender, gets its own.
    @Test func itemsWithTheSameEvidenceAreWordedOnceAndTheSameAsAlone() {
        let tender = Self.notice("boamp", "26-5")
        var call = Self.notice("aides-territoires", "43", kind: .callForProjects)
        call.call = CallDetails(funder: "Région")
        let site = RouteEvidence(kind: .distance, field: .place, term: "42", matched: "43", weight: -0.5, distance: 1)
        let items = [
            DigestItem(notice: tender, score: 3, evidence: [Self.keyword], segments: ["Usinage"]),
            DigestItem(notice: tender, score: 3, evidence: [Self.keyword], segments: ["Usinage"], memberIDs: ["b"]),
            DigestItem(notice: tender, score: 3, evidence: [Self.keyword, site], segments: ["Usinage"]),
            DigestItem(notice: tender, score: 1, evidence: [Self.chain], segments: ["Usinage"], direct: false),
            DigestItem(notice: call, score: 3, evidence: [Self.keyword], segments: ["Usinage"]),
        ]
        var memo: [ItemReasons.Key: ItemReasons] = [:]
        for item in items {
            var reused = item
            reused.word(reusing: &memo)
            let alone = item.worded()
            #expect(reused.reasons.staff == alone.reasons.staff && reused.reasons.member == alone.reasons.member)
            #expect(reused.reasons.member == Wording.why(item, member: true))
        }
        #expect(memo.count == 4, "the second member's item reused the first's words")
        #expect(items[4].worded().reasons.member?.first == "L'appel vise votre métier")
        #expect(items[0].worded().reasons.member?.first != items[4].worded().reasons.member?.first)
    }
}
