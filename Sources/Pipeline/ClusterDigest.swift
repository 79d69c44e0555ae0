import Classifier
import Digest
import Foundation
import Notices
import Store

/// One cluster's digest from what the store holds: assemble, write, record deliveries.
public enum ClusterDigest {
    /// Tonight's digest of one cluster, rendered, not yet written.
    public struct Prepared: Sendable {
        public var input: DigestInput
        /// Each member's own view, in the rules' order (`hasNews` false: « rien de nouveau »).
        public var memberInputs: [DigestInput]
        /// The edition's files, not rendered: the run renders them a few at a time on every core as they are
        /// written (``EditionRendering``).
        public var plan: [PlannedFile]
        public var deliveries: [DeliveryRecord]
        public var stamp: String
        /// The edition number of tonight's files (1 for `<date>.*`).
        public var edition: Int
        /// False when there is nothing new and tonight's edition already exists: nothing to write.
        public var isNeeded: Bool
        /// Mail failures this edition's staff digest reports.
        public var reportedMail: [OutboxEntry]

        /// The digest a planned file renders: the cluster's or a member's.
        public func input(of planned: PlannedFile) -> DigestInput {
            planned.member.map { memberInputs[$0] } ?? input
        }

        /// Every file of the plan rendered, one after another, all held at once (a test's convenience, and the
        /// serial reference the run's rendering is compared with).
        public func renderedFiles() throws -> [DigestFile] {
            try plan.map { DigestFile(relativePath: $0.file.relativePath, bytes: try $0.file.render(input(of: $0))) }
        }
    }

    /// One file of the edition and whose digest it holds.
    public struct PlannedFile: Sendable {
        public var file: PlannedDigestFile
        /// Index in `memberInputs`; nil for the cluster's own digest.
        public var member: Int?

        public init(file: PlannedDigestFile, member: Int? = nil) {
            self.file = file
            self.member = member
        }
    }

    /// Reads the cluster's snapshot from the store, assembles its digest and its members' and plans their files
    /// (the formats and the members' files the cluster's `delivery:` asks for). `renderCache` and
    /// `opportunityRecords`: the run's, shared with the other clusters' digests (nil: each card rendered and each
    /// opportunity read here; the files are the same).
    public static func prepare(
        cluster: Cluster, store: NoticeStore, output: String, formats: [DigestFormat], now: Date,
        runID: Int64? = nil, health: [SourceHealth]? = nil, deadlineSoonDays: Int = 7,
        sourceNames: [String: String] = [:], markDelivered: Bool, renderCache: DigestRenderCache? = nil,
        opportunityRecords: OpportunityRecords? = nil
    ) throws -> Prepared {
        let sources = try health ?? SourceHealthBuilder.fromStates(try store.sourceStates(), now: now)
        var reader = DigestSnapshotReader(
            store: store, cluster: cluster, now: now, deadlineSoonDays: deadlineSoonDays,
            windowDays: cluster.delivery.subscriptionDays)
        reader.opportunityRecords = opportunityRecords
        let read = try reader.read(sources: sources, sourceNames: sourceNames)
        var snapshot = read.snapshot
        snapshot.sharePartners = cluster.delivery.sharePartners
        snapshot.staffContact = cluster.delivery.replyTo.first ?? cluster.delivery.staff.first
        var input = DigestAssembler.assemble(snapshot)
        // Before the members' own digests are cut from it: they carry it too.
        input.renderCache = renderCache
        // E-mails refused for good since the last digest: the staff fix the address.
        let mailFailures = markDelivered ? try store.unreportedMailFailures(cluster: cluster.id) : []
        input.mailFailures = mailFailures.map {
            MailFailure(
                recipient: $0.recipient, subject: $0.subject, code: $0.lastCode, reply: $0.lastError, at: $0.updatedAt)
        }
        let writer = DigestWriter(outputDirectory: output, formats: Self.formats(of: cluster, among: formats))
        let stamp = DigestWriter.dateStamp(input.runDate)
        // Editions already out tonight: those recorded in the store (a staged one was finished by `recover`
        // before this) and, for a preview folder or a store from before editions were recorded, the files.
        let recorded = markDelivered ? try store.lastEdition(cluster: cluster.id, stamp: stamp) : nil
        let existing = [recorded, writer.existingEdition(of: input)].compactMap { $0 }.max()
        let memberInputs = cluster.members.map { input.forMember(id: $0.id, name: $0.name) }
        var prepared = Prepared(
            input: input, memberInputs: memberInputs, plan: [], deliveries: [], stamp: stamp,
            edition: (existing ?? 0) + 1, isNeeded: input.hasNews || existing == nil || !mailFailures.isEmpty,
            reportedMail: mailFailures)
        guard prepared.isNeeded else { return prepared }
        // A second run the same night with news writes a second edition instead of replacing the first.
        prepared.plan = writer.plan(for: input, edition: existing.map { $0 + 1 }).map { PlannedFile(file: $0) }
        // Each member's own digest, to forward as is, numbered by its own editions like the cluster's. A member
        // with nothing tonight gets only its `latest.*`, saying « rien de nouveau » (a forwarding script must not
        // resend the previous night's items), with its subscription window kept. Which members get files at all
        // is the cluster's `member_files` (a member mailed its digest may need none).
        for (i, own) in memberInputs.enumerated() where writesFiles(for: cluster.members[i], of: cluster) {
            let edition = own.hasNews ? writer.existingEdition(of: own).map { $0 + 1 } : nil
            prepared.plan += writer.plan(for: own, edition: edition, latestOnly: !own.hasNews).map {
                PlannedFile(file: $0, member: i)
            }
        }
        prepared.deliveries = read.deliveries.map {
            DeliveryRecord(key: $0.route.key, revision: $0.notice.revision, deliveredAt: now, runID: runID)
        }
        return prepared
    }

    /// Builds the cluster's digest from its undelivered routes, writes it (a new edition when tonight's
    /// digest exists and there is news; nothing when there is no news and it exists) and, when
    /// `markDelivered`, records the deliveries.
    public static func write(
        cluster: Cluster, store: NoticeStore, output: String, formats: [DigestFormat],
        now: Date, runID: Int64? = nil, health: [SourceHealth]? = nil,
        deadlineSoonDays: Int = 7, sourceNames: [String: String] = [:], markDelivered: Bool,
        composeMail: Bool = true
    ) throws -> ClusterDigestReport {
        let prepared = try prepare(
            cluster: cluster, store: store, output: output, formats: formats, now: now, runID: runID, health: health,
            deadlineSoonDays: deadlineSoonDays, sourceNames: sourceNames, markDelivered: markDelivered)
        return try write(
            prepared, cluster: cluster, store: store, output: output, now: now, runID: runID,
            markDelivered: markDelivered, composeMail: composeMail)
    }

    /// Writes a prepared digest (``prepare(cluster:store:output:formats:now:runID:health:deadlineSoonDays:sourceNames:markDelivered:renderCache:)``):
    /// renders it on every core, publishes it as one edition and, when `markDelivered`, records the deliveries and
    /// queues the e-mails.
    static func write(
        _ prepared: Prepared, cluster: Cluster, store: NoticeStore, output: String, now: Date, runID: Int64?,
        markDelivered: Bool, composeMail: Bool
    ) throws -> ClusterDigestReport {
        try finish(
            try begin(
                prepared, cluster: cluster, output: output, now: now, markDelivered: markDelivered,
                composeMail: composeMail),
            store: store, output: output, now: now, runID: runID)
    }

    /// An edition whose renderings have started on every core
    /// (``begin(_:cluster:output:now:markDelivered:composeMail:)``) and that ``finish(_:store:output:now:runID:)``
    /// publishes.
    final class Edition: @unchecked Sendable {
        let prepared: Prepared
        let cluster: Cluster
        let markDelivered: Bool
        /// Nil when nothing is written tonight (``Prepared/isNeeded`` false).
        let rendering: EditionRendering?

        init(prepared: Prepared, cluster: Cluster, markDelivered: Bool, rendering: EditionRendering?) {
            self.prepared = prepared
            self.cluster = cluster
            self.markDelivered = markDelivered
            self.rendering = rendering
        }

        /// Stops an edition that will not be published (a stop request, or a failure before its turn) and removes
        /// the files its renderers staged: nothing recorded them.
        func abandon() throws {
            guard let rendering else { return }
            rendering.stop()
            if let staging = rendering.staging { try EditionPublisher.removeTree(staging.folder) }
        }
    }

    /// Plans the edition's e-mails and starts rendering its files and e-mails, a few ahead of what is published:
    /// the nightly run begins a cluster's edition while the previous one is still being published (its files
    /// flushed, its e-mails and deliveries committed), so the cores are not idle at every cluster's end.
    ///
    /// An edition that records its deliveries has its files staged by the threads that render them, in its own
    /// staging folder under `output` (``EditionPublisher/stage(output:cluster:stamp:edition:)``), which nothing
    /// reads until ``finish(_:store:output:now:runID:)`` records it: writing 3.4 GB of staff files one after
    /// another was a third of the publishing thread's time on a national night, while the renderers waited for
    /// it. A preview writes nothing until `finish`. An edition never finished is stopped by
    /// ``Edition/abandon()``.
    static func begin(
        _ prepared: Prepared, cluster: Cluster, output: String, now: Date, markDelivered: Bool, composeMail: Bool
    ) throws -> Edition {
        guard prepared.isNeeded else {
            return Edition(prepared: prepared, cluster: cluster, markDelivered: markDelivered, rendering: nil)
        }
        let rendering: EditionRendering
        if markDelivered {
            let composer = MailComposer(cluster: cluster, now: now, stamp: prepared.stamp, edition: prepared.edition)
            let mail = composeMail ? try composer.plan(prepared) : nil
            // Each e-mail shares its digest's renderings (a `latest.*` equal to tonight's dated file becomes a link
            // to it).
            let staging = try EditionPublisher.stage(
                output: output, cluster: cluster.id, stamp: prepared.stamp, edition: prepared.edition)
            rendering = EditionRendering(
                prepared, mails: mail?.mails ?? [], composer: composer, envelope: mail?.envelope, staging: staging)
        } else {
            rendering = EditionRendering(prepared, mails: [], composer: nil, envelope: nil)
        }
        rendering.start()
        return Edition(prepared: prepared, cluster: cluster, markDelivered: markDelivered, rendering: rendering)
    }

    /// Publishes an edition begun by ``begin(_:cluster:now:markDelivered:composeMail:)``, its files taken in the
    /// plan's order as they are rendered, then stops its renderings.
    static func finish(
        _ edition: Edition, store: NoticeStore, output: String, now: Date, runID: Int64?
    ) throws -> ClusterDigestReport {
        let prepared = edition.prepared
        let cluster = edition.cluster
        let markDelivered = edition.markDelivered
        let input = prepared.input
        guard let rendering = edition.rendering else {
            return report(cluster, input, files: [], memberDigests: 0, deliveries: 0)
        }
        defer { rendering.stop() }
        let index = Dictionary(
            prepared.plan.enumerated().map { ($0.element.file.relativePath, $0.offset) },
            uniquingKeysWith: { a, _ in a })
        let files: [String]
        // Staged exactly when the edition records its deliveries (``begin(_:cluster:output:now:markDelivered:composeMail:)``).
        if let staging = rendering.staging {
            do {
                files = try EditionPublisher(output: output, store: store).publish(
                    cluster: cluster.id, stamp: prepared.stamp, edition: prepared.edition, staging: staging,
                    paths: prepared.plan.map(\.file.relativePath),
                    content: { try rendering.content($0, plan: prepared.plan, index: index) },
                    deliveries: prepared.deliveries, outbox: { try rendering.outbox() },
                    reportedMail: prepared.reportedMail,
                    runID: runID, at: now)
            } catch {
                // The other renderers may still be staging files when the publisher gives up: stopped first, so
                // the folder goes whole. The publisher's error is the one to report; a folder that cannot be
                // removed now is removed by the next run's recovery.
                try? edition.abandon()
                throw error
            }
        } else {
            // A preview records nothing: each file is written in place, atomically; the file system flushed once at
            // the end.
            var paths: [String] = []
            for (i, planned) in prepared.plan.enumerated() {
                let path = (output as NSString).appendingPathComponent(planned.file.relativePath)
                try DigestWriter.makeDirectory((path as NSString).deletingLastPathComponent)
                switch try rendering.content(i, plan: prepared.plan, index: index) {
                case .bytes(let bytes): try DigestWriter.writeAtomically(bytes, to: path, durable: false)
                case .sameAs(let j): try DigestWriter.linkAtomically(paths[j], to: path)
                case .staged:
                    // Never: a preview's renderers have no staging folder.
                    throw PipelineError.cannotRun("digest: a preview staged \(planned.file.relativePath)")
                }
                paths.append(path)
            }
            if let first = paths.first { try DigestWriter.flushFileSystem(of: first, files: paths) }
            files = paths
        }
        // The cluster's own files (members' are counted apart).
        let clusterDirectory = (output as NSString).appendingPathComponent(DigestWriter.safeFileName(cluster.id))
        let clusterFiles = files.filter {
            ($0 as NSString).deletingLastPathComponent == clusterDirectory
        }
        return report(
            cluster, input, files: clusterFiles, memberDigests: prepared.memberInputs.filter(\.hasNews).count,
            deliveries: markDelivered ? prepared.deliveries.count : 0)
    }

    /// The formats the cluster's `delivery.formats` keeps among `formats` (the run's), in the run's order; all of
    /// them when the cluster names none.
    static func formats(of cluster: Cluster, among formats: [DigestFormat]) -> [DigestFormat] {
        guard let names = cluster.delivery.formats else { return formats }
        let wanted = Set(names.compactMap { DigestFormat(rawValue: $0) })
        return formats.filter { wanted.contains($0) }
    }

    /// Whether a member's own digest files are written, per the cluster's `delivery.member_files`: `all`; only
    /// the members it does not mail (`unmailed`: no sender, or no contact that is an address); or `none`.
    static func writesFiles(for member: Member, of cluster: Cluster) -> Bool {
        switch cluster.delivery.memberFiles {
        case .all: return true
        case .none: return false
        case .unmailed: return !cluster.delivery.sendsMail || MailComposer.addresses(member.contacts).isEmpty
        }
    }

    static func report(
        _ cluster: Cluster, _ input: DigestInput, files: [String], memberDigests: Int, deliveries: Int
    ) -> ClusterDigestReport {
        let memberNotices = Set(input.members.flatMap { $0.items.map(\.notice.id) })
        return ClusterDigestReport(
            cluster: cluster.id, name: cluster.name,
            newNotices: memberNotices.union(input.calls.map(\.notice.id)).count,
            memberItems: input.members.reduce(0) { $0 + $1.items.count }, consortia: input.consortia.count,
            calls: input.calls.count, watchItems: input.watches.reduce(0) { $0 + $1.items.count },
            changed: input.changed.count, deadlinesSoon: input.deadlinesSoon.count,
            files: files, memberDigests: memberDigests, deliveries: deliveries)
    }
}

/// Renders one edition on every core: each (digest, format, variant) that its files and its e-mails need, once —
/// a member's `2026-05-05.md` and the Markdown part of its e-mail are the same bytes — handed to the publisher in
/// the plan's order. An e-mail whose digest is too long for a mail client (``DigestInput/mailIsFileLayout(htmlBytes:)``)
/// or has no Markdown and HTML files renders its own text and HTML in the mail layout, in its mail job.
///
/// Workers take the renderings in order, and each e-mail as soon as its parts are rendered, ahead of what the
/// publisher has staged as long as less than `maxHeldBytes` of rendered output waits to be taken (and at most
/// `window` jobs past the first not yet staged): memory holds that much plus one rendering per worker, not the
/// edition — besides the e-mails composed, which are the edition's outbox. Rendering was half of a night's CPU and
/// ran on one core, one file after another, and each e-mail rendered its digest's Markdown, HTML and calendar a
/// second time.
///
/// Why bytes and not a count: a staff rendering at the start of a national edition takes hundreds of
/// milliseconds and holds the publisher, while a member's parts are small and released as soon as its e-mail is
/// composed; a window of 8 jobs left the other core idle behind it. Why e-mails only once their parts are done: a
/// worker handed an e-mail whose calendar another worker was still rendering slept on it.
final class EditionRendering: @unchecked Sendable {
    /// One rendering: digest `input` (index in `inputs`) in `format`, tonight's or the subscription's.
    struct Key: Hashable {
        var input: Int
        var format: DigestFormat
        var subscription: Bool
    }

    enum Job {
        case render(Key)
        /// A planned mail (index in `mails`) and the jobs of its parts: its files' Markdown, HTML and calendar, or
        /// only the calendar when the mail renders its text and HTML itself.
        case mail(Int, parts: [Int])
    }

    enum Output {
        case bytes([UInt8])
        case entries([OutboxEntry])
    }

    enum Slot {
        case pending
        case done(Output)
        case failed(any Error)
        /// Done, and every file and mail that needed it has taken it.
        case released
    }

    /// Rendered output held at most (besides the renderings in progress), by default.
    static let defaultMaxHeldBytes = 32 << 20
    /// Jobs ahead of the first not yet staged, by default: a bound on bookkeeping, not memory (a job done and
    /// taken holds nothing), so the byte bound is the one that binds.
    static let defaultWindow = 1_024

    /// The cluster's digest first, then each member's, then each saved watch's that is mailed.
    let inputs: [DigestInput]
    let jobs: [Job]
    /// For each file of the plan: its job, nil for a file that is a second name of an earlier one.
    let fileJobs: [Int?]
    let mails: [MailComposer.PlannedMail]
    let composer: MailComposer?
    let envelope: MailComposer.Envelope?
    let window: Int
    let maxHeldBytes: Int
    /// For each rendering job, the mail jobs it is a part of.
    let mailsUsing: [[Int]]
    /// Where the edition's files are staged by the worker that renders them; nil for a preview, whose files the
    /// publisher writes in place.
    let staging: EditionPublisher.Staging?
    /// With `staging`: for each rendering job, the staged paths of the files it is (empty for a mail's own part).
    let stagedPaths: [[String]]
    /// Called by a worker before it runs a job (tests slow one down); nil in production. Set before `start`.
    var beforeJob: (@Sendable (Int) -> Void)?

    // Guarded by `lock`.
    let lock = NSCondition()
    var slots: [Slot]
    /// How many files and mails still have to take each job's output.
    var uses: [Int]
    /// Whether the job's file has been staged (always true for a job with no file).
    var staged: [Bool]
    /// The first job not yet handed out or, for a mail, not yet reached in order.
    var next = 0
    /// Every job below it is done and, if it has a file, staged.
    var frontier = 0
    var running = 0
    var failure: (any Error)?
    /// For each mail job, its parts not yet rendered.
    var partsLeft: [Int]
    /// Mail jobs reached in order whose parts are all rendered, oldest first: taken before any rendering.
    var ready: [Int] = []
    /// Bytes of the renderings done and not yet released, and the most it held (for tests).
    var heldBytes = 0
    var peakHeldBytes = 0

    /// `mails` and `envelope` from ``MailComposer/plan(_:)`` (empty and nil when no mail is composed).
    init(
        _ prepared: ClusterDigest.Prepared, mails: [MailComposer.PlannedMail], composer: MailComposer?,
        envelope: MailComposer.Envelope?, staging: EditionPublisher.Staging? = nil, window: Int? = nil,
        maxHeldBytes: Int? = nil
    ) {
        var inputs = [prepared.input] + prepared.memberInputs
        var jobs: [Job] = []
        var jobOf: [Key: Int] = [:]
        var uses: [Int] = []
        func job(_ key: Key) -> Int {
            if let j = jobOf[key] { return j }
            jobs.append(.render(key))
            uses.append(0)
            jobOf[key] = jobs.count - 1
            return jobs.count - 1
        }
        // Each mail right after the last file of its digest, or after the files when its digest has none (a
        // member mailed and given no files, a saved watch).
        var mailsAfter: [Int: [Int]] = [:]
        var trailing: [Int] = []
        var mailInput: [Int] = []
        for (m, mail) in mails.enumerated() {
            let input: Int
            if mail.isStaff {
                input = 0
            } else if let member = mail.member {
                input = member + 1
            } else {
                inputs.append(mail.input)
                input = inputs.count - 1
            }
            mailInput.append(input)
            let lastFile = prepared.plan.lastIndex { $0.file.sameAs == nil && ($0.member.map { $0 + 1 } ?? 0) == input }
            if let lastFile { mailsAfter[lastFile, default: []].append(m) } else { trailing.append(m) }
        }
        func addMails(_ ms: [Int]) {
            for m in ms {
                // The files' Markdown and HTML when the digest has them (its mail is them unless too long for a
                // mail client); else only the calendar: the mail renders its own parts in the mail layout (a
                // member mailed and given no files, a saved watch, a cluster whose formats are not md and html).
                let text = Key(input: mailInput[m], format: .markdown, subscription: false)
                let html = Key(input: mailInput[m], format: .html, subscription: false)
                let filed = jobOf[text] != nil && jobOf[html] != nil
                let parts =
                    (filed ? [text, html] : []).map(job)
                    + [job(Key(input: mailInput[m], format: .icalendar, subscription: false))]
                for p in parts { uses[p] += 1 }
                jobs.append(.mail(m, parts: parts))
                uses.append(1)
            }
        }
        var fileJobs: [Int?] = []
        for (i, planned) in prepared.plan.enumerated() {
            if planned.file.sameAs != nil {
                fileJobs.append(nil)
            } else {
                let j = job(
                    Key(
                        input: planned.member.map { $0 + 1 } ?? 0, format: planned.file.format,
                        subscription: planned.file.subscription))
                uses[j] += 1
                fileJobs.append(j)
            }
            addMails(mailsAfter[i] ?? [])
        }
        addMails(trailing)
        var mailsUsing = [[Int]](repeating: [], count: jobs.count)
        var partsLeft = [Int](repeating: 0, count: jobs.count)
        for (j, job) in jobs.enumerated() {
            guard case .mail(_, let parts) = job else { continue }
            for p in parts { mailsUsing[p].append(j) }
            partsLeft[j] = parts.count
        }
        self.inputs = inputs
        self.jobs = jobs
        self.fileJobs = fileJobs
        self.mails = mails
        self.composer = composer
        self.envelope = envelope
        self.window = max(1, window ?? Self.defaultWindow)
        self.maxHeldBytes = maxHeldBytes ?? Self.defaultMaxHeldBytes
        self.mailsUsing = mailsUsing
        self.staging = staging
        var stagedPaths = [[String]](repeating: [], count: jobs.count)
        if let staging {
            for (i, j) in fileJobs.enumerated() {
                if let j { stagedPaths[j].append(staging.path(of: i, relative: prepared.plan[i].file.relativePath)) }
            }
        }
        self.stagedPaths = stagedPaths
        self.partsLeft = partsLeft
        self.slots = Array(repeating: .pending, count: jobs.count)
        self.uses = uses
        var staged = Array(repeating: true, count: jobs.count)
        for case let j? in fileJobs { staged[j] = false }
        self.staged = staged
    }

    /// Starts the workers, one per core (at most one per job).
    func start(workers: Int = ProcessInfo.processInfo.activeProcessorCount) {
        let count = max(1, min(workers, jobs.count))
        lock.lock()
        running = count
        lock.unlock()
        for _ in 0..<count { DispatchQueue.global().async { self.work() } }
    }

    /// Stops the workers and waits for them: after a failure, or once the edition is written.
    func stop() {
        lock.lock()
        if failure == nil, frontier < jobs.count {
            failure = PipelineError.cannotRun("digest: the edition was stopped")
        }
        next = jobs.count
        ready = []
        lock.broadcast()
        while running > 0 { lock.wait() }
        lock.unlock()
    }

    /// File `i` of the plan, when its turn comes in the publisher: staged by its renderer (with `staging`), its
    /// bytes once rendered, or the earlier file it is a second name of. Throws the first failure of the edition's
    /// renderings or mails.
    func content(_ i: Int, plan: [ClusterDigest.PlannedFile], index: [String: Int]) throws
        -> EditionPublisher.StagedContent
    {
        guard let j = fileJobs[i] else {
            let same = plan[i].file.sameAs ?? ""
            guard let k = index[same] else {
                throw PipelineError.cannotRun("digest: \(plan[i].file.relativePath) names no file \(same)")
            }
            return .sameAs(k)
        }
        lock.lock()
        defer { lock.unlock() }
        if staging != nil {
            while !staged[j], failure == nil { lock.wait() }
            if let failure { throw failure }
            return .staged
        }
        while case .pending = slots[j], failure == nil { lock.wait() }
        if let failure { throw failure }
        guard case .done(.bytes(let bytes)) = slots[j] else {
            throw PipelineError.cannotRun("digest: \(plan[i].file.relativePath) was not rendered")
        }
        staged[j] = true
        take(j)
        advance()
        return .bytes(bytes)
    }

    /// Every mail of the edition once composed, in the order of `mails` (the staff, the members, the watches)
    /// whatever order their jobs ran in. Throws the first failure.
    func outbox() throws -> [OutboxEntry] {
        lock.lock()
        defer { lock.unlock() }
        var byMail = [[OutboxEntry]](repeating: [], count: mails.count)
        for (j, job) in jobs.enumerated() {
            guard case .mail(let m, _) = job else { continue }
            while case .pending = slots[j], failure == nil { lock.wait() }
            if let failure { throw failure }
            guard case .done(.entries(let entries)) = slots[j] else { continue }
            byMail[m] = entries
            take(j)
        }
        return byMail.flatMap { $0 }
    }

    /// One worker: composes the mails whose parts are rendered, else renders the next job while the bounds allow,
    /// else waits; leaves once nothing is left to hand out (a mail still waiting for a part is composed by the
    /// worker that renders that part).
    private func work() {
        lock.lock()
        while failure == nil {
            let j: Int
            if !ready.isEmpty {
                j = ready.removeFirst()
            } else if next < jobs.count, case .mail = jobs[next] {
                reach(next)
                next += 1
                continue
            } else if next < jobs.count, mayStart(next) {
                j = next
                next += 1
            } else if next >= jobs.count {
                break
            } else {
                lock.wait()
                continue
            }
            lock.unlock()
            let result = perform(j)
            lock.lock()
            finish(j, result)
        }
        running -= 1
        lock.broadcast()
        lock.unlock()
    }

    /// Whether rendering job `j` (the next in order) may start: within the window and the bytes held, or the
    /// first job not staged (which the publisher waits for, so it always may). Called with `lock` held.
    private func mayStart(_ j: Int) -> Bool {
        j == frontier || (j < frontier + window && heldBytes < maxHeldBytes)
    }

    /// Mail job `j` is reached in order: ready now if its parts are rendered, else once they are. Called with
    /// `lock` held.
    private func reach(_ j: Int) {
        if partsLeft[j] == 0 { ready.append(j) }
    }

    /// Records job `j`'s result and makes ready the mails it completes. Called with `lock` held.
    private func finish(_ j: Int, _ result: Result<Output, any Error>) {
        switch result {
        case .success(let output):
            slots[j] = .done(output)
            if case .bytes(let bytes) = output {
                heldBytes += bytes.count
                peakHeldBytes = max(peakHeldBytes, heldBytes)
            }
            // Its files written by the worker: they no longer hold its bytes, only its mails do.
            if !stagedPaths[j].isEmpty {
                staged[j] = true
                for _ in stagedPaths[j] { take(j) }
            }
            for m in mailsUsing[j] {
                partsLeft[m] -= 1
                // A mail not yet reached is made ready when `next` reaches it, in order.
                if partsLeft[m] == 0, m < next { ready.append(m) }
            }
        case .failure(let error):
            slots[j] = .failed(error)
            if failure == nil { failure = error }
            next = jobs.count
            ready = []
        }
        advance()
    }

    private func perform(_ j: Int) -> Result<Output, any Error> {
        beforeJob?(j)
        switch jobs[j] {
        case .render(let key):
            return Result {
                let renderer = key.format.renderer
                let input = inputs[key.input]
                let bytes = try key.subscription ? renderer.renderSubscription(input) : renderer.render(input)
                for path in stagedPaths[j] { try DigestWriter.writeNew(bytes, to: path, durable: false) }
                return .bytes(bytes)
            }
        case .mail(let m, let parts):
            // Handed out only once its parts are rendered: nothing to wait for. They are released once composed,
            // so the bytes held count them until then.
            lock.lock()
            var bytes: [[UInt8]] = []
            for p in parts {
                if case .done(.bytes(let b)) = slots[p] { bytes.append(b) }
            }
            lock.unlock()
            defer {
                lock.lock()
                for p in parts { take(p) }
                lock.unlock()
            }
            guard let composer, let envelope, bytes.count == parts.count, let tonights = bytes.last else {
                return .failure(PipelineError.cannotRun("mail: the parts of \(mails[m].audience) were not rendered"))
            }
            let mail = mails[m]
            // A staff digest's hundreds of deadlines: the e-mail attaches the soonest (the file keeps them all).
            let calendar: [UInt8]
            if mail.input.mailCalendarIsFile {
                calendar = tonights
            } else {
                do { calendar = try ICalendarRenderer().renderMail(mail.input) } catch { return .failure(error) }
            }
            let content: DigestMailContent
            if bytes.count == 3, mail.input.mailIsFileLayout(htmlBytes: bytes[1].count) {
                content = mail.input.mailContent(markdown: bytes[0], html: bytes[1], calendar: calendar)
            } else {
                // Too long for a mail client as its files are, or no files: the mail layout, rendered once here.
                let own = mail.input.mailParts()
                content = mail.input.mailContent(markdown: own.markdown, html: own.html, calendar: calendar)
            }
            return Result { .entries(try composer.entries(mail, content: content, envelope: envelope)) }
        }
    }

    /// One file or mail took job `j`'s output: released when nothing else needs it. Called with `lock` held.
    private func take(_ j: Int) {
        uses[j] -= 1
        guard uses[j] <= 0, case .done(let output) = slots[j] else { return }
        if case .bytes(let bytes) = output { heldBytes -= bytes.count }
        slots[j] = .released
        // Bytes given back: a worker held by the bound may go on.
        lock.broadcast()
    }

    /// Moves the frontier past the jobs done and staged. Called with `lock` held.
    private func advance() {
        while frontier < jobs.count, staged[frontier] {
            if case .pending = slots[frontier] { break }
            frontier += 1
        }
        lock.broadcast()
    }
}
