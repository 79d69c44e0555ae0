import Foundation

/// One e-mail, before rendering: who, what, and the bodies. Rendered to bytes by `MIMEWriter`.
public struct MailMessage: Sendable, Hashable {
    /// The Message-ID without angle brackets, e.g. "mecaloire.2026-11-24.1.decolletage-furan@vigie.invalid".
    /// The caller keeps it stable across retries, so a recipient's client sees one message however many tries.
    public var messageID: String
    /// The Date header (rendered in UTC).
    public var date: Date
    public var from: MailAddress
    /// Where replies go (the cluster's staff), when not to `from`.
    public var replyTo: [MailAddress]
    public var to: [MailAddress]
    public var cc: [MailAddress]
    /// Any Unicode; encoded per RFC 2047 when not plain ASCII.
    public var subject: String
    public var textBody: String
    /// The HTML alternative of `textBody`, when there is one.
    public var htmlBody: String?
    public var attachments: [MailAttachment]
    /// A URI, e.g. "mailto:veille@example.org?subject=d%C3%A9sinscription"; rendered as `List-Unsubscribe: <…>`.
    public var listUnsubscribe: String?

    public init(
        messageID: String, date: Date, from: MailAddress, replyTo: [MailAddress] = [], to: [MailAddress],
        cc: [MailAddress] = [], subject: String, textBody: String, htmlBody: String? = nil,
        attachments: [MailAttachment] = [], listUnsubscribe: String? = nil
    ) {
        self.messageID = messageID
        self.date = date
        self.from = from
        self.replyTo = replyTo
        self.to = to
        self.cc = cc
        self.subject = subject
        self.textBody = textBody
        self.htmlBody = htmlBody
        self.attachments = attachments
        self.listUnsubscribe = listUnsubscribe
    }

    /// Every envelope recipient (to + cc), each once (addresses compared without case), in header order.
    public var recipients: [MailAddress] {
        var seen = Set<String>()
        return (to + cc).filter { seen.insert($0.address.lowercased()).inserted }
    }
}
