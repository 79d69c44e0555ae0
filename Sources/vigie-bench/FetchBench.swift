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
                <item><title>Décolletage de pièces de précision, lot \(i)</title><link>https://acheteur\(i).example/\(i)</link>
                <guid>ao-\(i)</guid></item></channel></rss>
                """
            server.route("/s\(i)", .conditional(etag: "\"s\(i)-v1\"", lastModified: nil, .ok(feed, delay: delay)))
            definitions.append(SourceDefinition(id: "bench-\(i)", format: .rss, url: server.url("/s\(i)"),
                                                politeness: Politeness(maxConcurrent: concurrency, delay: 0)))
        }
        var configuration = FetchConfiguration(maxConcurrent: concurrency, maxPerHost: concurrency)
        configuration.environment = [:]
        configuration.transport.noProxy = "127.0.0.1,localhost"
        let engine = FetchEngine(configuration: configuration)

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
        let passed = ratio <= 1.5 && speedup >= 5 && firstOK == sources && notModified == sources
        if json {
            let fields: [String] = [
                "\"benchmark\":\"fetch\"", "\"sources\":\(sources)", "\"concurrency\":\(concurrency)",
                "\"delay_ms\":\(delayMs)", "\"wall_s\":\(fmt(firstWall))", "\"ideal_s\":\(fmt(ideal))",
                "\"ratio\":\(fmt(ratio))", "\"second_run_s\":\(fmt(secondWall))",
                "\"second_run_speedup\":\(fmt(speedup, 1))", "\"first_run_ok\":\(firstOK)",
                "\"second_run_not_modified\":\(notModified)", "\"server_peak_concurrency\":\(peak)",
                "\"pass\":\(passed)",
            ]
            print("{" + fields.joined(separator: ",") + "}")
        } else {
            print("vigie-bench fetch: \(sources) sources, concurrency \(concurrency), server delay \(delayMs) ms on 200")
            print("  first run:  \(fmt(firstWall)) s wall, ideal \(fmt(ideal)) s → ratio \(fmt(ratio)) (≤ 1.5)"
                  + "  [\(firstOK)/\(sources) ok, server peak \(peak) concurrent]")
            print("  second run: \(fmt(secondWall)) s wall, \(notModified)/\(sources) not modified (304)"
                  + " → \(fmt(speedup, 1))× faster (≥ 5)")
            print(passed ? "  PASS" : "  FAIL")
        }
        if !passed { throw ExitCode(1) }
    }

    private func fmt(_ value: Double, _ digits: Int = 3) -> String { String(format: "%.\(digits)f", value) }
}
