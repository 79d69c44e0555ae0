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
