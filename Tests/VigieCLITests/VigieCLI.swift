import Foundation
import Testing

/// Running the built `vigie` binary as an operator does, and reading what it leaves behind: output, store
/// tables, digest trees. Shared by the command tests and the end-to-end reliability tests (crash, full disk,
/// lock, planted key, fault server).
enum VigieCLI {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The `vigie` built next to this test bundle (`swift build --build-tests` builds both), or the one named
    /// by `VIGIE_BINARY` (to run these tests against a release build or another checkout's build).
    static func binary() throws -> URL {
        if let given = ProcessInfo.processInfo.environment["VIGIE_BINARY"], !given.isEmpty {
            guard FileManager.default.isExecutableFile(atPath: given) else {
                throw Failure("VIGIE_BINARY=\(given) is not an executable file")
            }
            return URL(fileURLWithPath: given)
        }
        var candidates = [packageRoot.appendingPathComponent(".build/debug/vigie")]
        let bundleDir = Bundle.main.bundleURL
        candidates += [
            bundleDir.appendingPathComponent("vigie"),
            bundleDir.deletingLastPathComponent().appendingPathComponent("vigie"),
        ]
        if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) {
            return found
        }
        throw Failure("vigie binary not found (looked in \(candidates.map(\.path))); build it with swift build")
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    /// A finished command: exit status (or the signal that ended it), stdout, stderr, wall time.
    struct Result {
        var status: Int32
        var signalled: Bool
        /// Killed by the test's watchdog: it ran past its time limit.
        var timedOut: Bool
        var stdout: String
        var stderr: String
        var seconds: Double
        var stdoutBytes: Data
        var stderrBytes: Data
    }

    /// Runs `vigie args` to completion, from the package root (so `Rules` and `Feeds/` resolve), killing it
    /// after `timeout` seconds (a hung run must fail the test, not hang the suite).
    static func vigie(_ args: [String], environment: [String: String] = [:], timeout: Double = 300) throws -> Result {
        try Running(args, environment: environment).wait(timeout: timeout)
    }

    /// A `vigie` process in flight, its output going to files (a chatty run never blocks on a full pipe) that
    /// can be read while it runs, to trigger a signal at a chosen phase.
    final class Running {
        let process = Process()
        private let outPath: String
        private let errPath: String
        private let outHandle: FileHandle
        private let errHandle: FileHandle
        let started = Date()
        private var finished: Result?

        init(_ args: [String], environment: [String: String] = [:]) throws {
            process.executableURL = try VigieCLI.binary()
            process.arguments = args
            process.currentDirectoryURL = VigieCLI.packageRoot
            if !environment.isEmpty {
                process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            }
            let base = FileManager.default.temporaryDirectory.appendingPathComponent(
                "vigie-cli-out-\(UUID().uuidString)"
            ).path
            outPath = base + ".out"
            errPath = base + ".err"
            _ = FileManager.default.createFile(atPath: outPath, contents: nil)
            _ = FileManager.default.createFile(atPath: errPath, contents: nil)
            outHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
            errHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
            process.standardOutput = outHandle
            process.standardError = errHandle
            try process.run()
        }

        deinit {
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
            try? outHandle.close()
            try? errHandle.close()
            try? FileManager.default.removeItem(atPath: outPath)
            try? FileManager.default.removeItem(atPath: errPath)
        }

        var pid: Int32 { process.processIdentifier }
        var isRunning: Bool { process.isRunning }
        var elapsed: Double { Date().timeIntervalSince(started) }

        /// What the process wrote on stderr so far.
        func stderrSoFar() -> String {
            String(decoding: FileManager.default.contents(atPath: errPath) ?? Data(), as: UTF8.self)
        }

        /// Polls stderr until it contains `marker`, the process ends, or `timeout` passes; true when seen.
        func waitForStderr(_ marker: String, timeout: Double = 60) -> Bool {
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                if stderrSoFar().contains(marker) { return true }
                if !process.isRunning { return stderrSoFar().contains(marker) }
                usleep(2_000)
            }
            return false
        }

        func signal(_ sig: Int32) { kill(process.processIdentifier, sig) }

        /// Waits for the end; after `timeout` seconds from the start, kills it (`timedOut` in the result).
        @discardableResult
        func wait(timeout: Double = 300) throws -> Result {
            if let finished { return finished }
            let deadline = started.addingTimeInterval(timeout)
            while process.isRunning && Date() < deadline { usleep(5_000) }
            let timedOut = process.isRunning
            if timedOut { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            let seconds = Date().timeIntervalSince(started)
            try outHandle.synchronize()
            try errHandle.synchronize()
            let out = FileManager.default.contents(atPath: outPath) ?? Data()
            let err = FileManager.default.contents(atPath: errPath) ?? Data()
            let result = Result(
                status: process.terminationStatus, signalled: process.terminationReason == .uncaughtSignal,
                timedOut: timedOut,
                stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self),
                seconds: seconds, stdoutBytes: out, stderrBytes: err)
            finished = result
            return result
        }
    }

    // MARK: - Files

    /// A scratch folder removed at the end of the test.
    final class Scratch {
        let root: URL
        init(_ label: String = "scratch") throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("vigie-\(label)-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        }
        func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }
        func write(_ text: String, to relative: String) throws -> String {
            let p = path(relative)
            try FileManager.default.createDirectory(
                atPath: (p as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: p, atomically: true, encoding: .utf8)
            return p
        }
        deinit { try? FileManager.default.removeItem(at: root) }
    }

    /// Every regular file under `directory`, relative path → bytes (hidden files included: they must show).
    static func tree(_ directory: String) -> [String: Data] {
        var files: [String: Data] = [:]
        guard let walker = FileManager.default.enumerator(atPath: directory) else { return files }
        while let relative = walker.nextObject() as? String {
            let full = (directory as NSString).appendingPathComponent(relative)
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue {
                files[relative] = FileManager.default.contents(atPath: full) ?? Data()
            }
        }
        return files
    }

    /// The digest files under `directory` for comparing two runs: as `tree`, with the one wall-clock value a
    /// digest carries masked. A source's last success in the source table is when its fetch really happened
    /// (not `--now`): `last_success` in JSON, "dimanche 6 décembre 2026 à 19 h 48" (Paris time, to the minute)
    /// in Markdown and HTML, so a re-run a minute later writes another value there. Only today's and
    /// yesterday's real dates are masked: every date that comes from the feed is still compared.
    static func digestTree(_ directory: String) -> [String: Data] {
        var files = tree(directory)
        let wallClock = frenchWallClockPattern()
        for (path, data) in files {
            var text = String(decoding: data, as: UTF8.self)
            if path.hasSuffix(".json") {
                text = text.replacingOccurrences(
                    of: #""last_success" : "[^"]*""#, with: #""last_success" : "(masked)""#,
                    options: .regularExpression)
            } else if path.hasSuffix(".md") || path.hasSuffix(".html") {
                text = text.replacingOccurrences(of: wallClock, with: "(masked)", options: .regularExpression)
            } else {
                continue
            }
            files[path] = Data(text.utf8)
        }
        return files
    }

    /// "<weekday> 6 décembre 2026 à 19 h 48" for today's and yesterday's real dates in Paris, as a pattern.
    static func frenchWallClockPattern() -> String {
        let months = [
            "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
            "novembre", "décembre",
        ]
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/Paris") ?? TimeZone(secondsFromGMT: 3600)!
        let days = [Date(), Date().addingTimeInterval(-86_400)].map { date -> String in
            let c = calendar.dateComponents([.year, .month, .day], from: date)
            return "\(c.day ?? 0)\\s\(months[(c.month ?? 1) - 1])\\s\(c.year ?? 0)"
        }
        // The renderer puts no-break spaces around "h" (French typography): \s matches them.
        return "[a-z]+\\s(\(days.joined(separator: "|")))\\sà\\s[0-9]{1,2}\\sh\\s[0-9]{2}"
    }

    /// Every entry (file or folder) under `directory` whose name is hidden or temporary.
    static func strayEntries(_ directory: String) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: directory) else { return [] }
        var stray: [String] = []
        while let relative = walker.nextObject() as? String {
            let name = (relative as NSString).lastPathComponent
            if name.hasPrefix(".") || name.hasSuffix(".tmp") || name.contains(".tmp.") { stray.append(relative) }
        }
        return stray.sorted()
    }

    /// Dated editions beyond the first (`<date>-2.md`…): a second edition of the same night.
    static func secondEditions(_ files: [String: Data]) -> [String] {
        files.keys.filter { path in
            let name = (path as NSString).lastPathComponent
            return name.range(of: #"^\d{4}-\d{2}-\d{2}-\d+\."#, options: .regularExpression) != nil
        }.sorted()
    }

    /// How `actual` differs from `expected`: missing, extra, and different files (a few of each).
    static func treeDifferences(expected: [String: Data], actual: [String: Data]) -> [String] {
        let missing = Set(expected.keys).subtracting(actual.keys).sorted()
        let extra = Set(actual.keys).subtracting(expected.keys).sorted()
        let changed = Set(expected.keys).intersection(actual.keys).filter { expected[$0] != actual[$0] }.sorted()
        var out: [String] = []
        if !missing.isEmpty { out.append("\(missing.count) missing (\(missing.prefix(4).joined(separator: ", ")))") }
        if !extra.isEmpty { out.append("\(extra.count) extra (\(extra.prefix(4).joined(separator: ", ")))") }
        if !changed.isEmpty { out.append("\(changed.count) differ (\(changed.prefix(4).joined(separator: ", ")))") }
        return out
    }

    /// (member folder, notice id) pairs that appear in more than one dated JSON digest: an item sent twice.
    /// Cluster digests list items per member; members' own digests under `adherents/<member>/`.
    static func itemsSentTwice(_ files: [String: Data]) -> [String] {
        var seen: [String: Set<String>] = [:]
        for (path, data) in files where path.hasSuffix(".json") {
            let name = (path as NSString).lastPathComponent
            guard !name.hasPrefix("latest"), let object = try? JSONSerialization.jsonObject(with: data),
                let digest = (object as? [String: Any])?["digest"] as? [String: Any]
            else { continue }
            let folder = (path as NSString).deletingLastPathComponent
            for member in digest["members"] as? [[String: Any]] ?? [] {
                let memberID = member["member_id"] as? String ?? "?"
                for item in member["items"] as? [[String: Any]] ?? [] {
                    guard let notice = (item["notice"] as? [String: Any])?["id"] as? String else { continue }
                    seen["\(folder) \(memberID) \(notice)", default: []].insert(path)
                }
            }
        }
        return seen.filter { $0.value.count > 1 }.map { "\($0.key) in \($0.value.sorted())" }.sorted()
    }

    // MARK: - Store

    /// The store's content as text lines, for comparing two stores: notices (id, hash, revision), routes
    /// (notice, cluster, member, role) and deliveries (notice, cluster, member, role, revision). Run timestamps
    /// are left out on purpose. Read with the `sqlite3` command-line tool, as an operator would.
    static func storeDump(_ store: String) throws -> [String: [String]] {
        let queries = [
            "notices": "SELECT id, hash, revision FROM notice ORDER BY id",
            "routes": "SELECT notice_id, cluster, member, role FROM route ORDER BY 1, 2, 3, 4",
            "deliveries": "SELECT notice_id, cluster, member, role, revision FROM delivery ORDER BY 1, 2, 3, 4",
        ]
        var dump: [String: [String]] = [:]
        for (table, sql) in queries {
            let text = try sqlite3(store, sql)
            dump[table] = text.split(separator: "\n").map(String.init)
        }
        return dump
    }

    /// One `sqlite3` query's output (`|`-separated rows).
    static func sqlite3(_ store: String, _ sql: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        p.arguments = ["-batch", store, sql]
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw Failure("sqlite3 \(store) \"\(sql)\": \(String(decoding: errData, as: UTF8.self))")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// How two store dumps differ, table by table (counts and a few rows).
    static func storeDifferences(expected: [String: [String]], actual: [String: [String]]) -> [String] {
        var out: [String] = []
        for table in expected.keys.sorted() {
            let e = expected[table] ?? []
            let a = actual[table] ?? []
            if e == a { continue }
            let missing = Set(e).subtracting(a).sorted()
            let extra = Set(a).subtracting(e).sorted()
            out.append(
                "\(table): \(a.count) rows, expected \(e.count); missing \(missing.prefix(3)), extra \(extra.prefix(3))"
            )
        }
        return out
    }

    /// How many times `needle` occurs in `haystack` (bytes).
    static func occurrences(of needle: String, in haystack: Data) -> Int {
        let n = Data(needle.utf8)
        guard !n.isEmpty, haystack.count >= n.count else { return 0 }
        var count = 0
        var start = haystack.startIndex
        while let r = haystack.range(of: n, in: start..<haystack.endIndex) {
            count += 1
            start = r.upperBound
        }
        return count
    }

    /// The store file and its companions (`-wal`, `-shm`, `-journal`) that exist.
    static func storeFiles(_ store: String) -> [String] {
        [store, store + "-wal", store + "-shm", store + "-journal"].filter {
            FileManager.default.fileExists(atPath: $0)
        }
    }
}

/// Inputs for whole-run tests: a large `file://` RSS feed whose items route to many members of the bundled
/// `Rules/` clusters (mecaloire's machining, sheet-metal, surface and maintenance trades, in the Loire), so a
/// run writes many member items and the digest phase lasts long enough to be interrupted.
enum BigFeed {
    static let trades = [
        "Usinage de pièces mécaniques de précision", "Décolletage de pièces en laiton",
        "Tournage et fraisage de pièces",
        "Chaudronnerie et tôlerie pour cuves", "Découpe laser et pliage de tôles", "Soudage et mécano-soudure",
        "Traitement de surface par galvanisation", "Anodisation et thermolaquage de pièces",
        "Fonderie de pièces en fonte ductile", "Forge et estampage de pièces", "Outillage et moules d'injection",
        "Maintenance industrielle des lignes de production", "Rétrofit de machines spéciales",
        "Cellule robotisée et automatisme", "Métrologie et contrôle dimensionnel", "Convoyeurs et ligne d'assemblage",
    ]
    static let towns = [
        ("Saint-Étienne", "42"), ("Roanne", "42"), ("Montbrison", "42"), ("Le Puy-en-Velay", "43"),
        ("Lyon", "69"), ("Firminy", "42"), ("Feurs", "42"), ("Yssingeaux", "43"),
    ]

    /// Writes `big.xml` (`count` items) and `big.yaml` (its catalogue) in `directory`; returns the catalogue.
    static func write(in directory: String, count: Int) throws -> String {
        var rss = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel><title>Gros flux</title>"
        rss += "<link>https://acheteurs.example/</link><description>Consultations</description>"
        for i in 0..<count {
            let trade = trades[i % trades.count]
            let (town, dep) = towns[(i / trades.count) % towns.count]
            let day = 1 + i % 28
            rss += "<item><title>\(trade) — lot \(i) (\(dep))</title>"
            rss += "<link>https://acheteurs.example/ao/\(i)</link><guid isPermaLink=\"false\">AO-2026-\(i)</guid>"
            rss += "<pubDate>Mon, 04 May 2026 09:00:00 +0000</pubDate>"
            rss += "<description>Acheteur : Ville de \(town). Lieu d&#x27;exécution : \(town) (\(dep)). "
            rss += "\(trade) pour les ateliers municipaux, consultation \(i). "
            rss += "Date limite de réception des offres : \(String(format: "%02d", day))/07/2026 12:00.</description>"
            rss += "</item>\n"
        }
        rss += "</channel></rss>\n"
        let feed = (directory as NSString).appendingPathComponent("big.xml")
        try rss.write(toFile: feed, atomically: true, encoding: .utf8)
        let yaml = """
            sources:
              - id: big
                name: Gros flux d'acheteurs
                owner: Exemple
                kind: tenders
                format: rss
                url: \(URL(fileURLWithPath: feed).absoluteString)
                licence: Exemple
            """
        let catalogue = (directory as NSString).appendingPathComponent("big.yaml")
        try yaml.write(toFile: catalogue, atomically: true, encoding: .utf8)
        return catalogue
    }

    /// `vigie run` on `catalogue` into `store` and `out`, at a fixed date.
    static func runArgs(catalogue: String, store: String, out: String) -> [String] {
        [
            "run", "--feeds", catalogue, "--rules", "Rules", "--store", store, "--out", out, "--now",
            "2026-05-05T02:00:00Z",
        ]
    }
}

/// The end-to-end reliability and security tests of the nightly run (crash, signals, full disk, store lock,
/// planted key, fault server), one after the other: they time kills against a clean run's duration, so they
/// must not compete with each other for the CPU. `swift test --skip-build --filter ReliabilityTests`.
@Suite(.serialized) struct ReliabilityTests {}
