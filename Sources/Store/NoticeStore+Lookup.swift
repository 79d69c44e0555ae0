import Foundation
import GRDB
import Notices

/// What an id typed by a person names in the store.
public enum NoticeLookup: Sendable {
    /// One stored notice.
    case found(StoredNotice)
    /// A bare source-side id that several sources use: the full ids (`source:id`) to choose from.
    case ambiguous([String])
    /// Nothing: up to five stored ids that look like it (empty when none does).
    case notFound(similar: [String])
}

/// Finding a notice from an id as people copy it: from a digest or `vigie query` (`boamp:26-41234`), or from
/// the source's own site (`26-41234`, without the source).
extension NoticeStore {
    /// The notice with id `given` (`source:sourceID`), or else the one whose source-side id is `given` when a
    /// single source has it; otherwise the ids that look like it.
    public func lookupNotice(_ given: String) throws -> NoticeLookup {
        let id = given.trimmingCharacters(in: .whitespaces)
        if let found = try notice(id: id) { return .found(found) }
        let bySourceID = try notices(sourceID: id)
        if bySourceID.count == 1, let only = bySourceID.first { return .found(only) }
        if bySourceID.count > 1 { return .ambiguous(bySourceID.map(\.notice.id).sorted()) }
        return .notFound(similar: try noticeIDs(resembling: id, limit: 5))
    }

    /// Stored notices whose source-side id is `sourceID` (several sources may number alike).
    public func notices(sourceID: String) throws -> [StoredNotice] {
        try read { db in
            try db.rows("SELECT \(Self.noticeColumns) FROM notice n WHERE n.source_id = ? ORDER BY n.id", [sourceID])
                .map(stored)
        }
    }

    /// Up to `limit` stored ids that contain `given` (case-insensitive), or else its source-side part (after
    /// the first `:`), or else that share its source: a typo, a wrong source prefix or a truncated copy still
    /// leads to the right id.
    public func noticeIDs(resembling given: String, limit: Int = 5) throws -> [String] {
        func containing(_ part: String) throws -> [String] {
            guard !part.isEmpty else { return [] }
            let escaped = part.replacingOccurrences(of: "\\", with: "\\\\")
                .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
            return try read { db in
                try String.fetchAll(
                    db, sql: "SELECT id FROM notice WHERE id LIKE ? ESCAPE '\\' ORDER BY id LIMIT ?",
                    arguments: ["%\(escaped)%", limit])
            }
        }
        let found = try containing(given)
        if !found.isEmpty { return found }
        guard let colon = given.firstIndex(of: ":") else { return [] }
        let sourcePart = try containing(String(given[given.index(after: colon)...]))
        if !sourcePart.isEmpty { return sourcePart }
        return try containing(String(given[...colon]))
    }
}
