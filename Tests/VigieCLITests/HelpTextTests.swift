import ArgumentParser
import Foundation
import TestSupport
import Testing

@testable import VigieCLI

/// Every command's `--help` teaches: a real example line (`vigie …`), the exit codes, and `--json` where the
/// command prints results.
@Suite struct HelpTextTests {
    /// Every command of the tree with its path (`rules lint`), the root included as "".
    static func commands() -> [(path: String, type: any ParsableCommand.Type)] {
        var out: [(String, any ParsableCommand.Type)] = [("", Vigie.self)]
        func walk(_ node: any ParsableCommand.Type, _ prefix: String) {
            for sub in node.configuration.subcommands {
                let path = prefix.isEmpty ? sub._commandName : prefix + " " + sub._commandName
                out.append((path, sub))
                walk(sub, path)
            }
        }
        walk(Vigie.self, "")
        return out
    }

    /// The commands that print results, so take `--json`. Kept by hand on purpose: a new command that prints
    /// results is added here, and the test then asks for its `--json`.
    static let printingResults = [
        "run", "fetch", "parse", "extract", "route", "explain", "rules show", "rules lint", "query", "digest", "send",
        "sources check", "backup", "init",
    ]

    static func help(_ type: any ParsableCommand.Type) -> String {
        Vigie.helpMessage(for: type, columns: 120)
    }

    @Test func everyCommandShowsAnExample() {
        for (path, type) in Self.commands() {
            let lines = Self.help(type).split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            #expect(lines.contains { $0.hasPrefix("vigie ") }, "vigie \(path) --help has no example line")
        }
    }

    @Test func everyCommandStatesItsExitCodes() {
        for (path, type) in Self.commands() {
            #expect(Self.help(type).contains("Exit codes"), "vigie \(path) --help does not state its exit codes")
        }
    }

    @Test func everyCommandThatPrintsResultsTakesJSON() {
        let paths = Set(Self.commands().map(\.path))
        for path in Self.printingResults {
            guard paths.contains(path) else {
                Issue.record("vigie \(path) does not exist")
                continue
            }
            let type = Self.commands().first { $0.path == path }!.type
            #expect(Self.help(type).contains("--json"), "vigie \(path) prints results but has no --json")
        }
    }

    /// The shared options read the same everywhere: one help line for --store, --json, --feeds.
    @Test func sharedOptionsHaveOneWording() {
        let expectations: [(String, String, [String])] = [
            ("--store <store>", "SQLite store file.", ["query", "fetch", "backup", "send"]),
            (
                "--json", "Print the results as JSON on stdout.",
                [
                    "query", "fetch", "backup", "send", "rules show",
                    "rules lint", "sources check", "parse", "extract",
                ]
            ),
            ("--feeds <feeds>", "Source catalogue: a folder of *.yaml, or one file.", ["fetch", "sources check"]),
        ]
        for (option, wording, paths) in expectations {
            for path in paths {
                let type = Self.commands().first { $0.path == path }!.type
                // The OPTIONS section: `  --json   Print…`.
                let line = Self.help(type).split(separator: "\n").first { $0.hasPrefix("  " + option) }
                #expect(line?.contains(wording) == true, "vigie \(path): \(line ?? "no \(option)")")
            }
        }
    }

    /// Where the help points at the demo, it names what `make demo` writes.
    @Test func examplesNameTheDemoPaths() throws {
        for path in ["query", "fetch", "backup", "send"] {
            let type = Self.commands().first { $0.path == path }!.type
            #expect(Self.help(type).contains("demo-out/vigie.sqlite"), "vigie \(path)")
        }
        let makefile = try String(
            contentsOf: VigieProcess.packageRoot.appendingPathComponent("Makefile"), encoding: .utf8)
        #expect(makefile.contains("--store $(DEMO_OUT)/vigie.sqlite") && makefile.contains("DEMO_OUT   ?= demo-out"))
    }

    /// The help is printed by the binary too, with the subcommand's own usage line.
    @Test func theBinaryPrintsTheSubcommandHelp() throws {
        let r = try VigieProcess.vigie(["help", "rules", "show"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("USAGE: vigie rules show"))
        #expect(r.stdout.contains("vigie rules show mecaloire"))
    }
}

/// The examples of the help are real: each one naming the demo's files runs, on a copy of the demo's store, and
/// succeeds. (The commands whose help this suite owns; the others' examples are checked by their own tests.)
@Suite struct HelpExamplesTests {
    static let checked = [
        "query", "fetch", "backup", "send", "sources", "sources check", "rules", "rules lint",
        "rules show", "parse", "extract", "",
    ]

    /// `vigie …` lines of a command's discussion that use only the demo's files: no placeholder, no pipe, no
    /// environment, no shell expansion.
    static func runnableExamples(_ discussion: String) -> [[String]] {
        discussion.split(separator: "\n").compactMap { raw in
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard line.hasPrefix("vigie "), !line.contains("|"), !line.contains("$("), !line.contains("="),
                !line.contains("…")
            else { return nil }
            let words = Self.words(line)
            let demo = ["demo-out/", "Feeds/demo.yaml", "Feeds/samples/", "Rules", "mecaloire"]
            let placeholders = ["NOTICE-FILE", "feed.xml", "notice.xml", "corpus/", "vigie.sqlite", "avis.pdf"]
            guard words.contains(where: { w in demo.contains { w.contains($0) } }) || words[1] == "extract",
                !words.contains(where: { w in placeholders.contains { w.hasPrefix($0) } })
            else { return nil }
            return Array(words.dropFirst())
        }
    }

    /// Splits a shell line into words, honouring double quotes.
    static func words(_ line: String) -> [String] {
        var out: [String] = []
        var current = ""
        var quoted = false
        var started = false
        for c in line {
            if c == "\"" {
                quoted.toggle()
                started = true
            } else if c == " " && !quoted {
                if started { out.append(current) }
                current = ""
                started = false
            } else {
                current.append(c)
                started = true
            }
        }
        if started { out.append(current) }
        return out
    }

    /// The README's reference of these commands ("Looking into the store…"): its `vigie …` lines, comments cut.
    static func readmeExamples() throws -> [[String]] {
        let readme = try String(
            contentsOf: VigieProcess.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let section = try #require(readme.components(separatedBy: "### Looking into the store").dropFirst().first)
        let block = try #require(section.components(separatedBy: "```").dropFirst().first)
        let lines = block.split(separator: "\n").map { line in
            String(line.components(separatedBy: "  # ").first ?? "").trimmingCharacters(in: .whitespaces)
        }
        return Self.runnableExamples(lines.joined(separator: "\n"))
    }

    @Test func readmeExamplesRun() throws {
        let examples = try Self.readmeExamples()
        #expect(examples.count >= 12, "\(examples)")
        try Self.run(examples)
    }

    static func run(_ examples: [[String]]) throws {
        let demo = try DemoStore.get()
        for example in examples {
            let copy = FileManager.default.temporaryDirectory.appendingPathComponent("vigie-ex-\(UUID().uuidString)")
            let out = copy.appendingPathComponent("demo-out").path
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: demo.store, toPath: out + "/vigie.sqlite")
            let args = example.map { $0.replacingOccurrences(of: "demo-out", with: out) }
            let r = try VigieProcess.vigie(args)
            let shown = "vigie " + example.joined(separator: " ")
            #expect(r.status == 0, "\(shown) exited \(r.status): \(r.stderr)")
            #expect(!r.stdout.isEmpty, "\(shown) printed nothing")
            #expect(DemoStore.linesOutOfFormat(r.stderr).isEmpty, "\(shown): \(r.stderr)")
        }
    }

    @Test func demoExamplesRun() throws {
        let demo = try DemoStore.get()
        var ran = 0
        for (path, type) in HelpTextTests.commands() where Self.checked.contains(path) {
            for example in Self.runnableExamples(type.configuration.discussion) {
                // A fresh copy of the demo's folder for each example: the examples that write (fetch, backup,
                // send --dry-run) write into it.
                let copy = FileManager.default.temporaryDirectory.appendingPathComponent(
                    "vigie-ex-\(UUID().uuidString)")
                let out = copy.appendingPathComponent("demo-out").path
                try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
                try FileManager.default.copyItem(atPath: demo.store, toPath: out + "/vigie.sqlite")
                let args = example.map { $0.replacingOccurrences(of: "demo-out", with: out) }
                let r = try VigieProcess.vigie(args)
                #expect(r.status == 0, "vigie \(example.joined(separator: " ")) exited \(r.status): \(r.stderr)")
                #expect(!r.stdout.isEmpty || !r.stderr.isEmpty, "vigie \(example.joined(separator: " ")) said nothing")
                #expect(
                    DemoStore.linesOutOfFormat(r.stderr).isEmpty, "vigie \(example.joined(separator: " ")): \(r.stderr)"
                )
                ran += 1
            }
        }
        // Four for query alone: a filter that drops every example would not pass unseen.
        #expect(ran >= 20, "only \(ran) examples ran")
    }
}
