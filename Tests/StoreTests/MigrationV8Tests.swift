import Compression
import Foundation
import GRDB
import Notices
import Testing

@testable import Store

/// A store written by v7 (full-text rows keyed by `notice.key`) is re-keyed by v8: each notice's words under its
/// sort second then its key, so FTS5's descending rowid walk is the newest-first order.
@Suite struct MigrationV8Tests {
    let now = date("2026-05-05T02:00:00Z")

    /// A v7 store: written as v5 wrote it, then migrated by v6 and v7 only; one notice's JSON deflated as v7
    /// writes new rows, one without a publication date (its sort time is its first sighting).
    func writeV7Store(at path: String, _ notices: [Notice], deflating id: String) throws {
        try MigrationV7Tests().writeV5Store(at: path, notices)
        let queue = try DatabaseQueue(path: path)
        try Schema.migrator.migrate(queue, upTo: "v7")
        try queue.write { db in
            let json = try #require(
                try String.fetchOne(db, sql: "SELECT json FROM notice WHERE id = ?", arguments: [id]))
            let deflated = Data([1] + (try Zlib.deflate(Array(json.utf8), dictionary: NoticeStore.jsonDictionary)))
            try db.execute(sql: "UPDATE notice SET json = ? WHERE id = ?", arguments: [deflated, id])
            try db.execute(sql: "UPDATE notice SET published = NULL WHERE id = 'ted:26-3'")
        }
        let v7Rowids = try queue.read { db in try Int64.fetchAll(db, sql: "SELECT rowid FROM notice_fts ORDER BY rowid")
        }
        // v7 keyed the words by notice key.
        #expect(v7Rowids == [1, 2, 3])
        try queue.close()
    }

    @Test func aVersionSevenStoreIsReKeyedNewestFirst() throws {
        let tmp = TempStore()
        let older = tender(
            "boamp", "26-1", title: "Traitement de surface des pièces métalliques", cpv: ["45442000-7"],
            departement: "42", published: "2026-05-01T00:00:00Z")
        let newer = tender(
            "boamp", "26-2", title: "Traitement thermique, surface des outils", cpv: ["45442000"],
            departement: "69", published: "2026-05-03T00:00:00Z")
        var undated = tender("ted", "26-3", title: "Surface de stockage", departement: "42")
        undated.published = nil
        try writeV7Store(at: tmp.path, [older, newer, undated], deflating: newer.id)

        let store = try tmp.open()
        #expect(try store.schemaVersion() == NoticeStore.supportedSchemaVersion)
        let (rowids, tables) = try store.read { db in
            (
                try Int64.fetchAll(db, sql: "SELECT rowid FROM notice_fts ORDER BY rowid"),
                try String.fetchSet(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
            )
        }
        // The sort second above 29 bits of the key: first sighting 1,767,000,000 (written by the v5 store) for the
        // undated key 3; 2026-05-01T00:00Z = 1,777,593,600 for key 1; 2026-05-03T00:00Z = 1,777,766,400 for key 2.
        let expected: [Int64] = [
            1_767_000_000 << 29 | 3, 1_777_593_600 << 29 | 1, 1_777_766_400 << 29 | 2,
        ]
        #expect(rowids == expected)
        #expect(!tables.contains("notice_fts_v8"))

        // Found by text newest first (the deflated one too), `since` bounding the walk, ranked as well.
        #expect(try store.search(NoticeQuery(text: "surface")).map(\.id) == [newer.id, older.id, undated.id])
        #expect(try store.search(NoticeQuery(text: "outils")).map(\.id) == [newer.id])
        #expect(
            try store.search(NoticeQuery(text: "surface", since: date("2026-05-02T00:00:00Z"))).map(\.id) == [newer.id])
        #expect(
            try store.search(NoticeQuery(text: "surface", departement: "42")).map(\.id) == [older.id, undated.id])
        #expect(
            Set(try store.search(NoticeQuery(text: "traitement", order: .relevance)).map(\.id)) == [older.id, newer.id])

        // A revision that moves the publication date moves the words: the old ones are handed back under the old
        // rowid, the new ones written under the new one.
        var moved = older
        moved.published = date("2026-05-04T00:00:00Z")
        moved.title = "Traitement de surface des pièces forgées"
        #expect(try store.upsert([moved], at: now).changed == [older.id])
        #expect(try store.search(NoticeQuery(text: "surface")).map(\.id) == [older.id, newer.id, undated.id])
        #expect(try store.search(NoticeQuery(text: "métalliques")).isEmpty)
        #expect(try store.search(NoticeQuery(text: "forgées")).map(\.id) == [older.id])
        let movedRowid = try store.read { db in
            try Int64.fetchOne(db, sql: "SELECT max(rowid) FROM notice_fts")
        }
        // 2026-05-04T00:00Z = 1,777,852,800, key 1.
        let movedExpected: Int64 = 1_777_852_800 << 29 | 1
        #expect(movedRowid == movedExpected)
        // The FTS5 index agrees with itself after the re-keying and the revision.
        try store.write { db in try db.execute(sql: "INSERT INTO notice_fts (notice_fts) VALUES ('integrity-check')") }
    }

    /// The rowid of a sort time: whole seconds above the key; times before 1970 (placeholder dates) count as 1970,
    /// a fraction of a second does not change the second.
    @Test func theRowidSortsByTimeThenKey() {
        #expect(NoticeStore.ftsRowid(time: 1_777_593_600.75, key: 5) == 1_777_593_600 << 29 | 5)
        #expect(NoticeStore.ftsRowid(time: -86_400, key: 7) == 7)
        #expect(NoticeStore.ftsRowid(time: .nan, key: 7) == 7)
        #expect(NoticeStore.ftsRowid(time: 10, key: NoticeStore.ftsKeyMask) < NoticeStore.ftsRowid(time: 11, key: 1))
        #expect(NoticeStore.ftsSecond(NoticeStore.ftsRowid(time: 1_777_593_600, key: 99)) == 1_777_593_600)
        #expect(NoticeStore.ftsRowid(time: 1e30, key: 1) > 0)
    }
}
