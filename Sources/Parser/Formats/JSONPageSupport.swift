import Foundation
import Notices

/// What every JSON API adapter shares: building one notice per record without letting a bad record stop
/// the page. (Where the next page is, and how many records are left, is the fetcher's `Pager` to read.)
enum JSONPageSupport {
    /// Builds notices from `records`; a record that throws becomes a `ParseIssue` naming the document, the record
    /// index and its id when known, and the rest of the page still parses.
    /// `format` prefixes a bare decoding error, as in ``skippedRecord(documentName:format:index:id:error:)``.
    static func notices<Record>(
        _ records: [Record], documentName: String, format: String? = nil, idKey: (Record) -> String?,
        build: (Record) throws -> Notice
    ) -> (notices: [Notice], issues: [ParseIssue]) {
        var notices: [Notice] = []
        var issues: [ParseIssue] = []
        for (i, r) in records.enumerated() {
            do {
                notices.append(try build(r))
            } catch {
                issues.append(
                    skippedRecord(documentName: documentName, format: format, index: i, id: idKey(r), error: error))
            }
        }
        return (notices, issues)
    }

    /// The issue of a record left out of its page: names the document, the record's index in the page, its id
    /// when readable, and what could not be read (the decoding error's coding path, or the adapter's reason).
    /// `format` prefixes a bare decoding error ("aides-territoires: "); an adapter's own message has its prefix.
    static func skippedRecord(
        documentName: String, format: String? = nil, index: Int, id: String?, error: any Error
    ) -> ParseIssue {
        var reason: String
        var noticeID = id
        switch error {
        case ParserError.malformed(let issue), ParserError.limitExceeded(let issue):
            reason = issue.message
            noticeID = issue.noticeID ?? id
        case let e as DecodingError:
            reason = (format.map { $0 + ": " } ?? "") + describe(e)
        default:
            reason = (format.map { $0 + ": " } ?? "") + "\(error)"
        }
        return ParseIssue(
            file: documentName, noticeID: noticeID,
            message: "record \(index)\(noticeID.map { " (id \($0))" } ?? "") skipped: \(reason)")
    }

    /// A decoding error as `<coding path>: <what was wrong>`, the path written as in the page
    /// (`results[3].financers_full[0].name`).
    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .typeMismatch(let type, let c):
            return "\(path(c.codingPath)): expected \(typeName(type)) (\(c.debugDescription))"
        case .valueNotFound(let type, let c):
            return "\(path(c.codingPath)): missing \(typeName(type)) value"
        case .keyNotFound(let key, let c):
            return "\(path(c.codingPath + [key])): missing"
        case .dataCorrupted(let c):
            return "\(path(c.codingPath)): \(c.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }

    /// `results[3].name` from a coding path; "top level" for an empty one.
    static func path(_ codingPath: [any CodingKey]) -> String {
        var out = ""
        for key in codingPath {
            if let i = key.intValue, key.stringValue.hasPrefix("Index ") || key.stringValue == String(i) {
                out += "[\(i)]"
            } else {
                out += (out.isEmpty ? "" : ".") + key.stringValue
            }
        }
        return out.isEmpty ? "top level" : out
    }

    private static func typeName(_ type: Any.Type) -> String {
        let name = String(describing: type)
        if name.hasPrefix("Optional<") { return String(name.dropFirst(9).dropLast()) }
        return name
    }

    /// Keys that hold a record's id in the APIs Vigie reads, most specific first.
    static let idKeys = ["idweb", "publication-number", "identifier", "id", "uid", "reference", "slug"]

    /// The id of a record whose decoding failed, read from the same decoder: the first of `idKeys` holding a
    /// string or a number. Nil when the record is not an object or has no readable id — the issue then names the
    /// record by its index only, which is why a failed probe is not an error of its own.
    static func recordID(_ decoder: any Decoder) -> String? {
        guard let c = try? decoder.container(keyedBy: AnyCodingKey.self) else { return nil }
        for name in idKeys {
            let key = AnyCodingKey(stringValue: name)
            guard c.contains(key) else { continue }
            if let s = try? c.decode(String.self, forKey: key), !s.isEmpty { return s }
            if let i = try? c.decode(Int64.self, forKey: key) { return String(i) }
        }
        return nil
    }

    /// The id of a record given as JSON bytes (DECP's record scanner), as `recordID(_:)` reads it.
    static func recordID(json: [UInt8]) -> String? {
        guard let d = try? JSONSerialization.jsonObject(with: Data(json)) as? [String: Any] else { return nil }
        for name in idKeys {
            if let s = d[name] as? String, !s.isEmpty { return s }
            if let n = d[name] as? Int { return String(n) }
        }
        return nil
    }

    /// How many leading records the format detectors look at: any of them may identify the page, so that one
    /// malformed first record does not make the whole page unrecognised.
    static let recordsJudged = 10

    /// A malformed-record error.
    static func malformed(_ documentName: String, _ id: String?, _ message: String) -> ParserError {
        .malformed(ParseIssue(file: documentName, noticeID: id, message: message))
    }
}
