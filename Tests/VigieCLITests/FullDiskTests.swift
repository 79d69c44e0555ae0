import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

extension ReliabilityTests {
    /// The output disk fills up while digests are written (a small tmpfs, filled so that writing fails at a
    /// chosen point): the run fails with a message naming the path and "No space left on device", marks nothing
    /// delivered that is not completely written, and once space is freed the re-run writes exactly the clean
    /// run's digests and leaves exactly the clean run's store.
    ///
    /// Needs `mount -t tmpfs` (root, or CAP_SYS_ADMIN): where mounting is refused the test is skipped, with the
    /// reason, never reported as passed.
    @Suite struct FullDiskTests {
        /// Whether this process may mount a tmpfs (tried once, on a throw-away folder).
        static let canMount: Bool = {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigie-mount-probe-\(getpid())")
                .path
            try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            guard command("/bin/mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", dir]) == 0 else { return false }
            _ = command("/bin/umount", [dir])
            return true
        }()

        @discardableResult
        static func command(_ path: String, _ args: [String]) -> Int32 {
            guard let r = try? ProcessRunner.run(URL(fileURLWithPath: path), args, timeout: 60) else { return -1 }
            return r.status
        }

        /// Free bytes on the file system holding `path`.
        static func freeBytes(_ path: String) -> Int {
            var s = statvfs()
            guard statvfs(path, &s) == 0 else { return 0 }
            return Int(s.f_bavail) * Int(s.f_frsize)
        }

        /// Fills the file system of `directory` until `leave` bytes are free; returns the filler's path.
        static func fill(_ directory: String, leaving leave: Int) throws -> String {
            let filler = (directory as NSString).appendingPathComponent("filler.bin")
            _ = FileManager.default.createFile(atPath: filler, contents: nil)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: filler))
            defer { try? handle.close() }
            let chunk = Data(count: 1 << 20)
            while freeBytes(directory) - leave > 0 {
                let n = min(chunk.count, freeBytes(directory) - leave)
                try handle.write(contentsOf: chunk.prefix(max(4096, n - n % 4096)))
            }
            return filler
        }

        /// Space the clean run's digests take on a page-granular file system (tmpfs: 4 KB per file at least). A
        /// `latest.*` with the bytes of a dated file beside it is a hard link to that file: no space of its own.
        static func footprint(_ files: [String: Data]) -> Int {
            files.filter { path, data in
                let name = (path as NSString).lastPathComponent
                guard name.hasPrefix("latest.") else { return true }
                let folder = (path as NSString).deletingLastPathComponent
                let ext = (name as NSString).pathExtension
                return !files.contains { other, bytes in
                    other != path && (other as NSString).deletingLastPathComponent == folder
                        && (other as NSString).pathExtension == ext && bytes == data
                }
            }.values.reduce(0) { $0 + max(1, ($1.count + 4095) / 4096) * 4096 }
        }

        /// Free space left when the run starts, as a share of what its digests need: the disk fills early in the
        /// digest phase, in the middle, and near the end.
        @Test(
            .enabled(if: FullDiskTests.canMount, "mounting a tmpfs is not allowed here: full-disk test skipped"),
            arguments: [0.15, 0.5, 0.9])
        func aFullOutputDiskSendsNothingTwiceAndTheReRunCompletesTheEdition(share: Double) throws {
            let reference = try CrashConsistencyTests.reference()
            let (store, _) = reference.trial("disk-\(Int(share * 100))")
            let disk = (store as NSString).deletingLastPathComponent + "/disk"
            try FileManager.default.createDirectory(atPath: disk, withIntermediateDirectories: true)
            let need = Self.footprint(reference.digests)
            let size = need * 2 + (8 << 20)
            // Never fill anything but the tmpfs: no mount, no test.
            try #require(Self.command("/bin/mount", ["-t", "tmpfs", "-o", "size=\(size)", "tmpfs", disk]) == 0)
            defer { if Self.command("/bin/umount", [disk]) != 0 { Self.command("/bin/umount", ["-l", disk]) } }
            let out = disk + "/out"
            let filler = try Self.fill(disk, leaving: Int(Double(need) * share))
            let args = BigFeed.runArgs(catalogue: reference.catalogue, store: store, out: out)

            let full = try VigieProcess.vigie(args)
            print(
                "full disk at \(Int(share * 100)) % of \(need / 1024) KB needed: exit \(full.status) in "
                    + "\(fmt(full.seconds)) s — \(full.stderr.split(separator: "\n").last ?? "")")
            #expect(!full.signalled, "the run crashed on a full disk")
            #expect(full.status != 0, "the run reported success on a full disk")
            #expect(full.stderr.contains("No space left on device"), "\(full.stderr.suffix(500))")
            #expect(
                full.stderr.contains(out), "the message does not name the path under \(out): \(full.stderr.suffix(500))"
            )

            // Whatever is recorded as delivered must be in a complete edition on disk.
            let written = VigieProcess.digestTree(out)
            for cluster in ["cognac", "energie", "mecaloire", "nucleaire"] {
                let delivered = try VigieProcess.sqlite3(
                    store, "SELECT count(*) FROM delivery WHERE cluster = '\(cluster)'"
                )
                .trimmingCharacters(in: .whitespacesAndNewlines)
                guard delivered != "0" else { continue }
                let expected = reference.digests.filter { $0.key.hasPrefix(cluster + "/") }
                let got = written.filter { $0.key.hasPrefix(cluster + "/") }
                let differences = VigieProcess.treeDifferences(expected: expected, actual: got)
                #expect(
                    differences.isEmpty,
                    "\(cluster): \(delivered) items marked delivered, edition on disk: \(differences)")
            }

            try FileManager.default.removeItem(atPath: filler)
            let rerun = try VigieProcess.vigie(args)
            #expect(rerun.status == 0, "\(rerun.stderr.suffix(500))")
            let problems = try reference.problems(store: store, out: out)
            #expect(problems.isEmpty, "after a full disk and a re-run: \(problems.joined(separator: "; "))")
        }
    }
}
