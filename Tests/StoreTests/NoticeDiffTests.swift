import Foundation
import Notices
import Testing

@testable import Store

/// What `NoticeDiff` records as a change when a notice comes back different: the fields a member acts on.
@Suite struct NoticeDiffTests {
    let now = date("2026-05-05T02:00:00Z")

    /// A notice republished with another procedure (an open procedure turned restricted, say) is a new
    /// revision whose change row names the procedure, old and new.
    @Test func aChangeOfProcedureIsRecordedAsAChange() throws {
        let tmp = TempStore()
        let store = try tmp.open()
        var open = tender("boamp", "26-4242")
        open.procedure = "Procédure ouverte"
        _ = try store.upsert([open], at: now)
        var restricted = open
        restricted.procedure = "Procédure restreinte"
        let summary = try store.upsert([restricted], at: now.addingTimeInterval(86_400))
        #expect(summary.changed == ["boamp:26-4242"])
        #expect(
            summary.changes["boamp:26-4242"] == [
                NoticeChange(field: "procedure", old: "Procédure ouverte", new: "Procédure restreinte")
            ])
        #expect(try store.notice(id: "boamp:26-4242")?.revision == 2)
        let versions = try store.versions(of: "boamp:26-4242")
        #expect(versions.map(\.revision) == [1])
        #expect(versions.first?.changes.map(\.field) == ["procedure"])
        #expect(try store.changes(of: "boamp:26-4242", since: 1).map(\.field) == ["procedure"])
    }

    /// The same, read from the diff alone.
    @Test func theDiffNamesTheProcedureField() {
        var a = tender("boamp", "26-4242")
        a.procedure = "Procédure ouverte"
        var b = a
        b.procedure = "Procédure adaptée"
        #expect(
            NoticeDiff.changes(from: a, to: b) == [
                NoticeChange(field: "procedure", old: "Procédure ouverte", new: "Procédure adaptée")
            ])
        #expect(NoticeDiff.changes(from: a, to: a).isEmpty)
    }
}
