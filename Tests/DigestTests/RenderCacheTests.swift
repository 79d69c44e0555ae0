import Foundation
import Notices
import Parser
import TestSupport
import Testing

@testable import Digest

/// The night's render cache only saves work: every digest, in every format, tonight's file and the subscription's,
/// is byte for byte what it is without the cache, whichever digests shared it before, and a notice changed under
/// the same id or another night's date never shows a part made for the other.
@Suite struct RenderCacheTests {
    /// Every file of a digest: each format, tonight's and the subscription's, named for the failure message.
    static func files(_ input: DigestInput) throws -> [(name: String, bytes: [UInt8])] {
        var out: [(String, [UInt8])] = []
        let who = input.recipientID ?? input.recipientName ?? "staff"
        for format in DigestFormat.allCases {
            let r = format.renderer
            out.append(("\(input.clusterID)/\(who).\(format.rawValue)", try r.render(input)))
            out.append(("\(input.clusterID)/\(who).latest.\(format.rawValue)", try r.renderSubscription(input)))
        }
        return out
    }

    /// Renders each digest without a cache, then twice with one cache shared by all of them (the second pass all
    /// hits), and expects the same bytes each time.
    static func expectSameFiles(_ inputs: [DigestInput], cache: DigestRenderCache) throws {
        let plain = try inputs.map { try files($0) }
        var before = cache.statistics
        for pass in 1...2 {
            defer {
                // The second pass finds what the first made: the cache is used, not only harmless.
                let now = cache.statistics
                if pass == 2 { #expect(now.hits > before.hits, "nothing was found in the cache") }
                before = now
            }
            for (i, input) in inputs.enumerated() {
                var cached = input
                cached.renderCache = cache
                // The cache is not part of the digest: equal, same hash, same JSON.
                #expect(cached == input)
                #expect(cached.hashValue == input.hashValue)
                let got = try files(cached)
                for (a, b) in zip(plain[i], got) {
                    #expect(a.bytes == b.bytes, "\(a.name) differs with the cache (pass \(pass))")
                }
            }
        }
    }

    /// The staff's digest, each member's own (cut with the cache, as the pipeline does) and each watch's.
    static func allDigests(of input: DigestInput) -> [DigestInput] {
        var out = [input]
        for m in input.members { out.append(input.forMember(id: m.memberID, name: m.memberName)) }
        for w in input.watches { if let d = input.forWatch(id: w.watchID) { out.append(d) } }
        return out
    }

    @Test func theGoldenSampleRendersTheSameWithTheCache() throws {
        let cache = DigestRenderCache()
        let digests = Self.allDigests(of: SampleDigest.input)
        try Self.expectSameFiles(digests, cache: cache)
        #expect(cache.count > 0, "the renderers did not use the cache")
        // A third rendering makes nothing: every part of every digest is found.
        let made = cache.statistics.misses
        for d in digests {
            var cached = d
            cached.renderCache = cache
            _ = try Self.files(cached)
        }
        #expect(cache.statistics.misses == made)
    }

    @Test func aSmallCacheForgetsTheOlderGenerationAndStillRendersTheSame() throws {
        // Two notices per generation: the sample's seven notices keep pushing each other out.
        let cache = DigestRenderCache(limit: 4)
        try Self.expectSameFiles(Self.allDigests(of: SampleDigest.input), cache: cache)
        #expect(cache.count <= 4)
    }

    @Test func membersCutFromACachedDigestShareItsCache() {
        let cache = DigestRenderCache()
        var input = SampleDigest.input
        input.renderCache = cache
        for d in Self.allDigests(of: input) { #expect(d.renderCache === cache) }
    }

    // MARK: - JSON

    /// The depths notice `n`'s JSON object was kept at for `input`'s night.
    static func jsonDepths(of n: Notice, in input: DigestInput, cache: DigestRenderCache) -> [Int] {
        cache.found(n, runDate: input.runDate, names: input.sourceNames, read: { $0.json.keys.sorted() }) ?? []
    }

    /// A staff JSON digest whose notices other digests of the night already wrote (another cluster's member
    /// digest, which shows some of them deeper, a list of them at other depths, another cluster's staff digest)
    /// copies those written at its depths and encodes the others, and is byte for byte the digest written cold,
    /// and JSONEncoder's.
    @Test func aJSONDigestWritesTheNoticesOtherDigestsWroteAsItWouldWriteThem() throws {
        let json = JSONDigestRenderer()
        let cold = try json.render(SampleDigest.input)
        #expect(cold == (try JSONByteWriterTests.reference(SampleDigest.input)))
        let cache = DigestRenderCache()
        var other = SampleDigest.input
        other.clusterID = "autre-pole"
        other.renderCache = cache
        // A member's digest (schema 1) writes the notices of its sections two levels deeper than the staff's
        // (depth 6), the others (consortia, deadlines, window) at the staff's depth (4); not the watches'.
        _ = try json.render(other.forMember(id: "usinage-forez", name: "Usinage du Forez"))
        #expect(Self.jsonDepths(of: SampleDigest.usinage, in: other, cache: cache) == [4, 6])
        #expect(Self.jsonDepths(of: SampleDigest.ligne, in: other, cache: cache) == [4])
        #expect(Self.jsonDepths(of: SampleDigest.attribue, in: other, cache: cache) == [])
        // The same notices at depths no digest uses, through the same cache: each written as JSONEncoder does.
        let nested = [[SampleDigest.ligne, SampleDigest.usinage]]
        #expect(
            try JSONByteWriter.encode(nested, sharingNoticesOf: other)
                == Array(try NoticeJSON.encoder(pretty: true).encode(nested)))
        #expect(Self.jsonDepths(of: SampleDigest.ligne, in: other, cache: cache) == [2, 4])

        var warm = SampleDigest.input
        warm.renderCache = cache
        #expect(try json.render(warm) == cold)
        // The staff's digest wrote the watch's notice (depth 6) its sections' list (depth 4) had not.
        #expect(Self.jsonDepths(of: SampleDigest.attribue, in: other, cache: cache) == [4, 6])
        // Another cluster's staff digest finds every notice at every depth: it encodes none.
        let made = cache.statistics.misses
        let hits = cache.statistics.hits
        let again = try json.render(other)
        #expect(cache.statistics.misses == made)
        #expect(cache.statistics.hits > hits)
        #expect(again == (try JSONByteWriterTests.reference(other)))
    }

    /// A notice changed under the same id (a corrigendum) is encoded again, never copied from the JSON written
    /// for the value it replaced.
    @Test func aJSONDigestEncodesAgainANoticeChangedUnderItsID() throws {
        let json = JSONDigestRenderer()
        let cache = DigestRenderCache()
        let notices = [SampleDigest.usinage, SampleDigest.ligne, SampleDigest.appel]
        var before = Self.cluster("loire", notices: notices, members: 3, now: SampleDigest.now)
        before.renderCache = cache
        _ = try json.render(before)
        var changed = SampleDigest.usinage
        changed.buyer?.name = "Saint-Étienne Métropole (rectificatif)"
        changed.summary = "Avis rectificatif : date limite reportée."
        #expect(changed.id == SampleDigest.usinage.id)
        let after = Self.cluster("loire", notices: [changed] + notices.dropFirst(), members: 3, now: SampleDigest.now)
        let made = cache.statistics.misses
        let text = try json.render(withCache(after, cache))
        #expect(text == (try json.render(after)))
        #expect(text == (try JSONByteWriterTests.reference(after)))
        // Only the changed notice was encoded, the others copied.
        #expect(cache.statistics.misses == made + 1)
        let written = String(decoding: text, as: UTF8.self)
        #expect(written.contains("Saint-Étienne Métropole (rectificatif)"))
        #expect(written.contains("Avis rectificatif : date limite reportée."))
        #expect(!written.contains("Fabrication & usinage de pièces"))
    }

    // MARK: - Atom

    /// The staff's Atom feeds, tonight's and the subscription's.
    static func atomFeeds(_ input: DigestInput) -> [[UInt8]] {
        let atom = AtomRenderer()
        return [atom.tonightFeed(input), atom.subscriptionFeed(input)]
    }

    /// A cluster's feeds whose notices another cluster's feeds already wrote copy their escaped entries and are
    /// byte for byte the feeds written cold, changed entries (« [Modifié] ») and members included.
    @Test func anAtomFeedCopiesTheEntriesAnotherClustersFeedEscaped() throws {
        let cold = Self.atomFeeds(SampleDigest.input)
        let cache = DigestRenderCache()
        var other = SampleDigest.input
        other.clusterID = "autre-pole"
        other.renderCache = cache
        _ = Self.atomFeeds(other)
        let made = cache.statistics.misses
        let hits = cache.statistics.hits
        let warm = Self.atomFeeds(withCache(SampleDigest.input, cache))
        #expect(warm == cold)
        // Every entry found made: nothing escaped again.
        #expect(cache.statistics.misses == made)
        #expect(cache.statistics.hits > hits)
        let text = String(decoding: warm[0], as: UTF8.self)
        #expect(text.contains("urn:vigie:\(SampleDigest.input.clusterID):boamp:26-41234"))
        #expect(text.contains("Fabrication &amp;amp; usinage de pièces &amp;lt;acier&amp;gt;"))
        #expect(text.contains("<title>[Modifié] "))
    }

    /// A notice changed under the same id (a corrigendum) is escaped again for the feed, never copied from the
    /// entry written for the value it replaced.
    @Test func anAtomFeedEscapesAgainANoticeChangedUnderItsID() throws {
        let cache = DigestRenderCache()
        let notices = [SampleDigest.usinage, SampleDigest.ligne, SampleDigest.appel]
        _ = Self.atomFeeds(
            withCache(Self.cluster("loire", notices: notices, members: 3, now: SampleDigest.now), cache))
        var changed = SampleDigest.usinage
        changed.title = "Pièces usinées <rectificatif> & attelages"
        changed.summary = "Avis rectificatif, date limite reportée."
        changed.url = "https://www.boamp.fr/pages/avis/?q=idweb:%2226-41234%22&v=2"
        #expect(changed.id == SampleDigest.usinage.id)
        let after = Self.cluster("loire", notices: [changed] + notices.dropFirst(), members: 3, now: SampleDigest.now)
        let made = cache.statistics.misses
        let feeds = Self.atomFeeds(withCache(after, cache))
        #expect(feeds == Self.atomFeeds(after))
        // Only the changed notice's entry was escaped again (its facts with it), the others copied.
        #expect(cache.statistics.misses == made + 2)
        let text = String(decoding: feeds[0], as: UTF8.self)
        #expect(text.contains("<title>Pièces usinées &lt;rectificatif&gt; &amp; attelages</title>"))
        #expect(text.contains("&lt;p&gt;Avis rectificatif, date limite reportée.&lt;/p&gt;"))
        #expect(text.contains("idweb:%2226-41234%22&amp;v=2"))
        #expect(!text.contains("Fabrication"))
    }

    // MARK: - Real captures

    static func notices(_ path: String) throws -> [Notice] {
        try DocumentParser.parse(
            try SharedData.bytes(path),
            options: ParseOptions(sourceID: RealCaptures.sourceID(of: path), documentName: path)
        ).notices
    }

    /// A cluster whose members each get an overlapping share of the notices (a notice reaches several members,
    /// as on a national night), some of them through the value chain, with calls, deadlines and a window.
    static func cluster(_ id: String, notices: [Notice], members: Int, now: Date) -> DigestInput {
        let evidence = [
            RouteEvidence(
                kind: .keyword, field: .title, term: "travaux", matched: "TRAVAUX", segment: "Bâtiment", weight: 2),
            RouteEvidence(kind: .cpv, field: .cpv, term: "45", matched: "45000000", segment: "Bâtiment", weight: 1),
        ]
        var sections: [MemberSection] = []
        var calls: [DigestItem] = []
        for m in 0..<members {
            let memberID = "\(id)-m\(m)"
            let name = "Adhérent \(m) de \(id)"
            var items: [DigestItem] = []
            for (i, n) in notices.enumerated() where (i + m) % 3 != 0 {
                let item = DigestItem(
                    notice: n, score: Double((i + m) % 5) + 0.5, evidence: evidence, segments: ["Bâtiment"],
                    direct: (i + m) % 4 != 0, members: [name], memberIDs: [memberID],
                    memberEvidence: [memberID: evidence], alsoPublishedOn: i % 2 == 0 ? ["ted"] : [])
                if n.kind == .callForProjects {
                    calls.append(item)
                } else {
                    items.append(item)
                }
            }
            sections.append(
                MemberSection(
                    memberID: memberID, memberName: name,
                    items: items.sorted(by: DigestAssembler.readingOrder).map { $0.worded() }))
        }
        var d = DigestInput(
            clusterID: id, clusterName: "Pôle \(id)", runDate: now, members: sections, calls: calls,
            sourceNames: ["boamp": "BOAMP", "ted": "TED", "aides-territoires": "Aides-territoires"],
            staffContact: "veille@\(id).example")
        d.deadlinesSoon = Array(sections.first?.items.prefix(3) ?? [])
        d.window = notices.prefix(4).map {
            WindowEntry(
                notice: $0, sentAt: now.addingTimeInterval(-86_400), members: [sections[0].memberName],
                memberIDs: [sections[0].memberID])
        }
        d.sources = [SourceHealth(sourceID: "boamp", name: "BOAMP", status: .ok, newNotices: notices.count)]
        d.tally()
        return d
    }

    /// BOAMP, TED and aides-territoires notices as parsed from the captures, the same values in every cluster.
    static func realNotices() throws -> [Notice] {
        try RealCaptures.routable.flatMap { try notices($0) }
    }

    @Test(.requiresShared) func realNoticesRenderTheSameAcrossClustersAndMembers() throws {
        let notices = try Self.realNotices()
        try #require(notices.count > 10, "the captures hold more than ten notices")
        let now = ISO8601.parseZoned("2026-02-10T02:00:00Z")!.instant
        let cache = DigestRenderCache()
        let inputs = ["loire", "rhone", "isere"].enumerated().flatMap { k, id in
            // Each cluster sees the notices in another order: cards made first in one are reused in the others.
            Self.allDigests(of: Self.cluster(id, notices: k == 1 ? notices.reversed() : notices, members: 4, now: now))
        }
        try Self.expectSameFiles(inputs, cache: cache)
        #expect(cache.count == Set(notices.map(\.id)).count)
    }

    /// BOAMP 26-7298 (jpbenga capture): « TRAVAUX D'AMENAGEMENTS INTERIEURS ET EXTERIEURS », for COMMUNE DE LA
    /// MADELEINE, answers due 2026-02-16T12:00:00+00:00.
    static func madeleine() throws -> Notice {
        let all = try notices("samples/real/boamp/DERIVED-unwrapped-data-of-jpbenga-where-dateparution-2026.json")
        return try #require(all.first { $0.sourceID == "26-7298" })
    }

    @Test(.requiresShared) func aNoticeChangedUnderTheSameIDIsRenderedAgain() throws {
        let original = try Self.madeleine()
        #expect(original.title == "TRAVAUX D'AMENAGEMENTS INTERIEURS ET EXTERIEURS")
        #expect(original.buyer?.name == "COMMUNE DE LA MADELEINE")
        let now = ISO8601.parseZoned("2026-02-10T02:00:00Z")!.instant
        let cache = DigestRenderCache()
        let before = Self.cluster("loire", notices: [original], members: 2, now: now)
        try Self.expectSameFiles(Self.allDigests(of: before), cache: cache)
        let markdown = String(decoding: try Self.files(withCache(before, cache))[0].bytes, as: UTF8.self)
        #expect(markdown.contains("TRAVAUX D'AMENAGEMENTS INTERIEURS ET EXTERIEURS"))
        #expect(markdown.contains("COMMUNE DE LA MADELEINE"))

        // A corrigendum: same id, another buyer name and summary. The cached card must not be shown.
        var changed = original
        changed.buyer?.name = "COMMUNE DE LA MADELEINE (rectificatif)"
        changed.summary = "Avis rectificatif : date limite reportée."
        #expect(changed.id == original.id)
        let after = Self.cluster("loire", notices: [changed], members: 2, now: now)
        try Self.expectSameFiles(Self.allDigests(of: after), cache: cache)
        let text = String(decoding: try Self.files(withCache(after, cache))[0].bytes, as: UTF8.self)
        #expect(text.contains("COMMUNE DE LA MADELEINE (rectificatif)"))
        #expect(text.contains("Avis rectificatif : date limite reportée."))
    }

    @Test(.requiresShared) func anotherNightsDateIsRenderedAgain() throws {
        let notice = try Self.madeleine()
        let cache = DigestRenderCache()
        // Six, then four days before the deadline (2026-02-16T12:00Z): the facts say how long is left.
        let first = Self.cluster(
            "loire", notices: [notice], members: 2, now: ISO8601.parseZoned("2026-02-10T02:00:00Z")!.instant)
        let second = Self.cluster(
            "loire", notices: [notice], members: 2, now: ISO8601.parseZoned("2026-02-12T02:00:00Z")!.instant)
        try Self.expectSameFiles(Self.allDigests(of: first), cache: cache)
        try Self.expectSameFiles(Self.allDigests(of: second), cache: cache)
        let a = try Self.files(withCache(first, cache))
        let b = try Self.files(withCache(second, cache))
        // The card itself changed (« dans … »), not only the title's date.
        let factsA = Wording.facts(notice, now: first.runDate, names: first.sourceNames)
        let factsB = Wording.facts(notice, now: second.runDate, names: second.sourceNames)
        #expect(factsA != factsB)
        #expect(Wording.facts(notice, input: withCache(second, cache)) == factsB)
        #expect(String(decoding: a[0].bytes, as: UTF8.self).contains("dans 6 jours"))
        #expect(String(decoding: b[0].bytes, as: UTF8.self).contains("dans 4 jours"))
        #expect(!String(decoding: b[0].bytes, as: UTF8.self).contains("dans 6 jours"))
    }

    @Test func talliesAreForgottenWhenWhatTheyCountChanges() {
        var input = SampleDigest.input
        let fresh = input.summary
        input.tally()
        #expect(input.summary == fresh)
        #expect(input.summary.newNotices > 0)
        input.members = []
        input.calls = []
        #expect(input.summary.newNotices == 0)
        #expect(Wording.newNotices(input) == 0)
    }

    @Test func derivedListsAreForgottenWhenTheListsTheyReadChange() {
        var input = SampleDigest.input
        let fresh = (all: input.allNotices.map(\.id), news: input.newsNotices.map(\.id))
        let order = Wording.orderedMembers(input).map(\.memberID)
        input.tally()
        // Worked out once, the same lists.
        #expect(input.allNotices.map(\.id) == fresh.all)
        #expect(input.newsNotices.map(\.id) == fresh.news)
        #expect(Wording.orderedMembers(input).map(\.memberID) == order)
        #expect(!fresh.all.isEmpty && !order.isEmpty)
        input.members = []
        input.consortia = []
        input.signals = []
        input.calls = []
        input.watches = []
        input.changed = []
        input.deadlinesSoon = []
        #expect(input.allNotices.isEmpty)
        #expect(input.newsNotices.isEmpty)
        #expect(Wording.orderedMembers(input).isEmpty)
        #expect(Wording.byNotice(input).isEmpty)
    }

    func withCache(_ input: DigestInput, _ cache: DigestRenderCache) -> DigestInput {
        var d = input
        d.renderCache = cache
        return d
    }
}
