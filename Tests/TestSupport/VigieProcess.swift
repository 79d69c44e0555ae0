import Foundation

/// Running the built `vigie` binary as an operator does, and reading what it leaves behind: output, store
/// tables, digest trees. Shared by the command tests and the end-to-end reliability tests (crash, full disk,
/// lock, planted key, fault server). Output always goes to files (`ProcessRunner`), never to pipes.
public enum VigieProcess {
    /// The package root: `vigie` runs from there, so `Rules` and `Feeds/` resolve.
    public static var packageRoot: URL { SharedData.packageRoot }

    /// The `vigie` built next to this test bundle (`swift build --build-tests` builds both), or the one named
    /// by `VIGIE_BINARY` (to run these tests against a release build or another checkout's build).
    public static func binary() throws -> URL {
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

    /// A test helper's own failure (no binary, a tool that failed).
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(_ d: String) { description = d }
    }

    /// A finished command: exit status (or the signal that ended it), stdout, stderr, wall time.
    public typealias Result = ProcessRunner.Result

    /// A `vigie` process in flight (output in files that can be read while it runs).
    public typealias Running = ProcessRunner.Running

    /// Runs `vigie args` to completion, from the package root (so `Rules` and `Feeds/` resolve), killing it
    /// after `timeout` seconds (a hung run must fail the test, not hang the suite).
    public static func vigie(
        _ args: [String], environment: [String: String] = [:], inheritEnvironment: Bool = true,
        timeout: Double = 300
    ) throws -> Result {
        try start(args, environment: environment, inheritEnvironment: inheritEnvironment).wait(timeout: timeout)
    }

    /// Starts `vigie args` from the package root and returns at once, to act while it runs (read its stderr,
    /// signal it at a chosen phase).
    public static func start(
        _ args: [String], environment: [String: String] = [:], inheritEnvironment: Bool = true
    ) throws -> Running {
        try Running(
            try binary(), args, environment: environment, inheritEnvironment: inheritEnvironment,
            directory: packageRoot)
    }

    // MARK: - Files

    /// A scratch folder removed at the end of the test.
    public final class Scratch {
        public let root: URL
        public init(_ label: String = "scratch") throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("vigie-\(label)-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        }
        public func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }
        public func write(_ text: String, to relative: String) throws -> String {
            let p = path(relative)
            try FileManager.default.createDirectory(
                atPath: (p as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: p, atomically: true, encoding: .utf8)
            return p
        }
        deinit { try? FileManager.default.removeItem(at: root) }
    }

    /// Every regular file under `directory`, relative path → bytes (hidden files included: they must show).
    public static func tree(_ directory: String) -> [String: Data] {
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
    public static func digestTree(_ directory: String) -> [String: Data] {
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
    public static func frenchWallClockPattern() -> String {
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
    public static func strayEntries(_ directory: String) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: directory) else { return [] }
        var stray: [String] = []
        while let relative = walker.nextObject() as? String {
            let name = (relative as NSString).lastPathComponent
            if name.hasPrefix(".") || name.hasSuffix(".tmp") || name.contains(".tmp.") { stray.append(relative) }
        }
        return stray.sorted()
    }

    /// Dated editions beyond the first (`<date>-2.md`…): a second edition of the same night.
    public static func secondEditions(_ files: [String: Data]) -> [String] {
        files.keys.filter { path in
            let name = (path as NSString).lastPathComponent
            return name.range(of: #"^\d{4}-\d{2}-\d{2}-\d+\."#, options: .regularExpression) != nil
        }.sorted()
    }

    /// How `actual` differs from `expected`: missing, extra, and different files (a few of each).
    public static func treeDifferences(expected: [String: Data], actual: [String: Data]) -> [String] {
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
    public static func itemsSentTwice(_ files: [String: Data]) -> [String] {
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
    public static func storeDump(_ store: String) throws -> [String: [String]] {
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
    public static func sqlite3(_ store: String, _ sql: String) throws -> String {
        let r = try ProcessRunner.run(URL(fileURLWithPath: "/usr/bin/sqlite3"), ["-batch", store, sql], timeout: 60)
        guard r.succeeded else { throw Failure("sqlite3 \(store) \"\(sql)\": \(r.stderr)") }
        return r.stdout
    }

    /// How two store dumps differ, table by table (counts and a few rows).
    public static func storeDifferences(expected: [String: [String]], actual: [String: [String]]) -> [String] {
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
    public static func occurrences(of needle: String, in haystack: Data) -> Int {
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
    public static func storeFiles(_ store: String) -> [String] {
        [store, store + "-wal", store + "-shm", store + "-journal"].filter {
            FileManager.default.fileExists(atPath: $0)
        }
    }
}
