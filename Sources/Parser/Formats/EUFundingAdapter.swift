import Foundation
import Notices

// Specs: SEDIA search API of the EU Funding & Tenders Portal,
// POST https://api.tech.ec.europa.eu/search-api/prod/rest/search?apiKey=SEDIA (no public reference page;
// shape as returned to the portal's own front end).

/// EU Funding & Tenders Portal search pages: `{"totalResults", "pageNumber", "pageSize", "results": [...]}`.
///
/// Every metadata value is a list (`"identifier": ["HORIZON-CL4-2025-04-DATA-03"]`); `budgetOverview` is a
/// JSON string to decode again; dates look like `2025-09-23T00:00:00.000+0000`. Type 1 is a grant call topic
/// (→ call for projects); other types are tenders.
enum EUFundingAdapter {
    static func matches(_ root: Any) -> Bool {
        guard let d = root as? [String: Any], let results = d["results"] as? [Any] else { return false }
        if let first = results.first as? [String: Any] { return first["metadata"] != nil }
        return d["totalResults"] != nil && d["pageNumber"] != nil
    }

    static func parse(_ root: Any, options: ParseOptions) -> ParsedDocument {
        let d = root as? [String: Any] ?? [:]
        let records = d["results"] as? [Any] ?? []
        var paging = PagingHint(total: JSONValue.int(d["totalResults"]))
        if let total = paging.total, let page = JSONValue.int(d["pageNumber"]), let size = JSONValue.int(d["pageSize"]),
            page * size < total
        {
            paging.nextURL = JSONPageSupport.url(options.baseURL, setting: "pageNumber", to: String(page + 1))
            paging.nextToken = String(page + 1)
        }
        let (notices, issues) = JSONPageSupport.notices(
            records, documentName: options.documentName,
            idKey: {
                JSONValue.string(JSONValue.at($0, "metadata/identifier"))
                    ?? JSONValue.string(JSONValue.member($0, "reference"))
            },
            build: { try notice($0, options: options) })
        return ParsedDocument(format: .euFundingJSON, notices: notices, issues: issues, paging: paging)
    }

    static func meta(_ r: Any, _ key: String) -> Any? { JSONValue.at(r, "metadata/" + key) }

    static func notice(_ r: Any, options: ParseOptions) throws -> Notice {
        guard let id = JSONValue.string(meta(r, "identifier")) ?? JSONValue.string(JSONValue.member(r, "reference"))
        else {
            throw JSONPageSupport.malformed(options.documentName, nil, "eu-funding: result has no identifier")
        }
        guard
            let title = FormatSupport.nonEmpty(JSONValue.string(meta(r, "title")))
                ?? FormatSupport.nonEmpty(JSONValue.string(JSONValue.member(r, "title")))
        else {
            throw JSONPageSupport.malformed(options.documentName, id, "eu-funding: result has no title")
        }
        let type = JSONValue.string(meta(r, "type")) ?? "1"
        var n = Notice(
            source: options.sourceID, sourceID: id, kind: type == "1" ? .callForProjects : .tender,
            title: title)
        n.language = JSONValue.string(meta(r, "language")) ?? JSONValue.string(JSONValue.member(r, "language")) ?? "en"
        n.summary =
            FormatSupport.text(fromHTML: JSONValue.string(meta(r, "descriptionByte")))
            ?? FormatSupport.nonEmpty(JSONValue.string(JSONValue.member(r, "summary")))
        n.url =
            "https://ec.europa.eu/info/funding-tenders/opportunities/portal/screen/opportunities/topic-details/"
            + id.lowercased()
        let opening = date(JSONValue.string(meta(r, "startDate")))
        let deadlines = JSONValue.strings(meta(r, "deadlineDate")).compactMap(date).sorted()
        n.deadline = deadlines.first
        n.otherDeadlines = deadlines.dropFirst().map { NamedDate(kind: .nextStage, date: $0) }
        n.published = opening?.instant
        let programme = JSONValue.string(meta(r, "callTitle")) ?? JSONValue.string(meta(r, "frameworkProgramme"))
        let actions = JSONValue.strings(meta(r, "typesOfAction"))
        n.call = CallDetails(
            funder: "European Commission" + (programme.map { " – \($0)" } ?? ""),
            beneficiaries: JSONValue.strings(meta(r, "targetAudience")), opening: opening,
            closing: n.deadline, collaborative: collaborative(actions))
        n.buyer = Buyer(name: "European Commission")
        n.categories = JSONValue.strings(meta(r, "keywords")) + actions
        n.refs.buyerReference = JSONValue.string(meta(r, "callIdentifier"))
        n.procedure = JSONValue.string(meta(r, "deadlineModel"))
        n.value = budget(JSONValue.string(meta(r, "budgetOverview")), topic: id)
        return n
    }

    /// Looked up once: every record has several dates.
    static let brussels = TimeZone(identifier: "Europe/Brussels")

    /// Portal dates; a bare date (time 00:00 UTC) is a call deadline, which the portal states as 17:00 Brussels
    /// time on every topic page.
    static func date(_ s: String?) -> ZonedDate? {
        guard let s else { return nil }
        if s.count >= 10, s.dropFirst(10).hasPrefix("T00:00:00") || s.count == 10, let brussels {
            return FormatSupport.zoned(String(s.prefix(10)) + "T17:00:00", zone: brussels)
        }
        return ISO8601.parseZoned(s)
    }

    /// Research and innovation actions and innovation actions require a consortium; grants to single entities
    /// (ERC, MSCA fellowships, EIC Accelerator) do not.
    static func collaborative(_ actions: [String]) -> Bool? {
        let a = actions.joined(separator: " ").uppercased()
        if a.contains("RIA") || a.contains("-IA") || a.contains("CSA") || a.contains("RESEARCH AND INNOVATION") {
            return true
        }
        if a.contains("ERC") || a.contains("EIC-ACC") || a.contains("MSCA-PF") { return false }
        return nil
    }

    /// `budgetOverview` = `{"budgetTopicActionMap": {"…": [{"action": "TOPIC - …",
    /// "budgetYearMap": {"2025": 1.5E7},
    /// "minContribution": …, "maxContribution": …}]}}`: the topic's total budget and the grant range.
    static func budget(_ json: String?, topic: String) -> Money? {
        guard let json, let data = json.data(using: .utf8),
            let root = try? JSONSerialization.jsonObject(with: data),
            let map = JSONValue.member(root, "budgetTopicActionMap") as? [String: Any]
        else { return nil }
        var total: Decimal = 0
        var minC: Decimal?
        var maxC: Decimal?
        var found = false
        for entries in map.values {
            for e in (entries as? [Any]) ?? [] {
                let action = JSONValue.string(JSONValue.member(e, "action")) ?? ""
                guard action.isEmpty || action.uppercased().hasPrefix(topic.uppercased()) || map.count == 1 else {
                    continue
                }
                found = true
                if let years = JSONValue.member(e, "budgetYearMap") as? [String: Any] {
                    for v in years.values { total += FormatSupport.decimal(json: v) ?? 0 }
                }
                minC = FormatSupport.decimal(json: JSONValue.member(e, "minContribution")) ?? minC
                maxC = FormatSupport.decimal(json: JSONValue.member(e, "maxContribution")) ?? maxC
            }
        }
        guard found, total > 0 || minC != nil || maxC != nil else { return nil }
        return Money(amount: total > 0 ? total : nil, currency: "EUR", min: minC, max: maxC)
    }
}
