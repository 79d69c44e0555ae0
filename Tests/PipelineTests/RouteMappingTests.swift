import Classifier
import Digest
import Foundation
import Notices
import TestSupport
import Testing

@testable import Pipeline

/// The classifier's reasons become routing data for the store and the digest: trade labels instead of ids,
/// the watch's name, no sentence (the Digest words them).
@Suite struct RouteMappingTests {
    let cluster = testRulebook.clusters[0]

    @Test(arguments: [
        (
            Reason(
                rule: "segment:usinage/keyword:usinage", field: .title, term: "usinage", matched: "Usinage", weight: 3),
            RouteEvidence(
                kind: .keyword, field: .title, term: "usinage", matched: "Usinage", segment: "Usinage", weight: 3)
        ),
        (
            Reason(
                rule: "segment:usinage/keyword:pièces usinées", field: .lot, term: "pièces usinées",
                matched: "pieces usinees de precision", weight: 2.5, lotID: "2"),
            RouteEvidence(
                kind: .keyword, field: .lot, term: "pièces usinées", matched: "pieces usinees de precision", lotID: "2",
                segment: "Usinage", weight: 2.5)
        ),
        (
            Reason(rule: "segment:usinage/cpv:4262", field: .cpv, term: "4262", matched: "42621000-8", weight: 3),
            RouteEvidence(kind: .cpv, field: .cpv, term: "4262", matched: "42621000-8", segment: "Usinage", weight: 3)
        ),
        (
            Reason(
                rule: "filter:capacity/groupement", field: .value, term: "700 000 €", matched: "900 000 €", weight: 0),
            RouteEvidence(kind: .groupement, field: .value, term: "700 000 €", matched: "900 000 €", weight: 0)
        ),
        (
            Reason(rule: "member:usinage-forez/interest:bogies", field: .title, term: "bogies", weight: 1),
            RouteEvidence(kind: .interest, field: .title, term: "bogies", weight: 1)
        ),
    ])
    func reasonsBecomeEvidence(_ reason: Reason, _ expected: RouteEvidence) {
        #expect(RouteMapping.evidence(reason, cluster: cluster) == expected)
    }

    @Test func strongestFirstEachOnce() {
        let r = Reason(rule: "segment:usinage/keyword:usinage", field: .title, term: "usinage", weight: 3)
        let weak = Reason(rule: "segment:usinage/keyword:tournage", field: .content, term: "tournage", weight: 1)
        #expect(RouteMapping.evidence([weak, r, r], cluster: cluster).map(\.term) == ["usinage", "tournage"])
    }

    /// A notice whose trade every member of a big cluster shares: the store keeps the near misses the staff
    /// digest could list (its strongest `nearMissLimit`, by score then member), not one row per member.
    @Test func nearMissesKeepTheStrongestTheDigestCanList() throws {
        let limit = DigestAssembler.nearMissLimit
        // 40 members left out: scores 0.5, 1.0, … 20.0 in a shuffled order; two ties at the cut (member ids
        // decide); the routed member's own near miss is never a row.
        var misses: [NearMiss] = (1...40).map { i in
            NearMiss(
                clusterID: cluster.id, memberID: String(format: "m%02d", i), memberName: "Membre \(i)",
                cause: .weakMatch(segment: "usinage", score: Double(i) / 2, threshold: 3), segments: ["usinage"],
                score: Double(i) / 2)
        }
        misses.append(
            NearMiss(
                clusterID: cluster.id, memberID: "z-tie", memberName: "Tie Z",
                cause: .weakMatch(segment: "usinage", score: 13, threshold: 3), segments: ["usinage"], score: 13))
        misses.append(
            NearMiss(
                clusterID: cluster.id, memberID: "a-tie", memberName: "Tie A",
                cause: .weakMatch(segment: "usinage", score: 13, threshold: 3), segments: ["usinage"], score: 13))
        misses.append(
            NearMiss(
                clusterID: cluster.id, memberID: "routed", memberName: "Routed",
                cause: .weakMatch(segment: "usinage", score: 99, threshold: 3), segments: ["usinage"], score: 99))
        misses.reverse()
        let route = Route(
            clusterID: cluster.id, memberID: "routed", memberName: "Routed", score: 9, kind: .direct,
            segments: ["usinage"], reasons: [])
        let result = RoutingResult(
            noticeID: "n1",
            clusters: [
                ClusterRouting(clusterID: cluster.id, clusterName: cluster.name, routes: [route], nearMisses: misses)
            ])
        let rows = try RouteMapping.records(result, rulebook: testRulebook).filter { $0.role == "near_miss" }
        #expect(rows.count == limit)
        // Scores 20.0 down to 13.5 (m40…m27, 14 members), then one of the three at 13.0: a-tie, before m26 and
        // z-tie by member id.
        let expected = (27...40).reversed().map { String(format: "near-miss:m%02d", $0) } + ["near-miss:a-tie"]
        #expect(rows.map(\.member) == expected)
        #expect(!rows.contains { $0.member == "near-miss:routed" })
    }

    /// A page routed in slices keeps, in each slice, only the near misses its ``NearMissCut`` admits: the page's
    /// strongest are the same rows as without the cut, in the same order (random pages with many ties, copies of
    /// one tender in several notices, a member dropped again with a higher score).
    @Test(arguments: 1...40) func theCutOfASliceDropsNoNearMissThePageKeeps(seed: Int) {
        var rng = SplitMix64(seed: UInt64(seed))
        let page = NearMissPageTests.randomPage(&rng, maxNotices: 80, scoreSteps: 12)
        let rows = page.rows
        let display = { (o: Int64) in page.display[o]! }
        let slices = 1 + Int(rng.next() % 4)
        var admitted: [NearMissCandidate] = []
        for k in 0..<slices {
            var cut = NearMissCut()
            for r in rows[(rows.count * k / slices)..<(rows.count * (k + 1) / slices)]
            where cut.admits(r.score, member: r.memberID, opportunity: r.opportunityID, cluster: r.cluster) {
                admitted.append(r)
            }
        }
        #expect(
            RouteMapping.strongest(inPage: admitted, display: display)
                == RouteMapping.strongest(inPage: rows, display: display))
    }

    /// Once the limit's worth of distinct (member, opportunity) keys is seen, a weaker near miss is refused; one tied
    /// with the weakest, or a stronger one of a key already seen, is still admitted.
    @Test func theCutRefusesOnlyWhatRanksBelowTheLimit() {
        let limit = DigestAssembler.nearMissLimit
        var cut = NearMissCut()
        func admits(_ score: Double, _ member: String, opportunity: Int64, cluster: String = "a") -> Bool {
            cut.admits(score, member: member, opportunity: opportunity, cluster: cluster)
        }
        for m in 0..<limit {
            #expect(admits(Double(100 - m), "m\(m)", opportunity: 1))
        }
        let weakest = Double(100 - limit + 1)
        #expect(!admits(weakest - 0.5, "other", opportunity: 2))
        #expect(admits(weakest - 0.5, "other", opportunity: 2, cluster: "b"))
        #expect(admits(weakest, "tied", opportunity: 2))
        // The weakest key comes back stronger: it is admitted, and the cut rises to the next one.
        #expect(admits(200, "m\(limit - 1)", opportunity: 1))
        #expect(admits(weakest + 1, "new", opportunity: 3))
        #expect(!admits(weakest + 0.5, "late", opportunity: 3))
    }

    @Test func aStoredPayloadThatDoesNotDecodeIsAnErrorNotAnEmptyRoute() {
        #expect(throws: PipelineError.self) {
            try RouteMapping.decode(MemberRoutePayload.self, "{\"segments\": 3}")
        }
    }
}
