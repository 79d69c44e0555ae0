import Foundation
import Testing

/// The test data beside the repository (`../shared`): third-party samples, code lists, the conformance corpus and
/// the routing set, read in place and never copied into the repository.
///
/// A test that needs it carries the `.requiresShared` trait and reads through `url(_:)` / `bytes(_:)`:
/// - on a machine without `../shared` it is reported as *skipped* (not passed);
/// - under CI (`CI=true`) it runs even without the folder, and fails naming the missing path.
///
/// `VIGIE_SHARED=/some/folder` points the tests at another copy of the data (or at a missing folder, to see the
/// skips and the CI failures).
public enum SharedData {
    /// The package root, from this file's path (Tests/TestSupport/SharedData.swift).
    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `../shared` beside the package root, or the folder named by `VIGIE_SHARED`.
    public static var root: URL {
        if let given = ProcessInfo.processInfo.environment["VIGIE_SHARED"], !given.isEmpty {
            return URL(fileURLWithPath: given)
        }
        return packageRoot.deletingLastPathComponent().appendingPathComponent("shared")
    }

    /// The shared folder exists.
    public static var isAvailable: Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// Running under CI (`CI=true`), where the shared data is required.
    public static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// Tests that need the data run when it is there, and under CI whether or not it is (so they fail there).
    public static var isAvailableOrRequired: Bool { isAvailable || isCI }

    /// A file or folder under the shared root; throws `Missing` (naming the path) when it does not exist.
    @discardableResult
    public static func url(_ relative: String) throws -> URL {
        let url = root.appendingPathComponent(relative)
        guard FileManager.default.fileExists(atPath: url.path) else { throw Missing(relative: relative, url: url) }
        return url
    }

    /// The bytes of a file under the shared root.
    public static func bytes(_ relative: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: try url(relative)))
    }

    /// The names of a shared folder's files ending in `.ext`, sorted; empty when the folder is missing (the test
    /// that lists them fails on its first read under CI, and is skipped elsewhere).
    public static func files(_ relative: String, ext: String) -> [String] {
        let names =
            (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(relative).path))
            ?? []
        return names.filter { $0.hasSuffix("." + ext) }.sorted()
    }

    /// A path under the shared root that is not there.
    public struct Missing: Error, CustomStringConvertible {
        public var relative: String
        public var url: URL
        public var description: String {
            let why =
                SharedData.isCI
                ? "CI=true: the shared test data must be present in CI"
                : "set up ../shared beside the repository (or VIGIE_SHARED) to run this test"
            return "../shared/\(relative) not found at \(url.path) (\(why))"
        }
    }
}

extension Trait where Self == ConditionTrait {
    /// The test reads `../shared`: skipped when the folder is missing, except under `CI=true` where it runs (and
    /// fails naming the missing path).
    public static var requiresShared: Self {
        .enabled(if: SharedData.isAvailableOrRequired, "../shared not found beside the repository")
    }
}
