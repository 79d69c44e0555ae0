import Foundation
import Testing
@testable import Classifier

/// The loader reads YAML into a rulebook and reports only what stops reading (syntax, schema, values that do not
/// parse); consistency is the linter's (see `RulesLinterTests` for the whole of `vigie rules lint`).
@Suite struct RulebookLoaderTests {
    typealias Expected = RulesLinterTests.Expected
    static func e(_ line: Int, _ column: Int, _ key: String?, _ message: String) -> Expected {
        RulesLinterTests.e(line, column, key, message)
    }

    /// Each broken fixture's read diagnostics: the subset of `RulesLinterTests.cases` the loader finds itself.
    static let cases: [(String, [Expected])] = [
        (
            "unknown-key.yaml",
            [
                e(9, 5, "segments[0].keywrods", "unknown key 'keywrods'; did you mean 'keywords'?"),
                e(16, 5, "members[0].capacty", "unknown key 'capacty'; did you mean 'capacity'?"),
            ]
        ),
        // Unknown segments are a consistency check: the loader reads the references as written.
        ("bad-references.yaml", []),
        // `42620000-0` is well formed; whether it exists needs the vocabulary (the linter's).
        (
            "bad-cpv.yaml",
            [
                e(9, 19, "segments[0].cpv[1]", "bad CPV '42-62'"),
                e(9, 28, "segments[0].cpv[2]", "bad CPV '426200000'"),
                e(10, 11, "segments[0].cpv[3]", "bad CPV '1'"),
                e(10, 30, "segments[0].cpv[5]", "bad CPV '4262000A'"),
            ]
        ),
        // A repeated key is a YAML problem; repeated ids are the linter's.
        (
            "duplicates.yaml",
            [
                e(15, 5, "members[0].name", "duplicate key 'name' (first at line 14)")
            ]
        ),
        ("keywords.yaml", []),
        (
            "thesaurus.yaml",
            [
                e(7, 5, "thesaurus[4]", "expected a list of variants")
            ]
        ),
        ("outside.yaml", []),
        (
            "types.yaml",
            [
                e(2, 7, "cluster.id", "id 'Demo Cluster' must be lower-case letters"),
                e(5, 26, "cluster.territory.departements[1]", "unknown département '99'"),
                e(6, 15, "cluster.territory.regions[0]", "unknown region 'FRZ'"),
                e(8, 12, "cluster.routing.scope", "unknown scope 'planet'"),
                e(9, 19, "cluster.routing.max_distance", "expected a whole number from 0 to 20"),
                e(18, 22, "members[0].sites[1]", "unknown site '4200'"),
                e(19, 15, "members[0].capacity", "expected a number"),
                e(20, 21, "members[0].kinds[1]", "unknown kind 'appels'"),
            ]
        ),
    ]

    @Test(arguments: cases)
    func readDiagnostics(_ name: String, _ expected: [Expected]) throws {
        let path = ClassifierSupport.fixture("broken/" + name)
        let loaded = RulebookLoader().read(files: [path])
        let got = loaded.diagnostics
        #expect(got.count == expected.count, "diagnostics: \(got.map(\.description).joined(separator: "\n"))")
        for x in expected {
            let match = got.first { d in
                d.severity == x.severity && d.line == x.line && d.column == x.column && d.key == x.key
                    && d.message.contains(x.message) && d.file == path
            }
            #expect(match != nil, "missing \(x) in:\n\(got.map(\.description).joined(separator: "\n"))")
        }
        // Every read diagnostic is also in the lint report, unchanged.
        let report = RulesLinter().lint(loaded)
        #expect(got.allSatisfy { report.diagnostics.contains($0) })
        if expected.isEmpty {
            _ = try RulebookLoader().load(directory: path)
        } else {
            #expect(throws: got[0].error) { _ = try RulebookLoader().load(directory: path) }
        }
    }

    @Test func loadsTheShippedRulesWithoutLintChecks() throws {
        let loaded = try RulebookLoader().load(directory: ClassifierSupport.rulesDirectory)
        // The linter warns about four group-level CPV prefixes in these files (798, 631, 383, 713); the loader
        // does not judge prefixes, so it has nothing to say.
        #expect(loaded.diagnostics.isEmpty, "\(loaded.diagnostics.map(\.description))")
        #expect(RulesLinter().lint(loaded).warnings.count == 4)
        #expect(
            loaded.files.map { URL(fileURLWithPath: $0).lastPathComponent }
                == ["cognac.yaml", "energie.yaml", "mecaloire.yaml", "nucleaire.yaml", "thesaurus.yaml"])
        let book = loaded.rulebook
        #expect(book.clusters.map(\.id) == ["cognac", "energie", "mecaloire", "nucleaire"])
        // Values as Rules/mecaloire.yaml writes them.
        let meca = try #require(book.cluster("mecaloire"))
        #expect(meca.name == "Pôle Méca Loire")
        #expect(meca.territory.departements == ["42", "43", "69", "63", "03", "71"])
        #expect(meca.territory.regions == ["FRK"])
        #expect(meca.routing.scope == .departements && meca.routing.maxDistance == 2 && meca.routing.minLeadDays == 5)
        let forge = try #require(meca.segment("fonderie-forge"))
        #expect(forge.cpv == ["4447", "71550000-8", "43415000-5"])
        #expect(forge.exclusions == ["forge numérique", "fonderie d'art", "fonte des neiges"])
        #expect(forge.supplies == ["usinage"])
        #expect(forge.keywords.first == "fonderie" && forge.keywords.last == "matriçage")
        // With no lint error in the shipped rules, the checked load gives the same rulebook.
        let checked = try Rulebook.load(directory: ClassifierSupport.rulesDirectory)
        #expect(book == checked)
    }

    @Test func keepsWhatOnlyTheLinterJudges() throws {
        // keywords.yaml and bad-references.yaml read without a read error: the loader keeps what they say (keywords
        // trimmed) and leaves the judging to the linter; the checked load refuses them.
        let keywords = ClassifierSupport.fixture("broken/keywords.yaml")
        let book = try RulebookLoader().load(directory: keywords).rulebook
        #expect(
            book.cluster("demo")?.segment("usinage")?.keywords == [
                "", "de la", "usin.*", "\\businage\\b", "(tournage|fraisage)", "*usinage", "us*nage", "ab*", "usinage",
                "Usinages", "pièce* mécanique*",
            ])
        #expect(throws: ClassifierError.self) { _ = try Rulebook.load(directory: keywords) }

        let references = ClassifierSupport.fixture("broken/bad-references.yaml")
        let refs = try RulebookLoader().load(directory: references).rulebook
        #expect(refs.member("acme", in: "demo")?.segments == ["usinage", "fonderie"])
        #expect(refs.segment("usinage", in: "demo")?.supplies == ["assemblag"])
        #expect(throws: ClassifierError.self) { _ = try Rulebook.load(directory: references) }
    }

    @Test func checkedLoadThrowsTheFirstErrorOfEitherInEditorOrder() {
        // duplicates.yaml: the repeated segment id (line 9, linter) comes before the repeated key (line 15, loader).
        let path = ClassifierSupport.fixture("broken/duplicates.yaml")
        #expect(
            throws: ClassifierError.invalidRule(
                file: path, line: 15, column: 5, key: "members[0].name",
                message: "duplicate key 'name' (first at line 14)")
        ) {
            _ = try RulebookLoader().load(directory: path)
        }
        #expect(
            throws: ClassifierError.invalidRule(
                file: path, line: 9, column: 9, key: "segments[1].id",
                message: "duplicate segment id 'usinage' (first at line 6)")
        ) {
            _ = try Rulebook.load(directory: path)
        }
    }

    @Test func supplyDiagnosticsNameTheSegmentAsWritten() throws {
        // A list item that is not a mapping is skipped, so the second item is the first segment read: supply
        // diagnostics still name it `segments[1]`, and a nested item is reported once.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigie-loader-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let yaml = """
            cluster: {id: demo, name: Démo, territory: {departements: ["42"]}}
            segments:
              - usinage
              - id: tournage
                label: Tournage
                keywords: [tournage]
                supplies: [tournage, [x]]
            members:
              - {id: acme, name: Acme, segments: [tournage], sites: ["42"]}
            """
        let file = dir.appendingPathComponent("demo.yaml").path
        try yaml.write(toFile: file, atomically: true, encoding: .utf8)
        let loaded = RulebookLoader().read(files: [file])
        #expect(
            loaded.diagnostics.map(\.description) == [
                "\(file):3:5: error: segments[0]: expected a mapping (id, label, keywords…)",
                "\(file):7:26: error: segments[1].supplies[1]: expected a text item, found a nested list or mapping",
            ])
        #expect(
            RulesLinter().lint(loaded).diagnostics.map(\.description) == [
                "\(file):1:1: warning: segments: supply links of 'tournage' form a cycle",
                "\(file):3:5: error: segments[0]: expected a mapping (id, label, keywords…)",
                "\(file):7:16: error: segments[1].supplies[0]: segment 'tournage' cannot supply itself",
                "\(file):7:26: error: segments[1].supplies[1]: expected a text item, found a nested list or mapping",
            ])
    }

    @Test func syntaxErrorStopsTheLoad() throws {
        let path = ClassifierSupport.fixture("broken/syntax.yaml")
        let loaded = RulebookLoader().read(files: [path])
        #expect(loaded.rulebook.clusters.isEmpty)
        let d = try #require(loaded.errors.first)
        #expect(loaded.diagnostics.count == 1 && d.message.hasPrefix("YAML syntax:"))
        // The flow sequence opened on line 7 is never closed: libyaml notices at `members:` / `- id`.
        #expect(d.line >= 7 && d.line <= 9, "\(d)")
        #expect(throws: d.error) { _ = try RulebookLoader().load(directory: path) }
    }

    @Test func missingDirectoryIsUnreadable() {
        #expect(throws: ClassifierError.unreadable(path: "/nonexistent/rules", reason: "no such file or directory")) {
            _ = try RulebookLoader().read(directory: "/nonexistent/rules")
        }
    }
}
