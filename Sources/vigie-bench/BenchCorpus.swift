import Foundation

/// Seeded generator of notices in the real formats of `Feeds/samples` (BOAMP API pages, TED search pages), for
/// `vigie-bench run` and `vigie-bench query`.
///
/// Every record is a copy of one of the sample records with its identifiers, title, description, CPV codes,
/// département (NUTS code for TED), dates and value redrawn: titles mix the sample titles, the rules' keywords
/// (so a realistic share of the notices routes) and general procurement vocabulary (most notices of a real
/// night concern no cluster).
struct BenchCorpus {
    var rng: ClassifyCorpusGenerator
    let tedTemplates: [[String: Any]]
    let tedPage: [String: Any]
    let boampTemplates: [[String: Any]]
    let boampPage: [String: Any]
    let sampleTitles: [String]
    let sampleDescriptions: [String]
    let sampleCPV: [String]
    let ruleKeywords: [String]
    /// The procurement vocabulary minus every word the rules' files contain: text that routes nowhere.
    let noise: [String]
    /// Share of the notices (percent) whose title names what a cluster looks for.
    var topicalPercent = 20
    var lastTopical = false
    var serial = 0

    /// Départements with their NUTS 3 code (TED gives places as NUTS): the four example clusters' territories
    /// and a spread of others.
    static let departements: [(code: String, nuts: String)] = [
        ("42", "FRK25"), ("43", "FRK13"), ("69", "FRK26"), ("63", "FRK14"), ("03", "FRK11"), ("71", "FRC13"),
        ("26", "FRK23"), ("07", "FRK22"), ("84", "FRL06"), ("30", "FRJ12"), ("38", "FRK24"), ("01", "FRK21"),
        ("21", "FRC11"), ("16", "FRI31"), ("17", "FRI32"), ("79", "FRI33"), ("86", "FRI34"), ("24", "FRI11"),
        ("33", "FRI12"), ("34", "FRJ13"), ("31", "FRJ23"), ("66", "FRJ15"), ("11", "FRJ11"), ("81", "FRJ28"),
        ("12", "FRJ22"), ("75", "FR101"), ("92", "FR105"), ("93", "FR106"), ("59", "FRE11"), ("62", "FRE12"),
        ("67", "FRF11"), ("68", "FRF12"), ("44", "FRG01"), ("35", "FRH03"), ("29", "FRH02"), ("13", "FRL04"),
        ("06", "FRL03"), ("76", "FRD22"), ("14", "FRD11"), ("45", "FRB06"), ("37", "FRB04"), ("54", "FRF31"),
        ("57", "FRF33"), ("64", "FRI15"), ("87", "FRI23"), ("51", "FRF23"), ("80", "FRE23"), ("49", "FRG02"),
    ]

    static let genericCPV = [
        "45000000", "45210000", "45331000", "45453000", "71000000", "72000000", "79000000", "90910000",
        "33000000", "34100000", "39100000", "50000000", "60100000", "09310000", "55520000", "30200000",
    ]

    static let titlePrefixes = [
        "Fourniture de", "Travaux de", "Prestations de", "Marché de", "Accord-cadre de", "Acquisition de",
        "Maintenance et", "Réalisation de", "Mission de", "Location et",
    ]
    static let titleSuffixes = [
        "", " – lot 1", " – lot 2", " pour le centre technique", " des bâtiments communaux", " sur plusieurs sites",
        " (accord-cadre à bons de commande)", " pour les services de la collectivité", " – relance",
    ]
    static let buyers = [
        "Saint-Étienne Métropole", "Ville de Roanne", "Région Auvergne-Rhône-Alpes", "EDF — CNPE du Tricastin",
        "Département de la Charente", "CHU de Montpellier", "SNCF Réseau", "Métropole de Lyon",
        "Communauté d'agglomération du Grand Cognac", "Syndicat des eaux du Gard", "Ville de Toulouse",
        "Université de Bordeaux", "Conseil départemental de l'Isère", "Office public de l'habitat de la Loire",
    ]

    init(repo: String, seed: UInt64) throws {
        rng = ClassifyCorpusGenerator(seed: seed)
        func load(_ name: String) throws -> [String: Any] {
            let data = try Data(contentsOf: URL(fileURLWithPath: "\(repo)/Feeds/samples/\(name)"))
            guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw BenchError("\(name): not a JSON object")
            }
            return object
        }
        tedPage = try load("ted-search-page.json")
        boampPage = try load("boamp-api-page.json")
        tedTemplates = tedPage["notices"] as? [[String: Any]] ?? []
        boampTemplates = boampPage["results"] as? [[String: Any]] ?? []
        guard !tedTemplates.isEmpty, !boampTemplates.isEmpty else {
            throw BenchError("Feeds/samples: no records in the TED or BOAMP sample page")
        }
        var titles: [String] = []
        var descriptions: [String] = []
        var cpv: Set<String> = []
        for t in tedTemplates {
            if let lot = (t["title-lot"] as? [String: Any])?["fra"] as? [String], let first = lot.first {
                titles.append(first)
            }
            if let d = (t["description-lot"] as? [String: Any])?["fra"] as? [String], let first = d.first {
                descriptions.append(first)
            }
            for c in t["classification-cpv"] as? [String] ?? [] { cpv.insert(c) }
        }
        for b in boampTemplates { if let o = b["objet"] as? String { titles.append(o) } }
        sampleTitles = titles
        sampleDescriptions = descriptions
        sampleCPV = cpv.sorted()
        ruleKeywords = try BenchCorpus.keywords(rulesFolder: "\(repo)/Rules")
        var rulesText = ""
        for file in try FileManager.default.contentsOfDirectory(atPath: "\(repo)/Rules") where file.hasSuffix(".yaml") {
            rulesText += try String(contentsOfFile: "\(repo)/Rules/\(file)", encoding: .utf8).lowercased()
        }
        noise = ClassifyCorpusGenerator.vocabulary.filter { !rulesText.contains($0.lowercased()) }
    }

    /// The keywords of every `Rules/*.yaml` (`keywords: [...]` lists; wildcards dropped).
    static func keywords(rulesFolder: String) throws -> [String] {
        var out: [String] = []
        for file in try FileManager.default.contentsOfDirectory(atPath: rulesFolder).sorted()
        where file.hasSuffix(".yaml") {
            let text = try String(contentsOfFile: "\(rulesFolder)/\(file)", encoding: .utf8)
            var rest = Substring(text)
            while let r = rest.range(of: "keywords: [") {
                rest = rest[r.upperBound...]
                guard let end = rest.firstIndex(of: "]") else { break }
                for item in rest[..<end].split(separator: ",") {
                    let k = item.trimmingCharacters(in: CharacterSet(charactersIn: " \n\"*"))
                    if !k.isEmpty, !k.contains("*") { out.append(k) }
                }
                rest = rest[end...]
            }
        }
        return out
    }

    mutating func pick<T>(_ a: [T]) -> T { a[rng.below(a.count)] }

    /// A title: for `topicalPercent` % of the notices a sample title or a rule keyword in a procurement phrase
    /// (one in three a sample title), else general procurement vocabulary that no rule names.
    mutating func title() -> String {
        let r = rng.below(100)
        lastTopical = r < topicalPercent
        if r < topicalPercent / 3 { return pick(sampleTitles) + pick(BenchCorpus.titleSuffixes) }
        if r < topicalPercent {
            return pick(BenchCorpus.titlePrefixes) + " " + pick(ruleKeywords) + pick(BenchCorpus.titleSuffixes)
        }
        var words: [String] = [pick(BenchCorpus.titlePrefixes)]
        for _ in 0..<(3 + rng.below(4)) { words.append(pick(noise)) }
        return words.joined(separator: " ") + pick(BenchCorpus.titleSuffixes)
    }

    /// The title, for a topical notice one sample description in two (their technical vocabulary is what the
    /// clusters look for), then 20–80 words of vocabulary no rule names.
    mutating func description(title: String) -> String {
        var s = title + "." + (lastTopical && rng.below(2) == 0 ? " " + pick(sampleDescriptions) : "")
        var words: [String] = []
        for _ in 0..<(20 + rng.below(60)) {
            words.append(rng.below(3) == 0 ? pick(ClassifyCorpusGenerator.glue) : pick(noise))
        }
        s += " " + words.joined(separator: " ").replacingOccurrences(of: "' ", with: "'") + "."
        return s
    }

    /// 1–3 CPV codes: a topical notice's from the samples' (the clusters' codes), others general ones.
    mutating func cpvCodes() -> [String] {
        let n = 1 + rng.below(3)
        return (0..<n).map { _ in lastTopical && rng.below(2) == 0 ? pick(sampleCPV) : pick(BenchCorpus.genericCPV) }
    }

    /// A value in euros, log-uniform from 20 k€ to 20 M€.
    mutating func value() -> Int {
        let x = Double(rng.next() >> 11) / Double(1 << 53)
        return Int((20_000 * pow(1_000, x)).rounded() / 1_000) * 1_000
    }

    static let day: DateFormatter = {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "Europe/Paris")
        f.dateFormat = "yyyy-MM-dd"
        return f
    }()

    /// One TED search record: published `published`, deadline `deadline`.
    mutating func tedRecord(published: Date, deadline: Date) -> [String: Any] {
        serial += 1
        var r = pick(tedTemplates)
        let t = title()
        let dep = pick(BenchCorpus.departements)
        let cpv = cpvCodes()
        r["publication-number"] =
            String(format: "%06d-2026", 100_000 + serial % 900_000)
            + (serial >= 900_000 ? "-\(serial / 900_000)" : "")
        r["procedure-identifier"] = String(format: "b3a0%04x-5b1e-4c6f-9d2e-%012x", serial % 65_536, serial)
        r["publication-date"] = BenchCorpus.day.string(from: published) + "+01:00"
        let kind = rng.below(10)
        r["notice-type"] = kind < 8 ? "cn-standard" : kind == 8 ? "pin-only" : "can-standard"
        r["notice-title"] = ["fra": "France – \(t)", "eng": "France – \(t)"]
        r["buyer-name"] = ["fra": [pick(BenchCorpus.buyers)]]
        r["classification-cpv"] = cpv
        r["main-classification-proc"] = [cpv[0]]
        r["estimated-value-proc"] = value()
        r["deadline-receipt-tender-date-lot"] = [BenchCorpus.day.string(from: deadline) + "+01:00"]
        r["place-of-performance"] = [dep.nuts, "FRA"]
        r["title-lot"] = ["fra": [t]]
        r["description-lot"] = ["fra": [description(title: t)]]
        return r
    }

    /// One BOAMP API record: its template's with the identifiers, title, description, CPV codes, value, dates,
    /// département and buyer redrawn — in the eForms `donnees` too, where the BOAMP adapter reads the
    /// description, the lots and the codes.
    mutating func boampRecord(published: Date, deadline: Date) -> [String: Any] {
        serial += 1
        var r = pick(boampTemplates)
        let t = title()
        let text = description(title: t)
        let dep = pick(BenchCorpus.departements)
        let cpv = cpvCodes()
        let amount = value()
        let id = "26-\(200_000 + serial)"
        let folder = String(format: "c4d0%04x-5b1e-4c6f-9d2e-%012x", serial % 65_536, serial)
        if var donnees = r["donnees"] as? String, let objet = r["objet"] as? String {
            donnees = donnees.replacingOccurrences(of: objet, with: t)
            if let old = r["contractfolderid"] as? String {
                donnees = donnees.replacingOccurrences(of: old, with: folder)
            }
            BenchCorpus.replaceValues(
                in: &donnees, after: "\"cbc:Description\": {\"@languageID\": \"FRA\", \"#text\": \""
            ) {
                _ in text
            }
            BenchCorpus.replaceValues(in: &donnees, after: "\"@listName\": \"cpv\", \"#text\": \"") {
                cpv[$0 % cpv.count]
            }
            BenchCorpus.replaceValues(in: &donnees, after: "\"@currencyID\": \"EUR\", \"#text\": \"") { _ in "\(amount)"
            }
            // The lots' own deadlines (what the adapter reads per lot): the record's, not the sample's, or a record
            // published months ago would still close next week.
            let lotDeadline = BenchCorpus.day.string(from: deadline) + "+01:00"
            BenchCorpus.replaceValues(in: &donnees, after: "DeadlinePeriod\": {\"cbc:EndDate\": \"") { _ in
                lotDeadline
            }
            r["donnees"] = donnees
        }
        r["idweb"] = id
        r["id"] = id
        r["contractfolderid"] = folder
        r["objet"] = t
        r["code_departement"] = [dep.code]
        r["code_departement_prestation"] = dep.code
        r["dateparution"] = BenchCorpus.day.string(from: published)
        r["datefindiffusion"] = BenchCorpus.day.string(from: deadline)
        r["datelimitereponse"] = BenchCorpus.day.string(from: deadline) + "T12:00:00+01:00"
        r["nomacheteur"] = pick(BenchCorpus.buyers)
        return r
    }

    /// Replaces the string value after each `marker` (up to its closing quote) with `value(i)`, i counting from 0.
    static func replaceValues(in s: inout String, after marker: String, value: (Int) -> String) {
        var out = ""
        var rest = Substring(s)
        var i = 0
        while let r = rest.range(of: marker), let end = rest[r.upperBound...].firstIndex(of: "\"") {
            out += rest[..<r.upperBound]
            out += value(i)
            rest = rest[end...]
            i += 1
        }
        s = out + rest
    }

    /// A page of `count` records in one format, as the API returns it.
    mutating func page(ted: Bool, count: Int, published: () -> Date, deadlineAfter: (Date) -> Date) throws -> Data {
        var records: [[String: Any]] = []
        records.reserveCapacity(count)
        for _ in 0..<count {
            let p = published()
            let d = deadlineAfter(p)
            records.append(ted ? tedRecord(published: p, deadline: d) : boampRecord(published: p, deadline: d))
        }
        var page = ted ? tedPage : boampPage
        if ted {
            page["notices"] = records
            page["totalNoticeCount"] = count
        } else {
            page["results"] = records
            page["total_count"] = count
        }
        return try JSONSerialization.data(withJSONObject: page)
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = "vigie-bench: \(d)" }
}

/// Peak resident memory: `VmHWM` (resettable through `/proc/self/clear_refs`), else `ru_maxrss`.
enum PeakMemory {
    /// Resets the peak to the current resident size (Linux ≥ 4.0), so a stage's peak is its own.
    static func reset() {
        if let h = FileHandle(forWritingAtPath: "/proc/self/clear_refs") {
            h.write(Data("5".utf8))
            try? h.close()
        }
    }

    static func megabytes() -> Double {
        if let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) {
            for line in s.split(separator: "\n") where line.hasPrefix("VmHWM:") {
                return (line.split(separator: " ").compactMap { Double($0) }.first ?? 0) / 1024
            }
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }

    static func processPeakMB() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }
}

func seconds(since t0: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9 }
func round3(_ x: Double) -> Double { (x * 1000).rounded() / 1000 }

/// One JSON line, keys sorted: what `--json` prints for the tools that read the figures.
func printJSONLine(_ value: some Encodable) throws {
    let e = JSONEncoder()
    e.outputFormatting = [.sortedKeys]
    print(String(decoding: try e.encode(value), as: UTF8.self))
}
