import Foundation
import Notices

/// Départements of France with their NUTS codes and, for metropolitan France, their land neighbours:
/// the data behind the territorial filter ("at most N départements away", "same region"). The table itself is
/// `Notices.Departements`, shared with the parser and the digest; the distances built on it are in
/// `Geography.swift`.
public enum Geography {
    /// One département: code (`42`, `2A`, `971`), name, NUTS-3 and NUTS-1 (region) codes, land neighbours.
    public typealias Departement = Notices.Departement

    /// Every département, metropolitan and overseas.
    public static let departements: [Departement] = Departements.all

    /// Region names by NUTS-1 code (2021 NUTS: `FRK` Auvergne-Rhône-Alpes…), from the one region table.
    public static let regionNames: [String: String] = FrenchRegion.namesByNUTS1

    /// Land neighbours of each metropolitan département (overseas ones have none and are left out).
    static let neighbours: [String: [String]] = Dictionary(
        uniqueKeysWithValues: departements.filter { !$0.neighbours.isEmpty }.map { ($0.code, $0.neighbours) })
}
