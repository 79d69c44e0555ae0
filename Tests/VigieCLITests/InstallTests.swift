import Foundation
import TestSupport
import Testing

/// `make install PREFIX=…` as a cluster's IT person runs it, then the installed binary as cron or systemd runs it:
/// with an empty environment (`env -i`), and without the Swift toolchain's shared libraries.
///
/// The install is a debug build (`CONFIGURATION=debug`, still linked statically: what is under test is the link and
/// the files installed, not the optimiser; a release build adds minutes to `make test` on two cores), in its own
/// SwiftPM folder (`SCRATCH=.build-install`): `swift test` holds the lock of `.build` while the tests run, so a
/// `swift build` there would wait for this very test. The folder stays between runs, so only the first is slow.
@Suite("make install", .serialized)
struct InstallTests {
    static let packageRoot = VigieProcess.packageRoot

    /// What the toolchain's shared libraries are called: none may be needed by the installed binary.
    static let toolchainLibraries = [
        "libswiftCore", "libswift_", "libswiftDispatch", "libswiftGlibc", "libswiftSynchronization",
        "libFoundation", "lib_FoundationICU", "libdispatch", "libBlocksRuntime",
    ]

    @Test("make install PREFIX=… then the installed vigie runs a night with env -i and no toolchain library")
    func installedBinaryRunsAloneWithAnEmptyEnvironment() throws {
        let scratch = try TemporaryFolder("vigie-install")
        let prefix = scratch.url.appendingPathComponent("prefix")

        let install = try Self.run(
            "/usr/bin/env",
            [
                "make", "--no-print-directory", "install", "PREFIX=\(prefix.path)", "CONFIGURATION=debug",
                "SCRATCH=.build-install",
            ],
            environment: nil, timeout: 1800)
        try #require(install.status == 0, "make install failed:\n\(install.tail)")

        // Exactly the binary, three completion scripts and the man pages: no copy of any library.
        let installed = Self.files(under: prefix.path)
        let expectedFixed = [
            "bin/vigie", "share/bash-completion/completions/vigie", "share/fish/vendor_completions.d/vigie.fish",
            "share/man/man1/vigie.1", "share/zsh/site-functions/_vigie",
        ]
        for path in expectedFixed { #expect(installed.contains(path), "\(path) not installed: \(installed)") }
        let manPages = installed.filter { $0.hasPrefix("share/man/man1/") }
        #expect(manPages.contains("share/man/man1/vigie.run.1"), "no page for `vigie run`: \(manPages)")
        let unexpected = installed.filter { !expectedFixed.contains($0) && !manPages.contains($0) }
        #expect(unexpected.isEmpty, "installed besides the binary, completions and man pages: \(unexpected)")

        let vigie = prefix.appendingPathComponent("bin/vigie").path
        #expect(FileManager.default.isExecutableFile(atPath: vigie))

        // The loader's view: every library resolved, none from the toolchain.
        let ldd = try Self.run("/usr/bin/env", ["ldd", vigie], environment: nil, timeout: 60)
        try #require(ldd.status == 0, "ldd failed:\n\(ldd.tail)")
        #expect(ldd.stdout.contains("libc.so.6"), "ldd listed no libc, so it proved nothing:\n\(ldd.stdout)")
        #expect(!ldd.stdout.contains("not found"), "a library the binary needs is missing:\n\(ldd.stdout)")
        let toolchainLines = ldd.stdout.split(separator: "\n").filter { line in
            line.contains("/opt/swift") || line.contains("/usr/lib/swift/")
                || Self.toolchainLibraries.contains { line.contains($0) }
        }
        #expect(toolchainLines.isEmpty, "the installed binary still needs the toolchain: \(toolchainLines)")

        // Nothing from the environment: no PATH, no HOME, no LANG, as `env -i` gives (cron gives little more).
        let empty = try Self.run("/usr/bin/env", [], environment: [:], timeout: 60)
        try #require(empty.status == 0 && empty.stdout.isEmpty, "not an empty environment: \(empty.stdout)")
        let version = try Self.run(vigie, ["--version"], environment: [:], timeout: 60)
        #expect(version.status == 0, "vigie --version:\n\(version.tail)")
        #expect(
            version.stdout.range(of: #"^\d+\.\d+\.\d+"#, options: .regularExpression) != nil,
            "vigie --version printed \(version.stdout.debugDescription)")

        let store = scratch.url.appendingPathComponent("s.sqlite").path
        let out = scratch.url.appendingPathComponent("out").path
        let night = try Self.run(
            vigie,
            [
                "run", "--feeds", "Feeds/demo.yaml", "--rules", "Rules", "--store", store, "--out", out,
                "--now", "2026-11-24T02:00:00Z", "--dry-run",
            ],
            environment: [:], timeout: 600)
        #expect(night.status == 0, "the installed vigie's night with env -i:\n\(night.tail)")

        // The digest holds what the bundled BOAMP page holds: at least one of its titles (`objet`).
        let latest = URL(fileURLWithPath: out).appendingPathComponent("mecaloire/latest.md")
        let digest = try String(contentsOf: latest, encoding: .utf8)
        #expect(!digest.isEmpty)
        let boampTitles = try Self.boampSampleTitles()
        try #require(!boampTitles.isEmpty, "no `objet` in Feeds/samples/boamp-api-page.json")
        #expect(
            boampTitles.contains { digest.contains($0) },
            "mecaloire/latest.md names none of the BOAMP sample's \(boampTitles.count) titles")

        // The completion scripts are the binary's own: they name its subcommands.
        for (file, shell) in [
            ("share/bash-completion/completions/vigie", "bash"), ("share/zsh/site-functions/_vigie", "zsh"),
            ("share/fish/vendor_completions.d/vigie.fish", "fish"),
        ] {
            let script = try String(contentsOf: prefix.appendingPathComponent(file), encoding: .utf8)
            #expect(script.contains("backup") && script.contains("digest"), "\(shell) completion names no subcommand")
        }
        let runPage = try String(
            contentsOf: prefix.appendingPathComponent("share/man/man1/vigie.run.1"), encoding: .utf8)
        #expect(runPage.contains("--feeds"), "the man page of `vigie run` does not document --feeds")

        // `make uninstall` takes back every file it put there.
        let uninstall = try Self.run(
            "/usr/bin/env", ["make", "--no-print-directory", "uninstall", "PREFIX=\(prefix.path)"],
            environment: nil, timeout: 120)
        #expect(uninstall.status == 0, "make uninstall:\n\(uninstall.tail)")
        #expect(Self.files(under: prefix.path).isEmpty, "left after uninstall: \(Self.files(under: prefix.path))")
    }

    // MARK: - Helpers

    /// The `objet` of every record of the demo's BOAMP API page, read from the file itself.
    static func boampSampleTitles() throws -> [String] {
        let data = try Data(contentsOf: packageRoot.appendingPathComponent("Feeds/samples/boamp-api-page.json"))
        let page = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        let records = page?["results"] as? [[String: Any]] ?? []
        return records.compactMap { $0["objet"] as? String }
    }

    /// Every regular file under `directory`, as paths relative to it, sorted.
    static func files(under directory: String) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: directory) else { return [] }
        var found: [String] = []
        while let relative = walker.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let full = (directory as NSString).appendingPathComponent(relative)
            if FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue {
                found.append(relative)
            }
        }
        return found.sorted()
    }

    /// Runs `executable` from the package root to its end (TestSupport's runner: output to files, so a chatty build
    /// never blocks on a full pipe). `environment: nil` inherits this process's; `[:]` is an empty one, as `env -i`.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]?, timeout: Double)
        throws -> ProcessRunner.Result
    {
        try ProcessRunner.run(
            URL(fileURLWithPath: executable), arguments, environment: environment ?? [:],
            inheritEnvironment: environment == nil, directory: packageRoot, timeout: timeout)
    }

    /// A folder under the system's temporary folder, removed with its content when released.
    final class TemporaryFolder {
        let url: URL
        init(_ label: String) throws {
            url = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        }
        deinit { try? FileManager.default.removeItem(at: url) }
    }
}
