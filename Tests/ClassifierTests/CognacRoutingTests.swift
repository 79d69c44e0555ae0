import Foundation
import Testing
@testable import Classifier
import Notices

@Suite struct CognacRoutingTests {
    @Test func bottlesAndCorksForSpirits() throws {
        let n = ClassifierSupport.notice(
            "c1", "Fourniture de bouteilles et de bouchons pour eaux-de-vie",
            summary: "Flacons en verre extra-blanc de 70 cl et bouchons à tête en liège naturel.",
            postcode: "16100", value: 300_000)
        let c = ClassifierSupport.route(n, cluster: "cognac")
        #expect(c.segmentIDs == ["verrerie", "bouchage"])
        #expect(c.directIDs == ["verallia-like", "deco-verre", "bouchons-fins", "capsules-atlantique"])
        // « pour eaux-de-vie » names what the bottles are for: the stills are not bought.
        let spirits = try #require(c.rejectedSegments.first { $0.segmentID == "distillation" })
        #expect(!spirits.reasons.isEmpty && spirits.reasons.allSatisfy { $0.isSetting && abs($0.weight - 0.9) < 1e-9 })
        #expect(c.nearMiss(of: "alambics-jarnac")?.filter == .weakMatch)
        #expect(!c.routedIDs.contains("alambics-jarnac") && !c.routedIDs.contains("chaudronnerie-segonzac"))
        #expect(!c.routedIDs.contains("transports-rochelais"))
    }

    @Test func giftBoxesWithLabelsProposeAPackagingGroup() throws {
        let n = ClassifierSupport.notice(
            "c2", "Coffrets et étiquettes pour une édition limitée",
            summary: "Étiquettes imprimées en sérigraphie avec dorure à chaud ; coffrets en carton avec calage.",
            postcode: "16100", value: 500_000)
        let c = ClassifierSupport.route(n, cluster: "cognac")
        #expect(c.segmentIDs == ["cartonnage", "etiquetage"])
        let g = try #require(c.consortia.first)
        #expect(g.members == ["cartonnages-charentais", "imprimerie-angoumoise"])
        #expect(g.lead == "cartonnages-charentais")
        // Bottling lines are downstream of boxes and labels (they receive them): they are neither routed nor
        // named as suppliers, and nothing in the cluster supplies boxes or labels.
        #expect(!c.routedIDs.contains("embouteillage-services") && !c.routedIDs.contains("machines-cond-niort"))
        #expect(c.nearMiss(of: "embouteillage-services") == nil && c.nearMiss(of: "machines-cond-niort") == nil)
        #expect(c.indirectIDs.isEmpty)
        #expect(!c.nearMisses.contains { $0.filter == .upstreamSupplier })
    }

    @Test func glassCollectionIsExcluded() {
        let n = ClassifierSupport.notice(
            "c3", "Collecte du verre et conteneurs à verre, bouteilles usagées", departement: "17")
        let c = ClassifierSupport.route(n, cluster: "cognac")
        #expect(!c.routedIDs.contains("verallia-like"))
        #expect(c.nearMiss(of: "verallia-like")?.filter == .segmentExclusion)
    }

    @Test func distanceIsCountedInDepartements() {
        let near = ClassifierSupport.notice("c4", "Tonnellerie : fourniture de barriques", departement: "33")
        #expect(
            ClassifierSupport.route(near, cluster: "cognac").directIDs == ["tonnellerie-charente", "merrains-limousin"])
        let far = ClassifierSupport.notice("c5", "Tonnellerie : fourniture de barriques", departement: "40")
        let c = ClassifierSupport.route(far, cluster: "cognac")
        #expect(c.directIDs.isEmpty)
        #expect(c.nearMiss(of: "tonnellerie-charente")?.detail.contains("à 3 départements") == true)
    }
}
