import Foundation
import Testing

@testable import Parser

@Suite("Feed dates")
struct FeedDateTests {
    @Test(
        "Parsable dates",
        arguments: [
            ("Thu, 01 Jan 2004 19:48:21 GMT", "2004-01-01T19:48:21Z"),
            ("lun., 24 nov. 2026 09:00:00 +0100", "2026-11-24T08:00:00Z"),
            ("mardi 25 novembre 2026 14:30:00 CET", "2026-11-25T13:30:00Z"),
            ("mar., 1 juil. 2025 10:00 CEST", "2025-07-01T08:00:00Z"),
            ("Mon, 26 January 2004 16:31:00 ET", "2004-01-26T21:31:00Z"),
            ("Thu, 01 Jan 04 19:48:21 GMT", "2004-01-01T19:48:21Z"),
            ("Thu,  5 Apr 2012 10:00:00 GMT", "2012-04-05T10:00:00Z"),
            ("Wed, 19 Feb 2012 22:40:00 GMT-01:01", "2012-02-19T23:41:00Z"),
            ("Wed, 19 Aug 2009 18:28:00 Etc/GMT", "2009-08-19T18:28:00Z"),
            ("Sun Jan  4 16:29:06 2004", "2004-01-04T16:29:06Z"),
            ("Fri, 2006/09/15 08:19:53 EDT", "2006-09-15T12:19:53Z"),
            ("2003-12-31T10:14:55.1234Z", "2003-12-31T10:14:55Z"),
            ("2003-12-31T18:14:55+08:00", "2003-12-31T10:14:55Z"),
            ("2004-07-08 23:56:58 -00:20", "2004-07-09T00:16:58Z"),
            ("2003-12", "2003-12-01T00:00:00Z"),
            ("2003-335", "2003-12-01T00:00:00Z"),
            ("20031231", "2003-12-31T00:00:00Z"),
            ("Mar 24 2026 10:00:00 GMT", "2026-03-24T10:00:00Z"),
        ])
    func parses(input: String, expected: String) {
        #expect(utc(FeedDate.parse(input)) == expected)
    }

    @Test(
        "Unparseable dates are nil, never a guess",
        arguments: [
            "", "not a date", "Sun, 16 Dec zz 11:47:32 GMT", "Sun, 16 zzz 2012 11:47:32 GMT",
            "Sun, 31 Dec 9999 23:59:59 -9999", "2013-xx-27", "31/02/2026", "2026-02-30", "12/11/2026 10:00",
        ])
    func rejects(input: String) {
        #expect(FeedDate.parse(input) == nil)
    }
}
