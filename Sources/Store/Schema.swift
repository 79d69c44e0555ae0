import Foundation
import GRDB

/// The store's schema: the migrations, in order, that `DatabaseMigrator` applies and records in
/// `grdb_migrations`.
///
/// A migration is never edited once released: add a new one. Each runs in its own transaction, so a crash
/// during an upgrade leaves the file at the previous migration.
enum Schema {
    /// `PRAGMA application_id` of every Vigie store ("VIGI"), so a store is told from another program's
    /// SQLite file, whatever tables it holds.
    static let applicationID: Int32 = 0x5649_4749

    /// Identifiers of the migrations this build knows, in order.
    static var identifiers: [String] { ["v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10"] }

    /// Migrations that copy a table into a new one and drop the old: they leave the old table's pages free in the
    /// file, which `NoticeStore.compactAfterUpgrade` gives back once they ran.
    static let rebuildingMigrations: Set<String> = ["v7", "v8", "v9"]

    /// The migrator holding every migration.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: v1)
            // In the same transaction as the tables: a file with Vigie's tables always carries Vigie's id.
            try db.execute(sql: "PRAGMA application_id = \(applicationID)")
        }
        migrator.registerMigration("v2") { db in try db.execute(sql: v2) }
        migrator.registerMigration("v3") { db in
            try db.execute(sql: v3)
            // Builds before GRDB read only `schema_version`: a 3 there makes them refuse the file
            // (schema too new) instead of running without editions and sending items twice.
            try db.execute(
                sql: """
                    CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
                    INSERT INTO schema_version (version) VALUES (3);
                    """)
        }
        migrator.registerMigration("v4") { db in
            try db.execute(sql: v4)
            try db.execute(sql: "INSERT INTO schema_version (version) VALUES (4)")
        }
        migrator.registerMigration("v5") { db in
            try db.execute(sql: v5)
            try db.execute(sql: "INSERT INTO schema_version (version) VALUES (5)")
        }
        migrator.registerMigration("v6") { db in
            try db.execute(sql: v6)
            try db.execute(sql: "INSERT INTO schema_version (version) VALUES (6)")
        }
        migrator.registerMigration("v7") { db in
            try db.execute(sql: v7)
            try NoticeStore.rebuildSearchIndexes(db)
            try db.execute(sql: v7Cleanup)
            try db.execute(sql: "INSERT INTO schema_version (version) VALUES (7)")
        }
        migrator.registerMigration("v8") { db in
            try db.execute(sql: v8)
            try NoticeStore.rekeyFullText(db, progress: reportUpgrade)
            try db.execute(sql: v8Cleanup)
            try db.execute(sql: "INSERT INTO schema_version (version) VALUES (8)")
        }
        // Immediate foreign-key checks: each reference copied is checked against its notice as it is written,
        // instead of the deferred `PRAGMA foreign_key_check` of the whole store (every route, delivery and
        // version of a million notices) before the commit. The schema changes below are the ones SQLite allows
        // with foreign keys on (new table, drop, rename, index).
        migrator.registerMigration("v9", foreignKeyChecks: .immediate) { db in
            try db.execute(sql: v9)
            try NoticeStore.rekeyReferences(db, progress: reportUpgrade)
            try db.execute(sql: v9Cleanup)
            try db.execute(sql: "INSERT INTO schema_version (version) VALUES (9)")
        }
        migrator.registerMigration("v10") { db in
            try db.execute(sql: v10)
            // A build that does not know v10 would send the compressed bytes as the e-mail: GRDB builds refuse the
            // file for its unknown migration, the builds before them for this version.
            try db.execute(sql: "INSERT INTO schema_version (version) VALUES (10)")
        }
        return migrator
    }

    /// v1: the first release.
    static let v1 = """
        CREATE TABLE source_state (
            source_id TEXT PRIMARY KEY,
            etag TEXT, last_modified TEXT, cursor TEXT,
            last_attempt REAL, last_success REAL,
            consecutive_failures INTEGER NOT NULL DEFAULT 0,
            last_error TEXT, last_http_status INTEGER
        );
        CREATE TABLE raw_document (
            id INTEGER PRIMARY KEY,
            source_id TEXT NOT NULL, url TEXT NOT NULL, http_status INTEGER NOT NULL,
            content_type TEXT, body BLOB NOT NULL, fetched_at REAL NOT NULL
        );
        CREATE INDEX raw_document_source ON raw_document(source_id, id);

        -- One procurement or call, however many sources published it.
        CREATE TABLE opportunity (id INTEGER PRIMARY KEY, first_seen REAL NOT NULL);

        -- One source record of an opportunity. `json` is the whole Notice (NoticeJSON);
        -- the other columns are indexed copies for queries.
        CREATE TABLE notice (
            -- Integer key: the full-text index's rowid (FTS5 looks rows up by rowid, not by text id).
            key INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            opportunity_id INTEGER NOT NULL REFERENCES opportunity(id),
            source TEXT NOT NULL, source_id TEXT NOT NULL, kind TEXT NOT NULL, title TEXT NOT NULL,
            buyer_name TEXT, published REAL, deadline REAL, value_upper REAL, main_cpv TEXT,
            revision INTEGER NOT NULL DEFAULT 1,
            change_seq INTEGER NOT NULL,
            json TEXT NOT NULL, hash TEXT NOT NULL,
            first_seen REAL NOT NULL, last_seen REAL NOT NULL, last_changed REAL NOT NULL
        );
        CREATE INDEX notice_opportunity ON notice(opportunity_id);
        CREATE INDEX notice_change_seq ON notice(change_seq);
        CREATE INDEX notice_deadline ON notice(deadline);
        CREATE INDEX notice_source ON notice(source);

        -- Cross-references used to recognise one opportunity across sources.
        CREATE TABLE notice_ref (
            kind TEXT NOT NULL, value TEXT NOT NULL,
            notice_id TEXT NOT NULL REFERENCES notice(id) ON DELETE CASCADE,
            PRIMARY KEY (kind, value, notice_id)
        );
        CREATE INDEX notice_ref_notice ON notice_ref(notice_id);
        CREATE TABLE notice_cpv (
            notice_id TEXT NOT NULL REFERENCES notice(id) ON DELETE CASCADE, cpv TEXT NOT NULL,
            PRIMARY KEY (notice_id, cpv)
        );
        CREATE INDEX notice_cpv_code ON notice_cpv(cpv);
        CREATE TABLE notice_place (
            notice_id TEXT NOT NULL REFERENCES notice(id) ON DELETE CASCADE, departement TEXT NOT NULL,
            PRIMARY KEY (notice_id, departement)
        );
        CREATE INDEX notice_place_dep ON notice_place(departement);

        -- Previous versions: `json` is the notice as it was before revision `revision` + 1,
        -- `changes` the JSON list of what changed then.
        CREATE TABLE notice_version (
            notice_id TEXT NOT NULL REFERENCES notice(id) ON DELETE CASCADE,
            revision INTEGER NOT NULL, json TEXT NOT NULL, changes TEXT NOT NULL, replaced_at REAL NOT NULL,
            PRIMARY KEY (notice_id, revision)
        );

        -- French-friendly full text: `remove_diacritics 2` folds é/è/ê and œ-less accents so
        -- "realisation" finds "Réalisation".
        -- rowid = notice.key.
        CREATE VIRTUAL TABLE notice_fts USING fts5(
            title, body, buyer,
            tokenize = 'unicode61 remove_diacritics 2'
        );

        CREATE TABLE run (
            id INTEGER PRIMARY KEY, started_at REAL NOT NULL, finished_at REAL,
            status TEXT NOT NULL, classified_through INTEGER, summary TEXT
        );
        CREATE TABLE route (
            notice_id TEXT NOT NULL REFERENCES notice(id) ON DELETE CASCADE,
            cluster TEXT NOT NULL, member TEXT NOT NULL, role TEXT NOT NULL,
            score REAL NOT NULL, revision INTEGER NOT NULL, payload TEXT,
            run_id INTEGER, recorded_at REAL NOT NULL,
            PRIMARY KEY (notice_id, cluster, member, role)
        );
        CREATE INDEX route_cluster ON route(cluster);
        CREATE TABLE delivery (
            notice_id TEXT NOT NULL REFERENCES notice(id) ON DELETE CASCADE,
            cluster TEXT NOT NULL, member TEXT NOT NULL, role TEXT NOT NULL,
            revision INTEGER NOT NULL, delivered_at REAL NOT NULL, run_id INTEGER,
            PRIMARY KEY (notice_id, cluster, member, role)
        );
        CREATE INDEX delivery_cluster ON delivery(cluster);
        """

    /// v2: a source whose walk stopped at an API cap or `max_pages` says so, and how many records it still owes,
    /// until a later run reaches the end. Existing rows read as complete.
    static let v2 = """
        ALTER TABLE source_state ADD COLUMN incomplete INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE source_state ADD COLUMN records_left INTEGER;
        """

    /// v3: digest editions staged then published (a run that dies in between completes the same edition
    /// next time, never a second one with the same items), and the rules fingerprint each cluster's routes
    /// were computed with (a cluster whose rules changed is classified again).
    static let v3 = """
        CREATE TABLE edition (
            cluster TEXT NOT NULL, stamp TEXT NOT NULL, edition INTEGER NOT NULL,
            staging TEXT NOT NULL,
            -- JSON arrays of paths, index-aligned: staged[i] is moved to files[i] when published.
            staged TEXT NOT NULL, files TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('staged', 'published')),
            run_id INTEGER, created_at REAL NOT NULL,
            PRIMARY KEY (cluster, stamp, edition)
        );
        CREATE INDEX edition_state ON edition(state, created_at);
        CREATE TABLE cluster_rules (
            cluster TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, updated_at REAL NOT NULL
        );
        """

    /// v4: the outbox — every e-mail of an edition, composed in the edition's transaction, then sent and
    /// accepted one envelope recipient at a time, so a crash or a server down mid-session is retried on the next
    /// run without sending again what the server accepted; and why a source last failed, as a condition name the
    /// digest words in French.
    static let v4 = """
        CREATE TABLE outbox (
            message_id TEXT NOT NULL, recipient TEXT NOT NULL,
            cluster TEXT NOT NULL, stamp TEXT NOT NULL, edition INTEGER NOT NULL,
            audience TEXT NOT NULL, envelope_from TEXT NOT NULL, subject TEXT NOT NULL,
            message BLOB NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('composed', 'sending', 'accepted', 'deferred', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0, last_code INTEGER, last_error TEXT,
            reported INTEGER NOT NULL DEFAULT 0,
            created_at REAL NOT NULL, updated_at REAL NOT NULL,
            PRIMARY KEY (message_id, recipient)
        );
        CREATE INDEX outbox_state ON outbox(state, created_at);
        ALTER TABLE source_state ADD COLUMN last_failure TEXT;
        """

    /// v5: who to tell about a cluster, as of the last night its rules loaded (sender and staff addresses), so
    /// that a night its file does not load — whose own `delivery:` cannot be trusted — still tells its staff.
    static let v5 = """
        CREATE TABLE cluster_contact (
            cluster TEXT PRIMARY KEY, name TEXT NOT NULL, sender TEXT NOT NULL,
            -- JSON array of the staff addresses.
            staff_json TEXT NOT NULL,
            updated_at REAL NOT NULL
        );
        """

    /// v6: a night's work found through indexes, never by reading every route or delivery of a cluster (so a
    /// night costs what the night holds, not what the store's history holds):
    /// - `pending`: the notices a cluster has something to tell about — a route not delivered at the notice's
    ///   current revision, or a delivery of an earlier revision ("changed since we told you") — kept up to date
    ///   where routes and deliveries are recorded. A notice's new revision (the upsert) is found by its change
    ///   sequence: `pending_cursor.through` is the sequence up to which new revisions are accounted for here.
    /// - `delivery(cluster, delivered_at)`: what was told in the subscription window, by range (it replaces
    ///   `delivery_cluster`, its prefix).
    /// Existing stores are backfilled from their routes and deliveries.
    static let v6 = """
        CREATE TABLE pending (
            cluster TEXT NOT NULL,
            notice_id TEXT NOT NULL REFERENCES notice(id) ON DELETE CASCADE,
            PRIMARY KEY (cluster, notice_id)
        ) WITHOUT ROWID;
        CREATE INDEX pending_notice ON pending(notice_id);
        CREATE TABLE pending_cursor (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            through INTEGER NOT NULL
        );
        INSERT INTO pending (cluster, notice_id)
            SELECT r.cluster, r.notice_id FROM route r JOIN notice n ON n.id = r.notice_id
            LEFT JOIN delivery d ON d.notice_id = r.notice_id AND d.cluster = r.cluster AND d.member = r.member
                AND d.role = r.role
            WHERE d.revision IS NULL OR d.revision < n.revision
            UNION
            SELECT d.cluster, d.notice_id FROM delivery d JOIN notice n ON n.id = d.notice_id
            WHERE d.revision < n.revision;
        INSERT INTO pending_cursor (id, through) SELECT 1, coalesce(max(change_seq), 0) FROM notice;
        CREATE INDEX delivery_cluster_time ON delivery(cluster, delivered_at);
        DROP INDEX delivery_cluster;
        """

    /// v7: a lighter store that answers `vigie query` from indexes.
    ///
    /// - `notice_fts` becomes contentless: the notice row is the text's only copy, so removing a notice's words
    ///   means handing FTS5 the old values (`'delete'` command; Debian's SQLite 3.40 has no `contentless_delete`).
    /// - `notice_facet`: one row per searchable value of a notice — its kind, source, départements and CPV
    ///   prefixes — with the notice's sort time, so "this département, newest first" is one index range walked in
    ///   order. It replaces `notice_cpv` (searched through `substr()`, a scan) and `notice_place`.
    /// - `notice_recent`: the newest-first order (`coalesce(published, first_seen) DESC, id`) as an index, so the
    ///   default listing never sorts the table.
    /// - `notice_ref` without rowid, content keys shortened (`NoticeStore.storedContentKey`).
    /// - `notice.json` and `raw_document.body` may be deflated BLOBs (new rows are; text rows of older builds are
    ///   read as they are), and a raw body's hash lets an unchanged response be kept once.
    ///
    /// The full-text, facet and reference rows are rebuilt from the notices' JSON
    /// (`NoticeStore.rebuildSearchIndexes`), so they hold exactly what the deletes of this build will hand back.
    static let v7 = """
        CREATE VIRTUAL TABLE notice_fts_v7 USING fts5(
            title, body, buyer, content = '',
            tokenize = 'unicode61 remove_diacritics 2'
        );
        CREATE TABLE notice_facet (
            -- `k:<kind>`, `s:<source>`, `d:<département>`, `c:<CPV prefix of 2 to 5 digits>`, `C:<CPV code>`.
            facet TEXT NOT NULL,
            -- coalesce(published, first_seen) of the notice: the newest-first order.
            t REAL NOT NULL,
            key INTEGER NOT NULL,
            PRIMARY KEY (facet, t, key)
        ) WITHOUT ROWID;
        CREATE INDEX notice_recent ON notice(coalesce(published, first_seen) DESC, id);
        -- Without rowid: the primary key is the table (it was stored twice, as rows and as their index), and
        -- content keys hold a fingerprint of the title words (see `NoticeStore.storedContentKey`).
        CREATE TABLE notice_ref_v7 (
            kind TEXT NOT NULL, value TEXT NOT NULL,
            notice_id TEXT NOT NULL REFERENCES notice(id) ON DELETE CASCADE,
            PRIMARY KEY (kind, value, notice_id)
        ) WITHOUT ROWID;
        ALTER TABLE raw_document ADD COLUMN compressed INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE raw_document ADD COLUMN body_hash TEXT;
        """

    /// v7, once the new indexes are filled: the old full-text table (its copy of the text), the side tables
    /// `notice_facet` replaces, and the old `notice_ref`.
    static let v7Cleanup = """
        DROP TABLE notice_fts;
        ALTER TABLE notice_fts_v7 RENAME TO notice_fts;
        DROP TABLE notice_cpv;
        DROP TABLE notice_place;
        DROP TABLE notice_ref;
        ALTER TABLE notice_ref_v7 RENAME TO notice_ref;
        CREATE INDEX notice_ref_notice ON notice_ref(notice_id);
        """

    /// v8: the full-text rows keyed by sort time then notice key (`NoticeStore.ftsRowid`), so "a word, newest
    /// first" is FTS5's own descending walk of the word's matches, stopped at the page, and `--since` bounds it.
    /// The words are written again from the notices' JSON (`NoticeStore.rekeyFullText`), in a new table that then
    /// replaces the old one.
    static let v8 = """
        CREATE VIRTUAL TABLE notice_fts_v8 USING fts5(
            title, body, buyer, content = '',
            tokenize = 'unicode61 remove_diacritics 2'
        );
        """

    /// v8, once the new full-text table is filled.
    static let v8Cleanup = """
        DROP TABLE notice_fts;
        ALTER TABLE notice_fts_v8 RENAME TO notice_fts;
        """

    /// v9: the dedup keys keyed by the notice's integer `key` instead of its text id. A history store holds 3.7
    /// references per notice, and the text id (`boamp:26-50200001`, ~28 bytes) was written twice per reference —
    /// in the table and in its `notice_ref_notice` index — a fifth of a million-notice store. The keys are copied
    /// as they are (`NoticeStore.rekeyReferences`): nothing is derived again, so a store keeps the opportunities
    /// it recognised.
    static let v9 = """
        CREATE TABLE notice_ref_v9 (
            kind TEXT NOT NULL, value TEXT NOT NULL,
            key INTEGER NOT NULL REFERENCES notice(key) ON DELETE CASCADE,
            PRIMARY KEY (kind, value, key)
        ) WITHOUT ROWID;
        """

    /// v9, once the keys are copied: the old table and its index go, and the index by notice (a notice's keys
    /// are replaced when it changes and removed with it) is built once, sorted, rather than row by row.
    static let v9Cleanup = """
        DROP TABLE notice_ref;
        ALTER TABLE notice_ref_v9 RENAME TO notice_ref;
        CREATE INDEX notice_ref_key ON notice_ref(key);
        """

    /// v10: how each outbox message is stored. New messages are zstd frames, compressed by the threads that
    /// render them (a national night's 30,000 e-mails were 3.1 GB of BLOBs, written into the log by the edition's
    /// commit and copied again into the file); the rows already there stay as they are (`identity`) and are read
    /// as they are.
    static let v10 = """
        ALTER TABLE outbox ADD COLUMN message_encoding TEXT NOT NULL DEFAULT 'identity'
            CHECK (message_encoding IN ('identity', 'zstd'));
        """

    /// Where a long upgrade says it is working: standard error, the user's terminal or the run's log (standard
    /// output carries `vigie query`'s results).
    static func reportUpgrade(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// Builds before GRDB counted migrations in `schema_version` (1 or 2): their migrations are this
    /// migrator's "v1" and "v2".
    static let legacyIdentifiers = ["v1", "v2"]

    /// A store written by a build before GRDB has `schema_version` and no `grdb_migrations`: record the
    /// migrations it already holds, so that the migrator only runs the later ones. In the caller's transaction.
    ///
    /// Returns the unknown versions when the file records more than those builds could write.
    static func bridgeLegacy(_ db: Database) throws -> [String] {
        guard try db.tableExists("schema_version"), try !db.tableExists("grdb_migrations") else { return [] }
        let version = try Int.fetchOne(db, sql: "SELECT max(version) FROM schema_version") ?? 0
        guard version <= legacyIdentifiers.count else { return ["schema_version \(version)"] }
        try db.execute(sql: "CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
        for id in legacyIdentifiers.prefix(version) {
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES (?)", arguments: [id])
        }
        try db.execute(sql: "PRAGMA application_id = \(applicationID)")
        return []
    }
}
