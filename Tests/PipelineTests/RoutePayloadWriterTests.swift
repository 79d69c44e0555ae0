import Classifier
import Digest
import Foundation
import Notices
import Store
import TestSupport
import Testing

@testable import Pipeline

/// The route payloads written without JSONEncoder are JSONEncoder's bytes (sorted keys), so stores written before
/// and after read the same and a payload's text still depends on its content only.
@Suite struct RoutePayloadWriterTests {
    /// JSONEncoder's text of a payload, as the pipeline wrote it before.
    static func foundation<T: Encodable>(_ value: T) throws -> String { try RouteMapping.encode(value) }

    /// Every payload of the real captures routed with the national test cluster: members reached, near misses,
    /// the watch, consortia and signals when the records call for them.
    @Test(.requiresShared) func everyPayloadOfARoutedRealCaptureIsJSONEncodersText() throws {
        let router = Router(rulebook: NearMissPageTests.rulebook)
        var counts: [String: Int] = [:]
        for notice in try NearMissPageTests.realNotices() {
            let result = router.route(notice, now: NearMissPageTests.night)
            for r in try RouteMapping.records(result, rulebook: router.rulebook) {
                let text = try #require(r.payload)
                let role = try #require(RouteRole(rawValue: r.role))
                // Decoded with JSONDecoder and written again by JSONEncoder: the text the writer gave.
                func rewritten<T: Codable>(_ type: T.Type) throws -> String? {
                    try RouteMapping.decode(type, text).map(Self.foundation)
                }
                let again: String?
                switch role {
                case .direct, .indirect: again = try rewritten(MemberRoutePayload.self)
                case .watch: again = try rewritten(WatchRoutePayload.self)
                case .consortium: again = try rewritten(ConsortiumRoutePayload.self)
                case .signal: again = try rewritten(SignalRoutePayload.self)
                case .nearMiss: again = try rewritten(NearMissRoutePayload.self)
                }
                #expect(text == again)
                counts[r.role, default: 0] += 1
            }
        }
        #expect(counts["direct", default: 0] > 0)
        #expect(counts["near_miss", default: 0] > 50)
        #expect(counts["watch", default: 0] > 0)
    }

    /// Text that JSON escapes, keys whose byte order is not their natural order (`m10` before `m9`, `Z` before
    /// `a`, `a_b` before `ab`), every optional field set, numbers whole and not.
    static let awkward = "Méca/Loire \"SA\" \\ tab\tline\nnul\u{1}\u{1F} é€😀 </script>"

    static let evidence = RouteEvidence(
        kind: .distance, field: .place, term: awkward, matched: "42/43", lotID: "lot/2", segment: "Usinage",
        weight: -0.5, declared: true, distance: 3)

    static let exclusion = RouteExclusion(
        filter: .territory, segment: "Usinage", term: awkward, field: .title, places: ["42", "Saint-Étienne/Loire"],
        distance: 4, maximumDistance: 2, site: "69", regions: ["84", "27"], outsideFrance: true, value: 1e21,
        capacity: 250_000, leadDays: 2.5, minimumLeadDays: 5, score: 3.75, threshold: 4, noticeKind: .award,
        wantedKinds: [.tender, .callForProjects], upstream: "Forge", downstream: "Usinage")

    @Test func everyFieldAndEveryEscapeAsJSONEncoderWritesThem() throws {
        func same<T: Encodable & PayloadWritable>(_ value: T) throws {
            #expect(try PayloadWriter.text(value) == Self.foundation(value))
        }
        try same(Self.evidence)
        try same(RouteEvidence(kind: .keyword, field: .title, term: "usinage", weight: 3))
        try same(Self.exclusion)
        try same(RouteExclusion(filter: .weakMatch))
        try same(MemberRoutePayload(memberName: Self.awkward, segments: ["a/b", "é"], evidence: [Self.evidence]))
        try same(MemberRoutePayload(memberName: "", segments: [], evidence: []))
        try same(WatchRoutePayload(name: Self.awkward, recipients: ["a@b.example", "c/d"], evidence: [Self.evidence]))
        let keys = ["m9": "x", "m10": "y", "Z": "z", "a": "\"", "a_b": "1", "ab": "2", "é": "3", "/": "4"]
        try same(
            ConsortiumRoutePayload(
                members: ["m10", "m9"], names: keys, lead: "m10", contributions: keys.mapValues { [$0, "/"] },
                need: .valueExceedsCapacity, uncovered: ["Forge"], suppliers: keys, combinedCapacity: 0.1,
                value: 1_234_567.89, lotID: "3"))
        try same(
            ConsortiumRoutePayload(
                members: [], names: [:], lead: "", contributions: [:], need: .both, uncovered: [], suppliers: [:]))
        try same(
            SignalRoutePayload(
                reason: "value_exceeds_capacity", segments: ["Usinage"], lotID: "1", value: 900_000,
                largestCapacity: 250_000.5, combinedCapacity: -0.0, members: [Self.awkward]))
        try same(SignalRoutePayload(reason: "", segments: [], members: []))
        try same(NearMissRoutePayload(memberName: Self.awkward, exclusion: Self.exclusion, score: 5))
        try same(NearMissRoutePayload(memberName: "m", exclusion: RouteExclusion(filter: .kind), score: 0.3))
        // A number JSON cannot hold is an error, as with JSONEncoder.
        #expect(throws: PipelineError.self) {
            try PayloadWriter.text(NearMissRoutePayload(memberName: "m", exclusion: Self.exclusion, score: .nan))
        }
    }

    /// The writer names each field by hand: a field added to a payload type must be added there too. These are
    /// the fields it writes; the count fails first when a type gains one.
    @Test(arguments: [
        (Mirror(reflecting: evidence).children.count, 9),
        (Mirror(reflecting: exclusion).children.count, 20),
        (Mirror(reflecting: MemberRoutePayload(memberName: "", segments: [], evidence: [])).children.count, 3),
        (Mirror(reflecting: WatchRoutePayload(name: "", recipients: [], evidence: [])).children.count, 3),
        (
            Mirror(
                reflecting: ConsortiumRoutePayload(
                    members: [], names: [:], lead: "", contributions: [:], need: .both, uncovered: [], suppliers: [:])
            ).children.count, 10
        ),
        (Mirror(reflecting: SignalRoutePayload(reason: "", segments: [], members: [])).children.count, 7),
        (
            Mirror(reflecting: NearMissRoutePayload(memberName: "", exclusion: exclusion, score: 0)).children.count,
            3
        ),
    ])
    func theWriterKnowsEveryField(found: Int, written: Int) {
        #expect(found == written)
    }
}
