import Foundation
import TestSupport
import Testing

@testable import Digest

/// Headless Chromium, found on the PATH (`VIGIE_CHROMIUM` overrides). Debian's package is `chromium`.
enum Chromium {
    static let path: String? = {
        let env = ProcessInfo.processInfo.environment
        if let p = env["VIGIE_CHROMIUM"], FileManager.default.isExecutableFile(atPath: p) { return p }
        let dirs = (env["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map(String.init)
        for name in ["chromium", "chromium-browser", "google-chrome", "chrome-headless-shell"] {
            for d in dirs where FileManager.default.isExecutableFile(atPath: "\(d)/\(name)") { return "\(d)/\(name)" }
        }
        return nil
    }()

    /// In CI a missing Chromium must fail the run, not skip it; on a workstation the test shows as skipped.
    static var shouldRun: Bool { path != nil || ProcessInfo.processInfo.environment["CI"] != nil }

    struct Failure: Error, CustomStringConvertible { var description: String }

    /// Runs Chromium headless on `url` with `arguments`; returns its standard output. Kills it after `timeout`.
    static func run(_ arguments: [String], url: URL, timeout: TimeInterval = 20) throws -> String {
        guard let path else {
            throw Failure(description: "chromium is not installed: `apt-get install -y chromium` (make test does it)")
        }
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent(
            "vigie-chromium-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        let run = try ProcessRunner.run(
            URL(fileURLWithPath: path),
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
                "--allow-file-access-from-files", "--user-data-dir=\(profile.path)", "--virtual-time-budget=5000",
            ] + arguments + [url.absoluteString], timeout: timeout)
        guard run.succeeded else {
            throw Failure(description: "chromium exited with \(run.status) on \(url.path)")
        }
        return run.stdout
    }
}

/// The HTML digest (the e-mail's HTML part) laid out by a real browser engine at a phone's width and a
/// desktop's: nothing may stick out of the viewport and no text may be cut. Screenshots are kept under
/// `.build/digest-screenshots/` for a human look.
@Suite(.serialized, .enabled(if: Chromium.shouldRun, "chromium is not installed (apt-get install -y chromium)"))
struct HTMLLayoutTests {
    static let root = SharedData.packageRoot
    static let folder = root.appendingPathComponent(".build/digest-screenshots")

    static let digests: [String: DigestInput] = [
        "cluster": SampleDigest.input,
        "member": SampleDigest.input.forMember(id: "usinage-forez", name: "Usinage du Forez"),
    ]

    /// What the page reports about its own layout.
    struct Layout: Decodable {
        var innerWidth: Int
        var scrollWidth: Int
        var height: Int
        /// Elements whose box reaches beyond the viewport.
        var overflow: [String]
        /// Elements that hide part of their text (overflow hidden or ellipsis, content wider than the box).
        var cut: [String]
        /// Elements whose content spills out of their own box (a no-wrap date wider than its card).
        var spill: [String]
        /// The no-wrap values (dates, amounts) as laid out: text and whether each fits on one line.
        var whole: [String]
    }

    /// A page that lays the digest out in an iframe exactly `width` px wide (headless Chromium will not size
    /// its window below 500 px, an iframe has no such floor) and writes what it measured into its own DOM.
    static func harness(_ html: String, width: Int, height: Int) throws -> String {
        let literal = String(decoding: try JSONEncoder().encode([html]), as: UTF8.self)
            .replacingOccurrences(of: "</", with: "<\\/")
        return """
            <!DOCTYPE html><html><head><meta charset="utf-8"><style>html,body{margin:0;padding:0}</style></head><body>
            <iframe id="f" style="border:0;display:block;width:\(width)px;height:\(height)px"></iframe>
            <script>
            var f = document.getElementById('f');
            function label(e) {
              var t = (e.textContent || '').replace(/\\s+/g, ' ').trim().slice(0, 70);
              return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + ' «' + t + '»';
            }
            f.onload = function () {
              var w = f.contentWindow, d = f.contentDocument, W = w.innerWidth;
              var out = {innerWidth: W, scrollWidth: d.documentElement.scrollWidth,
                         height: Math.ceil(d.documentElement.getBoundingClientRect().height),
                         overflow: [], cut: [], spill: [], whole: []};
              d.querySelectorAll('body *').forEach(function (e) {
                var r = e.getBoundingClientRect();
                if (r.width === 0 && r.height === 0) return;
                if (r.right > W + 0.5 || r.left < -0.5) out.overflow.push(label(e) + ' right=' + r.right);
                var cs = w.getComputedStyle(e);
                var hides = cs.overflowX === 'hidden' || cs.overflowX === 'clip' || cs.textOverflow === 'ellipsis';
                if (hides && e.scrollWidth > e.clientWidth + 1) out.cut.push(label(e));
                if (cs.display !== 'inline' && e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1)
                  out.spill.push(label(e) + ' ' + e.scrollWidth + '>' + e.clientWidth);
                if (cs.whiteSpace === 'nowrap')
                  out.whole.push((e.getClientRects().length === 1 ? 'one line: ' : 'broken: ') + e.textContent);
              });
              document.body.setAttribute('data-layout', JSON.stringify(out));
            };
            f.srcdoc = \(literal)[0];
            </script></body></html>
            """
    }

    static func unescape(_ s: String) -> String {
        s.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&nbsp;", with: "\u{A0}").replacingOccurrences(of: "&amp;", with: "&")
    }

    static func measure(_ html: String, width: Int, name: String) throws -> Layout {
        let page = folder.appendingPathComponent("\(name)-measure.html")
        try Data(try harness(html, width: width, height: 20_000).utf8).write(to: page)
        let dom = try Chromium.run(["--window-size=\(max(width, 500)),900", "--dump-dom"], url: page)
        guard let start = dom.range(of: "data-layout=\""),
            let end = dom[start.upperBound...].firstIndex(of: "\"")
        else { throw Chromium.Failure(description: "the layout script did not run in \(page.path)") }
        return try JSONDecoder().decode(Layout.self, from: Data(unescape(String(dom[start.upperBound..<end])).utf8))
    }

    @Test(arguments: ["cluster", "member"], [390, 1280])
    func nothingOverflowsOrIsCut(_ digest: String, _ width: Int) throws {
        try FileManager.default.createDirectory(at: Self.folder, withIntermediateDirectories: true)
        let html = HTMLRenderer().text(try #require(Self.digests[digest]))
        let name = "\(digest)-\(width)"
        try Data(html.utf8).write(to: Self.folder.appendingPathComponent("\(digest).html"))
        let layout = try Self.measure(html, width: width, name: name)
        #expect(layout.innerWidth == width, "the page was not laid out at \(width) px")
        #expect(layout.scrollWidth <= layout.innerWidth, "the page scrolls sideways: \(layout.scrollWidth) px wide")
        #expect(layout.overflow.isEmpty, "beyond the \(width) px viewport: \(layout.overflow.prefix(5))")
        #expect(layout.cut.isEmpty, "text cut: \(layout.cut.prefix(5))")
        #expect(layout.spill.isEmpty, "content wider than its box: \(layout.spill.prefix(5))")
        // The deadline and the amount are laid out, whole, on one line each.
        #expect(layout.whole.contains("one line: 480\u{A0}000\u{A0}€ HT"))
        #expect(layout.whole.contains { $0.hasPrefix("one line: lundi 8 juin 2026 à 12\u{A0}h\u{A0}00") })
        #expect(layout.whole.contains("one line: dans 34 jours"))
        #expect(
            !layout.whole.contains { $0.hasPrefix("broken:") }, "\(layout.whole.filter { $0.hasPrefix("broken:") })")

        // The screenshot: the same page, the window as tall as the digest.
        let height = min(max(layout.height, 200), 16_000)
        let page = Self.folder.appendingPathComponent("\(name)-shot.html")
        try Data(try Self.harness(html, width: width, height: height).utf8).write(to: page)
        let png = Self.folder.appendingPathComponent("\(name).png")
        try? FileManager.default.removeItem(at: png)
        _ = try Chromium.run(["--window-size=\(width),\(height)", "--screenshot=\(png.path)"], url: page)
        #expect(FileManager.default.fileExists(atPath: png.path), "no screenshot at \(png.path)")
        print("digest screenshot: \(png.path) (\(width)×\(height) px)")
    }

    /// The e-mail's compact layout at a phone's width: the cards in full, then the one-line entries (long titles,
    /// no-wrap deadlines) and the line saying where the full digest is, none of them wider than the screen.
    @Test(arguments: ["cluster", "member"]) func theCompactMailFitsAPhone(_ digest: String) throws {
        try FileManager.default.createDirectory(at: Self.folder, withIntermediateDirectories: true)
        // The sample's tender thirty times under other ids: more cards than an e-mail holds in full.
        var input = try MailLayoutTests.sampleWith(copies: 30)
        input.tally()
        let mailed = digest == "member" ? input.forMember(id: input.members[0].memberID, name: "Usinage") : input
        let html = HTMLRenderer(layout: .mail).text(mailed)
        #expect(MailLayoutTests.fullCards(html: html) < 30)
        #expect(html.contains(digest == "member" ? " autres avis pour vous</h3>" : " autres avis</h3>"))
        try Data(html.utf8).write(to: Self.folder.appendingPathComponent("\(digest)-mail.html"))
        let layout = try Self.measure(html, width: 390, name: "\(digest)-mail-390")
        #expect(layout.scrollWidth <= layout.innerWidth, "the page scrolls sideways: \(layout.scrollWidth) px wide")
        #expect(layout.overflow.isEmpty, "beyond the 390 px viewport: \(layout.overflow.prefix(5))")
        #expect(layout.cut.isEmpty, "text cut: \(layout.cut.prefix(5))")
        #expect(layout.spill.isEmpty, "content wider than its box: \(layout.spill.prefix(5))")
        // The deadlines of the one-line entries too, whole.
        #expect(layout.whole.contains("one line: dans 6 jours"))
        #expect(
            !layout.whole.contains { $0.hasPrefix("broken:") }, "\(layout.whole.filter { $0.hasPrefix("broken:") })")
        let height = min(max(layout.height, 200), 16_000)
        let page = Self.folder.appendingPathComponent("\(digest)-mail-390-shot.html")
        try Data(try Self.harness(html, width: 390, height: height).utf8).write(to: page)
        let png = Self.folder.appendingPathComponent("\(digest)-mail-390.png")
        try? FileManager.default.removeItem(at: png)
        _ = try Chromium.run(["--window-size=390,\(height)", "--screenshot=\(png.path)"], url: page)
        #expect(FileManager.default.fileExists(atPath: png.path), "no screenshot at \(png.path)")
    }

    /// The checker itself: a page built to overflow, clip and spill is caught on each count.
    @Test func theCheckerCatchesWhatItLooksFor() throws {
        try FileManager.default.createDirectory(at: Self.folder, withIntermediateDirectories: true)
        let bad = """
            <!DOCTYPE html><html><body style="margin:0">
            <div style="width:600px">trop large</div>
            <p style="overflow:hidden;text-overflow:ellipsis;white-space:nowrap;width:100px">un texte bien trop long \
            pour sa boîte</p>
            <table style="width:200px"><tr><td><span style="white-space:nowrap">mardi 1er décembre 2026 à 12 h 00 \
            — dans 5 jours</span></td></tr></table>
            </body></html>
            """
        let layout = try Self.measure(bad, width: 390, name: "checker")
        #expect(layout.scrollWidth > 390)
        #expect(layout.overflow.contains { $0.hasPrefix("div «trop large»") })
        #expect(layout.cut.contains { $0.hasPrefix("p «un texte") })
        #expect(!layout.spill.isEmpty)
    }
}
