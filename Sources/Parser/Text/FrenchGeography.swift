import Foundation
import Notices

/// French départements and their NUTS codes, as needed to normalise places found in notices.
///
/// The 101 départements come from the shared table (`Notices.Departements`: NUTS 2021 level-3 codes, as used by
/// eForms SDK 1.15); this adds what parsing needs on top of it: names as free text writes them, postcodes.
/// Legacy BOAMP notices (2015–2021) still carry NUTS 2013 codes (`FR715` for the Loire), which the 2016
/// regional reform renumbered; `nuts2021(fromLegacy:)` maps them.
public enum FrenchGeography {
    /// One département: code (`42`, `2A`, `971`), official name and NUTS 2021 level-3 code (the shared table's
    /// row, which also carries the region and the land neighbours).
    public typealias Departement = Notices.Departement

    /// All départements, in code order.
    public static let departements: [Departement] = Departements.all

    /// Folded with the parser's own name folding (« St » for « Saint », no leading « La »), which notices'
    /// free text needs and the shared table's lookup does not do.
    private static let byFoldedName: [String: Departement] =
        Dictionary(uniqueKeysWithValues: departements.map { (FrenchText.foldName($0.name), $0) })

    /// The département with this code (`"42"`, `"2a"`, `"971"`; a single digit is padded: `"1"` → `01`).
    public static func departement(code: String) -> Departement? {
        var c = code.uppercased()
        if c.count == 1, c.first?.isNumber == true { c = "0" + c }
        // Exact after this padding: the shared lookup also trims spaces, which adapters that keep the raw
        // value when no département matches (`?? dep`) must not start doing.
        guard let d = Departements.departement(code: c), d.code == c else { return nil }
        return d
    }

    /// The département whose official name matches `name`, ignoring case, accents, hyphens and apostrophes.
    public static func departement(named name: String) -> Departement? {
        byFoldedName[FrenchText.foldName(name)]
    }

    /// The département of a NUTS 2021 level-3 code (or of a legacy 2013 one).
    public static func departement(nuts3: String) -> Departement? {
        Departements.departement(nuts3: nuts2021(fromLegacy: nuts3.uppercased()))
    }

    /// The département of a French postcode: first two digits, three for overseas (`97x`), Corsica (`20xxx`)
    /// split at 20200 (Ajaccio side below, Bastia side from 20200 up, as La Poste assigns them).
    public static func departement(postcode: String) -> Departement? {
        guard postcode.count == 5, postcode.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        if postcode.hasPrefix("97") { return departement(code: String(postcode.prefix(3))) }
        if postcode.hasPrefix("20") {
            return departement(code: (Int(postcode) ?? 0) < 20200 ? "2A" : "2B")
        }
        return departement(code: String(postcode.prefix(2)))
    }

    /// Départements whose NUTS 2021 code starts with `nuts` (a level-1, -2 or -3 code; `FR` alone gives none,
    /// since "the whole country" is not a place to route on).
    public static func departements(inNUTS nuts: String) -> [Departement] {
        let code = nuts2021(fromLegacy: nuts.uppercased())
        guard code.hasPrefix("FR"), code.count >= 3 else { return [] }
        return departements.filter { $0.nuts3.hasPrefix(code) }
    }

    /// Whether `code` is a known French NUTS 2021 code of level 1 to 3 (or a legacy 2013 one mapped to it).
    public static func isFrenchNUTS(_ code: String) -> Bool {
        let c = nuts2021(fromLegacy: code.uppercased())
        guard c.hasPrefix("FR"), (3...5).contains(c.count) else { return false }
        return departements.contains { $0.nuts3.hasPrefix(c) }
    }

    /// Maps a NUTS 2013 French code (level 1–3) to its NUTS 2021 equivalent; other codes come back unchanged.
    ///
    /// The 2016 reform merged regions and renumbered them; département order inside each old region was kept,
    /// so a prefix substitution is exact (`FR715` Loire → `FRK25`, `FR232` Seine-Maritime → `FRD22`).
    public static func nuts2021(fromLegacy code: String) -> String {
        guard code.count >= 4, code.hasPrefix("FR") else { return code }
        let chars = Array(code)
        // 2013 codes have a digit (or A for overseas) in third position; 2021 codes a letter B…Y, except FR1.
        guard chars[2].isNumber || chars[2] == "A" else { return code }
        let head = String(chars[0..<4])
        guard let new = legacyRegions[head] else { return code }
        return new + String(chars[4...])
    }

    /// NUTS 2013 level-2 code → NUTS 2021 level-2 code.
    private static let legacyRegions: [String: String] = [
        "FR10": "FR10", "FR21": "FRF2", "FR22": "FRE2", "FR23": "FRD2", "FR24": "FRB0", "FR25": "FRD1",
        "FR26": "FRC1", "FR30": "FRE1", "FR41": "FRF3", "FR42": "FRF1", "FR43": "FRC2", "FR51": "FRG0",
        "FR52": "FRH0", "FR53": "FRI3", "FR61": "FRI1", "FR62": "FRJ2", "FR63": "FRI2", "FR71": "FRK2",
        "FR72": "FRK1", "FR81": "FRJ1", "FR82": "FRL0", "FR83": "FRM0", "FRA1": "FRY1", "FRA2": "FRY2",
        "FRA3": "FRY3", "FRA4": "FRY4", "FRA5": "FRY5",
    ]

    // MARK: - Regions

    /// Other names producers give regions: the pre-2016 spelling of the Centre, « Région Sud » (PACA's own name
    /// since 2017), Réunion without the article.
    private static let regionAliases: [String: String] = [
        "centre": "FRB", "centre — val de loire": "FRB", "region sud": "FRL", "sud": "FRL", "reunion": "FRY4",
        "corse du sud et haute corse": "FRM", "collectivite de corse": "FRM",
    ]

    private static let regionsByFoldedName: [String: FrenchRegion] = {
        var d: [String: FrenchRegion] = [:]
        for r in FrenchRegion.all { d[FrenchText.foldName(r.name)] = r }
        for (alias, nuts) in regionAliases {
            if let r = FrenchRegion.all.first(where: { $0.nuts == nuts }) { d[FrenchText.foldName(alias)] = r }
        }
        return d
    }()

    /// The region whose name matches `name` (ignoring case, accents, hyphens, apostrophes, a leading « Région »).
    public static func region(named name: String) -> FrenchRegion? {
        var key = FrenchText.foldName(name)
        if let hit = regionsByFoldedName[key] { return hit }
        let prefix = FrenchText.foldName("Région ")
        if key.hasPrefix(prefix) {
            key.removeFirst(prefix.count)
            return regionsByFoldedName[key]
        }
        return nil
    }

    /// The region with this INSEE code (`"76"` Occitanie, `"1"` or `"01"` Guadeloupe).
    public static func region(inseeCode code: String) -> FrenchRegion? {
        let c = code.count == 1 ? "0" + code : code
        return FrenchRegion.all.first { $0.inseeCode == c }
    }
}
