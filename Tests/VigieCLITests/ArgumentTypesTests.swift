import ArgumentParser
import Digest
import Foundation
import Notices
import Testing

@testable import VigieCLI

/// The argument types read a value once, when the command line is parsed: what people write is accepted, what
/// matches nothing is refused with the subcommand's usage (never an empty result found later).
@Suite struct ArgumentTypesTests {
    @Test(arguments: [
        ("2026-11-24T02:00:00Z", 1_795_485_600.0),
        // The same instant written in Paris's winter time.
        ("2026-11-24T03:00:00+01:00", 1_795_485_600.0),
        // A day alone is midnight UTC.
        ("2026-06-01", 1_780_272_000.0),
    ])
    func dates(text: String, epoch: Double) throws {
        let d = try #require(ZonedDate(argument: text))
        #expect(d.instant.timeIntervalSince1970 == epoch)
    }

    @Test(arguments: ["", "yesterday", "24/11/2026", "2026-13-01", "2026-11-24T25:00:00Z"])
    func badDates(text: String) {
        #expect(ZonedDate(argument: text) == nil, "\(text) was read as a date")
    }

    /// Query dates as people type them: counted from now, or any date `ZonedDate` reads.
    @Test(arguments: [
        ("7d", -7), ("-7d", -7), ("30j", -30), ("+30d", 30), ("+1j", 1), ("today", 0), ("aujourd'hui", 0),
        ("Today", 0),
    ])
    func relativeQueryDates(text: String, days: Int) throws {
        let now = Date(timeIntervalSince1970: 1_795_485_600)
        let d = try #require(QueryDateArgument(argument: text))
        #expect(d.instant(now: now) == now.addingTimeInterval(Double(days) * 86_400))
    }

    @Test func absoluteQueryDatesIgnoreNow() throws {
        let d = try #require(QueryDateArgument(argument: "2026-06-01"))
        #expect(d.instant(now: Date()).timeIntervalSince1970 == 1_780_272_000)
    }

    @Test(arguments: ["", "d", "+d", "7", "7 days", "99999d", "7x", "+-7d", "٣d", "yesterday", "24/11/2026"])
    func badQueryDates(text: String) {
        #expect(QueryDateArgument(argument: text) == nil, "\(text) was read as a query date")
    }

    @Test(arguments: [
        ("100000", 100_000.0), ("100k", 100_000.0), ("100K", 100_000.0), ("2.5M", 2_500_000.0),
        ("2,5 M€", 2_500_000.0), ("2,5M", 2_500_000.0), ("1 200 000", 1_200_000.0), ("800k€", 800_000.0),
        ("246 000,50 €", 246_000.5), ("0", 0.0),
    ])
    func amounts(text: String, euros: Double) throws {
        #expect(try #require(AmountArgument(argument: text)).euros == euros)
    }

    @Test(arguments: ["", "abc", "-5", "100kk", "2.5 millions", "1.200.000", "12 $", "nan", "inf"])
    func badAmounts(text: String) {
        #expect(AmountArgument(argument: text) == nil, "\(text) was read as an amount")
    }

    @Test(arguments: [
        ("2a", "2A"), ("2A", "2A"), ("2B", "2B"), ("2b", "2B"), ("1", "01"), ("01", "01"), ("42", "42"),
        ("974", "974"), (" 69 ", "69"),
    ])
    func departements(text: String, code: String) throws {
        #expect(try #require(DepartementArgument(argument: text)).code == code)
    }

    /// 99 is the code INSEE gives to "abroad", 20 was Corsica before 1976, 2C and 975 name nothing: a query
    /// for them would silently find nothing.
    @Test(arguments: ["99", "20", "2C", "975", "0", "100", "", "Loire"])
    func badDepartements(text: String) {
        #expect(DepartementArgument(argument: text) == nil, "\(text) was read as a département")
    }

    @Test func formatLists() throws {
        #expect(try #require(FormatList(argument: "md,html")).formats == [.markdown, .html])
        #expect(try #require(FormatList(argument: "ics, CSV")).formats == [.icalendar, .csv])
        #expect(FormatList.all.formats == DigestFormat.allCases)
        for bad in ["", "pdf", "md,pdf", ","] {
            #expect(FormatList(argument: bad) == nil, "\(bad) was read as a format list")
        }
    }

    @Test func noticeKinds() throws {
        let q = try #require(
            try Vigie.parseAsRoot(["query", "--kind", "call_for_projects", "--kind", "tender"]) as? Vigie.Query)
        #expect(q.kind == [.callForProjects, .tender])
        #expect(throws: (any Error).self) { try Vigie.parseAsRoot(["query", "--kind", "appel"]) }
    }
}
