import Foundation
import TestSupport
import Testing

extension ReliabilityTests {
    /// A nightly run killed (`kill -9`) or stopped (SIGTERM, SIGINT) at any moment, then run again, ends exactly
    /// where one clean run ends: the same store content and the same digest files byte for byte — no second
    /// edition (`<date>-2.*`), no partial edition, no temporary file, no item sent twice.
    ///
    /// Knobs (environment): `VIGIE_KILL_SEED` (replay a seed), `VIGIE_KILL_POINTS` (default 20),
    /// `VIGIE_KILL_ITEMS` (size of the generated feed, default 150: each item is routed to several members and
    /// written in six formats, three times over with the members' own digests, so 150 items are already ~550 member
    /// items and a run of a few seconds in a debug build).
    @Suite struct CrashConsistencyTests {
        /// Printed by progress on stderr once every notice is classified: from here on, digests are written.
        static let digestPhaseMarker = "vigie run: classified "

        /// One clean run on the generated inputs: what every interrupted run must come back to.
        final class Reference: @unchecked Sendable {
            let scratch: VigieProcess.Scratch
            let catalogue: String
            let store: [String: [String]]
            let digests: [String: Data]
            /// Seconds of the clean run, and when its digest phase began.
            let seconds: Double
            let digestPhaseAt: Double

            init() throws {
                scratch = try VigieProcess.Scratch("crash")
                // Shared for the whole test process, so never deinitialised: removed at exit instead.
                RemovedAtExit.add(scratch.root.path)
                let items = Int(ProcessInfo.processInfo.environment["VIGIE_KILL_ITEMS"] ?? "") ?? 150
                catalogue = try BigFeed.write(in: scratch.root.path, count: items)
                let store = scratch.path("reference/vigie.sqlite")
                let out = scratch.path("reference/out")
                let run = try VigieProcess.start(BigFeed.runArgs(catalogue: catalogue, store: store, out: out))
                _ = run.waitForStderr(CrashConsistencyTests.digestPhaseMarker, timeout: 300)
                digestPhaseAt = run.elapsed
                let result = try run.wait()
                seconds = result.seconds
                guard result.status == 0 else {
                    throw VigieProcess.Failure("the clean reference run failed (\(result.status)): \(result.stderr)")
                }
                self.store = try VigieProcess.storeDump(store)
                digests = VigieProcess.digestTree(out)
                print(
                    "crash reference: \(items) items, clean run \(fmt(seconds)) s, "
                        + "digest phase from \(fmt(digestPhaseAt)) s, "
                        + "\(self.store["notices"]?.count ?? 0) notices, \(self.store["routes"]?.count ?? 0) routes, "
                        + "\(self.store["deliveries"]?.count ?? 0) deliveries, \(digests.count) digest files")
            }

            /// Fresh store and output paths for one trial.
            func trial(_ name: String) -> (store: String, out: String) {
                (scratch.path("\(name)/vigie.sqlite"), scratch.path("\(name)/out"))
            }

            /// What is wrong with a trial's store and output compared with the clean run (empty: consistent).
            func problems(store: String, out: String) throws -> [String] {
                var problems: [String] = []
                let tree = VigieProcess.digestTree(out)
                let second = VigieProcess.secondEditions(tree)
                if !second.isEmpty { problems.append("second edition: \(second.prefix(4))") }
                let stray = VigieProcess.strayEntries(out)
                if !stray.isEmpty { problems.append("hidden or temporary files: \(stray.prefix(4))") }
                let twice = VigieProcess.itemsSentTwice(tree)
                if !twice.isEmpty { problems.append("\(twice.count) items in two files: \(twice.prefix(2))") }
                problems += VigieProcess.treeDifferences(expected: digests, actual: tree).map { "digests: " + $0 }
                problems += VigieProcess.storeDifferences(
                    expected: self.store, actual: try VigieProcess.storeDump(store)
                )
                .map { "store: " + $0 }
                if FileManager.default.fileExists(atPath: store + ".lock") {
                    problems.append("lock file left at \(store).lock")
                }
                return problems
            }
        }

        private static let shared = Lazy<Reference> { try Reference() }
        static func reference() throws -> Reference { try shared.get() }

        @Test func theCleanRunLeavesNoTemporaryFileAndOneEdition() throws {
            let reference = try Self.reference()
            let out = reference.scratch.path("reference/out")
            #expect(
                VigieProcess.strayEntries(out).isEmpty,
                "stray files after a completed run: \(VigieProcess.strayEntries(out))")
            #expect(VigieProcess.secondEditions(reference.digests).isEmpty)
            #expect(VigieProcess.itemsSentTwice(reference.digests).isEmpty)
            // The inputs are meant to give the digest phase work: many member items in many files.
            #expect((reference.store["deliveries"]?.count ?? 0) > 400, "the generated feed routes too little")
            #expect(reference.digests.keys.contains { $0.hasPrefix("mecaloire/adherents/") })
            #expect(reference.digests.keys.contains("mecaloire/2026-05-05.md"))
        }

        /// The one wall-clock value of a digest (a source's last success, Paris time, no-break spaces around "h")
        /// is masked for comparison; a deadline from the feed is not.
        @Test func theWallClockMaskCoversTheSourceTableOnly() throws {
            let scratch = try VigieProcess.Scratch("mask")
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "Europe/Paris")!
            let c = calendar.dateComponents([.year, .month, .day], from: Date())
            let months = [
                "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
                "octobre", "novembre", "décembre",
            ]
            let today = "\(c.day!) \(months[c.month! - 1]) \(c.year!)"
            let row = "| Gros flux | en bon état | 20 | dimanche \(today) à 19\u{a0}h\u{a0}48 | 0 |  |\n"
            let deadline = "Date limite : mercredi 15 juillet 2026 à 12\u{a0}h\u{a0}00\n"
            _ = try scratch.write(row + deadline, to: "out/c/2026-05-05.md")
            _ = try scratch.write("<td>lundi \(today) à 7\u{a0}h\u{a0}05</td>", to: "out/c/2026-05-05.html")
            let masked = VigieProcess.digestTree(scratch.path("out"))
            let md = String(decoding: masked["c/2026-05-05.md"] ?? Data(), as: UTF8.self)
            #expect(md == "| Gros flux | en bon état | 20 | (masked) | 0 |  |\n" + deadline)
            #expect(String(decoding: masked["c/2026-05-05.html"] ?? Data(), as: UTF8.self) == "<td>(masked)</td>")
        }

        /// kill -9 at ≥ 20 seeded random moments (a third of them once the digest phase has begun), each followed
        /// by a re-run with the same arguments, compared with the clean run.
        @Test func killedAtRandomMomentsTheReRunEqualsOneCleanRun() throws {
            let reference = try Self.reference()
            let env = ProcessInfo.processInfo.environment
            let seed = UInt64(env["VIGIE_KILL_SEED"] ?? "") ?? UInt64.random(in: 1...999_999)
            let points = max(20, Int(env["VIGIE_KILL_POINTS"] ?? "") ?? 20)
            print("kill test: seed \(seed) (replay with VIGIE_KILL_SEED=\(seed)), \(points) points")
            var rng = SplitMix64(seed: seed)
            let started = Date()
            var consistent = 0
            var killedInDigestPhase = 0
            var failures: [String] = []
            // Timings come from the runs themselves, paced as the trials go: the reference may have run while the
            // rest of the suite loaded the machine (4 s) and the trials on a quiet one (1.5 s), and a kill drawn
            // within the slower duration would mostly land after the end.
            var runSpan = reference.seconds
            var digestSpan = max(0.05, reference.seconds - reference.digestPhaseAt)
            do {
                let (store, out) = reference.trial("pace")
                let pace = try VigieProcess.start(
                    BigFeed.runArgs(catalogue: reference.catalogue, store: store, out: out))
                _ = pace.waitForStderr(Self.digestPhaseMarker, timeout: 120)
                let marker = pace.elapsed
                let done = try pace.wait()
                runSpan = min(runSpan, done.seconds)
                digestSpan = max(0.05, min(digestSpan, done.seconds - marker))
                try? FileManager.default.removeItem(atPath: (store as NSString).deletingLastPathComponent)
            }
            for point in 0..<points {
                let (store, out) = reference.trial("kill-\(point)")
                let args = BigFeed.runArgs(catalogue: reference.catalogue, store: store, out: out)
                let run = try VigieProcess.start(args)
                // Every third point waits for the digest phase, then kills within its first 80 %.
                let inDigestMode = point % 3 == 0
                let delay: Double
                if inDigestMode {
                    _ = run.waitForStderr(Self.digestPhaseMarker, timeout: 120)
                    delay = Double.random(in: 0...(digestSpan * 0.8), using: &rng)
                } else {
                    delay = Double.random(in: 0...runSpan, using: &rng)
                }
                let markerAt = run.elapsed
                let deadline = run.started.addingTimeInterval(inDigestMode ? run.elapsed + delay : delay)
                if deadline.timeIntervalSinceNow > 0 { Thread.sleep(until: deadline) }
                let phase = run.stderrSoFar().contains(Self.digestPhaseMarker) ? "digests" : "before digests"
                let wasRunning = run.isRunning
                run.signal(SIGKILL)
                let killed = try run.wait()
                let landed = wasRunning && killed.signalled
                if !landed {
                    // Finished before the kill: the runs are quicker than thought.
                    runSpan = min(runSpan, killed.seconds)
                    if inDigestMode { digestSpan = max(0.05, min(digestSpan, killed.seconds - markerAt)) }
                }
                if landed && phase == "digests" { killedInDigestPhase += 1 }

                let rerun = try VigieProcess.vigie(args)
                var problems = try reference.problems(store: store, out: out)
                if rerun.status != 0 {
                    problems.insert("re-run exited \(rerun.status): \(rerun.stderr.suffix(300))", at: 0)
                }
                let at = String(format: "%.2f", killed.seconds)
                let what = landed ? "killed at \(at) s (\(phase))" : "finished before the kill (\(at) s)"
                if problems.isEmpty {
                    consistent += 1
                } else {
                    failures.append("point \(point), \(what): " + problems.joined(separator: "; "))
                }
                print(
                    "kill point \(point): \(what) — "
                        + (problems.isEmpty ? "consistent" : problems.joined(separator: "; "))
                )
                try? FileManager.default.removeItem(atPath: (store as NSString).deletingLastPathComponent)
            }
            print(
                "kill points consistent = \(consistent) / \(points) (\(killedInDigestPhase) kills while digests were "
                    + "written; seed \(seed); \(fmt(Date().timeIntervalSince(started))) s)")
            #expect(
                killedInDigestPhase >= 5,
                """
                only \(killedInDigestPhase) kills landed while digests were written (the digest phase is found by the \
                progress line '\(Self.digestPhaseMarker)' on stderr)
                """)
            #expect(
                consistent == points,
                "kill points consistent = \(consistent) / \(points)\n\(failures.joined(separator: "\n"))")
        }

        /// SIGTERM and SIGINT stop the run at the next safe point with a message and 143 / 130 (or 0 when the run
        /// had already finished); the re-run completes the same edition.
        @Test(arguments: [(SIGTERM, Int32(143), "SIGTERM"), (SIGINT, Int32(130), "SIGINT")])
        func aSignalStopsTheRunCleanlyAndTheReRunCompletesTheSameEdition(signal: Int32, code: Int32, name: String)
            throws
        {
            let reference = try Self.reference()
            let (store, out) = reference.trial("signal-\(name)")
            let args = BigFeed.runArgs(catalogue: reference.catalogue, store: store, out: out)
            let run = try VigieProcess.start(args)
            #expect(run.waitForStderr(Self.digestPhaseMarker, timeout: 120))
            Thread.sleep(forTimeInterval: (reference.seconds - reference.digestPhaseAt) * 0.3)
            run.signal(signal)
            let stopped = try run.wait()
            print(
                "\(name): exit \(stopped.status)\(stopped.signalled ? " (killed by the signal)" : "") after "
                    + "\(fmt(stopped.seconds)) s; stderr tail: \(stopped.stderr.split(separator: "\n").last ?? "")")
            #expect(!stopped.signalled, "\(name) killed the run like kill -9 instead of stopping it")
            #expect(stopped.status == code || stopped.status == 0, "\(name): exit \(stopped.status), expected \(code)")
            if stopped.status == code {
                #expect(
                    stopped.stderr.lowercased().contains("interrupted"), "no 'interrupted' message: \(stopped.stderr)")
            }
            let rerun = try VigieProcess.vigie(args)
            #expect(rerun.status == 0, "\(rerun.stderr)")
            let problems = try reference.problems(store: store, out: out)
            #expect(problems.isEmpty, "after \(name) and a re-run: \(problems.joined(separator: "; "))")
        }
    }
}

/// A value computed once, on first use, shared by the tests of a serialized suite; an error is kept and
/// thrown to every caller.
final class Lazy<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Swift.Result<Value, any Error>?
    private let make: () throws -> Value
    init(_ make: @escaping () throws -> Value) { self.make = make }
    func get() throws -> Value {
        lock.lock()
        defer { lock.unlock() }
        if value == nil { value = Swift.Result { try make() } }
        return try value!.get()
    }
}

/// Folders removed when the test process exits (the shared reference outlives every test).
enum RemovedAtExit {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var paths: [String] = []

    static func add(_ path: String) {
        lock.lock()
        defer { lock.unlock() }
        if paths.isEmpty {
            atexit {
                for path in RemovedAtExit.paths { try? FileManager.default.removeItem(atPath: path) }
            }
        }
        paths.append(path)
    }
}

func fmt(_ seconds: Double) -> String { String(format: "%.2f", seconds) }
