import Foundation
import GRDB
import Notices

/// Table `notice_fts`: the full-text index (FTS5, `unicode61 remove_diacritics 2`, rowid = `notice.key`), and
/// `NoticeQuery` searches over it and the index tables.
extension NoticeStore {
    /// Replaces a notice's full-text row: title, a body of every searchable text, the buyer.
    func indexFullText(_ n: Notice, key: Int64, in db: Database) throws {
        try db.exec("DELETE FROM notice_fts WHERE rowid = ?", [key])
        var body: [String] = [n.summary, n.content, n.procedure, n.call?.funder].compactMap { $0 }
        body += n.lots.compactMap(\.title) + n.categories + n.descriptors + (n.call?.beneficiaries ?? [])
        // Who won is what staff search award data for ("qui a remporté le marché de …").
        body += n.awardees.compactMap(\.name)
        try db.exec(
            "INSERT INTO notice_fts (rowid, title, body, buyer) VALUES (?, ?, ?, ?)",
            [key, n.title, body.joined(separator: "\n"), n.buyer?.name])
    }

    /// Ad hoc query: full text (French-friendly, see `NoticeQuery.text`) and filters; best matches first
    /// with text, newest first without.
    public func search(_ q: NoticeQuery) throws -> [Notice] {
        try searchStored(q).map(\.notice)
    }

    /// Like `search`, with the store's bookkeeping.
    public func searchStored(_ q: NoticeQuery) throws -> [StoredNotice] {
        var sql = ""
        var args: [(any DatabaseValueConvertible)?] = []
        var conditions: [String] = []
        let text = q.text.flatMap(FTSQuery.expression)
        if q.text != nil, !(q.text ?? "").trimmingCharacters(in: .whitespaces).isEmpty, text == nil {
            return []
        }
        if let text {
            sql = "SELECT \(Self.noticeColumns) FROM notice_fts JOIN notice n ON n.key = notice_fts.rowid"
            conditions.append("notice_fts MATCH ?")
            args.append(text)
        } else {
            sql = "SELECT \(Self.noticeColumns) FROM notice n"
        }
        if !q.kinds.isEmpty {
            conditions.append("n.kind IN (\(q.kinds.map { _ in "?" }.joined(separator: ", ")))")
            args += q.kinds.map { $0.rawValue }
        }
        if let cpv = q.cpvPrefix.map(Self.normaliseCPV), !cpv.isEmpty {
            conditions.append(
                "EXISTS (SELECT 1 FROM notice_cpv c WHERE c.notice_id = n.id AND substr(c.cpv, 1, ?) = ?)")
            args += [cpv.count, cpv]
        }
        if let dep = q.departement.map(Self.normaliseDepartement), !dep.isEmpty {
            conditions.append("EXISTS (SELECT 1 FROM notice_place p WHERE p.notice_id = n.id AND p.departement = ?)")
            args.append(dep)
        }
        if let since = q.since {
            conditions.append("coalesce(n.published, n.first_seen) >= ?")
            args.append(since.timeIntervalSince1970)
        }
        if let after = q.deadlineAfter {
            conditions.append("n.deadline >= ?")
            args.append(after.timeIntervalSince1970)
        }
        if let minValue = q.minValue {
            conditions.append("n.value_upper >= ?")
            args.append(minValue)
        }
        if let source = q.source {
            conditions.append("n.source = ?")
            args.append(source)
        }
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        sql +=
            text != nil
            ? " ORDER BY notice_fts.rank, n.id"
            : " ORDER BY coalesce(n.published, n.first_seen) DESC, n.id"
        let limit = max(q.limit, 0)
        // Over-fetch when collapsing duplicates, so `limit` distinct opportunities usually come back.
        sql += " LIMIT ?"
        args.append(q.collapseDuplicates ? limit * 4 + 16 : limit)
        let rows = try read { db in try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args)) }
        var out: [StoredNotice] = []
        var seen = Set<Int64>()
        for row in rows {
            let s = try stored(row)
            if q.collapseDuplicates {
                guard seen.insert(s.opportunityID).inserted else { continue }
            }
            out.append(s)
            if out.count >= limit { break }
        }
        return out
    }
}
