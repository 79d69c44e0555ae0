import Foundation
import TestSupport
import Testing

/// The store `make demo` writes, built once per test process in a temporary folder: `vigie run` on the bundled
/// samples (Feeds/demo.yaml, file:// sources, no network) at the demo's date. The README's and the help's
/// examples name `demo-out/vigie.sqlite`; the tests run them on this copy.
enum DemoStore {
    struct Built: Sendable {
        var root: String
        var store: String
        var out: String
    }

    /// Built on first use (a few seconds), shared by every suite of the process.
    static let shared: Result<Built, VigieProcess.Failure> = {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent(
            "vigie-demo-\(getpid())-\(UUID().uuidString)"
        ).path
        do {
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            let built = Built(root: root, store: root + "/s.sqlite", out: root + "/o")
            let r = try VigieProcess.vigie([
                "run", "--feeds", "Feeds/demo.yaml", "--rules", "Rules", "--store", built.store, "--out", built.out,
                "--now", "2026-11-24T02:00:00Z", "--no-first-night",
            ])
            guard r.status == 0 else {
                return .failure(VigieProcess.Failure("the demo run exited \(r.status): \(r.stderr.suffix(2000))"))
            }
            return .success(built)
        } catch {
            return .failure(VigieProcess.Failure("the demo run could not start: \(error)"))
        }
    }()

    static func get() throws -> Built { try shared.get() }

    /// A copy of the demo store of its own, for a test whose command takes the store's lock (backup, send): tests
    /// run in parallel, and a second holder is refused.
    static func copy() throws -> String {
        let demo = try get()
        let path = demo.root + "/copy-\(UUID().uuidString).sqlite"
        try FileManager.default.copyItem(atPath: demo.store, toPath: path)
        return path
    }

    /// The source ids of the demo catalogue, read from Feeds/demo.yaml itself (`- id: …` lines).
    static func catalogueIDs() throws -> [String] {
        let yaml = try String(
            contentsOf: VigieProcess.packageRoot.appendingPathComponent("Feeds/demo.yaml"), encoding: .utf8)
        return yaml.split(separator: "\n").compactMap { line in
            let t = line.trimmingCharacters(in: .whitespaces)
            return t.hasPrefix("- id: ") ? String(t.dropFirst("- id: ".count)) : nil
        }
    }

    /// The cluster ids of Rules/ (each cluster file's top-level `id:`), read from the files themselves.
    static func ruleClusterIDs() throws -> [String] {
        let dir = VigieProcess.packageRoot.appendingPathComponent("Rules")
        var ids: [String] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) where name.hasSuffix(".yaml") {
            let text = try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("  id: ") }) {
                ids.append(String(line.dropFirst(6)).trimmingCharacters(in: .whitespaces))
            }
        }
        return ids.sorted()
    }

    /// Every stderr line of a command in Vigie's one format: `vigie <command>: …`.
    static func linesOutOfFormat(_ stderr: String) -> [String] {
        stderr.split(separator: "\n").map(String.init).filter {
            $0.range(of: "^vigie [a-z ]+: ", options: .regularExpression) == nil
        }
    }
}
