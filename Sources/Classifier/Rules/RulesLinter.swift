import Foundation
import Notices
import Yams

/// An optional CPV code list loaded at run time (a CSV whose first column is the code, such as
/// `cpv2008_en_fr.csv`): with it the lint also checks that each code or prefix exists.
public struct CPVVocabulary: Sendable, Hashable {
    /// Full codes' 8 digits.
    public var codes: Set<String>
    /// Check digit of each code (8 digits → digit).
    public var checkDigits: [String: Character] = [:]
    /// Every 2–8 digit prefix of a known code.
    public var prefixes: Set<String>

    public init(codes: Set<String>) {
        self.codes = codes
        var p = Set<String>()
        for c in codes {
            for l in 2...min(8, c.count) { p.insert(String(c.prefix(l))) }
        }
        prefixes = p
    }

    /// Reads a CSV whose first column holds codes (`03000000-1`); a header line is skipped.
    public static func load(csvPath: String) throws -> CPVVocabulary {
        guard let data = FileManager.default.contents(atPath: csvPath) else {
            throw ClassifierError.unreadable(path: csvPath, reason: "no such file or not readable")
        }
        var codes = Set<String>()
        var checks: [String: Character] = [:]
        for line in String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline) {
            let first = line.prefix { $0 != "," }
            let digits = first.prefix { $0 != "-" }
            if digits.count == 8, digits.allSatisfy(\.isNumber) {
                codes.insert(String(digits))
                if first.count == 10, let c = first.last, c.isNumber { checks[String(digits)] = c }
            }
        }
        guard !codes.isEmpty else {
            throw ClassifierError.unreadable(path: csvPath, reason: "no CPV code (NNNNNNNN-N) in the first column")
        }
        var v = CPVVocabulary(codes: codes)
        v.checkDigits = checks
        return v
    }
}

/// One lint finding, located at the offending key or value.
public struct LintDiagnostic: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable, Codable { case error, warning }
    public var severity: Severity
    public var file: String
    public var line: Int
    public var column: Int
    /// Dotted path of the key (`segments[2].keywords[0]`).
    public var key: String?
    public var message: String

    public init(severity: Severity, file: String, line: Int, column: Int, key: String?, message: String) {
        self.severity = severity
        self.file = file
        self.line = line
        self.column = column
        self.key = key
        self.message = message
    }

    /// The error thrown by ``Rulebook/load(directory:vocabulary:)``.
    public var error: ClassifierError {
        .invalidRule(file: file, line: line, column: column, key: key, message: message)
    }

    /// `file:line:column: error: key: message`, the format editors jump to.
    public var description: String {
        "\(file):\(line):\(column): \(severity.rawValue): " + (key.map { "\($0): " } ?? "") + message
    }
}

/// What the lint found, and the rulebook when there was no error.
public struct LintReport: Sendable {
    public var diagnostics: [LintDiagnostic] = []
    public var rulebook: Rulebook?
    /// Files read.
    public var files: [String] = []
    public var errors: [LintDiagnostic] { diagnostics.filter { $0.severity == .error } }
    public var warnings: [LintDiagnostic] { diagnostics.filter { $0.severity == .warning } }
}

/// Checks rule files without running anything and builds the ``Rulebook``: unknown keys, unknown segments
/// referenced, bad CPV codes, duplicate ids, empty keywords, regex-looking keywords, bad départements…
/// Every diagnostic names file, line, column and key (positions come from the YAML node marks).
public struct RulesLinter: Sendable {
    public var vocabulary: CPVVocabulary?

    public init(vocabulary: CPVVocabulary? = nil) { self.vocabulary = vocabulary }

    /// Lints every `*.yaml` / `*.yml` file of a directory (or one file).
    public func lint(directory: String) throws -> LintReport {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDir) else {
            throw ClassifierError.unreadable(path: directory, reason: "no such file or directory")
        }
        if !isDir.boolValue { return lint(files: [directory]) }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw ClassifierError.unreadable(path: directory, reason: "\(error)")
        }
        let base = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        let files = names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted().map { "\(base)/\($0)" }
        if files.isEmpty { throw ClassifierError.unreadable(path: directory, reason: "no *.yaml rule file") }
        return lint(files: files)
    }

    /// Lints the given files together (cluster ids must be unique across them).
    public func lint(files: [String]) -> LintReport {
        var ctx = LintContext(vocabulary: vocabulary)
        var clusters: [Cluster] = []
        var groups: [[String]] = []
        for f in files {
            ctx.file = f
            guard let data = FileManager.default.contents(atPath: f) else {
                ctx.error(line: 1, column: 1, key: nil, "cannot read file")
                continue
            }
            var text = String(decoding: data, as: UTF8.self)
            var root: Node?
            do {
                // Yams refuses a mapping with a duplicated key as a whole; rename each block-style duplicate,
                // report it at its own line, and compose again so the rest of the file is still checked.
                var attempts = 0
                while true {
                    do {
                        root = try Yams.compose(yaml: text)
                        break
                    } catch YamlError.duplicatedKeysInMapping(let keys, let context) where attempts < 50 {
                        attempts += 1
                        guard let key = keys.first,
                              let (renamed, line, column) = LintContext.renameDuplicate(key, after: context.mark, in: text)
                        else {
                            ctx.error(line: context.mark.line, column: context.mark.column, key: keys.first,
                                      "duplicate key '\(keys.joined(separator: "', '"))'")
                            root = nil
                            break
                        }
                        text = renamed
                        ctx.error(line: line, column: column, key: nil,
                                  "duplicate key '\(key)' (first at line \(context.mark.line))")
                        ctx.duplicateKeyLines.insert(line)
                    }
                }
                if root == nil { continue }
            } catch let e as YamlError {
                let (line, column, message) = LintContext.position(of: e)
                ctx.error(line: line, column: column, key: nil, "YAML syntax: \(message)")
                continue
            } catch {
                ctx.error(line: 1, column: 1, key: nil, "YAML syntax: \(error)")
                continue
            }
            guard let root, case .mapping(let top) = root else {
                ctx.error(line: 1, column: 1, key: nil, "expected a mapping with `cluster:` or `thesaurus:` at the top")
                continue
            }
            if top.keys.contains(where: { $0.string == "thesaurus" }) {
                groups += ctx.thesaurusFile(top)
            } else if let c = ctx.clusterFile(top) {
                clusters.append(c)
            }
        }
        ctx.crossFileChecks(clusters: clusters)
        // Editor order: file by file, then by position.
        let fileOrder = Dictionary(files.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let sorted = ctx.diagnostics.enumerated().sorted { x, y in
            let (a, b) = (x.element, y.element)
            let fa = fileOrder[a.file] ?? Int.max, fb = fileOrder[b.file] ?? Int.max
            if fa != fb { return fa < fb }
            if a.line != b.line { return a.line < b.line }
            if a.column != b.column { return a.column < b.column }
            return x.offset < y.offset
        }.map(\.element)
        var report = LintReport(diagnostics: sorted, rulebook: nil, files: files)
        if report.errors.isEmpty {
            report.rulebook = Rulebook(clusters: clusters, thesaurus: Thesaurus(groups: groups))
        }
        return report
    }
}

/// Lint state for one run: current file, positions of ids for cross-file checks, diagnostics.
struct LintContext {
    var vocabulary: CPVVocabulary?
    var file = ""
    var diagnostics: [LintDiagnostic] = []
    /// Cluster id → (file, line) of its first definition.
    var clusterIDs: [String: (String, Int)] = [:]
    /// Lines of duplicate keys already reported (renamed before composing); their key path is filled in later.
    var duplicateKeyLines: Set<Int> = []
    static let duplicateMarker = "__duplicate__"

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

    init(vocabulary: CPVVocabulary?) { self.vocabulary = vocabulary }

    mutating func error(line: Int, column: Int, key: String?, _ message: String) {
        diagnostics.append(LintDiagnostic(severity: .error, file: file, line: line, column: column, key: key,
                                          message: message))
    }

    mutating func error(_ node: Node?, _ key: String?, _ message: String) {
        error(line: node?.mark?.line ?? 1, column: node?.mark?.column ?? 1, key: key, message)
    }

    mutating func warning(_ node: Node?, _ key: String?, _ message: String) {
        diagnostics.append(LintDiagnostic(severity: .warning, file: file, line: node?.mark?.line ?? 1,
                                          column: node?.mark?.column ?? 1, key: key, message: message))
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

    // MARK: - Generic shape checks

    /// The pairs of a mapping, reporting unknown and duplicate keys. Returns key → (key node, value node).
    mutating func fields(_ m: Node.Mapping, path: String, allowed: [String]) -> [String: (Node, Node)] {
        var out: [String: (Node, Node)] = [:]
        for (k, v) in m {
            guard let name = k.string, case .scalar = k else {
                error(k, path, "keys must be plain words")
                continue
            }
            if name.hasSuffix(LintContext.duplicateMarker) {
                // Reported before composing; now that the path is known, attach it.
                let real = String(name.dropLast(LintContext.duplicateMarker.count))
                let line = k.mark?.line ?? 0
                if let i = diagnostics.firstIndex(where: { $0.file == file && $0.line == line && $0.key == nil
                                                          && $0.message.hasPrefix("duplicate key") }) {
                    diagnostics[i].key = path.isEmpty ? real : "\(path).\(real)"
                }
                continue
            }
            let keyPath = path.isEmpty ? name : "\(path).\(name)"
            if !allowed.contains(name) {
                let hint = LintContext.closest(name, in: allowed).map { "; did you mean '\($0)'?" } ?? ""
                error(k, keyPath, "unknown key '\(name)'\(hint) (allowed: \(allowed.joined(separator: ", ")))")
                continue
            }
            out[name] = (k, v)
        }
        return out
    }

    static func closest(_ word: String, in candidates: [String]) -> String? {
        func distance(_ a: [Character], _ b: [Character]) -> Int {
            var prev = Array(0...b.count)
            for i in 1...max(1, a.count) where !a.isEmpty {
                var cur = [i] + [Int](repeating: 0, count: b.count)
                for j in 1...max(1, b.count) where !b.isEmpty {
                    cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                }
                prev = cur
            }
            return a.isEmpty ? b.count : prev[b.count]
        }
        let w = Array(word.lowercased())
        let scored = candidates.map { ($0, distance(w, Array($0))) }.filter { $0.1 <= 2 }
        return scored.min { $0.1 < $1.1 }?.0
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
        if s.string.trimmingCharacters(in: .whitespaces).isEmpty && s.style == .plain {
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

    mutating func number(_ node: Node?, _ key: String) -> Double? {
        guard let node else { return nil }
        guard case .scalar(let s) = node, let v = LintContext.parseAmount(s.string) else {
            error(node, key, "expected a number (euros, e.g. 2500000, 2.5M or 800k)")
            return nil
        }
        return v
    }

    /// `2500000`, `2 500 000`, `2.5M`, `2,5 M€`, `800k`.
    static func parseAmount(_ raw: String) -> Double? {
        var s = raw.replacingOccurrences(of: "€", with: "").replacingOccurrences(of: "EUR", with: "")
            .replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "_", with: "")
            .replacingOccurrences(of: "\u{A0}", with: "").replacingOccurrences(of: ",", with: ".")
        var factor = 1.0
        if s.hasSuffix("M") || s.hasSuffix("m") { factor = 1_000_000; s.removeLast() }
        else if s.hasSuffix("k") || s.hasSuffix("K") { factor = 1_000; s.removeLast() }
        guard let v = Double(s), v >= 0 else { return nil }
        return v * factor
    }

    mutating func integer(_ node: Node?, _ key: String, range: ClosedRange<Int>) -> Int? {
        guard let node else { return nil }
        guard case .scalar(let s) = node, let v = Int(s.string), range.contains(v) else {
            error(node, key, "expected a whole number from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        return v
    }

    mutating func id(_ node: Node?, _ key: String, parent: Node) -> String? {
        guard let s = string(node, key, required: true, in: parent) else { return nil }
        let ok = !s.isEmpty && s.unicodeScalars.allSatisfy {
            ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9") || $0 == "-" || $0 == "_"
        }
        if !ok { error(node, key, "id '\(s)' must be lower-case letters, digits, '-' or '_'") }
        return s
    }

    mutating func kinds(_ node: Node?, _ key: String) -> [NoticeKind] {
        var out: [NoticeKind] = []
        for (i, (s, n)) in list(node, key).enumerated() {
            let aliases: [String: NoticeKind] = ["tenders": .tender, "calls_for_projects": .callForProjects,
                                                  "prior_information_notices": .priorInformation, "awards": .award]
            if let k = NoticeKind(rawValue: s) ?? aliases[s] {
                out.append(k)
            } else {
                error(n, "\(key)[\(i)]", "unknown kind '\(s)' (kinds: \(NoticeKind.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
        }
        return out
    }

    mutating func scope(_ node: Node?, _ key: String) -> TerritoryScope? {
        guard let s = string(node, key) else { return nil }
        guard let v = TerritoryScope(rawValue: s) else {
            error(node, key, "unknown scope '\(s)' (scopes: \(TerritoryScope.allCases.map(\.rawValue).joined(separator: ", ")))")
            return nil
        }
        return v
    }

    // MARK: - Keywords and codes

    /// Checks keywords: empty, nothing left after normalisation, regex-looking, misplaced wildcards, duplicates.
    mutating func keywords(_ node: Node?, _ key: String) -> [String] {
        var out: [String] = []
        var seen: [String: Int] = [:]
        for (i, (raw, n)) in list(node, key).enumerated() {
            let k = "\(key)[\(i)]"
            let s = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if s.isEmpty {
                error(n, k, "empty keyword")
                continue
            }
            if let why = LintContext.regexLooking(s) {
                error(n, k, "'\(s)' looks like a regular expression (\(why)); keywords are plain words and phrases, "
                      + "with `*` only at the end of a word for a prefix (`décollet*`), one keyword per list item")
                continue
            }
            if let bad = LintContext.misplacedWildcard(s) {
                error(n, k, "'\(s)': `*` is only allowed at the end of a word (prefix wildcard), not '\(bad)'")
                continue
            }
            if s.hasPrefix("\"") || s.hasPrefix("'") || s.hasPrefix("«") {
                warning(n, k, "quotes are not needed: a keyword with spaces is already a phrase")
            }
            let toks = FrenchNormalizer.keywordTokens(s)
            if toks.isEmpty {
                error(n, k, "empty keyword: '\(s)' has no word left after normalisation (only short function words or punctuation)")
                continue
            }
            if toks.count > KeywordMatcher.maxPhraseTokens {
                error(n, k, "phrase of \(toks.count) words; at most \(KeywordMatcher.maxPhraseTokens)")
                continue
            }
            for t in toks where t.isPrefix && t.bytes.count < 3 {
                warning(n, k, "prefix '\(String(decoding: t.bytes, as: UTF8.self))*' is very short and will match many words")
            }
            let form = FrenchNormalizer.normalizedPhrase(s)
            if let j = seen[form] {
                warning(n, k, "'\(s)' repeats keyword \(j + 1) of the list (same words after normalisation)")
            }
            seen[form] = i
            out.append(s)
        }
        return out
    }

    /// Why a keyword looks like a regular expression, or nil.
    static func regexLooking(_ s: String) -> String? {
        let checks: [(String, String)] = [
            (".*", "`.*`"), (".+", "`.+`"), ("\\b", "`\\b`"), ("\\d", "`\\d`"), ("\\w", "`\\w`"), ("\\s", "`\\s`"),
            ("(?", "`(?`"), ("|", "`|` alternation"), ("[", "`[…]` class"), ("]", "`[…]` class"), ("{", "`{n}`"),
            ("\\", "backslash"),
        ]
        for (needle, why) in checks where s.contains(needle) { return why }
        if s.hasPrefix("^") { return "`^` anchor" }
        if s.hasSuffix("$") { return "`$` anchor" }
        if s.contains("?") { return "`?` quantifier" }
        if s.contains("+") && !s.contains(" + ") { return "`+` quantifier" }
        return nil
    }

    /// The word holding a `*` anywhere but at its end (`*usinage`, `us*nage`, `*`), or nil.
    static func misplacedWildcard(_ s: String) -> String? {
        for word in s.split(whereSeparator: { $0 == " " }) where word.contains("*") {
            var stripped = Substring(word)
            while stripped.hasSuffix("*") { stripped = stripped.dropLast() }
            if stripped.isEmpty || stripped.contains("*") { return String(word) }
        }
        return nil
    }

    mutating func cpvCodes(_ node: Node?, _ key: String) -> [String] {
        var out: [String] = []
        for (i, (s, n)) in list(node, key).enumerated() {
            let k = "\(key)[\(i)]"
            let c = s.trimmingCharacters(in: .whitespaces)
            let parts = c.split(separator: "-", omittingEmptySubsequences: false)
            let digits = String(parts[0])
            let full = parts.count == 2 && digits.count == 8 && parts[1].count == 1 && parts[1].allSatisfy(\.isNumber)
            let prefix = parts.count == 1 && (2...8).contains(digits.count)
            guard digits.allSatisfy(\.isNumber), full || prefix else {
                error(n, k, "bad CPV '\(s)': expected a full code NNNNNNNN-N or a prefix of 2 to 8 digits")
                continue
            }
            if let v = vocabulary {
                if full && !v.codes.contains(digits) {
                    error(n, k, "CPV '\(s)' is not in the CPV vocabulary")
                    continue
                }
                if full, let check = v.checkDigits[digits], String(check) != parts[1] {
                    error(n, k, "CPV '\(s)': wrong check digit, \(digits)-\(check) in the CPV vocabulary")
                    continue
                }
                if prefix && !v.prefixes.contains(digits) {
                    error(n, k, "CPV prefix '\(s)' starts no code of the CPV vocabulary")
                    continue
                }
            }
            if prefix && digits.count == 8 {
                warning(n, k, "8-digit prefix '\(s)': write the full code with its check digit or a shorter prefix")
            }
            // A short prefix routes a whole family (713: every engineering service; 44163: pipes and fittings
            // of any use): routing weighs it little and never on its own, and staff should know.
            if prefix, let spread = Self.cpvSpread(digits, vocabulary: vocabulary) {
                warning(n, k, "CPV prefix '\(s)' spans \(spread): routing weighs it at "
                              + "\(Router.cpvPrecision(digits)) and never on its own; prefer the codes you mean")
            }
            out.append(c)
        }
        return out
    }

    /// How widely a CPV prefix spreads, when it spans unrelated products: with the vocabulary, a prefix of 5
    /// digits or fewer covering more than 40 codes; without it, a division or group (2 or 3 digits).
    static func cpvSpread(_ digits: String, vocabulary: CPVVocabulary?) -> String? {
        if let v = vocabulary {
            guard digits.count <= 5 else { return nil }
            let covered = v.codes.filter { $0.hasPrefix(digits) }.count
            return covered > 40 ? "\(covered) codes of the CPV" : nil
        }
        return digits.count <= 3 ? "a whole \(digits.count == 2 ? "division" : "group") of the CPV" : nil
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

    mutating func thesaurusFile(_ top: Node.Mapping) -> [[String]] {
        let f = fields(top, path: "", allowed: ["thesaurus"])
        guard let (_, v) = f["thesaurus"] else { return [] }
        var groups: [[String]] = []
        var firstSeen: [String: Int] = [:]
        func addGroup(_ items: [(String, Node)], _ path: String) {
            var g: [String] = []
            for (j, (s, n)) in items.enumerated() {
                let k = "\(path)[\(j)]"
                if s.trimmingCharacters(in: .whitespaces).isEmpty { error(n, k, "empty keyword"); continue }
                if let why = LintContext.regexLooking(s) {
                    error(n, k, "'\(s)' looks like a regular expression (\(why)); list plain variants")
                    continue
                }
                if s.contains("*") { error(n, k, "'\(s)': no wildcard in the thesaurus, list the variants"); continue }
                let form = FrenchNormalizer.normalizedPhrase(s)
                if form.isEmpty { error(n, k, "empty keyword: '\(s)' has no word left after normalisation"); continue }
                if let other = firstSeen[form], other != groups.count {
                    warning(n, k, "'\(s)' is also in thesaurus group \(other + 1): the groups will not be merged")
                }
                firstSeen[form] = groups.count
                g.append(s)
            }
            if g.count < 2 { warning(items.first?.1, path, "a thesaurus group needs at least two variants") }
            groups.append(g)
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
        return groups
    }

    static let clusterTopKeys = ["cluster", "segments", "members", "watches"]
    static let clusterKeys = ["id", "name", "language", "territory", "routing", "description"]
    static let territoryKeys = ["departements", "regions", "nuts"]
    static let routingKeys = ["scope", "max_distance", "min_lead_days", "min_score", "indirect_factor",
                              "capacity_tolerance", "groupement_reach"]
    static let segmentKeys = ["id", "label", "keywords", "exclusions", "cpv", "descriptors", "supplies", "min_score",
                              "context"]
    static let memberKeys = ["id", "name", "segments", "sites", "capacity", "certifications", "interests", "exclusions",
                             "kinds", "scope", "max_distance", "contact"]
    static let watchKeys = ["id", "name", "keywords", "exclusions", "cpv", "segments", "kinds", "recipients"]

    mutating func clusterFile(_ top: Node.Mapping) -> Cluster? {
        let topNode = Node.mapping(top)
        let f = fields(top, path: "", allowed: LintContext.clusterTopKeys)
        guard let (_, cnode) = f["cluster"] else {
            error(topNode, nil, "missing required key 'cluster' (or 'thesaurus' for the shared thesaurus)")
            return nil
        }
        guard case .mapping(let cm) = cnode else {
            error(cnode, "cluster", "expected a mapping (id, name, territory…)")
            return nil
        }
        let cf = fields(cm, path: "cluster", allowed: LintContext.clusterKeys)
        let cid = id(cf["id"]?.1, "cluster.id", parent: cnode) ?? ""
        if !cid.isEmpty {
            if let (f0, l0) = clusterIDs[cid] {
                error(cf["id"]?.1, "cluster.id", "duplicate cluster id '\(cid)' (first in \(f0):\(l0))")
            } else {
                clusterIDs[cid] = (file, cf["id"]?.1.mark?.line ?? 1)
            }
        }
        let name = string(cf["name"]?.1, "cluster.name", required: true, in: cnode) ?? cid
        let language = string(cf["language"]?.1, "cluster.language") ?? "fr"
        if !["fr", "en"].contains(language) { warning(cf["language"]?.1, "cluster.language", "digests exist in fr and en only") }
        var cluster = Cluster(id: cid, name: name, language: language, file: file)
        if let (_, tnode) = cf["territory"] {
            if case .mapping(let tm) = tnode {
                let tf = fields(tm, path: "cluster.territory", allowed: LintContext.territoryKeys)
                for (i, (d, n)) in list(tf["departements"]?.1, "cluster.territory.departements").enumerated() {
                    if let c = Geography.canonicalDepartement(d) { cluster.territory.departements.append(c) }
                    else { error(n, "cluster.territory.departements[\(i)]", "unknown département '\(d)'") }
                }
                for (i, (r, n)) in list(tf["regions"]?.1, "cluster.territory.regions").enumerated() {
                    if Geography.regionNames[r.uppercased()] != nil || (r.count == 4 && Geography.isFrenchNUTS(r)) {
                        cluster.territory.regions.append(r.uppercased())
                    } else {
                        error(n, "cluster.territory.regions[\(i)]",
                              "unknown region '\(r)': use a NUTS-1 code (\(Geography.regionNames.keys.sorted().joined(separator: ", ")))")
                    }
                }
                for (i, (r, n)) in list(tf["nuts"]?.1, "cluster.territory.nuts").enumerated() {
                    if Geography.isFrenchNUTS(r) { cluster.territory.nuts.append(r.uppercased()) }
                    else { error(n, "cluster.territory.nuts[\(i)]", "unknown French NUTS code '\(r)'") }
                }
            } else {
                error(tnode, "cluster.territory", "expected a mapping (departements, regions, nuts)")
            }
        } else {
            warning(cnode, "cluster.territory", "no territory: members without sites will be reached from anywhere")
        }
        if let (_, rnode) = cf["routing"] {
            if case .mapping(let rm) = rnode {
                let rf = fields(rm, path: "cluster.routing", allowed: LintContext.routingKeys)
                if let s = scope(rf["scope"]?.1, "cluster.routing.scope") { cluster.routing.scope = s }
                if let v = integer(rf["max_distance"]?.1, "cluster.routing.max_distance", range: 0...20) {
                    cluster.routing.maxDistance = v
                }
                if let v = integer(rf["min_lead_days"]?.1, "cluster.routing.min_lead_days", range: 0...365) {
                    cluster.routing.minLeadDays = v
                }
                if let v = number(rf["min_score"]?.1, "cluster.routing.min_score") { cluster.routing.minScore = v }
                if let v = number(rf["indirect_factor"]?.1, "cluster.routing.indirect_factor") {
                    if v > 1 { error(rf["indirect_factor"]?.1, "cluster.routing.indirect_factor", "must be between 0 and 1") }
                    cluster.routing.indirectFactor = v
                }
                if let v = number(rf["capacity_tolerance"]?.1, "cluster.routing.capacity_tolerance") {
                    if v < 1 || v > 3 {
                        error(rf["capacity_tolerance"]?.1, "cluster.routing.capacity_tolerance", "must be between 1 and 3")
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

        // Segments.
        var segNodes: [(Segment, Node.Mapping, Node)] = []
        var segLines: [String: Int] = [:]
        if let (_, snode) = f["segments"] {
            if case .sequence(let seq) = snode {
                for (i, item) in seq.enumerated() {
                    let p = "segments[\(i)]"
                    guard case .mapping(let sm) = item else { error(item, p, "expected a mapping (id, label, keywords…)"); continue }
                    let sf = fields(sm, path: p, allowed: LintContext.segmentKeys)
                    let sid = id(sf["id"]?.1, "\(p).id", parent: item) ?? ""
                    if let l = segLines[sid], !sid.isEmpty {
                        error(sf["id"]?.1, "\(p).id", "duplicate segment id '\(sid)' (first at line \(l))")
                    }
                    segLines[sid] = sf["id"]?.1.mark?.line ?? 0
                    var s = Segment(id: sid, label: string(sf["label"]?.1, "\(p).label", required: true, in: item) ?? sid)
                    s.keywords = keywords(sf["keywords"]?.1, "\(p).keywords")
                    s.exclusions = keywords(sf["exclusions"]?.1, "\(p).exclusions")
                    s.cpv = cpvCodes(sf["cpv"]?.1, "\(p).cpv")
                    s.descriptors = descriptors(sf["descriptors"]?.1, "\(p).descriptors")
                    s.supplies = list(sf["supplies"]?.1, "\(p).supplies").map(\.0)
                    s.context = list(sf["context"]?.1, "\(p).context").map(\.0)
                    s.minScore = number(sf["min_score"]?.1, "\(p).min_score")
                    if s.keywords.isEmpty && s.cpv.isEmpty && s.descriptors.isEmpty {
                        warning(item, p, "segment '\(sid)' has no keyword, CPV or descriptor: it will never match")
                    }
                    segNodes.append((s, sm, item))
                }
            } else {
                error(snode, "segments", "expected a list of segments")
            }
        } else {
            error(topNode, "segments", "missing required key 'segments' (the value chain)")
        }
        let segIDs = segNodes.map(\.0.id)
        func checkSegmentRef(_ ref: String, _ n: Node, _ k: String) -> Bool {
            if segIDs.contains(ref) { return true }
            let hint = LintContext.closest(ref, in: segIDs).map { "; did you mean '\($0)'?" } ?? ""
            error(n, k, "unknown segment '\(ref)'\(hint) (segments: \(segIDs.joined(separator: ", ")))")
            return false
        }
        for (i, (s, sm, _)) in segNodes.enumerated() {
            let sf = fieldsQuiet(sm)
            for (j, (ref, n)) in list(sf["supplies"], "segments[\(i)].supplies").enumerated() {
                let k = "segments[\(i)].supplies[\(j)]"
                if ref == s.id { error(n, k, "segment '\(s.id)' cannot supply itself") }
                else { _ = checkSegmentRef(ref, n, k) }
            }
            cluster.segments.append(s)
        }

        // Members.
        var memberLines: [String: Int] = [:]
        var covered = Set<String>()
        if let (_, mnode) = f["members"] {
            if case .sequence(let seq) = mnode {
                for (i, item) in seq.enumerated() {
                    let p = "members[\(i)]"
                    guard case .mapping(let mm) = item else { error(item, p, "expected a mapping (id, name, segments…)"); continue }
                    let mf = fields(mm, path: p, allowed: LintContext.memberKeys)
                    let mid = id(mf["id"]?.1, "\(p).id", parent: item) ?? ""
                    if let l = memberLines[mid], !mid.isEmpty {
                        error(mf["id"]?.1, "\(p).id", "duplicate member id '\(mid)' (first at line \(l))")
                    }
                    memberLines[mid] = mf["id"]?.1.mark?.line ?? 0
                    var m = Member(id: mid, name: string(mf["name"]?.1, "\(p).name", required: true, in: item) ?? mid)
                    for (j, (ref, n)) in list(mf["segments"]?.1, "\(p).segments").enumerated()
                        where checkSegmentRef(ref, n, "\(p).segments[\(j)]") {
                        m.segments.append(ref)
                        covered.insert(ref)
                    }
                    for (j, (site, n)) in list(mf["sites"]?.1, "\(p).sites").enumerated() {
                        guard let d = Geography.departement(forSite: site) else {
                            error(n, "\(p).sites[\(j)]", "unknown site '\(site)': expected a département code (42, 2A) or a postcode (42100)")
                            continue
                        }
                        m.sites.append(site)
                        if !LintContext.isInside(d, cluster.territory) {
                            warning(n, "\(p).sites[\(j)]", "site '\(site)' (\(Router.departementLabel(d))) is outside the cluster territory")
                        }
                    }
                    m.capacity = number(mf["capacity"]?.1, "\(p).capacity")
                    m.certifications = list(mf["certifications"]?.1, "\(p).certifications").map(\.0)
                    m.interests = keywords(mf["interests"]?.1, "\(p).interests")
                    m.exclusions = keywords(mf["exclusions"]?.1, "\(p).exclusions")
                    m.kinds = kinds(mf["kinds"]?.1, "\(p).kinds")
                    m.scope = scope(mf["scope"]?.1, "\(p).scope")
                    m.maxDistance = integer(mf["max_distance"]?.1, "\(p).max_distance", range: 0...20)
                    m.contact = string(mf["contact"]?.1, "\(p).contact")
                    if m.segments.isEmpty && m.interests.isEmpty && mf["segments"] == nil {
                        warning(item, p, "member '\(mid)' covers no segment and has no interest: it will receive nothing")
                    }
                    if m.sites.isEmpty && mf["sites"] == nil {
                        warning(item, p, "member '\(mid)' has no site: the cluster territory is used")
                    }
                    cluster.members.append(m)
                }
            } else {
                error(mnode, "members", "expected a list of members")
            }
        } else {
            warning(topNode, "members", "no members: notices will be tagged but routed to nobody")
        }
        for (s, _, item) in segNodes where !covered.contains(s.id) && !cluster.members.isEmpty {
            warning(item, "segments", "no member covers segment '\(s.id)'")
        }

        // Watches.
        var watchLines: [String: Int] = [:]
        if let (_, wnode) = f["watches"] {
            if case .sequence(let seq) = wnode {
                for (i, item) in seq.enumerated() {
                    let p = "watches[\(i)]"
                    guard case .mapping(let wm) = item else { error(item, p, "expected a mapping (id, name, keywords…)"); continue }
                    let wf = fields(wm, path: p, allowed: LintContext.watchKeys)
                    let wid = id(wf["id"]?.1, "\(p).id", parent: item) ?? ""
                    if let l = watchLines[wid], !wid.isEmpty {
                        error(wf["id"]?.1, "\(p).id", "duplicate watch id '\(wid)' (first at line \(l))")
                    }
                    watchLines[wid] = wf["id"]?.1.mark?.line ?? 0
                    var w = Watch(id: wid, name: string(wf["name"]?.1, "\(p).name", required: true, in: item) ?? wid,
                                  clusterID: cid)
                    w.keywords = keywords(wf["keywords"]?.1, "\(p).keywords")
                    w.exclusions = keywords(wf["exclusions"]?.1, "\(p).exclusions")
                    w.cpv = cpvCodes(wf["cpv"]?.1, "\(p).cpv")
                    for (j, (ref, n)) in list(wf["segments"]?.1, "\(p).segments").enumerated()
                        where checkSegmentRef(ref, n, "\(p).segments[\(j)]") { w.segments.append(ref) }
                    w.kinds = kinds(wf["kinds"]?.1, "\(p).kinds")
                    w.recipients = list(wf["recipients"]?.1, "\(p).recipients").map(\.0)
                    if w.keywords.isEmpty && w.cpv.isEmpty && w.segments.isEmpty {
                        warning(item, p, "watch '\(wid)' has no keyword, CPV or segment: it will never match")
                    }
                    if w.recipients.isEmpty { warning(item, p, "watch '\(wid)' has no recipient") }
                    cluster.watches.append(w)
                }
            } else {
                error(wnode, "watches", "expected a list of watches")
            }
        }
        return cluster
    }

    /// Whether a département lies in a territory (an empty territory contains everything).
    static func isInside(_ dep: String, _ t: Territory) -> Bool {
        if t.isEmpty || t.departements.contains(dep) { return true }
        guard let d = Geography.departement(dep) else { return false }
        if t.regions.contains(where: { d.region == $0 || d.nuts3.hasPrefix($0) }) { return true }
        return t.nuts.contains { d.nuts3.hasPrefix($0) }
    }

    /// Key → value of a mapping, without diagnostics (second pass over an already checked mapping).
    func fieldsQuiet(_ m: Node.Mapping) -> [String: Node] {
        var out: [String: Node] = [:]
        for (k, v) in m { if let s = k.string, out[s] == nil { out[s] = v } }
        return out
    }

    mutating func crossFileChecks(clusters: [Cluster]) {
        // Upstream cycles make "indirect" meaningless: warn, routing still terminates (one step only).
        for c in clusters {
            var graph: [String: [String]] = [:]
            for s in c.segments { graph[s.id] = s.supplies }
            var state: [String: Int] = [:]
            func visit(_ s: String) -> Bool {
                if state[s] == 1 { return true }
                if state[s] == 2 { return false }
                state[s] = 1
                for n in graph[s] ?? [] where visit(n) { return true }
                state[s] = 2
                return false
            }
            for s in c.segments where visit(s.id) {
                let saved = file
                file = c.file ?? file
                diagnostics.append(LintDiagnostic(severity: .warning, file: file, line: 1, column: 1,
                                                  key: "segments", message: "supply links of '\(s.id)' form a cycle"))
                file = saved
                break
            }
        }
    }
}
