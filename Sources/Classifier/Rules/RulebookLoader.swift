import Foundation
import Notices
import Yams

/// What ``RulebookLoader`` read from rule files: the rulebook as written, the read diagnostics, and where each
/// value was written (so that ``RulesLinter`` can point at it).
public struct LoadedRulebook: Sendable {
    /// Rule files read, in load order.
    public var files: [String]
    /// Every cluster and thesaurus group that could be read. Values that do not parse (an unknown département,
    /// kind or scope, a malformed CPV code…) are left out, each with an error; everything else is kept as
    /// written, keywords trimmed, for the linter to judge.
    public var rulebook: Rulebook
    /// Read diagnostics (YAML syntax, unknown or missing keys, wrong types, values that do not parse), in
    /// editor order.
    public var diagnostics: [LintDiagnostic]
    var sources: RuleSources
    /// Cluster index → what ``RulesLinter`` says of the addresses it e-mails, when already known (kept in the rules
    /// cache with the file): the part of the lint that still runs on rules unchanged since they linted clean.
    var mailDiagnostics: [Int: [LintDiagnostic]] = [:]

    public var errors: [LintDiagnostic] { diagnostics.filter { $0.severity == .error } }
}

/// Reads rule files (YAML) into a ``Rulebook``: one file per cluster (`cluster:`, `segments:`, `members:`,
/// `watches:`) and shared thesaurus files (`thesaurus:`). Every read diagnostic names file, line, column and key
/// (positions come from the YAML node marks).
///
/// The loader checks that the files can be read as the schema says; whether what they say is consistent
/// (duplicate ids, unknown segments, malformed keywords, CPV codes against the vocabulary…) is
/// ``RulesLinter``'s job, and ``Rulebook/load(directory:vocabulary:)`` runs both.
public struct RulebookLoader: Sendable {
    public init() {}

    /// Reads every `*.yaml` / `*.yml` file of a directory (or one file) and throws the first read error.
    ///
    /// Lint checks are not run: use ``Rulebook/load(directory:vocabulary:)`` for a rulebook that routing can
    /// trust.
    public func load(directory: String) throws -> LoadedRulebook {
        let loaded = try read(directory: directory)
        if let first = loaded.errors.first { throw first.error }
        return loaded
    }

    /// Reads every `*.yaml` / `*.yml` file of a directory (or one file), errors included; throws only when the
    /// directory cannot be listed or holds no rule file.
    public func read(directory: String) throws -> LoadedRulebook {
        read(files: try ruleFiles(directory: directory))
    }

    /// The rule files of a directory (`*.yaml` / `*.yml`, sorted by name), or the one file given; throws when the
    /// directory cannot be listed or holds no rule file.
    func ruleFiles(directory: String) throws -> [String] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDir) else {
            throw ClassifierError.unreadable(path: directory, reason: "no such file or directory")
        }
        if !isDir.boolValue { return [directory] }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw ClassifierError.unreadable(path: directory, reason: "\(error)")
        }
        let base = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        let files = names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted().map { "\(base)/\($0)" }
        if files.isEmpty { throw ClassifierError.unreadable(path: directory, reason: "no *.yaml rule file") }
        return files
    }

    /// Reads the given files together, errors included.
    public func read(files: [String]) -> LoadedRulebook {
        RulebookLoader.combine(files.map { RuleReader.read(file: $0, data: FileManager.default.contents(atPath: $0)) })
    }

    /// The rulebook of files read one by one, in the order given.
    static func combine(_ reads: [RuleFileRead]) -> LoadedRulebook {
        var clusters: [Cluster] = []
        var groups: [[String]] = []
        var sources = RuleSources()
        var diagnostics: [LintDiagnostic] = []
        for r in reads {
            diagnostics += r.diagnostics
            if let (read, source) = r.thesaurus {
                groups += read
                sources.thesauri.append(source)
            } else if let (c, source) = r.cluster {
                clusters.append(c)
                sources.clusters.append(source)
            }
        }
        let files = reads.map(\.file)
        let book = Rulebook(clusters: clusters, thesaurus: Thesaurus(groups: groups))
        return LoadedRulebook(
            files: files, rulebook: book, diagnostics: LintDiagnostic.editorOrder(diagnostics, files: files),
            sources: sources)
    }
}

/// What one rule file reads as on its own: the reader's diagnostics and its cluster or thesaurus groups (neither
/// when it could not be read that far). Reading a file depends on its bytes alone, which is what lets
/// ``RulesCache`` keep it.
struct RuleFileRead: Sendable {
    var file: String
    var diagnostics: [LintDiagnostic] = []
    var cluster: (Cluster, ClusterSource)?
    var thesaurus: ([[String]], ThesaurusSource)?
}

/// Read state for one run: current file, diagnostics, positions of what was read.
struct RuleReader {
    var file = ""
    var diagnostics: [LintDiagnostic] = []
    /// Lines of duplicate keys already reported (renamed before composing); their key path is filled in later.
    var duplicateKeyLines: Set<Int> = []
    static let duplicateMarker = "__duplicate__"

    /// Reads one file's bytes (nil: the file could not be read).
    static func read(file: String, data: Data?) -> RuleFileRead {
        var reader = RuleReader()
        reader.file = file
        var out = RuleFileRead(file: file)
        if let top = reader.compose(data: data) {
            if top.keys.contains(where: { $0.string == "thesaurus" }) {
                out.thesaurus = reader.thesaurusFile(top)
            } else if let read = reader.clusterFile(top) {
                out.cluster = read
            }
        }
        out.diagnostics = reader.diagnostics
        return out
    }

    /// The top mapping of a file, or nil after a diagnostic.
    mutating func compose(data: Data?) -> Node.Mapping? {
        guard let data else {
            error(line: 1, column: 1, key: nil, "cannot read file")
            return nil
        }
        var text = String(decoding: data, as: UTF8.self)
        let before = diagnostics.count
        var root: Node?
        do {
            // Yams refuses a mapping with a duplicated key as a whole; rename each block-style duplicate,
            // report it at its own line, and compose again so the rest of the file is still checked.
            var attempts = 0
            // Rule files are read as text: no value's meaning hangs on YAML's implicit types, but Yams resolves
            // them (by regular expression, for every key of every mapping, to check for duplicates) unless told
            // not to — half of reading a national deployment's rules. Keys equal as text are duplicates under
            // the plain resolver whenever they are under the default one (never the other way round: `true` and
            // `"true"`), so a duplicate found under the plain one is looked for again under the default one.
            var resolver = Resolver.basic
            while true {
                do {
                    root = try Yams.compose(yaml: text, resolver)
                    break
                } catch YamlError.duplicatedKeysInMapping where resolver !== Resolver.default {
                    resolver = .default
                } catch YamlError.duplicatedKeysInMapping(let keys, let context) where attempts < 50 {
                    attempts += 1
                    guard let key = keys.first,
                        let (renamed, line, column) = RuleReader.renameDuplicate(key, after: context.mark, in: text)
                    else {
                        error(
                            line: context.mark.line, column: context.mark.column, key: keys.first,
                            "duplicate key '\(keys.joined(separator: "', '"))'")
                        root = nil
                        break
                    }
                    text = renamed
                    error(
                        line: line, column: column, key: nil,
                        "duplicate key '\(key)' (first at line \(context.mark.line))")
                    duplicateKeyLines.insert(line)
                }
            }
            if root == nil {
                // An empty file (a truncated copy, an editor that saved nothing) composes to no node at all. Read
                // silently, it dropped its cluster from the run, and the notices classified that night were never
                // routed to it once the file was restored.
                if diagnostics.count == before {
                    error(
                        line: 1, column: 1, key: nil,
                        "empty rule file: expected `cluster:` (a cluster's rules) or `thesaurus:` at the top")
                }
                return nil
            }
        } catch let e as YamlError {
            let (line, column, message) = RuleReader.position(of: e)
            error(line: line, column: column, key: nil, "YAML syntax: \(message)")
            return nil
        } catch {
            self.error(line: 1, column: 1, key: nil, "YAML syntax: \(error)")
            return nil
        }
        guard let root, case .mapping(let top) = root else {
            error(line: 1, column: 1, key: nil, "expected a mapping with `cluster:` or `thesaurus:` at the top")
            return nil
        }
        return top
    }

    /// Renames the block-style repeat of `key` that follows its first occurrence at `first` (same column).
    static func renameDuplicate(_ key: String, after first: Mark, in text: String) -> (String, Int, Int)? {
        var lines = text.components(separatedBy: "\n")
        guard first.line >= 1, first.line <= lines.count else { return nil }
        let indent = first.column - 1
        for i in first.line..<lines.count {
            let l = lines[i]
            let chars = Array(l)
            guard chars.count > indent else { continue }
            let lead = chars[..<indent]
            // Stop when the mapping ends (a line less indented than the key that is not blank or a comment).
            if !lead.allSatisfy({ $0 == " " || $0 == "-" }) {
                let t = l.trimmingCharacters(in: .whitespaces)
                if t.isEmpty || t.hasPrefix("#") { continue }
                return nil
            }
            if lead.contains("-") { return nil }  // next item of the enclosing sequence
            let rest = String(chars[indent...])
            if rest.hasPrefix(key + ":") {
                lines[i] = String(lead) + key + duplicateMarker + String(rest.dropFirst(key.count))
                return (lines.joined(separator: "\n"), i + 1, indent + 1)
            }
        }
        return nil
    }

    static func position(of e: YamlError) -> (Int, Int, String) {
        switch e {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let ctx = context.map { "\($0.text) " } ?? ""
            return (mark.line, mark.column, ctx + problem)
        default:
            return (1, 1, "\(e)")
        }
    }

    /// Position of a node; line 1, column 1 when there is none.
    static func at(_ node: Node?) -> SourcePosition {
        SourcePosition(line: node?.mark?.line ?? 1, column: node?.mark?.column ?? 1)
    }

    mutating func error(line: Int, column: Int, key: String?, _ message: String) {
        diagnostics.append(
            LintDiagnostic(
                severity: .error, file: file, line: line, column: column, key: key,
                message: message))
    }

    mutating func error(_ node: Node?, _ key: String?, _ message: String) {
        error(line: node?.mark?.line ?? 1, column: node?.mark?.column ?? 1, key: key, message)
    }

    // MARK: - Generic shape

    /// The pairs of a mapping, reporting unknown and duplicate keys. Returns key → (key node, value node).
    /// `elsewhere`: keys that belong at another place (key → where), named so in their error.
    mutating func fields(
        _ m: Node.Mapping, path: String, allowed: [String],
        elsewhere: [String: String] = [:]
    ) -> [String: (Node, Node)] {
        var out: [String: (Node, Node)] = [:]
        for (k, v) in m {
            guard let name = k.string, case .scalar = k else {
                error(k, path, "keys must be plain words")
                continue
            }
            if name.hasSuffix(RuleReader.duplicateMarker) {
                // Reported before composing; now that the path is known, attach it.
                let real = String(name.dropLast(RuleReader.duplicateMarker.count))
                let line = k.mark?.line ?? 0
                if let i = diagnostics.firstIndex(where: {
                    $0.file == file && $0.line == line && $0.key == nil
                        && $0.message.hasPrefix("duplicate key")
                }) {
                    diagnostics[i].key = path.isEmpty ? real : "\(path).\(real)"
                }
                continue
            }
            let keyPath = path.isEmpty ? name : "\(path).\(name)"
            if !allowed.contains(name), let place = elsewhere[name] {
                error(k, keyPath, "'\(name)' belongs under \(place)")
                continue
            }
            if !allowed.contains(name) {
                let hint = LintDiagnostic.closest(name, in: allowed).map { "; did you mean '\($0)'?" } ?? ""
                error(k, keyPath, "unknown key '\(name)'\(hint) (allowed: \(allowed.joined(separator: ", ")))")
                continue
            }
            out[name] = (k, v)
        }
        return out
    }

    mutating func string(_ node: Node?, _ key: String, required: Bool = false, in parent: Node? = nil) -> String? {
        guard let node else {
            if required { error(parent, key, "missing required key '\(key.split(separator: ".").last ?? "")'") }
            return nil
        }
        guard case .scalar(let s) = node else {
            error(node, key, "expected a text value")
            return nil
        }
        if s.style == .plain && s.string.isBlank {
            if required { error(node, key, "empty value") }
            return nil
        }
        return s.string
    }

    /// A list of scalars, each with its node. A single scalar is accepted as a one-item list.
    mutating func list(_ node: Node?, _ key: String) -> [(String, Node)] {
        guard let node else { return [] }
        switch node {
        case .sequence(let seq):
            var out: [(String, Node)] = []
            for (i, item) in seq.enumerated() {
                if case .scalar(let s) = item {
                    out.append((s.string, item))
                } else {
                    error(item, "\(key)[\(i)]", "expected a text item, found a nested list or mapping")
                }
            }
            return out
        case .scalar(let s):
            if s.string.isEmpty && s.style == .plain { return [] }  // `key:` with nothing = empty list
            return [(s.string, node)]
        default:
            error(node, key, "expected a list")
            return []
        }
    }

    /// A list kept as written, with each item's position for the linter.
    mutating func sourceList(_ node: Node?, _ key: String) -> [(String, SourceItem)] {
        list(node, key).enumerated().map { i, item in
            (item.0, SourceItem(index: i, position: RuleReader.at(item.1), text: item.0))
        }
    }

    mutating func number(_ node: Node?, _ key: String) -> Double? {
        guard let node else { return nil }
        guard case .scalar(let s) = node, let v = RuleReader.amount(s.string) else {
            error(node, key, "expected a number (euros, e.g. 2500000, 2.5M or 800k)")
            return nil
        }
        return v
    }

    /// `EuroAmount.parse`, with plain digits (every member's `capacity`) read without its six text replacements:
    /// the same value, since none of them applies to digits.
    static func amount(_ text: String) -> Double? {
        let utf8 = text.utf8
        if !utf8.isEmpty, utf8.count <= 15, utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) { return Double(text) }
        return EuroAmount.parse(text)
    }

    mutating func integer(_ node: Node?, _ key: String, range: ClosedRange<Int>) -> Int? {
        guard let node else { return nil }
        guard case .scalar(let s) = node, let v = Int(s.string), range.contains(v) else {
            error(node, key, "expected a whole number from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        return v
    }

    mutating func boolean(_ node: Node?, _ key: String) -> Bool? {
        guard let node else { return nil }
        let values = ["true": true, "yes": true, "false": false, "no": false]
        guard case .scalar(let s) = node, let v = values[s.string.lowercased()] else {
            error(node, key, "expected true or false")
            return nil
        }
        return v
    }

    /// E-mail addresses (one, or a list) as written, trimmed; whether they are addresses is the linter's call.
    mutating func addresses(_ node: Node?, _ key: String) -> [(String, SourceItem)] {
        let single: Bool
        if case .scalar? = node { single = true } else { single = false }
        return sourceList(node, key).map { text, item in
            var item = item
            if single { item.key = key }
            return (text.trimmingWhitespace(), item)
        }
    }

    mutating func id(_ node: Node?, _ key: String, parent: Node) -> String? {
        guard let s = string(node, key, required: true, in: parent) else { return nil }
        let ok =
            !s.isEmpty
            && s.unicodeScalars.allSatisfy {
                ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9") || $0 == "-" || $0 == "_"
            }
        if !ok { error(node, key, "id '\(s)' must be lower-case letters, digits, '-' or '_'") }
        return s
    }

    mutating func kinds(_ node: Node?, _ key: String) -> [NoticeKind] {
        var out: [NoticeKind] = []
        for (i, (s, n)) in list(node, key).enumerated() {
            let aliases: [String: NoticeKind] = [
                "tenders": .tender, "calls_for_projects": .callForProjects,
                "prior_information_notices": .priorInformation, "awards": .award,
            ]
            if let k = NoticeKind(rawValue: s) ?? aliases[s] {
                out.append(k)
            } else {
                let known = NoticeKind.allCases.map(\.rawValue).joined(separator: ", ")
                error(n, "\(key)[\(i)]", "unknown kind '\(s)' (kinds: \(known))")
            }
        }
        return out
    }

    mutating func scope(_ node: Node?, _ key: String) -> TerritoryScope? {
        guard let s = string(node, key) else { return nil }
        guard let v = TerritoryScope(rawValue: s) else {
            let known = TerritoryScope.allCases.map(\.rawValue).joined(separator: ", ")
            error(node, key, "unknown scope '\(s)' (scopes: \(known))")
            return nil
        }
        return v
    }

    // MARK: - Keywords and codes

    /// Keywords as written, trimmed; whether they are usable is the linter's call.
    mutating func keywords(_ node: Node?, _ key: String) -> [(String, SourceItem)] {
        sourceList(node, key).map { ($0.0.trimmingWhitespace(newlines: true), $0.1) }
    }

    /// CPV codes that are well formed (a full code NNNNNNNN-N or a prefix of 2 to 8 digits), trimmed; whether
    /// they exist is the linter's call (with a vocabulary).
    mutating func cpvCodes(_ node: Node?, _ key: String) -> [(String, SourceItem)] {
        var out: [(String, SourceItem)] = []
        for (s, item) in sourceList(node, key) {
            let c = s.trimmingWhitespace()
            guard RuleReader.cpvForm(c) != nil else {
                error(
                    line: item.position.line, column: item.position.column, key: "\(key)[\(item.index)]",
                    "bad CPV '\(s)': expected a full code NNNNNNNN-N or a prefix of 2 to 8 digits")
                continue
            }
            out.append((c, item))
        }
        return out
    }

    /// A CPV code's digits, check digit (nil for a prefix), or nil when it is neither a full code nor a prefix.
    static func cpvForm(_ c: String) -> (digits: String, check: String?)? {
        let parts = c.split(separator: "-", omittingEmptySubsequences: false)
        let digits = String(parts[0])
        let full = parts.count == 2 && digits.count == 8 && parts[1].count == 1 && parts[1].allSatisfy(\.isNumber)
        let prefix = parts.count == 1 && (2...8).contains(digits.count)
        guard digits.allSatisfy(\.isNumber), full || prefix else { return nil }
        return (digits, full ? String(parts[1]) : nil)
    }

    mutating func descriptors(_ node: Node?, _ key: String) -> [String] {
        var out: [String] = []
        for (i, (s, n)) in list(node, key).enumerated() {
            if s.isEmpty || s.count > 6 || !s.allSatisfy(\.isNumber) {
                error(n, "\(key)[\(i)]", "bad BOAMP descriptor '\(s)': expected its numeric code")
            } else {
                out.append(s)
            }
        }
        return out
    }

    // MARK: - Files

    /// A thesaurus file: its groups as written (variants untrimmed) and where they were written.
    mutating func thesaurusFile(_ top: Node.Mapping) -> ([[String]], ThesaurusSource) {
        var source = ThesaurusSource(file: file)
        let f = fields(top, path: "", allowed: ["thesaurus"])
        guard let (_, v) = f["thesaurus"] else { return ([], source) }
        var groups: [[String]] = []
        func addGroup(_ items: [(String, Node)], _ path: String) {
            groups.append(items.map(\.0))
            source.groups.append(
                ThesaurusGroupSource(
                    path: path,
                    items: items.enumerated().map { j, item in
                        SourceItem(index: j, position: RuleReader.at(item.1), text: item.0)
                    }))
        }
        switch v {
        case .sequence(let seq):
            for (i, item) in seq.enumerated() {
                if case .sequence = item {
                    addGroup(list(item, "thesaurus[\(i)]"), "thesaurus[\(i)]")
                } else {
                    error(item, "thesaurus[\(i)]", "expected a list of variants, e.g. [usinage, décolletage]")
                }
            }
        case .mapping(let m):
            // `usinage: [décolletage, tournage]` form.
            for (k, val) in m {
                guard let head = k.string else { continue }
                addGroup([(head, k)] + list(val, "thesaurus.\(head)"), "thesaurus.\(head)")
            }
        default:
            error(v, "thesaurus", "expected a list of groups of variants")
        }
        return (groups, source)
    }

    static let clusterTopKeys = ["cluster", "segments", "members", "watches"]
    static let clusterKeys = ["id", "name", "language", "territory", "routing", "delivery", "description"]
    static let deliveryKeys = [
        "sender", "reply_to", "staff", "share_partners", "subscription_days", "subscription_max_notices", "formats",
        "member_files",
    ]
    static let territoryKeys = ["departements", "regions", "nuts"]
    static let routingKeys = [
        "scope", "max_distance", "min_lead_days", "min_score", "indirect_factor",
        "capacity_tolerance", "groupement_reach",
    ]
    static let segmentKeys = [
        "id", "label", "keywords", "exclusions", "cpv", "descriptors", "supplies", "min_score",
        "context",
    ]
    static let memberKeys = [
        "id", "name", "segments", "sites", "capacity", "certifications", "interests", "exclusions",
        "kinds", "scope", "max_distance", "contact",
    ]
    static let watchKeys = ["id", "name", "keywords", "exclusions", "cpv", "segments", "kinds", "recipients"]

    /// The source of a segment, member or watch mapping, its list positions to be filled in.
    static func item(_ path: String, _ node: Node, _ f: [String: (Node, Node)]) -> ItemSource {
        ItemSource(path: path, position: at(node), id: f["id"].map { at($0.1) }, keys: Set(f.keys))
    }

    /// A cluster file, as written, and where each value was written.
    mutating func clusterFile(_ top: Node.Mapping) -> (Cluster, ClusterSource)? {
        let topNode = Node.mapping(top)
        let f = fields(
            top, path: "", allowed: RuleReader.clusterTopKeys,
            elsewhere: [
                "delivery": "`cluster:` (cluster.delivery, beside routing)",
                "routing": "`cluster:` (cluster.routing)",
                "territory": "`cluster:` (cluster.territory)",
            ])
        guard let (_, cnode) = f["cluster"] else {
            error(topNode, nil, "missing required key 'cluster' (or 'thesaurus' for the shared thesaurus)")
            return nil
        }
        guard case .mapping(let cm) = cnode else {
            error(cnode, "cluster", "expected a mapping (id, name, territory…)")
            return nil
        }
        let cf = fields(cm, path: "cluster", allowed: RuleReader.clusterKeys)
        var source = ClusterSource(
            file: file, top: RuleReader.at(topNode), cluster: RuleReader.at(cnode),
            id: cf["id"].map { RuleReader.at($0.1) },
            language: cf["language"].map { RuleReader.at($0.1) },
            hasTerritory: cf["territory"] != nil, hasMembers: f["members"] != nil,
            membersList: f["members"].map { RuleReader.at($0.0) })
        let cid = id(cf["id"]?.1, "cluster.id", parent: cnode) ?? ""
        let name = string(cf["name"]?.1, "cluster.name", required: true, in: cnode) ?? cid
        let language = string(cf["language"]?.1, "cluster.language") ?? "fr"
        var cluster = Cluster(id: cid, name: name, language: language, file: file)
        if let (_, tnode) = cf["territory"] {
            if case .mapping(let tm) = tnode {
                let tf = fields(tm, path: "cluster.territory", allowed: RuleReader.territoryKeys)
                for (i, (d, n)) in list(tf["departements"]?.1, "cluster.territory.departements").enumerated() {
                    if let c = Geography.canonicalDepartement(d) {
                        cluster.territory.departements.append(c)
                    } else {
                        error(n, "cluster.territory.departements[\(i)]", "unknown département '\(d)'")
                    }
                }
                for (i, (r, n)) in list(tf["regions"]?.1, "cluster.territory.regions").enumerated() {
                    if Geography.regionNames[r.uppercased()] != nil || (r.count == 4 && Geography.isFrenchNUTS(r)) {
                        cluster.territory.regions.append(r.uppercased())
                    } else {
                        let codes = Geography.regionNames.keys.sorted().joined(separator: ", ")
                        error(
                            n, "cluster.territory.regions[\(i)]",
                            "unknown region '\(r)': use a NUTS-1 code (\(codes))")
                    }
                }
                for (i, (r, n)) in list(tf["nuts"]?.1, "cluster.territory.nuts").enumerated() {
                    if Geography.isFrenchNUTS(r) {
                        cluster.territory.nuts.append(r.uppercased())
                    } else {
                        error(n, "cluster.territory.nuts[\(i)]", "unknown French NUTS code '\(r)'")
                    }
                }
            } else {
                error(tnode, "cluster.territory", "expected a mapping (departements, regions, nuts)")
            }
        }
        if let (_, rnode) = cf["routing"] {
            if case .mapping(let rm) = rnode {
                let rf = fields(rm, path: "cluster.routing", allowed: RuleReader.routingKeys)
                if let s = scope(rf["scope"]?.1, "cluster.routing.scope") { cluster.routing.scope = s }
                if let v = integer(rf["max_distance"]?.1, "cluster.routing.max_distance", range: 0...20) {
                    cluster.routing.maxDistance = v
                }
                if let v = integer(rf["min_lead_days"]?.1, "cluster.routing.min_lead_days", range: 0...365) {
                    cluster.routing.minLeadDays = v
                }
                if let v = number(rf["min_score"]?.1, "cluster.routing.min_score") { cluster.routing.minScore = v }
                if let v = number(rf["indirect_factor"]?.1, "cluster.routing.indirect_factor") {
                    if v > 1 {
                        error(rf["indirect_factor"]?.1, "cluster.routing.indirect_factor", "must be between 0 and 1")
                    }
                    cluster.routing.indirectFactor = v
                }
                if let v = number(rf["capacity_tolerance"]?.1, "cluster.routing.capacity_tolerance") {
                    if v < 1 || v > 3 {
                        error(
                            rf["capacity_tolerance"]?.1, "cluster.routing.capacity_tolerance",
                            "must be between 1 and 3")
                    }
                    cluster.routing.capacityTolerance = v
                }
                if let v = number(rf["groupement_reach"]?.1, "cluster.routing.groupement_reach") {
                    if v < 1 || v > 10 {
                        error(rf["groupement_reach"]?.1, "cluster.routing.groupement_reach", "must be between 1 and 10")
                    }
                    cluster.routing.groupementReach = v
                }
            } else {
                error(rnode, "cluster.routing", "expected a mapping (scope, max_distance, min_lead_days, min_score)")
            }
        }
        if let (_, dnode) = cf["delivery"] { delivery(dnode, into: &cluster, &source) }

        // Segments.
        if let (_, snode) = f["segments"] {
            if case .sequence(let seq) = snode {
                for (i, item) in seq.enumerated() {
                    let p = "segments[\(i)]"
                    guard case .mapping(let sm) = item else {
                        error(item, p, "expected a mapping (id, label, keywords…)")
                        continue
                    }
                    let sf = fields(sm, path: p, allowed: RuleReader.segmentKeys)
                    var src = RuleReader.item(p, item, sf)
                    let sid = id(sf["id"]?.1, "\(p).id", parent: item) ?? ""
                    let label = string(sf["label"]?.1, "\(p).label", required: true, in: item) ?? sid
                    var s = Segment(id: sid, label: label)
                    let kws = keywords(sf["keywords"]?.1, "\(p).keywords")
                    let excl = keywords(sf["exclusions"]?.1, "\(p).exclusions")
                    let cpv = cpvCodes(sf["cpv"]?.1, "\(p).cpv")
                    s.keywords = kws.map(\.0)
                    s.exclusions = excl.map(\.0)
                    s.cpv = cpv.map(\.0)
                    s.descriptors = descriptors(sf["descriptors"]?.1, "\(p).descriptors")
                    let supplies = sourceList(sf["supplies"]?.1, "\(p).supplies")
                    s.supplies = supplies.map(\.0)
                    s.context = list(sf["context"]?.1, "\(p).context").map(\.0)
                    s.minScore = number(sf["min_score"]?.1, "\(p).min_score")
                    src.lists = [
                        "keywords": kws.map(\.1), "exclusions": excl.map(\.1), "cpv": cpv.map(\.1),
                        "supplies": supplies.map(\.1),
                    ]
                    cluster.segments.append(s)
                    source.segments.append(src)
                }
            } else {
                error(snode, "segments", "expected a list of segments")
            }
        } else {
            error(topNode, "segments", "missing required key 'segments' (the value chain)")
        }

        // Members.
        if let (_, mnode) = f["members"] {
            if case .sequence(let seq) = mnode {
                for (i, item) in seq.enumerated() {
                    let p = "members[\(i)]"
                    guard case .mapping(let mm) = item else {
                        error(item, p, "expected a mapping (id, name, segments…)")
                        continue
                    }
                    let mf = fields(mm, path: p, allowed: RuleReader.memberKeys)
                    var src = RuleReader.item(p, item, mf)
                    let mid = id(mf["id"]?.1, "\(p).id", parent: item) ?? ""
                    var m = Member(id: mid, name: string(mf["name"]?.1, "\(p).name", required: true, in: item) ?? mid)
                    let segments = sourceList(mf["segments"]?.1, "\(p).segments")
                    m.segments = segments.map(\.0)
                    var sites: [SourceItem] = []
                    for (site, s) in sourceList(mf["sites"]?.1, "\(p).sites") {
                        guard Geography.departement(forSite: site) != nil else {
                            error(
                                line: s.position.line, column: s.position.column, key: "\(p).sites[\(s.index)]",
                                "unknown site '\(site)': expected a département code (42, 2A) or a postcode (42100)")
                            continue
                        }
                        m.sites.append(site)
                        sites.append(s)
                    }
                    m.capacity = number(mf["capacity"]?.1, "\(p).capacity")
                    m.certifications = list(mf["certifications"]?.1, "\(p).certifications").map(\.0)
                    let interests = keywords(mf["interests"]?.1, "\(p).interests")
                    let excl = keywords(mf["exclusions"]?.1, "\(p).exclusions")
                    m.interests = interests.map(\.0)
                    m.exclusions = excl.map(\.0)
                    m.kinds = kinds(mf["kinds"]?.1, "\(p).kinds")
                    m.scope = scope(mf["scope"]?.1, "\(p).scope")
                    m.maxDistance = integer(mf["max_distance"]?.1, "\(p).max_distance", range: 0...20)
                    let contacts = addresses(mf["contact"]?.1, "\(p).contact")
                    m.contacts = contacts.map(\.0)
                    src.lists = [
                        "segments": segments.map(\.1), "sites": sites, "interests": interests.map(\.1),
                        "exclusions": excl.map(\.1), "contact": contacts.map(\.1),
                    ]
                    cluster.members.append(m)
                    source.members.append(src)
                }
            } else {
                error(mnode, "members", "expected a list of members")
            }
        }

        // Watches.
        if let (_, wnode) = f["watches"] {
            if case .sequence(let seq) = wnode {
                for (i, item) in seq.enumerated() {
                    let p = "watches[\(i)]"
                    guard case .mapping(let wm) = item else {
                        error(item, p, "expected a mapping (id, name, keywords…)")
                        continue
                    }
                    let wf = fields(wm, path: p, allowed: RuleReader.watchKeys)
                    var src = RuleReader.item(p, item, wf)
                    let wid = id(wf["id"]?.1, "\(p).id", parent: item) ?? ""
                    var w = Watch(
                        id: wid, name: string(wf["name"]?.1, "\(p).name", required: true, in: item) ?? wid,
                        clusterID: cid)
                    let kws = keywords(wf["keywords"]?.1, "\(p).keywords")
                    let excl = keywords(wf["exclusions"]?.1, "\(p).exclusions")
                    let cpv = cpvCodes(wf["cpv"]?.1, "\(p).cpv")
                    let segments = sourceList(wf["segments"]?.1, "\(p).segments")
                    w.keywords = kws.map(\.0)
                    w.exclusions = excl.map(\.0)
                    w.cpv = cpv.map(\.0)
                    w.segments = segments.map(\.0)
                    w.kinds = kinds(wf["kinds"]?.1, "\(p).kinds")
                    let recipients = addresses(wf["recipients"]?.1, "\(p).recipients")
                    w.recipients = recipients.map(\.0)
                    src.lists = [
                        "keywords": kws.map(\.1), "exclusions": excl.map(\.1), "cpv": cpv.map(\.1),
                        "segments": segments.map(\.1), "recipients": recipients.map(\.1),
                    ]
                    cluster.watches.append(w)
                    source.watches.append(src)
                }
            } else {
                error(wnode, "watches", "expected a list of watches")
            }
        }
        return (cluster, source)
    }

    /// `cluster.delivery`: who sends and receives the cluster's e-mail. Shapes and ranges are checked here,
    /// addresses by the linter.
    mutating func delivery(_ node: Node, into cluster: inout Cluster, _ source: inout ClusterSource) {
        let p = "cluster.delivery"
        guard case .mapping(let dm) = node else {
            error(node, p, "expected a mapping (\(RuleReader.deliveryKeys.joined(separator: ", ")))")
            return
        }
        let df = fields(dm, path: p, allowed: RuleReader.deliveryKeys)
        var src = DeliverySource(position: RuleReader.at(node))
        if let (_, sn) = df["sender"], let s = string(sn, "\(p).sender") {
            let sender = s.trimmingWhitespace()
            cluster.delivery.sender = sender
            src.sender = SourceItem(index: 0, position: RuleReader.at(sn), text: s, key: "\(p).sender")
        }
        let replyTo = addresses(df["reply_to"]?.1, "\(p).reply_to")
        cluster.delivery.replyTo = replyTo.map(\.0)
        src.replyTo = replyTo.map(\.1)
        let staff = addresses(df["staff"]?.1, "\(p).staff")
        cluster.delivery.staff = staff.map(\.0)
        src.staff = staff.map(\.1)
        if let v = boolean(df["share_partners"]?.1, "\(p).share_partners") { cluster.delivery.sharePartners = v }
        if let v = integer(
            df["subscription_days"]?.1, "\(p).subscription_days",
            range: DeliverySettings.subscriptionDaysRange)
        {
            cluster.delivery.subscriptionDays = v
        }
        if let v = integer(
            df["subscription_max_notices"]?.1, "\(p).subscription_max_notices",
            range: DeliverySettings.subscriptionMaxNoticesRange)
        {
            cluster.delivery.subscriptionMaxNotices = v
        }
        if let fnode = df["formats"]?.1 {
            var formats: [String] = []
            for (i, (name, item)) in list(fnode, "\(p).formats").enumerated() {
                let known = DeliverySettings.formatNames.keys.sorted()
                guard let ext = DeliverySettings.formatNames[name.lowercased()] else {
                    let hint = LintDiagnostic.closest(name, in: known).map { "; did you mean '\($0)'?" } ?? ""
                    error(
                        item, "\(p).formats[\(i)]",
                        "unknown format '\(name)'\(hint) (known: \(known.joined(separator: ", ")))")
                    continue
                }
                if !formats.contains(ext) { formats.append(ext) }
            }
            cluster.delivery.formats = formats
        }
        if let mnode = df["member_files"]?.1, let v = string(mnode, "\(p).member_files") {
            let allowed = DeliverySettings.MemberFiles.allCases.map(\.rawValue)
            if let m = DeliverySettings.MemberFiles(rawValue: v.lowercased()) {
                cluster.delivery.memberFiles = m
            } else {
                error(mnode, "\(p).member_files", "unknown value '\(v)' (allowed: \(allowed.joined(separator: ", ")))")
            }
        }
        source.delivery = src
    }
}
