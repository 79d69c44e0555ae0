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
        /// The edition's files, not rendered: each is rendered when it is written, one at a time.
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

        /// Every file of the plan rendered, all held at once (a test's or a preview's convenience; the run
        /// renders one file at a time).
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
    /// (the formats and the members' files the cluster's `delivery:` asks for).
    public static func prepare(
        cluster: Cluster, store: NoticeStore, output: String, formats: [DigestFormat], now: Date,
        runID: Int64? = nil, health: [SourceHealth]? = nil, deadlineSoonDays: Int = 7,
        sourceNames: [String: String] = [:], markDelivered: Bool
    ) throws -> Prepared {
        let sources = try health ?? SourceHealthBuilder.fromStates(try store.sourceStates(), now: now)
        let read = try DigestSnapshotReader(
            store: store, cluster: cluster, now: now, deadlineSoonDays: deadlineSoonDays,
            windowDays: cluster.delivery.subscriptionDays
        ).read(sources: sources, sourceNames: sourceNames)
        var snapshot = read.snapshot
        snapshot.sharePartners = cluster.delivery.sharePartners
        snapshot.staffContact = cluster.delivery.replyTo.first ?? cluster.delivery.staff.first
        var input = DigestAssembler.assemble(snapshot)
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
        let input = prepared.input
        guard prepared.isNeeded else { return report(cluster, input, files: [], memberDigests: 0, deliveries: 0) }
        let files: [String]
        if markDelivered {
            let outbox =
                composeMail
                ? try MailComposer(cluster: cluster, now: now, stamp: prepared.stamp, edition: prepared.edition)
                    .compose(prepared) : []
            let publisher = EditionPublisher(output: output, store: store)
            // Rendered one file at a time as the publisher stages it: a `latest.*` equal to tonight's dated file
            // becomes a link to it.
            let index = Dictionary(
                prepared.plan.enumerated().map { ($0.element.file.relativePath, $0.offset) },
                uniquingKeysWith: { a, _ in a })
            files = try publisher.publish(
                cluster: cluster.id, stamp: prepared.stamp, edition: prepared.edition,
                paths: prepared.plan.map(\.file.relativePath),
                content: { i in
                    let planned = prepared.plan[i]
                    if let same = planned.file.sameAs, let j = index[same] { return .sameAs(j) }
                    return .bytes(try planned.file.render(prepared.input(of: planned)))
                },
                deliveries: prepared.deliveries, outbox: outbox, reportedMail: prepared.reportedMail, runID: runID,
                at: now)
        } else {
            // A preview records nothing: each file is written in place, atomically.
            files = try DigestWriter(outputDirectory: output, formats: formats).write(
                prepared.plan.map { ($0.file, prepared.input(of: $0)) })
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
