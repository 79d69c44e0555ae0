import Classifier
import Digest
import Foundation
import Notices
import Store

/// What the pipeline keeps with a route in the store (`RouteRecord.payload`, JSON), so a digest written
/// later (`vigie digest`, a re-run) shows the same names and reasons without routing again.
struct MemberRoutePayload: Codable, Hashable {
    var memberName: String
    var segments: [String]
    var reasons: [String]

    enum CodingKeys: String, CodingKey {
        case memberName = "member_name"
        case segments, reasons
    }
}

struct ConsortiumRoutePayload: Codable, Hashable {
    /// Member ids, lead first.
    var members: [String]
    var names: [String: String]
    var lead: String
    var contributions: [String: [String]]
    var rationale: [String]
    var lotID: String?

    enum CodingKeys: String, CodingKey {
        case members, names, lead, contributions, rationale
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
    var reasons: [String]
}

/// Route roles as stored.
enum RouteRole {
    static let direct = "direct"
    static let indirect = "indirect"
    static let consortium = "consortium"
    static let watch = "watch"
    static let signal = "signal"
}

enum RouteMapping {
    static func encode<T: Encodable>(_ value: T) -> String? {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return (try? e.encode(value)).map { String(decoding: $0, as: UTF8.self) }
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String?) -> T? {
        guard let text else { return nil }
        return try? JSONDecoder().decode(type, from: Data(text.utf8))
    }

    /// The store records for one notice's routing result.
    static func records(_ result: RoutingResult, rulebook: Rulebook) -> [RouteRecord] {
        var out: [RouteRecord] = []
        for c in result.clusters {
            let cluster = rulebook.cluster(c.clusterID)
            func label(_ segment: String) -> String { cluster?.segment(segment)?.label ?? segment }
            for r in c.routes {
                let payload = MemberRoutePayload(
                    memberName: r.memberName, segments: r.segments.map(label),
                    reasons: ReasonWording.sentences(r.reasons, cluster: cluster))
                out.append(
                    RouteRecord(
                        noticeID: result.noticeID, cluster: c.clusterID, member: r.memberID,
                        role: r.isDirect ? RouteRole.direct : RouteRole.indirect, score: r.score,
                        payload: encode(payload)))
            }
            for w in c.watches {
                let payload = WatchRoutePayload(
                    name: w.name, recipients: w.recipients,
                    reasons: ReasonWording.sentences(w.reasons, cluster: cluster))
                out.append(
                    RouteRecord(
                        noticeID: result.noticeID, cluster: c.clusterID, member: "watch:\(w.watchID)",
                        role: RouteRole.watch, score: w.reasons.reduce(0) { $0 + $1.weight },
                        payload: encode(payload)))
            }
            for (i, s) in c.consortia.enumerated() {
                var names: [String: String] = [:]
                for m in s.members { names[m] = cluster?.member(m)?.name ?? m }
                var rationale = [s.detail]
                if !s.uncovered.isEmpty {
                    rationale.append(
                        "Non couvert par les adhérents : \(s.uncovered.map(label).joined(separator: ", "))")
                }
                if !s.suppliers.isEmpty {
                    let names = s.suppliers.sorted { $0.key < $1.key }.map { id, seg in
                        "\(cluster?.member(id)?.name ?? id) (\(label(seg)))"
                    }
                    rationale.append("Fournisseurs amont possibles du groupement : \(names.joined(separator: ", "))")
                }
                if let cap = s.combinedCapacity {
                    rationale.append(
                        "Capacité cumulée du groupement : "
                            + "\(FrenchFormat.number(Decimal(cap.rounded())))\(FrenchFormat.nbsp)€")
                }
                let payload = ConsortiumRoutePayload(
                    members: s.members, names: names, lead: s.lead,
                    contributions: s.contributions.mapValues { $0.map(label) },
                    rationale: rationale.filter { !$0.isEmpty }, lotID: s.lotID)
                let score = s.members.compactMap { m in c.routes.first { $0.memberID == m }?.score }.max() ?? 0
                // One route row per suggestion: "member" carries the lot (or the index) to keep them apart.
                let key = "consortium:" + (s.lotID.map { "lot-\($0)" } ?? "\(i)")
                out.append(
                    RouteRecord(
                        noticeID: result.noticeID, cluster: c.clusterID, member: key,
                        role: RouteRole.consortium, score: score, payload: encode(payload)))
            }
            for (i, s) in c.signals.enumerated() {
                let payload = SignalRoutePayload(
                    reason: s.reason.rawValue, segments: s.segments.map(label), lotID: s.lotID, value: s.value,
                    largestCapacity: s.largestCapacity, combinedCapacity: s.combinedCapacity,
                    members: s.members.map { cluster?.member($0)?.name ?? $0 })
                out.append(
                    RouteRecord(
                        noticeID: result.noticeID, cluster: c.clusterID, member: "signal:\(i)",
                        role: RouteRole.signal, score: 0, payload: encode(payload)))
            }
        }
        return out
    }
}
