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
struct MailComposer {
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

    /// Every message of the edition, as outbox entries. Nothing when the cluster has no `delivery.sender`.
    func compose(_ prepared: ClusterDigest.Prepared) throws -> [OutboxEntry] {
        guard let senderText = cluster.delivery.sender else { return [] }
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
        var out: [OutboxEntry] = []
        func add(_ input: DigestInput, to: [MailAddress], audience: String) throws {
            guard !to.isEmpty else { return }
            let content = try input.mailContent()
            let message = MailMessage(
                messageID: messageID(audience: audience, sender: sender), date: now, from: sender,
                replyTo: replyTo, to: to, subject: content.subject, textBody: content.text, htmlBody: content.html,
                attachments: content.calendar.map {
                    [
                        MailAttachment(
                            fileName: content.calendarFileName,
                            contentType: "text/calendar; charset=utf-8; method=PUBLISH",
                            bytes: $0)
                    ]
                } ?? [],
                listUnsubscribe: unsubscribe)
            do {
                try MIMEWriter.validate(message)
            } catch {
                throw PipelineError.cannotRun("mail: \(cluster.id): \(audience): \(error)")
            }
            let bytes = MIMEWriter.render(message)
            for rcpt in message.recipients {
                out.append(
                    OutboxEntry(
                        messageID: message.messageID, recipient: rcpt.address, cluster: cluster.id, stamp: stamp,
                        edition: edition, audience: audience, envelopeFrom: sender.address, subject: content.subject,
                        message: bytes, createdAt: now))
            }
        }
        // The staff: every edition (the source health is news to them even on a quiet night).
        try add(prepared.input, to: staff, audience: "staff")
        // A member: only on a night with something for it.
        for (member, own) in zip(cluster.members, prepared.memberInputs) where own.hasNews {
            try add(own, to: Self.addresses(member.contacts), audience: "member:\(member.id)")
        }
        for watch in cluster.watches {
            guard let own = prepared.input.forWatch(id: watch.id) else { continue }
            try add(own, to: Self.addresses(watch.recipients), audience: "watch:\(watch.id)")
        }
        return out
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
        do {
            try MIMEWriter.validate(message)
        } catch {
            throw PipelineError.cannotRun("mail: \(failed.cluster): rules-error: \(error)")
        }
        let bytes = MIMEWriter.render(message)
        return message.recipients.map { rcpt in
            OutboxEntry(
                messageID: message.messageID, recipient: rcpt.address, cluster: failed.cluster, stamp: stamp,
                edition: 0, audience: "staff:rules-error", envelopeFrom: sender.address, subject: content.subject,
                message: bytes, createdAt: now)
        }
    }
}
