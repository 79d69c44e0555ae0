import Foundation

/// One e-mail, before rendering: who, what, and the bodies. Rendered to bytes by `MIMEWriter`.
///
/// The bodies are kept as UTF-8 bytes: a digest's parts come out of the renderers as bytes and go into the
/// quoted-printable encoder as bytes, so a national night (tens of thousands of e-mails of hundreds of kilobytes)
/// never decodes them into a `String` and encodes them back. `textBody` and `htmlBody` are the same bodies as text.
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
    /// The plain-text body, UTF-8.
    public var textBytes: [UInt8]
    /// The HTML alternative of the text, UTF-8, when there is one.
    public var htmlBytes: [UInt8]?
    public var attachments: [MailAttachment]
    /// A URI, e.g. "mailto:veille@example.org?subject=d%C3%A9sinscription"; rendered as `List-Unsubscribe: <…>`.
    public var listUnsubscribe: String?

    /// A message whose bodies are UTF-8 bytes (a digest's rendered parts, as the renderers give them).
    public init(
        messageID: String, date: Date, from: MailAddress, replyTo: [MailAddress] = [], to: [MailAddress],
        cc: [MailAddress] = [], subject: String, textBytes: [UInt8], htmlBytes: [UInt8]? = nil,
        attachments: [MailAttachment] = [], listUnsubscribe: String? = nil
    ) {
        self.messageID = messageID
        self.date = date
        self.from = from
        self.replyTo = replyTo
        self.to = to
        self.cc = cc
        self.subject = subject
        self.textBytes = textBytes
        self.htmlBytes = htmlBytes
        self.attachments = attachments
        self.listUnsubscribe = listUnsubscribe
    }

    /// A message whose bodies are text (a short notice such as the rules-failure mail, or a test's).
    public init(
        messageID: String, date: Date, from: MailAddress, replyTo: [MailAddress] = [], to: [MailAddress],
        cc: [MailAddress] = [], subject: String, textBody: String, htmlBody: String? = nil,
        attachments: [MailAttachment] = [], listUnsubscribe: String? = nil
    ) {
        self.init(
            messageID: messageID, date: date, from: from, replyTo: replyTo, to: to, cc: cc, subject: subject,
            textBytes: Array(textBody.utf8), htmlBytes: htmlBody.map { Array($0.utf8) }, attachments: attachments,
            listUnsubscribe: listUnsubscribe)
    }

    /// The plain-text body as text (decoded from, and stored back as, `textBytes`).
    public var textBody: String {
        get { String(decoding: textBytes, as: UTF8.self) }
        set { textBytes = Array(newValue.utf8) }
    }

    /// The HTML body as text (decoded from, and stored back as, `htmlBytes`).
    public var htmlBody: String? {
        get { htmlBytes.map { String(decoding: $0, as: UTF8.self) } }
        set { htmlBytes = newValue.map { Array($0.utf8) } }
    }

    /// Every envelope recipient (to + cc), each once (addresses compared without case), in header order.
    public var recipients: [MailAddress] {
        var seen = Set<String>()
        return (to + cc).filter { seen.insert($0.address.lowercased()).inserted }
    }
}
