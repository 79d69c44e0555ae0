import Foundation
import Notices

extension Router {
    /// The naive baseline `make routing-eval` prints beside the real figures: every member of every segment with
    /// any of its keywords anywhere in the notice's text (title, summary, text, lots) receives it — no CPV, no
    /// value chain, no filters. It is what a simple alert by keywords would do, and what routing must beat.
    package func naiveRoute(_ notice: Notice) -> RoutingResult {
        let hits = scanNotice(notice)
        var out: [ClusterRouting] = []
        for cc in compiled where cc.isSelected {
            let c = rulebook.clusters[cc.index]
            var segmentHit = [Reason?](repeating: nil, count: c.segments.count)
            for h in hits {
                for r in refs[Int(h.pattern)] where r.cluster == cc.index && r.kind == .segmentKeyword {
                    if segmentHit[r.owner] == nil {
                        segmentHit[r.owner] = Reason(
                            .segmentKeyword(segment: c.segments[r.owner].id, term: r.term),
                            field: h.field, term: r.term, matched: h.matched,
                            weight: weight(h.field), lotID: h.lotID)
                    }
                }
            }
            var result = ClusterRouting(clusterID: c.id, clusterName: c.name)
            for (mi, m) in c.members.enumerated() {
                let reasons = cc.memberSegments[mi].compactMap { segmentHit[$0] }
                guard !reasons.isEmpty else { continue }
                result.routes.append(
                    Route(
                        clusterID: c.id, memberID: m.id, memberName: m.name,
                        score: reasons.reduce(0) { $0 + $1.weight }, kind: .direct,
                        segments: cc.memberSegments[mi].filter { segmentHit[$0] != nil }
                            .map { c.segments[$0].id },
                        reasons: reasons))
            }
            out.append(result)
        }
        return RoutingResult(noticeID: notice.id, clusters: out)
    }
}
