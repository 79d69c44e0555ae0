import Foundation
import TestSupport
import Testing
@testable import Classifier

/// Broken rule files and the exact diagnostics (file, line, column, key) `vigie rules lint` prints for them: the
/// loader's read diagnostics and the linter's checks together.
@Suite struct RulesLinterTests {
    struct Expected: CustomStringConvertible, Sendable {
        var severity: LintDiagnostic.Severity
        var line: Int
        var column: Int
        var key: String?
        var message: String
        var description: String { "\(line):\(column) \(key ?? "-") \(message)" }
    }

    static func e(_ line: Int, _ column: Int, _ key: String?, _ message: String) -> Expected {
        Expected(severity: .error, line: line, column: column, key: key, message: message)
    }

    static func w(_ line: Int, _ column: Int, _ key: String?, _ message: String) -> Expected {
        Expected(severity: .warning, line: line, column: column, key: key, message: message)
    }

    static let cases: [(String, [Expected])] = [
        (
            "unknown-key.yaml",
            [
                e(9, 5, "segments[0].keywrods", "unknown key 'keywrods'; did you mean 'keywords'?"),
                e(16, 5, "members[0].capacty", "unknown key 'capacty'; did you mean 'capacity'?"),
            ]
        ),
        (
            "bad-references.yaml",
            [
                e(9, 16, "segments[0].supplies[0]", "unknown segment 'assemblag'; did you mean 'assemblage'?"),
                e(16, 25, "members[0].segments[1]", "unknown segment 'fonderie'"),
                e(21, 25, "watches[0].segments[1]", "unknown segment 'peinture'"),
                w(10, 5, "segments", "no member covers segment 'assemblage'"),
            ]
        ),
        (
            "bad-cpv.yaml",
            [
                e(9, 19, "segments[0].cpv[1]", "bad CPV '42-62'"),
                e(9, 28, "segments[0].cpv[2]", "bad CPV '426200000'"),
                e(10, 11, "segments[0].cpv[3]", "bad CPV '1'"),
                e(10, 30, "segments[0].cpv[5]", "bad CPV '4262000A'"),
            ]
        ),
        (
            "duplicates.yaml",
            [
                e(9, 9, "segments[1].id", "duplicate segment id 'usinage' (first at line 6)"),
                e(15, 5, "members[0].name", "duplicate key 'name' (first at line 14)"),
                e(18, 9, "members[1].id", "duplicate member id 'acme' (first at line 13)"),
                w(21, 13, "members[1].sites[0]", "site '43' (43 Haute-Loire) is outside the cluster territory"),
            ]
        ),
        (
            "keywords.yaml",
            [
                e(9, 9, "segments[0].keywords[0]", "empty keyword"),
                e(10, 9, "segments[0].keywords[1]", "empty keyword: 'de la' has no word left"),
                e(11, 9, "segments[0].keywords[2]", "looks like a regular expression (`.*`)"),
                e(12, 9, "segments[0].keywords[3]", "looks like a regular expression (`\\b`)"),
                e(13, 9, "segments[0].keywords[4]", "looks like a regular expression (`|` alternation)"),
                e(14, 9, "segments[0].keywords[5]", "`*` is only allowed at the end of a word"),
                e(15, 9, "segments[0].keywords[6]", "`*` is only allowed at the end of a word"),
                w(16, 9, "segments[0].keywords[7]", "prefix 'ab*' is very short"),
                w(18, 9, "segments[0].keywords[9]", "'Usinages' repeats keyword 9 of the list"),
            ]
        ),
        (
            "thesaurus.yaml",
            [
                e(4, 6, "thesaurus[1][0]", "'soudure|soudage' looks like a regular expression (`|` alternation)"),
                w(4, 6, "thesaurus[1]", "a thesaurus group needs at least two variants"),
                e(5, 6, "thesaurus[2][0]", "'découpe*': no wildcard in the thesaurus"),
                w(5, 6, "thesaurus[2]", "a thesaurus group needs at least two variants"),
                w(6, 6, "thesaurus[3]", "a thesaurus group needs at least two variants"),
                e(7, 5, "thesaurus[4]", "expected a list of variants"),
                w(8, 6, "thesaurus[5][0]", "'Décolletages' is also in thesaurus group 1"),
            ]
        ),
        (
            "outside.yaml",
            [
                w(8, 69, "members[0].sites[2]", "site '13001' (13 Bouches-du-Rhône) is outside the cluster territory")
            ]
        ),
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
    func brokenFile(_ name: String, _ expected: [Expected]) throws {
        let path = ClassifierSupport.fixture("broken/" + name)
        let report = RulesLinter().lint(RulebookLoader().read(files: [path]))
        let got = report.diagnostics
        #expect(got.count == expected.count, "diagnostics: \(got.map(\.description).joined(separator: "\n"))")
        for x in expected {
            let match = got.first { d in
                d.severity == x.severity && d.line == x.line && d.column == x.column && d.key == x.key
                    && d.message.contains(x.message) && d.file == path
            }
            #expect(match != nil, "missing \(x) in:\n\(got.map(\.description).joined(separator: "\n"))")
        }
        if expected.contains(where: { $0.severity == .error }) {
            #expect(report.rulebook == nil)
            // Loading throws the first error, with file:line:column and key in the message.
            #expect(throws: ClassifierError.self) { _ = try Rulebook.load(directory: path) }
            let first = report.errors[0]
            #expect(
                first.error.description.hasPrefix(
                    "rules: \(path):\(first.line):\(first.column): " + (first.key.map { "\($0): " } ?? "")))
        }
    }

    @Test func syntaxErrorIsLocated() throws {
        let path = ClassifierSupport.fixture("broken/syntax.yaml")
        let report = RulesLinter().lint(files: [path])
        #expect(report.errors.count == 1)
        let d = try #require(report.errors.first)
        #expect(d.message.hasPrefix("YAML syntax:"))
        // The flow sequence opened on line 7 is never closed: libyaml notices at `members:` / `- id`.
        #expect(d.line >= 7 && d.line <= 9, "\(d)")
        #expect(d.file == path)
    }

    @Test func duplicateClusterAcrossFiles() throws {
        let dir = ClassifierSupport.fixture("broken/dup-clusters")
        let report = try RulesLinter().lint(directory: dir)
        #expect(report.errors.count == 1, "\(report.diagnostics)")
        let d = try #require(report.errors.first)
        #expect(d.file.hasSuffix("dup-clusters/b.yaml"))
        #expect(d.line == 3 && d.column == 7 && d.key == "cluster.id")
        #expect(d.message.contains("duplicate cluster id 'demo' (first in ") && d.message.contains("a.yaml:2)"))
    }

    @Test func warningsOnlyStillLoad() throws {
        // keywords.yaml minus its errors: build a temporary copy holding only the warning lines.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigie-lint-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let yaml = """
            cluster:
              id: demo
              name: Démo
              territory: {departements: ["42"]}
            segments:
              - id: usinage
                label: Usinage
                keywords: [ab*, usinage, Usinages]
            members:
              - {id: acme, name: Acme, segments: [usinage], sites: ["42"]}
            """
        try yaml.write(to: dir.appendingPathComponent("demo.yaml"), atomically: true, encoding: .utf8)
        let report = try RulesLinter().lint(directory: dir.path)
        #expect(report.errors.isEmpty)
        #expect(report.warnings.count == 2)
        #expect(report.warnings.allSatisfy { $0.line == 8 })
        #expect(report.warnings.map(\.column) == [16, 30])
        let book = try Rulebook.load(directory: dir.path)
        #expect(book.cluster("demo")?.segment("usinage")?.keywords == ["ab*", "usinage", "Usinages"])
    }

    @Test func shippedRulesLintClean() throws {
        let report = try RulesLinter().lint(directory: ClassifierSupport.rulesDirectory)
        #expect(report.errors.isEmpty, "\(report.diagnostics.map(\.description))")
        // Only the broad CPV prefixes (group level) are warned about.
        #expect(report.warnings.allSatisfy { $0.message.contains("spans a whole group of the CPV") })
        #expect(report.warnings.count == 4)
        let book = try #require(report.rulebook)
        #expect(Set(book.clusters.map(\.id)) == ["mecaloire", "nucleaire", "cognac", "energie"])
        for c in book.clusters {
            #expect((6...12).contains(c.segments.count), "\(c.id): \(c.segments.count) segments")
            #expect((15...40).contains(c.members.count), "\(c.id): \(c.members.count) members")
            #expect(!c.watches.isEmpty)
        }
        #expect(book.thesaurus.groups.count >= 10)
        #expect(book.watches.allSatisfy { book.cluster($0.clusterID) != nil })
    }

    @Test(.requiresShared) func shippedRulesCPVAgainstVocabulary() throws {
        let csv = try SharedData.url("codelists/cpv2008_en_fr.csv").path
        let vocab = try CPVVocabulary.load(csvPath: csv)
        #expect(vocab.codes.count > 9_000)
        let report = try RulesLinter(vocabulary: vocab).lint(directory: ClassifierSupport.rulesDirectory)
        #expect(report.errors.isEmpty, "\(report.errors.map(\.description))")
        // A well-formed code that does not exist is caught only with the vocabulary.
        let loaded = RulebookLoader().read(files: [ClassifierSupport.fixture("broken/bad-cpv.yaml")])
        let bad = RulesLinter(vocabulary: vocab).lint(loaded)
        #expect(
            bad.errors.contains {
                $0.message.contains("'42620000-0': wrong check digit, 42620000-8 in the CPV vocabulary")
            })
    }

    @Test(arguments: [
        ("usin.*", true), ("\\d+", true), ("^usinage", true), ("usinage$", true), ("a|b", true), ("[ab]c", true),
        ("usinage", false), ("pièces détachées", false), ("usin*", false), ("mécano-soudure", false),
        ("l'usinage", false), ("C++", true),
    ])
    func regexLooking(_ text: String, _ isRegex: Bool) {
        #expect((RulesLinter.regexLooking(text) != nil) == isRegex)
    }
}
