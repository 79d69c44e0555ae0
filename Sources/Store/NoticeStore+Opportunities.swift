import Foundation
import GRDB
import Notices

/// Table `opportunity`: one procurement or call, however many sources published it. Source records are
/// joined through the dedup keys of `notice_ref` (see `referenceKeys`), each held under its notice's integer `key`.
extension NoticeStore {
    /// Every source record of one opportunity, oldest first.
    public func records(ofOpportunity id: Int64) throws -> [StoredNotice] {
        try read { db in
            try db.rows(
                "SELECT \(Self.noticeColumns) FROM notice n WHERE n.opportunity_id = ? ORDER BY n.first_seen, n.id",
                [id]
            ).map(stored)
        }
    }

    /// The opportunities a notice's lookup keys point at, lowest id first.
    func opportunities(matching n: Notice, in db: Database) throws -> [Int64] {
        var found = Set<Int64>()
        for (kind, value) in Self.lookupKeys(n) {
            // The title-based key only links an opportunity that has no record of this source yet: two
            // notices of one source with the same title are two tenders, even if a third source joins one.
            let crossSource = Self.crossSourceKinds.contains(kind)
            let sameSource =
                crossSource
                ? " AND NOT EXISTS (SELECT 1 FROM notice o WHERE o.opportunity_id = n.opportunity_id"
                    + " AND o.source = ? AND o.id != ?)" : ""
            var arguments: StatementArguments = [kind, value, n.id]
            if crossSource { arguments += [n.source, n.id] }
            var hits = Set(
                try Int64.fetchAll(
                    db.cachedStatement(
                        sql: """
                            SELECT DISTINCT n.opportunity_id FROM notice_ref r JOIN notice n ON n.key = r.key
                            WHERE r.kind = ? AND r.value = ? AND n.id != ?\(sameSource)
                            """), arguments: arguments))
            if kind == Self.sameTitleDeadlineNoBuyerKind,
                let mine = Self.sameTenderKey(n)?.split(separator: "|").first
            {
                // Joining through a buyerless item must not reach a tender whose named buyer is another one.
                hits = try hits.filter { opportunity in
                    try String.fetchAll(
                        db.cachedStatement(
                            sql: """
                                SELECT r.value FROM notice n JOIN notice_ref r ON r.key = n.key
                                WHERE n.opportunity_id = ? AND r.kind = ?
                                """), arguments: [opportunity, Self.sameTenderKind]
                    ).allSatisfy { $0.split(separator: "|").first == mine }
                }
            }
            // A content key that points at several tenders is ambiguous evidence: it must not merge them.
            if !(crossSource && hits.count > 1) { found.formUnion(hits) }
        }
        return found.sorted()
    }

    /// The opportunity a new notice joins (merging those its keys link), or a new one; true when it joined.
    func findOrCreateOpportunity(for n: Notice, at t: Double, in db: Database) throws -> (Int64, Bool) {
        let found = try opportunities(matching: n, in: db)
        if let first = found.first {
            try mergeOpportunities(into: first, from: Array(found.dropFirst()), in: db)
            return (first, true)
        }
        try db.exec("INSERT INTO opportunity (first_seen) VALUES (?)", [t])
        return (db.lastInsertedRowID, false)
    }

    /// A changed notice may now carry a reference linking it to another opportunity (a TED number added
    /// by a corrigendum): merge them, keeping the oldest.
    func resolveOpportunity(for n: Notice, current: Int64, in db: Database) throws -> Int64 {
        let found = Set(try opportunities(matching: n, in: db)).union([current]).sorted()
        guard let first = found.first else { return current }
        try mergeOpportunities(into: first, from: Array(found.dropFirst()), in: db)
        return first
    }

    private func mergeOpportunities(into target: Int64, from others: [Int64], in db: Database) throws {
        for o in others where o != target {
            try db.exec("UPDATE notice SET opportunity_id = ? WHERE opportunity_id = ?", [target, o])
            try db.exec("DELETE FROM opportunity WHERE id = ?", [o])
        }
    }

    /// Migration v9: copies every dedup key of `notice_ref` into `notice_ref_v9` under its notice's integer key
    /// (v1 to v8 held the notice's text id). The keys are copied, not derived again from the notices: a store
    /// keeps the links it made. It takes a minute on a store of a million notices, so a large copy says where it
    /// is on standard error; stopped, the transaction leaves the store as it was.
    static func rekeyReferences(_ db: Database, progress: (String) -> Void) throws {
        let path = try String.fetchOne(db, sql: "SELECT file FROM pragma_database_list WHERE name = 'main'") ?? ""
        let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM notice_ref") ?? 0
        // A new or small store upgrades in a moment: only a long copy says so.
        let reports = total >= 50_000
        if reports {
            progress(
                "store: \(path): upgrading to v9: keying \(total) dedup keys by notice number (a minute on a large "
                    + "store; stopped, it leaves the store as it was)")
        }
        // CROSS JOIN keeps the references as the outer loop, read in their primary-key order (kind, value, id):
        // nearly the new table's order, so the copy mostly appends to its B-tree.
        let rows = try Row.fetchCursor(
            db, sql: "SELECT r.kind, r.value, n.key FROM notice_ref r CROSS JOIN notice n ON n.id = r.notice_id")
        let insert = try db.cachedStatement(sql: "INSERT INTO notice_ref_v9 (kind, value, key) VALUES (?, ?, ?)")
        let step = max(total / 10, 100_000)
        var copied = 0
        while let row = try rows.next() {
            try insert.execute(arguments: [row[0], row[1], row[2]])
            copied += 1
            if reports, copied % step == 0 { progress("store: \(path): v9: \(copied) of \(total) dedup keys copied") }
        }
        if copied < total {
            // Only a store written with foreign keys off can hold them; such a reference links nothing.
            progress("store: \(path): v9: \(total - copied) dedup keys of notices no longer stored were dropped")
        }
    }
}
