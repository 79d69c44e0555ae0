import Foundation

/// Which rule produced a piece of evidence, as data: the router, the explainer and the digest wording switch on
/// it instead of parsing strings. Its `key` (`segment:usinage/keyword:décolletage`) is the stable name used by
/// rule counters and JSON output, and reads back with ``init(key:)``.
public enum EvidenceRule: Sendable, Hashable {
    case segmentKeyword(segment: String, term: String)
    case segmentCPV(segment: String, prefix: String)
    case segmentDescriptor(segment: String, code: String)
    case segmentExclusion(segment: String, term: String)
    case memberInterest(member: String, term: String)
    case memberExclusion(member: String, term: String)
    /// A certification the notice asks for, looked up in the member's declared ones.
    case memberCertification(member: String, name: String)
    case watchKeyword(watch: String, term: String)
    case watchCPV(watch: String, prefix: String)
    case watchSegment(watch: String, segment: String)
    /// Distance between the member's nearest site and the place of work (a penalty).
    case territory
    /// Above the member's capacity, sent as a groupement partner.
    case capacityGroupement
    /// A key this version does not know (routes stored by an older or newer version): kept as written.
    case unknown(String)

    /// The segment the rule belongs to, for segment rules.
    public var segment: String? {
        switch self {
        case .segmentKeyword(let s, _), .segmentCPV(let s, _), .segmentDescriptor(let s, _),
            .segmentExclusion(let s, _):
            return s
        default: return nil
        }
    }

    /// The stable name: `segment:<id>/keyword:<term>`, `member:<id>/interest:<term>`, `filter:territory`…
    public var key: String {
        switch self {
        case .segmentKeyword(let s, let t): return "segment:\(s)/keyword:\(t)"
        case .segmentCPV(let s, let p): return "segment:\(s)/cpv:\(p)"
        case .segmentDescriptor(let s, let d): return "segment:\(s)/descriptor:\(d)"
        case .segmentExclusion(let s, let t): return "segment:\(s)/exclusion:\(t)"
        case .memberInterest(let m, let t): return "member:\(m)/interest:\(t)"
        case .memberExclusion(let m, let t): return "member:\(m)/exclusion:\(t)"
        case .memberCertification(let m, let n): return "member:\(m)/certification:\(n)"
        case .watchKeyword(let w, let t): return "watch:\(w)/keyword:\(t)"
        case .watchCPV(let w, let p): return "watch:\(w)/cpv:\(p)"
        case .watchSegment(let w, let s): return "watch:\(w)/segment:\(s)"
        case .territory: return "filter:territory"
        case .capacityGroupement: return "filter:capacity/groupement"
        case .unknown(let k): return k
        }
    }

    /// Reads a key back (JSON written by `vigie route --json`, routes kept in a store).
    public init(key: String) {
        switch key {
        case "filter:territory": self = .territory; return
        case "filter:capacity/groupement": self = .capacityGroupement; return
        default: break
        }
        // owner:<id>/<kind>:<value>; the value may itself contain ':' or '/' (a term), the id may not.
        guard let colon = key.firstIndex(of: ":"), let slash = key[colon...].firstIndex(of: "/") else {
            self = .unknown(key)
            return
        }
        let owner = String(key[..<colon])
        let id = String(key[key.index(after: colon)..<slash])
        let rest = key[key.index(after: slash)...]
        guard let sep = rest.firstIndex(of: ":") else {
            self = .unknown(key)
            return
        }
        let kind = String(rest[..<sep])
        let value = String(rest[rest.index(after: sep)...])
        switch (owner, kind) {
        case ("segment", "keyword"): self = .segmentKeyword(segment: id, term: value)
        case ("segment", "cpv"): self = .segmentCPV(segment: id, prefix: value)
        case ("segment", "descriptor"): self = .segmentDescriptor(segment: id, code: value)
        case ("segment", "exclusion"): self = .segmentExclusion(segment: id, term: value)
        case ("member", "interest"): self = .memberInterest(member: id, term: value)
        case ("member", "exclusion"): self = .memberExclusion(member: id, term: value)
        case ("member", "certification"): self = .memberCertification(member: id, name: value)
        case ("watch", "keyword"): self = .watchKeyword(watch: id, term: value)
        case ("watch", "cpv"): self = .watchCPV(watch: id, prefix: value)
        case ("watch", "segment"): self = .watchSegment(watch: id, segment: value)
        default: self = .unknown(key)
        }
    }
}
