import Foundation
import Notices
import TestSupport
import Testing

/// Writes `content` to a fresh temporary file and returns its path.
func temporaryFile(_ name: String, _ content: [UInt8]) throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
        "vigie-cli-\(getpid())-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let url = dir.appendingPathComponent(name)
    try Data(content).write(to: url)
    return url.path
}

@Suite("vigie parse (built binary)")
struct ParseCommandTests {
    static let feed = """
        <?xml version="1.0" encoding="utf-8"?>
        <rss version="2.0"><channel><title>March&eacute;s &ndash; test</title><link>https://example.fr/</link>
        <item><title>Travaux d&rsquo;&eacute;t&eacute;</title><link>avis/1</link><guid>id-1</guid>
        <pubDate>lun., 24 nov. 2026 09:00:00 +0100</pubDate><category>Travaux</category>
        <description>&lt;p&gt;Lot&amp;nbsp;1&lt;/p&gt;</description></item></channel></rss>
        """

    @Test("--help names every format it reads, DECP CSV included")
    func helpNamesEveryFormat() throws {
        let r = try VigieProcess.vigie(["parse", "--help"])
        #expect(r.status == 0)
        // The help text is wrapped at the terminal's width: compare words, not lines.
        let text = r.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for name in [
            "RSS 0.9x/2.0", "RSS 1.0 (RDF)", "Atom", "eForms", "BOAMP XML", "BOAMP (Opendatasoft",
            "TED search API", "aides-territoires", "EU Funding & Tenders", "DECP JSON", "DECP CSV",
            "TED daily packages",
        ] {
            #expect(text.contains(name), "vigie parse --help does not mention \(name)")
        }
        for format in DocumentFormat.allCases {
            #expect(text.contains(format.rawValue), "--format does not list \(format.rawValue)")
        }
    }

    @Test("--json prints the feed conformance schema, with links resolved against --base-url")
    func json() throws {
        let path = try temporaryFile("feed.rss", Array(Self.feed.utf8))
        let r = try VigieProcess.vigie([
            "parse", "--json", path, "--base-url", "https://flux.example.fr/rss/marches.xml",
        ])
        #expect(r.status == 0, "\(r.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let feed = try #require(object["feed"] as? [String: Any])
        #expect(feed["title"] as? String == "Marchés – test")
        #expect(feed["link"] as? String == "https://example.fr/")
        let entries = try #require(object["entries"] as? [[String: Any]])
        #expect(entries.count == 1)
        let e = entries[0]
        #expect(e["title"] as? String == "Travaux d’été")
        #expect(e["link"] as? String == "https://flux.example.fr/rss/avis/1")
        #expect(e["id"] as? String == "id-1")
        #expect(e["published"] as? String == "2026-11-24T08:00:00Z")
        #expect(e["updated"] is NSNull)
        #expect(e["summary_text"] as? String == "Lot\u{A0}1")
        #expect(e["categories"] as? [String] == ["Travaux"])
        #expect(e["enclosures"] as? [String] == [])
    }

    @Test("Without --json: a readable listing")
    func listing() throws {
        let path = try temporaryFile("feed.xml", Array(Self.feed.utf8))
        let r = try VigieProcess.vigie(["parse", path])
        #expect(r.status == 0)
        #expect(r.stdout.contains("rss \"Marchés – test\" <https://example.fr/>, 1 entries"))
        #expect(r.stdout.contains("1. Travaux d’été"))
        #expect(r.stdout.contains("published 2026-11-24T08:00:00Z"))
    }

    @Test("A broken file: one line naming file, line and column, non-zero exit, no crash")
    func brokenFile() throws {
        let path = try temporaryFile(
            "broken.xml", Array("<?xml version=\"1.0\"?>\n<rss>\n<channel><title>x</titl>\n".utf8))
        let r = try VigieProcess.vigie(["parse", "--json", path])
        // Recovered as far as possible and printed, but damaged: one line naming the position, exit 1.
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("vigie parse: error: parser: \(path):3:"))
        #expect(r.stderr.split(separator: "\n").count == 1)
        #expect(r.stdout.contains("\"title\":\"x\""))
        let garbage = try temporaryFile("garbage.xml", Array("\u{1}\u{2} not xml at all".utf8))
        let g = try VigieProcess.vigie(["parse", garbage])
        #expect(g.status == 1)
        #expect(g.stderr.hasPrefix("vigie parse: error: parser: \(garbage)"))
        #expect(g.stderr.split(separator: "\n").count == 1)
        let missing = try VigieProcess.vigie(["parse", "/nonexistent/feed.xml"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("/nonexistent/feed.xml: cannot read"))
    }

    @Test("Truncated and hostile feeds exit 1 with one line; a feed whose last end tag is cut short only warns")
    func damagedFeeds() throws {
        let truncated = try temporaryFile(
            "truncated.xml",
            Array("<rss version=\"2.0\"><channel><title>T</title><item><title>A</title></item><item><title>B</ti".utf8))
        let t = try VigieProcess.vigie(["parse", "--json", truncated])
        #expect(t.status == 1)
        #expect(t.stderr.hasPrefix("vigie parse: error: parser: \(truncated):1:"))
        #expect(t.stderr.split(separator: "\n").count == 1)
        #expect(t.stdout.contains("\"title\":\"A\""))

        let entities = (1...6).map { i in "<!ENTITY e\(i) \"" + String(repeating: "&e\(i - 1);", count: 10) + "\">" }
        let laughs = try temporaryFile(
            "laughs.xml",
            Array(
                ("<?xml version=\"1.0\"?>\n<!DOCTYPE rss [<!ENTITY e0 \"lol\">" + entities.joined() + "]>\n"
                    + "<rss version=\"2.0\"><channel><title>&e6;</title></channel></rss>\n").utf8))
        let l = try VigieProcess.vigie(["parse", "--json", laughs])
        #expect(l.status == 1)
        #expect(l.stderr.hasPrefix("vigie parse: error: parser: \(laughs):"))
        #expect(l.stderr.split(separator: "\n").count == 1)

        let cut = try temporaryFile(
            "cut.xml", Array("<rss version=\"2.0\"><channel><item><title>A</title></item></channel>\n</rss\n".utf8))
        let c = try VigieProcess.vigie(["parse", "--json", cut])
        #expect(c.status == 0)
        #expect(c.stderr.hasPrefix("vigie parse: warning: \(cut):"))
        #expect(c.stdout.contains("\"title\":\"A\""))
    }

    @Test("A recovered XML error with nothing lost: exit 0, one warning line, every entry printed")
    func recoveredFeeds() throws {
        let items = "<item><title>A</title><guid>a</guid></item>\n<item><title>B</title><guid>b</guid></item>\n"
        let cases = [
            // A second XML declaration (a CMS template that writes its header twice).
            (
                "twice.xml",
                "<?xml version=\"1.0\"?>\n<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\">"
                    + "<channel><title>T</title>\n\(items)</channel></rss>\n", 2,
                "XML declaration allowed only at the start"
            ),
            // A misspelt end tag, before the entries.
            (
                "mismatch.xml", "<rss version=\"2.0\"><channel><title>T</titel>\n\(items)</channel></rss>\n", 1,
                "mismatch"
            ),
        ]
        for (name, xml, line, message) in cases {
            let path = try temporaryFile(name, Array(xml.utf8))
            let r = try VigieProcess.vigie(["parse", "--json", path])
            #expect(r.status == 0, "\(name): \(r.stderr)")
            #expect(r.stderr.hasPrefix("vigie parse: warning: \(path):\(line):"), "\(name): \(r.stderr)")
            #expect(r.stderr.contains(message), "\(name): \(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count == 1)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
            #expect((object["feed"] as? [String: Any])?["title"] as? String == "T")
            let entries = try #require(object["entries"] as? [[String: Any]])
            #expect(entries.map { $0["title"] as? String } == ["A", "B"])
            #expect(entries.map { $0["id"] as? String } == ["a", "b"])
        }
        // The same misspelt end tag with the document cut short after it: content is missing, exit 1.
        let cut = try temporaryFile(
            "cut-after-mismatch.xml", Array("<rss version=\"2.0\"><channel><title>T</titel>\n\(items)".utf8))
        let c = try VigieProcess.vigie(["parse", "--json", cut])
        #expect(c.status == 1)
        #expect(c.stderr.hasPrefix("vigie parse: error: parser: \(cut):"))
        // An unbalanced end tag: the second item lands inside the first, exit 1.
        let unbalanced = try temporaryFile(
            "unbalanced.xml",
            Array(
                ("<rss version=\"2.0\"><channel><item><title>A</item><item><title>B</title></item>"
                    + "</channel></rss>\n").utf8))
        let u = try VigieProcess.vigie(["parse", "--json", unbalanced])
        #expect(u.status == 1)
        #expect(u.stderr.hasPrefix("vigie parse: error: parser: \(unbalanced):1:"))
    }

    @Test("--stats prints only the totals")
    func stats() throws {
        let a = try temporaryFile("a.xml", Array(Self.feed.utf8))
        let b = try temporaryFile("b.xml", Array(Self.feed.utf8))
        let r = try VigieProcess.vigie(["parse", "--stats", a, b])
        #expect(r.status == 0)
        let keys = r.stdout.split(separator: "\n").map { String($0.split(separator: ":")[0]) }
        #expect(keys == ["files", "entries", "bytes", "seconds", "MB/s"])
        #expect(r.stdout.contains("files: 2\nentries: 2\n"))
    }

    @Test("--stats on a 40 MB feed: bounded peak memory of the whole process")
    func boundedMemory() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "vigie-big-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("big.xml").path
        // Written in pieces, never held whole.
        FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        handle.write(
            Data("<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>Gros</title>\n".utf8))
        let body = String(repeating: "&lt;p&gt;R&amp;eacute;habilitation du gymnase, lot unique.&lt;/p&gt; ", count: 24)
        var items = 0
        var written = 0
        while written < 40_000_000 {
            var chunk = ""
            for _ in 0..<500 {
                items += 1
                chunk +=
                    "<item><title>Avis \(items) &eacute;t&eacute;</title><guid>id-\(items)</guid>"
                    + "<pubDate>Tue, 24 Nov 2026 09:00:00 +0100</pubDate><description>\(body)</description></item>\n"
            }
            let data = Data(chunk.utf8)
            handle.write(data)
            written += data.count
        }
        handle.write(Data("</channel></rss>\n".utf8))
        try handle.close()
        let r = try VigieProcess.vigie(["parse", "--stats", path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("entries: \(items)\n"))
        // The peak of this one child, read from its own /proc/PID/status while it runs. Neither
        // RUSAGE_CHILDREN nor wait4's ru_maxrss will do: a spawned child's maximum also counts the test
        // process's memory it shared until exec (Linux records the old mm's high-water mark at exec).
        let (status, peakKB) = try Self.spawnMeasuringPeak([try VigieProcess.binary().path, "parse", "--stats", path])
        #expect(status == 0)
        #expect(peakKB > 0 && peakKB < 64 * 1024, "peak RSS \(peakKB / 1024) MB")
    }

    /// Runs `argv` with stdout and stderr to /dev/null and returns its exit status and peak RSS in KB
    /// (VmHWM of its own address space, sampled every few milliseconds until it exits; the mark only rises).
    static func spawnMeasuringPeak(_ argv: [String]) throws -> (Int32, Int) {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var cArgs = argv.map { strdup($0) } + [nil]
        defer { for a in cArgs { free(a) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, argv[0], &actions, nil, &cArgs, environ)
        guard rc == 0 else { throw VigieProcess.Failure("cannot start \(argv[0]): \(String(cString: strerror(rc)))") }
        var peak = 0
        var status: Int32 = 0
        while true {
            if let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
                let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
                let kb = Int(line.split(separator: " ").dropFirst().first ?? "")
            {
                peak = max(peak, kb)
            }
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid { break }
            if r < 0 && errno != EINTR { throw VigieProcess.Failure("waitpid: \(String(cString: strerror(errno)))") }
            usleep(2_000)
        }
        let exited = (status & 0x7f) == 0
        return (exited ? (status >> 8) & 0xff : -1, peak)
    }

    @Test("Non-feed formats print {\"notices\": [...]} or a clear unknown-format error")
    func nonFeed() throws {
        let path = try temporaryFile("other.xml", Array("<?xml version=\"1.0\"?><inventory xmlns=\"urn:x\"/>".utf8))
        let r = try VigieProcess.vigie(["parse", "--json", path])
        #expect(r.status == 1)
        #expect(r.stderr.contains("unknown format"))
        #expect(r.stderr.contains("<inventory>"))
    }

    @Test("--help teaches the command")
    func help() throws {
        let r = try VigieProcess.vigie(["parse", "--help"])
        #expect(r.status == 0)
        for text in ["--json", "--base-url", "--stats", "--charset", "FILE:LINE:COLUMN", "Examples:"] {
            #expect(r.stdout.contains(text), "help lacks \(text)")
        }
    }
}
