import Foundation
import Notices

/// Weights and knobs of the router.
public struct RouterOptions: Sendable, Hashable, Codable {
    /// Weight of a keyword found in each field.
    public var titleWeight: Double = 3
    public var lotTitleWeight: Double = 2.5
    public var summaryWeight: Double = 1.5
    public var contentWeight: Double = 1
    public var categoryWeight: Double = 1.5
    /// Weight of a CPV prefix matching the main CPV, another CPV, a lot's CPV.
    public var mainCPVWeight: Double = 3
    public var otherCPVWeight: Double = 2
    public var lotCPVWeight: Double = 2.5
    public var descriptorWeight: Double = 2
    /// Weight of a member's own interest keyword (added to its route score).
    public var interestFactor: Double = 1
    /// Score removed per département between the member's nearest site and the place of work.
    public var distancePenalty: Double = 0.25
    /// Factor of a keyword found in a setting complement (« … pour le lycée », « couplé à la centrale »).
    public var settingFactor: Double = 0.3
    /// Only these clusters (nil = all).
    public var clusters: [String]?
    /// Whether near misses carry the evidence the member had (`vigie route`, `vigie explain`). The night stores a
    /// near miss's cause and score only, so it routes without them: same routes, fewer reasons kept per notice.
    public var nearMissReasons = true

    public init(clusters: [String]? = nil, nearMissReasons: Bool = true) {
        self.clusters = clusters
        self.nearMissReasons = nearMissReasons
    }

    enum CodingKeys: String, CodingKey {
        case titleWeight = "title_weight"
        case lotTitleWeight = "lot_title_weight"
        case summaryWeight = "summary_weight"
        case contentWeight = "content_weight"
        case categoryWeight = "category_weight"
        case mainCPVWeight = "main_cpv_weight"
        case otherCPVWeight = "other_cpv_weight"
        case lotCPVWeight = "lot_cpv_weight"
        case descriptorWeight = "descriptor_weight"
        case interestFactor = "interest_factor"
        case distancePenalty = "distance_penalty"
        case settingFactor = "setting_factor"
        case clusters
    }
}

/// Which near misses a routing keeps (``Router/route(_:now:nearMisses:)``).
public enum NearMissSelection: Sendable, Hashable {
    /// Every member dropped at one filter (`vigie route`, `vigie explain`, the rules' statistics).
    case all
    /// Only what a staff digest can list: the narrow ones (``NearMiss/isNarrow``) of members not routed, at most
    /// `limit` per cluster — ``NearMiss/strongest(_:limit:)`` of them. On a national night most members a notice's
    /// trade names are dropped by the territory filter hundreds of kilometres away: built, each was a dozen
    /// strings and arrays made and destroyed for nothing (half of routing's time).
    case narrowest(limit: Int)
}

/// Routes notices to cluster members through the value chain, with reasons, near misses and consortium
/// suggestions. Build once per rulebook (it compiles every keyword of every cluster into one matcher),
/// then call ``route(_:now:)`` from any thread.
public struct Router: Sendable {
    public let rulebook: Rulebook
    public let options: RouterOptions
    let matcher: KeywordMatcher
    /// Pattern → the rules behind it, grouped by cluster (in cluster order, each cluster's rules in their
    /// original order): a hit reaches the clusters it names and no other.
    let refs: [[RuleRef]]
    let compiled: [CompiledCluster]
    /// CPV prefix → (cluster, segment) and (cluster, watch); descriptor → (cluster, segment): a notice's codes
    /// name the clusters they are evidence for, so a cluster none of them names is not visited.
    let cpvSegments: [String: [CodeTarget]]
    let cpvWatches: [String: [CodeTarget]]
    let descriptorSegments: [String: [CodeTarget]]
    /// The tests' reference for the territorial filter (see ``TerritoryReference``); nil everywhere else.
    var territoryReference: TerritoryReference?

    /// A cluster and one of its segments or watches, as the code indexes name them.
    struct CodeTarget: Sendable {
        var cluster: Int32
        var owner: Int32
    }

    enum RefKind: UInt8, Sendable {  // swiftlint:disable:this type_name
        case segmentKeyword, segmentExclusion, memberInterest, memberExclusion, watchKeyword, watchExclusion
        case segmentContext, certification
    }

    /// One rule behind a pattern: which cluster, which owner (segment, member or watch), which written term.
    struct RuleRef: Sendable {
        var kind: RefKind
        var cluster: Int
        var owner: Int
        /// The keyword as written in the rule file.
        var term: String
        /// The thesaurus variant actually compiled, when it is not the term itself.
        var variant: String?
    }

    struct CompiledCluster: Sendable {
        var index: Int
        /// CPV prefix → segments.
        var cpv: [String: [Int]]
        /// Descriptor code → segments.
        var descriptors: [String: [Int]]
        /// Segment → segments that supply it (upstream).
        var upstream: [[Int]]
        /// Member → its segment indices.
        var memberSegments: [[Int]]
        /// Segment → members covering it (ascending): the members a segment's evidence concerns.
        var segmentMembers: [[Int]]
        /// Member → départements of its sites (cluster territory when it lists none).
        var memberSites: [[String]]
        /// Member → its sites, scope and maximum distance, resolved for the territorial filter.
        var memberReach: [MemberReach]
        /// Every member's sites end to end, as ``MemberReach`` points into them.
        var reachSites: [Int16]
        /// Their départements' codes, at the same positions: read where a member's own list of them, one of 30,000
        /// small arrays, was a cache miss for each member the filter names a site of.
        var reachSiteCodes: [String]
        /// ``memberSegments`` laid end to end (member `mi`'s are `memberSegmentList[memberSegmentStart[mi] ..<
        /// memberSegmentStart[mi + 1]]`): at national scale the router reads them for thousands of members per
        /// notice, and one contiguous list stays in cache where 30,000 small arrays do not.
        var memberSegmentStart: [Int]
        var memberSegmentList: [Int]
        /// Member → the kinds it receives, as a mask of ``Router/kindBit(_:)``.
        var memberKinds: [UInt8]
        /// Segment → `[its id]`, the `segments` of its near misses: built once, shared by all of them.
        var segmentIDLists: [[String]]
        /// Segment → the divisions of its CPV codes (``Router/cpvDivision(_:)``), against which its evidence is
        /// judged for every notice naming it.
        var segmentDivisions: [Set<String>]
        /// No two members share an id (the lint refuses it; a hand-made rulebook may not).
        var uniqueMemberIDs: Bool

        /// Member `mi`'s segment indices, as ``memberSegments`` lists them.
        func segments(ofMember mi: Int) -> ArraySlice<Int> {
            memberSegmentList[memberSegmentStart[mi]..<memberSegmentStart[mi + 1]]
        }
        /// Watch → CPV prefixes, segment indices.
        var watchCPV: [[String]]
        var watchSegments: [[Int]]
        /// Certification names a notice of this cluster may ask for (declared by members, or common ones).
        var certifications: [String]
        var isSelected: Bool
    }

    /// Compiles `rulebook`. Keywords that normalise to nothing were refused by the lint and are skipped here.
    public init(rulebook: Rulebook, options: RouterOptions = RouterOptions()) {
        self.rulebook = rulebook
        self.options = options
        let builder = KeywordMatcher.Builder()
        var refs: [[RuleRef]] = []
        // Clusters derived from one another repeat their keywords: each is expanded once.
        var thesaurus = ThesaurusLookup(rulebook.thesaurus)
        func add(_ term: String, _ kind: RefKind, _ cluster: Int, _ owner: Int) {
            var forms: [(String, String?)] = [(term, nil)]
            if kind == .segmentKeyword || kind == .memberInterest || kind == .watchKeyword || kind == .segmentContext {
                forms += thesaurus.variants(of: term).map { ($0, $0) }
                forms += FrenchDerivation.variants(of: term).map { ($0, $0) }
            } else {
                // Exclusions are read for meaning too: « publicité électorale » also stops its thesaurus variants.
                forms += thesaurus.wordVariants(of: term).map { ($0, $0) }
            }
            for (text, variant) in forms {
                guard let pid = builder.add(text) else { continue }
                while refs.count <= Int(pid) { refs.append([]) }
                refs[Int(pid)].append(RuleRef(kind: kind, cluster: cluster, owner: owner, term: term, variant: variant))
            }
        }
        var compiled: [CompiledCluster] = []
        for (ci, c) in rulebook.clusters.enumerated() {
            var segIndex: [String: Int] = [:]
            for (si, s) in c.segments.enumerated() { segIndex[s.id] = si }
            var cpv: [String: [Int]] = [:]
            var desc: [String: [Int]] = [:]
            var upstream = [[Int]](repeating: [], count: c.segments.count)
            for (si, s) in c.segments.enumerated() {
                for k in s.keywords { add(k, .segmentKeyword, ci, si) }
                for k in s.exclusions { add(k, .segmentExclusion, ci, si) }
                for k in s.context { add(k, .segmentContext, ci, si) }
                for code in s.cpv { cpv[Router.cpvPrefix(code), default: []].append(si) }
                for d in s.descriptors { desc[d, default: []].append(si) }
                for down in s.supplies { if let di = segIndex[down] { upstream[di].append(si) } }
            }
            var memberSegments: [[Int]] = []
            var memberSites: [[String]] = []
            var memberReach: [MemberReach] = []
            var reachSites: [Int16] = []
            for (mi, m) in c.members.enumerated() {
                for k in m.interests { add(k, .memberInterest, ci, mi) }
                for k in m.exclusions { add(k, .memberExclusion, ci, mi) }
                memberSegments.append(m.segments.compactMap { segIndex[$0] })
                var sites = m.sites.compactMap(Geography.departement(forSite:))
                if sites.isEmpty { sites = c.territory.departements.compactMap(Geography.canonicalDepartement) }
                memberSites.append(sites)
                memberReach.append(
                    Router.reach(
                        sites: sites, scope: m.scope ?? c.routing.scope,
                        maxDistance: m.maxDistance ?? c.routing.maxDistance, appendingTo: &reachSites))
            }
            // Certifications a notice may ask for: every one a member of this cluster declared, plus the common
            // qualifications of French public works and industry, so that a missing one is said, not ignored.
            var certs: [String] = []
            var certKeys = Set<String>()
            for name in c.members.flatMap(\.certifications) + Router.commonCertifications
            where certKeys.insert(FrenchNormalizer.normalizedPhrase(name)).inserted {
                certs.append(name)
            }
            for (k, name) in certs.enumerated() { add(name, .certification, ci, k) }
            var watchCPV: [[String]] = []
            var watchSegments: [[Int]] = []
            for (wi, w) in c.watches.enumerated() {
                for k in w.keywords { add(k, .watchKeyword, ci, wi) }
                for k in w.exclusions { add(k, .watchExclusion, ci, wi) }
                watchCPV.append(w.cpv.map(Router.cpvPrefix))
                watchSegments.append(w.segments.compactMap { segIndex[$0] })
            }
            var memberSegmentStart = [0]
            for segs in memberSegments { memberSegmentStart.append(memberSegmentStart.last! + segs.count) }
            compiled.append(
                CompiledCluster(
                    index: ci, cpv: cpv, descriptors: desc, upstream: upstream, memberSegments: memberSegments,
                    segmentMembers: Router.segmentMembers(memberSegments, segments: c.segments.count),
                    memberSites: memberSites, memberReach: memberReach, reachSites: reachSites,
                    reachSiteCodes: memberSites.flatMap { $0 },
                    memberSegmentStart: memberSegmentStart,
                    memberSegmentList: memberSegments.flatMap { $0 },
                    memberKinds: c.members.map { $0.effectiveKinds.reduce(0) { $0 | Router.kindBit($1) } },
                    segmentIDLists: c.segments.map { [$0.id] },
                    segmentDivisions: c.segments.map { Set($0.cpv.map(Router.cpvDivision)) },
                    uniqueMemberIDs: Set(c.members.map(\.id)).count == c.members.count, watchCPV: watchCPV,
                    watchSegments: watchSegments, certifications: certs,
                    isSelected: options.clusters?.contains(c.id) ?? true))
        }
        matcher = builder.build()
        while refs.count < matcher.patternCount { refs.append([]) }
        // A rule's own keyword wins over a thesaurus variant of another keyword matching the same words; then
        // grouped by cluster (a stable sort: each cluster sees its rules in the same order as before).
        refs = refs.map { list in
            let ordered = list.filter { $0.variant == nil } + list.filter { $0.variant != nil }
            return ordered.enumerated().sorted { ($0.element.cluster, $0.offset) < ($1.element.cluster, $1.offset) }
                .map(\.element)
        }
        self.refs = refs
        self.compiled = compiled
        var cpvSegments: [String: [CodeTarget]] = [:]
        var cpvWatches: [String: [CodeTarget]] = [:]
        var descriptorSegments: [String: [CodeTarget]] = [:]
        for cc in compiled where cc.isSelected {
            let ci = Int32(cc.index)
            for (prefix, segments) in cc.cpv {
                cpvSegments[prefix, default: []] += segments.map { CodeTarget(cluster: ci, owner: Int32($0)) }
            }
            for (code, segments) in cc.descriptors {
                descriptorSegments[code, default: []] += segments.map { CodeTarget(cluster: ci, owner: Int32($0)) }
            }
            for (wi, prefixes) in cc.watchCPV.enumerated() {
                // A watch listing a prefix twice is still one watch matching it.
                for prefix in Set(prefixes) {
                    cpvWatches[prefix, default: []].append(CodeTarget(cluster: ci, owner: Int32(wi)))
                }
            }
        }
        self.cpvSegments = cpvSegments
        self.cpvWatches = cpvWatches
        self.descriptorSegments = descriptorSegments
    }

    /// ``Thesaurus/variants(of:)`` and ``Thesaurus/wordVariants(of:)`` with every group normalised once and each
    /// term's answer kept: the same variants, in the same order.
    struct ThesaurusLookup {
        let groups: [[String]]
        let normalized: [[String]]
        /// Normalised form → groups holding it, ascending.
        let groupsOf: [String: [Int]]
        var memo: [String: [String]] = [:]

        init(_ thesaurus: Thesaurus) {
            groups = thesaurus.groups
            normalized = groups.map { $0.map(FrenchNormalizer.normalizedPhrase) }
            var index: [String: [Int]] = [:]
            for (gi, g) in normalized.enumerated() {
                for key in Set(g) { index[key, default: []].append(gi) }
            }
            groupsOf = index
        }

        mutating func variants(of term: String) -> [String] {
            if let known = memo[term] { return known }
            let key = FrenchNormalizer.normalizedPhrase(term)
            var out: [String] = []
            for gi in groupsOf[key] ?? [] {
                for (v, nv) in zip(groups[gi], normalized[gi]) where nv != key && !out.contains(v) { out.append(v) }
            }
            memo[term] = out
            return out
        }

        mutating func wordVariants(of term: String) -> [String] {
            Thesaurus.wordVariants(of: term) { variants(of: $0) }
        }
    }

    /// The bit of a notice kind in a member's kind mask.
    static func kindBit(_ kind: NoticeKind) -> UInt8 {
        switch kind {
        case .tender: return 1
        case .priorInformation: return 2
        case .award: return 4
        case .callForProjects: return 8
        case .change: return 16
        }
    }

    /// Segment → members covering it, ascending.
    static func segmentMembers(_ memberSegments: [[Int]], segments: Int) -> [[Int]] {
        var out = [[Int]](repeating: [], count: segments)
        for (mi, segs) in memberSegments.enumerated() {
            for s in Set(segs) { out[s].append(mi) }
        }
        return out
    }

    /// Qualifications that French tenders commonly require, recognised even when no member declares them.
    static let commonCertifications = [
        "COFREND", "ISO 19443", "Qualibat", "Qualifelec", "MASE", "CEFRI", "RGE", "ISO 9001", "ISO 14001",
        "ISO 45001", "EN 9100", "ISO 3834", "EN 1090", "IATF 16949", "ISO 17025", "COFRAC", "QualiPV", "Qualit'EnR",
    ]

    /// Distinct keyword patterns compiled (after normalisation and thesaurus expansion).
    public var patternCount: Int { matcher.patternCount }

    /// How much a CPV prefix of this length says about what is bought: a division (2 digits) spans unrelated
    /// products (`44` is pipes, tanks, locks and cables alike), a class (5) is one family, a category (6+) one
    /// product. A group-level prefix (`713`, engineering services) is then not enough alone.
    public static func cpvPrecision(_ prefix: String) -> Double {
        switch prefix.count {
        case ..<3: return 0.3
        case 3: return 0.5
        case 4: return 0.75
        default: return 1
        }
    }

    /// The digits of a CPV code or prefix: `42620000-0` → `4262`, `4262` → `4262` (trailing zeros of a full
    /// code are its hierarchy padding).
    public static func cpvPrefix(_ code: String) -> String {
        var digits = String(code.prefix { $0 != "-" }.filter(\.isNumber))
        if digits.count == 8 {
            while digits.count > 2 && digits.hasSuffix("0") { digits.removeLast() }
        }
        return digits
    }

    // MARK: - Evidence

    /// One keyword occurrence with where it was found.
    struct TextHit {
        var pattern: Int32
        var field: ReasonField
        var lotID: String?
        var matched: String
        /// Byte range of the match in its field: keywords of one rule hitting the same words count once.
        var start: Int
        var end: Int
        /// The match lies in a complement that names the setting or the object serviced (« … pour le lycée »,
        /// « couplé à la centrale solaire »), not what is bought.
        var isSetting: Bool = false
        /// The match opens the title (see ``Router/isTitleHead(_:offset:)``).
        var isTitleHead: Bool = false
    }

    /// Words that open a complement naming where, for whom or alongside what the purchase is made. What
    /// follows them, up to the end of the clause, is the setting: a keyword there says what the notice
    /// services, not what it buys (« coffrets en bois … pour les trophées du concours des eaux-de-vie »).
    static let settingMarkers: [[UInt8]] = [
        " pour ", " couplé", " couplée", " raccordé", " raccordée", " destiné", " au profit ", " au sein ",
        " en partenariat ", " en lien avec ", " existant",
    ].map { Array($0.utf8) }

    /// Byte ranges of `text` that are setting complements (see ``settingMarkers``): from a marker to the end
    /// of its clause.
    static func settingSpans(_ text: String) -> [Range<Int>] {
        let bytes = Array(text.utf8).map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
        let clauseEnds: Set<UInt8> = [
            UInt8(ascii: "."), UInt8(ascii: ";"), UInt8(ascii: ":"), UInt8(ascii: "("),
            UInt8(ascii: "\n"),
        ]
        var spans: [Range<Int>] = []
        var i = 0
        while i < bytes.count {
            var matchedMarker: [UInt8]?
            for m in settingMarkers where i + m.count <= bytes.count && bytes[i..<(i + m.count)].elementsEqual(m) {
                matchedMarker = m
                break
            }
            guard let m = matchedMarker else { i += 1; continue }
            var j = i + m.count
            while j < bytes.count && !clauseEnds.contains(bytes[j]) {
                // An em or en dash (E2 80 94 / 93) also closes the clause.
                if bytes[j] == 0xE2 && j + 2 < bytes.count && bytes[j + 1] == 0x80
                    && (bytes[j + 2] == 0x94 || bytes[j + 2] == 0x93)
                {
                    break
                }
                j += 1
            }
            spans.append(i..<j)
            i = j
        }
        return spans
    }

    func weight(_ field: ReasonField) -> Double {
        switch field {
        case .title: return options.titleWeight
        case .lot: return options.lotTitleWeight
        case .summary: return options.summaryWeight
        case .content: return options.contentWeight
        case .category: return options.categoryWeight
        default: return 1
        }
    }

    func scanNotice(_ notice: Notice) -> [TextHit] {
        let state = ScanState()
        var hits: [TextHit] = []
        func scanField(_ text: String?, _ field: ReasonField, _ lot: String? = nil) {
            guard var t = text, !t.isEmpty else { return }
            // A call for projects buys nothing: « Innovations pour le démantèlement » names its theme, so only
            // purchases have a setting apart from their object.
            let settings = field == .lot || notice.kind == .callForProjects ? [] : Router.settingSpans(t)
            // Where the title's object starts being named: computed once per title, not once per hit.
            let headEnd = field == .title ? Router.titleHeadEnd(t) : -1
            t.withUTF8 { bp in
                guard let base = bp.baseAddress else { return }
                matcher.scan(base, count: bp.count, state: state) { pid, s, e in
                    let m = String(decoding: UnsafeBufferPointer(start: base + s, count: e - s), as: UTF8.self)
                    hits.append(
                        TextHit(
                            pattern: pid, field: field, lotID: lot, matched: m, start: s, end: e,
                            isSetting: settings.contains { $0.contains(s) }, isTitleHead: s <= headEnd))
                }
            }
        }
        scanField(notice.title, .title)
        scanField(notice.summary, .summary)
        // Feeds often repeat the summary as content: scanning it twice would double the evidence.
        if notice.content != notice.summary { scanField(notice.content, .content) }
        for c in notice.categories { scanField(c, .category) }
        for lot in notice.lots { scanField(lot.title, .lot, lot.id) }
        return hits
    }

    // MARK: - Routing

    /// Routes one notice through every (selected) cluster. `now` anchors the deadline lead time. Only the
    /// clusters the notice's words and codes name are routed: the others have no evidence, so nothing to say
    /// (their entry is empty).
    public func route(_ notice: Notice, now: Date) -> RoutingResult { route(notice, now: now, nearMisses: .all) }

    /// ``route(_:now:)`` keeping only the near misses `nearMisses` selects: the same routes, watches, consortia,
    /// signals and rule counters.
    public func route(_ notice: Notice, now: Date, nearMisses: NearMissSelection) -> RoutingResult {
        let found = noticeEvidence(notice, hits: scanNotice(notice))
        var out: [ClusterRouting] = []
        out.reserveCapacity(compiled.count)
        // Most clusters of a national deployment have nothing to say of a notice. Clusters are read in place, by
        // position: binding one (`for cc in compiled`, `let c = rulebook.clusters[…]`) copied all of it, every
        // array retained and released, for each of 300 clusters of every notice.
        func nothing(_ k: Int) -> ClusterRouting {
            let ci = compiled[k].index
            return ClusterRouting(clusterID: rulebook.clusters[ci].id, clusterName: rulebook.clusters[ci].name)
        }
        guard !found.byCluster.isEmpty else {
            for k in compiled.indices where compiled[k].isSelected { out.append(nothing(k)) }
            return RoutingResult(noticeID: notice.id, clusters: out)
        }
        let place = ResolvedPlace(places: notice.places + notice.lots.flatMap(\.places), buyer: notice.buyer)
        // Read once for every cluster: whether the notice speaks of groupements.
        let invitesGroupement = Router.mentionsGroupement(notice)
        let divisions = NoticeDivisions(notice)
        for k in compiled.indices where compiled[k].isSelected {
            guard let events = found.byCluster[compiled[k].index] else {
                out.append(nothing(k))
                continue
            }
            out.append(
                routeCluster(
                    compiled[k], notice: notice, found: found, events: events, place: place,
                    invitesGroupement: invitesGroupement, divisions: divisions, now: now, nearMisses: nearMisses))
        }
        return RoutingResult(noticeID: notice.id, clusters: out)
    }

    /// Routes a batch (convenience for the CLI and the nightly run).
    public func route(_ notices: [Notice], now: Date) -> [RoutingResult] { notices.map { route($0, now: now) } }
}
