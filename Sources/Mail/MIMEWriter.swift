import Foundation

/// Renders a `MailMessage` as RFC 5322 / MIME bytes.
///
/// Shape: `multipart/mixed` holding a `multipart/alternative` (text/plain then text/html, both UTF-8) and each
/// attachment; without attachments the `multipart/alternative` alone; without HTML, `multipart/mixed` of the text
/// and the attachments; with neither, a single text/plain part. Every header is 7-bit (RFC 2047 encoded-words for
/// non-ASCII subjects and names) and folded; bodies are quoted-printable (text) or base64 (attachments), so the
/// message is 7-bit clean and no line exceeds 78 octets except an unbreakable token (a long Message-ID or URI),
/// which stays under 998.
public enum MIMEWriter {
    /// RFC 5322 bytes, CRLF line ends, deterministic: boundaries derived from the message id, so the same message
    /// always renders to the same bytes (retries keep the same Message-ID and body).
    ///
    /// Rendering never fails: control characters in header values (CR/LF: header injection) become spaces and
    /// characters that cannot be in an address, a Message-ID or a URI are dropped. Call `validate` first to
    /// refuse such a message instead.
    public static func render(_ message: MailMessage) -> [UInt8] {
        var head = ""
        let id = MIMEEncoding.cleanToken(message.messageID, dropping: ["<", ">"])
        head += MIMEEncoding.header("Message-ID", ["<" + id + ">"])
        head += MIMEEncoding.header("Date", [rfc5322Date(message.date)])
        head += MIMEEncoding.header("From", MIMEEncoding.addressListTokens([message.from]))
        if !message.replyTo.isEmpty {
            head += MIMEEncoding.header("Reply-To", MIMEEncoding.addressListTokens(message.replyTo))
        }
        // A message with only Cc recipients still has a To (RFC 5322 allows the empty group).
        head += MIMEEncoding.header(
            "To", message.to.isEmpty ? ["undisclosed-recipients:;"] : MIMEEncoding.addressListTokens(message.to))
        if !message.cc.isEmpty { head += MIMEEncoding.header("Cc", MIMEEncoding.addressListTokens(message.cc)) }
        head += MIMEEncoding.header("Subject", MIMEEncoding.unstructuredTokens(MIMEEncoding.clean(message.subject)))
        if let uri = message.listUnsubscribe {
            let clean = MIMEEncoding.cleanToken(uri, dropping: ["<", ">"])
            head += MIMEEncoding.header("List-Unsubscribe", ["<" + clean + ">"])
        }
        // RFC 3834: tells auto-responders (out-of-office) not to answer a nightly digest.
        head += MIMEEncoding.header("Auto-Submitted", ["auto-generated"])
        head += MIMEEncoding.header("MIME-Version", ["1.0"])

        let hash = MIMEEncoding.stableHash(id)
        let text = textPart(message.textBody)
        let body: Part
        switch (message.htmlBody, message.attachments.isEmpty) {
        case (nil, true):
            body = text
        case (let html?, true):
            body = multipart("alternative", boundary: "=_alt_" + hash, [text, htmlPart(html)])
        case (nil, false):
            body = multipart("mixed", boundary: "=_mixed_" + hash, [text] + message.attachments.map(attachmentPart))
        case (let html?, false):
            let alternative = multipart("alternative", boundary: "=_alt_" + hash, [text, htmlPart(html)])
            body = multipart(
                "mixed", boundary: "=_mixed_" + hash,
                [alternative] + message.attachments.map(attachmentPart))
        }
        // Assembled as bytes: the bodies (hundreds of kilobytes for a staff digest) are copied once, not joined as
        // strings and converted at the end.
        var out: [UInt8] = []
        out.reserveCapacity(head.utf8.count + body.headers.utf8.count + 2 + body.content.count)
        out.append(contentsOf: head.utf8)
        out.append(contentsOf: body.headers.utf8)
        out.append(0x0D)
        out.append(0x0A)
        out.append(contentsOf: body.content)
        return out
    }

    /// Throws the first reason why `message` would not render as given: an invalid Message-ID, address or
    /// display name, a header value with a line break or control character (header injection), no recipient, a
    /// malformed attachment type or unsubscribe URI.
    public static func validate(_ message: MailMessage) throws {
        let id = message.messageID
        let idParts = id.split(separator: "@", omittingEmptySubsequences: false)
        let idAllowed: (Unicode.Scalar) -> Bool = { isAtext($0) || $0 == "." }
        guard id.count <= 250, idParts.count == 2,
            idParts.allSatisfy({ !$0.isEmpty && $0.unicodeScalars.allSatisfy(idAllowed) })
        else {
            throw MailError.invalidMessageID(id)
        }
        for address in [message.from] + message.replyTo + message.to + message.cc { try address.validate() }
        guard !message.recipients.isEmpty else {
            throw MailError.invalidHeader(field: "To", reason: "no recipient")
        }
        if message.subject.unicodeScalars.contains(where: isControl) {
            throw MailError.invalidHeader(field: "Subject", reason: "contains a line break or a control character")
        }
        for attachment in message.attachments {
            if attachment.fileName.isEmpty || attachment.fileName.unicodeScalars.contains(where: isControl) {
                throw MailError.invalidHeader(
                    field: "Content-Disposition",
                    reason: "attachment file name \(quoted(attachment.fileName)) is empty or has a control character")
            }
            let type = attachment.contentType
            let mediaType = type.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
            let typeParts = mediaType.trimmingSpaces().split(separator: "/", omittingEmptySubsequences: false)
            guard MIMEEncoding.isPlainASCII(type), typeParts.count == 2,
                typeParts.allSatisfy({ !$0.isEmpty && !$0.contains(" ") })
            else {
                throw MailError.invalidHeader(
                    field: "Content-Type",
                    reason: "attachment type \(quoted(type)) is not type/subtype")
            }
        }
        if let uri = message.listUnsubscribe {
            let clean = MIMEEncoding.cleanToken(uri, dropping: ["<", ">"])
            guard clean == uri, uri.count <= 900, let colon = uri.firstIndex(of: ":"), colon != uri.startIndex else {
                throw MailError.invalidHeader(
                    field: "List-Unsubscribe",
                    reason: "\(quoted(uri)) is not an ASCII URI (percent-encode spaces and accents)")
            }
        }
    }

    // MARK: - Parts

    private struct Part {
        /// The part's own headers, each ending in CRLF.
        var headers: String
        var content: [UInt8]
    }

    private static func textPart(_ text: String) -> Part {
        Part(
            headers: "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n",
            content: quotedPrintable(text))
    }

    private static func htmlPart(_ html: String) -> Part {
        Part(
            headers: "Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n",
            content: quotedPrintable(html))
    }

    private static func quotedPrintable(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        MIMEEncoding.quotedPrintable(text, into: &out)
        return out
    }

    private static func attachmentPart(_ attachment: MailAttachment) -> Part {
        let isCalendar = attachment.fileName.lowercased().hasSuffix(".ics")
        // Calendar clients (Outlook, Apple Calendar, Thunderbird) offer "add to calendar" only for text/calendar
        // with a METHOD; PUBLISH is an information-only calendar, no invitation to answer.
        let type =
            isCalendar
            ? "text/calendar; charset=utf-8; method=PUBLISH"
            : MIMEEncoding.cleanToken(attachment.contentType.replacingOccurrences(of: " ", with: ""))
        let headers =
            MIMEEncoding.header("Content-Type", type.split(separator: " ").map(String.init))
            + "Content-Transfer-Encoding: base64\r\n"
            + MIMEEncoding.header(
                "Content-Disposition",
                ["attachment;", MIMEEncoding.parameter("filename", attachment.fileName)])
        var content: [UInt8] = []
        MIMEEncoding.base64Lines(attachment.bytes, into: &content)
        return Part(headers: headers, content: content)
    }

    private static func multipart(_ subtype: String, boundary: String, _ parts: [Part]) -> Part {
        // Boundaries start with "=_": that pair never occurs in quoted-printable or base64 text, so no body line
        // can be taken for a boundary.
        var content: [UInt8] = []
        content.reserveCapacity(parts.reduce(0) { $0 + $1.headers.utf8.count + $1.content.count + 64 } + 64)
        for part in parts {
            content.append(contentsOf: "--".utf8)
            content.append(contentsOf: boundary.utf8)
            content.append(contentsOf: "\r\n".utf8)
            content.append(contentsOf: part.headers.utf8)
            content.append(contentsOf: "\r\n".utf8)
            content.append(contentsOf: part.content)
        }
        content.append(contentsOf: "--".utf8)
        content.append(contentsOf: boundary.utf8)
        content.append(contentsOf: "--\r\n".utf8)
        return Part(headers: "Content-Type: multipart/\(subtype);\r\n boundary=\"\(boundary)\"\r\n", content: content)
    }

    // MARK: - Date

    /// "Tue, 24 Nov 2026 02:00:00 +0000": RFC 5322 §3.3, always in UTC so rendering does not depend on the machine.
    static func rfc5322Date(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int?) -> String {
            let v = value ?? 0
            return v < 10 ? "0\(v)" : "\(v)"
        }
        return "\(days[(c.weekday ?? 1) - 1]), \(two(c.day)) \(months[(c.month ?? 1) - 1]) \(c.year ?? 1970) "
            + "\(two(c.hour)):\(two(c.minute)):\(two(c.second)) +0000"
    }
}
