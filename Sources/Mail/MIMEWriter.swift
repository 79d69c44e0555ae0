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
        let text = Part.text(message.textBytes, subtype: "plain")
        let body: Part
        switch (message.htmlBytes, message.attachments.isEmpty) {
        case (nil, true):
            body = text
        case (let html?, true):
            body = .multipart("alternative", boundary: "=_alt_" + hash, [text, .text(html, subtype: "html")])
        case (nil, false):
            body = .multipart("mixed", boundary: "=_mixed_" + hash, [text] + message.attachments.map(attachmentPart))
        case (let html?, false):
            let alternative = Part.multipart(
                "alternative", boundary: "=_alt_" + hash, [text, .text(html, subtype: "html")])
            body = .multipart(
                "mixed", boundary: "=_mixed_" + hash,
                [alternative] + message.attachments.map(attachmentPart))
        }
        // Written once into one buffer made big enough beforehand: the bodies (hundreds of kilobytes for a
        // digest) go from the renderers' bytes to quoted-printable in place. Each part used to be encoded into an
        // array of its own (zero-filled to its worst case first), copied into its multipart, then into the
        // message: three copies of every body, in the 10 % of rendering a national night spent here.
        var buffer = MessageBuffer(capacity: head.utf8.count + body.bound)
        buffer.append(head)
        body.write(into: &buffer)
        return buffer.bytes()
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

    /// A MIME entity still to write: its headers and what its content is made from.
    private struct Part {
        enum Content {
            /// UTF-8 text, written as quoted-printable.
            case text([UInt8])
            /// An attachment's octets, written as base64 lines.
            case base64([UInt8])
            case multipart(boundary: String, [Part])
        }

        /// The part's own headers, each ending in CRLF.
        var headers: String
        var content: Content

        static func text(_ bytes: [UInt8], subtype: String) -> Part {
            Part(
                headers:
                    "Content-Type: text/\(subtype); charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n",
                content: .text(bytes))
        }

        static func multipart(_ subtype: String, boundary: String, _ parts: [Part]) -> Part {
            // Boundaries start with "=_": that pair never occurs in quoted-printable or base64 text, so no body line
            // can be taken for a boundary.
            Part(
                headers: "Content-Type: multipart/\(subtype);\r\n boundary=\"\(boundary)\"\r\n",
                content: .multipart(boundary: boundary, parts))
        }

        /// At least the octets `write` writes: the headers, the blank line and the content at its largest.
        var bound: Int {
            let own = headers.utf8.count + 2
            switch content {
            case .text(let bytes): return own + MIMEEncoding.quotedPrintableBound(bytes.count)
            case .base64(let bytes): return own + MIMEEncoding.base64LinesCount(bytes.count)
            case .multipart(let boundary, let parts):
                // "--boundary\r\n" before each part, "--boundary--\r\n" after the last.
                let line = boundary.utf8.count + 6
                return own + parts.reduce(line) { $0 + line + $1.bound }
            }
        }

        /// The headers, a blank line and the content.
        func write(into out: inout MessageBuffer) {
            out.append(headers)
            out.append("\r\n")
            switch content {
            case .text(let bytes): out.appendQuotedPrintable(bytes)
            case .base64(let bytes): out.appendBase64Lines(bytes)
            case .multipart(let boundary, let parts):
                for part in parts {
                    out.append("--")
                    out.append(boundary)
                    out.append("\r\n")
                    part.write(into: &out)
                }
                out.append("--")
                out.append(boundary)
                out.append("--\r\n")
            }
        }
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
        return Part(headers: headers, content: .base64(attachment.bytes))
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

/// A message being written: one allocation big enough for the whole message, written through a pointer, then
/// copied once into an array of the exact size (the room reserved for quoted-printable's worst case, three
/// times the text, is not kept in every outbox entry).
private struct MessageBuffer: ~Copyable {
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var count = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 64)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// Makes room for `n` more octets. `Part.bound` sizes the buffer beforehand, so this never grows it unless
    /// that bound is wrong; it stays a check rather than a write past the end.
    private mutating func reserve(_ n: Int) {
        guard count + n > capacity else { return }
        let grown = max(capacity * 2, count + n)
        let new = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
        new.update(from: base, count: count)
        base.deallocate()
        base = new
        capacity = grown
    }

    mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { append($0) }
    }

    mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { append($0) }
    }

    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        reserve(bytes.count)
        (base + count).update(from: source, count: bytes.count)
        count += bytes.count
    }

    /// `text` as quoted-printable (``MIMEEncoding/quotedPrintable(_:)``), encoded in place.
    mutating func appendQuotedPrintable(_ text: [UInt8]) {
        reserve(MIMEEncoding.quotedPrintableBound(text.count))
        let start = base + count
        count += text.withUnsafeBufferPointer { MIMEEncoding.encodeLines($0, into: start) }
    }

    /// `bytes` as base64 lines (``MIMEEncoding/base64Lines(_:)``), encoded in place.
    mutating func appendBase64Lines(_ bytes: [UInt8]) {
        reserve(MIMEEncoding.base64LinesCount(bytes.count))
        let start = base + count
        count += bytes.withUnsafeBufferPointer { MIMEEncoding.encodeBase64Lines($0, into: start) }
    }

    /// The octets written, in an array of their size.
    func bytes() -> [UInt8] {
        // `self` is borrowed for the whole call: its memory outlives the copy.
        let (source, count) = (base, count)
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            if let target = buffer.baseAddress { target.update(from: source, count: count) }
            initialized = count
        }
    }
}
