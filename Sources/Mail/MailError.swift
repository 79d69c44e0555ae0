import Curl

/// Every error of the mail stage. Descriptions start with "mail: " and never contain a password.
public enum MailError: Error, CustomStringConvertible {
    /// Not "Name <a@b.fr>" nor "a@b.fr": `reason` says what is wrong.
    case invalidAddress(String, reason: String)
    /// A Message-ID must be `left@right` with no angle brackets, spaces or control characters.
    case invalidMessageID(String)
    /// A header value holds a line break or another control character (header injection), or is empty where
    /// a value is required.
    case invalidHeader(field: String, reason: String)
    /// The SMTP server URL is not `smtp://[user@]host[:port]` or `smtps://…`; `url` is shown without any
    /// password.
    case invalidSMTPURL(url: String, reason: String)
    /// The SMTP URL carries a password: it belongs in VIGIE_SMTP_PASSWORD, not in a URL that logs may show.
    case passwordInURL(url: String)
    /// Timeouts are whole seconds, at least 1.
    case invalidTimeout(Int)
    /// A setting read from an environment variable is invalid.
    indirect case environment(variable: String, MailError)
    /// libcurl could not be initialised, or has no memory for a handle.
    case curlUnavailable
    /// libcurl refused an option (a libcurl built without SMTP or TLS, for instance).
    case curlOption(option: String, CurlCode)

    public var description: String {
        switch self {
        case .invalidAddress(let text, let reason):
            return "mail: invalid address \(quoted(text)): \(reason)"
        case .invalidMessageID(let id):
            return "mail: invalid Message-ID \(quoted(id)): expected left@right without <>, spaces or line breaks"
        case .invalidHeader(let field, let reason):
            return "mail: invalid \(field) header: \(reason)"
        case .invalidSMTPURL(let url, let reason):
            return "mail: invalid SMTP URL \(quoted(url)): \(reason)"
        case .passwordInURL(let url):
            return "mail: the SMTP URL \(quoted(url)) contains a password; put it in VIGIE_SMTP_PASSWORD instead"
        case .invalidTimeout(let seconds):
            return "mail: invalid SMTP timeout \(seconds) s: expected at least 1 s"
        case .environment(let variable, let error):
            let inner = error.description
            let detail = inner.hasPrefix("mail: ") ? String(inner.dropFirst(6)) : inner
            return "mail: \(variable): \(detail)"
        case .curlUnavailable:
            return "mail: libcurl could not be initialised"
        case .curlOption(let option, let code):
            return "mail: libcurl refused option \(option): \(code)"
        }
    }
}

/// A value shown in an error message, with control characters made visible so that a message stays one line.
func quoted(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars.prefix(200) {
        switch scalar {
        case "\r": out += "\\r"
        case "\n": out += "\\n"
        case "\"": out += "\\\""
        case _ where scalar.value < 0x20 || scalar.value == 0x7F:
            out += "\\u{\(String(scalar.value, radix: 16))}"
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + (text.unicodeScalars.count > 200 ? "…\"" : "\"")
}
