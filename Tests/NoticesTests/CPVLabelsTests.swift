import Foundation
import TestSupport
import Testing

@testable import Notices

/// The CPV 2008 French labels shipped in `CPVLabels`, against the code list they were generated from
/// (`../shared/codelists/cpv2008_en_fr.csv`, read here, never copied into the repository).
@Suite struct CPVLabelsTests {
    /// `../shared/codelists/cpv2008_en_fr.csv`.
    static var csv: URL { get throws { try SharedData.url("codelists/cpv2008_en_fr.csv") } }

    /// The CSV's rows as fields.
    static func rows() throws -> [[String]] {
        CSVReader.rows(try String(contentsOf: try csv, encoding: .utf8))
    }

    @Test(.requiresShared) func everyCodeOfTheCodeListHasItsFrenchLabel() throws {
        let rows = try Self.rows()
        #expect(rows.first == ["code", "code8", "parent", "sig_digits", "label_en", "label_fr"])
        let body = rows.dropFirst()
        #expect(body.count == 9_454, "ORIGIN.md: 9,454 codes")
        #expect(CPVLabels.count == body.count)
        var wrong: [String] = []
        for r in body {
            let (code, code8, label) = (r[0], r[1], r[5])
            if CPVLabels.french(code) != label || CPVLabels.french(code8) != label { wrong.append(code) }
        }
        #expect(wrong.isEmpty, "\(wrong.count) codes differ, first: \(wrong.prefix(5))")
    }

    /// Codes read in the CSV by hand, with and without their check digit.
    @Test(arguments: [
        ("42621000-5", "Tours"),
        ("42621000", "Tours"),
        ("45000000-7", "Travaux de construction"),
        ("72261000-2", "Services d'assistance relative aux logiciels"),
        // ORIGIN.md's manual fix: not the label of 33952000-8.
        ("34000000-7", "Équipements de transport et produits auxiliaires pour le transport"),
        // The official label holds a non-breaking space, kept as is.
        ("34120000-4", "Véhicules à moteur servant au transport de 10\u{00A0}personnes ou plus"),
    ])
    func knownCodes(_ code: String, _ label: String) {
        #expect(CPVLabels.french(code) == label)
    }

    /// The check digit is not verified: a wrong one (what the issue's own example writes) still names the code.
    @Test func aWrongCheckDigitStillFindsTheCode() {
        #expect(CPVLabels.french("42621000-8") == "Tours")
        #expect(CPVLabels.french(" 42621000-5 ") == "Tours")
    }

    @Test(arguments: [
        "99999999", "00000000-0", "4262100", "426210000", "42621000-", "42621000-55", "42621000x", "4262100O",
        "", "-", "CPV 42621000", "４２６２１０００",
    ])
    func unknownOrMalformedCodesGiveNil(_ code: String) {
        #expect(CPVLabels.french(code) == nil)
    }
}
