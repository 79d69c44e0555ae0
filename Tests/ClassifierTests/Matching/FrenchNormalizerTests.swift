import Foundation
import Testing
@testable import Classifier

@Suite struct FrenchNormalizerTests {
    @Test func foldsCaseAccentsLigaturesAndElisions() {
        #expect(
            FrenchNormalizer.foldedWords("L’ŒUVRE d’art, Æther ; FAÇADE été") == [
                "oeuvre", "art", "aether", "facade", "ete",
            ])
        #expect(FrenchNormalizer.foldedWords("Straße ÎLE-DE-FRANCE") == ["strasse", "ile", "de", "france"])
        // Elided words drop whatever the apostrophe: ASCII, U+2019, U+2018, U+02BC, backtick.
        for apostrophe in ["'", "\u{2019}", "\u{2018}", "\u{2BC}", "`"] {
            #expect(
                FrenchNormalizer.foldedWords("l\(apostrophe)usinage qu\(apostrophe)il lorsqu\(apostrophe)on")
                    == ["usinage", "il", "on"], "apostrophe \(apostrophe.unicodeScalars.first!.value)")
        }
        // No-break spaces, guillemets, euro sign and dashes separate words.
        #expect(
            FrenchNormalizer.foldedWords("«\u{A0}marché\u{A0}» 20\u{A0}000\u{A0}€ — lot\u{2013}2")
                == ["marche", "20", "000", "lot", "2"])
    }

    @Test(arguments: [
        ("pièces mécaniques", "pièce mécanique"),
        ("métaux", "métal"),
        ("bureaux", "bureau"),
        ("usinées", "usiné"),
        ("usinée", "usiné"),
        ("sous-traitance", "sous traitance"),
        ("pièces de rechange", "pièce rechange"),
        ("Maintenance Industrielle", "maintenance industrielles"),
        ("CHAUDRONNERIE", "chaudronnerie"),
        ("œuvre", "oeuvre"),
        ("l'éclairage", "éclairage"),
    ])
    func sameNormalisedForm(_ a: String, _ b: String) {
        #expect(FrenchNormalizer.normalizedPhrase(a) == FrenchNormalizer.normalizedPhrase(b))
        #expect(!FrenchNormalizer.normalizedPhrase(a).isEmpty)
    }

    @Test(arguments: [("usinage", "usine"), ("forge", "forgeron"), ("tournage", "tourne"), ("cuve", "cuivre")])
    func differentForms(_ a: String, _ b: String) {
        #expect(FrenchNormalizer.normalizedPhrase(a) != FrenchNormalizer.normalizedPhrase(b))
    }

    @Test func prefixesKeepTheirStar() {
        #expect(FrenchNormalizer.normalizedPhrase("Décollet*") == "decollet*")
        #expect(FrenchNormalizer.normalizedPhrase("pièce* mécanique") == "piece* mecaniqu")
        #expect(FrenchNormalizer.normalizedPhrase("de la") == "")
    }
}
