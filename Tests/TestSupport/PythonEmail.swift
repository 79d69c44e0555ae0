import Foundation

/// Python's standard `email` package as an independent reader of messages (`parse_mail.py` beside this file):
/// what a standard parser makes of the bytes, with the defects it noted.
public enum PythonEmail {
    /// A mailbox as Python decoded it.
    public struct Mailbox: Decodable, Sendable, Hashable {
        public var name: String
        public var address: String
        public init(name: String, address: String) {
            self.name = name
            self.address = address
        }
    }

    /// An attachment as Python decoded it.
    public struct Attachment: Decodable, Sendable, Hashable {
        public var filename: String?
        public var contentType: String
        /// The full Content-Type header, parameters included.
        public var contentTypeHeader: String
        /// The Content-Type parameters (charset, method…), decoded.
        public var params: [String: String]
        public var base64: String
        /// The decoded bytes.
        public var bytes: [UInt8] { [UInt8](Data(base64Encoded: base64) ?? Data()) }
    }

    /// The message as Python read it: decoded headers, every part's content type (in walk order), the text and
    /// HTML bodies (decoded), attachments, and the names of the defects Python noted (none for a clean message).
    public struct Parsed: Decodable, Sendable, Hashable {
        public var subject: String?
        public var messageId: String?
        public var date: String?
        public var from: [Mailbox]
        public var to: [Mailbox]
        public var cc: [Mailbox]
        public var replyTo: [Mailbox]
        public var listUnsubscribe: String?
        public var autoSubmitted: String?
        public var contentTypes: [String]
        public var text: String?
        public var html: String?
        public var attachments: [Attachment]
        public var defects: [String]
    }

    /// Debian's python3, where `apt-get install python3-aiosmtpd` puts the module (a pyenv or venv python3
    /// earlier in PATH would not see it): the executable and the arguments to give it.
    static func python(_ arguments: [String]) -> (URL, [String]) {
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") {
            return (URL(fileURLWithPath: "/usr/bin/python3"), arguments)
        }
        return (URL(fileURLWithPath: "/usr/bin/env"), ["python3"] + arguments)
    }

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("parse_mail.py")

    /// Parses `message` with `python3 parse_mail.py`.
    public static func parse(_ message: [UInt8]) throws -> Parsed {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("vigie-mail-\(UUID().uuidString).eml")
        try Data(message).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let (executable, arguments) = python([script.path, file.path])
        let run = try ProcessRunner.run(executable, arguments, timeout: 60)
        guard run.succeeded else {
            throw TestSupportError.processFailed("parse_mail.py failed: \(run.stderr)")
        }
        let data = run.stdoutBytes
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(Parsed.self, from: data)
    }
}
