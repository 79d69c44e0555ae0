import Foundation
import Notices
import Parser
import TestSupport
import Testing

@testable import Digest

/// The JSON digest's byte writer against JSONEncoder (NoticeJSON's options), the reference it replaces: same bytes
/// on the golden digest, on the empty one, and on digests built from every notice of the real captures (titles,
/// buyers and summaries as the services send them: accents, quotes, slashes, control characters, long texts).
@Suite struct JSONByteWriterTests {
    /// The reference: JSONEncoder through `NoticeJSON`, as the renderer did before the byte writer.
    static func reference(_ input: DigestInput) throws -> [UInt8] {
        var data = try NoticeJSON.encoder(pretty: true).encode(
            JSONDigestRenderer.Envelope(
                schemaVersion: JSONDigestRenderer.schemaVersion(of: input), generator: "vigie", digest: input))
        data.append(0x0A)
        return Array(data)
    }

    /// Where the two outputs part, for a readable failure.
    static func firstDifference(_ a: [UInt8], _ b: [UInt8]) -> String {
        let i = Array(zip(a, b)).firstIndex { $0 != $1 } ?? min(a.count, b.count)
        let lo = max(0, i - 80)
        return "at byte \(i): writer «\(String(decoding: a[lo..<min(a.count, i + 80)], as: UTF8.self))» "
            + "encoder «\(String(decoding: b[lo..<min(b.count, i + 80)], as: UTF8.self))»"
    }

    static func expectSameBytes(_ input: DigestInput, _ label: String) throws {
        let mine = try JSONDigestRenderer().render(input)
        let reference = try reference(input)
        #expect(mine == reference, "\(label): \(firstDifference(mine, reference))")
        // Written by the one-pass stream, not by the tree writer it falls back to.
        let envelope = JSONDigestRenderer.Envelope(
            schemaVersion: JSONDigestRenderer.schemaVersion(of: input), generator: "vigie", digest: input)
        let stream = JSONByteWriter.Stream()
        try stream.value(envelope, depth: 0)
        #expect(!stream.failed, "\(label): the stream gave up")
        #expect(stream.frames.isEmpty && stream.out + [0x0A] == reference, "\(label): the stream's bytes differ")
    }

    @Test func theGoldenDigestIsWrittenAsJSONEncoderWritesIt() throws {
        try Self.expectSameBytes(SampleDigest.input, "cluster")
        try Self.expectSameBytes(SampleDigest.input.forMember(id: "usinage-forez", name: "Usinage du Forez"), "member")
        try Self.expectSameBytes(
            DigestInput(clusterID: "vide", clusterName: "Pôle vide", runDate: SampleDigest.now), "empty")
    }

    @Test(arguments: [
        "a", "\"quoted\" \\ back/slash", "tab\there\nline\r\u{08}\u{0C}\u{01}\u{1F}\u{7F}", "é « » \u{2028} 😀",
        "", "e\u{301}",
    ])
    func stringsAreEscapedAsJSONEncoderEscapesThem(_ s: String) throws {
        var mine: [UInt8] = []
        JSONByteWriter.writeString(s, into: &mine)
        #expect(mine == Array(try NoticeJSON.encoder().encode(s)))
    }

    @Test(arguments: [0.0, 1, 2.5, 0.82, -3, 1e20, 1e-7, 123_456_789.125, 1.0 / 3])
    func numbersAreWrittenAsJSONEncoderWritesThem(_ d: Double) throws {
        var mine: [UInt8] = []
        try JSONByteWriter.writeFloat(d, into: &mine)
        #expect(mine == Array(try NoticeJSON.encoder().encode(d)))
        let decimal = Decimal(d)
        #expect(try JSONByteWriter.encode(decimal) == Array(try NoticeJSON.encoder().encode(decimal)))
    }

    @Test func keysAreSortedByTheirBytesAndTheLastValueOfAKeyWins() throws {
        // Member ids and source names are dictionary keys: upper case before lower case, digits by their bytes.
        let map = ["b": 1, "B": 2, "a10": 3, "a9": 4, "é": 5, "e": 6, "": 7]
        #expect(try JSONByteWriter.encode(map) == Array(try NoticeJSON.encoder(pretty: true).encode(map)))
        struct Twice: Encodable {
            enum K: String, CodingKey { case x, y }
            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: K.self)
                var nested = c.nestedUnkeyedContainer(forKey: .y)
                try c.encode("first", forKey: .x)
                try c.encode("second", forKey: .x)
                try nested.encode(true)
            }
        }
        #expect(try JSONByteWriter.encode(Twice()) == Array(try NoticeJSON.encoder(pretty: true).encode(Twice())))
        // `Twice` writes to its nested array after the container's later keys: the stream gives up, the tree writes.
        let stream = JSONByteWriter.Stream()
        try stream.value(Twice(), depth: 0)
        #expect(stream.failed)
    }

    /// Objects whose keys come out of order, nested in objects and arrays, empty ones, a dictionary in an array of
    /// dictionaries: the stream puts each object's entries in order where it ends, the same bytes as JSONEncoder.
    @Test func objectsWrittenOutOfOrderAreLaidOutAsJSONEncoderLaysThemOut() throws {
        struct Shuffled: Encodable {
            enum K: String, CodingKey { case zeta, alpha, mid, empty, list, none }
            struct Nothing: Encodable { func encode(to encoder: any Encoder) throws {} }
            var depth: Int
            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: K.self)
                try c.encode("z\n\"", forKey: .zeta)
                if depth > 0 { try c.encode(Shuffled(depth: depth - 1), forKey: .mid) }
                try c.encode([[String: Int]](), forKey: .empty)
                try c.encode([["b": 2, "a": 1], [:], ["é": 3, "E": 4, "e": 5]], forKey: .list)
                try c.encode(Nothing(), forKey: .none)
                try c.encode(1.5, forKey: .alpha)
                try c.encode(-7, forKey: .alpha)
            }
        }
        for value in [Shuffled(depth: 0), Shuffled(depth: 3)] {
            let reference = Array(try NoticeJSON.encoder(pretty: true).encode(value))
            let stream = JSONByteWriter.Stream()
            try stream.value(value, depth: 0)
            #expect(!stream.failed)
            #expect(stream.out == reference, "\(Self.firstDifference(stream.out, reference))")
            #expect(try JSONByteWriter.encode(value) == reference)
        }
    }

    /// Objects whose keys each came once are put in order in place: entries already at their place stay, the
    /// largest of the others moves once. The same bytes as JSONEncoder whichever entry is the largest, whatever
    /// came in order, in an array of them and in a keyed value that comes back (written once, then copied).
    @Test(arguments: [
        ["a", "d", "c", "b", "e"], ["e", "d", "c", "b", "a"], ["b", "a", "c", "d", "e"], ["a", "c", "b"],
    ])
    func objectsPutInOrderInPlaceAreWrittenAsJSONEncoderWritesThem(_ arrival: [String]) throws {
        struct Keys: Encodable {
            var arrival: [String]
            var large: Int
            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: AnyKey.self)
                for (i, k) in arrival.enumerated() {
                    if i == large {
                        try c.encode([String](repeating: "long value \(i)", count: 20), forKey: AnyKey(k))
                    } else {
                        try c.encode("v\(i)", forKey: AnyKey(k))
                    }
                }
            }
        }
        struct AnyKey: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(_ s: String) { stringValue = s }
            init?(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }
        let exclusion = RouteExclusion(filter: .territory, places: ["42"], distance: 3)
        let value = (0...arrival.count).map { Keys(arrival: arrival, large: $0) }
        let reference = Array(try NoticeJSON.encoder(pretty: true).encode(value))
        let stream = JSONByteWriter.Stream()
        try stream.value(value, depth: 0)
        #expect(!stream.failed)
        #expect(stream.out == reference, "\(Self.firstDifference(stream.out, reference))")
        let twice = [exclusion, exclusion]
        #expect(try JSONByteWriter.encode(twice) == Array(try NoticeJSON.encoder(pretty: true).encode(twice)))
    }

    /// Evidence is written once per digest and copied after: only where it writes the same bytes. `==` finds
    /// `é` and `e` + U+0301 equal, and `-0.0` and `0.0`, but JSON writes them apart.
    @Test func evidenceIsReusedOnlyWhereItWritesTheSameBytes() throws {
        let composed = RouteEvidence(
            kind: .keyword, field: .title, term: "décollet*", matched: "Décolletage", segment: "Usinage", weight: 0)
        var decomposed = composed
        decomposed.matched = "De\u{301}colletage"
        var negative = composed
        negative.weight = -0.0
        #expect(composed == decomposed && composed == negative)
        var input = SampleDigest.input
        let variants = [[composed, decomposed], [decomposed, negative], [negative, composed]]
        for m in input.members.indices {
            for i in input.members[m].items.indices {
                input.members[m].items[i].evidence = variants[(m + i) % variants.count]
                input.members[m].items[i].memberEvidence = [input.members[m].memberID: variants[i % variants.count]]
            }
        }
        try Self.expectSameBytes(input, "evidence equal but written apart")
        // The key lists every stored field of `RouteEvidence`: one it missed would make different evidence share
        // its bytes.
        #expect(Mirror(reflecting: composed).children.count == 9)
    }

    /// Encode speed of the staff digest of the real captures: the stream against the tree writer (printed, for
    /// the record; the figures that count come from `vigie-bench run`).
    @Test(.requiresShared) func theStreamIsFasterThanTheTree() throws {
        var notices: [Notice] = []
        for path in Self.captures { notices += try Self.notices(path) }
        let input = Self.digest(of: notices, now: SampleDigest.now)
        let envelope = JSONDigestRenderer.Envelope(schemaVersion: 2, generator: "vigie", digest: input)
        func time(_ f: () throws -> [UInt8]) rethrows -> (bytes: Int, seconds: Double) {
            let start = Date()
            var bytes = 0
            for _ in 0..<5 { bytes = try f().count }
            return (bytes, Date().timeIntervalSince(start) / 5)
        }
        let tree = try time { try JSONByteWriter.encodeTree(envelope) }
        let stream = try time { try JSONByteWriter.encode(envelope) }
        #expect(tree.bytes == stream.bytes)
        let mb = Double(stream.bytes) / 1e6
        print(
            "JSON digest of \(notices.count) notices, \(stream.bytes) bytes: tree \(Int(mb / tree.seconds)) MB/s, "
                + "stream \(Int(mb / stream.seconds)) MB/s")
    }

    /// `ISO8601.format` writes its digits itself (every date of every digest): the same text as the
    /// `String(format:)` it replaced, over a century of instants and every kind of offset.
    @Test func datesAreFormattedAsBefore() {
        func reference(_ date: Date, _ offset: Int) -> String {
            let t = Int(date.timeIntervalSince1970.rounded(.down)) + offset
            let days = Int((Double(t) / 86_400).rounded(.down))
            let secs = t - days * 86_400
            let (y, m, d) = ISO8601.civil(fromDays: days)
            var s = String(
                format: "%04d-%02d-%02dT%02d:%02d:%02d", y, m, d, secs / 3600, (secs % 3600) / 60, secs % 60)
            let a = abs(offset)
            s += offset == 0 ? "Z" : String(format: "%@%02d:%02d", offset < 0 ? "-" : "+", a / 3600, (a % 3600) / 60)
            return s
        }
        var checked = 0
        for step in stride(from: -2_208_988_800.0, to: 4_102_444_800, by: 7_777_777.7) {
            for offset in [0, 3_600, 7_200, -18_000, 19_800, -34_200, 50_400] {
                let date = Date(timeIntervalSince1970: step)
                #expect(ISO8601.format(date, offset: offset) == reference(date, offset))
                checked += 1
            }
        }
        #expect(checked > 5_000)
        #expect(ISO8601.format(SampleDigest.now) == "2026-05-05T02:00:00Z")
    }

    /// The real captures the adapters read, one notice list per file.
    static let captures = [
        "samples/real/boamp/DERIVED-unwrapped-data-of-jpbenga-where-dateparution-2026.json",
        "samples/real/boamp/kivou-boamp-records-4-awards-2026-08.json",
        "samples/real/ted/ted-619675-2026-FRA-buyer.json",
        "samples/real/ted/kivou-612553-2026-CNES-cn.xml",
        "samples/real/aides-territoires/offseason-AT_aides_full-2021-11-26-TRIMMED.json",
        "samples/real/decp/decp-rama-e-marchespublics-2019-04-03.json",
    ]

    static func notices(_ path: String) throws -> [Notice] {
        let source = path.split(separator: "/")[2]
        return try DocumentParser.parse(
            try SharedData.bytes(path), options: ParseOptions(sourceID: String(source), documentName: path)
        ).notices
    }

    /// A digest that puts every notice in every section a digest has, with evidence, changes, near misses,
    /// consortia and sources, so each field of the JSON layout is written.
    static func digest(of notices: [Notice], now: Date) -> DigestInput {
        let evidence = [
            RouteEvidence(
                kind: .keyword, field: .title, term: "décollet*", matched: "Décolletage", segment: "Usinage",
                weight: 3),
            RouteEvidence(kind: .cpv, field: .cpv, term: "42", matched: "42621000-5", segment: "Usinage", weight: 2.5),
        ]
        let items = notices.enumerated().map { i, n in
            DigestItem(
                notice: n, score: Double(i % 7) * 0.75 + 0.1, evidence: evidence, segments: ["Usinage"],
                direct: i % 3 == 0 ? nil : i % 3 == 1, members: ["Usinage du Forez", "Méca/Loire \"SA\""],
                memberIDs: ["usinage-forez", "meca-loire"], memberEvidence: ["meca-loire": evidence, "A10": []],
                alsoPublishedOn: i % 2 == 0 ? ["ted"] : [])
        }
        var d = DigestInput(clusterID: "pole-meca", clusterName: "Pôle « Méca » / Loire", runDate: now)
        d.members = [
            // In reading order, as the assembler writes every section.
            MemberSection(
                memberID: "usinage-forez", memberName: "Usinage du Forez",
                items: items.sorted(by: DigestAssembler.readingOrder)),
            MemberSection(memberID: "vide", memberName: "Vide", items: []),
        ]
        d.calls = items.filter { $0.notice.kind == .callForProjects }
        d.deadlinesSoon = Array(items.prefix(3))
        d.window = notices.map {
            WindowEntry(
                notice: $0, sentAt: now.addingTimeInterval(-86_400), members: ["Usinage du Forez"],
                memberIDs: ["usinage-forez"])
        }
        d.changed = notices.prefix(2).map {
            ChangedItem(
                notice: $0, changes: [NoticeChange(field: "deadline", old: "2026-06-01T12:00:00+02:00", new: nil)],
                audiences: [.member(id: "usinage-forez"), .watch(name: "Rail"), .consortium],
                memberNames: ["usinage-forez": "Usinage du Forez"], toldAt: now.addingTimeInterval(-3_600))
        }
        d.nearMisses = notices.prefix(2).map {
            NearMissItem(
                notice: $0, memberID: "usinage-forez", memberName: "Usinage du Forez",
                exclusion: RouteExclusion(filter: .territory, places: ["42", "2A"], distance: 3, value: 1.5e6),
                score: 1.5)
        }
        d.sources = [
            SourceHealth(sourceID: "boamp", name: "BOAMP", status: .ok, newNotices: notices.count),
            SourceHealth(
                sourceID: "ted", status: .failing, consecutiveFailures: 2, lastError: "HTTP 503\nretry",
                httpStatus: 503, newNotices: 0),
        ]
        d.sourceNames = ["boamp": "BOAMP", "ted": "TED", "Zed": "Z"]
        d.staffContact = "veille@pole.example"
        d.publicURL = "https://pole.example/veille/"
        return d
    }

    @Test(.requiresShared, arguments: captures)
    func digestsOfTheRealCapturesAreWrittenAsJSONEncoderWritesThem(_ path: String) throws {
        let notices = try Self.notices(path)
        try #require(!notices.isEmpty, "\(path): no notice parsed")
        let input = Self.digest(of: notices, now: SampleDigest.now)
        try Self.expectSameBytes(input, path)
        try Self.expectSameBytes(input.forMember(id: "usinage-forez", name: "Usinage du Forez"), path + " (member)")
    }

    @Test(.requiresShared) func theWrittenDigestHoldsWhatTheCaptureSays() throws {
        // kivou-boamp-records-4-awards-2026-08.json: four records, `idweb` 26-80978 first, its `objet` as is.
        let notices = try Self.notices("samples/real/boamp/kivou-boamp-records-4-awards-2026-08.json")
        #expect(notices.map(\.sourceID) == ["26-80978", "26-80922", "26-81190", "26-80528"])
        let json = String(
            decoding: try JSONDigestRenderer().render(Self.digest(of: notices, now: SampleDigest.now)), as: UTF8.self)
        #expect(
            json.contains(
                "\"title\" : \"Prestation de transport de personnes pour la ville de Saint-Orens de Gameville et le CCAS\""
            ))
        let back = try JSONDigestRenderer.decode(
            try JSONDigestRenderer().render(Self.digest(of: notices, now: SampleDigest.now)))
        #expect(
            Set(back.members.first?.items.map(\.notice.sourceID) ?? [])
                == ["26-80978", "26-80922", "26-81190", "26-80528"])
    }
}
