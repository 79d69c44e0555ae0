import Foundation
import Mail
import Store
import TestSupport
import Testing

@testable import Pipeline

/// Sending the outbox through a real SMTP server on loopback (`SMTPSink`), from the store's own entries.
@Suite struct MailDeliverySendTests {
    let now = instant("2026-05-05T02:00:00Z")

    func entry(_ cluster: String, _ audience: String, _ rcpt: String, body: String) -> OutboxEntry {
        let id = "vigie.\(cluster).2026-05-05.1.\(audience.replacingOccurrences(of: ":", with: "-"))@example.org"
        let message =
            "Message-ID: <\(id)>\r\nFrom: veille@example.org\r\nTo: \(rcpt)\r\nSubject: Veille\r\n"
            + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\(body)\r\n"
        return OutboxEntry(
            messageID: id, recipient: rcpt, cluster: cluster, stamp: "2026-05-05", edition: 1, audience: audience,
            envelopeFrom: "veille@example.org", subject: "Veille", message: OutboxMessage(Array(message.utf8)),
            createdAt: now)
    }

    @Test func oneClustersMailIsSentEachRecipientWithItsOwnMessageAndTheOtherClusterWaits() throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        let ws = try Workspace()
        let store = try NoticeStore(path: ws.storePath)
        let staff = ["a@example.org", "b@example.org", "c@example.org"].map {
            entry("mecaloire", "staff", $0, body: "Trois avis pour l'\u{E9}quipe.")
        }
        let member = entry("mecaloire", "member:m1", "m1@example.org", body: "Un avis pour vous.")
        let other = entry("nucleaire", "member:n1", "n1@example.org", body: "Autre p\u{F4}le.")
        try store.enqueueMail(staff + [member, other])

        let report = try MailDelivery(store: store).send(
            settings: try SMTPSettings(url: sink.url), clusters: ["mecaloire"], now: { self.now })
        #expect(report.accepted == 4)
        #expect(report.failed.isEmpty && report.unreachable == nil)
        #expect(report.pending == 0, "pending counts the clusters sent, not the one left out")

        let received = try sink.waitForMessages(4)
        #expect(received.count == 4)
        // Each recipient got its own message's bytes (the staff's message read once, sent three times).
        var byRecipient: [String: [UInt8]] = [:]
        for m in received { for r in m.recipients { byRecipient[r.lowercased()] = m.raw } }
        for e in staff + [member] {
            let got = byRecipient[e.recipient].map { String(decoding: $0, as: UTF8.self) } ?? ""
            #expect(
                got.contains(
                    String(decoding: try e.message.bytes(), as: UTF8.self).split(separator: "\r\n").last ?? "?"))
            #expect(got.contains("Message-ID: <\(e.messageID)>"))
        }
        #expect(byRecipient["n1@example.org"] == nil, "the other cluster's mail is not sent")
        #expect(try store.pendingRecipients().map(\.recipient) == ["n1@example.org"])
        #expect(try store.outbox(cluster: "mecaloire").allSatisfy { $0.state == .accepted })
    }

    /// A digest's e-mail as the night composes it (long quoted-printable text, HTML, a calendar) goes through the
    /// outbox compressed and reaches the server byte for byte as composed; a damaged stored message is refused for
    /// good, named, and does not hold back the e-mails after it.
    @Test func aComposedMailIsSentAsComposedAndADamagedOneHoldsBackNoOther() throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        let ws = try Workspace()
        let store = try NoticeStore(path: ws.storePath)
        let line = "Usinage de pi\u{E8}ces m\u{E9}caniques \u{2014} Saint-\u{C9}tienne (42), r\u{E9}ponse le 8 juin.\n"
        let ics = Array(String(repeating: "BEGIN:VEVENT\r\nSUMMARY:Date limite\r\nEND:VEVENT\r\n", count: 200).utf8)
        func composed(_ audience: String, _ to: [String]) throws -> (MailMessage, [OutboxEntry]) {
            let message = MailMessage(
                messageID: "vigie.mecaloire.2026-05-05.1.\(audience)@example.org", date: now,
                from: try MailAddress.parse("veille@example.org"), to: try to.map(MailAddress.parse),
                subject: "Veille \u{2014} 3 avis", textBody: String(repeating: line, count: 300),
                htmlBody: "<ul>" + String(repeating: "<li>\(line)</li>", count: 300) + "</ul>",
                attachments: [
                    MailAttachment(
                        fileName: "echeances.ics", contentType: "text/calendar; charset=utf-8; method=PUBLISH",
                        bytes: ics)
                ])
            return (
                message,
                try MailComposer.outbox(
                    message, cluster: "mecaloire", stamp: "2026-05-05", edition: 1, audience: audience, now: now)
            )
        }
        let (staffMail, staff) = try composed("staff", ["a@example.org", "b@example.org"])
        var (_, member) = try composed("member-m1", ["m1@example.org"])
        #expect(staff.allSatisfy { $0.message.encoding == .zstd })
        var damaged = member[0].message.stored
        damaged[damaged.count / 2] ^= 0x20
        member[0].message = OutboxMessage(stored: damaged, encoding: .zstd)
        try store.enqueueMail(staff + member)

        // The member's message comes first in the outbox's order: the staff's are sent after its failure.
        let report = try MailDelivery(store: store).send(settings: try SMTPSettings(url: sink.url), now: { self.now })
        #expect(report.accepted == 2)
        #expect(report.failed.map(\.recipient) == ["m1@example.org"])
        let reply = report.failed.first?.reply ?? ""
        #expect(reply.contains("outbox message \(member[0].messageID) to m1@example.org cannot be read"), "\(reply)")
        let received = try sink.waitForMessages(2)
        #expect(received.count == 2)
        for m in received { #expect(m.raw == MIMEWriter.render(staffMail)) }
        #expect(try store.outbox().first { $0.recipient == "m1@example.org" }?.state == .failed)
        #expect(try store.unreportedMailFailures(cluster: "mecaloire").map(\.recipient) == ["m1@example.org"])
        #expect(try store.pendingRecipients().isEmpty)
    }
}
