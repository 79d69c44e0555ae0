import Foundation
import TestSupport

@testable import Notices
@testable import Parser

/// Expected field values of the real BOAMP captures in `../shared/samples/real/boamp/`, read from the raw files.
///
/// Each expected value is written as a literal, with the raw key it was read from. Conventions (the same for
/// every row): a field the raw record does not give is `-`; a deadline is the UTC instant; `deadline-kind` is `-`
/// when there is no deadline; `place` is the places of *work* as département codes (or the NUTS code when only a
/// region is named), never the `code_departement` of publication; `winners` are SIRETs, or names when the record
/// gives no SIRET; values and lots use `Canonical.money` / `Canonical.lots`.
enum BOAMPRealCaptures {
    static let awards = "samples/real/boamp/kivou-boamp-records-4-awards-2026-08.json"
    /// The `data` object of jpbenga's capture (`jpbenga-ods-v2.1-where-dateparution-2026-5-FNSimple.json`), whose
    /// wrapper `{ok,url,status,data}` is the capturer's, not the API's.
    static let fnsimple = "samples/real/boamp/DERIVED-unwrapped-data-of-jpbenga-where-dateparution-2026.json"

    /// The one notice of the retired DILA JSON API kept in `samples/boamp/` (real, 2020).
    static let legacy = "samples/boamp/legacy-api-json/20-152081.json"

    typealias Row = [FieldCheck.Field: String]

    static let expected: [(capture: String, idweb: String, row: Row)] = [
        // MARK: kivou — EFORMS ContractAwardNotice, framework agreement in two lots
        (
            awards, "26-80978",
            [
                // objet
                .title: "Prestation de transport de personnes pour la ville de Saint-Orens de Gameville et le CCAS",
                .buyer: "Ville de Saint Orens de Gameville",  // nomacheteur
                // ContractingParty → ORG-0001, PartyLegalEntity/CompanyID with no schemeName: a SIRET.
                .buyerID: "21310506700010",
                .deadline: "-",  // datelimitereponse null: a result has no submission deadline
                .deadlineKind: "-",
                // NoticeResult/OverallMaximumFrameworkContractsAmount 440000; EstimatedOverallContractAmount is 0.
                .value: "440000 framework_maximum",
                .cpv: "60170000,60172000",  // Main + AdditionalCommodityClassification
                .place: "31",  // RealizedLocation: FRJ23, 31650 Saint-Orens de Gameville
                // Each lot: FrameworkMaximumAmount 160000 / 280000 beside an EstimatedOverallContractAmount of 0.
                .lots: "LOT-0001:60170000,60172000:160000 framework_maximum;"
                    + "LOT-0002:60170000,60172000:280000 framework_maximum",
                .winners: "47967398000062",  // SettledContract → TEN-0001/2 → TPA-0001 → ORG-0003 CompanyID
                .kind: "award",  // nature ATTRIBUTION
            ]
        ),
        // MARK: kivou — EFORMS ContractAwardNotice, one lot, every identifier `schemeName="eu"`
        (
            awards, "26-80922",
            [
                .title:
                    "Prestations d'exploitations des installations de vidéoprotection et des systèmes anti-intrusion "
                    + "de l'EPPDCSI",
                .buyer:
                    "EPPDCSI - UNIVERSCIENCE Etablissement public à caractère industriel et commercial créé par décret "
                    + "interministériel du 3 décembre 2009",
                .buyerID: "-",  // ORG-0002 CompanyID {"@schemeName": "eu", "#text": "13630"}: not a SIRET
                .deadline: "-",
                .deadlineKind: "-",
                .value: "1535963 awarded",  // NoticeResult/TotalAmount
                .cpv: "75241000,75310000,79711000",
                // No RealizedLocation anywhere; the description names 75019 Paris in prose only, and
                // code_departement ["75"] is where the notice is published.
                .place: "-",
                .lots: "LOT-0000:75241000,75310000,79711000:1535962.72 awarded",  // LotTender PayableAmount
                .winners: "ULTIME SECURITE",  // ORG-0004, CompanyID schemeName eu "1812659-1-0-1": name only
                .kind: "award",
            ]
        ),
        // MARK: kivou — FNSimple attribution: result in free text only
        (
            awards, "26-81190",
            [
                .title:
                    "RÉHABILITATION, CONFORTEMENT ET RESTAURATION DU PONT MAÇONNERIE À UNE ARCHE SUR L’APANCE – RD238 "
                    + "PR7+560 À LARIVIÈRE-ARNONCOURT-.",
                .buyer: "Service administratif et financier du Pôle Aménagement",
                .buyerID: "22520001300012",  // organisme.codeIdentificationNational, typeIdentificationNational siret
                .deadline: "-",
                .deadlineKind: "-",
                // attributionMarche: "Montant : 213400.41 euros" (lot 1) + "Montant : 17530 euros" (lot 2). The
                // form has no structured amount; the sum of the two printed lot amounts is the notice's.
                .value: "230930.41 awarded",
                .cpv: "-",  // the attribution form carries no codeCPV
                // organisme is the buyer (52905 CHAUMONT); no place of work; code_departement 52 is publication.
                .place: "-",
                .lots: "1:-:213400.41 awarded;2:-:17530 awarded",  // "Lot 1 : …", "Lot 2 : …" in attributionMarche
                // "- GRAGLIA BTP (43293695300012)", "- SOCIETE ENTR'IN 52 (81535164800010)"
                .winners: "43293695300012,81535164800010",
                .kind: "award",
            ]
        ),
        // MARK: kivou — MAPA attribution
        (
            awards, "26-80528",
            [
                .title:
                    "MAPA 25.747.37 MISSION DE MAITRISE D'OEUVRE RELATIVE A L'OPERATION DE RECONSTRUCTION APRES "
                    + "SINISTRE D’ESPACES DU SITE DU PATIO DE LA CAISSE PRIMAIRE CENTRALE D’ASSURANCE MALADIE DES "
                    + "BOUCHES-DU-RHONE",  // objet
                .buyer: "Caisse Primaire Centrale d'Assurance Maladie des Bouches du Rhône",  // nomacheteur
                .buyerID: "-",  // MAPA organisme has no identification number
                .deadline: "-",
                .deadlineKind: "-",
                .value: "102193 awarded",  // attribution.resultat.attribue.montant.valeur
                .cpv: "-",
                .place: "-",  // only the buyer's address (13009 Marseille)
                .lots: "-",
                .winners: "Groupement ATC Jean-Claude RICHIER",  // titulaire.PersonneMorale, no SIRET
                .kind: "award",
            ]
        ),
        // MARK: jpbenga — FNSimple avis de marché ×5
        (
            fnsimple, "26-7298",
            [
                .title: "TRAVAUX D'AMENAGEMENTS INTERIEURS ET EXTERIEURS",
                .buyer: "COMMUNE DE LA MADELEINE",
                .buyerID: "21590368300013",
                // dateReceptionOffres "2026-02-16T12:00:00.000+01:00" (datelimitereponse says 12:00+00:00).
                .deadline: "2026-02-16T11:00:00Z",
                .deadlineKind: "tender",
                .value: "-",  // no valeurEstimee
                .cpv: "45432111",  // natureMarche.codeCPV.objetPrincipal.classPrincipale
                .place: "59",  // lieuExecution "(59) Nord"
                .lots: "-",  // lotsMarche non
                .winners: "-",
                .kind: "tender",  // nature APPEL_OFFRE
            ]
        ),
        (
            fnsimple, "26-7308",
            [
                .title: "Prestations traiteurs pour l'URSSAF Normandie",
                .buyer: "URSSAF Normandie",  // nomacheteur (organisme.nomOfficiel is "URSSAF NORMANDIE")
                .buyerID: "90209799700016",
                // dateReceptionOffres "2026-02-27T12:00:00", no offset: Paris time (CET in February).
                .deadline: "2026-02-27T11:00:00Z",
                .deadlineKind: "tender",
                .value: "1..75000 estimated",  // valeurEstimee.fourchette valeurBasse 1, valeurHaute 75000
                .cpv: "55520000",
                // lieuExecution "Normandie" (the region; NUTS-1 FRD); lots name cities only (Rouen, Le Havre…).
                .place: "FRD",
                // Seven lots, each codeCPV 55520000 and no estimationValeur; numbered "1- …" to "7- …".
                .lots: (1...7).map { "\($0):55520000:-" }.joined(separator: ";"),
                .winners: "-",
                .kind: "tender",
            ]
        ),
        (
            fnsimple, "26-7319",
            [
                .title:
                    "Relance_Lot 2_FINITIONS et Lot 5_MENUISERIE_Travaux de mise en accessibilité du lycée Louis "
                    + "Lachenal (74 - Argonay)",
                .buyer: "Région Auvergne-Rhône-ALpes",
                .buyerID: "20005376700014",
                .deadline: "2026-02-11T11:00:00Z",  // dateReceptionOffres "2026-02-11T12:00:00" (Paris)
                .deadlineKind: "tender",
                .value: "-",  // both lots' estimationValeur "0.00": placeholders, not values
                .cpv: "45454100,45410000,45421000",  // main, then the lots' codes
                .place: "74",  // lieuExecution "Argonay (74)"
                // The descriptions number the lots ("Lot 2 : Finition", "Lot 5 : Menuiserie"); values 0.00.
                .lots: "2:45410000:-;5:45421000:-",
                .winners: "-",
                .kind: "tender",
            ]
        ),
        (
            fnsimple, "26-7109",
            [
                // objet holds a line break before "De La Spl Levaparc": titles are read on one line.
                .title:
                    "Marché Public Relatif à La Réalisation De Prestations De Mandat De Commissaires Aux Comptes Pour "
                    + "Les Exercices Comptables 2026-2031 De La Spl Levaparc",
                .buyer: "Spl Levaparc",
                .buyerID: "35334722200286",
                .deadline: "2026-03-06T11:00:00Z",  // dateReceptionOffres "2026-03-06T12:00:00" (Paris)
                .deadlineKind: "tender",
                .value: "-",
                .cpv: "79200000",
                .place: "92",  // lieuExecution "41 rue Camille Pelletan 92300 - LEVALLOIS PERRET"
                .lots: "-",
                .winners: "-",
                .kind: "tender",
            ]
        ),
        (
            fnsimple, "26-7113",
            [
                .title: "Rénovation de la caserne de gendarmerie de DOULAINCOURT-SAUCOURT (52)",
                .buyer: "SGAMI Est DAGF BCP",
                .buyerID: "11000201100044",
                // dateReceptionOffres "2026-02-20T11:00:00.000" (Paris); datelimitereponse "…T11:00:00+00:00".
                .deadline: "2026-02-20T10:00:00Z",
                .deadlineKind: "tender",
                .value: "-",
                .cpv: "45443000,45261900,45421000,45442100",
                // lieuExecution "… Doulaincourt-Saucourt 52270"; code_departement lists nine départements of
                // publication (02, 08, 10, 51, 52, 54, 55, 57, 77).
                .place: "52",
                .lots: "1:45443000:-;2:45261900:-;3:45421000:-;4:45442100:-",
                .winners: "-",
                .kind: "tender",
            ]
        ),
        // MARK: the retired DILA API (samples/boamp/legacy-api-json), one real MAPA notice of 2020
        (
            legacy, "20-152081",
            [
                // objet.titremarche is null: gestion.indexation.resumeobjet is the title.
                .title:
                    "services de spectacles musicaux, de théâtre, de cirque et assimilés, d'animations culturelles, "
                    + "socio culturelles et de loisirs",
                .buyer: "Commune de Berre l'Etang",  // donnees.identite.denomination
                .buyerID: "-",  // identite.codeidentnational null
                .deadline: "2021-03-01T11:00:00Z",  // conditiondelai.receptoffres 1614596400000 (epoch ms)
                .deadlineKind: "tender",
                .value: "-",  // caracteristiques: valeurtotale, valeur, valeurmin, valeurmax all null
                .cpv: "-",  // objet.cpv []
                // lieuexeclivr.adresse "berre l'étang" (no cp, no NUTS) is the buyer's town (identite cp 13130).
                .place: "13",
                .lots: "-",
                .winners: "-",
                .kind: "tender",  // typeavis.nature.appeloffre, statut initial
            ]
        ),
    ]

    /// Places of work as the table writes them: département codes, else the NUTS code of a place without one.
    static func places(_ places: [Place]) -> String {
        Canonical.list(Array(Set(places.compactMap { $0.departement ?? $0.nuts })).sorted())
    }

    /// What the adapter gives for one field of a notice, written as the table writes it.
    static func actual(_ n: Notice?, _ field: FieldCheck.Field) -> String {
        guard let n else { return "notice missing" }
        switch field {
        case .title: return n.title
        case .buyer: return n.buyer?.name ?? "-"
        case .buyerID: return n.buyer?.id ?? "-"
        case .deadline: return Canonical.instant(n.deadline)
        case .deadlineKind: return n.deadline == nil ? "-" : n.deadlineKind.rawValue
        case .value: return Canonical.money(n.value)
        case .cpv: return Canonical.list(n.cpv)
        case .place: return places(n.places)
        case .lots: return Canonical.lots(n.lots)
        case .winners: return Canonical.winners(n.awardees)
        case .kind: return n.kind.rawValue
        }
    }

    static func parse(_ path: String) throws -> ParsedDocument? {
        try FormatRegistry.parseJSON(
            try SharedData.bytes(path), options: ParseOptions(sourceID: "boamp", documentName: path))
    }

    static func checks() throws -> [FieldCheck] {
        var out: [FieldCheck] = []
        var documents: [String: ParsedDocument?] = [:]
        for (capture, idweb, row) in expected {
            if documents[capture] == nil { documents[capture] = try parse(capture) }
            let notice = documents[capture]??.notices.first { $0.sourceID == idweb }
            for field in FieldCheck.Field.allCases {
                guard let want = row[field] else { continue }
                out.append(
                    FieldCheck(
                        capture: capture, notice: idweb, field: field, expected: want,
                        actual: actual(notice, field)))
            }
        }
        return out
    }
}
