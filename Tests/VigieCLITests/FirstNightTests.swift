import ArgumentParser
import Foundation
import TestSupport
import Testing

@testable import VigieCLI

/// `vigie run` on a new store: a quiet first night (everything stored, routed and written, nothing sent), then a
/// second night that sends only what is new — against a real SMTP server on loopback.
@Suite(.serialized) struct FirstNightTests {
    static let night1 = "2026-11-24T02:00:00Z"
    static let night2 = "2026-11-25T02:00:00Z"
    /// The item the second night's catalogue adds (an invented buyer's RSS item, in Saint-Étienne, machining).
    static let newTitle = "Rectification et fraisage de pièces mécaniques pour convoyeurs de tri postal (42)"
    static let newGuid = "2026-AO-4999"

    /// The demo catalogue with absolute sample paths, plus one RSS source holding the new item.
    static func secondNightCatalogue(in scratch: VigieProcess.Scratch) throws -> String {
        let feeds = VigieProcess.packageRoot.appendingPathComponent("Feeds").path
        let demo = try String(contentsOfFile: feeds + "/demo.yaml", encoding: .utf8)
            .replacingOccurrences(of: "file://samples/", with: "file://\(feeds)/samples/")
        let rss = """
            <?xml version="1.0" encoding="UTF-8"?>
            <rss version="2.0"><channel>
              <title>Acheteurs de la Loire — consultations (exemple)</title>
              <link>https://marches.loire.example/</link>
              <description>Exemple inventé pour les tests de Vigie.</description>
              <item>
                <title>\(newTitle)</title>
                <link>https://marches.loire.example/consultation/\(newGuid)</link>
                <guid isPermaLink="false">\(newGuid)</guid>
                <pubDate>Tue, 24 Nov 2026 18:00:00 +0000</pubDate>
                <description>Acheteur : La Poste — plateforme industrielle courrier de Saint-Étienne. Lieu d'exécution : \
            Saint-Étienne (42). Usinage, rectification et fraisage de pièces mécaniques de rechange pour les \
            convoyeurs de la plateforme de tri. Code CPV principal : 42612000. Valeur estimée hors TVA : 300 000 €. \
            Date limite de réception des offres : 22/12/2026 12:00.</description>
              </item>
            </channel></rss>
            """
        let feed = try scratch.write(rss, to: "feeds/loire.rss.xml")
        let extra = """
              - id: test-acheteurs-loire
                name: Acheteurs de la Loire (exemple, RSS)
                owner: Exemple
                kind: tenders
                format: rss
                url: file://\(feed)
                licence: Exemple inventé (domaine public)

            """
        return try scratch.write(demo + (demo.hasSuffix("\n") ? "" : "\n") + extra, to: "feeds/night2.yaml")
    }

    /// The number a one-number `sqlite3` query prints.
    static func count(_ store: String, _ sql: String) throws -> Int {
        let text = try VigieProcess.sqlite3(store, sql).trimmingCharacters(in: .whitespacesAndNewlines)
        return try #require(Int(text), "sqlite3 printed \(text) for \(sql)")
    }

    static func runArgs(feeds: String, store: String, out: String, now: String, _ extra: [String]) -> [String] {
        [
            "run", "--feeds", feeds, "--rules", "Rules", "--store", store, "--out", out, "--now", now, "--soon-days",
            "21",
        ]
            + extra
    }

    @Test func theFirstNightSendsNothingAndTheSecondOnlyWhatIsNew() throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        let env = ["VIGIE_SMTP_URL": sink.url]
        let scratch = try VigieProcess.Scratch("first-night")
        let store = scratch.path("vigie.sqlite")
        let out = scratch.path("out")

        // Night 1: a new store, --send given — and nothing goes out.
        let first = try VigieProcess.vigie(
            Self.runArgs(feeds: "Feeds/demo.yaml", store: store, out: out, now: Self.night1, ["--send"]),
            environment: env)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("première nuit"), "\(first.stdout)")
        #expect(first.stdout.contains("aucun envoi"), "\(first.stdout)")
        #expect(try sink.received().isEmpty, "the first night sent mail")
        #expect(try Self.count(store, "SELECT count(*) FROM outbox") == 0)
        // The digests are written for the staff to look at, and the deliveries recorded.
        #expect(FileManager.default.fileExists(atPath: "\(out)/mecaloire/2026-11-24.md"))
        let deliveredNight1 = try Self.count(store, "SELECT count(*) FROM delivery")
        #expect(deliveredNight1 > 0)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: "\(out)/mecaloire/adherents").contains {
                FileManager.default.fileExists(atPath: "\(out)/mecaloire/adherents/\($0)/2026-11-24.md")
            }, "no mecaloire member got a digest file on night 1")

        // Night 2: one new item; only its messages arrive (and each staff's nightly digest).
        let catalogue = try Self.secondNightCatalogue(in: scratch)
        let second = try VigieProcess.vigie(
            Self.runArgs(feeds: catalogue, store: store, out: out, now: Self.night2, ["--send"]), environment: env)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(!second.stdout.contains("première nuit"), "\(second.stdout)")
        let mails = try sink.received()
        #expect(!mails.isEmpty, "the second night sent nothing")
        // Nothing of night 1's editions.
        #expect(mails.allSatisfy { $0.messageID.contains(".2026-11-25.") }, "\(mails.map(\.messageID))")
        #expect(!mails.contains { $0.messageID.contains(".2026-11-24.") })

        // What night 2 delivered, in the store: only the new notice.
        let newID = "test-acheteurs-loire:\(Self.newGuid)"
        let deliveredNight2 = try VigieProcess.sqlite3(
            store, "SELECT DISTINCT notice_id FROM delivery WHERE run_id = (SELECT max(id) FROM run)"
        )
        .split(separator: "\n").map(String.init)
        #expect(deliveredNight2.count == 1, "\(deliveredNight2)")
        let newNotice = try #require(deliveredNight2.first)
        #expect(newNotice.contains(Self.newGuid), "\(newNotice) (expected \(newID))")
        let routedMembers = Set(
            try VigieProcess.sqlite3(
                store,
                "SELECT cluster || '/' || member FROM route WHERE notice_id = '\(newNotice)' AND role IN ('direct', 'indirect')"
            ).split(separator: "\n").map(String.init))
        #expect(!routedMembers.isEmpty, "the new item was routed to no member")

        // The members' messages: exactly the members the new item was routed to, each naming it.
        let memberMails = mails.filter { $0.messageID.contains(".member-") }
        var mailed: Set<String> = []
        for m in memberMails {
            // vigie.<cluster>.<night>.<edition>.member-<id>@domain
            let local = m.messageID.split(separator: "@")[0].split(separator: ".")
            mailed.insert("\(local[1])/\(local.last!.dropFirst("member-".count))")
            let parsed = try PythonEmail.parse(m.raw)
            #expect(parsed.text?.contains(Self.newTitle) == true, "\(m.messageID) does not name the new item")
        }
        // Every member told of it has a contact in the example rules: each gets its message, nobody else.
        #expect(mailed == routedMembers, "mailed \(mailed.sorted()), routed \(routedMembers.sorted())")
        #expect(mailed.isSubset(of: routedMembers), "mailed \(mailed.sorted()), routed \(routedMembers.sorted())")
        #expect(!mailed.isEmpty)
        // A night-1 item routed to a member is not re-sent: no member message names it.
        for m in memberMails {
            let text = try PythonEmail.parse(m.raw).text ?? ""
            #expect(
                !text.contains("Décolletage de pièces de précision en laiton et inox pour robinetterie industrielle"),
                "\(m.messageID) re-sends a night-1 item")
        }
    }

    @Test func theJSONReportSaysFirstNightAndZeroSent() throws {
        let scratch = try VigieProcess.Scratch("first-night-json")
        let result = try VigieProcess.vigie(
            Self.runArgs(
                feeds: "Feeds/demo.yaml", store: scratch.path("vigie.sqlite"), out: scratch.path("out"),
                now: Self.night1, ["--json", "--dry-run"]))
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stdout)")
        #expect(json["first_night"] as? Bool == true)
        #expect(json["messages_sent"] as? Int == 0)
        // --dry-run on a first night writes no .eml either: nothing was composed.
        #expect(!FileManager.default.fileExists(atPath: scratch.path("out/mecaloire/courriels")))
        #expect(result.stderr.contains("aucun envoi"), "\(result.stderr)")
    }

    @Test func noFirstNightComposesMailOnANewStore() throws {
        let scratch = try VigieProcess.Scratch("no-first-night")
        let store = scratch.path("vigie.sqlite")
        let result = try VigieProcess.vigie(
            Self.runArgs(
                feeds: "Feeds/demo.yaml", store: store, out: scratch.path("out"), now: Self.night1,
                ["--no-first-night", "--json"]))
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(json["first_night"] as? Bool == false)
        #expect(try Self.count(store, "SELECT count(*) FROM outbox") > 0)
    }

    /// A first run that did not complete (recorded as failed, no mail composed) leaves the next run a first night:
    /// nothing was sent.
    @Test func aFirstRunThatDidNotCompleteLeavesTheNextOneFirst() throws {
        let scratch = try VigieProcess.Scratch("first-night-again")
        let store = scratch.path("vigie.sqlite")
        let seed = try VigieProcess.vigie(
            Self.runArgs(
                feeds: "Feeds/demo.yaml", store: store, out: scratch.path("out"), now: Self.night1,
                ["--no-first-night", "--only", "demo-boamp-api"]))
        #expect(seed.status == 0, "\(seed.stderr)")
        // Turn that run into a failed one and drop the mail it composed: as if it had died before its digests.
        _ = try VigieProcess.sqlite3(store, "UPDATE run SET status = 'failed'; DELETE FROM outbox;")
        let next = try VigieProcess.vigie(
            Self.runArgs(
                feeds: "Feeds/demo.yaml", store: store, out: scratch.path("out"), now: Self.night2, ["--json"]))
        #expect(next.status == 0, "\(next.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(next.stdout.utf8)) as? [String: Any])
        #expect(json["first_night"] as? Bool == true)
    }

    @Test func firstNightAndNoFirstNightExcludeEachOther() throws {
        #expect(throws: (any Error).self) {
            _ = try Vigie.parseAsRoot(["run", "--first-night", "--no-first-night"])
        }
        do {
            _ = try Vigie.parseAsRoot(["run", "--first-night", "--no-first-night"])
        } catch {
            #expect(Vigie.message(for: error).contains("--first-night and --no-first-night exclude each other"))
            #expect(Vigie.exitCode(for: error) == .validationFailure)
        }
        let forced = try #require(try Vigie.parseAsRoot(["run", "--first-night", "--days-back", "30"]) as? Vigie.Run)
        #expect(forced.firstNight && !forced.noFirstNight && forced.daysBack == 30)
        #expect(throws: (any Error).self) { _ = try Vigie.parseAsRoot(["run", "--days-back", "-1"]) }
    }

    @Test func theHelpDocumentsTheFirstNightAndDaysBack() {
        let help = Vigie.helpMessage(for: Vigie.Run.self)
        for needle in ["--first-night", "--no-first-night", "--days-back", "first_night_days", "première nuit"] {
            #expect(help.contains(needle), "vigie run --help does not mention \(needle)")
        }
    }

    /// `vigie run` in an empty folder (no Feeds, no Rules) cannot run: exit 2, and it leaves nothing behind —
    /// no store, no lock file.
    @Test func aRunThatCannotRunLeavesNoLockFileBehind() throws {
        let scratch = try VigieProcess.Scratch("empty-folder")
        let result = try VigieProcess.vigie([
            "run", "--feeds", scratch.path("Feeds"), "--rules", scratch.path("Rules"), "--store",
            scratch.path("vigie.sqlite"), "--out", scratch.path("digests"),
        ])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("Rules"), "\(result.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.root.path) == [])
    }

    /// A run that ran leaves its store and digests, but no lock file.
    @Test func aCompletedRunRemovesItsLockFile() throws {
        let scratch = try VigieProcess.Scratch("lock-removed")
        let store = scratch.path("vigie.sqlite")
        let result = try VigieProcess.vigie(
            Self.runArgs(feeds: "Feeds/demo.yaml", store: store, out: scratch.path("out"), now: Self.night1, []))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: store))
        #expect(!FileManager.default.fileExists(atPath: store + ".lock"))
    }
}
