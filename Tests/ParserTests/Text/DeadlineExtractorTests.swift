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
