import Foundation
import Testing

@testable import Classifier

/// `cluster.delivery.formats` and `cluster.delivery.member_files`: which digest files a cluster writes.
@Suite struct DeliveryFilesRulesTests {
    static func lint(_ delivery: String) throws -> LintReport {
        try DeliveryRulesTests.lint(
            DeliveryRulesTests.head + delivery + DeliveryRulesTests.tail + """
                members:
                  - {id: acme, name: Acme, segments: [usinage], sites: ["42"]}
                """
        ).0
    }

    @Test func withoutTheKeysEveryFormatAndEveryMembersFilesAreWritten() throws {
        let report = try Self.lint("")
        #expect(report.diagnostics.isEmpty, "\(report.diagnostics.map(\.description))")
        let c = try #require(report.rulebook?.cluster("demo"))
        #expect(c.delivery.formats == nil)
        #expect(c.delivery.memberFiles == .all)
    }

    @Test func formatsAndMemberFilesAreReadWithTheirAliases() throws {
        let report = try Self.lint(
            """
              delivery:
                formats: [HTML, markdown, ical, md]
                member_files: unmailed

            """)
        #expect(report.diagnostics.isEmpty, "\(report.diagnostics.map(\.description))")
        let c = try #require(report.rulebook?.cluster("demo"))
        // Aliases become the file extension; a format named twice is kept once, in the order first written.
        #expect(c.delivery.formats == ["html", "md", "ics"])
        #expect(c.delivery.memberFiles == .unmailed)
        let none = try Self.lint("  delivery:\n    member_files: none\n    formats: []\n\n")
        #expect(none.diagnostics.isEmpty, "\(none.diagnostics.map(\.description))")
        #expect(none.rulebook?.cluster("demo")?.delivery.memberFiles == DeliverySettings.MemberFiles.none)
        #expect(none.rulebook?.cluster("demo")?.delivery.formats == [])
    }

    @Test func unknownValuesAreErrorsAtTheirPlace() throws {
        let report = try Self.lint(
            """
              delivery:
                formats: [html, pdf, mardown]
                member_files: some

            """)
        let got = report.diagnostics.map { "\($0.severity.rawValue) \($0.line):\($0.column) \($0.key ?? "-")" }
        #expect(
            got == [
                "error 6:21 cluster.delivery.formats[1]", "error 6:26 cluster.delivery.formats[2]",
                "error 7:19 cluster.delivery.member_files",
            ], "\(report.diagnostics.map(\.description).joined(separator: "\n"))")
        let message = Dictionary(report.diagnostics.map { ($0.key ?? "", $0.message) }, uniquingKeysWith: { a, _ in a })
        #expect(message["cluster.delivery.formats[1]"]?.hasPrefix("unknown format 'pdf'") == true)
        #expect(message["cluster.delivery.formats[2]"]?.hasPrefix("unknown format 'mardown'; did you mean") == true)
        #expect(message["cluster.delivery.member_files"] == "unknown value 'some' (allowed: all, unmailed, none)")
    }
}
