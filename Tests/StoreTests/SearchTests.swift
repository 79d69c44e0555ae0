import Foundation
import GRDB
import Notices
import Testing

@testable import Store

@Suite struct SearchTests {
    let now = date("2026-05-05T02:00:00Z")

    func seeded() throws -> (TempStore, NoticeStore) {
        let tmp = TempStore()
        let store = try tmp.open()
        var call = Notice(
            source: "aides-territoires", sourceID: "at-1", kind: .callForProjects,
            title: "Appel à projets Industrie du futur", summary: "Robotisation des PME",
            published: date("2026-04-01T00:00:00Z"),
            call: CallDetails(
                funder: "Région Auvergne-Rhône-Alpes", beneficiaries: ["PME"],
                closing: zoned("2026-09-30T23:59:00+02:00")))
        call.places = [Place(departement: "69")]
        _ = try store.upsert(
            [
                tender(
                    "boamp", "1", title: "Traitement de Surfaces et peinture de pièces", cpv: ["45442000-7"],
                    departement: "42", value: 80_000, published: "2026-05-01T00:00:00Z"),
                tender(
                    "boamp", "2", title: "Réalisation d'un bâtiment d'usinage", cpv: ["45210000"],
                    departement: "2A", value: 1_200_000, published: "2026-05-03T00:00:00Z"),
                tender(
                    "ted", "3", title: "Machining of aerospace parts", deadline: "2026-05-10T12:00:00Z",
                    cpv: ["42600000"], departement: "1", value: nil, published: "2026-04-20T00:00:00Z"),
                call,
            ], at: now)
        return (tmp, store)
    }

    @Test(arguments: [
        ("traitement de surface", ["boamp:1"]),
        ("TRAITEMENT SURFACES", ["boamp:1"]),
        ("realisation batiment", ["boamp:2"]),
        ("réalisation bâtiments", ["boamp:2"]),
        ("\"traitement de surfaces\"", ["boamp:1"]),
        ("usinage", ["boamp:2"]),
        ("usinage -batiment", [String]()),
        ("pièces", ["boamp:1"]),
        ("robotisation", ["aides-territoires:at-1"]),
        ("auvergne", ["aides-territoires:at-1"]),
        ("saint-etienne", ["boamp:1", "boamp:2", "ted:3"]),
        ("de la", [String]()),
        ("\" : * (", [String]()),
    ])
    func fullTextIsFrenchFriendly(_ text: String, _ expected: [String]) throws {
        let (tmp, store) = try seeded()
        _ = tmp
        #expect(try store.search(NoticeQuery(text: text)).map(\.id).sorted() == expected, "\(text)")
    }

    @Test func filtersCombine() throws {
        let (tmp, store) = try seeded()
        _ = tmp
        func ids(_ q: NoticeQuery) throws -> [String] { try store.search(q).map(\.id) }
        #expect(try ids(NoticeQuery(kinds: [.callForProjects])) == ["aides-territoires:at-1"])
        #expect(try ids(NoticeQuery(cpvPrefix: "4544")) == ["boamp:1"])
        #expect(try ids(NoticeQuery(cpvPrefix: "45")).sorted() == ["boamp:1", "boamp:2"])
        #expect(try ids(NoticeQuery(departement: "2a")) == ["boamp:2"])
        #expect(try ids(NoticeQuery(departement: "01")) == ["ted:3"])
        #expect(try ids(NoticeQuery(since: date("2026-05-02T00:00:00Z"))) == ["boamp:2"])
        // Newest first without text.
        #expect(try ids(NoticeQuery(source: "boamp")) == ["boamp:2", "boamp:1"])
        #expect(
            try ids(NoticeQuery(deadlineAfter: date("2026-06-01T00:00:00Z"))).sorted()
                == ["aides-territoires:at-1", "boamp:1", "boamp:2"])
        #expect(try ids(NoticeQuery(minValue: 100_000)) == ["boamp:2"])
        #expect(try ids(NoticeQuery(text: "pièces", source: "ted")).isEmpty)
        #expect(try ids(NoticeQuery(limit: 2)).count == 2)
    }

    @Test func theIndexFollowsChanges() throws {
        let (tmp, store) = try seeded()
        _ = tmp
        _ = try store.upsert(
            [
                tender(
                    "boamp", "1", title: "Nettoyage industriel", cpv: ["45442000-7"],
                    departement: "42", value: 80_000, published: "2026-05-01T00:00:00Z")
            ],
            at: now)
        #expect(try store.search(NoticeQuery(text: "traitement surface")).isEmpty)
        #expect(try store.search(NoticeQuery(text: "nettoyage")).map(\.id) == ["boamp:1"])
    }
}

/// `vigie query` at scale: the answers are those of ordering and filtering the whole table (what the search did
/// before it walked indexes), and the statements of filter-only queries never scan or sort the notice table.
@Suite struct SearchScaleTests {
    let now = date("2026-05-05T02:00:00Z")

    /// 400 notices over 40 days at midnight (ten a day: many ties of the newest-first order, broken by id), in
    /// four départements, three CPV divisions, two sources and kinds; every fifth one duplicated by a TED record
    /// of the same tender (one opportunity), with a word the ranking ties on.
    func seeded() throws -> (TempStore, NoticeStore, [StoredNotice]) {
        let tmp = TempStore()
        let store = try tmp.open()
        let codes = ["45210000", "45442000", "42600000", "71000000"]
        let words = ["usinage", "maintenance", "peinture", "chaudronnerie"]
        var notices: [Notice] = []
        for i in 0..<400 {
            let day = String(format: "2026-04-%02dT00:00:00Z", 1 + (i / 10) % 30)
            func make(_ source: String, _ id: String, title: String, refs: CrossReferences) -> Notice {
                var n = tender(
                    source, id, title: title, deadline: i % 3 == 0 ? nil : "2026-0\(5 + i % 4)-10T12:00:00+02:00",
                    refs: refs, cpv: [codes[i % 4], codes[(i / 4) % 4]],
                    departement: ["42", "69", "2A", "1"][(i / 3) % 4], value: Decimal(i * 10_000), published: day)
                if i % 7 == 0 { n.kind = .callForProjects }
                return n
            }
            let title = "\(words[i % 4]) lot \(i % 3)"
            let ref = CrossReferences(tedPublicationNumber: "\(i)-2026")
            notices.append(
                make("boamp", "26-\(1000 + (i * 7919) % 400)", title: title, refs: i % 5 == 0 ? ref : .init()))
            if i % 5 == 0 { notices.append(make("ted", "\(i)-2026", title: "France – " + title, refs: ref)) }
        }
        _ = try store.upsert(notices, at: now)
        let all = try store.read { db in
            try db.rows("SELECT \(NoticeStore.noticeColumns) FROM notice n").map(store.stored)
        }
        return (tmp, store, all)
    }

    /// The reference: every stored notice filtered in Swift, newest first then id, over-fetched and collapsed as
    /// `searchStored` documents.
    func reference(_ q: NoticeQuery, _ all: [StoredNotice], matches: Set<String>? = nil) -> [String] {
        func time(_ s: StoredNotice) -> Double { (s.notice.published ?? s.firstSeen).timeIntervalSince1970 }
        let matching = all.filter { s in
            if let matches, !matches.contains(s.id) { return false }
            let n = s.notice
            var codes = n.cpv + n.lots.flatMap(\.cpv)
            if let m = n.mainCPV { codes.append(m) }
            let deps = (n.places + n.lots.flatMap(\.places)).compactMap(\.departement).map(
                NoticeStore.normaliseDepartement)
            var checks: [Bool] = [q.kinds.isEmpty || q.kinds.contains(n.kind)]
            if let p = q.cpvPrefix { checks.append(codes.contains { NoticeStore.normaliseCPV($0).hasPrefix(p) }) }
            if let d = q.departement { checks.append(deps.contains(NoticeStore.normaliseDepartement(d))) }
            if let since = q.since { checks.append(time(s) >= since.timeIntervalSince1970) }
            if let after = q.deadlineAfter { checks.append(n.deadline.map { $0.instant >= after } ?? false) }
            if let v = q.minValue { checks.append(n.value?.upperBound.map { $0 >= Decimal(v) } ?? false) }
            if let source = q.source { checks.append(source == n.source) }
            return !checks.contains(false)
        }
        let sorted = matching.sorted { (-time($0), $0.id) < (-time($1), $1.id) }
        var out: [String] = []
        var seen = Set<Int64>()
        for s in sorted.prefix(q.collapseDuplicates ? q.limit * 4 + 16 : q.limit) {
            if q.collapseDuplicates, !seen.insert(s.opportunityID).inserted { continue }
            out.append(s.id)
            if out.count >= q.limit { break }
        }
        return out
    }

    static let filterOnly: [NoticeQuery] = [
        NoticeQuery(limit: 20),
        NoticeQuery(departement: "69", limit: 20),
        NoticeQuery(departement: "2a", limit: 5, collapseDuplicates: false),
        NoticeQuery(cpvPrefix: "45", limit: 20),
        NoticeQuery(cpvPrefix: "4544", limit: 20),
        NoticeQuery(cpvPrefix: "454420", limit: 7),
        NoticeQuery(cpvPrefix: "4", limit: 30, collapseDuplicates: false),
        NoticeQuery(cpvPrefix: "42600000", limit: 20),
        NoticeQuery(kinds: [.tender], since: date("2026-04-25T00:00:00Z"), limit: 20),
        NoticeQuery(kinds: [.tender, .callForProjects], limit: 12),
        NoticeQuery(kinds: [.callForProjects], cpvPrefix: "71", departement: "42", limit: 20),
        NoticeQuery(deadlineAfter: date("2026-07-01T00:00:00Z"), limit: 20),
        NoticeQuery(departement: "1", minValue: 2_000_000, limit: 20),
        NoticeQuery(source: "ted", limit: 20),
        NoticeQuery(source: "boamp", limit: 500),
    ]

    @Test(arguments: filterOnly)
    func filterOnlyQueriesAnswerAsTheWholeTableWould(_ q: NoticeQuery) throws {
        let (tmp, store, all) = try seeded()
        _ = tmp
        let found = try store.searchStored(q).map(\.id)
        #expect(found == reference(q, all))
        #expect(!found.isEmpty)
    }

    /// Ranked inside FTS5 then filtered, or filtered then ranked: the same answer as ranking the join of every
    /// match, ties (the same rank, many here) broken by notice id. A rank depth of 1 keeps too few of the best
    /// matches for the filters, so the ranked-then-filtered queries rank every match in order instead.
    @Test(
        arguments: [
            NoticeQuery(text: "usinage", limit: 20, order: .relevance),
            NoticeQuery(text: "usinage", limit: 3, collapseDuplicates: false, order: .relevance),
            NoticeQuery(text: "maintenance", departement: "69", limit: 20, order: .relevance),
            NoticeQuery(text: "peinture", cpvPrefix: "4260", limit: 20, order: .relevance),
            NoticeQuery(text: "lot", kinds: [.callForProjects], source: "boamp", limit: 20, order: .relevance),
            NoticeQuery(
                text: "chaudronnerie", since: date("2026-04-20T00:00:00Z"), minValue: 1_000_000, limit: 20,
                order: .relevance),
            NoticeQuery(
                text: "lot -usinage", deadlineAfter: date("2026-06-01T00:00:00Z"), limit: 40, order: .relevance),
            // Filters most matches pass (ranked first, then checked) and few pass (checked, then ranked).
            NoticeQuery(text: "lot", departement: "42", limit: 20, order: .relevance),
            NoticeQuery(text: "lot", cpvPrefix: "7100", limit: 3, collapseDuplicates: false, order: .relevance),
            NoticeQuery(text: "lot", cpvPrefix: "710000", source: "ted", limit: 20, order: .relevance),
        ], [1, 16_384])
    func rankedQueriesAnswerAsTheJoinedRankingWould(_ q: NoticeQuery, _ rankDepth: Int) throws {
        let (tmp, store, all) = try seeded()
        _ = tmp
        let allowed = Set(
            reference(
                NoticeQuery(
                    text: nil, kinds: q.kinds, cpvPrefix: q.cpvPrefix,
                    departement: q.departement, since: q.since, deadlineAfter: q.deadlineAfter, minValue: q.minValue,
                    source: q.source, limit: 10_000, collapseDuplicates: false), all))
        let expr = try #require(FTSQuery.expression(q.text ?? ""))
        let ranked = try store.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT n.id, n.opportunity_id FROM notice_fts
                    JOIN notice n ON n.key = (notice_fts.rowid & \(NoticeStore.ftsKeyMask))
                    WHERE notice_fts MATCH ? ORDER BY notice_fts.rank, n.id
                    """, arguments: [expr])
        }.filter { allowed.contains($0[0]) }
        var expected: [String] = []
        var seen = Set<Int64>()
        for row in ranked.prefix(q.collapseDuplicates ? q.limit * 4 + 16 : q.limit) {
            if q.collapseDuplicates, !seen.insert(row[1]).inserted { continue }
            expected.append(row[0])
            if expected.count >= q.limit { break }
        }
        #expect(
            try store.searchStored(q, walkBudget: NoticeStore.walkBudget, rankDepth: rankDepth).map(\.id) == expected)
        #expect(!expected.isEmpty)
    }

    /// The best of a stream of ranks, whatever the order they come in: the `depth` lowest and every one tied with
    /// the last of them, best first; `leftOut` says whether a worse one was dropped.
    @Test(arguments: [1, 3, 20, 96])
    func bestRankedKeepsTheBestAndTheirTies(_ depth: Int) {
        var rng = SystemRandomNumberGenerator()
        // Few distinct ranks: ties everywhere, as bm25 gives documents of the same length and counts.
        let stream = (0..<5_000).map { (key: Int64($0), rank: -Double(Int.random(in: 0..<40, using: &rng)) / 4) }
        var best = BestRanked(depth: depth)
        for s in stream { best.offer(s.key, s.rank) }
        let kept = best.ranked()
        let sorted = stream.sorted { $0.rank < $1.rank }
        let bound = sorted[depth - 1].rank
        let expected = sorted.filter { $0.rank <= bound }
        #expect(kept.map(\.rank) == expected.map(\.rank))
        #expect(Set(kept.map(\.key)) == Set(expected.map(\.key)))
        #expect(best.leftOut == (expected.count < stream.count))

        // Kept aside, the others follow in rank order: the two lists are the whole stream, sorted.
        var split = BestRanked(depth: depth, keepingRest: true)
        for s in stream { split.offer(s.key, s.rank) }
        let first = split.ranked()
        let rest = split.rest()
        #expect(first.map(\.rank) == expected.map(\.rank))
        #expect((first + rest).map(\.rank) == sorted.map(\.rank))
        #expect(Set((first + rest).map(\.key)).count == stream.count)

        var all = BestRanked(depth: 10_000)
        for s in stream { all.offer(s.key, s.rank) }
        #expect(all.ranked().count == stream.count)
        #expect(!all.leftOut)
    }

    static let newestWithText: [NoticeQuery] = [
        NoticeQuery(text: "usinage", limit: 20),
        NoticeQuery(text: "usinage", limit: 3, collapseDuplicates: false),
        NoticeQuery(text: "lot", limit: 20),
        NoticeQuery(text: "lot", limit: 500),
        NoticeQuery(text: "maintenance", departement: "69", limit: 20),
        NoticeQuery(text: "peinture", cpvPrefix: "4260", limit: 20),
        NoticeQuery(text: "peinture", cpvPrefix: "426000", limit: 20),
        NoticeQuery(text: "lot", kinds: [.callForProjects], source: "boamp", limit: 20),
        NoticeQuery(text: "chaudronnerie", since: date("2026-04-20T00:00:00Z"), minValue: 1_000_000, limit: 20),
        NoticeQuery(text: "lot -usinage", deadlineAfter: date("2026-06-01T00:00:00Z"), limit: 40),
        NoticeQuery(text: "lot", kinds: [.tender, .callForProjects], limit: 12),
        NoticeQuery(text: "france", source: "ted", limit: 20),
    ]

    /// Newest first with text, both ways — FTS5's matches walked newest first (in rowid order) and checked, or a
    /// driving facet's range walked with the matches as a list (`walkBudget: 0` goes there at once) — answers as
    /// filtering every notice by the FTS5 match and the filters, then sorting by time and id, would. The seeded
    /// notices share their publication seconds ten by ten: the ties are ordered by id.
    @Test(arguments: newestWithText, [0, 1, NoticeStore.walkBudget])
    func newestWithTextAnswersAsTheWholeTableWould(_ q: NoticeQuery, _ walkBudget: Int) throws {
        let (tmp, store, all) = try seeded()
        _ = tmp
        let expr = try #require(FTSQuery.expression(q.text ?? ""))
        let matches = try store.read { db in
            try String.fetchSet(
                db,
                sql:
                    "SELECT n.id FROM notice_fts JOIN notice n ON n.key = (notice_fts.rowid & \(NoticeStore.ftsKeyMask))"
                    + " WHERE notice_fts MATCH ?",
                arguments: [expr])
        }
        let expected = reference(q, all, matches: matches)
        #expect(try store.searchStored(q, walkBudget: walkBudget).map(\.id) == expected)
        #expect(!expected.isEmpty)
        // These ask for no order: the default is newest first.
        #expect(q.order == .newest)
    }

    /// EXPLAIN QUERY PLAN of the facet walk with text: an index walked (the notice table reached by key or through
    /// `notice_recent`, the matches a list read once), sorting nothing but a CPV range of an unstored prefix length.
    @Test(arguments: newestWithText)
    func newestWithTextNeverScansNorSortsTheMatches(_ q: NoticeQuery) throws {
        let (tmp, store, _) = try seeded()
        _ = tmp
        let expr = try #require(FTSQuery.expression(q.text ?? ""))
        let plan = SearchPlan(q)
        let (sql, arguments) = NoticeStore.newestSQL(plan.matching(expr), wanted: 20)
        let steps = try store.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: StatementArguments(arguments)).map {
                $0["detail"] as String
            }
        }
        // The list of matches is read from FTS5 once (unranked): the only step allowed to scan.
        for step in steps where !step.hasPrefix("SCAN notice_fts VIRTUAL TABLE") {
            #expect(!step.hasPrefix("SCAN n") || step.contains("USING INDEX notice_recent"), "\(steps)")
            #expect(!step.hasPrefix("SCAN f"), "\(steps)")
            #expect(!step.hasPrefix("SCAN notice"), "\(steps)")
        }
        let isRange = plan.facets.first?.upper != nil
        #expect(steps.contains { $0.contains("TEMP B-TREE") } == isRange, "\(steps)")
    }

    /// EXPLAIN QUERY PLAN of the check of a batch of text matches against the filters: the notices reached by
    /// key first, each facet then checked by its primary key — never a facet's range walked to meet them.
    @Test(arguments: newestWithText)
    func aBatchOfMatchesIsCheckedByKey(_ q: NoticeQuery) throws {
        let (tmp, store, _) = try seeded()
        _ = tmp
        let plan = SearchPlan(q)
        let (sql, arguments) = NoticeStore.passedSQL([1, 2, 3, 5, 8], plan: plan)
        let steps = try store.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: StatementArguments(arguments)).map {
                $0["detail"] as String
            }
        }
        #expect(steps.first?.hasPrefix("SEARCH n USING INTEGER PRIMARY KEY") == true, "\(steps)")
        // A CPV prefix of an unstored length is a range of codes, checked per notice (its codes only).
        let isRange = plan.facets.contains { $0.upper != nil }
        for step in steps where step.hasPrefix("SEARCH g") {
            #expect(
                step.contains("facet=? AND t=? AND key=?") || (isRange && step.contains("facet>? AND facet<?")),
                "\(steps)")
        }
        #expect(!steps.contains { $0.hasPrefix("SCAN") }, "\(steps)")
    }

    /// EXPLAIN QUERY PLAN of each filter-only statement: the notice table is only reached by key (never scanned),
    /// and nothing is sorted but a CPV range of an unstored prefix length (a few codes' rows, not the table).
    @Test(arguments: filterOnly)
    func filterOnlyQueriesNeverScanTheTable(_ q: NoticeQuery) throws {
        let (tmp, store, _) = try seeded()
        _ = tmp
        let plan = SearchPlan(q)
        let (sql, arguments) = NoticeStore.newestSQL(plan, wanted: 20)
        let steps = try store.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: StatementArguments(arguments)).map {
                $0["detail"] as String
            }
        }
        for step in steps {
            #expect(!step.hasPrefix("SCAN n") || step.contains("USING INDEX notice_recent"), "\(steps)")
            #expect(!step.hasPrefix("SCAN f"), "\(steps)")
            #expect(!step.hasPrefix("SCAN notice"), "\(steps)")
        }
        let isRange = plan.facets.first?.upper != nil
        #expect(steps.contains { $0.contains("TEMP B-TREE") } == isRange, "\(steps)")
    }
}
