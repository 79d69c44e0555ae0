import Foundation
import Notices

// Specs: https://docs.ted.europa.eu/api/endpoints/ted-europa-eu.html (Search API v3, POST /v3/notices/search).

/// TED Search API v3 pages: `{"notices": [...], "totalNoticeCount": n, "iterationNextToken": "…"}`.
///
/// Fields are the names requested in `fields` (`publication-number`, `notice-title`, `buyer-name`…). Their shape
/// varies: multilingual fields are maps keyed by lower-case ISO 639-2 codes (`fra`, `eng`) of strings or lists,
/// lot fields are lists (one value per lot, CPV codes repeated per lot), the rest strings or lists.
enum TEDSearchAdapter {
    static func matches(_ root: Any) -> Bool {
        guard let d = root as? [String: Any], let notices = d["notices"] as? [Any] else { return false }
        return d["totalNoticeCount"] != nil || d["iterationNextToken"] != nil
            || (notices.first as? [String: Any])?["publication-number"] != nil
    }

    static func parse(_ root: Any, options: ParseOptions) -> ParsedDocument {
        let d = root as? [String: Any] ?? [:]
        let records = d["notices"] as? [Any] ?? []
        var paging = PagingHint(total: JSONValue.int(d["totalNoticeCount"]))
        if let token = JSONValue.string(d["iterationNextToken"]), !records.isEmpty { paging.nextToken = token }
        let (notices, issues) = JSONPageSupport.notices(
            records, documentName: options.documentName,
            idKey: { JSONValue.string(JSONValue.member($0, "publication-number")) },
            build: { try notice($0, options: options) })
        return ParsedDocument(format: .tedJSON, notices: notices, issues: issues, paging: paging)
    }

    static func field(_ r: Any, _ name: String) -> Any? { JSONValue.member(r, name) }

    static func notice(_ r: Any, options: ParseOptions) throws -> Notice {
        guard let pubNo = FormatSupport.tedPublicationNumber(JSONValue.string(field(r, "publication-number"))) else {
            throw JSONPageSupport.malformed(options.documentName, nil, "ted: notice has no publication-number")
        }
        let titles = JSONValue.texts(field(r, "notice-title"))
        let lang =
            JSONValue.strings(field(r, "notice-language")).first
            ?? (titles.contains { $0.lang == "fra" } ? "fra" : nil)
        guard
            var title = FormatSupport.pick(titles, noticeLanguage: lang)
                ?? FormatSupport.pick(
                    JSONValue.texts(field(r, "title-proc")), noticeLanguage: lang)
        else {
            throw JSONPageSupport.malformed(options.documentName, pubNo, "ted: notice has no notice-title")
        }
        // Search results title notices "<Country> – <CPV label> – <title>"; keep the buyer's own title.
        let parts = title.components(separatedBy: " – ")
        if parts.count >= 3 { title = parts.dropFirst(2).joined(separator: " – ") }
        var n = Notice(
            source: options.sourceID, sourceID: pubNo, kind: kind(JSONValue.string(field(r, "notice-type"))),
            title: title)
        n.language = FormatSupport.pickedLanguage(titles, noticeLanguage: lang)
        n.summary =
            FormatSupport.pick(JSONValue.texts(field(r, "description-proc")), noticeLanguage: lang)
            ?? FormatSupport.pick(JSONValue.texts(field(r, "description-lot")), noticeLanguage: lang)
        n.refs.tedPublicationNumber = pubNo
        n.refs.eformsNoticeID = JSONValue.string(field(r, "notice-identifier"))
        n.refs.eformsProcedureID = JSONValue.string(field(r, "procedure-identifier"))
        n.refs.buyerReference = JSONValue.string(field(r, "internal-identifier-proc"))
        n.published = FormatSupport.date(JSONValue.string(field(r, "publication-date")))?.instant
        let links = field(r, "links")
        n.url =
            JSONValue.string(JSONValue.at(links, "html/FRA")) ?? JSONValue.string(JSONValue.at(links, "html/ENG"))
            ?? "https://ted.europa.eu/fr/notice/-/detail/\(pubNo)"
        let buyerNames = JSONValue.texts(field(r, "buyer-name")) + JSONValue.texts(field(r, "organisation-name-buyer"))
        let country = JSONValue.strings(field(r, "buyer-country")).first
        if !buyerNames.isEmpty || country != nil {
            n.buyer = Buyer(
                name: FormatSupport.pick(buyerNames, noticeLanguage: lang),
                id: JSONValue.strings(field(r, "buyer-identifier")).first, country: country)
        }
        n.awardees = awardees(r, noticeLanguage: lang)
        var cpv: [String] = []
        for c
            in (JSONValue.strings(field(r, "main-classification-proc"))
            + JSONValue.strings(field(r, "classification-cpv")))
            .compactMap(FormatSupport.cpv) where !cpv.contains(c)
        { cpv.append(c) }
        n.cpv = cpv
        n.mainCPV =
            JSONValue.strings(field(r, "main-classification-proc")).compactMap(FormatSupport.cpv).first ?? cpv.first
        n.procedure = JSONValue.string(field(r, "procedure-type"))
        if let v = FormatSupport.decimal(JSONValue.string(field(r, "estimated-value-proc"))) {
            n.value = Money(
                amount: v, currency: JSONValue.string(field(r, "estimated-value-cur-proc")) ?? "EUR", vat: "HT")
        }
        let tenderDeadlines = JSONValue.strings(field(r, "deadline-receipt-tender-date-lot"))
            .compactMap { FormatSupport.date($0, endOfDay: true) }
        let requestDeadlines = JSONValue.strings(field(r, "deadline-receipt-request-date-lot"))
            .compactMap { FormatSupport.date($0, endOfDay: true) }
        n.deadline = tenderDeadlines.min() ?? requestDeadlines.min()
        if !tenderDeadlines.isEmpty, let req = requestDeadlines.min() {
            n.otherDeadlines.append(NamedDate(kind: .requestToParticipate, date: req))
        }
        // place-of-performance mixes NUTS codes and country codes ("FRK25", "FRA"); keep the NUTS ones.
        for code in JSONValue.strings(field(r, "place-of-performance")) where isNUTS(code) {
            FormatSupport.appendUnique(FormatSupport.place(nuts: code, postcode: nil, commune: nil), to: &n.places)
        }
        let lotTitles = JSONValue.strings(
            JSONValue.member(field(r, "title-lot"), lang?.lowercased() ?? "fra")
                ?? JSONValue.member(field(r, "title-lot"), "eng"))
        n.lots = lotTitles.enumerated().map {
            Lot(id: "LOT-\(String(format: "%04d", $0.offset + 1))", title: $0.element)
        }
        return n
    }

    /// `winner-name` (a language map of lists, one name per winner) and `winner-identifier` (a list). The two
    /// lists are paired only when they have the same length: otherwise which id goes with which name is unknown,
    /// and names alone are kept.
    static func awardees(_ r: Any, noticeLanguage lang: String?) -> [Buyer] {
        let texts = JSONValue.texts(field(r, "winner-name"))
        let chosen = FormatSupport.pickedLanguage(texts, noticeLanguage: lang)
        let names = texts.filter { FormatSupport.iso639_1($0.lang) == chosen }.compactMap {
            FormatSupport.nonEmpty($0.text)
        }
        let ids = JSONValue.strings(field(r, "winner-identifier")).map(FormatSupport.registrationNumber)
        var out: [Buyer] = []
        for (i, name) in names.enumerated() {
            let b = Buyer(name: name, id: ids.count == names.count ? ids[i] : nil)
            if !out.contains(b) { out.append(b) }
        }
        return out
    }

    /// NUTS codes are two letters and one to three letters or digits; three-letter values are usually countries
    /// (`FRA`), so those count only when they are a French NUTS-1 code.
    static func isNUTS(_ code: String) -> Bool {
        guard code.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber) }) else { return false }
        if code.count == 4 || code.count == 5 { return code.prefix(2).allSatisfy(\.isLetter) }
        return code.count == 3 && FrenchGeography.isFrenchNUTS(code)
    }

    /// eForms notice types (BT-02) → kind.
    static func kind(_ type: String?) -> NoticeKind {
        guard let t = type?.lowercased() else { return .tender }
        if t.hasPrefix("can-modif") || t == "corr" || t.hasPrefix("compl") { return .change }
        if t.hasPrefix("can") || t.hasPrefix("veat") { return .award }
        if t.hasPrefix("pin") || t.hasPrefix("pmc") { return .priorInformation }
        return .tender
    }
}
