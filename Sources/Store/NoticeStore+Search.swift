import Compression
import Foundation
import GRDB
import Notices

/// Tables `notice_fts` (the full-text index: FTS5, contentless, `unicode61 remove_diacritics 2`, rowid =
/// `ftsRowid`: the notice's sort time, then its key) and `notice_facet` (kind, source, départements and CPV prefixes
/// of each notice with its sort time), and `NoticeQuery` searches over them.
///
/// A search never sorts or scans the notice table: without text, one facet's index range (or the `notice_recent`
/// index) is walked newest first until the page is full; with text in the default newest-first order, FTS5 walks
/// the matches in descending rowid order, which is newest first, and the filters are checked on batches of them;
/// ranked by relevance, text is ranked inside FTS5 and only the page of rows is read.
extension NoticeStore {
    // MARK: - Full-text row keys

    /// Bits of `notice.key` in a full-text rowid; the sort time in whole seconds is above them.
    static let ftsKeyBits: Int64 = 29
    /// `rowid & ftsKeyMask` is the notice's key (also written as a literal in SQL, `ftsKeySQL`).
    static let ftsKeyMask: Int64 = (1 << ftsKeyBits) - 1
    /// The notice key of a full-text row, in SQL over `rowid`.
    static let ftsKeySQL = "(rowid & \(ftsKeyMask))"
    /// Seconds that fit above the key in a positive 64-bit rowid (until the year 2514).
    static let ftsLastSecond = Double((1 << (63 - ftsKeyBits)) - 1)

    /// The full-text rowid of a notice: its sort time (`coalesce(published, first_seen)`) in whole seconds, then
    /// its key. FTS5 walks a word's matches in rowid order and stops at the LIMIT (and takes `rowid >= ?` bounds),
    /// so "this word, newest first" is a descending walk of the word's doclist that stops at the page — never a
    /// sort of a common word's matches. Times before 1970 (a feed's placeholder dates) count as 1970.
    static func ftsRowid(time: Double, key: Int64) -> Int64 {
        let seconds = time.isFinite ? min(max(time.rounded(.down), 0), ftsLastSecond) : 0
        return Int64(seconds) << ftsKeyBits | key
    }

    /// The sort second a full-text rowid stands for.
    static func ftsSecond(_ rowid: Int64) -> Int64 { rowid >> ftsKeyBits }

    /// A notice key fits below the sort time of its full-text rowid: keys are dense (SQLite's next rowid), so
    /// this allows half a billion notices.
    static func checkFullTextKey(_ key: Int64, path: String) throws {
        guard key >= 0, key <= ftsKeyMask else {
            throw StoreError.invalidInput(
                path: path, reason: "notice key \(key) exceeds the full-text index's \(ftsKeyBits)-bit keys")
        }
    }

    // MARK: - Indexing

    /// What the full-text index holds for a notice: title, a body of every searchable text, the buyer.
    ///
    /// The index keeps no copy of these (contentless), and removing a notice's words hands them back: this must
    /// stay a pure function of the stored notice. Changing it means a migration that rebuilds `notice_fts`.
    static func fullText(_ n: Notice) -> FullText {
        var body: [String] = [n.summary, n.content, n.procedure, n.call?.funder].compactMap { $0 }
        body += n.lots.compactMap(\.title) + n.categories + n.descriptors + (n.call?.beneficiaries ?? [])
        // Who won is what staff search award data for ("qui a remporté le marché de …").
        body += n.awardees.compactMap(\.name)
        return (n.title, body.joined(separator: "\n"), n.buyer?.name)
    }

    /// A notice's words as the full-text index holds them.
    typealias FullText = (title: String, body: String, buyer: String?)

    /// The facets a notice is found by without text: `k:<kind>`, `s:<source>`, `d:<département>`, and for each CPV
    /// code (main, notice and lots) `C:<code>` and its prefixes of 2 to 5 digits `c:<prefix>` (the lengths users
    /// type: division, group, class, category).
    static func facets(_ n: Notice) -> Set<String> {
        var out: Set<String> = ["k:" + n.kind.rawValue, "s:" + n.source]
        for dep in (n.places + n.lots.flatMap(\.places)).compactMap(\.departement) {
            let d = normaliseDepartement(dep)
            if !d.isEmpty { out.insert("d:" + d) }
        }
        var codes = n.cpv
        if let m = n.mainCPV { codes.insert(m, at: 0) }
        for lot in n.lots { codes += lot.cpv }
        for code in codes.map(normaliseCPV) where !code.isEmpty {
            out.insert("C:" + code)
            for length in storedCPVPrefixes where length <= code.count { out.insert("c:" + code.prefix(length)) }
        }
        return out
    }

    /// The CPV prefix lengths stored as facets; other lengths are searched as a range of `C:` codes.
    static let storedCPVPrefixes = 2...5

    /// Replaces what the search indexes hold for a notice: removes `previous` (its words handed back to FTS5),
    /// adds `current`. Either may be nil (a new notice, a deleted one). Nothing is written when both index the
    /// same (a notice refreshed with the same text, facets and date). The full-text rows go to `fullText`, written
    /// in rowid order when the caller flushes it (see ``FullTextWrites``).
    func index(_ current: Indexed?, replacing previous: Indexed?, into fullText: inout FullTextWrites, in db: Database)
        throws
    {
        let new = current.map { (Self.fullText($0.notice), Self.facets($0.notice)) }
        let old = previous.map { (Self.fullText($0.notice), Self.facets($0.notice)) }
        if let current, let previous, let new, let old, current.key == previous.key, current.time == previous.time,
            new.0 == old.0, new.1 == old.1
        {
            return
        }
        if let previous, let old {
            fullText.delete(rowid: Self.ftsRowid(time: previous.time, key: previous.key), old.0)
            for facet in old.1 {
                try db.exec(
                    "DELETE FROM notice_facet WHERE facet = ? AND t = ? AND key = ?",
                    [facet, previous.time, previous.key])
            }
        }
        if let current, let new {
            try Self.checkFullTextKey(current.key, path: path)
            fullText.insert(rowid: Self.ftsRowid(time: current.time, key: current.key), new.0)
            for facet in new.1 {
                try db.exec(
                    "INSERT OR IGNORE INTO notice_facet (facet, t, key) VALUES (?, ?, ?)",
                    [facet, current.time, current.key])
            }
        }
    }

    /// Migration v7: fills the contentless `notice_fts_v7`, `notice_facet` and `notice_ref_v7` from every
    /// notice's JSON, so they hold exactly what this build hands back when it removes a notice. A row whose JSON
    /// does not decode keeps the words the old index held for it (read from the old table's copy) and its old
    /// references, and has no facets.
    static func rebuildSearchIndexes(_ db: Database) throws {
        let decoder = NoticeJSON.decoder()
        let rows = try Row.fetchCursor(
            db, sql: "SELECT key, id, json, coalesce(published, first_seen) AS t FROM notice ORDER BY key")
        while let row = try rows.next() {
            let key: Int64 = row["key"]
            let json: String = row["json"]
            guard let notice = try? decoder.decode(Notice.self, from: Data(json.utf8)) else {
                try db.execute(
                    sql: """
                        INSERT INTO notice_fts_v7 (rowid, title, body, buyer)
                        SELECT rowid, title, body, buyer FROM notice_fts WHERE rowid = ?
                        """, arguments: [key])
                try db.execute(
                    sql: "INSERT INTO notice_ref_v7 SELECT kind, value, notice_id FROM notice_ref WHERE notice_id = ?",
                    arguments: [row["id"] as String])
                continue
            }
            for (kind, value) in referenceKeys(notice) {
                try db.exec(
                    "INSERT OR IGNORE INTO notice_ref_v7 (kind, value, notice_id) VALUES (?, ?, ?)",
                    [kind, value, notice.id])
            }
            let text = fullText(notice)
            try db.exec(
                "INSERT INTO notice_fts_v7 (rowid, title, body, buyer) VALUES (?, ?, ?, ?)",
                [key, text.title, text.body, text.buyer])
            let t: Double = row["t"]
            for facet in facets(notice) {
                try db.exec("INSERT OR IGNORE INTO notice_facet (facet, t, key) VALUES (?, ?, ?)", [facet, t, key])
            }
        }
    }

    /// Migration v8: fills `notice_fts_v8` with every notice's words under its `ftsRowid` (v7 keyed them by
    /// `notice.key`). The words come from each notice's JSON (the old index is contentless: it cannot hand them
    /// over). Rows are inserted in ascending rowid order: FTS5 flushes its pending segment whenever a rowid is
    /// lower than the previous one, so an unsorted fill would write a segment per notice. A notice whose JSON does
    /// not decode keeps no words (it is not found by text; its other indexes are unchanged) and is counted in the
    /// progress lines written to standard error, since the rebuild takes minutes on a store of a million notices.
    static func rekeyFullText(_ db: Database, progress: (String) -> Void) throws {
        let path = try String.fetchOne(db, sql: "SELECT file FROM pragma_database_list WHERE name = 'main'") ?? ""
        var order: [(rowid: Int64, key: Int64)] = []
        let times = try Row.fetchCursor(db, sql: "SELECT key, coalesce(published, first_seen) FROM notice")
        while let row = try times.next() {
            let key: Int64 = row[0]
            try checkFullTextKey(key, path: path)
            order.append((ftsRowid(time: row[1], key: key), key))
        }
        order.sort { $0.rowid < $1.rowid }
        // A new or small store upgrades in a moment: only a long rebuild says so.
        let reports = order.count >= 20_000
        if reports {
            progress(
                "store: \(path): upgrading to v8: re-indexing the words of \(order.count) notices newest first "
                    + "(minutes on a large store; stopped, it leaves the store as it was)")
        }
        let decoder = NoticeJSON.decoder()
        let read = try db.cachedStatement(sql: "SELECT id, json FROM notice WHERE key = ?")
        let insert = try db.cachedStatement(
            sql: "INSERT INTO notice_fts_v8 (rowid, title, body, buyer) VALUES (?, ?, ?, ?)")
        var unreadable: [String] = []
        let step = max(order.count / 10, 10_000)
        for (i, entry) in order.enumerated() {
            if reports, i > 0, i % step == 0 {
                progress("store: \(path): v8: \(i) of \(order.count) notices re-indexed")
            }
            guard let row = try Row.fetchOne(read, arguments: [entry.key]) else { continue }
            let id: String = row[0]
            let notice: Notice
            do {
                notice = try decoder.decode(Notice.self, from: try storedJSON(row[1], id: id, path: path))
            } catch {
                // Reported below: without its JSON, the notice's words cannot be known.
                unreadable.append("\(id) (\(error))")
                continue
            }
            let text = fullText(notice)
            try insert.execute(arguments: [entry.rowid, text.title, text.body, text.buyer])
        }
        if !unreadable.isEmpty {
            progress(
                "store: \(path): v8: \(unreadable.count) notices with unreadable JSON are no longer found by text: "
                    + unreadable.prefix(5).joined(separator: "; ") + (unreadable.count > 5 ? "…" : ""))
        }
    }

    /// The JSON bytes of a stored `notice.json`: deflated (format byte 1, v7 on) or text (builds before v7).
    static func storedJSON(_ value: DatabaseValue, id: String, path: String) throws -> Data {
        switch value.storage {
        case .blob(let data) where data.first == 1:
            return Data(try Zlib.inflate(Array(data.dropFirst()), dictionary: jsonDictionary))
        case .string(let text): return Data(text.utf8)
        default:
            throw StoreError.corruptNotice(path: path, noticeID: id, reason: "stored JSON is neither text nor blob")
        }
    }

    // MARK: - Search

    /// Ad hoc query: full text (French-friendly, see `NoticeQuery.text`) and filters; newest first, or best
    /// matches first with text and `NoticeQuery.order` `.relevance`.
    public func search(_ q: NoticeQuery) throws -> [Notice] {
        try searchStored(q).map(\.notice)
    }

    /// Like `search`, with the store's bookkeeping.
    ///
    /// Newest first (`coalesce(published, first_seen)`) then notice id; with `.relevance` and text, ranked by
    /// FTS5's bm25 then notice id.
    /// With duplicates collapsed, `limit` × 4 + 16 matching records are read, then the first of each opportunity
    /// kept, up to `limit`.
    public func searchStored(_ q: NoticeQuery) throws -> [StoredNotice] {
        try searchStored(q, walkBudget: Self.walkBudget)
    }

    /// `searchStored` with the number of text matches walked newest first, a driving facet's filters checked on
    /// them, before the facet's own range is walked instead (tests set it to 0 to reach that path), and at most how
    /// many of the best-ranked matches a ranked, filtered query sorts and checks before it sorts the others (tests
    /// set it low to reach that path).
    func searchStored(_ q: NoticeQuery, walkBudget: Int, rankDepth: Int = 16_384) throws -> [StoredNotice] {
        let text = q.text.flatMap(FTSQuery.expression)
        if q.text != nil, !(q.text ?? "").trimmingCharacters(in: .whitespaces).isEmpty, text == nil {
            return []
        }
        let limit = max(q.limit, 0)
        let wanted = q.collapseDuplicates ? limit * 4 + 16 : limit
        let plan = SearchPlan(q)
        return try read { db in
            let candidates =
                if let text, q.order == .relevance {
                    try rankedCandidates(text, plan: plan, wanted: wanted, depth: rankDepth, in: db)
                } else if let text {
                    try newestMatches(text, plan: plan, wanted: wanted, budget: walkBudget, in: db)
                } else {
                    try newestCandidates(plan: plan, wanted: wanted, in: db)
                }
            var page: [Int64] = []
            var seen = Set<Int64>()
            for c in candidates {
                if q.collapseDuplicates {
                    guard seen.insert(c.opportunity).inserted else { continue }
                }
                page.append(c.key)
                if page.count >= limit { break }
            }
            return try storedNotices(keys: page, in: db)
        }
    }

    /// A matching record before its JSON is read: enough to order, cut and collapse the page.
    struct Candidate {
        var key: Int64
        /// bm25 rank (lower first) or the negated sort time (newest first).
        var order: Double
        var id: String
        var opportunity: Int64
    }

    /// The lowest full-text rowid a query's `since` lets through (0: all).
    private static func lowestRowid(_ plan: SearchPlan) -> Int64 {
        plan.since.map { ftsRowid(time: $0, key: 0) } ?? 0
    }

    /// Text. Without filters, FTS5 ranks every match (as the raw `ORDER BY rank` does) and this reads the ranked
    /// rowids until `wanted`, plus any further match of the same rank as the last (so the notice-id tie-break is
    /// that of ordering the whole result); only then are the rows looked up. With filters, each match is checked
    /// first (a lookup by key, cheaper than its bm25) and only those that pass are ranked, in one statement whose
    /// sort carries keys and ids, never the notices. A `since` is a rowid bound inside FTS5 in every case: only
    /// the matches of the period are ranked.
    private func rankedCandidates(_ text: String, plan: SearchPlan, wanted: Int, depth: Int, in db: Database) throws
        -> [Candidate]
    {
        guard wanted > 0 else { return [] }
        let lowest = Self.lowestRowid(plan)
        if !plan.conditions.isEmpty {
            // How many matches pass the filters, on a sample of them in rowid order (no ranking: cheap): most
            // pass → rank first and check the best ones; few → check every match and rank those that pass.
            let sample = try Int64.fetchAll(
                db.cachedStatement(
                    sql: "SELECT rowid FROM notice_fts WHERE notice_fts MATCH ? AND rowid >= ? ORDER BY rowid DESC"
                        + " LIMIT 256"),
                arguments: [text, lowest])
            let passing = try passed(sample.map { $0 & Self.ftsKeyMask }, plan: plan, in: db).count
            if sample.count == 256, passing * 5 >= sample.count {
                return try rankedThenFiltered(
                    text, plan: plan, wanted: wanted, share: Double(passing) / 256, lowest: lowest, depth: depth,
                    in: db)
            }
            let sql =
                "SELECT h.rowid, h.rank, n.id, n.opportunity_id FROM notice_fts h"
                + " JOIN notice n ON n.key = (h.rowid & \(Self.ftsKeyMask))"
                + plan.joins + " WHERE h.notice_fts MATCH ? AND h.rowid >= ?"
                + plan.checks.map { " AND " + $0 }.joined()
                + " ORDER BY h.rank, n.id LIMIT ?"
            return try Row.fetchAll(
                db, sql: sql,
                arguments: StatementArguments(plan.joinArguments + [text, lowest] + plan.checkArguments + [wanted])
            ).map { Candidate(key: ($0[0] as Int64) & Self.ftsKeyMask, order: $0[1], id: $0[2], opportunity: $0[3]) }
        }
        var best = BestRanked(depth: wanted)
        try best.read(text, lowest: 0, in: db)
        let ranked = best.ranked().map { (key: $0.key, rank: $0.rank) }
        guard !ranked.isEmpty else { return [] }
        let ranks = Dictionary(ranked.map { ($0.key, $0.rank) }, uniquingKeysWith: { a, _ in a })
        // Keys are integers read from SQLite: inlined, no user text reaches the SQL.
        let keys = ranked.map { String($0.key) }.joined(separator: ",")
        let found = try Row.fetchAll(
            db, sql: "SELECT n.key, n.id, n.opportunity_id FROM notice n WHERE n.key IN (\(keys))"
        ).map { row in
            let key: Int64 = row[0]
            return Candidate(key: key, order: ranks[key] ?? 0, id: row[1], opportunity: row[2])
        }
        return Self.ordered(found, wanted: wanted)
    }

    /// Text matches walked newest first, a driving facet's filters checked on them, before the facet's own range
    /// is walked instead (see `newestMatches`).
    static let walkBudget = 16_384

    /// Text, newest first: FTS5 walks the matches in descending rowid order — newest first, from the `since`
    /// bound if any — and the filters are checked on batches of them (growing from the page's size), until the
    /// page is full and the sort second changes (ties are ordered by time then notice id, as ordering the whole
    /// result would). A common word's newest matches fill the page at once; a rare word's few are all read.
    /// When a driving facet's filters let few matches through (`budget` walked without filling the page), that
    /// facet's range is walked newest first instead, keeping rows among the matches (`SearchPlan.matching`).
    private func newestMatches(_ text: String, plan: SearchPlan, wanted: Int, budget: Int, in db: Database) throws
        -> [Candidate]
    {
        guard wanted > 0 else { return [] }
        if plan.driver != nil, budget <= 0 {
            return try newestCandidates(plan: plan.matching(text), wanted: wanted, in: db)
        }
        let hits = try Int64.fetchCursor(
            db.cachedStatement(
                sql: "SELECT rowid FROM notice_fts WHERE notice_fts MATCH ? AND rowid >= ? ORDER BY rowid DESC"),
            arguments: [text, Self.lowestRowid(plan)])
        var found: [(candidate: Candidate, rowid: Int64)] = []
        var batch: [Int64] = []
        var batchSize = wanted + 16
        var walked = 0
        /// The sort second of the page's last row, once the page is full: the walk ends past it.
        var lastSecond: Int64?
        func flush() throws {
            guard !batch.isEmpty else { return }
            let rowids = Dictionary(batch.map { ($0 & Self.ftsKeyMask, $0) }, uniquingKeysWith: { a, _ in a })
            for row in try passed(Array(rowids.keys), plan: plan, in: db) {
                let candidate = Candidate(key: row.key, order: -row.time, id: row.id, opportunity: row.opportunity)
                found.append((candidate, rowids[row.key] ?? 0))
            }
            walked += batch.count
            batch.removeAll(keepingCapacity: true)
            batchSize = min(batchSize * 4, 4_096)
            if lastSecond == nil, found.count >= wanted {
                lastSecond = Self.ftsSecond(found.map(\.rowid).sorted(by: >)[wanted - 1])
            }
        }
        while let rowid = try hits.next() {
            if let lastSecond, Self.ftsSecond(rowid) < lastSecond { break }
            batch.append(rowid)
            guard batch.count >= batchSize else { continue }
            try flush()
            if lastSecond == nil, plan.driver != nil, walked >= budget {
                return try newestCandidates(plan: plan.matching(text), wanted: wanted, in: db)
            }
        }
        try flush()
        return Self.ordered(found.map(\.candidate), wanted: wanted)
    }

    /// Ranked by FTS5 first, then the filters checked on batches of the best matches until `wanted` pass, plus
    /// any further match of the same rank as the last (the notice-id tie-break of ordering the whole result).
    /// `share` is the sampled share of matches that pass, which sizes the batches; `lowest` bounds the rowids.
    private func rankedThenFiltered(
        _ text: String, plan: SearchPlan, wanted: Int, share: Double, lowest: Int64, depth: Int, in db: Database
    ) throws -> [Candidate] {
        let batchSize = min(Int(Double(wanted) / max(share, 0.01) * 1.25) + 16, 4_096)
        // The best few batches' worth, ranked in one pass: enough for `wanted` to pass unless the sample misled
        // (it is the newest matches: a deadline filter passes more of them than of the best-ranked, which span
        // every year). The others are kept aside, unsorted, and sorted only then.
        var best = BestRanked(depth: min(4 * batchSize, depth), keepingRest: true)
        try best.read(text, lowest: lowest, in: db)
        var found: [Candidate] = []
        var boundary: Double?
        func check(_ ranked: [(key: Int64, rank: Double)]) throws {
            var start = 0
            while start < ranked.count {
                if let boundary, ranked[start].rank != boundary { break }
                let batch = ranked[start..<min(start + batchSize, ranked.count)]
                start = batch.endIndex
                let ranks = Dictionary(batch.map { ($0.key, $0.rank) }, uniquingKeysWith: { a, _ in a })
                found += try passed(batch.map(\.key), plan: plan, in: db).map { row in
                    Candidate(key: row.key, order: ranks[row.key] ?? 0, id: row.id, opportunity: row.opportunity)
                }
                if boundary == nil, found.count >= wanted { boundary = found.map(\.order).sorted()[wanted - 1] }
            }
        }
        try check(best.ranked())
        if found.count < wanted { try check(best.rest()) }
        return Self.ordered(found, wanted: wanted)
    }

    /// Those of `keys` whose notice passes the plan's filters, with their sort time, id and opportunity.
    private func passed(_ keys: [Int64], plan: SearchPlan, in db: Database) throws
        -> [(key: Int64, time: Double, id: String, opportunity: Int64)]
    {
        guard !keys.isEmpty else { return [] }
        let (sql, arguments) = Self.passedSQL(keys, plan: plan)
        return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map {
            ($0[0], $0[1], $0[2], $0[3])
        }
    }

    /// The statement of `passed`: the rows of `keys` (the notice table reached by key, then each facet checked by
    /// its primary key, see `SearchPlan.joins`) with their sort time, id and opportunity.
    static func passedSQL(_ keys: [Int64], plan: SearchPlan) -> (String, [any DatabaseValueConvertible]) {
        // Keys are integers read from SQLite: inlined, no user text reaches the SQL.
        let list = keys.map(String.init).joined(separator: ",")
        let sql =
            "SELECT n.key, coalesce(n.published, n.first_seen), n.id, n.opportunity_id FROM notice n" + plan.joins
            + " WHERE n.key IN (\(list))" + plan.checks.map { " AND " + $0 }.joined()
        return (sql, plan.joinArguments + plan.checkArguments)
    }

    /// No text: newest first, from the index that serves the order — the most selective facet's range in
    /// `notice_facet`, or `notice_recent` — checking the other filters on the way, until `wanted` pass and the
    /// sort time changes (ties are ordered by notice id, as ordering the whole result would).
    private func newestCandidates(plan: SearchPlan, wanted: Int, in db: Database) throws -> [Candidate] {
        guard wanted > 0 else { return [] }
        let (sql, arguments) = Self.newestSQL(plan, wanted: wanted)
        guard plan.driver != nil else {
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map {
                Candidate(key: $0[0], order: -($0[1] as Double), id: $0[2], opportunity: $0[3])
            }
        }
        let rows = try Row.fetchCursor(db, sql: sql, arguments: StatementArguments(arguments))
        var found: [Candidate] = []
        var seen = Set<Int64>()
        while let row = try rows.next() {
            let t: Double = row[1]
            if found.count >= wanted, let last = found.last, -t != last.order { break }
            let key: Int64 = row[0]
            // A range driver (a CPV prefix of an unstored length) meets a notice once per matching code.
            guard seen.insert(key).inserted else { continue }
            found.append(Candidate(key: key, order: -t, id: row[2], opportunity: row[3]))
        }
        return Self.ordered(found, wanted: wanted)
    }

    /// The statement of a query without text: rows (key, sort time, id, opportunity) newest first. With a driving
    /// facet it walks `notice_facet` and is read until the page is full; without, `notice_recent` is (time DESC,
    /// id), so the index order is the result order and its LIMIT is exact.
    static func newestSQL(_ plan: SearchPlan, wanted: Int) -> (String, [any DatabaseValueConvertible]) {
        guard let driver = plan.driver else {
            let sql =
                "SELECT n.key, coalesce(n.published, n.first_seen), n.id, n.opportunity_id FROM notice n"
                + (plan.walkRecent ? " INDEXED BY notice_recent" : "")
                + (plan.conditions.isEmpty ? "" : " WHERE " + plan.conditions.joined(separator: " AND "))
                + " ORDER BY coalesce(n.published, n.first_seen) DESC, n.id LIMIT ?"
            return (sql, plan.arguments + [wanted])
        }
        let sql =
            "SELECT f.key, f.t, n.id, n.opportunity_id FROM notice_facet f JOIN notice n ON n.key = f.key WHERE "
            + ([driver.condition] + plan.conditions(drivenBy: driver)).joined(separator: " AND ")
            + " ORDER BY f.t DESC"
        return (sql, driver.arguments + plan.arguments(drivenBy: driver))
    }

    /// Sorted by (order, id), the first `wanted`.
    private static func ordered(_ found: [Candidate], wanted: Int) -> [Candidate] {
        Array(found.sorted { ($0.order, $0.id) < ($1.order, $1.id) }.prefix(wanted))
    }

    /// The page's rows, in the order of `keys`.
    private func storedNotices(keys: [Int64], in db: Database) throws -> [StoredNotice] {
        guard !keys.isEmpty else { return [] }
        let list = keys.map(String.init).joined(separator: ",")
        var byKey: [Int64: StoredNotice] = [:]
        for row in try db.rows(
            "SELECT n.key AS n_key, \(Self.noticeColumns) FROM notice n WHERE n.key IN (\(list))")
        {
            byKey[try row.decode(forColumn: "n_key")] = try stored(row)
        }
        return keys.compactMap { byKey[$0] }
    }
}

/// A `NoticeQuery`'s filters as SQL over `notice n`: conditions checked per row, and the facet whose index range
/// drives a query without text.
struct SearchPlan {
    /// A facet condition: an exact facet (its range is in time order) or a range of `C:` codes.
    struct Facet {
        var value: String
        /// Upper bound of a range of facets (`value` ≤ facet < `upper`); nil for an exact facet.
        var upper: String?
        /// How selective it is: the first of the present facets drives.
        var priority: Int

        /// Checked for a notice row `n` (a point lookup in the facet table's primary key when exact).
        var check: (String, [any DatabaseValueConvertible]) {
            if let upper {
                return (
                    "EXISTS (SELECT 1 FROM notice_facet g WHERE g.facet >= ? AND g.facet < ? AND g.key = n.key"
                        + " AND g.t = coalesce(n.published, n.first_seen))", [value, upper]
                )
            }
            return (
                "EXISTS (SELECT 1 FROM notice_facet g WHERE g.facet = ? AND g.t = coalesce(n.published, n.first_seen)"
                    + " AND g.key = n.key)", [value]
            )
        }
    }

    /// The driving facet of a query without text, and its condition on `notice_facet f`.
    struct Driver {
        var facet: Facet
        var condition: String
        var arguments: [any DatabaseValueConvertible]
    }

    var facets: [Facet] = []
    /// Conditions on `notice n` other than facets, and their arguments.
    var plain: [String] = []
    var plainArguments: [any DatabaseValueConvertible] = []
    var since: Double?

    init(_ q: NoticeQuery) {
        if let cpv = q.cpvPrefix.map(NoticeStore.normaliseCPV), !cpv.isEmpty {
            if NoticeStore.storedCPVPrefixes.contains(cpv.count) {
                facets.append(Facet(value: "c:" + cpv, priority: 0))
            } else {
                // Codes are digits: every code starting with `cpv` sorts before `cpv` followed by a colon.
                facets.append(Facet(value: "C:" + cpv, upper: "C:" + cpv + ":", priority: 1))
            }
        }
        if let dep = q.departement.map(NoticeStore.normaliseDepartement), !dep.isEmpty {
            facets.append(Facet(value: "d:" + dep, priority: 2))
        }
        if let source = q.source { facets.append(Facet(value: "s:" + source, priority: 3)) }
        if q.kinds.count == 1, let kind = q.kinds.first {
            facets.append(Facet(value: "k:" + kind.rawValue, priority: 4))
        } else if !q.kinds.isEmpty {
            plain.append("n.kind IN (\(q.kinds.map { _ in "?" }.joined(separator: ", ")))")
            plainArguments += q.kinds.map(\.rawValue)
        }
        if let since = q.since {
            self.since = since.timeIntervalSince1970
            plain.append("coalesce(n.published, n.first_seen) >= ?")
            plainArguments.append(since.timeIntervalSince1970)
        }
        if let after = q.deadlineAfter {
            plain.append("n.deadline >= ?")
            plainArguments.append(after.timeIntervalSince1970)
        }
        if let minValue = q.minValue {
            plain.append("n.value_upper >= ?")
            plainArguments.append(minValue)
        }
        facets.sort { $0.priority < $1.priority }
    }

    /// Every condition on `notice n`.
    var conditions: [String] { facets.map(\.check.0) + plain }
    var arguments: [any DatabaseValueConvertible] { facets.flatMap(\.check.1) + plainArguments }

    /// The same filters with the exact facets as joins (a facet is unique per notice, so a join adds no row and
    /// costs less than a correlated EXISTS), for the text searches: `joins` after `FROM … notice n`, `checks`
    /// in the WHERE clause. `CROSS JOIN`: the facet is checked after the notice row is found. Without statistics
    /// SQLite guesses a facet's range holds ten rows and would walk it to meet the notices — `k:tender`'s range is
    /// most of the store.
    var joins: String {
        facets.enumerated().filter { $0.element.upper == nil }.map { i, _ in
            " CROSS JOIN notice_facet g\(i) ON g\(i).facet = ? AND g\(i).t = coalesce(n.published, n.first_seen)"
                + " AND g\(i).key = n.key"
        }.joined()
    }
    var joinArguments: [any DatabaseValueConvertible] { facets.filter { $0.upper == nil }.map(\.value) }
    var checks: [String] { facets.filter { $0.upper != nil }.map(\.check.0) + plain }
    var checkArguments: [any DatabaseValueConvertible] {
        facets.filter { $0.upper != nil }.flatMap(\.check.1) + plainArguments
    }

    /// The most selective facet, walked in `notice_facet` newest first (a `since` bounds the walk).
    var driver: Driver? {
        guard let facet = facets.first else { return nil }
        var condition = facet.upper == nil ? "f.facet = ?" : "f.facet >= ? AND f.facet < ?"
        var arguments: [any DatabaseValueConvertible] = [facet.value] + (facet.upper.map { [$0] } ?? [])
        if let since {
            condition += " AND f.t >= ?"
            arguments.append(since)
        }
        return Driver(facet: facet, condition: condition, arguments: arguments)
    }

    /// The same filters and the notice among the matches of the FTS5 expression `text`, for walking an index newest
    /// first. The matches' rowids are a list subquery, read once into a temporary index (unranked, unsorted); a
    /// correlated check by rowid inside FTS5 would pay FTS5's merge of a prefix term's doclists on every row, and
    /// words are prefixes here. Without a driving facet the walk is forced onto `notice_recent`: the planner would
    /// otherwise read the list and sort it.
    func matching(_ text: String) -> SearchPlan {
        var plan = self
        plan.plain.append(
            "+n.key IN (SELECT rowid & \(NoticeStore.ftsKeyMask) FROM notice_fts WHERE notice_fts MATCH ?)")
        plan.plainArguments.append(text)
        plan.walkRecent = true
        return plan
    }

    /// Walk `notice_recent` (`INDEXED BY`) when no facet drives.
    var walkRecent = false

    /// The conditions left once `driver` walks its facet.
    func conditions(drivenBy driver: Driver) -> [String] { facets.dropFirst().map(\.check.0) + plain }
    func arguments(drivenBy driver: Driver) -> [any DatabaseValueConvertible] {
        facets.dropFirst().flatMap(\.check.1) + plainArguments
    }
}

/// The best-ranked matches of a text query, read in one unsorted pass over FTS5's matches.
///
/// FTS5's own `ORDER BY rank` ranks every match into a sorter, and reading its `rank` column then calls bm25
/// again on a cursor of its own, which first counts every phrase's matches once more (measured on a million
/// notices: "travaux", 600,000 matches, 10 % slower than the bare sorted rowids; "robinetterie inox" 45 %).
/// Reading `rowid, rank` unsorted ranks each match once, on one cursor, and only the best `depth` — plus every
/// match tied with the last of them, so that the notice-id tie-break is that of ordering the whole result — are
/// kept and sorted here.
struct BestRanked {
    /// How many of the best to keep (and the ties of the last).
    let depth: Int
    private var kept: [(key: Int64, rank: Double)] = []
    /// Rank of the `depth`-th best so far: a worse match cannot be among the best.
    private var bound = Double.infinity
    private var pruneAt: Int
    /// Whether some match was left out (worse than the kept ones).
    private(set) var leftOut = false
    /// With `keepingRest`, the matches left out, unsorted: all worse than every kept one.
    private var others: [(key: Int64, rank: Double)]?

    init(depth: Int, keepingRest: Bool = false) {
        self.depth = max(depth, 1)
        pruneAt = 2 * self.depth + 64
        others = keepingRest ? [] : nil
    }

    /// Reads the matches of `text` with a rowid at least `lowest` (a `since` bound).
    mutating func read(_ text: String, lowest: Int64, in db: Database) throws {
        let hits = try Row.fetchCursor(
            db.cachedStatement(sql: "SELECT rowid, rank FROM notice_fts WHERE notice_fts MATCH ? AND rowid >= ?"),
            arguments: [text, lowest])
        while let row = try hits.next() {
            offer((row[0] as Int64) & NoticeStore.ftsKeyMask, row[1])
        }
    }

    mutating func offer(_ key: Int64, _ rank: Double) {
        guard rank <= bound else {
            leftOut = true
            others?.append((key, rank))
            return
        }
        kept.append((key, rank))
        if kept.count >= pruneAt { prune() }
    }

    private mutating func prune() {
        kept.sort { $0.rank < $1.rank }
        guard kept.count > depth else { return }
        bound = kept[depth - 1].rank
        var end = depth
        while end < kept.count, kept[end].rank <= bound { end += 1 }
        if end < kept.count {
            leftOut = true
            others?.append(contentsOf: kept[end...])
            kept.removeSubrange(end...)
        }
        // Many ties with the bound: prune again only once the list has doubled.
        pruneAt = max(2 * depth + 64, 2 * kept.count)
    }

    /// The kept matches, best first (lowest rank).
    mutating func ranked() -> [(key: Int64, rank: Double)] {
        prune()
        return kept
    }

    /// With `keepingRest`, the matches left out, best first: each ranks below every one of `ranked()` (the bound
    /// only ever falls), so the two lists in turn are every match in rank order. Call after `ranked()`.
    func rest() -> [(key: Int64, rank: Double)] {
        (others ?? []).sorted { $0.rank < $1.rank }
    }
}

/// The full-text index's writes of one transaction, held until its end and written in rowid order.
///
/// FTS5 keeps a transaction's new words in memory and writes them out as one segment — but only while rowids
/// grow: a write at a rowid not above the previous one flushes what it holds first. Rowids are keyed by
/// publication time (migration v8), and a page of BOAMP or TED notices comes in the source's order, not by time:
/// written as they came, a page flushed a tiny segment every other notice (measured on 20,000 notices in pages of
/// 500: twice as slow, and FTS5 then merges the crumbs).
struct FullTextWrites {
    private var writes: [(rowid: Int64, delete: Bool, text: NoticeStore.FullText)] = []

    mutating func delete(rowid: Int64, _ text: NoticeStore.FullText) { writes.append((rowid, true, text)) }
    mutating func insert(rowid: Int64, _ text: NoticeStore.FullText) { writes.append((rowid, false, text)) }

    /// Writes them, rowid by rowid; at one rowid (a notice whose text changed, same time and key) the old words
    /// are removed before the new ones are added, as they were asked.
    mutating func flush(in db: Database) throws {
        let ordered = writes.enumerated().sorted { a, b in
            a.element.rowid != b.element.rowid ? a.element.rowid < b.element.rowid : a.offset < b.offset
        }
        for (_, w) in ordered {
            try db.exec(
                w.delete
                    ? "INSERT INTO notice_fts (notice_fts, rowid, title, body, buyer) VALUES ('delete', ?, ?, ?, ?)"
                    : "INSERT INTO notice_fts (rowid, title, body, buyer) VALUES (?, ?, ?, ?)",
                [w.rowid, w.text.title, w.text.body, w.text.buyer])
        }
        writes.removeAll()
    }
}
