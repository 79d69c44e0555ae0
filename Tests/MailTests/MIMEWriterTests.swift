import Foundation
import Testing
import TestSupport
@testable import Mail

@Suite struct MIMEWriterTests {
    @Test func sameMessageRendersToTheSameBytes() {
        let first = MIMEWriter.render(memberMessage())
        let again = MIMEWriter.render(memberMessage())
        #expect(first == again)
        // The boundaries come from the Message-ID: another id, other boundaries.
        let other = MIMEWriter.render(memberMessage(id: "mecaloire.2026-11-24.2.autre@vigie.invalid"))
        #expect(other != first)
        let text = String(decoding: first, as: UTF8.self)
        #expect(text.contains("boundary=\"=_mixed_"))
        #expect(text.contains("boundary=\"=_alt_"))
    }

    @Test func messageIsSevenBitWithCRLFAndShortLines() {
        let bytes = MIMEWriter.render(memberMessage())
        #expect(bytes.allSatisfy { $0 < 128 }, "8-bit byte in the message")
        // Every LF is part of a CRLF and every CR is followed by LF: no bare line ends.
        for (index, byte) in bytes.enumerated() where byte == 10 {
            #expect(index > 0 && bytes[index - 1] == 13)
        }
        for (index, byte) in bytes.enumerated() where byte == 13 {
            #expect(index + 1 < bytes.count && bytes[index + 1] == 10)
        }
        let lines = crlfLines(bytes)
        #expect(lines.allSatisfy { $0.count <= 998 })
        // Headers are folded to 78 columns, bodies are QP or base64 at 76.
        let longest = lines.map(\.count).max() ?? 0
        #expect(longest <= 78, "longest line \(longest)")
    }

    @Test func frenchSubjectAndNamesAreEncodedWordsThatPythonDecodes() throws {
        let message = memberMessage()
        let bytes = MIMEWriter.render(message)
        let fields = headerFields(bytes)
        let subject = try #require(fields.first { $0.hasPrefix("Subject:") })
        #expect(subject.contains("=?UTF-8?B?"))
        // No encoded-word over RFC 2047's 75 characters.
        let words = subject.split(separator: " ").filter { $0.hasPrefix("=?") }
        #expect(!words.isEmpty && words.allSatisfy { $0.count <= 75 })
        let from = try #require(fields.first { $0.hasPrefix("From:") })
        #expect(from.hasSuffix("<veille@example.org>"))

        let parsed = try PythonEmail.parse(bytes)
        #expect(parsed.defects == [])
        #expect(parsed.subject == frenchSubject)
        #expect(parsed.from == [PythonEmail.Mailbox(name: "Pôle Méca Loire", address: "veille@example.org")])
        #expect(parsed.replyTo == [PythonEmail.Mailbox(name: "Équipe veille", address: "equipe@example.org")])
        #expect(
            parsed.to == [
                PythonEmail.Mailbox(
                    name: "Décolletage du Furan",
                    address: "contact@decolletage-furan.example.org")
            ])
        #expect(parsed.cc == [PythonEmail.Mailbox(name: "", address: "achats@decolletage-furan.example.org")])
        #expect(parsed.messageId == "<mecaloire.2026-11-24.1.decolletage-furan@vigie.invalid>")
        #expect(parsed.date == "Tue, 24 Nov 2026 02:00:00 +0000")
        #expect(parsed.listUnsubscribe == "<mailto:equipe@example.org?subject=d%C3%A9sinscription>")
        #expect(parsed.autoSubmitted == "auto-generated")
    }

    @Test func bodiesAndCalendarComeBackIntact() throws {
        let message = memberMessage()
        let parsed = try PythonEmail.parse(MIMEWriter.render(message))
        #expect(
            parsed.contentTypes == [
                "multipart/mixed", "multipart/alternative", "text/plain", "text/html",
                "text/calendar",
            ])
        // In a multipart the CRLF before a boundary belongs to the boundary (RFC 2046 §5.1.1): the text comes
        // back exactly, with no added line end.
        #expect(parsed.text == message.textBody)
        #expect(parsed.html == message.htmlBody)
        let calendar = try #require(parsed.attachments.first)
        #expect(parsed.attachments.count == 1)
        #expect(calendar.filename == "echeances.ics")
        #expect(calendar.bytes == calendarBytes)
        #expect(calendar.contentType == "text/calendar")
        #expect(calendar.params == ["charset": "utf-8", "method": "PUBLISH"])
    }

    @Test func fromAndDotAtLineStartAreEncodedAndComeBack() throws {
        var message = memberMessage()
        message.attachments = []
        message.htmlBody = nil
        message.textBody = "From Saint-Étienne\n.\nFromage\n"
        let bytes = MIMEWriter.render(message)
        let body = String(decoding: bytes, as: UTF8.self)
        #expect(body.contains("\r\n=46rom Saint-=C3=89tienne\r\n=2E\r\nFromage\r\n"))
        let parsed = try PythonEmail.parse(bytes)
        #expect(parsed.text == "From Saint-Étienne\n.\nFromage\n")
    }

    @Test func emptySubjectIsAnEmptyHeader() throws {
        var message = memberMessage()
        message.subject = ""
        let bytes = MIMEWriter.render(message)
        #expect(headerFields(bytes).contains("Subject:"))
        let parsed = try PythonEmail.parse(bytes)
        #expect(parsed.subject == "")
    }

    @Test func textOnlyMessageIsOneTextPart() throws {
        var message = memberMessage()
        message.htmlBody = nil
        message.attachments = []
        message.textBody = "Rien de nouveau cette nuit.\nÀ demain."
        let parsed = try PythonEmail.parse(MIMEWriter.render(message))
        #expect(parsed.contentTypes == ["text/plain"])
        #expect(parsed.text == "Rien de nouveau cette nuit.\nÀ demain.\n")
        #expect(parsed.defects == [])
    }

    @Test func htmlWithoutAttachmentIsAlternativeAlone() throws {
        var message = memberMessage()
        message.attachments = []
        let parsed = try PythonEmail.parse(MIMEWriter.render(message))
        #expect(parsed.contentTypes == ["multipart/alternative", "text/plain", "text/html"])
        #expect(parsed.defects == [])
    }

    @Test func attachmentWithoutHTMLIsMixedWithTheText() throws {
        var message = memberMessage()
        message.htmlBody = nil
        message.attachments.append(
            MailAttachment(
                fileName: "synthèse été.pdf", contentType: "application/pdf",
                bytes: Array(0...255)))
        let parsed = try PythonEmail.parse(MIMEWriter.render(message))
        #expect(parsed.contentTypes == ["multipart/mixed", "text/plain", "text/calendar", "application/pdf"])
        #expect(parsed.attachments.map(\.filename) == ["echeances.ics", "synthèse été.pdf"])
        #expect(parsed.attachments.last?.bytes == Array(0...255))
        #expect(parsed.defects == [])
    }

    @Test func veryLongLinesAndLongHeadersAreFolded() throws {
        var message = memberMessage()
        message.textBody = String(repeating: "x", count: 3000) + "\n" + String(repeating: "é", count: 1500)
        message.subject = Array(repeating: "Appel d'offres usinage", count: 12).joined(separator: " ")
        message.to = (1...12).map { MailAddress("adherent\($0)@example.org", name: "Adhérent numéro \($0)") }
        let bytes = MIMEWriter.render(message)
        #expect(crlfLines(bytes).allSatisfy { $0.count <= 78 })
        let parsed = try PythonEmail.parse(bytes)
        #expect(parsed.text == message.textBody)
        #expect(parsed.subject == message.subject)
        #expect(parsed.to.map(\.address) == message.to.map(\.address))
        #expect(parsed.to.map(\.name) == message.to.map { $0.name ?? "" })
        #expect(parsed.defects == [])
    }

    @Test func headerInjectionIsRefusedAndNeutralised() throws {
        var message = memberMessage()
        message.subject = "Veille\r\nBcc: espion@example.com"
        #expect(throws: MailError.self) { try MIMEWriter.validate(message) }
        let bytes = MIMEWriter.render(message)
        #expect(!headerFields(bytes).contains { $0.hasPrefix("Bcc:") })
        let parsed = try PythonEmail.parse(bytes)
        #expect(parsed.subject == "Veille  Bcc: espion@example.com")

        var named = memberMessage()
        named.to = [MailAddress("contact@example.org", name: "Furan\nBcc: espion@example.com")]
        #expect(throws: MailError.self) { try MIMEWriter.validate(named) }
        #expect(!headerFields(MIMEWriter.render(named)).contains { $0.hasPrefix("Bcc:") })

        var address = memberMessage()
        address.cc = [MailAddress("a@example.org>\r\nBcc: espion@example.com")]
        #expect(throws: MailError.self) { try MIMEWriter.validate(address) }
        #expect(!headerFields(MIMEWriter.render(address)).contains { $0.hasPrefix("Bcc:") })
    }

    @Test(arguments: [
        "<a@vigie.invalid>", "a b@vigie.invalid", "a@vigie.invalid\r\nBcc: x@y.fr", "sans-arobase",
        "a@b@c", "@vigie.invalid", "",
    ])
    func invalidMessageIDIsRefused(_ id: String) {
        #expect(throws: MailError.self) { try MIMEWriter.validate(memberMessage(id: id)) }
    }

    @Test func validMessagePassesValidation() throws {
        try MIMEWriter.validate(memberMessage())
    }

    @Test func dateIsRFC5322InUTC() {
        #expect(MIMEWriter.rfc5322Date(demoNight) == "Tue, 24 Nov 2026 02:00:00 +0000")
        #expect(MIMEWriter.rfc5322Date(Date(timeIntervalSince1970: 0)) == "Thu, 01 Jan 1970 00:00:00 +0000")
    }

    /// Subjects Python's email package must decode to exactly what was given.
    @Test(arguments: [
        "Veille",
        "Veille Méca Loire — 3 avis pour vous, dont 1 à rendre cette semaine",
        "🔧 Usinage : 5 avis, 👷 2 consortiums à monter",
        "Deux  espaces et =?UTF-8?Q?pas_un_mot_encodé?= littéral",
        String(repeating: "Appel à projets ", count: 20),
        "Ünïcödé " + String(repeating: "x", count: 200),
        "ASCII only but a very long word " + String(repeating: "y", count: 120),
    ])
    func subjectsComeBackExactly(_ subject: String) throws {
        var message = memberMessage()
        message.subject = subject
        let bytes = MIMEWriter.render(message)
        #expect(crlfLines(bytes).allSatisfy { $0.count <= 78 })
        let parsed = try PythonEmail.parse(bytes)
        #expect(parsed.subject == subject)
        #expect(parsed.defects == [])
    }

    @Test func displayNamesWithSpecialsAreQuoted() throws {
        var message = memberMessage()
        message.to = [
            MailAddress("jean.dupont@example.org", name: "Dupont, Jean"),
            MailAddress("jj@example.org", name: "Jean \"JJ\" Dupont (achats)"),
            MailAddress("bare@example.org", name: ""),
        ]
        let bytes = MIMEWriter.render(message)
        let to = try #require(headerFields(bytes).first { $0.hasPrefix("To:") })
        #expect(to.contains("\"Dupont, Jean\" <jean.dupont@example.org>,"))
        let parsed = try PythonEmail.parse(bytes)
        #expect(
            parsed.to == [
                PythonEmail.Mailbox(name: "Dupont, Jean", address: "jean.dupont@example.org"),
                PythonEmail.Mailbox(name: "Jean \"JJ\" Dupont (achats)", address: "jj@example.org"),
                PythonEmail.Mailbox(name: "", address: "bare@example.org"),
            ])
        #expect(parsed.defects == [])
    }

    @Test func ccOnlyMessageStillHasATo() throws {
        var message = memberMessage()
        message.to = []
        let parsed = try PythonEmail.parse(MIMEWriter.render(message))
        #expect(parsed.to == [])
        #expect(parsed.cc.map(\.address) == ["achats@decolletage-furan.example.org"])
        #expect(parsed.defects == [])
        try MIMEWriter.validate(message)
    }

    @Test func recipientsAreToThenCcEachOnce() {
        var message = memberMessage()
        message.cc.append(MailAddress("Contact@Decolletage-Furan.example.org"))
        #expect(
            message.recipients.map(\.address) == [
                "contact@decolletage-furan.example.org",
                "achats@decolletage-furan.example.org",
            ])
    }
}
