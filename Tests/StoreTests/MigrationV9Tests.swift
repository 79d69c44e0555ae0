import Foundation
import GRDB
import Notices
import Testing

@testable import Store

/// A store written by v8 (dedup keys under the notice's text id, with an index by id) is re-keyed by v9: the same
/// keys under the notice's integer `key`, so a history store stops writing each id twice per key.
@Suite struct MigrationV9Tests {
    let now = date("2026-05-05T02:00:00Z")

    /// The notices of the v8 store: a BOAMP record with its eForms procedure, a TED record of another tender with
    /// its publication number, and a notice past its deadline (pruned below).
    var notices: [Notice] {
        let boamp = tender(
            "boamp", "26-1", title: "Traitement de surface des pièces métalliques",
            refs: CrossReferences(eformsProcedureID: "C4D0F081-5B1E-4C6F-9D2E-000002FAF081", boampIDWeb: "26-1"),
            cpv: ["45442000"], published: "2026-05-01T00:00:00Z")
        let ted = tender(
            "ted", "300100-2026", title: "Nettoyage des locaux",
            refs: CrossReferences(tedPublicationNumber: "300100-2026"), cpv: ["90910000"],
            published: "2026-05-02T00:00:00Z")
        let over = tender(
            "boamp", "26-2", title: "Entretien des espaces verts", deadline: "2026-02-01T12:00:00+01:00",
            refs: CrossReferences(boampIDWeb: "26-2"), cpv: ["77310000"], published: "2026-01-10T00:00:00Z")
        return [boamp, ted, over]
    }

    /// A v8 store: written as v5 wrote it, then migrated by v6, v7 and v8 only (v7 wrote every dedup key of
    /// `referenceKeys` under the notice's text id).
    func writeV8Store(at path: String) throws {
        try MigrationV7Tests().writeV5Store(at: path, notices)
        let queue = try DatabaseQueue(path: path)
        try Schema.migrator.migrate(queue, upTo: "v8")
        try queue.close()
    }

    /// The dedup keys of a store, as (kind, value, notice id) whatever the schema holds them under.
    func references(_ db: Database, byKey: Bool) throws -> Set<[String]> {
        let join = byKey ? "n.key = r.key" : "n.id = r.notice_id"
        return Set(
            try Row.fetchAll(db, sql: "SELECT r.kind, r.value, n.id FROM notice_ref r JOIN notice n ON \(join)")
                .map { [$0[0], $0[1], $0[2]] })
    }

    @Test func aVersionEightStoreKeepsItsKeysUnderNoticeKeys() throws {
        let tmp = TempStore()
        try writeV8Store(at: tmp.path)
        let before = try DatabaseQueue(path: tmp.path).read { db in try references(db, byKey: false) }
        // The keys v7 derived from the notices, spelled out: identifiers lowercased, content keys fingerprinted.
        let boampKeys = before.filter { $0[2] == "boamp:26-1" }.map { [$0[0], $0[1]] }
        #expect(
            Set(boampKeys.filter { !$0[1].contains("|") }) == [
                ["boamp", "26-1"], ["eforms-procedure", "c4d0f081-5b1e-4c6f-9d2e-000002faf081"],
            ])
        #expect(before.contains(["ted", "300100-2026", "ted:300100-2026"]))
        // Four keys for the first (two identifiers; a title of six words: both content keys), two for the cleaning
        // tender (three title words: the buyer's key only), three for the last (one identifier, four words).
        #expect(before.count == 9)

        let store = try tmp.open()
        #expect(try store.schemaVersion() == NoticeStore.supportedSchemaVersion)
        let (after, keyed, columns, indexes, tables) = try store.read { db in
            (
                try references(db, byKey: true),
                try Row.fetchAll(db, sql: "SELECT kind, value, key FROM notice_ref WHERE kind IN ('boamp', 'ted')")
                    .map { [$0[0], $0[1], String($0[2] as Int64)] as [String] },
                try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info('notice_ref')"),
                try String.fetchSet(
                    db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'notice_ref'"),
                try String.fetchSet(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
            )
        }
        // Every key kept, each under the integer key of its notice (the order the v5 store wrote them in).
        #expect(after == before)
        #expect(Set(keyed) == [["boamp", "26-1", "1"], ["boamp", "26-2", "3"], ["ted", "300100-2026", "2"]])
        #expect(columns == ["kind", "value", "key"])
        #expect(indexes == ["notice_ref_key"])
        #expect(!tables.contains("notice_ref_v9"))

        // The migrated keys still find their opportunities: the TED record of the BOAMP tender (same eForms
        // procedure) and a later BOAMP record of the TED one (same publication number) join them.
        let boamp = try #require(try store.notice(id: "boamp:26-1"))
        let cleaning = try #require(try store.notice(id: "ted:300100-2026"))
        let tedOfBoamp = tender(
            "ted", "400200-2026", title: "France – Traitement de surface",
            refs: CrossReferences(eformsProcedureID: "c4d0f081-5b1e-4c6f-9d2e-000002faf081"), cpv: ["45442000"],
            published: "2026-05-03T00:00:00Z")
        let boampOfTED = tender(
            "boamp", "26-9", title: "Prestations de nettoyage",
            refs: CrossReferences(tedPublicationNumber: "300100-2026"),
            cpv: ["90910000"], published: "2026-05-03T00:00:00Z")
        #expect(try store.upsert([tedOfBoamp, boampOfTED], at: now).joined == [tedOfBoamp.id, boampOfTED.id])
        #expect(try store.notice(id: tedOfBoamp.id)?.opportunityID == boamp.opportunityID)
        #expect(try store.notice(id: boampOfTED.id)?.opportunityID == cleaning.opportunityID)
        #expect(
            try store.records(ofOpportunity: boamp.opportunityID).map(\.notice.id) == [boamp.notice.id, tedOfBoamp.id])

        // A revision replaces its notice's keys: the old procedure id no longer links anything to it.
        var revised = boamp.notice
        revised.refs.eformsProcedureID = "5e0b2c11-0000-4000-8000-000000000001"
        revised.deadline = zoned("2026-06-15T12:00:00+02:00")
        #expect(try store.upsert([revised], at: now).changed == [revised.id])
        let revisedKeys = try store.read { db in
            try String.fetchSet(db, sql: "SELECT value FROM notice_ref WHERE key = 1 AND kind = 'eforms-procedure'")
        }
        #expect(revisedKeys == ["5e0b2c11-0000-4000-8000-000000000001"])

        // Pruning a notice removes its keys with it (by key, through the index).
        #expect(try store.prune(before: date("2026-04-01T00:00:00Z")) == 1)
        let (prunedKeys, orphans) = try store.read { db in
            (
                try Int.fetchOne(db, sql: "SELECT count(*) FROM notice_ref WHERE key = 3"),
                try Int.fetchOne(
                    db,
                    sql: "SELECT count(*) FROM notice_ref r WHERE NOT EXISTS (SELECT 1 FROM notice WHERE key = r.key)")
            )
        }
        #expect(prunedKeys == 0 && orphans == 0)
    }

    /// v9 fails at its last statement (an index of that name already exists): its transaction leaves the v8 store
    /// as it was — keys under text ids, old index, no half-copied table — and the next open, the obstacle gone,
    /// upgrades it.
    @Test func anInterruptedUpgradeLeavesTheStoreAsItWas() throws {
        let tmp = TempStore()
        try writeV8Store(at: tmp.path)
        let queue = try DatabaseQueue(path: tmp.path)
        let before = try queue.read { db in try references(db, byKey: false) }
        try queue.write { db in try db.execute(sql: "CREATE INDEX notice_ref_key ON notice(key)") }
        try queue.close()

        #expect(throws: StoreError.self) { try tmp.open() }
        let check = try DatabaseQueue(path: tmp.path)
        let (applied, columns, tables, kept) = try check.read { db in
            (
                try String.fetchSet(db, sql: "SELECT identifier FROM grdb_migrations"),
                try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info('notice_ref')"),
                try String.fetchSet(db, sql: "SELECT name FROM sqlite_master"),
                try references(db, byKey: false)
            )
        }
        #expect(!applied.contains("v9") && applied.contains("v8"))
        #expect(columns == ["kind", "value", "notice_id"])
        #expect(tables.contains("notice_ref_notice") && !tables.contains("notice_ref_v9"))
        #expect(kept == before)
        try check.write { db in try db.execute(sql: "DROP INDEX notice_ref_key") }
        try check.close()

        let store = try tmp.open()
        #expect(try store.schemaVersion() == NoticeStore.supportedSchemaVersion)
        #expect(try store.read { db in try references(db, byKey: true) } == before)
    }

    /// The upgrade gives back the pages its rebuilt tables left free: the file ends without free pages, smaller.
    @Test func theUpgradeCompactsTheFile() throws {
        let tmp = TempStore()
        // Enough notices for the dropped tables to be more than a tenth of the file.
        let many = (1...300).map { i in
            tender(
                "boamp", "26-\(i)", title: "Travaux de voirie, lot \(i), rue \(i * 7)",
                refs: CrossReferences(eformsProcedureID: "procedure-\(i)", boampIDWeb: "26-\(i)"),
                published: "2026-05-01T00:00:00Z")
        }
        try MigrationV7Tests().writeV5Store(at: tmp.path, many)
        let queue = try DatabaseQueue(path: tmp.path)
        try Schema.migrator.migrate(queue, upTo: "v8")
        let (pagesBefore, freeBefore) = try queue.read { db in
            (
                try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0,
                try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0
            )
        }
        try queue.close()
        #expect(freeBefore > 0)

        let store = try tmp.open()
        let (pages, free, keys) = try store.read { db in
            (
                try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0, try Int.fetchOne(db, sql: "PRAGMA freelist_count"),
                try Int.fetchOne(db, sql: "SELECT count(*) FROM notice_ref")
            )
        }
        #expect(free == 0)
        #expect(pages < pagesBefore - freeBefore)
        // VACUUM's temporary copy went to disk; the statement journals are back in memory afterwards.
        #expect(try store.read { db in try Int.fetchOne(db, sql: "PRAGMA temp_store") } == 2)
        // Two identifiers and two content keys per notice (it has a buyer, so no buyerless key).
        #expect(keys == 1_200)
        #expect(try store.notice(id: "boamp:26-150")?.notice == many[149])
    }
}
