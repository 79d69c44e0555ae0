import Foundation
import Notices

/// One writer at a time per store: an exclusive `flock` on `<store>.lock`, which holds the holder's pid and start
/// time for the error message, and is removed when the holder is done. The lock is taken next to the store's **real** file (symlinks resolved), so two
/// runs that reach one store through different paths (`vigie.sqlite` and a symlink to it) cannot both go
/// through; every command that writes the store takes it (`run`, `fetch`, `digest --mark-delivered`, `backup`
/// reads but takes it too, so a backup is a night's state, not half of one).
///
/// `flock` is released by the kernel when the process dies, so a killed run never leaves a lock that
/// blocks the next night; a lock file whose recorded pid is gone is reported as stale and taken over.
public final class RunLock {
    public let path: String
    private var fd: Int32
    /// Set when the file named a previous holder that no longer runs (a killed run).
    public private(set) var staleHolder: Int32?

    /// Takes the lock of the store at `store` (which may not exist yet): `<real path of the store>.lock`.
    public convenience init(store: String, now: Date = Date()) throws {
        try self.init(path: Self.realPath(of: store) + ".lock", now: now)
    }

    /// The store's path with every symlink resolved — of the file when it exists, else of its folder.
    public static func realPath(of path: String) -> String {
        if let resolved = realpath(path, nil) {
            defer { free(resolved) }
            return String(cString: resolved)
        }
        let folder = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        if let resolved = realpath(folder.isEmpty ? "." : folder, nil) {
            defer { free(resolved) }
            return (String(cString: resolved) as NSString).appendingPathComponent(name)
        }
        return path
    }

    /// Takes the lock or throws `PipelineError.locked` naming the holder.
    public init(path: String, now: Date = Date()) throws {
        self.path = path
        fd = -1
        // The holder removes the file when it is done (no lock file left in the folder). A run that opened the
        // file just before it was removed would lock a file no longer at `path` while a third run creates and
        // locks a new one: after taking the lock, check that the locked file is still the one at `path`, and
        // start again when it is not.
        for _ in 0..<8 {
            let opened = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard opened >= 0 else {
                throw PipelineError.cannotRun("cannot open the lock file \(path): \(String(cString: strerror(errno)))")
            }
            let previous = Self.readHolder(opened)
            if flock(opened, LOCK_EX | LOCK_NB) != 0 {
                let e = errno
                close(opened)
                if e == EWOULDBLOCK {
                    throw PipelineError.locked(
                        path: path, holder: previous.map { "pid \($0.pid), started \($0.started)" })
                }
                throw PipelineError.cannotRun("cannot lock \(path): \(String(cString: strerror(e)))")
            }
            var held = stat()
            var named = stat()
            guard fstat(opened, &held) == 0, stat(path, &named) == 0, held.st_ino == named.st_ino,
                held.st_dev == named.st_dev
            else {
                close(opened)
                continue
            }
            fd = opened
            // A file left with a pid in it: its holder was killed (it never got to remove the file).
            if let previous, previous.pid != getpid(), kill(previous.pid, 0) != 0, errno == ESRCH {
                staleHolder = previous.pid
            }
            let record = "\(getpid()) \(ISO8601.format(now))\n"
            _ = ftruncate(fd, 0)
            _ = record.withCString { pwrite(fd, $0, strlen($0), 0) }
            return
        }
        throw PipelineError.cannotRun("cannot lock \(path): the lock file keeps being replaced")
    }

    private static func readHolder(_ fd: Int32) -> (pid: Int32, started: String)? {
        var buf = [UInt8](repeating: 0, count: 128)
        let n = pread(fd, &buf, buf.count, 0)
        guard n > 0 else { return nil }
        let text = String(decoding: buf[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let parts = text.split(separator: " ", maxSplits: 1)
        guard let pidText = parts.first, let pid = Int32(pidText) else { return nil }
        return (pid, parts.count > 1 ? String(parts[1]) : "?")
    }

    /// Releases the lock and removes the lock file (also done at deinit; the kernel releases the lock of a process
    /// that dies, leaving the file, whose pid then names a stale holder). The file is removed while still held,
    /// so no other run can have locked it in between.
    public func unlock() {
        guard fd >= 0 else { return }
        _ = ftruncate(fd, 0)
        unlink(path)
        flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }

    deinit { unlock() }
}
