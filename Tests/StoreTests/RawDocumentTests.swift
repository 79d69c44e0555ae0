import Foundation
import GRDB
import Notices
import Testing

@testable import Store

/// Raw responses are kept deflated, once per unchanged body, and within the retention (count and age).
@Suite struct RawDocumentTests {
    let now = date("2026-05-05T02:00:00Z")

    func page(_ i: Int) -> [UInt8] {
        Array(
            String(repeating: "{\"idweb\": \"26-\(i)\", \"objet\": \"Usinage de pièces mécaniques\"}, ", count: 200)
                .utf8)
    }

    @Test func bodiesAreStoredDeflatedAndReadBackWhole() throws {
        let tmp = TempStore()
        let store = try tmp.open()
        let body = page(1)
        try store.saveRaw(
            RawDocument(sourceID: "boamp", url: "https://x/1", httpStatus: 200, body: body, fetchedAt: now))
        #expect(try store.rawDocuments(sourceID: "boamp").map(\.body) == [body])
        let stored = try store.read { db in try Data.fetchOne(db, sql: "SELECT body FROM raw_document") }
        #expect(try #require(stored).count * 10 < body.count)
    }

    /// A feed fetched again unchanged (a touched file, a server ignoring validators) is kept once, as the newest.
    @Test func anUnchangedBodyIsKeptOnce() throws {
        let tmp = TempStore()
        let store = try tmp.open()
        for (i, body) in [page(1), page(2), page(1), page(1)].enumerated() {
            try store.saveRaw(
                RawDocument(
                    sourceID: "boamp", url: "https://x/feed", httpStatus: 200, contentType: "application/json",
                    body: body, fetchedAt: now.addingTimeInterval(Double(i) * 3_600)))
        }
        let kept = try store.rawDocuments(sourceID: "boamp")
        #expect(kept.map(\.body) == [page(1), page(2)])
        #expect(kept.map(\.fetchedAt) == [now.addingTimeInterval(3 * 3_600), now.addingTimeInterval(3_600)])
        #expect(try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM raw_document") } == 2)
    }

    @Test func rawDocumentsOlderThanTheRetentionAgeGo() throws {
        let tmp = TempStore()
        let store = try tmp.open()
        store.rawRetentionAge = 2 * 86_400
        for day in 0..<4 {
            try store.saveRaw(
                RawDocument(
                    sourceID: "boamp", url: "https://x/\(day)", httpStatus: 200, body: page(day),
                    fetchedAt: now.addingTimeInterval(Double(day) * 86_400)))
        }
        try store.saveRaw(
            RawDocument(sourceID: "ted", url: "https://t", httpStatus: 200, body: page(9), fetchedAt: now))
        // Days 1, 2, 3 are within two days of day 3; the other source keeps its own.
        #expect(try store.rawDocuments(sourceID: "boamp").map(\.url) == ["https://x/3", "https://x/2", "https://x/1"])
        #expect(try store.rawDocuments(sourceID: "ted").count == 1)
    }
}
