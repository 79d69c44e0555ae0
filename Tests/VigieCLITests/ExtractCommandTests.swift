import ArgumentParser
import Foundation
import TestSupport
import Testing

@testable import VigieCLI

/// `vigie extract --json`: one object with every key, read from the help's own example text.
@Suite struct ExtractCommandTests {
    @Test func jsonOfTheHelpExample() throws {
        let text = "Valeur estimée : 246 000,00 € HT ; Lieu d'exécution : Saint-Étienne (42)"
        #expect(Vigie.helpMessage(for: Vigie.Extract.self, columns: 200).contains(text))
        let r = try VigieProcess.vigie(["extract", "--json", text])
        #expect(r.status == 0, "\(r.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: r.stdoutBytes) as? [String: Any])
        #expect(Set(object.keys) == ["deadline", "amounts", "places", "cpv"])
        #expect(object["deadline"] is NSNull)
        let amounts = try #require(object["amounts"] as? [[String: Any]])
        #expect(amounts.count == 1)
        #expect(amounts.first?["amount"] as? Double == 246_000)
        #expect(amounts.first?["currency"] as? String == "EUR")
        #expect(amounts.first?["vat"] as? String == "HT")
        let places = try #require(object["places"] as? [[String: Any]])
        #expect(places.contains { $0["departement"] as? String == "42" })
        #expect(places.allSatisfy { Set($0.keys) == ["departement", "postcode", "commune", "nuts"] })
    }

    @Test func emptyTextIsAUsageError() throws {
        #expect(throws: (any Error).self) { try Vigie.parseAsRoot(["extract", ""]) }
        let r = try VigieProcess.vigie(["extract", ""])
        #expect(r.status == 2)
        #expect(r.stderr.contains("Usage: vigie extract"))
    }
}
