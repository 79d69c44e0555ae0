import Foundation
import Notices

/// Step 1 of routing: the evidence a notice gives each segment, member interest and watch of one cluster.
extension Router {
    /// Evidence gathered for one cluster from the scan, CPV codes and descriptors.
    struct Evidence {
        var segReasons: [[Reason]]
        var segVeto: [Reason?]
        var interest: [[Reason]]
        var memberVeto: [Reason?]
        var watchReasons: [[Reason]]
        var watchVeto: [Bool]
        /// Segments with declared context that the notice names.
        var segInContext: [Bool]
        /// Indices (in the cluster's certification list) of certifications the notice names.
        var certificationsAsked: [Int] = []

        init(_ c: Cluster) {
            segReasons = Array(repeating: [], count: c.segments.count)
            segVeto = Array(repeating: nil, count: c.segments.count)
            interest = Array(repeating: [], count: c.members.count)
            memberVeto = Array(repeating: nil, count: c.members.count)
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

    func gatherEvidence(_ cc: CompiledCluster, _ c: Cluster, notice: Notice, hits: [TextHit]) -> Evidence {
        var ev = Evidence(c)
        // Byte ranges already credited per (owner kind, owner, field, lot): several keywords of one rule (a word
        // and its thesaurus variants, `robot*` and `cellule robotisée`) matching the same words are one piece
        // of evidence, credited to the longest keyword starting leftmost (`hydrogène vert` rather than the
        // `hydrogène` inside it: the phrase is what says which sense is meant).
        var credited: [String: [(Int, Int)]] = [:]
        let ordered = hits.enumerated().sorted { a, b in
            let x = a.element, y = b.element
            if x.field != y.field || x.lotID != y.lotID { return a.offset < b.offset }
            if x.start != y.start { return x.start < y.start }
            if x.end != y.end { return x.end > y.end }
            return a.offset < b.offset
        }.map(\.element)
        for h in ordered {
            for r in refs[Int(h.pattern)] where r.cluster == cc.index {
                if r.kind == .segmentKeyword || r.kind == .memberInterest || r.kind == .watchKeyword {
                    let key = "\(r.kind.rawValue)|\(r.owner)|\(h.field.rawValue)|\(h.lotID ?? "")"
                    if credited[key, default: []].contains(where: { $0.0 < h.end && h.start < $0.1 }) { continue }
                    credited[key, default: []].append((h.start, h.end))
                }
                // A keyword in a setting complement weighs a fraction: it says what the notice services.
                let w = weight(h.field) * (h.isSetting ? options.settingFactor : 1)
                let matched: String? = h.matched
                switch r.kind {
                case .segmentKeyword:
                    let s = c.segments[r.owner]
                    var reason = Reason(
                        .segmentKeyword(segment: s.id, term: r.term), field: h.field, term: r.term,
                        matched: matched, weight: w, lotID: h.lotID)
                    reason.isTitleHead = h.isTitleHead
                    reason.isSetting = h.isSetting
                    Evidence.add(reason, to: &ev.segReasons[r.owner])
                case .segmentExclusion:
                    if ev.segVeto[r.owner] == nil {
                        let s = c.segments[r.owner]
                        ev.segVeto[r.owner] = Reason(
                            .segmentExclusion(segment: s.id, term: r.term), field: h.field,
                            term: r.term, matched: matched, weight: 0, lotID: h.lotID)
                    }
                case .memberInterest:
                    let m = c.members[r.owner]
                    Evidence.add(
                        Reason(
                            .memberInterest(member: m.id, term: r.term), field: h.field, term: r.term,
                            matched: matched, weight: w * options.interestFactor, lotID: h.lotID),
                        to: &ev.interest[r.owner])
                case .memberExclusion:
                    if ev.memberVeto[r.owner] == nil {
                        let m = c.members[r.owner]
                        ev.memberVeto[r.owner] = Reason(
                            .memberExclusion(member: m.id, term: r.term), field: h.field,
                            term: r.term, matched: matched, weight: 0, lotID: h.lotID)
                    }
                case .watchKeyword:
                    let wt = c.watches[r.owner]
                    Evidence.add(
                        Reason(
                            .watchKeyword(watch: wt.id, term: r.term), field: h.field, term: r.term,
                            matched: matched, weight: w, lotID: h.lotID), to: &ev.watchReasons[r.owner])
                case .watchExclusion:
                    ev.watchVeto[r.owner] = true
                case .segmentContext:
                    ev.segInContext[r.owner] = true
                case .certification:
                    if !ev.certificationsAsked.contains(r.owner) { ev.certificationsAsked.append(r.owner) }
                }
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
        for (code, w, lot) in codes {
            let digits = String(code.prefix { $0 != "-" }.filter(\.isNumber).prefix(8))
            guard digits.count >= 2 else { continue }
            for len in 2...digits.count {
                let prefix = String(digits.prefix(len))
                for si in cc.cpv[prefix] ?? [] {
                    let s = c.segments[si]
                    Evidence.add(
                        Reason(
                            .segmentCPV(segment: s.id, prefix: prefix), field: .cpv, term: prefix, matched: code,
                            weight: w * Router.cpvPrecision(prefix), lotID: lot), to: &ev.segReasons[si])
                }
                for (wi, wp) in cc.watchCPV.enumerated() where wp.contains(prefix) {
                    let wt = c.watches[wi]
                    Evidence.add(
                        Reason(
                            .watchCPV(watch: wt.id, prefix: prefix), field: .cpv, term: prefix, matched: code,
                            weight: w, lotID: lot), to: &ev.watchReasons[wi])
                }
            }
        }
        for d in notice.descriptors {
            for si in cc.descriptors[d] ?? [] {
                let s = c.segments[si]
                Evidence.add(
                    Reason(
                        .segmentDescriptor(segment: s.id, code: d), field: .descriptor, term: d,
                        weight: options.descriptorWeight), to: &ev.segReasons[si])
            }
        }
        return ev
    }

}
