import Foundation
import Notices

/// Every cluster's rules plus the shared thesaurus, as loaded from a `Rules/` directory.
///
/// One file per cluster (`cluster:`, `segments:`, `members:`, `watches:`) and one shared
/// thesaurus file (`thesaurus:`). Load with ``Rulebook/load(directory:vocabulary:)``; read without checking
/// with ``RulebookLoader``, check with ``RulesLinter``.
public struct Rulebook: Sendable, Hashable, Codable {
    public var clusters: [Cluster]
    public var thesaurus: Thesaurus

    public init(clusters: [Cluster], thesaurus: Thesaurus = Thesaurus()) {
        self.clusters = clusters
        self.thesaurus = thesaurus
    }

    /// Loads every `*.yaml` / `*.yml` file of `directory` with ``RulebookLoader`` and checks it with
    /// ``RulesLinter``: routing never runs on rules with an error (a duplicate id, an unknown segment, a keyword
    /// the matcher cannot use…).
    ///
    /// Throws the first error of either, in editor order
    /// (``ClassifierError/invalidRule(file:line:column:key:message:)`` names file, line, column and key); warnings
    /// do not stop the load.
    /// - Parameter vocabulary: optional CPV code list (see ``CPVVocabulary``) to check codes against.
    public static func load(directory: String, vocabulary: CPVVocabulary? = nil) throws -> Rulebook {
        let loaded = try RulebookLoader().read(directory: directory)
        let report = RulesLinter(vocabulary: vocabulary).lint(loaded)
        if let first = report.errors.first { throw first.error }
        guard let book = report.rulebook else {
            throw ClassifierError.unreadable(path: directory, reason: "no rule files")
        }
        return book
    }

    /// The cluster with this id.
    public func cluster(_ id: String) -> Cluster? { clusters.first { $0.id == id } }

    /// A member of a cluster.
    public func member(_ id: String, in clusterID: String) -> Member? {
        cluster(clusterID)?.members.first { $0.id == id }
    }

    /// A value-chain segment of a cluster.
    public func segment(_ id: String, in clusterID: String) -> Segment? {
        cluster(clusterID)?.segments.first { $0.id == id }
    }

    /// Saved watches of every cluster (each carries its `clusterID`).
    public var watches: [Watch] { clusters.flatMap(\.watches) }
}

/// A business cluster: its territory, value chain, members and saved watches.
public struct Cluster: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    /// ISO 639-1 language of its digests (`fr`).
    public var language: String
    public var territory: Territory
    public var routing: RoutingSettings
    public var segments: [Segment]
    public var members: [Member]
    public var watches: [Watch]
    /// Who sends and receives the cluster's e-mail (`cluster.delivery` in its file; defaults when absent: no
    /// sender, so no e-mail). Never changes a route.
    public var delivery: DeliverySettings
    /// Rule file it was read from.
    public var file: String?

    public init(
        id: String, name: String, language: String = "fr", territory: Territory = Territory(),
        routing: RoutingSettings = RoutingSettings(), segments: [Segment] = [], members: [Member] = [],
        watches: [Watch] = [], delivery: DeliverySettings = DeliverySettings(), file: String? = nil
    ) {
        self.id = id
        self.name = name
        self.language = language
        self.territory = territory
        self.routing = routing
        self.segments = segments
        self.members = members
        self.watches = watches
        self.delivery = delivery
        self.file = file
    }

    public func segment(_ id: String) -> Segment? { segments.first { $0.id == id } }
    public func member(_ id: String) -> Member? { members.first { $0.id == id } }
}

/// Where a cluster operates: départements (`42`, `2A`), regions (NUTS-1 `FRK` or NUTS-2 `FRK2`) or NUTS-3 codes.
public struct Territory: Sendable, Hashable, Codable {
    public var departements: [String]
    public var regions: [String]
    public var nuts: [String]

    public init(departements: [String] = [], regions: [String] = [], nuts: [String] = []) {
        self.departements = departements
        self.regions = regions
        self.nuts = nuts
    }

    public var isEmpty: Bool { departements.isEmpty && regions.isEmpty && nuts.isEmpty }
}

/// How far a member's reach extends from its sites.
public enum TerritoryScope: String, Sendable, Hashable, Codable, CaseIterable {
    /// Up to `max_distance` départements away (0 = same département, 1 = a neighbour…).
    case departements
    /// Same region (NUTS-1) as one of its sites, or within `max_distance`.
    case region
    /// Anywhere in France.
    case national
    /// Anywhere (TED notices from other countries included).
    case europe
}

/// Routing knobs of a cluster (members may override the territorial ones).
public struct RoutingSettings: Sendable, Hashable, Codable {
    public var scope: TerritoryScope
    /// Largest distance in départements (adjacency steps) between a member's site and the place of work.
    public var maxDistance: Int
    /// Notices whose deadline is closer than this many days are dropped.
    public var minLeadDays: Int
    /// Evidence a segment needs before a notice is tagged with it (sum of reason weights).
    public var minScore: Double
    /// Score factor of upstream suppliers (members of a segment that `supplies` a needed one) when they are
    /// proposed as consortium partners. Suppliers of the bidder are never routed the notice themselves.
    public var indirectFactor: Double
    /// How far above its declared capacity a member is still sent a notice (or lot): capacities are round
    /// figures, and a firm at 800 k€ bids for a 900 k€ contract.
    public var capacityTolerance: Double
    /// Up to this many times its capacity, a member is sent a notice that members in range could carry
    /// together, as a plausible partner; beyond it, only when the notice itself speaks of groupements.
    public var groupementReach: Double

    public init(
        scope: TerritoryScope = .departements, maxDistance: Int = 2, minLeadDays: Int = 5,
        minScore: Double = 2, indirectFactor: Double = 0.5, capacityTolerance: Double = 1.25,
        groupementReach: Double = 2.5
    ) {
        self.scope = scope
        self.maxDistance = maxDistance
        self.minLeadDays = minLeadDays
        self.minScore = minScore
        self.indirectFactor = indirectFactor
        self.capacityTolerance = capacityTolerance
        self.groupementReach = groupementReach
    }

    enum CodingKeys: String, CodingKey {
        case scope
        case maxDistance = "max_distance"
        case minLeadDays = "min_lead_days"
        case minScore = "min_score"
        case indirectFactor = "indirect_factor"
        case capacityTolerance = "capacity_tolerance"
        case groupementReach = "groupement_reach"
    }
}

/// How a cluster's digests are e-mailed: the sender, who answers, the staff, and what members may see.
///
/// Read from the `delivery:` block under `cluster:`; every address is checked by ``RulesLinter`` (`Nom <a@b.fr>`
/// or `a@b.fr`). Delivery settings never change a route (see ``RulebookLoad/fingerprints``).
public struct DeliverySettings: Sendable, Hashable, Codable {
    /// From: of every message ("Pôle Méca Loire — veille <veille@mecaloire.example.org>" or a bare address).
    /// Nil: the cluster sends no e-mail.
    public var sender: String?
    /// Reply-To: (the staff member who answers members); empty: none.
    public var replyTo: [String]
    /// Staff addresses: each gets the cluster's digest; List-Unsubscribe of members' messages points to the first.
    public var staff: [String]
    /// Whether a member's digest may name the other members of a consortium proposal (default false: "avec N
    /// autres adhérents — contactez l'équipe").
    public var sharePartners: Bool
    /// How many days `latest.ics` / `latest.atom` cover (default 60).
    public var subscriptionDays: Int
    /// The most notices `latest.ics` / `latest.atom` hold (`subscription_max_notices:`, default 500): tonight's
    /// always, then the newest of the window. A feed reader polls at least daily and the dated files stay the
    /// archive, so a national cluster's window (tens of thousands of notices) is neither read nor rewritten each
    /// night.
    public var subscriptionMaxNotices: Int
    /// The digest formats written as files (`formats:`, file extensions: `md`, `html`, `json`, `ics`, `atom`,
    /// `csv`); nil: all of them.
    public var formats: [String]?
    /// Which members get their own digest files (`member_files:`, default `all`).
    public var memberFiles: MemberFiles

    /// `member_files`: a deployment that mails its members need not write their files too.
    public enum MemberFiles: String, Sendable, Hashable, Codable, CaseIterable {
        /// Every member, as forwarding scripts expect.
        case all
        /// Only the members that get no e-mail (the cluster has no `sender`, or the member no address).
        case unmailed
        /// No member files: the cluster's own digest only.
        case none
    }

    /// The names `formats:` accepts, each with the file extension it stands for.
    public static let formatNames: [String: String] = [
        "md": "md", "markdown": "md", "html": "html", "json": "json", "ics": "ics", "ical": "ics",
        "icalendar": "ics", "atom": "atom", "csv": "csv",
    ]

    /// Default `subscription_days`.
    public static let defaultSubscriptionDays = 60
    /// Accepted `subscription_days`: a day to a leap year.
    public static let subscriptionDaysRange = 1...366
    /// Default `subscription_max_notices`.
    public static let defaultSubscriptionMaxNotices = 500
    /// Accepted `subscription_max_notices`: one notice to what a feed reader still opens.
    public static let subscriptionMaxNoticesRange = 1...10_000

    public init(
        sender: String? = nil, replyTo: [String] = [], staff: [String] = [], sharePartners: Bool = false,
        subscriptionDays: Int = 60, subscriptionMaxNotices: Int = 500, formats: [String]? = nil,
        memberFiles: MemberFiles = .all
    ) {
        self.formats = formats
        self.memberFiles = memberFiles
        self.sender = sender
        self.replyTo = replyTo
        self.staff = staff
        self.sharePartners = sharePartners
        self.subscriptionDays = subscriptionDays
        self.subscriptionMaxNotices = subscriptionMaxNotices
    }

    /// Whether the cluster sends e-mail at all.
    public var sendsMail: Bool { sender != nil }

    enum CodingKeys: String, CodingKey {
        case sender, staff
        case replyTo = "reply_to"
        case sharePartners = "share_partners"
        case subscriptionDays = "subscription_days"
        case subscriptionMaxNotices = "subscription_max_notices"
        case formats
        case memberFiles = "member_files"
    }

    /// As encoded, with `subscription_max_notices` defaulted when absent: a rules cache written before the key
    /// existed (``RulesCache``) still reads, and its files gave the default.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            sender: try c.decodeIfPresent(String.self, forKey: .sender),
            replyTo: try c.decode([String].self, forKey: .replyTo), staff: try c.decode([String].self, forKey: .staff),
            sharePartners: try c.decode(Bool.self, forKey: .sharePartners),
            subscriptionDays: try c.decode(Int.self, forKey: .subscriptionDays),
            subscriptionMaxNotices: try c.decodeIfPresent(Int.self, forKey: .subscriptionMaxNotices)
                ?? Self.defaultSubscriptionMaxNotices,
            formats: try c.decodeIfPresent([String].self, forKey: .formats),
            memberFiles: try c.decode(MemberFiles.self, forKey: .memberFiles))
    }

    /// As synthesized, but `subscription_max_notices` left out at its default: the rules' routing fingerprint
    /// (``Rulebook``) encodes each cluster with default delivery settings, so a default written out would have
    /// made every cluster's rules look changed to a store routed before the key existed — and a changed rule
    /// re-routes every open notice of the cluster (34,879 routes instead of 3,149 on a 10,000-notice night with
    /// two months of history).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(sender, forKey: .sender)
        try c.encode(replyTo, forKey: .replyTo)
        try c.encode(staff, forKey: .staff)
        try c.encode(sharePartners, forKey: .sharePartners)
        try c.encode(subscriptionDays, forKey: .subscriptionDays)
        if subscriptionMaxNotices != Self.defaultSubscriptionMaxNotices {
            try c.encode(subscriptionMaxNotices, forKey: .subscriptionMaxNotices)
        }
        try c.encodeIfPresent(formats, forKey: .formats)
        try c.encode(memberFiles, forKey: .memberFiles)
    }
}

/// One step of a cluster's value chain.
public struct Segment: Sendable, Hashable, Codable {
    public var id: String
    public var label: String
    /// Words and phrases; `usin*` is a prefix wildcard. Matching is accent-, case- and plural-insensitive.
    public var keywords: [String]
    /// Words and phrases that veto the segment (`usinage du bois` for metal machining).
    public var exclusions: [String]
    /// CPV prefixes of 2 to 8 digits (`4262`) or full codes (`42620000-0`).
    public var cpv: [String]
    /// BOAMP descriptor codes.
    public var descriptors: [String]
    /// Segments this one supplies (downstream links): members here get indirect routes when those are needed.
    public var supplies: [String]
    /// Overrides the cluster's `min_score` for this segment.
    public var minScore: Double?
    /// The segment's domain, for segments whose keywords name a function any sector buys (« AMO », « études de
    /// faisabilité »): when set, the notice must name one of these words somewhere, or carry a CPV code of the
    /// segment at 6 digits or more, for the segment's evidence to count.
    public var context: [String]

    public init(
        id: String, label: String, keywords: [String] = [], exclusions: [String] = [], cpv: [String] = [],
        descriptors: [String] = [], supplies: [String] = [], minScore: Double? = nil, context: [String] = []
    ) {
        self.id = id
        self.label = label
        self.keywords = keywords
        self.exclusions = exclusions
        self.cpv = cpv
        self.descriptors = descriptors
        self.supplies = supplies
        self.minScore = minScore
        self.context = context
    }

    enum CodingKeys: String, CodingKey {
        case id, label, keywords, exclusions, cpv, descriptors, supplies, context
        case minScore = "min_score"
    }
}

/// A firm (or lab) of the cluster.
public struct Member: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var segments: [String]
    /// Département codes (`42`, `2A`) or postcodes (`42100`).
    public var sites: [String]
    /// Largest contract value (euros, excl. VAT) it can carry alone; nil = not stated (no value filter).
    public var capacity: Double?
    public var certifications: [String]
    /// Extra words and phrases that interest it beyond its segments.
    public var interests: [String]
    /// Words and phrases it never wants to see.
    public var exclusions: [String]
    /// Kinds of notices wanted; empty = tenders, prior information and calls for projects.
    public var kinds: [NoticeKind]
    /// Overrides of the cluster's territorial settings.
    public var scope: TerritoryScope?
    public var maxDistance: Int?
    /// Addresses that receive the member's own digest (`contact:`, one address or a list); empty: the member gets
    /// files only, no e-mail.
    public var contacts: [String]

    /// The first contact (the `contact:` of files that name one address).
    public var contact: String? {
        get { contacts.first }
        set { contacts = newValue.map { [$0] } ?? [] }
    }

    /// `contact` and `contacts` together: `contact` first, then the others of `contacts`.
    public init(
        id: String, name: String, segments: [String] = [], sites: [String] = [], capacity: Double? = nil,
        certifications: [String] = [], interests: [String] = [], exclusions: [String] = [],
        kinds: [NoticeKind] = [], scope: TerritoryScope? = nil, maxDistance: Int? = nil,
        contact: String? = nil, contacts: [String] = []
    ) {
        self.id = id
        self.name = name
        self.segments = segments
        self.sites = sites
        self.capacity = capacity
        self.certifications = certifications
        self.interests = interests
        self.exclusions = exclusions
        self.kinds = kinds
        self.scope = scope
        self.maxDistance = maxDistance
        self.contacts = (contact.map { [$0] } ?? []) + contacts.filter { $0 != contact }
    }

    /// Kinds routed when the member names none.
    public static let defaultKinds: [NoticeKind] = [.tender, .priorInformation, .callForProjects]

    /// The kinds this member receives.
    public var effectiveKinds: [NoticeKind] { kinds.isEmpty ? Member.defaultKinds : kinds }

    enum CodingKeys: String, CodingKey {
        case id, name, segments, sites, capacity, certifications, interests, exclusions, kinds, scope, contacts
        case maxDistance = "max_distance"
    }
}

/// A saved watch: a named query with its own recipients, run over the same matcher as segments.
public struct Watch: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var clusterID: String
    /// Any of these words or phrases matches.
    public var keywords: [String]
    public var exclusions: [String]
    /// CPV prefixes; any matches.
    public var cpv: [String]
    /// Segments; a notice tagged with any of them matches.
    public var segments: [String]
    /// Kinds wanted; empty = all.
    public var kinds: [NoticeKind]
    /// Who receives the watch's matches: e-mail addresses (`Nom <a@b.fr>` or `a@b.fr`), or names, which are not
    /// e-mailed (the lint warns).
    public var recipients: [String]

    public init(
        id: String, name: String, clusterID: String, keywords: [String] = [], exclusions: [String] = [],
        cpv: [String] = [], segments: [String] = [], kinds: [NoticeKind] = [], recipients: [String] = []
    ) {
        self.id = id
        self.name = name
        self.clusterID = clusterID
        self.keywords = keywords
        self.exclusions = exclusions
        self.cpv = cpv
        self.segments = segments
        self.kinds = kinds
        self.recipients = recipients
    }

    enum CodingKeys: String, CodingKey {
        case id, name, keywords, exclusions, cpv, segments, kinds, recipients
        case clusterID = "cluster_id"
    }
}

/// Synonyms and spelling variants shared by every cluster: a keyword in a group matches every variant of it.
public struct Thesaurus: Sendable, Hashable, Codable {
    /// Each group lists equivalent words or phrases (`usinage`, `décolletage`, `tournage`…).
    public var groups: [[String]]

    public init(groups: [[String]] = []) { self.groups = groups }

    /// Variants of `term` (itself excluded), compared after normalisation.
    public func variants(of term: String) -> [String] {
        let key = FrenchNormalizer.normalizedPhrase(term)
        var out: [String] = []
        for g in groups where g.contains(where: { FrenchNormalizer.normalizedPhrase($0) == key }) {
            for v in g where FrenchNormalizer.normalizedPhrase(v) != key && !out.contains(v) { out.append(v) }
        }
        return out
    }

    /// Variants of a phrase with one of its words replaced by a synonym from a one-word group: exclusions are
    /// read for meaning, so « publicité électorale » also stops « propagande électorale ».
    public func wordVariants(of term: String) -> [String] {
        Self.wordVariants(of: term, variants: variants(of:))
    }

    /// ``wordVariants(of:)`` with the variants of one term given: the router's build passes its memoized ones.
    static func wordVariants(of term: String, variants: (String) -> [String]) -> [String] {
        let words = term.split(separator: " ").map(String.init)
        guard words.count > 1 else { return variants(term) }
        var out = variants(term)
        for (i, w) in words.enumerated() {
            for v in variants(w) where !v.contains(" ") {
                var copy = words
                copy[i] = v
                let phrase = copy.joined(separator: " ")
                if !out.contains(phrase) { out.append(phrase) }
            }
        }
        return out
    }
}

/// Rules loaded cluster by cluster: a cluster whose file has an error is left out with its diagnostics, and the
/// others still route. Each loaded cluster carries the fingerprint of the rules it was loaded from.
public struct RulebookLoad: Sendable {
    /// The clusters without error and the shared thesaurus.
    public var rulebook: Rulebook
    /// Clusters left out: the file, the cluster id (the file's `cluster.id`, or its name without extension when
    /// the file could not be read that far), and the errors.
    public var failed: [FailedCluster]
    /// Cluster id → fingerprint of what its routing depends on (its rules as read, and the thesaurus). A cluster
    /// whose fingerprint changed since its routes were computed must be routed again. Comments, layout and who
    /// is e-mailed (`delivery`, members' `contact`, watches' `recipients`) are not part of it: editing an
    /// address must not route a whole store again.
    public var fingerprints: [String: String]
    /// Rule files whose YAML was read by this load: every file without a cache; with one, the files it did not
    /// know (new or edited) and those linted in full (their routing changed since they linted clean).
    public var parsedFiles: [String] = []
    /// Why the rules cache was not used or not written, if so (never an error: the load read the files instead).
    public var cacheProblem: String?

    public struct FailedCluster: Sendable, Hashable {
        public var cluster: String
        public var file: String
        public var errors: [LintDiagnostic]
    }
}

extension Rulebook {
    /// Loads `directory` cluster by cluster: an error in one cluster's file (an empty file, a YAML error, a
    /// duplicate id…) leaves that cluster out, with its located errors, and the others load. Throws when the
    /// directory cannot be read, when a thesaurus file (shared by every cluster) has an error, or when no cluster
    /// loads at all.
    ///
    /// - Parameter linted: cluster id → fingerprint of rules known to lint clean (what the store recorded routes
    ///   with: ``RulebookLoad/fingerprints`` of a load that succeeded). A cluster whose rules still have that
    ///   fingerprint is not linted again — rules are linted once per change, not once per night — except for its
    ///   id against the other clusters' and the addresses it e-mails, which the fingerprint leaves out.
    /// - Parameter cache: a file where rule files already read are kept (see ``RulebookLoad/parsedFiles``), by the
    ///   fingerprint of their bytes: an unchanged file is not read again, nor its addresses linted again. Beside the
    ///   store, never in the rules folder. Nil: every file is read. A cache that cannot be read or written only
    ///   makes the load slower.
    public static func loadEach(
        directory: String, vocabulary: CPVVocabulary? = nil, linted: [String: String] = [:], cache: String? = nil
    ) throws -> RulebookLoad {
        let files = try RulebookLoader().ruleFiles(directory: directory)
        var stored = RulesCache()
        var cacheProblem: String?
        if let cache { (stored, cacheProblem) = RulesCache.read(path: cache) }
        // File by file: from the cache when its bytes are known, else read (and kept for the next load).
        var reads: [RuleFileRead] = []
        var keys: [String?] = []
        // File index → its cache entry, moved to where the file is now (two files may have the same bytes).
        var entries: [Int: RulesCache.Entry] = [:]
        var parsed: [String] = []
        for (f, file) in files.enumerated() {
            let data = FileManager.default.contents(atPath: file)
            guard cache != nil, let data else {
                reads.append(RuleReader.read(file: file, data: data))
                keys.append(nil)
                if data != nil { parsed.append(file) }
                continue
            }
            // The rules fingerprint's hash and the length: an edit changes the key (the folder is the users', not
            // an adversary's).
            let key = "\(Self.fingerprint(data))-\(data.count)"
            keys.append(key)
            if let entry = stored.entries[key] {
                let moved = entry.moved(to: file)
                entries[f] = moved
                reads.append(moved.read)
            } else {
                reads.append(RuleReader.read(file: file, data: data))
                parsed.append(file)
            }
        }
        var all = RulebookLoader.combine(reads)
        // Cluster index → the file (index in `files`) it was read from; the cached entry of that file, if any.
        var fileOfCluster: [Int] = []
        for (f, r) in reads.enumerated() where r.thesaurus == nil && r.cluster != nil { fileOfCluster.append(f) }
        func entry(ofCluster i: Int) -> RulesCache.Entry? { entries[fileOfCluster[i]] }

        // What a cluster's routing depends on: its own rules and the shared thesaurus, as read.
        let shared = try Self.routingBytes(all.rulebook.thesaurus, path: directory)
        var prefixes: [Int: UInt64] = [:]
        for i in all.rulebook.clusters.indices {
            if let hex = entry(ofCluster: i)?.routingPrefix, let state = UInt64(hex, radix: 16) { prefixes[i] = state }
        }
        func fingerprint(_ i: Int) throws -> String {
            let prefix = try prefixes[i] ?? Self.fnv(try Self.routingBytes(all.rulebook.clusters[i]) + [0])
            prefixes[i] = prefix
            return Self.hex(Self.fnv(shared, from: prefix))
        }
        var unchanged = Set<Int>()
        var known: [Int: String] = [:]
        if !linted.isEmpty {
            for (i, cluster) in all.rulebook.clusters.enumerated() {
                guard let recorded = linted[cluster.id] else { continue }
                do {
                    let fingerprint = try fingerprint(i)
                    known[i] = fingerprint
                    if fingerprint == recorded { unchanged.insert(i) }
                } catch {
                    // Not comparable, so linted in full; computed again below, where the error is thrown.
                    continue
                }
            }
        }
        // A cluster from the cache knows where its id was written, not every position the full lint points at:
        // read its file again when it is linted in full (its routing changed, or nothing says it linted clean).
        for i in all.rulebook.clusters.indices where !all.sources.clusters[i].isComplete {
            guard !unchanged.contains(i) || entry(ofCluster: i)?.mailDiagnostics == nil else { continue }
            let file = files[fileOfCluster[i]]
            let again = RuleReader.read(file: file, data: FileManager.default.contents(atPath: file))
            parsed.append(file)
            if let (cluster, source) = again.cluster, cluster == all.rulebook.clusters[i] {
                all.sources.clusters[i] = source
                continue
            }
            // Edited since it was hashed a moment ago: what it says now is what loads, read as any edited file.
            all.diagnostics = LintDiagnostic.editorOrder(
                all.diagnostics.filter { $0.file != file } + again.diagnostics, files: all.files)
            if let (cluster, source) = again.cluster {
                all.rulebook.clusters[i] = cluster
                all.sources.clusters[i] = source
            } else {
                // No longer a cluster at all: its errors say why, and nothing of it routes.
                all.diagnostics = LintDiagnostic.editorOrder(
                    all.diagnostics
                        + [
                            LintDiagnostic(
                                severity: .error, file: file, line: 1, column: 1, key: nil,
                                message: "rule file changed while it was being read")
                        ], files: all.files)
            }
            unchanged.remove(i)
            known[i] = nil
            prefixes[i] = nil
            keys[fileOfCluster[i]] = nil
            entries[fileOfCluster[i]] = nil
        }
        // The addresses an unchanged cluster e-mails are still linted; what that lint says of a file is kept.
        for i in all.rulebook.clusters.indices {
            if let known = entry(ofCluster: i)?.mailDiagnostics {
                all.mailDiagnostics[i] = known
            } else if cache != nil || unchanged.contains(i) {
                all.mailDiagnostics[i] = LintChecks.mailDiagnostics(all.rulebook.clusters[i], all.sources.clusters[i])
            }
        }
        let report = RulesLinter(vocabulary: vocabulary).lint(all, unchanged: unchanged)
        // A thesaurus file with a YAML error is not recognised as one by the reader: its text still says so. Only
        // files with an error are asked: a night does not read every cluster file twice.
        let thesaurusFiles = Set(all.sources.thesauri.map(\.file)).union(
            Set(report.errors.map(\.file)).filter { file in
                let text = FileManager.default.contents(atPath: file).map { String(decoding: $0, as: UTF8.self) } ?? ""
                return text.split(separator: "\n").contains { $0.hasPrefix("thesaurus:") }
            })
        let errorsByFile = Dictionary(grouping: report.errors, by: \.file)
        if let shared = report.errors.first(where: { thesaurusFiles.contains($0.file) }) { throw shared.error }
        // One read, one lint: a cluster whose file has no error is kept as read (the linter judges, it does not
        // rewrite), the others are left out with their errors.
        var failed: [RulebookLoad.FailedCluster] = []
        var kept: [Cluster] = []
        var fingerprints: [String: String] = [:]
        var readFiles: Set<String> = []
        for (i, (source, cluster)) in zip(all.sources.clusters, all.rulebook.clusters).enumerated() {
            readFiles.insert(source.file)
            if let errors = errorsByFile[source.file], !errors.isEmpty {
                failed.append(.init(cluster: cluster.id, file: source.file, errors: errors))
                continue
            }
            kept.append(cluster)
            fingerprints[cluster.id] = try known[i] ?? fingerprint(i)
        }
        // Files that did not even read as a cluster (empty, a YAML error): named after the file.
        for file in all.files where !readFiles.contains(file) && !thesaurusFiles.contains(file) {
            guard let errors = errorsByFile[file], !errors.isEmpty else { continue }
            let stem = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
            failed.append(.init(cluster: stem, file: file, errors: errors))
        }
        failed.sort { all.files.firstIndex(of: $0.file) ?? 0 < all.files.firstIndex(of: $1.file) ?? 0 }
        if let cache {
            cacheProblem =
                Self.keep(
                    reads: reads, keys: keys, entries: entries, all: all, prefixes: prefixes,
                    fileOfCluster: fileOfCluster,
                    previous: stored.entries, in: cache) ?? cacheProblem
        }
        guard !kept.isEmpty else {
            if let first = failed.first?.errors.first { throw first.error }
            throw ClassifierError.unreadable(path: directory, reason: "no cluster rule file")
        }
        let book = Rulebook(clusters: kept, thesaurus: all.rulebook.thesaurus)
        var load = RulebookLoad(rulebook: book, failed: failed, fingerprints: fingerprints)
        load.parsedFiles = parsed
        load.cacheProblem = cacheProblem
        return load
    }

    /// Writes the cache of this load's files (only theirs: a file deleted or edited leaves no entry behind) when
    /// it differs from the one read. Returns why it could not be written, if so.
    private static func keep(
        reads: [RuleFileRead], keys: [String?], entries: [Int: RulesCache.Entry], all: LoadedRulebook,
        prefixes: [Int: UInt64], fileOfCluster: [Int], previous: [String: RulesCache.Entry], in path: String
    ) -> String? {
        func prefix(_ i: Int) -> UInt64? {
            if let known = prefixes[i] { return known }
            do {
                return Self.fnv(try Self.routingBytes(all.rulebook.clusters[i]) + [0])
            } catch {
                // Kept without it: the load that uses the entry computes it, and throws there.
                return nil
            }
        }
        var cache = RulesCache()
        var clusterIndex: [Int: Int] = [:]
        for (i, f) in fileOfCluster.enumerated() { clusterIndex[f] = i }
        for (f, read) in reads.enumerated() {
            guard let key = keys[f] else { continue }
            if let known = entries[f] {
                cache.entries[key] = known
                continue
            }
            var e = RulesCache.Entry(file: read.file, diagnostics: read.diagnostics)
            if let (groups, source) = read.thesaurus {
                e.thesaurus = groups
                e.thesaurusSource = source
            } else if let (cluster, source) = read.cluster, let i = clusterIndex[f] {
                e.cluster = cluster
                e.clusterID = source.id
                e.routingPrefix = prefix(i).map(Self.hex)
                e.mailDiagnostics = all.mailDiagnostics[i]
            }
            cache.entries[key] = e
        }
        if cache.entries == previous { return nil }
        do {
            try cache.write(path: path)
            return nil
        } catch {
            // The rules loaded all the same; the next load reads the files again and tries to keep them again.
            return "rules cache \(path): not written: \(error)"
        }
    }

    /// The rules of a cluster that routing reads, as canonical bytes: everything but who is e-mailed and the
    /// file it came from (moving the rules folder routes nothing again).
    static func routingBytes(_ cluster: Cluster) throws -> [UInt8] {
        var c = cluster
        c.delivery = DeliverySettings()
        c.file = nil
        for i in c.members.indices { c.members[i].contacts = [] }
        for i in c.watches.indices { c.watches[i].recipients = [] }
        return try canonicalJSON(c, path: cluster.file ?? cluster.id)
    }

    static func routingBytes(_ thesaurus: Thesaurus, path: String) throws -> [UInt8] {
        try canonicalJSON(thesaurus, path: path)
    }

    /// JSON with sorted keys (non-finite numbers as text, which the plain encoder refuses).
    static func canonicalJSON<T: Encodable>(_ value: T, path: String) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do {
            return Array(try encoder.encode(value))
        } catch {
            throw ClassifierError.unreadable(path: path, reason: "rules fingerprint: \(error)")
        }
    }

    /// FNV-1a 64 as 16 hex digits: detects an edit, not an attack.
    static func fingerprint<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String { hex(fnv(bytes)) }

    /// FNV-1a 64 state after `bytes`, from `state` (the offset basis by default): a fingerprint of `a + b` is
    /// `fnv(b, from: fnv(a))`, so the cache keeps each cluster's part.
    static func fnv<Bytes: Sequence<UInt8>>(_ bytes: Bytes, from state: UInt64 = 0xcbf2_9ce4_8422_2325) -> UInt64 {
        var h = state
        for b in bytes {
            h ^= UInt64(b)
            h &*= 0x100_0000_01b3
        }
        return h
    }

    /// 16 hex digits.
    static func hex(_ h: UInt64) -> String {
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
