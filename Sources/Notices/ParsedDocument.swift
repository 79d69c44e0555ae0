import Foundation

/// What the parser stage returns for one document (a feed, an API page, a notice, a package).
public struct ParsedDocument: Sendable, Hashable {
    /// Detected format.
    public var format: DocumentFormat
    /// Feed-level title and link (RSS channel, Atom feed); nil for notice formats.
    public var title: String?
    public var link: String?
    public var notices: [Notice]
    /// Problems that did not stop the parse: a recovered XML error, a malformed
    /// notice skipped inside a package. Each names where it happened.
    public var issues: [ParseIssue]
    /// The document ends before its root element (XML) or its top-level value (JSON) is closed: a transfer cut
    /// short (a Content-Length shorter than the body). What was read before the cut is in `notices`, but the page
    /// is incomplete: the fetcher treats it as a failed page; `vigie parse` on a file keeps the salvage.
    public var truncated: Bool = false

    public init(
        format: DocumentFormat, title: String? = nil, link: String? = nil, notices: [Notice] = [],
        issues: [ParseIssue] = [], truncated: Bool = false
    ) {
        self.format = format
        self.title = title
        self.link = link
        self.notices = notices
        self.issues = issues
        self.truncated = truncated
    }
}

/// Every format the parser stage recognises. Raw values are the names used in `Feeds/*.yaml`.
public enum DocumentFormat: String, Sendable, Hashable, Codable, CaseIterable {
    case rss
    case rdf
    case atom
    case eforms
    case tedPackage = "ted-package"
    case boampXML = "boamp-xml"
    case boampJSON = "boamp-json"
    case tedJSON = "ted-json"
    case aidesTerritoiresJSON = "aides-territoires-json"
    case euFundingJSON = "eu-funding-json"
    case decpJSON = "decp-json"
    /// decp.info « DECP augmenté » tabular files (`;`-separated).
    case decpCSV = "decp-csv"

    /// RSS, RDF and Atom: formats printed with the feed conformance schema.
    public var isFeed: Bool { self == .rss || self == .rdf || self == .atom }
}

/// A problem met while parsing, located as precisely as the format allows.
public struct ParseIssue: Sendable, Hashable, Codable, CustomStringConvertible {
    public var file: String?
    public var line: Int?
    public var column: Int?
    /// The notice concerned, inside a package or an API page.
    public var noticeID: String?
    public var message: String

    public init(file: String? = nil, line: Int? = nil, column: Int? = nil, noticeID: String? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.noticeID = noticeID
        self.message = message
    }

    /// `file:line:column: [notice id: ]message`.
    public var description: String {
        var s = file ?? "<input>"
        if let line { s += ":\(line)" }
        if let column { s += ":\(column)" }
        s += ": "
        if let noticeID { s += "notice \(noticeID): " }
        return s + message
    }
}

/// JSON coding shared by every command that prints or stores notices: snake_case
/// keys (declared by the types), ISO 8601 dates, sorted keys for stable output.
public enum NoticeJSON {
    public static func encoder(pretty: Bool = false) -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting =
            pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        e.dateEncodingStrategy = .custom { date, enc in
            var c = enc.singleValueContainer()
            try c.encode(ISO8601.format(date))
        }
        return e
    }

    public static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .custom { dec in
            let c = try dec.singleValueContainer()
            let s = try c.decode(String.self)
            guard let z = ISO8601.parseZoned(s) else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "not an ISO 8601 date: \(s)")
            }
            return z.instant
        }
        return d
    }
}
