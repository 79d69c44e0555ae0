import Foundation
import Notices

/// One Opendatasoft BOAMP record, read: the typed flat columns and national form, and the untyped `donnees`
/// tree (eForms UBL or `Boamp_v230` in xmltodict form, read by path).
struct BOAMPRecord {
    var document: BOAMPRecordDocument
    /// `donnees` decoded as plain JSON (nil when absent or not JSON).
    var tree: Any?
    /// What was lost while reading the record (a `donnees` string that is not JSON…).
    var problems: [String] = []

    /// The eForms notice inside `donnees` (`{"EFORMS": {"ContractNotice": {…}}}` → the inner object).
    var eforms: Any? {
        JSONValue.member(tree, "EFORMS").flatMap { e -> Any? in (e as? [String: Any])?.values.first }
    }
    /// The `Boamp_v230.xsd` tree of records published before eForms and the national forms.
    var frenchSchema: Any? {
        guard eforms == nil, document.donnees?.value?.FNSimple == nil, document.donnees?.value?.MAPA == nil
        else { return nil }
        return tree
    }
}

/// Reads the page shapes BOAMP's JSON comes in, and each record into a `BOAMPRecord`.
enum BOAMPRecordParser {
    /// The records of a page: Explore v2.1 (`{"total_count", "results"}`), Explore v1 (`{"nhits", "records":
    /// [{"fields": …}]}`), a capturer's wrapper (`{"records": [record]}`), an export (`[record]`) or one record.
    static func records(in root: Any, baseURL: String?) -> (records: [Any], paging: PagingHint?) {
        guard let d = root as? [String: Any] else { return ((root as? [Any]) ?? [], nil) }
        if let results = d["results"] as? [Any] {
            let total = JSONValue.int(d["total_count"])
            var paging = PagingHint(total: total)
            // Explore v2.1 gives no next link: derive it from the request's offset and limit, within the API's
            // cap (offset + limit ≤ 10,000).
            if let total, let limit = JSONPageSupport.query(baseURL, "limit") {
                let offset = JSONPageSupport.query(baseURL, "offset") ?? 0
                if offset + limit < total, offset + limit < 10_000 {
                    paging.nextURL = JSONPageSupport.url(baseURL, setting: "offset", to: String(offset + limit))
                }
            }
            return (results, paging)
        }
        if let recs = d["records"] as? [Any] {
            let paging = d["nhits"] != nil ? PagingHint(total: JSONValue.int(d["nhits"])) : nil
            return (recs.map { JSONValue.member($0, "fields") ?? $0 }, paging)
        }
        return ([d], nil)
    }

    /// Decodes one record (already parsed as JSON) into its typed document and untyped `donnees` tree.
    static func record(_ raw: Any) throws -> BOAMPRecord {
        guard JSONSerialization.isValidJSONObject(raw) else {
            throw ParserError.malformed(ParseIssue(message: "boamp: record is not a JSON object"))
        }
        let data = try JSONSerialization.data(withJSONObject: raw)
        let document = try JSONDecoder().decode(BOAMPRecordDocument.self, from: data)
        var record = BOAMPRecord(document: document, tree: nil)
        switch JSONValue.member(raw, "donnees") {
        case let s as String:
            do {
                record.tree = try JSONSerialization.jsonObject(with: Data(s.utf8))
            } catch {
                record.problems.append("boamp: donnees is not JSON (\(error.localizedDescription))")
            }
        case let d as [String: Any]:
            record.tree = d
        default:
            break
        }
        if let failure = document.donnees?.failure, record.tree != nil {
            record.problems.append("boamp: national form in donnees not read: \(failure)")
        }
        return record
    }
}
