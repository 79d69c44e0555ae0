import Foundation
import TestSupport

/// The parser tests' own fixtures, in the repository (Tests/ParserTests/Fixtures/Formats/...). Real third-party
/// samples are read in place from `../shared` through `SharedData`.
enum Fixture {
    /// The bytes of a fixture of this test target.
    static func bytes(_ name: String) throws -> [UInt8] {
        let url = SharedData.packageRoot.appendingPathComponent("Tests/ParserTests/Fixtures/Formats")
            .appendingPathComponent(name)
        return [UInt8](try Data(contentsOf: url))
    }
}
