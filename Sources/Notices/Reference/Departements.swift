import Foundation

/// One French département: its code, official name, NUTS codes and land neighbours.
public struct Departement: Sendable, Hashable {
    /// INSEE code: `01`…`95` (Corsica `2A`, `2B`), `971`–`974` and `976` overseas.
    public let code: String
    /// Official name, with the typographic apostrophe (`Côte-d’Or`, `Val-d’Oise`), as parsed places and digests
    /// have always written it.
    public let name: String
    /// NUTS 2021 level-3 code (`FRK25` for the Loire), as in `codelists/departements_nuts3.csv`.
    public let nuts3: String
    /// NUTS 2021 level-1 code, the region (`FRK`; `FR1` Île-de-France; `FRY` for every overseas département).
    public let region: String
    /// Codes of the départements sharing a land border with this one, in code order; empty overseas.
    public let neighbours: [String]

    init(code: String, name: String, nuts3: String, neighbours: [String]) {
        self.code = code
        self.name = name
        self.nuts3 = nuts3
        self.region = String(nuts3.prefix(3))
        self.neighbours = neighbours
    }
}

/// The one table of French départements, read by the parser (places in notices), the classifier (territorial
/// filter, distance in départements) and the digest (« Gironde (33) »).
///
/// Neighbours follow land borders: Calvados and Seine-Maritime, across the Seine estuary, are not neighbours;
/// Corsica's two départements neighbour each other only; overseas départements have none.
public enum Departements {
    /// All 101 départements, in code order (`2A` and `2B` where `20` would be).
    public static let all: [Departement] = rows.map { row in
        Departement(
            code: row.0, name: row.1, nuts3: row.2,
            neighbours: row.3.split(separator: " ").map(String.init))
    }

    /// The département with this code, written loosely or not (`42`, `2a`, ` 1 `, `971`); nil when unknown.
    public static func departement(code: String) -> Departement? {
        canonicalCode(code).flatMap { byCode[$0] }
    }

    /// The code as the table writes it (`1` → `01`, `2a` → `2A`, surrounding spaces dropped); nil when no
    /// département has it.
    public static func canonicalCode(_ code: String) -> String? {
        // Already as the table writes it: the router asks this for every site of every member it checks.
        if byCode[code] != nil { return code }
        var c = code.trimmingCharacters(in: .whitespaces).uppercased()
        if c.count == 1, c.allSatisfy(\.isNumber) { c = "0" + c }
        return byCode[c] != nil ? c : nil
    }

    /// The département with this official name, ignoring case, accents, spaces, hyphens and apostrophes
    /// (`cote d'or`, `CÔTE-D’OR`); nil when no département is so named.
    public static func departement(named name: String) -> Departement? {
        byFoldedName[fold(name)]
    }

    /// The département of a NUTS 2021 level-3 code (`FRK25`, `frk25`); nil for other codes (legacy NUTS 2013
    /// codes are the parser's business: it maps them first).
    public static func departement(nuts3: String) -> Departement? {
        byNUTS3[nuts3.uppercased()]
    }

    private static let byCode = Dictionary(uniqueKeysWithValues: all.map { ($0.code, $0) })
    private static let byNUTS3 = Dictionary(uniqueKeysWithValues: all.map { ($0.nuts3, $0) })
    private static let byFoldedName = Dictionary(uniqueKeysWithValues: all.map { (fold($0.name), $0) })

    /// Lower case, no accents, letters and digits only: `Côte-d’Or` → `cotedor`.
    private static func fold(_ s: String) -> String {
        String(
            s.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
                .filter { $0.isLetter || $0.isNumber })
    }

    /// Code, name, NUTS 2021 level-3 code, land neighbours (space-separated codes).
    private static let rows: [(String, String, String, String)] = [
        ("01", "Ain", "FRK21", "38 39 69 71 73 74"),
        ("02", "Aisne", "FRE21", "08 51 59 60 77 80"),
        ("03", "Allier", "FRK11", "18 23 42 58 63 71"),
        ("04", "Alpes-de-Haute-Provence", "FRL01", "05 06 13 26 83 84"),
        ("05", "Hautes-Alpes", "FRL02", "04 26 38 73"),
        ("06", "Alpes-Maritimes", "FRL03", "04 83"),
        ("07", "Ardèche", "FRK22", "26 30 38 42 43 48 84"),
        ("08", "Ardennes", "FRF21", "02 51 55"),
        ("09", "Ariège", "FRJ21", "11 31 66"),
        ("10", "Aube", "FRF22", "21 51 52 77 89"),
        ("11", "Aude", "FRJ11", "09 31 34 66 81"),
        ("12", "Aveyron", "FRJ22", "15 30 34 46 48 81 82"),
        ("13", "Bouches-du-Rhône", "FRL04", "04 30 83 84"),
        ("14", "Calvados", "FRD11", "27 50 61"),
        ("15", "Cantal", "FRK12", "12 19 43 46 48 63"),
        ("16", "Charente", "FRI31", "17 24 79 86 87"),
        ("17", "Charente-Maritime", "FRI32", "16 24 33 79 85"),
        ("18", "Cher", "FRB01", "03 23 36 41 45 58"),
        ("19", "Corrèze", "FRI21", "15 23 24 46 63 87"),
        ("2A", "Corse-du-Sud", "FRM01", "2B"),
        ("2B", "Haute-Corse", "FRM02", "2A"),
        ("21", "Côte-d’Or", "FRC11", "10 39 52 58 70 71 89"),
        ("22", "Côtes-d’Armor", "FRH01", "29 35 56"),
        ("23", "Creuse", "FRI22", "03 18 19 36 63 87"),
        ("24", "Dordogne", "FRI11", "16 17 19 33 46 47 87"),
        ("25", "Doubs", "FRC21", "39 70 90"),
        ("26", "Drôme", "FRK23", "04 05 07 38 84"),
        ("27", "Eure", "FRD21", "14 28 60 61 76 78 95"),
        ("28", "Eure-et-Loir", "FRB02", "27 41 45 61 72 78 91"),
        ("29", "Finistère", "FRH02", "22 56"),
        ("30", "Gard", "FRJ12", "07 12 13 34 48 84"),
        ("31", "Haute-Garonne", "FRJ23", "09 11 32 65 81 82"),
        ("32", "Gers", "FRJ24", "31 40 47 64 65 82"),
        ("33", "Gironde", "FRI12", "17 24 40 47"),
        ("34", "Hérault", "FRJ13", "11 12 30 81"),
        ("35", "Ille-et-Vilaine", "FRH03", "22 44 49 50 53 56"),
        ("36", "Indre", "FRB03", "18 23 37 41 86 87"),
        ("37", "Indre-et-Loire", "FRB04", "36 41 49 72 86"),
        ("38", "Isère", "FRK24", "01 05 07 26 42 69 73"),
        ("39", "Jura", "FRC22", "01 21 25 70 71"),
        ("40", "Landes", "FRI13", "32 33 47 64"),
        ("41", "Loir-et-Cher", "FRB05", "18 28 36 37 45 72"),
        ("42", "Loire", "FRK25", "03 07 38 43 63 69 71"),
        ("43", "Haute-Loire", "FRK13", "07 15 42 48 63"),
        ("44", "Loire-Atlantique", "FRG01", "35 49 56 85"),
        ("45", "Loiret", "FRB06", "18 28 41 58 77 89 91"),
        ("46", "Lot", "FRJ25", "12 15 19 24 47 82"),
        ("47", "Lot-et-Garonne", "FRI14", "24 32 33 40 46 82"),
        ("48", "Lozère", "FRJ14", "07 12 15 30 43"),
        ("49", "Maine-et-Loire", "FRG02", "35 37 44 53 72 79 85 86"),
        ("50", "Manche", "FRD12", "14 35 53 61"),
        ("51", "Marne", "FRF23", "02 08 10 52 55 77"),
        ("52", "Haute-Marne", "FRF24", "10 21 51 55 70 88"),
        ("53", "Mayenne", "FRG03", "35 49 50 61 72"),
        ("54", "Meurthe-et-Moselle", "FRF31", "55 57 67 88"),
        ("55", "Meuse", "FRF32", "08 51 52 54 88"),
        ("56", "Morbihan", "FRH04", "22 29 35 44"),
        ("57", "Moselle", "FRF33", "54 67"),
        ("58", "Nièvre", "FRC12", "03 18 21 45 71 89"),
        ("59", "Nord", "FRE11", "02 62 80"),
        ("60", "Oise", "FRE22", "02 27 76 77 80 95"),
        ("61", "Orne", "FRD13", "14 27 28 50 53 72"),
        ("62", "Pas-de-Calais", "FRE12", "59 80"),
        ("63", "Puy-de-Dôme", "FRK14", "03 15 19 23 42 43"),
        ("64", "Pyrénées-Atlantiques", "FRI15", "32 40 65"),
        ("65", "Hautes-Pyrénées", "FRJ26", "31 32 64"),
        ("66", "Pyrénées-Orientales", "FRJ15", "09 11"),
        ("67", "Bas-Rhin", "FRF11", "54 57 68 88"),
        ("68", "Haut-Rhin", "FRF12", "67 88 90"),
        ("69", "Rhône", "FRK26", "01 38 42 71"),
        ("70", "Haute-Saône", "FRC23", "21 25 39 52 88 90"),
        ("71", "Saône-et-Loire", "FRC13", "01 03 21 39 42 58 69"),
        ("72", "Sarthe", "FRG04", "28 37 41 49 53 61"),
        ("73", "Savoie", "FRK27", "01 05 38 74"),
        ("74", "Haute-Savoie", "FRK28", "01 73"),
        ("75", "Paris", "FR101", "92 93 94"),
        ("76", "Seine-Maritime", "FRD22", "27 60 80"),
        ("77", "Seine-et-Marne", "FR102", "02 10 45 51 60 89 91 93 94 95"),
        ("78", "Yvelines", "FR103", "27 28 91 92 95"),
        ("79", "Deux-Sèvres", "FRI33", "16 17 49 85 86"),
        ("80", "Somme", "FRE23", "02 59 60 62 76"),
        ("81", "Tarn", "FRJ27", "11 12 31 34 82"),
        ("82", "Tarn-et-Garonne", "FRJ28", "12 31 32 46 47 81"),
        ("83", "Var", "FRL05", "04 06 13 84"),
        ("84", "Vaucluse", "FRL06", "04 07 13 26 30 83"),
        ("85", "Vendée", "FRG05", "17 44 49 79"),
        ("86", "Vienne", "FRI34", "16 36 37 49 79 87"),
        ("87", "Haute-Vienne", "FRI23", "16 19 23 24 36 86"),
        ("88", "Vosges", "FRF34", "52 54 55 67 68 70 90"),
        ("89", "Yonne", "FRC14", "10 21 45 58 77"),
        ("90", "Territoire de Belfort", "FRC24", "25 68 70 88"),
        ("91", "Essonne", "FR104", "28 45 77 78 92 94"),
        ("92", "Hauts-de-Seine", "FR105", "75 78 91 93 94 95"),
        ("93", "Seine-Saint-Denis", "FR106", "75 77 92 94 95"),
        ("94", "Val-de-Marne", "FR107", "75 77 91 92 93"),
        ("95", "Val-d’Oise", "FR108", "27 60 77 78 92 93"),
        ("971", "Guadeloupe", "FRY10", ""),
        ("972", "Martinique", "FRY20", ""),
        ("973", "Guyane", "FRY30", ""),
        ("974", "La Réunion", "FRY40", ""),
        ("976", "Mayotte", "FRY50", ""),
    ]
}
