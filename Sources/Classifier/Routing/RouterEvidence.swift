import Foundation
import Notices

/// Step 1 of routing: the evidence a notice gives each segment, member interest and watch of one cluster.
extension Router {
    /// Evidence gathered for one cluster from the scan, CPV codes and descriptors.
    struct Evidence {
        var segReasons: [[Reason]]
        var segVeto: [Reason?]
        /// Member → the evidence of its own interests (members without any found have no entry).
        var interest: [Int: [Reason]]
        /// Member → the exclusion that vetoes it: few members have one, so a dictionary rather than one
        /// optional per member built and destroyed for every notice.
        var memberVeto: [Int: Reason]
        var watchReasons: [[Reason]]
        var watchVeto: [Bool]
        /// Segments with declared context that the notice names.
        var segInContext: [Bool]
        /// Indices (in the cluster's certification list) of certifications the notice names.
        var certificationsAsked: [Int] = []

        init(_ c: Cluster) {
            segReasons = Array(repeating: [], count: c.segments.count)
            segVeto = Array(repeating: nil, count: c.segments.count)
            interest = [:]
            memberVeto = [:]
            watchReasons = Array(repeating: [], count: c.watches.count)
            watchVeto = Array(repeating: false, count: c.watches.count)
            segInContext = Array(repeating: false, count: c.segments.count)
        }

        /// Adds `r` unless the same rule already fired on the same part of the notice and lot (keeps the
        /// heavier). Summary, full text and categories are one part: aides-territoires and RSS items repeat the
        /// description in several of them, and a word said three times is still one piece of evidence.
        static func add(_ r: Reason, to list: inout [Reason]) {
            if let i = list.firstIndex(where: {
                $0.source == r.source && $0.field.part == r.field.part && $0.lotID == r.lotID
            }) {
                if list[i].weight < r.weight { list[i] = r }
            } else {
                list.append(r)
            }
        }
    }

    /// One CPV prefix of one of the notice's codes that some cluster's rules name.
    struct CodeProbe {
        var prefix: String
        var code: String
        var weight: Double
        var lot: String?
    }

    /// What the notice's words and codes say to one cluster, as indices into ``NoticeEvidence``: each in the order
    /// the cluster credits it.
    struct ClusterEvents {
        /// (hit in ``NoticeEvidence/hits``, rule in `refs[hit.pattern]`).
        var text: [(hit: Int32, ref: Int32)] = []
        /// (probe in ``NoticeEvidence/probes``, segment or watch).
        var cpvSegments: [(probe: Int32, segment: Int32)] = []
        var cpvWatches: [(probe: Int32, watch: Int32)] = []
        /// (index in the notice's descriptors, segment).
        var descriptors: [(code: Int32, segment: Int32)] = []
    }

    /// A notice's evidence sorted by the clusters it names, found once per notice through the keyword matcher's
    /// rule references and the code indexes: a cluster absent from `byCluster` has no evidence at all.
    struct NoticeEvidence {
        /// Keyword hits in the order they are credited.
        var hits: [TextHit]
        var probes: [CodeProbe]
        var byCluster: [Int: ClusterEvents]
    }

    /// Where a credited byte range is kept: several keywords of one rule owner matching the same words of one
    /// field (and lot) are one piece of evidence.
    struct CreditKey: Hashable {
        var kind: RefKind
        var owner: Int
        var field: ReasonField
        var lotID: String?
    }

    func noticeEvidence(_ notice: Notice, hits: [TextHit]) -> NoticeEvidence {
        // Longest keyword starting leftmost first, within each field and lot (see ``gatherEvidence``).
        let ordered = hits.enumerated().sorted { a, b in
            let x = a.element, y = b.element
            if x.field != y.field || x.lotID != y.lotID { return a.offset < b.offset }
            if x.start != y.start { return x.start < y.start }
            if x.end != y.end { return x.end > y.end }
            return a.offset < b.offset
        }.map(\.element)
        var byCluster: [Int: ClusterEvents] = [:]
        for (hi, h) in ordered.enumerated() {
            for (k, r) in refs[Int(h.pattern)].enumerated() where compiled[r.cluster].isSelected {
                byCluster[r.cluster, default: ClusterEvents()].text.append((Int32(hi), Int32(k)))
            }
        }
        // CPV codes: every prefix of each code is looked up, so the cost does not depend on the rules.
        var codes: [(code: String, weight: Double, lot: String?)] = []
        var seen = Set<String>()
        for (k, code) in ([notice.mainCPV].compactMap { $0 } + notice.cpv).enumerated() where seen.insert(code).inserted
        {
            codes.append((code, k == 0 && notice.mainCPV != nil ? options.mainCPVWeight : options.otherCPVWeight, nil))
        }
        for lot in notice.lots { for code in lot.cpv { codes.append((code, options.lotCPVWeight, lot.id)) } }
        var probes: [CodeProbe] = []
        for (code, w, lot) in codes {
            let digits = String(code.prefix { $0 != "-" }.filter(\.isNumber).prefix(8))
            guard digits.count >= 2 else { continue }
            for len in 2...digits.count {
                let prefix = String(digits.prefix(len))
                let segments = cpvSegments[prefix]
                let watches = cpvWatches[prefix]
                guard segments != nil || watches != nil else { continue }
                let pi = Int32(probes.count)
                probes.append(CodeProbe(prefix: prefix, code: code, weight: w, lot: lot))
                for t in segments ?? [] {
                    byCluster[Int(t.cluster), default: ClusterEvents()].cpvSegments.append((pi, t.owner))
                }
                for t in watches ?? [] {
                    byCluster[Int(t.cluster), default: ClusterEvents()].cpvWatches.append((pi, t.owner))
                }
            }
        }
        for (di, d) in notice.descriptors.enumerated() {
            for t in descriptorSegments[d] ?? [] {
                byCluster[Int(t.cluster), default: ClusterEvents()].descriptors.append((Int32(di), t.owner))
            }
        }
        return NoticeEvidence(hits: ordered, probes: probes, byCluster: byCluster)
    }

    func gatherEvidence(_ c: Cluster, notice: Notice, found: NoticeEvidence, events: ClusterEvents) -> Evidence {
        var ev = Evidence(c)
        // Byte ranges already credited per (owner kind, owner, field, lot): several keywords of one rule (a word
        // and its thesaurus variants, `robot*` and `cellule robotisée`) matching the same words are one piece
        // of evidence, credited to the longest keyword starting leftmost (`hydrogène vert` rather than the
        // `hydrogène` inside it: the phrase is what says which sense is meant).
        var credited: [CreditKey: [(Int, Int)]] = [:]
        for (hi, k) in events.text {
            let h = found.hits[Int(hi)]
            let r = refs[Int(h.pattern)][Int(k)]
            if r.kind == .segmentKeyword || r.kind == .memberInterest || r.kind == .watchKeyword {
                let key = CreditKey(kind: r.kind, owner: r.owner, field: h.field, lotID: h.lotID)
                if credited[key, default: []].contains(where: { $0.0 < h.end && h.start < $0.1 }) { continue }
                credited[key, default: []].append((h.start, h.end))
            }
            // A keyword in a setting complement weighs a fraction: it says what the notice services.
            let w = weight(h.field) * (h.isSetting ? options.settingFactor : 1)
            let matched: String? = h.matched
            switch r.kind {
            case .segmentKeyword:
                var reason = Reason(
                    .segmentKeyword(segment: c.segments[r.owner].id, term: r.term), field: h.field, term: r.term,
                    matched: matched, weight: w, lotID: h.lotID)
                reason.isTitleHead = h.isTitleHead
                reason.isSetting = h.isSetting
                Evidence.add(reason, to: &ev.segReasons[r.owner])
            case .segmentExclusion:
                if ev.segVeto[r.owner] == nil {
                    ev.segVeto[r.owner] = Reason(
                        .segmentExclusion(segment: c.segments[r.owner].id, term: r.term), field: h.field,
                        term: r.term, matched: matched, weight: 0, lotID: h.lotID)
                }
            case .memberInterest:
                Evidence.add(
                    Reason(
                        .memberInterest(member: c.members[r.owner].id, term: r.term), field: h.field, term: r.term,
                        matched: matched, weight: w * options.interestFactor, lotID: h.lotID),
                    to: &ev.interest[r.owner, default: []])
            case .memberExclusion:
                if ev.memberVeto[r.owner] == nil {
                    ev.memberVeto[r.owner] = Reason(
                        .memberExclusion(member: c.members[r.owner].id, term: r.term), field: h.field,
                        term: r.term, matched: matched, weight: 0, lotID: h.lotID)
                }
            case .watchKeyword:
                Evidence.add(
                    Reason(
                        .watchKeyword(watch: c.watches[r.owner].id, term: r.term), field: h.field, term: r.term,
                        matched: matched, weight: w, lotID: h.lotID), to: &ev.watchReasons[r.owner])
            case .watchExclusion:
                ev.watchVeto[r.owner] = true
            case .segmentContext:
                ev.segInContext[r.owner] = true
            case .certification:
                if !ev.certificationsAsked.contains(r.owner) { ev.certificationsAsked.append(r.owner) }
            }
        }
        for (pi, si) in events.cpvSegments {
            let p = found.probes[Int(pi)], si = Int(si)
            Evidence.add(
                Reason(
                    .segmentCPV(segment: c.segments[si].id, prefix: p.prefix), field: .cpv, term: p.prefix,
                    matched: p.code, weight: p.weight * Router.cpvPrecision(p.prefix), lotID: p.lot),
                to: &ev.segReasons[si])
        }
        for (pi, wi) in events.cpvWatches {
            let p = found.probes[Int(pi)], wi = Int(wi)
            Evidence.add(
                Reason(
                    .watchCPV(watch: c.watches[wi].id, prefix: p.prefix), field: .cpv, term: p.prefix,
                    matched: p.code, weight: p.weight, lotID: p.lot), to: &ev.watchReasons[wi])
        }
        for (di, si) in events.descriptors {
            let d = notice.descriptors[Int(di)], si = Int(si)
            Evidence.add(
                Reason(
                    .segmentDescriptor(segment: c.segments[si].id, code: d), field: .descriptor, term: d,
                    weight: options.descriptorWeight), to: &ev.segReasons[si])
        }
        return ev
    }

}
