import Foundation
import Notices

/// One rendered digest file, not yet written.
public struct DigestFile: Sendable, Hashable {
    /// Path relative to the output directory.
    public var relativePath: String
    public var bytes: [UInt8]

    public init(relativePath: String, bytes: [UInt8]) {
        self.relativePath = relativePath
        self.bytes = bytes
    }
}

/// Writes a cluster's digest files: `<out>/<cluster>/<YYYY-MM-DD>.<ext>` and `<out>/<cluster>/latest.<ext>`;
/// a member's own digest goes under `<out>/<cluster>/adherents/<member>/`.
///
/// Each file is written to a temporary name in the same directory, flushed, then renamed over the target,
/// so a reader (a web server, a mailer) never sees a half-written digest, even if the run is killed.
public struct DigestWriter: Sendable {
    public var outputDirectory: String
    public var formats: [DigestFormat]

    public init(outputDirectory: String, formats: [DigestFormat] = DigestFormat.allCases) {
        self.outputDirectory = outputDirectory
        self.formats = formats
    }

    /// `2026-05-05`, the run's date in Paris time (a run at 01:30 Paris on 5 May is the 5 May digest).
    public static func dateStamp(_ d: Date) -> String {
        let off = TimeZone(identifier: "Europe/Paris")?.secondsFromGMT(for: d) ?? 0
        return String(ISO8601.format(d, offset: off).prefix(10))
    }

    /// The cluster's directory, or the member's below it.
    public func directory(for input: DigestInput) -> String {
        (outputDirectory as NSString).appendingPathComponent(relativeDirectory(for: input))
    }

    /// The highest edition already written for the run's date (1 for `<date>.*`, 2 for `<date>-2.*`…),
    /// nil when none.
    public func existingEdition(of input: DigestInput) -> Int? {
        let dir = directory(for: input)
        let stamp = Self.dateStamp(input.runDate)
        let ext = (formats.first ?? .markdown).fileExtension
        var found: Int?
        var n = 1
        while FileManager.default.fileExists(
            atPath: (dir as NSString).appendingPathComponent("\(Self.stem(stamp, edition: n)).\(ext)"))
        {
            found = n
            n += 1
        }
        return found
    }

    static func stem(_ stamp: String, edition: Int) -> String { edition <= 1 ? stamp : "\(stamp)-\(edition)" }

    /// Renders every format without writing: each file's path relative to `outputDirectory`
    /// (`mecaloire/2026-05-05.md`, `mecaloire/latest.md`, `mecaloire/adherents/x/2026-05-05.md`…) and its bytes,
    /// dated files before `latest.*` for each format. Holds every rendering at once: the nightly run walks
    /// ``plan(for:edition:latestOnly:)`` instead and renders one file at a time.
    public func files(for input: DigestInput, edition: Int? = nil) throws -> [DigestFile] {
        try plan(for: input, edition: edition).map {
            DigestFile(relativePath: $0.relativePath, bytes: try $0.render(input))
        }
    }

    /// The files of `input`'s digest, not rendered: dated then `latest.*` for each format (only `latest.*` with
    /// `latestOnly`). A `latest.*` that holds the same bytes as tonight's dated file names it in `sameAs`, so a
    /// writer links it instead of rendering and writing the bytes twice.
    public func plan(for input: DigestInput, edition: Int? = nil, latestOnly: Bool = false) -> [PlannedDigestFile] {
        let relative = relativeDirectory(for: input)
        let stem = Self.stem(Self.dateStamp(input.runDate), edition: edition ?? 1)
        var out: [PlannedDigestFile] = []
        for f in formats {
            var dated: String?
            if !latestOnly {
                let path = (relative as NSString).appendingPathComponent("\(stem).\(f.fileExtension)")
                out.append(PlannedDigestFile(relativePath: path, format: f, subscription: false, sameAs: nil))
                dated = path
            }
            out.append(
                PlannedDigestFile(
                    relativePath: (relative as NSString).appendingPathComponent("latest.\(f.fileExtension)"), format: f,
                    subscription: true, sameAs: f.subscriptionIsTonight ? dated : nil))
        }
        return out
    }

    /// The cluster's (or member's) directory relative to `outputDirectory`.
    func relativeDirectory(for input: DigestInput) -> String {
        let cluster = Self.safeFileName(input.clusterID)
        guard let member = input.recipientID else { return cluster }
        return "\(cluster)/adherents/\(Self.safeFileName(member))"
    }

    /// Renders and writes every format; returns the paths written (dated files, then `latest.*`).
    /// `edition` 2 or more writes `<date>-<edition>.*` (a second run the same night with news), so the
    /// first edition is never overwritten.
    @discardableResult
    public func write(_ input: DigestInput, edition: Int? = nil) throws -> [String] {
        try write(plan(for: input, edition: edition).map { ($0, input) })
    }

    /// Renders and writes planned files in place under `outputDirectory` (a preview, or a test; the nightly run
    /// stages them as one edition instead), one at a time: each atomically (temporary name, rename), a `latest.*`
    /// equal to its dated file as a hard link to it, and the file system flushed once at the end rather than
    /// once per file. Returns the paths written, in order.
    @discardableResult
    public func write(_ files: [(PlannedDigestFile, DigestInput)]) throws -> [String] {
        var paths: [String] = []
        for (file, input) in files {
            let path = (outputDirectory as NSString).appendingPathComponent(file.relativePath)
            try Self.makeDirectory((path as NSString).deletingLastPathComponent)
            if let same = file.sameAs {
                try Self.linkAtomically((outputDirectory as NSString).appendingPathComponent(same), to: path)
            } else {
                try Self.writeAtomically(try file.render(input), to: path, durable: false)
            }
            paths.append(path)
        }
        if let first = paths.first { try Self.flushFileSystem(of: first, files: paths) }
        return paths
    }

    /// Writes rendered files in place under `outputDirectory`, each atomically (a preview, or a test); the
    /// nightly run stages them as one edition instead. Returns the paths written, in order.
    @discardableResult
    public func write(_ files: [DigestFile]) throws -> [String] {
        try files.map { file in
            let path = (outputDirectory as NSString).appendingPathComponent(file.relativePath)
            try Self.makeDirectory((path as NSString).deletingLastPathComponent)
            try Self.writeAtomically(file.bytes, to: path)
            return path
        }
    }

    /// Creates a folder and its parents, or throws `DigestError.write` naming it.
    public static func makeDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw DigestError.write(path: path, reason: "cannot create directory: \(error.localizedDescription)")
        }
    }

    /// A cluster or member id as a file or directory name: no path separators, no leading dot.
    public static func safeFileName(_ s: String) -> String {
        let cleaned = String(s.map { ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") ? $0 : "_" })
        return cleaned.isEmpty ? "_" : cleaned
    }

    /// Whether a file name is one of `writeAtomically`'s temporaries (`.<name>.<pid>.<random>.tmp`): what a killed
    /// writer leaves behind, and the only hidden files a clean-up may remove.
    public static func isTemporaryName(_ name: String) -> Bool {
        guard name.hasPrefix("."), name.hasSuffix(".tmp") else { return false }
        let parts = name.dropFirst().dropLast(4).split(separator: ".")
        guard parts.count >= 3 else { return false }
        return parts[parts.count - 1].allSatisfy(\.isNumber) && parts[parts.count - 2].allSatisfy(\.isNumber)
    }

    /// Temp file in the target's directory (same file system, so `rename` is atomic), fsync, rename. Without
    /// `durable`, no fsync: the caller flushes a whole batch at once (``flushFileSystem(of:files:)``).
    public static func writeAtomically(_ bytes: [UInt8], to path: String, durable: Bool = true) throws {
        let tmp = temporaryName(for: path)
        try writeNew(bytes, to: tmp, reportedAs: path, durable: durable)
        guard rename(tmp, path) == 0 else {
            let e = errno
            unlink(tmp)
            throw DigestError.write(path: path, reason: String(cString: strerror(e)))
        }
    }

    /// `latest.md` as a second name of tonight's `2026-05-05.md` (same bytes, written once): a hard link made under
    /// a temporary name and renamed over the target, so a reader sees the old file or the new one, never none.
    public static func linkAtomically(_ existing: String, to path: String) throws {
        let tmp = temporaryName(for: path)
        guard link(existing, tmp) == 0 else {
            throw DigestError.write(
                path: path, reason: "cannot link to \(existing): " + String(cString: strerror(errno)))
        }
        guard rename(tmp, path) == 0 else {
            let e = errno
            unlink(tmp)
            throw DigestError.write(path: path, reason: String(cString: strerror(e)))
        }
    }

    static func temporaryName(for path: String) -> String {
        let dir = (path as NSString).deletingLastPathComponent
        return (dir as NSString).appendingPathComponent(
            ".\((path as NSString).lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp")
    }

    /// Creates `path` (which must not exist) with `bytes`; with `durable`, fsyncs it. Errors name `reportedAs`.
    public static func writeNew(_ bytes: [UInt8], to path: String, reportedAs: String? = nil, durable: Bool) throws {
        let name = reportedAs ?? path
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw DigestError.write(path: name, reason: String(cString: strerror(errno))) }
        var offset = 0
        let ok: Bool = bytes.withUnsafeBytes { buf in
            while offset < buf.count {
                let n = Foundation.write(fd, buf.baseAddress! + offset, buf.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += n
            }
            return durable ? fsync(fd) == 0 : true
        }
        let writeErrno = errno
        // close() reports a delayed write error (NFS, quota) that write() did not.
        let closed = close(fd) == 0
        guard ok, closed else {
            unlink(path)
            throw DigestError.write(path: name, reason: String(cString: strerror(ok ? errno : writeErrno)))
        }
    }

    /// Makes a batch of files written without fsync durable with one call: `syncfs` on the file system that
    /// holds `path` (Linux), which flushes every file and directory entry written there, instead of one fsync
    /// (one journal commit) per file; elsewhere, an fsync of each file in `files` and of their folders.
    public static func flushFileSystem(of path: String, files: [String]) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw DigestError.write(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        if let syncfs = Self.syncfs {
            guard syncfs(fd) == 0 else { throw DigestError.write(path: path, reason: String(cString: strerror(errno))) }
            return
        }
        var folders = Set<String>()
        for file in files {
            try fsyncPath(file)
            folders.insert((file as NSString).deletingLastPathComponent)
        }
        for folder in folders.sorted() { try fsyncPath(folder) }
    }

    static func fsyncPath(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw DigestError.write(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw DigestError.write(path: path, reason: String(cString: strerror(errno))) }
    }

    /// Linux's `syncfs(2)`, looked up at run time: the C library has it, but Swift's Glibc module does not import
    /// it (it is declared only under `_GNU_SOURCE`). Nil where it does not exist (macOS).
    static let syncfs: (@convention(c) (Int32) -> Int32)? = {
        #if os(Linux)
            guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "syncfs") else { return nil }
            return unsafeBitCast(symbol, to: (@convention(c) (Int32) -> Int32).self)
        #else
            return nil
        #endif
    }()
}

/// One file of a digest, planned but not rendered, so a writer renders and writes one file at a time.
public struct PlannedDigestFile: Sendable, Hashable {
    /// Path relative to the output directory.
    public var relativePath: String
    public var format: DigestFormat
    /// True for `latest.*` (the subscription window for a calendar or a feed).
    public var subscription: Bool
    /// The relative path of an earlier file of the plan with the same bytes (`latest.md` is tonight's
    /// `2026-05-05.md`): link to it rather than render and write it again.
    public var sameAs: String?

    public init(relativePath: String, format: DigestFormat, subscription: Bool, sameAs: String?) {
        self.relativePath = relativePath
        self.format = format
        self.subscription = subscription
        self.sameAs = sameAs
    }

    /// The file's bytes for `input`.
    public func render(_ input: DigestInput) throws -> [UInt8] {
        let renderer = format.renderer
        return subscription ? try renderer.renderSubscription(input) : try renderer.render(input)
    }
}
