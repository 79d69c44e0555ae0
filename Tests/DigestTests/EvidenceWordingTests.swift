import Foundation
import Notices
import Testing

@testable import Digest

/// Distance evidence in words a small firm reads at a glance, with the count of départements when the route
/// carries it (stores written before it read as before).
@Suite struct EvidenceWordingTests {
    @Test func aDistanceSaysHowFarFromTheSite() {
        var e = RouteEvidence(kind: .distance, field: .place, term: "42", matched: "26", weight: -0.5, distance: 2)
        #expect(
            Wording.sentence(e, member: true)
                == "Lieu d'exécution : Drôme (26), à 2 départements de votre site (Loire (42))")
        e.distance = 1
        #expect(Wording.sentence(e, member: false).contains("dans un département voisin de son site (Loire (42))"))
        e.distance = nil
        #expect(
            Wording.sentence(e, member: true)
                == "Lieu d'exécution : Drôme (26) ; votre site le plus proche : Loire (42)")
        #expect(!Wording.sentence(e, member: true).contains("-0,5"), "no weight in a member's words")
    }
}
