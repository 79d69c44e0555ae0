import Notices

/// One real source of the catalogue (`Feeds/<id>.yaml`): where it is, how to page it, how to be polite to it.
public struct SourceDefinition: Sendable, Hashable {
    /// Stable identifier (`[a-z0-9-]+`), given to every notice from this source.
    public var id: String
    public var name: String
    /// Who publishes the data (DILA, Publications Office…).
    public var owner: String
    public var kind: SourceKind
    /// The parser's format name (`DocumentFormat` raw value).
    public var format: DocumentFormat
    /// Base URL (`https://…`, `http://…` or `file://…`), without the query parameters below.
    public var url: String
    /// HTTP method: `GET`, or `POST` for APIs that take their query in the body (TED, EU Funding & Tenders).
    public var method: String
    /// Query parameters added to `url`, in order. Values may contain `{cursor}`.
    public var query: [QueryParameter]
    /// Extra request headers (never secrets: see `auth`).
    public var headers: [QueryParameter]
    /// Request body for `POST` (JSON text); may contain `{cursor}`.
    public var body: String?
    /// Multipart form parts for `POST` APIs that want `multipart/form-data` (EU Funding & Tenders).
    public var form: [QueryParameter]
    public var paging: PagingScheme
    public var cursor: CursorSpec?
    public var auth: AuthSpec?
    public var politeness: Politeness
    /// Responses larger than this are abandoned (the write callback stops the transfer).
    public var maxBodyBytes: Int
    /// Total time allowed per request, in seconds, when the run's default does not suit (a 200 MB package).
    public var timeout: Double?
    /// Wall time allowed for the whole source (every page, retries and backoff included), in seconds, when the
    /// run's `FetchConfiguration.sourceTimeBudget` does not suit (`time_budget_s:`).
    public var timeBudget: Double?
    /// Licence of the data.
    public var licence: String
    /// True when the request and the response shapes were checked against real responses captured from the
    /// service (`../shared/samples/real/`); false when they come from documentation or second-hand code only.
    public var confirmed: Bool
    /// Which real captures the shapes were checked against, or why they could not be (`evidence:`).
    public var evidence: String?
    public var note: String?
    /// Disabled sources are checked but not fetched.
    public var enabled: Bool
    /// The catalogue file this definition came from (for messages).
    public var file: String?

    public init(
        id: String, name: String? = nil, owner: String = "", kind: SourceKind = .tenders,
        format: DocumentFormat, url: String, method: String = "GET", query: [QueryParameter] = [],
        headers: [QueryParameter] = [], body: String? = nil, form: [QueryParameter] = [],
        paging: PagingScheme = .none, cursor: CursorSpec? = nil, auth: AuthSpec? = nil,
        politeness: Politeness = Politeness(), maxBodyBytes: Int = 50 << 20, timeout: Double? = nil,
        timeBudget: Double? = nil, licence: String = "",
        confirmed: Bool = true, evidence: String? = nil, note: String? = nil, enabled: Bool = true,
        file: String? = nil
    ) {
        self.id = id
        self.name = name ?? id
        self.owner = owner
        self.kind = kind
        self.format = format
        self.url = url
        self.method = method
        self.query = query
        self.headers = headers
        self.body = body
        self.form = form
        self.paging = paging
        self.cursor = cursor
        self.auth = auth
        self.politeness = politeness
        self.maxBodyBytes = maxBodyBytes
        self.timeout = timeout
        self.timeBudget = timeBudget
        self.licence = licence
        self.confirmed = confirmed
        self.evidence = evidence
        self.note = note
        self.enabled = enabled
        self.file = file
    }

    /// Whether the catalogue itself points at a local file (`file://`, the offline demo): the only kind of
    /// source that may read files.
    public var isLocalFile: Bool { url.lowercased().hasPrefix("file:") }

    /// The host part of `url` (`""` for `file://`), the unit of politeness.
    public var host: String {
        guard let scheme = url.range(of: "://") else { return "" }
        let rest = url[scheme.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let hostPort = authority.split(separator: "@").last.map(String.init) ?? ""
        return hostPort.lowercased()
    }
}

/// What a source publishes.
public enum SourceKind: String, Sendable, Hashable, Codable, CaseIterable {
    case tenders
    case callsForProjects = "calls-for-projects"
    case awards
}

/// A name/value pair kept in order (query parameters, headers, form parts).
public struct QueryParameter: Sendable, Hashable {
    public var name: String
    public var value: String
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// How an API spreads its results over pages. Each scheme is read by a `Pager`.
public enum PagingScheme: Sendable, Hashable {
    /// One document, no paging (feeds, files, packages).
    case none
    /// `offset`/`limit` query parameters (Opendatasoft: BOAMP). `maxOffset` is the API's cap on offset+limit.
    case offsetLimit(OffsetLimit)
    /// `page`/`size` query parameters (EU Funding & Tenders `pageNumber`/`pageSize`).
    case pageNumber(PageNumber)
    /// A token returned by each page and sent back in the next request's JSON body (TED `ITERATION` mode).
    case iterationToken(IterationToken)
    /// The page carries the URL of the next page (`next` in aides-territoires / Django REST pages).
    case nextLink(NextLink)
    /// One document per publication issue, `{issue}` in the URL (TED daily packages: `{YYYY}{NNNNN}`, the
    /// OJ S issue). The cursor is the last issue fetched; the walk goes on to the following issues until
    /// one is not published yet (404).
    case dailyIssue(DailyIssue)

    public struct OffsetLimit: Sendable, Hashable {
        public var offsetParam: String = "offset"
        public var limitParam: String = "limit"
        public var pageSize: Int = 100
        /// offset + limit may not exceed this (Opendatasoft: 10,000).
        public var maxOffset: Int = 10_000
        /// JSON key of the result array and of the total count.
        public var resultsKey: String = "results"
        public var totalKey: String = "total_count"
        public var maxPages: Int = 100
        public init() {}
    }

    public struct PageNumber: Sendable, Hashable {
        public var pageParam: String = "page"
        public var sizeParam: String = "limit"
        public var pageSize: Int = 100
        public var firstPage: Int = 1
        public var resultsKey: String = "results"
        public var totalKey: String? = nil
        public var maxPages: Int = 100
        public init() {}
    }

    public struct IterationToken: Sendable, Hashable {
        /// Key of the token in the response and in the next request's body.
        public var tokenKey: String = "iterationNextToken"
        public var resultsKey: String = "notices"
        public var totalKey: String? = "totalNoticeCount"
        public var maxPages: Int = 100
        public init() {}
    }

    public struct NextLink: Sendable, Hashable {
        public var nextKey: String = "next"
        public var resultsKey: String = "results"
        public var totalKey: String? = "count"
        public var maxPages: Int = 100
        public init() {}
    }

    public struct DailyIssue: Sendable, Hashable {
        /// First issue to fetch when there is no cursor yet (`202600227` = OJ S 227/2026).
        public var initial: String = ""
        public var maxPages: Int = 5
        public init(initial: String, maxPages: Int = 5) {
            self.initial = initial
            self.maxPages = maxPages
        }
    }

    /// Scheme name as written in `Feeds/*.yaml`.
    public var name: String {
        switch self {
        case .none: return "none"
        case .offsetLimit: return "offset-limit"
        case .pageNumber: return "page-number"
        case .iterationToken: return "iteration-token"
        case .nextLink: return "next-link"
        case .dailyIssue: return "daily-issue"
        }
    }
}

/// The incremental cursor of a paged source: which record field advances, how it is put in the request, and
/// in which order the API returns records.
///
/// The cursor records only what was stored: the newest `field` value among the records actually fetched, never
/// the newest that exists, and never a value dated after the run's `now` (a mistyped far-future date, or a
/// record announced for next year, would make the next night's `>= cursor` window skip everything between).
/// Oldest-first sources (BOAMP `order_by=dateparution asc, idweb asc`, TED `SORT BY publication-date ASC`)
/// resume the next night from where an interrupted walk stopped; newest-first sources (aides-territoires only
/// sorts by publication date descending) move their cursor only when the walk reached its end.
public struct CursorSpec: Sendable, Hashable {
    /// JSON key of the cursor field in each result record (`dateparution`, `publication-date`, `id`).
    public var field: String
    /// Before the first successful run, the window starts this many days before the run (`first_night_days`).
    public var firstNightDays: Int
    /// How `{cursor}` is written in the request.
    public var template: CursorTemplate
    /// The order of the results the request asks for.
    public var order: ResultOrder

    public static let defaultFirstNightDays = 7

    public init(
        field: String, firstNightDays: Int = CursorSpec.defaultFirstNightDays,
        template: CursorTemplate = .raw, order: ResultOrder = .oldestFirst
    ) {
        self.field = field
        self.firstNightDays = firstNightDays
        self.template = template
        self.order = order
    }
}

/// The order in which a paged API returns its records (declared in `cursor.order`).
public enum ResultOrder: String, Sendable, Hashable, CaseIterable {
    /// Oldest first with a tie-breaker: pages stay stable while new records arrive at the end, and an
    /// interrupted walk resumes from the newest record stored.
    case oldestFirst = "oldest-first"
    /// Newest first: an interrupted walk keeps the old cursor (the records it did not reach are older than
    /// those it stored).
    case newestFirst = "newest-first"
}

/// How a stored cursor is written into a request.
public enum CursorTemplate: String, Sendable, Hashable, CaseIterable {
    /// As stored.
    case raw
    /// The date part as `YYYY-MM-DD` (Opendatasoft `date'…'` literals).
    case date
    /// The date part as `YYYYMMDD` (TED expert queries: `publication-date>=20261101`).
    case compactDate = "compact-date"

    /// `cursor` as written into a request.
    public func render(_ cursor: String) -> String {
        switch self {
        case .raw: return cursor
        case .date: return String(cursor.prefix(10))
        case .compactDate: return String(cursor.prefix(10).filter { $0 != "-" })
        }
    }
}

/// Where a credential comes from. Only the environment variable's NAME is in the catalogue, never the secret.
public struct AuthSpec: Sendable, Hashable {
    /// Environment variable holding the key or token.
    public var env: String
    /// Header to send it in (`Authorization`, `X-AUTH-TOKEN`); nil when it goes in the query.
    public var header: String?
    /// Prefix for the header value (`Bearer`).
    public var scheme: String?
    /// Query parameter to send it in (`apiKey`), when not a header.
    public var queryParam: String?
    /// When true, a missing variable is not an error: the source is fetched anonymously.
    public var optional: Bool
    /// When set, the variable holds a long-lived key that is first exchanged for a short-lived token
    /// (aides-territoires: `POST /api/connexion/` with `X-AUTH-TOKEN: <key>` → a JWT valid about 24 h).
    public var exchange: TokenExchange?

    public init(
        env: String, header: String? = nil, scheme: String? = nil, queryParam: String? = nil,
        optional: Bool = false, exchange: TokenExchange? = nil
    ) {
        self.env = env
        self.header = header
        self.scheme = scheme
        self.queryParam = queryParam
        self.optional = optional
        self.exchange = exchange
    }
}

/// A key-for-token exchange done once per run before a source's first page.
public struct TokenExchange: Sendable, Hashable {
    /// Where to `POST` the key.
    public var url: String
    /// Header carrying the key (`X-AUTH-TOKEN`).
    public var header: String
    /// JSON key of the token in the answer (`token`).
    public var tokenKey: String

    public init(url: String, header: String, tokenKey: String = "token") {
        self.url = url
        self.header = header
        self.tokenKey = tokenKey
    }
}

/// How hard a source's host may be pushed.
public struct Politeness: Sendable, Hashable {
    /// Requests in flight to this host at once.
    public var maxConcurrent: Int
    /// Pause between two requests to this host, in seconds (TED blocks clients that go too fast).
    public var delay: Double

    public init(maxConcurrent: Int = 2, delay: Double = 0) {
        self.maxConcurrent = maxConcurrent
        self.delay = delay
    }
}
