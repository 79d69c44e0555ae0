import Foundation
import GRDB
import Notices

/// Table `notice` (one row per source record, the whole `Notice` as JSON plus indexed copies), its index tables
/// (`notice_ref` dedup keys, `notice_cpv`, `notice_place`) and `notice_version` (previous versions).
extension NoticeStore {
    // MARK: - Upsert

    /// Inserts new notices, versions changed ones and recognises duplicates across sources, in one transaction.
    ///
    /// A notice is *changed* when a material field differs (deadline, value, title, lots, CPV…; not the
    /// `updated` timestamp some feeds bump at every fetch): the previous version is kept with what changed.
    public func upsert(_ notices: [Notice], at date: Date) throws -> UpsertSummary {
        try write { db in try upsertInTransaction(db, notices, at: date) }
    }

    /// Everything one source's fetch produced — its state, raw responses and notices — stored in ONE
    /// transaction, so a run killed midway never leaves half a source: either all of it or none.
    public func ingest(
        sourceID: String, state: SourceState, raws: [RawDocument], notices: [Notice],
        at date: Date
    ) throws -> UpsertSummary {
        guard state.sourceID == sourceID else {
            throw StoreError.invalidInput(
                path: path, reason: "ingest of source \(sourceID) given the state of \(state.sourceID)")
        }
        if let stray = raws.first(where: { $0.sourceID != sourceID }) {
            throw StoreError.invalidInput(
                path: path, reason: "ingest of source \(sourceID) given a raw document of \(stray.sourceID)")
        }
        return try write { db in
            try saveState(state, in: db)
            try faultHook?("state")
            for r in raws {
                try insertRaw(r, in: db)
                try faultHook?("raw")
            }
            return try upsertInTransaction(db, notices, at: date)
        }
    }

    func upsertInTransaction(_ db: Database, _ notices: [Notice], at date: Date) throws -> UpsertSummary {
        var summary = UpsertSummary()
        let encoder = NoticeJSON.encoder()
        var seq = try Int64.fetchOne(db, sql: "SELECT coalesce(max(change_seq), 0) FROM notice") ?? 0
        // A feed may list one item twice (buyer platforms repeat a notice in two categories): keep the last.
        var lastIndex: [String: Int] = [:]
        for (i, n) in notices.enumerated() { lastIndex[n.id] = i }
        let t = date.timeIntervalSince1970
        for (i, notice) in notices.enumerated() where lastIndex[notice.id] == i {
            guard !notice.source.isEmpty, !notice.sourceID.isEmpty else {
                throw StoreError.invalidInput(path: path, reason: "notice without source or source id")
            }
            let json: String
            do {
                json = String(decoding: try encoder.encode(notice), as: UTF8.self)
            } catch {
                throw StoreError.corruptNotice(path: path, noticeID: notice.id, reason: "cannot encode: \(error)")
            }
            let hash = Fingerprint.of(json)
            let existing = try db.rows(
                "SELECT opportunity_id, revision, json, hash FROM notice WHERE id = ?", [notice.id]
            ).first
            if let existing {
                var opportunity: Int64 = try existing.decode(forColumn: "opportunity_id")
                let revision: Int = try existing.decode(forColumn: "revision")
                let oldJSON: String = try existing.decode(forColumn: "json")
                if try existing.decode(String.self, forColumn: "hash") == hash {
                    try db.exec("UPDATE notice SET last_seen = ? WHERE id = ?", [t, notice.id])
                    summary.unchanged.append(notice.id)
                    try faultHook?("notice:\(notice.id)")
                    continue
                }
                let old = try decode(oldJSON, id: notice.id)
                let changes = NoticeDiff.changes(from: old, to: notice)
                opportunity = try resolveOpportunity(for: notice, current: opportunity, in: db)
                if changes.isEmpty {
                    // Same content, only volatile fields moved: refresh silently, no new revision.
                    try writeNotice(
                        notice, json: json, hash: hash, opportunity: opportunity, revision: revision,
                        seq: nil, firstSeen: nil, at: t, changed: false, in: db)
                    summary.unchanged.append(notice.id)
                } else {
                    let changesJSON = String(decoding: try JSONEncoder().encode(changes), as: UTF8.self)
                    try db.exec(
                        "INSERT OR REPLACE INTO notice_version (notice_id, revision, json, changes, replaced_at) "
                            + "VALUES (?, ?, ?, ?, ?)",
                        [notice.id, revision, oldJSON, changesJSON, t])
                    seq += 1
                    try writeNotice(
                        notice, json: json, hash: hash, opportunity: opportunity, revision: revision + 1,
                        seq: seq, firstSeen: nil, at: t, changed: true, in: db)
                    summary.changed.append(notice.id)
                    summary.changes[notice.id] = changes
                }
            } else {
                let (opportunity, joined) = try findOrCreateOpportunity(for: notice, at: t, in: db)
                seq += 1
                try writeNotice(
                    notice, json: json, hash: hash, opportunity: opportunity, revision: 1, seq: seq,
                    firstSeen: t, at: t, changed: true, in: db)
                summary.inserted.append(notice.id)
                if joined { summary.joined.append(notice.id) }
            }
            try faultHook?("notice:\(notice.id)")
        }
        return summary
    }

    /// Writes the notice row and its index rows (refs, CPV, places, full text).
    private func writeNotice(
        _ n: Notice, json: String, hash: String, opportunity: Int64, revision: Int, seq: Int64?,
        firstSeen: Double?, at t: Double, changed: Bool, in db: Database
    ) throws {
        let deadline = (n.deadline ?? n.call?.closing)?.instant.timeIntervalSince1970
        let value = n.value?.upperBound.map { NSDecimalNumber(decimal: $0).doubleValue }
        let columns: [(any DatabaseValueConvertible)?] = [
            opportunity, n.source, n.sourceID, n.kind.rawValue, n.title, n.buyer?.name, seconds(n.published),
            deadline, value, n.mainCPV, revision, json, hash, t,
        ]
        if let firstSeen {
            try db.exec(
                """
                INSERT INTO notice (opportunity_id, source, source_id, kind, title, buyer_name, published, deadline,
                    value_upper, main_cpv, revision, json, hash, last_seen, id, change_seq, first_seen, last_changed)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, StatementArguments(columns + [n.id, seq ?? 0, firstSeen, t]))
        } else if changed, let seq {
            try db.exec(
                """
                UPDATE notice SET opportunity_id = ?, source = ?, source_id = ?, kind = ?, title = ?, buyer_name = ?,
                    published = ?, deadline = ?, value_upper = ?, main_cpv = ?, revision = ?, json = ?, hash = ?,
                    last_seen = ?, change_seq = ?, last_changed = ? WHERE id = ?
                """, StatementArguments(columns + [seq, t, n.id]))
        } else {
            try db.exec(
                """
                UPDATE notice SET opportunity_id = ?, source = ?, source_id = ?, kind = ?, title = ?, buyer_name = ?,
                    published = ?, deadline = ?, value_upper = ?, main_cpv = ?, revision = ?, json = ?, hash = ?,
                    last_seen = ? WHERE id = ?
                """, StatementArguments(columns + [n.id]))
        }
        try db.exec("DELETE FROM notice_ref WHERE notice_id = ?", [n.id])
        for (kind, value) in Self.referenceKeys(n) {
            try db.exec(
                "INSERT OR IGNORE INTO notice_ref (kind, value, notice_id) VALUES (?, ?, ?)", [kind, value, n.id])
        }
        try db.exec("DELETE FROM notice_cpv WHERE notice_id = ?", [n.id])
        var codes = n.cpv
        if let m = n.mainCPV { codes.insert(m, at: 0) }
        for lot in n.lots { codes += lot.cpv }
        for code in Set(codes.map(Self.normaliseCPV)) where !code.isEmpty {
            try db.exec("INSERT OR IGNORE INTO notice_cpv (notice_id, cpv) VALUES (?, ?)", [n.id, code])
        }
        try db.exec("DELETE FROM notice_place WHERE notice_id = ?", [n.id])
        let deps = (n.places + n.lots.flatMap(\.places)).compactMap { $0.departement.map(Self.normaliseDepartement) }
        for dep in Set(deps) where !dep.isEmpty {
            try db.exec("INSERT OR IGNORE INTO notice_place (notice_id, departement) VALUES (?, ?)", [n.id, dep])
        }
        let keyStatement = try db.cachedStatement(sql: "SELECT key FROM notice WHERE id = ?")
        guard let key = try Int64.fetchOne(keyStatement, arguments: [n.id]) else {
            throw StoreError.corruptNotice(path: path, noticeID: n.id, reason: "row vanished while indexing")
        }
        try indexFullText(n, key: key, in: db)
    }

    // MARK: - Reading notices

    /// The notice columns `stored(_:)` decodes, aliased so they never clash with a joined table's columns.
    static let noticeColumns = """
        n.id AS n_id, n.json AS n_json, n.opportunity_id AS n_opportunity_id, n.revision AS n_revision,
        n.change_seq AS n_change_seq, n.first_seen AS n_first_seen, n.last_seen AS n_last_seen,
        n.last_changed AS n_last_changed
        """

    /// Decodes a row holding `noticeColumns`, by column name.
    func stored(_ row: Row) throws -> StoredNotice {
        let id: String = try row.decode(forColumn: "n_id")
        return StoredNotice(
            notice: try decode(try row.decode(forColumn: "n_json"), id: id),
            opportunityID: try row.decode(forColumn: "n_opportunity_id"),
            revision: try row.decode(forColumn: "n_revision"),
            changeSequence: try row.decode(forColumn: "n_change_seq"),
            firstSeen: Date(timeIntervalSince1970: try row.decode(forColumn: "n_first_seen")),
            lastSeen: Date(timeIntervalSince1970: try row.decode(forColumn: "n_last_seen")),
            lastChanged: Date(timeIntervalSince1970: try row.decode(forColumn: "n_last_changed")))
    }

    func decode(_ json: String, id: String) throws -> Notice {
        do {
            return try noticeDecoder.decode(Notice.self, from: Data(json.utf8))
        } catch {
            throw StoreError.corruptNotice(path: path, noticeID: id, reason: "cannot decode stored JSON: \(error)")
        }
    }

    /// One stored notice by id (`source:sourceID`).
    public func notice(id: String) throws -> StoredNotice? {
        try read { db in
            try db.rows("SELECT \(Self.noticeColumns) FROM notice n WHERE n.id = ?", [id]).first.map(stored)
        }
    }

    /// Notices inserted or materially changed after change sequence `sequence`, in sequence order;
    /// at most `limit` of them (page with the last one's `changeSequence`).
    public func noticesChanged(after sequence: Int64, limit: Int? = nil) throws -> [StoredNotice] {
        try read { db in
            try db.rows(
                "SELECT \(Self.noticeColumns) FROM notice n WHERE n.change_seq > ? ORDER BY n.change_seq LIMIT ?",
                [sequence, limit ?? -1]
            ).map(stored)
        }
    }

    /// The highest change sequence stored (0 for an empty store).
    public func currentChangeSequence() throws -> Int64 {
        try read { db in try Int64.fetchOne(db, sql: "SELECT coalesce(max(change_seq), 0) FROM notice") ?? 0 }
    }

    /// Number of stored notices (source records).
    public func noticeCount() throws -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM notice") ?? 0 }
    }

    // MARK: - Versions

    /// Previous versions of a notice, oldest first.
    public func versions(of noticeID: String) throws -> [NoticeVersion] {
        try read { db in try versions(of: noticeID, in: db) }
    }

    func versions(of noticeID: String, in db: Database) throws -> [NoticeVersion] {
        try db.rows(
            "SELECT revision, json, changes, replaced_at FROM notice_version WHERE notice_id = ? ORDER BY revision",
            [noticeID]
        ).map { row in
            let changesJSON: String = try row.decode(forColumn: "changes")
            let changes: [NoticeChange]
            do {
                changes = try JSONDecoder().decode([NoticeChange].self, from: Data(changesJSON.utf8))
            } catch {
                throw StoreError.corruptNotice(
                    path: path, noticeID: noticeID, reason: "cannot decode the changes of a version: \(error)")
            }
            return NoticeVersion(
                noticeID: noticeID, revision: try row.decode(forColumn: "revision"),
                notice: try decode(try row.decode(forColumn: "json"), id: noticeID), changes: changes,
                replacedAt: Date(timeIntervalSince1970: try row.decode(forColumn: "replaced_at")))
        }
    }

    /// What changed in a notice since `revision` (the earliest old value and the latest new one per field).
    public func changes(of noticeID: String, since revision: Int) throws -> [NoticeChange] {
        try read { db in try changes(of: noticeID, since: revision, in: db) }
    }

    func changes(of noticeID: String, since revision: Int, in db: Database) throws -> [NoticeChange] {
        var merged: [NoticeChange] = []
        for v in try versions(of: noticeID, in: db) where v.revision >= revision {
            for c in v.changes {
                if let i = merged.firstIndex(where: { $0.field == c.field }) {
                    merged[i].new = c.new
                } else {
                    merged.append(c)
                }
            }
        }
        return merged.filter { $0.old != $0.new || ($0.old == nil && $0.new == nil) }
    }

    // MARK: - Pruning

    /// Deletes notices that are over: deadline (or, without one, last sighting) before `cutoff` and not seen
    /// in any source since. Their versions, index rows, routes and deliveries go with them. Returns how many
    /// notices were deleted. One transaction.
    @discardableResult
    public func prune(before cutoff: Date) throws -> Int {
        try write { db in
            let t = cutoff.timeIntervalSince1970
            let doomed = "SELECT key FROM notice WHERE coalesce(deadline, last_seen) < ? AND last_seen < ?"
            try db.exec("DELETE FROM notice_fts WHERE rowid IN (\(doomed))", [t, t])
            try db.exec("DELETE FROM notice WHERE coalesce(deadline, last_seen) < ? AND last_seen < ?", [t, t])
            let deleted = db.changesCount
            try db.exec("DELETE FROM opportunity WHERE id NOT IN (SELECT DISTINCT opportunity_id FROM notice)")
            return deleted
        }
    }

    // MARK: - Dedup keys

    /// The cross-reference keys of a notice. A bare buyer reference ("2026-001") is far too common to
    /// identify a procurement, so it only counts together with the buyer's id or name.
    static func referenceKeys(_ n: Notice) -> [(String, String)] {
        var keys: [(String, String)] = []
        func clean(_ s: String?) -> String? {
            guard let t = s?.trimmingCharacters(in: .whitespacesAndNewlines).lowercased(), !t.isEmpty else {
                return nil
            }
            return t
        }
        if let p = clean(n.refs.eformsProcedureID) { keys.append(("eforms-procedure", p)) }
        if let p = clean(n.refs.eformsNoticeID) { keys.append(("eforms-notice", p)) }
        if let b = clean(n.refs.boampIDWeb) { keys.append(("boamp", b)) }
        if let t = clean(n.refs.tedPublicationNumber) { keys.append(("ted", normaliseTED(t))) }
        if let r = clean(n.refs.buyerReference), let buyer = clean(n.buyer?.id) ?? clean(n.buyer?.name) {
            let folded = buyer.folding(options: [.diacriticInsensitive], locale: nil)
                .split { !($0.isLetter || $0.isNumber) }.joined(separator: " ")
            keys.append(("buyer-ref", folded + "|" + r))
        }
        if let key = sameTenderKey(n) { keys.append((sameTenderKind, key)) }
        if let key = sameTitleDeadlineKey(n) {
            keys.append((sameTitleDeadlineKind, key))
            if n.buyer?.name == nil { keys.append((sameTitleDeadlineNoBuyerKind, key)) }
        }
        return keys
    }

    /// The keys a notice is looked up by: its reference keys, except that a title-and-deadline match must not
    /// join two tenders whose buyers are both named (and, as `sameTenderKey` already compares them, differ).
    /// A notice that names its buyer only looks for buyerless ones; a buyerless one looks for any.
    static func lookupKeys(_ n: Notice) -> [(String, String)] {
        referenceKeys(n).compactMap { kind, value in
            switch kind {
            case sameTitleDeadlineNoBuyerKind: return nil
            case sameTitleDeadlineKind where n.buyer?.name != nil: return (sameTitleDeadlineNoBuyerKind, value)
            default: return (kind, value)
            }
        }
    }

    /// Reference kinds inferred from content rather than identifiers: matched only across different sources.
    static let crossSourceKinds: Set<String> = [sameTenderKind, sameTitleDeadlineKind, sameTitleDeadlineNoBuyerKind]

    /// The reference kinds of `sameTitleDeadlineKey`: every notice's, and again for notices without a buyer.
    static let sameTitleDeadlineKind = "title-deadline"
    static let sameTitleDeadlineNoBuyerKind = "title-deadline-nobuyer"

    /// Buyer platforms' RSS items name the buyer only in their prose and suffix the title with the
    /// département ("Usinage de pièces … (26)"), while BOAMP publishes the same tender with a buyer and the
    /// bare title. The same title words and the same deadline to the minute still name one tender.
    static func sameTitleDeadlineKey(_ n: Notice) -> String? {
        guard n.kind != .callForProjects, let deadline = n.deadline else { return nil }
        var title = titleWords(n.title)
        if n.title.hasSuffix(")"), let last = title.last, last.count <= 3,
            last.first?.isNumber == true || last == "2a" || last == "2b"
        {
            title.removeLast()
        }
        guard title.count >= 4 else { return nil }
        let minute = Int(deadline.instant.timeIntervalSince1970 / 60)
        return "\(minute)|\(title.joined(separator: " "))"
    }

    /// Words folded for comparison: no accents, no case, no punctuation.
    private static func words(_ s: String) -> [String] {
        s.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil)
            .split { !($0.isLetter || $0.isNumber) }.map(String.init)
    }

    /// A title's words, without the country TED prefixes to titles ("France – Usinage…").
    private static func titleWords(_ s: String) -> [String] {
        var title = words(s)
        if title.first == "france" { title.removeFirst() }
        return title
    }

    /// The reference kind of `sameTenderKey`, matched only across different sources.
    static let sameTenderKind = "title-buyer-deadline"

    /// When sources share no identifier (TED's search API often gives no procedure id for a tender BOAMP
    /// also published), the same buyer, the same title and the same deadline day still name one tender.
    /// TED prefixes titles with the country ("France – Usinage…"), so a leading "France" is dropped.
    /// Deliberately strict — exact title words, buyer name and day — so two tenders are never merged by
    /// mistake; and never within one source, where identical titles are separate notices.
    static func sameTenderKey(_ n: Notice) -> String? {
        guard n.kind != .callForProjects, let deadline = n.deadline, let buyer = n.buyer?.name else { return nil }
        let title = titleWords(n.title)
        let buyerWords = words(buyer)
        guard title.count >= 3, !buyerWords.isEmpty else { return nil }
        let paris = TimeZone(identifier: "Europe/Paris")?.secondsFromGMT(for: deadline.instant) ?? 0
        let day = ISO8601.format(deadline.instant, offset: paris).prefix(10)
        return "\(buyerWords.joined(separator: " "))|\(day)|\(title.joined(separator: " "))"
    }

    /// TED writes publication numbers `00123456-2026` in packages and `123456-2026` in the API.
    static func normaliseTED(_ s: String) -> String {
        let parts = s.split(separator: "-", maxSplits: 1)
        guard parts.count == 2 else { return s }
        let number = parts[0].drop { $0 == "0" }
        return "\(number.isEmpty ? "0" : String(number))-\(parts[1])"
    }

    /// CPV codes come as `45210000-2` (with check digit) or `45210000`: keep the eight digits.
    static func normaliseCPV(_ s: String) -> String {
        String(s.trimmingCharacters(in: .whitespaces).prefix { $0.isNumber })
    }

    /// `1` → `01`, `2a` → `2A`.
    static func normaliseDepartement(_ s: String) -> String {
        let t = s.trimmingCharacters(in: .whitespaces).uppercased()
        if t.count == 1, t.first?.isNumber == true { return "0" + t }
        return t
    }
}
