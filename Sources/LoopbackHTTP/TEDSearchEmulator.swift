import Foundation

/// TED's Search API v3 (`POST /v3/notices/search`) as the real service behaves: the query in a JSON body,
/// an unknown field name or a `limit` over 250 refused with HTTP 400, `publication-date>=YYYYMMDD` and
/// `SORT BY publication-date ASC|DESC` read from the expert query, and `ITERATION` paging whose
/// `iterationNextToken` carries on after the last notice sent (new notices published meanwhile do not shift
/// the walk). Answers `{"notices": […], "totalNoticeCount": n, "iterationNextToken": …, "timedOut": false}`.
public struct TEDSearchEmulator: Sendable {
    public let records: EmulatedRecords

    public init(records: EmulatedRecords) { self.records = records }

    /// Field names the real API accepted: those in the real answers of `../shared/samples/real/ted/` and
    /// those SOURCES.md lists from public clients. Anything else is a 400, as on the real service.
    public static let acceptedFields: Set<String> = [
        "publication-number", "notice-identifier", "procedure-identifier", "notice-type", "notice-subtype",
        "form-type", "procedure-type", "publication-date", "official-language", "notice-title", "title-proc",
        "description-proc", "buyer-name", "buyer-country", "organisation-name-buyer", "classification-cpv",
        "main-classification-proc", "main-classification-type-proc", "additional-classification-proc",
        "contract-nature", "contract-nature-main-proc", "estimated-value-proc", "estimated-value-cur-proc",
        "deadline-receipt-tender-date-lot", "deadline-receipt-tender-time-lot", "deadline-receipt-request",
        "deadline-receipt-request-date-lot", "deadline-receipt-request-time-lot", "place-of-performance",
        "place-of-performance-country-proc", "place-of-performance-country-lot", "title-lot", "description-lot",
        "document-url-lot", "internal-identifier-proc", "winner-name", "winner-identifier",
        "contract-conclusion-date", "links", "OJ",
    ]

    public static let maxLimit = 250

    /// The route to install on the loopback server.
    public var route: Route {
        let emulator = self
        return Route { request in emulator.answer(request) }
    }

    func answer(_ request: RecordedRequest) -> ScriptedResponse {
        guard request.method == "POST" else { return Self.error(405, "METHOD_NOT_ALLOWED", "use POST") }
        guard let body = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any] else {
            return Self.error(400, "BAD_REQUEST", "the body is not a JSON object")
        }
        let fields = body["fields"] as? [String] ?? []
        if let unknown = fields.first(where: { !Self.acceptedFields.contains($0) }) {
            return Self.error(400, "QUERY_SYNTAX_ERROR", "unknown field \(unknown)")
        }
        let limit = (body["limit"] as? Int) ?? 10
        guard limit > 0, limit <= Self.maxLimit else {
            return Self.error(400, "BAD_REQUEST", "limit must be between 1 and \(Self.maxLimit)")
        }
        let query = body["query"] as? String ?? ""
        var matching = records.all
        if let since = Self.since(query) { matching = matching.filter { Self.compact($0.date) >= since } }
        let descending = query.range(of: "SORT BY publication-date DESC", options: .caseInsensitive) != nil
        matching.sort { descending ? ($0.date, $0.id) > ($1.date, $1.id) : ($0.date, $0.id) < ($1.date, $1.id) }
        let total = matching.count
        var rest = matching[...]
        if let token = body["iterationNextToken"] as? String {
            // The token stands for "after this notice": search-after, not an offset.
            guard let after = Self.decode(token) else { return Self.error(400, "BAD_REQUEST", "invalid token") }
            rest = matching.drop { descending ? ($0.date, $0.id) >= after : ($0.date, $0.id) <= after }
        }
        let page = Array(rest.prefix(limit))
        let hasMore = rest.count > page.count
        let token = hasMore ? page.last.map { "\"" + Self.encode(($0.date, $0.id)) + "\"" } ?? "null" : "null"
        let json =
            "{\"notices\": [" + page.map(\.json).joined(separator: ",") + "], \"totalNoticeCount\": \(total), "
            + "\"iterationNextToken\": \(token), \"timedOut\": false}"
        return .ok(json, contentType: "application/json")
    }

    /// `publication-date>=20261118` → `20261118`.
    static func since(_ query: String) -> String? {
        guard let range = query.range(of: "publication-date>=") else { return nil }
        let digits = query[range.upperBound...].prefix { $0.isNumber }
        return digits.count == 8 ? String(digits) : nil
    }

    /// `2026-11-18+01:00` → `20261118`.
    static func compact(_ date: String) -> String { String(date.prefix(10).filter { $0 != "-" }) }

    static func encode(_ key: (String, String)) -> String {
        Data("\(key.0)|\(key.1)".utf8).base64EncodedString()
    }

    static func decode(_ token: String) -> (String, String)? {
        guard let data = Data(base64Encoded: token) else { return nil }
        let parts = String(decoding: data, as: UTF8.self).split(separator: "|", maxSplits: 1).map(String.init)
        return parts.count == 2 ? (parts[0], parts[1]) : nil
    }

    static func error(_ status: Int, _ type: String, _ message: String) -> ScriptedResponse {
        .ok("{\"error\": {\"type\": \"\(type)\"}, \"message\": \"\(message)\"}", contentType: "application/json")
            .withStatus(status)
    }
}
