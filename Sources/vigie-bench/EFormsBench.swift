import Foundation
import Notices
import Parser

/// eForms notice throughput: Vigie's eForms adapter against a bare libxml2 reader walk of the same files.
///
/// The corpus is generated from the repository's own invented eForms fixtures
/// (`Tests/ParserTests/Fixtures/Formats/eforms-*.xml`: contract, prior information with parts, award and change
/// notices), each copy perturbed with a seeded generator — new notice ids and publication numbers, titles,
/// amounts, CPV codes, NUTS codes, dates, and between one and eight lots — and written one notice per file, as in
/// a TED daily package. Both sides read the same files:
/// - baseline: `XMLWalkBaseline` (libxml2 `xmlTextReader` copying every text node into a Swift string);
/// - vigie: `NoticeXMLDispatcher.parse`, the path every TED package member takes (root check, streaming eForms
///   parse, normalised `Notice` with buyer, values, places, deadlines).
public enum EFormsBench {
    public enum BenchError: Error, CustomStringConvertible {
        case fixturesMissing(String)
        case parseFailed(String)

        public var description: String {
            switch self {
            case .fixturesMissing(let path): return "bench: eForms fixtures not found in \(path)"
            case .parseFailed(let why): return "bench: \(why)"
            }
        }
    }

    /// Generates about `corpusMB` megabytes of notices from `seed`, measures both sides (best of three runs each)
    /// and returns MB/s of each, notices per second of Vigie, and vigie/baseline.
    public static func measure(corpusMB: Int, seed: UInt64) throws
        -> (baselineMBs: Double, vigieMBs: Double, noticesPerSecond: Double, ratio: Double) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigie-bench-eforms-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let (files, bytes) = try writeCorpus(megabytes: max(1, corpusMB), seed: seed, into: dir.path)
        let mb = Double(bytes) / 1_048_576

        var baselineBest = Double.infinity
        var vigieBest = Double.infinity
        var notices = 0
        for _ in 0..<3 {
            let t0 = DispatchTime.now().uptimeNanoseconds
            var texts = 0
            for f in files { texts += try XMLWalkBaseline.walk(path: f).textNodes }
            let t1 = DispatchTime.now().uptimeNanoseconds
            precondition(texts > 0)
            baselineBest = min(baselineBest, Double(t1 - t0) / 1e9)

            let t2 = DispatchTime.now().uptimeNanoseconds
            notices = 0
            for f in files {
                guard let data = FileManager.default.contents(atPath: f) else {
                    throw BenchError.parseFailed("cannot read \(f)")
                }
                let doc = try NoticeXMLDispatcher.parse([UInt8](data), documentName: f,
                                                        options: ParseOptions(sourceID: "ted"))
                notices += doc.notices.count
            }
            let t3 = DispatchTime.now().uptimeNanoseconds
            vigieBest = min(vigieBest, Double(t3 - t2) / 1e9)
        }
        guard notices == files.count else {
            throw BenchError.parseFailed("\(files.count) files gave \(notices) notices")
        }
        let baselineMBs = mb / baselineBest
        let vigieMBs = mb / vigieBest
        return (baselineMBs, vigieMBs, Double(notices) / vigieBest, vigieMBs / baselineMBs)
    }

    /// The fixtures folder, found from this source file's location in the checkout.
    static var fixturesDirectory: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Tests/ParserTests/Fixtures/Formats").path
    }

    /// Writes perturbed notices until `megabytes` are reached; returns the file paths and total size.
    static func writeCorpus(megabytes: Int, seed: UInt64, into dir: String) throws -> ([String], Int) {
        let names = ["eforms-cn-mecanique.xml", "eforms-pin-parts.xml", "eforms-can-mecanique.xml",
                     "eforms-change-mecanique.xml"]
        let templates = try names.map { name -> String in
            let path = fixturesDirectory + "/" + name
            guard let data = FileManager.default.contents(atPath: path) else { throw BenchError.fixturesMissing(path) }
            return String(decoding: data, as: UTF8.self)
        }
        var rng = Generator(seed: seed)
        var files: [String] = []
        var total = 0
        let target = megabytes * 1_048_576
        var n = 0
        while total < target {
            let text = perturb(templates[Int(rng.next() % UInt64(templates.count))], index: n, rng: &rng)
            let path = dir + String(format: "/%08d_2026.xml", 100_000 + n)
            let data = Data(text.utf8)
            try data.write(to: URL(fileURLWithPath: path))
            files.append(path)
            total += data.count
            n += 1
        }
        return (files, total)
    }

    static let words = ["fourniture", "maintenance", "usinage", "chaudronnerie", "robotique", "machines-outils",
                        "électricité", "réseaux", "traitement", "surfaces", "capteurs", "nucléaire", "énergie",
                        "emballage", "spiritueux", "tonnellerie", "métrologie", "soudage", "presse", "automatismes"]
    static let cpvs = ["42600000", "42636000", "50530000", "45316110", "31681500", "44618300", "42150000",
                       "71300000", "38940000", "09340000", "15911100", "44600000"]
    static let nuts = ["FRK25", "FRK24", "FRK26", "FRI31", "FRI32", "FRB04", "FRL04", "FRD22", "FRC11", "FRJ23"]

    /// A copy of `template` with fresh identifiers and values; lots are duplicated to vary the notice size.
    static func perturb(_ template: String, index: Int, rng: inout Generator) -> String {
        var s = template
        func pick<T>(_ a: [T]) -> T { a[Int(rng.next() % UInt64(a.count))] }
        func uuid() -> String {
            let h = String(format: "%016llx%016llx", rng.next(), rng.next())
            let c = Array(h)
            return "\(String(c[0..<8]))-\(String(c[8..<12]))-4\(String(c[13..<16]))-8\(String(c[17..<20]))-\(String(c[20..<32]))"
        }
        for old in ["3f2a9c1e-7d41-4b8e-9a55-0c6d2e8f1a77", "9d0e1f2a-3b4c-4d5e-8f60-718293a4b5c6",
                    "c0ffee00-1234-4abc-9def-00aa11bb22cc", "b81c44d0-1e2f-4c3a-8d9e-5f6a7b8c9d01"] {
            s = s.replacingOccurrences(of: old, with: uuid())
        }
        for old in ["00612345-2026", "00598765-2026", "00701234-2026", "00623456-2026"] {
            s = s.replacingOccurrences(of: old, with: String(format: "%08d-2026", 100_000 + index))
        }
        let title = (0..<6).map { _ in pick(words) }.joined(separator: " ")
        s = s.replacingOccurrences(of: "Fourniture de machines-outils à commande numérique et maintenance associée",
                                   with: "Marché \(index) : \(title)")
        s = s.replacingOccurrences(of: "1850000", with: String(10_000 + rng.next() % 9_000_000))
        s = s.replacingOccurrences(of: "42600000", with: pick(cpvs))
        s = s.replacingOccurrences(of: ">FRK25<", with: ">\(pick(nuts))<")
        s = s.replacingOccurrences(of: "2026-11-27+01:00", with: String(format: "2026-%02d-%02d+01:00",
                                                                        1 + rng.next() % 12, 1 + rng.next() % 28))
        // Repeat the last lot (1 to 8 lots in all), as real notices range from one lot to dozens.
        if let start = s.range(of: "<cac:ProcurementProjectLot>", options: .backwards),
           let end = s.range(of: "</cac:ProcurementProjectLot>", options: .backwards) {
            let lot = String(s[start.lowerBound..<end.upperBound])
            let extra = Int(rng.next() % 7)
            var copies = ""
            for k in 0..<extra {
                copies += "\n  " + lot.replacingOccurrences(of: ">LOT-0002<", with: String(format: ">LOT-%04d<", 3 + k))
                    .replacingOccurrences(of: ">PAR-0002<", with: String(format: ">PAR-%04d<", 3 + k))
            }
            s.insert(contentsOf: copies, at: end.upperBound)
        }
        return s
    }

    /// A small seeded generator (SplitMix64): the same seed always gives the same corpus.
    struct Generator {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }
}
