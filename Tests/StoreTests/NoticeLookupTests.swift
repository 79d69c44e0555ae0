import Foundation
import Testing

@testable import Store

/// `NoticeStore.lookupNotice`: an id as people copy it (from a digest, `vigie query`, or the source's own site).
@Suite struct NoticeLookupTests {
    func store() throws -> (TempStore, NoticeStore) {
        let t = TempStore()
        let s = try t.open()
        // Two sources numbering alike (26-41234), one id used once (26-50000); different titles so that
        // nothing merges them into one opportunity's shown record.
        _ = try s.upsert(
            [
                tender("boamp", "26-41234", title: "Usinage de carters"),
                tender("place", "26-41234", title: "Nettoyage des locaux", cpv: ["90910000"]),
                tender("boamp", "26-50000", title: "Fonderie de pièces"),
            ], at: date("2026-05-05T02:00:00Z"))
        return (t, s)
    }

    @Test func aFullIdOrAUniqueSourceIDFindsTheNotice() throws {
        let (t, s) = try store()
        defer { _ = t; try? s.close() }
        guard case .found(let full) = try s.lookupNotice("boamp:26-41234") else {
            Issue.record("boamp:26-41234 not found")
            return
        }
        #expect(full.notice.title == "Usinage de carters")
        guard case .found(let bare) = try s.lookupNotice(" 26-50000 ") else {
            Issue.record("the source id 26-50000 (one source has it) not found")
            return
        }
        #expect(bare.notice.id == "boamp:26-50000")
    }

    @Test func aSourceIDSeveralSourcesUseIsAmbiguous() throws {
        let (t, s) = try store()
        defer { _ = t; try? s.close() }
        guard case .ambiguous(let ids) = try s.lookupNotice("26-41234") else {
            Issue.record("26-41234 is used by two sources")
            return
        }
        #expect(ids == ["boamp:26-41234", "place:26-41234"])
    }

    @Test func anUnknownIdListsTheIdsThatLookLikeIt() throws {
        let (t, s) = try store()
        defer { _ = t; try? s.close() }
        // Truncated: the ids containing it.
        guard case .notFound(let truncated) = try s.lookupNotice("26-412") else {
            Issue.record("26-412 names no notice")
            return
        }
        #expect(truncated == ["boamp:26-41234", "place:26-41234"])
        // Another source's prefix: the ids with the same source-side id.
        guard case .notFound(let otherSource) = try s.lookupNotice("ted:26-50000") else {
            Issue.record("ted:26-50000 names no notice")
            return
        }
        #expect(otherSource == ["boamp:26-50000"])
        // A typo in the number, the right source: that source's ids.
        guard case .notFound(let sameSource) = try s.lookupNotice("boamp:99-99999") else {
            Issue.record("boamp:99-99999 names no notice")
            return
        }
        #expect(sameSource == ["boamp:26-41234", "boamp:26-50000"])
        // LIKE's wildcards are taken literally.
        guard case .notFound(let wildcard) = try s.lookupNotice("%") else {
            Issue.record("% names no notice")
            return
        }
        #expect(wildcard.isEmpty)
    }
}
