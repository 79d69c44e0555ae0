import Foundation
import TestSupport
import Testing

/// `vigie route` on notices of the store, named by their ids: the same routes as the file they were fetched from.
@Suite(.serialized) struct RouteCommandTests {
    static let now = "2026-11-24T02:00:00Z"
    /// The demo's BOAMP API page (`Feeds/demo.yaml`, source `demo-boamp-api`).
    static let sample = "Feeds/samples/boamp-api-page.json"

    static func json(_ r: VigieProcess.Result) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: r.stdoutBytes) as? [String: Any], "\(r.stdout.prefix(300))")
    }

    /// notice id → its `clusters` array, re-serialised with sorted keys (compared as a whole).
    static func clustersByNotice(_ object: [String: Any]) throws -> [String: Data] {
        var out: [String: Data] = [:]
        for result in object["results"] as? [[String: Any]] ?? [] {
            let id = try #require(result["notice_id"] as? String)
            out[id] = try JSONSerialization.data(withJSONObject: result["clusters"] ?? [], options: [.sortedKeys])
        }
        return out
    }

    @Test func storedIdsRouteAsTheFileTheyCameFrom() throws {
        let s = try VigieProcess.Scratch("route")
        let store = s.path("vigie.sqlite")
        let fetch = try VigieProcess.vigie(["fetch", "--feeds", "Feeds/demo.yaml", "--store", store, "--now", Self.now])
        #expect(fetch.status == 0, "\(fetch.stderr.suffix(600))")

        let fromFile = try VigieProcess.vigie(["route", "--rules", "Rules", "--now", Self.now, "--json", Self.sample])
        #expect(fromFile.status == 0, "\(fromFile.stderr)")
        // The page's records, as the raw file numbers them (`results[].idweb`).
        let page = try #require(
            try JSONSerialization.jsonObject(
                with: try Data(contentsOf: VigieProcess.packageRoot.appendingPathComponent(Self.sample)))
                as? [String: Any])
        let sourceIDs = try #require(page["results"] as? [[String: Any]]).compactMap { $0["idweb"] as? String }.sorted()
        #expect(sourceIDs.count == 12)
        // Parsed from the file, the notices carry the source `file`; the store has them as `demo-boamp-api`.
        let byFile = try Self.clustersByNotice(try Self.json(fromFile))
        #expect(byFile.keys.sorted() == sourceIDs.map { "file:\($0)" })
        let stored = sourceIDs.map { "demo-boamp-api:\($0)" }

        let fromStore = try VigieProcess.vigie(
            ["route", "--store", store, "--rules", "Rules", "--now", Self.now, "--json"] + stored)
        #expect(fromStore.status == 0, "\(fromStore.stderr)")
        let object = try Self.json(fromStore)
        #expect(object["notices"] as? Int == stored.count)
        let byStore = try Self.clustersByNotice(object)
        #expect(byStore.keys.sorted() == stored)
        var routed = 0
        for id in sourceIDs {
            #expect(
                byStore["demo-boamp-api:\(id)"] == byFile["file:\(id)"], "\(id): routes differ between store and file")
            if let data = byStore["demo-boamp-api:\(id)"],
                String(decoding: data, as: UTF8.self).contains("\"member_id\"")
            {
                routed += 1
            }
        }
        #expect(routed > 0, "no notice of the page reaches anyone: the comparison proved nothing")

        // A file and a stored id in one command; the bare source id when one source has it.
        let mixed = try VigieProcess.vigie(
            ["route", "--store", store, "--now", Self.now, "--json", "Rules/../" + Self.sample, sourceIDs[0]])
        #expect(mixed.status == 0, "\(mixed.stderr)")
        let mixedIDs = try Self.clustersByNotice(try Self.json(mixed)).keys
        #expect(mixedIDs.contains("demo-boamp-api:\(sourceIDs[0])"))
        #expect(mixedIDs.contains("file:\(sourceIDs[0])"))
    }

    @Test func unknownIdsAndClustersAreRefusedWithWhatExists() throws {
        let s = try VigieProcess.Scratch("route")
        let store = s.path("vigie.sqlite")
        let fetch = try VigieProcess.vigie(["fetch", "--feeds", "Feeds/demo.yaml", "--store", store, "--now", Self.now])
        #expect(fetch.status == 0, "\(fetch.stderr.suffix(600))")

        // A truncated id: the stored ids that contain it are listed, with where to find ids.
        let truncated = try VigieProcess.vigie(["route", "--store", store, "demo-boamp-api:26-1185"])
        #expect(truncated.status == 2)
        #expect(
            truncated.stderr.contains("vigie route: unknown notice demo-boamp-api:26-1185 (known: "),
            "\(truncated.stderr)")
        #expect(truncated.stderr.contains("demo-boamp-api:26-1185"))
        #expect(truncated.stderr.contains("vigie query --store \(store)"))
        #expect(truncated.stdout.isEmpty, "nothing is routed when an id names nothing")

        let cluster = try VigieProcess.vigie(["route", "--store", store, "--cluster", "nope", "demo-boamp-api:26-1185"])
        #expect(cluster.status == 2)
        #expect(
            cluster.stderr.contains("unknown cluster nope (known: cognac, energie, mecaloire, nucleaire)"),
            "\(cluster.stderr)")
    }
}
