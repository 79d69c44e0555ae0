import Foundation

// Specs: SEDIA search API of the EU Funding & Tenders Portal,
// POST https://api.tech.ec.europa.eu/search-api/prod/rest/search?apiKey=SEDIA (no public reference page; shape as
// returned to the portal's own front end, see `design/SOURCES.md` §1.7).

/// One page of the SEDIA search API: `{"totalResults", "pageNumber", "pageSize", "results": [...]}`.
struct EUFundingDocument: Decodable {
    var totalResults: Int?
    var pageNumber: Int?
    var pageSize: Int?
    var results: [Failable<EUFundingResult>]

    enum CodingKeys: String, CodingKey { case totalResults, pageNumber, pageSize, results }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        totalResults = try c.decodeIfPresent(LenientString.self, forKey: .totalResults).flatMap { Int($0.value) }
        pageNumber = try c.decodeIfPresent(LenientString.self, forKey: .pageNumber).flatMap { Int($0.value) }
        pageSize = try c.decodeIfPresent(LenientString.self, forKey: .pageSize).flatMap { Int($0.value) }
        results = try c.decodeIfPresent([Failable<EUFundingResult>].self, forKey: .results) ?? []
    }
}

/// One search hit: a grant topic, a call for proposals, a cascade-funding call or a tender.
struct EUFundingResult: Decodable {
    var reference: String?
    var url: String?
    var title: String?
    var summary: String?
    var language: String?
    /// Every metadata value is a list of strings (`"identifier": ["HORIZON-CL4-2025-04-DATA-03"]`).
    var metadata: [String: LenientStringList]

    enum CodingKeys: String, CodingKey { case reference, url, title, summary, language, metadata }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        reference = try c.decodeIfPresent(String.self, forKey: .reference)
        url = try c.decodeIfPresent(String.self, forKey: .url)
        title = try c.decodeIfPresent(String.self, forKey: .title)
        summary = try c.decodeIfPresent(String.self, forKey: .summary)
        language = try c.decodeIfPresent(String.self, forKey: .language)
        metadata = try c.decodeIfPresent([String: LenientStringList].self, forKey: .metadata) ?? [:]
    }

    /// All values of a metadata key.
    func values(_ key: String) -> [String] { metadata[key]?.values ?? [] }

    /// The first non-empty value of a metadata key.
    func first(_ key: String) -> String? { values(key).lazy.compactMap(FormatSupport.nonEmpty).first }
}
