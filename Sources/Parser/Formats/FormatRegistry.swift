import Notices

/// Dispatch to the notice-format adapters (eForms, BOAMP, TED, aides-territoires, EU F&T, DECP).
///
/// `DocumentParser` calls these after sniffing; each returns nil when the document is not of its shape.
enum FormatRegistry {
    /// JSON documents: API pages and notices.
    static func parseJSON(_ bytes: [UInt8], options: ParseOptions) throws -> ParsedDocument? {
        nil
    }

    /// XML documents whose root is not a feed (`rss`, `RDF`, `feed`): eForms, BOAMP XML.
    static func parseNoticeXML(rootName: String, namespace: String?, bytes: [UInt8],
                               options: ParseOptions) throws -> ParsedDocument? {
        if EFormsParser.isNoticeRoot(rootName) {
            let (notice, issues) = try EFormsAdapter.parse(bytes, documentName: options.documentName, options: options)
            return ParsedDocument(format: .eforms, notices: [notice], issues: issues)
        }
        if rootName == "ANNONCE" {
            let (notice, issues) = try BOAMPXMLAdapter.parse(bytes, documentName: options.documentName,
                                                             options: options)
            return ParsedDocument(format: .boampXML, notices: [notice], issues: issues)
        }
        return nil
    }

    /// A TED daily package (`.tar.gz` of eForms notices), read in memory.
    static func parsePackage(_ bytes: [UInt8], options: ParseOptions) throws -> ParsedDocument? {
        nil
    }
}
