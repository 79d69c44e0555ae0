import ArgumentParser
import Fetcher
import Foundation
import LoopbackHTTP
import Notices

/// `vigie-bench fetch`.
///
/// 200 sources on a loopback server, each answering a fresh feed after 100 ms (rendering is slow) and a 304
/// at once (a validator check is cheap). The first run is measured against the ideal
/// ceil(sources / concurrency) × 100 ms; the second run sends the validators and must be all 304.
struct FetchBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Fetcher concurrency and conditional GET against a loopback server."
    )

    @Option(help: "Number of sources.") var sources = 200
    @Option(help: "Requests in flight at once.") var concurrency = 16
    @Option(help: "Server delay before a 200, in milliseconds.") var delayMs = 100
    @Flag(help: "Print one JSON line.") var json = false
    @Flag(help: "Also run the fault-injection scenario (one source per fault, plus healthy ones).")
    var faults = false
    @Option(
        help: ArgumentHelp(
            "Also walk an Opendatasoft emulation of this many BOAMP records (offset + limit "
                + "≤ 10,000) night after night until every record was fetched; 0 skips it."))
    var pagingRecords = 0

    func run() async throws {
        guard sources > 0, concurrency > 0, delayMs > 0 else {
            throw ValidationError("sources, concurrency and delay-ms must be positive")
        }
        let server = try LoopbackServer()
        defer { server.stop() }
        let delay = Double(delayMs) / 1000
        var definitions: [SourceDefinition] = []
        for i in 0..<sources {
            let feed = """
                <?xml version="1.0" encoding="UTF-8"?>
                <rss version="2.0"><channel><title>Acheteur \(i)</title><link>https://acheteur\(i).example/</link>
                <item><title>Décolletage de pièces de précision, lot \(i)</title>
                <link>https://acheteur\(i).example/\(i)</link>
                <guid>ao-\(i)</guid></item></channel></rss>
                """
            server.route("/s\(i)", .conditional(etag: "\"s\(i)-v1\"", lastModified: nil, .ok(feed, delay: delay)))
            definitions.append(
                SourceDefinition(
                    id: "bench-\(i)", format: .rss, url: server.url("/s\(i)"),
                    politeness: Politeness(maxConcurrent: concurrency, delay: 0)))
        }
        var engine = FetchEngine(configuration: loopbackConfiguration(concurrency: concurrency))
        engine.logger.logLevel = .warning  // retries are the point of the fault run, not news

        let firstStart = Date()
        let first = await engine.fetchAsync(definitions, states: [:])
        let firstWall = Date().timeIntervalSince(firstStart)
        let peak = server.maxConcurrentRequests
        let firstOK = first.filter { $0.outcome == .ok }.count

        var states: [String: SourceState] = [:]
        for result in first { states[result.sourceID] = result.state }
        let secondStart = Date()
        let second = await engine.fetchAsync(definitions, states: states)
        let secondWall = Date().timeIntervalSince(secondStart)
        let notModified = second.filter { $0.outcome == .notModified }.count

        let ideal = Double((sources + concurrency - 1) / concurrency) * delay
        let ratio = firstWall / ideal
        let speedup = firstWall / max(secondWall, 1e-6)
        let mainPassed = ratio <= 1.5 && speedup >= 5 && firstOK == sources && notModified == sources
        var faultRows: [(fault: String, expected: String, got: String)] = []
        var healthy = (ok: 0, total: 0)
        var faultWall = 0.0
        if faults {
            let run = try runFaults()
            (faultRows, healthy, faultWall) = (run.rows, (run.healthyOK, run.healthyTotal), run.wall)
        }
        let specific = faultRows.filter { $0.expected == $0.got }.count
        let paging = pagingRecords > 0 ? try runPaging(records: pagingRecords) : nil
        let passed =
            mainPassed && specific == faultRows.count && healthy.ok == healthy.total
            && (paging.map { $0.distinct == pagingRecords } ?? true)
        if json {
            var fields: [String] = [
                "\"benchmark\":\"fetch\"", "\"sources\":\(sources)", "\"concurrency\":\(concurrency)",
                "\"delay_ms\":\(delayMs)", "\"wall_s\":\(fmt(firstWall))", "\"ideal_s\":\(fmt(ideal))",
                "\"ratio\":\(fmt(ratio))", "\"second_run_s\":\(fmt(secondWall))",
                "\"second_run_speedup\":\(fmt(speedup, 1))", "\"first_run_ok\":\(firstOK)",
                "\"second_run_not_modified\":\(notModified)", "\"server_peak_concurrency\":\(peak)",
            ]
            if faults {
                fields += [
                    "\"faults\":\(faultRows.count)", "\"faults_reported_specifically\":\(specific)",
                    "\"healthy_completed\":\(healthy.ok)", "\"healthy_total\":\(healthy.total)",
                    "\"fault_run_s\":\(fmt(faultWall))",
                ]
            }
            if let paging {
                let nights = "\"paging_nights\":\(paging.nights)"
                let distinct = "\"paging_distinct_fetched\":\(paging.distinct)"
                let requests = "\"paging_requests\":\(paging.requests)"
                fields += [
                    "\"paging_records\":\(pagingRecords)", nights, distinct, requests,
                    "\"paging_s\":\(fmt(paging.wall))",
                ]
            }
            fields.append("\"pass\":\(passed)")
            print("{" + fields.joined(separator: ",") + "}")
        } else {
            print(
                "vigie-bench fetch: \(sources) sources, concurrency \(concurrency), "
                    + "server delay \(delayMs) ms on 200")
            print(
                "  first run:  \(fmt(firstWall)) s wall, ideal \(fmt(ideal)) s → ratio \(fmt(ratio)) (≤ 1.5)"
                    + "  [\(firstOK)/\(sources) ok, server peak \(peak) concurrent]")
            print(
                "  second run: \(fmt(secondWall)) s wall, \(notModified)/\(sources) not modified (304)"
                    + " → \(fmt(speedup, 1))× faster (≥ 5)")
            if faults {
                print("  fault injection (\(fmt(faultWall)) s): each fault reported with its own reason")
                for row in faultRows {
                    let fault = row.fault.padding(toLength: 34, withPad: " ", startingAt: 0)
                    print("    \(row.expected == row.got ? "ok  " : "FAIL") \(fault) → \(row.got)")
                }
                print("    healthy sources beside them completed: \(healthy.ok)/\(healthy.total)")
            }
            if let paging {
                let rate = Int(Double(paging.distinct) / max(paging.wall, 1e-6))
                let summary =
                    "\(paging.nights) nights, \(paging.distinct) distinct fetched, "
                    + "\(paging.requests) requests, \(fmt(paging.wall)) s (\(rate) records/s)"
                print("  paging: \(pagingRecords) records behind a 10,000 cap → " + summary)
            }
            print(passed ? "  PASS" : "  FAIL")
        }
        if !passed { throw ExitCode(1) }
    }

    /// One source per fault (and healthy sources beside them) on a fresh loopback server.
    private func runFaults() throws -> (
        rows: [(fault: String, expected: String, got: String)], healthyOK: Int,
        healthyTotal: Int, wall: Double
    ) {
        let server = try LoopbackServer()
        defer { server.stop() }
        let feed =
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title>"
            + String(repeating: "<item><title>Chaudronnerie inox</title></item>", count: 200) + "</channel></rss>"
        var stall = ScriptedResponse.ok(feed)
        stall.stallAfter = 100
        var truncated = ScriptedResponse.ok(feed)
        truncated.truncateAfter = 100
        let scenarios: [(fault: String, expected: String, route: Route, maxBody: Int)] = [
            ("HTTP 500 on every attempt", "http-status", .always(.status(500)), 1 << 20),
            ("HTTP 404", "http-status", .always(.status(404)), 1 << 20),
            (
                "429 with Retry-After: 1 day", "rate-limited",
                .always(.status(429, headers: [("Retry-After", "86400")])),
                1 << 20
            ),
            ("stalls mid-body", "stalled", .always(stall), 1 << 20),
            ("closes before Content-Length", "truncated", .always(truncated), 1 << 20),
            (
                "HTML page with status 200", "html-instead-of-data",
                .always(.ok("<!DOCTYPE html><html><body>Maintenance</body></html>", contentType: "text/html")), 1 << 20
            ),
            ("redirect loop", "redirect-loop", .always(.redirect(to: "/loop-b")), 1 << 20),
            ("body over max_body_bytes", "body-too-large", .always(.ok(feed)), 2048),
            (
                "JSON where a feed was expected", "unexpected-content",
                .always(.ok("{\"error\":\"quota\"}", contentType: "application/json")), 1 << 20
            ),
        ]
        server.route("/loop-b", .always(.redirect(to: "/fault-6")))
        var definitions: [SourceDefinition] = []
        for (i, scenario) in scenarios.enumerated() {
            server.route("/fault-\(i)", scenario.route)
            definitions.append(
                SourceDefinition(
                    id: "fault-\(i)", format: .rss, url: server.url("/fault-\(i)"),
                    politeness: Politeness(maxConcurrent: 16, delay: 0),
                    maxBodyBytes: scenario.maxBody))
        }
        let healthyTotal = 20
        for i in 0..<healthyTotal {
            server.route("/ok-\(i)", .always(.ok(feed, delay: 0.05)))
            definitions.append(
                SourceDefinition(
                    id: "ok-\(i)", format: .rss, url: server.url("/ok-\(i)"),
                    politeness: Politeness(maxConcurrent: 16, delay: 0)))
        }
        var configuration = loopbackConfiguration(concurrency: 16)
        configuration.transport.lowSpeedLimit = 1000
        configuration.transport.lowSpeedTime = 1
        configuration.retry = RetryPolicy(maxAttempts: 2, baseDelay: 0.05, maxDelay: 0.2, maxRetryAfter: 5)
        let start = Date()
        var engine = FetchEngine(configuration: configuration)
        engine.logger.logLevel = .error
        let results = engine.fetch(definitions, states: [:])
        let wall = Date().timeIntervalSince(start)
        let rows = scenarios.indices.map { i in
            (scenarios[i].fault, scenarios[i].expected, results[i].outcome.error?.reason ?? results[i].outcome.name)
        }
        let healthyOK = results.dropFirst(rows.count).filter { $0.outcome == .ok }.count
        return (rows, healthyOK, healthyTotal, wall)
    }

    /// Nights of the BOAMP catalogue's paging (pages of 100, offset + limit ≤ 10,000, oldest first in a `>=`
    /// window) over an emulation holding `records` records, 2,000 a day, until a night completes.
    private func runPaging(records count: Int) throws -> (nights: Int, distinct: Int, requests: Int, wall: Double) {
        let server = try LoopbackServer()
        defer { server.stop() }
        let records = EmulatedRecords(
            (0..<count).map { i in
                let date = String(format: "2026-11-%02d", min(28, 20 + i / 2_000))
                let idweb = "26-\(100_000 + i)"
                return EmulatedRecord(
                    id: idweb, date: date,
                    json: "{\"idweb\": \"\(idweb)\", \"dateparution\": \"\(date)\"}")
            })
        server.route("/records", OpendatasoftEmulator(records: records, dateField: "dateparution").route)
        var scheme = PagingScheme.OffsetLimit()
        scheme.pageSize = 100
        scheme.maxOffset = 10_000
        let source = SourceDefinition(
            id: "boamp-emulated", format: .boampJSON, url: server.url("/records"),
            query: [
                QueryParameter("where", "dateparution >= date'{cursor}'"),
                QueryParameter("order_by", "dateparution asc, idweb asc"),
            ],
            paging: .offsetLimit(scheme),
            cursor: CursorSpec(field: "dateparution", firstNightDays: 30, template: .date),
            politeness: Politeness(maxConcurrent: 2, delay: 0))
        var state = SourceState(sourceID: source.id)
        var seen = Set<String>()
        var requests = 0
        var nights = 0
        let start = Date()
        while nights < 10 {
            nights += 1
            var configuration = loopbackConfiguration(concurrency: 2)
            configuration.now = ISO8601DateFormatter().date(from: "2026-11-28T22:00:00Z")!
                .addingTimeInterval(Double(nights - 1) * 86_400)
            var engine = FetchEngine(configuration: configuration)
            engine.logger.logLevel = .error  // the cap's warning is the expected path here
            let result = engine.fetch([source], states: [source.id: state])[0]
            guard result.outcome == .ok else { break }
            requests += result.requests
            state = result.state
            for document in result.documents {
                let page = try JSONSerialization.jsonObject(with: Data(document.body)) as? [String: Any]
                for case let record as [String: Any] in page?["results"] as? [Any] ?? [] {
                    if let id = record["idweb"] as? String { seen.insert(id) }
                }
            }
            if result.isComplete { break }
        }
        return (nights, seen.count, requests, Date().timeIntervalSince(start))
    }

    /// A run against the loopback server: no credential from the environment, no developer's proxy in the way.
    private func loopbackConfiguration(concurrency: Int) -> FetchConfiguration {
        var configuration = FetchConfiguration(maxConcurrent: concurrency, maxPerHost: concurrency)
        configuration.environment = [:]
        configuration.transport.noProxy = "127.0.0.1,localhost"
        return configuration
    }

    private func fmt(_ value: Double, _ digits: Int = 3) -> String { String(format: "%.\(digits)f", value) }
}
