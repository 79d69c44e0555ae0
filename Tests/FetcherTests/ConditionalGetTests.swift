import Foundation
import Notices
import Testing
@testable import Fetcher

/// Conditional GET and response interpretation as tables (one row per server behaviour).
@Suite struct ConditionalGetTests {
    struct HeaderCase: Sendable, CustomStringConvertible {
        var name: String
        var etag: String?
        var lastModified: String?
        var firstPage: Bool
        var expected: [String: String]
        var description: String { name }
    }

    static let headerCases: [HeaderCase] = [
        HeaderCase(name: "nothing saved", etag: nil, lastModified: nil, firstPage: true, expected: [:]),
        HeaderCase(
            name: "etag only", etag: "\"33a64df5\"", lastModified: nil, firstPage: true,
            expected: ["If-None-Match": "\"33a64df5\""]),
        HeaderCase(
            name: "weak etag kept verbatim", etag: "W/\"0815\"", lastModified: nil, firstPage: true,
            expected: ["If-None-Match": "W/\"0815\""]),
        HeaderCase(
            name: "last-modified only", etag: nil, lastModified: "Wed, 21 Oct 2026 07:28:00 GMT",
            firstPage: true, expected: ["If-Modified-Since": "Wed, 21 Oct 2026 07:28:00 GMT"]),
        HeaderCase(
            name: "both", etag: "\"x\"", lastModified: "Wed, 21 Oct 2026 07:28:00 GMT", firstPage: true,
            expected: ["If-None-Match": "\"x\"", "If-Modified-Since": "Wed, 21 Oct 2026 07:28:00 GMT"]),
        HeaderCase(
            name: "empty strings are not validators", etag: "", lastModified: "  ", firstPage: true,
            expected: [:]),
        HeaderCase(
            name: "later pages are other resources", etag: "\"x\"", lastModified: "Wed, 21 Oct 2026",
            firstPage: false, expected: [:]),
    ]

    @Test(arguments: headerCases)
    func requestHeaders(_ c: HeaderCase) {
        let state = SourceState(sourceID: "s", etag: c.etag, lastModified: c.lastModified)
        let headers = ConditionalGet.requestHeaders(for: state, isFirstPage: c.firstPage)
        #expect(Dictionary(uniqueKeysWithValues: headers.map { ($0.name, $0.value) }) == c.expected)
    }

    struct VerdictCase: Sendable, CustomStringConvertible {
        var status: Int
        var retryAfter: String?
        var sentValidators: Bool
        var expected: ConditionalGet.Verdict
        var description: String { "\(status) retry-after=\(retryAfter ?? "-") validators=\(sentValidators)" }
    }

    static let verdictCases: [VerdictCase] = [
        VerdictCase(status: 200, sentValidators: false, expected: .content),
        VerdictCase(status: 203, sentValidators: true, expected: .content),
        VerdictCase(status: 0, sentValidators: false, expected: .content),  // file://
        VerdictCase(status: 304, sentValidators: true, expected: .notModified),
        VerdictCase(status: 304, sentValidators: false, expected: .fail),  // broken proxy
        VerdictCase(status: 404, sentValidators: false, expected: .fail),
        VerdictCase(status: 403, sentValidators: true, expected: .fail),
        VerdictCase(status: 410, sentValidators: false, expected: .fail),
        VerdictCase(status: 429, retryAfter: "120", sentValidators: false, expected: .retry(retryAfter: 120)),
        VerdictCase(status: 429, sentValidators: false, expected: .retry(retryAfter: nil)),
        VerdictCase(
            status: 503, retryAfter: "Tue, 24 Nov 2026 05:00:30 GMT", sentValidators: false,
            expected: .retry(retryAfter: 30)),
        VerdictCase(status: 500, sentValidators: false, expected: .retry(retryAfter: nil)),
        VerdictCase(status: 502, retryAfter: "soon", sentValidators: false, expected: .retry(retryAfter: nil)),
        VerdictCase(status: 599, sentValidators: false, expected: .retry(retryAfter: nil)),
        VerdictCase(status: 408, sentValidators: false, expected: .retry(retryAfter: nil)),
    ]

    @Test(arguments: verdictCases)
    func verdict(_ c: VerdictCase) {
        let now = ISO8601DateFormatter().date(from: "2026-11-24T05:00:00Z")!
        #expect(
            ConditionalGet.verdict(
                status: c.status, retryAfter: c.retryAfter, sentValidators: c.sentValidators,
                now: now) == c.expected)
    }

    @Test func validatorsAfterResponses() {
        let saved = SourceState(sourceID: "s", etag: "\"old\"", lastModified: "Mon, 01 Jan 2026 00:00:00 GMT")
        // A 304 that omits validators keeps the saved ones (RFC 9110 allows the omission).
        let kept = ConditionalGet.updatedValidators(saved, status: 304, etag: nil, lastModified: nil)
        #expect(kept.etag == "\"old\"" && kept.lastModified == saved.lastModified)
        // A 304 with a new ETag updates it.
        let renewed = ConditionalGet.updatedValidators(saved, status: 304, etag: "\"new\"", lastModified: nil)
        #expect(renewed.etag == "\"new\"" && renewed.lastModified == saved.lastModified)
        // A 200 without validators clears them: the server stopped sending them.
        let cleared = ConditionalGet.updatedValidators(saved, status: 200, etag: nil, lastModified: "")
        #expect(cleared.etag == nil && cleared.lastModified == nil)
        // An error keeps everything.
        let failed = ConditionalGet.updatedValidators(saved, status: 500, etag: "\"x\"", lastModified: nil)
        #expect(failed == saved)
    }

    @Test(arguments: [
        ("0", 0.0), ("  7 ", 7.0), ("Tue, 24 Nov 2026 05:01:00 GMT", 60.0),
        ("Tue, 24 Nov 2026 04:00:00 GMT", 0.0),
    ])
    func retryAfter(_ value: String, _ seconds: Double) {
        let now = ISO8601DateFormatter().date(from: "2026-11-24T05:00:00Z")!
        #expect(ConditionalGet.parseRetryAfter(value, now: now) == seconds)
    }

    @Test func retryAfterGarbageIsIgnored() {
        #expect(ConditionalGet.parseRetryAfter("tomorrow") == nil)
        #expect(ConditionalGet.parseRetryAfter("-5") == nil)
    }
}

enum LoopbackGzipBytes {
    static let sample: [UInt8] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255, 1, 0, 0, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0]
}
