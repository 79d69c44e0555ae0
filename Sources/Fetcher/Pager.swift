import Foundation

/// One HTTP request of a source: the first page, or a later one.
public struct PageRequest: Sendable, Hashable {
    public var url: String
    public var method: String
    public var headers: [QueryParameter]
    public var body: String?
    public var form: [QueryParameter]
    /// 0 for the first page.
    public var pageIndex: Int
    /// The publication issue this request asks for (daily-issue scheme).
    public var issue: String? = nil

    public var isFirstPage: Bool { pageIndex == 0 }
}

/// Walks a paged API: builds each page's request and reads, from each page, only what paging needs.
///
/// Design choice: the Fetcher must not import the Parser, yet must know where the next page is before the
/// parser runs. So each paging scheme reads the JSON page shape itself with `JSONSerialization`, and only
/// the paging fields: the result array's length, the total count (`total_count`, `totalNoticeCount`,
/// `count`), the next token (`iterationNextToken`) or link (`next`), and the cursor field of each record.
/// Paging is read here once; the parser does not report it. Pure: no I/O, table-tested.
///
/// Never skip: the cursor to save (`cursorToSave`) is the newest record actually fetched — not the newest
/// that exists — so a walk stopped by an API cap or by `max_pages` resumes the next night, and `remaining`
/// says how much it left (the API's total for the window minus what was fetched).
public struct Pager: Sendable {
    public let source: SourceDefinition
    /// The stored incremental cursor (nil before the first successful run, or when it was dated after `now`).
    public private(set) var storedCursor: String?
    /// The run's clock: the first night's window starts `first_night_days` before it, and a record dated after
    /// it never moves the cursor.
    public let now: Date

    /// The largest cursor value seen so far in this run (records dated after `now` left out).
    public private(set) var newCursor: String?
    /// True once a page held a record older than the stored cursor (newest-first walks without a server-side
    /// filter stop there: later pages are already known).
    public private(set) var reachedCursor = false
    /// Result records seen over all pages.
    public private(set) var recordCount = 0
    /// The total the API announced for this request's window, when it does.
    public private(set) var announcedTotal: Int?
    /// Why the walk stopped before the end of the results (an API cap, `max_pages`), nil while it has not.
    public private(set) var interruption: String?
    /// Records whose cursor field is dated after `now` (stored, but they do not move the cursor).
    public private(set) var futureRecords = 0
    /// Things a user should know that are not failures (an API cap hit, max_pages reached, future dates).
    public private(set) var warnings: [String] = []

    /// Whether the walk already moved from one year's last issue to the next year's first.
    private var rolledOverYear = false

    /// Requests carry no credential: `Credentials.attach` adds it to each request as it is sent, and only
    /// towards the configured origin.
    ///
    /// A stored cursor dated after `now` (left by a version that allowed "tomorrow", or by a clock gone wrong)
    /// would make every `>= cursor` window empty for good: it is set aside, with a warning, and the window starts
    /// as on a first night.
    public init(source: SourceDefinition, storedCursor: String?, now: Date = Date()) {
        self.source = source
        self.now = now
        self.storedCursor = storedCursor
        if let stored = storedCursor, source.cursor != nil, isAfterNow(stored) {
            self.storedCursor = nil
            warnings.append(
                "the stored cursor \(stored) is after this run's time: set aside, the window starts "
                    + "first_night_days before the run")
        }
    }

    /// The window's start before the first successful run: `first_night_days` before `now`, as `YYYY-MM-DD`.
    public var firstNightCursor: String? {
        guard let spec = source.cursor else { return nil }
        return Self.day(now.addingTimeInterval(-Double(spec.firstNightDays) * 86_400))
    }

    /// Whether a record's cursor value is dated after the run's `now`. A date alone (`2026-11-26`, BOAMP's
    /// `dateparution`) is a day in France, after `now` when that day is later than today's in Paris; a date and
    /// time with a zone is compared as an instant.
    public func isAfterNow(_ value: String) -> Bool {
        guard Self.isDate(value) else { return false }
        if value.count > 10, let instant = Self.instant(value) { return instant > now }
        return String(value.prefix(10)) > Self.day(now, zone: Self.paris)
    }

    static let paris = TimeZone(identifier: "Europe/Paris") ?? TimeZone(identifier: "UTC")!

    /// `2026-11-25T10:00:00+01:00`, `…Z`, with or without fractional seconds; nil without a zone.
    static func instant(_ value: String) -> Date? {
        let plain = ISO8601DateFormatter()
        if let date = plain.date(from: value) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: value)
    }

    /// The cursor value put in place of `{cursor}`.
    var cursorText: String? {
        guard let spec = source.cursor, let value = storedCursor ?? firstNightCursor else { return nil }
        return spec.template.render(value)
    }

    /// Whether the walk went to the end of the results (or to the stored cursor), not stopped by a cap.
    public var isComplete: Bool { interruption == nil }

    /// Records the API has in this window that this walk did not fetch (nil when the API gives no total).
    public var remaining: Int? {
        guard interruption != nil else { return 0 }
        return announcedTotal.map { max(0, $0 - recordCount) }
    }

    /// The cursor to save after every page arrived: only ever forward, only from records fetched.
    /// A newest-first walk that was interrupted keeps the stored cursor: what it did not reach is older than
    /// what it stored, and would be skipped for good if the cursor moved.
    public var cursorToSave: String? {
        guard let newCursor else { return storedCursor }
        if source.cursor?.order == .newestFirst && !isComplete { return storedCursor }
        guard let stored = storedCursor else { return newCursor }
        return Self.compare(newCursor, stored) > 0 ? newCursor : stored
    }

    /// `YYYY-MM-DD` of `date` in `zone` (UTC by default).
    static func day(_ date: Date, zone: TimeZone = TimeZone(identifier: "UTC")!) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0)
    }

    /// The request for the first page.
    public func firstRequest() -> PageRequest {
        if case .dailyIssue(let s) = source.paging {
            return issueRequest(storedCursor.flatMap(Self.issueAfter) ?? s.initial, pageIndex: 0)
        }
        var query = source.query.map { QueryParameter($0.name, substitute($0.value)) }
        switch source.paging {
        case .offsetLimit(let s):
            query.append(QueryParameter(s.limitParam, String(s.pageSize)))
            query.append(QueryParameter(s.offsetParam, "0"))
        case .pageNumber(let s):
            query.append(QueryParameter(s.pageParam, String(s.firstPage)))
            query.append(QueryParameter(s.sizeParam, String(s.pageSize)))
        case .none, .iterationToken, .nextLink, .dailyIssue:
            break
        }
        var headers = source.headers
        if source.body != nil, !headers.contains(where: { $0.name.lowercased() == "content-type" }) {
            headers.append(QueryParameter("Content-Type", "application/json"))
        }
        return PageRequest(
            url: Self.url(source.url, query), method: source.method, headers: headers,
            body: source.body.map(substitute),
            form: source.form.map { QueryParameter($0.name, substitute($0.value)) },
            pageIndex: 0)
    }

    /// Reads `page` (the body answered to `request`) and returns the next page's request, or nil when done.
    public mutating func next(after request: PageRequest, page: [UInt8]) throws(PagingProblem) -> PageRequest? {
        if case .none = source.paging { return nil }
        if case .dailyIssue(let s) = source.paging {
            // A package is not JSON: the only paging fact is that this issue exists.
            recordCount += 1
            newCursor = request.issue
            guard request.pageIndex + 1 < s.maxPages else {
                interruption = "stopped after max_pages=\(s.maxPages) issues"
                warnings.append(
                    "stopped after max_pages=\(s.maxPages) issues; the next run goes on after "
                        + (request.issue ?? "?"))
                return nil
            }
            guard let issue = request.issue.flatMap(Self.issueAfter) else { return nil }
            return issueRequest(issue, pageIndex: request.pageIndex + 1)
        }
        let object: [String: Any]
        do {
            guard let parsed = try JSONSerialization.jsonObject(with: Data(page)) as? [String: Any] else {
                throw PagingProblem("the page is not a JSON object")
            }
            object = parsed
        } catch let problem as PagingProblem {
            throw problem
        } catch {
            throw PagingProblem("the page is not valid JSON (\(error.localizedDescription))")
        }
        let resultsKey: String
        let totalKey: String?
        let maxPages: Int
        switch source.paging {
        case .none, .dailyIssue: return nil
        case .offsetLimit(let s): (resultsKey, totalKey, maxPages) = (s.resultsKey, s.totalKey, s.maxPages)
        case .pageNumber(let s): (resultsKey, totalKey, maxPages) = (s.resultsKey, s.totalKey, s.maxPages)
        case .iterationToken(let s): (resultsKey, totalKey, maxPages) = (s.resultsKey, s.totalKey, s.maxPages)
        case .nextLink(let s): (resultsKey, totalKey, maxPages) = (s.resultsKey, s.totalKey, s.maxPages)
        }
        guard let results = object[resultsKey] as? [Any] else {
            // A local file's content never goes into a message (it would reach every digest's source health).
            let keys =
                source.isLocalFile
                ? "" : " (keys: " + object.keys.sorted().prefix(8).joined(separator: ", ") + ")"
            throw PagingProblem("no `\(resultsKey)` array in the page\(keys)")
        }
        if let totalKey, let total = Self.int(object[totalKey]) { announcedTotal = total }
        if object["timedOut"] as? Bool == true {
            // TED answers 200 with `timedOut: true` and a partial page when a query is too heavy.
            warnings.append("the API reported timedOut on page \(request.pageIndex + 1): results may be incomplete")
        }
        recordCount += results.count
        observeCursor(results)
        if results.isEmpty { return nil }
        if reachedCursor && stopsAtCursor { return nil }
        if request.pageIndex + 1 >= maxPages {
            if hasMore(results: results.count, object: object) {
                interrupt(isAtOffsetCap(after: request) ? offsetCapReason : "stopped after max_pages=\(maxPages) pages")
            }
            return nil
        }
        var next = request
        next.pageIndex += 1
        switch source.paging {
        case .none, .dailyIssue:
            return nil
        case .offsetLimit(let s):
            if results.count < s.pageSize { return nil }
            let nextOffset = (request.pageIndex + 1) * s.pageSize
            if let total = announcedTotal, nextOffset >= total { return nil }
            if isAtOffsetCap(after: request) {
                // Opendatasoft refuses offset+limit > 10,000 (HTTP 400). Oldest first, the next run moves the
                // `>= cursor` window forward instead of the offset.
                interrupt(offsetCapReason)
                return nil
            }
            next.url = Self.replacing(request.url, s.offsetParam, String(nextOffset))
        case .pageNumber(let s):
            if results.count < s.pageSize { return nil }
            let index = request.pageIndex + 1
            if let total = announcedTotal, index * s.pageSize >= total { return nil }
            next.url = Self.replacing(request.url, s.pageParam, String(s.firstPage + index))
        case .iterationToken(let s):
            guard let token = object[s.tokenKey] as? String, !token.isEmpty else { return nil }
            guard let bodyText = request.body, let bodyData = bodyText.data(using: .utf8),
                var body = (try? JSONSerialization.jsonObject(with: bodyData)) as? [String: Any]
            else {
                throw PagingProblem("iteration-token paging needs a JSON object `body:` to carry \(s.tokenKey)")
            }
            body[s.tokenKey] = token
            guard let data = try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]) else {
                throw PagingProblem("cannot re-encode the request body")
            }
            next.body = String(decoding: data, as: UTF8.self)
        case .nextLink(let s):
            guard let link = object[s.nextKey] as? String, !link.isEmpty else { return nil }
            guard let resolved = URL(string: link, relativeTo: URL(string: request.url))?.absoluteString else {
                throw PagingProblem("`\(s.nextKey)` is not a URL" + (source.isLocalFile ? "" : ": \(link)"))
            }
            if let why = RequestPolicy.nextLinkRefusal(resolved, source: source) {
                // Nothing of this walk is kept: the source fails, its pages are stored all or none.
                throw PagingProblem(why, refusedTarget: resolved)
            }
            if resolved == request.url { throw PagingProblem("`\(s.nextKey)` points at the same page") }
            next.url = upgradedToHTTPS(resolved)
            if !RequestPolicy.isSameOrigin(next.url, source.url) {
                let target = RequestPolicy.origin(next.url) ?? next.url
                warnings.append(
                    "page \(next.pageIndex + 1) is on another origin (\(target)): sent without the "
                        + "credential")
            }
        }
        return next
    }

    /// A `next` link rebuilt behind a proxy may say `http://` for the `https://` host (a token would travel in
    /// clear): on the source's own host, the source's scheme is kept.
    private func upgradedToHTTPS(_ url: String) -> String {
        guard source.url.lowercased().hasPrefix("https://"), url.lowercased().hasPrefix("http://") else { return url }
        let upgraded = "https://" + url.dropFirst("http://".count)
        let sameHost = SourceDefinition(id: source.id, format: source.format, url: upgraded).host == source.host
        return sameHost || RequestPolicy.isSameOrigin(upgraded, source.url) ? upgraded : url
    }

    /// After a 404 on an issue: the request for the first issue of the next year when the missing one
    /// belongs to a past year (issue numbers restart at 00001 each January), else nil (not published yet).
    public mutating func nextYear(after request: PageRequest, currentYear: Int) -> PageRequest? {
        guard case .dailyIssue = source.paging, !rolledOverYear, let issue = request.issue,
            let year = Int(issue.prefix(4)), year < currentYear, issue.count == 9
        else { return nil }
        rolledOverYear = true
        return issueRequest("\(year + 1)00001", pageIndex: request.pageIndex)
    }

    /// `202600227` → `202600228`.
    static func issueAfter(_ issue: String) -> String? {
        guard issue.count == 9, let n = Int(issue) else { return nil }
        return String(format: "%09d", n + 1)
    }

    private func issueRequest(_ issue: String, pageIndex: Int) -> PageRequest {
        PageRequest(
            url: source.url.replacingOccurrences(of: "{issue}", with: issue), method: source.method,
            headers: source.headers, body: nil, form: [], pageIndex: pageIndex, issue: issue)
    }

    /// Whether the results go on after this page (the walk is being cut short, not ending).
    private func hasMore(results: Int, object: [String: Any]) -> Bool {
        if let total = announcedTotal, recordCount >= total { return false }
        switch source.paging {
        case .none, .dailyIssue: return false
        case .offsetLimit(let s): return results >= s.pageSize
        case .pageNumber(let s): return results >= s.pageSize
        case .iterationToken(let s): return (object[s.tokenKey] as? String).map { !$0.isEmpty } ?? false
        case .nextLink(let s): return (object[s.nextKey] as? String).map { !$0.isEmpty } ?? false
        }
    }

    /// Whether the page after `request` would pass the API's cap on offset + limit.
    private func isAtOffsetCap(after request: PageRequest) -> Bool {
        guard case .offsetLimit(let s) = source.paging else { return false }
        return (request.pageIndex + 1) * s.pageSize + s.pageSize > s.maxOffset
    }

    private var offsetCapReason: String {
        guard case .offsetLimit(let s) = source.paging else { return "" }
        return "the API's offset cap (offset + limit <= \(s.maxOffset)) was reached"
    }

    /// Records that the walk stopped before the end, and what is left for the next run.
    private mutating func interrupt(_ why: String) {
        interruption = why
        let left = remaining.map { "\($0) records left" } ?? "more records left"
        let resume =
            source.cursor == nil
            ? ""
            : (source.cursor?.order == .newestFirst
                ? "; the cursor stays at \(storedCursor ?? firstNightCursor ?? "?") so nothing is skipped"
                : "; the next run resumes after the newest record stored")
        warnings.append("\(why) after \(recordCount) records: \(left)\(resume)")
        if let spec = source.cursor, spec.order == .oldestFirst, let start = storedCursor ?? firstNightCursor,
            let reached = newCursor, reached.prefix(10) == start.prefix(10)
        {
            // The window starts at the cursor's day: a day holding more records than one night's pages would
            // be fetched again every night and never passed.
            warnings.append(
                "the whole walk stayed within \(start.prefix(10)): raise max_pages, or this source "
                    + "never gets past that day")
        }
    }

    /// Only a newest-first walk the server does not filter by the cursor stops at the first older record.
    private var stopsAtCursor: Bool {
        guard let spec = source.cursor, spec.order == .newestFirst else { return false }
        let texts = source.query.map(\.value) + source.form.map(\.value) + [source.body ?? ""]
        return !texts.contains { $0.contains("{cursor}") }
    }

    /// Tracks the largest cursor value and whether a record went below the stored cursor.
    private mutating func observeCursor(_ results: [Any]) {
        guard let field = source.cursor?.field else { return }
        for case let record as [String: Any] in results {
            guard let value = Self.text(record[field]) else { continue }
            if isAfterNow(value) {
                // A record dated after the run (a typo, a placeholder, a call announced for next year) would
                // make the next night's `>= cursor` window skip everything in between: stored, but never the
                // cursor.
                futureRecords += 1
                if futureRecords == 1 {
                    warnings.append(
                        "a record has \(field)=\(value), after this run's time: it does not move the "
                            + "cursor")
                }
                continue
            }
            if newCursor == nil || Self.compare(value, newCursor!) > 0 { newCursor = value }
            // Strictly older only: BOAMP's dateparution is a day, and the second batch of the day shares it.
            if let stored = storedCursor, Self.compare(value, stored) < 0 { reachedCursor = true }
        }
    }

    /// `YYYY-MM-DD…`.
    static func isDate(_ value: String) -> Bool {
        let bytes = Array(value.utf8.prefix(10))
        guard bytes.count == 10 else { return false }
        for (i, b) in bytes.enumerated() {
            if i == 4 || i == 7 {
                if b != UInt8(ascii: "-") { return false }
            } else if !(48...57).contains(b) {
                return false
            }
        }
        return true
    }

    /// Numeric when both are integers (notice ids), else text order (ISO dates sort as text).
    public static func compare(_ a: String, _ b: String) -> Int {
        if let x = Int(a), let y = Int(b) { return x < y ? -1 : (x > y ? 1 : 0) }
        return a < b ? -1 : (a > b ? 1 : 0)
    }

    private func substitute(_ text: String) -> String {
        guard let cursorText, text.contains("{cursor}") else { return text }
        return text.replacingOccurrences(of: "{cursor}", with: cursorText)
    }

    static func text(_ value: Any?) -> String? {
        switch value {
        case let s as String: return s
        case let n as NSNumber: return n.stringValue
        case let list as [Any]: return list.compactMap { text($0) }.max()
        default: return nil
        }
    }

    static func int(_ value: Any?) -> Int? {
        switch value {
        case let n as NSNumber: return n.intValue
        case let s as String: return Int(s)
        default: return nil
        }
    }

    static let queryAllowed: CharacterSet = {
        var set = CharacterSet.alphanumerics
        set.insert(charactersIn: "-._~")
        return set
    }()

    /// `base` + `?` + percent-encoded query.
    public static func url(_ base: String, _ query: [QueryParameter]) -> String {
        guard !query.isEmpty else { return base }
        let encoded = query.map { pair in
            let name = pair.name.addingPercentEncoding(withAllowedCharacters: queryAllowed) ?? pair.name
            let value = pair.value.addingPercentEncoding(withAllowedCharacters: queryAllowed) ?? pair.value
            return "\(name)=\(value)"
        }
        return base + (base.contains("?") ? "&" : "?") + encoded.joined(separator: "&")
    }

    /// `url` without query parameter `name` (a key a server echoed in its `next` link).
    static func removing(_ url: String, _ name: String) -> String {
        guard let q = url.firstIndex(of: "?") else { return url }
        let encoded = name.addingPercentEncoding(withAllowedCharacters: queryAllowed) ?? name
        let parts = url[url.index(after: q)...].split(separator: "&").filter {
            let key = $0.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
            return key != name && key != encoded
        }
        return parts.isEmpty ? String(url[..<q]) : url[..<q] + "?" + parts.joined(separator: "&")
    }

    /// `url` with query parameter `name` set to `value`.
    static func replacing(_ url: String, _ name: String, _ value: String) -> String {
        guard let q = url.firstIndex(of: "?") else { return Self.url(url, [QueryParameter(name, value)]) }
        let base = url[..<q]
        var found = false
        let parts = url[url.index(after: q)...].split(separator: "&").map { part -> String in
            if part.split(separator: "=", maxSplits: 1).first.map(String.init) == name {
                found = true
                return "\(name)=\(value)"
            }
            return String(part)
        }
        let all = found ? parts : parts + ["\(name)=\(value)"]
        return base + "?" + all.joined(separator: "&")
    }
}

/// Why a page could not be paged.
public struct PagingProblem: Error, Sendable {
    public var message: String
    /// The `next` link refused by `RequestPolicy` (another scheme, a file elsewhere), when that is the problem.
    public var refusedTarget: String?
    public init(_ message: String, refusedTarget: String? = nil) {
        self.message = message
        self.refusedTarget = refusedTarget
    }
}
