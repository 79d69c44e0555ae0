import Classifier
import Digest
import Foundation
import Notices
import Store

/// Turns a cluster's undelivered routes into a `DigestInput`: member sections, consortia, calls for projects,
/// deadlines soon and "changed since we told you", one entry per opportunity (a procurement published on
/// BOAMP and TED shows once, "aussi publié sur ted").
struct DigestAssembler {
    let store: NoticeStore
    let cluster: Cluster
    let now: Date
    let deadlineSoonDays: Int

    /// Changes that are told again: dates, money, scope, what is asked, who asks.
    static let significantFields: Set<String> = [
        "kind", "title", "deadline", "call_closing", "value", "lots", "other_deadlines", "places", "procedure",
        "buyer", "call",
    ]

    struct Result {
        var input: DigestInput
        /// Every pending route the digest accounts for (shown, or folded into a shown duplicate).
        var deliveries: [PendingRoute]
    }

    /// Which record of one opportunity a member is shown: the better route, and on a tie the record that
    /// says more (a buyer platform's RSS item and the BOAMP notice of the same tender score alike, but only
    /// BOAMP names the buyer, the procedure and the lots).
    static func isBetter(_ a: DigestItem, than b: DigestItem) -> Bool {
        if a.score != b.score { return a.score > b.score }
        func richness(_ n: Notice) -> Int {
            (n.buyer?.name != nil ? 2 : 0) + (n.procedure != nil ? 1 : 0) + (n.lots.isEmpty ? 0 : 1)
                + (n.refs.isEmpty ? 0 : 1) + (n.value != nil ? 1 : 0) + (n.deadline != nil ? 1 : 0)
        }
        let (ra, rb) = (richness(a.notice), richness(b.notice))
        return ra != rb ? ra > rb : a.notice.id < b.notice.id
    }

    func memberName(_ id: String, payload: MemberRoutePayload?) -> String {
        cluster.member(id)?.name ?? payload?.memberName ?? id
    }

    /// The member a route is for, by the rules' name, else the name stored with the route, else its id.
    func memberName(of route: RouteRecord) -> String {
        memberName(route.member, payload: RouteMapping.decode(MemberRoutePayload.self, route.payload))
    }

    /// Watch routes are stored under the member `watch:<id>`.
    static func watchID(of route: RouteRecord) -> String {
        String(route.member.dropFirst("watch:".count))
    }

    /// The deadline this record gives against the other records of its opportunity, when it moves it:
    /// any move for a change notice (rectificatif), a move of a day or more for another source's copy
    /// (TED and BOAMP often state the same day at different hours).
    func deadlineMove(of s: StoredNotice) throws -> NoticeChange? {
        guard let new = FrenchFormat.mainDeadline(s.notice) else { return nil }
        let others = try store.records(ofOpportunity: s.opportunityID).filter { $0.id != s.id }
            .sorted { $0.firstSeen < $1.firstSeen }
        guard let previous = others.last(where: { FrenchFormat.mainDeadline($0.notice) != nil }),
            let old = FrenchFormat.mainDeadline(previous.notice)
        else { return nil }
        let gap = abs(new.instant.timeIntervalSince(old.instant))
        let moved = s.notice.kind == .change ? gap >= 60 : gap >= 86_400
        guard moved else { return nil }
        return NoticeChange(field: "deadline", old: old.iso8601, new: new.iso8601)
    }

    func assemble(sources: [SourceHealth]) throws -> Result {
        let pending = try store.undelivered(cluster: cluster.id)
        let told = try store.deliveredOpportunities(cluster: cluster.id)
        var deliveries: [PendingRoute] = []
        var alsoCache: [Int64: [String]] = [:]
        func otherSources(of s: StoredNotice) throws -> [String] {
            if alsoCache[s.opportunityID] == nil {
                alsoCache[s.opportunityID] = try store.records(ofOpportunity: s.opportunityID).map(\.notice.source)
            }
            var others = alsoCache[s.opportunityID] ?? []
            if let i = others.firstIndex(of: s.notice.source) { others.remove(at: i) }
            return Array(Set(others)).sorted()
        }

        // Member sections: best route per (member, opportunity).
        var byMember: [String: [Int64: (PendingRoute, DigestItem)]] = [:]
        // Calls for projects: one item per opportunity, with every member concerned.
        var calls: [Int64: (item: DigestItem, members: [String])] = [:]
        var consortia: [Int64: ConsortiumItem] = [:]
        var signals: [Int64: SignalItem] = [:]
        var changed: [String: ChangedItem] = [:]
        var watches: [String: WatchSection] = [:]
        var watchSeen = Set<String>()

        for p in pending {
            let s = p.notice
            let role = p.route.role
            deliveries.append(p)
            if p.isUpdate {
                // Only what changes a member's decision is worth a "changed since we told you"; a reworded
                // summary is recorded as delivered without a word.
                let changes = p.changesSinceDelivery.filter { Self.significantFields.contains($0.field) }
                guard !changes.isEmpty else { continue }
                var item =
                    changed[s.id]
                    ?? ChangedItem(
                        notice: s.notice, changes: changes, members: [],
                        toldAt: p.deliveredAt)
                if role == RouteRole.signal { continue }
                if role == RouteRole.consortium {
                    if !item.members.contains("piste en consortium") { item.members.append("piste en consortium") }
                } else if role == RouteRole.watch {
                    let name =
                        RouteMapping.decode(WatchRoutePayload.self, p.route.payload)?.name ?? Self.watchID(of: p.route)
                    let label = "veille « \(name) »"
                    if !item.members.contains(label) { item.members.append(label) }
                } else {
                    let name = memberName(of: p.route)
                    if !item.members.contains(name) { item.members.append(name) }
                }
                if let t = p.deliveredAt, item.toldAt.map({ t < $0 }) ?? true { item.toldAt = t }
                changed[s.id] = item
                continue
            }
            // Already told through another source record of the same opportunity, or under the other member
            // role (a rules edit turned a direct route into an indirect one): not news, unless this record
            // moves the deadline (a corrigendum published as a notice of its own).
            let roles =
                role == RouteRole.direct || role == RouteRole.indirect
                ? [RouteRole.direct, RouteRole.indirect] : [role]
            if roles.contains(where: {
                told.contains(DeliveredOpportunity(opportunityID: s.opportunityID, member: p.route.member, role: $0))
            }) {
                if role != RouteRole.watch, role != RouteRole.consortium,
                    let change = try deadlineMove(of: s)
                {
                    let name = memberName(of: p.route)
                    if changed[s.id] == nil {
                        changed[s.id] = ChangedItem(notice: s.notice, changes: [change], members: [])
                    }
                    if !changed[s.id]!.members.contains(name) { changed[s.id]!.members.append(name) }
                }
                continue
            }
            switch role {
            case RouteRole.watch:
                let payload = RouteMapping.decode(WatchRoutePayload.self, p.route.payload)
                let id = Self.watchID(of: p.route)
                if watches[id] == nil {
                    watches[id] = WatchSection(
                        watchID: id, name: payload?.name ?? cluster.watches.first { $0.id == id }?.name ?? id,
                        recipients: payload?.recipients ?? [], items: [])
                }
                if watchSeen.insert("\(id)\u{0}\(s.id)").inserted {
                    // Appended in place (no copy of the section per notice).
                    watches[id]?.items.append(
                        DigestItem(
                            notice: s.notice, score: p.route.score, reasons: payload?.reasons ?? [],
                            direct: nil, alsoPublishedOn: try otherSources(of: s)))
                }
            case RouteRole.signal:
                guard let payload = RouteMapping.decode(SignalRoutePayload.self, p.route.payload) else { continue }
                signals[s.opportunityID] = SignalItem(
                    notice: s.notice, segments: payload.segments, lotID: payload.lotID,
                    value: payload.value.map { Decimal($0.rounded()) },
                    largestCapacity: payload.largestCapacity.map { Decimal($0.rounded()) },
                    combinedCapacity: payload.combinedCapacity.map { Decimal($0.rounded()) }, members: payload.members)
            case RouteRole.consortium:
                guard let payload = RouteMapping.decode(ConsortiumRoutePayload.self, p.route.payload) else { continue }
                if let existing = consortia[s.opportunityID], existing.score >= p.route.score { continue }
                let partners = payload.members.map { id in
                    ConsortiumPartner(
                        memberID: id, memberName: cluster.member(id)?.name ?? payload.names[id] ?? id,
                        segments: payload.contributions[id] ?? [])
                }
                var rationale = payload.rationale
                if let lot = payload.lotID { rationale.insert("Pour le lot \(lot)", at: 0) }
                consortia[s.opportunityID] = ConsortiumItem(
                    notice: s.notice, score: p.route.score, rationale: rationale, partners: partners,
                    lead: cluster.member(payload.lead)?.name ?? payload.names[payload.lead] ?? payload.lead)
            default:
                let payload = RouteMapping.decode(MemberRoutePayload.self, p.route.payload)
                let name = memberName(p.route.member, payload: payload)
                let item = DigestItem(
                    notice: s.notice, score: p.route.score, reasons: payload?.reasons ?? [],
                    direct: role == RouteRole.direct, alsoPublishedOn: try otherSources(of: s))
                if s.notice.kind == .callForProjects {
                    if calls[s.opportunityID] == nil { calls[s.opportunityID] = (item, []) }
                    if item.score > calls[s.opportunityID]!.item.score { calls[s.opportunityID]!.item = item }
                    if !calls[s.opportunityID]!.members.contains(name) {
                        calls[s.opportunityID]!.members.append(name)
                    }
                } else {
                    // Mutated in place: copying the member's dictionary out and back made this quadratic.
                    if let existing = byMember[p.route.member]?[s.opportunityID],
                        !Self.isBetter(item, than: existing.1)
                    {
                        continue
                    }
                    byMember[p.route.member, default: [:]][s.opportunityID] = (p, item)
                }
            }
        }

        // Members in rule-file order, then any member the rules no longer list.
        var memberOrder = cluster.members.map(\.id)
        for id in byMember.keys.sorted() where !memberOrder.contains(id) { memberOrder.append(id) }
        let sections: [MemberSection] = memberOrder.compactMap { id in
            guard let items = byMember[id], let first = items.values.first else { return nil }
            let name = memberName(of: first.0.route)
            let sorted = items.values.map(\.1).sorted { a, b in
                a.score != b.score ? a.score > b.score : a.notice.id < b.notice.id
            }
            return MemberSection(memberID: id, memberName: name, items: sorted)
        }
        let callItems = calls.values.map { entry -> DigestItem in
            var item = entry.item
            item.members = entry.members
            return item
        }.sorted { a, b in
            let da = FrenchFormat.mainDeadline(a.notice)?.instant ?? .distantFuture
            let db = FrenchFormat.mainDeadline(b.notice)?.instant ?? .distantFuture
            return da != db ? da < db : a.notice.id < b.notice.id
        }

        // Deadlines soon: every routed notice (sent tonight or earlier) closing within the window.
        let horizon = now.addingTimeInterval(Double(deadlineSoonDays) * 86_400)
        var soon: [Int64: DigestItem] = [:]
        var soonOrder: [Int64] = []
        for r in try store.routedNotices(cluster: cluster.id, deadlineFrom: now, to: horizon) {
            guard r.notice.notice.kind != .award,
                r.route.role == RouteRole.direct || r.route.role == RouteRole.indirect
            else { continue }
            let name = memberName(of: r.route)
            if var item = soon[r.notice.opportunityID] {
                if !item.members.contains(name) { item.members.append(name) }
                soon[r.notice.opportunityID] = item
            } else {
                soon[r.notice.opportunityID] = DigestItem(
                    notice: r.notice.notice, score: r.route.score,
                    direct: r.route.role == RouteRole.direct,
                    members: [name])
                soonOrder.append(r.notice.opportunityID)
            }
        }

        // Watches in rule-file order, then any the rules no longer list.
        var watchOrder = cluster.watches.map(\.id).filter { watches[$0] != nil }
        for id in watches.keys.sorted() where !watchOrder.contains(id) { watchOrder.append(id) }
        for id in watchOrder {
            watches[id]?.items.sort { a, b in a.score != b.score ? a.score > b.score : a.notice.id < b.notice.id }
        }
        let input = DigestInput(
            clusterID: cluster.id, clusterName: cluster.name, runDate: now, members: sections,
            consortia: consortia.values.sorted { a, b in
                a.score != b.score ? a.score > b.score : a.notice.id < b.notice.id
            },
            calls: callItems, watches: watchOrder.compactMap { watches[$0] },
            deadlinesSoon: soonOrder.compactMap { soon[$0] },
            changed: changed.values.sorted { $0.notice.id < $1.notice.id }, sources: sources,
            signals: signals.values.sorted { $0.notice.id < $1.notice.id })
        return Result(input: input, deliveries: deliveries)
    }
}
