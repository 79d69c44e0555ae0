import Foundation

// Where the loader found each value of a rulebook, so that the linter, which checks the loaded model, still
// points at file, line, column and key. Parallel to the `Rulebook` it describes: `clusters[i]` describes
// `rulebook.clusters[i]`, an item's list positions are parallel to the loaded array.

/// A 1-based line and column in a rule file.
struct SourcePosition: Sendable, Hashable, Codable {
    var line: Int
    var column: Int
}

/// One item of a list value as written: its index in the key path (`keywords[3]`), its position and its text
/// before any trimming (messages quote it).
struct SourceItem: Sendable, Hashable, Codable {
    var index: Int
    var position: SourcePosition
    var text: String
    /// Key path of the item when it is not `list[index]`: a list key written as one value (`contact: a@b.fr`) is
    /// named `members[3].contact`, not `members[3].contact[0]`.
    var key: String? = nil
}

/// The `cluster.delivery` block as written.
struct DeliverySource: Sendable {
    /// The `delivery:` mapping.
    var position: SourcePosition
    var sender: SourceItem?
    var replyTo: [SourceItem] = []
    var staff: [SourceItem] = []
}

/// A segment, member or watch as written.
struct ItemSource: Sendable {
    /// Key path of the item (`segments[2]`), as the diagnostics name it.
    var path: String
    /// The item's mapping.
    var position: SourcePosition
    /// Its `id` value, when written.
    var id: SourcePosition?
    /// Keys written (allowed ones only).
    var keys: Set<String> = []
    /// List-valued field (`keywords`, `cpv`, `sites`…) → its items, parallel to the loaded array.
    var lists: [String: [SourceItem]] = [:]

    func items(_ field: String) -> [SourceItem] { lists[field] ?? [] }
}

/// A cluster file as written.
struct ClusterSource: Sendable {
    var file: String
    /// The file's top-level mapping.
    var top: SourcePosition
    /// The `cluster:` mapping.
    var cluster: SourcePosition
    /// `cluster.id` and `cluster.language` values, when written.
    var id: SourcePosition?
    var language: SourcePosition?
    var hasTerritory = false
    var hasMembers = false
    /// The `members:` key, when written.
    var membersList: SourcePosition?
    /// `cluster.delivery`, when written.
    var delivery: DeliverySource?
    /// Parallel to the loaded cluster's `segments`, `members` and `watches`.
    var segments: [ItemSource] = []
    var members: [ItemSource] = []
    var watches: [ItemSource] = []
    /// False for a cluster taken from the rules cache: only `file` and `id` are known (enough to check its id
    /// against the other clusters'); a cluster linted in full is read again from its file first.
    var isComplete = true
}

/// One thesaurus group as written.
struct ThesaurusGroupSource: Sendable, Hashable, Codable {
    /// `thesaurus[3]` or `thesaurus.usinage`.
    var path: String
    /// Parallel to the loaded group's variants.
    var items: [SourceItem]
}

/// A thesaurus file as written: its groups, in the order they were appended to the rulebook's thesaurus.
struct ThesaurusSource: Sendable, Hashable, Codable {
    var file: String
    var groups: [ThesaurusGroupSource] = []
}

/// Every rule file as written.
struct RuleSources: Sendable {
    /// Parallel to `rulebook.clusters`.
    var clusters: [ClusterSource] = []
    /// Thesaurus files in load order; their groups, concatenated, are parallel to `rulebook.thesaurus.groups`.
    var thesauri: [ThesaurusSource] = []
}
