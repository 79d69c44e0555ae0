import Foundation
import Notices

/// Checks that a 200's body is the kind of document the catalogue promised.
public enum ContentCheck {
    /// nil when `body` plausibly is `format`; otherwise the error to report.
    ///
    /// Portals answer 200 with an HTML page for maintenance, login walls and "no results" (the BOAMP portal
    /// did, during its 2024 migration): that must be an error, not an empty feed that silently hides the source.
    ///
    /// `quotesBody` false (a `file://` source) keeps the body's first bytes out of the message: a catalogue
    /// `file://` URL pointing at a private file used to print its first bytes in every digest.
    public static func problem(
        body: [UInt8], contentType: String?, format: DocumentFormat, source: String,
        url: String, quotesBody: Bool = true
    ) -> FetcherError? {
        let expected = expectedName(format)
        // UTF-16 documents (BOM, or `<` followed by a NUL) are left to the parser, which transcodes them.
        if body.starts(with: [0xFF, 0xFE]) || body.starts(with: [0xFE, 0xFF]) || body.starts(with: [0x3C, 0x00])
            || body.starts(with: [0x00, 0x3C])
        {
            return nil
        }
        var start = 0
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
        while start < body.count, [0x20, 0x09, 0x0A, 0x0D].contains(body[start]) { start += 1 }
        guard start < body.count else {
            return .unexpectedContent(source: source, url: url, expected: expected, message: "empty body")
        }
        let head = String(decoding: body[start..<min(body.count, start + 512)], as: UTF8.self)
        let quoted = quotesBody ? snippet(head) : "(a local file's content is not quoted)"
        let opening = quotesBody ? "starts with \"\(quoted)\"" : "does not start as such a document does"
        let lower = head.lowercased()
        let looksHTML =
            lower.hasPrefix("<!doctype html") || lower.hasPrefix("<html")
            || (lower.hasPrefix("<?xml") && lower.contains("<html"))
        if looksHTML {
            return .htmlInsteadOfData(source: source, url: url, expected: expected, snippet: quoted)
        }
        switch format {
        case .boampJSON, .tedJSON, .aidesTerritoiresJSON, .euFundingJSON, .decpJSON:
            if body[start] != UInt8(ascii: "{") && body[start] != UInt8(ascii: "[") {
                return .unexpectedContent(
                    source: source, url: url, expected: expected,
                    message: opening)
            }
        case .tedPackage:
            // gzip magic, or an already-inflated tar (ustar magic at offset 257).
            let isGzip = body.count > 2 && body[0] == 0x1f && body[1] == 0x8b
            let isTar = body.count > 262 && Array(body[257..<262]) == Array("ustar".utf8)
            if !isGzip && !isTar {
                return .unexpectedContent(
                    source: source, url: url, expected: expected,
                    message: "neither gzip nor tar")
            }
        case .decpCSV:
            // decp.info CSV: text with a header line, never markup or JSON.
            if body[start] == UInt8(ascii: "<") || body[start] == UInt8(ascii: "{") {
                return .unexpectedContent(
                    source: source, url: url, expected: expected,
                    message: opening)
            }
        case .rss, .rdf, .atom, .eforms, .boampXML:
            if body[start] != UInt8(ascii: "<") {
                return .unexpectedContent(
                    source: source, url: url, expected: expected,
                    message: opening)
            }
        }
        return nil
    }

    static func expectedName(_ format: DocumentFormat) -> String {
        switch format {
        case .rss, .rdf, .atom: return "a feed (\(format.rawValue))"
        case .eforms, .boampXML: return "XML (\(format.rawValue))"
        case .tedPackage: return "a TED package (tar.gz)"
        default: return "JSON (\(format.rawValue))"
        }
    }

    static func snippet(_ text: String) -> String {
        let flat = text.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\r", with: " ")
        return String(flat.prefix(60))
    }
}
