import Foundation
import Notices

/// The parts of a notice's card that depend on the notice alone (and on the night's date and source names),
/// rendered once a night and shared by every digest that shows the notice, on every thread.
///
/// A national night sends the same notice to some seventy members in some twenty-five clusters: each member's
/// e-mail and each cluster's staff digest rendered its facts and summary again, in HTML and in Markdown, and
/// worded its facts for each format (a third of the night's rendering), and each staff JSON digest encoded its
/// object again. What depends on the recipient (relevance, « Pourquoi cet avis ? », « Envoyé à », the consortium
/// boxes) is never held here.
///
/// A part is reused only for the very notice it was made from: same id, equal `Notice` value (cheap when the
/// digests share the store's one decoded notice, whose strings compare by identity), same `runDate` (« dans 3
/// jours ») and same source names (« Avis complet (BOAMP) »). Anything else makes the part again and replaces the
/// entry, so a notice changed between two renderings, or another night, never shows stale text. Bounded: two
/// generations of at most `limit / 2` notices each, the older dropped when the newer fills (as the store's
/// decoded notices are).
public final class DigestRenderCache: @unchecked Sendable {
    /// Enough for the notices of a national night that reach members (a few thousand), not for a history.
    public static let defaultLimit = 8_192

    private let lock = NSLock()
    // Entries are immutable once in a generation (a part made later replaces the notice's entry with a new one),
    // so a lookup hands out a reference and its parts are read outside the lock. Copying the entry struct under
    // the lock (a whole `Notice` and its parts, one retain each) kept the renderers of a national night waiting
    // on each other: the lock was where they slept.
    private var newer: [String: Shared] = [:]
    private var older: [String: Shared] = [:]
    private let limit: Int
    /// Lookups and parts made: the hits are the difference (one lookup per part asked for).
    private var lookups = 0
    private var misses = 0

    /// A cache that holds at most about `limit` notices.
    public init(limit: Int = DigestRenderCache.defaultLimit) { self.limit = max(2, limit) }

    /// How many notices it holds now (both generations): for tests and measurements.
    public var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return newer.count + older.count
    }

    /// Parts found made, and parts made, so far: how much work the cache saved (measurements, tests).
    public var statistics: (hits: Int, misses: Int) {
        lock.lock()
        defer { lock.unlock() }
        return (lookups - misses, misses)
    }

    /// One entry, never changed once shared.
    private final class Shared: @unchecked Sendable {
        let entry: Entry
        init(_ entry: Entry) { self.entry = entry }
    }

    /// One notice's parts, each made on first use.
    struct Entry {
        let notice: Notice
        let runDate: Date
        let sourceNames: [String: String]
        var facts: [Fact]?
        var html: CardParts?
        var markdown: CardParts?
        var atom: AtomEntryParts?
        /// A member's calendar event (it names no member), folded.
        var calendarEvent: String?
        /// The CSV row's cells that hold the notice alone, quoted and joined (`CSVRenderer.noticeCells`).
        var csvCells: (what: String, link: String)?
        /// The notice's JSON object (`vigie parse --json`'s schema, pretty-printed), by the depth of its closing
        /// bracket: its bytes depend on the notice alone and on its indentation. A staff JSON digest writes it at
        /// depth 4 (its `notices`, consortia, deadlines, window), a watch's section deeper.
        var json: [Int: [UInt8]] = [:]

        func isMade(from n: Notice, runDate: Date, names: [String: String]) -> Bool {
            self.runDate == runDate && notice == n && sourceNames == names
        }
    }

    /// A notice's card in one text format, without anything the recipient changes.
    struct CardParts {
        /// The card's title line (a link to the notice).
        var head: String
        /// The facts, one row (HTML) or bullet (Markdown) each, already joined.
        var facts: String
        /// The summary paragraph; nil when the notice has none.
        var summary: String?
        /// The « Source : … » lines made so far, each with the other sources it names: the staff's card names
        /// the first recipient's, a member's its own (the same in practice: a few at most).
        var sources: [(also: [String], text: String)] = []

        /// The source line made for `also`, if any.
        func source(also: [String]) -> String? { sources.first { $0.also == also }?.text }

        /// Keeps a source line (the first four sets of other sources only: beyond, each is made when shown).
        mutating func keep(source text: String, also: [String]) {
            if sources.count < 4, source(also: also) == nil { sources.append((also, text)) }
        }
    }

    /// A notice's Atom entry, without anything the cluster or the recipient changes, already escaped for the feed:
    /// a national night writes the same notice in some twenty-five clusters' staff feeds, tonight's and
    /// `latest.atom`, and escaping its facts and texts again in each was half of writing the feeds (perf, 10,000
    /// notices: 27 % of `AtomRenderer.feed` in `ByteEscaper.xml` on the content, 16 % typesetting the facts).
    struct AtomEntryParts {
        /// The notice's id in the entry's URN (after the cluster's), URN-encoded and escaped.
        var id: [UInt8]
        /// The notice's title, or its id when it has none, escaped.
        var title: [UInt8]
        /// From the end of the `<updated>` element through the content's facts: `published`, the links, the
        /// category and the facts' HTML paragraphs, escaped.
        var tail: [UInt8]
        /// Whether `tail` ends with facts (a line feed then separates them from what follows).
        var hasFacts: Bool
        /// The summary's HTML paragraph, escaped; nil when the notice has none.
        var summary: [UInt8]?
    }

    /// The part `read` finds in the notice's entry, or `make`'s, kept for the next digest.
    func part<T>(
        _ n: Notice, runDate: Date, names: [String: String], read: (Entry) -> T?, keep: (inout Entry, T) -> Void,
        make: () -> T
    ) -> T {
        if let value = found(n, runDate: runDate, names: names, read: read) { return value }
        // Made outside the lock: another thread may make the same part meanwhile; both are equal.
        let value = make()
        self.keep(value, of: n, runDate: runDate, names: names, in: keep)
        return value
    }

    /// The part `read` finds in the entry made from notice `n` for this night, if there is one.
    func found<T>(_ n: Notice, runDate: Date, names: [String: String], read: (Entry) -> T?) -> T? {
        guard let shared = entry(n.id), shared.entry.isMade(from: n, runDate: runDate, names: names) else {
            return nil
        }
        return read(shared.entry)
    }

    /// Keeps a part just made from notice `n` (`keep` puts it in the entry), for the next digest.
    func keep<T>(
        _ value: T, of n: Notice, runDate: Date, names: [String: String], in keep: (inout Entry, T) -> Void
    ) {
        lock.lock()
        defer { lock.unlock() }
        misses += 1
        var entry = (newer[n.id] ?? older[n.id])?.entry
        // Checked again under the lock: another thread may have replaced the entry meanwhile (another night's
        // digest, a changed notice); then this part starts a new entry.
        if entry.map({ !$0.isMade(from: n, runDate: runDate, names: names) }) ?? true {
            entry = Entry(notice: n, runDate: runDate, sourceNames: names)
        }
        if var entry {
            keep(&entry, value)
            insert(Shared(entry), n.id)
        }
    }

    private func entry(_ id: String) -> Shared? {
        lock.lock()
        defer { lock.unlock() }
        lookups += 1
        if let shared = newer[id] { return shared }
        guard let shared = older[id] else { return nil }
        insert(shared, id)
        return shared
    }

    /// Called with `lock` held.
    private func insert(_ shared: Shared, _ id: String) {
        if newer[id] == nil, newer.count >= limit / 2 {
            older = newer
            newer = [:]
        }
        newer[id] = shared
    }
}

extension DigestRenderCache {
    /// Part `read` of notice `n`'s card for `input`'s night: from the cache the digest shares (made by `make` and
    /// kept when missing), or `make`'s when the digest has no cache (tests, one cluster's `vigie digest`).
    static func part<T>(
        of n: Notice, in input: DigestInput, read: (Entry) -> T?, keep: (inout Entry, T) -> Void, make: () -> T
    ) -> T {
        guard let cache = input.renderCache else { return make() }
        return cache.part(n, runDate: input.runDate, names: input.sourceNames, read: read, keep: keep, make: make)
    }

    /// The part of notice `n`'s card kept at `path`, as ``part(of:in:read:keep:make:)`` gives it.
    static func part<T>(of n: Notice, in input: DigestInput, at path: WritableKeyPath<Entry, T?>, make: () -> T) -> T {
        part(of: n, in: input, read: { $0[keyPath: path] }, keep: { $0[keyPath: path] = $1 }, make: make)
    }
}

/// Holds a digest's render cache without making it part of the digest: two digests are equal, hash and encode
/// the same whether they share a cache or not (the cache only saves work).
struct RenderCacheReference: Sendable, Hashable {
    var cache: DigestRenderCache?

    static func == (_: RenderCacheReference, _: RenderCacheReference) -> Bool { true }
    func hash(into hasher: inout Hasher) {}
}

/// The night's counts and lists a digest's renderings each worked out again (`DigestInput.summary`, « N avis pour
/// vous », the sections in reading order, the staff's notices with their members, the members left out, the
/// notices shown), worked out once by the assembler and `forMember`: the six formats and the e-mail of a staff
/// digest each rebuilt them, a twentieth of the national night's CPU. Derived from the digest: equal whatever they
/// hold, forgotten when a field they read changes.
struct DigestTallies: Sendable, Hashable {
    var summary: DigestSummary?
    var newNotices: Int?
    /// `Wording.orderedMembers`.
    var ordered: [MemberSection]?
    /// `Wording.byNotice` of `ordered`.
    var groups: [NoticeRecipients]?
    /// `Wording.leftOut`.
    var leftOut: [NearMissItem]?
    /// `DigestInput.allNotices`, whose first `newsCount` are `newsNotices`.
    var allNotices: [Notice]?
    var newsCount: Int?
    /// Where each member's entries lie (a cluster's digest), for `forMember`.
    var members: MemberIndex?

    static func == (_: DigestTallies, _: DigestTallies) -> Bool { true }
    func hash(into hasher: inout Hasher) {}
}
