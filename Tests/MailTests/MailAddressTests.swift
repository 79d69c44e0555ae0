import Testing
@testable import Mail

@Suite struct MailAddressTests {
    @Test(
        arguments: [
            ("a@b.fr", "a@b.fr", nil),
            ("  veille@example.org ", "veille@example.org", nil),
            ("Pôle Méca Loire <veille@example.org>", "veille@example.org", "Pôle Méca Loire"),
            ("\"Dupont, Jean\" <jean.dupont@example.org>", "jean.dupont@example.org", "Dupont, Jean"),
            ("<achats@example.org>", "achats@example.org", nil),
            ("root@localhost", "root@localhost", nil),
            ("o'neil+veille@sous-domaine.example.org", "o'neil+veille@sous-domaine.example.org", nil),
        ] as [(String, String, String?)])
    func parsesMailboxes(_ text: String, _ address: String, _ name: String?) throws {
        let parsed = try MailAddress.parse(text)
        #expect(parsed.address == address)
        #expect(parsed.name == name)
    }

    @Test(arguments: [
        "", "veille", "veille@", "@example.org", "a@b@example.org", "a@example", "a b@example.org",
        "élodie@example.org", "a@exa_mple.org", "a@-example.org", "a..b@example.org", ".a@example.org",
        "Nom <a@example.org", "Nom a@example.org>", "a@example.org\r\nBcc: x@example.org",
        "Nom\n <a@example.org>", "A <a@example.org>, B <b@example.org>", "a@example.org.",
    ])
    func refusesAnythingElse(_ text: String) {
        #expect(throws: MailError.self) { try MailAddress.parse(text) }
    }

    @Test func errorSaysMailAndShowsLineBreaks() {
        do {
            _ = try MailAddress.parse("a@example.org\r\nBcc: x@example.org")
            Issue.record("accepted an address with a line break")
        } catch {
            let text = "\(error)"
            #expect(text.hasPrefix("mail: invalid address "))
            #expect(text.contains("\\r\\n"))
            #expect(!text.contains("\n"))
        }
    }
}
