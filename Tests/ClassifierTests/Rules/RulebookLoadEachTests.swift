import Foundation
import Testing

@testable import Classifier

/// `Rulebook.loadEach`: one cluster's broken file is that cluster's failure, located; the others still load.
@Suite struct RulebookLoadEachTests {
    /// A copy of the shipped rules in a scratch folder, for editing.
    func copyOfRules() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigie-rules-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: ClassifierSupport.rulesDirectory)
        where name.hasSuffix(".yaml") {
            try FileManager.default.copyItem(
                atPath: ClassifierSupport.rulesDirectory + "/" + name, toPath: dir + "/" + name)
        }
        return dir
    }

    @Test func anEmptyClusterFileFailsThatClusterAloneWithItsLocation() throws {
        let dir = try copyOfRules()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let all = try Rulebook.loadEach(directory: dir)
        #expect(all.failed.isEmpty)
        try Data().write(to: URL(fileURLWithPath: dir + "/mecaloire.yaml"))

        let loaded = try Rulebook.loadEach(directory: dir)
        #expect(loaded.failed.map(\.cluster) == ["mecaloire"])
        let error = try #require(loaded.failed.first?.errors.first)
        #expect(error.description.hasPrefix(dir + "/mecaloire.yaml:1:1: error"))
        #expect(error.description.contains("empty rule file"))
        #expect(
            Set(loaded.rulebook.clusters.map(\.id)) == Set(all.rulebook.clusters.map(\.id)).subtracting(["mecaloire"]))
        // The strict load used by `vigie route` and `rules lint` refuses the folder outright.
        #expect(throws: ClassifierError.self) { _ = try Rulebook.load(directory: dir) }
    }

    @Test func aThesaurusErrorConcernsEveryClusterAndThrows() throws {
        let dir = try copyOfRules()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "thesaurus:\n  - [a, b\n".write(toFile: dir + "/thesaurus.yaml", atomically: true, encoding: .utf8)
        #expect(throws: ClassifierError.self) { _ = try Rulebook.loadEach(directory: dir) }
    }

    /// Replaces `old` (which must be there) by `new` in a file.
    func edit(_ path: String, _ old: String, _ new: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains(old), "\(old) not in \(path)")
        try text.replacingOccurrences(of: old, with: new).write(toFile: path, atomically: true, encoding: .utf8)
    }

    @Test func fingerprintsChangeWithTheClustersRoutingRulesOrTheThesaurusOnly() throws {
        let dir = try copyOfRules()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let before = try Rulebook.loadEach(directory: dir).fingerprints
        #expect(Set(before.keys) == ["mecaloire", "nucleaire", "cognac", "energie"])
        let path = dir + "/cognac.yaml"
        // A routing edit: a keyword more.
        try edit(path, "keywords: [viticulture,", "keywords: [viticulture, vinification,")
        let afterCluster = try Rulebook.loadEach(directory: dir).fingerprints
        #expect(afterCluster["cognac"] != before["cognac"])
        #expect(afterCluster["mecaloire"] == before["mecaloire"])
        let thesaurus = dir + "/thesaurus.yaml"
        try (try String(contentsOfFile: thesaurus, encoding: .utf8) + "\n  - [vinification, vinifier]\n")
            .write(toFile: thesaurus, atomically: true, encoding: .utf8)
        let afterThesaurus = try Rulebook.loadEach(directory: dir).fingerprints
        #expect(afterThesaurus.allSatisfy { afterCluster[$0.key] != $0.value })
    }

    /// Who is e-mailed never changes a route: editing an address, the staff or a comment must not route a whole
    /// store again.
    @Test func deliveryContactsRecipientsAndCommentsLeaveTheFingerprint() throws {
        let dir = try copyOfRules()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let before = try Rulebook.loadEach(directory: dir).fingerprints
        let path = dir + "/mecaloire.yaml"
        try edit(
            path, "reply_to: \"Claire Martin <claire.martin@mecaloire.example.org>\"",
            "reply_to: [claire.martin@mecaloire.example.org, veille@mecaloire.example.org]")
        try edit(path, "      - \"veille@mecaloire.example.org\"\n", "")
        try edit(path, "subscription_days: 60", "subscription_days: 30")
        try edit(
            path, "contact: contact@decolletage-furan.example.org",
            "contact: [contact@decolletage-furan.example.org, devis@decolletage-furan.example.org]")
        try edit(path, "recipients: [veille@mecaloire.example.org]", "recipients: [hydrogene@mecaloire.example.org]")
        try (try String(contentsOfFile: path, encoding: .utf8) + "\n# une note\n")
            .write(toFile: path, atomically: true, encoding: .utf8)
        let loaded = try Rulebook.loadEach(directory: dir)
        #expect(loaded.failed.isEmpty)
        let c = try #require(loaded.rulebook.cluster("mecaloire"))
        #expect(c.delivery.subscriptionDays == 30 && c.delivery.staff.count == 1)
        #expect(c.member("decolletage-furan")?.contacts.count == 2)
        #expect(loaded.fingerprints == before)
        // The same file with a member's capacity changed is another routing.
        try edit(path, "capacity: 800k", "capacity: 900k")
        #expect(try Rulebook.loadEach(directory: dir).fingerprints["mecaloire"] != before["mecaloire"])
    }

    /// Rules are linted once per change: a cluster whose routing rules still have the fingerprint the store
    /// recorded (rules that linted clean) is not linted again, a cluster edited since is, and what the fingerprint
    /// leaves out — cluster ids across files, who is e-mailed — is checked every time.
    @Test func rulesUnchangedSinceTheyWereRecordedAreNotLintedAgain() throws {
        let dir = try copyOfRules()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let clean = try Rulebook.loadEach(directory: dir)
        #expect(clean.failed.isEmpty)
        let again = try Rulebook.loadEach(directory: dir, linted: clean.fingerprints)
        #expect(again.failed.isEmpty)
        #expect(again.rulebook == clean.rulebook)
        #expect(again.fingerprints == clean.fingerprints)

        // A routing edit changes the fingerprint: the cluster is linted, and its error found.
        try edit(
            dir + "/cognac.yaml", "segments: [viticulture], sites: [\"16100\"]",
            "segments: [viticultur], sites: [\"16100\"]")
        let edited = try Rulebook.loadEach(directory: dir, linted: clean.fingerprints)
        #expect(edited.failed.map(\.cluster) == ["cognac"])
        #expect(edited.failed.first?.errors.contains { $0.message.contains("unknown segment 'viticultur'") } == true)
        #expect(Set(edited.rulebook.clusters.map(\.id)) == ["mecaloire", "nucleaire", "energie"])

        // What the linter skips is only what the fingerprint covers: the same error in a cluster said unchanged
        // is not looked for, a bad address still is.
        let loaded = try RulebookLoader().read(directory: dir)
        let cognac = try #require(loaded.rulebook.clusters.firstIndex { $0.id == "cognac" })
        #expect(RulesLinter().lint(loaded, unchanged: [cognac]).errors.isEmpty)
        try edit(
            dir + "/mecaloire.yaml", "contact: contact@decolletage-furan.example.org",
            "contact: contact chez decolletage-furan")
        // A contact is not part of the fingerprint: mecaloire's routing rules are still the recorded ones.
        let badAddress = try Rulebook.loadEach(directory: dir, linted: clean.fingerprints)
        #expect(Set(badAddress.failed.map(\.cluster)) == ["cognac", "mecaloire"])
        let mecaloire = try #require(badAddress.failed.first { $0.cluster == "mecaloire" })
        #expect(mecaloire.errors.contains { $0.message.contains("is not an e-mail address") })

        // A second file with the id of an unchanged cluster is still a duplicate.
        try FileManager.default.removeItem(atPath: dir + "/mecaloire.yaml")
        try FileManager.default.copyItem(atPath: dir + "/energie.yaml", toPath: dir + "/energie2.yaml")
        let duplicate = try Rulebook.loadEach(directory: dir, linted: clean.fingerprints)
        #expect(duplicate.failed.contains { $0.file.hasSuffix("energie2.yaml") })
        #expect(
            duplicate.failed.flatMap(\.errors).contains { $0.message.contains("duplicate cluster id 'energie'") })
    }
}
