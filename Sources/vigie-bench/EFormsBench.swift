import ArgumentParser
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
/// - baseline: `CWalk` (libxml2 `xmlTextReader` in C, copying every text node into a malloc'ed buffer);
/// - vigie: `NoticeXMLDispatcher.parse`, the path every TED package member takes (root check, eForms parse — libxml2's
///   SAX2 parser into `XMLEventBuffer` for plain notices —, normalised `Notice` with buyer, values, places,
///   deadlines).
public enum EFormsBench {
    /// Why a measurement could not be made (fixtures not found, a generated notice that did not parse).
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
    public static func measure(
        corpusMB: Int, seed: UInt64
    ) throws
        -> (baselineMBs: Double, vigieMBs: Double, noticesPerSecond: Double, ratio: Double, cpuRatio: Double)
    {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigie-bench-eforms-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let (files, bytes) = try writeCorpus(megabytes: max(1, corpusMB), seed: seed, into: dir.path)
        let mb = Double(bytes) / 1_048_576

        var baselineBest = Double.infinity
        var vigieBest = Double.infinity
        // CPU time of this thread as well: on a loaded machine wall time says more about the neighbours.
        var baselineCPU = Double.infinity
        var vigieCPU = Double.infinity
        var notices = 0
        for _ in 0..<3 {
            let c0 = threadCPUSeconds()
            let t0 = DispatchTime.now().uptimeNanoseconds
            var texts = 0
            for f in files { texts += Int(try CWalk.walk(path: f).text_nodes) }
            let t1 = DispatchTime.now().uptimeNanoseconds
            let c1 = threadCPUSeconds()
            precondition(texts > 0)
            baselineBest = min(baselineBest, Double(t1 - t0) / 1e9)
            baselineCPU = min(baselineCPU, c1 - c0)

            let c2 = threadCPUSeconds()
            let t2 = DispatchTime.now().uptimeNanoseconds
            notices = 0
            for f in files {
                guard let data = FileManager.default.contents(atPath: f) else {
                    throw BenchError.parseFailed("cannot read \(f)")
                }
                let doc = try NoticeXMLDispatcher.parse(
                    [UInt8](data), documentName: f,
                    options: ParseOptions(sourceID: "ted"))
                notices += doc.notices.count
            }
            let t3 = DispatchTime.now().uptimeNanoseconds
            vigieCPU = min(vigieCPU, threadCPUSeconds() - c2)
            vigieBest = min(vigieBest, Double(t3 - t2) / 1e9)
        }
        guard notices == files.count else {
            throw BenchError.parseFailed("\(files.count) files gave \(notices) notices")
        }
        let baselineMBs = mb / baselineBest
        let vigieMBs = mb / vigieBest
        return (baselineMBs, vigieMBs, Double(notices) / vigieBest, vigieMBs / baselineMBs, baselineCPU / vigieCPU)
    }

    /// CPU seconds used by the calling thread.
    static func threadCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    /// The fixtures folder, found from this source file's location in the checkout.
    static var fixturesDirectory: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Tests/ParserTests/Fixtures/Formats").path
    }

    /// Writes perturbed notices until `megabytes` are reached; returns the file paths and total size.
    static func writeCorpus(megabytes: Int, seed: UInt64, into dir: String) throws -> ([String], Int) {
        let names = [
            "eforms-cn-mecanique.xml", "eforms-pin-parts.xml", "eforms-can-mecanique.xml",
            "eforms-change-mecanique.xml",
        ]
        let templates = try names.map { name -> Template in
            let path = fixturesDirectory + "/" + name
            guard let data = FileManager.default.contents(atPath: path) else { throw BenchError.fixturesMissing(path) }
            return Template(String(decoding: data, as: UTF8.self))
        }
        var rng = Generator(seed: seed)
        var files: [String] = []
        var total = 0
        let target = megabytes * 1_048_576
        var n = 0
        while total < target {
            let bytes = templates[Int(rng.next() % UInt64(templates.count))].instance(index: n, rng: &rng)
            let path = dir + "/" + String(100_000_000 + n).dropFirst() + "_2026.xml"
            guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
                throw BenchError.parseFailed("cannot write \(path)")
            }
            files.append(path)
            total += bytes.count
            n += 1
        }
        return (files, total)
    }

    static let words = [
        "fourniture", "maintenance", "usinage", "chaudronnerie", "robotique", "machines-outils",
        "électricité", "réseaux", "traitement", "surfaces", "capteurs", "nucléaire", "énergie",
        "emballage", "spiritueux", "tonnellerie", "métrologie", "soudage", "presse", "automatismes",
    ]
    static let cpvs = [
        "42600000", "42636000", "50530000", "45316110", "31681500", "44618300", "42150000",
        "71300000", "38940000", "09340000", "15911100", "44600000",
    ]
    static let nuts = ["FRK25", "FRK24", "FRK26", "FRI31", "FRI32", "FRB04", "FRL04", "FRD22", "FRC11", "FRJ23"]

    /// A fixture cut once at the values to vary, so each copy is built by concatenation (Foundation's
    /// `replacingOccurrences` is far too slow on Linux to generate 100 MB).
    struct Template {
        enum Part {
            case text([UInt8])
            case uuid, publicationNumber, title, amount, cpv, nuts, deadline
        }
        var parts: [Part] = []
        /// The last lot, repeated 0 to 6 times after itself with new ids.
        var lotHead: [UInt8] = []
        var lotTail: [UInt8] = []

        init(_ source: String) {
            let markers: [(String, Part)] = [
                ("3f2a9c1e-7d41-4b8e-9a55-0c6d2e8f1a77", .uuid), ("9d0e1f2a-3b4c-4d5e-8f60-718293a4b5c6", .uuid),
                ("c0ffee00-1234-4abc-9def-00aa11bb22cc", .uuid), ("b81c44d0-1e2f-4c3a-8d9e-5f6a7b8c9d01", .uuid),
                ("00612345-2026", .publicationNumber), ("00598765-2026", .publicationNumber),
                ("00701234-2026", .publicationNumber), ("00623456-2026", .publicationNumber),
                ("Fourniture de machines-outils à commande numérique et maintenance associée", .title),
                ("1850000", .amount), ("42600000", .cpv), ("FRK25", .nuts), ("2026-11-27", .deadline),
                ("2026-12-04", .deadline),
            ]
            var rest = Substring(source)
            // Split off the last lot (its text is repeated verbatim apart from its id).
            var lot = ""
            if let start = source.range(of: "<cac:ProcurementProjectLot>", options: .backwards),
                let end = source.range(of: "</cac:ProcurementProjectLot>", options: .backwards)
            {
                lot = String(source[start.lowerBound..<end.upperBound])
                for id in [">LOT-0002<", ">PAR-0002<"] {
                    if let r = lot.range(of: id) {
                        lotHead = Array((lot[..<r.lowerBound] + ">" + id.dropFirst().prefix(4)).utf8)
                        lotTail = Array(("<" + lot[r.upperBound...]).utf8)
                    }
                }
            }
            while !rest.isEmpty {
                var best: (Range<Substring.Index>, Part)?
                for (m, part) in markers {
                    if let r = rest.range(of: m), best == nil || r.lowerBound < best!.0.lowerBound { best = (r, part) }
                }
                guard let (r, part) = best else {
                    parts.append(.text(Array(rest.utf8)))
                    break
                }
                parts.append(.text(Array(rest[..<r.lowerBound].utf8)))
                parts.append(part)
                rest = rest[r.upperBound...]
            }
        }

        func instance(index: Int, rng: inout Generator) -> [UInt8] {
            var out: [UInt8] = []
            out.reserveCapacity(64 * 1024)
            func pick<T>(_ a: [T]) -> T { a[Int(rng.next() % UInt64(a.count))] }
            let lotsEnd = Array("</cac:ProcurementProjectLot>".utf8)
            for part in parts {
                switch part {
                case .text(let t):
                    out += t
                case .uuid:
                    let h = String(rng.next(), radix: 16) + String(rng.next(), radix: 16) + "0000000000000000"
                    let c = Array(h.utf8)
                    out += c[0..<8]
                    out += Array("-".utf8)
                    out += c[8..<12]
                    out += Array("-4".utf8)
                    out += c[13..<16]
                    out += Array("-8".utf8)
                    out += c[17..<20]
                    out += Array("-".utf8)
                    out += c[20..<32]
                case .publicationNumber:
                    out += Array((String(100_000_000 + index).dropFirst() + "-2026").utf8)
                case .title:
                    out += Array(("Marché \(index) : " + (0..<6).map { _ in pick(words) }.joined(separator: " ")).utf8)
                case .amount:
                    out += Array(String(10_000 + rng.next() % 9_000_000).utf8)
                case .cpv:
                    out += Array(pick(cpvs).utf8)
                case .nuts:
                    out += Array(pick(nuts).utf8)
                case .deadline:
                    let m = 1 + rng.next() % 12
                    let d = 1 + rng.next() % 28
                    out += Array("2027-\(m < 10 ? "0" : "")\(m)-\(d < 10 ? "0" : "")\(d)".utf8)
                }
            }
            // Repeat the last lot (1 to 8 lots in all), as real notices range from one lot to dozens.
            if !lotHead.isEmpty, let end = lastRange(of: lotsEnd, in: out) {
                var extra: [UInt8] = []
                for k in 0..<Int(rng.next() % 7) {
                    extra += Array("\n  ".utf8)
                    extra += lotHead
                    extra += Array(String(10_003 + k).dropFirst().utf8)
                    extra += lotTail
                }
                out.insert(contentsOf: extra, at: end)
            }
            return out
        }

        func lastRange(of needle: [UInt8], in hay: [UInt8]) -> Int? {
            guard hay.count >= needle.count else { return nil }
            var i = hay.count - needle.count
            while i >= 0 {
                if hay[i] == needle[0] && Array(hay[i..<(i + needle.count)]) == needle { return i + needle.count }
                i -= 1
            }
            return nil
        }
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

/// `vigie-bench eforms`: the eForms part of `vigie-bench parse` alone (Vigie's eForms path against the libxml2 walk
/// of the same generated notices), to profile and measure the eForms parser without the feed phases.
struct EFormsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eforms",
        abstract: "eForms parsing throughput against a libxml2 reader walk of the same files.")

    @Option(help: "Size of the generated eForms corpus in MB (one notice per file).")
    var mb = 20

    @Option(help: "Seed of the generated corpus.")
    var seed: UInt64 = 42

    @Flag(help: "Print one JSON line.")
    var json = false

    func run() throws {
        let e = try EFormsBench.measure(corpusMB: mb, seed: seed)
        if json {
            print(
                String(
                    format:
                        "{\"eforms_mb\":%d,\"eforms_baseline_mb_s\":%.1f,\"eforms_mb_s\":%.1f,\"eforms_notices_s\":%.0f,"
                        + "\"eforms_ratio\":%.2f,\"eforms_cpu_ratio\":%.2f}",
                    mb, e.baselineMBs, e.vigieMBs, e.noticesPerSecond, e.ratio, e.cpuRatio))
        } else {
            print(
                String(
                    format:
                        "eForms: libxml2 walk %.1f MB/s, Vigie %.1f MB/s (%.0f notices/s), ratio %.2f (CPU time: %.2f)",
                    e.baselineMBs, e.vigieMBs, e.noticesPerSecond, e.ratio, e.cpuRatio))
        }
    }
}
