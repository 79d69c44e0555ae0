import Foundation
import Notices

@testable import Digest

func zoned(_ s: String) -> ZonedDate { ISO8601.parseZoned(s)! }

/// A digest with every section filled, and text chosen to exercise escaping (`<`, `&`, `;`, `"`, commas,
/// long accented lines for iCalendar folding).
enum SampleDigest {
    static let now = zoned("2026-05-05T02:00:00Z").instant

    static let usinage = Notice(
        source: "boamp", sourceID: "26-41234", kind: .tender,
        title: "Usinage de pièces mécaniques de précision pour la maintenance des tramways",
        summary: "Fabrication & usinage de pièces <acier> ; lots 1 et 2.",
        url: "https://www.boamp.fr/avis/detail/26-41234", language: "fr",
        buyer: Buyer(name: "Saint-Étienne Métropole", id: "24420069800019"),
        published: zoned("2026-05-04T00:00:00Z").instant, deadline: zoned("2026-06-08T12:00:00+02:00"),
        otherDeadlines: [NamedDate(kind: .questions, date: zoned("2026-05-29T17:00:00+02:00"))],
        value: Money(amount: 246_000, currency: "EUR", vat: "HT"), mainCPV: "42600000", cpv: ["42600000", "45259000"],
        places: [Place(departement: "42", commune: "Saint-Étienne")], procedure: "open",
        lots: [
            Lot(id: "1", title: "Pièces de bogies", value: Money(amount: 150_000, currency: "EUR")),
            Lot(id: "2", title: "Pièces de caisse", value: Money(amount: 96_000, currency: "EUR")),
        ],
        refs: CrossReferences(boampIDWeb: "26-41234"))

    static let ligne = Notice(
        source: "ted", sourceID: "312345-2026", kind: .tender,
        title: "Conception et réalisation d'une ligne de traitement de surface \"clé en main\"",
        url: "https://ted.europa.eu/fr/notice/-/detail/312345-2026",
        buyer: Buyer(name: "Safran Landing Systems; site de Molsheim"),
        published: zoned("2026-05-03T00:00:00Z").instant, deadline: zoned("2026-05-12T10:00:00Z"),
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

    static var input: DigestInput {
        let usinageItem = DigestItem(
            notice: usinage, score: 0.87,
            evidence: [
                RouteEvidence(kind: .keyword, field: .title, term: "usinage", segment: "Usinage", weight: 3),
                RouteEvidence(kind: .cpv, field: .cpv, term: "4260", matched: "42600000", segment: "Usinage", weight: 2),
            ],
            direct: true, alsoPublishedOn: ["ted"])
        let ligneItem = DigestItem(
            notice: ligne, score: 0.46,
            evidence: [RouteEvidence(kind: .valueChain, field: .link, term: "Traitement de surface", weight: 1)],
            direct: false)
        return DigestInput(
            clusterID: "mecaloire", clusterName: "Pôle Méca Loire", runDate: now,
            members: [
                MemberSection(memberID: "usinage-forez", memberName: "Usinage du Forez", items: [usinageItem]),
                MemberSection(
                    memberID: "tolerie-ondaine", memberName: "Tôlerie de l'Ondaine <TO>",
                    items: [ligneItem]),
                MemberSection(memberID: "vide", memberName: "Sans avis", items: []),
            ],
            consortia: [
                ConsortiumItem(
                    notice: ligne, score: 0.71,
                    need: .both, value: 1_800_000,
                    partners: [
                        ConsortiumPartner(
                            memberID: "ingenierie-gier", memberName: "Ingénierie du Gier",
                            segments: ["Conception"]),
                        ConsortiumPartner(
                            memberID: "surfaces-loire", memberName: "Surfaces Loire",
                            segments: ["Traitement de surface", "Automatisme"]),
                    ],
                    lead: "Ingénierie du Gier")
            ],
            calls: [
                DigestItem(
                    notice: appel, score: 0.64, direct: true,
                    members: ["Usinage du Forez", "Surfaces Loire"], memberIDs: ["usinage-forez", "surfaces-loire"])
            ],
            watches: [
                WatchSection(
                    watchID: "ferroviaire", name: "Pièces ferroviaires",
                    recipients: ["ferroviaire@mecaloire.example"],
                    items: [
                        DigestItem(
                            notice: usinage, score: 3,
                            evidence: [RouteEvidence(kind: .watch, field: .title, term: "ferroviaire", matched: "tramways", weight: 3)],
                            direct: nil),
                        DigestItem(
                            notice: attribue, score: 2,
                            evidence: [RouteEvidence(kind: .watch, field: .title, term: "ferroviaire", matched: "tramway", weight: 2)],
                            direct: nil),
                    ]),
                WatchSection(watchID: "vide", name: "Veille sans résultat", recipients: [], items: []),
            ],
            deadlinesSoon: [DigestItem(notice: ligne, score: 0.46, members: ["Tôlerie de l'Ondaine <TO>"], memberIDs: ["tolerie-ondaine"])],
            changed: [
                ChangedItem(
                    notice: corrige,
                    changes: [
                        NoticeChange(
                            field: "deadline", old: "2026-05-15T12:00:00+02:00",
                            new: "2026-05-22T12:00:00+02:00"),
                        NoticeChange(field: "lots", old: nil, new: nil),
                    ],
                    audiences: [.member(id: "usinage-forez")], memberNames: ["usinage-forez": "Usinage du Forez"],
                    toldAt: zoned("2026-04-28T02:00:00Z").instant)
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
                    lastError: "fetcher: marches-loire: HTTP 503 Service Unavailable"),
            ],
            sourceNames: ["boamp": "BOAMP", "ted": "TED"])
    }
}
