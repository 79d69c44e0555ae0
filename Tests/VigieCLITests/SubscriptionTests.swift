import Foundation
import TestSupport
import Testing

/// `latest.ics` and `latest.atom` are subscribed to: they must hold the last days' open deadlines and entries,
/// not only the last night's, and a member's `latest.*` must say « rien de nouveau » on a night with nothing for it.
@Suite struct SubscriptionTests {
    static func events(_ path: String) throws -> Set<String> {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return Set(text.components(separatedBy: "\r\n").filter { $0.hasPrefix("UID:") })
    }

    static func entries(_ path: String) throws -> Int {
        try String(contentsOfFile: path, encoding: .utf8).components(separatedBy: "<entry>").count - 1
    }

    @Test func aQuietNightKeepsEveryOpenDeadlineInTheCalendarAndSaysNothingNew() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vigie-subs-\(UUID().uuidString)")
        let store = folder.appendingPathComponent("vigie.sqlite").path
        let out = folder.appendingPathComponent("out").path
        func night(_ now: String, _ extra: [String] = []) throws -> VigieProcess.Result {
            try VigieProcess.vigie(
                [
                    "run", "--feeds", "Feeds/demo.yaml", "--rules", "Rules", "--store", store, "--out", out, "--now",
                    now,
                    "--soon-days", "21",
                ] + extra)
        }
        let first = try night("2026-11-24T02:00:00Z")
        #expect(first.status == 0, "\(first.stderr)")
        let cluster = "\(out)/mecaloire"
        let member = "\(cluster)/adherents/decolletage-furan"
        let clusterEvents = try Self.events("\(cluster)/latest.ics")
        let memberEvents = try Self.events("\(member)/latest.ics")
        let clusterEntries = try Self.entries("\(cluster)/latest.atom")
        #expect(clusterEvents.count >= 5 && !memberEvents.isEmpty)
        #expect(try String(contentsOfFile: "\(cluster)/latest.atom", encoding: .utf8).contains("rel=\"self\""))

        // The next night brings nothing new.
        let second = try night("2026-11-25T02:00:00Z", ["--no-fetch"])
        #expect(second.status == 0, "\(second.stderr)")
        let after = try Self.events("\(cluster)/latest.ics")
        #expect(after == clusterEvents, "the staff calendar keeps its \(clusterEvents.count) open deadlines")
        #expect(try Self.events("\(member)/latest.ics") == memberEvents)
        #expect(try Self.entries("\(cluster)/latest.atom") == clusterEntries)
        let memberLatest = try String(contentsOfFile: "\(member)/latest.md", encoding: .utf8)
        #expect(memberLatest.lowercased().contains("rien de nouveau"))
        #expect(!FileManager.default.fileExists(atPath: "\(member)/2026-11-25.md"), "no dated digest on a quiet night")
        print(
            "subscription figures: staff calendar \(clusterEvents.count) events → \(after.count) the next quiet night; member \(memberEvents.count) → \(try Self.events("\(member)/latest.ics").count)"
        )
    }
}
