import Foundation
import Notices

/// Turns a cluster's snapshot into its `DigestInput`: member sections, consortium ideas, calls for projects,
/// watches, « à signaler », « écartés de justesse », deadlines soon, "changed since we told you" and the
/// subscription window — one entry per opportunity, shown with its richest record (a procurement published on
/// BOAMP and TED shows once, "aussi publié sur TED", never three times with three deadlines).
public enum DigestAssembler {
    /// Changes that are told again: dates, money, scope, what is asked, who asks.
    public static let significantFields: Set<String> = [
        "kind", "title", "deadline", "call_closing", "value", "lots", "other_deadlines", "places", "procedure",
        "buyer", "call",
    ]

    /// How many near misses the staff digest lists (the strongest): beyond that they are noise.
    public static let nearMissLimit = 15

    static func deadline(_ n: Notice) -> Date { FrenchFormat.mainDeadline(n)?.instant ?? .distantFuture }

    /// Member items in the order a member reads them: what it does itself before what reaches it through the
    /// value chain, then the soonest deadline, then the strongest evidence.
    static func readingOrder(_ a: DigestItem, _ b: DigestItem) -> Bool {
        ReadingKey(a).precedes(ReadingKey(b))
    }

    /// What ``readingOrder(_:_:)`` compares of an item, read once: sorting compared whole items and worked out
    /// each one's deadline again at every comparison.
    struct ReadingKey {
        var direct: Bool
        var deadline: Date
        var score: Double
        var id: String

        init(_ item: DigestItem) {
            direct = item.direct ?? true
            deadline = DigestAssembler.deadline(item.notice)
            score = item.score
            id = item.notice.id
        }

        func precedes(_ b: ReadingKey) -> Bool {
            if direct != b.direct { return direct }
            if deadline != b.deadline { return deadline < b.deadline }
            if score != b.score { return score > b.score }
            return id < b.id
        }
    }

    /// `items` in reading order, stable: sorted by index on keys read once, then each item moved once.
    static func inReadingOrder(_ items: [DigestItem]) -> [DigestItem] {
        let keys = items.map(ReadingKey.init)
        // Already in order (a digest read back, a section of one): nothing moved.
        if zip(keys, keys.dropFirst()).allSatisfy({ !$1.precedes($0) }) { return items }
        let order = keys.indices.sorted { a, b in
            keys[a].precedes(keys[b]) || (!keys[b].precedes(keys[a]) && a < b)
        }
        return order.map { items[$0] }
    }

    /// `values` sorted as `sorted(by:)` sorts them (stable), by index: sorting the values themselves copies each
    /// one (a whole notice, some thirty references) at every move of the merge.
    static func sortedByIndex<T>(_ values: [T], by less: (T, T) -> Bool) -> [T] {
        let order = values.indices.sorted { a, b in
            less(values[a], values[b]) || (!less(values[b], values[a]) && a < b)
        }
        return order.map { values[$0] }
    }

    public static func assemble(_ s: DigestSnapshot) -> DigestInput {
        var byMember: [String: [Int64: DigestItem]] = [:]
        var calls: [Int64: DigestItem] = [:]
        var consortia: [Int64: ConsortiumItem] = [:]
        var signals: [Int64: SignalItem] = [:]
        var nearMisses: [String: NearMissItem] = [:]
        var changed: [Int64: ChangedItem] = [:]
        var watches: [String: WatchSection] = [:]
        var watchSeen: [String: Set<Int64>] = [:]

        func addChange(
            _ p: DigestSnapshot.Pending, _ changes: [NoticeChange], _ audience: ChangedItem.Audience,
            name: String?
        ) {
            var item =
                changed[p.opportunityID] ?? ChangedItem(notice: p.display, changes: changes, toldAt: p.deliveredAt)
            for c in changes where !item.changes.contains(c) { item.changes.append(c) }
            if !item.audiences.contains(audience) { item.audiences.append(audience) }
            if case .member(let id) = audience { item.memberNames[id] = name ?? s.memberName(id) }
            if let t = p.deliveredAt, item.toldAt.map({ t < $0 }) ?? true { item.toldAt = t }
            changed[p.opportunityID] = item
        }

        for p in s.pending {
            if p.isUpdate {
                // Only what changes a member's decision is worth a "changed since we told you"; a reworded
                // summary is recorded as delivered without a word.
                let changes = p.changes.filter { significantFields.contains($0.field) }
                guard !changes.isEmpty, p.role != .signal, p.role != .nearMiss else { continue }
                switch p.role {
                case .consortium: addChange(p, changes, .consortium, name: nil)
                case .watch:
                    if case .watch(let name, _, _) = p.detail {
                        addChange(p, changes, .watch(name: name), name: nil)
                    } else {
                        addChange(p, changes, .watch(name: String(p.recipient.dropFirst("watch:".count))), name: nil)
                    }
                default:
                    var stored: String?
                    if case .member(let name, _, _) = p.detail { stored = name }
                    addChange(p, changes, .member(id: p.recipient), name: s.memberName(p.recipient, stored: stored))
                }
                continue
            }
            if p.alreadyTold {
                // Told through another record of the same opportunity: not news, unless this record moves the
                // deadline (a corrigendum published as a notice of its own).
                if p.role.reachesMember, let move = p.deadlineMove {
                    var stored: String?
                    if case .member(let name, _, _) = p.detail { stored = name }
                    addChange(p, [move], .member(id: p.recipient), name: s.memberName(p.recipient, stored: stored))
                }
                continue
            }
            switch p.detail {
            case .watch(let name, let recipients, let evidence)?:
                let id = String(p.recipient.dropFirst("watch:".count))
                if watches[id] == nil {
                    watches[id] = WatchSection(
                        watchID: id, name: s.watches.first { $0.id == id }?.name ?? name, recipients: recipients,
                        items: [])
                }
                if watchSeen[id, default: []].insert(p.opportunityID).inserted {
                    watches[id]?.items.append(
                        DigestItem(
                            notice: p.display, score: p.score, evidence: evidence, direct: nil,
                            alsoPublishedOn: p.otherSources))
                }
            case .signal(var item)?:
                item.notice = p.display
                signals[p.opportunityID] = item
            case .nearMiss(let name, let exclusion)?:
                let key = "\(p.recipient)\u{0}\(p.opportunityID)"
                let item = NearMissItem(
                    notice: p.display, memberID: String(p.recipient.dropFirst("near-miss:".count)),
                    memberName: s.memberName(String(p.recipient.dropFirst("near-miss:".count)), stored: name),
                    exclusion: exclusion, score: p.score)
                if (nearMisses[key]?.score ?? -.infinity) < p.score { nearMisses[key] = item }
            case .consortium(let idea)?:
                if let existing = consortia[p.opportunityID], existing.score >= p.score { continue }
                let partners = idea.members.map { id in
                    ConsortiumPartner(
                        memberID: id, memberName: s.memberName(id, stored: idea.names[id]),
                        segments: idea.contributions[id] ?? [])
                }
                let suppliers = idea.suppliers.sorted { $0.key < $1.key }.map { id, segment in
                    ConsortiumPartner(
                        memberID: id, memberName: s.memberName(id, stored: idea.names[id]), segments: [segment])
                }
                consortia[p.opportunityID] = ConsortiumItem(
                    notice: p.display, score: p.score, need: idea.need, lotID: idea.lotID,
                    value: idea.value.map { Decimal($0.rounded()) },
                    combinedCapacity: idea.combinedCapacity.map { Decimal($0.rounded()) }, uncovered: idea.uncovered,
                    suppliers: suppliers, partners: partners,
                    lead: s.memberName(idea.lead, stored: idea.names[idea.lead]))
            case .member(let storedName, let segments, let evidence)?:
                let name = s.memberName(p.recipient, stored: storedName)
                let item = DigestItem(
                    notice: p.display, score: p.score, evidence: evidence, segments: segments,
                    direct: p.role == .direct, members: [name], memberIDs: [p.recipient],
                    memberEvidence: [p.recipient: evidence], alsoPublishedOn: p.otherSources)
                if p.display.kind == .callForProjects {
                    var merged = calls[p.opportunityID] ?? item
                    if calls[p.opportunityID] != nil {
                        if item.score > merged.score {
                            merged.score = item.score
                            merged.evidence = item.evidence
                        }
                        if !merged.memberIDs.contains(p.recipient) {
                            merged.memberIDs.append(p.recipient)
                            merged.members.append(name)
                        }
                        merged.memberEvidence[p.recipient] = evidence
                    }
                    calls[p.opportunityID] = merged
                } else {
                    if let existing = byMember[p.recipient]?[p.opportunityID],
                        existing.score > item.score || (existing.score == item.score && existing.direct == true)
                    {
                        continue
                    }
                    byMember[p.recipient, default: [:]][p.opportunityID] = item
                }
            case nil:
                continue
            }
        }

        // Members in rule-file order, then any member the rules no longer list.
        var memberOrder = s.members.map(\.id)
        for id in byMember.keys.sorted() where !memberOrder.contains(id) { memberOrder.append(id) }
        // Members reached by a notice for the same reasons (the same trade and clues, the same distance to their
        // sites) read the same words: worded once for the cluster. On a national night a notice reaches some
        // seventy members, mostly of a few trades, and wording each member's item again was half the assembly.
        var wordings: [ItemReasons.Key: ItemReasons] = [:]
        let sections: [MemberSection] = memberOrder.compactMap { id in
            guard let items = byMember[id], let first = items.values.first else { return nil }
            var ordered = inReadingOrder(Array(items.values))
            // Worded here once, in place: each rendering of the cluster's and the member's digests shows the
            // reasons.
            for i in ordered.indices { ordered[i].word(reusing: &wordings) }
            return MemberSection(memberID: id, memberName: first.members.first ?? s.memberName(id), items: ordered)
        }
        let callItems = sortedByIndex(Array(calls.values)) { a, b in
            let (da, db) = (deadline(a.notice), deadline(b.notice))
            return da != db ? da < db : a.notice.id < b.notice.id
        }

        // Deadlines soon: every notice routed to a member (sent tonight or earlier) closing within the window.
        var soon: [Int64: DigestItem] = [:]
        var soonOrder: [Int64] = []
        for r in s.soon where r.notice.kind != .award {
            let name = s.memberName(r.memberID)
            if var item = soon[r.opportunityID] {
                if !item.memberIDs.contains(r.memberID) {
                    item.memberIDs.append(r.memberID)
                    item.members.append(name)
                }
                soon[r.opportunityID] = item
            } else {
                soon[r.opportunityID] = DigestItem(
                    notice: r.notice, score: r.score, direct: r.direct, members: [name], memberIDs: [r.memberID])
                soonOrder.append(r.opportunityID)
            }
        }

        // The subscription window: what was sent over the last days, and tonight's.
        var window: [Int64: WindowEntry] = [:]
        func addWindow(_ n: Notice, opportunity: Int64, member: String, at date: Date) {
            var e = window[opportunity] ?? WindowEntry(notice: n, sentAt: date)
            if date < e.sentAt { e.sentAt = date }
            if !e.memberIDs.contains(member) {
                e.memberIDs.append(member)
                e.members.append(s.memberName(member))
            }
            window[opportunity] = e
        }
        for r in s.sent { addWindow(r.notice, opportunity: r.opportunityID, member: r.memberID, at: r.sentAt ?? s.now) }
        for p in s.pending where p.role.reachesMember && !p.isUpdate && !p.alreadyTold {
            addWindow(p.display, opportunity: p.opportunityID, member: p.recipient, at: s.now)
        }

        var watchOrder = s.watches.map(\.id).filter { watches[$0] != nil }
        for id in watches.keys.sorted() where !watchOrder.contains(id) { watchOrder.append(id) }
        for id in watchOrder {
            watches[id]?.items.sort { a, b in a.score != b.score ? a.score > b.score : a.notice.id < b.notice.id }
        }
        let near = sortedByIndex(Array(nearMisses.values)) { a, b in
            a.score != b.score ? a.score > b.score : (a.notice.id, a.memberID) < (b.notice.id, b.memberID)
        }
        var input = DigestInput(
            clusterID: s.clusterID, clusterName: s.clusterName, runDate: s.now, members: sections,
            consortia: sortedByIndex(Array(consortia.values)) { a, b in
                a.score != b.score ? a.score > b.score : a.notice.id < b.notice.id
            },
            calls: callItems, watches: watchOrder.compactMap { watches[$0] },
            deadlinesSoon: soonOrder.compactMap { soon[$0] },
            changed: sortedByIndex(Array(changed.values)) { $0.notice.id < $1.notice.id }, sources: s.sources,
            sourceNames: s.sourceNames,
            signals: sortedByIndex(Array(signals.values)) { $0.notice.id < $1.notice.id },
            nearMisses: Array(near.prefix(nearMissLimit)),
            window: sortedByIndex(Array(window.values)) { a, b in
                a.sentAt != b.sentAt ? a.sentAt > b.sentAt : a.notice.id < b.notice.id
            },
            windowDays: s.windowDays, sharePartners: s.sharePartners, staffContact: s.staffContact,
            publicURL: s.publicURL)
        input.windowLimit = s.windowLimit
        // Counted here once: every rendering of the cluster's digest shows the counts.
        input.tally()
        return input
    }
}
