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
    /// The condition behind `lastError` (`http-status`, `timeout`…), for the digest's French wording.
    public var lastFailure: SourceFailureKind?
    /// True when the last successful fetch stopped before the end of the results (an API cap such as
    /// Opendatasoft's offset + limit ≤ 10,000, or `max_pages`): what it fetched is stored, the rest comes the
    /// next run, from `cursor`. A failure since leaves it as it was: the rest is still to fetch.
    public var isIncomplete: Bool
    /// Records still to fetch when `isIncomplete` (the API's total for the window minus what was fetched);
    /// nil when complete or when the API gives no total.
    public var left: Int?

    public init(
        sourceID: String, etag: String? = nil, lastModified: String? = nil, cursor: String? = nil,
        lastAttempt: Date? = nil, lastSuccess: Date? = nil, consecutiveFailures: Int = 0,
        lastError: String? = nil, lastHTTPStatus: Int? = nil, isIncomplete: Bool = false,
        left: Int? = nil, lastFailure: SourceFailureKind? = nil
    ) {
        self.sourceID = sourceID
        self.lastFailure = lastFailure
        self.etag = etag
        self.lastModified = lastModified
        self.cursor = cursor
        self.lastAttempt = lastAttempt
        self.lastSuccess = lastSuccess
        self.consecutiveFailures = consecutiveFailures
        self.lastError = lastError
        self.lastHTTPStatus = lastHTTPStatus
        self.isIncomplete = isIncomplete
        self.left = left
    }

    enum CodingKeys: String, CodingKey {
        case sourceID, etag, lastModified, cursor, lastAttempt, lastSuccess, consecutiveFailures, lastError
        case lastHTTPStatus, isIncomplete, left, lastFailure
    }

    /// Reads states written before `isIncomplete` and `left` existed as complete ones.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            sourceID: try c.decode(String.self, forKey: .sourceID),
            etag: try c.decodeIfPresent(String.self, forKey: .etag),
            lastModified: try c.decodeIfPresent(String.self, forKey: .lastModified),
            cursor: try c.decodeIfPresent(String.self, forKey: .cursor),
            lastAttempt: try c.decodeIfPresent(Date.self, forKey: .lastAttempt),
            lastSuccess: try c.decodeIfPresent(Date.self, forKey: .lastSuccess),
            consecutiveFailures: try c.decodeIfPresent(Int.self, forKey: .consecutiveFailures) ?? 0,
            lastError: try c.decodeIfPresent(String.self, forKey: .lastError),
            lastHTTPStatus: try c.decodeIfPresent(Int.self, forKey: .lastHTTPStatus),
            isIncomplete: try c.decodeIfPresent(Bool.self, forKey: .isIncomplete) ?? false,
            left: try c.decodeIfPresent(Int.self, forKey: .left),
            lastFailure: try c.decodeIfPresent(SourceFailureKind.self, forKey: .lastFailure))
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

    public init(
        sourceID: String, url: String, httpStatus: Int, contentType: String? = nil, body: [UInt8],
        fetchedAt: Date
    ) {
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
        return String(ct[r.upperBound...].prefix { $0 != ";" && $0 != " " }).trimmingCharacters(
            in: CharacterSet(charactersIn: "\"'"))
    }
}
