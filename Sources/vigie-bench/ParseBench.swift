import ArgumentParser
import CXMLWalk
import Foundation
import Notices
import Parser

/// `vigie-bench parse`: Vigie's feed parser against a bare libxml2 reader walk of the same corpus.
struct ParseBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse",
        abstract: "Parser throughput against a libxml2 reader walk of the same corpus.",
        discussion: """
            Generates (with a fixed seed) or reads (--corpus) about --mb megabytes of RSS 2.0, Atom and RSS 1.0 \
            files of French tender-like items (about 2 KB each, HTML descriptions, some ISO-8859-1), then \
            measures, each in its own child process so peak memory is honest:
              baseline  libxml2's xmlTextReader walking every file in C (CXMLWalk), copying every text node \
            into a malloc'ed buffer;
              vigie     Vigie's full parser (encoding, entities, HTML to text, dates, links, notices).
            The phases alternate for --rounds rounds and each keeps its fastest (peak memory: the highest). \
            Prints MB/s, items/s and peak RSS (VmHWM) of both, and vigie/baseline. Then the same for eForms \
            notices (--eforms-mb, generated from the eForms test fixtures): the walk against the eForms adapter, \
            in notices per second. Build in release first:
              swift build -c release && .build/release/vigie-bench parse --json
            """
    )

    @Option(help: "Size of the generated corpus in MB.")
    var mb = 100

    @Option(
        help: ArgumentHelp("Use the .xml files of this directory instead of generating a corpus.", valueName: "DIR"))
    var corpus: String?

    @Option(help: "Seed of the generated corpus.")
    var seed: UInt64 = 42

    @Option(
        name: .customLong("eforms-mb"),
        help: "Size of the eForms corpus (one notice per file, as in a TED daily package); 0 skips the eForms part.")
    var eformsMB = 20

    @Flag(help: "Print one JSON line.")
    var json = false

    @Option(help: "Rounds; the phases alternate and each keeps its fastest round (shared machines are noisy).")
    var rounds = 3

    @Option(
        name: .customLong("write-corpus"),
        help: ArgumentHelp(
            "Only write the generated corpus into DIR (to profile or to reuse with --corpus), then exit.",
            valueName: "DIR"))
    var writeCorpus: String?

    @Option(
        help: ArgumentHelp("Internal: run one measurement phase (baseline or vigie) on --corpus.", visibility: .hidden))
    var phase: String?

    func run() async throws {
        if let phase {
            guard let corpus else { throw ValidationError("--phase needs --corpus") }
            let result = try Self.measure(phase: phase, files: try Self.files(in: corpus))
            print(result.jsonLine)
            return
        }
        if let writeCorpus {
            try CorpusGenerator(seed: seed).write(megabytes: mb, into: writeCorpus)
            return
        }
        var dir = corpus
        var generated: String?
        if dir == nil {
            let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("vigie-bench-parse-\(getpid())")
                .path
            try CorpusGenerator(seed: seed).write(megabytes: mb, into: tmp)
            dir = tmp
            generated = tmp
        }
        defer { if let generated { try? FileManager.default.removeItem(atPath: generated) } }
        var baseline = try Self.child(phase: "baseline", corpus: dir!)
        var vigie = try Self.child(phase: "vigie", corpus: dir!)
        for _ in 1..<max(rounds, 1) {
            baseline = Self.best(baseline, try Self.child(phase: "baseline", corpus: dir!))
            vigie = Self.best(vigie, try Self.child(phase: "vigie", corpus: dir!))
        }
        let ratio = baseline.mbPerSecond > 0 ? vigie.mbPerSecond / baseline.mbPerSecond : 0
        // eForms notices (TED packages, BOAMP since 2024) against the same libxml2 walk over the same files.
        let eforms = eformsMB > 0 ? try EFormsBench.measure(corpusMB: eformsMB, seed: seed) : nil
        if json {
            var line = String(
                format: """
                    {"files":%d,"bytes":%d,"items":%d,"baseline_mb_s":%.1f,"vigie_mb_s":%.1f,"ratio":%.2f,\
                    "baseline_items_s":%.0f,"vigie_items_s":%.0f,"baseline_peak_rss_mb":%.1f,"peak_rss_mb":%.1f
                    """, vigie.files, vigie.bytes, vigie.items, baseline.mbPerSecond, vigie.mbPerSecond, ratio,
                baseline.itemsPerSecond, vigie.itemsPerSecond, baseline.peakRSSMB, vigie.peakRSSMB)
            if let e = eforms {
                line += String(
                    format:
                        ",\"eforms_baseline_mb_s\":%.1f,\"eforms_mb_s\":%.1f,\"eforms_notices_s\":%.0f,\"eforms_ratio\":%.2f",
                    e.baselineMBs, e.vigieMBs, e.noticesPerSecond, e.ratio)
            }
            print(line + "}")
        } else {
            print(
                "corpus: \(vigie.files) files, \(String(format: "%.1f", Double(vigie.bytes) / 1e6)) MB, \(vigie.items) items"
            )
            for (name, r) in [("baseline (libxml2 walk)", baseline), ("vigie (full parser)", vigie)] {
                print(
                    String(
                        format: "%@: %.1f MB/s, %.0f items/s, peak RSS %.1f MB", name, r.mbPerSecond,
                        r.itemsPerSecond, r.peakRSSMB))
            }
            print(String(format: "ratio vigie/baseline: %.2f", ratio))
            if let e = eforms {
                print(
                    String(
                        format: "eForms: baseline %.1f MB/s, vigie %.1f MB/s (%.0f notices/s), ratio %.2f",
                        e.baselineMBs, e.vigieMBs, e.noticesPerSecond, e.ratio))
            }
        }
    }

    // MARK: - Phases

    struct PhaseResult: Codable {
        var files: Int
        var bytes: Int
        var items: Int
        var seconds: Double
        var peakRSSMB: Double

        var mbPerSecond: Double { seconds > 0 ? Double(bytes) / 1e6 / seconds : 0 }
        var itemsPerSecond: Double { seconds > 0 ? Double(items) / seconds : 0 }
        var jsonLine: String { String(decoding: try! JSONEncoder().encode(self), as: UTF8.self) }
    }

    static func files(in dir: String) throws -> [String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".xml") }.sorted()
        guard !names.isEmpty else { throw ValidationError("no .xml files in \(dir)") }
        return names.map { dir + "/" + $0 }
    }

    static func measure(phase: String, files: [String]) throws -> PhaseResult {
        var bytes = 0
        for f in files { bytes += (try FileManager.default.attributesOfItem(atPath: f)[.size] as? Int) ?? 0 }
        var items = 0
        let start = DispatchTime.now().uptimeNanoseconds
        switch phase {
        case "baseline":
            for f in files { items += Int(try CWalk.walk(path: f).items) }
        case "vigie":
            for f in files {
                _ = try DocumentParser.parseFeedFile(atPath: f, options: ParseOptions(documentName: f)) { _ in
                    items += 1
                }
            }
        default:
            throw ValidationError("unknown phase \(phase)")
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return PhaseResult(files: files.count, bytes: bytes, items: items, seconds: seconds, peakRSSMB: peakRSSMB())
    }

    /// The faster of two rounds, with the higher of their peak memories.
    static func best(_ a: PhaseResult, _ b: PhaseResult) -> PhaseResult {
        var r = a.seconds <= b.seconds ? a : b
        r.peakRSSMB = max(a.peakRSSMB, b.peakRSSMB)
        return r
    }

    /// VmHWM of this process, in MB.
    static func peakRSSMB() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kb = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
            return kb / 1024
        }
        return 0
    }

    /// Runs this executable again with `--phase`, so each phase has its own peak memory.
    static func child(phase: String, corpus: String) throws -> PhaseResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = ["parse", "--phase", phase, "--corpus", corpus]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
            let line = String(decoding: data, as: UTF8.self).split(separator: "\n").last,
            let result = try? JSONDecoder().decode(PhaseResult.self, from: Data(line.utf8))
        else {
            throw ValidationError("phase \(phase) failed (status \(process.terminationStatus))")
        }
        return result
    }
}

/// The baseline of the parse benchmarks: `vigie_xml_walk_file` from the C target `CXMLWalk`, a plain libxml2
/// `xmlTextReader` walk that copies every text node into a malloc'ed buffer and counts `item`/`entry` elements.
/// Written in C so the baseline is what libxml2 alone costs, with no Swift string or loop overhead in it.
enum CWalk {
    static func walk(path: String) throws -> vigie_xml_walk_result {
        var result = vigie_xml_walk_result()
        guard vigie_xml_walk_file(path, &result) >= 0 else {
            throw ValidationError("bench: libxml2 cannot open \(path)")
        }
        return result
    }
}

/// A deterministic corpus of tender-like feeds: RSS 2.0, Atom 1.0 and RSS 1.0, about 1 MB per file.
struct CorpusGenerator {
    var seed: UInt64

    private struct SplitMix64 {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func pick<T>(_ a: [T]) -> T { a[Int(next() % UInt64(a.count))] }
    }

    static let subjects = [
        "Réhabilitation thermique du groupe scolaire Jules-Ferry", "Fourniture de pièces usinées en titane",
        "Maintenance des équipements de production d'eau chaude", "Étude de faisabilité d'un réseau de chaleur",
        "Acquisition de robots collaboratifs pour l'atelier mécanique", "Travaux de voirie et réseaux divers",
        "Prestations de nettoyage des locaux administratifs", "Conception et réalisation d'un démonstrateur hydrogène",
        "Accord-cadre de fourniture de matériel informatique", "Mission de maîtrise d'œuvre pour un pôle d'échanges",
    ]
    static let buyers = [
        "Ville de Saint-Étienne", "Région Auvergne-Rhône-Alpes", "CHU de Clermont-Ferrand", "Métropole de Lyon",
        "Département de la Loire", "Syndicat intercommunal des eaux du Forez", "Université Jean-Monnet",
    ]
    static let words = [
        "marché", "lot", "prestations", "fourniture", "délai", "exécution", "critères", "prix", "valeur technique",
        "candidature", "offre", "visite", "obligatoire", "dossier", "consultation", "accord-cadre", "bons de commande",
        "reconduction", "garantie", "sous-traitance", "mécanique", "usinage", "énergie", "bâtiment", "numérique",
    ]

    func write(megabytes: Int, into dir: String) throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var rng = SplitMix64(state: seed)
        let target = megabytes * 1_000_000
        var written = 0
        var fileIndex = 0
        while written < target {
            let format = fileIndex % 3
            let latin1 = fileIndex % 4 == 1
            var xml = ""
            xml.reserveCapacity(1_100_000)
            let encoding = latin1 ? "ISO-8859-1" : "UTF-8"
            xml += "<?xml version=\"1.0\" encoding=\"\(encoding)\"?>\n"
            switch format {
            case 0:
                xml +=
                    "<rss version=\"2.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel><title>Marchés publics — flux \(fileIndex)</title><link>https://marches.example.fr/</link>\n"
            case 1:
                xml +=
                    "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>Appels d'offres \(fileIndex)</title><link href=\"https://ao.example.fr/\"/><id>urn:vigie:bench:\(fileIndex)</id>\n"
            default:
                xml +=
                    "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns=\"http://purl.org/rss/1.0/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><channel rdf:about=\"https://rdf.example.fr/\"><title>Avis \(fileIndex)</title><link>https://rdf.example.fr/</link></channel>\n"
            }
            var n = 0
            while xml.utf8.count < 1_000_000 {
                n += 1
                let title = "\(rng.pick(Self.subjects)) — \(rng.pick(Self.buyers)) (\(fileIndex)-\(n))"
                var body = "<p><strong>Acheteur :</strong> \(rng.pick(Self.buyers))</p><ul>"
                for _ in 0..<6 {
                    var sentence = ""
                    for _ in 0..<18 { sentence += rng.pick(Self.words) + " " }
                    body += "<li>\(sentence)</li>"
                }
                body +=
                    "</ul><p>Date limite : \(10 + rng.next() % 18) décembre 2026 à 12h00 — montant estimé 150 000 € HT.</p>"
                let escaped = body.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(
                    of: "<", with: "&lt;"
                )
                .replacingOccurrences(of: ">", with: "&gt;")
                let day = 1 + rng.next() % 28
                let link = "https://marches.example.fr/avis/\(fileIndex)-\(n)"
                switch format {
                case 0:
                    let description = n % 2 == 0 ? "<![CDATA[\(body)]]>" : escaped
                    xml +=
                        "<item><title>\(title)</title><link>\(link)</link><guid>\(link)</guid><pubDate>Tue, \(day) Nov 2026 09:00:00 +0100</pubDate><dc:creator>\(rng.pick(Self.buyers))</dc:creator><category>Travaux</category><category>\(rng.pick(Self.words))</category><description>\(description)</description></item>\n"
                case 1:
                    xml +=
                        "<entry><title type=\"html\">\(title)</title><link href=\"\(link)\"/><id>\(link)</id><published>2026-11-\(day < 10 ? "0" : "")\(day)T09:00:00+01:00</published><updated>2026-11-24T09:00:00Z</updated><author><name>\(rng.pick(Self.buyers))</name></author><category term=\"\(rng.pick(Self.words))\"/><summary type=\"html\">\(escaped)</summary></entry>\n"
                default:
                    xml +=
                        "<item rdf:about=\"\(link)\"><title>\(title)</title><link>\(link)</link><dc:date>2026-11-\(day < 10 ? "0" : "")\(day)T09:00:00+01:00</dc:date><dc:subject>\(rng.pick(Self.words))</dc:subject><description>\(escaped)</description></item>\n"
                }
            }
            xml += format == 0 ? "</channel></rss>\n" : format == 1 ? "</feed>\n" : "</rdf:RDF>\n"
            let bytes: Data
            if latin1 {
                // "—", "€" and "œ" are not Latin-1: a real ISO-8859-1 feed would write them as references.
                let text = xml.replacingOccurrences(of: "—", with: "&#8212;").replacingOccurrences(
                    of: "€", with: "&#8364;"
                )
                .replacingOccurrences(of: "œ", with: "&#339;")
                bytes = text.data(using: .isoLatin1) ?? Data(text.utf8)
            } else {
                bytes = Data(xml.utf8)
            }
            let path = dir + "/feed-\(String(format: "%04d", fileIndex)).xml"
            try bytes.write(to: URL(fileURLWithPath: path))
            written += bytes.count
            fileIndex += 1
        }
    }
}
