import Foundation
import Notices
import Testing

@testable import Parser

@Suite struct PlaceExtractorTests {
    @Test(arguments: [
        ("Lieu d'exécution : Saint-Étienne (42)", Place(nuts: "FRK25", departement: "42", commune: "Saint-Étienne")),
        ("Lieu d'exécution : (62) Pas-de-Calais", Place(nuts: "FRE12", departement: "62")),
        ("COMMUNE DE 11140 AXAT", Place(nuts: "FRJ11", departement: "11", postcode: "11140", commune: "AXAT")),
        ("Code NUTS : FRK25", Place(nuts: "FRK25", departement: "42")),
        ("<CODE_NUTS>FR715</CODE_NUTS>", Place(nuts: "FRK25", departement: "42")),
        (
            "Lieu de livraison : 20090 Ajaccio",
            Place(nuts: "FRM01", departement: "2A", postcode: "20090", commune: "Ajaccio")
        ),
        (
            "Lieu d'exécution : Fort-de-France (972)",
            Place(nuts: "FRY20", departement: "972", commune: "Fort-de-France")
        ),
        (
            "Lieu d'exécution : Saint-Chamond 42400",
            Place(
                nuts: "FRK25", departement: "42", postcode: "42400",
                commune: "Saint-Chamond")
        ),
        ("Lieu d'exécution : 42 - Loire", Place(nuts: "FRK25", departement: "42")),
    ])
    func findsPlace(_ text: String, _ place: Place) {
        #expect(PlaceExtractor.extract(text) == [place])
    }

    @Test func buyerAddressLosesToPlaceOfPerformance() {
        let text = "Adresse de l'acheteur : 75015 Paris. Lieu d'exécution : Firminy (42)."
        #expect(PlaceExtractor.extract(text) == [Place(nuts: "FRK25", departement: "42", commune: "Firminy")])
    }

    @Test func publicationDepartements() {
        #expect(PlaceExtractor.extract("Département(s) de publication : 42, 43").map(\.departement) == ["42", "43"])
    }

    @Test(arguments: [
        "France métropolitaine et Corse", "Le lot 2 comprend 12 000 pièces.",
        "Montant : 75 000 € HT", "Lot 3 : maintenance", "Tél. 04 77 12 34 56",
    ])
    func noPlace(_ text: String) {
        #expect(PlaceExtractor.extract(text).isEmpty)
    }
}
