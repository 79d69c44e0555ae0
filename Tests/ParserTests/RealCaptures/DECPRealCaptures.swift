import Foundation
import TestSupport

@testable import Notices
@testable import Parser

/// Expected field values of the real DECP captures in `../shared/samples/real/decp/`, read from the raw files.
///
/// Every record of the small files (the 4 `decp-2022-marches-valides` ODS records, in the capturer's wrapper and
/// in the derived ODS envelope; the 6 format-2022 marchés; the 9 + 9 rows of decp.info's CSV files) and 20 of the 470 marchés of the 2019 e-marchespublics
/// file, chosen across `lieuExecution.typeCode` (région, arrondissement, commune, département, postal code), with
/// the one foreign (TVA) winner and a 6-winner contract. Expected values: `objet` (title), buyer SIRET, `montant`
/// as an awarded amount, CPV without check digit, the place (`dep:` the département the code starts with, `nuts:`
/// the NUTS code of an INSEE region code: 94 Corse FRM, 28 Normandie FRD, 11 Île-de-France FR1), the winners' ids
/// (`CDL` placeholders are no winner), kind award.
enum DECPRealCaptures {
    static let odsCapture = "samples/real/decp/kivou-decp2022-ods-records-2026-08.json"
    static let odsEnvelope = "samples/real/decp/DERIVED-ods-wrap-of-kivou-decp2022-records.json"
    static let format2022 = "samples/real/decp/decp-processing-decp_test-format2022.json"
    static let rama2019 = "samples/real/decp/decp-rama-e-marchespublics-2019-04-03.json"
    static let csv2019 = "samples/real/decp/decp-processing-decp_augmente_valides_2019_test.csv"
    static let csv2022 = "samples/real/decp/decp-processing-decp_augmente_valides_2022_test.csv"

    struct Contract {
        /// Position of the record in its file (the notices come in file order).
        var index: Int
        var id: String
        var title: String
        var buyerID: String
        var value: String
        var cpv: String
        var place: String
        var winners: String
    }

    /// `records[]` of the ODS capture (flat columns; the derived envelope holds the same records in `results`).
    static let odsRecords: [Contract] = [
        // records[0]: id, objet, codecpv, acheteur_id, montant, lieuexecution_code/_typecode 22/Code département, titulaire_id_1..3 (CDL = none)
        Contract(
            index: 0, id: "2026T06966",
            title: "Réhabilitation et extension d'une maison en 3 logements - Plomberie - Ventilation",
            buyerID: "21220295600018", value: "57988 awarded", cpv: "45000000", place: "dep:22",
            winners: "30102983100031"),
        // records[1]: id, objet, codecpv, acheteur_id, montant, lieuexecution_code/_typecode 44000/Code postal, titulaire_id_1..3 (CDL = none)
        Contract(
            index: 1, id: "26S", title: "Accompagnement des projets organisationnels de TE44",
            buyerID: "20001492600030", value: "120000 awarded", cpv: "79410000", place: "dep:44",
            winners: "43172809600014,50478920700017,51763797100089"),
        // records[2]: id, objet, codecpv, acheteur_id, montant, lieuexecution_code/_typecode 84000/Code postal, titulaire_id_1..3 (CDL = none)
        Contract(
            index: 2, id: "26MAPA024",
            title: "Prestations de Meulage pour les besoins de l'exploitation du réseau du tramway ORIZO",
            buyerID: "53524571600050", value: "200000 awarded", cpv: "50225000", place: "dep:84",
            winners: "IT03876500277"),
        // records[3]: id, objet, codecpv, acheteur_id, montant, lieuexecution_code/_typecode 83107/Code commune, titulaire_id_1..3 (CDL = none)
        Contract(
            index: 3, id: "26-012",
            title:
                "Réalisation d'analyses et de missions règlementaires pour différents projets d'infrastructures pour la Commune de Roquebrune-sur-Argens",
            buyerID: "21830107500014", value: "400000 awarded", cpv: "79311000", place: "dep:83",
            winners: "42060618800571"),
    ]

    /// `marches.marche[]` of the format-2022 test file.
    static let format2022Marches: [Contract] = [
        // marches.marche[0]: id, objet, acheteur.id, montant, codeCPV, lieuExecution 97430/Code postal, titulaires[].titulaire.id
        Contract(
            index: 0, id: "2022VI2022.242", title: "Eléctricité courant fort/courant faible lot no4",
            buyerID: "21974022200019", value: "137614 awarded", cpv: "45316110", place: "dep:974",
            winners: "34027049500021,99999999999"),
        // marches.marche[1]: id, objet, acheteur.id, montant, codeCPV, lieuExecution 87000/Code postal, titulaires[].titulaire.id
        Contract(
            index: 1, id: "2020-698182-01",
            title:
                "Construction d'un stade d'athlétisme couvert, site de Chéops 87 à Limoges - mission de contrôle technique",
            buyerID: "22870851700989", value: "23004 awarded", cpv: "71631300", place: "dep:87",
            winners: "83415751300245"),
        // marches.marche[2]: id, objet, acheteur.id, montant, codeCPV, lieuExecution 03120/Code postal, titulaires[].titulaire.id
        Contract(
            index: 2, id: "202401L04", title: "Facades", buyerID: "21030042200016", value: "127835.12 awarded",
            cpv: "45214200", place: "dep:03", winners: "48794607100015"),
        // marches.marche[3]: id, objet, acheteur.id, montant, codeCPV, lieuExecution 69123/Code commune, titulaires[].titulaire.id
        Contract(
            index: 3, id: "2019K1209",
            title:
                "Groupe scolaire duvivier-cronstadt - construction d'un groupe scolaire -mission de maîtrise d'oeuvre",
            buyerID: "21690123100011", value: "1105000 awarded", cpv: "71000000", place: "dep:69",
            winners:
                "39210031900038,39210873400063,39830819700035,42473124800060,44775451600022,49291816400020,52356666900025,80312749700029,95039847900085,96650098500033"
        ),
        // marches.marche[4]: id, objet, acheteur.id, montant, codeCPV, lieuExecution 50340/Code postal, titulaires[].titulaire.id
        Contract(
            index: 4, id: "202207LOT03", title: "Rénovation de la petite salle du préau-Gros ouvre-carrelage",
            buyerID: "21500222100012", value: "44996.25 awarded", cpv: "45223220", place: "dep:50",
            winners: "91824625700011"),
        // marches.marche[5]: id, objet, acheteur.id, montant, codeCPV, lieuExecution 06029/Code commune, titulaires[].titulaire.id
        Contract(
            index: 5, id: "2024CULT05", title: "RESIDENCE COMPAGNIE SIMONNE RIZZO AU THEATRE DE LA LICORNE 2024 A 2026",
            buyerID: "21060029200010", value: "40000 awarded", cpv: "92300000", place: "dep:06",
            winners: "75255609200043"),
    ]

    /// 20 of the 470 `marches[]` of the 2019 e-marchespublics file.
    static let rama2019Sample: [Contract] = [
        // marches[0]: id, objet, acheteur.id, montant, codeCPV, lieuExecution 85/Code département, titulaires[].id
        Contract(
            index: 0, id: "2018MA181101",
            title: "Installation et maintenance d'équipements de transmissions sur les véhicules du SDIS de la Vendée",
            buyerID: "28850001000013", value: "80000 awarded", cpv: "45314000", place: "dep:85",
            winners: "82746233400018"),
        // marches[1]: id, objet, acheteur.id, montant, codeCPV, lieuExecution 85/Code département, titulaires[].id
        Contract(
            index: 1, id: "2018MA181200201",
            title:
                "Achat et livraison de fournitures de bureau, papier et consommables informatiques pour les besoins du SDIS de la Vendée Lot n°2 Papier",
            buyerID: "28850001000013", value: "40000 awarded", cpv: "30199000", place: "dep:85",
            winners: "88658057000028"),
        // marches[2]: id, objet, acheteur.id, montant, codeCPV, lieuExecution 76380/Code postal, titulaires[].id
        Contract(
            index: 2, id: "2018000000006400",
            title:
                "Accord-cadre de travaux de remplacement de vitreries à l'idefhi - relance après procédure infructueuse",
            buyerID: "20001189800018", value: "100000 awarded", cpv: "45441000", place: "dep:76",
            winners: "50941568300036"),
        // marches[5]: id, objet, acheteur.id, montant, codeCPV, lieuExecution 85/Code département, titulaires[].id
        Contract(
            index: 5, id: "2018MN180601",
            title:
                "Prestations permettant l'exploitation des stations radioélectriques par le SDIS de la Vendée sur les sites de La Guyonnière et de Pouzauges",
            buyerID: "28850001000013", value: "110816 awarded", cpv: "50332000", place: "dep:85",
            winners: "34240439903453"),
        // marches[11]: id, objet, acheteur.id, montant, codeCPV, lieuExecution 94/Code région, titulaires[].id
        Contract(
            index: 11, id: "201803201832100",
            title:
                "Créations d'interfaces web et de bases de données connectées au sein de l'office de l'environnement de la corse",
            buyerID: "39159607900023", value: "190000 awarded", cpv: "72400000", place: "nuts:FRM",
            winners: "40904509300021"),
        // marches[12]: id, objet, acheteur.id, montant, codeCPV, lieuExecution 94/Code région, titulaires[].id
        Contract(
            index: 12, id: "201805201832300",
            title:
                "Actualisation des études préalables et accompagnement de la démarche de finalisation du schéma régional de cohérence Écologique de la corse (srce)",
            buyerID: "39159607900023", value: "44985 awarded", cpv: "90712000", place: "nuts:FRM",
            winners: "39061361000158,84150658700010"),
        // marches[13]: id, objet, acheteur.id, montant, codeCPV, lieuExecution 94/Code région, titulaires[].id
        Contract(
            index: 13, id: "201804201832200",
            title:
                "Etude sur les effets de l'impact des ancrages de la grande plaisance sur les herbiers de posidonie de la réserve naturelle des bouches de bonifacio",
            buyerID: "39159607900023", value: "51600 awarded", cpv: "71354100", place: "nuts:FRM",
            winners: "50312241800026"),
        // marches[15]: id, objet, acheteur.id, montant, codeCPV, lieuExecution 85/Code département, titulaires[].id
        Contract(
            index: 15, id: "2018MA181200301",
            title:
                "Achat et livraison de fournitures de bureau, papier et consommables informatiques pour les besoins du SDIS de la Vendée Lot 3 : Consommables informatiques",
            buyerID: "28850001000013", value: "40000 awarded", cpv: "30237300", place: "dep:85",
            winners: "39385854300084"),
        // marches[16]: id, objet, acheteur.id, montant, codeCPV, lieuExecution 94/Code région, titulaires[].id
        Contract(
            index: 16, id: "201808201832600",
            title: "Fourniture d'une solution d'interconnexion vpn/ip mpls pour l'ensemble des sites de l'oec",
            buyerID: "39159607900023", value: "210000 awarded", cpv: "64221000", place: "nuts:FRM",
            winners: "38012986646850"),
        // marches[37]: id, objet, acheteur.id, montant, codeCPV, lieuExecution 59850/Code commune, titulaires[].id
        Contract(
            index: 37, id: "201800004000", title: "Transport d'enfants et d'adultes par autocars - 2019/2020",
            buyerID: "21590431900013", value: "20000 awarded", cpv: "60140000", place: "dep:59",
            winners: "34380497700027,33174664400011,31964734300023"),
        // marches[94]: id, objet, acheteur.id, montant, codeCPV, lieuExecution 44380/Code postal, titulaires[].id
        Contract(
            index: 94, id: "201960492500",
            title: "FABRICATION ET LIVRAISON DE DEUX BÂTIMENTS TRANSPORTABLES ET/OU DÉMONTABLES",
            buyerID: "21440132500011", value: "63384 awarded", cpv: "44211100", place: "dep:44", winners: "ES B66484189"
        ),
        // marches[95]: id, objet, acheteur.id, montant, codeCPV, lieuExecution 544/Code arrondissement, titulaires[].id
        Contract(
            index: 95, id: "201800004800", title: "Travaux de remise en état des logements - Lot 4 - Plâtrerie faïence",
            buyerID: "27540003400011", value: "80000 awarded", cpv: "45410000", place: "dep:54",
            winners: "43868778200013"),
        // marches[96]: id, objet, acheteur.id, montant, codeCPV, lieuExecution 544/Code arrondissement, titulaires[].id
        Contract(
            index: 96, id: "201800004700", title: "Travaux de remise en état des logements - Lot 3 - Plomberie",
            buyerID: "27540003400011", value: "100000 awarded", cpv: "45330000", place: "dep:54",
            winners: "43868778200013"),
        // marches[97]: id, objet, acheteur.id, montant, codeCPV, lieuExecution 544/Code arrondissement, titulaires[].id
        Contract(
            index: 97, id: "201800004600",
            title: "Travaux de remise en état des logements - Lot 2 - Revêtements de sol", buyerID: "27540003400011",
            value: "120000 awarded", cpv: "45432100", place: "dep:54", winners: "31815130500014"),
        // marches[150]: id, objet, acheteur.id, montant, codeCPV, lieuExecution 76000/Code commune, titulaires[].id
        Contract(
            index: 150, id: "201960376100",
            title:
                "Achat de place, de prestations publicitaires et de communication auprès des Dragons de Rouen - Hockey",
            buyerID: "20005340300057", value: "37500 awarded", cpv: "92600000", place: "dep:76",
            winners: "41108560800023"),
        // marches[161]: id, objet, acheteur.id, montant, codeCPV, lieuExecution 28/Code région, titulaires[].id
        Contract(
            index: 161, id: "2018037400",
            title:
                "Fourniture et aménagement d'une caisse pour car podium sur poids lourd châssis cabine Renault Trucks D16 MED",
            buyerID: "20005340300057", value: "347300 awarded", cpv: "79421200", place: "nuts:FRD",
            winners: "32766735800011"),
        // marches[188]: id, objet, acheteur.id, montant, codeCPV, lieuExecution 39210/Code postal, titulaires[].id
        Contract(
            index: 188, id: "201810000600", title: "Contruction de 3 logements à Montain lot 2",
            buyerID: "35069694400015", value: "109841 awarded", cpv: "45000000", place: "dep:39",
            winners: "30756082100018"),
        // marches[225]: id, objet, acheteur.id, montant, codeCPV, lieuExecution 76000/Code postal, titulaires[].id
        Contract(
            index: 225, id: "201960486800",
            title:
                "Tx de scénographie pour la mise en place d'expositions temporaires au Pôle Régional des Savoirs à Rouen",
            buyerID: "20005340300057", value: "520288 awarded", cpv: "45262650", place: "dep:76",
            winners: "41978206500017,34352917800034,65050170300039,50896432700045,43261426100035,38793417700016"),
        // marches[304]: id, objet, acheteur.id, montant, codeCPV, lieuExecution 04510/Code commune, titulaires[].id
        Contract(
            index: 304, id: "2018231301",
            title: "Maîtrise d'oeuvre travaux rénovation énergétique groupe scolaire Julien Delaye",
            buyerID: "21040001600015", value: "26652 awarded", cpv: "71200000", place: "dep:04",
            winners: "34063663800033,48192693900028,06850119600064"),
        // marches[402]: id, objet, acheteur.id, montant, codeCPV, lieuExecution 59850/Code commune, titulaires[].id
        Contract(
            index: 402, id: "201900000300",
            title: "Travaux de restructuration de la cuisine centrale - relance du lot 6 (CVC PLOMBERIE SANITAIRE)",
            buyerID: "21590431900013", value: "151225 awarded", cpv: "45331000", place: "dep:59",
            winners: "31109848700284"),
    ]

    /// Rows of decp.info's 2019-format CSV (`;`, BOM). A 4-digit « Code commune » (`5000`) lost its leading
    /// zero (05000, Hautes-Alpes); « CODE DEPARTEMENT » is upper case.
    static let csv2019Rows: [Contract] = [
        // row 2: id, objet, acheteur.id, montant, codeCPV 45223220-4, lieuExecution.code/typeCode 19/CODE DEPARTEMENT, titulaire_id_1..3
        Contract(
            index: 0, id: "2020lupqfvkTxx00", title: "2020AFF026-Lot 5 : Electricité", buyerID: "22192720500197",
            value: "13568 awarded", cpv: "45223220", place: "dep:19", winners: "75750063200034"),
        // row 3: id, objet, acheteur.id, montant, codeCPV 45112500-0, lieuExecution.code/typeCode 74500/Code postal, titulaire_id_1..3
        Contract(
            index: 1, id: "20202020-0000200", title: "AMENAGEMENT DU DOMAINE SKIABLE - PROGRAMME 2020",
            buyerID: "21740033200029", value: "349054.58 awarded", cpv: "45112500", place: "dep:74",
            winners: "33901418500013,44867048900021,44963882400010"),
        // row 4: id, objet, acheteur.id, montant, codeCPV 72315100-7, lieuExecution.code/typeCode 75/CODE DEPARTEMENT, titulaire_id_1..3
        Contract(
            index: 2, id: "20202020S1508500",
            title:
                "Sorbonne Université a hérité des deux réseaux informatiques des anciennes universités Paris-Sorbonne et Pierre et Marie Curie, dont les structures et l’administration sont différentes. - Le présent marché a pour objet l’élaboration d’un schéma directeur et",
            buyerID: "13002338500011", value: "139000 awarded", cpv: "72315100", place: "dep:75",
            winners: "79795805500049"),
        // row 5: id, objet, acheteur.id, montant, codeCPV 45331000-6, lieuExecution.code/typeCode 53/Code département, titulaire_id_1..3
        Contract(
            index: 3, id: "2020007901",
            title:
                "COLLEGE LAVAL GERBAULT  RESTRUCTURATION DU POLE DE TECHNOLOGIE ET DES SALLES SCIENTIFIQUES LOT 8 PLOMBERIE SANITAIRE VENTILATION CHAUFFAGE",
            buyerID: "22530001100015", value: "39839.99 awarded", cpv: "45331000", place: "dep:53",
            winners: "75260089000012"),
        // row 6: id, objet, acheteur.id, montant, codeCPV 45233141-9, lieuExecution.code/typeCode 39039/Code postal, titulaire_id_1..3
        Contract(
            index: 4, id: "2020116A00", title: "VOIE DES SALINES LIAISON AVEC LA GARE TGV DE MOUCHARD RD472",
            buyerID: "22390001000362", value: "212949.5 awarded", cpv: "45233141", place: "dep:39",
            winners: "30142262200029"),
        // row 7: id, objet, acheteur.id, montant, codeCPV 79990000-0, lieuExecution.code/typeCode 5000/Code commune, titulaire_id_1..3
        Contract(
            index: 5, id: "202020008600", title: "PRESTATIONS CONSEIL EN COMMUNICATION", buyerID: "21050061700019",
            value: "100000 awarded", cpv: "79990000", place: "dep:05", winners: "80373615600016"),
        // row 8: id, objet, acheteur.id, montant, codeCPV 50324200-4, lieuExecution.code/typeCode 92300/Code postal, titulaire_id_1..3
        Contract(
            index: 6, id: "2020SA200200", title: "MAINTENANCE DES CLASSEURS ROTATIFS DE LA VILLE DE LEVALLOIS",
            buyerID: "21920044100018", value: "67800 awarded", cpv: "50324200", place: "dep:92",
            winners: "34238462500030"),
        // row 9: id, objet, acheteur.id, montant, codeCPV 60130000-8, lieuExecution.code/typeCode 40/Code département, titulaire_id_1..3
        Contract(
            index: 7, id: "2020CP007F00302",
            title:
                "EXECUTION DE SERVICES ERGULIERS DE TRANSPORT SCOLAIRE RESERVES AUX ELEVES ET ETUDIANTS HANDICAPES LOT 3 CENTRE",
            buyerID: "22400001800016", value: "2080000 awarded", cpv: "60130000", place: "dep:40",
            winners: "81494694300010,80332764200010,47823248100026"),
        // row 10: id, objet, acheteur.id, montant, codeCPV 33696500-0, lieuExecution.code/typeCode 68024/Code postal, titulaire_id_1..3
        Contract(
            index: 8, id: "202020A438b00", title: "Anticorps monoclonaux et marqueurs d'anatomopathologie",
            buyerID: "26680090300012", value: "1942 awarded", cpv: "33696500", place: "dep:68",
            winners: "34282043800030"),
    ]

    /// Rows of decp.info's 2022-format CSV. `CDL` fills the empty winner columns; « Code département » also
    /// labels commune codes (`50129`, `62041`); one CPV carries a platform prefix (`INX 67151000-0`).
    static let csv2022Rows: [Contract] = [
        // row 2: id, objet, acheteur.id, montant, codeCPV 92311000-4, lieuExecution.code/typeCode 83/Code département, titulaire_id_1..3
        Contract(
            index: 0, id: "202404", title: "RESTAURATION TABLEAU MICHEL SERRE DU MCP LA VIERGE A LA CEINTURE",
            buyerID: "20006810400013", value: "45155 awarded", cpv: "92311000", place: "dep:83",
            winners: "35043845300028"),
        // row 3: id, objet, acheteur.id, montant, codeCPV 45212221-1, lieuExecution.code/typeCode 26300/Code postal, titulaire_id_1..3
        Contract(
            index: 1, id: "INX 202424 3 001", title: "construction d'un PUMPTRACK en enrobé", buyerID: "21260088600015",
            value: "146796 awarded", cpv: "45212221", place: "dep:26", winners: "49262795500031"),
        // row 4: id, objet, acheteur.id, montant, codeCPV 24321000-0, lieuExecution.code/typeCode 34970/Code postal, titulaire_id_1..3
        Contract(
            index: 2, id: "202424FO15-02",
            title: "FOURNITURE DE CARBURANT Lot 2 : Fourniture et livraison de carburant aux services techniques",
            buyerID: "21340129200015", value: "400000 awarded", cpv: "24321000", place: "dep:34",
            winners: "63655001400048"),
        // row 5: id, objet, acheteur.id, montant, codeCPV 45210000-2, lieuExecution.code/typeCode 57280/Code postal, titulaire_id_1..3
        Contract(
            index: 3, id: "24-1065297-2",
            title: "Construction d'une déchèterie communautaire à Maizières-lès-Metz: Lot 2: Charpente bois",
            buyerID: "20003994900017", value: "27364 awarded", cpv: "45210000", place: "dep:57",
            winners: "81918510900025"),
        // row 6: id, objet (objet holds `&#8217;`, U+2019), acheteur.id, montant, codeCPV 50532400-7, lieuExecution.code/typeCode 50129/Code département, titulaire_id_1..3
        Contract(
            index: 4, id: "2024FCS05_1",
            title:
                "EXPLOITATION ET MAINTENANCE D’INFRASTRUCTURES DE RECHARGE POUR VEHICULES ELECTRIQUES ET HYBRIDES RECHARGEABLES",
            buyerID: "20005684400018", value: "380000 awarded", cpv: "50532400", place: "dep:50",
            winners: "FR32918951849"),
        // row 7: id, objet, acheteur.id, montant, codeCPV 18143000-3, lieuExecution.code/typeCode 39039/Code commune, titulaire_id_1..3
        Contract(
            index: 5, id: "2022115C", title: "EPI EQUIPEMENTS DIVERS DE PROTECTION LOT 4", buyerID: "22390001000362",
            value: "50000 awarded", cpv: "18143000", place: "dep:39", winners: "31601697100038"),
        // row 8: id, objet, acheteur.id, montant, codeCPV 66515200-5, lieuExecution.code/typeCode 62041/Code département, titulaire_id_1..3
        Contract(
            index: 6, id: "202410977", title: "AOO ASSURANCES CUA LOT 1 2025- 2029", buyerID: "20003357900018",
            value: "829684.85 awarded", cpv: "66515200", place: "dep:62", winners: "83381722400029"),
        // row 9: id, objet, acheteur.id, montant, codeCPV INX 67151000-0, lieuExecution.code/typeCode 91240/Code postal, titulaire_id_1..3
        Contract(
            index: 7, id: "INX 2023AOVOI40 L1",
            title: "LOT 1  MISSION D'ASSISTANCE A MAITRISE D'OUVRAGE EN MATIERE DE CONSEIL ET D'ANALYSE FINANCIERE",
            buyerID: "82447255900015", value: "45000 awarded", cpv: "67151000", place: "dep:91",
            winners: "38501935100035"),
        // row 10: id, objet, acheteur.id, montant, codeCPV 45112710-5, lieuExecution.code/typeCode 44119/Code postal, titulaire_id_1..3
        Contract(
            index: 8, id: "202409LOT02PAY",
            title: "LOT N°02 RÉAMÉNAGEMENT DES ABORDS DU GROUPE SCOLAIRE ALEXANDRE VINCENT", buyerID: "21440209100018",
            value: "149155.02 awarded", cpv: "45112710", place: "dep:44", winners: "37833478300032"),
    ]

    static func parse(_ path: String) throws -> ParsedDocument {
        try DocumentParser.parse(
            try SharedData.bytes(path), options: ParseOptions(sourceID: "decp", documentName: path))
    }

    static func checks() throws -> [FieldCheck] {
        var out: [FieldCheck] = []
        let files: [(String, [Contract])] = [
            (odsCapture, odsRecords), (odsEnvelope, odsRecords), (format2022, format2022Marches),
            (rama2019, rama2019Sample), (csv2019, csv2019Rows), (csv2022, csv2022Rows),
        ]
        for (path, contracts) in files {
            let notices = try parse(path).notices
            for c in contracts {
                let n = c.index < notices.count ? notices[c.index] : nil
                func check(_ field: FieldCheck.Field, _ expected: String, _ actual: String?) {
                    out.append(
                        FieldCheck(
                            capture: path, notice: "\(c.index):\(c.id)", field: field, expected: expected,
                            actual: n == nil ? "(no notice)" : actual ?? "-"))
                }
                check(.title, Canonical.words(c.title), n.map { Canonical.words($0.title) })
                check(.buyerID, c.buyerID, n?.buyer?.id)
                check(.value, c.value, n.map { Canonical.money($0.value) })
                check(.cpv, c.cpv, n.map { Canonical.list($0.cpv) })
                check(.place, c.place, n.map { Canonical.placeKeys($0.places) })
                check(.winners, c.winners, n.map { Canonical.winners($0.awardees) })
                check(.kind, "award", n?.kind.rawValue)
            }
        }
        return out
    }
}
