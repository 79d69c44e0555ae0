import Foundation
import Notices
import TestSupport
import Testing

@testable import Parser

/// The TED Search API v3 adapter on the real captures of `../shared/samples/real/ted/` and on small pages written
/// here in the shapes the real ones show.
@Suite struct TEDSearchAdapterTests {
    static func real(_ file: String) throws -> [Notice] {
        try SharedData.url(TEDRealCaptures.dir)
        return try TEDRealCaptures.parse(file)
    }

    static func page(_ text: String) throws -> ParsedDocument {
        try #require(
            try FormatRegistry.parseJSON(
                Array(text.utf8), options: ParseOptions(sourceID: "ted", documentName: "inline.json")))
    }

    static func notice(_ fields: String) throws -> Notice {
        let doc = try page(
            "{\"notices\": [{\"publication-number\": \"700001-2026\", \(fields)}], \"totalNoticeCount\": 1}")
        #expect(doc.issues.isEmpty, "\(doc.issues)")
        return try #require(doc.notices.first)
    }

    // MARK: - Real captures

    /// 619675-2026: the day is in `deadline-receipt-tender-date-lot`, the time in `…-time-lot` (14:00, not 23:59).
    @Test(.requiresShared) func realDeadlineCombinesDateAndTimeOfLot() throws {
        let notices = try Self.real("ted-619675-2026-FRA-buyer.json")
        let n = try #require(notices.first)
        #expect(n.deadline?.iso8601 == "2026-10-19T14:00:00+02:00")
        #expect(n.deadlineKind == .tender)
        // "deadline-receipt-request" holds the same instant (it merges every kind): no second deadline from it.
        #expect(n.otherDeadlines.isEmpty)
        #expect(n.buyer == Buyer(name: "EXPERTISE FRANCE", country: "FRA"))
        #expect(n.language == "fr")
        // "document-url-lot"
        #expect(
            n.documentsURL
                == "https://www.marches-publics.gouv.fr/?page=Entreprise.EntrepriseAdvancedSearch&AllCons"
                + "&id=3063429&orgAcronyme=s2d"
        )
        #expect(n.url == "https://ted.europa.eu/fr/notice/-/detail/619675-2026")  // "links".html.FRA
        #expect(n.refs.eformsNoticeID == "a282f06f-8e08-471b-b3d8-32c407e56aad")  // "notice-identifier"
        // "title-lot".fra and "description-lot".fra, one entry each: one lot.
        let lot = try #require(n.lots.first)
        #expect(n.lots.count == 1)
        #expect(lot.title?.hasPrefix("INTEGRATED DIAGNOSTIC AND STRATEGIC ROADMAP") == true)
        #expect(lot.description?.hasPrefix("The tender covers the award of a service contract covering") == true)
        #expect(lot.deadline == nil)  // the lot's deadline is the notice's
        // Work in Angola: "place-of-performance" ["AGO", "AGO"] holds no NUTS code.
        #expect(n.places.isEmpty)
    }

    /// 612558-2026 is a restricted procedure: only `deadline-receipt-request-*`, which is a request-to-participate
    /// deadline and must never be shown as a tender deadline.
    @Test(.requiresShared) func realRestrictedProcedureHasARequestDeadline() throws {
        let notices = try Self.real("DERIVED-wrapped-vswatchdog-612558-2026.json")
        let n = try #require(notices.first)
        #expect(n.deadline?.iso8601 == "2026-10-05T12:00:00+02:00")
        #expect(n.deadlineKind == .requestToParticipate)
        #expect(!n.otherDeadlines.contains { $0.kind == .tender })
        #expect(n.documentsURL == "https://www.dtvp.de/Satellite/notice/CXP4D6VM8X0/documents")
        #expect(n.language == "de")
        #expect(n.places == [Place(nuts: "DEA13")])
        #expect(n.mainCPV == "71541000")
        #expect(n.lots.map(\.id) == ["LOT-0001"])
        #expect(n.lots.first?.description?.hasPrefix("Der Auftraggeber schreibt zum Zwecke") == true)
    }

    /// The verbatim capture is a bare notice object (a saved search hit): it reads as the page that wraps it.
    @Test(.requiresShared) func bareNoticeReadsLikeItsPage() throws {
        let bare = try Self.real("vswatchdog-ted-v3-notice-612558-2026-DEU-request-deadline-only.json")
        let wrapped = try Self.real("DERIVED-wrapped-vswatchdog-612558-2026.json")
        #expect(bare.count == 1)
        #expect(bare == wrapped)
    }

    // MARK: - Shapes

    /// Lot lists are lined up with `identifier-lot`; a list with another length is not (which lot it belongs to
    /// is unknown); one currency serves every lot; a 0 estimate is a placeholder; a framework maximum alone is a
    /// value of its own kind.
    @Test func lotsGetTitleDescriptionCPVValueAndDeadline() throws {
        let n = try Self.notice(
            """
            "notice-type": "cn-standard", "official-language": ["FRA"],
            "notice-title": {"fra": "France – Machines-outils – Usinage"},
            "identifier-lot": ["LOT-0001", "LOT-0002", "LOT-0003"],
            "title-lot": {"fra": ["Tournage", "Fraisage", "Rectification"], "eng": ["Turning", "Milling", "Grinding"]},
            "description-lot": {"fra": ["Pièces tournées", "Pièces fraisées", "Pièces rectifiées"]},
            "main-classification-lot": ["42621100", "42623000", "42632000"],
            "additional-classification-lot": ["50530000", "50531000"],
            "estimated-value-lot": [120000, "0", 80000.5],
            "estimated-value-cur-lot": ["EUR"],
            "framework-maximum-value-lot": ["0", 300000, "0"],
            "deadline-receipt-tender-date-lot": ["2026-12-01+01:00", "2026-12-01+01:00", "2026-12-08+01:00"],
            "deadline-receipt-tender-time-lot": ["12:00:00+01:00", "12:00:00+01:00", "16:00:00+01:00"],
            "place-of-performance": ["FRK25", "FRA"]
            """)
        #expect(n.lots.map(\.id) == ["LOT-0001", "LOT-0002", "LOT-0003"])
        #expect(n.lots.map(\.title) == ["Tournage", "Fraisage", "Rectification"])
        #expect(n.lots.map(\.description) == ["Pièces tournées", "Pièces fraisées", "Pièces rectifiées"])
        // Additional codes cannot be told apart per lot when there are several lots.
        #expect(n.lots.map(\.cpv) == [["42621100"], ["42623000"], ["42632000"]])
        #expect(n.cpv == ["42621100", "42623000", "42632000", "50530000", "50531000"])
        #expect(n.lots[0].value == Money(amount: 120_000, currency: "EUR", vat: "HT"))
        #expect(n.lots[1].value == Money(amount: 300_000, currency: "EUR", vat: "HT", kind: .frameworkMaximum))
        #expect(n.lots[2].value == Money(amount: Decimal(string: "80000.5"), currency: "EUR", vat: "HT"))
        // Lots of different kinds do not add up to a notice value.
        #expect(n.value == nil)
        #expect(n.deadline?.iso8601 == "2026-12-01T12:00:00+01:00")
        #expect(n.lots.map(\.deadline?.iso8601) == [nil, nil, "2026-12-08T16:00:00+01:00"])
        #expect(n.otherDeadlines == [NamedDate(kind: .tender, date: try #require(n.lots[2].deadline))])
        #expect(n.places == [Place(nuts: "FRK25", departement: "42")])
    }

    @Test func listsOfAnotherLengthAreNotLinedUp() throws {
        let n = try Self.notice(
            """
            "notice-title": {"fra": "France – Travaux – Voirie"},
            "title-lot": {"fra": ["Lot A", "Lot B"]},
            "main-classification-lot": ["45233140"],
            "estimated-value-lot": [100000, 200000, 300000],
            "deadline-receipt-tender-date-lot": ["2026-12-01+01:00", "2026-12-02+01:00"],
            "deadline-receipt-tender-time-lot": ["10:00:00+01:00", "11:00:00+01:00", "12:00:00+01:00"]
            """)
        #expect(n.lots.map(\.id) == ["LOT-0001", "LOT-0002"])
        #expect(n.lots.allSatisfy { $0.cpv.isEmpty && $0.value == nil })
        // Three times for two dates, all different: no time can be trusted, only the day.
        #expect(n.deadline?.iso8601 == "2026-12-01T23:59:00+01:00")
    }

    /// One time shared by every lot applies to each date.
    @Test func oneTimeServesEveryLot() throws {
        let n = try Self.notice(
            """
            "notice-title": {"fra": "France – Travaux – Voirie"},
            "deadline-receipt-tender-date-lot": ["2026-12-03+01:00", "2026-12-02+01:00"],
            "deadline-receipt-tender-time-lot": ["09:30:00+01:00"]
            """)
        #expect(n.deadline?.iso8601 == "2026-12-02T09:30:00+01:00")
    }

    /// The date's offset is right for its day when the time carries another one (as in eForms XML).
    @Test func dateOffsetWinsOverTimeOffset() throws {
        let n = try Self.notice(
            """
            "notice-title": {"fra": "France – Logiciels – SAP"},
            "deadline-receipt-tender-date-lot": ["2026-11-02+01:00"],
            "deadline-receipt-tender-time-lot": ["12:00:00+02:00"]
            """)
        #expect(n.deadline.map { ISO8601.format($0.instant) } == "2026-11-02T11:00:00Z")
    }

    /// Requests to participate before tenders: the tender deadline is the deadline, the request one another date.
    @Test func requestDeadlineBesideATenderDeadlineIsAnotherDate() throws {
        let n = try Self.notice(
            """
            "notice-title": {"fra": "France – Études – Ingénierie"},
            "deadline-receipt-tender-date-lot": ["2027-01-15+01:00"],
            "deadline-receipt-tender-time-lot": ["12:00:00+01:00"],
            "deadline-receipt-request-date-lot": ["2026-12-10+01:00"],
            "deadline-receipt-request-time-lot": ["17:00:00+01:00"]
            """)
        #expect(n.deadlineKind == .tender)
        #expect(n.deadline?.iso8601 == "2027-01-15T12:00:00+01:00")
        #expect(n.otherDeadlines.map(\.kind) == [.requestToParticipate])
        #expect(n.otherDeadlines.first?.date.iso8601 == "2026-12-10T17:00:00+01:00")
    }

    /// `deadline-receipt-request` alone does not say what it is for: the procedure type decides.
    @Test(
        arguments: [("open", .tender), ("restricted", .requestToParticipate), (nil, .other)]
            as [(String?, DeadlineKind)])
    func mergedDeadlineFieldTakesItsKindFromTheProcedure(_ procedure: String?, _ kind: DeadlineKind) throws {
        let type = procedure.map { #""procedure-type": "\#($0)","# } ?? ""
        let n = try Self.notice(
            """
            \(type) "notice-title": {"fra": "France – Études – Ingénierie"},
            "deadline-receipt-request": ["2026-12-10T17:00:00+01:00"]
            """)
        #expect(n.deadline?.iso8601 == "2026-12-10T17:00:00+01:00")
        #expect(n.deadlineKind == kind)
    }

    /// Values: a 0 estimate is no value; JSON numbers keep their decimals; an award notice falls back on the total.
    @Test func valuesAndPlaceholders() throws {
        let zero = try Self.notice(
            #""notice-title": {"fra": "France – X – Y"}, "estimated-value-proc": 0, "#
                + #""estimated-value-cur-proc": "EUR""#)
        #expect(zero.value == nil)
        let exact = try Self.notice(
            #""notice-title": {"fra": "France – X – Y"}, "estimated-value-proc": 9999999.99, "#
                + #""estimated-value-cur-proc": "EUR""#
        )
        #expect(exact.value == Money(amount: Decimal(string: "9999999.99"), currency: "EUR", vat: "HT"))
        let award = try Self.notice(
            """
            "notice-type": "can-standard", "notice-title": {"fra": "France – X – Y"},
            "total-value": [1535963], "total-value-cur": ["EUR"],
            "winner-name": {"fra": ["Usinage du Forez"]}, "winner-identifier": ["412 345 678 00021"]
            """)
        #expect(award.kind == .award)
        #expect(award.value == Money(amount: 1_535_963, currency: "EUR", kind: .awarded))
        #expect(award.awardees == [Buyer(name: "Usinage du Forez", id: "41234567800021")])
    }

    /// The buyer's own title (`title-proc`) wins over TED's composed "<Country> – <CPV label> – <title>".
    @Test func buyerTitleWinsOverComposedTitle() throws {
        let n = try Self.notice(
            """
            "notice-title": {"fra": "France – Services de nettoyage – Nettoyage – phase 2"},
            "title-proc": {"fra": "Nettoyage – phase 2 des locaux"}, "official-language": ["FRA"]
            """)
        #expect(n.title == "Nettoyage – phase 2 des locaux")
        let composedOnly = try Self.notice(
            #""notice-title": {"fra": "France – Services de nettoyage – Nettoyage – phase 2"}"#)
        #expect(composedOnly.title == "Nettoyage – phase 2")
    }

    @Test(arguments: [
        ("cn-standard", NoticeKind.tender), ("cn-social", .tender), ("pin-only", .priorInformation),
        ("pin-cfc-standard", .priorInformation), ("can-standard", .award), ("veat", .award),
        ("can-modif", .change), ("corr", .change),
    ])
    func kindComesFromNoticeType(_ type: String, _ kind: NoticeKind) throws {
        let n = try Self.notice(#""notice-type": "\#(type)", "notice-title": {"fra": "France – X – Y"}"#)
        #expect(n.kind == kind)
    }

    /// A French buyer's identifier is kept only when it is a SIRET or SIREN.
    @Test func buyerIdentifierIsASiretOrNothing() throws {
        let siret = try Self.notice(
            #""notice-title": {"fra": "France – X – Y"}, "buyer-country": ["FRA"], "#
                + #""buyer-identifier": ["775 665 912 00082"]"#
        )
        #expect(siret.buyer?.id == "77566591200082")
        let other = try Self.notice(
            #""notice-title": {"fra": "France – X – Y"}, "buyer-country": ["FRA"], "#
                + #""buyer-identifier": ["ORG-0001"]"#)
        #expect(other.buyer?.id == nil)
    }

    /// One entry that is not an object is reported; the rest of the page is read.
    @Test func unreadableEntryDoesNotLoseThePage() throws {
        let doc = try Self.page(
            """
            {"notices": ["oops", {"publication-number": "700002-2026", "notice-title": {"fra": "France – X – Y"}}],
             "totalNoticeCount": 2, "iterationNextToken": "abc", "timedOut": false}
            """)
        #expect(doc.notices.map(\.sourceID) == ["700002-2026"])
        #expect(doc.issues.count == 1)
    }

    // MARK: - Buyer contact

    /// The contact fields are not in the real captures (they were not requested); public clients request
    /// `buyer-email`, `organisation-tel-buyer`, `buyer-internet-address` and their `organisation-…-buyer` aliases,
    /// which come back as one-entry-per-buyer lists like `buyer-country`. The first buyer's are kept.
    @Test func buyerContactFieldsWhenRequested() throws {
        let n = try Self.notice(
            #""buyer-name": {"fra": ["Ville A", "Ville B"]}, "buyer-country": ["FRA", "FRA"], "#
                + #""buyer-email": ["achats@ville-a.example", "achats@ville-b.example"], "#
                + #""organisation-tel-buyer": ["+33 4 77 00 00 01"], "#
                + #""organisation-contact-point-buyer": {"fra": ["Service de la commande publique"]}, "#
                + #""organisation-internet-address-buyer": ["https://ville-a.example/marches"], "#
                + #""title-proc": {"fra": "Usinage"}"#)
        #expect(
            n.buyer?.contact
                == ContactPoint(
                    name: "Service de la commande publique", email: "achats@ville-a.example",
                    phone: "+33 4 77 00 00 01", url: "https://ville-a.example/marches"))
        // Without them (the real 619675-2026 answer), no contact at all.
        let bare = try Self.notice(#""buyer-name": {"fra": ["Ville A"]}, "title-proc": {"fra": "Usinage"}"#)
        #expect(bare.buyer?.contact == nil)
    }
}
