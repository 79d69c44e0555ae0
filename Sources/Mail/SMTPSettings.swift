import Foundation

/// Where and how to send: the SMTP server's URL, its password, a timeout.
public struct SMTPSettings: Sendable, Hashable {
    /// `smtp://[user@]host[:port]` (STARTTLS when the server offers it) or `smtps://[user@]host[:port]` (TLS from
    /// the start). A user that is an e-mail address has its "@" percent-encoded: `smtp://veille%40example.org@…`.
    public var url: String
    /// Sent only to `url`'s server; never logged, never in a description.
    public var password: String?
    /// Connection and whole-transaction timeout, in seconds (one recipient's transaction).
    public var timeoutSeconds: Int
    /// A PEM file of CA certificates to trust instead of the system's, for a relay with a private CA; nil = the
    /// system's. The server's certificate is always verified: a TLS failure is never a fall-back to clear text.
    public var caFile: String?

    /// Throws `MailError` when `url` is not an smtp/smtps URL with a host, holds a line break, a space, a query,
    /// or a password (the password goes in `password`), or when the timeout is under 1 s.
    public init(url: String, password: String? = nil, timeoutSeconds: Int = 60) throws {
        _ = try SMTPEndpoint(url)
        if let password, password.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) {
            throw MailError.invalidHeader(field: "password", reason: "contains a line break")
        }
        guard timeoutSeconds >= 1 else { throw MailError.invalidTimeout(timeoutSeconds) }
        self.url = url
        self.password = password
        self.timeoutSeconds = timeoutSeconds
    }

    /// From VIGIE_SMTP_URL and VIGIE_SMTP_PASSWORD (and VIGIE_SMTP_CA_FILE, when the relay's certificate comes
    /// from a private CA); nil when VIGIE_SMTP_URL is unset or empty. An empty variable counts as unset.
    public static func fromEnvironment(_ environment: [String: String]) throws -> SMTPSettings? {
        // A trailing newline is what `VIGIE_SMTP_URL=$(cat file)` and env files leave: trimmed, not an error.
        let url = environment["VIGIE_SMTP_URL"]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard !url.isEmpty else { return nil }
        let password = environment["VIGIE_SMTP_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
        do {
            var settings = try SMTPSettings(url: url, password: password)
            settings.caFile = environment["VIGIE_SMTP_CA_FILE"].flatMap { $0.isEmpty ? nil : $0 }
            return settings
        } catch let error as MailError {
            throw MailError.environment(variable: "VIGIE_SMTP_URL", error)
        }
    }

    /// The URL with any user kept and never a password (for logs).
    public var redactedURL: String {
        (try? SMTPEndpoint(url))?.redacted ?? SMTPEndpoint.redact(url)
    }
}

extension SMTPSettings: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Never shows the password, only whether there is one.
    public var description: String {
        "SMTPSettings(url: \(redactedURL), password: \(password == nil ? "none" : "set"), timeout: \(timeoutSeconds) s"
            + (caFile.map { ", CA file: \($0))" } ?? ")")
    }

    public var debugDescription: String { description }

    /// `dump` and the debugger show the redacted form too.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "url": redactedURL, "password": password == nil ? "none" : "set",
                "timeoutSeconds": timeoutSeconds, "caFile": caFile as Any,
            ])
    }
}

/// An SMTP URL taken apart: what libcurl gets (no user in the URL), the user, the TLS mode.
struct SMTPEndpoint: Hashable {
    enum Security: Hashable {
        /// smtp://: STARTTLS when offered (CURLUSESSL_TRY).
        case startTLSWhenOffered
        /// smtps://: TLS from the first byte (CURLUSESSL_ALL).
        case implicitTLS
    }

    /// scheme://host[:port][/path], without userinfo.
    var curlURL: String
    /// The login, percent-decoded; nil when the URL names none.
    var user: String?
    var security: Security
    /// The URL as logs may show it: the user kept, no password.
    var redacted: String

    init(_ url: String) throws {
        func fail(_ reason: String) -> MailError { .invalidSMTPURL(url: Self.redact(url), reason: reason) }
        guard !url.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F }) else {
            throw fail("contains a space, a line break or a control character")
        }
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased() else {
            throw fail("not a URL")
        }
        switch scheme {
        case "smtp": security = .startTLSWhenOffered
        case "smtps": security = .implicitTLS
        default: throw fail("the scheme must be smtp:// or smtps://")
        }
        if components.password != nil { throw MailError.passwordInURL(url: Self.redact(url)) }
        guard let host = components.percentEncodedHost, !host.isEmpty else { throw fail("no host") }
        guard components.query == nil, components.fragment == nil else { throw fail("a query or fragment") }
        let path = components.percentEncodedPath
        guard path.isEmpty || path == "/" || !path.dropFirst().contains("/") else {
            throw fail("the path may only name the domain sent in EHLO")
        }
        var authority = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        if let port = components.port {
            guard (1...65535).contains(port) else { throw fail("port \(port) out of range") }
            authority += ":\(port)"
        }
        curlURL = "\(scheme)://\(authority)\(path)"
        user = components.user.flatMap { $0.isEmpty ? nil : $0 }
        let encodedUser = components.percentEncodedUser.flatMap { $0.isEmpty ? nil : $0 }
        redacted = "\(scheme)://\(encodedUser.map { $0 + "@" } ?? "")\(authority)\(path)"
    }

    /// `url` with anything between "://" and the last "@" of the authority cut after the user: used on text
    /// that did not even parse, so that an error message never carries a password.
    static func redact(_ url: String) -> String {
        guard let start = url.range(of: "://") else { return url.contains("@") ? "<redacted>" : url }
        let rest = url[start.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        guard let at = authority.lastIndex(of: "@") else { return url }
        let userinfo = authority[..<at]
        let user = userinfo.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return String(url[..<start.upperBound]) + user + "@" + authority[authority.index(after: at)...]
            + rest[authorityEnd...]
    }
}
