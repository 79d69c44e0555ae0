import ArgumentParser
import Foundation
import TestSupport
import Logging
import Testing

@testable import VigieCLI

/// The one stderr format: `vigie <command>: [warning: |error: ]message[ key=value…]`, with the command named as
/// the user typed it (`rules show`, not `show`).
@Suite struct DiagnosticsTests {
    @Test func lineFormat() {
        #expect(Diagnostics.line(command: "query", "3 notices") == "vigie query: 3 notices")
        #expect(
            Diagnostics.line(command: "fetch", level: .warning, "retry budget exhausted", metadata: ["source.id": "x"])
                == "vigie fetch: warning: retry budget exhausted source.id=x")
        #expect(
            Diagnostics.line(command: "parse", level: .error, "parser: f.xml:3:1: bad", metadata: ["b": "2", "a": "1"])
                == "vigie parse: error: parser: f.xml:3:1: bad a=1 b=2")
        #expect(Diagnostics.line(command: "run", level: .debug, "fetch start") == "vigie run: debug: fetch start")
    }

    @Test func commandPaths() throws {
        #expect(Vigie.path(of: Vigie.Query.self) == "query")
        #expect(Vigie.path(of: Vigie.Rules.Show.self) == "rules show")
        #expect(Vigie.path(of: Vigie.Rules.Lint.self) == "rules lint")
        #expect(Vigie.path(of: Vigie.Sources.Check.self) == "sources check")
        #expect(Vigie.name(of: try Vigie.parseAsRoot(["rules", "show"])) == "rules show")
    }

    @Test func loggerLabelsBecomeCommands() {
        #expect(LineLogHandler(label: "vigie.fetch").command == "fetch")
        #expect(LineLogHandler(label: "other").command == "other")
    }

    /// A refused id from a nested command names the whole path, once, in the binary's output.
    @Test func nestedCommandErrorNamesThePath() throws {
        let r = try VigieProcess.vigie(["rules", "show", "nope"])
        #expect(r.status == 2)
        #expect(r.stderr.hasPrefix("vigie rules show: unknown cluster nope (known: "))
    }
}
