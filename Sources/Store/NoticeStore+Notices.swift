import Compression
import Foundation
import GRDB
import Notices

/// Table `notice` (one row per source record, the whole `Notice` as deflated JSON plus indexed copies), its index
/// tables (`notice_ref` dedup keys, `notice_facet` and `notice_fts` for searches, see `+Search`) and
/// `notice_version` (previous versions).
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
        // A source's responses and notices are megabytes: copied into the database file beside the next source.
        defer { checkpointer.request() }
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
        var fullText = FullTextWrites()
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
                """
                SELECT key, opportunity_id, revision, json, hash, first_seen, coalesce(published, first_seen) AS t
                FROM notice WHERE id = ?
                """, [notice.id]
            ).first
            if let existing {
                var opportunity: Int64 = try existing.decode(forColumn: "opportunity_id")
                let revision: Int = try existing.decode(forColumn: "revision")
                if try existing.decode(String.self, forColumn: "hash") == hash {
                    try db.exec("UPDATE notice SET last_seen = ? WHERE id = ?", [t, notice.id])
                    summary.unchanged.append(notice.id)
                    try faultHook?("notice:\(notice.id)")
                    continue
                }
                let oldJSON: DatabaseValue = try existing.decode(forColumn: "json")
                let old = try decode(oldJSON, id: notice.id)
                let previous = Indexed(
                    notice: old, key: try existing.decode(forColumn: "key"), time: try existing.decode(forColumn: "t"),
                    firstSeen: try existing.decode(forColumn: "first_seen"))
                let changes = NoticeDiff.changes(from: old, to: notice)
                opportunity = try resolveOpportunity(for: notice, current: opportunity, in: db)
                if changes.isEmpty {
                    // Same content, only volatile fields moved: refresh silently, no new revision.
                    try writeNotice(
                        notice, json: json, hash: hash, opportunity: opportunity, revision: revision,
                        seq: nil, firstSeen: nil, at: t, changed: false, previous: previous, fullText: &fullText,
                        in: db)
                    summary.unchanged.append(notice.id)
                } else {
                    let changesJSON = String(decoding: try JSONEncoder().encode(changes), as: UTF8.self)
                    // The stored value moves as it is (deflated or, from an older build, text).
                    try db.exec(
                        "INSERT OR REPLACE INTO notice_version (notice_id, revision, json, changes, replaced_at) "
                            + "VALUES (?, ?, ?, ?, ?)",
                        [notice.id, revision, oldJSON, changesJSON, t])
                    seq += 1
                    try writeNotice(
                        notice, json: json, hash: hash, opportunity: opportunity, revision: revision + 1,
                        seq: seq, firstSeen: nil, at: t, changed: true, previous: previous, fullText: &fullText,
                        in: db)
                    summary.changed.append(notice.id)
                    summary.changes[notice.id] = changes
                }
            } else {
                let (opportunity, joined) = try findOrCreateOpportunity(for: notice, at: t, in: db)
                seq += 1
                try writeNotice(
                    notice, json: json, hash: hash, opportunity: opportunity, revision: 1, seq: seq,
                    firstSeen: t, at: t, changed: true, previous: nil, fullText: &fullText, in: db)
                summary.inserted.append(notice.id)
                if joined { summary.joined.append(notice.id) }
            }
            try faultHook?("notice:\(notice.id)")
        }
        try fullText.flush(in: db)
        return summary
    }

    /// A notice as the search indexes hold it: its words and facets were written from `notice`, under `key`, at
    /// sort time `time`. What removing them needs (the full-text index keeps no copy of the words).
    struct Indexed {
        var notice: Notice
        var key: Int64
        /// `coalesce(published, first_seen)`.
        var time: Double
        var firstSeen: Double
    }

    /// Writes the notice row and its index rows (refs, facets, full text); `previous` is what the indexes hold
    /// for it before (nil for a new notice).
    private func writeNotice(
        _ n: Notice, json: String, hash: String, opportunity: Int64, revision: Int, seq: Int64?,
        firstSeen: Double?, at t: Double, changed: Bool, previous: Indexed?, fullText: inout FullTextWrites,
        in db: Database
    ) throws {
        let deadline = (n.deadline ?? n.call?.closing)?.instant.timeIntervalSince1970
        let value = n.value?.upperBound.map { NSDecimalNumber(decimal: $0).doubleValue }
        let columns: [(any DatabaseValueConvertible)?] = [
            opportunity, n.source, n.sourceID, n.kind.rawValue, n.title, n.buyer?.name, seconds(n.published),
            deadline, value, n.mainCPV, revision, try compress(json, id: n.id), hash, t,
        ]
        let key: Int64
        if let firstSeen {
            try db.exec(
                """
                INSERT INTO notice (opportunity_id, source, source_id, kind, title, buyer_name, published, deadline,
                    value_upper, main_cpv, revision, json, hash, last_seen, id, change_seq, first_seen, last_changed)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, StatementArguments(columns + [n.id, seq ?? 0, firstSeen, t]))
            key = db.lastInsertedRowID
        } else if changed, let seq {
            try db.exec(
                """
                UPDATE notice SET opportunity_id = ?, source = ?, source_id = ?, kind = ?, title = ?, buyer_name = ?,
                    published = ?, deadline = ?, value_upper = ?, main_cpv = ?, revision = ?, json = ?, hash = ?,
                    last_seen = ?, change_seq = ?, last_changed = ? WHERE id = ?
                """, StatementArguments(columns + [seq, t, n.id]))
            key = try previousKey(previous, n)
        } else {
            try db.exec(
                """
                UPDATE notice SET opportunity_id = ?, source = ?, source_id = ?, kind = ?, title = ?, buyer_name = ?,
                    published = ?, deadline = ?, value_upper = ?, main_cpv = ?, revision = ?, json = ?, hash = ?,
                    last_seen = ? WHERE id = ?
                """, StatementArguments(columns + [n.id]))
            key = try previousKey(previous, n)
        }
        if previous != nil {
            try db.exec("DELETE FROM notice_ref WHERE key = ?", [key])
        }
        for (kind, value) in Self.referenceKeys(n) {
            try db.exec("INSERT OR IGNORE INTO notice_ref (kind, value, key) VALUES (?, ?, ?)", [kind, value, key])
        }
        let stored = firstSeen ?? previous?.firstSeen ?? t
        try index(
            Indexed(notice: n, key: key, time: seconds(n.published) ?? stored, firstSeen: stored), replacing: previous,
            into: &fullText, in: db)
    }

    private func previousKey(_ previous: Indexed?, _ n: Notice) throws -> Int64 {
        guard let previous else {
            throw StoreError.corruptNotice(path: path, noticeID: n.id, reason: "updated without its stored row")
        }
        return previous.key
    }

    /// The notice JSON as stored: a format byte (1) then the JSON deflated with `jsonDictionary`, under a quarter
    /// of its text (the notice table is most of the store).
    func compress(_ json: String, id: String) throws -> Data {
        do {
            return Data([1] + (try Zlib.deflate(Array(json.utf8), dictionary: Self.jsonDictionary)))
        } catch {
            throw StoreError.corruptNotice(path: path, noticeID: id, reason: "cannot compress: \(error)")
        }
    }

    /// The deflate dictionary of stored notices (format 1): what a notice's JSON repeats — `NoticeJSON`'s keys in
    /// their encoded order with usual values, the sources' URL stems, words of French procurement titles and buyer
    /// names. A notice of 2 KB is too short for deflate to learn these from itself; primed, it shrinks by half
    /// again. Never edited once released: stored rows need it to be read; a new dictionary is a new format byte.
    static let jsonDictionary: [UInt8] = Array(
        """
        Réalisation de travaux de construction, réhabilitation, rénovation, restauration, entretien et maint\
        enance des bâtiments communaux. Fourniture et livraison de matériel, prestations de services, nettoy\
        age des locaux, marché public de fournitures courantes, accord-cadre à bons de commande, lot n° 1, l\
        ot 2, mission de maîtrise d'œuvre, assistance à maîtrise d'ouvrage, location, transport, collecte de\
        s déchets, espaces verts, voirie, éclairage public, électricité, chauffage, ventilation, climatisati\
        on, plomberie, menuiserie, peinture, charpente, couverture, gros œuvre, désamiantage, démolition, am\
        énagement, équipements, informatique, logiciels, télécommunications, restauration collective, denrée\
        s alimentaires, véhicules, Commune de Ville de Mairie de Communauté de communes Communauté d'agglomé\
        ration Métropole Département de Conseil départemental Région Centre hospitalier Syndicat intercommun\
        al Office public de l'habitat université lycée collège acheteur pouvoir adjudicateur procédure adapt\
        ée appel d'offres ouvert
        {"author":null,"awardees":[],"buyer":{"contact":null,"country":"FRA","email":null,"id":null,"name":"\
        ","phone":null},"call":null,"categories":[],"content":null,"cpv":[],"deadline":null,"deadline_kind":\
        "tender","descriptors":[],"documents_url":null,"enclosures":[],"id":"boamp:","kind":"tender","langua\
        ge":"fr","lots":[{"cpv":[],"description":null,"id":"LOT-0001","places":[],"title":null,"value":null}\
        ],"main_cpv":null,"other_deadlines":[],"places":[{"commune":null,"departement":"","nuts":"FR","postc\
        ode":null}],"procedure":"open","publication_departements":[],"published":"2026-01-01T00:00:00Z","ref\
        s":{"boamp_idweb":null,"eforms_procedure_id":null,"ted_publication_number":null},"source":"boamp","s\
        ource_id":"","summary":null,"title":"","updated":null,"url":"https://www.boamp.fr/pages/avis/?q=idwe\
        b:","value":{"amount":"","currency":"EUR","vat":"HT"},"version":null}
        {"author":null,"awardees":[],"buyer":{"country":"FRA","name":""},"call":null,"categories":[],"conten\
        t":null,"cpv":[],"deadline":"2026-01-01T12:00:00+01:00","deadline_kind":"tender","descriptors":[],"d\
        ocuments_url":"https://","enclosures":[],"id":"ted:-2026","kind":"tender","language":"fr","lots":[],\
        "main_cpv":"","other_deadlines":[],"places":[{"departement":"","nuts":"FR"}],"procedure":"open","pub\
        lication_departements":[],"published":"2026-01-01T00:00:00Z","refs":{"eforms_procedure_id":"","ted_p\
        ublication_number":"-2026"},"source":"ted","source_id":"-2026","summary":null,"title":"","updated":n\
        ull,"url":"https://ted.europa.eu/fr/notice/-/detail/","value":null}
        """.utf8)

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
            notice: try decode(try row.decode(DatabaseValue.self, forColumn: "n_json"), id: id),
            opportunityID: try row.decode(forColumn: "n_opportunity_id"),
            revision: try row.decode(forColumn: "n_revision"),
            changeSequence: try row.decode(forColumn: "n_change_seq"),
            firstSeen: Date(timeIntervalSince1970: try row.decode(forColumn: "n_first_seen")),
            lastSeen: Date(timeIntervalSince1970: try row.decode(forColumn: "n_last_seen")),
            lastChanged: Date(timeIntervalSince1970: try row.decode(forColumn: "n_last_changed")))
    }

    /// Decodes a stored notice: deflated JSON (a BLOB), or JSON text as builds before v7 wrote it.
    func decode(_ stored: DatabaseValue, id: String) throws -> Notice {
        let bytes: Data
        switch stored.storage {
        case .blob(let data) where data.first == 1:
            if let notice = decodedNotices.notice(stored: data) { return notice }
            do {
                bytes = Data(try Zlib.inflate(Array(data.dropFirst()), dictionary: Self.jsonDictionary))
            } catch {
                throw StoreError.corruptNotice(path: path, noticeID: id, reason: "cannot inflate stored JSON: \(error)")
            }
        case .string(let text): bytes = Data(text.utf8)
        default:
            throw StoreError.corruptNotice(path: path, noticeID: id, reason: "stored JSON is neither text nor blob")
        }
        do {
            let notice = try noticeDecoder.decode(Notice.self, from: bytes)
            if case .blob(let data) = stored.storage { decodedNotices.keep(notice, stored: data) }
            return notice
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
                notice: try decode(try row.decode(DatabaseValue.self, forColumn: "json"), id: noticeID),
                changes: changes,
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
            // The full-text index keeps no copy of the words: each doomed notice hands back what it indexed.
            let doomed = try db.rows(
                """
                SELECT id, key, json, first_seen, coalesce(published, first_seen) AS t FROM notice
                WHERE coalesce(deadline, last_seen) < ? AND last_seen < ?
                """, [t, t])
            var fullText = FullTextWrites()
            for row in doomed {
                let id: String = try row.decode(forColumn: "id")
                let indexed = Indexed(
                    notice: try decode(try row.decode(DatabaseValue.self, forColumn: "json"), id: id),
                    key: try row.decode(forColumn: "key"), time: try row.decode(forColumn: "t"),
                    firstSeen: try row.decode(forColumn: "first_seen"))
                try index(nil, replacing: indexed, into: &fullText, in: db)
            }
            try fullText.flush(in: db)
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
        if let key = sameTenderKey(n) { keys.append((sameTenderKind, storedContentKey(key))) }
        if let key = sameTitleDeadlineKey(n).map(storedContentKey) {
            keys.append((sameTitleDeadlineKind, key))
            if n.buyer?.name == nil { keys.append((sameTitleDeadlineNoBuyerKind, key)) }
        }
        return keys
    }

    /// A content key as `notice_ref` holds it: its last part, the title's words, as their fingerprint. Titles
    /// made most of the table's bytes (twice or three times per notice); equality is all a lookup needs, and the
    /// buyer part that `opportunities(matching:)` compares stays readable.
    static func storedContentKey(_ key: String) -> String {
        guard let bar = key.lastIndex(of: "|") else { return key }
        return key[...bar] + "#" + Fingerprint.of(String(key[key.index(after: bar)...]))
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

/// The last few thousand notices decoded, by their stored bytes (deflated JSON): the same bytes always decode to
/// the same notice, so a notice that changed is simply another key. Two generations: when the newer one is full
/// it becomes the older and the oldest is dropped, so at most `limit` notices are held and the ones in use stay.
final class DecodedNotices: @unchecked Sendable {
    private let lock = NSLock()
    private var newer: [Data: Notice] = [:]
    private var older: [Data: Notice] = [:]
    private let limit: Int

    init(limit: Int) { self.limit = max(2, limit) }

    /// The notice these stored bytes decoded to, if it is still held (brought back into the newer generation).
    func notice(stored bytes: Data) -> Notice? {
        lock.lock()
        defer { lock.unlock() }
        if let notice = newer[bytes] { return notice }
        guard let notice = older[bytes] else { return nil }
        insert(notice, bytes)
        return notice
    }

    /// Holds the notice these stored bytes decoded to.
    func keep(_ notice: Notice, stored bytes: Data) {
        lock.lock()
        defer { lock.unlock() }
        insert(notice, bytes)
    }

    /// Called with `lock` held.
    private func insert(_ notice: Notice, _ bytes: Data) {
        if newer.count >= limit / 2 {
            older = newer
            newer = [:]
        }
        newer[bytes] = notice
    }
}
