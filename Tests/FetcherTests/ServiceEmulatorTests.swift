import Foundation
import LoopbackHTTP
import Notices
import Testing
@testable import Fetcher

/// The loopback emulations refuse what the real services refuse, so that a request the catalogue gets wrong
/// fails here as it would live; and they show why the old requests lost data.
@Suite struct ServiceEmulatorTests {
    static func boampRecords(_ count: Int) -> EmulatedRecords {
        EmulatedRecords(
            (0..<count).map { i in
                let date = String(format: "2026-11-%02d", 10 + i % 10)
                return EmulatedRecord(
                    id: "26-\(10_000 + i)", date: date,
                    json: "{\"idweb\":\"26-\(10_000 + i)\",\"dateparution\":\"\(date)\"}")
            })
    }

    @Test func opendatasoftRefusesAnOffsetPastTheCapAndALimitOver100() throws {
        let server = try LoopbackServer()
        defer { server.stop() }
        let emulator = OpendatasoftEmulator(records: Self.boampRecords(50), dateField: "dateparution")
        server.route("/records", emulator.route)
        let source = PagerTests.boampSource(url: server.url("/records"))
        let base = Pager(source: source, storedCursor: "2026-11-15").firstRequest().url
        for (offset, limit, status) in [(9_900, 100, 200), (9_901, 100, 400), (0, 101, 400)] {
            var request = Pager.replacing(base, "offset", String(offset))
            request = Pager.replacing(request, "limit", String(limit))
            let result = try #require(
                engine().fetch(
                    [SourceDefinition(id: "o", format: .boampJSON, url: request)],
                    states: [:]
                ).first)
            #expect(result.httpStatus == status, "offset \(offset) limit \(limit)")
        }
    }

    @Test func opendatasoftSortsByDateThenIdAndFiltersTheWindow() throws {
        let emulator = OpendatasoftEmulator(records: Self.boampRecords(30), dateField: "dateparution")
        let server = try LoopbackServer()
        defer { server.stop() }
        server.route("/records", emulator.route)
        let source = PagerTests.boampSource(url: server.url("/records"))
        let url = Pager(source: source, storedCursor: "2026-11-18").firstRequest().url
        let result = try #require(
            engine().fetch(
                [SourceDefinition(id: "o", format: .boampJSON, url: url)],
                states: [:]
            ).first)
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(result.documents[0].body))
                as? [String: Any])
        let records = try #require(object["results"] as? [[String: String]])
        #expect(object["total_count"] as? Int == 6)  // 2 days × 3 records
        #expect(
            records.map { $0["idweb"]! } == [
                "26-10008", "26-10018", "26-10028", "26-10009", "26-10019",
                "26-10029",
            ])
    }

    @Test func tedRefusesAFieldNameNotEvidencedAndALimitOver250() throws {
        let server = try LoopbackServer()
        defer { server.stop() }
        server.route("/search", TEDSearchEmulator(records: EmulatedRecords()).route)
        for (body, status) in [
            ("{\"query\":\"buyer-country=FRA\",\"fields\":[\"publication-number\"],\"limit\":250}", 200),
            // Not in any real answer nor in SOURCES.md: the real API answers 400 for unknown names.
            ("{\"query\":\"buyer-country=FRA\",\"fields\":[\"estimated-value-lot\"],\"limit\":250}", 400),
            ("{\"query\":\"buyer-country=FRA\",\"fields\":[],\"limit\":251}", 400),
        ] {
            let source = SourceDefinition(
                id: "t", format: .tedJSON, url: server.url("/search"), method: "POST",
                body: body)
            let result = try #require(engine().fetch([source], states: [:]).first)
            #expect(result.httpStatus == status, "\(body)")
        }
    }

    @Test func aidesTerritoiresIgnoresTheOldParameterNames() throws {
        let records = EmulatedRecords(
            (0..<10).map { i in
                EmulatedRecord(
                    id: "\(i)", date: "2026-11-2\(i % 5)T10:00:00+01:00", json: "{\"id\":\(i)}",
                    isCallForProjects: i % 2 == 0)
            })
        let emulator = AidesTerritoiresEmulator(records: records, key: "k", token: "t")
        let server = try LoopbackServer()
        defer { server.stop() }
        server.route("/api/aids/", emulator.aidsRoute(base: server.url("")))
        func count(_ query: String) throws -> Int? {
            let source = SourceDefinition(
                id: "a", format: .aidesTerritoiresJSON,
                url: server.url("/api/aids/?" + query),
                headers: [QueryParameter("Authorization", "Bearer t")])
            let result = try #require(engine().fetch([source], states: [:]).first)
            let body = Data(result.documents.first?.body ?? [])
            let object = try JSONSerialization.jsonObject(with: body) as? [String: Any]
            return object?["count"] as? Int
        }
        // The old names filter nothing (the real service drops them silently) …
        #expect(try count("is_call_for_project=true&date_published__gte=2026-11-23") == 10)
        // … today's names do.
        #expect(try count("call_for_projects_only=true&published_after=2026-11-23") == 2)
    }
}
