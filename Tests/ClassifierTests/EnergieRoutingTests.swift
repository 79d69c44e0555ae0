import Foundation
import Testing
@testable import Classifier
import Notices

@Suite struct EnergieRoutingTests {
    @Test func solarCarportsWithChargersNeedAGroup() throws {
        let n = ClassifierSupport.notice(
            "e1", "Installation d'une centrale solaire en ombrières et de bornes de recharge IRVE",
            postcode: "34000", value: 1_200_000)
        let c = ClassifierSupport.route(n, cluster: "energie")
        #expect(c.segmentIDs == ["photovoltaique", "raccordement"])
        #expect(
            c.directIDs == [
                "soleil-catalan", "ombrieres-garonne", "agrisol-aveyron", "reseaux-gardois",
                "bornes-mediterranee",
            ])
        // Wind, storage and studies supply the needed segments: suppliers of the bidder, not recipients.
        #expect(c.indirectIDs.isEmpty)
        for supplier in ["vents-aude", "batteries-occitanie", "cabinet-enersud", "amo-pyrenees"] {
            #expect(c.nearMiss(of: supplier)?.filter == .upstreamSupplier, "\(supplier)")
        }
        #expect(c.nearMiss(of: "cabinet-enersud")?.detail.contains("etudes → photovoltaique") == true)
        let g = try #require(c.consortia.first)
        #expect(g.members == ["soleil-catalan", "reseaux-gardois"] && g.lead == "soleil-catalan")
        let irve = try #require(c.segments.first { $0.segmentID == "raccordement" })
        #expect(irve.reasons.contains { $0.term == "IRVE" && $0.matched == "IRVE" })
    }

    @Test func hydrogenPeroxideIsNotHydrogen() {
        let n = ClassifierSupport.notice(
            "e2", "Fourniture de peroxyde d'hydrogène pour la station d'eau potable",
            departement: "34")
        let c = ClassifierSupport.route(n, cluster: "energie")
        #expect(c.routes.isEmpty)
        #expect(c.nearMiss(of: "hydrog-occitan")?.filter == .segmentExclusion)
        #expect(c.rejectedSegments.first?.vetoedBy?.matched == "peroxyde d'hydrogène")
    }

    @Test func regionLevelCallForProjects() {
        let n = ClassifierSupport.notice(
            "e3", "Appel à projets hydrogène vert pour la mobilité", kind: .callForProjects,
            nuts: "FRJ")
        let c = ClassifierSupport.route(n, cluster: "energie")
        #expect(c.directIDs == ["hydrog-occitan", "electrolyse-sud"])
        #expect(c.watches.map(\.watchID) == ["appels-projets-h2"])
        let elsewhere = ClassifierSupport.notice(
            "e4", "Appel à projets hydrogène vert pour la mobilité", kind: .callForProjects,
            nuts: "FRK")
        let o = ClassifierSupport.route(elsewhere, cluster: "energie")
        #expect(o.directIDs.isEmpty)
        #expect(o.nearMiss(of: "hydrog-occitan")?.filter == .territory)
    }

    @Test func nationalMemberReachesParis() {
        let n = ClassifierSupport.notice("e5", "Extension du réseau de chaleur par géothermie", departement: "75")
        let c = ClassifierSupport.route(n, cluster: "energie")
        #expect(c.directIDs == ["geotherm-pyrenees"])
        #expect(c.nearMiss(of: "chaleur-biterroise")?.filter == .territory)
    }

    @Test func abroadNeedsEuropeScope() {
        var n = ClassifierSupport.notice("e6", "Parc éolien en mer", nuts: "DE300")
        n.buyer = Buyer(name: "Stadtwerke", country: "DEU")
        let c = ClassifierSupport.route(n, cluster: "energie")
        #expect(c.directIDs.isEmpty)
        #expect(c.nearMiss(of: "vents-aude")?.detail == "lieu d'exécution hors de France")
    }
}
