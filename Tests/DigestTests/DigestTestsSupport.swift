import Foundation
import Notices

#if canImport(FoundationXML)
    import FoundationXML
#endif

@testable import Digest

func zoned(_ s: String) -> ZonedDate { ISO8601.parseZoned(s)! }

/// The text an HTML page shows: tags become spaces, entities are decoded, runs of spaces collapse (no-break
/// spaces are kept, except the typographic ones before « : ; ? ! », read as the plain text writes them).
func htmlText(_ html: String) -> String {
    var out = ""
    var inTag = false
    for ch in html {
        if ch == "<" {
            inTag = true
            out.append(" ")
            continue
        }
        if ch == ">" && inTag {
            inTag = false
            continue
        }
        if !inTag { out.append(ch) }
    }
    out = out.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
        .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
        .replacingOccurrences(of: "&amp;", with: "&")
    for p in [":", ";", "?", "!"] { out = out.replacingOccurrences(of: "\u{A0}" + p, with: " " + p) }
    return out.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).joined(separator: " ")
}

/// A digest with every section filled, and text chosen to exercise escaping (`<`, `&`, `;`, `"`, commas,
/// long accented lines for iCalendar folding).
enum SampleDigest {
    static let now = zoned("2026-05-05T02:00:00Z").instant

    static let usinageSegment = "Usinage et décolletage de précision"

    /// A realistic eForms-style tender: long title, lots numbered `LOT-0001`, a long DCE address.
    static let usinage = Notice(
        source: "boamp", sourceID: "26-41234", kind: .tender,
        title: "Fourniture de pièces mécaniques usinées et décolletées de précision pour la maintenance préventive "
            + "et curative des rames de tramway (bogies, organes de freinage, attelages) — accord-cadre à bons de "
            + "commande",
        summary:
            "Fabrication & usinage de pièces <acier> ; lots 1 et 2. Questions sur https://www.marches-publics.gouv.fr/"
            + "index.php?page=Entreprise.EntrepriseDetailsConsultation&refConsultation=2920347&orgAcronyme=g6l",
        url: "https://www.boamp.fr/pages/avis/?q=idweb:%2226-41234%22", language: "fr",
        buyer: Buyer(
            name: "Saint-Étienne Métropole", id: "24420069800019",
            contact: ContactPoint(
                name: "Direction de la commande publique", email: "commande.publique@saint-etienne-metropole.fr",
                phone: "+33 4 77 49 21 49",
                url: "https://www.marches-publics.gouv.fr/?page=Entreprise.AccueilEntreprise")),
        published: zoned("2026-05-04T00:00:00Z").instant, deadline: zoned("2026-06-08T12:00:00+02:00"),
        otherDeadlines: [NamedDate(kind: .questions, date: zoned("2026-05-29T17:00:00+02:00"))],
        value: Money(amount: 480_000, currency: "EUR", vat: "HT"), mainCPV: "42621000-5",
        cpv: ["42621000-5", "45259000"], places: [Place(departement: "42", commune: "Saint-Étienne")],
        documentsURL: "https://www.marches-publics.gouv.fr/index.php?page=Entreprise.EntrepriseDetailsConsultation"
            + "&refConsultation=2920347&orgAcronyme=g6l&CodeAcheteur=SEM42-TRAM-2026-0042",
        procedure: "open",
        lots: [
            Lot(
                id: "LOT-0001", title: "Pièces de bogies et organes de freinage", cpv: ["42621000-5"],
                value: Money(amount: 300_000, currency: "EUR")),
            Lot(id: "LOT-0002", title: "Pièces d'attelage", value: Money(amount: 180_000, currency: "EUR")),
        ],
        refs: CrossReferences(boampIDWeb: "26-41234"))

    static let ligne = Notice(
        source: "ted", sourceID: "312345-2026", kind: .tender,
        title: "Conception et réalisation d'une ligne de traitement de surface \"clé en main\"",
        url: "https://ted.europa.eu/fr/notice/-/detail/312345-2026",
        buyer: Buyer(name: "Safran Landing Systems; site de Molsheim"),
        published: zoned("2026-05-03T00:00:00Z").instant, deadline: zoned("2026-05-11T10:00:00Z"),
        value: Money(currency: "EUR", min: 1_200_000, max: 1_800_000, vat: "HT"), mainCPV: "42990000",
        cpv: ["42990000"], places: [Place(nuts: "FRF11", departement: "67")], procedure: "neg-w-call")

    static let appel = Notice(
        source: "aides-territoires", sourceID: "at-9876", kind: .callForProjects,
        title: "Appel à projets Industrie du futur — robotisation des PME",
        summary: "Aide aux investissements de robotisation et de numérisation.",
        url: "https://aides-territoires.beta.gouv.fr/aides/9876/",
        buyer: Buyer(name: "Région Auvergne-Rhône-Alpes"),
        call: CallDetails(
            funder: "Région Auvergne-Rhône-Alpes", beneficiaries: ["PME", "ETI"],
            opening: zoned("2026-04-01T00:00:00+02:00"), closing: zoned("2026-09-30T23:59:00+02:00"),
            collaborative: false))

    static let corrige = Notice(
        source: "boamp", sourceID: "26-40001", kind: .tender, title: "Peinture industrielle de châssis",
        url: "https://www.boamp.fr/avis/detail/26-40001", buyer: Buyer(name: "Ville de Roanne"),
        deadline: zoned("2026-05-22T12:00:00+02:00"), value: Money(amount: 80_000.5, currency: "EUR", vat: "TTC"),
        places: [Place(departement: "42")])

    /// An award notice (the competition a watch follows): winners with and without names or ids, and text
    /// that needs escaping in every format.
    static let attribue = Notice(
        source: "decp", sourceID: "24420069800019-2026-0042", kind: .award,
        title: "Rétrofit de la presse hydraulique du dépôt tramway",
        buyer: Buyer(name: "Saint-Étienne Métropole", id: "24420069800019"),
        awardees: [
            Buyer(name: "Hydraulique & Maintenance <HM>", id: "41234567800021"),
            Buyer(name: "Forez Méca; ateliers \"Sud\""), Buyer(id: "FR99999999999"),
        ],
        published: zoned("2026-05-04T00:00:00Z").instant, value: Money(amount: 176_500, currency: "EUR", vat: "HT"),
        mainCPV: "50530000", cpv: ["50530000"], places: [Place(departement: "42")], procedure: "MAPA")

    /// Sent on earlier nights: one still open (it stays in the subscription calendar), one past.
    static let convoyeurs = Notice(
        source: "boamp", sourceID: "26-39010", kind: .tender,
        title: "Remplacement des convoyeurs de la chaîne d'assemblage",
        url: "https://www.boamp.fr/avis/detail/26-39010", buyer: Buyer(name: "Roannais Agglomération"),
        deadline: zoned("2026-05-20T12:00:00+02:00"), places: [Place(departement: "42")])
    static let expire = Notice(
        source: "boamp", sourceID: "26-37001", kind: .tender, title: "Maintenance des tours à commande numérique",
        url: "https://www.boamp.fr/avis/detail/26-37001", buyer: Buyer(name: "Lycée Benoît-Fourneyron"),
        deadline: zoned("2026-05-01T12:00:00+02:00"), places: [Place(departement: "42")])

    static let usinageEvidence = [
        RouteEvidence(
            kind: .keyword, field: .title, term: "décollet*", matched: "décolletées", segment: usinageSegment,
            weight: 1),
        RouteEvidence(
            kind: .keyword, field: .title, term: "pièces mécaniques", matched: "pièces mécaniques",
            segment: usinageSegment, weight: 1.5),
        RouteEvidence(
            kind: .cpv, field: .cpv, term: "4262", matched: "42621000-5", segment: usinageSegment,
            weight: 0.75),
        RouteEvidence(kind: .distance, field: .place, term: "43", matched: "42", weight: -0.25),
        RouteEvidence(kind: .certification, field: .certification, term: "EN 9100", weight: 0, declared: false),
    ]

    static var input: DigestInput {
        let usinageItem = DigestItem(
            notice: usinage, score: 3, evidence: usinageEvidence, segments: [usinageSegment], direct: true,
            memberIDs: ["usinage-forez"], alsoPublishedOn: ["ted"])
        let ligneItem = DigestItem(
            notice: ligne, score: 1.1,
            evidence: [
                RouteEvidence(
                    kind: .valueChain, field: .link, term: "Traitements de surface et thermiques",
                    weight: 1.1)
            ],
            segments: ["Tôlerie, chaudronnerie et mécano-soudure"], direct: false, memberIDs: ["tolerie-ondaine"])
        let callEvidence = [
            "usinage-forez": [
                RouteEvidence(
                    kind: .interest, field: .summary, term: "robotisation", matched: "robotisation",
                    weight: 1)
            ],
            "surfaces-loire": [
                RouteEvidence(kind: .interest, field: .title, term: "industrie du futur", weight: 1)
            ],
        ]
        return DigestInput(
            clusterID: "mecaloire", clusterName: "Pôle Méca Loire", runDate: now,
            members: [
                // The assembler's order opens on a weak indirect route: the digest shows the direct one first.
                MemberSection(
                    memberID: "tolerie-ondaine", memberName: "Tôlerie de l'Ondaine <TO>",
                    items: [ligneItem]),
                MemberSection(memberID: "usinage-forez", memberName: "Usinage du Forez", items: [usinageItem]),
                MemberSection(memberID: "vide", memberName: "Sans avis", items: []),
            ],
            consortia: [
                ConsortiumItem(
                    notice: ligne, score: 2.4, need: .both, value: 1_800_000, combinedCapacity: 2_100_000,
                    uncovered: ["Automatisme"],
                    suppliers: [
                        ConsortiumPartner(
                            memberID: "forges-firminy", memberName: "Forges de Firminy",
                            segments: ["Fonderie, forge et estampage"])
                    ],
                    partners: [
                        ConsortiumPartner(
                            memberID: "ingenierie-gier", memberName: "Ingénierie du Gier",
                            segments: ["Conception"]),
                        ConsortiumPartner(
                            memberID: "surfaces-loire", memberName: "Surfaces Loire",
                            segments: ["Traitements de surface et thermiques"]),
                        ConsortiumPartner(
                            memberID: "usinage-forez", memberName: "Usinage du Forez",
                            segments: [usinageSegment]),
                    ],
                    lead: "Ingénierie du Gier")
            ],
            calls: [
                DigestItem(
                    notice: appel, score: 2, evidence: callEvidence["usinage-forez"]!, direct: true,
                    members: ["Usinage du Forez", "Surfaces Loire"], memberIDs: ["usinage-forez", "surfaces-loire"],
                    memberEvidence: callEvidence)
            ],
            watches: [
                WatchSection(
                    watchID: "ferroviaire", name: "Pièces ferroviaires",
                    recipients: ["ferroviaire@mecaloire.example"],
                    items: [
                        DigestItem(
                            notice: usinage, score: 3,
                            evidence: [
                                RouteEvidence(
                                    kind: .watch, field: .title, term: "Pièces ferroviaires",
                                    matched: "tramway", weight: 3)
                            ],
                            direct: nil),
                        DigestItem(
                            notice: attribue, score: 2,
                            evidence: [
                                RouteEvidence(
                                    kind: .watch, field: .title, term: "Pièces ferroviaires",
                                    matched: "tramway", weight: 2)
                            ],
                            direct: nil),
                    ]),
                WatchSection(watchID: "vide", name: "Veille sans résultat", recipients: [], items: []),
            ],
            deadlinesSoon: [
                DigestItem(
                    notice: ligne, score: 1.1, members: ["Tôlerie de l'Ondaine <TO>"],
                    memberIDs: ["tolerie-ondaine"])
            ],
            changed: [
                ChangedItem(
                    notice: corrige,
                    changes: [
                        NoticeChange(
                            field: "deadline", old: "2026-05-15T12:00:00+02:00",
                            new: "2026-05-22T12:00:00+02:00"),
                        NoticeChange(field: "lots", old: nil, new: nil),
                    ],
                    audiences: [.member(id: "usinage-forez"), .watch(name: "Pièces ferroviaires")],
                    memberNames: ["usinage-forez": "Usinage du Forez"], toldAt: zoned("2026-04-28T02:00:00Z").instant)
            ],
            sources: [
                SourceHealth(
                    sourceID: "boamp", name: "BOAMP", status: .ok,
                    lastSuccess: zoned("2026-05-05T01:58:00Z").instant, newNotices: 12),
                SourceHealth(
                    sourceID: "ted", name: "TED", status: .incomplete,
                    lastSuccess: zoned("2026-05-05T01:59:00Z").instant, newNotices: 250, left: 2_000),
                SourceHealth(
                    sourceID: "marches-loire", name: "Marchés publics | Loire", status: .failing,
                    lastSuccess: zoned("2026-05-02T01:50:00Z").instant, consecutiveFailures: 3,
                    lastError: "fetcher: marches-loire: HTTP 503 Service Unavailable", failure: .httpStatus,
                    httpStatus: 503),
                SourceHealth(
                    sourceID: "aides-territoires", name: "aides-territoires", status: .failing,
                    lastSuccess: zoned("2026-05-04T01:50:00Z").instant, consecutiveFailures: 1,
                    lastError: "fetcher: aides-territoires: Operation timed out after 30000 milliseconds",
                    failure: .timeout),
            ],
            sourceNames: ["boamp": "BOAMP", "ted": "TED"],
            signals: [],
            nearMisses: [
                NearMissItem(
                    notice: corrige, memberID: "surfaces-loire", memberName: "Surfaces Loire",
                    exclusion: RouteExclusion(
                        filter: .weakMatch, segment: "Traitements de surface et thermiques",
                        score: 1.2, threshold: 2),
                    score: 1.2),
                NearMissItem(
                    notice: usinage, memberID: "decolletage-furan", memberName: "Décolletage du Furan",
                    exclusion: RouteExclusion(
                        filter: .territory, places: ["33"], distance: 4, maximumDistance: 2,
                        site: "42"),
                    score: 3.5),
                NearMissItem(
                    notice: ligne, memberID: "forges-firminy", memberName: "Forges de Firminy",
                    exclusion: RouteExclusion(filter: .capacity, value: 1_200_000, capacity: 800_000), score: 2.5),
                NearMissItem(
                    notice: attribue, memberID: "usinage-forez", memberName: "Usinage du Forez",
                    exclusion: RouteExclusion(filter: .kind, noticeKind: .award, wantedKinds: [.tender]), score: 2),
                NearMissItem(
                    notice: corrige, memberID: "peintures-gier", memberName: "Peintures du Gier",
                    exclusion: RouteExclusion(filter: .deadline, leadDays: 3.4, minimumLeadDays: 5), score: 2.2),
                NearMissItem(
                    notice: usinage, memberID: "meca-roannaise", memberName: "Mécanique Roannaise",
                    exclusion: RouteExclusion(filter: .memberExclusion, term: "armement", field: .title), score: 1.9),
            ],
            window: [
                WindowEntry(notice: usinage, sentAt: now, members: ["Usinage du Forez"], memberIDs: ["usinage-forez"]),
                WindowEntry(
                    notice: ligne, sentAt: now, members: ["Tôlerie de l'Ondaine <TO>"],
                    memberIDs: ["tolerie-ondaine"]),
                WindowEntry(
                    notice: convoyeurs, sentAt: zoned("2026-04-30T02:00:00Z").instant,
                    members: ["Usinage du Forez"], memberIDs: ["usinage-forez"]),
                WindowEntry(
                    notice: expire, sentAt: zoned("2026-04-20T02:00:00Z").instant,
                    members: ["Usinage du Forez"], memberIDs: ["usinage-forez"]),
            ],
            staffContact: "veille@mecaloire.example",
            publicURL: "https://veille.mecaloire.example/mecaloire/",
            mailFailures: [
                MailFailure(
                    recipient: "achats@forges-firminy.example", subject: "Veille Pôle Méca Loire — 2 avis pour vous",
                    code: 550, reply: "5.1.1 <achats@forges-firminy.example>: Recipient address rejected: User unknown",
                    at: zoned("2026-05-04T04:10:00Z").instant)
            ])
    }
}

/// Reads an Atom feed back with Foundation's XMLParser (independent of the renderer): every element, the feed's
/// own links (`rel="self"`…), each entry's id and updated date.
final class AtomCollector: NSObject, XMLParserDelegate {
    var elements: [String] = []
    var links: [[String: String]] = []
    var entryIDs: [String] = []
    var entryUpdated: [String] = []
    var path: [String] = []
    var text = ""
    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        path.append(name)
        elements.append(name)
        if name == "link", path.count == 2 { links.append(attributes) }
        text = ""
    }
    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }
    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if path.suffix(2) == ["entry", "id"] { entryIDs.append(text) }
        if path.suffix(2) == ["entry", "updated"] { entryUpdated.append(text) }
        path.removeLast()
    }
}
