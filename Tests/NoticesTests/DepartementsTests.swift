import Foundation
import TestSupport
import Testing

@testable import Notices

/// The shared département table (`Departements`), against the code list `../shared/codelists/departements_nuts3.csv`
/// (read here, never copied into the repository) and against the shape of the map.
@Suite struct DepartementsTests {
    /// `../shared/codelists/departements_nuts3.csv`.
    static var csv: URL { get throws { try SharedData.url("codelists/departements_nuts3.csv") } }

    @Test(.requiresShared) func everyRowMatchesTheCodeList() throws {
        let rows = CSVReader.rows(try String(contentsOf: try Self.csv, encoding: .utf8))
        #expect(rows.first == ["departement", "nom", "nuts3", "nuts2", "nuts1", "region_nuts1_label"])
        let body = rows.dropFirst().filter { $0 != [""] }  // a final line break, if the reader yields one
        #expect(body.count == 101)
        #expect(Departements.all.map(\.code) == body.map { $0[0] }, "same codes, same order")
        var wrong: [String] = []
        for r in body {
            guard let d = Departements.departement(code: r[0]) else {
                wrong.append("\(r[0]) missing")
                continue
            }
            if d.name != r[1] { wrong.append("\(r[0]) name \(d.name) ≠ \(r[1])") }
            if d.nuts3 != r[2] { wrong.append("\(r[0]) NUTS-3 \(d.nuts3) ≠ \(r[2])") }
            if d.region != r[4] { wrong.append("\(r[0]) NUTS-1 \(d.region) ≠ \(r[4])") }
        }
        #expect(wrong.isEmpty, "\(wrong)")
    }

    @Test func metropolitanDepartementsHaveSymmetricLandNeighbours() {
        #expect(Departements.all.count == 101)
        #expect(Set(Departements.all.map(\.code)).count == 101)
        let withNeighbours = Departements.all.filter { !$0.neighbours.isEmpty }
        #expect(withNeighbours.count == 96, "94 mainland départements and Corsica's two")
        #expect(withNeighbours.allSatisfy { $0.code.count == 2 })
        #expect(Departements.all.filter { $0.code.count == 3 }.allSatisfy { $0.neighbours.isEmpty })
        for d in Departements.all {
            #expect(!d.neighbours.contains(d.code), "\(d.code) neighbours itself")
            #expect(d.neighbours == d.neighbours.sorted(), "\(d.code) neighbours out of order")
            for n in d.neighbours {
                let other = Departements.departement(code: n)
                #expect(other != nil, "\(d.code) → unknown \(n)")
                #expect(other?.neighbours.contains(d.code) == true, "\(d.code) → \(n) but not back")
            }
        }
        // Land borders only: the Seine estuary separates Calvados from Seine-Maritime; Corsica is an island.
        #expect(Departements.departement(code: "14")?.neighbours.contains("76") == false)
        #expect(Departements.departement(code: "2A")?.neighbours == ["2B"])
    }

    @Test(arguments: [("42", "42"), ("1", "01"), ("2a", "2A"), (" 33 ", "33"), ("971", "971")])
    func codesAreCanonicalised(_ raw: String, _ code: String) {
        #expect(Departements.canonicalCode(raw) == code)
        #expect(Departements.departement(code: raw)?.code == code)
    }

    @Test(arguments: ["20", "99", "975", "", "Loire", "FRK25"])
    func unknownCodes(_ raw: String) {
        #expect(Departements.canonicalCode(raw) == nil)
        #expect(Departements.departement(code: raw) == nil)
    }

    @Test func namesAndNUTSCodesLeadToTheirDepartement() {
        #expect(Departements.departement(named: "Côte-d’Or")?.code == "21")
        #expect(Departements.departement(named: "cote d'or")?.code == "21")
        #expect(Departements.departement(named: "VAL D’OISE")?.code == "95")
        #expect(Departements.departement(named: "La Réunion")?.code == "974")
        #expect(Departements.departement(named: "Saint-Étienne") == nil)
        #expect(Departements.departement(nuts3: "FRK25")?.name == "Loire")
        #expect(Departements.departement(nuts3: "fry50")?.code == "976")
        #expect(Departements.departement(nuts3: "FR715") == nil, "legacy NUTS 2013: the parser maps it first")
        #expect(Departements.departement(code: "75")?.region == "FR1")
        #expect(Departements.departement(code: "976")?.region == "FRY")
    }
}
