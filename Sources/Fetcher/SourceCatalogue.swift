import Foundation
import Notices
import Yams

/// The sources of `Feeds/`: one YAML file per source (`Feeds/boamp-api.yaml`), or one file with a `sources:`
/// list (`Feeds/demo.yaml`, loaded only when named explicitly).
///
/// Files are composed as YAML nodes (not decoded) so that every schema error names the file, the line and the
/// key: a catalogue is edited by hand by cluster staff, and "key 'paging.page_size' must be an integer" at
/// `boamp-api.yaml:14` is what lets them fix it.
public struct SourceCatalogue: Sendable {
    public var sources: [SourceDefinition]

    public init(sources: [SourceDefinition]) { self.sources = sources }

    /// Files in a catalogue directory that are not real sources: the offline demo catalogue.
    public static let excludedFileNames: Set<String> = ["demo.yaml"]

    /// What checking a catalogue found.
    public struct CheckReport: Sendable {
        public var sources: [SourceDefinition]
        public var errors: [FetcherError]
        /// Not errors: unconfirmed sources, disabled sources, credentials not set.
        public var warnings: [String]
        public var files: [String]
    }

    /// Loads `directory` (every `*.yaml`/`*.yml` but `demo.yaml`) or a single catalogue file.
    /// Throws the first schema error; use `check(path:)` to see them all.
    public static func load(directory path: String) throws -> SourceCatalogue {
        let report = check(path: path)
        if let first = report.errors.first { throw first }
        return SourceCatalogue(sources: report.sources)
    }

    /// Reads and validates every file; never throws.
    public static func check(path: String, environment: [String: String] = ProcessInfo.processInfo.environment)
        -> CheckReport
    {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return CheckReport(
                sources: [],
                errors: [
                    .catalogue(
                        file: path, line: nil, key: nil,
                        message: "no such file or directory")
                ],
                warnings: [], files: [])
        }
        var files: [String]
        if isDirectory.boolValue {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            files = names.filter { ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) && !excludedFileNames.contains($0) }
                .sorted().map { (path as NSString).appendingPathComponent($0) }
            if files.isEmpty {
                return CheckReport(
                    sources: [],
                    errors: [
                        .catalogue(
                            file: path, line: nil, key: nil,
                            message: "no *.yaml source file")
                    ],
                    warnings: [], files: [])
            }
        } else {
            files = [path]
        }
        var sources: [SourceDefinition] = []
        var errors: [FetcherError] = []
        var warnings: [String] = []
        var seen: [String: String] = [:]
        for file in files {
            var reader = FileReader(file: file)
            let defs = reader.read()
            errors += reader.errors
            for def in defs {
                if let other = seen[def.id] {
                    errors.append(
                        .catalogue(
                            file: file, line: nil, key: "id",
                            message: "duplicate source id '\(def.id)' (also in \(other))"))
                    continue
                }
                seen[def.id] = file
                if !def.confirmed {
                    let why = (def.evidence ?? def.note).map {
                        $0.count > 110 ? " — " + $0.prefix(107) + "…" : " — " + $0
                    }
                    warnings.append("\(def.id): not checked against real responses\(why ?? "")")
                }
                if !def.enabled { warnings.append("\(def.id): disabled") }
                if let cursor = def.cursor {
                    warnings += Self.cursorWarnings(def, cursor)
                }
                if def.auth != nil, def.url.lowercased().hasPrefix("http://") {
                    // Allowed (a loopback emulator, a lab), but the key crosses the network in clear.
                    warnings.append(
                        "\(def.id): the credential in \(def.auth?.env ?? "?") is sent over http://, in "
                            + "clear: use https://")
                }
                // Empty counts as unset, as the fetch reads it: an env file line `KEY=` left unfilled must warn.
                if let auth = def.auth, (environment[auth.env] ?? "").isEmpty {
                    warnings.append(
                        "\(def.id): environment variable \(auth.env) is not set"
                            + (!def.enabled
                                ? " (set it before enabling the source)"
                                : auth.optional ? " (fetched anonymously)" : " (the source will fail)"))
                }
                sources.append(def)
            }
        }
        return CheckReport(sources: sources, errors: errors, warnings: warnings, files: files)
    }

    /// What does not fit between a cursor's declared order and the request.
    static func cursorWarnings(_ def: SourceDefinition, _ cursor: CursorSpec) -> [String] {
        switch cursor.order {
        case .oldestFirst:
            var out: [String] = []
            if !filtersByCursor(def) {
                // Without a `>= cursor` window every night would start again from the oldest record.
                out.append("\(def.id): an oldest-first cursor needs `{cursor}` in the request (a `>= cursor` window)")
            }
            if asksNewestFirst(def) {
                out.append("\(def.id): cursor.order is oldest-first but the request asks for a descending sort")
            }
            return out
        case .newestFirst:
            if !filtersByCursor(def) && !asksNewestFirst(def) {
                // Without a server-side filter, the walk stops at the first record older than the cursor:
                // Opendatasoft (BOAMP) sorts oldest first unless told, so the walk would stop at once.
                return [
                    "\(def.id): a newest-first cursor without `{cursor}` in the request needs a descending "
                        + "sort (order_by=… desc, SORT BY … DESC); none found"
                ]
            }
            return []
        }
    }

    /// Whether the request asks for a descending order somewhere (query values or body); Django-style
    /// `ordering=-date` counts too.
    static func asksNewestFirst(_ source: SourceDefinition) -> Bool {
        // A whole word: TED's field names (`description-lot`) hold "desc" too.
        return requestTexts(source).contains {
            $0.range(of: "\\bdesc\\b", options: [.regularExpression, .caseInsensitive]) != nil
        }
            || source.query.contains { q in
                q.value.hasPrefix("-") && (q.name.contains("order") || q.name.contains("sort"))
            }
    }

    /// Whether the stored cursor is sent to the server (`{cursor}` in the query, form or body).
    static func filtersByCursor(_ source: SourceDefinition) -> Bool {
        return requestTexts(source).contains { $0.contains("{cursor}") }
    }

    /// The texts of a request a server reads: query values, form values, body.
    private static func requestTexts(_ source: SourceDefinition) -> [String] {
        source.query.map(\.value) + source.form.map(\.value) + [source.body ?? ""]
    }

    /// Parses one catalogue text (tests, or a file already read); `file` names it in errors and resolves
    /// relative `file://` URLs against its folder.
    public static func parse(yaml: String, file: String) throws -> [SourceDefinition] {
        var reader = FileReader(file: file, text: yaml)
        let defs = reader.read()
        if let first = reader.errors.first { throw first }
        return defs
    }
}

/// Reads one YAML file into definitions, collecting located errors.
private struct FileReader {
    let file: String
    var text: String?
    var errors: [FetcherError] = []

    init(file: String, text: String? = nil) {
        self.file = file
        self.text = text
    }

    mutating func read() -> [SourceDefinition] {
        let yaml: String
        if let text {
            yaml = text
        } else {
            guard let data = FileManager.default.contents(atPath: file) else {
                fail(nil, nil, "cannot read the file")
                return []
            }
            guard let decoded = String(data: data, encoding: .utf8) else {
                fail(nil, nil, "not UTF-8")
                return []
            }
            yaml = decoded
        }
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: yaml) else {
                fail(nil, nil, "empty file")
                return []
            }
            root = node
        } catch let error as YamlError {
            switch error {
            case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
                .composer(_, let problem, let mark, _):
                fail(mark.line, nil, "YAML syntax: \(problem)")
            default:
                fail(nil, nil, "YAML syntax: \(error)")
            }
            return []
        } catch {
            fail(nil, nil, "YAML syntax: \(error)")
            return []
        }
        guard let mapping = root.mapping else {
            fail(root.mark?.line, nil, "expected a mapping of source keys (or `sources:` list)")
            return []
        }
        if let list = mapping["sources"] {
            guard let items = list.sequence else {
                fail(list.mark?.line, "sources", "must be a list of sources")
                return []
            }
            return items.compactMap { source($0, prefix: "sources[\(($0.mark?.line).map(String.init) ?? "?")].") }
        }
        return source(root, prefix: "").map { [$0] } ?? []
    }

    /// The line of `key` itself (a block mapping's own mark is the line of its first child).
    private func keyLine(_ map: Node.Mapping, _ key: String) -> Int? {
        for (k, v) in map where k.string == key { return k.mark?.line ?? v.mark?.line }
        return nil
    }

    private mutating func fail(_ line: Int?, _ key: String?, _ message: String) {
        errors.append(.catalogue(file: file, line: line, key: key, message: message))
    }

    static let sourceKeys: Set<String> = [
        "id", "name", "owner", "kind", "format", "url", "method", "query", "headers", "body", "form", "paging",
        "cursor", "auth", "politeness", "max_body_bytes", "timeout_s", "time_budget_s", "licence", "confirmed",
        "evidence", "note",
        "enabled",
    ]

    // swiftlint:disable:next function_body_length cyclomatic_complexity
    private mutating func source(_ node: Node, prefix: String) -> SourceDefinition? {
        guard let map = node.mapping else {
            fail(node.mark?.line, nil, "a source must be a mapping")
            return nil
        }
        let errorCount = errors.count
        check(map, allowed: Self.sourceKeys, prefix)
        let id = requiredString(map, "id", prefix, node) ?? ""
        let isValidID = id.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }
        if !id.isEmpty, !isValidID {
            fail(keyLine(map, "id"), prefix + "id", "must be lower-case letters, digits and '-': '\(id)'")
        }
        let name = requiredString(map, "name", prefix, node)
        let owner = requiredString(map, "owner", prefix, node) ?? ""
        let licence = requiredString(map, "licence", prefix, node) ?? ""
        var kind = SourceKind.tenders
        if let raw = requiredString(map, "kind", prefix, node) {
            if let k = SourceKind(rawValue: raw) {
                kind = k
            } else {
                fail(
                    keyLine(map, "kind"), prefix + "kind",
                    "'\(raw)' is not one of: "
                        + SourceKind.allCases.map(\.rawValue).joined(separator: ", "))
            }
        }
        var format = DocumentFormat.rss
        if let raw = requiredString(map, "format", prefix, node) {
            if let f = DocumentFormat(rawValue: raw) {
                format = f
            } else {
                fail(
                    keyLine(map, "format"), prefix + "format",
                    "'\(raw)' is not one of: "
                        + DocumentFormat.allCases.map(\.rawValue).joined(separator: ", "))
            }
        }
        var url = requiredString(map, "url", prefix, node) ?? ""
        if !url.isEmpty {
            if url.hasPrefix("file:") {
                url = resolveFileURL(url)
            } else if !(url.hasPrefix("https://") || url.hasPrefix("http://")) {
                fail(keyLine(map, "url"), prefix + "url", "must start with https://, http:// or file:// : '\(url)'")
            }
            if url.contains("?") {
                fail(keyLine(map, "url"), prefix + "url", "put query parameters under `query:`, not in the URL")
            }
            refuseUserInfo(url, line: keyLine(map, "url"), key: prefix + "url")
        }
        let method = (string(map, "method", prefix) ?? "GET").uppercased()
        if method != "GET" && method != "POST" {
            fail(keyLine(map, "method"), prefix + "method", "must be GET or POST")
        }
        let query = pairs(map, "query", prefix)
        let headers = pairs(map, "headers", prefix)
        let form = pairs(map, "form", prefix)
        let body = string(map, "body", prefix)
        if (body != nil || !form.isEmpty) && method != "POST" {
            fail(keyLine(map, "body") ?? keyLine(map, "form"), prefix + "method", "body/form need method: POST")
        }
        refuseControlCharacters(headers, map, "headers", prefix)
        if headers.contains(where: { ["authorization", "x-auth-token", "x-api-key"].contains($0.name.lowercased()) }) {
            fail(
                keyLine(map, "headers"), prefix + "headers",
                "credentials never go in the catalogue: use `auth: {env: VARIABLE, header: …}`")
        }
        let paging = pagingScheme(map["paging"], prefix + "paging")
        let cursor = cursorSpec(map["cursor"], prefix + "cursor")
        if cursor != nil, case .none = paging {
            // A cursor needs pages in newest-first order to know where to stop.
            fail(keyLine(map, "cursor"), prefix + "cursor", "a cursor needs a paging scheme")
        }
        var isDaily = false
        if case .dailyIssue = paging { isDaily = true }
        if isDaily != url.contains("{issue}") {
            let message =
                isDaily
                ? "daily-issue paging needs `{issue}` in the URL"
                : "`{issue}` in the URL needs `paging: {scheme: daily-issue}`"
            fail(keyLine(map, "url"), prefix + "url", message)
        }
        let templated = query.map(\.value) + form.map(\.value) + [body ?? ""]
        if cursor == nil, templated.contains(where: { $0.contains("{cursor}") }) {
            // Without a cursor spec the placeholder would be sent literally.
            fail(
                keyLine(map, "query") ?? keyLine(map, "body") ?? keyLine(map, "form"), prefix + "cursor",
                "`{cursor}` is used but no `cursor:` (field, first_night_days) is defined")
        }
        if case .iterationToken(let scheme) = paging {
            // The token is written into the body's JSON object: the body must be one.
            let sample = (body ?? "").replacingOccurrences(of: "{cursor}", with: "2026-01-01")
            let object = sample.data(using: .utf8).flatMap { try? JSONSerialization.jsonObject(with: $0) }
            if !(object is [String: Any]) {
                fail(
                    keyLine(map, "body") ?? keyLine(map, "paging"), prefix + "body",
                    "iteration-token paging needs a JSON object body to carry `\(scheme.tokenKey)`")
            }
        }
        let auth = authSpec(map["auth"], prefix + "auth")
        var politeness = Politeness()
        if let p = map["politeness"] {
            if let pm = p.mapping {
                check(pm, allowed: ["max_concurrent", "delay_ms"], prefix + "politeness.")
                if let n = int(pm, "max_concurrent", prefix + "politeness.", min: 1) { politeness.maxConcurrent = n }
                if let n = int(pm, "delay_ms", prefix + "politeness.", min: 0) { politeness.delay = Double(n) / 1000 }
            } else {
                fail(p.mark?.line, prefix + "politeness", "must be a mapping (max_concurrent, delay_ms)")
            }
        }
        let maxBody = int(map, "max_body_bytes", prefix, min: 1024) ?? 50 << 20
        let timeout = int(map, "timeout_s", prefix, min: 1).map(Double.init)
        let timeBudget = int(map, "time_budget_s", prefix, min: 1).map(Double.init)
        let confirmed = bool(map, "confirmed", prefix) ?? true
        let enabled = bool(map, "enabled", prefix) ?? true
        let note = string(map, "note", prefix)
        let evidence = string(map, "evidence", prefix)
        if !confirmed && note == nil && evidence == nil {
            fail(
                keyLine(map, "confirmed"), prefix + "evidence",
                "an unconfirmed source needs `evidence:` (or `note:`) saying why its shapes were not checked")
        }
        guard errors.count == errorCount else { return nil }
        return SourceDefinition(
            id: id, name: name, owner: owner, kind: kind, format: format, url: url,
            method: method, query: query, headers: headers, body: body, form: form,
            paging: paging, cursor: cursor, auth: auth, politeness: politeness,
            maxBodyBytes: maxBody, timeout: timeout, timeBudget: timeBudget, licence: licence,
            confirmed: confirmed,
            evidence: evidence, note: note,
            enabled: enabled, file: file)
    }

    /// `file://samples/x.xml` and `file:samples/x.xml` are relative to the catalogue's folder;
    /// `file:///abs/x.xml` is absolute.
    private func resolveFileURL(_ url: String) -> String {
        var path = url.hasPrefix("file://") ? String(url.dropFirst(7)) : String(url.dropFirst(5))
        if path.hasPrefix("/") { return "file://" + path }
        let folder = ((file as NSString).deletingLastPathComponent as NSString)
        let base = folder.length == 0 ? FileManager.default.currentDirectoryPath : folder as String
        let absoluteBase =
            base.hasPrefix("/")
            ? base
            : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(base)
        path = ((absoluteBase as NSString).appendingPathComponent(path) as NSString).standardizingPath
        return "file://" + path
    }

    /// `user:password@` in a URL: a secret written into the catalogue (and then into every log line and
    /// stored URL). Credentials come from the environment through `auth:`.
    private mutating func refuseUserInfo(_ url: String, line: Int?, key: String) {
        guard let authority = RequestPolicy.authority(url), authority.contains("@") else { return }
        fail(
            line, key,
            "a URL may not carry user:password@ (it would be written in logs and in the store): "
                + "use `auth: {env: VARIABLE, …}`")
    }

    /// A CR, LF, NUL or other control character in a header name or value would smuggle another header (or
    /// request) onto the wire.
    private mutating func refuseControlCharacters(
        _ pairs: [QueryParameter], _ map: Node.Mapping, _ key: String,
        _ prefix: String
    ) {
        let inner = map[key]?.mapping
        for pair in pairs {
            for (part, text) in [("name", pair.name), ("value", pair.value)] {
                guard let bad = RequestPolicy.controlCharacter(in: text) else { continue }
                var line = keyLine(map, key)
                if let inner {
                    for (k, v) in inner where k.string == pair.name {
                        line = (part == "name" ? k.mark : v.mark)?.line ?? line
                    }
                }
                let code = bad.unicodeScalars.first.map { String(format: "U+%04X", $0.value) } ?? "?"
                fail(
                    line, prefix + key + "." + Self.printable(pair.name),
                    "the header \(part) holds a control character (\(code)): refused, it could inject headers")
            }
        }
    }

    /// `text` with control characters written as `\u{…}` (for messages).
    static func printable(_ text: String) -> String {
        text.unicodeScalars.map {
            $0.value < 0x20 || $0.value == 0x7F ? "\\u{\(String($0.value, radix: 16))}" : String($0)
        }.joined()
    }

    // MARK: - Sub-schemas

    private mutating func pagingScheme(_ node: Node?, _ key: String) -> PagingScheme {
        guard let node else { return .none }
        guard let map = node.mapping else {
            fail(node.mark?.line, key, "must be a mapping with `scheme:`")
            return .none
        }
        let p = key + "."
        let scheme = string(map, "scheme", p) ?? ""
        let common: Set<String> = ["scheme", "results_key", "total_key", "max_pages"]
        switch scheme {
        case "none":
            check(map, allowed: ["scheme"], p)
            return .none
        case "offset-limit":
            check(map, allowed: common.union(["offset_param", "limit_param", "page_size", "max_offset"]), p)
            var s = PagingScheme.OffsetLimit()
            s.offsetParam = string(map, "offset_param", p) ?? s.offsetParam
            s.limitParam = string(map, "limit_param", p) ?? s.limitParam
            s.pageSize = int(map, "page_size", p, min: 1) ?? s.pageSize
            s.maxOffset = int(map, "max_offset", p, min: 1) ?? s.maxOffset
            s.totalKey = sharedPaging(map, p, resultsKey: &s.resultsKey, maxPages: &s.maxPages) ?? s.totalKey
            if s.pageSize > s.maxOffset {
                fail(keyLine(map, "page_size"), p + "page_size", "is larger than max_offset")
            }
            return .offsetLimit(s)
        case "page-number":
            check(map, allowed: common.union(["page_param", "size_param", "page_size", "first_page"]), p)
            var s = PagingScheme.PageNumber()
            s.pageParam = string(map, "page_param", p) ?? s.pageParam
            s.sizeParam = string(map, "size_param", p) ?? s.sizeParam
            s.pageSize = int(map, "page_size", p, min: 1) ?? s.pageSize
            s.firstPage = int(map, "first_page", p, min: 0) ?? s.firstPage
            s.totalKey = sharedPaging(map, p, resultsKey: &s.resultsKey, maxPages: &s.maxPages) ?? s.totalKey
            return .pageNumber(s)
        case "iteration-token":
            check(map, allowed: common.union(["token_key"]), p)
            var s = PagingScheme.IterationToken()
            s.tokenKey = string(map, "token_key", p) ?? s.tokenKey
            s.totalKey = sharedPaging(map, p, resultsKey: &s.resultsKey, maxPages: &s.maxPages) ?? s.totalKey
            return .iterationToken(s)
        case "daily-issue":
            check(map, allowed: ["scheme", "initial", "max_pages"], p)
            guard let initial = requiredString(map, "initial", p, node) else { return .none }
            if initial.count != 9 || Int(initial) == nil {
                fail(keyLine(map, "initial"), p + "initial", "must be an issue as YYYYNNNNN, e.g. 202600227")
            }
            return .dailyIssue(
                PagingScheme.DailyIssue(
                    initial: initial,
                    maxPages: int(map, "max_pages", p, min: 1) ?? 5))
        case "next-link":
            check(map, allowed: common.union(["next_key"]), p)
            var s = PagingScheme.NextLink()
            s.nextKey = string(map, "next_key", p) ?? s.nextKey
            s.totalKey = sharedPaging(map, p, resultsKey: &s.resultsKey, maxPages: &s.maxPages) ?? s.totalKey
            return .nextLink(s)
        default:
            fail(
                keyLine(map, "scheme") ?? node.mark?.line, p + "scheme",
                "'\(scheme)' is not one of: none, offset-limit, page-number, iteration-token, next-link, daily-issue")
            return .none
        }
    }

    /// Reads the keys every JSON-paged scheme shares over the scheme's defaults; returns `total_key` if written
    /// (its default, and whether it may be absent, differ by scheme).
    private mutating func sharedPaging(
        _ map: Node.Mapping, _ p: String, resultsKey: inout String,
        maxPages: inout Int
    ) -> String? {
        resultsKey = string(map, "results_key", p) ?? resultsKey
        let totalKey = string(map, "total_key", p)
        maxPages = int(map, "max_pages", p, min: 1) ?? maxPages
        return totalKey
    }

    private mutating func cursorSpec(_ node: Node?, _ key: String) -> CursorSpec? {
        guard let node else { return nil }
        guard let map = node.mapping else {
            fail(node.mark?.line, key, "must be a mapping (field, first_night_days, template, order)")
            return nil
        }
        let p = key + "."
        check(map, allowed: ["field", "first_night_days", "template", "order"], p)
        if map["initial"] != nil {
            // A start date written in the catalogue goes stale: the first night's window is relative to the run.
            fail(
                keyLine(map, "initial"), p + "initial",
                "the first night's window is `first_night_days: N` (days before the run), not a date")
        }
        guard let field = requiredString(map, "field", p, node) else { return nil }
        let days = int(map, "first_night_days", p, min: 0) ?? CursorSpec.defaultFirstNightDays
        var template = CursorTemplate.raw
        if let raw = string(map, "template", p) {
            if let t = CursorTemplate(rawValue: raw) {
                template = t
            } else {
                fail(
                    keyLine(map, "template"), p + "template",
                    "'\(raw)' is not one of: "
                        + CursorTemplate.allCases.map(\.rawValue).joined(separator: ", "))
            }
        }
        var order = ResultOrder.oldestFirst
        if let raw = string(map, "order", p) {
            if let o = ResultOrder(rawValue: raw) {
                order = o
            } else {
                fail(
                    keyLine(map, "order"), p + "order",
                    "'\(raw)' is not one of: "
                        + ResultOrder.allCases.map(\.rawValue).joined(separator: ", "))
            }
        }
        return CursorSpec(field: field, firstNightDays: days, template: template, order: order)
    }

    private mutating func authSpec(_ node: Node?, _ key: String) -> AuthSpec? {
        guard let node else { return nil }
        guard let map = node.mapping else {
            fail(node.mark?.line, key, "must be a mapping (env, header, scheme, query_param, optional)")
            return nil
        }
        let p = key + "."
        check(map, allowed: ["env", "header", "scheme", "query_param", "optional", "exchange"], p)
        guard let env = requiredString(map, "env", p, node) else { return nil }
        if env.contains(where: { !($0.isUppercase || $0.isNumber || $0 == "_") }) {
            fail(
                keyLine(map, "env"), p + "env",
                "must be the NAME of an environment variable (A-Z, 0-9, _), never the secret itself")
        }
        let header = string(map, "header", p)
        let queryParam = string(map, "query_param", p)
        for field in ["header", "scheme", "query_param"] {
            if let text = string(map, field, p), let bad = RequestPolicy.controlCharacter(in: text) {
                let code = bad.unicodeScalars.first.map { String(format: "U+%04X", $0.value) } ?? "?"
                fail(
                    keyLine(map, field), p + field,
                    "holds a control character (\(code)): refused, it could inject "
                        + "headers")
            }
        }
        if (header == nil) == (queryParam == nil) {
            fail(node.mark?.line, p + "header", "give exactly one of `header` or `query_param`")
        }
        var exchange: TokenExchange?
        if let node = map["exchange"] {
            if let em = node.mapping {
                let ep = p + "exchange."
                check(em, allowed: ["url", "header", "token_key"], ep)
                if let url = requiredString(em, "url", ep, node), let header = requiredString(em, "header", ep, node) {
                    if !(url.hasPrefix("https://") || url.hasPrefix("http://")) {
                        fail(keyLine(em, "url"), ep + "url", "must start with https:// or http://")
                    }
                    refuseUserInfo(url, line: keyLine(em, "url"), key: ep + "url")
                    if let bad = RequestPolicy.controlCharacter(in: header) {
                        let code = bad.unicodeScalars.first.map { String(format: "U+%04X", $0.value) } ?? "?"
                        fail(keyLine(em, "header"), ep + "header", "holds a control character (\(code)): refused")
                    }
                    exchange = TokenExchange(url: url, header: header, tokenKey: string(em, "token_key", ep) ?? "token")
                }
            } else {
                fail(node.mark?.line, p + "exchange", "must be a mapping (url, header, token_key)")
            }
        }
        return AuthSpec(
            env: env, header: header, scheme: string(map, "scheme", p), queryParam: queryParam,
            optional: bool(map, "optional", p) ?? false, exchange: exchange)
    }

    // MARK: - Typed accessors

    private mutating func check(_ map: Node.Mapping, allowed: Set<String>, _ prefix: String) {
        for (key, _) in map where !allowed.contains(key.string ?? "") {
            fail(
                key.mark?.line, prefix + (key.string ?? "?"),
                "unknown key (expected one of: \(allowed.sorted().joined(separator: ", ")))")
        }
    }

    private mutating func requiredString(_ map: Node.Mapping, _ key: String, _ prefix: String, _ owner: Node)
        -> String?
    {
        guard map[key] != nil else {
            fail(owner.mark?.line, prefix + key, "is required")
            return nil
        }
        guard let value = string(map, key, prefix) else { return nil }
        if value.trimmingCharacters(in: .whitespaces).isEmpty {
            fail(map[key]?.mark?.line, prefix + key, "must not be empty")
            return nil
        }
        return value
    }

    private mutating func string(_ map: Node.Mapping, _ key: String, _ prefix: String) -> String? {
        guard let node = map[key] else { return nil }
        guard let scalar = node.scalar else {
            fail(node.mark?.line, prefix + key, "must be a text value")
            return nil
        }
        return scalar.string
    }

    private mutating func int(_ map: Node.Mapping, _ key: String, _ prefix: String, min: Int) -> Int? {
        guard let node = map[key] else { return nil }
        guard let value = node.scalar.flatMap({ Int($0.string) }) else {
            fail(node.mark?.line, prefix + key, "must be an integer")
            return nil
        }
        guard value >= min else {
            fail(node.mark?.line, prefix + key, "must be at least \(min)")
            return nil
        }
        return value
    }

    private mutating func bool(_ map: Node.Mapping, _ key: String, _ prefix: String) -> Bool? {
        guard let node = map[key] else { return nil }
        switch node.scalar?.string.lowercased() {
        case "true", "yes": return true
        case "false", "no": return false
        default:
            fail(node.mark?.line, prefix + key, "must be true or false")
            return nil
        }
    }

    /// A mapping of text values, order kept (query parameters, headers, form parts).
    private mutating func pairs(_ map: Node.Mapping, _ key: String, _ prefix: String) -> [QueryParameter] {
        guard let node = map[key] else { return [] }
        guard let inner = node.mapping else {
            fail(node.mark?.line, prefix + key, "must be a mapping of name: value")
            return []
        }
        var out: [QueryParameter] = []
        for (k, v) in inner {
            guard let name = k.string, let value = v.scalar?.string else {
                fail(v.mark?.line ?? k.mark?.line, prefix + key + "." + (k.string ?? "?"), "must be a text value")
                continue
            }
            out.append(QueryParameter(name, value))
        }
        return out
    }
}
