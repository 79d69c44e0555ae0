import Classifier
import Digest
import Foundation
import Mail
import Notices
import Store

/// The e-mails of one cluster's edition: the staff get the cluster's digest, each member with something tonight
/// and a `contact` its own digest, each saved watch with matches its recipients. One outbox entry per envelope
/// recipient; the Message-ID names the cluster, the night, the edition and the audience, so it never changes
/// across retries.
struct MailComposer: Sendable {
    let cluster: Cluster
    let now: Date
    let stamp: String
    let edition: Int

    /// The addresses of a list that are e-mail addresses. A watch's `recipients` may name people instead
    /// (`vigie rules lint` warns about each): those get the digest files, not an e-mail.
    static func addresses(_ list: [String]) -> [MailAddress] {
        list.compactMap { text in
            do { return try MailAddress.parse(text) } catch { return nil }
        }
    }

    /// `vigie.<cluster>.<night>.<edition>.<audience>@<sender's domain>`.
    func messageID(audience: String, sender: MailAddress) -> String {
        let domain = sender.address.split(separator: "@").last.map(String.init) ?? "vigie.invalid"
        let safe = String(audience.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." ? $0 : "-" })
        return "vigie.\(DigestWriter.safeFileName(cluster.id)).\(stamp).\(edition).\(safe)@\(domain)"
    }

    /// What every message of an edition shares: who sends it, where replies go, how to unsubscribe.
    struct Envelope: Sendable {
        var sender: MailAddress
        var replyTo: [MailAddress]
        var unsubscribe: String?
    }

    /// One message of the edition, not composed yet: whose digest, to whom.
    struct PlannedMail: Sendable {
        var input: DigestInput
        var to: [MailAddress]
        /// `staff`, `member:<id>` or `watch:<id>` (part of the Message-ID).
        var audience: String
        /// The member's index in the prepared edition's `memberInputs`, whose file renderings the mail may share.
        var member: Int?
        /// True for the staff's mail, which shares the cluster's file renderings.
        var isStaff: Bool { audience == "staff" }
    }

    /// The envelope and the messages of the edition, in the outbox's order (the staff, the members with something
    /// tonight, the saved watches with matches); nil when the cluster has no `delivery.sender`. Throws when the
    /// sender is not an address.
    func plan(_ prepared: ClusterDigest.Prepared) throws -> (envelope: Envelope, mails: [PlannedMail])? {
        guard let senderText = cluster.delivery.sender else { return nil }
        let sender: MailAddress
        do {
            sender = try MailAddress.parse(senderText)
        } catch {
            throw PipelineError.cannotRun("mail: \(cluster.id): sender \(senderText) is not an address: \(error)")
        }
        let replyTo = Self.addresses(cluster.delivery.replyTo)
        let staff = Self.addresses(cluster.delivery.staff)
        let unsubscribe = (staff.first ?? replyTo.first).map { address in
            let subject =
                DigestMailContent.unsubscribeSubject(clusterName: cluster.name)
                .addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "desinscription"
            return "mailto:\(address.address)?subject=\(subject)"
        }
        var mails: [PlannedMail] = []
        // The staff: every edition (the source health is news to them even on a quiet night).
        if !staff.isEmpty { mails.append(PlannedMail(input: prepared.input, to: staff, audience: "staff")) }
        // A member: only on a night with something for it.
        for (i, (member, own)) in zip(cluster.members, prepared.memberInputs).enumerated() where own.hasNews {
            let to = Self.addresses(member.contacts)
            if !to.isEmpty { mails.append(PlannedMail(input: own, to: to, audience: "member:\(member.id)", member: i)) }
        }
        for watch in cluster.watches {
            guard let own = prepared.input.forWatch(id: watch.id) else { continue }
            let to = Self.addresses(watch.recipients)
            if !to.isEmpty { mails.append(PlannedMail(input: own, to: to, audience: "watch:\(watch.id)")) }
        }
        return (Envelope(sender: sender, replyTo: replyTo, unsubscribe: unsubscribe), mails)
    }

    /// One planned message as outbox entries (one per envelope recipient), from its content.
    func entries(_ mail: PlannedMail, content: DigestMailContent, envelope: Envelope) throws -> [OutboxEntry] {
        let message = MailMessage(
            messageID: messageID(audience: mail.audience, sender: envelope.sender), date: now, from: envelope.sender,
            replyTo: envelope.replyTo, to: mail.to, subject: content.subject, textBytes: content.textBytes,
            htmlBytes: content.htmlBytes,
            attachments: content.calendar.map {
                [
                    MailAttachment(
                        fileName: content.calendarFileName,
                        contentType: "text/calendar; charset=utf-8; method=PUBLISH",
                        bytes: $0)
                ]
            } ?? [],
            listUnsubscribe: envelope.unsubscribe)
        return try Self.outbox(
            message, cluster: cluster.id, stamp: stamp, edition: edition, audience: mail.audience, now: now)
    }

    /// A message checked (a header that cannot be sent is the cluster's error, named with its audience), rendered
    /// and compressed once — on the rendering thread that composes it, not in the edition's commit, which is the
    /// night's critical path — and one outbox entry per envelope recipient, sharing the compressed bytes.
    static func outbox(
        _ message: MailMessage, cluster: String, stamp: String, edition: Int, audience: String, now: Date
    ) throws -> [OutboxEntry] {
        do {
            try MIMEWriter.validate(message)
        } catch {
            throw PipelineError.cannotRun("mail: \(cluster): \(audience): \(error)")
        }
        let stored = OutboxMessage(MIMEWriter.render(message))
        return message.recipients.map { rcpt in
            OutboxEntry(
                messageID: message.messageID, recipient: rcpt.address, cluster: cluster, stamp: stamp,
                edition: edition, audience: audience, envelopeFrom: message.from.address, subject: message.subject,
                message: stored, createdAt: now)
        }
    }

    /// Every message of the edition, as outbox entries, each digest's parts rendered again for its mail (the
    /// nightly run shares them with the files instead: ``EditionRendering``). Nothing when the cluster has no
    /// `delivery.sender`.
    func compose(_ prepared: ClusterDigest.Prepared) throws -> [OutboxEntry] {
        guard let (envelope, mails) = try plan(prepared) else { return [] }
        return try mails.flatMap { try entries($0, content: try $0.input.mailContent(), envelope: envelope) }
    }
}

extension MailComposer {
    /// The e-mail to a cluster's staff on a night its rules file did not load, addressed with the contacts recorded
    /// the last night it did (the broken file's own `delivery:` may be the typo). One message per cluster per
    /// night: the Message-ID names the night, so a second run the same night composes nothing new (the outbox
    /// keeps the first). Empty when no contact was ever recorded or none is an address.
    static func rulesFailure(
        _ failed: FailedClusterReport, contact: ClusterContact, now: Date
    ) throws -> [OutboxEntry] {
        let sender: MailAddress
        do {
            sender = try MailAddress.parse(contact.sender)
        } catch {
            // Recorded from a file that loaded and was linted: a sender that no longer parses is an old store.
            throw PipelineError.cannotRun("mail: \(failed.cluster): recorded sender \(contact.sender): \(error)")
        }
        let staff = addresses(contact.staff)
        guard !staff.isEmpty else { return [] }
        let stamp = DigestWriter.dateStamp(now)
        let domain = sender.address.split(separator: "@").last.map(String.init) ?? "vigie.invalid"
        let content = RulesFailureMail.content(
            clusterName: contact.name, file: failed.file, errors: failed.errors, night: now)
        let message = MailMessage(
            messageID: "vigie.\(DigestWriter.safeFileName(failed.cluster)).\(stamp).rules-error@\(domain)", date: now,
            from: sender, to: staff, subject: content.subject, textBody: content.text)
        return try outbox(
            message, cluster: failed.cluster, stamp: stamp, edition: 0, audience: "staff:rules-error", now: now)
    }
}
