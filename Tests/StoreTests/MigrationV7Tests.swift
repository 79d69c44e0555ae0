import Foundation
import GRDB
import Notices
import Testing

@testable import Store

/// A store written before v7 (full text with its own copy, `notice_cpv`/`notice_place`, JSON as text) is migrated:
/// its notices are found by text and filters, read back whole, and then updated, joined and pruned like new ones.
@Suite struct MigrationV7Tests {
    let now = date("2026-05-05T02:00:00Z")

    /// Writes `notices` the way the v5 build did: its schema, JSON text, FTS rows with their text, the side tables
    /// of CPV codes and départements, the long content keys.
    func writeV5Store(at path: String, _ notices: [Notice]) throws {
        let queue = try DatabaseQueue(path: path)
        try Schema.migrator.migrate(queue, upTo: "v5")
        try queue.write { db in
            for (i, n) in notices.enumerated() {
                let json = String(decoding: try NoticeJSON.encoder().encode(n), as: UTF8.self)
                try db.execute(sql: "INSERT INTO opportunity (id, first_seen) VALUES (?, ?)", arguments: [i + 1, 1])
                try db.execute(
                    sql: """
                        INSERT INTO notice (key, id, opportunity_id, source, source_id, kind, title, buyer_name,
                            published, deadline, main_cpv, change_seq, json, hash, first_seen, last_seen, last_changed)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        i + 1, n.id, i + 1, n.source, n.sourceID, n.kind.rawValue, n.title, n.buyer?.name,
                        n.published?.timeIntervalSince1970, n.deadline?.instant.timeIntervalSince1970, n.mainCPV,
                        i + 1, json, Fingerprint.of(json), 1_767_000_000, 1_767_000_000, 1_767_000_000,
                    ])
                let text = NoticeStore.fullText(n)
                try db.execute(
                    sql: "INSERT INTO notice_fts (rowid, title, body, buyer) VALUES (?, ?, ?, ?)",
                    arguments: [i + 1, text.title, text.body, text.buyer])
                for code in n.cpv {
                    try db.execute(
                        sql: "INSERT INTO notice_cpv (notice_id, cpv) VALUES (?, ?)",
                        arguments: [n.id, NoticeStore.normaliseCPV(code)])
                }
                for p in n.places {
                    try db.execute(
                        sql: "INSERT INTO notice_place (notice_id, departement) VALUES (?, ?)",
                        arguments: [n.id, p.departement])
                }
                // v5 stored content keys whole.
                if let key = NoticeStore.sameTenderKey(n) {
                    try db.execute(
                        sql: "INSERT INTO notice_ref (kind, value, notice_id) VALUES (?, ?, ?)",
                        arguments: [NoticeStore.sameTenderKind, key, n.id])
                }
            }
        }
        try queue.close()
    }

    @Test func aVersionFiveStoreIsMigratedAndSearchable() throws {
        let tmp = TempStore()
        let kept = tender(
            "boamp", "26-1", title: "Traitement de surface des pièces métalliques", cpv: ["45442000-7"],
            departement: "42", published: "2026-05-01T00:00:00Z")
        let over = tender(
            "boamp", "26-2", title: "Nettoyage des locaux", deadline: "2026-02-01T12:00:00+01:00",
            cpv: ["90910000"], departement: "69", published: "2026-01-10T00:00:00Z")
        try writeV5Store(at: tmp.path, [kept, over])

        let store = try tmp.open()
        #expect(try store.schemaVersion() == NoticeStore.supportedSchemaVersion)
        let (tables, ftsText, facets, refs) = try store.read { db in
            (
                try String.fetchSet(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'"),
                try String?.fetchAll(db, sql: "SELECT title FROM notice_fts"),
                try String.fetchAll(db, sql: "SELECT facet FROM notice_facet WHERE key = 1 ORDER BY facet"),
                try String.fetchAll(
                    db, sql: "SELECT value FROM notice_ref r JOIN notice n ON n.key = r.key WHERE n.id = 'boamp:26-1'")
            )
        }
        #expect(!tables.contains("notice_cpv") && !tables.contains("notice_place") && !tables.contains("notice_fts_v7"))
        // Contentless: the index keeps no copy of the words.
        #expect(ftsText == [nil, nil])
        #expect(facets == ["C:45442000", "c:45", "c:454", "c:4544", "c:45442", "d:42", "k:tender", "s:boamp"])
        #expect(refs.count == 2 && refs.allSatisfy { $0.contains("|#") })

        #expect(try store.search(NoticeQuery(text: "traitement surfaces")).map(\.id) == ["boamp:26-1"])
        #expect(try store.search(NoticeQuery(cpvPrefix: "4544")).map(\.id) == ["boamp:26-1"])
        #expect(try store.search(NoticeQuery(departement: "69")).map(\.id) == ["boamp:26-2"])
        #expect(try store.search(NoticeQuery()).map(\.id) == ["boamp:26-1", "boamp:26-2"])
        #expect(try store.notice(id: "boamp:26-1")?.notice == kept)

        // A TED record of the same tender joins the migrated one through the rebuilt content key.
        let ted = tender(
            "ted", "781426-2026", title: "France – Traitement de surface des pièces métalliques",
            cpv: ["45442000"], published: "2026-05-02T00:00:00Z")
        #expect(try store.upsert([ted], at: now).joined == [ted.id])

        // Updating a migrated notice removes its old words (handed back from its text JSON).
        var renamed = kept
        renamed.title = "Peinture industrielle"
        #expect(try store.upsert([renamed], at: now).changed == [kept.id])
        #expect(try store.search(NoticeQuery(text: "métalliques")).map(\.id) == ["ted:781426-2026"])
        #expect(try store.search(NoticeQuery(text: "peinture")).map(\.id) == [kept.id])
        // Its previous version, stored as text by v5, reads back.
        #expect(try store.versions(of: kept.id).map(\.notice.title) == [kept.title])

        #expect(try store.prune(before: date("2026-04-01T00:00:00Z")) == 1)
        #expect(try store.search(NoticeQuery(text: "nettoyage")).isEmpty)
        let (ftsRows, facetRows) = try store.read { db in
            (
                try Int.fetchOne(db, sql: "SELECT count(*) FROM notice_fts"),
                try Int.fetchOne(db, sql: "SELECT count(*) FROM notice_facet WHERE key = 2")
            )
        }
        #expect(ftsRows == 2 && facetRows == 0)
        // The FTS5 index agrees with itself after the deletes.
        try store.write { db in try db.execute(sql: "INSERT INTO notice_fts (notice_fts) VALUES ('integrity-check')") }
    }
}
