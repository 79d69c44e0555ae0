import Foundation
import Notices

/// Reads an EU Funding & Tenders Portal search page into notices.
enum EUFundingParser {
    /// Whether the JSON value `root` is a SEDIA search page.
    static func matches(_ root: Any) -> Bool {
        guard let d = root as? [String: Any], let results = d["results"] as? [Any] else { return false }
        // Any of the first results decides, not only the first: one bad record must not hide its whole page.
        if !results.isEmpty {
            return results.prefix(JSONPageSupport.recordsJudged).contains { ($0 as? [String: Any])?["metadata"] != nil }
        }
        return d["totalResults"] != nil && d["pageNumber"] != nil
    }

    /// Decodes the page and builds one notice per result; a result that cannot be read becomes an issue.
    static func parse(_ bytes: [UInt8], options: ParseOptions) throws -> ParsedDocument {
        let document: EUFundingDocument
        do {
            document = try JSONDecoder().decode(EUFundingDocument.self, from: LenientJSON.data(bytes))
        } catch {
            throw JSONPageSupport.malformed(options.documentName, nil, "eu-funding: \(error)")
        }
        // One record that cannot be read is left out with an issue; the rest of the page is kept.
        let (notices, issues) = JSONPageSupport.notices(
            document.results, documentName: options.documentName, format: "eu-funding", idKey: \.id,
            build: { try EUFundingAdapter.notice($0.result.get(), options: options) })
        return ParsedDocument(format: .euFundingJSON, notices: notices, issues: issues)
    }
}
