import Foundation
import Notices
import Testing

@testable import Classifier

/// Core business nobody can carry goes to staff, and upstream suppliers join groupements without being sent the
/// notice (issue « Routing that members trust », items 1 and 3).
@Suite struct StaffSignalTests {
    /// 45 M€ of nuclear valves, one lot, no groupement invited: the two valve makers (3 M€ and 2 M€, 5 M€ together)
    /// cannot carry it, so nobody is sent it — but the staff digest is told, with the figures.
    @Test func coreBusinessBeyondEveryMemberIsSignalledToStaff() throws {
        let n = ClassifierSupport.notice(
            "t04", "Fourniture de robinetterie nucléaire : vannes et robinets-vannes de classe 1",
            summary: "Robinetterie de sûreté et clapets anti-retour pour le programme de remplacement.",
            departement: "26", value: 45_000_000, cpv: ["42131000"])
        let c = ClassifierSupport.route(n, cluster: "nucleaire")
        #expect(c.segmentIDs.contains("robinetterie"))
        #expect(c.routes.allSatisfy { !$0.segments.contains("robinetterie") })
        let s = try #require(c.signals.first)
        #expect(c.signals.count == 1)
        #expect(s.reason == .beyondCapacity)
        #expect(s.segments.contains("robinetterie"))
        #expect(s.value == 45_000_000)
        // Vannes de la Drôme 3 M€ and Pompes du Bugey 2 M€ are the valve makers of Rules/nucleaire.yaml.
        #expect(s.largestCapacity == 3_000_000)
        #expect(s.combinedCapacity == 5_000_000)
        #expect(s.members.first == "vannes-drome")
    }

    /// A notice one member can carry is not signalled.
    @Test func aNoticeSomeoneCarriesIsNotSignalled() {
        let n = ClassifierSupport.notice(
            "ok", "Fourniture de robinetterie : vannes et robinets-vannes pour la station de pompage",
            summary: "Robinetterie et clapets anti-retour.", departement: "26", value: 1_000_000, cpv: ["42131000"])
        let c = ClassifierSupport.route(n, cluster: "nucleaire")
        #expect(!c.routes.isEmpty)
        #expect(c.signals.isEmpty)
    }

    /// A machining and surface-treatment line needs several segments: the group is proposed with the foundry and
    /// forge as possible suppliers (fonderie-forge supplies usinage), never as recipients.
    @Test func upstreamSuppliersJoinTheGroupNotTheRecipients() throws {
        let n = ClassifierSupport.notice(
            "g1", "Usinage et thermolaquage de carters pour une ligne de production",
            summary:
                "Pièces usinées, traitement de surface par thermolaquage et intégration sur la ligne d'assemblage.",
            departement: "42", value: 900_000)
        let c = ClassifierSupport.route(n, cluster: "mecaloire")
        let g = try #require(c.consortia.first)
        let foundries: Set<String> = ["forges-gier", "fonderie-ondaine"]
        #expect(!foundries.isDisjoint(with: g.suppliers.keys), "\(g.suppliers)")
        #expect(g.suppliers.values.contains("fonderie-forge"))
        #expect(foundries.isDisjoint(with: c.routes.map(\.memberID)))
        #expect(foundries.allSatisfy { c.nearMiss(of: $0)?.filter == .upstreamSupplier })
    }
}
