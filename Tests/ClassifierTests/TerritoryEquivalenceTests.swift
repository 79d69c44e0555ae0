import Foundation
import Notices
import Parser
import TestSupport
import Testing

@testable import Classifier

/// The territorial filter compares département indices, a distance table and region masks resolved once per
/// member and per place; it must judge exactly as the string code it replaced. That code is kept here
/// (``StringTerritory``) and plugged into a second router: real captures routed through generated national
/// rules give the same ``RoutingResult``, field for field, either way.
@Suite struct TerritoryEquivalenceTests {
    /// Real captures of every source, as the parsers read them (DECP's 470 marchés of 2019 give places all over
    /// France, overseas included).
    static let captures = RealCaptures.routable + RealCaptures.decp

    static func realNotices() throws -> [Notice] {
        try captures.flatMap { path in
            let doc = try DocumentParser.parse(
                try SharedData.bytes(path),
                options: ParseOptions(sourceID: RealCaptures.sourceID(of: path), documentName: path))
            return NoticeIntake.notices(of: doc)
        }
    }

    /// The night after the real BOAMP records' publication (2026-01-22): some deadlines ahead, some past.
    static let now: Date = ISO8601.parseZoned("2026-01-22T02:00:00Z")!.instant

    /// Words of what the real records buy, added to every segment of the generated clusters (as `vigie-bench`
    /// adds a word per cluster) so that the records reach them: without evidence a cluster is not routed at all.
    static let recordWords = [
        "travaux", "marché", "prestations", "fourniture*", "maintenance", "entretien", "aménagement", "services",
        "projet*", "entreprise*", "accompagnement", "rénovation", "énergie", "développement",
    ]

    /// National rules as `vigie-bench classify --clusters` derives them: the shipped clusters copied, each copy
    /// moved to its own home département (a seeded shuffle of the metropolitan ones) with its neighbours as
    /// territory, its members' sites drawn in that territory. Beyond the bench, members also vary what the
    /// filter reads: no site (the cluster's territory), a second site anywhere (overseas and Corsica included),
    /// their own scope and maximum distance; and the copies' scopes cycle through every scope.
    static func nationalRulebook(clusters: Int, members: Int, seed: UInt64) -> Rulebook {
        let templates = ClassifierSupport.rulebook.clusters
        var rng = SplitMix64(seed: seed)
        func below(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
        var homes = Departements.all.filter { $0.region != "FRY" && Int($0.code) != nil }
        for k in stride(from: homes.count - 1, to: 0, by: -1) { homes.swapAt(k, below(k + 1)) }
        let anywhere = ["97400", "971", "2A", "20200", "976", "75001", "67", "29200", "06", "59000", "13", "2B"]
        let scopes = TerritoryScope.allCases
        var out: [Cluster] = []
        for i in 0..<clusters {
            var c = templates[i % templates.count]
            let home = homes[(i / templates.count) % homes.count]
            let size = max(1, c.territory.departements.count)
            let territory = [home.code] + home.neighbours.filter { Int($0) != nil }.prefix(size - 1)
            c.id = String(format: "%@-%04d", c.id, i)
            c.name += " \(i)"
            c.territory.departements = territory
            c.territory.regions = [home.region]
            c.routing.scope = scopes[i % scopes.count]
            c.routing.maxDistance = i % 3
            for s in c.segments.indices { c.segments[s].keywords += recordWords }
            let segmentIDs = c.segments.map(\.id)
            c.members = (0..<members).map { m in
                let seg1 = segmentIDs[below(segmentIDs.count)]
                let seg2 = segmentIDs[below(segmentIDs.count)]
                var sites = [territory[below(territory.count)] + "000"]
                switch below(10) {
                case 0: sites = []
                case 1: sites.append(anywhere[below(anywhere.count)])
                case 2: sites = [anywhere[below(anywhere.count)]]
                default: break
                }
                let kinds: [NoticeKind] = below(4) == 0 ? [.tender, .award, .change] : []
                return Member(
                    id: "m\(m)-\(c.id)", name: "Membre \(m) \(c.id)",
                    segments: seg1 == seg2 ? [seg1] : [seg1, seg2], sites: sites,
                    capacity: Double(1 + below(5)) * 1_000_000, kinds: kinds,
                    scope: below(3) == 0 ? scopes[below(scopes.count)] : nil,
                    maxDistance: below(3) == 0 ? below(5) : nil)
            }
            out.append(c)
        }
        return Rulebook(clusters: out, thesaurus: ClassifierSupport.rulebook.thesaurus)
    }

    @Test(.requiresShared) func realCapturesThroughNationalRulesRouteAsWithTheStringFilter() throws {
        let notices = try Self.realNotices()
        let rulebook = Self.nationalRulebook(clusters: 16, members: 24, seed: 11)
        let fast = Router(rulebook: rulebook)
        var reference = Router(rulebook: rulebook)
        reference.territoryReference = StringTerritory.check
        var differing: [String] = []
        var routes = 0
        var withDistance = 0
        var nearMisses = 0
        var territoryMisses = 0
        var outOfReach = 0
        for n in notices {
            let a = fast.route(n, now: Self.now)
            let b = reference.route(n, now: Self.now)
            if a != b { differing.append(n.id) }
            routes += a.routes.count
            withDistance += a.routes.filter { ($0.distance ?? 0) > 0 }.count
            nearMisses += a.nearMisses.count
            territoryMisses += a.nearMisses.filter { $0.filter == .territory }.count
            outOfReach += a.nearMisses.filter(\.outOfReach).count
        }
        #expect(differing.isEmpty, "routed differently: \(differing.prefix(10))")
        // Not vacuous: the records reached members near and far, and the filter stopped some of them.
        #expect(notices.count > 600)
        #expect(routes > 1000)
        #expect(withDistance > 100)
        #expect(territoryMisses > 1000)
        #expect(outOfReach > nearMisses / 20)
    }

    /// Every member of the national rules against every place the real records name (the notice's and each
    /// lot's), and against the places the records do not cover: a foreign country only, a NUTS-1 or NUTS-2
    /// region only, overseas, Corsica, several départements.
    @Test(.requiresShared) func everyMemberAgainstEveryPlaceAsTheStringFilter() throws {
        let notices = try Self.realNotices()
        var places = Set<ResolvedPlace>()
        for n in notices {
            places.insert(ResolvedPlace(places: n.places + n.lots.flatMap(\.places), buyer: n.buyer))
            for lot in n.lots { places.insert(ResolvedPlace(places: lot.places, buyer: n.buyer)) }
        }
        let made: [[Place]] = [
            [Place(nuts: "DE212")], [Place(nuts: "FRK")], [Place(nuts: "FRK2")], [Place(nuts: "FRY10")],
            [Place(departement: "2A")], [Place(postcode: "20090")], [Place(departement: "974")],
            [Place(departement: "42"), Place(departement: "976"), Place(nuts: "FRI")],
            [Place(departement: "29"), Place(departement: "67")], [Place(nuts: "FR")], [Place(nuts: "BE")],
        ]
        for p in made { places.insert(ResolvedPlace(places: p, buyer: nil)) }
        places.insert(ResolvedPlace(places: [], buyer: Buyer(name: "Stadt", country: "DEU", nuts: "DE300")))
        let rulebook = Self.nationalRulebook(clusters: 24, members: 40, seed: 5)
        let router = Router(rulebook: rulebook)
        var compared = 0
        var failures = 0
        var differing: [String] = []
        for cc in router.compiled {
            let c = rulebook.clusters[cc.index]
            for mi in c.members.indices {
                let reach = cc.memberReach[mi]
                for place in places {
                    let got = router.territoryCheck(cc, c, member: mi, place: place)
                    let want = StringTerritory.check(cc.memberSites[mi], reach.scope, reach.maxDistance, place)
                    let same =
                        got.failure == want.failure && got.distance == want.distance && got.site == want.site
                        && got.place == want.place
                    if !same { differing.append("\(c.members[mi].id) \(place.departements) \(place.regions)") }
                    #expect(router.isOutOfReach(cc, c, member: mi, place: place) == (want.failure != nil))
                    if want.failure != nil { failures += 1 }
                    compared += 1
                }
            }
        }
        #expect(differing.isEmpty, "judged differently: \(differing.prefix(10))")
        #expect(places.count > 50)
        #expect(failures > compared / 10 && failures < compared)
    }

    /// A place the raw record names, resolved as the filter reads it: the first marché of the 2019 DECP file
    /// (`2018MA181101`, SDIS de la Vendée) is executed in `lieuExecution.code` « 85 » (type « Code département »),
    /// the Vendée, in Pays de la Loire (NUTS-1 `FRG`).
    @Test(.requiresShared) func aRealPlaceResolvesToItsDepartementIndexAndRegion() throws {
        let notices = try Self.realNotices()
        let objet = "Installation et maintenance d'équipements de transmissions sur les véhicules du SDIS de la Vendée"
        let first = try #require(notices.first { $0.title == objet })
        let place = ResolvedPlace(places: first.places, buyer: first.buyer)
        #expect(place.departements == ["85"])
        #expect(place.departementIndices.map { Geography.departements[Int($0)].code } == ["85"])
        #expect(place.regionMask == Geography.regionBits["FRG"])
    }

    @Test func theTablesAgreeWithTheStringFunctions() {
        let codes = Geography.departements.map(\.code)
        let n = codes.count
        for (i, a) in codes.enumerated() {
            #expect(Geography.index(ofCanonical: a) == i)
            for (j, b) in codes.enumerated() {
                let d = Geography.flatDistances[i * n + j]
                #expect((d < 0 ? nil : Int(d)) == Geography.distance(a, b))
            }
        }
        // One bit per region, and a département's bit is its region's.
        let bits = Array(Geography.regionBits.values)
        #expect(Set(bits).count == bits.count && bits.allSatisfy { $0.nonzeroBitCount == 1 })
        for (i, d) in Geography.departements.enumerated() {
            #expect(Geography.departementRegionBit[i] == Geography.regionBits[d.region])
        }
        // Canonical codes are returned as they are; the others as before (`1` → `01`, `2a` → `2A`, ` 42 `).
        #expect(codes.allSatisfy { Geography.canonicalDepartement($0) == $0 })
        #expect(Geography.canonicalDepartement("1") == "01")
        #expect(Geography.canonicalDepartement("2a") == "2A")
        #expect(Geography.canonicalDepartement(" 42 ") == "42")
        #expect(Geography.canonicalDepartement("420") == nil)
    }
}

/// The territorial filter as it was written on département strings before it worked on indices: the reference
/// the tests compare the router with. Only the member's values it read are passed in.
enum StringTerritory {
    static let check: Router.TerritoryReference = { sites, scope, maxD, place in
        guard place.isKnown else { return (nil, nil, nil, nil) }
        // Nearest site and distance, when both sides are known to the département.
        var best: (d: Int, site: String, place: String)?
        for s in sites {
            for p in place.departements {
                if let d = Geography.distance(s, p), best == nil || d < best!.d { best = (d, s, p) }
            }
        }
        if place.departements.isEmpty && place.regions.isEmpty {
            // Only a foreign country is known.
            return scope == .europe ? (nil, nil, nil, nil) : (.outsideFrance, nil, nil, nil)
        }
        if scope == .europe || scope == .national || sites.isEmpty { return (nil, best?.d, best?.site, best?.place) }
        if let b = best, b.d <= maxD { return (nil, b.d, b.site, b.place) }
        let siteRegions = Set(sites.compactMap(Geography.region(of:)))
        let sameRegion = !siteRegions.isDisjoint(with: place.regions)
        if scope == .region && sameRegion { return (nil, best?.d, best?.site, best?.place) }
        if place.departements.isEmpty {
            // Region-level place (NUTS-1/2 only): the best we can say is "same region".
            if sameRegion { return (nil, nil, nil, nil) }
            return (.outsideRegions(regions: place.regions.sorted()), nil, nil, nil)
        }
        if let b = best {
            return (
                .tooFar(places: place.departements, distance: b.d, site: b.site, maximum: maxD), b.d, b.site, b.place
            )
        }
        return (.outOfReach(places: place.departements), nil, nil, nil)
    }
}
