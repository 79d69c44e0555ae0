import Foundation

/// A real SMTP server on 127.0.0.1 (python3 + aiosmtpd, `smtp_sink.py` beside this file) with scripted faults,
/// for tests that send mail: real SMTP, no network. `stop()` (or deinit) kills it.
///
/// Needs the Debian package `python3-aiosmtpd` (`make test` installs it).
public final class SMTPSink: @unchecked Sendable {
    /// AUTH credentials the server requires (PLAIN or LOGIN, without TLS).
    public struct Credentials: Sendable, Hashable {
        public var user: String
        public var password: String
        public init(user: String, password: String) {
            self.user = user
            self.password = password
        }
    }

    /// TLS the server speaks, with a self-signed certificate for 127.0.0.1 made by `openssl` at start.
    public enum TLS: Sendable, Hashable {
        /// Offers STARTTLS (clients that don't ask stay in clear text).
        case startTLS
        /// TLS from the first byte (smtps).
        case implicit
    }

    /// Faults to script, all off by default.
    public struct Options: Sendable {
        /// RCPT TO these addresses gets 550 (user unknown).
        public var refuseRecipients: [String] = []
        /// The first N messages get 451 after their data; later ones are accepted.
        public var temporaryFailuresOnData = 0
        /// After the N-th accepted message the server drops every connection and stops listening (server down).
        public var downAfterAccepted: Int?
        /// A wait before each RCPT reply, so a test can kill a client mid-session or hit its timeout.
        public var rcptDelayMilliseconds = 0
        /// Require AUTH with these credentials.
        public var credentials: Credentials?
        /// Clear text when nil.
        public var tls: TLS?

        public init(
            refuseRecipients: [String] = [], temporaryFailuresOnData: Int = 0, downAfterAccepted: Int? = nil,
            rcptDelayMilliseconds: Int = 0, credentials: Credentials? = nil, tls: TLS? = nil
        ) {
            self.tls = tls
            self.refuseRecipients = refuseRecipients
            self.temporaryFailuresOnData = temporaryFailuresOnData
            self.downAfterAccepted = downAfterAccepted
            self.rcptDelayMilliseconds = rcptDelayMilliseconds
            self.credentials = credentials
        }
    }

    /// The port it listens on (chosen by the system).
    public let port: Int
    /// Where it writes `<n>.eml` and `log.jsonl`.
    public let folder: URL
    private let server: ProcessRunner.Running
    private let lock = NSLock()
    private var isStopped = false

    /// The server's self-signed certificate (PEM), when it speaks TLS: what a client must trust.
    public let certificatePath: String?

    /// `smtp://127.0.0.1:<port>`, or `smtps://…` for implicit TLS.
    public var url: String { "\(isImplicitTLS ? "smtps" : "smtp")://127.0.0.1:\(port)" }
    private let isImplicitTLS: Bool

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("smtp_sink.py")

    /// Starts the server and waits until it listens.
    public init(_ options: Options = Options()) throws {
        folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("vigie-smtp-sink-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var arguments = [Self.script.path, "--dir", folder.path]
        for address in options.refuseRecipients { arguments += ["--refuse-rcpt", address] }
        if options.temporaryFailuresOnData > 0 {
            arguments += ["--tempfail-data", "\(options.temporaryFailuresOnData)"]
        }
        if let down = options.downAfterAccepted { arguments += ["--accept-then-down", "\(down)"] }
        if options.rcptDelayMilliseconds > 0 { arguments += ["--rcpt-delay-ms", "\(options.rcptDelayMilliseconds)"] }
        if let credentials = options.credentials {
            arguments += ["--auth", "\(credentials.user):\(credentials.password)"]
        }
        isImplicitTLS = options.tls == .implicit
        if let tls = options.tls {
            let certificate = folder.appendingPathComponent("cert.pem").path
            let key = folder.appendingPathComponent("key.pem").path
            try Self.makeCertificate(certificate: certificate, key: key)
            arguments += ["--tls-cert", certificate, "--tls-key", key]
            if tls == .implicit { arguments.append("--implicit-tls") }
            certificatePath = certificate
        } else {
            certificatePath = nil
        }
        let (python, pythonArguments) = PythonEmail.python(arguments)
        let server = try ProcessRunner.Running(python, pythonArguments)
        self.server = server
        // The first line is "PORT <n>"; nothing by the time it ends means the script died (aiosmtpd missing, say).
        _ = server.waitForStdout(timeout: 30) { $0.contains("\n") }
        let text = server.stdoutSoFar().trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("PORT "), let port = Int(text.dropFirst(5)) else {
            let stderr = server.stderrSoFar()
            server.signal(SIGKILL)
            _ = try? server.wait()
            throw TestSupportError.processFailed(
                "smtp_sink.py did not start (is python3-aiosmtpd installed?): \(text) \(stderr)")
        }
        self.port = port
    }

    /// A self-signed certificate for 127.0.0.1, valid one day.
    private static func makeCertificate(certificate: String, key: String) throws {
        let made = try ProcessRunner.tool(
            "openssl",
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate, "-days", "1",
                "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            ], timeout: 60)
        guard made.succeeded else {
            throw TestSupportError.processFailed("openssl could not make a test certificate")
        }
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: folder)
    }

    /// Kills the server (the port then refuses connections).
    public func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard !isStopped else { return }
        isStopped = true
        if server.isRunning {
            // SIGKILL: a server that is simply gone, whatever signals the test process left blocked.
            server.signal(SIGKILL)
            _ = try? server.wait()
        }
    }

    /// Every message accepted so far, in order.
    public func received() throws -> [ReceivedMail] {
        try log().compactMap { entry -> ReceivedMail? in
            guard entry.event == "message", let file = entry.file, let number = entry.n else { return nil }
            let raw = try [UInt8](Data(contentsOf: folder.appendingPathComponent(file)))
            var id = entry.messageID ?? ""
            if id.hasPrefix("<") && id.hasSuffix(">") { id = String(id.dropFirst().dropLast()) }
            return ReceivedMail(
                number: number, session: entry.session, envelopeFrom: entry.from ?? "",
                recipients: entry.rcpt ?? [], messageID: id, raw: raw, isTLS: entry.tls ?? false)
        }
    }

    /// Waits until the server has accepted `count` messages (a client killed mid-run, say), at most `timeout`
    /// seconds, and returns what it has then.
    public func waitForMessages(_ count: Int, timeout: TimeInterval = 10) throws -> [ReceivedMail] {
        let end = Date().addingTimeInterval(timeout)
        var messages = try received()
        while messages.count < count && Date() < end {
            Thread.sleep(forTimeInterval: 0.05)
            messages = try received()
        }
        return messages
    }

    /// Waits until a server started with `downAfterAccepted` has gone down (dropped its connections and closed
    /// its port), at most `timeout` seconds; true when it has.
    public func waitUntilDown(timeout: TimeInterval = 10) throws -> Bool {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            if try log().contains(where: { $0.event == "down" }) { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return false
    }

    /// How many SMTP connections the server has seen.
    public func sessionCount() throws -> Int {
        try log().filter { $0.event == "connect" }.count
    }

    private struct LogEntry: Decodable {
        var event: String
        var n: Int?
        var session: Int
        var from: String?
        var rcpt: [String]?
        var messageID: String?
        var file: String?
        var tls: Bool?
        enum CodingKeys: String, CodingKey {
            case event, n, session, from, rcpt, file, tls
            case messageID = "message_id"
        }
    }

    private func log() throws -> [LogEntry] {
        let url = folder.appendingPathComponent("log.jsonl")
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        let text = try String(contentsOf: url, encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            try JSONDecoder().decode(LogEntry.self, from: Data(line.utf8))
        }
    }
}

/// One message the sink accepted.
public struct ReceivedMail: Sendable, Hashable {
    /// 1, 2, … in order of acceptance.
    public var number: Int
    /// The SMTP connection it came on (1, 2, … in order of connection).
    public var session: Int
    public var envelopeFrom: String
    public var recipients: [String]
    /// The Message-ID header, without angle brackets.
    public var messageID: String
    /// The message as received.
    public var raw: [UInt8]
    /// It came over TLS (STARTTLS or implicit).
    public var isTLS: Bool
}

/// Failures of the test helpers themselves.
public enum TestSupportError: Error, CustomStringConvertible {
    case processFailed(String)

    public var description: String {
        switch self {
        case .processFailed(let message): return "test support: \(message)"
        }
    }
}
