import Foundation
import Testing
import TestSupport
@testable import Mail

/// Real SMTP on loopback: `SMTPSink` (aiosmtpd) with scripted faults.
@Suite struct SMTPSenderTests {
    let bytes = MIMEWriter.render(memberMessage())
    let from = "veille@example.org"

    @Test func acceptedMessageArrivesByteForByte() throws {
        let sink = try SMTPSink()
        let sender = try SMTPSender(settings: SMTPSettings(url: sink.url, timeoutSeconds: 10))
        let outcome = sender.send(bytes, from: from, to: "contact@decolletage-furan.example.org")
        #expect(outcome == .accepted(reply: "250 2.0.0 Ok: queued as 1"))
        sender.close()
        let received = try sink.received()
        #expect(received.count == 1)
        #expect(received.first?.envelopeFrom == from)
        #expect(received.first?.recipients == ["contact@decolletage-furan.example.org"])
        #expect(received.first?.messageID == "mecaloire.2026-11-24.1.decolletage-furan@vigie.invalid")
        // Dot-stuffing by libcurl and unstuffing by the server leave the message as rendered.
        #expect(received.first?.raw == bytes)
        let parsed = try PythonEmail.parse(try #require(received.first?.raw))
        #expect(parsed.subject == frenchSubject)
        #expect(parsed.defects == [])
    }

    @Test func refusedRecipientIsPermanentAndTheNextOneStillGetsIt() throws {
        let sink = try SMTPSink(.init(refuseRecipients: ["parti@example.org"]))
        let sender = try SMTPSender(settings: SMTPSettings(url: sink.url, timeoutSeconds: 10))
        let refused = sender.send(bytes, from: from, to: "parti@example.org")
        guard case .permanentFailure(let code, let text) = refused else {
            Issue.record("expected a permanent failure, got \(refused)")
            return
        }
        #expect(code == 550)
        #expect(text.contains("Recipient address rejected"))
        let next = sender.send(bytes, from: from, to: "contact@decolletage-furan.example.org")
        #expect(next == .accepted(reply: "250 2.0.0 Ok: queued as 1"))
        let received = try sink.received()
        #expect(received.map(\.recipients) == [["contact@decolletage-furan.example.org"]])
    }

    @Test func temporaryFailureThenRetryIsAcceptedOnce() throws {
        let sink = try SMTPSink(.init(temporaryFailuresOnData: 1))
        let sender = try SMTPSender(settings: SMTPSettings(url: sink.url, timeoutSeconds: 10))
        let first = sender.send(bytes, from: from, to: "contact@example.org")
        guard case .temporaryFailure(let code, let text) = first else {
            Issue.record("expected a temporary failure, got \(first)")
            return
        }
        #expect(code == 451)
        #expect(text.contains("try again later"))
        #expect(try sink.received().isEmpty)
        let retry = sender.send(bytes, from: from, to: "contact@example.org")
        #expect(retry == .accepted(reply: "250 2.0.0 Ok: queued as 1"))
        let received = try sink.received()
        #expect(received.count == 1)
        #expect(received.first?.messageID == "mecaloire.2026-11-24.1.decolletage-furan@vigie.invalid")
    }

    @Test func serverNotListeningIsUnreachable() throws {
        let sink = try SMTPSink()
        let url = sink.url
        sink.stop()
        let sender = try SMTPSender(settings: SMTPSettings(url: url, timeoutSeconds: 5))
        let outcome = sender.send(bytes, from: from, to: "contact@example.org")
        guard case .unreachable(let text) = outcome else {
            Issue.record("expected unreachable, got \(outcome)")
            return
        }
        #expect(text.contains("onnect"), "\(text)")
    }

    @Test func serverGoingDownMidSessionIsUnreachableForTheRest() throws {
        let sink = try SMTPSink(.init(downAfterAccepted: 1))
        let sender = try SMTPSender(settings: SMTPSettings(url: sink.url, timeoutSeconds: 5))
        #expect(sender.send(bytes, from: from, to: "un@example.org") == .accepted(reply: "250 2.0.0 Ok: queued as 1"))
        #expect(try sink.waitUntilDown())
        let second = sender.send(bytes, from: from, to: "deux@example.org")
        guard case .unreachable = second else {
            Issue.record("expected unreachable, got \(second)")
            return
        }
        #expect(try sink.received().map(\.recipients) == [["un@example.org"]])
    }

    @Test func slowServerPastTheTimeoutIsUnreachable() throws {
        let sink = try SMTPSink(.init(rcptDelayMilliseconds: 2500))
        let sender = try SMTPSender(settings: SMTPSettings(url: sink.url, timeoutSeconds: 1))
        let start = Date()
        let outcome = sender.send(bytes, from: from, to: "contact@example.org")
        guard case .unreachable = outcome else {
            Issue.record("expected unreachable, got \(outcome)")
            return
        }
        #expect(Date().timeIntervalSince(start) < 2.4)
        sender.close()
        Thread.sleep(forTimeInterval: 2.0)
        #expect(try sink.received().isEmpty)
    }

    @Test func authenticatesWithTheURLUserAndThePassword() throws {
        let sink = try SMTPSink(.init(credentials: .init(user: "veille@example.org", password: "s3cret é")))
        let url = "smtp://veille%40example.org@127.0.0.1:\(sink.port)"
        let sender = try SMTPSender(settings: SMTPSettings(url: url, password: "s3cret é", timeoutSeconds: 10))
        #expect(
            sender.send(bytes, from: from, to: "contact@example.org")
                == .accepted(reply: "250 2.0.0 Ok: queued as 1"))

        let wrong = try SMTPSender(settings: SMTPSettings(url: url, password: "faux", timeoutSeconds: 10))
        let refused = wrong.send(bytes, from: from, to: "contact@example.org")
        guard case .permanentFailure(let code, _) = refused else {
            Issue.record("expected a permanent failure, got \(refused)")
            return
        }
        #expect(code == 535)
        #expect(try sink.received().count == 1)
    }

    @Test func connectionIsReusedForSeveralMessages() throws {
        let sink = try SMTPSink()
        let sender = try SMTPSender(settings: SMTPSettings(url: sink.url, timeoutSeconds: 10))
        let recipients = ["un@example.org", "deux@example.org", "trois@example.org"]
        for (index, recipient) in recipients.enumerated() {
            let message = MIMEWriter.render(memberMessage(id: "mecaloire.2026-11-24.\(index).x@vigie.invalid"))
            #expect(
                sender.send(message, from: from, to: recipient)
                    == .accepted(reply: "250 2.0.0 Ok: queued as \(index + 1)"))
        }
        sender.close()
        let received = try sink.received()
        #expect(received.map(\.recipients) == recipients.map { [$0] })
        #expect(Set(received.map(\.session)) == [1])
        #expect(try sink.sessionCount() == 1)
    }

    @Test(arguments: ["contact@example.org>\r\nRCPT TO:<espion@example.com", "pas une adresse", ""])
    func envelopeInjectionIsRefusedBeforeSending(_ recipient: String) throws {
        let sink = try SMTPSink()
        let sender = try SMTPSender(settings: SMTPSettings(url: sink.url, timeoutSeconds: 10))
        let outcome = sender.send(bytes, from: from, to: recipient)
        guard case .permanentFailure(let code, let text) = outcome else {
            Issue.record("expected a refusal, got \(outcome)")
            return
        }
        #expect(code == 0)
        #expect(text.hasPrefix("mail: "))
        #expect(try sink.sessionCount() == 0)
    }

    @Test func linesMadeOfDotsAndALargeAttachmentArriveIntact() throws {
        // Raw bytes, not from MIMEWriter: lines "." and ".." are SMTP's end-of-data and its escape.
        let raw = Array("Message-ID: <dots@vigie.invalid>\r\nSubject: points\r\n\r\n.\r\n..\r\n.x\r\nfin\r\n".utf8)
        let sink = try SMTPSink()
        let sender = try SMTPSender(settings: SMTPSettings(url: sink.url, timeoutSeconds: 20))
        #expect(sender.send(raw, from: from, to: "un@example.org") == .accepted(reply: "250 2.0.0 Ok: queued as 1"))
        var big = memberMessage(id: "big@vigie.invalid")
        big.attachments.append(
            MailAttachment(
                fileName: "dossier.bin", contentType: "application/octet-stream",
                bytes: (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }))
        let bigBytes = MIMEWriter.render(big)
        #expect(
            sender.send(bigBytes, from: from, to: "deux@example.org")
                == .accepted(reply: "250 2.0.0 Ok: queued as 2"))
        sender.close()
        let received = try sink.received()
        #expect(received.first?.raw == raw)
        #expect(received.last?.raw == bigBytes)
    }

    @Test func closeEndsTheSessionAndTheNextSendConnectsAgain() throws {
        let sink = try SMTPSink()
        let sender = try SMTPSender(settings: SMTPSettings(url: sink.url, timeoutSeconds: 10))
        #expect(sender.send(bytes, from: from, to: "un@example.org") == .accepted(reply: "250 2.0.0 Ok: queued as 1"))
        sender.close()
        #expect(sender.send(bytes, from: from, to: "deux@example.org") == .accepted(reply: "250 2.0.0 Ok: queued as 2"))
        sender.close()
        #expect(try sink.received().map(\.session) == [1, 2])
        #expect(try sink.sessionCount() == 2)
    }

    // MARK: - TLS (a self-signed certificate for 127.0.0.1, trusted through `caFile` or not at all)

    @Test func startTLSOfferedIsUsed() throws {
        let sink = try SMTPSink(.init(tls: .startTLS))
        var settings = try SMTPSettings(url: sink.url, timeoutSeconds: 10)
        settings.caFile = sink.certificatePath
        let sender = try SMTPSender(settings: settings)
        #expect(sender.send(bytes, from: from, to: "un@example.org") == .accepted(reply: "250 2.0.0 Ok: queued as 1"))
        #expect(sender.send(bytes, from: from, to: "deux@example.org") == .accepted(reply: "250 2.0.0 Ok: queued as 2"))
        sender.close()
        let received = try sink.received()
        #expect(received.map(\.isTLS) == [true, true])
        #expect(try sink.sessionCount() == 1)
    }

    @Test func untrustedCertificateIsUnreachableNeverClearText() throws {
        let sink = try SMTPSink(.init(tls: .startTLS))
        let sender = try SMTPSender(settings: SMTPSettings(url: sink.url, timeoutSeconds: 10))
        let outcome = sender.send(bytes, from: from, to: "un@example.org")
        guard case .unreachable(let text) = outcome else {
            Issue.record("expected unreachable, got \(outcome)")
            return
        }
        #expect(text.contains("certificate"), "\(text)")
        #expect(try sink.received().isEmpty)
    }

    @Test func smtpsSpeaksTLSFromTheStart() throws {
        let sink = try SMTPSink(.init(tls: .implicit))
        #expect(sink.url.hasPrefix("smtps://"))
        var settings = try SMTPSettings(url: sink.url, timeoutSeconds: 10)
        settings.caFile = sink.certificatePath
        let sender = try SMTPSender(settings: settings)
        #expect(sender.send(bytes, from: from, to: "un@example.org") == .accepted(reply: "250 2.0.0 Ok: queued as 1"))
        sender.close()
        #expect(try sink.received().map(\.isTLS) == [true])
    }

    @Test func smtpsToAClearTextServerIsUnreachable() throws {
        let sink = try SMTPSink()
        let sender = try SMTPSender(settings: SMTPSettings(url: "smtps://127.0.0.1:\(sink.port)", timeoutSeconds: 3))
        let outcome = sender.send(bytes, from: from, to: "un@example.org")
        guard case .unreachable = outcome else {
            Issue.record("expected unreachable, got \(outcome)")
            return
        }
        #expect(try sink.received().isEmpty)
    }
}
