import Foundation
import Notices
import Testing

@testable import Classifier

/// A rejected segment says why, as data, and the explainer words it (never « sous le seuil » for a heavy one).
@Suite struct SegmentRejectionTests {
    @Test func rejectedSegmentsCarryTheirReason() throws {
        // « moules » of the fish market: one word, heavy enough (title 3 ≥ 2), not corroborated.
        let fish = ClassifierSupport.notice(
            "r1", "Fourniture de produits de la mer : moules et huîtres",
            departement: "42", cpv: ["15000000"])
        let c = ClassifierSupport.route(fish, cluster: "mecaloire")
        let seg = try #require(c.rejectedSegments.first { $0.segmentID == "outillage" })
        #expect(seg.rejection == .isolated)
        let miss = try #require(c.nearMiss(of: "outils-coise"))
        #expect(miss.cause == .incoherentEvidence(segment: "outillage", rejection: .isolated))
        #expect(miss.detail.contains("indice isolé"))

        // A welding course classified as training (CPV 80): a service about the trade.
        let course = ClassifierSupport.notice(
            "r2", "Formation au soudage et à la chaudronnerie pour demandeurs d'emploi",
            summary: "Soudure TIG, tôlerie et lecture de plans.", departement: "42",
            cpv: ["80530000"])
        let t = ClassifierSupport.route(course, cluster: "mecaloire")
        #expect(t.rejectedSegments.first { $0.segmentID == "tolerie" }?.rejection == .serviceAboutTrade(division: "80"))
        #expect(t.routes.isEmpty)
    }
}
