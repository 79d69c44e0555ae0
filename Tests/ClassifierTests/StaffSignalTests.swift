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
            summary: "Pièces usinées, traitement de surface par thermolaquage et intégration sur la ligne d'assemblage.",
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

/// A rejected segment says why, as data, and the explainer words it (never « sous le seuil » for a heavy one).
@Suite struct SegmentRejectionTests {
    @Test func rejectedSegmentsCarryTheirReason() throws {
        // « moules » of the fish market: one word, heavy enough (title 3 ≥ 2), not corroborated.
        let fish = ClassifierSupport.notice("r1", "Fourniture de produits de la mer : moules et huîtres",
                                      departement: "42", cpv: ["15000000"])
        let c = ClassifierSupport.route(fish, cluster: "mecaloire")
        let seg = try #require(c.rejectedSegments.first { $0.segmentID == "outillage" })
        #expect(seg.rejection == .isolated)
        let miss = try #require(c.nearMiss(of: "outils-coise"))
        #expect(miss.cause == .incoherentEvidence(segment: "outillage", rejection: .isolated))
        #expect(miss.detail.contains("indice isolé"))

        // A welding course classified as training (CPV 80): a service about the trade.
        let course = ClassifierSupport.notice("r2", "Formation au soudage et à la chaudronnerie pour demandeurs d'emploi",
                                        summary: "Soudure TIG, tôlerie et lecture de plans.", departement: "42",
                                        cpv: ["80530000"])
        let t = ClassifierSupport.route(course, cluster: "mecaloire")
        #expect(t.rejectedSegments.first { $0.segmentID == "tolerie" }?.rejection == .serviceAboutTrade(division: "80"))
        #expect(t.routes.isEmpty)
    }
}

/// Calls for projects: territory from the call's perimeter (région, national), its text counted once.
@Suite struct CallPerimeterTests {
    static func call(nuts: String) -> Notice {
        ClassifierSupport.notice(
            "a-\(nuts)", "Appel à projets « Robotique et cobotique dans les PME industrielles »",
            summary: "Aide aux projets d'automatisme, de cellule robotisée et de vision industrielle.",
            kind: .callForProjects, nuts: nuts)
    }

    @Test func aRegionalCallReachesMembersOfThatRegionOnly() throws {
        // Auvergne-Rhône-Alpes (FRK): Robolyon (69) takes calls for projects.
        let inRegion = ClassifierSupport.route(Self.call(nuts: "FRK"), cluster: "mecaloire")
        #expect(inRegion.route(to: "robolyon") != nil)
        // Occitanie (FRJ): outside every site's region, said as such.
        let elsewhere = ClassifierSupport.route(Self.call(nuts: "FRJ"), cluster: "mecaloire")
        #expect(elsewhere.route(to: "robolyon") == nil)
        #expect(elsewhere.nearMiss(of: "robolyon")?.cause == .territory(.outsideRegions(regions: ["FRJ"])))
    }

    @Test func aNationalCallReachesEveryone() {
        let c = ClassifierSupport.route(Self.call(nuts: "FR"), cluster: "mecaloire")
        #expect(c.route(to: "robolyon") != nil)
    }

    @Test func aCallsTextCountsOnce() throws {
        var n = Self.call(nuts: "FRK")
        n.content = n.summary
        let c = ClassifierSupport.route(n, cluster: "mecaloire")
        let seg = try #require(c.segments.first { $0.segmentID == "robotique" })
        // The same keyword in summary and content is one reason.
        let bodies = seg.reasons.filter { $0.field == .summary || $0.field == .content }
        #expect(Set(bodies.map(\.rule)).count == bodies.count)
    }
}

/// Territory and lead time are judged on the lots a member's evidence lies in, when the lots say.
@Suite struct PerLotTerritoryAndDeadlineTests {
    static func notice(machiningLotDepartement: String, machiningLotDeadline: String?) -> Notice {
        let lots = [
            Lot(id: "1", title: "Galvanisation et thermolaquage des structures", places: [Place(departement: "42")]),
            Lot(id: "2", title: "Pièces usinées et décolletage de précision",
                places: [Place(departement: machiningLotDepartement)],
                deadline: machiningLotDeadline.map(ClassifierSupport.date)),
        ]
        return ClassifierSupport.notice("pl", "Équipements de la station de pompage", departement: "42", lots: lots,
                                  deadline: "2026-05-22T12:00:00+02:00")
    }

    @Test func aFarLotKeepsItsMembersOut() {
        let near = ClassifierSupport.route(Self.notice(machiningLotDepartement: "42", machiningLotDeadline: nil),
                                     cluster: "mecaloire")
        #expect(near.route(to: "decolletage-furan") == nil, "the notice's deadline is 2 days away")
        let later = ClassifierSupport.route(
            Self.notice(machiningLotDepartement: "42", machiningLotDeadline: "2026-06-20T12:00:00+02:00"),
            cluster: "mecaloire")
        #expect(later.route(to: "decolletage-furan") != nil, "its lot closes a month later")
        let far = ClassifierSupport.route(
            Self.notice(machiningLotDepartement: "13", machiningLotDeadline: "2026-06-20T12:00:00+02:00"),
            cluster: "mecaloire")
        #expect(far.route(to: "decolletage-furan") == nil)
        if case .territory = far.nearMiss(of: "decolletage-furan")?.cause {} else {
            Issue.record("expected a territory near miss: \(String(describing: far.nearMiss(of: "decolletage-furan")))")
        }
    }
}
