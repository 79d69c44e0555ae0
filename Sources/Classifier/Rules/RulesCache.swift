import Foundation

/// Rule files already read, kept between runs in one file beside the store (`<store>.rules-cache`), keyed by a
/// fingerprint of each file's bytes (``Rulebook``'s FNV-1a, and the length): a night reads again only the files that changed.
///
/// A national deployment has 300 cluster files that change a few times a year; reading them (YAML, then every
/// keyword, site and address checked) was seconds of every night, even of a night with nothing new. An entry gives
/// exactly what reading the same bytes gives — the ``Cluster``, the reader's diagnostics, the thesaurus groups with
/// their positions — plus what ``Rulebook/loadEach(directory:vocabulary:linted:cache:)`` computes from the file
/// alone: the start of its routing fingerprint and the lint of the addresses it e-mails. It does not keep every
/// position of a cluster file: a cluster linted in full (its routing changed) is read again from its file.
///
/// Never in the rules folder (users keep that in git). A cache that cannot be read, was written by another
/// format, or does not match its own checksum is ignored and written again: it can make a load faster, never
/// different, and never fail it.
struct RulesCache: Sendable {
    /// Changes whenever what is kept, or what reading a file gives, changes: an older cache is then ignored.
    static let formatVersion = 2
    static let magic = "vigie-rules-cache"

    /// One rule file as read.
    struct Entry: Sendable, Codable, Hashable {
        /// The file it was read from (a copy of the same bytes elsewhere is the same entry, moved).
        var file: String
        /// The reader's diagnostics.
        var diagnostics: [LintDiagnostic]
        /// A cluster file: the cluster as read, and where its `cluster.id` was written.
        var cluster: Cluster?
        var clusterID: SourcePosition?
        /// A thesaurus file: its groups as written and where.
        var thesaurus: [[String]]?
        var thesaurusSource: ThesaurusSource?
        /// FNV-1a state after the cluster's routing bytes and the separator (see ``Rulebook/fingerprint(_:)``),
        /// 16 hex digits; nil when they could not be computed.
        var routingPrefix: String?
        /// ``LintChecks/mailDiagnostics(_:_:)`` of the cluster.
        var mailDiagnostics: [LintDiagnostic]?

        /// The entry as if its bytes had been read at `path`.
        func moved(to path: String) -> Entry {
            guard path != file else { return self }
            var e = self
            let old = file
            e.file = path
            for i in e.diagnostics.indices where e.diagnostics[i].file == old { e.diagnostics[i].file = path }
            if e.cluster?.file == old { e.cluster?.file = path }
            if e.thesaurusSource?.file == old { e.thesaurusSource?.file = path }
            for i in (e.mailDiagnostics ?? []).indices where e.mailDiagnostics?[i].file == old {
                e.mailDiagnostics?[i].file = path
            }
            return e
        }

        /// What reading the file gave: a cluster's source holds its id's position only.
        var read: RuleFileRead {
            var r = RuleFileRead(file: file, diagnostics: diagnostics)
            if let thesaurus, let thesaurusSource {
                r.thesaurus = (thesaurus, thesaurusSource)
            } else if let cluster {
                let start = SourcePosition(line: 1, column: 1)
                r.cluster = (
                    cluster,
                    ClusterSource(file: file, top: start, cluster: start, id: clusterID, isComplete: false)
                )
            }
            return r
        }
    }

    /// Fingerprint and length of a file's bytes → the file as read.
    var entries: [String: Entry] = [:]

    /// The cache at `path`; empty when there is none, or when it cannot be trusted (then `problem` says why).
    static func read(path: String) -> (cache: RulesCache, problem: String?) {
        guard let data = FileManager.default.contents(atPath: path) else { return (RulesCache(), nil) }
        // `vigie-rules-cache <version> <fingerprint of the rest>\n`, then the entries as JSON.
        guard let newline = data.firstIndex(of: UInt8(ascii: "\n")) else {
            return (RulesCache(), "rules cache \(path): no header")
        }
        let header = String(decoding: data[data.startIndex..<newline], as: UTF8.self).split(separator: " ")
        guard header.count == 3, header[0] == magic, header[1] == "\(formatVersion)" else {
            return (RulesCache(), "rules cache \(path): another format")
        }
        let payload = data[data.index(after: newline)...]
        guard Rulebook.fingerprint(payload) == header[2] else { return (RulesCache(), "rules cache \(path): damaged") }
        do {
            let entries = try JSONDecoder().decode([String: Entry].self, from: payload)
            return (RulesCache(entries: entries), nil)
        } catch {
            return (RulesCache(), "rules cache \(path): \(error)")
        }
    }

    /// Writes the cache at `path`, atomically (a night killed mid-write leaves the previous cache or none).
    func write(path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // The JSON object of every entry, encoded one entry at a time: the encoder's tree of a whole national
        // deployment's rules (several times the 9 MB it writes) stayed in the night's peak memory. Keys are hex
        // digits, which need no escaping.
        var payload = Data("{".utf8)
        for (i, (key, entry)) in entries.sorted(by: { $0.key < $1.key }).enumerated() {
            if i > 0 { payload.append(UInt8(ascii: ",")) }
            payload.append(contentsOf: Array("\"\(key)\":".utf8))
            payload.append(try encoder.encode(entry))
        }
        payload.append(UInt8(ascii: "}"))
        var data = Data("\(Self.magic) \(Self.formatVersion) \(Rulebook.fingerprint(payload))\n".utf8)
        data.append(payload)
        try data.write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
