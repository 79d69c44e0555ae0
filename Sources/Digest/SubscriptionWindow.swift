import Foundation
import Notices

/// What a subscription file (`latest.atom`, `latest.ics`) holds of the window: tonight's notices always (they are
/// the news), then the window's earlier ones, newest first, up to `windowLimit` notices in all.
///
/// A national cluster tells ~800 notices a night: a 60-day window is ~48,000 notices, a feed of tens of MB no
/// reader takes, rewritten every night. The dated files stay the archive; a reader polls at least daily. The
/// store reads no more than this (``DigestSnapshot/windowLimit``); a member's window is its own notices, so its
/// file keeps them however many others the cluster told.
extension DigestInput {
    /// The window's entries a subscription file holds after tonight's notices (`tonight`, their ids): newest first
    /// (ties by notice id, so a re-run writes the same file), each notice once, at most `windowLimit` less
    /// tonight's count.
    public func earlierWindow(after tonight: Set<String>) -> [WindowEntry] {
        let room = windowLimit - tonight.count
        guard room > 0 else { return [] }
        var seen = tonight
        var out: [WindowEntry] = []
        for e in window.sorted(by: Self.newestFirst) where seen.insert(e.notice.id).inserted {
            out.append(e)
            if out.count == room { break }
        }
        return out
    }

    /// The window as the subscription files hold it (``earlierWindow(after:)`` and the entries of tonight's
    /// notices), in the window's order: what the JSON digest writes as `window`.
    public var subscriptionWindow: [WindowEntry] {
        let tonight = Set(allNotices.map(\.id))
        // Under the limit (nearly every cluster, every night), the window is whole: nothing to sort.
        if Set(window.map(\.notice.id)).union(tonight).count <= windowLimit { return window }
        let kept = tonight.union(earlierWindow(after: tonight).map(\.notice.id))
        return window.filter { kept.contains($0.notice.id) }
    }

    static func newestFirst(_ a: WindowEntry, _ b: WindowEntry) -> Bool {
        a.sentAt != b.sentAt ? a.sentAt > b.sentAt : a.notice.id < b.notice.id
    }
}
