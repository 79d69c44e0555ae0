import Foundation
import Testing
@testable import Classifier
import Notices

/// Evidence rules are data with a stable key that reads back (rule counters, `--json`, stored routes).
@Suite struct EvidenceRuleTests {
    @Test(arguments: [
        (
            EvidenceRule.segmentKeyword(segment: "usinage", term: "pièces usinées"),
            "segment:usinage/keyword:pièces usinées"
        ),
        (.segmentCPV(segment: "usinage", prefix: "42638"), "segment:usinage/cpv:42638"),
        (.memberInterest(member: "robolyon", term: "jumeau numérique"), "member:robolyon/interest:jumeau numérique"),
        (.memberCertification(member: "atomeca", name: "ISO 19443"), "member:atomeca/certification:ISO 19443"),
        (.watchSegment(watch: "ferroviaire", segment: "usinage"), "watch:ferroviaire/segment:usinage"),
        (.territory, "filter:territory"),
        (.capacityGroupement, "filter:capacity/groupement"),
        // A term may hold the separators themselves.
        (.segmentKeyword(segment: "etudes", term: "AMO: 2/3"), "segment:etudes/keyword:AMO: 2/3"),
    ])
    func keysRoundTrip(_ rule: EvidenceRule, _ key: String) {
        #expect(rule.key == key)
        #expect(EvidenceRule(key: key) == rule)
    }

    @Test func unknownKeysAreKeptAsWritten() {
        #expect(EvidenceRule(key: "chain:usinage>assemblage") == .unknown("chain:usinage>assemblage"))
    }

    /// Near misses carry their cause as data; the sentence is derived from it.
    @Test func nearMissCausesAreDataAndReadBack() throws {
        let miss = NearMiss(
            clusterID: "mecaloire", memberID: "usinage-velay", memberName: "Usinage du Velay",
            cause: .capacity(value: 1_600_000, capacity: 600_000), segments: ["usinage"], score: 3)
        #expect(miss.filter == .capacity)
        #expect(miss.detail == "montant 1 600 000 € au-delà de la capacité 600 000 €")
        let data = try JSONEncoder().encode(miss)
        #expect(try JSONDecoder().decode(NearMiss.self, from: data) == miss)
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(json["filter"] as? String == "capacity")
        #expect((json["cause"] as? [String: Any])?["capacity"] != nil)
    }
}
