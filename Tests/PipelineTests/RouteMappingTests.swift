import Classifier
import Foundation
import Notices
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

    @Test func aStoredPayloadThatDoesNotDecodeIsAnErrorNotAnEmptyRoute() {
        #expect(throws: PipelineError.self) {
            try RouteMapping.decode(MemberRoutePayload.self, "{\"segments\": 3}")
        }
    }
}
