import Classifier
import Digest
import Foundation
import Notices
import Store
import Testing

@testable import Pipeline

@Suite struct RouteAndDigestRunTests {
    let night1 = instant("2026-05-05T02:00:00Z")
    let night2 = instant("2026-05-06T02:00:00Z")

    func stage(_ ws: Workspace, _ store: NoticeStore) -> RouteAndDigestRun {
        RouteAndDigestRun(
            store: store, router: FixedRouter(),
            options: RouteAndDigestOptions(outputDirectory: ws.out))
    }

    @Test func firstRunWritesEveryDigestAndRecordsDeliveries() throws {
        let ws = try Workspace()
        let store = try NoticeStore(path: ws.storePath)
        _ = try store.upsert(try NoticeFixtures.notices(), at: night1)
        let report = try stage(ws, store).run(now: night1)

        #expect(report.classified == 4)
        // usinage (1) + its watch (1) + surface (2 routes + 1 consortium) + call (1).
        #expect(report.routes == 6)
        let c = try #require(report.clusters.first)
        #expect(c.cluster == "mecaloire")
        #expect(c.memberItems == 3)
        #expect(c.consortia == 1)
        #expect(c.calls == 1)
        #expect(c.changed == 0)
        #expect(c.deliveries == 6)
        #expect(
            ws.files("mecaloire")
                == (DigestFormat.allCases.flatMap {
                    [
                        "2026-05-05.\($0.rawValue)",
                        "latest.\($0.rawValue)",
                    ]
                } + ["adherents"]).sorted())
        // Each member with news gets its own digest, to forward as is.
        let own = ws.files("mecaloire/adherents")
        #expect(own.count == c.memberDigests && !own.isEmpty)
        for member in own {
            #expect(ws.files("mecaloire/adherents/\(member)").contains("2026-05-05.md"))
            let text = try ws.read("mecaloire/adherents/\(member)/latest.md")
            #expect(text.hasPrefix("# Veille Pôle Méca Loire pour "))
            #expect(!text.contains("## Veilles enregistrées"))
        }
        let md = try ws.read("mecaloire/2026-05-05.md")
        #expect(md.hasPrefix("# Veille Pôle Méca Loire — mardi 5 mai 2026"))
        #expect(md.contains("  - Usinage du Forez : 1 avis"))
        #expect(md.contains("  - Surfaces Loire : 1 avis"))
        #expect(md.contains("  - Automatismes du Gier : 1 avis"))
        #expect(md.contains("- **Usinage du Forez** — Cœur de métier"))
        #expect(md.contains("- Métier : Usinage — mot «\u{A0}usinage\u{A0}» dans l'intitulé"))
        #expect(
            md.contains(
                "Montant (900\u{A0}000\u{A0}€) au-delà de ce que l'adhérent porte seul (700\u{A0}000\u{A0}€) : "
                    + "à envisager en groupement"))
        #expect(md.contains("## Chasser en meute"))
        #expect(md.contains("Surfaces Loire : Traitement de surface — **mandataire pressenti**"))
        #expect(md.contains("## Appels à projets"))
        #expect(md.contains("## Veilles enregistrées"))
        #expect(md.contains("### Pièces ferroviaires (1)"))
        #expect(md.contains("Destinataires : ferroviaire@mecaloire.example"))
        #expect(md.contains("Veille «\u{A0}ferroviaire\u{A0}» : «\u{A0}tramways\u{A0}»"))
        // The surface tender closes on 11 May: a deadline soon; the school meals went nowhere.
        #expect(md.contains("## Dates limites proches"))
        #expect(!md.contains("repas scolaires"))
        #expect(try ws.read("mecaloire/latest.md") == md)
        let ics = try ws.read("mecaloire/2026-05-05.ics")
        #expect(ics.contains("UID:deadline-boamp_26-41234@vigie"))
        let json = try JSONDigestRenderer.decode(Array(try ws.read("mecaloire/2026-05-05.json").utf8))
        #expect(json.members.map(\.memberID) == ["usinage-forez", "surfaces-loire", "auto-gier"])
        #expect(try store.undelivered(cluster: "mecaloire").isEmpty)
        #expect(try store.runs().first?.status == "ok")
    }

    @Test func aReRunSendsNothingTwice() throws {
        let ws = try Workspace()
        let store = try NoticeStore(path: ws.storePath)
        _ = try store.upsert(try NoticeFixtures.notices(), at: night1)
        _ = try stage(ws, store).run(now: night1)
        let first = try ws.read("mecaloire/2026-05-05.md")
        // Same night again: the same notices come back unchanged from the sources.
        _ = try store.upsert(try NoticeFixtures.notices(), at: night1)
        let again = try stage(ws, store).run(now: night1)
        #expect(again.classified == 0)
        #expect(again.routes == 0)
        #expect(again.clusters[0].deliveries == 0)
        #expect(again.clusters[0].files.isEmpty, "nothing new: tonight's digest is left as it was")
        #expect(try ws.read("mecaloire/2026-05-05.md") == first)
        // Next night, still nothing new: the digest says so (and still shows the deadline soon).
        let next = try stage(ws, store).run(now: night2)
        #expect(next.clusters[0].memberItems == 0)
        let md = try ws.read("mecaloire/2026-05-06.md")
        #expect(md.contains("Rien de nouveau cette nuit"))
        #expect(md.contains("## Dates limites proches"))
    }

    @Test func aMovedDeadlineComesBackAsChangedSinceWeToldYou() throws {
        let ws = try Workspace()
        let store = try NoticeStore(path: ws.storePath)
        var notices = try NoticeFixtures.notices()
        _ = try store.upsert(notices, at: night1)
        _ = try stage(ws, store).run(now: night1)

        // A corrigendum moves the deadline of the usinage tender by two weeks.
        notices[0].deadline = zoned("2026-06-22T12:00:00+02:00")
        let s = try store.upsert(notices, at: night2)
        #expect(s.changed == ["boamp:26-41234"])
        let report = try stage(ws, store).run(now: night2)
        #expect(report.classified == 1)
        let c = report.clusters[0]
        #expect(c.changed == 1)
        #expect(c.memberItems == 0, "a member already told is not told again as if it were new")
        let md = try ws.read("mecaloire/2026-05-06.md")
        #expect(md.contains("## Modifié depuis notre dernier envoi"))
        #expect(
            md.contains(
                "Date limite : lundi 8 juin 2026 à 12\u{A0}h\u{A0}00 → lundi 22 juin 2026 à 12\u{A0}h\u{A0}00"))
        #expect(md.contains("Envoyé à Usinage du Forez, veille «\u{A0}Pièces ferroviaires\u{A0}» le mardi 5 mai 2026"))
        #expect(try store.undelivered(cluster: "mecaloire").isEmpty)
        // Told once about the change: a third run says nothing more about it.
        let third = try stage(ws, store).run(now: instant("2026-05-07T02:00:00Z"))
        #expect(third.clusters[0].changed == 0)
    }

    @Test func aDeadlineBroughtForwardIsToldEvenThoughItNoLongerRoutes() throws {
        let ws = try Workspace()
        let store = try NoticeStore(path: ws.storePath)
        var notices = try NoticeFixtures.notices()
        _ = try store.upsert(notices, at: night1)
        _ = try stage(ws, store).run(now: night1)
        // The corrigendum brings the deadline to 8 May: too close to route, all the more reason to tell.
        notices[0].deadline = zoned("2026-05-08T12:00:00+02:00")
        _ = try store.upsert(notices, at: night2)
        let report = try stage(ws, store).run(now: night2)
        #expect(report.routes == 0)
        #expect(report.clusters[0].changed == 1)
        let md = try ws.read("mecaloire/2026-05-06.md")
        #expect(md.contains("→ vendredi 8 mai 2026 à 12\u{A0}h\u{A0}00"))
        #expect(md.contains("Envoyé à Usinage du Forez"))
        #expect(try store.undelivered(cluster: "mecaloire").isEmpty)
    }

    @Test func aRewordedSummaryIsNotToldAgain() throws {
        let ws = try Workspace()
        let store = try NoticeStore(path: ws.storePath)
        var notices = try NoticeFixtures.notices()
        _ = try store.upsert(notices, at: night1)
        _ = try stage(ws, store).run(now: night1)
        notices[0].summary = "Résumé reformulé par l'acheteur."
        #expect(try store.upsert(notices, at: night2).changed == ["boamp:26-41234"])
        let report = try stage(ws, store).run(now: night2)
        #expect(report.clusters[0].changed == 0)
        #expect(report.clusters[0].deliveries == 2, "recorded at the new revision")
        #expect(try store.undelivered(cluster: "mecaloire").isEmpty)
    }

    @Test func theSameProcurementFromASecondSourceIsNotAnnouncedAgain() throws {
        let ws = try Workspace()
        let store = try NoticeStore(path: ws.storePath)
        _ = try store.upsert(try NoticeFixtures.notices(), at: night1)
        _ = try stage(ws, store).run(now: night1)
        let s = try store.upsert([NoticeFixtures.tedRecord()], at: night2)
        #expect(s.joined == ["ted:312345-2026"])
        let report = try stage(ws, store).run(now: night2)
        #expect(report.classified == 1)
        #expect(report.clusters[0].memberItems == 0)
        #expect(report.clusters[0].deliveries == 1, "recorded, so it never comes up again")
    }

    @Test func aRectificatifPublishedAsItsOwnNoticeIsToldAsAChange() throws {
        let ws = try Workspace()
        let store = try NoticeStore(path: ws.storePath)
        _ = try store.upsert(try NoticeFixtures.notices(), at: night1)
        _ = try stage(ws, store).run(now: night1)
        // BOAMP publishes a separate change notice for the same procurement, with a new deadline.
        var rectificatif = Notice(
            source: "boamp", sourceID: "26-50123", kind: .change,
            title: "Rectificatif — Usinage de pièces mécaniques pour tramways",
            buyer: Buyer(name: "Saint-Étienne Métropole"), deadline: zoned("2026-06-19T12:00:00+02:00"),
            refs: CrossReferences(tedPublicationNumber: "312345-2026"))
        rectificatif.places = [Place(departement: "42")]
        #expect(try store.upsert([rectificatif], at: night2).joined == [rectificatif.id])
        let report = try stage(ws, store).run(now: night2)
        #expect(report.clusters[0].memberItems == 0, "not a new opportunity")
        #expect(report.clusters[0].changed == 1)
        let md = try ws.read("mecaloire/2026-05-06.md")
        #expect(md.contains("lundi 8 juin 2026 à 12\u{A0}h\u{A0}00 → vendredi 19 juin 2026 à 12\u{A0}h\u{A0}00"))
    }

    @Test func bothRecordsOfOneProcurementTheSameNightShowOnce() throws {
        let ws = try Workspace()
        let store = try NoticeStore(path: ws.storePath)
        _ = try store.upsert(try NoticeFixtures.notices() + [NoticeFixtures.tedRecord()], at: night1)
        let report = try stage(ws, store).run(now: night1)
        #expect(report.clusters[0].memberItems == 3)
        let md = try ws.read("mecaloire/2026-05-05.md")
        #expect(md.contains("aussi publié sur ted") || md.contains("aussi publié sur boamp"))
        #expect(md.components(separatedBy: "  - Usinage du Forez : 1 avis").count == 2)
        #expect(md.components(separatedBy: "- **Usinage du Forez** — ").count == 2)
    }

    @Test func aSecondRunTheSameNightWithNewsWritesASecondEdition() throws {
        let ws = try Workspace()
        let store = try NoticeStore(path: ws.storePath)
        _ = try store.upsert(try NoticeFixtures.notices(), at: night1)
        _ = try stage(ws, store).run(now: night1)
        let first = try ws.read("mecaloire/2026-05-05.md")
        _ = try store.upsert(
            [
                Notice(
                    source: "boamp", sourceID: "26-50000", title: "Usinage de bogies",
                    deadline: zoned("2026-07-01T12:00:00+02:00"))
            ], at: night1)
        let report = try stage(ws, store).run(now: night1.addingTimeInterval(3600))
        #expect(report.clusters[0].memberItems == 1)
        #expect(try ws.read("mecaloire/2026-05-05.md") == first, "the first edition is kept")
        let second = try ws.read("mecaloire/2026-05-05-2.md")
        #expect(second.contains("Usinage de bogies"))
        #expect(try ws.read("mecaloire/latest.md") == second)
    }

    @Test func aKilledRunIsResumed() throws {
        let ws = try Workspace()
        let store = try NoticeStore(path: ws.storePath)
        _ = try store.upsert(try NoticeFixtures.notices(), at: night1)
        // A run that recorded its routes and died before writing anything.
        let dead = try store.beginRun(at: night1)
        let records = try NoticeFixtures.notices().flatMap {
            try RouteMapping.records(FixedRouter().route($0, now: night1), rulebook: testRulebook)
        }
        try store.recordRoutes(records, replacingRoutesOf: [], runID: dead, at: night1)
        let report = try stage(ws, store).run(now: night1)
        #expect(report.classified == 4, "the dead run's notices are classified again")
        #expect(report.clusters[0].deliveries == 6)
        #expect(ws.exists("mecaloire/2026-05-05.md"))
    }

    @Test func reclassifyingAfterARulesChangeSendsOnlyWhatIsNewToSomeone() throws {
        let ws = try Workspace()
        let store = try NoticeStore(path: ws.storePath)
        _ = try store.upsert(try NoticeFixtures.notices(), at: night1)
        _ = try stage(ws, store).run(now: night1)
        var options = RouteAndDigestOptions(outputDirectory: ws.out)
        options.reclassifyAll = true
        let again = try RouteAndDigestRun(store: store, router: FixedRouter(), options: options).run(now: night2)
        #expect(again.classified == 4)
        #expect(again.routes == 6)
        #expect(again.clusters[0].memberItems == 0, "same rules, same routes: nothing is sent twice")
        #expect(again.clusters[0].deliveries == 0)
    }

    @Test func classifiesInPagesOfBatchSize() throws {
        let ws = try Workspace()
        let store = try NoticeStore(path: ws.storePath)
        _ = try store.upsert(try NoticeFixtures.notices(), at: night1)
        let run = RouteAndDigestRun(
            store: store, router: FixedRouter(),
            options: RouteAndDigestOptions(outputDirectory: ws.out, batchSize: 1))
        var lines: [String] = []
        let report = try run.run(now: night1) { lines.append($0) }
        #expect(report.classified == 4)
        #expect(report.routes == 6)
        #expect(lines.contains("classified 4 notices, 6 routes"))
    }

    @Test func aMemberToldDirectlyIsNotToldAgainWhenTheRouteBecomesIndirect() throws {
        let ws = try Workspace()
        let store = try NoticeStore(path: ws.storePath)
        _ = try store.upsert(try NoticeFixtures.notices(), at: night1)
        _ = try stage(ws, store).run(now: night1)
        // A rules edit: the usinage member now reaches the notice only through the value chain.
        try store.recordRoutes(
            [
                RouteRecord(
                    noticeID: "boamp:26-41234", cluster: "mecaloire", member: "usinage-forez",
                    role: "indirect", score: 2)
            ],
            replacingRoutesOf: ["boamp:26-41234"], runID: nil, at: night2)
        let report = try stage(ws, store).run(now: night2)
        #expect(report.clusters[0].memberItems == 0)
        #expect(report.clusters[0].deliveries == 1, "recorded under the new role, so it stays quiet")
    }

    @Test func aRunLimitedToSomeClustersDoesNotMoveTheCursor() throws {
        let ws = try Workspace()
        let store = try NoticeStore(path: ws.storePath)
        _ = try store.upsert(try NoticeFixtures.notices(), at: night1)
        let limited = try RouteAndDigestRun(
            store: store, router: FixedRouter(),
            options: RouteAndDigestOptions(outputDirectory: ws.out, clusters: ["mecaloire"])
        ).run(now: night1)
        #expect(limited.classified == 4)
        #expect(limited.classifiedThrough == nil)
        #expect(try store.lastClassifiedSequence() == 0)
        // The next full run classifies them again (for every cluster) and sends nothing twice.
        let full = try stage(ws, store).run(now: night1)
        #expect(full.classified == 4)
        #expect(full.classifiedThrough == 4)
        #expect(full.clusters[0].memberItems == 0)
    }

    @Test func unknownClusterIsRefused() throws {
        let ws = try Workspace()
        let store = try NoticeStore(path: ws.storePath)
        let run = RouteAndDigestRun(
            store: store, router: FixedRouter(),
            options: RouteAndDigestOptions(outputDirectory: ws.out, clusters: ["nope"]))
        #expect(throws: PipelineError.self) { _ = try run.run(now: night1) }
    }
}
