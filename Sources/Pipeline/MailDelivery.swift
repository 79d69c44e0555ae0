import Digest
import Foundation
import Logging
import Mail
import Store

/// What sending the outbox did.
public struct MailReport: Sendable, Hashable, Codable {
    /// Envelope recipients the server accepted in this run.
    public var accepted: Int = 0
    /// Temporary failures (4xx) and recipients not tried because the server could not be reached: tried again
    /// on the next run.
    public var deferred: Int = 0
    /// Refused for good (5xx) in this run: reported in the staff digest, never tried again.
    public var failed: [Failure] = []
    /// The server could not be reached (or dropped the session) at some point.
    public var unreachable: String?
    /// With `--dry-run`: the `.eml` files written instead of sending.
    public var previewFiles: [String] = []
    /// Entries still pending after this run.
    public var pending: Int = 0

    public struct Failure: Sendable, Hashable, Codable {
        public var recipient: String
        public var messageID: String
        public var code: Int?
        public var reply: String

        enum CodingKeys: String, CodingKey {
            case recipient, code, reply
            case messageID = "message_id"
        }
    }

    enum CodingKeys: String, CodingKey {
        case accepted, deferred, failed, unreachable, pending
        case previewFiles = "preview_files"
    }

    /// Exit code for cron: 0 when everything tried was accepted, 1 when a recipient was refused or the server
    /// stayed unreachable.
    public var exitCode: Int32 { failed.isEmpty && unreachable == nil && deferred == 0 ? 0 : 1 }
}

/// Sends what the outbox holds, one envelope recipient per SMTP transaction, recording each outcome before the
/// next: a crash, a refused recipient or a server down mid-session is retried on the next run, and what the server
/// accepted is never sent again.
///
/// A transaction killed after the server took the message but before its acceptance was recorded is sent again
/// with the same Message-ID (mail clients show one message per Message-ID): the outbox prefers a duplicate the
/// client folds over a lost digest.
public struct MailDelivery {
    let store: NoticeStore
    let logger: Logger

    public init(store: NoticeStore, logger: Logger = Logger(label: "vigie.mail")) {
        self.store = store
        self.logger = logger
    }

    /// Sends every pending entry through `settings`' server (all clusters, or `clusters`).
    public func send(
        settings: SMTPSettings, clusters: [String]? = nil, now: @escaping () -> Date = Date.init,
        progress: (String) -> Void = { _ in }
    ) throws -> MailReport {
        var report = MailReport()
        // The recipients first, each message read when its turn comes: a national night's outbox is 30,000
        // messages and gigabytes, which this loaded whole before the first transaction.
        let pending = try store.pendingRecipients(clusters: clusters)
        guard !pending.isEmpty else { return report }
        progress(
            "sending \(Set(pending.map(\.messageID)).count) message(s) to \(pending.count) recipient(s) through "
                + settings.redactedURL)
        let sender: SMTPSender
        do {
            sender = try SMTPSender(settings: settings)
        } catch {
            // No session at all (libcurl could not start one): everything waits for the next run.
            report.unreachable = "\(error)"
            report.deferred = pending.count
            report.pending = pending.count
            return report
        }
        defer { sender.close() }
        var down = false
        // A staff digest goes to its recipients one after another: their message is read once.
        var last: (messageID: String, bytes: [UInt8])?
        for (i, entry) in pending.enumerated() {
            try StopRequest.shared.checkpoint("between two e-mails")
            if down {
                report.deferred += 1
                continue
            }
            let message: [UInt8]
            if let last, last.messageID == entry.messageID {
                message = last.bytes
            } else {
                do {
                    message = try store.mailMessage(messageID: entry.messageID, recipient: entry.recipient)
                } catch let error as StoreError {
                    guard case .corruptMessage = error else { throw error }
                    // A damaged stored message can never be sent as composed: refused for good, so the staff
                    // digest lists it, and the night's other e-mails still go.
                    try store.markMail(
                        messageID: entry.messageID, recipient: entry.recipient, state: .failed, code: nil,
                        error: "\(error)", at: now())
                    report.failed.append(
                        MailReport.Failure(
                            recipient: entry.recipient, messageID: entry.messageID, code: nil, reply: "\(error)"))
                    progress("\(entry.recipient): \(error); the staff digest will say so")
                    continue
                }
                last = (entry.messageID, message)
            }
            try store.markSending(messageID: entry.messageID, recipient: entry.recipient, at: now())
            let outcome = sender.send(message, from: entry.envelopeFrom, to: entry.recipient)
            switch outcome {
            case .accepted:
                try store.markMail(
                    messageID: entry.messageID, recipient: entry.recipient, state: .accepted, code: 250, error: nil,
                    at: now())
                report.accepted += 1
                // A cluster of 500 members is a few minutes of SMTP: say where the run stands now and then.
                if report.accepted % 50 == 0 { progress("\(i + 1) of \(pending.count) recipients done") }
            case .temporaryFailure(let code, let text):
                try store.markMail(
                    messageID: entry.messageID, recipient: entry.recipient, state: .deferred, code: code, error: text,
                    at: now())
                report.deferred += 1
                progress("\(entry.recipient): deferred (\(code) \(text)), tried again next run")
            case .permanentFailure(let code, let text):
                try store.markMail(
                    messageID: entry.messageID, recipient: entry.recipient, state: .failed, code: code, error: text,
                    at: now())
                report.failed.append(
                    MailReport.Failure(recipient: entry.recipient, messageID: entry.messageID, code: code, reply: text))
                progress("\(entry.recipient): refused (\(code) \(text)); the staff digest will say so")
            case .unreachable(let text):
                try store.markMail(
                    messageID: entry.messageID, recipient: entry.recipient, state: .deferred, code: nil, error: text,
                    at: now())
                report.deferred += 1
                report.unreachable = text
                // The server is down: the rest waits for the next run instead of failing one by one.
                down = true
                progress("mail server unreachable (\(text)): \(pending.count - i - 1) more left for the next run")
            }
        }
        report.pending = try store.pendingRecipients(clusters: clusters).count
        return report
    }

    /// The lines `vigie run` and `vigie send` print.
    public static func summary(_ m: MailReport) -> [String] {
        var lines: [String] = []
        if !m.previewFiles.isEmpty {
            lines.append("mail (dry run): \(m.previewFiles.count) message(s) written as .eml, nothing sent")
        } else {
            lines.append(
                "mail: \(m.accepted) recipient(s) accepted, \(m.deferred) deferred, \(m.failed.count) refused")
        }
        for f in m.failed {
            lines.append("mail: REFUSED \(f.recipient): \(f.code.map(String.init) ?? "") \(f.reply)")
        }
        if let u = m.unreachable { lines.append("mail: server unreachable (\(u)); \(m.pending) left for the next run") }
        return lines
    }

    /// Writes each pending message once as `<out>/<cluster>/courriels/<night>-<edition>/<audience>.eml` (every
    /// recipient in To/Cc, as sent), without sending or changing the outbox.
    public func preview(output: String, clusters: [String]? = nil) throws -> MailReport {
        var report = MailReport()
        var seen = Set<String>()
        let pending = try store.pendingRecipients(clusters: clusters)
        for entry in pending {
            guard seen.insert(entry.messageID).inserted else { continue }
            let folder = "\(DigestWriter.safeFileName(entry.cluster))/courriels/\(entry.stamp)-\(entry.edition)"
            let name = DigestWriter.safeFileName(entry.audience.replacingOccurrences(of: ":", with: "-")) + ".eml"
            let path = ((output as NSString).appendingPathComponent(folder) as NSString).appendingPathComponent(name)
            try DigestWriter.makeDirectory((path as NSString).deletingLastPathComponent)
            try DigestWriter.writeAtomically(
                try store.mailMessage(messageID: entry.messageID, recipient: entry.recipient), to: path)
            report.previewFiles.append(path)
        }
        report.pending = pending.count
        return report
    }
}
