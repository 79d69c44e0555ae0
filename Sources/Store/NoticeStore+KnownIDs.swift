import Foundation
import GRDB

/// The ids a store knows, for commands that take an id (`vigie query --source`, `vigie send --cluster`): an id
/// that names nothing is refused with this list instead of returning an empty result with exit 0.
extension NoticeStore {
    /// Every source id the store holds: sources with a saved state (fetched at least once, even with nothing
    /// kept) and sources of stored notices (a store filled by older builds may lack the state row). Sorted.
    public func knownSourceIDs() throws -> [String] {
        try read { db in
            try String.fetchAll(
                db, sql: "SELECT source_id FROM source_state UNION SELECT DISTINCT source FROM notice ORDER BY 1")
        }
    }

    /// Every cluster id the store holds: clusters classified (`cluster_rules`), routed (`route`) or with mail in
    /// the outbox. Sorted.
    public func knownClusterIDs() throws -> [String] {
        try read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT cluster FROM cluster_rules UNION SELECT DISTINCT cluster FROM route
                    UNION SELECT DISTINCT cluster FROM outbox ORDER BY 1
                    """)
        }
    }
}
