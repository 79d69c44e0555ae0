import Foundation

/// aides-territoires' API today (the Symfony app): `POST /api/connexion/` exchanges the key sent in
/// `X-AUTH-TOKEN` for a JWT; `GET /api/aids/` wants it as a Bearer token and reads `published_after`
/// (`YYYY-MM-DD`), `call_for_projects_only` (`true`/`on`, `false`/`off`), `orderBy=publication_date` (newest
/// first), `itemsPerPage` (default 50, at most 100; legacy `size`) and `page` (1-based). Every other parameter
/// is silently ignored, as on the real service (the old `is_call_for_project`, `date_published__gte`).
/// Answers `{count, previous, next, results}` with `next` rebuilt from the query string.
public struct AidesTerritoiresEmulator: Sendable {
    public let records: EmulatedRecords
    /// The API key the connexion endpoint accepts.
    public let key: String
    /// The JWT it hands out.
    public let token: String

    public init(records: EmulatedRecords, key: String, token: String = "jwt-emulated") {
        self.records = records
        self.key = key
        self.token = token
    }

    public static let maxItemsPerPage = 100

    /// `/api/connexion/`.
    public var connexionRoute: Route {
        let emulator = self
        return Route { request in
            guard request.header("x-auth-token") == emulator.key else {
                return .ok("{\"code\": 401, \"message\": \"Invalid API token\"}", contentType: "application/json")
                    .withStatus(401)
            }
            return .ok("{\"token\": \"\(emulator.token)\"}", contentType: "application/json")
        }
    }

    /// `/api/aids/`, answering with absolute `next`/`previous` links on `base` (`http://127.0.0.1:PORT`).
    public func aidsRoute(base: String) -> Route {
        let emulator = self
        return Route { request in emulator.answer(request, base: base) }
    }

    func answer(_ request: RecordedRequest, base: String) -> ScriptedResponse {
        guard request.header("authorization") == "Bearer \(token)" else {
            return .ok("{\"code\": 401, \"message\": \"JWT Token not found\"}", contentType: "application/json")
                .withStatus(401)
        }
        var matching = records.all
        if let after = request.queryValue("published_after"), after.count == 10 {
            matching = matching.filter { String($0.date.prefix(10)) >= after }
        }
        switch request.queryValue("call_for_projects_only")?.lowercased() {
        case "true", "on": matching = matching.filter(\.isCallForProjects)
        case "false", "off": matching = matching.filter { !$0.isCallForProjects }
        default: break
        }
        if request.queryValue("orderBy") == "publication_date" {
            matching.sort { ($0.date, $0.id) > ($1.date, $1.id) }
        }
        let requested = Int(request.queryValue("itemsPerPage") ?? request.queryValue("size") ?? "50") ?? 50
        let perPage = max(1, min(Self.maxItemsPerPage, requested))
        let page = max(1, Int(request.queryValue("page") ?? "1") ?? 1)
        let slice = matching.dropFirst((page - 1) * perPage).prefix(perPage)
        func link(_ target: Int) -> String {
            var items = request.query.split(separator: "&").filter { !$0.hasPrefix("page=") }.map(String.init)
            items.append("page=\(target)")
            return "\"\(base)\(request.path)?\(items.joined(separator: "&"))\""
        }
        let next = page * perPage < matching.count ? link(page + 1) : "null"
        let previous = page > 1 ? link(page - 1) : "null"
        let body =
            "{\"count\": \(matching.count), \"previous\": \(previous), \"next\": \(next), \"results\": ["
            + slice.map(\.json).joined(separator: ",") + "]}"
        return .ok(body, contentType: "application/json")
    }
}
