import ArgumentParser
import Foundation
import TestSupport
import Notices
import Testing

@testable import VigieCLI

/// Runs the built `vigie` binary: `rules lint` and `route`, as a user would.
@Suite struct RulesCommandTests {
    static let packageRoot = VigieProcess.packageRoot.path

    static let fixtures = packageRoot + "/Tests/ClassifierTests/Fixtures"

    @Test func lintShippedRulesPasses() throws {
        let r = try VigieProcess.vigie(["rules", "lint", "Rules/"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        // The example clusters keep the broad CPV prefixes real staff write (the 713, 798…): the lint
        // names each one, and only those.
        #expect(r.stdout.contains("0 error(s), 4 warning(s) in 5 file(s); 4 cluster(s)"))
        for prefix in ["'798'", "'631'", "'383'", "'713'"] {
            #expect(r.stdout.contains("CPV prefix \(prefix) spans a whole group of the CPV"), "\(prefix)")
        }
    }

    @Test func lintBrokenFileFailsWithPositions() throws {
        let file = RulesCommandTests.fixtures + "/broken/unknown-key.yaml"
        let r = try VigieProcess.vigie(["rules", "lint", file])
        #expect(r.status == 1)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(
            lines.contains(
                "\(file):9:5: error: segments[0].keywrods: unknown key 'keywrods'; did you mean "
                    + "'keywords'? (allowed: id, label, keywords, exclusions, cpv, descriptors, supplies, min_score, context)"
            ))
        #expect(lines.contains { $0.hasPrefix("\(file):16:5: error: members[0].capacty: unknown key 'capacty'") })
        #expect(lines.last == "2 error(s), 0 warning(s) in 1 file(s)")
    }

    @Test func lintJSON() throws {
        let r = try VigieProcess.vigie([
            "rules", "lint", "--json", RulesCommandTests.fixtures + "/broken/bad-references.yaml",
        ])
        #expect(r.status == 1)
        struct Out: Decodable {
            var errors: Int
            var warnings: Int
            var diagnostics: [D]
            struct D: Decodable { var line: Int; var column: Int; var key: String?; var severity: String }
        }
        let out = try JSONDecoder().decode(Out.self, from: Data(r.stdout.utf8))
        #expect(out.errors == 3 && out.warnings == 1)
        #expect(out.diagnostics.map { "\($0.line):\($0.column)" } == ["9:16", "10:5", "16:25", "21:25"])
    }

    @Test func lintMissingDirectoryCannotRun() throws {
        let r = try VigieProcess.vigie(["rules", "lint", "/nonexistent/rules"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("rules: /nonexistent/rules: no such file or directory"))
    }

    @Test func routeTextAndJSON() throws {
        let file = RulesCommandTests.fixtures + "/notices/mecaloire.json"
        let text = try VigieProcess.vigie([
            "route", "--rules", "Rules", "--now", "2026-05-20T08:00:00Z", "--stats", file,
        ])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("boamp:26-10001 — Fourniture de pièces décolletées et usinées"))
        #expect(text.stdout.contains("→ Décolletage du Furan (decolletage-furan) direct"))
        #expect(
            text.stdout.contains(
                "✗ Décolletage du Furan (decolletage-furan) segment_exclusion : exclusion « usinage du bois »"))
        #expect(text.stdout.contains("◆ L'avis demande"))
        #expect(text.stdout.contains("mecaloire/filter:capacity : 0 retenu(s), "))
        #expect(text.stdout.contains("3 avis, "))

        let json = try VigieProcess.vigie([
            "route", "--rules", "Rules", "--json", "--now", "2026-05-20T08:00:00Z", file,
        ])
        #expect(json.status == 0)
        struct Out: Decodable {
            var notices: Int
            var results: [Item]
            var rule_counters: [Counter]
            struct Item: Decodable { var notice_id: String; var clusters: [Cluster] }
            struct Cluster: Decodable {
                var cluster_id: String
                var routes: [Route]
                var near_misses: [Miss]
                var consortia: [Group]
            }
            struct Route: Decodable { var member_id: String; var kind: String; var reasons: [Reason] }
            struct Reason: Decodable { var rule: String; var field: String; var weight: Double }
            struct Miss: Decodable { var member_id: String; var filter: String }
            struct Group: Decodable { var members: [String]; var lead: String; var reason: String }
            struct Counter: Decodable { var rule: String; var matched: Int; var dropped: Int }
        }
        let out = try JSONDecoder().decode(Out.self, from: Data(json.stdout.utf8))
        #expect(out.notices == 3)
        let first = try #require(out.results.first?.clusters.first { $0.cluster_id == "mecaloire" })
        #expect(
            first.routes.contains { $0.member_id == "decolletage-furan" && $0.kind == "direct" && !$0.reasons.isEmpty })
        let second = try #require(out.results[1].clusters.first { $0.cluster_id == "mecaloire" })
        #expect(second.consortia.first?.reason == "both")
        #expect(second.near_misses.contains { $0.filter == "capacity" })
        #expect(
            out.rule_counters.contains {
                $0.rule == "mecaloire/segment:usinage/exclusion:usinage du bois" && $0.dropped == 1
            })
    }

    @Test func explainOneMemberInEnglish() throws {
        let file = RulesCommandTests.fixtures + "/notices/mecaloire.json"
        let r = try VigieProcess.vigie([
            "explain", file, "--rules", "Rules", "--cluster", "mecaloire", "--member", "metro-controle",
            "--id", "26-10001", "--lang", "en", "--now", "2026-05-20T08:00:00Z",
        ])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("Notice boamp:26-10001"))
        // Metrology supplies machining: the lab is a supplier of the bidder, told why it is not sent the notice.
        #expect(
            r.stdout.contains(
                "✗ Métro Contrôle Loire (metro-controle) — upstream supplier: metrologie → usinage: "
                    + "its trade is not what the notice buys (a possible groupement partner)"))
        #expect(r.stdout.contains("CPV prefix 42638 ← 42638000-7 (+3)"))
        // 9 M€ is far above Galva Loire's 1 M€ (more than 2.5 times): a capacity drop, with both figures.
        let big = try VigieProcess.vigie([
            "explain", file, "--rules", "Rules", "--cluster", "mecaloire", "--member", "galva-loire",
            "--id", "26-10002", "--lang", "en", "--now", "2026-05-20T08:00:00Z",
        ])
        #expect(big.status == 0, "\(big.stderr)")
        #expect(
            big.stdout.contains("✗ Galva Loire (galva-loire) — capacity: value 9 000 000 € above capacity 1 000 000 €"))
        let bad = try VigieProcess.vigie(["explain", file, "--rules", "Rules", "--cluster", "nope"])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("unknown cluster nope (known: "))
    }

    // MARK: rules show and rules lint: arguments, JSON, unknown clusters

    @Test func showParsing() throws {
        let bare = try #require(try Vigie.parseAsRoot(["rules", "show", "mecaloire", "--json"]) as? Vigie.Rules.Show)
        #expect(bare.selection.rules == "Rules" && bare.selection.clusters == ["mecaloire"] && bare.output.json)
        // The older form: the rules folder first, the cluster as an option.
        let old = try #require(
            try Vigie.parseAsRoot(["rules", "show", "Rules/", "--cluster", "cognac"]) as? Vigie.Rules.Show)
        #expect(old.selection.rules == "Rules/" && old.selection.clusters == ["cognac"])
        let withOption = try #require(
            try Vigie.parseAsRoot(["rules", "show", "--rules", "Tests/ClassifierTests/Fixtures", "a", "b"])
                as? Vigie.Rules.Show)
        #expect(withOption.selection.rules == "Tests/ClassifierTests/Fixtures")
        #expect(withOption.selection.clusters == ["a", "b"])
        // `vigie rules` alone lints.
        #expect(try Vigie.parseAsRoot(["rules"]) is Vigie.Rules.Lint)
    }

    @Test func showJSON() throws {
        let r = try VigieProcess.vigie(["rules", "show", "mecaloire", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        struct Out: Decodable {
            struct Cluster: Decodable {
                var id: String
                var name: String
                var segments: [Segment]
                var members: [Member]
                var delivery: Delivery
            }
            struct Segment: Decodable { var id: String; var supplied_by: [String]; var members: [String] }
            struct Member: Decodable { var id: String; var capacity: Double?; var contacts: [String] }
            struct Delivery: Decodable {
                var sender: String?
                var staff: [String]
                var share_partners: Bool
                var subscription_days: Int
                var subscription_max_notices: Int
            }
            var clusters: [Cluster]
        }
        let out = try JSONDecoder().decode(Out.self, from: Data(r.stdout.utf8))
        let c = try #require(out.clusters.first)
        #expect(out.clusters.count == 1)
        // Rules/mecaloire.yaml as written.
        #expect(c.id == "mecaloire" && c.name == "Pôle Méca Loire")
        #expect(c.segments.prefix(3).map(\.id) == ["fonderie-forge", "usinage", "tolerie"])
        let furan = try #require(c.members.first { $0.id == "decolletage-furan" })
        #expect(furan.capacity == 800_000)
        #expect(furan.contacts == ["contact@decolletage-furan.example.org"])
        let forges = try #require(c.members.first { $0.id == "forges-gier" })
        #expect(forges.capacity == 3_000_000)
        #expect(forges.contacts == ["contact@forges-gier.example.org", "achats@forges-gier.example.org"])
        #expect(c.segments.first { $0.id == "usinage" }?.members.contains("decolletage-furan") == true)
        #expect(c.delivery.sender == "Pôle Méca Loire — veille <veille@mecaloire.example.org>")
        #expect(
            c.delivery.staff == ["Claire Martin <claire.martin@mecaloire.example.org>", "veille@mecaloire.example.org"])
        // `subscription_days: 60` as written; `subscription_max_notices` left at its default (a comment there).
        #expect(c.delivery.subscription_days == 60 && c.delivery.subscription_max_notices == 500)
    }

    @Test func showOlderFormStillWorks() throws {
        let r = try VigieProcess.vigie(["rules", "show", "Rules", "--cluster", "mecaloire"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("Pôle Méca Loire (mecaloire) — "))
        // What the subscription files hold, in French beside who gets e-mail.
        #expect(
            r.stdout.contains(
                "partenaires nommés aux adhérents : non ; abonnements (latest.ics, latest.atom) : 60 jours, "
                    + "500 avis au plus\n"))
    }

    @Test func showUnknownClusterListsTheKnownOnes() throws {
        let r = try VigieProcess.vigie(["rules", "show", "mecaloir"])
        #expect(r.status == 2)
        #expect(r.stdout.isEmpty)
        let known = try DemoStore.ruleClusterIDs().joined(separator: ", ")
        #expect(r.stderr == "vigie rules show: unknown cluster mecaloir (known: \(known))\n")
    }

    @Test func lintJSONFindingsAreLocated() throws {
        let file = RulesCommandTests.fixtures + "/broken/unknown-key.yaml"
        let r = try VigieProcess.vigie(["rules", "lint", "--json", file])
        #expect(r.status == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let findings = try #require(object["diagnostics"] as? [[String: Any]])
        #expect(findings.count == 2)
        for f in findings {
            #expect(f["file"] as? String == file)
            #expect(f["severity"] as? String == "error")
            #expect(f["line"] is Int && f["column"] is Int && f["message"] is String)
        }
        // The text form says the same: unknown-key.yaml line 9, column 5.
        #expect(findings.first?["line"] as? Int == 9 && findings.first?["column"] as? Int == 5)
    }
}
