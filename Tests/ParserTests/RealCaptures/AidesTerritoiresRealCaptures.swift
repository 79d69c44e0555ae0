import Foundation
import TestSupport

@testable import Notices
@testable import Parser

/// Expected field values of the real aides-territoires captures in `../shared/samples/real/aides-territoires/`,
/// read from the raw files.
///
/// `offseason-AT_aides_full-2021-11-26-TRIMMED.json` (Django API, bare list of 195 aids; the scale is in brackets
/// in `perimeter`): every aid with a département perimeter and one aid of every other perimeter (14 regions,
/// 7 EPCI, 4 water basins), 42 aids. Expected values: `name` (title), first of `financers` (buyer),
/// `submission_deadline` at the end of that Paris day (deadline), `perimeter` (place: a département by its code,
/// a region by its NUTS 2021 level-1 code, an overseas region by its département; EPCI and basins name no
/// département), `is_call_for_project` (kind: call for projects, or a standing aid).
/// `at-django-dataproviders-test-departement_drome_data.json`: the 3 aids of the Drôme provider (bare perimeter
/// « Drôme », `financers` a string, no deadline, `is_call_for_project` null).
enum AidesTerritoiresRealCaptures {
    static let dump = "samples/real/aides-territoires/offseason-AT_aides_full-2021-11-26-TRIMMED.json"
    static let drome = "samples/real/aides-territoires/at-django-dataproviders-test-departement_drome_data.json"

    struct Aid {
        var id: String
        var title: String
        var funder: String
        var deadline: String
        var place: String
        var kind: String
    }

    /// Aids of the 2021 dump: `id`, `name`, `financers[0]`, `submission_deadline` (23:59 Paris, in UTC),
    /// `perimeter`, `is_call_for_project`.
    static let dumpAids: [Aid] = [
        // id 101817, perimeter "CC des Coëvrons (EPCI)"
        Aid(
            id: "101817", title: "Accompagner les projets de développement local en zone rurale",
            funder: "Communauté de communes des Coëvrons", deadline: "2022-05-31T21:59:00Z", place: "-",
            kind: "call_for_projects/aid"),
        // id 55533, perimeter "CC Pays du Mont-Blanc (EPCI)"
        Aid(
            id: "55533",
            title: "Réduire les émissions de polluants atmosphériques des entreprises - Fonds Air Entreprise",
            funder: "Communauté de communes Pays du Mont-blanc", deadline: "2022-12-31T22:59:00Z", place: "-",
            kind: "call_for_projects/aid"),
        // id 98912, perimeter "CC Mad et Moselle (EPCI)"
        Aid(
            id: "98912", title: "Aie à la création et au développement d'entreprises",
            funder: "Communauté de communes Mad et Moselle", deadline: "2022-12-31T22:59:00Z", place: "-",
            kind: "call_for_projects/aid"),
        // id 101007, perimeter "CC du Pays d'Ancenis (EPCI)"
        Aid(
            id: "101007", title: "Développer les mobilités", funder: "Conseil régional des Pays de la Loire",
            deadline: "2022-12-31T22:59:00Z", place: "-", kind: "call_for_projects/aid"),
        // id 102098, perimeter "Métropole de Lyon (EPCI)"
        Aid(
            id: "102098",
            title:
                "Développer la chaleur renouvelable sur le territoire de la Métropole de Lyon (aide à la décision) - Prime éco-chaleur",
            funder: "Métropole de Lyon - Grand Lyon", deadline: "2023-04-06T21:59:00Z", place: "-",
            kind: "call_for_projects/aid"),
        // id 58391, perimeter "CA Seine Normandie Agglomération (EPCI)"
        Aid(
            id: "58391", title: "Aider à l'acquisition de véhicules propres",
            funder: "Seine Normandie Agglomération (SNA)", deadline: "-", place: "-", kind: "call_for_projects/aid"),
        // id 103822, perimeter "CC du Grand Pic Saint-Loup (EPCI)"
        Aid(
            id: "103822", title: "Améliorer la qualité de vie et la cohésion sociale en Grand Pic Saint-Loup",
            funder: "-", deadline: "-", place: "-", kind: "call_for_projects/aid"),
        // id 30830, perimeter "Loire-Bretagne (Bassin hydrographique)"
        Aid(
            id: "30830", title: "Restaurer la continuité écologique (étude)", funder: "Agence de l'Eau Loire-Bretagne",
            deadline: "2021-12-31T22:59:00Z", place: "-", kind: "call_for_projects/aid"),
        // id 74119, perimeter "Seine-Normandie (Bassin hydrographique)"
        Aid(
            id: "74119", title: "Financer les travaux d’urgence sanitaire pour l'hygiénisation des boues",
            funder: "Agence de l'eau Seine Normandie", deadline: "2021-12-31T22:59:00Z", place: "-",
            kind: "call_for_projects/aid"),
        // id 55888, perimeter "Adour-Garonne (Bassin hydrographique)"
        Aid(
            id: "55888",
            title:
                "Accompagner les actions de communication, d'information, de sensibilisation et d'éducation à l'eau et aux milieux aquatiques",
            funder: "Agence de l'eau Adour-Garonne", deadline: "2024-12-31T22:59:00Z", place: "-",
            kind: "call_for_projects/aid"),
        // id 27145, perimeter "Rhin-Meuse (Bassin hydrographique)"
        Aid(
            id: "27145",
            title:
                "Mettre en place des équipements d'autosurveillance sur déversoirs d'orages et points caractéristiques  - assainissement et gestion du temps de pluie",
            funder: "Agence de l'eau  Rhin-Meuse", deadline: "-", place: "-", kind: "call_for_projects/aid"),
        // id 89213, perimeter "Landes (Département)"
        Aid(
            id: "89213", title: "Accompagner le développement des projets de jardins partagés et collectifs",
            funder: "Ministère de l'Agriculture et de l'Alimentation", deadline: "2021-12-31T22:59:00Z",
            place: "dep:40", kind: "call_for_projects/call-for-projects"),
        // id 98634, perimeter "Charente (Département)"
        Aid(
            id: "98634",
            title: "Construire une économie d'excellence environnementale par l'innovation et la co-élaboration",
            funder: "Ouest Charente - Cognac (PETR)", deadline: "2022-12-31T22:59:00Z", place: "dep:16",
            kind: "call_for_projects/aid"),
        // id 98635, perimeter "Charente (Département)"
        Aid(
            id: "98635", title: "Améliorer la valorisation du patrimoine et des savoir-faire locaux",
            funder: "Ouest Charente - Cognac (PETR)", deadline: "2022-12-31T22:59:00Z", place: "dep:16",
            kind: "call_for_projects/aid"),
        // id 98636, perimeter "Charente (Département)"
        Aid(
            id: "98636", title: "Encourager la diversification et les circuits de proximité",
            funder: "Ouest Charente - Cognac (PETR)", deadline: "2022-12-31T22:59:00Z", place: "dep:16",
            kind: "call_for_projects/aid"),
        // id 93900, perimeter "Loire (Département)"
        Aid(
            id: "93900",
            title:
                "Favoriser la conversion des systèmes de production de chaleur vers des énergies thermiques renouvelables - Prime Chaleur d'Avenir",
            funder: "Syndicat Intercommunal des Energies de la Loire", deadline: "2024-04-30T21:59:00Z",
            place: "dep:42", kind: "call_for_projects/aid"),
        // id 73101, perimeter "Nièvre (Département)"
        Aid(
            id: "73101",
            title:
                "Financer le développement des EnR (énergies renouvelables) thermiques et de récupération dans la Nièvre - COT ENR",
            funder: "Ademe — Direction régionale — Bourgogne-Franche-Comté", deadline: "2024-05-26T21:59:00Z",
            place: "dep:58", kind: "call_for_projects/aid"),
        // id 12477, perimeter "Lozère (Département)"
        Aid(
            id: "12477",
            title: "Accompagner son projet en amont sur les procédures réglementaires associées : le pôle projets",
            funder: "DDT de la Lozère", deadline: "-", place: "dep:48", kind: "call_for_projects/aid"),
        // id 32412, perimeter "Tarn (Département)"
        Aid(
            id: "32412",
            title:
                "Bénéficier de conseils et de solutions pour accompagner vos administrés dans la maîtrise des consommations d'énergie, les énergies renouvelables et les aides financières existantes",
            funder: "Conseil départemental du Tarn", deadline: "-", place: "dep:81", kind: "call_for_projects/aid"),
        // id 53696, perimeter "Tarn (Département)"
        Aid(
            id: "53696",
            title:
                "Conseiller les territoires dans le cadre de projets d'aménagements - Ingénierie Territoriale de l'Etat / Nouveau conseil aux territoires (NCT)",
            funder: "DDT du Tarn", deadline: "-", place: "dep:81", kind: "call_for_projects/aid"),
        // id 76270, perimeter "Rhône (Département)"
        Aid(
            id: "76270", title: "Servir les politiques énergie-climat des territoires du Rhône",
            funder: "ALTE 69 - Agence Locale de la Transition Énergétique du Rhône", deadline: "-", place: "dep:69",
            kind: "call_for_projects/aid"),
        // id 92593, perimeter "Vaucluse (Département)"
        Aid(
            id: "92593", title: "Soutenir la création de jardins familiaux",
            funder: "Conseil départemental du Vaucluse", deadline: "-", place: "dep:84", kind: "call_for_projects/aid"),
        // id 97332, perimeter "Vendée (Département)"
        Aid(
            id: "97332", title: "Sortir de vacance les logements locatifs privés",
            funder: "Conseil départemental de la Vendée", deadline: "-", place: "dep:85", kind: "call_for_projects/aid"),
        // id 97343, perimeter "Vendée (Département)"
        Aid(
            id: "97343", title: "Soutenir la remise en état des œillets sur le territoire vendéen",
            funder: "Conseil départemental de la Vendée", deadline: "-", place: "dep:85", kind: "call_for_projects/aid"),
        // id 97344, perimeter "Vendée (Département)"
        Aid(
            id: "97344", title: "Accroître la productivité des marais salants",
            funder: "Conseil départemental de la Vendée", deadline: "-", place: "dep:85", kind: "call_for_projects/aid"),
        // id 97349, perimeter "Vendée (Département)"
        Aid(
            id: "97349", title: "Soutenir le développement des ports de pêche",
            funder: "Conseil départemental de la Vendée", deadline: "-", place: "dep:85", kind: "call_for_projects/aid"),
        // id 98472, perimeter "Aude (Département)"
        Aid(
            id: "98472",
            title:
                "Promouvoir le développement commercial et économique des professionnels adhérents à la marque Pays Cathare",
            funder: "Conseil départemental de l'Aude", deadline: "-", place: "dep:11", kind: "call_for_projects/aid"),
        // id 98868, perimeter "Seine-et-Marne (Département)"
        Aid(
            id: "98868", title: "Aider les projets innovants en Sud 77 / LEADER SUD 77", funder: "-", deadline: "-",
            place: "dep:77", kind: "call_for_projects/aid"),
        // id 55588, perimeter "Nouvelle-Aquitaine (Région)"
        Aid(
            id: "55588", title: "Réduire et valoriser les déchets du bâtiment et des travaux publics",
            funder: "Ademe — Direction régionale — Nouvelle-Aquitaine", deadline: "2021-11-30T22:59:00Z",
            place: "nuts:FRI", kind: "call_for_projects/call-for-projects"),
        // id 93501, perimeter "Centre-Val de Loire (Région)"
        Aid(
            id: "93501", title: "Accompagner les démarches d'Ecologie Industrielle Territoriale - EIT CVDL",
            funder: "ADEME", deadline: "2021-11-30T22:59:00Z", place: "nuts:FRB",
            kind: "call_for_projects/call-for-projects"),
        // id 77388, perimeter "Bretagne (Région)"
        Aid(
            id: "77388",
            title: "Développer les énergies renouvelables et de récupération thermiques en Bretagne - ENR PATRIM",
            funder: "ADEME", deadline: "2021-12-07T22:59:00Z", place: "nuts:FRH", kind: "call_for_projects/aid"),
        // id 63923, perimeter "Pays de la Loire (Région)"
        Aid(
            id: "63923",
            title:
                "Réussir les transitions vers la sobriété, la résilience et la solidarité (innovation sociale et territoriale) - InnSocPDL",
            funder: "Ademe — Direction régionale — Pays de la Loire", deadline: "2021-12-31T22:59:00Z",
            place: "nuts:FRG", kind: "call_for_projects/call-for-projects"),
        // id 74391, perimeter "Bourgogne-Franche-Comté (Région)"
        Aid(
            id: "74391",
            title:
                "Accompagner la création ou la réhabilitation, l’aménagement ou l’équipement d’espaces de vente directe ou nécessaires à la structuration de la distribution de produits agricoles",
            funder: "Conseil régional de Bourgogne-Franche-Comté", deadline: "2021-12-31T22:59:00Z", place: "nuts:FRC",
            kind: "call_for_projects/aid"),
        // id 93969, perimeter "Grand Est (Région)"
        Aid(
            id: "93969",
            title:
                "Soutenir le développement de bornes de recharge accessibles au public sur voiries pour véhicules hybrides et électriques",
            funder: "Conseil régional du Grand Est", deadline: "2021-12-31T22:59:00Z", place: "nuts:FRF",
            kind: "call_for_projects/call-for-projects"),
        // id 103981, perimeter "Auvergne-Rhône-Alpes (Région)"
        Aid(
            id: "103981",
            title:
                "Mener des études et des investissements de technologies nouvelles ou organisationnelles dans le secteur du transport - AURATRANS 2022",
            funder: "Conseil régional d'Auvergne-Rhône-Alpes", deadline: "2022-01-14T22:59:00Z", place: "nuts:FRK",
            kind: "call_for_projects/call-for-projects"),
        // id 101617, perimeter "Martinique (Région)"
        Aid(
            id: "101617",
            title:
                "Développer des projets en matière de gestion des biodéchets, le réemploi et la réparation, la substitution du plastique, les centres de tri et de recyclage - Volet entreprises",
            funder: "ADEME", deadline: "2022-01-17T22:59:00Z", place: "dep:972",
            kind: "call_for_projects/call-for-projects"),
        // id 101666, perimeter "Guadeloupe (Région)"
        Aid(
            id: "101666",
            title:
                "Développer des projets en matière de gestion des biodéchets, le réemploi et la réparation, la substitution du plastique, les centres de tri et de recyclage - Volet Entreprises",
            funder: "ADEME", deadline: "2022-01-17T22:59:00Z", place: "dep:971",
            kind: "call_for_projects/call-for-projects"),
        // id 103509, perimeter "Île-de-France (Région)"
        Aid(
            id: "103509", title: "Engager 100% des territoires franciliens dans l’économie circulaire d’ici 2030",
            funder: "Conseil régional d'Ile de France", deadline: "2022-01-31T22:59:00Z", place: "nuts:FR1",
            kind: "call_for_projects/call-for-projects"),
        // id 52038, perimeter "Provence-Alpes-Côte d'Azur (Région)"
        Aid(
            id: "52038", title: "Acquérir un véhicule utilitaire propre",
            funder: "Conseil régional de Provence-Alpes-Côte d'Azur", deadline: "2022-03-05T22:59:00Z",
            place: "nuts:FRL", kind: "call_for_projects/aid"),
        // id 20050, perimeter "Occitanie (Région)"
        Aid(
            id: "20050", title: "Mener des études stratégiques en matière d'économie circulaire et de déchets",
            funder: "Conseil régional d'Occitanie", deadline: "-", place: "nuts:FRJ", kind: "call_for_projects/aid"),
        // id 46992, perimeter "Hauts-de-France (Région)"
        Aid(
            id: "46992", title: "Concevoir des innovations, en phase d’étude, de faisabilité ou de développement",
            funder: "Conseil régional des Hauts-de-France", deadline: "-", place: "nuts:FRE",
            kind: "call_for_projects/aid"),
        // id 66411, perimeter "Normandie (Région)"
        Aid(
            id: "66411", title: "Moderniser les espaces gares", funder: "Conseil régional de Normandie", deadline: "-",
            place: "nuts:FRD", kind: "call_for_projects/aid"),
    ]

    /// The Drôme provider's aids: `id`, `name`, `financers` (a string), `submission_deadline` null,
    /// `perimeter` « Drôme » (département 26), `is_call_for_project` null.
    static let dromeAids: [Aid] = [
        Aid(
            id: "162", title: "Développement d’une alimentation de proximité",
            funder: "Chambre d’agriculture de la Drôme", deadline: "-", place: "dep:26", kind: "call_for_projects/aid"),
        Aid(
            id: "338", title: "L'alimentation dans la restauration collective publique",
            funder: "Conseil Départemental de la Drôme", deadline: "-", place: "dep:26", kind: "call_for_projects/aid"),
        Aid(
            id: "650", title: "Approvisionnement en produits locaux avec la plateforme Agrilocal",
            funder: "Conseil Départemental de la Drôme", deadline: "-", place: "dep:26", kind: "call_for_projects/aid"),
    ]

    /// Aids of the dump whose perimeter is a place: 17 département perimeters and 106 region perimeters
    /// (26 Occitanie, 23 Nouvelle-Aquitaine, 15 Bourgogne-Franche-Comté, 14 Grand Est, 6 Pays de la Loire,
    /// 4 Île-de-France, 4 Provence-Alpes-Côte d'Azur, 4 Hauts-de-France, 3 Normandie, 2 Bretagne,
    /// 2 Auvergne-Rhône-Alpes, 1 Centre-Val de Loire, 1 Martinique, 1 Guadeloupe); the other 72 are water
    /// basins (60) and EPCI (12), which name no département.
    static let dumpAidsWithPlace = 123

    static func parse(_ path: String) throws -> ParsedDocument {
        try DocumentParser.parse(
            try SharedData.bytes(path), options: ParseOptions(sourceID: "aides-territoires", documentName: path))
    }

    static func checks() throws -> [FieldCheck] {
        var out: [FieldCheck] = []
        for (path, aids) in [(dump, dumpAids), (drome, dromeAids)] {
            let notices = try parse(path).notices
            for aid in aids {
                let n = notices.first { $0.sourceID == aid.id }
                func check(_ field: FieldCheck.Field, _ expected: String, _ actual: String?) {
                    out.append(
                        FieldCheck(
                            capture: path, notice: aid.id, field: field, expected: expected,
                            actual: n == nil ? "(no notice)" : actual ?? "-"))
                }
                check(.title, Canonical.words(aid.title), n.map { Canonical.words($0.title) })
                check(.buyer, Canonical.words(aid.funder), n?.buyer?.name.map(Canonical.words))
                check(.deadline, aid.deadline, Canonical.instant(n?.deadline))
                check(.deadlineKind, "application", n?.deadlineKind.rawValue)
                check(.place, aid.place, n.map { Canonical.placeKeys($0.places) })
                check(.kind, aid.kind, n.map { "\($0.kind.rawValue)/\($0.procedure ?? "-")" })
            }
        }
        return out
    }
}

extension Canonical {
    /// Places as `dep:26` when a département is known, else `nuts:FRJ`, else `commune:…`; `-` for none.
    static func placeKeys(_ places: [Place]) -> String {
        list(
            places.map { p in
                if let d = p.departement { return "dep:" + d }
                if let n = p.nuts { return "nuts:" + n }
                return "commune:" + (p.commune ?? "?")
            })
    }

    /// Text with runs of white space made one space: raw titles sometimes hold a double space
    /// (« points caractéristiques  - assainissement »), which a title shown to a reader does not keep.
    static func words(_ s: String) -> String {
        s.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}
