import Foundation
import Notices

/// Everything one cluster's digest shows, for one night. The digest stage's own view model: the pipeline
/// maps routes, store records and source states into it, so renderers depend on nothing but `Notices`.
public struct DigestInput: Sendable, Hashable, Codable {
    public var clusterID: String
    public var clusterName: String
    /// The run's instant ("now"); dates are shown relative to it ("dans 3 jours").
    public var runDate: Date { didSet { tallies = DigestTallies() } }
    /// One section per member with something for it, in the order to show.
    public var members: [MemberSection] { didSet { tallies = DigestTallies() } }
    /// Opportunities that need several members together ("chasser en meute").
    public var consortia: [ConsortiumItem] { didSet { tallies = DigestTallies() } }
    /// For staff only (« À signaler »): core business that no member in range can carry, alone or together.
    public var signals: [SignalItem] { didSet { tallies = DigestTallies() } }
    /// Calls for projects and grants relevant to the cluster.
    public var calls: [DigestItem] { didSet { tallies = DigestTallies() } }
    /// The cluster's saved watches (named queries in the rules) and what matched them tonight.
    public var watches: [WatchSection] { didSet { tallies = DigestTallies() } }
    /// Items of this digest or earlier ones whose deadline is near.
    public var deadlinesSoon: [DigestItem] { didSet { tallies = DigestTallies() } }
    /// Notices already sent that changed since ("changed since we told you").
    public var changed: [ChangedItem] { didSet { tallies = DigestTallies() } }
    public var sources: [SourceHealth]
    /// Display names of sources by id (`boamp` → `BOAMP`), for "Source : …" lines.
    public var sourceNames: [String: String]
    /// Set on one member's own digest (see `forMember`): its id and name. Nil on the cluster's digest.
    public var recipientID: String? { didSet { tallies = DigestTallies() } }
    public var recipientName: String?
    /// For staff only (« Écartés de justesse »): members the router dropped at one filter, with the filter.
    public var nearMisses: [NearMissItem] { didSet { tallies = DigestTallies() } }
    /// What a subscription (`latest.ics`, `latest.atom`) holds: the notices sent to this recipient over the last
    /// `windowDays` days, tonight's included, so a calendar subscribed to it keeps every open deadline — the newest
    /// `windowLimit` of them (the store reads no more; see ``subscriptionWindow``).
    public var window: [WindowEntry] { didSet { tallies = DigestTallies() } }
    public var windowDays: Int
    /// The most notices a subscription file holds (``subscriptionWindow``); not written.
    public var windowLimit = 500
    /// Whether a member's own digest may name the other members of a consortium idea (the cluster's
    /// `share_partners`); when false it says how many, and to ask the staff.
    public var sharePartners: Bool
    /// Where the staff can be reached (`mailto:` target or address), for « contactez l'équipe ».
    public var staffContact: String?
    /// For staff: e-mails the mail server refused for good since the last digest (bad address, mailbox closed).
    public var mailFailures: [MailFailure]
    /// Public address of this recipient's folder (`https://…/mecaloire/`), for the feed's `rel="self"` link;
    /// nil: links are relative to the file.
    public var publicURL: String?
    /// The night's counts, worked out once (`tally()`): neither compared nor written.
    var tallies = DigestTallies()
    private var renderCacheReference = RenderCacheReference()

    /// The night's cards shared with the other digests of the run (``DigestRenderCache``); nil renders every card
    /// here. Not part of the digest: neither compared, hashed nor written, and the files are the same with it.
    public var renderCache: DigestRenderCache? {
        get { renderCacheReference.cache }
        set { renderCacheReference.cache = newValue }
    }

    enum CodingKeys: String, CodingKey {
        case clusterID = "cluster_id"
        case clusterName = "cluster_name"
        case runDate = "run_date"
        case members, consortia, signals
        case calls, watches
        case deadlinesSoon = "deadlines_soon"
        case changed, sources
        case sourceNames = "source_names"
        case recipientID = "recipient_id"
        case recipientName = "recipient_name"
        case nearMisses = "near_misses"
        case window
        case windowDays = "window_days"
        case sharePartners = "share_partners"
        case staffContact = "staff_contact"
        case publicURL = "public_url"
        case mailFailures = "mail_failures"
        /// The staff digest's notices, each once with the members it went to (`StaffLayout`).
        case notices
    }

    /// Written as its properties are, except on the staff's digest (`StaffLayout`): there each notice once with
    /// the members it went to and their evidence, and each member's section as the ids of its notices.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(clusterID, forKey: .clusterID)
        try c.encode(clusterName, forKey: .clusterName)
        try c.encode(runDate, forKey: .runDate)
        if Wording.isStaff(self) {
            let staff = StaffLayout(self)
            try c.encode(staff.members, forKey: .members)
            try c.encode(staff.notices, forKey: .notices)
        } else {
            try c.encode(members, forKey: .members)
        }
        try c.encode(consortia, forKey: .consortia)
        try c.encode(signals, forKey: .signals)
        try c.encode(calls, forKey: .calls)
        try c.encode(watches, forKey: .watches)
        try c.encode(deadlinesSoon, forKey: .deadlinesSoon)
        try c.encode(changed, forKey: .changed)
        try c.encode(sources, forKey: .sources)
        try c.encode(sourceNames, forKey: .sourceNames)
        try c.encodeIfPresent(recipientID, forKey: .recipientID)
        try c.encodeIfPresent(recipientName, forKey: .recipientName)
        try c.encode(nearMisses, forKey: .nearMisses)
        try c.encode(subscriptionWindow, forKey: .window)
        try c.encode(windowDays, forKey: .windowDays)
        try c.encode(sharePartners, forKey: .sharePartners)
        try c.encodeIfPresent(staffContact, forKey: .staffContact)
        try c.encodeIfPresent(publicURL, forKey: .publicURL)
        try c.encode(mailFailures, forKey: .mailFailures)
    }

    /// Reads both layouts: member sections with their items (a member's digest, and every digest written before
    /// schema 2), or the staff's notices with their members (`StaffLayout`).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        clusterID = try c.decode(String.self, forKey: .clusterID)
        clusterName = try c.decode(String.self, forKey: .clusterName)
        runDate = try c.decode(Date.self, forKey: .runDate)
        if c.contains(.notices) {
            members = try StaffLayout(
                members: try c.decode([StaffLayout.MemberRef].self, forKey: .members),
                notices: try c.decode([StaffLayout.SentNotice].self, forKey: .notices)
            ).sections()
        } else {
            members = try c.decode([MemberSection].self, forKey: .members)
        }
        consortia = try c.decode([ConsortiumItem].self, forKey: .consortia)
        signals = try c.decode([SignalItem].self, forKey: .signals)
        calls = try c.decode([DigestItem].self, forKey: .calls)
        watches = try c.decode([WatchSection].self, forKey: .watches)
        deadlinesSoon = try c.decode([DigestItem].self, forKey: .deadlinesSoon)
        changed = try c.decode([ChangedItem].self, forKey: .changed)
        sources = try c.decode([SourceHealth].self, forKey: .sources)
        sourceNames = try c.decode([String: String].self, forKey: .sourceNames)
        recipientID = try c.decodeIfPresent(String.self, forKey: .recipientID)
        recipientName = try c.decodeIfPresent(String.self, forKey: .recipientName)
        nearMisses = try c.decode([NearMissItem].self, forKey: .nearMisses)
        window = try c.decode([WindowEntry].self, forKey: .window)
        windowDays = try c.decode(Int.self, forKey: .windowDays)
        sharePartners = try c.decode(Bool.self, forKey: .sharePartners)
        staffContact = try c.decodeIfPresent(String.self, forKey: .staffContact)
        publicURL = try c.decodeIfPresent(String.self, forKey: .publicURL)
        mailFailures = try c.decode([MailFailure].self, forKey: .mailFailures)
    }

    public init(
        clusterID: String, clusterName: String, runDate: Date, members: [MemberSection] = [],
        consortia: [ConsortiumItem] = [], calls: [DigestItem] = [], watches: [WatchSection] = [],
        deadlinesSoon: [DigestItem] = [], changed: [ChangedItem] = [], sources: [SourceHealth] = [],
        sourceNames: [String: String] = [:], recipientID: String? = nil, recipientName: String? = nil,
        signals: [SignalItem] = [], nearMisses: [NearMissItem] = [], window: [WindowEntry] = [],
        windowDays: Int = 60, sharePartners: Bool = false, staffContact: String? = nil, publicURL: String? = nil,
        mailFailures: [MailFailure] = []
    ) {
        self.mailFailures = mailFailures
        self.clusterID = clusterID
        self.clusterName = clusterName
        self.runDate = runDate
        self.members = members
        self.consortia = consortia
        self.signals = signals
        self.calls = calls
        self.watches = watches
        self.deadlinesSoon = deadlinesSoon
        self.changed = changed
        self.sources = sources
        self.sourceNames = sourceNames
        self.recipientID = recipientID
        self.recipientName = recipientName
        self.nearMisses = nearMisses
        self.window = window
        self.windowDays = windowDays
        self.sharePartners = sharePartners
        self.staffContact = staffContact
        self.publicURL = publicURL
    }

    /// One member's own digest, cut from the cluster's: its section, the consortium ideas it is in, the calls
    /// for projects and changes that concern it, the near deadlines of its notices and its subscription window.
    /// Nothing in it names another member (its competitors, often): its calls carry its own reasons, a
    /// consortium idea names the partners only when the cluster allows it (`sharePartners`), staff-only sections
    /// (watches, signals, near misses) are dropped. Returns a digest that says « rien de nouveau » when tonight
    /// has nothing for it (`hasNews` false): its files are still written, no e-mail is.
    public func forMember(id: String, name: String) -> DigestInput {
        // Where the member's entries lie, found once for the cluster's hundred members (each member's cut scanned
        // every list of the cluster's digest).
        let index = tallies.members ?? MemberIndex(self)
        var d = self
        d.recipientID = id
        d.recipientName = name
        d.members = index.sections[id, default: []].map { members[$0] }
        for i in d.members.indices {
            for j in d.members[i].items.indices { d.members[i].items[j].keepOnly(member: id) }
        }
        d.consortia = index.consortia[id, default: []].map { consortia[$0].seen(by: id, share: sharePartners) }
        d.calls = index.calls[id, default: []].map { i in
            var own = calls[i]
            own.keepOnly(member: id)
            return own
        }
        d.changed = index.changed[id, default: []].map { i in
            var own = changed[i]
            own.audiences = changed[i].audiences.filter { $0 == .member(id: id) }
            return own
        }
        d.watches = []
        d.signals = []
        d.nearMisses = []
        d.mailFailures = []
        // Its near deadlines: those of its own notices, and those of notices it is named on.
        var soon = Set(index.soon[id, default: []])
        func mine(_ noticeID: String) { soon.formUnion(index.soonByNotice[noticeID, default: []]) }
        for m in d.members { for i in m.items.indices { mine(m.items[i].notice.id) } }
        for i in d.consortia.indices { mine(d.consortia[i].notice.id) }
        for i in d.calls.indices { mine(d.calls[i].notice.id) }
        d.deadlinesSoon = soon.sorted().map { i in
            var own = deadlinesSoon[i]
            own.keepOnly(member: id)
            return own
        }
        d.window = index.window[id, default: []].map { i in
            var own = window[i]
            own.memberIDs = [id]
            own.members = []
            return own
        }
        d.tally()
        return d
    }

    /// What one saved watch's recipients get: its matches only (they follow a theme, not the cluster's night).
    /// Nil when the watch matched nothing tonight.
    public func forWatch(id: String) -> DigestInput? {
        guard let watch = watches.first(where: { $0.watchID == id }), !watch.items.isEmpty else { return nil }
        var d = DigestInput(
            clusterID: clusterID, clusterName: clusterName, runDate: runDate, watches: [watch],
            sourceNames: sourceNames, recipientName: watch.name, windowDays: windowDays,
            sharePartners: sharePartners, staffContact: staffContact)
        d.sources = []
        d.renderCache = renderCache
        d.tally()
        return d
    }

    /// True when there is news: something for a member, a consortium, a call, or a change. Deadlines soon
    /// are reminders, not news.
    public var hasNews: Bool {
        !(members.allSatisfy(\.items.isEmpty) && consortia.isEmpty && calls.isEmpty && changed.isEmpty
            && watches.allSatisfy(\.items.isEmpty) && signals.isEmpty && mailFailures.isEmpty)
    }

    /// Works out the night's counts once (`summary`, the count of new notices), for the renderings that each
    /// showed them: the staff's HTML and Markdown asked twice each, every format's overview once. A field they
    /// count that changes afterwards makes them worked out again on each use.
    public mutating func tally() {
        var t = DigestTallies(summary: summarize(), newNotices: countNewNotices())
        t.ordered = Wording.orderedMembers(self)
        // The staff's notices with their members: a member's digest shows its own section instead.
        if recipientID == nil, let ordered = t.ordered {
            t.groups = Wording.byNotice(ordered)
            t.members = MemberIndex(self)
        }
        t.leftOut = Wording.leftOut(self)
        // One list for both: tonight's news are its first entries, the reminders follow.
        let all = notices(remindersToo: true)
        t.allNotices = all.notices
        t.newsCount = all.news
        tallies = t
    }

    /// The night at a glance, for the summary table at the top of the staff digest.
    public var summary: DigestSummary { tallies.summary ?? summarize() }

    /// Distinct notices for the recipient tonight: its sections, calls, and (for a member) its consortium ideas.
    var newNotices: Int { tallies.newNotices ?? countNewNotices() }

    private func countNewNotices() -> Int {
        var ids = Set<String>()
        for m in members { for i in m.items.indices { ids.insert(m.items[i].notice.id) } }
        for i in calls.indices { ids.insert(calls[i].notice.id) }
        if recipientID != nil { for i in consortia.indices { ids.insert(consortia[i].notice.id) } }
        return ids.count
    }

    private func summarize() -> DigestSummary {
        var notices = Set<String>()
        var perMember: [(String, Int)] = []
        for m in members where !m.items.isEmpty {
            perMember.append((m.memberName, m.items.count))
            notices.formUnion(m.items.map(\.notice.id))
        }
        notices.formUnion(calls.map(\.notice.id))
        let week = runDate.addingTimeInterval(7 * 86_400)
        var seen = Set<String>()
        var thisWeek: [(due: Date, item: DigestItem)] = []
        // Each list walked where it lies, by index (joining them, or handing each item to a function, copied every
        // item, a whole notice): only this week's are copied.
        func consider(_ items: [DigestItem]) {
            for i in items.indices {
                guard let due = FrenchFormat.mainDeadline(items[i].notice)?.instant, due >= runDate, due <= week,
                    seen.insert(items[i].notice.id).inserted
                else { continue }
                thisWeek.append((due, items[i]))
            }
        }
        for m in members { consider(m.items) }
        consider(calls)
        consider(deadlinesSoon)
        thisWeek.sort { $0.due < $1.due }
        return DigestSummary(
            newNotices: notices.count, perMember: perMember.map { DigestSummary.MemberCount(name: $0.0, count: $0.1) },
            deadlinesThisWeek: thisWeek.map(\.item), consortiumIdeas: consortia.count, calls: calls.count,
            changed: changed.count,
            nearMisses: nearMisses.count)
    }

    /// True when there is nothing at all to show but source health.
    public var isEmpty: Bool { !hasNews && deadlinesSoon.isEmpty }

    /// Every distinct notice shown, in order of first appearance (for calendars).
    public var allNotices: [Notice] { tallies.allNotices ?? notices(remindersToo: true).notices }

    /// Tonight's news: ``allNotices`` but those shown only as « Échéances proches » (told on an earlier night,
    /// recalled tonight because their deadline nears) — what a feed announces (``AtomRenderer``).
    public var newsNotices: [Notice] {
        if let all = tallies.allNotices, let news = tallies.newsCount { return Array(all.prefix(news)) }
        return notices(remindersToo: false).notices
    }

    /// The distinct notices shown, in order of first appearance, and how many of the first are news (not only
    /// reminders).
    private func notices(remindersToo: Bool) -> (notices: [Notice], news: Int) {
        var seen = Set<String>()
        var out: [Notice] = []
        func add(_ n: Notice) { if seen.insert(n.id).inserted { out.append(n) } }
        members.forEach { $0.items.forEach { add($0.notice) } }
        consortia.forEach { add($0.notice) }
        signals.forEach { add($0.notice) }
        calls.forEach { add($0.notice) }
        watches.forEach { $0.items.forEach { add($0.notice) } }
        changed.forEach { add($0.notice) }
        let news = out.count
        if remindersToo { deadlinesSoon.forEach { add($0.notice) } }
        return (out, news)
    }
}

/// An e-mail the server refused for good, for the staff to fix the address.
public struct MailFailure: Sendable, Hashable, Codable {
    public var recipient: String
    public var subject: String
    /// The SMTP reply code (550…; 0 when the address was refused before sending); nil when the message never
    /// reached a server because its stored copy could not be read back.
    public var code: Int?
    /// The server's reply text, as it gave it.
    public var reply: String?
    public var at: Date

    public init(recipient: String, subject: String, code: Int?, reply: String?, at: Date) {
        self.recipient = recipient
        self.subject = subject
        self.code = code
        self.reply = reply
        self.at = at
    }
}

/// One saved watch and the notices that matched it.
public struct WatchSection: Sendable, Hashable, Codable {
    public var watchID: String
    public var name: String
    /// Who follows it (addresses or names, as the rules give them).
    public var recipients: [String]
    public var items: [DigestItem]

    enum CodingKeys: String, CodingKey {
        case watchID = "watch_id"
        case name, recipients, items
    }

    public init(watchID: String, name: String, recipients: [String], items: [DigestItem]) {
        self.watchID = watchID
        self.name = name
        self.recipients = recipients
        self.items = items
    }
}

/// What one member gets.
public struct MemberSection: Sendable, Hashable, Codable {
    public var memberID: String
    public var memberName: String
    public var items: [DigestItem]

    enum CodingKeys: String, CodingKey {
        case memberID = "member_id"
        case memberName = "member_name"
        case items
    }

    public init(memberID: String, memberName: String, items: [DigestItem]) {
        self.memberID = memberID
        self.memberName = memberName
        self.items = items
    }
}

/// One notice as shown to a recipient, with why.
public struct DigestItem: Sendable, Hashable, Codable {
    public var notice: Notice { didSet { reasons = ItemReasons() } }
    /// Relevance as the router scores it (sum of evidence weights; higher is better). Staff figures only.
    public var score: Double
    /// « Pourquoi cet avis ? » as data, strongest first: the digest words it.
    public var evidence: [RouteEvidence] { didSet { reasons = ItemReasons() } }
    /// Labels of the recipient's trades (segments) the notice is for.
    public var segments: [String] { didSet { reasons = ItemReasons() } }
    /// True when the notice needs what the member does itself; false when it reaches the member through
    /// the value chain (it supplies a segment the notice needs); nil where that does not apply (a saved
    /// watch's match).
    public var direct: Bool? { didSet { reasons = ItemReasons() } }
    /// Names of the members concerned (cluster-wide lists for staff: calls, deadlines), in step with `memberIDs`.
    public var members: [String]
    public var memberIDs: [String]
    /// Each concerned member's own evidence (calls for projects reach several members for different reasons).
    public var memberEvidence: [String: [RouteEvidence]]
    /// Other sources that published the same opportunity (`ted` for a BOAMP notice also on TED).
    public var alsoPublishedOn: [String]
    /// « Pourquoi cet avis ? » worded once (`worded()`), for the renderers that each showed it: derived from the
    /// fields above, forgotten when one of them changes, neither compared nor written.
    var reasons = ItemReasons()

    enum CodingKeys: String, CodingKey {
        case notice, score, evidence, segments, direct, members
        case memberIDs = "member_ids"
        case memberEvidence = "member_evidence"
        case alsoPublishedOn = "also_published_on"
    }

    public init(
        notice: Notice, score: Double, evidence: [RouteEvidence] = [], segments: [String] = [], direct: Bool? = true,
        members: [String] = [], memberIDs: [String] = [], memberEvidence: [String: [RouteEvidence]] = [:],
        alsoPublishedOn: [String] = []
    ) {
        self.notice = notice
        self.score = score
        self.evidence = evidence
        self.segments = segments
        self.direct = direct
        self.members = members
        self.memberIDs = memberIDs
        self.memberEvidence = memberEvidence
        self.alsoPublishedOn = alsoPublishedOn
    }

    /// The item with its « Pourquoi » worded for the staff and for the member (`ItemReasons`).
    func worded() -> DigestItem {
        var item = self
        item.word()
        return item
    }

    /// Words its « Pourquoi » for the staff and for the member, in one pass over its evidence.
    mutating func word() {
        let both = Wording.whyBoth(self)
        reasons = ItemReasons(staff: both.staff, member: both.member)
    }

    /// ``word()``, taking the words from `memo` when an item with the same evidence was worded before (then kept
    /// there).
    mutating func word(reusing memo: inout [ItemReasons.Key: ItemReasons]) {
        let key = ItemReasons.Key(
            evidence: evidence, segments: segments, direct: direct, call: notice.kind == .callForProjects)
        if let known = memo[key] {
            reasons = known
            return
        }
        word()
        memo[key] = reasons
    }

    /// The item as one member sees it: its own evidence, no other member named.
    mutating func keepOnly(member id: String) {
        // A member's own item already holds its evidence: keep it, and its words.
        if let own = memberEvidence[id], own != evidence { evidence = own }
        memberEvidence = [:]
        members = []
        memberIDs = [id]
    }
}

/// One entry of a subscription (`latest.ics`, `latest.atom`): a notice sent on a night of the window.
public struct WindowEntry: Sendable, Hashable, Codable {
    public var notice: Notice
    /// When it was first sent to this recipient.
    public var sentAt: Date
    /// Names and ids of the members it was sent to (staff subscription).
    public var members: [String]
    public var memberIDs: [String]

    enum CodingKeys: String, CodingKey {
        case notice, members
        case sentAt = "sent_at"
        case memberIDs = "member_ids"
    }

    public init(notice: Notice, sentAt: Date, members: [String] = [], memberIDs: [String] = []) {
        self.notice = notice
        self.sentAt = sentAt
        self.members = members
        self.memberIDs = memberIDs
    }
}

/// A member the router dropped at the last filter (« écarté de justesse »), for staff to check the rules.
public struct NearMissItem: Sendable, Hashable, Codable {
    public var notice: Notice
    public var memberID: String
    public var memberName: String
    public var exclusion: RouteExclusion
    /// The evidence it had before the filter dropped it.
    public var score: Double

    enum CodingKeys: String, CodingKey {
        case notice, exclusion, score
        case memberID = "member_id"
        case memberName = "member_name"
    }

    public init(notice: Notice, memberID: String, memberName: String, exclusion: RouteExclusion, score: Double) {
        self.notice = notice
        self.memberID = memberID
        self.memberName = memberName
        self.exclusion = exclusion
        self.score = score
    }
}

/// The night at a glance (staff digest's summary table).
public struct DigestSummary: Sendable, Hashable {
    public struct MemberCount: Sendable, Hashable {
        public var name: String
        public var count: Int
    }
    /// Distinct notices sent to members tonight (member sections and calls).
    public var newNotices: Int
    /// Members with something tonight, in digest order, with how many notices.
    public var perMember: [MemberCount]
    /// Notices of tonight's digest whose deadline falls within seven days, soonest first.
    public var deadlinesThisWeek: [DigestItem]
    public var consortiumIdeas: Int
    public var calls: Int
    public var changed: Int
    public var nearMisses: Int
}

/// A suggested consortium for one notice.
public struct ConsortiumItem: Sendable, Hashable, Codable {
    /// Why one firm cannot answer alone.
    public enum Need: String, Sendable, Hashable, Codable {
        /// The notice needs several trades no single member covers.
        case multipleSegments = "multiple_segments"
        /// The value is above what any member carries alone.
        case valueExceedsCapacity = "value_exceeds_capacity"
        case both
    }

    public var notice: Notice
    public var score: Double
    public var need: Need
    /// The lot the idea is for.
    public var lotID: String?
    /// The value the group would carry (the lot's, or the notice's), euros.
    public var value: Decimal?
    /// What the partners can carry together, euros.
    public var combinedCapacity: Decimal?
    /// Labels of trades the notice needs that no member in range covers.
    public var uncovered: [String]
    /// Members who could supply the group (upstream), with the trade they supply.
    public var suppliers: [ConsortiumPartner]
    public var partners: [ConsortiumPartner]
    /// Name of the suggested lead (mandataire); nil on a member's digest that may not name partners.
    public var lead: String?
    /// On a member's digest that may not name partners: how many other members the idea involves.
    public var hiddenPartners: Int

    enum CodingKeys: String, CodingKey {
        case notice, score, need, value, uncovered, suppliers, partners, lead
        case lotID = "lot_id"
        case combinedCapacity = "combined_capacity"
        case hiddenPartners = "hidden_partners"
    }

    public init(
        notice: Notice, score: Double, need: Need, lotID: String? = nil, value: Decimal? = nil,
        combinedCapacity: Decimal? = nil, uncovered: [String] = [], suppliers: [ConsortiumPartner] = [],
        partners: [ConsortiumPartner], lead: String?, hiddenPartners: Int = 0
    ) {
        self.notice = notice
        self.score = score
        self.need = need
        self.lotID = lotID
        self.value = value
        self.combinedCapacity = combinedCapacity
        self.uncovered = uncovered
        self.suppliers = suppliers
        self.partners = partners
        self.lead = lead
        self.hiddenPartners = hiddenPartners
    }

    /// The idea as member `id` sees it: the partners named only when the cluster allows it; otherwise its own
    /// part and how many others, and no supplier names.
    func seen(by id: String, share: Bool) -> ConsortiumItem {
        guard !share else { return self }
        var c = self
        c.partners = partners.filter { $0.memberID == id }
        c.hiddenPartners = partners.count - c.partners.count
        c.suppliers = []
        if c.lead != partners.first(where: { $0.memberID == id })?.memberName { c.lead = nil }
        return c
    }
}

/// A notice for the staff's « À signaler »: the cluster's core business that no member in range can carry,
/// alone or in a groupement, with the figures (an alliance beyond the cluster, or asking the buyer for lots).
public struct SignalItem: Sendable, Hashable, Codable {
    public var notice: Notice
    /// Labels of the segments concerned.
    public var segments: [String]
    public var lotID: String?
    public var value: Decimal?
    public var largestCapacity: Decimal?
    public var combinedCapacity: Decimal?
    /// Names of the members in range, largest capacity first.
    public var members: [String]

    enum CodingKeys: String, CodingKey {
        case notice, segments, value, members
        case lotID = "lot_id"
        case largestCapacity = "largest_capacity"
        case combinedCapacity = "combined_capacity"
    }

    public init(
        notice: Notice, segments: [String], lotID: String? = nil, value: Decimal?, largestCapacity: Decimal?,
        combinedCapacity: Decimal?, members: [String]
    ) {
        self.notice = notice
        self.segments = segments
        self.lotID = lotID
        self.value = value
        self.largestCapacity = largestCapacity
        self.combinedCapacity = combinedCapacity
        self.members = members
    }
}

/// One member of a suggested consortium and what it brings.
public struct ConsortiumPartner: Sendable, Hashable, Codable {
    public var memberID: String
    public var memberName: String
    /// Value-chain segments it covers for this notice (labels).
    public var segments: [String]

    enum CodingKeys: String, CodingKey {
        case memberID = "member_id"
        case memberName = "member_name"
        case segments
    }

    public init(memberID: String, memberName: String, segments: [String]) {
        self.memberID = memberID
        self.memberName = memberName
        self.segments = segments
    }
}

/// A notice sent earlier that changed since.
public struct ChangedItem: Sendable, Hashable, Codable {
    /// Who had been told.
    public enum Audience: Sendable, Hashable, Codable {
        case member(id: String)
        case watch(name: String)
        case consortium
    }

    public var notice: Notice
    public var changes: [NoticeChange]
    public var audiences: [Audience]
    /// Names of the members who had been told (staff digest), by id.
    public var memberNames: [String: String]
    /// When we told them.
    public var toldAt: Date?

    enum CodingKeys: String, CodingKey {
        case notice, changes, audiences
        case memberNames = "member_names"
        case toldAt = "told_at"
    }

    public init(
        notice: Notice, changes: [NoticeChange], audiences: [Audience] = [], memberNames: [String: String] = [:],
        toldAt: Date? = nil
    ) {
        self.notice = notice
        self.changes = changes
        self.audiences = audiences
        self.memberNames = memberNames
        self.toldAt = toldAt
    }

    func concerns(member id: String) -> Bool { audiences.contains(.member(id: id)) }
}

/// How one source did in this run and lately.
public struct SourceHealth: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Hashable, Codable {
        /// Fetched and parsed tonight.
        case ok
        /// Fetched, parsed and stored, but stopped before the end of the results (an API cap, `max_pages`):
        /// the rest comes the next nights (`left` says how much, when the API tells).
        case incomplete
        /// Failed tonight (the run went on).
        case failing
        /// Not fetched tonight and no success for a while.
        case stale
        /// Not part of tonight's run.
        case skipped
    }

    public var sourceID: String
    public var name: String?
    public var status: Status
    public var lastSuccess: Date?
    public var consecutiveFailures: Int
    /// The fetcher's or parser's own message (English, technical: for the JSON and the logs, not for members).
    public var lastError: String?
    /// What went wrong, as data: the digest words it in French.
    public var failure: SourceFailureKind?
    /// The HTTP status of the failing response, when there was one.
    public var httpStatus: Int?
    /// Notices new or changed from this source tonight.
    public var newNotices: Int
    /// Records still to fetch when `incomplete` (nil when complete or when the API gives no total).
    public var left: Int?

    enum CodingKeys: String, CodingKey {
        case sourceID = "source_id"
        case name, status
        case lastSuccess = "last_success"
        case consecutiveFailures = "consecutive_failures"
        case lastError = "last_error"
        case failure
        case httpStatus = "http_status"
        case newNotices = "new_notices"
        case left
    }

    public init(
        sourceID: String, name: String? = nil, status: Status, lastSuccess: Date? = nil,
        consecutiveFailures: Int = 0, lastError: String? = nil, failure: SourceFailureKind? = nil,
        httpStatus: Int? = nil, newNotices: Int = 0, left: Int? = nil
    ) {
        self.failure = failure
        self.httpStatus = httpStatus
        self.sourceID = sourceID
        self.name = name
        self.status = status
        self.lastSuccess = lastSuccess
        self.consecutiveFailures = consecutiveFailures
        self.lastError = lastError
        self.newNotices = newNotices
        self.left = left
    }
}

/// The staff digest's JSON layout (schema 2): each notice of the member sections once, with the members it went to
/// and each one's evidence, in the order the staff digest shows them (`Wording.byNotice`); each member's section
/// kept as the ids of its notices, in its own order, so the sections (and each member's own digest) read back
/// exactly. A notice routed to twenty members was written twenty times, in full, under schema 1.
struct StaffLayout {
    /// A member's section: which notices, in its order.
    struct MemberRef: Codable {
        var memberID: String
        var memberName: String
        var noticeIDs: [String]

        enum CodingKeys: String, CodingKey {
            case memberID = "member_id"
            case memberName = "member_name"
            case noticeIDs = "notice_ids"
        }
    }

    /// A notice and the members it went to.
    struct SentNotice: Codable {
        var notice: Notice
        /// The other sources that published it, as the first member's item says.
        var alsoPublishedOn: [String]
        var sentTo: [Recipient]

        enum CodingKeys: String, CodingKey {
            case notice
            case alsoPublishedOn = "also_published_on"
            case sentTo = "sent_to"
        }
    }

    /// One member's item for the notice, without the notice. The lists an item of a member's section always holds
    /// (its name, its id, its evidence under its id) and the notice's other sources are written only when they
    /// say something else.
    struct Recipient: Codable {
        var memberID: String
        var memberName: String
        var score: Double
        var direct: Bool?
        var segments: [String]
        var evidence: [RouteEvidence]
        var alsoPublishedOn: [String]?
        var members: [String]?
        var memberIDs: [String]?
        var memberEvidence: [String: [RouteEvidence]]?

        enum CodingKeys: String, CodingKey {
            case memberID = "member_id"
            case memberName = "member_name"
            case score, direct, segments, evidence, members
            case alsoPublishedOn = "also_published_on"
            case memberIDs = "member_ids"
            case memberEvidence = "member_evidence"
        }
    }

    var members: [MemberRef]
    var notices: [SentNotice]

    init(members: [MemberRef], notices: [SentNotice]) {
        self.members = members
        self.notices = notices
    }

    init(_ input: DigestInput) {
        members = input.members.map { m in
            MemberRef(memberID: m.memberID, memberName: m.memberName, noticeIDs: m.items.map(\.notice.id))
        }
        // The staff digest's order, members included.
        let sections = Wording.orderedMembers(input)
        notices = Wording.byNotice(input).map { g in
            let lead = sections[g.first.section].items[g.first.item]
            return SentNotice(
                notice: lead.notice, alsoPublishedOn: lead.alsoPublishedOn,
                sentTo: g.recipients.map { p in
                    let m = sections[p.section]
                    let item = m.items[p.item]
                    return Recipient(
                        memberID: m.memberID, memberName: m.memberName, score: item.score, direct: item.direct,
                        segments: item.segments, evidence: item.evidence,
                        alsoPublishedOn: item.alsoPublishedOn == lead.alsoPublishedOn ? nil : item.alsoPublishedOn,
                        members: item.members == [m.memberName] ? nil : item.members,
                        memberIDs: item.memberIDs == [m.memberID] ? nil : item.memberIDs,
                        memberEvidence: item.memberEvidence == [m.memberID: item.evidence] ? nil : item.memberEvidence)
                })
        }
    }

    /// The member sections back, each item rebuilt from its notice and the member's entry.
    func sections() throws -> [MemberSection] {
        var sent: [String: (notice: Int, recipients: [String: Int])] = [:]
        for (i, n) in notices.enumerated() {
            var recipients: [String: Int] = [:]
            for (j, r) in n.sentTo.enumerated() { recipients[r.memberID] = j }
            sent[n.notice.id] = (i, recipients)
        }
        return try members.map { m in
            let items = try m.noticeIDs.map { id -> DigestItem in
                guard let place = sent[id], let j = place.recipients[m.memberID] else {
                    throw DecodingError.dataCorrupted(
                        .init(
                            codingPath: [DigestInput.CodingKeys.members],
                            debugDescription: "digest: notice \(id) of member \(m.memberID) is not in the notices"))
                }
                let n = notices[place.notice]
                let r = n.sentTo[j]
                return DigestItem(
                    notice: n.notice, score: r.score, evidence: r.evidence, segments: r.segments, direct: r.direct,
                    members: r.members ?? [m.memberName], memberIDs: r.memberIDs ?? [m.memberID],
                    memberEvidence: r.memberEvidence ?? [m.memberID: r.evidence],
                    alsoPublishedOn: r.alsoPublishedOn ?? n.alsoPublishedOn)
            }
            return MemberSection(memberID: m.memberID, memberName: m.memberName, items: items)
        }
    }
}

/// Where each member's entries lie in a cluster's digest, by member id, as indices in each list (in the list's
/// order): what `forMember` cuts for each of the cluster's members.
struct MemberIndex: Sendable {
    var sections: [String: [Int]] = [:]
    var consortia: [String: [Int]] = [:]
    var calls: [String: [Int]] = [:]
    var changed: [String: [Int]] = [:]
    /// Deadlines soon naming the member, and deadlines soon by notice id.
    var soon: [String: [Int]] = [:]
    var soonByNotice: [String: [Int]] = [:]
    var window: [String: [Int]] = [:]

    init(_ d: DigestInput) {
        // Each index once per member, even when a list names the member twice.
        func add(_ i: Int, _ id: String, _ map: inout [String: [Int]]) {
            if map[id]?.last != i { map[id, default: []].append(i) }
        }
        for (i, m) in d.members.enumerated() where !m.items.isEmpty { add(i, m.memberID, &sections) }
        for i in d.consortia.indices { for p in d.consortia[i].partners { add(i, p.memberID, &consortia) } }
        for i in d.calls.indices { for id in d.calls[i].memberIDs { add(i, id, &calls) } }
        for i in d.changed.indices {
            for case .member(let id) in d.changed[i].audiences { add(i, id, &changed) }
        }
        for i in d.deadlinesSoon.indices {
            for id in d.deadlinesSoon[i].memberIDs { add(i, id, &soon) }
            add(i, d.deadlinesSoon[i].notice.id, &soonByNotice)
        }
        for i in d.window.indices { for id in d.window[i].memberIDs { add(i, id, &window) } }
    }
}

/// An item's « Pourquoi cet avis ? », worded once for the staff and once for the member: the Markdown, HTML, Atom
/// and CSV renderings of a night each worded every item again (5 times per item, a tenth of the national night's
/// CPU). Words derived from the item: equal whatever they hold, so an item worded or not is the same item.
struct ItemReasons: Sendable, Hashable {
    var staff: [String]?
    var member: [String]?

    /// All that `Wording.whyBoth` reads of an item: two items equal in it are worded the same.
    struct Key: Hashable {
        var evidence: [RouteEvidence]
        var segments: [String]
        var direct: Bool?
        /// A call for projects (« L'appel vise votre métier ») rather than a purchase.
        var call: Bool
    }

    static func == (_: ItemReasons, _: ItemReasons) -> Bool { true }
    func hash(into hasher: inout Hasher) {}
}
