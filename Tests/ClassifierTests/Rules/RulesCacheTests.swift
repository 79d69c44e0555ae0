import Foundation
import Testing

@testable import Classifier

/// The rules cache (`loadEach(…, cache:)`): an unchanged file is not read again, and what the cache gives is
/// exactly what reading the files gives — the same clusters, fingerprints, failures and located errors.
@Suite struct RulesCacheTests {
    /// A scratch folder with a copy of the shipped rules in `rules/`; the cache goes beside it, as beside a store.
    struct Scratch {
        let root: String
        var rules: String { root + "/rules" }
        var cache: String { root + "/vigie.sqlite.rules-cache" }

        init() throws {
            root =
                FileManager.default.temporaryDirectory.appendingPathComponent("vigie-cache-\(UUID().uuidString)")
                .path
            try FileManager.default.createDirectory(atPath: root + "/rules", withIntermediateDirectories: true)
            for name in try FileManager.default.contentsOfDirectory(atPath: ClassifierSupport.rulesDirectory)
            where name.hasSuffix(".yaml") {
                try FileManager.default.copyItem(
                    atPath: ClassifierSupport.rulesDirectory + "/" + name, toPath: root + "/rules/" + name)
            }
        }

        func file(_ name: String) -> String { rules + "/" + name }

        var files: [String] {
            get throws {
                try FileManager.default.contentsOfDirectory(atPath: rules).filter { $0.hasSuffix(".yaml") }.sorted()
                    .map(file)
            }
        }

        /// Replaces `old` (which must be there) by `new` in a rule file.
        func edit(_ name: String, _ old: String, _ new: String) throws {
            let text = try String(contentsOfFile: file(name), encoding: .utf8)
            #expect(text.contains(old), "\(old) not in \(name)")
            try text.replacingOccurrences(of: old, with: new).write(
                toFile: file(name), atomically: true, encoding: .utf8)
        }

        func remove() { try? FileManager.default.removeItem(atPath: root) }
    }

    /// Loads compared on everything a caller sees.
    func expectSame(_ a: RulebookLoad, _ b: RulebookLoad, _ comment: Comment? = nil) {
        #expect(a.rulebook == b.rulebook, comment)
        #expect(a.fingerprints == b.fingerprints, comment)
        #expect(a.failed == b.failed, comment)
    }

    @Test func aWarmCacheGivesWhatReadingGivesWithoutReadingAnyFile() throws {
        let s = try Scratch()
        defer { s.remove() }
        let read = try Rulebook.loadEach(directory: s.rules)
        #expect(read.failed.isEmpty)
        #expect(read.parsedFiles == (try s.files))

        let cold = try Rulebook.loadEach(directory: s.rules, linted: read.fingerprints, cache: s.cache)
        expectSame(cold, read)
        #expect(cold.parsedFiles == (try s.files))
        #expect(cold.cacheProblem == nil)
        #expect(FileManager.default.fileExists(atPath: s.cache))
        #expect(!FileManager.default.fileExists(atPath: s.rules + "/vigie.sqlite.rules-cache"))

        let warm = try Rulebook.loadEach(directory: s.rules, linted: read.fingerprints, cache: s.cache)
        expectSame(warm, read)
        #expect(warm.parsedFiles.isEmpty)
        #expect(warm.cacheProblem == nil)
        // Clusters keep the file they were read from, as read.
        #expect(warm.rulebook.cluster("cognac")?.file == s.file("cognac.yaml"))
    }

    /// Without recorded fingerprints every cluster is linted in full, which needs every position of its file:
    /// the cache cannot spare that read, and must not change its outcome.
    @Test func clustersLintedInFullAreReadAgainFromTheirFiles() throws {
        let s = try Scratch()
        defer { s.remove() }
        let read = try Rulebook.loadEach(directory: s.rules)
        _ = try Rulebook.loadEach(directory: s.rules, cache: s.cache)
        let again = try Rulebook.loadEach(directory: s.rules, cache: s.cache)
        expectSame(again, read)
        let clusterFiles = read.rulebook.clusters.compactMap(\.file).sorted()
        #expect(again.parsedFiles.sorted() == clusterFiles)
        #expect(!again.parsedFiles.contains(s.file("thesaurus.yaml")))
    }

    /// An edited cluster file is read (and linted) again, the others not; its new content is what loads and routes.
    @Test func anEditedClusterIsTheOnlyFileReadAgainAndItsNewContentRoutes() throws {
        let s = try Scratch()
        defer { s.remove() }
        let clean = try Rulebook.loadEach(directory: s.rules, cache: s.cache)
        #expect(clean.failed.isEmpty)
        let linted = clean.fingerprints
        #expect(try Rulebook.loadEach(directory: s.rules, linted: linted, cache: s.cache).parsedFiles.isEmpty)

        try s.edit(
            "cognac.yaml", "keywords: [tonnellerie, \"fûts de chêne\", barriques,",
            "keywords: [douelles, \"fûts de chêne\",")
        let edited = try Rulebook.loadEach(directory: s.rules, linted: linted, cache: s.cache)
        #expect(edited.parsedFiles == [s.file("cognac.yaml")])
        expectSame(edited, try Rulebook.loadEach(directory: s.rules, linted: linted))
        let segment = try #require(edited.rulebook.segment("vieillissement", in: "cognac"))
        #expect(
            segment.keywords == [
                "douelles", "fûts de chêne", "merrain*", "chais de vieillissement", "foudres", "tonneaux en bois",
            ])
        #expect(edited.fingerprints["cognac"] != linted["cognac"])
        #expect(edited.fingerprints.filter { $0.key != "cognac" } == linted.filter { $0.key != "cognac" })

        // One keyword of the segment before the edit, two after: the new word is what routes the notice.
        let n = ClassifierSupport.notice("k1", "Fourniture de douelles et de merrains", departement: "33")
        let before = try #require(
            Router(rulebook: clean.rulebook).route(n, now: ClassifierSupport.now).cluster("cognac"))
        #expect(!before.directIDs.contains("tonnellerie-charente"))
        let routed = try #require(
            Router(rulebook: edited.rulebook).route(n, now: ClassifierSupport.now).cluster("cognac"))
        #expect(routed.directIDs.contains("tonnellerie-charente"))
        #expect(routed.segmentIDs.contains("vieillissement"))

        // The next load finds the edited file in the cache too.
        let next = try Rulebook.loadEach(directory: s.rules, linted: edited.fingerprints, cache: s.cache)
        #expect(next.parsedFiles.isEmpty)
        expectSame(next, edited)
    }

    /// Addresses are linted on every load (the fingerprint leaves them out); from the cache, a bad one is still
    /// an error at its line, on the first load and on the next.
    @Test func aBadAddressFoundThroughTheCacheKeepsItsLocation() throws {
        let s = try Scratch()
        defer { s.remove() }
        let clean = try Rulebook.loadEach(directory: s.rules)
        try s.edit(
            "mecaloire.yaml", "contact: contact@decolletage-furan.example.org", "contact: contact chez decolletage")
        let reference = try Rulebook.loadEach(directory: s.rules, linted: clean.fingerprints)
        #expect(reference.failed.map(\.cluster) == ["mecaloire"])
        let error = try #require(reference.failed.first?.errors.first)
        #expect(error.description.hasPrefix(s.file("mecaloire.yaml") + ":"))
        #expect(error.message.contains("is not an e-mail address"))
        let cold = try Rulebook.loadEach(directory: s.rules, linted: clean.fingerprints, cache: s.cache)
        let warm = try Rulebook.loadEach(directory: s.rules, linted: clean.fingerprints, cache: s.cache)
        #expect(warm.parsedFiles.isEmpty)
        expectSame(cold, reference)
        expectSame(warm, reference)
    }

    /// A damaged cache, one of another format, or one that is not a cache at all is ignored (the files are read,
    /// and give the right rules) and written again.
    @Test(arguments: ["flip", "truncate", "garbage", "version", "empty"])
    func aDamagedCacheIsIgnoredAndWrittenAgain(_ damage: String) throws {
        let s = try Scratch()
        defer { s.remove() }
        let read = try Rulebook.loadEach(directory: s.rules)
        _ = try Rulebook.loadEach(directory: s.rules, linted: read.fingerprints, cache: s.cache)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: s.cache)))
        switch damage {
        case "flip":
            // A keyword of the cached rules changed in place: still JSON, still the same length.
            let text = String(decoding: bytes, as: UTF8.self)
            let range = try #require(text.range(of: "\"tonnellerie\""))
            bytes = Array(text.replacingCharacters(in: range, with: "\"tonnelleriz\"").utf8)
        case "truncate": bytes = Array(bytes.prefix(bytes.count / 2))
        case "garbage": bytes = Array("not a cache\n{}".utf8)
        case "version":
            bytes = Array(
                String(decoding: bytes, as: UTF8.self).replacingOccurrences(
                    of: "cache \(RulesCache.formatVersion) ", with: "cache \(RulesCache.formatVersion - 1) "
                ).utf8)
        default: bytes = []
        }
        try Data(bytes).write(to: URL(fileURLWithPath: s.cache))

        let damaged = try Rulebook.loadEach(directory: s.rules, linted: read.fingerprints, cache: s.cache)
        expectSame(damaged, read)
        #expect(damaged.parsedFiles == (try s.files))
        #expect(damaged.cacheProblem != nil)
        #expect(damaged.rulebook.segment("vieillissement", in: "cognac")?.keywords.first == "tonnellerie")
        let rewritten = try Rulebook.loadEach(directory: s.rules, linted: read.fingerprints, cache: s.cache)
        #expect(rewritten.parsedFiles.isEmpty)
        #expect(rewritten.cacheProblem == nil)
        expectSame(rewritten, read)
    }

    /// The cache is keyed by bytes, not by path: a rules folder moved (or a file copied) is the same entries, and
    /// every path then names where the file is now.
    @Test func aMovedFolderIsFoundInTheCacheUnderItsNewPaths() throws {
        let s = try Scratch()
        defer { s.remove() }
        let first = try Rulebook.loadEach(directory: s.rules, cache: s.cache)
        let moved = s.root + "/moved"
        try FileManager.default.moveItem(atPath: s.rules, toPath: moved)
        let read = try Rulebook.loadEach(directory: moved)
        let cached = try Rulebook.loadEach(directory: moved, linted: first.fingerprints, cache: s.cache)
        #expect(cached.parsedFiles.isEmpty)
        expectSame(cached, read)
        #expect(cached.rulebook.clusters.allSatisfy { $0.file?.hasPrefix(moved + "/") == true })
    }

    /// Two files with the same bytes are one entry; the copy is still a duplicate cluster id, located in the copy.
    @Test func aCopiedFileIsStillADuplicateCluster() throws {
        let s = try Scratch()
        defer { s.remove() }
        let clean = try Rulebook.loadEach(directory: s.rules)
        // A bad address in both: each file's error names that file.
        try s.edit("energie.yaml", "contact: contact@soleil-catalan.example.org", "contact: soleil-catalan@")
        try FileManager.default.copyItem(atPath: s.file("energie.yaml"), toPath: s.file("energie2.yaml"))
        let reference = try Rulebook.loadEach(directory: s.rules, linted: clean.fingerprints)
        _ = try Rulebook.loadEach(directory: s.rules, linted: clean.fingerprints, cache: s.cache)
        let cached = try Rulebook.loadEach(directory: s.rules, linted: clean.fingerprints, cache: s.cache)
        #expect(cached.parsedFiles.isEmpty)
        expectSame(cached, reference)
        #expect(Set(cached.failed.map(\.file)) == [s.file("energie.yaml"), s.file("energie2.yaml")])
        for failure in cached.failed {
            #expect(failure.errors.allSatisfy { $0.file == failure.file })
            #expect(failure.errors.contains { $0.message.contains("'soleil-catalan@' is not an e-mail address") })
        }
        let copy = try #require(cached.failed.first { $0.file == s.file("energie2.yaml") })
        #expect(copy.errors.contains { $0.message.contains("duplicate cluster id 'energie'") })
    }

    /// A cache that cannot be written is no error: the rules load, read from their files.
    @Test func anUnwritableCacheOnlyCostsTheRead() throws {
        let s = try Scratch()
        defer { s.remove() }
        let read = try Rulebook.loadEach(directory: s.rules)
        let nowhere = s.root + "/no-such-folder/vigie.sqlite.rules-cache"
        let load = try Rulebook.loadEach(directory: s.rules, linted: read.fingerprints, cache: nowhere)
        expectSame(load, read)
        #expect(load.cacheProblem?.contains("not written") == true)
    }

    /// YAML keys equal as text but not as YAML values (`1` is a number, `"1"` a string) were never duplicates;
    /// reading without YAML's implicit types must not make them so. A real duplicate is still one.
    @Test func keysEqualAsTextButNotAsYAMLValuesAreNotDuplicates() throws {
        let s = try Scratch()
        defer { s.remove() }
        let path = s.root + "/thesaurus.yaml"
        try "thesaurus:\n  1: [un, une]\n  \"1\": [premier, première]\n".write(
            toFile: path, atomically: true, encoding: .utf8)
        let loaded = RulebookLoader().read(files: [path])
        #expect(loaded.diagnostics.isEmpty, "\(loaded.diagnostics)")
        #expect(loaded.rulebook.thesaurus.groups == [["1", "un", "une"], ["1", "premier", "première"]])
        try "thesaurus:\n  usinage: [tournage]\n  usinage: [fraisage]\n".write(
            toFile: path, atomically: true, encoding: .utf8)
        let duplicate = RulebookLoader().read(files: [path])
        #expect(
            duplicate.diagnostics.map(\.description) == [
                "\(path):3:3: error: duplicate key 'usinage' (first at line 2)"
            ])
    }
}
