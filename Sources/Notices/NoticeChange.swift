/// One field that changed between two versions of a notice: what the store records when a corrigendum
/// arrives and what a digest words under "changed since we told you".
public struct NoticeChange: Sendable, Hashable, Codable {
    /// Field name as in the notice JSON (`deadline`, `value`, `title`, `lots`…).
    public var field: String
    /// Short text of the previous and new values (ISO 8601 for dates); nil when absent or too long to show.
    public var old: String?
    public var new: String?

    public init(field: String, old: String?, new: String?) {
        self.field = field
        self.old = old
        self.new = new
    }
}
