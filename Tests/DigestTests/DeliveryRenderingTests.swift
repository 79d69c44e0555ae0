import Foundation
import Notices
import Testing

@testable import Digest

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// What each recipient reads: a member sees only what is its own, staff see the night at a glance and what
/// was left out, and every word is one a small firm understands.
@Suite struct DeliveryRenderingTests {
    /// A distinctive part of every member name the sample holds (sections, consortium, calls, near misses).
    static let names = [
        "usinage-forez": "Usinage du Forez", "tolerie-ondaine": "Ondaine", "surfaces-loire": "Surfaces Loire",
        "ingenierie-gier": "Ingénierie du Gier", "forges-firminy": "Forges de Firminy",
        "decolletage-furan": "Décolletage du Furan", "peintures-gier": "Peintures du Gier",
        "meca-roannaise": "Mécanique Roannaise",
    ]

    /// Every file and the e-mail of one member's digest, as text.
    static func everything(_ d: DigestInput) throws -> [String: String] {
        var out: [String: String] = [:]
        for f in DigestFormat.allCases where f != .json {
            out[f.rawValue] = String(decoding: try f.renderer.render(d), as: UTF8.self)
            out["latest.\(f.rawValue)"] = String(decoding: try f.renderer.renderSubscription(d), as: UTF8.self)
        }
        let mail = try d.mailContent()
        out["subject"] = mail.subject
        out["mail.ics"] = mail.calendar.map { String(decoding: $0, as: UTF8.self) } ?? ""
        return out
    }

    @Test(arguments: ["usinage-forez", "tolerie-ondaine", "surfaces-loire", "ingenierie-gier", "vide"])
    func aMemberDigestNamesNoOtherMember(_ id: String) throws {
        let own = SampleDigest.input.forMember(id: id, name: Self.names[id] ?? "Sans avis")
        for (file, text) in try Self.everything(own) {
            for (other, name) in Self.names where other != id {
                #expect(!text.contains(name), "\(id)'s \(file) names \(name)")
            }
            #expect(!text.contains("Adhérents concernés"), "\(id)'s \(file)")
            #expect(!text.contains(" autres\n") && !text.contains("Adhérents :"), "\(id)'s \(file)")
            // Staff figures and rule syntax stay out of a member's words.
            #expect(!text.lowercased().contains("pertinence"), "\(id)'s \(file)")
            #expect(!text.contains("décollet*") && !text.contains("pénalité"), "\(id)'s \(file)")
            #expect(!text.contains("Écartés de justesse") && !text.contains("La nuit en bref"), "\(id)'s \(file)")
        }
    }

    @Test func aMemberSeesItsConsortiumIdeaWithoutItsPartners() throws {
        let own = SampleDigest.input.forMember(id: "usinage-forez", name: "Usinage du Forez")
        let md = MarkdownRenderer().text(own)
        #expect(
            md.contains(
                "- avec 2 autres adhérents — contactez l'équipe : "
                    + "[veille@mecaloire.example](<mailto:veille@mecaloire.example>)"
            ))
        #expect(
            md.contains("- Usinage du Forez : Usinage et décolletage de précision\n"), "its own part, no lead named")
        let html = HTMLRenderer().text(own)
        #expect(html.contains("<a href=\"mailto:veille@mecaloire.example\">veille@mecaloire.example</a>"))
        // When the cluster shares partners, they and the lead are named.
        var shared = SampleDigest.input
        shared.sharePartners = true
        let open = MarkdownRenderer().text(shared.forMember(id: "usinage-forez", name: "Usinage du Forez"))
        #expect(open.contains("- Ingénierie du Gier : Conception — **mandataire pressenti**"))
        #expect(!open.contains("autres adhérents — contactez"))
    }

    @Test func aMemberWithNothingNewIsToldSoAndKeepsItsNearDeadlines() throws {
        var night = SampleDigest.input
        night.members = []
        night.consortia = []
        night.calls = []
        night.changed = []
        night.watches = []
        let own = night.forMember(id: "tolerie-ondaine", name: "Tôlerie de l'Ondaine <TO>")
        #expect(!own.hasNews)
        let md = MarkdownRenderer().text(own)
        #expect(md.contains("**Rien de nouveau pour vous cette nuit.**"))
        #expect(md.contains("## Dates limites proches"))
        #expect(md.contains("- **lundi 11 mai 2026 à 12\u{A0}h\u{A0}00** (dans 6 jours) — [Conception et réalisation"))
        #expect(htmlText(HTMLRenderer().text(own)).contains("Rien de nouveau pour vous cette nuit."))
        #expect(try own.mailContent().subject == "Veille Pôle Méca Loire — rien de nouveau pour vous cette nuit")
    }

    @Test func theMemberReadsWhyInItsOwnWords() {
        let own = SampleDigest.input.forMember(id: "usinage-forez", name: "Usinage du Forez")
        let md = MarkdownRenderer().text(own)
        let q = { (s: String) in "«\u{A0}\(s)\u{A0}»" }
        #expect(md.contains("- L'avis achète ce que vous faites (cœur de métier)"))
        #expect(
            md.contains(
                "- Votre métier : Usinage et décolletage de précision — "
                    + "mot \(q("pièces mécaniques")) dans l'intitulé ; "
                    + "mot \(q("décolletées")) dans l'intitulé ; code CPV 42621000-5"))
        #expect(md.contains("- Lieu d'exécution : Loire (42) ; votre site le plus proche : Haute-Loire (43)"))
        #expect(md.contains("- L'avis demande la certification \(q("EN 9100")) : non déclarée dans votre fiche"))
        // A call for projects reaches each member for its own reason; it funds, it does not buy.
        #expect(md.contains("- L'appel vise votre métier\n"))
        #expect(md.contains("- Votre centre d'intérêt \(q("robotisation")) dans le résumé"))
        let other = MarkdownRenderer().text(SampleDigest.input.forMember(id: "surfaces-loire", name: "Surfaces Loire"))
        #expect(other.contains("- Votre centre d'intérêt \(q("industrie du futur")) dans l'intitulé"))
        #expect(!other.contains("robotisation\u{A0}» dans le résumé"))
    }

    /// A single-lot notice repeats its title as the lot's: the word found in both is one clue. Under a member's
    /// own heading the staff digest does not name it again.
    @Test func aClueIsSaidOnceAndTheSectionsMemberIsNotRepeated() {
        var input = SampleDigest.input
        var item = input.members[1].items[0]
        item.evidence = [
            RouteEvidence(
                kind: .keyword, field: .title, term: "usinage", matched: "Usinage",
                segment: SampleDigest.usinageSegment, weight: 2),
            RouteEvidence(
                kind: .keyword, field: .lot, term: "usinage", matched: "Usinage", lotID: "LOT-0001",
                segment: SampleDigest.usinageSegment, weight: 2),
        ]
        item.members = ["Usinage du Forez"]
        input.members[1].items = [item]
        let why = Wording.why(item, member: true)
        #expect(why.contains("Votre métier : Usinage et décolletage de précision — mot « Usinage » dans l'intitulé"))
        let md = MarkdownRenderer().text(input)
        #expect(!md.contains("- **Adhérents concernés :** Usinage du Forez\n"))
    }

    @Test func whatAMemberNeedsToActIsThere() {
        let md = MarkdownRenderer().text(SampleDigest.input)
        let nb = "\u{A0}"
        #expect(
            md.contains("- **Date limite de remise des offres :** lundi 8 juin 2026 à 12\(nb)h\(nb)00 — dans 34 jours"))
        #expect(md.contains("- **Montant estimé :** 480\(nb)000\(nb)€ HT"))
        #expect(md.contains("  - Lot 1 : Pièces de bogies et organes de freinage — 300\(nb)000\(nb)€ — CPV 42621000-5"))
        #expect(md.contains("  - Lot 2 : Pièces d'attelage — 180\(nb)000\(nb)€"))
        #expect(!md.contains("LOT-0001"))
        #expect(
            md.contains(
                "  - [Dossier de consultation (DCE)](<https://www.marches-publics.gouv.fr/index.php?page=Entreprise."
                    + "EntrepriseDetailsConsultation&refConsultation=2920347&orgAcronyme=g6l&"
                    + "CodeAcheteur=SEM42-TRAM-2026-0042>)"
            ))
        let html = HTMLRenderer().text(SampleDigest.input)
        #expect(html.contains(">Dossier de consultation (DCE)</a>"))
        #expect(html.contains("<span style=\"white-space:nowrap;\">lundi 8 juin 2026 à 12\(nb)h\(nb)00</span>"))
        #expect(html.contains("<span style=\"white-space:nowrap;\">480\(nb)000\(nb)€ HT</span>"))
        let ics = ICalendarRenderer().text(SampleDigest.input).replacingOccurrences(of: "\r\n ", with: "")
        #expect(ics.contains("\\nDossier de consultation (DCE) : https://www.marches-publics.gouv.fr/index.php?"))
    }

    /// CPV codes carry their official French label wherever a code is shown (labels from `CPVLabels`, the CPV
    /// 2008 list: 42621000 « Tours », 45259000 « Réparation et entretien d'équipements »).
    @Test func cpvCodesCarryTheirFrenchLabel() {
        let md = MarkdownRenderer().text(SampleDigest.input)
        let nb = "\u{A0}"
        #expect(
            md.contains(
                "- **Codes CPV :**\n  - 42621000-5 — Tours\n  - 45259000 — Réparation et entretien d'équipements"))
        #expect(md.contains("- **Code CPV :** 42990000 — Machines diverses à usage spécifique"))
        #expect(
            md.contains(
                "  - Lot 1 : Pièces de bogies et organes de freinage — 300\(nb)000\(nb)€ — CPV 42621000-5 (Tours)"))
        #expect(md.contains("; code CPV 42621000-5 (Tours)"))
        #expect(Wording.cpvText("99999999") == "99999999", "an unknown code is shown bare")
    }

    @Test func theBuyersContactIsThereToAct() {
        let md = MarkdownRenderer().text(SampleDigest.input)
        let contact = [
            "- **Contact :**", "  - Direction de la commande publique",
            "  - [commande.publique@saint-etienne-metropole.fr](<mailto:commande.publique@saint-etienne-metropole.fr>)",
            "  - Tél. [+33 4 77 49 21 49](<tel:+33477492149>)",
            "  - [Profil acheteur](<https://www.marches-publics.gouv.fr/?page=Entreprise.AccueilEntreprise>)",
        ].joined(separator: "\n")
        #expect(md.contains(contact))
        let html = HTMLRenderer().text(SampleDigest.input)
        #expect(html.contains("<a href=\"mailto:commande.publique@saint-etienne-metropole.fr\""))
        #expect(html.contains("<a href=\"tel:+33477492149\""))
        let ics = ICalendarRenderer().text(SampleDigest.input).replacingOccurrences(of: "\r\n ", with: "")
        #expect(
            ics.contains(
                "\\nContact : Direction de la commande publique\\, commande.publique@saint-etienne-metropole.fr\\, "
                    + "Tél. +33 4 77 49 21 49\\, Profil acheteur : https://www.marches-publics.gouv.fr/"))
        // A notice without a contact gets no line.
        #expect(md.components(separatedBy: "- **Contact :**").count == 2)
    }

    @Test func refusedMailIsReportedToStaffOnly() throws {
        let md = MarkdownRenderer().text(SampleDigest.input)
        #expect(
            md.contains(
                "## Courriels refusés\n\n- achats@forges-firminy.example — «\u{A0}Veille Pôle Méca Loire — 2 avis pour "
                    + "vous\u{A0}» — adresse inconnue ou refusée par le serveur (code 550), le lundi 4 mai 2026 à "
                    + "6\u{A0}h\u{A0}10 : vérifiez l'adresse dans le fichier du pôle"))
        #expect(!md.contains("Recipient address rejected"), "the server's English reply stays in the JSON")
        #expect(md.contains("- **Courriels refusés :** 1"))
        #expect(try SampleDigest.input.mailContent().subject.hasSuffix(", 1 courriel refusé"))
        let own = MarkdownRenderer().text(SampleDigest.input.forMember(id: "usinage-forez", name: "Usinage du Forez"))
        #expect(!own.contains("Courriels refusés") && !own.contains("achats@"))
    }

    /// A message whose stored copy could not be read back never reached a server: the staff are not sent to check
    /// an address, they are told the member did not get it; an address the sender refused before sending (code 0)
    /// is said to be malformed, not refused « by the server ».
    @Test func aMailNeverSentIsNotReportedAsAnAddressRefused() throws {
        var input = SampleDigest.input
        let at = input.mailFailures[0].at
        input.mailFailures = [
            MailFailure(
                recipient: "achats@usinage-forez.example", subject: "Veille", code: nil,
                reply: "store: outbox message damaged", at: at),
            MailFailure(
                recipient: "achats@forges\nfirminy.example", subject: "Veille", code: 0, reply: "bad address", at: at),
        ]
        let md = MarkdownRenderer().text(input)
        #expect(
            md.contains(
                "» — non envoyé : le courriel gardé par Vigie est illisible (fichier de données abîmé), le lundi 4 mai "
                    + "2026 à 6\u{A0}h\u{A0}10 : le membre ne l'a pas reçu, prévenez la personne qui administre Vigie"))
        #expect(md.contains("» — adresse refusée avant l'envoi, mal formée, le lundi 4 mai 2026"))
        #expect(!md.contains("code 0"))
        #expect(md.components(separatedBy: "vérifiez l'adresse").count == 2, "only the malformed address")
    }

    @Test func aSavedWatchsDigestHoldsItsMatchesOnly() throws {
        let watch = try #require(SampleDigest.input.forWatch(id: "ferroviaire"))
        let md = MarkdownRenderer().text(watch)
        #expect(md.hasPrefix("# Veille Pôle Méca Loire pour Pièces ferroviaires — "))
        #expect(md.contains("### Pièces ferroviaires (2)"))
        #expect(
            !md.contains("La nuit en bref") && !md.contains("Écartés de justesse")
                && !md.contains("Les avis de la nuit"))
        #expect(try watch.mailContent().subject == "Veille Pôle Méca Loire — Pièces ferroviaires : 2 avis")
    }

    @Test(arguments: [
        ("LOT-0001", "Lot 1"), ("LOT-0012", "Lot 12"), ("2", "Lot 2"), ("A", "Lot A"), ("LOT-X", "Lot LOT-X"),
    ])
    func lotsAreNamedAsAFirmReadsThem(_ id: String, _ name: String) {
        #expect(Wording.lotName(id) == name)
    }

    @Test func theStaffDigestOpensWithTheNightAtAGlance() throws {
        let md = MarkdownRenderer().text(SampleDigest.input)
        let summary = try #require(md.range(of: "## La nuit en bref"))
        let members = try #require(md.range(of: "## Les avis de la nuit"))
        #expect(summary.upperBound < members.lowerBound)
        #expect(md.contains("- **Nouveaux avis :** 3"))
        #expect(
            md.contains("- **Pour qui :**\n  - Usinage du Forez : 1 avis\n  - Tôlerie de l'Ondaine \\<TO\\> : 1 avis"))
        #expect(md.contains("- **À rendre cette semaine :** dans 6 jours — [Conception et réalisation"))
        #expect(md.contains("- **Idées de consortium :** 1"))
        #expect(md.contains("- **Écartés de justesse :** 6"))
        #expect(md.contains("- **Sources en difficulté :** Marchés publics \\| Loire, aides-territoires"))
        let html = htmlText(HTMLRenderer().text(SampleDigest.input))
        #expect(html.contains("La nuit en bref Nouveaux avis 3 Pour qui Usinage du Forez : 1 avis"))
        // Staff see a word for the strength of the evidence, never the figure.
        #expect(md.contains("- **Usinage du Forez** — Cœur de métier · pertinence moyenne"))
        #expect(!md.contains("3,00") && !md.contains("1,10"))
    }

    /// The assembler's order opened on a weak indirect route; the staff digest opens on the notice sent as core
    /// business.
    @Test func theFirstMemberSectionOpensWithADirectRoute() throws {
        let md = MarkdownRenderer().text(SampleDigest.input)
        let first = try #require(md.components(separatedBy: "## Les avis de la nuit\n\n#### ").dropFirst().first)
        #expect(first.hasPrefix("[Fourniture de pièces mécaniques"))
        let html = HTMLRenderer().text(SampleDigest.input)
        let h4 = try #require(
            html.components(separatedBy: "id=\"adherents\"").last?.components(separatedBy: "<h4 ").dropFirst().first)
        #expect(h4.contains(">Fourniture de pièces mécaniques"))
        // Within a section: direct before indirect, then the nearest deadline.
        var input = SampleDigest.input
        var late = input.members[1].items[0]
        late.notice.sourceID = "26-99999"
        late.notice.deadline = zoned("2026-07-01T12:00:00+02:00")
        var indirect = input.members[0].items[0]
        indirect.notice.sourceID = "312345-2027"
        input.members[1].items = [indirect, late, input.members[1].items[0]]
        let order = Wording.orderedMembers(input)[0].items.map(\.notice.sourceID)
        #expect(order == ["26-41234", "26-99999", "312345-2027"])
    }

    @Test func nearMissesNameTheFilterWithItsFigures() throws {
        let md = MarkdownRenderer().text(SampleDigest.input)
        let section = try #require(md.components(separatedBy: "## Écartés de justesse\n\n").last)
        let lines = section.components(separatedBy: "\n").prefix { $0.hasPrefix("- ") }
        #expect(lines.count == 6)
        // Strongest first.
        #expect(lines.first?.hasPrefix("- **Décolletage du Furan** — [Fourniture de pièces mécaniques") == true)
        #expect(
            lines.first?.hasSuffix(
                "— trop loin : Gironde (33), à 4 départements de son site le plus proche, Loire (42) — maximum 2")
                == true)
        #expect(
            lines.last?.hasSuffix("— indices trop faibles pour le métier Traitements de surface et thermiques") == true)
        #expect(md.contains("— au-delà de sa capacité : 1,2\u{A0}M€ pour 800\u{A0}000\u{A0}€"))
        #expect(md.contains("— délai trop court : 3 jours (minimum 5)"))
        #expect(md.contains("— exclusion «\u{A0}armement\u{A0}» dans l'intitulé"))
        #expect(md.contains("— type d'avis non suivi : avis d'attribution (suit : appel d'offres)"))
        // A member dropped for one trade but sent the notice (here as a call's beneficiary) was not left out.
        var sent = SampleDigest.input
        sent.nearMisses.append(
            NearMissItem(
                notice: SampleDigest.appel, memberID: "usinage-forez", memberName: "Usinage du Forez",
                exclusion: RouteExclusion(filter: .weakMatch, segment: "Usinage"), score: 9))
        #expect(MarkdownRenderer().text(sent) == md)
        // At most fifteen, and the rest counted.
        var many = SampleDigest.input
        many.nearMisses = (0..<20).map { i in
            NearMissItem(
                notice: SampleDigest.usinage, memberID: "m\(i)", memberName: "Membre \(i)",
                exclusion: RouteExclusion(filter: .weakMatch, segment: "Usinage"), score: Double(i))
        }
        let long = MarkdownRenderer().text(many)
        #expect(
            long.contains("- **Membre 19** —") && long.contains("- **Membre 5** —")
                && !long.contains("- **Membre 4** —"))
        #expect(long.contains("- … et 5 autres (liste complète dans le fichier JSON)"))
    }

    @Test(arguments: [
        (RouteExclusion(filter: .territory, outsideFrance: true), "hors de France"),
        (
            RouteExclusion(filter: .territory, regions: ["FRI"]),
            "hors de ses régions : lieu d'exécution en Nouvelle-Aquitaine"
        ),
        (RouteExclusion(filter: .territory, places: ["971"]), "hors de portée de ses sites : Guadeloupe (971)"),
        (
            RouteExclusion(filter: .capacity, value: 12_500_000, capacity: 3_000_000),
            "au-delà de sa capacité : 12,5\u{A0}M€ pour 3\u{A0}M€"
        ),
        (RouteExclusion(filter: .deadline, leadDays: -1, minimumLeadDays: 5), "date limite dépassée"),
        (
            RouteExclusion(filter: .deadline, leadDays: 0.4, minimumLeadDays: 5),
            "délai trop court : moins d'un jour (minimum 5)"
        ),
        (
            RouteExclusion(filter: .segmentExclusion, segment: "Usinage", term: "usinage du bois*", field: .title),
            "exclusion « usinage du bois » du métier Usinage dans l'intitulé"
        ),
        (
            RouteExclusion(filter: .upstreamSupplier, upstream: "Outillage", downstream: "Usinage"),
            "fournisseur seulement : Outillage alimente Usinage, que l'avis achète "
                + "(partenaire possible d'un groupement)"
        ),
    ])
    func everyFilterIsWorded(_ e: RouteExclusion, _ words: String) {
        #expect(Wording.exclusion(e) == words)
    }

    @Test func sourceHealthIsFrenchInReadableFormatsAndEnglishOnlyInTheJSON() throws {
        let input = SampleDigest.input
        for text in [MarkdownRenderer().text(input), htmlText(HTMLRenderer().text(input))] {
            #expect(!text.contains("Service Unavailable") && !text.contains("timed out") && !text.contains("fetcher:"))
            #expect(text.contains("indisponible\u{A0}» (erreur 503) — nouvel essai la nuit prochaine"))
            #expect(text.contains("Délai dépassé : le service n'a pas répondu à temps"))
        }
        let json = String(decoding: try JSONDigestRenderer().render(input), as: UTF8.self)
        #expect(json.contains("fetcher: marches-loire: HTTP 503 Service Unavailable"))
        #expect(json.contains("\"http_status\" : 503"))
    }

    // MARK: subscriptions

    /// Nineteen notices sent on the first night, each with an open deadline.
    static func nineteen(sentAt: Date) -> [WindowEntry] {
        (1...19).map { i in
            var n = SampleDigest.convoyeurs
            n.sourceID = "26-5\(String(format: "%04d", i))"
            n.title = "Avis \(i)"
            n.deadline = zoned(String(format: "2026-06-%02dT12:00:00+02:00", i))
            return WindowEntry(notice: n, sentAt: sentAt, members: ["Usinage du Forez"], memberIDs: ["usinage-forez"])
        }
    }

    static func events(_ ics: String) -> [String] {
        ics.replacingOccurrences(of: "\r\n ", with: "").components(separatedBy: "\r\n").filter { $0.hasPrefix("UID:") }
    }

    @Test func aSubscribedCalendarKeepsEarlierNightsOpenDeadlines() throws {
        let first = SampleDigest.now
        var night1 = DigestInput(clusterID: "mecaloire", clusterName: "Pôle Méca Loire", runDate: first)
        night1.window = Self.nineteen(sentAt: first)
        night1.members = [
            MemberSection(
                memberID: "usinage-forez", memberName: "Usinage du Forez",
                items: night1.window.map { DigestItem(notice: $0.notice, score: 3, memberIDs: ["usinage-forez"]) })
        ]
        let ics = ICalendarRenderer()
        #expect(Self.events(ics.subscriptionText(night1)).count == 19)
        // The next night brings nothing: the dated file is empty, the subscription still holds all 19.
        var night2 = DigestInput(clusterID: "mecaloire", clusterName: "Pôle Méca Loire", runDate: first + 86_400)
        night2.window =
            Self.nineteen(sentAt: first) + [
                WindowEntry(notice: SampleDigest.expire, sentAt: first - 10 * 86_400, memberIDs: ["usinage-forez"])
            ]
        #expect(Self.events(ics.text(night2)).isEmpty)
        let kept = Self.events(ics.subscriptionText(night2))
        #expect(kept.count == 19, "the past deadline is dropped, the 19 open ones stay")
        #expect(Set(kept) == Set(Self.events(ics.subscriptionText(night1))), "same UIDs: clients update, not duplicate")
        // The same for one member's own calendar.
        let own = night2.forMember(id: "usinage-forez", name: "Usinage du Forez")
        #expect(Self.events(ics.subscriptionText(own)).count == 19)
        #expect(!ics.subscriptionText(own).contains("Adhérents :"))
        // Through the protocol, as the writer calls it.
        let bytes = try DigestFormat.icalendar.renderer.renderSubscription(night2)
        #expect(Self.events(String(decoding: bytes, as: UTF8.self)).count == 19)
    }

    @Test func theSubscribedFeedHoldsTheWindowNewestFirst() throws {
        let input = SampleDigest.input
        let bytes = try AtomRenderer().renderSubscription(input)
        let parser = XMLParser(data: Data(bytes))
        let feed = AtomCollector()
        parser.delegate = feed
        #expect(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "")")
        #expect(
            feed.links.contains {
                $0["rel"] == "self" && $0["href"] == "https://veille.mecaloire.example/mecaloire/latest.atom"
            })
        // Tonight's five notices, then the two earlier ones of the window, newest first.
        #expect(feed.entryIDs.count == 7)
        #expect(Set(feed.entryIDs).count == 7)
        #expect(
            feed.entryIDs.suffix(2) == ["urn:vigie:mecaloire:boamp:26-39010", "urn:vigie:mecaloire:boamp:26-37001"])
        #expect(feed.entryUpdated.suffix(2) == ["2026-04-30T02:00:00Z", "2026-04-20T02:00:00Z"])
        #expect(feed.entryUpdated == feed.entryUpdated.sorted(by: >))
        // The dated file keeps tonight only; without a public address the self link is relative.
        var local = input
        local.publicURL = nil
        let dated = AtomRenderer().text(local)
        #expect(dated.components(separatedBy: "<entry>").count - 1 == 5)
        #expect(dated.contains("<link rel=\"self\" type=\"application/atom+xml\" href=\"2026-05-05.atom\"/>"))
        #expect(AtomRenderer().subscriptionText(local).contains("href=\"latest.atom\"/>"))
        // A member's feed on a night with nothing new says so, and keeps its window.
        var quiet = input
        quiet.members = []
        quiet.consortia = []
        quiet.calls = []
        quiet.changed = []
        let own = AtomRenderer().subscriptionText(quiet.forMember(id: "usinage-forez", name: "Usinage du Forez"))
        #expect(own.contains("<subtitle>Rien de nouveau pour vous cette nuit.</subtitle>"))
        #expect(own.contains("<id>urn:vigie:mecaloire:boamp:26-39010</id>"))
    }

    // MARK: e-mail

    @Test func theMailSaysTheNightInItsSubject() throws {
        let staff = try SampleDigest.input.mailContent()
        let subject: String =
            "Veille Pôle Méca Loire — 3 avis, 1 idée de consortium, 1 à rendre cette semaine, 2 sources en échec, "
            + "1 courriel refusé"
        #expect(staff.subject == subject)
        #expect(staff.text == MarkdownRenderer().text(SampleDigest.input))
        #expect(staff.html == HTMLRenderer().text(SampleDigest.input))
        #expect(staff.calendarFileName == "echeances-mecaloire-2026-05-05.ics")
        let calendar = String(decoding: try #require(staff.calendar), as: UTF8.self)
        #expect(Self.events(calendar).count == 4)
        let own = SampleDigest.input.forMember(id: "usinage-forez", name: "Usinage du Forez")
        let mail = try own.mailContent()
        #expect(
            mail.subject == "Veille Pôle Méca Loire — 3 avis pour vous, dont 1 à rendre cette semaine, 1 avis modifié")
        #expect(mail.calendarFileName == "echeances-mecaloire-usinage-forez-2026-05-05.ics")
        // No deadline tonight: no attachment.
        var none = DigestInput(clusterID: "mecaloire", clusterName: "Pôle Méca Loire", runDate: SampleDigest.now)
        none.changed = [ChangedItem(notice: SampleDigest.attribue, changes: [])]
        #expect(try none.mailContent().calendar == nil)
        #expect(try none.mailContent().subject == "Veille Pôle Méca Loire — 1 avis modifié")
    }
}
