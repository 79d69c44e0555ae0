import Foundation
import Notices
import Testing

@testable import Parser

/// The EU Funding & Tenders adapter. No real response is in `samples/real/`: the fixture and the shapes recorded in
/// `design/SOURCES.md` §1.7 (types, list-valued metadata, JSON strings inside, Brussels times labelled `+0000`).
@Suite struct EUFundingTests {
    static func parse(_ json: String) throws -> ParsedDocument {
        try DocumentParser.parse(Array(json.utf8), options: ParseOptions(sourceID: "eu", documentName: "page.json"))
    }

    static func page(_ metadata: String) -> String {
        #"{"totalResults": 1, "pageNumber": 1, "pageSize": 50, "results": [{"reference": "R", "metadata": {"#
            + metadata + "}}]}"
    }

    @Test func fixtureFunderIsTheProgrammeName() throws {
        let doc = try DocumentParser.parse(
            try Fixture.bytes("eu-funding-page.json"),
            options: ParseOptions(documentName: "eu-funding-page.json"))
        let n = try #require(doc.notices.first)
        // frameworkProgramme ["43108390"] is Horizon Europe.
        #expect(n.call?.funder == "Horizon Europe (HORIZON)")
        #expect(n.categories.prefix(2) == ["manufacturing", "robotics"])
        #expect(n.deadlineKind == .application)
    }

    @Test func cascadeFundingIsACallWithItsOwnPage() throws {
        let doc = try Self.parse(
            Self.page(
                #""type": ["8"], "identifier": ["OC-1"], "callccm2Id": ["42123"], "callTitle": ["Open call #3"], "#
                    + #""deadlineDate": ["2026-12-31T23:59:00.000+0000"]"#))
        let n = try #require(doc.notices.first)
        #expect(n.kind == .callForProjects)
        #expect(n.title == "Open call #3")
        #expect(n.url?.hasSuffix("/competitive-calls-cs/42123") == true)
        // Brussels wall-clock time: 23:59 in winter is 22:59 UTC.
        #expect(n.deadline?.iso8601 == "2026-12-31T23:59:00+01:00")
    }

    @Test func tendersAreTenders() throws {
        let doc = try Self.parse(
            Self.page(
                #""type": ["0"], "identifier": ["EC-INTPA/2026/EA-RP/0070"], "title": ["Support to IGAD"], "#
                    + #""deadlineDate": ["2026-06-17T12:00:00.000+0000"]"#))
        let n = try #require(doc.notices.first)
        #expect(n.kind == .tender)
        #expect(n.deadlineKind == .tender)
        #expect(n.call == nil)
        #expect(n.deadline?.iso8601 == "2026-06-17T12:00:00+02:00")
    }

    /// The portal shows « 19 March 2024 17:00:00 Brussels time » for `2024-03-19T17:00:00.000+0000`; read as UTC
    /// it would be an hour late in winter and two in summer.
    @Test(arguments: [
        ("2024-03-19T17:00:00.000+0000", "2024-03-19T16:00:00Z"),
        ("2025-09-16T17:00:00.000+0000", "2025-09-16T15:00:00Z"),
        ("2025-09-16T00:00:00.000+0000", "2025-09-16T15:00:00Z"),
        ("2025-09-16", "2025-09-16T15:00:00Z"),
    ])
    func grantDeadlinesAreBrusselsTime(_ raw: String, _ utc: String) throws {
        let doc = try Self.parse(
            Self.page(#""type": ["1"], "identifier": ["T"], "title": ["T"], "deadlineDate": [""# + raw + #""]"#))
        let n = try #require(doc.notices.first)
        #expect(n.deadline.map { ISO8601.format($0.instant) } == utc)
    }

    @Test func keywordsHeldAsAJSONStringAreDecoded() throws {
        let doc = try Self.parse(
            Self.page(#""type": ["1"], "identifier": ["T"], "title": ["T"], "keywords": ["[\"robotics\",\"AI\"]"]"#))
        #expect(doc.notices.first?.categories == ["robotics", "AI"])
    }

    @Test func unknownProgrammeCodeIsNotShownAsAFunder() throws {
        let doc = try Self.parse(
            Self.page(#""type": ["1"], "identifier": ["T"], "title": ["T"], "frameworkProgramme": ["99999999"]"#))
        #expect(doc.notices.first?.call?.funder == "European Commission")
    }
}
