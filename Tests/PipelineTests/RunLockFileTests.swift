import Foundation
import Testing

@testable import Pipeline

/// The lock file is the holder's while it runs, and gone when it is done: a folder is not left with
/// `vigie.sqlite.lock` after a run, nor after a run that could not run.
@Suite struct RunLockFileTests {
    @Test func unlockRemovesTheLockFile() throws {
        let ws = try Workspace()
        let lock = try RunLock(store: ws.storePath)
        #expect(FileManager.default.fileExists(atPath: lock.path))
        let content = try String(contentsOfFile: lock.path, encoding: .utf8)
        #expect(content.hasPrefix("\(getpid()) "))
        lock.unlock()
        #expect(!FileManager.default.fileExists(atPath: lock.path))
        // Unlocking twice is harmless, and the next run takes a new lock with no stale holder.
        lock.unlock()
        let next = try RunLock(store: ws.storePath)
        #expect(next.staleHolder == nil)
        next.unlock()
    }

    @Test func theLockIsGoneWhenItsOwnerGoes() throws {
        let ws = try Workspace()
        var path = ""
        do {
            let lock = try RunLock(store: ws.storePath)
            path = lock.path
        }
        #expect(!path.isEmpty && !FileManager.default.fileExists(atPath: path))
    }

    /// A run whose rules folder does not exist stops before the store or the lock: the folder stays empty.
    @Test func aRunThatCannotRunLeavesTheFolderEmpty() throws {
        let ws = try Workspace()
        let options = NightlyRunOptions(
            feeds: ws.root.appendingPathComponent("Feeds").path, rules: ws.root.appendingPathComponent("Rules").path,
            store: ws.root.appendingPathComponent("data/vigie.sqlite").path, output: ws.out)
        #expect(throws: PipelineError.self) { _ = try NightlyRun.run(options) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: ws.root.path) == [])
    }
}
