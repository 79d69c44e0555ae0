import Foundation

/// One record of an emulated API: its JSON text in the real response shape, and the keys the service filters
/// and sorts on.
public struct EmulatedRecord: Sendable, Hashable {
    /// The record's identifier (BOAMP `idweb`, TED `publication-number`, aides-territoires `id`): the
    /// tie-breaker of every sort.
    public var id: String
    /// The date the service filters and sorts on (`dateparution`, `publication-date`, the publication time of
    /// an aid), written so that text order is time order (ISO 8601).
    public var date: String
    /// The record as the service sends it.
    public var json: String
    /// aides-territoires: whether the aid is a call for projects (`call_for_projects_only`).
    public var isCallForProjects: Bool

    public init(id: String, date: String, json: String, isCallForProjects: Bool = true) {
        self.id = id
        self.date = date
        self.json = json
        self.isCallForProjects = isCallForProjects
    }
}

/// The records an emulator serves; tests add records between nights.
public final class EmulatedRecords: @unchecked Sendable {
    private let lock = NSLock()
    private var records: [EmulatedRecord] = []

    public init(_ records: [EmulatedRecord] = []) { self.records = records }

    /// Publishes more records (they appear at the next request).
    public func add(_ more: [EmulatedRecord]) {
        lock.lock(); defer { lock.unlock() }
        records += more
    }

    /// Every record, in the order they were added.
    public var all: [EmulatedRecord] {
        lock.lock(); defer { lock.unlock() }
        return records
    }
}

/// An Opendatasoft Explore v2.1 `/records` endpoint (BOAMP, DECP on data.economie.gouv.fr) that keeps the
/// platform's rules: `limit` ≤ 100 and `offset + limit` ≤ 10,000 (HTTP 400 beyond), a `where` of the form
/// `field >= date'YYYY-MM-DD'`, `order_by` on the date with the id as tie-breaker (`asc` or `desc`), and no
/// guaranteed order without `order_by`. Answers `{"total_count": n, "results": […]}`.
public struct OpendatasoftEmulator: Sendable {
    public let records: EmulatedRecords
    /// The record field the `where` and `order_by` name (`dateparution`).
    public let dateField: String

    public init(records: EmulatedRecords, dateField: String) {
        self.records = records
        self.dateField = dateField
    }

    /// The platform's cap on `offset + limit`.
    public static let maxWindow = 10_000
    public static let maxLimit = 100

    /// The route to install on the loopback server.
    public var route: Route {
        let emulator = self
        return Route { request in emulator.answer(request) }
    }

    func answer(_ request: RecordedRequest) -> ScriptedResponse {
        guard request.method == "GET" else { return Self.error(405, "Method not allowed") }
        let limit = Int(request.queryValue("limit") ?? "10") ?? -1
        let offset = Int(request.queryValue("offset") ?? "0") ?? -1
        guard limit >= 0, limit <= Self.maxLimit, offset >= 0 else {
            return Self.error(400, "Invalid value for limit (0..\(Self.maxLimit)) or offset")
        }
        guard offset + limit <= Self.maxWindow else {
            // The platform's words (InvalidRESTParameterError): the sum is capped, whatever the total.
            return Self.error(400, "Invalid value for offset + limit: must be lower or equal to \(Self.maxWindow)")
        }
        var matching = records.all
        if let whereClause = request.queryValue("where") {
            guard let since = Self.since(whereClause, field: dateField) else {
                return Self.error(400, "ODSQL query is malformed: \(whereClause)")
            }
            matching = matching.filter { String($0.date.prefix(10)) >= since }
        }
        if let order = request.queryValue("order_by") {
            let descending = order.lowercased().split(separator: ",").first?.contains("desc") == true
            matching.sort { a, b in
                (a.date, a.id) == (b.date, b.id)
                    ? false
                    : descending ? (a.date, a.id) > (b.date, b.id) : (a.date, a.id) < (b.date, b.id)
            }
        }
        let page = matching.dropFirst(offset).prefix(limit)
        let body =
            "{\"total_count\": \(matching.count), \"results\": [" + page.map(\.json).joined(separator: ",")
            + "]}"
        return .ok(body, contentType: "application/json; charset=utf-8")
    }

    /// `dateparution >= date'2026-11-18'` → `2026-11-18`.
    static func since(_ clause: String, field: String) -> String? {
        let compact = clause.replacingOccurrences(of: " ", with: "")
        guard compact.hasPrefix(field + ">=date'"), compact.hasSuffix("'") else { return nil }
        let value = compact.dropFirst(field.count + 7).dropLast()
        return value.count == 10 ? String(value) : nil
    }

    static func error(_ status: Int, _ message: String) -> ScriptedResponse {
        let text = message.replacingOccurrences(of: "\"", with: "'")
        return .ok(
            "{\"error_code\": \"InvalidRESTParameterError\", \"message\": \"\(text)\"}",
            contentType: "application/json; charset=utf-8"
        ).withStatus(status)
    }
}

extension ScriptedResponse {
    /// The same answer with another status.
    public func withStatus(_ status: Int) -> ScriptedResponse {
        var copy = self
        copy.status = status
        return copy
    }
}
