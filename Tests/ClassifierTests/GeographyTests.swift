import Foundation
import Testing
@testable import Classifier

@Suite struct GeographyTests {
    @Test(arguments: [
        ("42", "42", 0), ("42", "43", 1), ("42", "13", 3), ("2A", "2B", 1), ("1", "69", 1),
        ("16", "33", 2), ("29", "67", 11),
    ])
    func distances(_ a: String, _ b: String, _ d: Int) {
        #expect(Geography.distance(a, b) == d)
        #expect(Geography.distance(b, a) == d)
    }

    @Test func overseasAndUnknown() {
        #expect(Geography.distance("971", "42") == nil)
        #expect(Geography.distance("99", "42") == nil)
        #expect(Geography.departement(forPostcode: "20090") == "2A")
        #expect(Geography.departement(forPostcode: "20200") == "2B")
        #expect(Geography.departement(forPostcode: "97400") == "974")
        #expect(Geography.departement(forPostcode: "42100") == "42")
        #expect(Geography.departement(forPostcode: "4210") == nil)
        #expect(Geography.departement(forNUTS3: "FRK25") == "42")
        #expect(Geography.region(of: "13") == "FRL")
        #expect(Geography.departements.count == 101)
    }

    @Test func everyMetropolitanDepartementIsConnected() {
        let metro = Geography.departements.filter { $0.code.count == 2 && $0.code != "2A" && $0.code != "2B" }
        #expect(metro.count == 94)
        for d in metro { #expect(Geography.distance("75", d.code) != nil, "\(d.code)") }
    }
}
