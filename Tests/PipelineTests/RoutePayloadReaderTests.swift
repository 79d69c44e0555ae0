import Classifier
import Foundation
import Notices
import TestSupport
import Testing

@testable import Pipeline

/// The byte-level reader of member and watch payloads gives JSONDecoder's values, and leaves to JSONDecoder what
/// it does not recognise (`RouteMapping.decode` then decodes or fails exactly as before).
@Suite struct RoutePayloadReaderTests {
    static func json<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }

    /// Read by the reader itself (not the fallback), equal to JSONDecoder's value and to `RouteMapping.decode`'s.
    static func read<T: Decodable & PayloadReadable & Equatable>(_ type: T.Type, _ text: String) throws -> T {
        let fast = try #require(PayloadReader.read(type, text), "not read by the reader: \(text)")
        #expect(fast == (try json(type, text)))
        #expect(try RouteMapping.decode(type, text) == fast)
        return fast
    }

    /// Left to JSONDecoder: `RouteMapping.decode` gives its value, or fails as it does.
    static func fallback<T: Decodable & PayloadReadable & Equatable>(_ type: T.Type, _ text: String) throws -> T? {
        #expect(PayloadReader.read(type, text) == nil, "the reader took \(text)")
        guard let expected = try? json(type, text) else {
            #expect(throws: PipelineError.self) { try RouteMapping.decode(type, text) }
            return nil
        }
        #expect(try RouteMapping.decode(type, text) == expected)
        return expected
    }

    /// Every member, watch and near-miss payload the writer gives for the real captures routed with the national test
    /// cluster reads as JSONDecoder reads it.
    @Test(.requiresShared) func everyMemberWatchAndNearMissPayloadOfRoutedRealCapturesReadsAsJSONDecoder() throws {
        let router = Router(rulebook: NearMissPageTests.rulebook)
        var counts: [String: Int] = [:]
        var evidence = 0
        var names = Set<String>()
        var filters = Set<RouteExclusion.Filter>()
        for notice in try NearMissPageTests.realNotices() {
            for r in try RouteMapping.records(
                router.route(notice, now: NearMissPageTests.night), rulebook: router.rulebook)
            {
                let text = try #require(r.payload)
                switch RouteRole(rawValue: r.role) {
                case .direct, .indirect:
                    let p = try Self.read(MemberRoutePayload.self, text)
                    evidence += p.evidence.count
                    names.insert(p.memberName)
                case .watch:
                    let p = try Self.read(WatchRoutePayload.self, text)
                    evidence += p.evidence.count
                case .nearMiss:
                    let p = try Self.read(NearMissRoutePayload.self, text)
                    filters.insert(p.exclusion.filter)
                default: continue
                }
                counts[r.role, default: 0] += 1
            }
        }
        #expect(counts["direct", default: 0] > 10)
        #expect(counts["watch", default: 0] > 0)
        #expect(counts["near_miss", default: 0] > 50)
        #expect(filters.count > 1)
        #expect(evidence > counts["direct", default: 0])
        // The rulebook's member names, with their accents, come back as written.
        #expect(names.isSubset(of: Set(NearMissPageTests.rulebook.clusters.flatMap { $0.members.map(\.name) })))
    }

    @Test func escapesAndNonASCIIReadAsJSONDecoderReadsThem() throws {
        // As the writer writes them: `\"`, `\\`, `\/`, `\n`, `\t`, `\u0001`; raw accents, euro sign and emoji.
        let awkward = "Méca/Loire \"SA\" \\ tab\tline\nnul\u{1}\u{1F} é€😀 </script>"
        let written = MemberRoutePayload(
            memberName: awkward, segments: ["a/b", "é", ""], evidence: [RoutePayloadWriterTests.evidence])
        let text = try PayloadWriter.text(written)
        #expect(text.contains("\\\"SA\\\""))
        #expect(try Self.read(MemberRoutePayload.self, text) == written)
        // Escapes the writer does not use, which JSON allows: `\u` for any character, surrogate pairs, `\b`, `\f`,
        // `\r`, upper- and lower-case hex.
        let escaped = """
            {"evidence":[],"member_name":"\\u00e9\\u00C9 \\ud83d\\ude00 \\b\\f\\r \\u0000 \\u20AC","segments":["\\/"]}
            """
        // A near miss with every field of its exclusion set, numbers such as `1e+21` among them.
        let miss = NearMissRoutePayload(
            memberName: awkward, exclusion: RoutePayloadWriterTests.exclusion, score: 3.75)
        #expect(try Self.read(NearMissRoutePayload.self, try PayloadWriter.text(miss)) == miss)
        let bare = NearMissRoutePayload(memberName: "A", exclusion: RouteExclusion(filter: .weakMatch), score: 0)
        #expect(try Self.read(NearMissRoutePayload.self, try PayloadWriter.text(bare)) == bare)
        let p = try Self.read(MemberRoutePayload.self, escaped)
        #expect(p.memberName == "éÉ 😀 \u{8}\u{C}\r \u{0} €")
        #expect(p.segments == ["/"])
    }

    @Test func emptyListsMissingOptionalKeysAndAnyKeyOrderRead() throws {
        let empty = try Self.read(MemberRoutePayload.self, #"{"evidence":[],"member_name":"","segments":[]}"#)
        #expect(empty == MemberRoutePayload(memberName: "", segments: [], evidence: []))
        // Payloads of builds that kept sentences: no segments, no evidence.
        let old = try Self.read(MemberRoutePayload.self, #"{"member_name":"Forez Usinage"}"#)
        #expect(old == MemberRoutePayload(memberName: "Forez Usinage", segments: [], evidence: []))
        // Evidence with only its required fields, numbers whole, negative, with exponent; white space.
        let text = """
            { "segments" : [ "Usinage" ] , "member_name" : "X",
              "evidence" : [ {"weight":3,"term":"usinage","kind":"keyword","field":"title"},
                             {"kind":"distance","field":"place","term":"42","weight":-0.5,"distance":2},
                             {"kind":"certification","field":"certification","term":"ISO 9001","weight":1.5e-3,
                              "declared":false,"lot_id":"2","matched":"ISO","segment":"Usinage"} ] }
            """
        let p = try Self.read(MemberRoutePayload.self, text)
        #expect(p.evidence.map(\.weight) == [3, -0.5, 0.0015])
        #expect(p.evidence[1].distance == 2)
        #expect(p.evidence[2].declared == false)
        #expect(p.evidence[0].matched == nil && p.evidence[0].lotID == nil && p.evidence[0].declared == nil)
        let watch = try Self.read(WatchRoutePayload.self, #"{"name":"Bâtiment"}"#)
        #expect(watch == WatchRoutePayload(name: "Bâtiment", recipients: [], evidence: []))
    }

    @Test func whatTheReaderDoesNotKnowIsJSONDecodersToDecodeOrRefuse() throws {
        // An extra key (a newer build's field): JSONDecoder ignores it, and so does the route.
        let extra = try Self.fallback(MemberRoutePayload.self, #"{"evidence":[],"member_name":"A","rank":1}"#)
        #expect(extra == MemberRoutePayload(memberName: "A", segments: [], evidence: []))
        // `null` for an optional field, a whole number written `2.0`, a repeated key.
        _ = try Self.fallback(
            MemberRoutePayload.self,
            #"{"evidence":[{"field":"title","kind":"keyword","matched":null,"term":"t","weight":1}],"member_name":"A"}"#
        )
        _ = try Self.fallback(
            MemberRoutePayload.self,
            #"{"evidence":[{"distance":2.0,"field":"place","kind":"distance","term":"t","weight":1}],"member_name":"A"}"#
        )
        _ = try Self.fallback(MemberRoutePayload.self, #"{"member_name":"A","member_name":"B"}"#)
        // An exclusion without its lists: refused by the synthesized decoder, so by `RouteMapping.decode`.
        let noLists = #"{"exclusion":{"filter":"capacity"},"member_name":"A","score":1}"#
        #expect(try Self.fallback(NearMissRoutePayload.self, noLists) == nil)
        // Refused by JSONDecoder too: an error, never an empty route.
        for bad in [
            #"{"member_name":"A","segments":["x"]"#,  // cut short
            #"{"segments":[]}"#,  // no name
            #"{"member_name":"\ud83d"}"#,  // a lone surrogate
            #"{"member_name":"A","evidence":[{"field":"title","kind":"rumour","term":"t","weight":1}]}"#,
            #"{"member_name":"A","evidence":[{"field":"title","kind":"keyword","term":"t","weight":01}]}"#,
            "{\"member_name\":\"tab\there\"}",  // a raw control character
            #"{"member_name":"A"} trailing"#,
        ] {
            let decoded = try? Self.fallback(MemberRoutePayload.self, bad)
            #expect(decoded == nil, "\(bad) decoded")
        }
    }
}
