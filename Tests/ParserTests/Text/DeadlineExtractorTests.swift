import Foundation
import Notices
import Testing

@testable import Parser

@Suite struct DeadlineExtractorTests {
    /// (text, expected ISO 8601 with offset, has time)
    static let found: [(String, String, Bool)] = [
        ("Date limite de réception des offres : 15/12/2026 à 12h00", "2026-12-15T12:00:00+01:00", true),
        ("Date limite de réception des offres : 08/06/2026 12:00:00 (UTC+02:00)", "2026-06-08T12:00:00+02:00", true),
        ("Date et heure limites de réception des plis : 08/06/2026 - 12h00", "2026-06-08T12:00:00+02:00", true),
        ("Remise des plis au plus tard le 1er mars 2021 à 12h00", "2021-03-01T12:00:00+01:00", true),
        ("Les offres devront parvenir avant le 30 novembre 2021, 12 heures.", "2021-11-30T12:00:00+01:00", true),
        ("Date limite : 3 aout 2026 à midi", "2026-08-03T12:00:00+02:00", true),
        (
            "Remise des offres au plus tard le lundi 4 janvier 2027 à 12 h 00 (heure de Paris)",
            "2027-01-04T12:00:00+01:00", true
        ),
        ("Date limite de remise des offres : 15.12.26 - 17H", "2026-12-15T17:00:00+01:00", true),
        ("Les candidatures doivent être déposées jusqu'au 15 déc. 2026 inclus", "2026-12-15T23:59:00+01:00", false),
        (
            "Date limite de réception des offres : 19 octobre 2026 à 17h00 (heure de Wallis).",
            "2026-10-19T17:00:00+12:00", true
        ),
        ("Date de clôture : 08/06/2026", "2026-06-08T23:59:00+02:00", false),
        ("Clôture de l'appel à projets : 30 novembre 2021 à minuit", "2021-11-30T23:59:00+01:00", true),
        ("IV.3.4) Date limite de réception des offres : 2025-09-30T17:00:00+02:00", "2025-09-30T17:00:00+02:00", true),
        (
            "Date limite de réception des offres\u{00A0}: 15\u{202F}Septembre 2026 à 12h00",
            "2026-09-15T12:00:00+02:00", true
        ),
    ]

    @Test(arguments: found)
    func findsDeadline(_ text: String, _ iso: String, _ hasTime: Bool) throws {
        let d = try #require(DeadlineExtractor.extract(text))
        #expect(d.date.iso8601 == iso)
        #expect(d.hasTime == hasTime)
    }

    /// Dispatch dates, notification and contract dates, laws, question deadlines and office hours are not deadlines.
    static let traps = [
        "Date d'envoi du présent avis au JOUE et au BOAMP : 30 décembre 2016.",
        "Lenveloppe ... (heures douverture du lundi au vendredi de 9h00 à 12h00 et de 14h00 à 17h00)",
        "Marché à bon de commande -durée du marché de la date de notification au 31/12/2016 reconductible.",
        "application des dispositions de lOrdonnance no2016-65 du 29 janvier 2016 relative aux contrats",
        "Les marchés ont été signés le : 12/12/2016, et notifié le :- Lots 1, 2, 3 : 21/12/2016",
        "Date limite de demande d'informations complémentaires : 10/06/2026 à 12h00",
        "Date de publication : 02/11/2026",
        "Visite obligatoire le 28/10/2026 de 9h00 à 12h00.",
        "Date prévisionnelle de début des prestations : 01/01/2027",
        "Les travaux devront être achevés au plus tard le 15/12/2027.",
        "Le démarrage des prestations est prévu avant le 01/02/2027.",
        "Le matériel sera disponible jusqu'au 31/03/2027.",
        "Date limite de réception des offres : voir le règlement. Date de publication : 02/11/2026",
        "Délai de validité des offres : 120 jours à compter de la date limite de réception des offres.",
    ]

    @Test(arguments: traps)
    func ignoresTrap(_ text: String) {
        #expect(DeadlineExtractor.extract(text) == nil)
    }

    @Test func prefersTendersOverRequestsAndSkipsDispatchDate() throws {
        let text = """
            Date d'envoi du présent avis : 02/01/2027. Date limite de réception des candidatures : 20/01/2027 à 16h00.
            Date limite de réception des offres : 15/02/2027 à 12h00.
            """
        let all = DeadlineExtractor.all(text)
        #expect(all.map(\.kind) == [.tenders, .requestsToParticipate])
        #expect(all.first?.date.iso8601 == "2027-02-15T12:00:00+01:00")
    }

    @Test func callForProjectsKind() throws {
        let d = try #require(DeadlineExtractor.extract("Date limite de dépôt des dossiers : 31/12/2021"))
        #expect(d.kind == .applications)
    }
}

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

@Suite struct CPVExtractorTests {
    @Test func codes() {
        #expect(
            CPVExtractor.extract("Code CPV principal : 42600000 ; CPV secondaires : 50530000-9, 45316110-9")
                == ["42600000", "50530000", "45316110"])
        #expect(CPVExtractor.extract("Dossier 12345678 du 01/02/2026") == [], "a bare number without CPV nearby")
        #expect(CPVExtractor.extract("Référence 99123456-1") == [], "not a CPV division")
        #expect(CPVExtractor.extract("45316110-9 Travaux d'installation") == ["45316110"])
    }
}

@Suite struct NoticeEnricherTests {
    @Test func fillsEmptyFieldsFromText() {
        let notice = Notice(
            source: "demo-rss", sourceID: "1", title: "Usinage de pièces mécaniques (42)",
            summary: """
                Date limite de réception des offres : 15/12/2026 à 12h00. Valeur estimée hors TVA : \
                246 000,00 €. CPV : 42600000. Lieu d'exécution : Saint-Étienne (42).
                """)
        let n = NoticeEnricher.enrich(notice)
        #expect(n.deadline?.iso8601 == "2026-12-15T12:00:00+01:00")
        #expect(n.value == Money(amount: 246_000, currency: "EUR", vat: "HT"))
        #expect(n.mainCPV == "42600000")
        #expect(n.places.first?.departement == "42")
    }

    @Test func keepsStructuredFields() {
        let z = ZonedDate(instant: Date(timeIntervalSince1970: 0), utcOffset: 0)
        let notice = Notice(
            source: "s", sourceID: "1", title: "Date limite : 15/12/2026 à 12h00 — 10 000 € HT",
            deadline: z, value: Money(amount: 1, currency: "EUR"))
        let n = NoticeEnricher.enrich(notice)
        #expect(n.deadline == z)
        #expect(n.value?.amount == 1)
    }

    @Test func textExtractionJSON() throws {
        let json = TextExtraction("Date limite de réception des offres : 08/06/2026 à 12:00 ; montant estimé 1,2 M€ HT")
            .jsonString()
        #expect(
            json
                == #"{"amounts":[{"amount":1200000,"currency":"EUR","kind":"estimated","vat":"HT"}],"cpv":[],"deadline":"2026-06-08T12:00:00+02:00","places":[]}"#
        )
    }
}

@Suite struct FoldedTextTests {
    /// Decomposed accents (e + U+0301) fold like composed ones; characters outside the BMP keep offsets aligned.
    @Test func foldingKeepsOffsets() throws {
        let decomposed = "Date limite de re\u{0301}ception des offres : 15/12/2026 a\u{0300} 12h00"
        #expect(DeadlineExtractor.extract(decomposed)?.date.iso8601 == "2026-12-15T12:00:00+01:00")
        let withEmoji = "🚀 Chantier 🏗️ — Lieu d’exécution : Saint-Étienne (42)"
        #expect(PlaceExtractor.extract(withEmoji) == [Place(nuts: "FRK25", departement: "42", commune: "Saint-Étienne")])
        let t = FoldedText("ÉTÉ à Saint-Étienne")
        #expect(t.string == "ete a saint-etienne")
        #expect(t.original.length == t.folded.length)
    }
}
