import Foundation
import Notices
import Testing

@testable import Parser

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
