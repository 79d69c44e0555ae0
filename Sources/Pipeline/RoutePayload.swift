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
        return try decodeJSON(type, text)
    }

    /// A member's or a watch's payload, read by ``PayloadReader`` when it has the shape ``PayloadWriter`` gives it
    /// (JSONDecoder was a third of assembling a national night's digests), else by JSONDecoder: an older store's
    /// payload, keys in another order, a `null`, a number or an escape the reader leaves alone decode as before,
    /// and one that does not decode is the same error.
    static func decode<T: Decodable & PayloadReadable>(_ type: T.Type, _ text: String?) throws -> T? {
        guard let text else { return nil }
        if let value = PayloadReader.read(type, text) { return value }
        return try decodeJSON(type, text)
    }

    private static func decodeJSON<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(text.utf8))
        } catch {
            throw PipelineError.cannotRun("route payload is not a \(T.self): \(error)")
        }
    }

    /// The classifier's reason as routing data for the store and the digest: the trade's label instead of its id.
    static func evidence(_ r: Reason, cluster: Cluster?) -> RouteEvidence {
        func label(_ id: String?) -> String? { id.map { segmentLabel($0, in: cluster) } }
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
        var out: [RouteEvidence] = []
        for r in reasons.sorted(by: { $0.weight > $1.weight }) {
            let e = evidence(r, cluster: cluster)
            // At most `limit` kept: comparing with them costs less than hashing every string of each.
            if !out.contains(e) { out.append(e) }
            if out.count == limit { break }
        }
        return out
    }

    /// The label of a cluster's segment (its id when it has none by that id), found without copying every
    /// segment compared (``Cluster/segment(_:)`` returns a copy of the whole segment, keywords and all, for each of
    /// the 120,000 routes of a national night's 2,000 notices).
    static func segmentLabel(_ id: String, in cluster: Cluster?) -> String {
        guard let cluster, let i = cluster.segments.firstIndex(where: { $0.id == id }) else { return id }
        return cluster.segments[i].label
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
        NearMiss.strongest(misses, limit: DigestAssembler.nearMissLimit)
    }

    /// The store records for one notice's routing result (its near misses capped by ``strongest(_:)`` alone), near
    /// misses encoded: a notice routed on its own. The night appends a page's rows with
    /// ``append(_:rulebook:opportunityID:clusterIndex:to:nearMisses:cut:)`` and keeps the page's strongest.
    static func records(_ result: RoutingResult, rulebook: Rulebook) throws -> [RouteRecord] {
        var out: [RouteRecord] = []
        var misses: [NearMissCandidate] = []
        // One notice's near misses are one per member and cluster, at most the limit: a cut of its own drops none.
        var cut = NearMissCut()
        try append(
            result, rulebook: rulebook, opportunityID: 0, clusterIndex: nil, to: &out, nearMisses: &misses, cut: &cut)
        return try out + misses.map { try $0.record() }
    }

    /// Appends the store records for one notice's routing result to `out`, and its near misses that `cut` still
    /// admits to `misses`, not yet encoded. A page's rows are appended where they end up: returned per notice and
    /// joined, each row was copied twice (a tenth of routing's time on a national night). `clusterIndex`
    /// (``clusterIndex(_:)``) finds a cluster without comparing its id with every other's.
    static func append(
        _ result: RoutingResult, rulebook: Rulebook, opportunityID: Int64, clusterIndex: [String: Int]?,
        to out: inout [RouteRecord], nearMisses misses: inout [NearMissCandidate], cut: inout NearMissCut
    ) throws {
        // No work for the clusters the notice says nothing to.
        for c in result.clusters
        where !c.routes.isEmpty || !c.watches.isEmpty || !c.consortia.isEmpty || !c.signals.isEmpty
            || !c.nearMisses.isEmpty
        {
            let cluster =
                if let clusterIndex { clusterIndex[c.clusterID].map { rulebook.clusters[$0] } } else {
                    rulebook.cluster(c.clusterID)
                }
            func label(_ segment: String) -> String { segmentLabel(segment, in: cluster) }
            // Members sent a notice for the same trade with the same evidence follow one another (routes are by
            // score): their evidence and labels are worked out once (a national night routes each notice to some
            // seventy members of a cluster chain, most for one segment).
            // The evidence is kept as its JSON: written once for all the routes that share it, it was half of
            // the mapping's time written again for each. The last few are kept: routes by score alternate between
            // members at the same distance of different sites, whose evidence differs by the site alone.
            var recent: [(reasons: [Reason], distance: Int?, json: [UInt8])] = []
            var previousSegments: (ids: [String], labels: [String])?
            for r in c.routes {
                let json: [UInt8]
                if let p = recent.last(where: { $0.distance == r.distance && $0.reasons == r.reasons }) {
                    json = p.json
                } else {
                    // The distance penalty carries the route's distance, so the digest can say « à 2 départements ».
                    let found = evidence(r.reasons, cluster: cluster).map { e -> RouteEvidence in
                        var e = e
                        if e.kind == .distance { e.distance = r.distance }
                        return e
                    }
                    json = try PayloadWriter.evidenceArray(found)
                    if recent.count == 8 { recent.removeFirst() }
                    recent.append((r.reasons, r.distance, json))
                }
                let labels: [String]
                if let p = previousSegments, p.ids == r.segments {
                    labels = p.labels
                } else {
                    labels = r.segments.map(label)
                    previousSegments = (r.segments, labels)
                }
                out.append(
                    RouteRecord(
                        noticeID: result.noticeID, cluster: c.clusterID, member: r.memberID,
                        role: (r.isDirect ? RouteRole.direct : RouteRole.indirect).rawValue, score: r.score,
                        payload: MemberRoutePayload.text(memberName: r.memberName, segments: labels, evidence: json)))
            }
            for w in c.watches {
                let payload = WatchRoutePayload(
                    name: w.name, recipients: w.recipients, evidence: evidence(w.reasons, cluster: cluster))
                out.append(
                    RouteRecord(
                        noticeID: result.noticeID, cluster: c.clusterID, member: "watch:\(w.watchID)",
                        role: RouteRole.watch.rawValue, score: w.reasons.reduce(0) { $0 + $1.weight },
                        payload: try PayloadWriter.text(payload)))
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
                        role: RouteRole.consortium.rawValue, score: score, payload: try PayloadWriter.text(payload)))
            }
            for (i, s) in c.signals.enumerated() {
                let payload = SignalRoutePayload(
                    reason: s.reason.rawValue, segments: s.segments.map(label), lotID: s.lotID, value: s.value,
                    largestCapacity: s.largestCapacity, combinedCapacity: s.combinedCapacity,
                    members: s.members.map { cluster?.member($0)?.name ?? $0 })
                out.append(
                    RouteRecord(
                        noticeID: result.noticeID, cluster: c.clusterID, member: "signal:\(i)",
                        role: RouteRole.signal.rawValue, score: 0, payload: try PayloadWriter.text(payload)))
            }
            // « Écartés de justesse »: one row per member narrowly dropped at one filter (staff only, never
            // sent; see `NearMiss.isNarrow`), for the notice's strongest few only. The staff digest lists the
            // night's `nearMissLimit` strongest, ranked by score then notice then member, so a row below the
            // notice's own first `nearMissLimit` in that order can never be shown; a national deployment (300
            // clusters of 100 members) otherwise recorded a row for every member of every cluster whose trade a
            // notice names, 1.5 million for 1,000 notices.
            let routed = c.nearMisses.isEmpty ? [] : Set(c.routes.map(\.memberID))
            func add(_ m: NearMiss) {
                guard cut.admits(m.score, member: m.memberID, opportunity: opportunityID, cluster: c.clusterID) else {
                    return
                }
                misses.append(
                    NearMissCandidate(
                        cluster: c.clusterID, noticeID: result.noticeID, opportunityID: opportunityID,
                        memberID: m.memberID, score: m.score,
                        payload: NearMissRoutePayload(
                            memberName: m.memberName,
                            exclusion: exclusion(m.cause, segments: m.segments, label: label), score: m.score)))
            }
            // Read in place by position: the night's router keeps no more than the limit (``strongest(_:)`` would
            // give them back as they are), and copying each near miss twice to rank them was a tenth of the mapping.
            let narrow = c.nearMisses.indices.filter {
                c.nearMisses[$0].isNarrow && !routed.contains(c.nearMisses[$0].memberID)
            }
            if narrow.count > DigestAssembler.nearMissLimit {
                for m in strongest(narrow.map { c.nearMisses[$0] }) { add(m) }
            } else {
                for i in narrow { add(c.nearMisses[i]) }
            }
        }
    }

    /// Cluster id → its position in `rulebook.clusters` (the first of a repeated id, as ``Rulebook/cluster(_:)``).
    static func clusterIndex(_ rulebook: Rulebook) -> [String: Int] {
        var index: [String: Int] = [:]
        for (i, c) in rulebook.clusters.enumerated() where index[c.id] == nil { index[c.id] = i }
        return index
    }

    /// Of a page's near misses, those the staff digest could still list, in the page's order.
    ///
    /// The digest lists the night's ``DigestAssembler/nearMissLimit`` strongest of a cluster, one per (member,
    /// opportunity) — its best score — ranked by score, then the opportunity's displayed record's id
    /// (`display`: the richest record, which may be another source's), then the member. The night's top is
    /// within the union of each page's top, so in each cluster the rows up to the one where the
    /// `nearMissLimit`-th distinct (member, opportunity) first appears in that order are kept, with any row of the
    /// same key and score as that one (the digest keeps the first of those in its own order); every row after it
    /// has that many stronger entries ahead of it and can never be shown. Counting distinct keys, not rows, is
    /// what keeps this exact when a tender's BOAMP and TED copies (or a notice and its corrigendum) both come in
    /// one page: a fixed number of rows (twice the limit) could be filled by copies of one tender. `display` is
    /// asked only for the opportunities tied at the cut's score, whose order only it decides.
    static func strongest(
        inPage candidates: [NearMissCandidate], display: (Int64) throws -> String
    ) rethrows -> [NearMissCandidate] {
        let limit = DigestAssembler.nearMissLimit
        var byCluster: [String: [Int]] = [:]
        for (i, c) in candidates.enumerated() { byCluster[c.cluster, default: []].append(i) }
        var keep = [Bool](repeating: true, count: candidates.count)
        struct Key: Hashable {
            var member: String
            var opportunity: Int64
        }
        for indices in byCluster.values where indices.count > limit {
            // The cut's score: where, by score alone, the limit-th distinct key appears. Rows above it stay;
            // rows below go; rows at it are ordered as the digest would order them.
            let byScore = indices.sorted { candidates[$0].score > candidates[$1].score }
            var seen = Set<Key>()
            var cut: Double?
            for i in byScore {
                let c = candidates[i]
                if seen.insert(Key(member: c.memberID, opportunity: c.opportunityID)).inserted, seen.count == limit {
                    cut = c.score
                    break
                }
            }
            guard let cut else { continue }
            var above = Set<Key>()
            var tied: [Int] = []
            for i in indices {
                let c = candidates[i]
                if c.score > cut {
                    above.insert(Key(member: c.memberID, opportunity: c.opportunityID))
                } else if c.score == cut {
                    tied.append(i)
                } else {
                    keep[i] = false
                }
            }
            // At the cut's score the digest orders by the displayed record's id, then the member id.
            let opportunities = Set(tied.map { candidates[$0].opportunityID })
            var shown: [Int64: String] = [:]
            if opportunities.count > 1 {
                for o in opportunities { shown[o] = try display(o) }
            }
            tied.sort { a, b in
                let (x, y) = (candidates[a], candidates[b])
                let (dx, dy) = (shown[x.opportunityID] ?? "", shown[y.opportunityID] ?? "")
                return dx != dy ? dx < dy : x.memberID < y.memberID
            }
            var room = limit - above.count
            var admitted = Set<Key>()
            for i in tied {
                let key = Key(member: candidates[i].memberID, opportunity: candidates[i].opportunityID)
                if above.contains(key) {
                    // The same member and opportunity with a higher score: that row is the one shown.
                    keep[i] = false
                } else if admitted.contains(key) {
                    // Same key, same score (two records of one tender): the digest picks among them.
                    continue
                } else if room > 0 {
                    admitted.insert(key)
                    room -= 1
                } else {
                    keep[i] = false
                }
            }
        }
        return candidates.indices.filter { keep[$0] }.map { candidates[$0] }
    }
}

/// The strongest near misses seen so far in part of a page, per cluster: the ``DigestAssembler/nearMissLimit``
/// strongest distinct (member, opportunity) keys, each at its best score, strongest first.
///
/// A near miss scoring below the weakest of them, once there are that many, has that many distinct keys stronger
/// than it in any page holding these rows, so ``RouteMapping/strongest(inPage:display:)`` drops it whatever else
/// the page holds; it is dropped before its payload is built or copied. A national night's notice gave some 375
/// near misses (15 in each of 25 clusters) where the page kept 15 per cluster in all: building, copying and
/// ranking them was a fifth of routing's time.
struct NearMissCut {
    private var strongest: [String: [(score: Double, opportunity: Int64, member: String)]] = [:]

    /// Whether a near miss of `member` on `opportunity` with `score` in `cluster` may still be listed; if so it
    /// is counted among the strongest.
    mutating func admits(_ score: Double, member: String, opportunity: Int64, cluster: String) -> Bool {
        Self.admits(score, member: member, opportunity: opportunity, into: &strongest[cluster, default: []])
    }

    private static func admits(
        _ score: Double, member: String, opportunity: Int64,
        into list: inout [(score: Double, opportunity: Int64, member: String)]
    ) -> Bool {
        let limit = DigestAssembler.nearMissLimit
        if list.count == limit, score < list[limit - 1].score { return false }
        if let i = list.firstIndex(where: { $0.opportunity == opportunity && $0.member == member }) {
            // The key's best score is the one that counts.
            if list[i].score >= score { return true }
            list.remove(at: i)
        }
        list.insert((score, opportunity, member), at: list.firstIndex { $0.score < score } ?? list.count)
        if list.count > limit { list.removeLast() }
        return true
    }
}

/// A near miss a page may record, its payload not yet encoded: the page ranks them first.
struct NearMissCandidate: Hashable {
    var cluster: String
    var noticeID: String
    /// The notice's opportunity: the staff digest lists one near miss per (member, opportunity).
    var opportunityID: Int64
    var memberID: String
    var score: Double
    var payload: NearMissRoutePayload

    /// The route row.
    func record() throws -> RouteRecord {
        RouteRecord(
            noticeID: noticeID, cluster: cluster, member: "near-miss:\(memberID)", role: RouteRole.nearMiss.rawValue,
            score: score, payload: try PayloadWriter.text(payload))
    }
}

/// Writes the route payloads' JSON straight to bytes, byte for byte as ``RouteMapping/encoder()`` (JSONEncoder,
/// sorted keys) does — compact, keys in UTF-8 byte order, `/` escaped as `\/`, control characters as `\n` or
/// `\u001f`, other characters as they are, numbers as their `description` without a trailing `.0`, nil optionals
/// left out — without the encoder's boxes and dictionaries: a national night writes hundreds of thousands of
/// payloads, and JSONEncoder was a seventh of the routing thread's time. The keys of each type are written in
/// their sorted order by hand; `RoutePayloadWriterTests` compares both encoders on every payload of routed real
/// captures and on payloads with every field set, and counts the stored properties of each type, so a field added
/// to a payload (or to `RouteEvidence`, `RouteExclusion`) fails there until it is written here.
struct PayloadWriter {
    var bytes: [UInt8] = []

    /// `"evidence":[…]`, the list member and watch payloads both carry.
    mutating func evidence(_ list: [RouteEvidence]) throws {
        key("evidence")
        try evidenceArray(list)
    }

    /// The JSON array of an evidence list.
    mutating func evidenceArray(_ list: [RouteEvidence]) throws {
        open(UInt8(ascii: "["))
        for e in list { try e.write(to: &self) }
        close(UInt8(ascii: "]"))
    }

    /// The JSON array of an evidence list alone, for the payloads that share it (``json(_:)``).
    static func evidenceArray(_ list: [RouteEvidence]) throws -> [UInt8] {
        var w = PayloadWriter()
        try w.evidenceArray(list)
        return w.bytes
    }

    /// A value already written as JSON by a writer (``evidenceArray(_:)``).
    mutating func json(_ value: [UInt8]) {
        comma()
        bytes += value
        needsComma = true
    }

    /// Whether the next value in the open container needs a comma before it.
    private var needsComma = false

    /// The payload's JSON text.
    static func text<T: PayloadWritable>(_ value: T) throws -> String {
        var w = PayloadWriter()
        w.bytes.reserveCapacity(256)
        try value.write(to: &w)
        return String(decoding: w.bytes, as: UTF8.self)
    }

    mutating func open(_ c: UInt8) {
        comma()
        bytes.append(c)
        needsComma = false
    }

    mutating func close(_ c: UInt8) {
        bytes.append(c)
        needsComma = true
    }

    private mutating func comma() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    /// `"key":` in an object (a key is ASCII without anything to escape).
    mutating func key(_ k: StaticString) {
        comma()
        bytes.append(0x22)
        bytes.append(contentsOf: UnsafeBufferPointer(start: k.utf8Start, count: k.utf8CodeUnitCount))
        bytes.append(contentsOf: [0x22, UInt8(ascii: ":")])
        needsComma = false
    }

    mutating func string(_ s: String) {
        comma()
        // JSONEncoder's default escapes `/`: the bytes stay those of the payloads already in users' stores.
        JSONByteWriter.writeString(s, into: &bytes, escapingSlashes: true)
        needsComma = true
    }

    mutating func number(_ d: Double) throws {
        guard d.isFinite else {
            throw PipelineError.cannotRun("route payload: \(d) cannot be written in JSON")
        }
        comma()
        var s = d.description
        if s.hasSuffix(".0") { s.removeLast(2) }
        bytes.append(contentsOf: s.utf8)
        needsComma = true
    }

    mutating func number(_ i: Int) {
        comma()
        bytes.append(contentsOf: String(i).utf8)
        needsComma = true
    }

    mutating func bool(_ b: Bool) {
        comma()
        bytes.append(contentsOf: (b ? "true" : "false").utf8)
        needsComma = true
    }

    mutating func strings(_ list: [String]) {
        open(UInt8(ascii: "["))
        for s in list { string(s) }
        close(UInt8(ascii: "]"))
    }

    /// A `[String: V]` as JSONEncoder writes it with sorted keys: keys in UTF-8 byte order.
    mutating func object<V>(_ map: [String: V], _ value: (inout PayloadWriter, V) throws -> Void) rethrows {
        open(UInt8(ascii: "{"))
        for k in map.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            string(k)
            bytes.append(UInt8(ascii: ":"))
            needsComma = false
            try value(&self, map[k]!)
        }
        close(UInt8(ascii: "}"))
    }

    // Optional fields: written only when present (the synthesized `encodeIfPresent`).
    mutating func string(_ k: StaticString, _ s: String?) {
        guard let s else { return }
        key(k)
        string(s)
    }

    mutating func number(_ k: StaticString, _ d: Double?) throws {
        guard let d else { return }
        key(k)
        try number(d)
    }

    mutating func number(_ k: StaticString, _ i: Int?) {
        guard let i else { return }
        key(k)
        number(i)
    }
}

/// A payload ``PayloadWriter`` writes: its fields in the order of their sorted keys.
protocol PayloadWritable {
    func write(to w: inout PayloadWriter) throws
}

extension RouteEvidence: PayloadWritable {
    func write(to w: inout PayloadWriter) throws {
        w.open(UInt8(ascii: "{"))
        if let declared {
            w.key("declared")
            w.bool(declared)
        }
        w.number("distance", distance)
        w.key("field")
        w.string(field.rawValue)
        w.key("kind")
        w.string(kind.rawValue)
        w.string("lot_id", lotID)
        w.string("matched", matched)
        w.string("segment", segment)
        w.key("term")
        w.string(term)
        w.key("weight")
        try w.number(weight)
        w.close(UInt8(ascii: "}"))
    }
}

extension RouteExclusion: PayloadWritable {
    func write(to w: inout PayloadWriter) throws {
        w.open(UInt8(ascii: "{"))
        try w.number("capacity", capacity)
        w.number("distance", distance)
        w.string("downstream", downstream)
        w.string("field", field?.rawValue)
        w.key("filter")
        w.string(filter.rawValue)
        try w.number("lead_days", leadDays)
        w.number("maximum_distance", maximumDistance)
        w.number("minimum_lead_days", minimumLeadDays)
        w.string("notice_kind", noticeKind?.rawValue)
        w.key("outside_france")
        w.bool(outsideFrance)
        w.key("places")
        w.strings(places)
        w.key("regions")
        w.strings(regions)
        try w.number("score", score)
        w.string("segment", segment)
        w.string("site", site)
        w.string("term", term)
        try w.number("threshold", threshold)
        w.string("upstream", upstream)
        try w.number("value", value)
        w.key("wanted_kinds")
        w.strings(wantedKinds.map(\.rawValue))
        w.close(UInt8(ascii: "}"))
    }
}

extension MemberRoutePayload: PayloadWritable {
    func write(to w: inout PayloadWriter) throws {
        try Self.write(to: &w, memberName: memberName, segments: segments) { try $0.evidenceArray(evidence) }
    }

    /// The text of a member's payload whose evidence list is already JSON (``PayloadWriter/evidenceArray(_:)``):
    /// the members a notice reaches for the same trade and with the same evidence share it.
    static func text(memberName: String, segments: [String], evidence: [UInt8]) -> String {
        var w = PayloadWriter()
        w.bytes.reserveCapacity(evidence.count + 128)
        write(to: &w, memberName: memberName, segments: segments) { $0.json(evidence) }
        return String(decoding: w.bytes, as: UTF8.self)
    }

    /// The payload's fields in their sorted keys' order, the evidence list written by `evidence`.
    private static func write(
        to w: inout PayloadWriter, memberName: String, segments: [String],
        evidence: (inout PayloadWriter) throws -> Void
    ) rethrows {
        w.open(UInt8(ascii: "{"))
        w.key("evidence")
        try evidence(&w)
        w.key("member_name")
        w.string(memberName)
        w.key("segments")
        w.strings(segments)
        w.close(UInt8(ascii: "}"))
    }
}

extension WatchRoutePayload: PayloadWritable {
    func write(to w: inout PayloadWriter) throws {
        w.open(UInt8(ascii: "{"))
        try w.evidence(evidence)
        w.key("name")
        w.string(name)
        w.key("recipients")
        w.strings(recipients)
        w.close(UInt8(ascii: "}"))
    }
}

extension ConsortiumRoutePayload: PayloadWritable {
    func write(to w: inout PayloadWriter) throws {
        w.open(UInt8(ascii: "{"))
        try w.number("combined_capacity", combinedCapacity)
        w.key("contributions")
        w.object(contributions) { w, labels in w.strings(labels) }
        w.key("lead")
        w.string(lead)
        w.string("lot_id", lotID)
        w.key("members")
        w.strings(members)
        w.key("names")
        w.object(names) { w, name in w.string(name) }
        w.key("need")
        w.string(need.rawValue)
        w.key("suppliers")
        w.object(suppliers) { w, label in w.string(label) }
        w.key("uncovered")
        w.strings(uncovered)
        try w.number("value", value)
        w.close(UInt8(ascii: "}"))
    }
}

extension SignalRoutePayload: PayloadWritable {
    func write(to w: inout PayloadWriter) throws {
        w.open(UInt8(ascii: "{"))
        try w.number("combined_capacity", combinedCapacity)
        try w.number("largest_capacity", largestCapacity)
        w.string("lot_id", lotID)
        w.key("members")
        w.strings(members)
        w.key("reason")
        w.string(reason)
        w.key("segments")
        w.strings(segments)
        try w.number("value", value)
        w.close(UInt8(ascii: "}"))
    }
}

extension NearMissRoutePayload: PayloadWritable {
    func write(to w: inout PayloadWriter) throws {
        w.open(UInt8(ascii: "{"))
        w.key("exclusion")
        try exclusion.write(to: &w)
        w.key("member_name")
        w.string(memberName)
        w.key("score")
        try w.number(score)
        w.close(UInt8(ascii: "}"))
    }
}

/// A payload ``PayloadReader`` reads: the members' and watches' (one per route reaching someone, hundreds of
/// thousands a national night) and the near misses'; the rarer consortia and signals are left to JSONDecoder.
protocol PayloadReadable {
    /// The value, or nil when the text is not exactly what ``PayloadWriter`` writes for it (then JSONDecoder
    /// decides).
    static func read(_ r: inout PayloadReader) -> Self?
}

/// Reads the JSON of the payloads this file writes, straight from the UTF-8 bytes: objects with known keys in any
/// order, strings with any JSON escape, numbers, booleans, arrays. Anything else — an unknown or repeated key, a
/// `null`, a number JSON does not allow, a lone surrogate, a control character in a string — makes `read` return
/// nil, and the caller asks JSONDecoder, so nothing is ever dropped or guessed here.
struct PayloadReader {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var at = 0

    private init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// The payload in `text`, or nil when it is not in the shape this reader knows.
    static func read<T: PayloadReadable>(_ type: T.Type, _ text: String) -> T? {
        var text = text
        return text.withUTF8 { buffer in
            var r = PayloadReader(bytes: buffer)
            guard let value = T.read(&r) else { return nil }
            r.skipSpace()
            return r.at == buffer.count ? value : nil
        }
    }

    /// A key of an object: where its bytes are.
    struct Key {
        fileprivate var start: Int
        fileprivate var end: Int
    }

    /// Whether `key` is `name`.
    func key(_ key: Key, is name: StaticString) -> Bool {
        let count = name.utf8CodeUnitCount
        guard key.end - key.start == count else { return false }
        var i = 0
        while i < count {
            if bytes[key.start + i] != name.utf8Start[i] { return false }
            i += 1
        }
        return true
    }

    private mutating func skipSpace() {
        while at < bytes.count {
            let c = bytes[at]
            guard c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else { return }
            at += 1
        }
    }

    /// Skips white space, then `c` if it comes next.
    private mutating func consume(_ c: UInt8) -> Bool {
        skipSpace()
        guard at < bytes.count, bytes[at] == c else { return false }
        at += 1
        return true
    }

    /// An object: `field` reads the value of each key, and returns false for a key it does not know.
    mutating func object(_ field: (inout PayloadReader, Key) -> Bool) -> Bool {
        guard consume(UInt8(ascii: "{")) else { return false }
        if consume(UInt8(ascii: "}")) { return true }
        repeat {
            // Keys are plain ASCII: one with an escape is not one of ours.
            guard consume(0x22) else { return false }
            let start = at
            while at < bytes.count, bytes[at] != 0x22, bytes[at] != 0x5C, bytes[at] >= 0x20 { at += 1 }
            guard at < bytes.count, bytes[at] == 0x22 else { return false }
            let key = Key(start: start, end: at)
            at += 1
            guard consume(UInt8(ascii: ":")), field(&self, key) else { return false }
        } while consume(UInt8(ascii: ","))
        return consume(UInt8(ascii: "}"))
    }

    /// An array of values each read by `element`.
    mutating func array<T>(_ element: (inout PayloadReader) -> T?) -> [T]? {
        guard consume(UInt8(ascii: "[")) else { return nil }
        var out: [T] = []
        if consume(UInt8(ascii: "]")) { return out }
        repeat {
            guard let value = element(&self) else { return nil }
            out.append(value)
        } while consume(UInt8(ascii: ","))
        return consume(UInt8(ascii: "]")) ? out : nil
    }

    mutating func strings() -> [String]? { array { $0.string() } }

    mutating func string() -> String? {
        guard consume(0x22) else { return nil }
        let start = at
        while at < bytes.count {
            let c = bytes[at]
            if c == 0x22 {
                at += 1
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<at - 1]), as: UTF8.self)
            }
            if c == 0x5C { return escapedString(from: start) }
            // JSON has no raw control character in a string: JSONDecoder refuses it, and so it must say.
            if c < 0x20 { return nil }
            at += 1
        }
        return nil
    }

    /// The rest of a string that has an escape at `at`, its first bytes from `start`.
    private mutating func escapedString(from start: Int) -> String? {
        var out = Array(UnsafeBufferPointer(rebasing: bytes[start..<at]))
        while at < bytes.count {
            let c = bytes[at]
            at += 1
            if c == 0x22 { return String(decoding: out, as: UTF8.self) }
            if c < 0x20 { return nil }
            guard c == 0x5C else {
                out.append(c)
                continue
            }
            guard at < bytes.count else { return nil }
            let e = bytes[at]
            at += 1
            switch e {
            case 0x22, 0x5C, 0x2F: out.append(e)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                guard let unit = hex4() else { return nil }
                var value = UInt32(unit)
                if 0xD800..<0xDC00 ~= unit {
                    // A character outside the BMP: a high surrogate and its low one, or not ours.
                    guard at + 1 < bytes.count, bytes[at] == 0x5C, bytes[at + 1] == UInt8(ascii: "u") else {
                        return nil
                    }
                    at += 2
                    guard let low = hex4(), 0xDC00..<0xE000 ~= low else { return nil }
                    value = 0x10000 + (UInt32(unit - 0xD800) << 10) + UInt32(low - 0xDC00)
                }
                guard let scalar = Unicode.Scalar(value) else { return nil }
                UTF8.encode(scalar) { out.append($0) }
            default: return nil
            }
        }
        return nil
    }

    private mutating func hex4() -> UInt16? {
        guard at + 4 <= bytes.count else { return nil }
        var value: UInt16 = 0
        for _ in 0..<4 {
            let c = bytes[at]
            let digit: UInt8
            switch c {
            case 0x30...0x39: digit = c - 0x30
            case 0x41...0x46: digit = c - 0x41 + 10
            case 0x61...0x66: digit = c - 0x61 + 10
            default: return nil
            }
            value = value << 4 | UInt16(digit)
            at += 1
        }
        return value
    }

    private func isDigit(_ i: Int) -> Bool { i < bytes.count && bytes[i] >= 0x30 && bytes[i] <= 0x39 }

    /// A JSON number (RFC 8259's grammar, nothing looser), finite.
    mutating func double() -> Double? {
        skipSpace()
        let start = at
        if at < bytes.count, bytes[at] == UInt8(ascii: "-") { at += 1 }
        guard isDigit(at) else { return nil }
        if bytes[at] == 0x30 {
            at += 1
        } else {
            while isDigit(at) { at += 1 }
        }
        if at < bytes.count, bytes[at] == UInt8(ascii: ".") {
            at += 1
            guard isDigit(at) else { return nil }
            while isDigit(at) { at += 1 }
        }
        if at < bytes.count, bytes[at] | 0x20 == UInt8(ascii: "e") {
            at += 1
            if at < bytes.count, bytes[at] == UInt8(ascii: "+") || bytes[at] == UInt8(ascii: "-") { at += 1 }
            guard isDigit(at) else { return nil }
            while isDigit(at) { at += 1 }
        }
        // Short enough to be a small string, which `Double.init` parses correctly rounded, as JSONDecoder does.
        guard let value = Double(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<at]), as: UTF8.self)),
            value.isFinite
        else { return nil }
        return value
    }

    /// A whole number written without fraction or exponent, within `Int`.
    mutating func int() -> Int? {
        skipSpace()
        var negative = false
        if at < bytes.count, bytes[at] == UInt8(ascii: "-") {
            negative = true
            at += 1
        }
        guard isDigit(at) else { return nil }
        // A leading zero is JSON's only when alone.
        if bytes[at] == 0x30, isDigit(at + 1) { return nil }
        var value = 0
        while isDigit(at) {
            let digit = Int(bytes[at] - 0x30)
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = negative ? times.subtractingReportingOverflow(digit) : times.addingReportingOverflow(digit)
            guard !o1, !o2 else { return nil }
            value = next
            at += 1
        }
        // `2.0` or `2e0`: JSONDecoder's call whether that is an Int.
        if at < bytes.count, bytes[at] == UInt8(ascii: ".") || bytes[at] | 0x20 == UInt8(ascii: "e") { return nil }
        return value
    }

    mutating func bool() -> Bool? {
        skipSpace()
        if matches("true") { return true }
        if matches("false") { return false }
        return nil
    }

    private mutating func matches(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard at + count <= bytes.count else { return false }
        for i in 0..<count where bytes[at + i] != word.utf8Start[i] { return false }
        at += count
        return true
    }
}

/// Sets `slot` from `value` when the key comes for the first time and its value reads; false otherwise (a repeated
/// key is JSONDecoder's to judge).
private func once<T>(_ slot: inout T?, _ value: T?) -> Bool {
    guard slot == nil, let value else { return false }
    slot = value
    return true
}

extension RouteEvidence: PayloadReadable {
    static func read(_ r: inout PayloadReader) -> RouteEvidence? {
        var kind: Kind?
        var field: EvidenceField?
        var term: String?
        var matched: String?
        var lotID: String?
        var segment: String?
        var weight: Double?
        var declared: Bool?
        var distance: Int?
        let read = r.object { r, key in
            if r.key(key, is: "kind") { return once(&kind, r.string().flatMap(Kind.init(rawValue:))) }
            if r.key(key, is: "field") { return once(&field, r.string().flatMap(EvidenceField.init(rawValue:))) }
            if r.key(key, is: "term") { return once(&term, r.string()) }
            if r.key(key, is: "matched") { return once(&matched, r.string()) }
            if r.key(key, is: "lot_id") { return once(&lotID, r.string()) }
            if r.key(key, is: "segment") { return once(&segment, r.string()) }
            if r.key(key, is: "weight") { return once(&weight, r.double()) }
            if r.key(key, is: "declared") { return once(&declared, r.bool()) }
            if r.key(key, is: "distance") { return once(&distance, r.int()) }
            return false
        }
        guard read, let kind, let field, let term, let weight else { return nil }
        return RouteEvidence(
            kind: kind, field: field, term: term, matched: matched, lotID: lotID, segment: segment, weight: weight,
            declared: declared, distance: distance)
    }
}

extension MemberRoutePayload: PayloadReadable {
    static func read(_ r: inout PayloadReader) -> MemberRoutePayload? {
        var name: String?
        var segments: [String]?
        var evidence: [RouteEvidence]?
        let read = r.object { r, key in
            if r.key(key, is: "member_name") { return once(&name, r.string()) }
            if r.key(key, is: "segments") { return once(&segments, r.strings()) }
            if r.key(key, is: "evidence") { return once(&evidence, r.array(RouteEvidence.read)) }
            return false
        }
        guard read, let name else { return nil }
        // As the decoder: routes stored by builds that kept sentences carry neither segments nor evidence.
        return MemberRoutePayload(memberName: name, segments: segments ?? [], evidence: evidence ?? [])
    }
}

extension WatchRoutePayload: PayloadReadable {
    static func read(_ r: inout PayloadReader) -> WatchRoutePayload? {
        var name: String?
        var recipients: [String]?
        var evidence: [RouteEvidence]?
        let read = r.object { r, key in
            if r.key(key, is: "name") { return once(&name, r.string()) }
            if r.key(key, is: "recipients") { return once(&recipients, r.strings()) }
            if r.key(key, is: "evidence") { return once(&evidence, r.array(RouteEvidence.read)) }
            return false
        }
        guard read, let name else { return nil }
        return WatchRoutePayload(name: name, recipients: recipients ?? [], evidence: evidence ?? [])
    }
}

extension RouteExclusion: PayloadReadable {
    static func read(_ r: inout PayloadReader) -> RouteExclusion? {
        var filter: Filter?
        var segment: String?
        var term: String?
        var field: EvidenceField?
        var places: [String]?
        var distance: Int?
        var maximumDistance: Int?
        var site: String?
        var regions: [String]?
        var outsideFrance: Bool?
        var value: Double?
        var capacity: Double?
        var leadDays: Double?
        var minimumLeadDays: Int?
        var score: Double?
        var threshold: Double?
        var noticeKind: NoticeKind?
        var wantedKinds: [NoticeKind]?
        var upstream: String?
        var downstream: String?
        let read = r.object { r, key in
            if r.key(key, is: "filter") { return once(&filter, r.string().flatMap(Filter.init(rawValue:))) }
            if r.key(key, is: "segment") { return once(&segment, r.string()) }
            if r.key(key, is: "term") { return once(&term, r.string()) }
            if r.key(key, is: "field") { return once(&field, r.string().flatMap(EvidenceField.init(rawValue:))) }
            if r.key(key, is: "places") { return once(&places, r.strings()) }
            if r.key(key, is: "distance") { return once(&distance, r.int()) }
            if r.key(key, is: "maximum_distance") { return once(&maximumDistance, r.int()) }
            if r.key(key, is: "site") { return once(&site, r.string()) }
            if r.key(key, is: "regions") { return once(&regions, r.strings()) }
            if r.key(key, is: "outside_france") { return once(&outsideFrance, r.bool()) }
            if r.key(key, is: "value") { return once(&value, r.double()) }
            if r.key(key, is: "capacity") { return once(&capacity, r.double()) }
            if r.key(key, is: "lead_days") { return once(&leadDays, r.double()) }
            if r.key(key, is: "minimum_lead_days") { return once(&minimumLeadDays, r.int()) }
            if r.key(key, is: "score") { return once(&score, r.double()) }
            if r.key(key, is: "threshold") { return once(&threshold, r.double()) }
            if r.key(key, is: "notice_kind") {
                return once(&noticeKind, r.string().flatMap(NoticeKind.init(rawValue:)))
            }
            if r.key(key, is: "wanted_kinds") {
                return once(&wantedKinds, r.array { $0.string().flatMap(NoticeKind.init(rawValue:)) })
            }
            if r.key(key, is: "upstream") { return once(&upstream, r.string()) }
            if r.key(key, is: "downstream") { return once(&downstream, r.string()) }
            return false
        }
        // The lists and the flag have no default in the synthesized decoder: a payload without them is refused
        // there, so it is left to it.
        guard read, let filter, let places, let regions, let outsideFrance, let wantedKinds else { return nil }
        return RouteExclusion(
            filter: filter, segment: segment, term: term, field: field, places: places, distance: distance,
            maximumDistance: maximumDistance, site: site, regions: regions, outsideFrance: outsideFrance,
            value: value, capacity: capacity, leadDays: leadDays, minimumLeadDays: minimumLeadDays, score: score,
            threshold: threshold, noticeKind: noticeKind, wantedKinds: wantedKinds, upstream: upstream,
            downstream: downstream)
    }
}

extension NearMissRoutePayload: PayloadReadable {
    static func read(_ r: inout PayloadReader) -> NearMissRoutePayload? {
        var name: String?
        var exclusion: RouteExclusion?
        var score: Double?
        let read = r.object { r, key in
            if r.key(key, is: "member_name") { return once(&name, r.string()) }
            if r.key(key, is: "exclusion") { return once(&exclusion, RouteExclusion.read(&r)) }
            if r.key(key, is: "score") { return once(&score, r.double()) }
            return false
        }
        guard read, let name, let exclusion, let score else { return nil }
        return NearMissRoutePayload(memberName: name, exclusion: exclusion, score: score)
    }
}
