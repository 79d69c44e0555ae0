import Testing
@testable import Mail

@Suite struct SMTPSettingsTests {
    @Test func smtpURLWithUserIsTakenApart() throws {
        let settings = try SMTPSettings(url: "smtp://veille%40example.org@mail.example.org:587", password: "s3cret")
        #expect(settings.timeoutSeconds == 60)
        #expect(settings.redactedURL == "smtp://veille%40example.org@mail.example.org:587")
        let endpoint = try SMTPEndpoint(settings.url)
        #expect(endpoint.curlURL == "smtp://mail.example.org:587")
        #expect(endpoint.user == "veille@example.org")
        #expect(endpoint.security == .startTLSWhenOffered)
    }

    @Test func smtpsMeansTLSFromTheStart() throws {
        let endpoint = try SMTPEndpoint("smtps://mail.example.org")
        #expect(endpoint.security == .implicitTLS)
        #expect(endpoint.user == nil)
        #expect(endpoint.curlURL == "smtps://mail.example.org")
    }

    @Test func passwordInTheURLIsRefusedAndNeverShown() {
        do {
            _ = try SMTPSettings(url: "smtp://veille:hunter2@mail.example.org:587")
            Issue.record("accepted a password in the URL")
        } catch let error as MailError {
            guard case .passwordInURL = error else { Issue.record("unexpected \(error)"); return }
            #expect(error.description.hasPrefix("mail: "))
            #expect(!error.description.contains("hunter2"))
            #expect(error.description.contains("smtp://veille@mail.example.org:587"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test(arguments: [
        "http://mail.example.org", "smtp://", "smtp:///chemin", "mail.example.org",
        "smtp://mail.example.org\r\nRCPT TO:<x@y.fr>", "smtp://mail.example.org?x=1",
        "smtp://mail example.org", "smtp://mail.example.org:99999", "smtp://h:pa ss@mail.example.org",
    ])
    func invalidURLsAreRefused(_ url: String) {
        #expect(throws: MailError.self) { try SMTPSettings(url: url) }
    }

    @Test func timeoutAtLeastOneSecond() {
        #expect(throws: MailError.self) { try SMTPSettings(url: "smtp://mail.example.org", timeoutSeconds: 0) }
    }

    @Test func environmentGivesURLAndPassword() throws {
        #expect(try SMTPSettings.fromEnvironment([:]) == nil)
        #expect(try SMTPSettings.fromEnvironment(["VIGIE_SMTP_URL": "", "VIGIE_SMTP_PASSWORD": "x"]) == nil)
        let settings = try #require(
            try SMTPSettings.fromEnvironment(
                ["VIGIE_SMTP_URL": "smtps://veille@mail.example.org:465", "VIGIE_SMTP_PASSWORD": "s3cret"]))
        #expect(settings.url == "smtps://veille@mail.example.org:465")
        #expect(settings.password == "s3cret")
        #expect(settings.caFile == nil)
        let noPassword = try #require(
            try SMTPSettings.fromEnvironment(
                [
                    "VIGIE_SMTP_URL": "smtp://127.0.0.1:2525\n", "VIGIE_SMTP_PASSWORD": "",
                    "VIGIE_SMTP_CA_FILE": "/etc/ca.pem",
                ]))
        #expect(noPassword.password == nil)
        #expect(noPassword.url == "smtp://127.0.0.1:2525")
        #expect(noPassword.caFile == "/etc/ca.pem")
    }

    @Test func environmentErrorNamesTheVariable() {
        do {
            _ = try SMTPSettings.fromEnvironment(["VIGIE_SMTP_URL": "smtp://u:topsecret@mail.example.org"])
            Issue.record("accepted a password in VIGIE_SMTP_URL")
        } catch {
            #expect("\(error)".hasPrefix("mail: VIGIE_SMTP_URL: "))
            #expect(!"\(error)".contains("topsecret"))
        }
    }

    @Test func descriptionAndDumpNeverShowThePassword() throws {
        let settings = try SMTPSettings(url: "smtp://veille@mail.example.org", password: "topsecret")
        #expect(!"\(settings)".contains("topsecret"))
        #expect(!String(reflecting: settings).contains("topsecret"))
        var dumped = ""
        dump(settings, to: &dumped)
        #expect(!dumped.contains("topsecret"))
        #expect("\(settings)".contains("smtp://veille@mail.example.org"))
    }
}
