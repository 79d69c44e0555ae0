import Foundation
import Testing

@testable import Digest

@Suite struct DigestWriterTests {
    /// What a killed writer leaves is recognised, and nothing else hidden in a digest folder is.
    @Test func writerTemporaryNamesAreRecognisedExactly() {
        #expect(DigestWriter.isTemporaryName(".latest.md.1234.98765.tmp"))
        #expect(!DigestWriter.isTemporaryName(".htaccess"))
        #expect(!DigestWriter.isTemporaryName("notes.tmp"))
        #expect(!DigestWriter.isTemporaryName(".notes.tmp"))
    }

    /// A completed atomic write leaves only its target: no temporary beside it.
    @Test func writeAtomicallyLeavesOnlyTheTarget() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigie-writer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try DigestWriter.writeAtomically(Array("x".utf8), to: dir.appendingPathComponent("a.md").path)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["a.md"])
    }
}
