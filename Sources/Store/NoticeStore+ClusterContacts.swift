import Foundation
import GRDB
import Notices

/// Who to tell about a cluster when its rules file does not load: its sender and staff addresses as of the last
/// night it did.
public struct ClusterContact: Sendable, Hashable {
    public var cluster: String
    /// The cluster's display name (`cluster.name`).
    public var name: String
    /// The `From:` of the cluster's mail (`delivery.sender`).
    public var sender: String
    /// The staff addresses (`delivery.staff`).
    public var staff: [String]
    public var updatedAt: Date

    public init(cluster: String, name: String, sender: String, staff: [String], updatedAt: Date) {
        self.cluster = cluster
        self.name = name
        self.sender = sender
        self.staff = staff
        self.updatedAt = updatedAt
    }
}

/// Table `cluster_contact` (v5): a broken rules file's own `delivery:` cannot be trusted (it may be the typo), so
/// each night whose rules load records the cluster's contacts, and a night they do not reads them back.
extension NoticeStore {
    /// Records (or replaces) a cluster's contacts.
    public func setClusterContact(_ contact: ClusterContact) throws {
        let staff = String(decoding: try JSONEncoder().encode(contact.staff), as: UTF8.self)
        try write { db in
            try db.exec(
                """
                INSERT OR REPLACE INTO cluster_contact (cluster, name, sender, staff_json, updated_at)
                VALUES (?, ?, ?, ?, ?)
                """, [contact.cluster, contact.name, contact.sender, staff, contact.updatedAt.timeIntervalSince1970])
        }
    }

    /// A cluster's contacts as last recorded; nil when its rules never loaded with a sender.
    public func clusterContact(_ cluster: String) throws -> ClusterContact? {
        try read { db in
            guard
                let row = try db.rows(
                    "SELECT cluster, name, sender, staff_json, updated_at FROM cluster_contact WHERE cluster = ?",
                    [cluster]
                ).first
            else { return nil }
            let json: String = try row.decode(forColumn: "staff_json")
            let staff: [String]
            do {
                staff = try JSONDecoder().decode([String].self, from: Data(json.utf8))
            } catch {
                throw StoreError.invalidInput(path: path, reason: "cluster_contact \(cluster): staff_json: \(error)")
            }
            return ClusterContact(
                cluster: try row.decode(forColumn: "cluster"), name: try row.decode(forColumn: "name"),
                sender: try row.decode(forColumn: "sender"),
                staff: staff, updatedAt: try row.date("updated_at") ?? Date(timeIntervalSince1970: 0))
        }
    }
}
