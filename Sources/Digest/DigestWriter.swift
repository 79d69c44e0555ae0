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
    /// dated files before `latest.*` for each format. The nightly run stages these aside and moves them into
    /// place as one edition.
    public func files(for input: DigestInput, edition: Int? = nil) throws -> [DigestFile] {
        let relative = relativeDirectory(for: input)
        let stem = Self.stem(Self.dateStamp(input.runDate), edition: edition ?? 1)
        var out: [DigestFile] = []
        for f in formats {
            let renderer = f.renderer
            let dated = try renderer.render(input)
            let latest = try renderer.renderSubscription(input)
            for (name, bytes) in [("\(stem).\(f.fileExtension)", dated), ("latest.\(f.fileExtension)", latest)] {
                out.append(DigestFile(relativePath: (relative as NSString).appendingPathComponent(name), bytes: bytes))
            }
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
        try write(files(for: input, edition: edition))
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

    /// Temp file in the target's directory (same file system, so `rename` is atomic), fsync, rename.
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let dir = (path as NSString).deletingLastPathComponent
        let tmp = (dir as NSString).appendingPathComponent(
            ".\((path as NSString).lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp")
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw DigestError.write(path: path, reason: String(cString: strerror(errno))) }
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
            return fsync(fd) == 0
        }
        let writeErrno = errno
        close(fd)
        guard ok else {
            unlink(tmp)
            throw DigestError.write(path: path, reason: String(cString: strerror(writeErrno)))
        }
        guard rename(tmp, path) == 0 else {
            let e = errno
            unlink(tmp)
            throw DigestError.write(path: path, reason: String(cString: strerror(e)))
        }
    }
}
