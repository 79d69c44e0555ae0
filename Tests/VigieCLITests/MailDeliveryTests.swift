import Foundation
import TestSupport
import Testing

/// The night's e-mail, end to end: the built `vigie` sends the demo's digests to a real SMTP server on loopback
/// (aiosmtpd), and Python's `email` package reads every message back.
@Suite(.serialized) struct MailDeliveryTests {
    static let night = "2026-11-24T02:00:00Z"

    struct Night {
        let folder: URL
        var store: String { folder.appendingPathComponent("vigie.sqlite").path }
        var out: String { folder.appendingPathComponent("out").path }

        init() throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("vigie-mail-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        }

        /// `vigie run` on the demo catalogue, with extra arguments.
        func runArgs(_ extra: [String], now: String = MailDeliveryTests.night) -> [String] {
            [
                "run", "--feeds", "Feeds/demo.yaml", "--rules", "Rules", "--store", store, "--out", out, "--now", now,
                "--soon-days", "21", "--no-first-night",
            ] + extra
        }

        /// Members with something tonight: those with a dated digest of their own.
        func membersWithNews(cluster: String, stamp: String = "2026-11-24") throws -> [String] {
            let dir = "\(out)/\(cluster)/adherents"
            return try FileManager.default.contentsOfDirectory(atPath: dir).filter {
                FileManager.default.fileExists(atPath: "\(dir)/\($0)/\(stamp).md")
            }.sorted()
        }

        /// (Message-ID, recipient) of every outbox entry, and their states, read with the sqlite3 shell.
        func outbox() throws -> [(id: String, rcpt: String, state: String)] {
            try VigieProcess.sqlite3(store, "SELECT message_id, recipient, state FROM outbox ORDER BY 1, 2")
                .split(separator: "\n").map { line in
                    let f = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
                    return (f[0], f[1], f[2])
                }
        }
    }

    static func env(_ sink: SMTPSink) -> [String: String] { ["VIGIE_SMTP_URL": sink.url] }

    /// Each accepted (Message-ID, envelope recipient) pair, with how many times the server took it.
    static func deliveries(_ mails: [ReceivedMail]) -> [String: Int] {
        var out: [String: Int] = [:]
        for m in mails { for r in m.recipients { out["\(m.messageID) → \(r.lowercased())", default: 0] += 1 } }
        return out
    }

    @Test func theDemoSendsOneMessagePerMemberWithNewsAndOnePerStaffAddressEachReadableAndPrivate() throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        let night = try Night()
        let run = try VigieProcess.vigie(night.runArgs(["--send"]), environment: Self.env(sink))
        #expect(run.status == 0, "\(run.stderr)")
        let mails = try sink.received()
        let delivered = Self.deliveries(mails)
        #expect(delivered.values.allSatisfy { $0 == 1 }, "a (Message-ID, recipient) pair came twice: \(delivered)")
        let outbox = try night.outbox()
        #expect(outbox.allSatisfy { $0.state == "accepted" })
        #expect(Set(outbox.map { "\($0.id) → \($0.rcpt.lowercased())" }) == Set(delivered.keys))

        var memberMessages = 0
        var staffMessages = 0
        for cluster in ["cognac", "energie", "mecaloire", "nucleaire"] {
            let withNews = try night.membersWithNews(cluster: cluster)
            let ofCluster = mails.filter { $0.messageID.hasPrefix("vigie.\(cluster).") }
            let members = ofCluster.filter { $0.messageID.contains(".member-") }
            // One message per member with something tonight — and none for a member with nothing.
            let ids = members.map { m -> String in
                let audience = m.messageID.split(separator: "@")[0].split(separator: ".").last.map(String.init) ?? ""
                return String(audience.dropFirst("member-".count))
            }
            #expect(Set(ids) == Set(withNews), "\(cluster): mail for \(ids.sorted()), news for \(withNews)")
            memberMessages += Set(members.map(\.messageID)).count
            // The staff digest: one copy per staff address.
            let staff = ofCluster.filter { $0.messageID.contains(".staff@") }
            let staffParsed = try PythonEmail.parse(try #require(staff.first).raw)
            #expect(
                Set(staff.flatMap(\.recipients).map { $0.lowercased() })
                    == Set(staffParsed.to.map { $0.address.lowercased() }))
            #expect(staff.count == staffParsed.to.count)
            staffMessages += staff.count
            // Names of the cluster's members with notices tonight, from the staff JSON digest.
            let json = try JSONSerialization.jsonObject(
                with: try Data(contentsOf: URL(fileURLWithPath: "\(night.out)/\(cluster)/2026-11-24.json")))
            let digest = try #require((json as? [String: Any])?["digest"] as? [String: Any])
            // Every member's name: each has its own latest.json (« rien de nouveau » included) naming it.
            var memberIDs: [String] = []
            var names: [String] = []
            for id in try FileManager.default.contentsOfDirectory(atPath: "\(night.out)/\(cluster)/adherents") {
                let own = try JSONSerialization.jsonObject(
                    with: try Data(
                        contentsOf: URL(fileURLWithPath: "\(night.out)/\(cluster)/adherents/\(id)/latest.json")))
                let body = (own as? [String: Any])?["digest"] as? [String: Any]
                memberIDs.append(id)
                names.append(try #require(body?["recipient_name"] as? String))
            }
            #expect(names.count >= 18, "\(cluster): every member has its folder")
            // Each saved watch with matches: one message to its recipients that are addresses.
            for watch in digest["watches"] as? [[String: Any]] ?? [] {
                guard let id = watch["watch_id"] as? String, !((watch["items"] as? [Any]) ?? []).isEmpty else {
                    continue
                }
                let got = ofCluster.filter { $0.messageID.contains(".watch-\(id)@") }.flatMap(\.recipients)
                let wanted = (watch["recipients"] as? [String] ?? []).filter { $0.contains("@") }
                #expect(Set(got.map { $0.lowercased() }) == Set(wanted.map { $0.lowercased() }), "watch \(id)")
            }
            for m in members {
                let parsed = try PythonEmail.parse(m.raw)
                #expect(parsed.defects.isEmpty, "\(m.messageID): \(parsed.defects)")
                #expect(parsed.contentTypes.contains("text/plain") && parsed.contentTypes.contains("text/html"))
                // Every addressee in To got it, each in its own transaction.
                let envelopes = members.filter { $0.messageID == m.messageID }.flatMap(\.recipients)
                #expect(Set(envelopes.map { $0.lowercased() }) == Set(parsed.to.map { $0.address.lowercased() }))
                let id = String(
                    (m.messageID.split(separator: "@")[0].split(separator: ".").last ?? "").dropFirst("member-".count))
                // The right items: the text part is the member's own digest of the night (MIME keeps the last line
                // break for the boundary).
                let own = try String(
                    contentsOfFile: "\(night.out)/\(cluster)/adherents/\(id)/2026-11-24.md", encoding: .utf8)
                let text = parsed.text?.replacingOccurrences(of: "\r\n", with: "\n")
                #expect(
                    text?.trimmingCharacters(in: .newlines) == own.trimmingCharacters(in: .newlines), "\(m.messageID)")
                // No other member named, in either part.
                let ownName = zip(memberIDs, names).first { $0.0 == id }?.1
                for other in names where other != ownName {
                    #expect(parsed.text?.contains(other) != true, "\(id)'s mail names \(other)")
                    #expect(parsed.html?.contains(other) != true, "\(id)'s mail (HTML) names \(other)")
                }
            }
        }
        print(
            "mail figures: \(memberMessages) member messages, \(staffMessages) staff copies, \(mails.count) accepted in all"
        )
        #expect(memberMessages > 10 && staffMessages >= 4)

        // The next run of the same night has nothing new: nothing is sent again.
        let again = try VigieProcess.vigie(night.runArgs(["--send", "--no-fetch"]), environment: Self.env(sink))
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try sink.received().count == mails.count)
    }

    @Test func aMonthLaterTheTextOfSentMailIsDroppedAndNothingIsSentAgain() throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        let night = try Night()
        let run = try VigieProcess.vigie(night.runArgs(["--send"]), environment: Self.env(sink))
        #expect(run.status == 0, "\(run.stderr)")
        let sent = try night.outbox()
        #expect(sent.count > 20 && sent.allSatisfy { $0.state == "accepted" })

        // Ten days after the night the texts are kept (a staff member may still look one up).
        let soon = try VigieProcess.vigie(
            night.runArgs(["--no-fetch", "--send"], now: "2026-12-04T02:00:00Z"), environment: Self.env(sink))
        #expect(soon.status == 0, "\(soon.stderr)")
        #expect(!soon.stdout.contains("e-mails long sent"))
        // Everything sent so far: the first night's mail and the staff's mail of the second run.
        let done = try VigieProcess.sqlite3(
            night.store, "SELECT count(*) || ' ' || sum(length(message)) FROM outbox WHERE state = 'accepted'"
        ).trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ")
        #expect(done.count == 2 && Int(done[0]) ?? 0 > sent.count)
        // Past the default 30 days (sending records the wall clock's time, so the test runs far later): each text
        // sent is dropped, each record kept, and the summary says how much.
        let later = try VigieProcess.vigie(
            night.runArgs(["--no-fetch", "--send"], now: "2099-01-01T02:00:00Z"), environment: Self.env(sink))
        #expect(later.status == 0, "\(later.stderr)")
        let left = try VigieProcess.sqlite3(
            night.store, "SELECT count(*) FROM outbox WHERE stamp = '2026-11-24' AND length(message) > 0")
        #expect(left.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        let kept = try night.outbox().filter { $0.id.contains(".2026-11-24.") }
        #expect(kept.count == sent.count, "the records stay")
        let mb = String(format: "%.1f", (Double(done.last ?? "") ?? 0) / 1_048_576)
        #expect(
            later.stdout.contains("pruned: the text of \(done.first ?? "") e-mails long sent (\(mb) MB)"),
            "\(later.stdout)")
        // Nothing of the first night was sent again by the later runs.
        let delivered = Self.deliveries(try sink.received())
        #expect(delivered.values.allSatisfy { $0 == 1 }, "sent twice: \(delivered.filter { $0.value > 1 })")
    }

    @Test func killedWhileSendingThenSendDeliversEveryMessageExactlyOnce() throws {
        let sink = try SMTPSink(SMTPSink.Options(rcptDelayMilliseconds: 250))
        defer { sink.stop() }
        let night = try Night()
        // Composed only (no --send): the outbox waits for `vigie send`.
        let run = try VigieProcess.vigie(night.runArgs([]))
        #expect(run.status == 0, "\(run.stderr)")
        let total = try night.outbox().count
        #expect(total > 20)
        let sending = try VigieProcess.start(["send", "--store", night.store], environment: Self.env(sink))
        // Wait until five acceptances are recorded, then kill -9: the sixth transaction is in its RCPT wait.
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            let accepted = try VigieProcess.sqlite3(night.store, "SELECT count(*) FROM outbox WHERE state = 'accepted'")
            if Int(accepted.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0 >= 5 { break }
            usleep(2_000)
        }
        sending.signal(SIGKILL)
        let killed = try sending.wait(timeout: 30)
        #expect(killed.signalled, "vigie send was not killed mid-session: \(killed.stderr)")
        let before = try sink.received().count
        #expect(before >= 5 && before < total, "killed after \(before) of \(total)")

        let resume = try VigieProcess.vigie(["send", "--store", night.store], environment: Self.env(sink))
        #expect(resume.status == 0, "\(resume.stderr)")
        let delivered = Self.deliveries(try sink.received())
        #expect(delivered.count == total, "\(delivered.count) distinct deliveries for \(total) outbox entries")
        #expect(delivered.values.allSatisfy { $0 == 1 }, "sent twice: \(delivered.filter { $0.value > 1 })")
        #expect(try night.outbox().allSatisfy { $0.state == "accepted" })
        print(
            "mail figures: killed after \(before) of \(total) deliveries; after vigie send: \(delivered.count) distinct, each once"
        )
    }

    @Test func aTemporaryFailureIsRetriedAndARefusalIsReportedToTheStaff() throws {
        let refused = "contact@decolletage-furan.example.org"
        let sink = try SMTPSink(SMTPSink.Options(refuseRecipients: [refused], temporaryFailuresOnData: 1))
        defer { sink.stop() }
        let night = try Night()
        let run = try VigieProcess.vigie(night.runArgs(["--send", "--json"]), environment: Self.env(sink))
        // A refusal and a deferral: exit 1, and the report says which.
        #expect(run.status == 1, "\(run.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let mail = try #require(report["mail"] as? [String: Any])
        let failed = mail["failed"] as? [[String: Any]] ?? []
        #expect(failed.map { $0["recipient"] as? String } == [refused])
        #expect((failed.first?["code"] as? Int) == 550)
        #expect((mail["deferred"] as? Int) == 1, "the 451 answer defers one recipient")
        #expect(mail["unreachable"] == nil)

        // `vigie send` retries the deferred recipient; the refused address is not tried again.
        let resume = try VigieProcess.vigie(["send", "--store", night.store], environment: Self.env(sink))
        #expect(resume.status == 0, "\(resume.stderr)")
        let all = Self.deliveries(try sink.received())
        let outbox = try night.outbox()
        #expect(all.values.allSatisfy { $0 == 1 }, "sent twice: \(all.filter { $0.value > 1 })")
        #expect(all.count == outbox.count - 1, "everything but the refused address arrived, once")
        #expect(!all.keys.contains { $0.hasSuffix("→ \(refused)") })
        #expect(outbox.filter { $0.state == "failed" }.map(\.rcpt) == [refused])

        // The next night's staff digest tells the staff which address to fix.
        let next = try VigieProcess.vigie(night.runArgs(["--no-fetch"], now: "2026-11-25T02:00:00Z"))
        #expect(next.status == 0, "\(next.stderr)")
        let staff = try String(contentsOfFile: "\(night.out)/mecaloire/2026-11-25.md", encoding: .utf8)
        #expect(staff.contains(refused))
        let json = try String(contentsOfFile: "\(night.out)/mecaloire/2026-11-25.json", encoding: .utf8)
        #expect(json.contains("\"mail_failures\""))
    }

    @Test func aServerDownMidSessionLeavesTheRestForVigieSendEachMessageOnce() throws {
        // A short wait per recipient keeps the client from racing past the point where the server goes down.
        let first = try SMTPSink(SMTPSink.Options(downAfterAccepted: 10, rcptDelayMilliseconds: 20))
        let night = try Night()
        let run = try VigieProcess.vigie(night.runArgs(["--send", "--json"]), environment: Self.env(first))
        #expect(run.status == 1, "\(run.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let mail = try #require(report["mail"] as? [String: Any])
        #expect(mail["unreachable"] != nil)
        let firstBatch = try first.received()
        first.stop()
        let total = try night.outbox().count
        #expect(firstBatch.count >= 10 && firstBatch.count < total)

        let second = try SMTPSink()
        defer { second.stop() }
        let resume = try VigieProcess.vigie(["send", "--store", night.store], environment: Self.env(second))
        #expect(resume.status == 0, "\(resume.stderr)")
        let all = Self.deliveries(firstBatch + (try second.received()))
        #expect(all.count == total)
        #expect(all.values.allSatisfy { $0 == 1 }, "sent twice: \(all.filter { $0.value > 1 })")
        print(
            "mail figures: server down after \(firstBatch.count) of \(total); vigie send delivered the rest, each once")
    }

    @Test func aDryRunWritesEveryMessageAsAnEmlFileAndSendsNothing() throws {
        let night = try Night()
        let run = try VigieProcess.vigie(night.runArgs(["--dry-run"]))
        #expect(run.status == 0, "\(run.stderr)")
        let folder = "\(night.out)/mecaloire/courriels/2026-11-24-1"
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(files.contains("staff.eml"))
        let outbox = try night.outbox()
        #expect(outbox.allSatisfy { $0.state == "composed" }, "a dry run sends nothing")
        // Every recipient is in To/Cc (no Bcc stripped): the .eml's addressees are the outbox's recipients.
        let staff = try PythonEmail.parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: "\(folder)/staff.eml"))))
        let staffID = try #require(staff.messageId).trimmingCharacters(in: CharacterSet(charactersIn: "<>"))
        #expect(
            Set((staff.to + staff.cc).map { $0.address.lowercased() })
                == Set(outbox.filter { $0.id == staffID }.map { $0.rcpt.lowercased() }))
        #expect(run.stdout.contains("mail (dry run)"))
    }
}
