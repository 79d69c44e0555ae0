import Foundation
import Notices
import Testing

@testable import Store

/// The outbox: e-mail composed with its edition, then each envelope recipient sent and recorded once.
@Suite struct OutboxTests {
    let now = date("2026-05-05T02:00:00Z")

    func entry(_ audience: String, _ rcpt: String, id: String? = nil) -> OutboxEntry {
        OutboxEntry(
            messageID: id ?? "vigie.mecaloire.2026-05-05.1.\(audience)@example.org", recipient: rcpt,
            cluster: "mecaloire", stamp: "2026-05-05", edition: 1, audience: audience,
            envelopeFrom: "veille@example.org", subject: "Veille",
            message: OutboxMessage(Array("Subject: Veille\r\n\r\nx\r\n".utf8)), createdAt: now)
    }

    func edition(staging: String = "/out/.s") -> EditionRecord {
        EditionRecord(
            cluster: "mecaloire", stamp: "2026-05-05", edition: 1, staging: staging, staged: [], files: [],
            state: .staged, runID: nil, createdAt: now)
    }

    @Test func anEditionsMailIsComposedWithItAndEachRecipientMovesThroughItsStates() throws {
        let tmp = TempStore()
        let store = try tmp.open()
        let staff = [entry("staff", "a@example.org"), entry("staff", "b@example.org")]
        let member = entry("member:x", "x@example.org")
        try store.stageEdition(edition(), deliveries: [], outbox: staff + [member])
        #expect(try store.pendingMail().count == 3)
        #expect(try store.pendingMail().allSatisfy { $0.state == .composed && $0.attempts == 0 })

        // Staging the same edition again (a re-run rewrote its files) keeps what was already sent.
        try store.markSending(messageID: member.messageID, recipient: member.recipient, at: now)
        try store.markMail(
            messageID: member.messageID, recipient: member.recipient, state: .accepted, code: 250, error: nil, at: now)
        try store.stageEdition(edition(), deliveries: [], outbox: staff + [member])
        #expect(try store.pendingMail().map(\.recipient) == ["a@example.org", "b@example.org"])

        // A transaction started and never recorded (the run died) is still to send, with its attempt counted.
        try store.markSending(messageID: staff[0].messageID, recipient: "a@example.org", at: now)
        try store.close()
        let again = try tmp.open()
        let pending = try again.pendingMail()
        #expect(pending.first { $0.recipient == "a@example.org" }?.state == .sending)
        #expect(pending.first { $0.recipient == "a@example.org" }?.attempts == 1)
        #expect(pending.first?.message == staff[0].message, "the same bytes on every attempt")

        // A deferral stays pending; a refusal does not, and is reported once.
        try again.markMail(
            messageID: staff[0].messageID, recipient: "a@example.org", state: .deferred, code: 451, error: "later",
            at: now)
        try again.markMail(
            messageID: staff[1].messageID, recipient: "b@example.org", state: .failed, code: 550, error: "no such user",
            at: now)
        #expect(try again.pendingMail().map(\.recipient) == ["a@example.org"])
        let failures = try again.unreportedMailFailures(cluster: "mecaloire")
        #expect(failures.map(\.recipient) == ["b@example.org"])
        #expect(failures.first?.lastCode == 550 && failures.first?.lastError == "no such user")
        try again.stageEdition(
            EditionRecord(
                cluster: "mecaloire", stamp: "2026-05-06", edition: 1, staging: "/out/.t", staged: [], files: [],
                state: .staged, runID: nil, createdAt: now),
            deliveries: [], reportedMail: failures)
        #expect(try again.unreportedMailFailures(cluster: "mecaloire").isEmpty)
        #expect(try again.outbox().count == 3)
    }

    @Test func pendingRecipientsListWhatPendingMailHoldsWithoutTheMessagesAndEachMessageIsReadByItsKey() throws {
        let tmp = TempStore()
        let store = try tmp.open()
        var other = entry("staff", "z@example.org", id: "vigie.nucleaire.2026-05-05.1.staff@example.org")
        other.cluster = "nucleaire"
        other.message = OutboxMessage(Array("Subject: Nucl\u{E9}aire\r\n\r\ny\r\n".utf8))
        let member = entry("member:x", "x@example.org")
        let staff = [entry("staff", "a@example.org"), entry("staff", "b@example.org")]
        try store.enqueueMail(staff + [member, other])
        try store.markSending(messageID: member.messageID, recipient: member.recipient, at: now)
        try store.markMail(
            messageID: staff[1].messageID, recipient: "b@example.org", state: .accepted, code: 250, error: nil, at: now)

        // The same recipients, in the same order, with the same states and attempts as the whole entries.
        let listed = try store.pendingRecipients()
        let whole = try store.pendingMail()
        #expect(listed.count == 3)
        #expect(listed.map(\.messageID) == whole.map(\.messageID))
        #expect(listed.map(\.recipient) == whole.map(\.recipient))
        #expect(listed.map(\.state) == whole.map(\.state))
        #expect(listed.map(\.attempts) == whole.map(\.attempts))
        #expect(listed.map(\.audience) == whole.map(\.audience))
        #expect(listed.first { $0.recipient == "x@example.org" }?.state == .sending)
        #expect(listed.first { $0.recipient == "x@example.org" }?.attempts == 1)
        #expect(!listed.contains { $0.recipient == "b@example.org" }, "accepted: never sent again")

        // One cluster's recipients only.
        #expect(try store.pendingRecipients(clusters: ["nucleaire"]).map(\.recipient) == ["z@example.org"])
        #expect(try store.pendingRecipients(clusters: ["mecaloire"]).count == 2)
        #expect(try store.pendingRecipients(clusters: []).isEmpty)

        // Each message as composed, byte for byte; a key the outbox does not hold is an error, not an empty mail.
        for e in whole {
            #expect(try store.mailMessage(messageID: e.messageID, recipient: e.recipient) == e.message.bytes())
        }
        #expect(try store.mailMessage(messageID: other.messageID, recipient: "z@example.org") == other.message.bytes())
        #expect(throws: StoreError.self) {
            try store.mailMessage(messageID: other.messageID, recipient: "nobody@example.org")
        }
    }

    @Test func theTextOfMailLongDoneWithIsDroppedAndItsRecordKept() throws {
        let tmp = TempStore()
        let store = try tmp.open()
        let accepted = entry("member:a", "a@example.org")
        let reported = entry("member:r", "r@example.org")
        let refused = entry("member:f", "f@example.org")
        let deferred = entry("member:d", "d@example.org")
        let composed = entry("member:c", "c@example.org")
        try store.enqueueMail([accepted, reported, refused, deferred, composed])
        try store.markMail(
            messageID: accepted.messageID, recipient: "a@example.org", state: .accepted, code: 250, error: nil,
            at: now)
        for e in [reported, refused] {
            try store.markMail(
                messageID: e.messageID, recipient: e.recipient, state: .failed, code: 550, error: "no", at: now)
        }
        try store.markMail(
            messageID: deferred.messageID, recipient: "d@example.org", state: .deferred, code: 451, error: "later",
            at: now)
        try store.stageEdition(
            EditionRecord(
                cluster: "mecaloire", stamp: "2026-05-06", edition: 1, staging: "/out/.t", staged: [], files: [],
                state: .staged, runID: nil, createdAt: now),
            deliveries: [], reportedMail: [reported])

        // Nothing is older than the cutoff yet.
        #expect(try store.dropSentMessages(before: now).messages == 0)
        let dropped = try store.dropSentMessages(before: now.addingTimeInterval(1))
        #expect(dropped.messages == 2, "the accepted one and the refusal the staff were told of")
        #expect(dropped.bytes == accepted.message.stored.count + reported.message.stored.count)
        let rows = Dictionary(uniqueKeysWithValues: try store.outbox().map { ($0.recipient, $0) })
        #expect(rows.count == 5, "every record stays: a night's mail is never sent twice")
        #expect(rows["a@example.org"]?.message.isEmpty == true && rows["a@example.org"]?.state == .accepted)
        #expect(rows["r@example.org"]?.message.isEmpty == true)
        // Still to report, still to send: kept whole.
        #expect(rows["f@example.org"]?.message == refused.message)
        #expect(rows["d@example.org"]?.message == deferred.message)
        #expect(rows["c@example.org"]?.message == composed.message)
        #expect(try store.pendingRecipients().map(\.recipient).sorted() == ["c@example.org", "d@example.org"])
        // Staging the same mail again (an edition re-staged) does not bring a dropped text back.
        try store.enqueueMail([accepted])
        #expect(try store.outbox().first { $0.recipient == "a@example.org" }?.message.isEmpty == true)
        #expect(try store.dropSentMessages(before: now.addingTimeInterval(1)).messages == 0)
    }

    @Test func aFailureWhileStagingComposesNoMail() throws {
        let tmp = TempStore()
        let store = try tmp.open()
        store.faultHook = { point in if point == "edition" { throw StoreError.invalidInput(path: "t", reason: "fault") }
        }
        #expect(throws: StoreError.self) {
            try store.stageEdition(self.edition(), deliveries: [], outbox: [self.entry("staff", "a@example.org")])
        }
        store.faultHook = nil
        #expect(try store.outbox().isEmpty, "no mail for an edition that was not recorded")
    }
}
