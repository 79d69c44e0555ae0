import Foundation
import TestSupport
import Testing

extension ReliabilityTests {
    /// One run per store, whatever path names it: a second writer reaching the same store through a symbolic link
    /// (`ln -s S S2`) is refused with exit 2 naming the holder, be it `vigie run`, `vigie fetch` or
    /// `vigie digest --mark-delivered`; the first run then ends exactly as one clean run.
    @Suite struct StoreLockTests {
        enum Second: String, CaseIterable {
            /// `run --store S2` while `run --store S` runs.
            case runThroughLink
            case fetchThroughLink
            case digestMarkDeliveredThroughLink
            /// The same commands on the very same path: every command that writes takes the lock.
            case fetchSamePath
            case digestMarkDeliveredSamePath
        }

        @Test(arguments: Second.allCases)
        func aSecondWriterOnTheSameStoreIsRefused(second: Second) throws {
            let reference = try CrashConsistencyTests.reference()
            let (store, out) = reference.trial("lock-\(second.rawValue)")
            let link = store + "-link"
            try FileManager.default.createDirectory(
                atPath: (store as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            // The link is made once the first run has created the store and holds its lock.
            let first = try VigieProcess.start(BigFeed.runArgs(catalogue: reference.catalogue, store: store, out: out))
            #expect(first.waitForStderr("vigie run: fetching", timeout: 60), "the first run did not start")
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: store)
            #expect(first.isRunning, "the first run ended before the second started: make the feed bigger")

            let target = [.fetchSamePath, .digestMarkDeliveredSamePath].contains(second) ? store : link
            let args: [String]
            switch second {
            case .runThroughLink:
                args = BigFeed.runArgs(catalogue: reference.catalogue, store: link, out: out)
            case .fetchThroughLink, .fetchSamePath:
                args = ["fetch", "--feeds", reference.catalogue, "--store", target]
            case .digestMarkDeliveredThroughLink, .digestMarkDeliveredSamePath:
                args = [
                    "digest", "--cluster", "mecaloire", "--store", target, "--out", out, "--rules", "Rules",
                    "--mark-delivered", "--now", "2026-05-05T02:00:00Z",
                ]
            }
            let refused = try VigieProcess.vigie(args)
            let stillRunning = first.isRunning
            let done = try first.wait()
            print(
                "\(second.rawValue): second command exit \(refused.status) — "
                    + (refused.stderr.split(separator: "\n").last.map(String.init) ?? "")
                    + "; first run exit \(done.status) after \(fmt(done.seconds)) s")
            #expect(stillRunning, "the first run was over before the second command ended: the test proved nothing")
            #expect(
                refused.status == 2,
                "the second writer went through (exit \(refused.status)): \(refused.stderr.suffix(400))")
            let message = refused.stderr.lowercased()
            #expect(message.contains("another run") || message.contains("locked"), "\(refused.stderr.suffix(400))")
            #expect(refused.stderr.contains("\(first.pid)"), "the refusal does not name the holder (pid \(first.pid))")
            #expect(done.status == 0, "\(done.stderr.suffix(400))")
            let problems = try reference.problems(store: store, out: out)
            #expect(problems.isEmpty, "two writers on one store: \(problems.joined(separator: "; "))")
        }
    }
}
