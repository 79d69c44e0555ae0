import Foundation
import Testing
@testable import Classifier
import Notices

@Suite struct RoutingResultTests {
    @Test func jsonKeysAreSnakeCaseAndRoundTrip() throws {
        let n = ClassifierSupport.notice("j1", "Usinage de carters", departement: "42", value: 2_000_000)
        let r = ClassifierSupport.router.route(n, now: ClassifierSupport.now)
        let data = try JSONEncoder().encode(r)
        let text = String(decoding: data, as: UTF8.self)
        for key in [
            "\"notice_id\"", "\"near_misses\"", "\"member_id\"", "\"rule_counters\"", "\"cluster_id\"",
            "\"combined_capacity\"", "\"detail_en\"", "\"rejected_segments\"",
        ] {
            #expect(text.contains(key), "\(key)")
        }
        // The title head (« Usinage … ») marks its reason `isTitleHead`, which the JSON does not carry: the
        // decoded result differs from the routed one. A bug of the encoding, not of this test.
        let decoded = try JSONDecoder().decode(RoutingResult.self, from: data)
        #expect(decoded.clusters.map(\.routes.count) == r.clusters.map(\.routes.count))
        #expect(decoded == r)
    }

    @Test func clusterSelection() {
        let router = Router(rulebook: ClassifierSupport.rulebook, options: RouterOptions(clusters: ["cognac"]))
        let r = router.route(
            ClassifierSupport.notice("k1", "Usinage et tonnellerie", departement: "16"), now: ClassifierSupport.now)
        #expect(r.clusters.map(\.clusterID) == ["cognac"])
        #expect(router.patternCount > 300)
        #expect(ClassifierSupport.rulebook.member("atomeca", in: "nucleaire")?.capacity == 12_000_000)
        #expect(ClassifierSupport.rulebook.segment("verrerie", in: "cognac")?.supplies == ["conditionnement"])
        #expect(ClassifierSupport.rulebook.watches.count == 7)
    }

    @Test func concurrentRoutingMatchesSequential() async {
        let titles = [
            "Usinage de carters", "Tonnellerie : fourniture de barriques", "Centrale solaire en ombrières",
            "Radioprotection au CNPE",
        ]
        let places = ["42", "16", "34", "26"]
        let notices: [Notice] = (0..<40).map { i in
            let value = Decimal(50_000 * (i % 5 + 1))
            return ClassifierSupport.notice("p\(i)", titles[i % 4], departement: places[i % 4], value: value)
        }
        let router = ClassifierSupport.router
        let sequential = notices.map { router.route($0, now: ClassifierSupport.now) }
        let concurrent = await withTaskGroup(of: (Int, RoutingResult).self) { group in
            for (i, n) in notices.enumerated() { group.addTask { (i, router.route(n, now: ClassifierSupport.now)) } }
            var out = [RoutingResult?](repeating: nil, count: notices.count)
            for await (i, r) in group { out[i] = r }
            return out.compactMap { $0 }
        }
        #expect(concurrent == sequential)
        #expect(sequential.allSatisfy { !$0.routes.isEmpty })
    }

    @Test func statisticsSumCounters() {
        var stats = RuleStatistics()
        for i in 0..<3 {
            stats.add(
                ClassifierSupport.router.route(
                    ClassifierSupport.notice("s\(i)", "Usinage de carters", departement: "42"),
                    now: ClassifierSupport.now))
        }
        #expect(stats.notices == 3)
        #expect(stats.counters.first { $0.rule == "mecaloire/segment:usinage/keyword:usinage" }?.matched == 3)
    }

    @Test func explanationsInFrenchAndEnglish() {
        let n = ClassifierSupport.notice(
            "x1", "Fourniture de pièces de décolletage",
            summary: MecaLoireRoutingTests.turnedPartsSummary, departement: "13")
        let r = ClassifierSupport.router.route(n, now: ClassifierSupport.now)
        let fr = RoutingExplainer(
            language: .fr, member: "decolletage-furan", cluster: "mecaloire", now: ClassifierSupport.now
        ).render(r, notice: n)
        #expect(fr.contains("mot-clé « décolletage » dans le titre : « décolletage » (+3)"))
        #expect(fr.contains("✗ Décolletage du Furan (decolletage-furan) — territoire : lieu d'exécution 13"))
        let en = RoutingExplainer(
            language: .en, member: "decolletage-furan", cluster: "mecaloire", now: ClassifierSupport.now
        ).render(r, notice: n)
        #expect(en.contains("keyword 'décolletage' in title: 'décolletage' (+3)"))
        #expect(en.contains("— territory: place of work 13 Bouches-du-Rhône is 3 départements from the nearest site"))
    }
}
