import Foundation
import Testing
@testable import Classifier
import Notices

/// Hand-labelled notices for the nuclear, Cognac and energy clusters.
@Suite struct NucleaireRoutingTests {
    @Test func radiationProtectionAtAPlantNeedsTwoSegments() throws {
        // « pour le CNPE » would only name the site (a setting): here the outage services are bought as well.
        let n = ClassifierSupport.notice("n1", "Prestations de maintenance et de radioprotection lors de l'arrêt de tranche "
                                       + "du CNPE du Tricastin",
                                   summary: "Suivi dosimétrique des intervenants, contrôle radiologique des zones de travail.",
                                   postcode: "26700", value: 800_000)
        let c = ClassifierSupport.route(n, cluster: "nucleaire")
        #expect(c.segmentIDs == ["radioprotection", "maintenance"])
        #expect(c.directIDs == ["radiaprotect", "dosimeca", "atomeca", "pompes-bugey", "logistinuc"])
        // Suppliers of maintenance (valves, pressure equipment, NDT, control systems) are suppliers of the
        // bidder: near misses for staff, not routes.
        #expect(c.indirectIDs.isEmpty)
        for supplier in ["vannes-drome", "chaudronnerie-creusot", "cnd-expert", "ultrason-isere", "elec-controle",
                         "armoires-ain"] {
            #expect(c.nearMiss(of: supplier)?.filter == .upstreamSupplier, "\(supplier)")
        }
        for irrelevant in ["betons-rhodaniens", "demantel", "colis-sud", "surete-ingenierie"] {
            #expect(!c.routedIDs.contains(irrelevant) && c.nearMiss(of: irrelevant) == nil, "\(irrelevant)")
        }
        let g = try #require(c.consortia.first)
        #expect(g.reason == .multipleSegments && g.members == ["atomeca", "radiaprotect"] && g.lead == "atomeca")
    }

    @Test func nationalScopeReachesFarSitesRegionScopeDoesNot() {
        let n = ClassifierSupport.notice("n2", "Études de sûreté pour une installation nucléaire de base", departement: "50")
        let c = ClassifierSupport.route(n, cluster: "nucleaire")
        #expect(c.segmentIDs == ["ingenierie"])
        #expect(c.directIDs == ["surete-ingenierie"])
        #expect(c.nearMiss(of: "etudes-creusot")?.filter == .territory)
    }

    @Test func awardsGoToTheWatchNotToMembers() {
        let n = ClassifierSupport.notice("n3", "Attribution : démantèlement et décontamination de l'atelier de découpe",
                                   kind: .award,
                                   departement: "30", deadline: nil)
        let c = ClassifierSupport.route(n, cluster: "nucleaire")
        #expect(c.routes.isEmpty)
        #expect(c.nearMiss(of: "demantel")?.filter == .kind)
        #expect(c.watches.map(\.watchID) == ["demantelement-tous"])
    }
}

@Suite struct CognacRoutingTests {
    @Test func bottlesAndCorksForSpirits() throws {
        let n = ClassifierSupport.notice("c1", "Fourniture de bouteilles et de bouchons pour eaux-de-vie",
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
        let n = ClassifierSupport.notice("c2", "Coffrets et étiquettes pour une édition limitée",
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
        let n = ClassifierSupport.notice("c3", "Collecte du verre et conteneurs à verre, bouteilles usagées", departement: "17")
        let c = ClassifierSupport.route(n, cluster: "cognac")
        #expect(!c.routedIDs.contains("verallia-like"))
        #expect(c.nearMiss(of: "verallia-like")?.filter == .segmentExclusion)
    }

    @Test func distanceIsCountedInDepartements() {
        let near = ClassifierSupport.notice("c4", "Tonnellerie : fourniture de barriques", departement: "33")
        #expect(ClassifierSupport.route(near, cluster: "cognac").directIDs == ["tonnellerie-charente", "merrains-limousin"])
        let far = ClassifierSupport.notice("c5", "Tonnellerie : fourniture de barriques", departement: "40")
        let c = ClassifierSupport.route(far, cluster: "cognac")
        #expect(c.directIDs.isEmpty)
        #expect(c.nearMiss(of: "tonnellerie-charente")?.detail.contains("à 3 départements") == true)
    }
}

@Suite struct EnergieRoutingTests {
    @Test func solarCarportsWithChargersNeedAGroup() throws {
        let n = ClassifierSupport.notice("e1", "Installation d'une centrale solaire en ombrières et de bornes de recharge IRVE",
                                   postcode: "34000", value: 1_200_000)
        let c = ClassifierSupport.route(n, cluster: "energie")
        #expect(c.segmentIDs == ["photovoltaique", "raccordement"])
        #expect(c.directIDs == ["soleil-catalan", "ombrieres-garonne", "agrisol-aveyron", "reseaux-gardois",
                                "bornes-mediterranee"])
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
        let n = ClassifierSupport.notice("e2", "Fourniture de peroxyde d'hydrogène pour la station d'eau potable",
                                   departement: "34")
        let c = ClassifierSupport.route(n, cluster: "energie")
        #expect(c.routes.isEmpty)
        #expect(c.nearMiss(of: "hydrog-occitan")?.filter == .segmentExclusion)
        #expect(c.rejectedSegments.first?.vetoedBy?.matched == "peroxyde d'hydrogène")
    }

    @Test func regionLevelCallForProjects() {
        let n = ClassifierSupport.notice("e3", "Appel à projets hydrogène vert pour la mobilité", kind: .callForProjects,
                                   nuts: "FRJ")
        let c = ClassifierSupport.route(n, cluster: "energie")
        #expect(c.directIDs == ["hydrog-occitan", "electrolyse-sud"])
        #expect(c.watches.map(\.watchID) == ["appels-projets-h2"])
        let elsewhere = ClassifierSupport.notice("e4", "Appel à projets hydrogène vert pour la mobilité", kind: .callForProjects,
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

@Suite struct RoutingResultTests {
    @Test func jsonKeysAreSnakeCaseAndRoundTrip() throws {
        let n = ClassifierSupport.notice("j1", "Usinage de carters", departement: "42", value: 2_000_000)
        let r = ClassifierSupport.router.route(n, now: ClassifierSupport.now)
        let data = try JSONEncoder().encode(r)
        let text = String(decoding: data, as: UTF8.self)
        for key in ["\"notice_id\"", "\"near_misses\"", "\"member_id\"", "\"rule_counters\"", "\"cluster_id\"",
                    "\"combined_capacity\"", "\"detail_en\"", "\"rejected_segments\""] {
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
        let r = router.route(ClassifierSupport.notice("k1", "Usinage et tonnellerie", departement: "16"), now: ClassifierSupport.now)
        #expect(r.clusters.map(\.clusterID) == ["cognac"])
        #expect(router.patternCount > 300)
        #expect(ClassifierSupport.rulebook.member("atomeca", in: "nucleaire")?.capacity == 12_000_000)
        #expect(ClassifierSupport.rulebook.segment("verrerie", in: "cognac")?.supplies == ["conditionnement"])
        #expect(ClassifierSupport.rulebook.watches.count == 7)
    }

    @Test func concurrentRoutingMatchesSequential() async {
        let titles = ["Usinage de carters", "Tonnellerie : fourniture de barriques", "Centrale solaire en ombrières",
                      "Radioprotection au CNPE"]
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
            stats.add(ClassifierSupport.router.route(ClassifierSupport.notice("s\(i)", "Usinage de carters", departement: "42"),
                                               now: ClassifierSupport.now))
        }
        #expect(stats.notices == 3)
        #expect(stats.counters.first { $0.rule == "mecaloire/segment:usinage/keyword:usinage" }?.matched == 3)
    }

    @Test func explanationsInFrenchAndEnglish() {
        let n = ClassifierSupport.notice("x1", "Fourniture de pièces de décolletage",
                                   summary: MecaLoireRoutingTests.turnedPartsSummary, departement: "13")
        let r = ClassifierSupport.router.route(n, now: ClassifierSupport.now)
        let fr = RoutingExplainer(language: .fr, member: "decolletage-furan", cluster: "mecaloire", now: ClassifierSupport.now).render(r, notice: n)
        #expect(fr.contains("mot-clé « décolletage » dans le titre : « décolletage » (+3)"))
        #expect(fr.contains("✗ Décolletage du Furan (decolletage-furan) — territoire : lieu d'exécution 13"))
        let en = RoutingExplainer(language: .en, member: "decolletage-furan", cluster: "mecaloire", now: ClassifierSupport.now).render(r, notice: n)
        #expect(en.contains("keyword 'décolletage' in title: 'décolletage' (+3)"))
        #expect(en.contains("— territory: place of work 13 Bouches-du-Rhône is 3 départements from the nearest site"))
    }
}

/// Evidence rules are data with a stable key that reads back (rule counters, `--json`, stored routes).
@Suite struct EvidenceRuleTests {
    @Test(arguments: [
        (EvidenceRule.segmentKeyword(segment: "usinage", term: "pièces usinées"), "segment:usinage/keyword:pièces usinées"),
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
        let miss = NearMiss(clusterID: "mecaloire", memberID: "usinage-velay", memberName: "Usinage du Velay",
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
