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
    /// The page's totals and next offsets are the fetcher's to read (`Pager`), not the parser's.
    static func records(in root: Any) -> [Any] {
        guard let d = root as? [String: Any] else { return (root as? [Any]) ?? [] }
        if let results = d["results"] as? [Any] { return results }
        if let recs = d["records"] as? [Any] { return recs.map { JSONValue.member($0, "fields") ?? $0 } }
        return [d]
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
