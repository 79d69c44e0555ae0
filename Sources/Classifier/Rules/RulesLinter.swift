import Foundation
import Notices

/// What the lint found (the loader's read diagnostics and the linter's, in editor order), and the rulebook when
/// there was no error.
public struct LintReport: Sendable {
    public var diagnostics: [LintDiagnostic] = []
    public var rulebook: Rulebook?
    /// Files read.
    public var files: [String] = []
    public var errors: [LintDiagnostic] { diagnostics.filter { $0.severity == .error } }
    public var warnings: [LintDiagnostic] { diagnostics.filter { $0.severity == .warning } }
}

/// Checks a loaded rulebook without running anything: duplicate ids, unknown segments referenced, keywords the
/// matcher cannot use or that look like regular expressions, CPV codes against the vocabulary and prefixes that
/// span unrelated products, thesaurus groups, member sites outside the cluster territory, supply cycles…
/// Every diagnostic names file, line, column and key, from the positions ``RulebookLoader`` recorded.
public struct RulesLinter: Sendable {
    public var vocabulary: CPVVocabulary?

    public init(vocabulary: CPVVocabulary? = nil) { self.vocabulary = vocabulary }

    /// Checks what the loader read. The report holds the loader's diagnostics and the linter's, and the rulebook
    /// when neither found an error.
    public func lint(_ loaded: LoadedRulebook) -> LintReport { lint(loaded, unchanged: []) }

    /// Checks what the loader read, except the routing rules of the clusters at `unchanged` (indices in
    /// `loaded.rulebook.clusters`): rules linted clean when their routes were recorded, and not changed since
    /// (see ``Rulebook/loadEach(directory:vocabulary:linted:cache:)``). Their ids are still checked against the other
    /// clusters', and who they e-mail (not part of what routing depends on) is still checked.
    func lint(_ loaded: LoadedRulebook, unchanged: Set<Int>) -> LintReport {
        var checks = LintChecks(vocabulary: vocabulary)
        checks.run(loaded, unchanged: unchanged)
        // The loader's diagnostics first: at one position, reading problems come before what the linter says.
        let diagnostics = LintDiagnostic.editorOrder(loaded.diagnostics + checks.diagnostics, files: loaded.files)
        var report = LintReport(diagnostics: diagnostics, rulebook: nil, files: loaded.files)
        if report.errors.isEmpty { report.rulebook = loaded.rulebook }
        return report
    }

    /// Reads every `*.yaml` / `*.yml` file of a directory (or one file) with ``RulebookLoader``, then lints.
    public func lint(directory: String) throws -> LintReport {
        lint(try RulebookLoader().read(directory: directory))
    }

    /// Reads the given files together with ``RulebookLoader`` (cluster ids must be unique across them), then lints.
    public func lint(files: [String]) -> LintReport {
        lint(RulebookLoader().read(files: files))
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

    /// Whether a département lies in a territory (an empty territory contains everything).
    static func isInside(_ dep: String, _ t: Territory) -> Bool {
        if t.isEmpty || t.departements.contains(dep) { return true }
        guard let d = Geography.departement(dep) else { return false }
        if t.regions.contains(where: { d.region == $0 || d.nuts3.hasPrefix($0) }) { return true }
        return t.nuts.contains { d.nuts3.hasPrefix($0) }
    }
}

/// One lint run: the current file and the diagnostics found, in the order the checks find them.
struct LintChecks {
    let vocabulary: CPVVocabulary?
    var file = ""
    var diagnostics: [LintDiagnostic] = []

    init(vocabulary: CPVVocabulary?) { self.vocabulary = vocabulary }

    mutating func error(_ at: SourcePosition?, _ key: String?, _ message: String) {
        diagnostics.append(
            LintDiagnostic(
                severity: .error, file: file, line: at?.line ?? 1, column: at?.column ?? 1,
                key: key, message: message))
    }

    mutating func warning(_ at: SourcePosition?, _ key: String?, _ message: String) {
        diagnostics.append(
            LintDiagnostic(
                severity: .warning, file: file, line: at?.line ?? 1,
                column: at?.column ?? 1, key: key, message: message))
    }

    mutating func run(_ loaded: LoadedRulebook, unchanged: Set<Int> = []) {
        let book = loaded.rulebook
        // Cluster id → (file, line) of its first definition.
        var clusterIDs: [String: (String, Int)] = [:]
        for (i, (c, source)) in zip(book.clusters, loaded.sources.clusters).enumerated() {
            file = source.file
            if unchanged.contains(i) {
                clusterID(c, source, clusterIDs: &clusterIDs)
                if let known = loaded.mailDiagnostics[i] {
                    diagnostics += known
                } else {
                    mail(c, source)
                }
            } else {
                cluster(c, source, clusterIDs: &clusterIDs)
            }
        }
        var start = 0
        for source in loaded.sources.thesauri {
            file = source.file
            let end = start + source.groups.count
            thesaurus(book.thesaurus.groups[start..<end], source)
            start = end
        }
        let changed = book.clusters.indices.filter { !unchanged.contains($0) && $0 < loaded.sources.clusters.count }
        supplyCycles(changed.map { book.clusters[$0] }, changed.map { loaded.sources.clusters[$0] })
    }

    // MARK: - Clusters

    /// A cluster id defined twice (in two files) is an error.
    mutating func clusterID(_ c: Cluster, _ src: ClusterSource, clusterIDs: inout [String: (String, Int)]) {
        guard !c.id.isEmpty else { return }
        if let (f0, l0) = clusterIDs[c.id] {
            error(src.id, "cluster.id", "duplicate cluster id '\(c.id)' (first in \(f0):\(l0))")
        } else {
            clusterIDs[c.id] = (file, src.id?.line ?? 1)
        }
    }

    mutating func cluster(_ c: Cluster, _ src: ClusterSource, clusterIDs: inout [String: (String, Int)]) {
        clusterID(c, src, clusterIDs: &clusterIDs)
        if !["fr", "en"].contains(c.language) {
            warning(src.language, "cluster.language", "digests exist in fr and en only")
        }
        if !src.hasTerritory {
            warning(
                src.cluster, "cluster.territory",
                "no territory: members without sites will be reached from anywhere")
        }

        // Segments.
        var segLines: [String: Int] = [:]
        for (s, ss) in zip(c.segments, src.segments) {
            let p = ss.path
            if let l = segLines[s.id], !s.id.isEmpty {
                error(ss.id, "\(p).id", "duplicate segment id '\(s.id)' (first at line \(l))")
            }
            segLines[s.id] = ss.id?.line ?? 0
            let kws = keywords(s.keywords, ss.items("keywords"), "\(p).keywords")
            _ = keywords(s.exclusions, ss.items("exclusions"), "\(p).exclusions")
            let cpv = cpvCodes(s.cpv, ss.items("cpv"), "\(p).cpv")
            if kws.isEmpty && cpv.isEmpty && s.descriptors.isEmpty {
                warning(ss.position, p, "segment '\(s.id)' has no keyword, CPV or descriptor: it will never match")
            }
        }
        let segIDs = c.segments.map(\.id)
        for (s, ss) in zip(c.segments, src.segments) {
            for (ref, item) in zip(s.supplies, ss.items("supplies")) {
                let k = "\(ss.path).supplies[\(item.index)]"
                if ref == s.id {
                    error(item.position, k, "segment '\(s.id)' cannot supply itself")
                } else {
                    _ = segmentReference(ref, item.position, k, segIDs)
                }
            }
        }

        // Members.
        var memberLines: [String: Int] = [:]
        var covered = Set<String>()
        for (m, ms) in zip(c.members, src.members) {
            let p = ms.path
            if let l = memberLines[m.id], !m.id.isEmpty {
                error(ms.id, "\(p).id", "duplicate member id '\(m.id)' (first at line \(l))")
            }
            memberLines[m.id] = ms.id?.line ?? 0
            var segments = 0
            for (ref, item) in zip(m.segments, ms.items("segments"))
            where segmentReference(ref, item.position, "\(p).segments[\(item.index)]", segIDs) {
                segments += 1
                covered.insert(ref)
            }
            for (site, item) in zip(m.sites, ms.items("sites")) {
                guard let d = Geography.departement(forSite: site) else { continue }  // the loader reported it
                if !RulesLinter.isInside(d, c.territory) {
                    warning(
                        item.position, "\(p).sites[\(item.index)]",
                        "site '\(site)' (\(Router.departementLabel(d))) is outside the cluster territory")
                }
            }
            let interests = keywords(m.interests, ms.items("interests"), "\(p).interests")
            _ = keywords(m.exclusions, ms.items("exclusions"), "\(p).exclusions")
            if segments == 0 && interests.isEmpty && !ms.keys.contains("segments") {
                warning(
                    ms.position, p,
                    "member '\(m.id)' covers no segment and has no interest: it will receive nothing")
            }
            if m.sites.isEmpty && !ms.keys.contains("sites") {
                warning(ms.position, p, "member '\(m.id)' has no site: the cluster territory is used")
            }
        }
        if !src.hasMembers {
            warning(src.top, "members", "no members: notices will be tagged but routed to nobody")
        }
        for (s, ss) in zip(c.segments, src.segments) where !covered.contains(s.id) && !c.members.isEmpty {
            warning(ss.position, "segments", "no member covers segment '\(s.id)'")
        }

        // Watches.
        var watchLines: [String: Int] = [:]
        for (w, ws) in zip(c.watches, src.watches) {
            let p = ws.path
            if let l = watchLines[w.id], !w.id.isEmpty {
                error(ws.id, "\(p).id", "duplicate watch id '\(w.id)' (first at line \(l))")
            }
            watchLines[w.id] = ws.id?.line ?? 0
            let kws = keywords(w.keywords, ws.items("keywords"), "\(p).keywords")
            _ = keywords(w.exclusions, ws.items("exclusions"), "\(p).exclusions")
            let cpv = cpvCodes(w.cpv, ws.items("cpv"), "\(p).cpv")
            var segments = 0
            for (ref, item) in zip(w.segments, ws.items("segments"))
            where segmentReference(ref, item.position, "\(p).segments[\(item.index)]", segIDs) { segments += 1 }
            if kws.isEmpty && cpv.isEmpty && segments == 0 {
                warning(ws.position, p, "watch '\(w.id)' has no keyword, CPV or segment: it will never match")
            }
            watchRecipients(w, ws)
        }
        delivery(c, src)
    }

    /// The addresses a cluster e-mails (its watches' recipients, then its delivery settings): what is still checked
    /// on rules whose routing is unchanged, since the routing fingerprint leaves addresses out.
    mutating func mail(_ c: Cluster, _ src: ClusterSource) {
        for (w, ws) in zip(c.watches, src.watches) { watchRecipients(w, ws) }
        delivery(c, src)
    }

    /// ``mail(_:_:)``'s diagnostics for one cluster, in the order the lint finds them: depend on the file alone,
    /// so the rules cache keeps them with it.
    static func mailDiagnostics(_ c: Cluster, _ src: ClusterSource) -> [LintDiagnostic] {
        var checks = LintChecks(vocabulary: nil)
        checks.file = src.file
        checks.mail(c, src)
        return checks.diagnostics
    }

    /// Who receives a watch's matches.
    mutating func watchRecipients(_ w: Watch, _ ws: ItemSource) {
        let p = ws.path
        if w.recipients.isEmpty { warning(ws.position, p, "watch '\(w.id)' has no recipient") }
        for item in ws.items("recipients") {
            let k = item.key ?? "\(p).recipients[\(item.index)]"
            if EmailAddress.looksLikeAddress(item.text) {
                address(item, k)
            } else {
                warning(
                    item.position, k,
                    "'\(item.text)' is a name, not an e-mail address: it will not be "
                        + "e-mailed the watch's matches (write `Nom <adresse@domaine.fr>`)")
            }
        }
    }

    // MARK: - Delivery

    /// Addresses of `cluster.delivery`, members' `contact` and the settings that leave someone without e-mail.
    mutating func delivery(_ c: Cluster, _ src: ClusterSource) {
        let d = c.delivery
        let ds = src.delivery
        if let sender = ds?.sender { address(sender, "cluster.delivery.sender") }
        for item in ds?.replyTo ?? [] { address(item, item.key ?? "cluster.delivery.reply_to[\(item.index)]") }
        for item in ds?.staff ?? [] { address(item, item.key ?? "cluster.delivery.staff[\(item.index)]") }
        for ms in src.members {
            for item in ms.items("contact") { address(item, item.key ?? "\(ms.path).contact[\(item.index)]") }
        }
        guard let ds else { return }
        if d.sender != nil {
            if d.staff.isEmpty {
                warning(
                    ds.sender?.position, "cluster.delivery.staff",
                    "a sender but no staff: nobody receives the cluster digest by e-mail, and members' "
                        + "messages have no List-Unsubscribe address")
            }
            let silent = c.members.filter { $0.contacts.isEmpty && !$0.id.isEmpty }.map(\.id)
            if !silent.isEmpty {
                warning(
                    src.membersList ?? src.top, "members",
                    "\(silent.count) of \(c.members.count) members have no contact: they get their files but no "
                        + "e-mail (\(silent.joined(separator: ", ")))")
            }
        } else if !d.staff.isEmpty || !d.replyTo.isEmpty {
            warning(
                ds.position, "cluster.delivery.sender",
                "no sender: the cluster sends no e-mail (staff and contacts get files only)")
        }
    }

    /// An error when `item` is not an e-mail address.
    mutating func address(_ item: SourceItem, _ key: String) {
        do {
            _ = try EmailAddress(parsing: item.text)
        } catch {
            self.error(
                item.position, key,
                "'\(item.text)' is not an e-mail address: \(error.reason) "
                    + "(expected `Nom <adresse@domaine.fr>` or `adresse@domaine.fr`)")
        }
    }

    /// Whether `ref` names a segment of the cluster; an error with the closest spelling when not.
    mutating func segmentReference(_ ref: String, _ at: SourcePosition, _ key: String, _ segIDs: [String]) -> Bool {
        if segIDs.contains(ref) { return true }
        let hint = LintDiagnostic.closest(ref, in: segIDs).map { "; did you mean '\($0)'?" } ?? ""
        error(at, key, "unknown segment '\(ref)'\(hint) (segments: \(segIDs.joined(separator: ", ")))")
        return false
    }

    /// Upstream cycles make "indirect" meaningless: warn, routing still terminates (one step only).
    mutating func supplyCycles(_ clusters: [Cluster], _ sources: [ClusterSource]) {
        for (c, src) in zip(clusters, sources) {
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
                diagnostics.append(
                    LintDiagnostic(
                        severity: .warning, file: c.file ?? src.file, line: 1, column: 1,
                        key: "segments", message: "supply links of '\(s.id)' form a cycle"))
                break
            }
        }
    }

    // MARK: - Keywords and codes

    /// Checks keywords (trimmed by the loader): empty, nothing left after normalisation, regex-looking, misplaced
    /// wildcards, too long, duplicates. Returns the usable ones.
    mutating func keywords(_ values: [String], _ items: [SourceItem], _ key: String) -> [String] {
        var out: [String] = []
        var seen: [String: Int] = [:]
        for (s, item) in zip(values, items) {
            let (i, n) = (item.index, item.position)
            let k = "\(key)[\(i)]"
            if s.isEmpty {
                error(n, k, "empty keyword")
                continue
            }
            if let why = RulesLinter.regexLooking(s) {
                error(
                    n, k,
                    "'\(s)' looks like a regular expression (\(why)); keywords are plain words and phrases, "
                        + "with `*` only at the end of a word for a prefix (`décollet*`), one keyword per list item")
                continue
            }
            if let bad = RulesLinter.misplacedWildcard(s) {
                error(n, k, "'\(s)': `*` is only allowed at the end of a word (prefix wildcard), not '\(bad)'")
                continue
            }
            if s.hasPrefix("\"") || s.hasPrefix("'") || s.hasPrefix("«") {
                warning(n, k, "quotes are not needed: a keyword with spaces is already a phrase")
            }
            let toks = FrenchNormalizer.keywordTokens(s)
            if toks.isEmpty {
                error(
                    n, k,
                    "empty keyword: '\(s)' has no word left after normalisation "
                        + "(only short function words or punctuation)")
                continue
            }
            if toks.count > KeywordMatcher.maxPhraseTokens {
                error(n, k, "phrase of \(toks.count) words; at most \(KeywordMatcher.maxPhraseTokens)")
                continue
            }
            for t in toks where t.isPrefix && t.bytes.count < 3 {
                let stem = String(decoding: t.bytes, as: UTF8.self)
                warning(n, k, "prefix '\(stem)*' is very short and will match many words")
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

    /// Checks well-formed CPV codes against the vocabulary (when given) and warns about 8-digit prefixes and
    /// prefixes that span unrelated products. Returns the usable ones.
    mutating func cpvCodes(_ codes: [String], _ items: [SourceItem], _ key: String) -> [String] {
        var out: [String] = []
        for (c, item) in zip(codes, items) {
            let (s, n) = (item.text, item.position)
            let k = "\(key)[\(item.index)]"
            guard let (digits, check) = RuleReader.cpvForm(c) else { continue }  // the loader reported it
            let prefix = check == nil
            if let v = vocabulary {
                if !prefix && !v.codes.contains(digits) {
                    error(n, k, "CPV '\(s)' is not in the CPV vocabulary")
                    continue
                }
                if let check, let known = v.checkDigits[digits], String(known) != check {
                    error(n, k, "CPV '\(s)': wrong check digit, \(digits)-\(known) in the CPV vocabulary")
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
            if prefix, let spread = RulesLinter.cpvSpread(digits, vocabulary: vocabulary) {
                warning(
                    n, k,
                    "CPV prefix '\(s)' spans \(spread): routing weighs it at "
                        + "\(Router.cpvPrecision(digits)) and never on its own; prefer the codes you mean")
            }
            out.append(c)
        }
        return out
    }

    // MARK: - Thesaurus

    /// Checks one thesaurus file's groups: usable variants, at least two per group, a variant in two groups.
    mutating func thesaurus(_ groups: ArraySlice<[String]>, _ source: ThesaurusSource) {
        var firstSeen: [String: Int] = [:]
        for (g, (variants, gs)) in zip(groups, source.groups).enumerated() {
            var usable = 0
            for (s, item) in zip(variants, gs.items) {
                let (n, k) = (item.position, "\(gs.path)[\(item.index)]")
                if s.isBlank { error(n, k, "empty keyword"); continue }
                if let why = RulesLinter.regexLooking(s) {
                    error(n, k, "'\(s)' looks like a regular expression (\(why)); list plain variants")
                    continue
                }
                if s.contains("*") { error(n, k, "'\(s)': no wildcard in the thesaurus, list the variants"); continue }
                let form = FrenchNormalizer.normalizedPhrase(s)
                if form.isEmpty { error(n, k, "empty keyword: '\(s)' has no word left after normalisation"); continue }
                if let other = firstSeen[form], other != g {
                    warning(n, k, "'\(s)' is also in thesaurus group \(other + 1): the groups will not be merged")
                }
                firstSeen[form] = g
                usable += 1
            }
            if usable < 2 {
                warning(gs.items.first?.position, gs.path, "a thesaurus group needs at least two variants")
            }
        }
    }
}
