import Digest
import Foundation
import Notices
import Store
import Testing

@testable import Pipeline

/// A night's digests for a cluster are one edition: complete or absent, and delivered once, whatever stops the run.
@Suite struct EditionPublisherTests {
    let night = instant("2026-05-05T02:00:00Z")

    func stage(_ ws: Workspace, _ store: NoticeStore) -> RouteAndDigestRun {
        RouteAndDigestRun(store: store, router: FixedRouter(), options: RouteAndDigestOptions(outputDirectory: ws.out))
    }

    /// Every file under the output folder, relative, with its bytes.
    func tree(_ root: String) throws -> [String: Data] {
        var out: [String: Data] = [:]
        let walker = try #require(FileManager.default.enumerator(atPath: root))
        while let relative = walker.nextObject() as? String {
            var isDir: ObjCBool = false
            let path = (root as NSString).appendingPathComponent(relative)
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue {
                out[relative] = FileManager.default.contents(atPath: path)
            }
        }
        return out
    }

    /// The reference: one clean night.
    func cleanNight() throws -> (files: [String: Data], deliveries: Int) {
        let ws = try Workspace()
        let store = try NoticeStore(path: ws.storePath)
        _ = try store.upsert(try NoticeFixtures.notices(), at: night)
        _ = try stage(ws, store).run(now: night)
        return (try tree(ws.out), try store.deliveries(cluster: "mecaloire").count)
    }

    @Test func anEditionRecordedButNotMovedIsFinishedByTheNextRunNotWrittenAgain() throws {
        let reference = try cleanNight()
        let ws = try Workspace()
        let store = try NoticeStore(path: ws.storePath)
        _ = try store.upsert(try NoticeFixtures.notices(), at: night)
        // The run dies right after recording the edition (files staged, deliveries recorded, nothing moved):
        // the store's record is the only trace.
        let run = stage(ws, store)
        try store.recordRoutes(
            try store.noticesChanged(after: 0).flatMap {
                try RouteMapping.records(FixedRouter().route($0.notice, now: night), rulebook: testRulebook)
            }, replacingRoutesOf: try store.noticesChanged(after: 0).map(\.id), runID: nil, at: night)
        let prepared = try ClusterDigest.prepare(
            cluster: testRulebook.clusters[0], store: store, output: ws.out, formats: DigestFormat.allCases, now: night,
            health: [], markDelivered: true)
        let files = try prepared.renderedFiles()
        let staging = ws.out + "/.vigie-staging/mecaloire-2026-05-05-1"
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        var staged: [String] = []
        for (i, f) in files.enumerated() {
            let path = staging + "/\(i)-" + (f.relativePath as NSString).lastPathComponent
            try DigestWriter.writeAtomically(f.bytes, to: path)
            staged.append(path)
        }
        try store.stageEdition(
            EditionRecord(
                cluster: "mecaloire", stamp: "2026-05-05", edition: 1, staging: staging, staged: staged,
                files: files.map { ws.out + "/" + $0.relativePath }, state: .staged, runID: nil, createdAt: night),
            deliveries: prepared.deliveries)

        let report = try run.run(now: night)
        #expect(report.recoveredEditions == 1)
        #expect(report.clusters.first?.files == [], "nothing new after the recovered edition: no second edition")
        #expect(try store.stagedEditions().isEmpty)
        #expect(try tree(ws.out) == reference.files, "the same files, byte for byte, as one clean night")
        #expect(!FileManager.default.fileExists(atPath: ws.out + "/.vigie-staging"))
        #expect(try store.deliveries(cluster: "mecaloire").count == reference.deliveries)
    }

    @Test func aFailedStagingRecordsNothingAndTheNextRunWritesTheSameEdition() throws {
        let reference = try cleanNight()
        let ws = try Workspace()
        let store = try NoticeStore(path: ws.storePath)
        _ = try store.upsert(try NoticeFixtures.notices(), at: night)
        // A file where the staging folder must go: staging fails the way a full disk does, midway.
        try FileManager.default.createDirectory(atPath: ws.out, withIntermediateDirectories: true)
        try Data("x".utf8).write(to: URL(fileURLWithPath: ws.out + "/.vigie-staging"))
        // The only cluster could not be written: the run could not do its job at all.
        do {
            _ = try stage(ws, store).run(now: night)
            Issue.record("a run with no digest written should fail")
        } catch let e as PipelineError {
            #expect("\(e)".hasPrefix("run: no digest could be written: digest: " + ws.out + "/.vigie-staging"))
        }
        #expect(try store.deliveries(cluster: "mecaloire").isEmpty, "nothing recorded as sent")
        #expect(try store.lastEdition(cluster: "mecaloire", stamp: "2026-05-05") == nil)
        #expect(!ws.exists("mecaloire/2026-05-05.md"))

        try FileManager.default.removeItem(atPath: ws.out + "/.vigie-staging")
        _ = try stage(ws, store).run(now: night)
        #expect(try tree(ws.out) == reference.files)
        #expect(!ws.exists("mecaloire/2026-05-05-2.md"))
    }

    @Test func strayStagingFoldersAndWriterTemporariesAreRemoved() throws {
        let ws = try Workspace()
        let store = try NoticeStore(path: ws.storePath)
        try FileManager.default.createDirectory(
            atPath: ws.out + "/.vigie-staging/mecaloire-2026-05-04-1", withIntermediateDirectories: true)
        try Data("half".utf8).write(to: URL(fileURLWithPath: ws.out + "/.vigie-staging/mecaloire-2026-05-04-1/0-x.md"))
        try FileManager.default.createDirectory(atPath: ws.out + "/mecaloire", withIntermediateDirectories: true)
        let tmp = ws.out + "/mecaloire/.2026-05-04.md.4242.123456.tmp"
        try Data("half".utf8).write(to: URL(fileURLWithPath: tmp))
        // A file of the user's that merely looks hidden stays.
        try Data("keep".utf8).write(to: URL(fileURLWithPath: ws.out + "/mecaloire/.htaccess"))
        try EditionPublisher(output: ws.out, store: store).recover()
        #expect(!FileManager.default.fileExists(atPath: ws.out + "/.vigie-staging"))
        #expect(!FileManager.default.fileExists(atPath: tmp))
        #expect(FileManager.default.fileExists(atPath: ws.out + "/mecaloire/.htaccess"))
    }

    @Test func aStopRequestStopsAtTheNextCheckpointWithTheSignalsExitCode() throws {
        let request = StopRequest()
        try request.checkpoint("before anything")
        request.request(SIGTERM)
        request.request(SIGINT)  // the first signal wins
        do {
            try request.checkpoint("between two clusters")
            Issue.record("the checkpoint should have thrown")
        } catch let e as PipelineError {
            #expect(e.exitCode == 143)
            #expect("\(e)".hasPrefix("run: interrupted by SIGTERM between two clusters"))
        }
    }
}
