import Foundation
import Testing
@testable import Classifier
import Notices

/// Hand-labelled notices for the nuclear cluster (Cognac and energy: their own files).
@Suite struct NucleaireRoutingTests {
    @Test func radiationProtectionAtAPlantNeedsTwoSegments() throws {
        // « pour le CNPE » would only name the site (a setting): here the outage services are bought as well.
        let n = ClassifierSupport.notice(
            "n1",
            "Prestations de maintenance et de radioprotection lors de l'arrêt de tranche "
                + "du CNPE du Tricastin",
            summary: "Suivi dosimétrique des intervenants, contrôle radiologique des zones de travail.",
            postcode: "26700", value: 800_000)
        let c = ClassifierSupport.route(n, cluster: "nucleaire")
        #expect(c.segmentIDs == ["radioprotection", "maintenance"])
        #expect(c.directIDs == ["radiaprotect", "dosimeca", "atomeca", "pompes-bugey", "logistinuc"])
        // Suppliers of maintenance (valves, pressure equipment, NDT, control systems) are suppliers of the
        // bidder: near misses for staff, not routes.
        #expect(c.indirectIDs.isEmpty)
        for supplier in [
            "vannes-drome", "chaudronnerie-creusot", "cnd-expert", "ultrason-isere", "elec-controle",
            "armoires-ain",
        ] {
            #expect(c.nearMiss(of: supplier)?.filter == .upstreamSupplier, "\(supplier)")
        }
        for irrelevant in ["betons-rhodaniens", "demantel", "colis-sud", "surete-ingenierie"] {
            #expect(!c.routedIDs.contains(irrelevant) && c.nearMiss(of: irrelevant) == nil, "\(irrelevant)")
        }
        let g = try #require(c.consortia.first)
        #expect(g.reason == .multipleSegments && g.members == ["atomeca", "radiaprotect"] && g.lead == "atomeca")
    }

    @Test func nationalScopeReachesFarSitesRegionScopeDoesNot() {
        let n = ClassifierSupport.notice(
            "n2", "Études de sûreté pour une installation nucléaire de base", departement: "50")
        let c = ClassifierSupport.route(n, cluster: "nucleaire")
        #expect(c.segmentIDs == ["ingenierie"])
        #expect(c.directIDs == ["surete-ingenierie"])
        #expect(c.nearMiss(of: "etudes-creusot")?.filter == .territory)
    }

    @Test func awardsGoToTheWatchNotToMembers() {
        let n = ClassifierSupport.notice(
            "n3", "Attribution : démantèlement et décontamination de l'atelier de découpe",
            kind: .award,
            departement: "30", deadline: nil)
        let c = ClassifierSupport.route(n, cluster: "nucleaire")
        #expect(c.routes.isEmpty)
        #expect(c.nearMiss(of: "demantel")?.filter == .kind)
        #expect(c.watches.map(\.watchID) == ["demantelement-tous"])
    }
}
