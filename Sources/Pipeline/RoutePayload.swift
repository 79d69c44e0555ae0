import Classifier
import Digest
import Foundation
import Notices
import Store

/// What the pipeline keeps with a route in the store (`RouteRecord.payload`, JSON): names and routing data —
/// never sentences — so a digest written later (`vigie digest`, a re-run) shows the same reasons, worded by the
/// Digest, without routing again.
struct MemberRoutePayload: Codable, Hashable {
    var memberName: String
    /// Labels of the member's trades the notice is for.
    var segments: [String]
    var evidence: [RouteEvidence]

    enum CodingKeys: String, CodingKey {
        case memberName = "member_name"
        case segments, evidence
    }

    init(memberName: String, segments: [String], evidence: [RouteEvidence]) {
        self.memberName = memberName
        self.segments = segments
        self.evidence = evidence
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        memberName = try c.decode(String.self, forKey: .memberName)
        segments = try c.decodeIfPresent([String].self, forKey: .segments) ?? []
        // Routes stored by builds that kept sentences carry no evidence: routed again, they get it.
        evidence = try c.decodeIfPresent([RouteEvidence].self, forKey: .evidence) ?? []
    }
}

struct ConsortiumRoutePayload: Codable, Hashable {
    /// Member ids, lead first.
    var members: [String]
    var names: [String: String]
    var lead: String
    /// Member id → labels of the trades it brings.
    var contributions: [String: [String]]
    var need: ConsortiumItem.Need
    /// Labels of needed trades no member covers.
    var uncovered: [String]
    /// Member id → label of the trade it could supply the group with.
    var suppliers: [String: String]
    var combinedCapacity: Double?
    var value: Double?
    var lotID: String?

    enum CodingKeys: String, CodingKey {
        case members, names, lead, contributions, need, uncovered, suppliers, value
        case combinedCapacity = "combined_capacity"
        case lotID = "lot_id"
    }
}

/// A notice put before the staff (« À signaler »): the figures, the Digest words them.
struct SignalRoutePayload: Codable, Hashable {
    var reason: String
    /// Segment labels.
    var segments: [String]
    var lotID: String?
    var value: Double?
    var largestCapacity: Double?
    var combinedCapacity: Double?
    /// Member names, largest capacity first.
    var members: [String]

    enum CodingKeys: String, CodingKey {
        case reason, segments, value, members
        case lotID = "lot_id"
        case largestCapacity = "largest_capacity"
        case combinedCapacity = "combined_capacity"
    }
}

struct WatchRoutePayload: Codable, Hashable {
    var name: String
    var recipients: [String]
    var evidence: [RouteEvidence]

    init(name: String, recipients: [String], evidence: [RouteEvidence]) {
        self.name = name
        self.recipients = recipients
        self.evidence = evidence
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        recipients = try c.decodeIfPresent([String].self, forKey: .recipients) ?? []
        evidence = try c.decodeIfPresent([RouteEvidence].self, forKey: .evidence) ?? []
    }
}

/// A member dropped at one filter, for the staff's « écartés de justesse ».
struct NearMissRoutePayload: Codable, Hashable {
    var memberName: String
    var exclusion: RouteExclusion
    var score: Double

    enum CodingKeys: String, CodingKey {
        case exclusion, score
        case memberName = "member_name"
    }
}

enum RouteMapping {
    static func encode<T: Encodable>(_ value: T) throws -> String {
        try encode(value, with: encoder())
    }

    /// The payload encoder: sorted keys, so a payload's text depends on its content only.
    static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }

    static func encode<T: Encodable>(_ value: T, with e: JSONEncoder) throws -> String {
        String(decoding: try e.encode(value), as: UTF8.self)
    }

    /// A stored payload, or nil when there is none; a payload that does not decode is an error (a store written
    /// by another program), never silently an empty route.
    static func decode<T: Decodable>(_ type: T.Type, _ text: String?) throws -> T? {
        guard let text else { return nil }
        do {
            return try JSONDecoder().decode(type, from: Data(text.utf8))
        } catch {
            throw PipelineError.cannotRun("route payload is not a \(T.self): \(error)")
        }
    }

    /// The classifier's reason as routing data for the store and the digest: the trade's label instead of its id.
    static func evidence(_ r: Reason, cluster: Cluster?) -> RouteEvidence {
        func label(_ id: String?) -> String? { id.map { cluster?.segment($0)?.label ?? $0 } }
        let kind: RouteEvidence.Kind
        var term = r.term
        switch r.source {
        case .territory: kind = .distance
        case .capacityGroupement: kind = .groupement
        case .memberInterest: kind = .interest
        case .memberCertification: kind = .certification
        case .watchKeyword(let id, _), .watchCPV(let id, _), .watchSegment(let id, _):
            kind = .watch
            term = cluster?.watches.first { $0.id == id }?.name ?? id
        default:
            switch r.field {
            case .title, .summary, .content, .lot, .category: kind = .keyword
            case .cpv: kind = .cpv
            case .descriptor: kind = .descriptor
            case .link:
                kind = .valueChain
                term = label(r.term) ?? r.term
            case .certification: kind = .certification
            case .segment: kind = .segment
            case .place, .value, .kind, .deadline, .interest: kind = .other
            }
        }
        var matched = r.matched
        if kind == .segment { matched = label(r.matched ?? r.term) }
        return RouteEvidence(
            kind: kind, field: r.field, term: term, matched: matched, lotID: r.lotID,
            segment: label(r.source.segment), weight: r.weight,
            declared: r.certification.map { $0 == .declared })
    }

    /// The strongest evidence first, each rule once, at most `limit` (a member is shown why, not every hit).
    static func evidence(_ reasons: [Reason], cluster: Cluster?, limit: Int = 8) -> [RouteEvidence] {
        var seen = Set<RouteEvidence>()
        var out: [RouteEvidence] = []
        for r in reasons.sorted(by: { $0.weight > $1.weight }) {
            let e = evidence(r, cluster: cluster)
            if seen.insert(e).inserted { out.append(e) }
            if out.count == limit { break }
        }
        return out
    }

    static func exclusion(_ cause: NearMissCause, segments: [String], label: (String) -> String) -> RouteExclusion {
        var x = RouteExclusion(filter: .weakMatch, segment: segments.first.map(label))
        switch cause {
        case .upstreamSupplier(let up, let down):
            x.filter = .upstreamSupplier
            x.upstream = label(up)
            x.downstream = label(down)
        case .segmentExclusion(let segment, let term, let f):
            x.filter = .segmentExclusion
            x.segment = label(segment)
            x.term = term
            x.field = f
        case .weakMatch(let segment, let score, let threshold):
            x.filter = .weakMatch
            x.segment = label(segment)
            x.score = score
            x.threshold = threshold
        case .incoherentEvidence(let segment, _):
            x.filter = .weakMatch
            x.segment = label(segment)
        case .memberExclusion(let term, let f, _):
            x.filter = .memberExclusion
            x.term = term
            x.field = f
        case .kind(let k, let wanted):
            x.filter = .kind
            x.noticeKind = k
            x.wantedKinds = wanted
        case .deadline(let lead, let minimum):
            x.filter = .deadline
            x.leadDays = lead
            x.minimumLeadDays = minimum
        case .territory(let miss):
            x.filter = .territory
            switch miss {
            case .outsideFrance: x.outsideFrance = true
            case .outsideRegions(let regions): x.regions = regions
            case .tooFar(let places, let distance, let site, let maximum):
                x.places = places
                x.distance = distance
                x.site = site
                x.maximumDistance = maximum
            case .outOfReach(let places): x.places = places
            }
        case .capacity(let value, let capacity):
            x.filter = .capacity
            x.value = value
            x.capacity = capacity
        }
        return x
    }

    /// A notice's near misses in one cluster that the staff digest could list: one per member (its highest
    /// score), the first ``DigestAssembler/nearMissLimit`` by score then member id (the assembler's order).
    static func strongest(_ misses: [NearMiss]) -> [NearMiss] {
        guard misses.count > DigestAssembler.nearMissLimit else { return misses }
        var best: [String: NearMiss] = [:]
        for m in misses where (best[m.memberID]?.score ?? -.infinity) < m.score { best[m.memberID] = m }
        let ranked = best.values.sorted { a, b in a.score != b.score ? a.score > b.score : a.memberID < b.memberID }
        return Array(ranked.prefix(DigestAssembler.nearMissLimit))
    }

    /// The store records for one notice's routing result.
    static func records(_ result: RoutingResult, rulebook: Rulebook) throws -> [RouteRecord] {
        var out: [RouteRecord] = []
        // One encoder for the notice's payloads, and no work for the clusters the notice says nothing to.
        let e = encoder()
        func encode<T: Encodable>(_ value: T) throws -> String { try RouteMapping.encode(value, with: e) }
        for c in result.clusters
        where !c.routes.isEmpty || !c.watches.isEmpty || !c.consortia.isEmpty || !c.signals.isEmpty
            || !c.nearMisses.isEmpty
        {
            let cluster = rulebook.cluster(c.clusterID)
            func label(_ segment: String) -> String { cluster?.segment(segment)?.label ?? segment }
            for r in c.routes {
                // The distance penalty carries the route's distance, so the digest can say « à 2 départements ».
                let found = evidence(r.reasons, cluster: cluster).map { e -> RouteEvidence in
                    var e = e
                    if e.kind == .distance { e.distance = r.distance }
                    return e
                }
                let payload = MemberRoutePayload(
                    memberName: r.memberName, segments: r.segments.map(label), evidence: found)
                out.append(
                    RouteRecord(
                        noticeID: result.noticeID, cluster: c.clusterID, member: r.memberID,
                        role: (r.isDirect ? RouteRole.direct : RouteRole.indirect).rawValue, score: r.score,
                        payload: try encode(payload)))
            }
            for w in c.watches {
                let payload = WatchRoutePayload(
                    name: w.name, recipients: w.recipients, evidence: evidence(w.reasons, cluster: cluster))
                out.append(
                    RouteRecord(
                        noticeID: result.noticeID, cluster: c.clusterID, member: "watch:\(w.watchID)",
                        role: RouteRole.watch.rawValue, score: w.reasons.reduce(0) { $0 + $1.weight },
                        payload: try encode(payload)))
            }
            for (i, s) in c.consortia.enumerated() {
                var names: [String: String] = [:]
                for m in s.members { names[m] = cluster?.member(m)?.name ?? m }
                for m in s.suppliers.keys { names[m] = cluster?.member(m)?.name ?? m }
                let need: ConsortiumItem.Need
                switch s.reason {
                case .multipleSegments: need = .multipleSegments
                case .valueExceedsCapacity: need = .valueExceedsCapacity
                case .both: need = .both
                }
                let payload = ConsortiumRoutePayload(
                    members: s.members, names: names, lead: s.lead,
                    contributions: s.contributions.mapValues { $0.map(label) }, need: need,
                    uncovered: s.uncovered.map(label), suppliers: s.suppliers.mapValues(label),
                    combinedCapacity: s.combinedCapacity, value: s.value, lotID: s.lotID)
                let score = s.members.compactMap { m in c.routes.first { $0.memberID == m }?.score }.max() ?? 0
                // One route row per suggestion: "member" carries the lot (or the index) to keep them apart.
                let key = "consortium:" + (s.lotID.map { "lot-\($0)" } ?? "\(i)")
                out.append(
                    RouteRecord(
                        noticeID: result.noticeID, cluster: c.clusterID, member: key,
                        role: RouteRole.consortium.rawValue, score: score, payload: try encode(payload)))
            }
            for (i, s) in c.signals.enumerated() {
                let payload = SignalRoutePayload(
                    reason: s.reason.rawValue, segments: s.segments.map(label), lotID: s.lotID, value: s.value,
                    largestCapacity: s.largestCapacity, combinedCapacity: s.combinedCapacity,
                    members: s.members.map { cluster?.member($0)?.name ?? $0 })
                out.append(
                    RouteRecord(
                        noticeID: result.noticeID, cluster: c.clusterID, member: "signal:\(i)",
                        role: RouteRole.signal.rawValue, score: 0, payload: try encode(payload)))
            }
            // « Écartés de justesse »: one row per member narrowly dropped at one filter (staff only, never
            // sent; see `NearMiss.isNarrow`), for the notice's strongest few only. The staff digest lists the night's `nearMissLimit` strongest, ranked by
            // score then notice then member, so a row below the notice's own first `nearMissLimit` in that order
            // can never be shown; a national deployment (300 clusters of 100 members) otherwise recorded a row
            // for every member of every cluster whose trade a notice names, 1.5 million for 1,000 notices.
            let routed = Set(c.routes.map(\.memberID))
            for m in strongest(c.nearMisses.filter { $0.isNarrow && !routed.contains($0.memberID) }) {
                let payload = NearMissRoutePayload(
                    memberName: m.memberName, exclusion: exclusion(m.cause, segments: m.segments, label: label),
                    score: m.score)
                out.append(
                    RouteRecord(
                        noticeID: result.noticeID, cluster: c.clusterID, member: "near-miss:\(m.memberID)",
                        role: RouteRole.nearMiss.rawValue, score: m.score, payload: try encode(payload)))
            }
        }
        return out
    }
}
