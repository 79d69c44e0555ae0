import Digest
import Foundation
import Logging
import Store

/// Publishes a night's digests for a cluster as one edition: written completely or not at all, and delivered once.
///
/// 1. Every file of the edition (the cluster's and each member's, every format, `latest.*` included) is written
///    under `<out>/.vigie-staging/<cluster>-<date>-<edition>/` as it is rendered — by the thread that rendered
///    it, in a nightly run — (a `latest.*` equal to its dated file is a hard link to it), then flushed to disk at
///    once. A full disk or a crash here
///    leaves only the staging folder, which the next run removes: nothing was recorded, so it rebuilds the same
///    edition.
/// 2. The edition and its deliveries are recorded in **one** store transaction (state `staged`).
/// 3. The staged files are renamed into place (same file system: each rename is atomic), then the edition is
///    marked `published` and the staging folder removed.
///
/// A run killed between 2 and 3 left a `staged` edition: the next run finishes moving **that** edition into place
/// (``recover(store:output:logger:)``) before anything else, so the items it holds are never written into a
/// second edition. Before this, a crash or a full disk made the re-run write `<date>-2.*` holding items already
/// sent, and left partial editions and `.tmp` files behind.
public struct EditionPublisher {
    /// The digest output directory.
    public let output: String
    let store: NoticeStore
    let logger: Logger

    /// Folder under the output directory where editions are staged; hidden, so a web server listing the
    /// digests or a mailer picking up files never sees a half edition.
    public static let stagingFolder = ".vigie-staging"

    public init(output: String, store: NoticeStore, logger: Logger = Logger(label: "vigie.digest")) {
        self.output = output
        self.store = store
        self.logger = logger
    }

    var stagingRoot: String { Self.stagingRoot(of: output) }

    static func stagingRoot(of output: String) -> String {
        (output as NSString).appendingPathComponent(stagingFolder)
    }

    /// Where one edition's files are staged: its own folder under the staging root, named after the cluster, the
    /// date and the edition, so editions rendered ahead of the one being published never share a folder.
    public struct Staging: Sendable {
        /// The edition's staging folder.
        public let folder: String

        /// Where file `index` of the edition (`relative` to the output folder) is staged. Flat names inside the
        /// folder: the index keeps `latest.md` of the cluster and of each member apart.
        public func path(of index: Int, relative: String) -> String {
            (folder as NSString).appendingPathComponent("\(index)-" + (relative as NSString).lastPathComponent)
        }
    }

    /// The edition's staging folder, made anew and empty (whatever an earlier attempt left there is removed), so
    /// its files can be staged as they are rendered, before ``publish(cluster:stamp:edition:staging:paths:content:deliveries:outbox:reportedMail:runID:at:)``
    /// records them. Nothing reads a staging folder the store has not recorded: a run that stops first leaves it
    /// to the next run's ``recover()``.
    public static func stage(output: String, cluster: String, stamp: String, edition: Int) throws -> Staging {
        let staging = Staging(
            folder: (stagingRoot(of: output) as NSString).appendingPathComponent(
                "\(DigestWriter.safeFileName(cluster))-\(stamp)-\(edition)"))
        try Self.removeTree(staging.folder)
        try DigestWriter.makeDirectory(staging.folder)
        return staging
    }

    /// Stages, records and publishes one edition of rendered files. Returns the final paths, in the order of
    /// `files`.
    public func publish(
        cluster: String, stamp: String, edition: Int, files: [DigestFile], deliveries: [DeliveryRecord],
        outbox: [OutboxEntry] = [], reportedMail: [OutboxEntry] = [], runID: Int64?, at date: Date
    ) throws -> [String] {
        try publish(
            cluster: cluster, stamp: stamp, edition: edition, paths: files.map(\.relativePath),
            content: { .bytes(files[$0].bytes) }, deliveries: deliveries, outbox: { outbox },
            reportedMail: reportedMail,
            runID: runID, at: date)
    }

    /// One staged file's content, asked for when its turn comes: bytes rendered just then, the same bytes as an
    /// earlier file of the edition (`latest.md` is tonight's `2026-05-05.md`), given as that file's index, or
    /// already written at its staged path (``Staging/path(of:relative:)``) by the thread that rendered it.
    public enum StagedContent {
        case bytes([UInt8])
        case sameAs(Int)
        case staged
    }

    /// Stages, records and publishes one edition. `paths` are the files' paths relative to the output folder;
    /// `content(i)` gives file `i` when it is staged, so only the renderings not yet staged are in memory; `outbox`
    /// gives the edition's e-mails once every file is staged (their parts were rendered with the files). Returns
    /// the final paths, in the order of `paths`.
    ///
    /// One durable commit for the whole edition: every file is written to the staging folder without an fsync
    /// of its own (a file equal to an earlier one is a hard link to it: its bytes are not written twice), then
    /// the file system is flushed once, then the store records the edition; after the renames into place, one
    /// more flush before the edition is marked published.
    ///
    /// Throws `DigestError.write` (the file and the system's reason, e.g. "No space left on device") when
    /// staging fails — nothing is then recorded and the staging folder is removed — or `StoreError` when
    /// recording fails.
    public func publish(
        cluster: String, stamp: String, edition: Int, paths: [String], content: (Int) throws -> StagedContent,
        deliveries: [DeliveryRecord], outbox: () throws -> [OutboxEntry] = { [] }, reportedMail: [OutboxEntry] = [],
        runID: Int64?, at date: Date
    ) throws -> [String] {
        try publish(
            cluster: cluster, stamp: stamp, edition: edition,
            staging: try Self.stage(output: output, cluster: cluster, stamp: stamp, edition: edition), paths: paths,
            content: content,
            deliveries: deliveries, outbox: outbox, reportedMail: reportedMail, runID: runID, at: date)
    }

    /// ``publish(cluster:stamp:edition:paths:content:deliveries:outbox:reportedMail:runID:at:)`` into a staging
    /// folder made beforehand by ``stage(output:cluster:stamp:edition:)``, where `content` may answer `.staged` for a file
    /// its renderer already wrote there.
    public func publish(
        cluster: String, stamp: String, edition: Int, staging: Staging, paths: [String],
        content: (Int) throws -> StagedContent, deliveries: [DeliveryRecord],
        outbox: () throws -> [OutboxEntry] = { [] }, reportedMail: [OutboxEntry] = [], runID: Int64?, at date: Date
    ) throws -> [String] {
        var staged: [String] = []
        var finals: [String] = []
        var mail: [OutboxEntry] = []
        do {
            for (i, relative) in paths.enumerated() {
                let path = staging.path(of: i, relative: relative)
                switch try content(i) {
                case .staged:
                    break
                case .bytes(let bytes):
                    try DigestWriter.writeNew(bytes, to: path, durable: false)
                case .sameAs(let j):
                    guard j < i, link(staged[j], path) == 0 else {
                        throw DigestError.write(
                            path: path,
                            reason: "cannot link to \(j < i ? staged[j] : "file \(j)"): "
                                + String(cString: strerror(errno)))
                    }
                }
                staged.append(path)
                finals.append((output as NSString).appendingPathComponent(relative))
            }
            mail = try outbox()
            // The staged files, their folder's entries and all: on disk before the store says they are.
            try DigestWriter.flushFileSystem(of: staging.folder, files: staged)
        } catch {
            // Full disk or unwritable folder: leave nothing half-written behind.
            try? Self.removeTree(staging.folder)
            throw error
        }
        let record = EditionRecord(
            cluster: cluster, stamp: stamp, edition: edition, staging: staging.folder, staged: staged, files: finals,
            state: .staged, runID: runID, createdAt: date)
        do {
            // The edition's e-mail is composed in the same transaction: an edition recorded has its mail in the
            // outbox, and a killed run never composes it twice.
            try store.stageEdition(record, deliveries: deliveries, outbox: mail, reportedMail: reportedMail)
        } catch {
            try? Self.removeTree(staging.folder)
            throw error
        }
        try move(record)
        return finals
    }

    /// Moves a recorded edition's staged files into place (those already moved are skipped), marks it published
    /// and removes its staging folder. Idempotent: a run killed halfway through is finished by the next.
    func move(_ record: EditionRecord) throws {
        for (from, to) in zip(record.staged, record.files) {
            let fm = FileManager.default
            if !fm.fileExists(atPath: from) {
                if fm.fileExists(atPath: to) { continue }  // moved before the previous run died
                throw DigestError.write(
                    path: to,
                    reason: "the staged copy \(from) of edition \(record.edition) of \(record.stamp) is missing")
            }
            try DigestWriter.makeDirectory((to as NSString).deletingLastPathComponent)
            guard rename(from, to) == 0 else {
                throw DigestError.write(path: to, reason: String(cString: strerror(errno)))
            }
        }
        // The renames on disk before the edition is marked published (one flush for all of them).
        if let first = record.files.first {
            try DigestWriter.flushFileSystem(
                of: (first as NSString).deletingLastPathComponent,
                files: Set(record.files.map { ($0 as NSString).deletingLastPathComponent }).sorted())
        }
        try store.publishEdition(cluster: record.cluster, stamp: record.stamp, edition: record.edition)
        try Self.removeTree(record.staging)
        // The staging root goes too once empty (rmdir refuses a folder that still holds another edition).
        rmdir((record.staging as NSString).deletingLastPathComponent)
    }

    /// Finishes the editions a killed run recorded but did not move into place, then removes what no recorded
    /// edition owns: staging folders of editions never recorded (the crash came before), and temporary files
    /// (`.<name>.<pid>.<n>.tmp`) a killed writer left in the output tree. Returns the editions finished.
    @discardableResult
    public func recover() throws -> [EditionRecord] {
        // Only this output folder's editions: one staged for another `--out` is finished by a run writing there.
        let folder = output.hasSuffix("/") ? output : output + "/"
        let pending = try store.stagedEditions().filter { $0.files.allSatisfy { $0.hasPrefix(folder) } }
        for record in pending {
            logger.notice(
                "finishing an edition interrupted by the previous run",
                metadata: ["cluster": "\(record.cluster)", "date": "\(record.stamp)", "edition": "\(record.edition)"])
            try move(record)
        }
        let owned = Set(try store.stagedEditions().map(\.staging))
        let fm = FileManager.default
        if let entries = try? fm.contentsOfDirectory(atPath: stagingRoot) {
            for entry in entries {
                let path = (stagingRoot as NSString).appendingPathComponent(entry)
                if !owned.contains(path) { try Self.removeTree(path) }
            }
            if owned.isEmpty { try Self.removeTree(stagingRoot) }
        }
        removeStrayTemporaryFiles()
        return pending
    }

    func removeStrayTemporaryFiles() {
        guard let walker = FileManager.default.enumerator(atPath: output) else { return }
        while let relative = walker.nextObject() as? String {
            let name = (relative as NSString).lastPathComponent
            guard DigestWriter.isTemporaryName(name) else { continue }
            let path = (output as NSString).appendingPathComponent(relative)
            if unlink(path) == 0 {
                logger.info("removed a temporary file left by a killed run", metadata: ["path": "\(path)"])
            }
        }
    }

    static func removeTree(_ path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { return }
        do {
            try FileManager.default.removeItem(atPath: path)
        } catch {
            throw DigestError.write(path: path, reason: "cannot remove: \(error.localizedDescription)")
        }
    }
}
