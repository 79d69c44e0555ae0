import Foundation
import Notices
import GRDB
import Testing

@testable import Store

@Suite struct NoticeStoreTests {
    let now = date("2026-05-05T02:00:00Z")

    @Test func createsSchemaAndReopens() throws {
        let tmp = TempStore()
        do {
            let store = try tmp.open()
            #expect(try store.schemaVersion() == NoticeStore.supportedSchemaVersion)
            _ = try store.upsert([tender("boamp", "26-1")], at: now)
        }
        let again = try tmp.open()
        #expect(try again.schemaVersion() == NoticeStore.supportedSchemaVersion)
        #expect(try again.noticeCount() == 1)
    }

    @Test func refusesAFileFromANewerBuild() throws {
        let tmp = TempStore()
        do {
            let store = try tmp.open()
            try store.write { db in try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99')") }
        }
        do {
            _ = try tmp.open()
            Issue.record("expected schemaTooNew")
        } catch StoreError.schemaTooNew(let path, let unknown, let supported) {
            #expect(path == tmp.path)
            #expect(unknown == ["v99"])
            #expect(supported == Schema.identifiers)
            let message = StoreError.schemaTooNew(path: path, unknown: unknown, supported: supported).description
            #expect(message.hasPrefix("store: \(tmp.path): written by a newer Vigie (migrations v99"))
        }
    }

    @Test func errorsNameTheFileWhenItIsNotADatabase() throws {
        let tmp = TempStore()
        try Data("this is not sqlite, just text that is long enough to have a header".utf8)
            .write(to: URL(fileURLWithPath: tmp.path))
        do {
            _ = try tmp.open()
            Issue.record("expected an error")
        } catch let e as StoreError {
            #expect(e.description.hasPrefix("store: \(tmp.path):"))
        }
    }

    /// A source stopped at an API cap keeps "incomplete" and what it still owes until a run reaches the end.
    @Test func anIncompleteSourceStateRoundTrips() throws {
        let tmp = TempStore()
        let store = try tmp.open()
        let capped = SourceState(
            sourceID: "boamp-api", cursor: "2026-11-24", lastAttempt: now, lastSuccess: now,
            isIncomplete: true, left: 2_000)
        let unknownTotal = SourceState(sourceID: "eu-funding", lastSuccess: now, isIncomplete: true)
        try store.save(capped)
        try store.save(unknownTotal)
        let states = try store.sourceStates()
        #expect(states["boamp-api"] == capped)
        #expect(states["eu-funding"] == unknownTotal)
        var caughtUp = capped
        caughtUp.isIncomplete = false
        caughtUp.left = nil
        try store.save(caughtUp)
        #expect(try store.sourceStates()["boamp-api"] == caughtUp)
    }

    /// A store written before the incomplete status existed (schema 1) opens, is migrated, and its sources read
    /// as complete, their other fields intact.
    @Test func aSchemaOneStoreIsMigratedAndStaysReadable() throws {
        let tmp = TempStore()
        try writeLegacyStore(at: tmp.path, version: 1) { db in
            try db.execute(
                sql: "INSERT INTO source_state (source_id, etag, cursor, last_success, consecutive_failures) "
                    + "VALUES ('boamp-api', '\"v1\"', '2026-11-20', 1795000000, 0)")
        }
        let store = try tmp.open()
        #expect(try store.schemaVersion() == NoticeStore.supportedSchemaVersion)
        let state = try #require(try store.sourceStates()["boamp-api"])
        #expect(
            state
                == SourceState(
                    sourceID: "boamp-api", etag: "\"v1\"", cursor: "2026-11-20",
                    lastSuccess: Date(timeIntervalSince1970: 1_795_000_000)))
        #expect(!state.isIncomplete && state.left == nil)
    }

    @Test func sourceStateRoundTrips() throws {
        let tmp = TempStore()
        let store = try tmp.open()
        let s = SourceState(
            sourceID: "boamp", etag: "\"abc\"", lastModified: "Tue, 05 May 2026 01:00:00 GMT",
            cursor: "2026-05-04", lastAttempt: now, lastSuccess: now.addingTimeInterval(-86_400),
            consecutiveFailures: 2, lastError: "fetcher: boamp: HTTP 503", lastHTTPStatus: 503,
            lastFailure: .httpStatus)
        try store.save(s)
        try store.save(SourceState(sourceID: "ted"))
        let states = try store.sourceStates()
        #expect(states["boamp"] == s)
        #expect(states["ted"] == SourceState(sourceID: "ted"))
        var updated = s
        updated.consecutiveFailures = 0
        try store.save(updated)
        #expect(try store.sourceStates()["boamp"]?.consecutiveFailures == 0)
    }

    @Test func rawDocumentsKeepOnlyTheNewest() throws {
        let tmp = TempStore()
        let store = try tmp.open()
        store.rawRetention = 3
        for i in 0..<5 {
            try store.saveRaw(
                RawDocument(
                    sourceID: "boamp", url: "https://x/\(i)", httpStatus: 200,
                    contentType: "application/json", body: Array("{\"i\":\(i)}".utf8),
                    fetchedAt: now.addingTimeInterval(Double(i))))
        }
        try store.saveRaw(RawDocument(sourceID: "ted", url: "https://t", httpStatus: 304, body: [], fetchedAt: now))
        let kept = try store.rawDocuments(sourceID: "boamp")
        #expect(kept.map(\.url) == ["https://x/4", "https://x/3", "https://x/2"])
        #expect(kept[0].body == Array("{\"i\":4}".utf8))
        #expect(kept[0].contentType == "application/json")
        #expect(try store.rawDocuments(sourceID: "ted").count == 1)
    }

    @Test func upsertCountsNewChangedUnchanged() throws {
        let tmp = TempStore()
        let store = try tmp.open()
        let a = tender("boamp", "26-1")
        let b = tender("boamp", "26-2", title: "Peinture industrielle")
        let first = try store.upsert([a, b], at: now)
        #expect(first.inserted == ["boamp:26-1", "boamp:26-2"])
        #expect(first.changed.isEmpty && first.unchanged.isEmpty)

        var moved = a
        moved.deadline = zoned("2026-06-15T12:00:00+02:00")
        let second = try store.upsert([moved, b], at: now.addingTimeInterval(86_400))
        #expect(second.inserted.isEmpty)
        #expect(second.changed == ["boamp:26-1"])
        #expect(second.unchanged == ["boamp:26-2"])
        #expect(
            second.changes["boamp:26-1"] == [
                NoticeChange(field: "deadline", old: "2026-06-08T12:00:00+02:00", new: "2026-06-15T12:00:00+02:00")
            ])
        let stored = try #require(try store.notice(id: "boamp:26-1"))
        #expect(stored.revision == 2)
        #expect(stored.notice == moved)
        let versions = try store.versions(of: "boamp:26-1")
        #expect(versions.count == 1)
        #expect(versions[0].revision == 1)
        #expect(versions[0].notice == a)
        #expect(versions[0].changes.map(\.field) == ["deadline"])
    }

    /// Decoded notices are kept by their stored bytes: a notice read, then changed (even only its `updated`
    /// timestamp, which keeps its revision), is read as it now is from the same store.
    @Test func aNoticeReadThenChangedIsReadAsItNowIs() throws {
        let tmp = TempStore()
        let store = try tmp.open()
        var n = tender("boamp", "26-9")
        _ = try store.upsert([n], at: now)
        #expect(try store.notice(id: n.id)?.notice == n)
        #expect(try store.notice(id: n.id)?.notice == n)
        n.updated = now
        _ = try store.upsert([n], at: now.addingTimeInterval(60))
        #expect(try store.notice(id: n.id)?.notice.updated == now)
        n.title = "Usinage de pièces de fonderie"
        _ = try store.upsert([n], at: now.addingTimeInterval(120))
        let read = try #require(try store.notice(id: n.id))
        #expect(read.notice == n && read.revision == 2)
    }

    @Test func decodedNoticesHoldAtMostTheirLimitAndKeepWhatIsInUse() {
        let cache = DecodedNotices(limit: 4)
        let notices = (0..<6).map { tender("boamp", "26-\($0)") }
        let keys = (0..<6).map { Data([1, UInt8($0)]) }
        cache.keep(notices[0], stored: keys[0])
        cache.keep(notices[1], stored: keys[1])
        // The newer generation is full (2 of 4): it becomes the older as the third comes in.
        cache.keep(notices[2], stored: keys[2])
        #expect(cache.notice(stored: keys[0]) == notices[0])  // read from the older, brought back into the newer
        cache.keep(notices[3], stored: keys[3])
        cache.keep(notices[4], stored: keys[4])
        #expect(cache.notice(stored: keys[1]) == nil)
        #expect(cache.notice(stored: keys[4]) == notices[4] && cache.notice(stored: keys[3]) == notices[3])
        #expect(cache.notice(stored: keys[5]) == nil)
    }

    @Test func timestampOnlyChangesAreNotNewRevisions() throws {
        let tmp = TempStore()
        let store = try tmp.open()
        var n = tender("marches-loire", "item-7")
        _ = try store.upsert([n], at: now)
        n.updated = now
        let s = try store.upsert([n], at: now.addingTimeInterval(60))
        #expect(s.unchanged == [n.id])
        let stored = try #require(try store.notice(id: n.id))
        #expect(stored.revision == 1)
        #expect(stored.notice.updated == now)
        #expect(try store.versions(of: n.id).isEmpty)
    }

    @Test(arguments: [
        (
            "eForms procedure", CrossReferences(eformsProcedureID: "1e0bd0b4-3c2f-4b0f-9f3a-0a4f2b7c9d11"),
            CrossReferences(eformsProcedureID: "1E0BD0B4-3C2F-4B0F-9F3A-0A4F2B7C9D11")
        ),
        ("BOAMP idweb", CrossReferences(boampIDWeb: "26-41234"), CrossReferences(boampIDWeb: "26-41234")),
        (
            "TED number", CrossReferences(tedPublicationNumber: "00123456-2026"),
            CrossReferences(tedPublicationNumber: "123456-2026")
        ),
        (
            "buyer reference", CrossReferences(buyerReference: "2026-MEC-01"),
            CrossReferences(buyerReference: "2026-MEC-01")
        ),
    ])
    func dedupsAcrossSources(_ label: String, _ boampRefs: CrossReferences, _ tedRefs: CrossReferences) throws {
        let tmp = TempStore()
        let store = try tmp.open()
        _ = try store.upsert([tender("boamp", "26-41234", refs: boampRefs)], at: now)
        let s = try store.upsert([tender("ted", "123456-2026", refs: tedRefs)], at: now)
        #expect(s.inserted == ["ted:123456-2026"], "\(label)")
        #expect(s.joined == ["ted:123456-2026"], "\(label)")
        let boamp = try #require(try store.notice(id: "boamp:26-41234"))
        let ted = try #require(try store.notice(id: "ted:123456-2026"))
        #expect(boamp.opportunityID == ted.opportunityID, "\(label)")
        #expect(try store.records(ofOpportunity: boamp.opportunityID).map(\.id) == [boamp.id, ted.id])
        // One opportunity, two source records: a query shows it once unless asked for every record.
        #expect(try store.search(NoticeQuery(text: "usinage")).count == 1)
        #expect(try store.search(NoticeQuery(text: "usinage", collapseDuplicates: false)).count == 2)
    }

    @Test func aBareBuyerReferenceOfTwoBuyersIsNotADuplicate() throws {
        let tmp = TempStore()
        let store = try tmp.open()
        var a = tender("boamp", "1", refs: CrossReferences(buyerReference: "2026-001"))
        var b = tender("boamp", "2", refs: CrossReferences(buyerReference: "2026-001"))
        a.buyer = Buyer(name: "Commune de Roanne")
        b.buyer = Buyer(name: "Département de la Loire")
        let s = try store.upsert([a, b], at: now)
        #expect(s.joined.isEmpty)
        #expect(try store.notice(id: a.id)?.opportunityID != store.notice(id: b.id)?.opportunityID)
    }

    @Test func aReferenceAddedLaterMergesOpportunities() throws {
        let tmp = TempStore()
        let store = try tmp.open()
        _ = try store.upsert(
            [
                tender("boamp", "26-9"),
                tender(
                    "ted", "555-2026", title: "France-Saint-Étienne: Usinage",
                    refs: CrossReferences(tedPublicationNumber: "555-2026")),
            ], at: now)
        #expect(try store.notice(id: "boamp:26-9")?.opportunityID != store.notice(id: "ted:555-2026")?.opportunityID)
        // The BOAMP record's corrigendum now cites the TED publication.
        let corrected = tender("boamp", "26-9", refs: CrossReferences(tedPublicationNumber: "000555-2026"))
        let s = try store.upsert([corrected], at: now)
        #expect(s.changed == ["boamp:26-9"])
        #expect(try store.notice(id: "boamp:26-9")?.opportunityID == store.notice(id: "ted:555-2026")?.opportunityID)
    }

    @Test func ingestIsAllOrNothingForASource() throws {
        let tmp = TempStore()
        let store = try tmp.open()
        let before = tender("boamp", "26-1")
        _ = try store.ingest(
            sourceID: "boamp", state: SourceState(sourceID: "boamp", etag: "v1"),
            raws: [
                RawDocument(
                    sourceID: "boamp", url: "u1", httpStatus: 200, body: [1],
                    fetchedAt: now)
            ],
            notices: [before], at: now)
        var moved = before
        moved.deadline = zoned("2026-07-01T12:00:00+02:00")
        struct Killed: Error {}
        store.faultHook = { point in if point == "notice:boamp:26-3" { throw Killed() } }
        #expect(throws: Killed.self) {
            _ = try store.ingest(
                sourceID: "boamp", state: SourceState(sourceID: "boamp", etag: "v2", consecutiveFailures: 0),
                raws: [RawDocument(sourceID: "boamp", url: "u2", httpStatus: 200, body: [2], fetchedAt: now)],
                notices: [moved, tender("boamp", "26-2"), tender("boamp", "26-3")], at: now)
        }
        store.faultHook = nil
        // Nothing of the killed ingest is there, the previous data is intact.
        #expect(try store.sourceStates()["boamp"]?.etag == "v1")
        #expect(try store.rawDocuments(sourceID: "boamp").map(\.url) == ["u1"])
        #expect(try store.noticeCount() == 1)
        #expect(try store.notice(id: "boamp:26-1")?.notice == before)
        #expect(try store.versions(of: "boamp:26-1").isEmpty)
        #expect(try store.search(NoticeQuery(text: "usinage")).map(\.id) == ["boamp:26-1"])

        // The re-run resumes and stores everything.
        let s = try store.ingest(
            sourceID: "boamp", state: SourceState(sourceID: "boamp", etag: "v2"),
            raws: [], notices: [moved, tender("boamp", "26-2"), tender("boamp", "26-3")],
            at: now)
        #expect(s.changed == ["boamp:26-1"])
        #expect(s.inserted == ["boamp:26-2", "boamp:26-3"])
        #expect(try store.sourceStates()["boamp"]?.etag == "v2")
    }

    @Test func ingestRefusesAnotherSourcesState() throws {
        let tmp = TempStore()
        let store = try tmp.open()
        #expect(throws: StoreError.self) {
            _ = try store.ingest(
                sourceID: "boamp", state: SourceState(sourceID: "ted"), raws: [], notices: [],
                at: now)
        }
    }

    @Test func aReaderIsNotBlockedByAWriter() throws {
        let tmp = TempStore()
        let writer = try tmp.open()
        _ = try writer.upsert([tender("boamp", "26-1")], at: now)
        let reader = try tmp.open()
        let started = Date()
        try writer.write { db in
            _ = try writer.upsertInTransaction(db, [tender("boamp", "26-2", title: "Usinage de précision")], at: now)
            // The writer holds its lock; the reader sees the last committed state, at once.
            #expect(try reader.search(NoticeQuery(text: "usinage")).map(\.id) == ["boamp:26-1"])
            #expect(try reader.noticeCount() == 1)
        }
        #expect(Date().timeIntervalSince(started) < 2, "the reader must not wait for the busy timeout")
        #expect(try reader.noticeCount() == 2)
    }

    @Test func changeSequenceTracksWhatIsNewOrChanged() throws {
        let tmp = TempStore()
        let store = try tmp.open()
        _ = try store.upsert([tender("boamp", "1"), tender("boamp", "2")], at: now)
        let mark = try store.currentChangeSequence()
        #expect(try store.noticesChanged(after: 0).count == 2)
        #expect(try store.noticesChanged(after: mark).isEmpty)
        var changed = tender("boamp", "2")
        changed.value = Money(amount: 300_000, currency: "EUR", vat: "HT")
        _ = try store.upsert([tender("boamp", "1"), changed, tender("boamp", "3")], at: now)
        #expect(try store.noticesChanged(after: mark).map(\.id) == ["boamp:2", "boamp:3"])
    }

    @Test func pruneDeletesWhatIsOverAndKeepsTheRest() throws {
        let tmp = TempStore()
        let store = try tmp.open()
        let old = date("2026-01-10T00:00:00Z")
        _ = try store.upsert(
            [
                tender("boamp", "over", deadline: "2026-02-01T12:00:00+01:00"),
                tender("boamp", "open", deadline: "2026-09-01T12:00:00+02:00"),
                tender("boamp", "undated", deadline: nil),
            ], at: old)
        _ = try store.upsert([tender("boamp", "seen-again", deadline: "2026-02-01T12:00:00+01:00")], at: now)
        try store.recordRoutes(
            [RouteRecord(noticeID: "boamp:over", cluster: "c", member: "m", role: "direct", score: 1)],
            replacingRoutesOf: [], runID: nil, at: old)
        try store.markDelivered(try store.undelivered(cluster: "c").map { $0.delivery(at: old, runID: nil) })
        let deleted = try store.prune(before: date("2026-04-01T00:00:00Z"))
        #expect(deleted == 2)
        #expect(try store.notice(id: "boamp:over") == nil)
        #expect(try store.notice(id: "boamp:undated") == nil)
        #expect(try store.notice(id: "boamp:open") != nil)
        #expect(try store.notice(id: "boamp:seen-again") != nil)
        #expect(try store.deliveries(cluster: "c").isEmpty)
        #expect(try store.search(NoticeQuery(text: "usinage")).count == 2)
        #expect(try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM opportunity") } == 2)
    }

    /// The full-text index loses the rows of pruned notices: counted in `notice_fts` itself, since a search
    /// joins the notice table and would hide rows left behind (they would still grow the file and the index).
    @Test func pruneRemovesTheFullTextRowsOfWhatItDeletes() throws {
        let tmp = TempStore()
        let store = try tmp.open()
        _ = try store.upsert(
            [
                tender("boamp", "over", deadline: "2026-02-01T12:00:00+01:00"),
                tender("boamp", "open", deadline: "2026-09-01T12:00:00+02:00"),
                tender("boamp", "undated", deadline: nil),
            ], at: date("2026-01-10T00:00:00Z"))
        func ftsRows() throws -> Int? {
            try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM notice_fts") }
        }
        #expect(try ftsRows() == 3)
        #expect(try store.prune(before: date("2026-04-01T00:00:00Z")) == 2)
        #expect(try ftsRows() == 1)
        let orphans = try store.read { db in
            try Int.fetchOne(
                db,
                sql:
                    "SELECT count(*) FROM notice_fts WHERE (rowid & \(NoticeStore.ftsKeyMask)) NOT IN (SELECT key FROM notice)"
            )
        }
        #expect(orphans == 0)
        let kept = try store.read { db in try Int64.fetchOne(db, sql: "SELECT key FROM notice WHERE id = 'boamp:open'")
        }
        let indexed = try store.read { db in try Int64.fetchOne(db, sql: "SELECT rowid FROM notice_fts") }
        #expect(kept != nil && indexed.map { $0 & NoticeStore.ftsKeyMask } == kept)
    }

    @Test func sameTitleBuyerAndDeadlineDayAcrossSourcesIsOneTender() throws {
        let tmp = TempStore()
        let store = try tmp.open()
        let boamp = tender(
            "boamp", "26-118474", title: "Traitement de surface des pièces métalliques : zingage",
            deadline: "2027-01-08T12:00:00+01:00")
        // TED: country prefix, UTC deadline later the same Paris day, no shared identifier.
        let ted = tender(
            "ted", "781426-2026", title: "France – Traitement de surface des pièces métalliques : zingage",
            deadline: "2027-01-08T22:59:00Z")
        let s = try store.upsert([boamp, ted], at: now)
        #expect(s.joined == [ted.id])
        // The same source publishing the same title twice: two notices, not one.
        let again = tender("boamp", "26-118475", title: boamp.title, deadline: "2027-01-08T12:00:00+01:00")
        #expect(try store.upsert([again], at: now).joined.isEmpty)
        // Another day, or another buyer: another tender.
        var otherBuyer = tender("ted", "781427-2026", title: ted.title, deadline: "2027-01-08T12:00:00+01:00")
        otherBuyer.buyer = Buyer(name: "Ville de Roanne")
        let otherDay = tender("ted", "781428-2026", title: ted.title, deadline: "2027-01-09T12:00:00+01:00")
        #expect(try store.upsert([otherBuyer, otherDay], at: now).joined.isEmpty)
    }

    @Test func aBuyerPlatformItemWithoutBuyerJoinsTheSameTenderOnBOAMP() throws {
        let tmp = TempStore()
        let store = try tmp.open()
        // The platform's RSS names the buyer only in its prose and suffixes the title with the département.
        var rss = tender(
            "acheteurs-rss", "2026-AO-4100", title: "Usinage de pièces de rechange pour pompes primaires (26)",
            deadline: "2026-12-15T12:00:00+01:00")
        rss.buyer = nil
        let boamp = tender(
            "boamp", "26-118400", title: "Usinage de pièces de rechange pour pompes primaires",
            deadline: "2026-12-15T12:00:00+01:00")
        #expect(try store.upsert([rss], at: now).joined.isEmpty)
        #expect(try store.upsert([boamp], at: now).joined == [boamp.id])
        // Same title and deadline, but another named buyer: not the same tender as the BOAMP one…
        var other = tender(
            "ted", "790001-2026", title: "Usinage de pièces de rechange pour pompes primaires",
            deadline: "2026-12-15T12:00:00+01:00")
        other.buyer = Buyer(name: "Ville de Roanne")
        #expect(try store.upsert([other], at: now).joined.isEmpty)
        // …and a second buyerless item that could belong to either is ambiguous: it merges nothing.
        var ambiguous = tender(
            "place-rss", "AO-76", title: "Usinage de pièces de rechange pour pompes primaires (26)",
            deadline: "2026-12-15T12:00:00+01:00")
        ambiguous.buyer = nil
        #expect(try store.upsert([ambiguous], at: now).joined.isEmpty)
        // A minute later is another deadline: not joined either.
        var later = tender(
            "place-rss", "AO-77", title: "Usinage de pièces de rechange pour pompes primaires (26)",
            deadline: "2026-12-15T12:01:00+01:00")
        later.buyer = nil
        #expect(try store.upsert([later], at: now).joined.isEmpty)
    }
}
