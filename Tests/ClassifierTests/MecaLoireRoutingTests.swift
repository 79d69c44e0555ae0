import Foundation
import Testing
@testable import Classifier
import Notices

/// Hand-labelled notices for the Méca Loire cluster (Rules/mecaloire.yaml).
@Suite struct MecaLoireRoutingTests {
    let usinageMembers: Set<String> = ["decolletage-furan", "meca-precision-forez", "usinage-velay", "roanne-usinage"]

    /// A summary that names the trade once more: one title keyword alone is not enough (homonyms).
    static let turnedPartsSummary = "Usinage de pièces de révolution en laiton, petites séries."

    @Test func turnedPartsReachMachiningFirmsNotTheirSuppliers() throws {
        let n = ClassifierSupport.notice(
            "m1", "Fourniture de pièces de décolletage en laiton",
            summary: Self.turnedPartsSummary, departement: "42", value: 200_000)
        let c = ClassifierSupport.route(n, cluster: "mecaloire")
        #expect(c.segmentIDs == ["usinage"])
        #expect(c.directIDs == usinageMembers)
        #expect(c.routedIDs == usinageMembers)
        // Foundries, toolmakers and metrology labs supply machining: the bidder buys from them, the buyer does
        // not. They are named to staff as upstream suppliers, never routed.
        let suppliers: Set<String> = [
            "forges-gier", "fonderie-ondaine", "outils-coise", "moules-lignon",
            "metro-controle", "labo-essais-forez",
        ]
        #expect(c.indirectIDs.isEmpty)
        #expect(Set(c.nearMisses.map(\.memberID)) == suppliers)
        #expect(c.nearMisses.allSatisfy { $0.filter == .upstreamSupplier })
        #expect(c.nearMiss(of: "forges-gier")?.segments == ["fonderie-forge"])
        #expect(c.nearMiss(of: "forges-gier")?.detail.contains("fonderie-forge → usinage") == true)
        #expect(c.nearMiss(of: "metro-controle")?.detail.contains("metrologie → usinage") == true)
        #expect(c.ruleCounters.contains { $0.rule == "mecaloire/filter:upstream_supplier" && $0.dropped == 6 })
        for irrelevant in ["galva-loire", "chaudronnerie-pilat", "robolyon", "integral-systemes", "maintenance-gier"] {
            #expect(!c.routedIDs.contains(irrelevant) && c.nearMiss(of: irrelevant) == nil, "\(irrelevant)")
        }
        let furan = try #require(c.route(to: "decolletage-furan"))
        let reason = try #require(furan.reasons.first)
        #expect(reason.rule == "segment:usinage/keyword:décolletage")
        #expect(reason.field == .title && reason.matched == "décolletage" && reason.weight == 3)
        #expect(furan.reasons.contains { $0.rule == "segment:usinage/keyword:usinage" && $0.field == .summary })
        let velay = try #require(c.route(to: "usinage-velay"))
        #expect(velay.distance == 1 && velay.score < furan.score)
        #expect(c.consortia.isEmpty)
    }

    @Test func thesaurusVariantAndCPVAreReasons() throws {
        // "tournage" is in the usinage thesaurus group; the CPV 42638000-7 matches prefix 42638.
        let n = ClassifierSupport.notice("m2", "Prestations de tournage", departement: "42", cpv: ["42638000-7"])
        let c = ClassifierSupport.route(n, cluster: "mecaloire")
        let seg = try #require(c.segments.first { $0.segmentID == "usinage" })
        #expect(seg.reasons.contains { $0.field == .title && $0.matched == "tournage" })
        #expect(
            seg.reasons.contains {
                $0.rule == "segment:usinage/cpv:42638" && $0.matched == "42638000-7" && $0.weight == 3
            })
        #expect(seg.score == 6)
    }

    @Test func tooFarIsANearMiss() throws {
        let n = ClassifierSupport.notice(
            "m3", "Fourniture de pièces de décolletage", summary: Self.turnedPartsSummary,
            departement: "13")
        let c = ClassifierSupport.route(n, cluster: "mecaloire")
        #expect(c.directIDs.isEmpty)
        let miss = try #require(c.nearMiss(of: "decolletage-furan"))
        #expect(miss.filter == .territory)
        #expect(miss.detail.contains("13 Bouches-du-Rhône à 3 départements") && miss.detail.contains("maximum 2"))
        #expect(usinageMembers.allSatisfy { c.nearMiss(of: $0)?.filter == .territory })
    }

    /// « Écartés de justesse » are the members nearly sent the notice: three départements away when two are
    /// allowed is narrow; Finistère, across France from the Loire, is not, and neither is a supplier there.
    @Test func onlyNarrowMissesAreNarrow() throws {
        let near = ClassifierSupport.route(
            ClassifierSupport.notice(
                "m3", "Fourniture de pièces de décolletage", summary: Self.turnedPartsSummary, departement: "13"),
            cluster: "mecaloire")
        #expect(try #require(near.nearMiss(of: "decolletage-furan")).isNarrow)
        let home = ClassifierSupport.route(
            ClassifierSupport.notice(
                "m1", "Fourniture de pièces de décolletage en laiton", summary: Self.turnedPartsSummary,
                departement: "42"),
            cluster: "mecaloire")
        let supplier = try #require(home.nearMiss(of: "forges-gier"))
        #expect(supplier.filter == .upstreamSupplier && !supplier.outOfReach && supplier.isNarrow)

        let far = ClassifierSupport.route(
            ClassifierSupport.notice(
                "m5", "Fourniture de pièces de décolletage", summary: Self.turnedPartsSummary, departement: "29"),
            cluster: "mecaloire")
        let furan = try #require(far.nearMiss(of: "decolletage-furan"))
        guard case .territory(.tooFar(_, let distance, _, let maximum)) = furan.cause else {
            Issue.record("expected a territory miss, got \(furan.cause)")
            return
        }
        #expect(maximum == 2 && distance > 4)
        #expect(!furan.isNarrow)
        let farSupplier = try #require(far.nearMiss(of: "forges-gier"))
        #expect(farSupplier.filter == .upstreamSupplier && farSupplier.outOfReach && !farSupplier.isNarrow)
    }

    @Test func capacityFiltersSmallFirms() {
        // 1.2 M€: Forez (1.5 M€) carries it alone. The others are between 1.25 and 2.5 times below it: plausible
        // partners of a groupement (the members in range carry 3.8 M€ together), sent with the reason said.
        let n = ClassifierSupport.notice("m4", "Usinage de carters", departement: "42", value: 1_200_000)
        let c = ClassifierSupport.route(n, cluster: "mecaloire")
        #expect(c.directIDs == usinageMembers)
        let groupement = "filter:capacity/groupement"
        #expect(c.route(to: "meca-precision-forez")?.reasons.contains { $0.rule == groupement } == false)
        for small in ["decolletage-furan", "usinage-velay", "roanne-usinage"] {
            #expect(c.route(to: small)?.reasons.contains { $0.rule == groupement } == true, "\(small)")
        }
        let furanCapacity = c.route(to: "decolletage-furan")?.reasons.first { $0.rule == groupement }
        #expect(
            furanCapacity?.field == .value && furanCapacity?.term == "800 000 €"
                && furanCapacity?.matched == "1 200 000 €" && furanCapacity?.weight == 0)
        // Someone can carry it alone: no consortium.
        #expect(c.consortia.isEmpty)
        #expect(!c.ruleCounters.contains { $0.rule == "mecaloire/filter:capacity" })

        // 1.6 M€ is more than 2.5 times Velay's 600 k€: that one is dropped, and told why.
        let big = ClassifierSupport.notice("m4b", "Usinage de carters", departement: "42", value: 1_600_000)
        let b = ClassifierSupport.route(big, cluster: "mecaloire")
        #expect(b.directIDs == ["meca-precision-forez", "decolletage-furan", "roanne-usinage"])
        #expect(b.route(to: "meca-precision-forez")?.reasons.contains { $0.rule == groupement } == false)
        #expect(b.nearMiss(of: "usinage-velay")?.filter == .capacity)
        #expect(b.nearMiss(of: "usinage-velay")?.detail == "montant 1 600 000 € au-delà de la capacité 600 000 €")
        #expect(b.ruleCounters.contains { $0.rule == "mecaloire/filter:capacity" && $0.dropped == 1 })
    }

    @Test func valueAboveEveryCapacityProposesAGroup() throws {
        let n = ClassifierSupport.notice("m5", "Usinage de carters", departement: "42", value: 2_000_000)
        let c = ClassifierSupport.route(n, cluster: "mecaloire")
        // Nobody carries 2 M€ alone (1.25 × capacity). The members who could share it (up to 2.5 × their
        // capacity) are sent it as partners; Velay (600 k€) is too small even for that.
        #expect(c.directIDs == ["meca-precision-forez", "decolletage-furan", "roanne-usinage"])
        #expect(c.routes.allSatisfy { $0.reasons.contains { $0.rule == "filter:capacity/groupement" } })
        #expect(c.nearMiss(of: "usinage-velay")?.filter == .capacity)
        let g = try #require(c.consortia.first)
        #expect(c.consortia.count == 1)
        #expect(g.reason == .valueExceedsCapacity)
        #expect(g.members == ["meca-precision-forez", "roanne-usinage"])
        #expect(g.lead == "meca-precision-forez")
        #expect(g.combinedCapacity == 2_400_000)
        #expect(g.detail.contains("dépasse la capacité de chaque membre"))
        #expect(g.detailEN.hasPrefix("The notice (2 000 000 €) exceeds every member's capacity. Proposed group: "))
    }

    @Test func multiSegmentProjectProposesAGroupWithALead() throws {
        // The summary says what each segment's part is: one word of the title alone would not do.
        let n = ClassifierSupport.notice(
            "m6", "Ligne de production : usinage, thermolaquage et cellule robotisée",
            summary: "Conception et réalisation d'une ligne de production : fraisage et "
                + "rectification des bâtis, peinture poudre des carters, cellule robotisée de chargement.",
            departement: "42")
        let c = ClassifierSupport.route(n, cluster: "mecaloire")
        #expect(c.segmentIDs == ["assemblage", "usinage", "traitement-surface", "robotique"])
        let g = try #require(c.consortia.first)
        #expect(g.reason == .multipleSegments)
        // Greedy cover: Intégral Systèmes brings two segments, then the largest firms for the rest.
        #expect(g.members == ["integral-systemes", "thermi-rhone", "meca-precision-forez"])
        #expect(g.lead == "integral-systemes")
        #expect(g.uncovered.isEmpty)
        #expect(Set(g.contributions["integral-systemes"] ?? []) == ["assemblage", "robotique"])
        #expect(g.contributions["thermi-rhone"] == ["traitement-surface"])
        #expect(g.detail.contains("Intégral Systèmes (mandataire)"))
        #expect(g.detailEN.contains("Intégral Systèmes (lead)") && g.detailEN.contains(" Lead: Intégral Systèmes, "))
    }

    @Test func lotsAreBidSeparatelyUnlessOneNeedsSeveralSegments() throws {
        let lots = [
            Lot(id: "1", title: "Pièces forgées"),
            Lot(id: "2", title: "Galvanisation des structures"),
            Lot(id: "3", title: "Pièces usinées et anodisation de carters", value: Money(amount: 300_000)),
        ]
        let n = ClassifierSupport.notice("m7", "Équipements pour la station de pompage", departement: "42", lots: lots)
        let c = ClassifierSupport.route(n, cluster: "mecaloire")
        #expect(c.segmentIDs == ["fonderie-forge", "traitement-surface", "usinage"])
        #expect(c.consortia.count == 1)
        let g = try #require(c.consortia.first)
        #expect(g.lotID == "3")
        #expect(Set(g.segments) == ["usinage", "traitement-surface"])
        #expect(g.lead == "thermi-rhone" && g.members == ["thermi-rhone", "meca-precision-forez"])
        let seg = try #require(c.segments.first { $0.segmentID == "fonderie-forge" })
        #expect(seg.lots == ["1"] && seg.reasons.allSatisfy { $0.field == .lot && $0.lotID == "1" })
    }

    @Test func segmentExclusionVetoes() {
        let n = ClassifierSupport.notice("m8", "Usinage du bois et menuiserie pour l'école", departement: "42")
        let c = ClassifierSupport.route(n, cluster: "mecaloire")
        #expect(c.routes.isEmpty)
        #expect(c.rejectedSegments.first?.vetoedBy?.term == "usinage du bois")
        #expect(usinageMembers.allSatisfy { c.nearMiss(of: $0)?.filter == .segmentExclusion })
        #expect(
            c.ruleCounters.contains {
                $0.rule == "mecaloire/segment:usinage/exclusion:usinage du bois" && $0.dropped == 1
            })
    }

    @Test func memberExclusion() {
        let n = ClassifierSupport.notice("m9", "Usinage de pièces pour l'armement", departement: "42")
        let c = ClassifierSupport.route(n, cluster: "mecaloire")
        #expect(c.nearMiss(of: "roanne-usinage")?.filter == .memberExclusion)
        #expect(c.nearMiss(of: "roanne-usinage")?.detail.contains("« armement »") == true)
        #expect(c.directIDs == usinageMembers.subtracting(["roanne-usinage"]))
    }

    @Test func kindAndDeadlineFilters() {
        let call = ClassifierSupport.notice(
            "m10", "Appel à projets forge et fonderie du futur", kind: .callForProjects,
            departement: "42")
        let c = ClassifierSupport.route(call, cluster: "mecaloire")
        #expect(c.nearMiss(of: "forges-gier")?.filter == .kind)
        #expect(c.directIDs.contains("fonderie-ondaine"))

        let soon = ClassifierSupport.notice(
            "m11", "Fourniture de pièces de décolletage", summary: Self.turnedPartsSummary,
            departement: "42", deadline: "2026-05-23T12:00:00+02:00")
        let s = ClassifierSupport.route(soon, cluster: "mecaloire")
        #expect(s.routes.isEmpty)
        #expect(s.nearMiss(of: "decolletage-furan")?.filter == .deadline)
        #expect(s.nearMiss(of: "decolletage-furan")?.detail.hasPrefix("échéance dans 3") == true)
    }

    @Test func memberInterestRoutesOnItsOwn() throws {
        let n = ClassifierSupport.notice("m16", "Plateforme de jumeau numérique pour l'industrie", departement: "69")
        let c = ClassifierSupport.route(n, cluster: "mecaloire")
        #expect(c.segments.isEmpty)
        #expect(c.directIDs == ["robolyon"])
        let r = try #require(c.route(to: "robolyon"))
        #expect(r.reasons.map(\.rule) == ["member:robolyon/interest:jumeau numérique"])
        #expect(r.segments.isEmpty && r.score == 3)
    }

    @Test func callClosingDateCountsAsDeadline() {
        var n = ClassifierSupport.notice(
            "m17", "Appel à projets : fonderie bas carbone",
            summary: "Soutien aux fonderies et forges qui décarbonent la fusion et le moulage sable.",
            kind: .callForProjects, departement: "42", deadline: nil)
        n.call = CallDetails(funder: "Région", closing: ClassifierSupport.date("2026-05-19T23:59:00+02:00"))
        let c = ClassifierSupport.route(n, cluster: "mecaloire")
        #expect(c.routes.isEmpty)
        #expect(c.nearMiss(of: "fonderie-ondaine")?.filter == .deadline)
        #expect(c.nearMiss(of: "fonderie-ondaine")?.detail.hasPrefix("échéance dépassée") == true)
    }

    @Test func weakEvidenceIsANearMissNotARoute() {
        // One summary hit (1.5) is under the cluster's min_score of 2.
        let n = ClassifierSupport.notice(
            "m12", "Travaux divers", summary: "Reprise de soudure sur garde-corps", departement: "42")
        let c = ClassifierSupport.route(n, cluster: "mecaloire")
        #expect(c.routes.isEmpty)
        #expect(c.rejectedSegments.map(\.segmentID) == ["tolerie"])
        #expect(c.nearMiss(of: "tolerie-stephanoise")?.filter == .weakMatch)
    }

    @Test func savedWatchesNeedTheirKeywordsAndSegments() throws {
        let both = ClassifierSupport.notice("m13", "Chaudronnerie pour électrolyseur hydrogène", departement: "42")
        let w = ClassifierSupport.route(both, cluster: "mecaloire").watches
        #expect(w.map(\.watchID) == ["hydrogene-meca"])
        #expect(w.first?.recipients == ["veille@mecaloire.example.org"])
        let keywordOnly = ClassifierSupport.notice("m14", "Station hydrogène pour bus", departement: "42")
        #expect(ClassifierSupport.route(keywordOnly, cluster: "mecaloire").watches.isEmpty)
        let rail = ClassifierSupport.notice("m15", "Maintenance de bogies", departement: "42", cpv: ["34631000-9"])
        let r = ClassifierSupport.route(rail, cluster: "mecaloire").watches
        #expect(r.map(\.watchID) == ["ferroviaire"])
        #expect(r.first?.reasons.contains { $0.rule == "watch:ferroviaire/cpv:3463" } == true)
    }
}
