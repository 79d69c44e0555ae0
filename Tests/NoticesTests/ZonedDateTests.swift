import Foundation
import Testing
@testable import Notices

@Suite struct ZonedDateTests {
    @Test(arguments: [
        ("2026-06-08T12:00:00+02:00", "2026-06-08T10:00:00Z"),
        ("2026-11-24T09:00:00Z", "2026-11-24T09:00:00Z"),
        ("2024-02-29T23:59:59-05:30", "2024-03-01T05:29:59Z"),
        ("1969-12-31T23:00:00Z", "1969-12-31T23:00:00Z"),
        ("2026-01-01", "2026-01-01T00:00:00Z"),
        ("2026-01-01T08:30+0100", "2026-01-01T07:30:00Z"),
        ("2026-03-29T01:59:59.123Z", "2026-03-29T01:59:59Z"),
    ])
    func parsesAndFormatsInUTC(input: String, utc: String) throws {
        let z = try #require(ISO8601.parseZoned(input))
        #expect(ISO8601.format(z.instant) == utc)
    }

    @Test func keepsTheStatedOffset() throws {
        let z = try #require(ISO8601.parseZoned("2026-06-08T12:00:00+02:00"))
        #expect(z.utcOffset == 7200)
        #expect(z.iso8601 == "2026-06-08T12:00:00+02:00")
    }

    @Test(arguments: [
        "", "2026", "2026-13-01", "2026-01-01T25:00", "2026-01-01Tfoo", "2026-01-01T10:00:00+", "x2026-01-01",
    ])
    func rejectsGarbage(input: String) {
        #expect(ISO8601.parseZoned(input) == nil)
    }

    @Test func parisSummerTimeOffset() {
        let paris = TimeZone(identifier: "Europe/Paris")!
        let summer = ZonedDate(instant: ISO8601.parseZoned("2026-06-08T10:00:00Z")!.instant, zone: paris)
        let winter = ZonedDate(instant: ISO8601.parseZoned("2026-12-08T10:00:00Z")!.instant, zone: paris)
        #expect(summer.iso8601 == "2026-06-08T12:00:00+02:00")
        #expect(winter.iso8601 == "2026-12-08T11:00:00+01:00")
    }

    @Test func noticeRoundTripsThroughJSON() throws {
        let n = Notice(
            source: "boamp", sourceID: "26-1234", title: "Usinage de pièces – été",
            deadline: ISO8601.parseZoned("2026-06-08T12:00:00+02:00"),
            value: Money(amount: Decimal(string: "246000.00"), currency: "EUR", vat: "HT"),
            refs: CrossReferences(boampIDWeb: "26-1234"))
        let data = try NoticeJSON.encoder().encode(n)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"source_id\":\"26-1234\""))
        #expect(text.contains("\"deadline\":\"2026-06-08T12:00:00+02:00\""))
        #expect(text.contains("\"boamp_idweb\":\"26-1234\""))
        let back = try NoticeJSON.decoder().decode(Notice.self, from: data)
        #expect(back == n)
        #expect(back.id == "boamp:26-1234")
    }
}
