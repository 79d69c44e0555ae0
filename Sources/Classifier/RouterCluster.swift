import Foundation
import Notices

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

    /// A member that passed the keyword stage, before filters.
    struct Candidate {
        var member: Int
        var kind: RouteKind
        var segments: [Int]
        var reasons: [Reason]
        var score: Double
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
                let atHead = h.field == .title && Router.isTitleHead(notice.title, offset: h.start)
                switch r.kind {
                case .segmentKeyword:
                    let s = c.segments[r.owner]
                    var reason = Reason(.segmentKeyword(segment: s.id, term: r.term), field: h.field, term: r.term,
                                        matched: matched, weight: w, lotID: h.lotID)
                    reason.isTitleHead = atHead
                    reason.isSetting = h.isSetting
                    Evidence.add(reason, to: &ev.segReasons[r.owner])
                case .segmentExclusion:
                    if ev.segVeto[r.owner] == nil {
                        let s = c.segments[r.owner]
                        ev.segVeto[r.owner] = Reason(.segmentExclusion(segment: s.id, term: r.term), field: h.field,
                                                     term: r.term, matched: matched, weight: 0, lotID: h.lotID)
                    }
                case .memberInterest:
                    let m = c.members[r.owner]
                    Evidence.add(Reason(.memberInterest(member: m.id, term: r.term), field: h.field, term: r.term,
                                        matched: matched, weight: w * options.interestFactor, lotID: h.lotID),
                                 to: &ev.interest[r.owner])
                case .memberExclusion:
                    if ev.memberVeto[r.owner] == nil {
                        let m = c.members[r.owner]
                        ev.memberVeto[r.owner] = Reason(.memberExclusion(member: m.id, term: r.term), field: h.field,
                                                        term: r.term, matched: matched, weight: 0, lotID: h.lotID)
                    }
                case .watchKeyword:
                    let wt = c.watches[r.owner]
                    Evidence.add(Reason(.watchKeyword(watch: wt.id, term: r.term), field: h.field, term: r.term,
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
        for (k, code) in ([notice.mainCPV].compactMap { $0 } + notice.cpv).enumerated() where seen.insert(code).inserted {
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
                    Evidence.add(Reason(.segmentCPV(segment: s.id, prefix: prefix), field: .cpv, term: prefix, matched: code,
                                        weight: w * Router.cpvPrecision(prefix), lotID: lot), to: &ev.segReasons[si])
                }
                for (wi, wp) in cc.watchCPV.enumerated() where wp.contains(prefix) {
                    let wt = c.watches[wi]
                    Evidence.add(Reason(.watchCPV(watch: wt.id, prefix: prefix), field: .cpv, term: prefix, matched: code,
                                        weight: w, lotID: lot), to: &ev.watchReasons[wi])
                }
            }
        }
        for d in notice.descriptors {
            for si in cc.descriptors[d] ?? [] {
                let s = c.segments[si]
                Evidence.add(Reason(.segmentDescriptor(segment: s.id, code: d), field: .descriptor, term: d,
                                    weight: options.descriptorWeight), to: &ev.segReasons[si])
            }
        }
        return ev
    }

    func routeCluster(_ cc: CompiledCluster, notice: Notice, hits: [TextHit], place: ResolvedPlace,
                      now: Date) -> ClusterRouting {
        let c = rulebook.clusters[cc.index]
        let settings = c.routing
        let ev = gatherEvidence(cc, c, notice: notice, hits: hits)
        var result = ClusterRouting(clusterID: c.id, clusterName: c.name)
        var counters: [String: RuleCounter] = [:]
        func count(_ rule: String, matched: Int = 0, dropped: Int = 0) {
            let key = "\(c.id)/\(rule)"
            var cur = counters[key] ?? RuleCounter(rule: key)
            cur.matched += matched
            cur.dropped += dropped
            counters[key] = cur
        }

        // 1. Segments the notice needs.
        let nSeg = c.segments.count
        var segScore = [Double](repeating: 0, count: nSeg)
        var needed = [Bool](repeating: false, count: nSeg)
        var segLots = [[String]](repeating: [], count: nSeg)
        var segNoticeLevel = [Bool](repeating: false, count: nSeg)
        for si in 0..<nSeg {
            let reasons = ev.segReasons[si]
            segScore[si] = reasons.reduce(0) { $0 + $1.weight }
            for r in reasons {
                if let l = r.lotID { if !segLots[si].contains(l) { segLots[si].append(l) } } else { segNoticeLevel[si] = true }
            }
            let s = c.segments[si]
            let threshold = s.minScore ?? settings.minScore
            guard !reasons.isEmpty || ev.segVeto[si] != nil else { continue }
            var match = SegmentMatch(segmentID: s.id, label: s.label, score: segScore[si], reasons: reasons,
                                     lots: segLots[si], vetoedBy: ev.segVeto[si])
            if let veto = ev.segVeto[si] {
                if !reasons.isEmpty {
                    match.rejection = .exclusion
                    result.rejectedSegments.append(match)
                    count(veto.rule, dropped: 1)
                }
            } else if segScore[si] < threshold {
                match.rejection = .belowThreshold(threshold: threshold)
                result.rejectedSegments.append(match)
                count("segment:\(s.id)/min_score", dropped: 1)
            } else if let rejection = Router.incoherence(reasons, notice: notice, segment: s,
                                                        inContext: ev.segInContext[si]) {
                // One word alone, however often repeated, is how homonyms get in (« moules » of the fish
                // market, « CND » the dance centre, « forge » logicielle): a trade is named with more than one
                // of its words, or classified by a precise CPV.
                match.rejection = rejection
                result.rejectedSegments.append(match)
                count("segment:\(s.id)/uncorroborated", dropped: 1)
            } else {
                needed[si] = true
                result.segments.append(match)
                for r in reasons { count(r.rule, matched: 1) }
            }
        }
        result.segments.sort { ($0.score, $1.segmentID) > ($1.score, $0.segmentID) }
        let neededList = (0..<nSeg).filter { needed[$0] }

        // 2. Candidates: direct (covered segments, interests) and indirect (upstream suppliers).
        var candidates: [Candidate] = []
        for (mi, m) in c.members.enumerated() {
            let segs = cc.memberSegments[mi]
            let direct = segs.filter { needed[$0] }
            let interest = ev.interest[mi]
            if !direct.isEmpty || !interest.isEmpty {
                var reasons: [Reason] = []
                for s in direct { reasons += ev.segReasons[s] }
                reasons += interest
                let score = direct.reduce(0) { $0 + segScore[$1] } + interest.reduce(0) { $0 + $1.weight }
                candidates.append(Candidate(member: mi, kind: .direct, segments: direct, reasons: reasons, score: score))
                continue
            }
            // Upstream suppliers of a needed segment are not recipients: the bidder buys from them, the buyer
            // does not (a bottling line's cork maker). They are named to staff as near misses and may join a
            // groupement proposal; never an individual route.
            let viaUp = neededList.flatMap { d in cc.upstream[d].filter { segs.contains($0) } }
            if let up = viaUp.first, let d = neededList.first(where: { cc.upstream[$0].contains(up) }) {
                result.nearMisses.append(NearMiss(
                    clusterID: c.id, memberID: m.id, memberName: m.name,
                    cause: .upstreamSupplier(upstream: c.segments[up].id, downstream: c.segments[d].id),
                    segments: [c.segments[up].id], score: segScore[d] * settings.indirectFactor, reasons: []))
                count("filter:\(RoutingFilter.upstreamSupplier.rawValue)", dropped: 1)
                continue
            }
            // Not a candidate: remember near misses of its segments (vetoed or too little evidence).
            if let s = segs.first(where: { ev.segVeto[$0] != nil && !ev.segReasons[$0].isEmpty }), let veto = ev.segVeto[s] {
                result.nearMisses.append(NearMiss(
                    clusterID: c.id, memberID: m.id, memberName: m.name,
                    cause: .segmentExclusion(segment: c.segments[s].id, term: veto.term, field: veto.field),
                    segments: [c.segments[s].id], score: segScore[s], reasons: ev.segReasons[s] + [veto]))
            } else if let s = segs.filter({ segScore[$0] > 0 }).max(by: { segScore[$0] < segScore[$1] }) {
                let threshold = c.segments[s].minScore ?? settings.minScore
                let id = c.segments[s].id
                // Enough weight but not coherent evidence: say why, not « under the threshold ».
                let rejection = result.rejectedSegments.first { $0.segmentID == id }?.rejection
                let cause: NearMissCause
                if let rejection, segScore[s] >= threshold {
                    cause = .incoherentEvidence(segment: id, rejection: rejection)
                } else {
                    cause = .weakMatch(segment: id, score: segScore[s], threshold: threshold)
                }
                result.nearMisses.append(NearMiss(
                    clusterID: c.id, memberID: m.id, memberName: m.name, cause: cause,
                    segments: [id], score: segScore[s], reasons: ev.segReasons[s]))
            }
        }

        // 3. Filters.
        let deadline = notice.deadline?.instant ?? notice.call?.closing?.instant
        let leadDays = deadline.map { $0.timeIntervalSince(now) / 86_400 }
        var eligible: [(cand: Candidate, distance: Int?)] = []  // passed every filter but capacity
        for cand in candidates {
            let m = c.members[cand.member]
            let segIDs = cand.segments.map { c.segments[$0].id }
            func drop(_ cause: NearMissCause) {
                result.nearMisses.append(NearMiss(clusterID: c.id, memberID: m.id, memberName: m.name, cause: cause,
                                                  segments: segIDs, score: cand.score, reasons: cand.reasons))
                count("filter:\(cause.filter.rawValue)", dropped: 1)
            }
            if let veto = ev.memberVeto[cand.member] {
                drop(.memberExclusion(term: veto.term, field: veto.field, matched: veto.matched))
                count(veto.rule, dropped: 1)
                continue
            }
            if !m.effectiveKinds.contains(notice.kind) {
                drop(.kind(notice.kind, wanted: m.effectiveKinds))
                continue
            }
            if let leadDays, leadDays < Double(settings.minLeadDays) {
                drop(.deadline(leadDays: leadDays, minimum: settings.minLeadDays))
                continue
            }
            let terr = territoryCheck(cc, c, member: cand.member, place: place)
            if let miss = terr.failure {
                drop(.territory(miss))
                continue
            }
            eligible.append((cand, terr.distance))
        }
        // Capacity, once every other filter has spoken: the pack of members still in the running tells whether a
        // groupement could carry what one member cannot.
        let packCapacity: Double = eligible.reduce(0) { $0 + (c.members[$1.cand.member].capacity ?? 0) }
        let tolerance = settings.capacityTolerance
        // A notice that speaks of groupements invites them: then any member of the pack may take part, however
        // small; otherwise a member is only sent what it could lead or share (up to `groupement_reach` × its
        // capacity).
        let invitesGroupement = Router.mentionsGroupement(notice)
        // Members dropped for capacity and the value each had to carry: when nobody can, staff are told.
        var capacityDrops: [(member: Int, value: Double, segments: [Int])] = []
        for (cand, distance) in eligible {
            let m = c.members[cand.member]
            let segIDs = cand.segments.map { c.segments[$0].id }
            let value = valueFor(cand, notice: notice, segLots: segLots, segNoticeLevel: segNoticeLevel)
            var reasons = cand.reasons
            var score = cand.score
            if let cap = m.capacity, let v = value, v > cap * tolerance {
                // Above the member's reach alone: still sent when the notice needs a groupement anyway and the
                // members in the running can carry it together (the digest proposes the group).
                guard eligible.count >= 2, packCapacity * tolerance >= v,
                      invitesGroupement || v <= cap * settings.groupementReach else {
                    capacityDrops.append((cand.member, v, cand.segments))
                    result.nearMisses.append(NearMiss(
                        clusterID: c.id, memberID: m.id, memberName: m.name,
                        cause: .capacity(value: v, capacity: cap),
                        segments: segIDs, score: cand.score, reasons: cand.reasons))
                    count("filter:\(RoutingFilter.capacity.rawValue)", dropped: 1)
                    continue
                }
                reasons.append(Reason(.capacityGroupement, field: .value, term: Router.euros(cap),
                                      matched: Router.euros(v), weight: 0))
            }
            if let d = distance, d > 0 {
                let pen = options.distancePenalty * Double(d)
                score -= pen
                let terr = territoryCheck(cc, c, member: cand.member, place: place)
                reasons.append(Reason(.territory, field: .place, term: terr.site ?? "",
                                      matched: terr.place, weight: -pen))
            }
            for k in ev.certificationsAsked {
                let name = cc.certifications[k]
                let key = FrenchNormalizer.normalizedPhrase(name)
                let declared = m.certifications.contains { FrenchNormalizer.normalizedPhrase($0) == key }
                var r = Reason(.memberCertification(member: m.id, name: name), field: .certification, term: name,
                               weight: 0)
                r.certification = declared ? .declared : .notDeclared
                reasons.append(r)
            }
            for r in cand.reasons {
                if case .memberInterest = r.source { count(r.rule, matched: 1) }
            }
            result.routes.append(Route(clusterID: c.id, memberID: m.id, memberName: m.name,
                                       score: (score * 100).rounded() / 100, kind: cand.kind, segments: segIDs,
                                       reasons: reasons, distance: distance))
        }
        result.routes.sort { a, b in
            if a.kind != b.kind { return a.kind == .direct }
            if a.score != b.score { return a.score > b.score }
            return a.memberID < b.memberID
        }

        // 4. Consortia.
        // Upstream suppliers in range (kind wanted, no exclusion): possible partners of a proposed group.
        var suppliers: [(member: Int, segment: Int, distance: Int?)] = []
        for miss in result.nearMisses where miss.filter == .upstreamSupplier {
            guard let mi = c.members.firstIndex(where: { $0.id == miss.memberID }),
                  let up = miss.segments.first.flatMap({ id in c.segments.firstIndex { $0.id == id } }),
                  ev.memberVeto[mi] == nil, c.members[mi].effectiveKinds.contains(notice.kind) else { continue }
            let terr = territoryCheck(cc, c, member: mi, place: place)
            if terr.failure == nil { suppliers.append((mi, up, terr.distance)) }
        }
        result.consortia = suggestConsortia(c, notice: notice, needed: neededList, segLots: segLots,
                                            segNoticeLevel: segNoticeLevel,
                                            eligible: eligible.filter { $0.cand.kind == .direct && !$0.cand.segments.isEmpty },
                                            upstream: cc.upstream, suppliers: suppliers,
                                            tolerance: tolerance)
        result.signals = staffSignals(c, drops: capacityDrops, routes: result.routes, consortia: result.consortia,
                                      tolerance: tolerance)

        // 5. Saved watches.
        for (wi, w) in c.watches.enumerated() where !ev.watchVeto[wi] {
            if !w.kinds.isEmpty && !w.kinds.contains(notice.kind) { continue }
            // Keywords/CPV and segments are ANDed when both are given ("hydrogène" in machining notices).
            var reasons = ev.watchReasons[wi]
            let hasTerms = !w.keywords.isEmpty || !w.cpv.isEmpty
            if hasTerms && reasons.isEmpty { continue }
            if !cc.watchSegments[wi].isEmpty {
                let segs = cc.watchSegments[wi].filter { needed[$0] }
                if segs.isEmpty { continue }
                for s in segs {
                    reasons.append(Reason(.watchSegment(watch: w.id, segment: c.segments[s].id), field: .segment,
                                          term: c.segments[s].id, weight: segScore[s]))
                }
            }
            guard !reasons.isEmpty else { continue }
            result.watches.append(WatchMatch(watchID: w.id, name: w.name, recipients: w.recipients, reasons: reasons))
            count("watch:\(w.id)", matched: 1)
        }
        result.ruleCounters = counters.values.sorted { $0.rule < $1.rule }
        return result
    }

    /// Why a segment's evidence, heavy enough, still does not hold together; nil when it does.
    static func incoherence(_ reasons: [Reason], notice: Notice, segment s: Segment, inContext: Bool)
        -> SegmentRejection? {
        if Router.buysServiceAboutTrade(notice, s), let main = notice.mainCPV ?? notice.cpv.first {
            return .serviceAboutTrade(division: String(main.filter(\.isNumber).prefix(2)))
        }
        let preciseCPV = reasons.contains { $0.field == .cpv && $0.term.count >= 6 }
        if !s.context.isEmpty && !inContext && !preciseCPV { return .outOfContext }
        return Router.isCorroborated(reasons, notice: notice, segment: s) ? nil : .isolated
    }

    /// Whether a segment's evidence holds together. Enough alone: the buyer's own classification precise
    /// enough to name what is bought (the main CPV within a class of the rules, 4 digits or more, or any CPV
    /// within 6 digits), or a phrase of the rules (several words) in the title or a lot's title. Otherwise two
    /// distinct keywords or codes — three when the notice's CPV codes all lie in divisions the segment does not
    /// list (a keyword against the buyer's classification is probably another sense of the word).
    static func isCorroborated(_ reasons: [Reason], notice: Notice, segment s: Segment) -> Bool {
        let mainCPV = notice.mainCPV ?? notice.cpv.first
        let divisions = Set(s.cpv.map { String($0.filter(\.isNumber).prefix(2)) })
        // The buyer's classification of the part a reason is about: the lot's codes for a lot, else the notice's.
        func isAgainstClassification(_ r: Reason) -> Bool {
            let lotCodes = r.lotID.flatMap { id in notice.lots.first { $0.id == id }?.cpv } ?? []
            let codes = r.lotID != nil ? lotCodes : [notice.mainCPV].compactMap { $0 } + notice.cpv
            guard !codes.isEmpty, !divisions.isEmpty else { return false }
            return divisions.isDisjoint(with: codes.map { String($0.filter(\.isNumber).prefix(2)) })
        }
        var anchors = Set<String>()
        var allAgainst = true
        for r in reasons where !r.isSetting {
            let against = r.field != .cpv && isAgainstClassification(r)
            if !against { allAgainst = false }
            switch r.field {
            case .cpv:
                let isMain = r.lotID == nil && mainCPV != nil && r.matched == mainCPV
                if r.term.count >= 6 || (isMain && r.term.count >= 4) { return true }
                anchors.insert("cpv:" + r.term)
            case .descriptor: anchors.insert("descriptor:" + r.term)
            case .title, .lot:
                if !against && (Router.isPhrase(r.matched ?? r.term) || r.isTitleHead) { return true }
                anchors.insert("term:" + r.term)
            default: anchors.insert("term:" + r.term)
            }
        }
        return anchors.count >= (allAgainst ? 3 : 2)
    }

    /// Whether the notice's text speaks of groupements (co-traitance): invited, required or accepted.
    static func mentionsGroupement(_ notice: Notice) -> Bool {
        let texts = [notice.title, notice.summary ?? "", notice.content ?? ""] + notice.lots.compactMap(\.title)
        return texts.contains { t in
            let f = t.lowercased()
            return f.contains("groupement") || f.contains("co-traitan") || f.contains("cotraitan")
        }
    }

    /// CPV divisions whose services are *about* a trade, never the trade itself: education and training (80),
    /// recreational, cultural and sporting services (92). A welding course or an exhibition on boiler-making
    /// names the trade without buying it.
    static let aboutTradeDivisions: Set<String> = ["80", "92"]

    /// True when the notice's main classification is a service about a trade that the segment does not list.
    static func buysServiceAboutTrade(_ notice: Notice, _ s: Segment) -> Bool {
        guard let main = notice.mainCPV ?? notice.cpv.first else { return false }
        let division = String(main.filter(\.isNumber).prefix(2))
        guard aboutTradeDivisions.contains(division) else { return false }
        return !s.cpv.contains { $0.filter(\.isNumber).hasPrefix(division) }
    }

    /// A keyword found as several words (`presse hydraulique`, `mécano-soudure`) names a thing; a single word
    /// (or an acronym standing for a phrase: « CND ») is more often a homonym.
    static func isPhrase(_ text: String) -> Bool {
        text.split { !$0.isLetter && !$0.isNumber }.filter { $0.count >= 3 }.count >= 2
    }

    /// Whether a keyword at this title offset opens the title — the object bought, as French titles name it
    /// first (« Chaudronnerie : fabrication de réservoirs… », « Usinage de pièces de rechange… ») — once the
    /// generic openings that name the kind of notice are passed (« Appel à projets « Hydrogène vert… » »).
    static func isTitleHead(_ title: String, offset: Int) -> Bool {
        let utf8 = Array(title.utf8)
        guard offset < utf8.count else { return false }
        let before = String(decoding: utf8[..<offset], as: UTF8.self)
        let words = before.split { !$0.isLetter && !$0.isNumber }
        // Generic openings that name the kind of notice, not the object (« Appel à projets », « AMI »).
        let generic: Set<String> = ["appel", "à", "projets", "projet", "ami", "avis", "marché", "accord", "cadre",
                                    "préinformation", "lot"]
        return words.allSatisfy { generic.contains($0.lowercased()) }
    }

    /// The value a member would have to carry. A divided notice is bid for lot by lot: the member is judged on
    /// the smallest lot its segments have evidence in (any lot when the evidence is in the notice's own text), a
    /// lot without a value on the notice's total shared among the lots (eForms lots often carry no value).
    func valueFor(_ cand: Candidate, notice: Notice, segLots: [[String]], segNoticeLevel: [Bool]) -> Double? {
        let noticeValue = Router.amount(notice.value)
        let lots = notice.lots.filter { $0.kind != "part" || notice.lots.count > 1 }
        guard lots.count > 1 else { return noticeValue }
        let shared = noticeValue.map { $0 / Double(lots.count) }
        let own = Set(cand.segments.flatMap { segLots[$0] })
        let considered = own.isEmpty ? lots : lots.filter { own.contains($0.id) }
        let values = considered.map { Router.amount($0.value) ?? shared }
        if values.contains(where: { $0 == nil }) && values.allSatisfy({ $0 == nil }) { return noticeValue }
        return values.compactMap { $0 }.min() ?? noticeValue
    }

    /// Whether a member's sites are close enough to the place of work; the reason as data when they are not.
    func territoryCheck(_ cc: CompiledCluster, _ c: Cluster, member mi: Int, place: ResolvedPlace)
        -> (failure: TerritoryMiss?, distance: Int?, site: String?, place: String?) {
        let m = c.members[mi]
        let scope = m.scope ?? c.routing.scope
        let maxD = m.maxDistance ?? c.routing.maxDistance
        let sites = cc.memberSites[mi]
        guard place.isKnown else { return (nil, nil, nil, nil) }
        // Nearest site and distance, when both sides are known to the département.
        var best: (d: Int, site: String, place: String)?
        for s in sites {
            for p in place.departements {
                if let d = Geography.distance(s, p), best == nil || d < best!.d { best = (d, s, p) }
            }
        }
        if place.departements.isEmpty && place.regions.isEmpty {
            // Only a foreign country is known.
            return scope == .europe ? (nil, nil, nil, nil) : (.outsideFrance, nil, nil, nil)
        }
        if scope == .europe || scope == .national || sites.isEmpty { return (nil, best?.d, best?.site, best?.place) }
        if let b = best, b.d <= maxD { return (nil, b.d, b.site, b.place) }
        let siteRegions = Set(sites.compactMap(Geography.region(of:)))
        let sameRegion = !siteRegions.isDisjoint(with: place.regions)
        if scope == .region && sameRegion { return (nil, best?.d, best?.site, best?.place) }
        if place.departements.isEmpty {
            // Region-level place (NUTS-1/2 only): the best we can say is "same region".
            if sameRegion { return (nil, nil, nil, nil) }
            return (.outsideRegions(regions: place.regions.sorted()), nil, nil, nil)
        }
        if let b = best {
            return (.tooFar(places: place.departements, distance: b.d, site: b.site, maximum: maxD), b.d, b.site, b.place)
        }
        return (.outOfReach(places: place.departements), nil, nil, nil)
    }

    static func fieldFR(_ f: ReasonField) -> String {
        switch f {
        case .title: return "titre"
        case .summary: return "résumé"
        case .content: return "texte"
        case .lot: return "lot"
        case .category: return "catégorie"
        case .cpv: return "CPV"
        case .descriptor: return "descripteur"
        case .place: return "lieu"
        case .value: return "montant"
        case .kind: return "type"
        case .deadline: return "échéance"
        case .segment: return "segment"
        case .interest: return "intérêt"
        case .link: return "lien"
        case .certification: return "certification"
        }
    }

    static func departementLabel(_ code: String) -> String {
        Geography.departement(code).map { "\($0.code) \($0.name)" } ?? code
    }

    /// `3`, `2.5`, `0.25`.
    public static func fmt(_ x: Double) -> String {
        if x == x.rounded() { return String(Int(x)) }
        var s = String(format: "%.2f", x)
        while s.hasSuffix("0") { s.removeLast() }
        return s
    }

    /// The upper bound of an amount, as the router compares it with members' capacities.
    static func amount(_ m: Money?) -> Double? { m?.upperBound.map { NSDecimalNumber(decimal: $0).doubleValue } }

    /// `1 250 000 €` (narrow no-break spaces avoided: plain spaces read everywhere).
    static func euros(_ v: Double) -> String {
        let n = Int(v.rounded())
        var s = String(n)
        var out = ""
        while s.count > 3 {
            out = " " + s.suffix(3) + out
            s.removeLast(3)
        }
        return s + out + " €"
    }
}
