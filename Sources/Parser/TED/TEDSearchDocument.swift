import Foundation

// Specs: https://docs.ted.europa.eu/api/endpoints/ted-europa-eu.html (Search API v3, POST /v3/notices/search),
// https://docs.ted.europa.eu/reuse/search-api.html; field names are the search aliases of eForms business terms
// (the "fields" of https://ted.europa.eu/en/search/expert-search).

/// One answer of the TED Search API v3: `{"notices": [...], "totalNoticeCount": n, "iterationNextToken": "…",
/// "timedOut": false}`, or one bare notice object as public clients save them.
///
/// A notice holds only the fields the request named in `fields`. Their JSON shape depends on the field, not on the
/// notice: scalars (`notice-type`), lists with one entry per lot or per value (`deadline-receipt-tender-date-lot`,
/// `classification-cpv`, repeated per lot), and language maps keyed by lower-case ISO 639-2 codes whose values are
/// strings (`notice-title`, `title-proc`) or lists (`title-lot`, `description-lot`, `buyer-name`). `Values` and
/// `Texts` accept every one of those shapes, so a field that changes shape never loses a page.
struct TEDSearchDocument: Decodable, Sendable {
    /// `notices`: one entry per notice, in the order of the page.
    var notices: [Record] = []
    /// `totalNoticeCount`: notices matching the query, over every page.
    var totalNoticeCount: Int?
    /// `iterationNextToken`: what to send back for the next page (ITERATION mode); null on the last page.
    var iterationNextToken: String?
    /// `timedOut`: the search stopped early and the page may be incomplete.
    var timedOut: Bool?

    enum CodingKeys: String, CodingKey {
        case notices, totalNoticeCount, iterationNextToken, timedOut
        case publicationNumber = "publication-number"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if c.contains(.notices) {
            notices = try c.decodeIfPresent([Record].self, forKey: .notices) ?? []
            totalNoticeCount = try c.decodeIfPresent(Values.self, forKey: .totalNoticeCount)?.first.flatMap { Int($0) }
            iterationNextToken = try c.decodeIfPresent(Values.self, forKey: .iterationNextToken)?.first
            timedOut = try c.decodeIfPresent(Values.self, forKey: .timedOut)?.first.map { $0 == "true" }
        } else {
            // A bare notice, as clients store single search hits (`vswatchdog-ted-v3-notice-…json`).
            notices = [try Record(from: decoder)]
        }
    }

    /// One entry of `notices`: the notice, or why it could not be read (an entry that is not an object) with its
    /// publication number when still readable.
    enum Record: Decodable, Sendable {
        case notice(Notice)
        case unreadable(reason: String, id: String?)

        init(from decoder: any Decoder) throws {
            do {
                self = .notice(try Notice(from: decoder))
            } catch let error as DecodingError {
                self = .unreadable(reason: JSONPageSupport.describe(error), id: JSONPageSupport.recordID(decoder))
            } catch {
                self = .unreadable(reason: "\(error)", id: JSONPageSupport.recordID(decoder))
            }
        }
    }

    /// The fields of one notice that Vigie reads (and so requests).
    struct Notice: Decodable, Sendable {
        // Identity and kind.
        /// `publication-number` (OPP-010, not zero-padded here: "566194-2026").
        var publicationNumber: Values
        /// `notice-identifier` (BT-701, UUID).
        var noticeIdentifier: Values
        /// `procedure-identifier` (BT-04, UUID shared by every notice of a procedure).
        var procedureIdentifier: Values
        /// `internal-identifier-proc` (BT-22, the buyer's own reference).
        var internalIdentifierProc: Values
        /// `notice-type` (BT-02: cn-standard, pin-only, can-standard, …).
        var noticeType: Values
        /// `official-language` (BT-702, upper-case ISO 639-2: `FRA`).
        var officialLanguage: Values
        /// `publication-date` (an `xs:date` with its offset: "2026-09-09+02:00").
        var publicationDate: Values
        /// `procedure-type` (BT-105: open, restricted, neg-w-call, …).
        var procedureType: Values
        /// `links`: `{"html": {"FRA": url}, "xml": {"MUL": url}, "pdf": …}`.
        var links: [String: [String: String]]

        // Texts.
        /// `notice-title`: composed by TED as "<Country> – <CPV label> – <buyer's title>", in every EU language.
        var noticeTitle: Texts
        /// `title-proc` (BT-21 of the procedure): the buyer's own title, in the buyer's languages.
        var titleProc: Texts
        /// `description-proc` (BT-24 of the procedure).
        var descriptionProc: Texts
        /// `title-lot`, `description-lot` (BT-21, BT-24 of each lot): per language, one entry per lot.
        var titleLot: Texts
        var descriptionLot: Texts
        /// `identifier-lot` (BT-137: LOT-0001…), one per lot.
        var identifierLot: Values

        // Buyer and winners.
        /// `buyer-name` (BT-500 of the buyer organisations): per language, one entry per buyer.
        var buyerName: Texts
        /// `organisation-name-buyer`: the older alias of `buyer-name` some clients request.
        var organisationNameBuyer: Texts
        /// `buyer-country` (BT-514, ISO 3166-1 alpha-3).
        var buyerCountry: Values
        /// `buyer-identifier` (BT-501 of the buyer: the national registration number, a SIRET in France).
        var buyerIdentifier: Values
        /// The buyer's contact point, one entry per buyer: `buyer-email` or its alias `organisation-email-buyer`
        /// (BT-506), `organisation-tel-buyer` (BT-503), `organisation-contact-point-buyer` (BT-502),
        /// `buyer-internet-address` or `organisation-internet-address-buyer` (BT-505). None appears in the real
        /// captures (they were not requested); the names are those public clients request from the live API.
        var buyerEmail: Values
        var organisationEmailBuyer: Values
        var organisationTelBuyer: Values
        var organisationContactPointBuyer: Texts
        var buyerInternetAddress: Values
        var organisationInternetAddressBuyer: Values
        /// `winner-name` (per language, one entry per winner) and `winner-identifier` (one per winner).
        var winnerName: Texts
        var winnerIdentifier: Values

        // Classification, place, value.
        /// `main-classification-proc` (BT-262), `additional-classification-proc` (BT-263).
        var mainClassificationProc: Values
        var additionalClassificationProc: Values
        /// `classification-cpv`: every CPV code of the procedure and its lots, repeated per lot.
        var classificationCPV: Values
        /// `main-classification-lot` (one per lot), `additional-classification-lot` (any number per lot).
        var mainClassificationLot: Values
        var additionalClassificationLot: Values
        /// `place-of-performance`: NUTS codes and country codes mixed ("FRK24", "FRA").
        var placeOfPerformance: Values
        /// `estimated-value-proc` / `-cur-proc` (BT-27 of the procedure).
        var estimatedValueProc: Values
        var estimatedValueCurProc: Values
        /// `estimated-value-lot` / `-cur-lot` (BT-27 of each lot; the currency list may be shorter).
        var estimatedValueLot: Values
        var estimatedValueCurLot: Values
        /// `framework-maximum-value-lot` (BT-271 of each lot).
        var frameworkMaximumValueLot: Values
        /// `total-value` / `total-value-cur` (BT-161: the value of an award notice).
        var totalValue: Values
        var totalValueCur: Values

        // Dates and documents.
        /// `deadline-receipt-tender-date-lot` / `-time-lot` (BT-131(d)/(t)): one per lot. The time is a separate
        /// field: without it, only the day is known.
        var tenderDeadlineDateLot: Values
        var tenderDeadlineTimeLot: Values
        /// `deadline-receipt-request-date-lot` / `-time-lot` (BT-1311(d)/(t)): requests to participate (restricted
        /// and negotiated procedures, which then have no tender deadline yet).
        var requestDeadlineDateLot: Values
        var requestDeadlineTimeLot: Values
        /// `deadline-receipt-expressions-date-lot` / `-time-lot` (BT-630): expressions of interest (PIN used as a
        /// call for competition).
        var expressionsDeadlineDateLot: Values
        var expressionsDeadlineTimeLot: Values
        /// `deadline-receipt-request`: date-times that merge the three deadlines above without saying which.
        var deadlineReceiptRequest: Values
        /// `document-url-lot` (BT-15): where the procurement documents are, per lot.
        var documentURLLot: Values

        enum CodingKeys: String, CodingKey, CaseIterable {
            case publicationNumber = "publication-number"
            case noticeIdentifier = "notice-identifier"
            case procedureIdentifier = "procedure-identifier"
            case internalIdentifierProc = "internal-identifier-proc"
            case noticeType = "notice-type"
            case officialLanguage = "official-language"
            case publicationDate = "publication-date"
            case procedureType = "procedure-type"
            case links
            case noticeTitle = "notice-title"
            case titleProc = "title-proc"
            case descriptionProc = "description-proc"
            case titleLot = "title-lot"
            case descriptionLot = "description-lot"
            case identifierLot = "identifier-lot"
            case buyerName = "buyer-name"
            case organisationNameBuyer = "organisation-name-buyer"
            case buyerCountry = "buyer-country"
            case buyerIdentifier = "buyer-identifier"
            case buyerEmail = "buyer-email"
            case organisationEmailBuyer = "organisation-email-buyer"
            case organisationTelBuyer = "organisation-tel-buyer"
            case organisationContactPointBuyer = "organisation-contact-point-buyer"
            case buyerInternetAddress = "buyer-internet-address"
            case organisationInternetAddressBuyer = "organisation-internet-address-buyer"
            case winnerName = "winner-name"
            case winnerIdentifier = "winner-identifier"
            case mainClassificationProc = "main-classification-proc"
            case additionalClassificationProc = "additional-classification-proc"
            case classificationCPV = "classification-cpv"
            case mainClassificationLot = "main-classification-lot"
            case additionalClassificationLot = "additional-classification-lot"
            case placeOfPerformance = "place-of-performance"
            case estimatedValueProc = "estimated-value-proc"
            case estimatedValueCurProc = "estimated-value-cur-proc"
            case estimatedValueLot = "estimated-value-lot"
            case estimatedValueCurLot = "estimated-value-cur-lot"
            case frameworkMaximumValueLot = "framework-maximum-value-lot"
            case totalValue = "total-value"
            case totalValueCur = "total-value-cur"
            case tenderDeadlineDateLot = "deadline-receipt-tender-date-lot"
            case tenderDeadlineTimeLot = "deadline-receipt-tender-time-lot"
            case requestDeadlineDateLot = "deadline-receipt-request-date-lot"
            case requestDeadlineTimeLot = "deadline-receipt-request-time-lot"
            case expressionsDeadlineDateLot = "deadline-receipt-expressions-date-lot"
            case expressionsDeadlineTimeLot = "deadline-receipt-expressions-time-lot"
            case deadlineReceiptRequest = "deadline-receipt-request"
            case documentURLLot = "document-url-lot"
        }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            func v(_ k: CodingKeys) throws -> Values { try c.decodeIfPresent(Values.self, forKey: k) ?? Values() }
            func t(_ k: CodingKeys) throws -> Texts { try c.decodeIfPresent(Texts.self, forKey: k) ?? Texts() }
            publicationNumber = try v(.publicationNumber)
            noticeIdentifier = try v(.noticeIdentifier)
            procedureIdentifier = try v(.procedureIdentifier)
            internalIdentifierProc = try v(.internalIdentifierProc)
            noticeType = try v(.noticeType)
            officialLanguage = try v(.officialLanguage)
            publicationDate = try v(.publicationDate)
            procedureType = try v(.procedureType)
            links = try c.decodeIfPresent(Links.self, forKey: .links)?.urls ?? [:]
            noticeTitle = try t(.noticeTitle)
            titleProc = try t(.titleProc)
            descriptionProc = try t(.descriptionProc)
            titleLot = try t(.titleLot)
            descriptionLot = try t(.descriptionLot)
            identifierLot = try v(.identifierLot)
            buyerName = try t(.buyerName)
            organisationNameBuyer = try t(.organisationNameBuyer)
            buyerCountry = try v(.buyerCountry)
            buyerIdentifier = try v(.buyerIdentifier)
            buyerEmail = try v(.buyerEmail)
            organisationEmailBuyer = try v(.organisationEmailBuyer)
            organisationTelBuyer = try v(.organisationTelBuyer)
            organisationContactPointBuyer = try t(.organisationContactPointBuyer)
            buyerInternetAddress = try v(.buyerInternetAddress)
            organisationInternetAddressBuyer = try v(.organisationInternetAddressBuyer)
            winnerName = try t(.winnerName)
            winnerIdentifier = try v(.winnerIdentifier)
            mainClassificationProc = try v(.mainClassificationProc)
            additionalClassificationProc = try v(.additionalClassificationProc)
            classificationCPV = try v(.classificationCPV)
            mainClassificationLot = try v(.mainClassificationLot)
            additionalClassificationLot = try v(.additionalClassificationLot)
            placeOfPerformance = try v(.placeOfPerformance)
            estimatedValueProc = try v(.estimatedValueProc)
            estimatedValueCurProc = try v(.estimatedValueCurProc)
            estimatedValueLot = try v(.estimatedValueLot)
            estimatedValueCurLot = try v(.estimatedValueCurLot)
            frameworkMaximumValueLot = try v(.frameworkMaximumValueLot)
            totalValue = try v(.totalValue)
            totalValueCur = try v(.totalValueCur)
            tenderDeadlineDateLot = try v(.tenderDeadlineDateLot)
            tenderDeadlineTimeLot = try v(.tenderDeadlineTimeLot)
            requestDeadlineDateLot = try v(.requestDeadlineDateLot)
            requestDeadlineTimeLot = try v(.requestDeadlineTimeLot)
            expressionsDeadlineDateLot = try v(.expressionsDeadlineDateLot)
            expressionsDeadlineTimeLot = try v(.expressionsDeadlineTimeLot)
            deadlineReceiptRequest = try v(.deadlineReceiptRequest)
            documentURLLot = try v(.documentURLLot)
        }
    }

    /// A field as a list of strings, whatever its JSON shape: a string, a number (`"estimated-value-proc": 500000`),
    /// a boolean, a list of those, or nested lists; null gives an empty list. Numbers keep their decimal digits.
    struct Values: Decodable, Sendable, Hashable {
        var values: [String] = []

        init(_ values: [String] = []) { self.values = values }

        init(from decoder: any Decoder) throws {
            if var list = try? decoder.unkeyedContainer() {
                while !list.isAtEnd { values += try list.decode(Values.self).values }
                return
            }
            if let object = try? decoder.container(keyedBy: AnyKey.self) {
                // Not a shape TED uses for these fields; keep the strings rather than fail the page.
                for key in object.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
                    values += try object.decode(Values.self, forKey: key).values
                }
                return
            }
            let c = try decoder.singleValueContainer()
            if c.decodeNil() { return }
            if let s = try? c.decode(String.self) {
                values = [s]
            } else if let b = try? c.decode(Bool.self) {
                values = [b ? "true" : "false"]
            } else {
                values = [try Self.number(c)]
            }
        }

        /// A JSON number as text, without the binary rounding of `Double` ("9999999.99", not "9999999.990000001").
        static func number(_ c: any SingleValueDecodingContainer) throws -> String {
            if let i = try? c.decode(Int64.self) { return String(i) }
            let d = try c.decode(Decimal.self)
            return "\(d)"
        }

        var first: String? { values.first }
        var isEmpty: Bool { values.isEmpty }
        var count: Int { values.count }
    }

    /// A multilingual field as (language, texts) pairs, languages in alphabetical order: `{"fra": "…"}`,
    /// `{"fra": ["…", "…"]}`; a plain string or list has no language.
    struct Texts: Decodable, Sendable, Hashable {
        var byLanguage: [Entry] = []

        struct Entry: Sendable, Hashable {
            var lang: String?
            var texts: [String]
        }

        init() {}

        init(from decoder: any Decoder) throws {
            if let object = try? decoder.container(keyedBy: AnyKey.self) {
                for key in object.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
                    let texts = try object.decode(Values.self, forKey: key).values
                    if !texts.isEmpty { byLanguage.append(Entry(lang: key.stringValue, texts: texts)) }
                }
                return
            }
            let texts = try Values(from: decoder).values
            if !texts.isEmpty { byLanguage = [Entry(lang: nil, texts: texts)] }
        }

        /// Every (language, text) pair, in the form `FormatSupport.pick` takes.
        var pairs: [(lang: String?, text: String)] {
            byLanguage.flatMap { e in e.texts.map { (lang: e.lang, text: $0) } }
        }

        /// The texts of one language: the notice's language, then French, then English, then the first. Lot lists
        /// are read this way so that entry `i` of every language stays lot `i`.
        func list(noticeLanguage: String?) -> [String] {
            let entries = byLanguage.map { (lang: FormatSupport.iso639_1($0.lang), texts: $0.texts) }
            for want in [FormatSupport.iso639_1(noticeLanguage), "fr", "en"] {
                if let want, let hit = entries.first(where: { $0.lang == want }) { return hit.texts }
            }
            return entries.first?.texts ?? []
        }

        var isEmpty: Bool { byLanguage.isEmpty }
    }

    /// `links`: kind (`html`, `xml`, `pdf`…) → language → URL; other shapes are ignored.
    struct Links: Decodable, Sendable {
        var urls: [String: [String: String]] = [:]

        init(from decoder: any Decoder) throws {
            guard let object = try? decoder.container(keyedBy: AnyKey.self) else { return }
            for kind in object.allKeys {
                guard let byLang = try? object.nestedContainer(keyedBy: AnyKey.self, forKey: kind) else { continue }
                var m: [String: String] = [:]
                for lang in byLang.allKeys {
                    if let url = try byLang.decodeIfPresent(Values.self, forKey: lang)?.first {
                        m[lang.stringValue] = url
                    }
                }
                urls[kind.stringValue] = m
            }
        }
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
