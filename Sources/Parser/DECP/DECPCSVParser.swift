import Foundation
import Notices

// Specs: decp.info « DECP augmenté » tabular files (data.gouv.fr dataset « Données essentielles de la commande
// publique consolidées, format tabulaire »): `;`-separated, UTF-8 with a byte-order mark, one row per contract,
// winners spread over `titulaire_id_1…3`, `CDL` in the empty cells of multi-valued columns.

/// Reads decp.info CSV files row by row into award notices (same record model and adapter as the JSON files).
enum DECPCSVParser {
    /// Whether `prefix` starts like a decp.info CSV file: a `;`-separated header naming the buyer
    /// (`acheteur.id`) and the winners or the CPV.
    static func matches(_ prefix: [UInt8]) -> Bool {
        var start = 0
        if prefix.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
        guard let end = prefix[start...].firstIndex(where: { $0 == 0x0A || $0 == 0x0D }) else { return false }
        let header = String(decoding: prefix[start..<end], as: UTF8.self)
        guard header.contains(";") else { return false }
        let names = Set(header.split(separator: ";").map { DECPRecord.fold(String($0)) })
        return names.contains("acheteurid") && (names.contains("titulaireid1") || names.contains("codecpv"))
    }

    /// Parses every row; a row that cannot be read becomes an issue naming its line.
    static func parse(_ bytes: [UInt8], options: ParseOptions) throws -> ParsedDocument {
        var notices: [Notice] = []
        var issues: [ParseIssue] = []
        var reader = CSVRowReader(bytes: bytes, separator: UInt8(ascii: ";"))
        guard let header = reader.next()?.fields.map(DECPRecord.fold) else {
            throw ParserError.malformed(ParseIssue(file: options.documentName, message: "decp: empty CSV file"))
        }
        while let row = reader.next() {
            if row.fields.count == 1 && row.fields[0].isEmpty { continue }
            guard row.fields.count == header.count else {
                issues.append(
                    ParseIssue(
                        file: options.documentName, line: row.line,
                        message: "decp: \(row.fields.count) fields where the header has \(header.count)"))
                continue
            }
            let record = DECPRecord(columns: Dictionary(zip(header, row.fields), uniquingKeysWith: { a, _ in a }))
            do {
                notices.append(try DECPAdapter.notice(record, options: options))
            } catch let ParserError.malformed(issue) {
                var issue = issue
                issue.line = row.line
                issues.append(issue)
            }
        }
        return ParsedDocument(format: .decpCSV, notices: notices, issues: issues)
    }
}

/// RFC 4180 rows over bytes with a chosen separator: quoted fields may hold separators, doubled quotes and line
/// breaks; rows end at LF or CRLF. The byte-order mark of the first row is dropped.
struct CSVRowReader {
    let bytes: [UInt8]
    let separator: UInt8
    private var i = 0
    private var line = 1

    init(bytes: [UInt8], separator: UInt8) {
        self.bytes = bytes
        self.separator = separator
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
    }

    /// The next row and the line it starts on, nil at the end.
    mutating func next() -> (fields: [String], line: Int)? {
        guard i < bytes.count else { return nil }
        let startLine = line
        var fields: [String] = []
        var field: [UInt8] = []
        var quoted = false
        while i < bytes.count {
            let b = bytes[i]
            if quoted {
                if b == UInt8(ascii: "\"") {
                    if i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "\"") {
                        field.append(b)
                        i += 2
                        continue
                    }
                    quoted = false
                } else {
                    if b == 0x0A { line += 1 }
                    field.append(b)
                }
                i += 1
                continue
            }
            switch b {
            case UInt8(ascii: "\"") where field.isEmpty:
                quoted = true
            case separator:
                fields.append(String(decoding: field, as: UTF8.self))
                field.removeAll(keepingCapacity: true)
            case 0x0D where i + 1 < bytes.count && bytes[i + 1] == 0x0A:
                break
            case 0x0A:
                i += 1
                line += 1
                fields.append(String(decoding: field, as: UTF8.self))
                return (fields, startLine)
            default:
                field.append(b)
            }
            i += 1
        }
        fields.append(String(decoding: field, as: UTF8.self))
        return (fields, startLine)
    }
}
