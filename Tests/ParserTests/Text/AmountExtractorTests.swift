import Foundation
import Notices
import Testing

@testable import Parser

@Suite struct AmountExtractorTests {
    static let cases: [(String, Decimal, String, String?, ExtractedAmount.Kind)] = [
        ("Valeur estimée hors TVA : 246 000,00 €", 246_000, "EUR", "HT", .estimated),
        ("Valeur estimée hors TVA : 136,000,000 Euro", 136_000_000, "EUR", "HT", .estimated),
        ("Montant estimé : 150 k€ HT", 150_000, "EUR", "HT", .estimated),
        ("Budget prévisionnel : 1,2 M€ TTC", 1_200_000, "EUR", "TTC", .budget),
        ("Budget : 2,5 millions d'euros", 2_500_000, "EUR", nil, .budget),
        ("Estimation (en Dhs TTC) * : 15 000 000,00", 15_000_000, "MAD", "TTC", .estimated),
        ("Valeur maximale de l'accord-cadre : 800 000 EUR", 800_000, "EUR", nil, .max),
        ("Le coût estimatif des travaux s'élève à 6 300 000 euro HT.", 6_300_000, "EUR", "HT", .other),
        ("Montant total : 1.250.000 CHF", 1_250_000, "CHF", nil, .estimated),
        ("Valeur estimée : 12\u{202F}500,50\u{00A0}€ H.T.", Decimal(string: "12500.50")!, "EUR", "HT", .estimated),
        ("Valeur estimée hors TVA : 1 M€", 1_000_000, "EUR", "HT", .estimated),
        ("Montant maximum de l'accord-cadre : 1.500.000,00 EUR HT par an", 1_500_000, "EUR", "HT", .max),
        ("Enveloppe prévisionnelle : 3 000 000 XPF", 3_000_000, "XPF", nil, .budget),
    ]

    @Test(arguments: cases)
    func readsAmount(
        _ text: String, _ amount: Decimal, _ currency: String, _ vat: String?,
        _ kind: ExtractedAmount.Kind
    ) throws {
        let a = try #require(AmountExtractor.extract(text).first)
        #expect(a == ExtractedAmount(amount: amount, currency: currency, vat: vat, kind: kind))
    }

    @Test func minAndMax() {
        let text = "soit 48 mois: 20 000 euros HT au minimum ; 100 000 euros HT au maximum."
        let got = AmountExtractor.extract(text)
        #expect(
            got == [
                ExtractedAmount(amount: 20_000, currency: "EUR", vat: "HT", kind: .min),
                ExtractedAmount(amount: 100_000, currency: "EUR", vat: "HT", kind: .max),
            ])
        #expect(AmountExtractor.money(from: got) == Money(currency: "EUR", min: 20_000, max: 100_000, vat: "HT"))
    }

    @Test func range() {
        let got = AmountExtractor.extract("Montant : de 30 000 à 2 000 000 euros")
        #expect(got.map(\.kind) == [.min, .max])
        #expect(got.map(\.amount) == [30_000, 2_000_000])
    }

    /// Minimum turnover, percentages and guarantees are not contract values; works cost never becomes the value.
    @Test(arguments: [
        "les candidats doivent justifier dun chiffre daffaires global annuel supérieur à 406 250 euros HT.",
        "Le prix contribue for 60 % …",
        "Une garantie à première demande de 5 000 € sera exigée.",
        "Capital social : 37 000 €",
    ])
    func ignoresTrap(_ text: String) {
        #expect(AmountExtractor.extract(text).isEmpty)
    }

    @Test func worksCostIsNotTheValue() {
        let got = AmountExtractor.extract("Le coût prévisionnel des travaux est fixé à 1 000 000,00 Euros H.T.")
        #expect(got.count == 1)
        #expect(AmountExtractor.money(from: got) == nil)
    }
}
