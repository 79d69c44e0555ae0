import Foundation

/// One region (2016 map): INSEE code, official name and NUTS 2021 code — level 1 for mainland regions and
/// Corsica, level 2 for the overseas regions (each a single département, all grouped under NUTS-1 `FRY`).
public struct FrenchRegion: Sendable, Hashable {
    public let inseeCode: String
    public let name: String
    public let nuts: String
    /// The département of a single-département overseas region (`971` Guadeloupe), nil elsewhere.
    public let departement: String?

    /// The 18 regions, from `codelists/nuts2021_fr.csv` (levels 1 and 2) and the INSEE region codes.
    public static let all: [FrenchRegion] = [
        FrenchRegion(inseeCode: "11", name: "Île-de-France", nuts: "FR1", departement: nil),
        FrenchRegion(inseeCode: "24", name: "Centre-Val de Loire", nuts: "FRB", departement: nil),
        FrenchRegion(inseeCode: "27", name: "Bourgogne-Franche-Comté", nuts: "FRC", departement: nil),
        FrenchRegion(inseeCode: "28", name: "Normandie", nuts: "FRD", departement: nil),
        FrenchRegion(inseeCode: "32", name: "Hauts-de-France", nuts: "FRE", departement: nil),
        FrenchRegion(inseeCode: "44", name: "Grand Est", nuts: "FRF", departement: nil),
        FrenchRegion(inseeCode: "52", name: "Pays de la Loire", nuts: "FRG", departement: nil),
        FrenchRegion(inseeCode: "53", name: "Bretagne", nuts: "FRH", departement: nil),
        FrenchRegion(inseeCode: "75", name: "Nouvelle-Aquitaine", nuts: "FRI", departement: nil),
        FrenchRegion(inseeCode: "76", name: "Occitanie", nuts: "FRJ", departement: nil),
        FrenchRegion(inseeCode: "84", name: "Auvergne-Rhône-Alpes", nuts: "FRK", departement: nil),
        FrenchRegion(inseeCode: "93", name: "Provence-Alpes-Côte d’Azur", nuts: "FRL", departement: nil),
        FrenchRegion(inseeCode: "94", name: "Corse", nuts: "FRM", departement: nil),
        FrenchRegion(inseeCode: "01", name: "Guadeloupe", nuts: "FRY1", departement: "971"),
        FrenchRegion(inseeCode: "02", name: "Martinique", nuts: "FRY2", departement: "972"),
        FrenchRegion(inseeCode: "03", name: "Guyane", nuts: "FRY3", departement: "973"),
        FrenchRegion(inseeCode: "04", name: "La Réunion", nuts: "FRY4", departement: "974"),
        FrenchRegion(inseeCode: "06", name: "Mayotte", nuts: "FRY5", departement: "976"),
    ]

    /// Region names by NUTS-1 code (`FRK` Auvergne-Rhône-Alpes; the overseas regions share `FRY`).
    public static let namesByNUTS1: [String: String] = {
        var out: [String: String] = [:]
        for r in all where r.nuts.count == 3 { out[r.nuts] = r.name }
        out["FRY"] = "Outre-mer (RUP)"
        return out
    }()
}
