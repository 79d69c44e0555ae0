import Digest
import Fetcher
import Foundation
import Logging
import LoopbackHTTP
import Notices
import Store
import TestSupport
import Testing
@testable import Pipeline

/// Three consecutive nights of `vigie fetch` against loopback emulations that behave like the real services
/// (BOAMP's Opendatasoft cap, TED's iteration tokens, aides-territoires ignoring unknown parameters), with
/// the real catalogue entries of `Feeds/`, the real pipeline path and a real SQLite store file. New records
/// appear between nights; every record must end up stored exactly once.
@Suite(.serialized) struct NightlyEmulationTests {
    static let packageRoot = SharedData.packageRoot.path

    /// Night 1 at 22:00 UTC on 2026-11-25, then the next two evenings.
    static func night(_ n: Int) -> Date {
        ISO8601DateFormatter().date(from: "2026-11-25T22:00:00Z")!.addingTimeInterval(Double(n - 1) * 86_400)
    }

    /// The catalogue entry `Feeds/<file>` pointed at the loopback server (its politeness delay dropped: the
    /// delay is not what is under test, and 100 pages a second apart would take minutes).
    static func catalogueSource(_ file: String, url: String) throws -> SourceDefinition {
        var source = try #require(try SourceCatalogue.load(directory: packageRoot + "/Feeds/" + file).sources.first)
        source.url = url
        source.politeness = Politeness(maxConcurrent: 2, delay: 0)
        return source
    }

    struct Night {
        let report: SourceRunReport
        let cursor: String?
    }

    /// One night: fetch, parse and store `source` with the clock at `night(n)`.
    static func run(
        _ n: Int, _ source: SourceDefinition, store: NoticeStore,
        environment: [String: String] = [:]
    ) throws -> Night {
        var configuration = FetchRunTests.configuration()
        configuration.now = night(n)
        configuration.transport.totalTimeout = 30
        configuration.environment = environment
        let engine = FetchEngine(configuration: configuration, logger: Logger(label: "test"))
        let reports = try FetchRun.run(
            [source], store: store, engine: engine, logger: Logger(label: "test"),
            now: { night(n) })
        let report = try #require(reports.first)
        let cursor = try store.sourceStates()[source.id]?.cursor
        print(
            "\(source.id) night \(n): \(report.status), \(report.pages) pages, \(report.notices) notices read, "
                + "+\(report.inserted) new, ~\(report.changed) changed, left \(report.left.map(String.init) ?? "-"), "
                + "cursor \(cursor ?? "-"), total stored \(try store.noticeCount())")
        return Night(report: report, cursor: cursor)
    }

    /// Every stored notice of `source`, by source id, and whether any was stored twice or rewritten.
    static func stored(_ store: NoticeStore) throws -> (ids: [String], revisions: Set<Int>) {
        let all = try store.noticesChanged(after: 0)
        return (all.map(\.notice.sourceID), Set(all.map(\.revision)))
    }

    static func withStore<T>(_ body: (NoticeStore) throws -> T) throws -> T {
        let path = FetchRunTests.temporaryStorePath()
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        return try body(try NoticeStore(path: path))
    }

    // MARK: - BOAMP (Opendatasoft: limit ≤ 100, offset + limit ≤ 10,000)

    static func boampRecord(_ i: Int, date: String) -> EmulatedRecord {
        let idweb = "26-\(100_000 + i)"
        // The fields of a real ODS record (jpbenga capture) that paging and identity need; no `donnees`.
        let json = """
            {"idweb": "\(idweb)", "id": "\(idweb)", "objet": "Travaux de chaudronnerie, lot \(i)", \
            "nomacheteur": "Commune de Roanne", "dateparution": "\(date)", "famille": "FNS", \
            "nature": "APPEL_OFFRE", "nature_libelle": "Avis de marché", "type_marche": ["TRAVAUX"], \
            "code_departement": ["42"], "url_avis": "https://www.boamp.fr/pages/avis/?q=idweb:\(idweb)"}
            """
        return EmulatedRecord(id: idweb, date: date, json: json)
    }

    @Test func boampTwelveThousandRecordsOverTheTenThousandCapThreeNights() throws {
        let server = try LoopbackServer()
        defer { server.stop() }
        // 12,000 notices, 2,000 a day from 2026-11-20 to 2026-11-25.
        let first = (0..<12_000).map { Self.boampRecord($0, date: String(format: "2026-11-%02d", 20 + $0 / 2_000)) }
        let records = EmulatedRecords(first)
        let path = "/api/explore/v2.1/catalog/datasets/boamp/records"
        server.route(path, OpendatasoftEmulator(records: records, dateField: "dateparution").route)
        let source = try Self.catalogueSource("boamp-api.yaml", url: server.url(path))

        try Self.withStore { store in
            let n1 = try Self.run(1, source, store: store)
            // The cap stops the walk at 10,000: incomplete, 2,000 left, cursor = newest record STORED.
            #expect(n1.report.status == "incomplete")
            #expect(n1.report.inserted == 10_000)
            #expect(n1.report.left == 2_000)
            #expect(n1.cursor == "2026-11-24")
            #expect(n1.report.warnings.contains { $0.contains("offset cap") })
            // The store keeps what is owed, so a digest written from the states alone (`vigie digest`) says it.
            let owed = try #require(try store.sourceStates()[source.id])
            #expect(owed.isIncomplete && owed.left == 2_000)
            let health = try #require(SourceHealthBuilder.fromStates([source.id: owed], now: Self.night(1)).first)
            #expect(health.status == .incomplete && health.left == 2_000)
            #expect(
                FrenchFormat.sourceRemark(health)
                    == "2\u{00A0}000 avis restent à récupérer, la suite la nuit prochaine")
            let firstRequest = try #require(server.requests(for: path).first)
            #expect(firstRequest.queryValue("where") == "dateparution >= date'2026-11-18'")  // 7 days back
            #expect(firstRequest.queryValue("order_by") == "dateparution asc, idweb asc")
            #expect(
                server.requests(for: path).allSatisfy {
                    (Int($0.queryValue("offset") ?? "0") ?? 0) + (Int($0.queryValue("limit") ?? "0") ?? 0) <= 10_000
                })

            // Night 2: 500 new notices; the window moves to the cursor's day, not the offset past 10,000.
            records.add((12_000..<12_500).map { Self.boampRecord($0, date: "2026-11-26") })
            server.resetLog()
            let n2 = try Self.run(2, source, store: store)
            #expect(n2.report.status == "ok")
            #expect(n2.report.inserted == 2_500)
            #expect(n2.report.changed == 0)
            #expect(n2.cursor == "2026-11-26")
            let caughtUp = try #require(try store.sourceStates()[source.id])
            #expect(!caughtUp.isIncomplete && caughtUp.left == nil)
            #expect(server.requests(for: path).first?.queryValue("where") == "dateparution >= date'2026-11-24'")

            // Night 3: 500 more, and one record mistyped far in the future: stored, but the cursor stays sane.
            records.add(
                (12_500..<13_000).map { Self.boampRecord($0, date: "2026-11-27") }
                    + [Self.boampRecord(13_000, date: "2099-11-27")])
            let n3 = try Self.run(3, source, store: store)
            #expect(n3.report.status == "ok")
            #expect(n3.report.inserted == 501)
            #expect(n3.cursor == "2026-11-27")

            let (ids, revisions) = try Self.stored(store)
            #expect(ids.count == 13_001)
            #expect(Set(ids) == Set(records.all.map(\.id)))
            #expect(revisions == [1], "a record was stored again as a change")
            print(
                "boamp: \(records.all.count) records served over 3 nights, \(ids.count) stored, "
                    + "\(Set(ids).count) distinct")
        }
    }

    /// `vigie run --now` replays a night: the fetch's clock is `--now`, not the machine's. The first night's window
    /// starts `first_night_days` (7) before it, and a record dated beyond the day after it never becomes the
    /// cursor. With the machine's clock (December 2026) the window would start in late November and the
    /// 2026-11-30 record would be the cursor.
    @Test func aRunReplayedAtAGivenDateFetchesOnThatDatesClock() throws {
        let server = try LoopbackServer()
        defer { server.stop() }
        let dates = ["2026-11-10", "2026-11-18", "2026-11-20", "2026-11-25", "2026-11-30"]
        let records = EmulatedRecords(dates.enumerated().map { Self.boampRecord($0.offset, date: $0.element) })
        let path = "/api/explore/v2.1/catalog/datasets/boamp/records"
        server.route(path, OpendatasoftEmulator(records: records, dateField: "dateparution").route)
        let workspace = try Workspace()
        // The real catalogue entry, pointed at the emulator, its politeness delay dropped.
        var yaml = try String(contentsOfFile: Self.packageRoot + "/Feeds/boamp-api.yaml", encoding: .utf8)
        yaml = yaml.replacingOccurrences(
            of: "url: https://boamp-datadila.opendatasoft.com/api/explore/v2.1/catalog/datasets/boamp/records",
            with: "url: \(server.url(path))")
        yaml = yaml.replacingOccurrences(of: "delay_ms: 250", with: "delay_ms: 0")
        #expect(yaml.contains(server.url(path)))
        let catalogue = workspace.root.appendingPathComponent("boamp.yaml").path
        try yaml.write(toFile: catalogue, atomically: true, encoding: .utf8)

        let options = NightlyRunOptions(
            feeds: catalogue, rules: Self.packageRoot + "/Rules",
            store: workspace.storePath, output: workspace.out, now: Self.night(1),
            formats: [.markdown])
        let report = try NightlyRun.run(options, logger: Logger(label: "test"))
        let boamp = try #require(report.sources.first)
        #expect(boamp.status == "ok", "\(boamp.error ?? "")")
        #expect(server.requests(for: path).first?.queryValue("where") == "dateparution >= date'2026-11-18'")
        // 11-18, 11-20, 11-25 and 11-30 are in the window; 11-10 is not.
        #expect(boamp.inserted == 4)
        let store = try NoticeStore(path: workspace.storePath)
        #expect(try store.sourceStates()["boamp-api"]?.cursor == "2026-11-25")
        #expect(
            try Set(store.noticesChanged(after: 0).map(\.notice.sourceID))
                == Set(records.all.dropFirst().map(\.id)))
    }

    // MARK: - TED Search API (ITERATION tokens)

    static func tedRecord(_ i: Int, date: String) -> EmulatedRecord {
        let number = "\(700_000 + i)-2026"
        let uuid = "00000000-0000-0000-0000-" + String(format: "%012d", i)
        // The shape of the real answers (ted-619675-2026-FRA-buyer.json): maps keyed by language, lists per lot.
        let json = """
            {"publication-number": "\(number)", "notice-identifier": "\(uuid)", \
            "notice-type": "cn-standard", "publication-date": "\(date)", \
            "notice-title": {"fra": "France – Travaux de construction – Réhabilitation, lot \(i)"}, \
            "buyer-name": {"fra": ["Ville de Saint-Étienne"]}, "buyer-country": ["FRA"], \
            "classification-cpv": ["45000000"], "deadline-receipt-tender-date-lot": ["2027-01-15+01:00"], \
            "deadline-receipt-tender-time-lot": ["12:00:00+01:00"], \
            "links": {"html": {"FRA": "https://ted.europa.eu/fr/notice/-/detail/\(number)"}}}
            """
        return EmulatedRecord(id: number, date: date, json: json)
    }

    @Test func tedIterationTokensAndMaxPagesThreeNights() throws {
        let server = try LoopbackServer()
        defer { server.stop() }
        // 1,500 notices from 2026-11-19 to 2026-11-25 (about 214 a day).
        let records = EmulatedRecords(
            (0..<1_500).map {
                Self.tedRecord($0, date: String(format: "2026-11-%02d+01:00", 19 + $0 * 7 / 1_500))
            })
        server.route("/v3/notices/search", TEDSearchEmulator(records: records).route)
        var source = try Self.catalogueSource("ted-search-api.yaml", url: server.url("/v3/notices/search"))
        // Four pages of 250 a night, so that night 1 is cut short by max_pages.
        guard case .iterationToken(var scheme) = source.paging else {
            Issue.record("TED pages with iteration tokens")
            return
        }
        scheme.maxPages = 4
        source.paging = .iterationToken(scheme)

        try Self.withStore { store in
            let n1 = try Self.run(1, source, store: store)
            // 400 would mean a field name the real API refuses: every requested name is evidenced.
            #expect(n1.report.status == "incomplete", "\(n1.report.error ?? "")")
            #expect(n1.report.inserted == 1_000)
            #expect(n1.report.left == 500)
            #expect(n1.cursor == "2026-11-23+01:00")
            let bodies = server.requests(for: "/v3/notices/search").map { String(decoding: $0.body, as: UTF8.self) }
            #expect(bodies.count == 4)
            #expect(bodies[0].contains("publication-date>=20261118 SORT BY publication-date ASC"))
            #expect(!bodies[0].contains("iterationNextToken") && bodies[1].contains("iterationNextToken"))

            records.add((1_500..<1_800).map { Self.tedRecord($0, date: "2026-11-26+01:00") })
            server.resetLog()
            let n2 = try Self.run(2, source, store: store)
            #expect(n2.report.status == "ok", "\(n2.report.error ?? "")")
            #expect(n2.report.inserted == 800)
            #expect(n2.cursor == "2026-11-26+01:00")
            #expect(
                String(decoding: server.requests(for: "/v3/notices/search")[0].body, as: UTF8.self)
                    .contains("publication-date>=20261123"))

            records.add((1_800..<2_100).map { Self.tedRecord($0, date: "2026-11-27+01:00") })
            let n3 = try Self.run(3, source, store: store)
            #expect(n3.report.status == "ok")
            #expect(n3.report.inserted == 300)
            #expect(n3.cursor == "2026-11-27+01:00")

            let (ids, revisions) = try Self.stored(store)
            #expect(ids.count == 2_100)
            #expect(Set(ids) == Set(records.all.map(\.id)))
            #expect(revisions == [1])
            print(
                "ted: \(records.all.count) notices served over 3 nights, \(ids.count) stored, "
                    + "\(Set(ids).count) distinct")
        }
    }

    // MARK: - aides-territoires (unknown parameters ignored, newest first only)

    /// Aid `i`, published at `published` (hidden: the API filters on it but does not send it), created the day
    /// before; one aid in five is not a call for projects.
    static func aid(_ i: Int, published: String) -> EmulatedRecord {
        let isCall = i % 5 != 0
        let day = Int(published.dropFirst(8).prefix(2))!
        let created = String(format: "2026-11-%02dT09:30:00+01:00", day - 1)
        // The shape of the real results (at-django-dataproviders-test-departement_drome_data.json and today's
        // API fields): perimeter names with their scale, site-relative url.
        let json = """
            {"id": \(150_000 + i), "slug": "aap-\(i)", "url": "/aides/aap-\(i)/", \
            "name": "Appel à projets industrie du futur n° \(i)", "financers": ["Région Occitanie"], \
            "perimeter": "Occitanie", "perimeter_scale": "Région", "is_call_for_project": \(isCall), \
            "submission_deadline": "2027-02-28", "date_created": "\(created)", "date_updated": "\(created)"}
            """
        return EmulatedRecord(id: String(150_000 + i), date: published, json: json, isCallForProjects: isCall)
    }

    @Test func aidesTerritoiresFollowsEveryPageEveryNight() throws {
        let server = try LoopbackServer()
        defer { server.stop() }
        // 250 aids published from 2026-11-18 to 2026-11-25; 200 are calls for projects.
        let records = EmulatedRecords(
            (0..<250).map {
                Self.aid($0, published: String(format: "2026-11-%02dT10:00:00+01:00", 18 + $0 * 8 / 250))
            })
        let emulator = AidesTerritoiresEmulator(records: records, key: "cle-de-test")
        server.route("/api/connexion/", emulator.connexionRoute)
        server.route("/api/aids/", emulator.aidsRoute(base: server.url("")))
        var source = try Self.catalogueSource("aides-territoires.yaml", url: server.url("/api/aids/"))
        source.auth?.exchange?.url = server.url("/api/connexion/")
        let environment = ["AIDES_TERRITOIRES_KEY": "cle-de-test"]
        func calls(_ all: [EmulatedRecord]) -> Set<String> { Set(all.filter(\.isCallForProjects).map(\.id)) }

        try Self.withStore { store in
            let n1 = try Self.run(1, source, store: store, environment: environment)
            #expect(n1.report.status == "ok", "\(n1.report.error ?? "")")
            #expect(n1.report.pages == 2)
            #expect(n1.report.inserted == 200)
            let pages = server.requests(for: "/api/aids/")
            let first = try #require(pages.first)
            #expect(first.queryValue("published_after") == "2026-11-18")
            #expect(first.queryValue("call_for_projects_only") == "true")
            #expect(first.queryValue("itemsPerPage") == "100")
            #expect(first.queryValue("orderBy") == "publication_date")
            #expect(first.queryValue("is_call_for_project") == nil && first.queryValue("date_published__gte") == nil)
            #expect(pages.allSatisfy { $0.header("authorization") == "Bearer jwt-emulated" })
            // Cursor: the newest `date_created` stored (the day before the newest publication).
            #expect(n1.cursor == "2026-11-24T09:30:00+01:00")

            // Night 2: 150 aids published on the 26th. The window (published since the 24th) spans two pages:
            // the second night must not stop after page 1.
            records.add((250..<400).map { Self.aid($0, published: "2026-11-26T10:00:00+01:00") })
            server.resetLog()
            let n2 = try Self.run(2, source, store: store, environment: environment)
            #expect(n2.report.status == "ok")
            #expect(n2.report.pages == 2)
            #expect(n2.report.inserted == 120)
            #expect(n2.report.changed == 0)
            #expect(server.requests(for: "/api/aids/").map { $0.queryValue("page") } == [nil, "2"])
            #expect(server.requests(for: "/api/aids/").first?.queryValue("published_after") == "2026-11-24")

            records.add((400..<460).map { Self.aid($0, published: "2026-11-27T10:00:00+01:00") })
            let n3 = try Self.run(3, source, store: store, environment: environment)
            #expect(n3.report.status == "ok")
            #expect(n3.report.inserted == 48)

            let (ids, revisions) = try Self.stored(store)
            #expect(Set(ids) == calls(records.all))
            #expect(ids.count == calls(records.all).count)
            #expect(revisions == [1])
            print(
                "aides-territoires: \(records.all.count) aids served over 3 nights "
                    + "(\(calls(records.all).count) calls for projects), \(ids.count) stored")
        }
    }
}
