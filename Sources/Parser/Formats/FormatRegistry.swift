import Foundation
import Notices

/// Dispatch to the notice-format adapters (eForms, BOAMP, TED, aides-territoires, EU F&T, DECP).
///
/// `DocumentParser` calls these after sniffing; each returns nil when the document is not of its shape.
enum FormatRegistry {
    /// JSON documents: API pages and notices.
    ///
    /// Returns nil when the bytes are not JSON, or JSON of a shape no adapter knows; throws
    /// `ParserError.malformed` for bytes that start like JSON but do not decode.
    static func parseJSON(_ bytes: [UInt8], options: ParseOptions) throws -> ParsedDocument? {
        guard
            let first = bytes.lazy.drop(while: {
                $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 || $0 == 0xEF
                    || $0 == 0xBB || $0 == 0xBF
            }).first, first == UInt8(ascii: "{") || first == UInt8(ascii: "[")
        else {
            return nil
        }
        // DECP files are read record by record, never parsed whole (the national file is ~500 MB).
        if options.format == .decpJSON || (options.format == nil && DECPParser.matches(bytes)) {
            return try DECPParser.parse(bytes, options: options)
        }
        do {
            return try parseWholeJSON(bytes, options: options)
        } catch let error as ParserError {
            // A page cut short (a Content-Length shorter than the body): read the records completed before the
            // cut, and say the page is truncated so the fetcher counts it as failed.
            guard case .malformed = error, let cut = JSONTruncation.cut(bytes) else { throw error }
            // Nothing complete before the cut: there is nothing to keep, so the page is simply unreadable.
            guard let salvage = cut.salvage, var doc = try parseWholeJSON(salvage, options: options),
                !doc.notices.isEmpty
            else {
                throw ParserError.malformed(JSONTruncation.issue(options.documentName, cut: cut, kept: 0))
            }
            doc.truncated = true
            doc.issues.append(JSONTruncation.issue(options.documentName, cut: cut, kept: doc.notices.count))
            return doc
        }
    }

    /// Decodes a whole JSON document and hands it to the adapter of its shape.
    private static func parseWholeJSON(_ bytes: [UInt8], options: ParseOptions) throws -> ParsedDocument? {
        let root: Any
        var decoded = bytes
        var repairs: [ParseIssue] = []
        do {
            root = try JSONSerialization.jsonObject(with: Data(bytes), options: [])
        } catch {
            // Consolidated DECP files come out of pandas with bare NaN values: repair those, nothing else.
            if let repaired = JSONValue.replacingNonFiniteNumbers(bytes),
                let r = try? JSONSerialization.jsonObject(with: Data(repaired), options: [])
            {
                root = r
                decoded = repaired
                repairs.append(
                    ParseIssue(
                        file: options.documentName,
                        message: "json: non-standard NaN/Infinity values read as null"))
            } else {
                let reason = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
                throw ParserError.malformed(ParseIssue(file: options.documentName, message: "json: \(reason)"))
            }
        }
        guard var doc = try dispatchJSON(root, bytes: decoded, options: options) else { return nil }
        doc.issues.insert(contentsOf: repairs, at: 0)
        return doc
    }

    private static func dispatchJSON(_ root: Any, bytes: [UInt8], options: ParseOptions) throws -> ParsedDocument? {
        if let forced = options.format {
            switch forced {
            case .boampJSON: return BOAMPJSONAdapter.parse(root, options: options)
            case .tedJSON: return try TEDSearchAdapter.parse(bytes, options: options)
            case .aidesTerritoiresJSON: return try AidesTerritoiresParser.parse(bytes, options: options)
            case .euFundingJSON: return try EUFundingParser.parse(bytes, options: options)
            default: break
            }
        }
        // Most specific shapes first: aides-territoires and BOAMP pages both have "results".
        if TEDSearchAdapter.matches(root) { return try TEDSearchAdapter.parse(bytes, options: options) }
        if EUFundingParser.matches(root) { return try EUFundingParser.parse(bytes, options: options) }
        if AidesTerritoiresParser.matches(root) { return try AidesTerritoiresParser.parse(bytes, options: options) }
        if BOAMPJSONAdapter.matches(root) { return BOAMPJSONAdapter.parse(root, options: options) }
        return nil
    }

    /// XML documents whose root is not a feed (`rss`, `RDF`, `feed`): eForms, BOAMP XML.
    static func parseNoticeXML(
        rootName: String, namespace: String?, bytes: [UInt8],
        options: ParseOptions
    ) throws -> ParsedDocument? {
        if EFormsParser.isNoticeRoot(rootName) {
            let (notice, issues) = try EFormsAdapter.parse(bytes, options: options)
            return ParsedDocument(format: .eforms, notices: [notice], issues: issues)
        }
        if rootName == "ANNONCE" {
            let (notice, issues) = try BOAMPXMLAdapter.parse(bytes, options: options)
            return ParsedDocument(format: .boampXML, notices: [notice], issues: issues)
        }
        return nil
    }

    /// A TED daily package (`.tar.gz` of eForms notices), read in memory.
    ///
    /// Returns nil when the bytes are neither gzip nor tar. Members that fail become issues; the rest parses.
    static func parsePackage(_ bytes: [UInt8], options: ParseOptions) throws -> ParsedDocument? {
        guard TEDPackageReader.isPackage(bytes) else { return nil }
        return try TEDPackageReader.parse(bytes, options: options)
    }
}
