import Foundation
import TestSupport
import Testing

/// One cluster's broken rules file stops only that cluster: the others are digested and sent, the run exits 1 naming
/// `file:line`, the broken cluster's staff (as recorded the last night its file loaded) are told by e-mail, and the
/// night after the fix catches up.
@Suite(.serialized) struct ClusterIsolationTests {
    static let night1 = "2026-11-24T02:00:00Z"
    static let night2 = "2026-11-25T02:00:00Z"
    static let night3 = "2026-11-26T02:00:00Z"
    /// The line of Rules/cognac.yaml holding `name:`, broken into a YAML error (a second `: ` in a plain scalar).
    static let brokenLine = 5
    static let cognacItem = "Fourniture de fûts de chêne et barriques pour les chais de vieillissement (16)"

    /// A copy of Rules/ in the scratch folder.
    static func rulesCopy(in scratch: VigieProcess.Scratch) throws -> String {
        let source = VigieProcess.packageRoot.appendingPathComponent("Rules").path
        let target = scratch.path("rules")
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: source) where name.hasSuffix(".yaml") {
            try FileManager.default.copyItem(atPath: "\(source)/\(name)", toPath: "\(target)/\(name)")
        }
        return target
    }

    /// Replaces line `brokenLine` of cognac.yaml (`  name: …`) with a YAML error, or puts it back.
    static func setCognac(broken: Bool, rules: String) throws {
        let path = "\(rules)/cognac.yaml"
        let original = try String(
            contentsOfFile: VigieProcess.packageRoot.appendingPathComponent("Rules/cognac.yaml").path, encoding: .utf8)
        var lines = original.components(separatedBy: "\n")
        #expect(lines[brokenLine - 1].hasPrefix("  name: "), "line \(brokenLine) of Rules/cognac.yaml moved")
        if broken { lines[brokenLine - 1] = "  name: Grappe Spiritueux: et Emballages de Cognac" }
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// The demo catalogue (absolute sample paths) plus one RSS item for the cognac cluster.
    static func catalogue(in scratch: VigieProcess.Scratch) throws -> String {
        let feeds = VigieProcess.packageRoot.appendingPathComponent("Feeds").path
        let demo = try String(contentsOfFile: feeds + "/demo.yaml", encoding: .utf8)
            .replacingOccurrences(of: "file://samples/", with: "file://\(feeds)/samples/")
        let rss = try scratch.write(
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <rss version="2.0"><channel>
              <title>Acheteurs de Charente (exemple)</title>
              <link>https://marches.charente.example/</link>
              <description>Exemple inventé pour les tests de Vigie.</description>
              <item>
                <title>\(cognacItem)</title>
                <link>https://marches.charente.example/consultation/2026-AO-7001</link>
                <guid isPermaLink="false">2026-AO-7001</guid>
                <pubDate>Tue, 24 Nov 2026 18:00:00 +0000</pubDate>
                <description>Acheteur : Conservatoire des eaux-de-vie de Cognac. Lieu d'exécution : Cognac (16). \
            Fourniture de fûts de chêne neufs et de barriques pour les chais de vieillissement ; tonnellerie \
            traditionnelle, merrains séchés à l'air. Code CPV principal : 44619400. Valeur estimée hors TVA : \
            150 000 €. Date limite de réception des offres : 21/12/2026 12:00.</description>
              </item>
            </channel></rss>
            """, to: "feeds/charente.rss.xml")
        return try scratch.write(
            demo + (demo.hasSuffix("\n") ? "" : "\n") + """
                  - id: test-acheteurs-charente
                    name: Acheteurs de Charente (exemple, RSS)
                    owner: Exemple
                    kind: tenders
                    format: rss
                    url: file://\(rss)
                    licence: Exemple inventé (domaine public)

                """, to: "feeds/catalogue.yaml")
    }

    @Test func aBrokenClusterStopsOnlyItselfAndItsStaffAreTold() throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        let env = ["VIGIE_SMTP_URL": sink.url]
        let scratch = try VigieProcess.Scratch("isolation")
        let rules = try Self.rulesCopy(in: scratch)
        let store = scratch.path("vigie.sqlite")
        let out = scratch.path("out")
        func run(_ feeds: String, _ now: String, _ extra: [String] = []) throws -> VigieProcess.Result {
            try VigieProcess.vigie(
                ["run", "--feeds", feeds, "--rules", rules, "--store", store, "--out", out, "--now", now, "--send"]
                    + extra, environment: env)
        }

        // Night 1, every file good (a first night: nothing sent, each cluster's staff recorded).
        let first = try run("Feeds/demo.yaml", Self.night1)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(try sink.received().isEmpty)

        // Night 2: cognac.yaml has a YAML typo on a known line; a new item for cognac arrives.
        try Self.setCognac(broken: true, rules: rules)
        let catalogue = try Self.catalogue(in: scratch)
        let second = try run(catalogue, Self.night2)
        #expect(second.status == 1, "exit \(second.status): \(second.stderr)")
        let located = "cognac.yaml:\(Self.brokenLine):"
        #expect(second.stdout.contains(located), "stdout does not name \(located): \(second.stdout)")
        #expect(second.stderr.contains(located), "stderr does not name \(located): \(second.stderr)")
        #expect(second.stdout.contains("cognac: NOT DIGESTED"))
        // The other clusters: digests written and e-mailed.
        for cluster in ["energie", "mecaloire", "nucleaire"] {
            #expect(FileManager.default.fileExists(atPath: "\(out)/\(cluster)/2026-11-25.md"), "\(cluster)")
        }
        #expect(!FileManager.default.fileExists(atPath: "\(out)/cognac/2026-11-25.md"))
        let mails = try sink.received()
        for cluster in ["energie", "mecaloire", "nucleaire"] {
            #expect(mails.contains { $0.messageID.hasPrefix("vigie.\(cluster).2026-11-25.1.staff@") }, "\(cluster)")
        }
        // Cognac's staff, as recorded on night 1 (Rules/cognac.yaml's delivery.staff), get one message saying so.
        let told = mails.filter { $0.messageID.hasPrefix("vigie.cognac.") }
        #expect(
            told.map(\.messageID).allSatisfy { $0 == "vigie.cognac.2026-11-25.rules-error@spirits-cognac.example.org" })
        #expect(
            Set(told.flatMap(\.recipients).map { $0.lowercased() })
                == ["sophie.renaud@spirits-cognac.example.org", "hugo.lambert@spirits-cognac.example.org"])
        let parsed = try PythonEmail.parse(try #require(told.first).raw)
        #expect(parsed.defects.isEmpty)
        #expect(parsed.from.first?.address == "veille@spirits-cognac.example.org")
        let text = parsed.text ?? ""
        #expect(text.contains(located), "\(text)")
        #expect(text.contains("aucun digest"), "\(text)")
        #expect(
            parsed.subject?.contains("Grappe Spiritueux et Emballages de Cognac") == true, "\(parsed.subject ?? "")")

        // A second run the same night does not tell the staff twice.
        let again = try run(catalogue, Self.night2)
        #expect(again.status == 1)
        #expect(try sink.received().filter { $0.messageID.hasPrefix("vigie.cognac.") }.count == told.count)

        // Night 3, the file fixed: cognac is routed again over everything stored and catches up.
        try Self.setCognac(broken: false, rules: rules)
        let third = try run(catalogue, Self.night3)
        #expect(third.status == 0, "\(third.stderr)")
        #expect(third.stdout.contains("rules changed: cognac"), "\(third.stdout)")
        let digest = try String(contentsOfFile: "\(out)/cognac/2026-11-26.md", encoding: .utf8)
        #expect(digest.contains(Self.cognacItem), "the cognac digest after the fix misses the night-2 item")
        let cognacMembers = try sink.received().filter {
            $0.messageID.hasPrefix("vigie.cognac.2026-11-26.") && $0.messageID.contains(".member-")
        }
        #expect(!cognacMembers.isEmpty, "no cognac member was sent the item it missed")
        for m in cognacMembers {
            #expect(try PythonEmail.parse(m.raw).text?.contains(Self.cognacItem) == true, "\(m.messageID)")
        }
    }

    @Test func askingForTheBrokenClusterStopsTheRunNamingFileAndLine() throws {
        let scratch = try VigieProcess.Scratch("isolation-only")
        let rules = try Self.rulesCopy(in: scratch)
        try Self.setCognac(broken: true, rules: rules)
        let result = try VigieProcess.vigie([
            "run", "--feeds", "Feeds/demo.yaml", "--rules", rules, "--store", scratch.path("vigie.sqlite"), "--out",
            scratch.path("out"), "--now", Self.night1, "--cluster", "cognac",
        ])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("cognac.yaml:\(Self.brokenLine):"), "\(result.stderr)")
        // Refused before anything was written.
        #expect(!FileManager.default.fileExists(atPath: scratch.path("vigie.sqlite")))
    }

    @Test func anUnknownClusterIsRefusedWithTheKnownOnes() throws {
        let scratch = try VigieProcess.Scratch("isolation-unknown")
        let result = try VigieProcess.vigie([
            "run", "--feeds", "Feeds/demo.yaml", "--rules", "Rules", "--store", scratch.path("vigie.sqlite"), "--out",
            scratch.path("out"), "--now", Self.night1, "--cluster", "nulle-part",
        ])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("nulle-part"))
        #expect(result.stderr.contains("known: cognac, energie, mecaloire, nucleaire"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: scratch.path("vigie.sqlite.lock")))
    }
}
