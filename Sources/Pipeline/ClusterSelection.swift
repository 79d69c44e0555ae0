import Classifier

/// The clusters an operator named (`--cluster`), checked against the rules folder as loaded, for `vigie run` and
/// `vigie digest` alike.
enum ClusterSelection {
    /// Throws when a named cluster's file has errors (the operator asked for it: the command stops, located) or
    /// when a name matches no cluster (the known ones listed, never an empty digest).
    static func check(_ only: [String]?, in rules: RulebookLoad) throws {
        guard let only else { return }
        if let broken = rules.failed.first(where: { only.contains($0.cluster) }), let first = broken.errors.first {
            throw PipelineError.cannotRun("the rules of \(broken.cluster) have errors: \(first)")
        }
        let known = rules.rulebook.clusters.map(\.id) + rules.failed.map(\.cluster)
        let unknown = only.filter { !known.contains($0) }
        if !unknown.isEmpty {
            throw PipelineError.cannotRun(
                "unknown cluster(s): \(unknown.joined(separator: ", ")) (known: "
                    + known.sorted().joined(separator: ", ") + ")")
        }
    }
}
