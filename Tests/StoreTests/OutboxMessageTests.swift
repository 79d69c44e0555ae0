import Compression
import Foundation
import GRDB
import Notices
import Testing

@testable import Store

/// The outbox keeps each e-mail compressed (zstd) and gives back exactly what was composed; rows written before
/// v10 are read as they are; a damaged row is an error naming its entry, not other bytes.
@Suite struct OutboxMessageTests {
    let now = date("2026-05-05T02:00:00Z")

    /// A message shaped like a member's digest: headers, quoted-printable text and HTML, a base64 calendar.
    let composed = Array(
        ("Message-ID: <vigie.mecaloire.2026-05-05.1.member-x@example.org>\r\nSubject: Veille\r\n"
            + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n"
            + String(
                repeating: "Usinage de pi=C3=A8ces m=C3=A9caniques =E2=80=94 Saint-=C3=89tienne (42)=\r\n", count: 300)
            + "--b\r\n"
            + String(
                repeating: "<tr><td class=3D\"t\">Traitement de surface</td><td>8 juin 2026</td></tr>\r\n", count: 200)
            + "--b\r\n"
            + String(repeating: "QkVHSU46VkNBTEVOREFSDQpWRVJTSU9OOjIuMA0KUFJPRElEOi0vL1ZpZ2llLy9GUg0K\r\n", count: 100)
            + "--b--\r\n").utf8)

    func entry(_ rcpt: String, _ message: OutboxMessage) -> OutboxEntry {
        OutboxEntry(
            messageID: "vigie.mecaloire.2026-05-05.1.member-x@example.org", recipient: rcpt, cluster: "mecaloire",
            stamp: "2026-05-05", edition: 1, audience: "member:x", envelopeFrom: "veille@example.org",
            subject: "Veille", message: message, createdAt: now)
    }

    /// How a row holds its message, read with SQL.
    func stored(_ path: String, _ rcpt: String) throws -> (encoding: String, length: Int) {
        let queue = try DatabaseQueue(path: path)
        let row = try queue.read { db in
            try Row.fetchOne(
                db, sql: "SELECT message_encoding, length(message) AS n FROM outbox WHERE recipient = ?",
                arguments: [rcpt])
        }
        try queue.close()
        let found = try #require(row)
        return (found["message_encoding"], found["n"])
    }

    @Test func aMessageIsStoredCompressedAndReadBackAsComposed() throws {
        let tmp = TempStore()
        let store = try tmp.open()
        let message = OutboxMessage(composed)
        #expect(message.encoding == .zstd)
        try store.enqueueMail([entry("a@example.org", message), entry("b@example.org", message)])
        for rcpt in ["a@example.org", "b@example.org"] {
            #expect(try store.mailMessage(messageID: entry(rcpt, message).messageID, recipient: rcpt) == composed)
        }
        // Equal to the plain bytes it stands for, however each is stored.
        let read = try #require(try store.pendingMail().first)
        #expect(read.message == OutboxMessage(stored: composed, encoding: .identity))
        #expect(read.message != OutboxMessage(stored: Array(composed.dropLast()), encoding: .identity))
        #expect(Set([read.message, OutboxMessage(stored: composed, encoding: .identity)]).count == 1)
        try store.close()
        let row = try stored(tmp.path, "a@example.org")
        #expect(row.encoding == "zstd")
        #expect(row.length < composed.count / 4, "\(row.length) bytes stored for \(composed.count)")
    }

    /// A store with mail composed by a build before v10: its messages are sent as they are, new ones are
    /// compressed beside them, and both are emptied once long sent.
    @Test func aMessageWrittenBeforeV10IsReadAsItIs() throws {
        let tmp = TempStore()
        let queue = try DatabaseQueue(path: tmp.path)
        try Schema.migrator.migrate(queue, upTo: "v9")
        try queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO outbox (message_id, recipient, cluster, stamp, edition, audience, envelope_from,
                        subject, message, state, created_at, updated_at)
                    VALUES ('old@example.org', 'a@example.org', 'mecaloire', '2026-05-04', 1, 'staff',
                        'veille@example.org', 'Veille', ?, 'composed', 1777860000, 1777860000)
                    """, arguments: [Data(composed)])
        }
        try queue.close()

        let store = try tmp.open()
        #expect(try store.mailMessage(messageID: "old@example.org", recipient: "a@example.org") == composed)
        let old = try #require(try store.pendingMail().first)
        #expect(old.message.encoding == .identity && old.message.stored == composed)
        try store.enqueueMail([entry("b@example.org", OutboxMessage(composed))])
        #expect(try store.pendingMail().map(\.message) == [old.message, OutboxMessage(composed)])

        for rcpt in ["a@example.org", "b@example.org"] {
            let id = rcpt == "a@example.org" ? "old@example.org" : entry(rcpt, old.message).messageID
            try store.markMail(messageID: id, recipient: rcpt, state: .accepted, code: 250, error: nil, at: now)
        }
        let dropped = try store.dropSentMessages(before: now.addingTimeInterval(1))
        #expect(dropped.messages == 2)
        #expect(try store.outbox().allSatisfy { $0.message.isEmpty && $0.message.encoding == .identity })
        #expect(try store.mailMessage(messageID: "old@example.org", recipient: "a@example.org").isEmpty)
    }

    /// A damaged frame (a flipped byte, caught by the frame's checksum) and a frame whose header claims more than
    /// a message may hold are errors naming the entry; the other entries still read.
    @Test func aDamagedMessageIsAnErrorNamingItsEntry() throws {
        let tmp = TempStore()
        let store = try tmp.open()
        var flipped = OutboxMessage(composed).stored
        flipped[flipped.count / 2] ^= 0x20
        // Single segment, 8-byte content size of 4 GiB, then one empty raw block.
        let huge: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD, 0xE0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0]
        try store.enqueueMail([
            entry("a@example.org", OutboxMessage(composed)),
            entry("flipped@example.org", OutboxMessage(stored: flipped, encoding: .zstd)),
            entry("huge@example.org", OutboxMessage(stored: huge, encoding: .zstd)),
        ])
        let id = entry("a@example.org", OutboxMessage(composed)).messageID
        #expect(try store.mailMessage(messageID: id, recipient: "a@example.org") == composed)
        for (rcpt, expected) in [
            ("flipped@example.org", nil),
            ("huge@example.org", CompressionError.tooLarge(limit: OutboxMessage.sizeLimit)),
        ] {
            #expect {
                _ = try store.mailMessage(messageID: id, recipient: rcpt)
            } throws: { error in
                guard case StoreError.corruptMessage(let path, let messageID, let recipient, let underlying) = error
                else { return false }
                if let expected, underlying != expected { return false }
                return path == tmp.path && messageID == id && recipient == rcpt
                    && "\(error)".contains("outbox message \(id) to \(rcpt) cannot be read")
            }
        }
    }
}
