import Foundation
import Notices

/// Reads an aides-territoires page (or a bare list of aids) into notices.
enum AidesTerritoiresParser {
    /// Whether the JSON value `root` is an aides-territoires page or dump.
    static func matches(_ root: Any) -> Bool {
        let records: [Any]
        if let d = root as? [String: Any], let r = d["results"] as? [Any] {
            records = r
        } else if let l = root as? [Any] {
            records = l
        } else {
            return false
        }
        guard !records.isEmpty else {
            // An empty page still has the paging keys: {"count": 0, "next": null, "previous": null}.
            let d = root as? [String: Any]
            return d?["count"] != nil && d?.keys.contains("previous") == true
        }
        // Any of the first records decides, not only the first: one bad record must not hide its whole page.
        return records.prefix(JSONPageSupport.recordsJudged).contains { r in
            guard let aid = r as? [String: Any] else { return false }
            return aid["submission_deadline"] != nil || aid["is_call_for_project"] != nil || aid["financers"] != nil
        }
    }

    /// Decodes the page and builds one notice per aid; an aid that cannot be read becomes an issue.
    static func parse(_ bytes: [UInt8], options: ParseOptions) throws -> ParsedDocument {
        let document: AidesTerritoiresDocument
        do {
            document = try JSONDecoder().decode(AidesTerritoiresDocument.self, from: LenientJSON.data(bytes))
        } catch {
            throw JSONPageSupport.malformed(options.documentName, nil, "aides-territoires: \(error)")
        }
        // One record that cannot be read is left out with an issue; the rest of the page is kept.
        let (notices, issues) = JSONPageSupport.notices(
            document.results, documentName: options.documentName, format: "aides-territoires", idKey: \.id,
            build: { try AidesTerritoiresAdapter.notice($0.result.get(), options: options) })
        return ParsedDocument(format: .aidesTerritoiresJSON, notices: notices, issues: issues)
    }
}
