import Foundation
import Testing

@testable import Pipeline

@Suite struct RunLockTests {
    @Test func aSecondHolderIsRefusedWithTheFirstOnesPid() throws {
        let ws = try Workspace()
        let path = ws.root.appendingPathComponent("vigie.sqlite.lock").path
        let first = try RunLock(path: path)
        // flock locks belong to the open file description: a second open in this process conflicts too.
        do {
            _ = try RunLock(path: path)
            Issue.record("the second lock should have been refused")
        } catch let e as PipelineError {
            #expect("\(e)".contains("another run holds \(path) (pid \(getpid()), started "))
        }
        first.unlock()
        let again = try RunLock(path: path)
        #expect(again.staleHolder == nil)
    }

    @Test func aLockFileLeftByADeadRunIsTakenOver() throws {
        let ws = try Workspace()
        let path = ws.root.appendingPathComponent("vigie.sqlite.lock").path
        // A pid that cannot be running: above the kernel's pid_max.
        try "4194305 2026-05-04T02:00:00Z\n".write(toFile: path, atomically: true, encoding: .utf8)
        let lock = try RunLock(path: path)
        #expect(lock.staleHolder == 4_194_305)
        let content = try String(contentsOfFile: path, encoding: .utf8)
        #expect(content.hasPrefix("\(getpid()) "))
    }
}

@Suite struct RunLockRealFileTests {
    /// Two runs reaching one store through a symlink must not both go through: the lock is the real file's.
    @Test func aSymlinkedStorePathTakesTheSameLock() throws {
        let ws = try Workspace()
        FileManager.default.createFile(atPath: ws.storePath, contents: nil)
        let link = ws.root.appendingPathComponent("other-name.sqlite").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: ws.storePath)
        let first = try RunLock(store: ws.storePath)
        #expect(throws: PipelineError.self) { _ = try RunLock(store: link) }
        first.unlock()
        let viaLink = try RunLock(store: link)
        #expect(viaLink.path == RunLock.realPath(of: ws.storePath) + ".lock")
    }

    @Test func aStoreNotYetCreatedLocksBesideItsRealFolder() throws {
        let ws = try Workspace()
        let real = ws.root.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: real, withIntermediateDirectories: true)
        let alias = ws.root.appendingPathComponent("alias").path
        try FileManager.default.createSymbolicLink(atPath: alias, withDestinationPath: real.path)
        let a = try RunLock(store: alias + "/vigie.sqlite")
        #expect(throws: PipelineError.self) { _ = try RunLock(store: real.path + "/vigie.sqlite") }
        a.unlock()
    }
}
