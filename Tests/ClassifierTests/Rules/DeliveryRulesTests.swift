import Foundation
import Testing

@testable import Classifier

/// `cluster.delivery`, members' `contact` and watches' `recipients`: how they are read, and what `vigie rules lint`
/// says about addresses and settings that leave someone without e-mail.
@Suite struct DeliveryRulesTests {
    /// Writes `yaml` as the only rule file of a scratch folder and lints it.
    static func lint(_ yaml: String) throws -> (LintReport, String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigie-delivery-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("demo.yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return (try RulesLinter().lint(directory: dir.path), path)
    }

    static let head = """
        cluster:
          id: demo
          name: Démo
          territory: {departements: ["42"]}

        """
    static let tail = """
        segments:
          - {id: usinage, label: Usinage, keywords: [usinage]}

        """

    @Test func deliveryContactsAndRecipientsAreReadAsWritten() throws {
        let (report, _) = try Self.lint(
            Self.head + """
                  delivery:
                    sender: "Pôle Démo — veille <veille@demo.example.org>"
                    reply_to: claire@demo.example.org
                    staff: ["Claire Martin <claire@demo.example.org>", veille@demo.example.org]
                    share_partners: yes
                    subscription_days: 90

                """ + Self.tail + """
                    members:
                      - {id: acme, name: Acme, segments: [usinage], sites: ["42"], contact: achats@acme.example.org}
                      - {id: bolt, name: Bolt, segments: [usinage], sites: ["42"],
                         contact: ["Jeanne <jeanne@bolt.example.org>", devis@bolt.example.org]}
                    watches:
                      - {id: w, name: W, keywords: [usinage], recipients: ["Veille <veille@demo.example.org>"]}
                    """)
        #expect(report.diagnostics.isEmpty, "\(report.diagnostics.map(\.description))")
        let c = try #require(report.rulebook?.cluster("demo"))
        #expect(
            c.delivery
                == DeliverySettings(
                    sender: "Pôle Démo — veille <veille@demo.example.org>", replyTo: ["claire@demo.example.org"],
                    staff: ["Claire Martin <claire@demo.example.org>", "veille@demo.example.org"], sharePartners: true,
                    subscriptionDays: 90))
        #expect(c.member("acme")?.contacts == ["achats@acme.example.org"])
        #expect(c.member("acme")?.contact == "achats@acme.example.org")
        #expect(c.member("bolt")?.contacts == ["Jeanne <jeanne@bolt.example.org>", "devis@bolt.example.org"])
        #expect(c.member("bolt")?.contact == "Jeanne <jeanne@bolt.example.org>")
        #expect(c.watches.first?.recipients == ["Veille <veille@demo.example.org>"])
    }

    @Test func withoutADeliveryBlockTheClusterSendsNoMailAndNothingIsWarned() throws {
        let (report, _) = try Self.lint(
            Self.head + Self.tail + """
                members:
                  - {id: acme, name: Acme, segments: [usinage], sites: ["42"]}
                """)
        #expect(report.diagnostics.isEmpty, "\(report.diagnostics.map(\.description))")
        let c = try #require(report.rulebook?.cluster("demo"))
        #expect(c.delivery == DeliverySettings())
        #expect(c.delivery.sender == nil && !c.delivery.sharePartners && c.delivery.subscriptionDays == 60)
        #expect(c.delivery.subscriptionMaxNotices == 500)
        #expect(c.member("acme")?.contacts == [])
    }

    /// `subscription_max_notices`: read as written, from 1 to 10,000; outside, an error at its value that names the
    /// file and the key.
    @Test(arguments: [("200", 200), ("1", 1), ("10000", 10_000), ("0", nil), ("10001", nil), ("beaucoup", nil)])
    func theSubscriptionsMostNoticesAreReadAndBounded(written: String, read: Int?) throws {
        let (report, path) = try Self.lint(
            Self.head + """
                  delivery:
                    subscription_days: 30
                    subscription_max_notices: \(written)

                """ + Self.tail + """
                    members:
                      - {id: acme, name: Acme, segments: [usinage], sites: ["42"]}
                    """)
        if let read {
            #expect(report.diagnostics.isEmpty, "\(report.diagnostics.map(\.description))")
            let c = try #require(report.rulebook?.cluster("demo"))
            #expect(c.delivery.subscriptionMaxNotices == read && c.delivery.subscriptionDays == 30)
        } else {
            #expect(
                report.diagnostics.map(\.description) == [
                    "\(path):7:31: error: cluster.delivery.subscription_max_notices: expected a whole number from 1 to "
                        + "10000"
                ])
            #expect(throws: ClassifierError.self) { _ = try Rulebook.load(directory: path) }
        }
    }

    /// The default is not written: the routing fingerprint of a cluster (default delivery settings) is the bytes it
    /// was before the key existed, so a store routed then is not re-routed whole; a value set round-trips.
    @Test func theMostNoticesAtItsDefaultIsNotWritten() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let plain = String(decoding: try encoder.encode(DeliverySettings()), as: UTF8.self)
        #expect(
            plain
                == #"{"member_files":"all","reply_to":[],"share_partners":false,"staff":[],"subscription_days":60}"#)
        let (report, _) = try Self.lint(
            Self.head + Self.tail + """
                members:
                  - {id: acme, name: Acme, segments: [usinage], sites: ["42"]}
                """)
        let cluster = try #require(report.rulebook?.cluster("demo"))
        let routing = String(decoding: try Rulebook.routingBytes(cluster), as: UTF8.self)
        #expect(routing.contains(#""subscription_days":60"#) && !routing.contains("subscription_max_notices"))
        let set = DeliverySettings(sender: "veille@x.example", subscriptionMaxNotices: 200, formats: ["md"])
        let written = try encoder.encode(set)
        #expect(String(decoding: written, as: UTF8.self).contains(#""subscription_max_notices":200"#))
        #expect(try JSONDecoder().decode(DeliverySettings.self, from: written) == set)
    }

    /// A rules cache written before the key existed holds delivery settings without it: they read as the default.
    @Test func deliverySettingsWithoutTheMostNoticesDecodeToTheDefault() throws {
        let json = #"{"staff":[],"reply_to":[],"share_partners":false,"subscription_days":45,"member_files":"all"}"#
        let d = try JSONDecoder().decode(DeliverySettings.self, from: Data(json.utf8))
        #expect(d == DeliverySettings(subscriptionDays: 45))
        #expect(d.subscriptionMaxNotices == DeliverySettings.defaultSubscriptionMaxNotices)
        let again = try JSONDecoder().decode(DeliverySettings.self, from: try JSONEncoder().encode(d))
        #expect(again == d)
    }

    /// Each broken value is reported at its own line and column, with its key.
    @Test func badAddressesAndSettingsAreLocated() throws {
        let yaml =
            Self.head + """
                  delivery:
                    sender: "Veille <veille@demo>"
                    reply_to: [claire@demo.example.org, "claire martin@demo.example.org"]
                    staff: [a@b@demo.example.org]
                    share_partner: true
                    subscription_days: 400

                """ + Self.tail + """
                members:
                  - {id: acme, name: Acme, segments: [usinage], sites: ["42"], contact: "achats@acme.example.org\\r\\nBcc: x@y.fr"}
                  - {id: bolt, name: Bolt, segments: [usinage], sites: ["42"], contact: [ok@bolt.example.org, "Bolt <bolt.fr>"]}
                  - {id: cogs, name: Cogs, segments: [usinage], sites: ["42"]}
                watches:
                  - {id: w, name: W, keywords: [usinage], recipients: [Service achats, veille@demo]}
                """
        let (report, path) = try Self.lint(yaml)
        let got = report.diagnostics.map { "\($0.severity.rawValue) \($0.line):\($0.column) \($0.key ?? "-")" }
        // Lines: 5 delivery, 6 sender, 7 reply_to, 8 staff, 9 share_partner, 10 subscription_days,
        // 11 segments:, 13 members:, 14 acme, 15 bolt, 16 cogs, 18 the watch.
        #expect(
            got == [
                "error 6:13 cluster.delivery.sender",
                "error 7:41 cluster.delivery.reply_to[1]",
                "error 8:13 cluster.delivery.staff[0]",
                "error 9:5 cluster.delivery.share_partner",
                "error 10:24 cluster.delivery.subscription_days",
                "warning 13:1 members",
                "error 14:73 members[0].contact",
                "error 15:95 members[1].contact[1]",
                "warning 18:56 watches[0].recipients[0]",
                "error 18:72 watches[0].recipients[1]",
            ], "\(report.diagnostics.map(\.description).joined(separator: "\n"))")
        let message = Dictionary(report.diagnostics.map { ($0.key ?? "", $0.message) }, uniquingKeysWith: { a, _ in a })
        #expect(message["cluster.delivery.sender"]?.contains("the domain 'demo' has no dot") == true)
        #expect(message["cluster.delivery.reply_to[1]"]?.contains("spaces in the address") == true)
        #expect(message["cluster.delivery.staff[0]"]?.contains("more than one `@`") == true)
        #expect(
            message["cluster.delivery.share_partner"]?.hasPrefix(
                "unknown key 'share_partner'; did you mean 'share_partners'?") == true)
        #expect(message["cluster.delivery.subscription_days"] == "expected a whole number from 1 to 366")
        #expect(message["members[0].contact"]?.contains("line break") == true)
        #expect(message["members[1].contact[1]"]?.contains("no `@`") == true)
        #expect(
            message["watches[0].recipients[0]"]?.hasPrefix(
                "'Service achats' is a name, not an e-mail address: it will not be e-mailed") == true)
        #expect(report.rulebook == nil)
        #expect(throws: ClassifierError.self) { _ = try Rulebook.load(directory: path) }
        // A sender is written (broken, but written): the member without a contact is named.
        #expect(message["members"] == "1 of 3 members have no contact: they get their files but no e-mail (cogs)")
    }

    @Test func aSenderWithoutStaffAndMembersWithoutContactAreWarnedOncePerCluster() throws {
        let (report, _) = try Self.lint(
            Self.head + """
                  delivery:
                    sender: veille@demo.example.org

                """ + Self.tail + """
                    members:
                      - {id: acme, name: Acme, segments: [usinage], sites: ["42"], contact: achats@acme.example.org}
                      - {id: bolt, name: Bolt, segments: [usinage], sites: ["42"]}
                      - {id: cogs, name: Cogs, segments: [usinage], sites: ["42"]}
                    """)
        #expect(report.errors.isEmpty, "\(report.errors.map(\.description))")
        #expect(report.rulebook != nil)
        let got = report.warnings.map { "\($0.line):\($0.column) \($0.key ?? "-"): \($0.message)" }
        #expect(
            got == [
                "6:13 cluster.delivery.staff: a sender but no staff: nobody receives the cluster digest by e-mail, and "
                    + "members' messages have no List-Unsubscribe address",
                "9:1 members: 2 of 3 members have no contact: they get their files but no e-mail (bolt, cogs)",
            ])
    }

    @Test func staffWithoutASenderIsWarned() throws {
        let (report, _) = try Self.lint(
            Self.head + """
                  delivery:
                    staff: [veille@demo.example.org]
                    subscription_days: 0

                """ + Self.tail + """
                    members:
                      - {id: acme, name: Acme, segments: [usinage], sites: ["42"]}
                    """)
        let got = report.diagnostics.map { "\($0.severity.rawValue) \($0.line):\($0.column) \($0.key ?? "-")" }
        #expect(
            got == ["warning 6:5 cluster.delivery.sender", "error 7:24 cluster.delivery.subscription_days"],
            "\(report.diagnostics.map(\.description))")
        #expect(report.warnings.first?.message.hasPrefix("no sender: the cluster sends no e-mail") == true)
    }

    @Test func aDeliveryBlockAtTheTopOfTheFileIsPointedUnderCluster() throws {
        let (report, _) = try Self.lint(
            Self.head + Self.tail + """
                delivery:
                  sender: veille@demo.example.org
                members:
                  - {id: acme, name: Acme, segments: [usinage], sites: ["42"]}
                """)
        #expect(
            report.errors.map(\.description).map { $0.components(separatedBy: ": error: ").last ?? "" } == [
                "delivery: 'delivery' belongs under `cluster:` (cluster.delivery, beside routing)"
            ])
        #expect(report.errors.first.map { ($0.line, $0.column) } ?? (0, 0) == (7, 1))
        let (wrongShape, _) = try Self.lint(Self.head + "  delivery: veille@demo.example.org\n" + Self.tail)
        #expect(wrongShape.errors.map(\.key) == ["cluster.delivery"])
        #expect(wrongShape.errors.first?.message.hasPrefix("expected a mapping (sender, reply_to, staff") == true)
    }

    /// The demo exercises mail: every example cluster sends, has staff, and every member and watch recipient has
    /// an address.
    @Test func shippedClustersCarryDeliverySettingsAndEveryMemberAContact() throws {
        let report = try RulesLinter().lint(directory: ClassifierSupport.rulesDirectory)
        let book = try #require(report.rulebook)
        #expect(!report.diagnostics.contains { $0.key?.contains("delivery") == true || $0.key == "members" })
        for c in book.clusters {
            let sender = try EmailAddress(parsing: try #require(c.delivery.sender, "\(c.id) has no sender"))
            #expect(sender.address.hasSuffix(".example.org") && sender.name != nil, "\(c.id): \(sender)")
            #expect(!c.delivery.staff.isEmpty && !c.delivery.replyTo.isEmpty, "\(c.id)")
            #expect(!c.delivery.sharePartners && c.delivery.subscriptionDays == 60)
            let addresses =
                c.delivery.staff + c.delivery.replyTo + c.members.flatMap(\.contacts)
                + c.watches.flatMap(\.recipients)
            for a in addresses {
                let parsed = try EmailAddress(parsing: a)
                #expect(parsed.address.hasSuffix(".example.org"), "\(c.id): \(a)")
            }
            for m in c.members {
                #expect(m.contact == "contact@\(m.id).example.org", "\(c.id): \(m.id)")
            }
            #expect(c.members.contains { $0.contacts.count > 1 }, "\(c.id): one member shows the list form")
        }
    }

    @Test(
        arguments: [
            ("veille@mecaloire.example.org", "veille@mecaloire.example.org", nil),
            (
                "Pôle Méca Loire — veille <veille@mecaloire.example.org>", "veille@mecaloire.example.org",
                "Pôle Méca Loire — veille"
            ),
            (
                "\"Achats, Forges du Gier\" <achats@forges-gier.example.org>", "achats@forges-gier.example.org",
                "Achats, Forges du Gier"
            ),
            ("<veille@demo.example.org>", "veille@demo.example.org", nil),
            ("jean.dupont+veille@sous.domaine.example.fr", "jean.dupont+veille@sous.domaine.example.fr", nil),
        ] as [(String, String, String?)])
    func validAddresses(_ text: String, _ address: String, _ name: String?) throws {
        let parsed = try EmailAddress(parsing: text)
        #expect(parsed.address == address)
        #expect(parsed.name == name)
    }

    @Test(arguments: [
        "veille", "veille@demo", "veille@@demo.example.org", "a@b@demo.example.org", "@demo.example.org",
        "veille @demo.example.org", "veille@demo.example.org\nBcc: x@y.fr", "Veille <veille@demo.example.org",
        "Veille <veille@demo.example.org> x", "Achats, Forges <a@b.fr>", "veille@démo.fr", "veille@demo.example.1",
        "veille@-demo.example.org", "veille@demo..org", ".veille@demo.example.org", "<>", "",
    ])
    func invalidAddresses(_ text: String) {
        #expect(EmailAddress(text) == nil)
    }
}
