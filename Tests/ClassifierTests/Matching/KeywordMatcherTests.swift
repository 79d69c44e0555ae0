import Foundation
import Testing
@testable import Classifier

@Suite struct KeywordMatcherTests {
    /// (pattern, matched text) pairs of one scan.
    func matches(_ keywords: [String], in text: String) -> [(String, String)] {
        let b = KeywordMatcher.Builder()
        var ids: [Int32: String] = [:]
        for k in keywords { if let id = b.add(k) { ids[id] = k } }
        let m = b.build()
        var out: [(String, String)] = []
        let bytes = Array(text.utf8)
        m.scan(text, state: ScanState()) { pid, s, e in
            out.append((ids[pid]!, String(decoding: bytes[s..<e], as: UTF8.self)))
        }
        return out
    }

    @Test func wordsPhrasesAndPrefixes() {
        let got = matches(
            ["usinage", "décollet*", "maintenance industrielle", "pièces de rechange", "forge"],
            in: "DÉCOLLETAGE et Usinages ; la maintenance  industrielle des pièces rechange, forgeron, décol")
        #expect(got.map(\.0) == ["décollet*", "usinage", "maintenance industrielle", "pièces de rechange"])
        #expect(got.map(\.1) == ["DÉCOLLETAGE", "Usinages", "maintenance  industrielle", "pièces rechange"])
    }

    @Test func phrasesNeedConsecutiveWords() {
        #expect(matches(["maintenance industrielle"], in: "maintenance de l'usine industrielle").isEmpty)
        #expect(matches(["maintenance industrielle"], in: "maintenance. Industrielle").count == 1)
        // Overlapping phrases and their sub-words all report.
        let got = matches(
            ["pièce* mécanique*", "mécaniques", "pièces mécaniques de précision"],
            in: "Pièces mécaniques de précision")
        #expect(Set(got.map(\.0)) == ["pièce* mécanique*", "mécaniques", "pièces mécaniques de précision"])
    }

    @Test func wordsStartingManyPhrases() {
        // "pompe" starts 40 phrases: its node gets a wide child signature; every phrase still matches exactly.
        let keywords = (1...40).map { "pompe modele\($0)" } + ["pompe", "modele7"]
        let got = matches(keywords, in: "Pompes modele7 et pompe modele33, pompe modele99")
        // At each word, one-word patterns report before the phrases ending there.
        #expect(got.map(\.0) == ["pompe", "modele7", "pompe modele7", "pompe", "pompe modele33", "pompe"])
        #expect(got.map(\.1) == ["Pompes", "modele7", "Pompes modele7", "pompe", "pompe modele33", "pompe"])
    }

    @Test(arguments: [60, 62, 63, 64, 65, 127, 128])
    func phrasesAcrossScanBatches(_ fillers: Int) {
        // The scanner works in batches of tokens: a phrase straddling two batches must still match, with its
        // start offset from the previous batch.
        let text = (0..<fillers).map { "mot\($0)" }.joined(separator: " ") + " maintenance de la chaudière industrielle"
        let got = matches(["maintenance chaudière industrielle", "chaudière"], in: text)
        #expect(got.map(\.0) == ["chaudière", "maintenance chaudière industrielle"])
        #expect(got.last?.1 == "maintenance de la chaudière industrielle")
    }

    @Test func randomBytesNeverCrashAndOffsetsStayInRange() {
        let b = KeywordMatcher.Builder()
        for k in ["usinage", "é", "pièce* mécanique", "ab", "l'eau", "œuvre*"] { b.add(k) }
        let m = b.build()
        let state = ScanState()
        var seed: UInt64 = 7
        let alphabet: [UInt8] = Array("usinageé œ’' -*".utf8) + [0xC3, 0xE2, 0x80, 0x99, 0xFF, 0x00, 0xF0]
        for _ in 0..<2_000 {
            var bytes: [UInt8] = []
            for _ in 0..<Int(seed % 120) {
                seed = seed &* 6364136223846793005 &+ 1442695040888963407
                bytes.append(alphabet[Int(seed >> 33) % alphabet.count])
            }
            bytes.withUnsafeBufferPointer { bp in
                guard let base = bp.baseAddress else { return }
                m.scan(base, count: bp.count, state: state) { pid, s, e in
                    #expect(pid >= 0 && Int(pid) < m.patternCount)
                    #expect(s >= 0 && s < e && e <= bp.count)
                }
            }
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
        }
    }

    @Test func duplicatesShareOnePattern() {
        let b = KeywordMatcher.Builder()
        let a = b.add("Pièces mécaniques")
        let c = b.add("pièce mécanique")
        #expect(a != nil && a == c)
        #expect(b.add("de la") == nil)
        #expect(b.add("") == nil)
        #expect(b.build().patternCount == 1)
    }

    @Test func veryLongTokensNeverMatchAndDoNotCrash() {
        let long = String(repeating: "a", count: 500)
        #expect(matches(["usinage"], in: "\(long) usinage \(long)").count == 1)
        #expect(matches([long], in: long).isEmpty)
    }

    @Test func invalidUTF8AndControlBytesAreSeparators() {
        let b = KeywordMatcher.Builder()
        let id = b.add("usinage")!
        let m = b.build()
        let bytes: [UInt8] = [
            0xFF, 0x75, 0x73, 0x69, 0x6E, 0x61, 0x67, 0x65, 0xC3, 0x00, 0x75, 0x73, 0x69, 0x6E, 0x61,
            0x67, 0x65, 0xE2,
        ]
        var hits: [Int32] = []
        bytes.withUnsafeBufferPointer { bp in
            m.scan(bp.baseAddress!, count: bp.count, state: ScanState()) { p, _, _ in hits.append(p) }
        }
        #expect(hits == [id, id])
    }
}
