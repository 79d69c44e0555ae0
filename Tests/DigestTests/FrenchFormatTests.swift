import Foundation
import Notices
import Testing

@testable import Digest

@Suite struct FrenchFormatTests {
    let sp = FrenchFormat.nbsp

    @Test(arguments: [
        ("2026-06-08T12:00:00+02:00", "lundi 8 juin 2026 à 12 h 00"),
        ("2026-01-01T09:05:00+01:00", "jeudi 1er janvier 2026 à 9 h 05"),
        ("2026-08-15T23:59:00+02:00", "samedi 15 août 2026 à 23 h 59"),
        // A bare UTC value (TED API) is shown in Paris time: 10:00Z in May is noon in Paris.
        ("2026-05-12T10:00:00Z", "mardi 12 mai 2026 à 12 h 00"),
        ("2026-12-31T23:30:00Z", "vendredi 1er janvier 2027 à 0 h 30"),
        // An overseas deadline keeps its own offset (Réunion, +04:00).
        ("2026-03-02T16:00:00+04:00", "lundi 2 mars 2026 à 16 h 00"),
    ])
    func datesInFrench(_ iso: String, _ expected: String) {
        #expect(FrenchFormat.dateTime(zoned(iso)) == expected.replacingOccurrences(of: " h ", with: "\(sp)h\(sp)"))
    }

    @Test(arguments: [
        (Money(amount: 246_000, currency: "EUR", vat: "HT"), "246 000 € HT"),
        (Money(amount: 1_234.5, currency: "EUR"), "1 234,50 €"),
        (Money(amount: 999, currency: "EUR", vat: "TTC"), "999 € TTC"),
        (Money(amount: 12_000_000, currency: "CHF"), "12 000 000 CHF"),
        (Money(currency: "EUR", min: 100_000, max: 250_000, vat: "HT"), "entre 100 000 € et 250 000 € HT"),
        (Money(currency: "EUR", max: 90_000), "jusqu'à 90 000 €"),
    ])
    func amountsInFrench(_ money: Money, _ expected: String) {
        let spaced = FrenchFormat.amount(money)?.replacingOccurrences(of: sp, with: " ")
        #expect(spaced == expected)
    }

    @Test func noAmountWhenNoFigure() {
        #expect(FrenchFormat.amount(Money(currency: "EUR")) == nil)
        #expect(FrenchFormat.amount(nil) == nil)
    }

    @Test(arguments: [
        ("2026-05-05T18:00:00+02:00", "aujourd'hui"),
        ("2026-05-06T09:00:00+02:00", "demain"),
        ("2026-05-15T12:00:00+02:00", "dans 10 jours"),
        ("2026-05-03T12:00:00+02:00", "dépassée depuis 2 jours"),
    ])
    func relativeDays(_ iso: String, _ expected: String) {
        #expect(FrenchFormat.relative(zoned(iso), from: zoned("2026-05-05T04:00:00+02:00").instant) == expected)
    }

    @Test func changesAreWorded() {
        let c = NoticeChange(field: "deadline", old: "2026-05-15T12:00:00+02:00", new: "2026-05-22T12:00:00+02:00")
        #expect(
            FrenchFormat.change(c).replacingOccurrences(of: sp, with: " ")
                == "Date limite : vendredi 15 mai 2026 à 12 h 00 → vendredi 22 mai 2026 à 12 h 00")
        #expect(FrenchFormat.change(NoticeChange(field: "lots", old: nil, new: nil)) == "Lots : modifié")
    }

    @Test(
        arguments: [
            (DeadlineKind.tender, nil, nil, "Remise des offres"),
            (.tender, "LOT-0001", nil, "Remise des offres (lot LOT-0001)"),
            (.requestToParticipate, nil, nil, "Remise des candidatures"),
            (.questions, nil, nil, "Date limite des questions"),
            (.opening, nil, nil, "Ouverture des plis"),
            (.other, nil, "Visite du site", "Visite du site"),
        ] as [(DeadlineKind, String?, String?, String)])
    func otherDeadlineLabels(_ kind: DeadlineKind, _ lot: String?, _ label: String?, _ expected: String) {
        let date = NamedDate(kind: kind, lot: lot, label: label, date: ZonedDate(instant: Date(), utcOffset: 0))
        #expect(FrenchFormat.otherDeadlineLabel(date) == expected)
    }

    @Test func aRequestToParticipateDeadlineIsNotCalledATenderDeadline() {
        var n = Notice(source: "ted", sourceID: "1", title: "t")
        #expect(FrenchFormat.deadlineLabel(n) == "Date limite de remise des offres")
        n.deadlineKind = .requestToParticipate
        #expect(FrenchFormat.deadlineLabel(n) == "Date limite de remise des candidatures")
    }

    @Test func longMemberListsAreShortenedInReminders() {
        #expect(Wording.shortList(["A", "B"]) == "A, B")
        #expect(Wording.shortList(["A", "B", "C", "D", "E", "F"]) == "A, B, C, D, E, F")
        #expect(Wording.shortList((1...20).map { "M\($0)" }) == "M1, M2, M3, M4, M5 et 15 autres")
    }

    /// What a source stopped at an API cap still owes, in words a member firm's staff read.
    @Test(
        arguments: [
            (2_000, "2\u{00A0}000 avis restent à récupérer, la suite la nuit prochaine"),
            (1, "1 avis reste à récupérer, la suite la nuit prochaine"),
            (nil, "d'autres avis restent à récupérer, la suite la nuit prochaine"),
        ] as [(Int?, String)])
    func anIncompleteSourceSaysWhatIsLeft(_ left: Int?, _ remark: String) {
        let s = SourceHealth(sourceID: "boamp-api", name: "BOAMP", status: .incomplete, left: left)
        #expect(FrenchFormat.source(s.status) == "incomplète")
        #expect(FrenchFormat.sourceRemark(s) == remark)
    }

    /// A failing source is worded in French from its condition and HTTP status, never with the fetcher's
    /// English message (which stays in the JSON for staff tooling).
    @Test(
        arguments: [
            (
                SourceFailureKind.httpStatus, 503,
                "Le service a répondu « indisponible » (erreur 503) — nouvel essai la nuit prochaine"
            ),
            (
                .httpStatus, 404,
                "Le service a répondu « adresse introuvable » (erreur 404) — nouvel essai la nuit prochaine"
            ),
            (.httpStatus, 418, "Le service a répondu par une erreur (code 418) — nouvel essai la nuit prochaine"),
            (.timeout, nil, "Délai dépassé : le service n'a pas répondu à temps — nouvel essai la nuit prochaine"),
            (
                .rateLimited, 429,
                "Le service limite le nombre de demandes (erreur 429) — nouvel essai la nuit prochaine"
            ),
            (
                .htmlInsteadOfData, 200,
                "Le service a renvoyé une page web au lieu des données (maintenance ?) — nouvel essai la nuit prochaine"
            ),
            (.missingCredential, nil, "Clé d'accès manquante dans la configuration — nouvel essai la nuit prochaine"),
        ] as [(SourceFailureKind, Int?, String)])
    func aFailingSourceIsWordedInFrench(_ kind: SourceFailureKind, _ status: Int?, _ remark: String) {
        let failing = SourceHealth(
            sourceID: "x", status: .failing, consecutiveFailures: 1,
            lastError: "fetcher: x: HTTP \(status ?? 0) Service Unavailable (curl: Operation timed out)", failure: kind,
            httpStatus: status)
        #expect(FrenchFormat.sourceRemark(failing) == remark)
        #expect(!FrenchFormat.sourceRemark(failing).contains("fetcher"))
    }

    /// Every failure condition has French words (none falls back to the English message).
    @Test func everyFailureKindHasFrenchWords() {
        for kind in SourceFailureKind.allCases {
            let s = SourceHealth(
                sourceID: "x", status: .failing, lastError: "Couldn't connect to server", failure: kind)
            let remark = FrenchFormat.sourceRemark(s)
            #expect(!remark.isEmpty && !remark.contains("connect"), "\(kind): \(remark)")
        }
        #expect(FrenchFormat.sourceRemark(SourceHealth(sourceID: "y", status: .ok, left: 3)) == "")
        let repeated = SourceHealth(
            sourceID: "x", status: .failing, lastSuccess: zoned("2026-05-02T01:50:00Z").instant,
            consecutiveFailures: 3, failure: .connection)
        #expect(
            FrenchFormat.sourceRemark(repeated)
                == "Connexion au service impossible — nouvel essai la nuit prochaine (3 échecs de suite, dernière "
                + "collecte réussie : samedi 2 mai 2026)")
    }

    @Test(
        arguments: [
            (Decimal(800_000), false, "800 000 €"), (1_200_000, true, "1,2 M€"), (12_500_000, true, "12,5 M€"),
            (3_000_000, true, "3 M€"), (999_999, true, "999 999 €"), (1_250_000, false, "1 250 000 €"),
        ] as [(Decimal, Bool, String)])
    func eurosInOneFormat(_ d: Decimal, _ compact: Bool, _ expected: String) {
        #expect(FrenchFormat.euros(d, compact: compact) == expected.replacingOccurrences(of: " ", with: sp))
    }
}
