import Foundation
import Notices

/// Reads DECP award data into notices, one record at a time: the national consolidated files are hundreds of
/// megabytes, so the record array is found by `DECPRecordScanner` and each record decoded alone.
enum DECPParser {
    /// Whether `bytes` are a DECP JSON document: a `marches` container (even empty), or an ODS page / capture
    /// whose first record has DECP's flat columns (`acheteur_id` and `codecpv` or `montant`). BOAMP pages share
    /// the `results` and `records` envelopes, so the first record decides.
    static func matches(_ bytes: [UInt8]) -> Bool {
        var scanner = DECPRecordScanner(bytes: bytes)
        var someIsDECP = false
        var judged = 0
        let path: [String]?
        do {
            // Any of the first records decides, not only the first: one bad record must not hide its whole file.
            path = try scanner.forEachRecord { range in
                judged += 1
                someIsDECP = isDECPRecord(bytes[range])
                return !someIsDECP && judged < JSONPageSupport.recordsJudged
            }
        } catch {
            // A file cut short still has its record array (`parse` keeps the records before the cut); anything
            // else is not JSON of a shape the scanner walks: the other adapters (or the JSON error) will tell.
            path = scanner.foundPath
        }
        guard let path else { return false }
        return path.first == "marches" || someIsDECP
    }

    /// Whether one record's keys are DECP's (nested or flat).
    static func isDECPRecord(_ slice: ArraySlice<UInt8>) -> Bool {
        guard let d = try? JSONSerialization.jsonObject(with: Data(slice)) as? [String: Any] else { return false }
        let keys = Set(d.keys.map(DECPRecord.fold))
        let hasBuyer = keys.contains("acheteurid") || keys.contains("acheteur")
        return hasBuyer && (keys.contains("codecpv") || keys.contains("montant") || keys.contains("titulaires"))
    }

    /// Parses every record; a record that cannot be read becomes an issue naming its index and id.
    static func parse(_ bytes: [UInt8], options: ParseOptions) throws -> ParsedDocument {
        var notices: [Notice] = []
        let (issues, truncated) = try parseReporting(bytes, options: options) { notices.append($0) }
        return ParsedDocument(format: .decpJSON, notices: notices, issues: issues, truncated: truncated)
    }

    /// Parses every record and hands each notice to `onNotice` as soon as it is built; returns the issues.
    static func parse(_ bytes: [UInt8], options: ParseOptions, onNotice: (Notice) -> Void) throws -> [ParseIssue] {
        try parseReporting(bytes, options: options, onNotice: onNotice).issues
    }

    /// `parse(_:options:onNotice:)`, also saying whether the file ends before its top-level value is closed (an
    /// interrupted download: the records before the cut are delivered, the page is `truncated`).
    static func parseReporting(
        _ bytes: [UInt8], options: ParseOptions, onNotice: (Notice) -> Void
    ) throws -> (issues: [ParseIssue], truncated: Bool) {
        var truncated = false
        var issues: [ParseIssue] = []
        var repairedNaN = false
        var index = 0
        var scanner = DECPRecordScanner(bytes: bytes)
        let decoder = JSONDecoder()
        do {
            try scanner.forEachRecord { range in
                defer { index += 1 }
                let slice = Array(bytes[range])
                let record: DECPRecord
                do {
                    record = try decoder.decode(DECPRecord.self, from: Data(slice))
                } catch {
                    // Consolidated files written by pandas hold bare NaN values: read them as null, nothing else.
                    guard let repaired = JSONValue.replacingNonFiniteNumbers(slice),
                        let r = try? decoder.decode(DECPRecord.self, from: Data(repaired))
                    else {
                        // One record that cannot be read is left out with an issue; the rest of the file is kept.
                        issues.append(
                            JSONPageSupport.skippedRecord(
                                documentName: options.documentName, format: "decp", index: index,
                                id: JSONPageSupport.recordID(json: slice), error: error))
                        return true
                    }
                    repairedNaN = true
                    record = r
                }
                do {
                    onNotice(try DECPAdapter.notice(record, options: options))
                } catch {
                    issues.append(
                        JSONPageSupport.skippedRecord(
                            documentName: options.documentName, format: "decp", index: index,
                            id: record.id ?? record.uid, error: error))
                }
                return true
            }
        } catch let error as DECPRecordScanner.ScanError {
            // A file cut short (an interrupted download) keeps the records read before the damage.
            let issue = ParseIssue(file: options.documentName, message: error.description)
            if index == 0 { throw ParserError.malformed(issue) }
            issues.append(issue)
            truncated = JSONTruncation.isTruncated(bytes)
        }
        if repairedNaN {
            issues.insert(
                ParseIssue(file: options.documentName, message: "json: non-standard NaN/Infinity values read as null"),
                at: 0)
        }
        return (issues, truncated)
    }
}
