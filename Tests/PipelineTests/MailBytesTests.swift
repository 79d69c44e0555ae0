import Digest
import Foundation
import Store
import TestSupport
import Testing

@testable import Mail
@testable import Pipeline

/// E-mails composed from the rendered parts' bytes are, byte for byte, the e-mails composed before from the parts
/// decoded into strings (the reference below is that path, kept here only).
@Suite struct MailBytesTests {
    /// The MIME writer as it was when the bodies were strings: each part quoted-printable in an array of its
    /// own, assembled into its multipart, then into the message.
    enum Reference {
        struct Part {
            var headers: String
            var content: [UInt8]
        }

        static func render(_ m: MailMessage, text: String, html: String?) -> [UInt8] {
            var head = ""
            let id = MIMEEncoding.cleanToken(m.messageID, dropping: ["<", ">"])
            head += MIMEEncoding.header("Message-ID", ["<" + id + ">"])
            head += MIMEEncoding.header("Date", [MIMEWriter.rfc5322Date(m.date)])
            head += MIMEEncoding.header("From", MIMEEncoding.addressListTokens([m.from]))
            if !m.replyTo.isEmpty { head += MIMEEncoding.header("Reply-To", MIMEEncoding.addressListTokens(m.replyTo)) }
            head += MIMEEncoding.header(
                "To", m.to.isEmpty ? ["undisclosed-recipients:;"] : MIMEEncoding.addressListTokens(m.to))
            if !m.cc.isEmpty { head += MIMEEncoding.header("Cc", MIMEEncoding.addressListTokens(m.cc)) }
            head += MIMEEncoding.header("Subject", MIMEEncoding.unstructuredTokens(MIMEEncoding.clean(m.subject)))
            if let uri = m.listUnsubscribe {
                head += MIMEEncoding.header(
                    "List-Unsubscribe", ["<" + MIMEEncoding.cleanToken(uri, dropping: ["<", ">"]) + ">"])
            }
            head += MIMEEncoding.header("Auto-Submitted", ["auto-generated"])
            head += MIMEEncoding.header("MIME-Version", ["1.0"])
            let hash = MIMEEncoding.stableHash(id)
            func textPart(_ s: String, _ subtype: String) -> Part {
                var content: [UInt8] = []
                MIMEEncoding.quotedPrintable(s, into: &content)
                return Part(
                    headers:
                        "Content-Type: text/\(subtype); charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n",
                    content: content)
            }
            func attachment(_ a: MailAttachment) -> Part {
                let type =
                    a.fileName.lowercased().hasSuffix(".ics")
                    ? "text/calendar; charset=utf-8; method=PUBLISH"
                    : MIMEEncoding.cleanToken(a.contentType.replacingOccurrences(of: " ", with: ""))
                // Foundation's base64, lines of 76 ended by CRLF, the last one too.
                let base64 = Data(a.bytes).base64EncodedString(
                    options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
                let content = a.bytes.isEmpty ? [] : Array((base64 + "\r\n").utf8)
                return Part(
                    headers: MIMEEncoding.header("Content-Type", type.split(separator: " ").map(String.init))
                        + "Content-Transfer-Encoding: base64\r\n"
                        + MIMEEncoding.header(
                            "Content-Disposition", ["attachment;", MIMEEncoding.parameter("filename", a.fileName)]),
                    content: content)
            }
            func multipart(_ subtype: String, _ boundary: String, _ parts: [Part]) -> Part {
                var content: [UInt8] = []
                for p in parts {
                    content += Array("--\(boundary)\r\n\(p.headers)\r\n".utf8) + p.content
                }
                content += Array("--\(boundary)--\r\n".utf8)
                return Part(
                    headers: "Content-Type: multipart/\(subtype);\r\n boundary=\"\(boundary)\"\r\n", content: content)
            }
            let plain = textPart(text, "plain")
            let body: Part
            switch (html, m.attachments.isEmpty) {
            case (nil, true): body = plain
            case (let html?, true): body = multipart("alternative", "=_alt_" + hash, [plain, textPart(html, "html")])
            case (nil, false): body = multipart("mixed", "=_mixed_" + hash, [plain] + m.attachments.map(attachment))
            case (let html?, false):
                let alternative = multipart("alternative", "=_alt_" + hash, [plain, textPart(html, "html")])
                body = multipart("mixed", "=_mixed_" + hash, [alternative] + m.attachments.map(attachment))
            }
            return Array((head + body.headers + "\r\n").utf8) + body.content
        }

        /// A composed message as the string path composed it: its parts decoded, then encoded again.
        static func render(_ m: MailMessage) -> [UInt8] {
            render(
                m, text: String(decoding: m.textBytes, as: UTF8.self),
                html: m.htmlBytes.map { String(decoding: $0, as: UTF8.self) })
        }
    }

    /// The golden sample digest's own renderings (`Tests/DigestTests/Golden`).
    static func golden(_ name: String) throws -> [UInt8] {
        Array(
            try Data(
                contentsOf: SharedData.packageRoot.appendingPathComponent("Tests/DigestTests/Golden/sample.\(name)")))
    }

    static let night = Date(timeIntervalSince1970: 1_795_485_600)

    /// Messages of every shape from the golden digest's Markdown, HTML and iCalendar: the same bytes both ways.
    @Test func goldenDigestComposesToTheSameBytes() throws {
        let (text, html, ics) = (try Self.golden("md"), try Self.golden("html"), try Self.golden("ics"))
        // What the golden files hold: the sample's tender, with its accents and its deadline.
        #expect(String(decoding: text, as: UTF8.self).contains("Décolletage"))
        #expect(String(decoding: ics, as: UTF8.self).contains("BEGIN:VEVENT"))
        let content = DigestMailContent(
            subject: "Veille Pôle Méca Loire — 3 avis", textBytes: text, htmlBytes: html, calendar: ics,
            calendarFileName: "echeances-mecaloire-2026-05-05.ics")
        let base = MailMessage(
            messageID: "vigie.mecaloire.2026-05-05.1.staff@mecaloire.example.org", date: Self.night,
            from: MailAddress("veille@mecaloire.example.org", name: "Veille Méca Loire"),
            replyTo: [MailAddress("contact@mecaloire.example.org")],
            to: [MailAddress("equipe@mecaloire.example.org", name: "Équipe")],
            cc: [MailAddress("dg@mecaloire.example.org")], subject: content.subject, textBytes: content.textBytes,
            htmlBytes: content.htmlBytes,
            attachments: [MailAttachment(fileName: content.calendarFileName, contentType: "text/calendar", bytes: ics)],
            listUnsubscribe: "mailto:equipe@mecaloire.example.org?subject=d%C3%A9sinscription")
        var shapes = [base]
        var noHTML = base
        noHTML.htmlBytes = nil
        shapes.append(noHTML)
        var noAttachment = base
        noAttachment.attachments = []
        shapes.append(noAttachment)
        noAttachment.htmlBytes = nil
        shapes.append(noAttachment)
        // Text alone, and empty bodies.
        var empty = base
        empty.textBytes = []
        empty.htmlBytes = []
        shapes.append(empty)
        // Attachments around base64's groups and lines: 57 octets are one line of 76, exactly.
        var sizes = noHTML
        sizes.attachments = [0, 1, 2, 3, 56, 57, 58, 114, 115, ics.count].map { n in
            MailAttachment(
                fileName: "piece-\(n).bin", contentType: "application/octet-stream", bytes: Array(ics.prefix(n)))
        }
        shapes.append(sizes)
        for m in shapes {
            let bytes = MIMEWriter.render(m)
            #expect(bytes == Reference.render(m))
            #expect(bytes.count == Reference.render(m).count)
        }
        #expect(MIMEWriter.render(base).count > text.count + html.count)
    }

    /// Every e-mail of an edition routed from the real BOAMP and TED captures, composed as the night composes it,
    /// is the string path's message, and one message's outbox entries share its bytes (no copy per recipient).
    @Test(.requiresShared) func realCaptureEditionComposesToTheSameBytes() throws {
        let t = EditionRenderingTests()
        let ws = try Workspace()
        let prepared = try t.prepare(try t.realStore(ws), ws)
        let composer = t.composer(prepared)
        let plan = try #require(try composer.plan(prepared))
        let outbox = try t.rendered(prepared, workers: 2, window: 8).outbox
        var checked = 0
        for mail in plan.mails {
            let entries = outbox.filter { $0.audience == mail.audience }
            let first = try #require(entries.first)
            // The message as the string path composed it: the same envelope, headers and parts.
            let content = try mail.input.mailContent()
            let message = MailMessage(
                messageID: first.messageID, date: t.night, from: plan.envelope.sender, replyTo: plan.envelope.replyTo,
                to: mail.to, subject: content.subject, textBody: content.text, htmlBody: content.html,
                attachments: content.calendar.map {
                    [MailAttachment(fileName: content.calendarFileName, contentType: "text/calendar", bytes: $0)]
                } ?? [],
                listUnsubscribe: plan.envelope.unsubscribe)
            let reference = Reference.render(message, text: content.text, html: content.html)
            for e in entries {
                #expect(try e.message.bytes() == reference)
                e.message.stored.withUnsafeBufferPointer { a in
                    first.message.stored.withUnsafeBufferPointer { b in #expect(a.baseAddress == b.baseAddress) }
                }
            }
            checked += 1
        }
        #expect(checked == 4)
        // The staff's text part carries the raw record's `objet` (BOAMP 26-7308), quoted-printable.
        let staff = String(
            decoding: try #require(outbox.first { $0.audience == "staff" }).message.bytes(), as: UTF8.self)
        #expect(staff.contains("Prestations traiteurs pour l'URSSAF Normandie"))
    }
}
