import Foundation
import Testing

/// Locates `../shared` (test data beside the repository) and the in-repo fixtures.
///
/// The shared folder holds third-party samples that must not be copied into the repository. When it is missing,
/// tests that need it fail in CI (`CI=true`) and are skipped with a printed reason on a developer machine.
enum SharedSamples {
    /// Package root, from this file's path (Tests/ParserTests/Formats/SharedSamples.swift).
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static let root: URL = packageRoot.deletingLastPathComponent().appendingPathComponent("shared")

    static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// The shared folder, or nil (after recording an issue in CI) when it is absent.
    static func folder(_ sub: String, sourceLocation: SourceLocation = #_sourceLocation) -> URL? {
        let url = root.appendingPathComponent(sub)
        if FileManager.default.fileExists(atPath: url.path) { return url }
        if isCI {
            Issue.record(
                "../shared/\(sub) is missing and CI=true: the shared test data must be present in CI",
                sourceLocation: sourceLocation)
        } else {
            print("skipping: ../shared/\(sub) not found at \(url.path) (set up ../shared to run this test)")
        }
        return nil
    }

    /// Bytes of a file under `../shared`.
    static func bytes(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: root.appendingPathComponent(path)))
    }

    /// Files of a directory under `../shared`, sorted.
    static func files(_ dir: String, ext: String) -> [String] {
        let url = root.appendingPathComponent(dir)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        return names.filter { $0.hasSuffix("." + ext) }.sorted()
    }

    /// A fixture of this test target (Tests/ParserTests/Fixtures/Formats/...).
    static func fixture(_ name: String) throws -> [UInt8] {
        let url = packageRoot.appendingPathComponent("Tests/ParserTests/Fixtures/Formats").appendingPathComponent(name)
        return [UInt8](try Data(contentsOf: url))
    }
}
