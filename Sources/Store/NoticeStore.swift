import Foundation
import Notices

/// Vigie's memory between runs, in one SQLite file: source state, raw responses, notices with their
/// versions and cross-source duplicates, a French-friendly full-text index, routes, deliveries and runs.
///
/// Final and single-owner (it owns a connection). Open one per process or thread; several processes may
/// open the same file: SQLite's WAL mode lets `vigie query` read while the nightly run writes.
///
/// ```swift
/// let store = try NoticeStore(path: "vigie.sqlite")
/// let summary = try store.ingest(sourceID: "boamp", state: state, raws: raws, notices: notices, at: now)
/// ```
public final class NoticeStore {
    /// The underlying connection (for tests and tools; stages use the methods below).
    public let database: Database
    /// The database file.
    public var path: String { database.path }
    /// How many raw documents are kept per source (the newest); older ones are deleted at each save.
    public var rawRetention: Int = 5

    /// Called at points inside `ingest` (`"state"`, `"raw"`, `"notice:<id>"`) so tests can make a run
    /// die midway and check that the transaction left nothing behind.
    var faultHook: ((String) throws -> Void)?

    /// Opens or creates the store at `path`, bringing its schema to the current version.
    ///
    /// Throws `StoreError` naming the file when it cannot be opened, is not a database, or was written by a
    /// newer build.
    public init(path: String) throws {
        database = try Database(path: path)
        try Schema.migrate(database)
    }

    /// Schema version of the file (the number of migrations applied).
    public func schemaVersion() throws -> Int {
        try database.query("SELECT max(version) FROM schema_version").first?.first?.int ?? 0
    }

    /// Schema version this build writes.
    public static var supportedSchemaVersion: Int { Schema.currentVersion }

    // MARK: - Source state

    /// Every source's saved state, by source id.
    public func sourceStates() throws -> [String: SourceState] {
        var out: [String: SourceState] = [:]
        try database.forEachRow(
            """
            SELECT source_id, etag, last_modified, cursor, last_attempt, last_success, consecutive_failures,
                   last_error, last_http_status, incomplete, records_left FROM source_state
            """
        ) { r in
            let s = SourceState(
                sourceID: r[0].string ?? "", etag: r[1].string, lastModified: r[2].string, cursor: r[3].string,
                lastAttempt: r[4].double.map(Date.init(timeIntervalSince1970:)),
                lastSuccess: r[5].double.map(Date.init(timeIntervalSince1970:)),
                consecutiveFailures: r[6].int ?? 0, lastError: r[7].string, lastHTTPStatus: r[8].int,
                isIncomplete: (r[9].int ?? 0) != 0, left: r[10].int)
            out[s.sourceID] = s
        }
        return out
    }

    /// Saves (replaces) one source's state.
    public func save(_ state: SourceState) throws {
        try database.transaction { try saveState(state) }
    }

    private func saveState(_ s: SourceState) throws {
        guard !s.sourceID.isEmpty else { throw StoreError.invalidInput(path: path, reason: "source state without id") }
        try database.execute(
            """
            INSERT OR REPLACE INTO source_state (source_id, etag, last_modified, cursor, last_attempt, last_success,
                consecutive_failures, last_error, last_http_status, incomplete, records_left)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .text(s.sourceID), .optional(s.etag), .optional(s.lastModified), .optional(s.cursor),
                time(s.lastAttempt), time(s.lastSuccess), .integer(Int64(s.consecutiveFailures)),
                .optional(s.lastError), .optional(s.lastHTTPStatus), .integer(s.isIncomplete ? 1 : 0),
                .optional(s.left),
            ])
    }

    // MARK: - Raw documents

    /// Keeps one fetched response; only the newest `rawRetention` per source are kept.
    public func saveRaw(_ doc: RawDocument) throws {
        try database.transaction { try insertRaw(doc) }
    }

    private func insertRaw(_ d: RawDocument) throws {
        try database.execute(
            "INSERT INTO raw_document (source_id, url, http_status, content_type, body, fetched_at) "
                + "VALUES (?, ?, ?, ?, ?, ?)",
            [
                .text(d.sourceID), .text(d.url), .integer(Int64(d.httpStatus)), .optional(d.contentType),
                .blob(d.body), .real(d.fetchedAt.timeIntervalSince1970),
            ])
        try database.execute(
            """
            DELETE FROM raw_document WHERE source_id = ? AND id NOT IN
                (SELECT id FROM raw_document WHERE source_id = ? ORDER BY id DESC LIMIT ?)
            """, [.text(d.sourceID), .text(d.sourceID), .integer(Int64(max(rawRetention, 0)))])
    }

    /// The kept raw documents of a source, newest first.
    public func rawDocuments(sourceID: String) throws -> [RawDocument] {
        try database.query(
            """
            SELECT source_id, url, http_status, content_type, body, fetched_at FROM raw_document
            WHERE source_id = ? ORDER BY id DESC
            """, [.text(sourceID)]
        ).map { r in
            RawDocument(
                sourceID: r[0].string ?? "", url: r[1].string ?? "", httpStatus: r[2].int ?? 0,
                contentType: r[3].string, body: r[4].bytes ?? [],
                fetchedAt: Date(timeIntervalSince1970: r[5].double ?? 0))
        }
    }

    // MARK: - Notices

    /// Inserts new notices, versions changed ones and recognises duplicates across sources, in one transaction.
    ///
    /// A notice is *changed* when a material field differs (deadline, value, title, lots, CPV…; not the
    /// `updated` timestamp some feeds bump at every fetch): the previous version is kept with what changed.
    public func upsert(_ notices: [Notice], at date: Date) throws -> UpsertSummary {
        try database.transaction { try upsertInTransaction(notices, at: date) }
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
        return try database.transaction {
            try saveState(state)
            try faultHook?("state")
            for r in raws {
                try insertRaw(r)
                try faultHook?("raw")
            }
            return try upsertInTransaction(notices, at: date)
        }
    }

    func upsertInTransaction(_ notices: [Notice], at date: Date) throws -> UpsertSummary {
        var summary = UpsertSummary()
        let encoder = NoticeJSON.encoder()
        var seq = try database.query("SELECT coalesce(max(change_seq), 0) FROM notice").first?.first?.int ?? 0
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
            let existing = try database.query(
                "SELECT opportunity_id, revision, json, hash FROM notice WHERE id = ?", [.text(notice.id)]
            ).first
            if let existing {
                var opportunity = Int64(existing[0].int ?? 0)
                let revision = existing[1].int ?? 1
                if existing[3].string == hash {
                    try database.execute("UPDATE notice SET last_seen = ? WHERE id = ?", [.real(t), .text(notice.id)])
                    summary.unchanged.append(notice.id)
                    try faultHook?("notice:\(notice.id)")
                    continue
                }
                let old = try decode(existing[2].string ?? "", id: notice.id)
                let changes = NoticeDiff.changes(from: old, to: notice)
                opportunity = try resolveOpportunity(for: notice, current: opportunity, at: t)
                if changes.isEmpty {
                    // Same content, only volatile fields moved: refresh silently, no new revision.
                    try writeNotice(
                        notice, json: json, hash: hash, opportunity: opportunity, revision: revision,
                        seq: nil, firstSeen: nil, at: t, changed: false)
                    summary.unchanged.append(notice.id)
                } else {
                    let changesJSON = String(decoding: try JSONEncoder().encode(changes), as: UTF8.self)
                    try database.execute(
                        "INSERT OR REPLACE INTO notice_version (notice_id, revision, json, changes, replaced_at) "
                            + "VALUES (?, ?, ?, ?, ?)",
                        [.text(notice.id), .integer(Int64(revision)), existing[2], .text(changesJSON), .real(t)])
                    seq += 1
                    try writeNotice(
                        notice, json: json, hash: hash, opportunity: opportunity, revision: revision + 1,
                        seq: seq, firstSeen: nil, at: t, changed: true)
                    summary.changed.append(notice.id)
                    summary.changes[notice.id] = changes
                }
            } else {
                let (opportunity, joined) = try findOrCreateOpportunity(for: notice, at: t)
                seq += 1
                try writeNotice(
                    notice, json: json, hash: hash, opportunity: opportunity, revision: 1, seq: seq,
                    firstSeen: t, at: t, changed: true)
                summary.inserted.append(notice.id)
                if joined { summary.joined.append(notice.id) }
            }
            try faultHook?("notice:\(notice.id)")
        }
        return summary
    }

    /// Writes the notice row and its index rows (refs, CPV, places, full text).
    private func writeNotice(
        _ n: Notice, json: String, hash: String, opportunity: Int64, revision: Int, seq: Int?,
        firstSeen: Double?, at t: Double, changed: Bool
    ) throws {
        let deadline = (n.deadline ?? n.call?.closing)?.instant.timeIntervalSince1970
        let value = n.value?.upperBound.map { NSDecimalNumber(decimal: $0).doubleValue }
        let columns: [Database.Value] = [
            .integer(opportunity), .text(n.source), .text(n.sourceID), .text(n.kind.rawValue), .text(n.title),
            .optional(n.buyer?.name), time(n.published), deadline.map { .real($0) } ?? .null,
            value.map { .real($0) } ?? .null, .optional(n.mainCPV), .integer(Int64(revision)), .text(json),
            .text(hash), .real(t),
        ]
        if let firstSeen {
            try database.execute(
                """
                INSERT INTO notice (opportunity_id, source, source_id, kind, title, buyer_name, published, deadline,
                    value_upper, main_cpv, revision, json, hash, last_seen, id, change_seq, first_seen, last_changed)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, columns + [.text(n.id), .integer(Int64(seq ?? 0)), .real(firstSeen), .real(t)])
        } else if changed, let seq {
            try database.execute(
                """
                UPDATE notice SET opportunity_id = ?, source = ?, source_id = ?, kind = ?, title = ?, buyer_name = ?,
                    published = ?, deadline = ?, value_upper = ?, main_cpv = ?, revision = ?, json = ?, hash = ?,
                    last_seen = ?, change_seq = ?, last_changed = ? WHERE id = ?
                """, columns + [.integer(Int64(seq)), .real(t), .text(n.id)])
        } else {
            try database.execute(
                """
                UPDATE notice SET opportunity_id = ?, source = ?, source_id = ?, kind = ?, title = ?, buyer_name = ?,
                    published = ?, deadline = ?, value_upper = ?, main_cpv = ?, revision = ?, json = ?, hash = ?,
                    last_seen = ? WHERE id = ?
                """, columns + [.text(n.id)])
        }
        try database.execute("DELETE FROM notice_ref WHERE notice_id = ?", [.text(n.id)])
        for (kind, value) in Self.referenceKeys(n) {
            try database.execute(
                "INSERT OR IGNORE INTO notice_ref (kind, value, notice_id) VALUES (?, ?, ?)",
                [.text(kind), .text(value), .text(n.id)])
        }
        try database.execute("DELETE FROM notice_cpv WHERE notice_id = ?", [.text(n.id)])
        var codes = n.cpv
        if let m = n.mainCPV { codes.insert(m, at: 0) }
        for lot in n.lots { codes += lot.cpv }
        for code in Set(codes.map(Self.normaliseCPV)) where !code.isEmpty {
            try database.execute(
                "INSERT OR IGNORE INTO notice_cpv (notice_id, cpv) VALUES (?, ?)",
                [.text(n.id), .text(code)])
        }
        try database.execute("DELETE FROM notice_place WHERE notice_id = ?", [.text(n.id)])
        let deps = (n.places + n.lots.flatMap(\.places)).compactMap { $0.departement.map(Self.normaliseDepartement) }
        for dep in Set(deps) where !dep.isEmpty {
            try database.execute(
                "INSERT OR IGNORE INTO notice_place (notice_id, departement) VALUES (?, ?)",
                [.text(n.id), .text(dep)])
        }
        guard let key = try database.query("SELECT key FROM notice WHERE id = ?", [.text(n.id)]).first?.first else {
            throw StoreError.corruptNotice(path: path, noticeID: n.id, reason: "row vanished while indexing")
        }
        try database.execute("DELETE FROM notice_fts WHERE rowid = ?", [key])
        var body: [String] = [n.summary, n.content, n.procedure, n.call?.funder].compactMap { $0 }
        body += n.lots.compactMap(\.title) + n.categories + n.descriptors + (n.call?.beneficiaries ?? [])
        // Who won is what staff search award data for ("qui a remporté le marché de …").
        body += n.awardees.compactMap(\.name)
        try database.execute(
            "INSERT INTO notice_fts (rowid, title, body, buyer) VALUES (?, ?, ?, ?)",
            [
                key, .text(n.title), .text(body.joined(separator: "\n")),
                .optional(n.buyer?.name),
            ])
    }

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

    private func opportunities(matching n: Notice) throws -> [Int64] {
        var found = Set<Int64>()
        var hits = Set<Int64>()
        for (kind, value) in Self.lookupKeys(n) {
            // The title-based key only links an opportunity that has no record of this source yet: two
            // notices of one source with the same title are two tenders, even if a third source joins one.
            let sameSource =
                Self.crossSourceKinds.contains(kind)
                ? " AND NOT EXISTS (SELECT 1 FROM notice o WHERE o.opportunity_id = n.opportunity_id"
                    + " AND o.source = ? AND o.id != ?)" : ""
            try database.forEachRow(
                """
                SELECT DISTINCT n.opportunity_id FROM notice_ref r JOIN notice n ON n.id = r.notice_id
                WHERE r.kind = ? AND r.value = ? AND r.notice_id != ?\(sameSource)
                """,
                [.text(kind), .text(value), .text(n.id)] + (sameSource.isEmpty ? [] : [.text(n.source), .text(n.id)])
            ) { row in if let v = row[0].int { hits.insert(Int64(v)) } }
            if kind == Self.sameTitleDeadlineNoBuyerKind, let mine = Self.sameTenderKey(n)?.split(separator: "|").first {
                // Joining through a buyerless item must not reach a tender whose named buyer is another one.
                hits = try hits.filter { opportunity in
                    try database.query(
                        """
                        SELECT r.value FROM notice_ref r JOIN notice n ON n.id = r.notice_id
                        WHERE n.opportunity_id = ? AND r.kind = ?
                        """, [.integer(opportunity), .text(Self.sameTenderKind)]
                    ).allSatisfy { $0[0].string?.split(separator: "|").first == mine }
                }
            }
            // A content key that points at several tenders is ambiguous evidence: it must not merge them.
            if !(Self.crossSourceKinds.contains(kind) && hits.count > 1) { found.formUnion(hits) }
            hits.removeAll()
        }
        return found.sorted()
    }

    private func findOrCreateOpportunity(for n: Notice, at t: Double) throws -> (Int64, Bool) {
        let found = try opportunities(matching: n)
        if let first = found.first {
            try mergeOpportunities(into: first, from: Array(found.dropFirst()))
            return (first, true)
        }
        try database.execute("INSERT INTO opportunity (first_seen) VALUES (?)", [.real(t)])
        return (database.lastInsertRowID, false)
    }

    /// A changed notice may now carry a reference linking it to another opportunity (a TED number added
    /// by a corrigendum): merge them, keeping the oldest.
    private func resolveOpportunity(for n: Notice, current: Int64, at t: Double) throws -> Int64 {
        let found = Set(try opportunities(matching: n)).union([current]).sorted()
        guard let first = found.first else { return current }
        try mergeOpportunities(into: first, from: Array(found.dropFirst()))
        return first
    }

    private func mergeOpportunities(into target: Int64, from others: [Int64]) throws {
        for o in others where o != target {
            try database.execute(
                "UPDATE notice SET opportunity_id = ? WHERE opportunity_id = ?",
                [.integer(target), .integer(o)])
            try database.execute("DELETE FROM opportunity WHERE id = ?", [.integer(o)])
        }
    }

    /// One decoder for the store's life: creating a JSONDecoder per notice dominated large digests.
    private let noticeDecoder = NoticeJSON.decoder()

    private func decode(_ json: String, id: String) throws -> Notice {
        do {
            return try noticeDecoder.decode(Notice.self, from: Data(json.utf8))
        } catch {
            throw StoreError.corruptNotice(path: path, noticeID: id, reason: "cannot decode stored JSON: \(error)")
        }
    }

    static let noticeColumns =
        "n.id, n.json, n.opportunity_id, n.revision, n.change_seq, n.first_seen, n.last_seen, n.last_changed"

    private func stored(_ r: [Database.Value]) throws -> StoredNotice {
        let id = r[0].string ?? ""
        return StoredNotice(
            notice: try decode(r[1].string ?? "", id: id), opportunityID: Int64(r[2].int ?? 0),
            revision: r[3].int ?? 1, changeSequence: Int64(r[4].int ?? 0),
            firstSeen: Date(timeIntervalSince1970: r[5].double ?? 0),
            lastSeen: Date(timeIntervalSince1970: r[6].double ?? 0),
            lastChanged: Date(timeIntervalSince1970: r[7].double ?? 0))
    }

    /// One stored notice by id (`source:sourceID`).
    public func notice(id: String) throws -> StoredNotice? {
        try database.query("SELECT \(Self.noticeColumns) FROM notice n WHERE n.id = ?", [.text(id)])
            .first.map(stored)
    }

    /// Every source record of one opportunity, oldest first.
    public func records(ofOpportunity id: Int64) throws -> [StoredNotice] {
        try database.query(
            "SELECT \(Self.noticeColumns) FROM notice n WHERE n.opportunity_id = ? ORDER BY n.first_seen, n.id",
            [.integer(id)]
        ).map(stored)
    }

    /// Notices inserted or materially changed after change sequence `sequence`, in sequence order;
    /// at most `limit` of them (page with the last one's `changeSequence`).
    public func noticesChanged(after sequence: Int64, limit: Int? = nil) throws -> [StoredNotice] {
        try database.query(
            "SELECT \(Self.noticeColumns) FROM notice n WHERE n.change_seq > ? ORDER BY n.change_seq LIMIT ?",
            [.integer(sequence), .integer(Int64(limit ?? -1))]
        ).map(stored)
    }

    /// The highest change sequence stored (0 for an empty store).
    public func currentChangeSequence() throws -> Int64 {
        Int64(try database.query("SELECT coalesce(max(change_seq), 0) FROM notice").first?.first?.int ?? 0)
    }

    /// Number of stored notices (source records).
    public func noticeCount() throws -> Int {
        try database.query("SELECT count(*) FROM notice").first?.first?.int ?? 0
    }

    /// Previous versions of a notice, oldest first.
    public func versions(of noticeID: String) throws -> [NoticeVersion] {
        try database.query(
            "SELECT revision, json, changes, replaced_at FROM notice_version WHERE notice_id = ? ORDER BY revision",
            [.text(noticeID)]
        ).map { r in
            let changes =
                (try? JSONDecoder().decode([NoticeChange].self, from: Data((r[2].string ?? "[]").utf8)))
                ?? []
            return NoticeVersion(
                noticeID: noticeID, revision: r[0].int ?? 0,
                notice: try decode(r[1].string ?? "", id: noticeID), changes: changes,
                replacedAt: Date(timeIntervalSince1970: r[3].double ?? 0))
        }
    }

    /// What changed in a notice since `revision` (the earliest old value and the latest new one per field).
    public func changes(of noticeID: String, since revision: Int) throws -> [NoticeChange] {
        var merged: [NoticeChange] = []
        for v in try versions(of: noticeID) where v.revision >= revision {
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

    /// Deletes notices that are over: deadline (or, without one, last sighting) before `cutoff` and not seen
    /// in any source since. Their versions, index rows, routes and deliveries go with them. Returns how many
    /// notices were deleted. One transaction.
    @discardableResult
    public func prune(before cutoff: Date) throws -> Int {
        try database.transaction {
            let t = cutoff.timeIntervalSince1970
            let doomed = "SELECT key FROM notice WHERE coalesce(deadline, last_seen) < ? AND last_seen < ?"
            try database.execute("DELETE FROM notice_fts WHERE rowid IN (\(doomed))", [.real(t), .real(t)])
            try database.execute(
                "DELETE FROM notice WHERE coalesce(deadline, last_seen) < ? AND last_seen < ?", [.real(t), .real(t)])
            let deleted = database.changes
            try database.execute(
                "DELETE FROM opportunity WHERE id NOT IN (SELECT DISTINCT opportunity_id FROM notice)")
            return deleted
        }
    }

    // MARK: - Search

    /// Ad hoc query: full text (French-friendly, see `NoticeQuery.text`) and filters; best matches first
    /// with text, newest first without.
    public func search(_ q: NoticeQuery) throws -> [Notice] {
        try searchStored(q).map(\.notice)
    }

    /// Like `search`, with the store's bookkeeping.
    public func searchStored(_ q: NoticeQuery) throws -> [StoredNotice] {
        var sql = ""
        var args: [Database.Value] = []
        var conditions: [String] = []
        let text = q.text.flatMap(FTSQuery.expression)
        if q.text != nil, !(q.text ?? "").trimmingCharacters(in: .whitespaces).isEmpty, text == nil {
            return []
        }
        if let text {
            sql = "SELECT \(Self.noticeColumns) FROM notice_fts JOIN notice n ON n.key = notice_fts.rowid"
            conditions.append("notice_fts MATCH ?")
            args.append(.text(text))
        } else {
            sql = "SELECT \(Self.noticeColumns) FROM notice n"
        }
        if !q.kinds.isEmpty {
            conditions.append("n.kind IN (\(q.kinds.map { _ in "?" }.joined(separator: ", ")))")
            args += q.kinds.map { .text($0.rawValue) }
        }
        if let cpv = q.cpvPrefix.map(Self.normaliseCPV), !cpv.isEmpty {
            conditions.append(
                "EXISTS (SELECT 1 FROM notice_cpv c WHERE c.notice_id = n.id AND substr(c.cpv, 1, ?) = ?)")
            args += [.integer(Int64(cpv.count)), .text(cpv)]
        }
        if let dep = q.departement.map(Self.normaliseDepartement), !dep.isEmpty {
            conditions.append("EXISTS (SELECT 1 FROM notice_place p WHERE p.notice_id = n.id AND p.departement = ?)")
            args.append(.text(dep))
        }
        if let since = q.since {
            conditions.append("coalesce(n.published, n.first_seen) >= ?")
            args.append(.real(since.timeIntervalSince1970))
        }
        if let after = q.deadlineAfter {
            conditions.append("n.deadline >= ?")
            args.append(.real(after.timeIntervalSince1970))
        }
        if let minValue = q.minValue {
            conditions.append("n.value_upper >= ?")
            args.append(.real(minValue))
        }
        if let source = q.source {
            conditions.append("n.source = ?")
            args.append(.text(source))
        }
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        sql +=
            text != nil
            ? " ORDER BY notice_fts.rank, n.id"
            : " ORDER BY coalesce(n.published, n.first_seen) DESC, n.id"
        let limit = max(q.limit, 0)
        // Over-fetch when collapsing duplicates, so `limit` distinct opportunities usually come back.
        sql += " LIMIT ?"
        args.append(.integer(Int64(q.collapseDuplicates ? limit * 4 + 16 : limit)))
        var out: [StoredNotice] = []
        var seen = Set<Int64>()
        for row in try database.query(sql, args) {
            let s = try stored(row)
            if q.collapseDuplicates {
                guard seen.insert(s.opportunityID).inserted else { continue }
            }
            out.append(s)
            if out.count >= limit { break }
        }
        return out
    }

    // MARK: - Runs

    /// Records the start of a run and returns its id.
    public func beginRun(at date: Date) throws -> Int64 {
        try database.transaction {
            try database.execute(
                "INSERT INTO run (started_at, status) VALUES (?, 'running')",
                [.real(date.timeIntervalSince1970)])
            return database.lastInsertRowID
        }
    }

    /// Records the end of a run: `status` is `ok`, `partial` or `failed`; `classifiedThrough` the change
    /// sequence up to which notices were classified (nil when the run failed before classifying).
    public func finishRun(
        _ id: Int64, at date: Date, status: String, classifiedThrough: Int64?,
        summary: String?
    ) throws {
        try database.transaction {
            try database.execute(
                "UPDATE run SET finished_at = ?, status = ?, classified_through = ?, summary = ? WHERE id = ?",
                [
                    .real(date.timeIntervalSince1970), .text(status), classifiedThrough.map { .integer($0) } ?? .null,
                    .optional(summary), .integer(id),
                ])
        }
    }

    /// The change sequence the last run that classified went through (0 when none did), so the next run
    /// classifies only what is new or changed since. A killed run (still `running`) does not count:
    /// its notices are classified again.
    public func lastClassifiedSequence() throws -> Int64 {
        Int64(
            try database.query(
                "SELECT coalesce(max(classified_through), 0) FROM run WHERE status IN ('ok', 'partial')"
            ).first?.first?.int ?? 0)
    }

    /// Recorded runs, newest first.
    public func runs(limit: Int = 20) throws -> [RunRecord] {
        try database.query(
            "SELECT id, started_at, finished_at, status, classified_through, summary FROM run ORDER BY id DESC LIMIT ?",
            [.integer(Int64(limit))]
        ).map { r in
            RunRecord(
                id: Int64(r[0].int ?? 0), startedAt: Date(timeIntervalSince1970: r[1].double ?? 0),
                finishedAt: r[2].double.map(Date.init(timeIntervalSince1970:)), status: r[3].string ?? "",
                classifiedThrough: r[4].int.map(Int64.init), summary: r[5].string)
        }
    }

    // MARK: - Routes and deliveries

    /// Replaces the routes of the given notices by `routes` (a notice classified again may lose routes),
    /// in one transaction. Each route is tied to the notice's current revision.
    ///
    /// With `clusters`, only those clusters' routes are replaced (a run limited to some clusters leaves the
    /// others' routes alone).
    public func recordRoutes(
        _ routes: [RouteRecord], replacingRoutesOf noticeIDs: [String], runID: Int64?,
        at date: Date, clusters: [String]? = nil
    ) throws {
        try database.transaction {
            for id in Set(noticeIDs + routes.map(\.noticeID)) {
                if let clusters {
                    for c in clusters {
                        try database.execute(
                            "DELETE FROM route WHERE notice_id = ? AND cluster = ?",
                            [.text(id), .text(c)])
                    }
                } else {
                    try database.execute("DELETE FROM route WHERE notice_id = ?", [.text(id)])
                }
            }
            for r in routes {
                try database.execute(
                    """
                    INSERT OR REPLACE INTO route (notice_id, cluster, member, role, score, revision, payload, run_id,
                        recorded_at)
                    SELECT ?, ?, ?, ?, ?, revision, ?, ?, ? FROM notice WHERE id = ?
                    """,
                    [
                        .text(r.noticeID), .text(r.cluster), .text(r.member), .text(r.role), .real(r.score),
                        .optional(r.payload), runID.map { .integer($0) } ?? .null, .real(date.timeIntervalSince1970),
                        .text(r.noticeID),
                    ])
                if database.changes == 0 {
                    throw StoreError.invalidInput(path: path, reason: "route for unknown notice \(r.noticeID)")
                }
            }
        }
    }

    /// Routes of a cluster (all, delivered or not).
    public func routes(cluster: String) throws -> [RouteRecord] {
        try database.query(
            "SELECT notice_id, cluster, member, role, score, payload FROM route WHERE cluster = ? "
                + "ORDER BY score DESC, notice_id, member, role", [.text(cluster)]
        ).map(Self.route)
    }

    private static func route(_ r: [Database.Value]) -> RouteRecord {
        RouteRecord(
            noticeID: r[0].string ?? "", cluster: r[1].string ?? "", member: r[2].string ?? "",
            role: r[3].string ?? "", score: r[4].double ?? 0, payload: r[5].string)
    }

    /// Routes of a cluster not delivered at the notice's current revision: never told (`isUpdate` false),
    /// or told about an earlier revision (`isUpdate` true, with `changesSinceDelivery`) — including
    /// recipients the changed notice no longer routes to (their route then has score 0 and no payload).
    /// Best scores first.
    public func undelivered(cluster: String) throws -> [PendingRoute] {
        var out: [PendingRoute] = []
        // Second half: a notice told to someone that changed and no longer routes to them (a corrigendum
        // brought the deadline inside the lead time, or removed the lot they were routed through). They
        // still need to hear about the change, so deliveries, not routes, drive "changed since we told you".
        let rows = try database.query(
            """
            SELECT r.notice_id, r.cluster, r.member, r.role, r.score, r.payload, d.revision, d.delivered_at,
                   \(Self.noticeColumns)
            FROM route r JOIN notice n ON n.id = r.notice_id
            LEFT JOIN delivery d ON d.notice_id = r.notice_id AND d.cluster = r.cluster AND d.member = r.member
                 AND d.role = r.role
            WHERE r.cluster = ? AND (d.revision IS NULL OR d.revision < n.revision)
            UNION ALL
            SELECT d.notice_id, d.cluster, d.member, d.role, 0.0, NULL, d.revision, d.delivered_at,
                   \(Self.noticeColumns)
            FROM delivery d JOIN notice n ON n.id = d.notice_id
            WHERE d.cluster = ? AND d.revision < n.revision AND NOT EXISTS (
                SELECT 1 FROM route r WHERE r.notice_id = d.notice_id AND r.cluster = d.cluster
                    AND r.member = d.member AND r.role = d.role)
            ORDER BY 5 DESC, 1, 3, 4
            """, [.text(cluster), .text(cluster)])
        // A notice routed to twenty members comes back twenty times: decode it once.
        var decoded: [String: StoredNotice] = [:]
        for r in rows {
            let route = Self.route(Array(r[0..<6]))
            let s: StoredNotice
            if let cached = decoded[route.noticeID] {
                s = cached
            } else {
                s = try stored(Array(r[8...]))
                decoded[route.noticeID] = s
            }
            let delivered = r[6].int
            out.append(
                PendingRoute(
                    route: route, notice: s, deliveredRevision: delivered,
                    deliveredAt: r[7].double.map(Date.init(timeIntervalSince1970:)),
                    changesSinceDelivery: try delivered.map { try changes(of: s.id, since: $0) } ?? []))
        }
        return out
    }

    /// Records that these recipients were told, at the given revisions, so a re-run sends nothing twice.
    public func markDelivered(_ deliveries: [DeliveryRecord]) throws {
        try database.transaction {
            for d in deliveries {
                try database.execute(
                    """
                    INSERT OR REPLACE INTO delivery (notice_id, cluster, member, role, revision, delivered_at, run_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                    [
                        .text(d.key.noticeID), .text(d.key.cluster), .text(d.key.member), .text(d.key.role),
                        .integer(Int64(d.revision)), .real(d.deliveredAt.timeIntervalSince1970),
                        d.runID.map { .integer($0) } ?? .null,
                    ])
            }
        }
    }

    /// Deliveries recorded for a cluster.
    public func deliveries(cluster: String) throws -> [DeliveryRecord] {
        try database.query(
            """
            SELECT notice_id, cluster, member, role, revision, delivered_at, run_id FROM delivery WHERE cluster = ?
            ORDER BY notice_id, member, role
            """, [.text(cluster)]
        ).map { r in
            DeliveryRecord(
                key: DeliveryKey(
                    noticeID: r[0].string ?? "", cluster: r[1].string ?? "", member: r[2].string ?? "",
                    role: r[3].string ?? ""),
                revision: r[4].int ?? 0, deliveredAt: Date(timeIntervalSince1970: r[5].double ?? 0),
                runID: r[6].int.map(Int64.init))
        }
    }

    /// Opportunities already told to each recipient of a cluster, so that the TED record of a procurement
    /// already sent from BOAMP is not announced again as new.
    public func deliveredOpportunities(cluster: String) throws -> Set<DeliveredOpportunity> {
        var out = Set<DeliveredOpportunity>()
        try database.forEachRow(
            """
            SELECT DISTINCT n.opportunity_id, d.member, d.role FROM delivery d JOIN notice n ON n.id = d.notice_id
            WHERE d.cluster = ?
            """, [.text(cluster)]
        ) { r in
            out.insert(
                DeliveredOpportunity(
                    opportunityID: Int64(r[0].int ?? 0), member: r[1].string ?? "",
                    role: r[2].string ?? ""))
        }
        return out
    }

    /// Routes of a cluster whose notice's deadline (or call closing date) falls in `from...to`, with the
    /// notices, soonest first: the digest's "deadlines soon" list, delivered or not.
    public func routedNotices(cluster: String, deadlineFrom from: Date, to: Date) throws -> [RoutedNotice] {
        var decoded: [String: StoredNotice] = [:]
        return try database.query(
            """
            SELECT r.notice_id, r.cluster, r.member, r.role, r.score, r.payload, \(Self.noticeColumns)
            FROM route r JOIN notice n ON n.id = r.notice_id
            WHERE r.cluster = ? AND n.deadline >= ? AND n.deadline <= ?
            ORDER BY n.deadline, r.notice_id, r.member, r.role
            """, [.text(cluster), .real(from.timeIntervalSince1970), .real(to.timeIntervalSince1970)]
        ).map { r in
            let route = Self.route(Array(r[0..<6]))
            if let cached = decoded[route.noticeID] { return RoutedNotice(route: route, notice: cached) }
            let s = try stored(Array(r[6...]))
            decoded[route.noticeID] = s
            return RoutedNotice(route: route, notice: s)
        }
    }

    // MARK: - Helpers

    private func time(_ d: Date?) -> Database.Value { d.map { .real($0.timeIntervalSince1970) } ?? .null }
}

/// A recorded delivery: who was told about which revision of a notice, when.
public struct DeliveryRecord: Sendable, Hashable {
    public var key: DeliveryKey
    public var revision: Int
    public var deliveredAt: Date
    public var runID: Int64?

    public init(key: DeliveryKey, revision: Int, deliveredAt: Date, runID: Int64? = nil) {
        self.key = key
        self.revision = revision
        self.deliveredAt = deliveredAt
        self.runID = runID
    }
}

extension PendingRoute {
    /// The delivery to record once this route went out in a digest.
    public func delivery(at date: Date, runID: Int64?) -> DeliveryRecord {
        DeliveryRecord(key: route.key, revision: notice.revision, deliveredAt: date, runID: runID)
    }
}

/// One opportunity told to one recipient of a cluster (any of its source records).
public struct DeliveredOpportunity: Sendable, Hashable {
    public var opportunityID: Int64
    public var member: String
    public var role: String

    public init(opportunityID: Int64, member: String, role: String) {
        self.opportunityID = opportunityID
        self.member = member
        self.role = role
    }
}

/// A route with its notice.
public struct RoutedNotice: Sendable, Hashable {
    public var route: RouteRecord
    public var notice: StoredNotice
}
