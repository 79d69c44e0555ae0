import Foundation

/// What Vigie remembers about one source between runs: HTTP validators for
/// conditional GET, the incremental cursor, and the source's health.
///
/// The fetcher reads and returns it; the store persists it. Neither owns the other.
public struct SourceState: Sendable, Hashable, Codable {
    public var sourceID: String
    public var etag: String?
    public var lastModified: String?
    /// Incremental cursor (last `dateparution`, last notice id…), as the source's paging scheme defines it.
    public var cursor: String?
    public var lastAttempt: Date?
    public var lastSuccess: Date?
    public var consecutiveFailures: Int
    public var lastError: String?
    public var lastHTTPStatus: Int?

    public init(sourceID: String, etag: String? = nil, lastModified: String? = nil, cursor: String? = nil,
                lastAttempt: Date? = nil, lastSuccess: Date? = nil, consecutiveFailures: Int = 0,
                lastError: String? = nil, lastHTTPStatus: Int? = nil) {
        self.sourceID = sourceID
        self.etag = etag
        self.lastModified = lastModified
        self.cursor = cursor
        self.lastAttempt = lastAttempt
        self.lastSuccess = lastSuccess
        self.consecutiveFailures = consecutiveFailures
        self.lastError = lastError
        self.lastHTTPStatus = lastHTTPStatus
    }
}

/// One response body as fetched, kept so a run can be replayed or a parse re-done without refetching.
public struct RawDocument: Sendable, Hashable {
    public var sourceID: String
    public var url: String
    public var httpStatus: Int
    public var contentType: String?
    public var body: [UInt8]
    public var fetchedAt: Date

    public init(sourceID: String, url: String, httpStatus: Int, contentType: String? = nil, body: [UInt8],
                fetchedAt: Date) {
        self.sourceID = sourceID
        self.url = url
        self.httpStatus = httpStatus
        self.contentType = contentType
        self.body = body
        self.fetchedAt = fetchedAt
    }

    /// The `charset=` parameter of the content type, if any.
    public var charset: String? {
        guard let ct = contentType?.lowercased(), let r = ct.range(of: "charset=") else { return nil }
        return String(ct[r.upperBound...].prefix { $0 != ";" && $0 != " " }).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
    }
}
