import Foundation

/// Replaces every secret of a source by `***` in text that leaves the fetcher: document URLs (the store keeps
/// them in `raw_document.url`), warnings, error descriptions, log lines, `SourceState.lastError`.
///
/// One type used everywhere rather than scattered replaces: a key passed as a query parameter used to reach
/// stderr, `--json` output, the store and every digest's source-health section when its source failed.
/// What counts as secret:
/// - the value of the source's `auth.env` variable, as is and percent-encoded (it travels in a query string);
/// - every token a key-for-token exchange returned (`adding(_:)`, once the exchange is done);
/// - the value of the query parameter the catalogue names in `auth.query_param`, whatever it is (a server that
///   echoes the key in its `next` links echoes it under that name);
/// - the `user:password@` part of any URL (refused in the catalogue, but a redirect or a `next` link may
///   carry one).
public struct Redactor: Sendable, Hashable {
    /// What replaces a secret.
    public static let mask = "***"

    /// Secret values, longest first (a token that contains a key is masked whole).
    public private(set) var secrets: [String]
    /// Query parameters whose value is always masked.
    public private(set) var secretParameters: [String]

    /// A redactor that masks only `user:password@` in URLs.
    public init() {
        secrets = []
        secretParameters = []
    }

    /// The redactor of `source` when its credential is read from `environment`.
    public init(source: SourceDefinition, environment: [String: String]) {
        self.init()
        if let auth = source.auth {
            if let value = environment[auth.env] { add(value) }
            if let param = auth.queryParam { secretParameters.append(param) }
        }
    }

    /// One redactor for a whole catalogue: the secrets of every source. For texts tied to no single source
    /// (a command's output, a `last_error` stored by an older version before redaction existed).
    public init(sources: [SourceDefinition], environment: [String: String]) {
        self.init()
        for source in sources {
            let one = Redactor(source: source, environment: environment)
            for secret in one.secrets where !secrets.contains(secret) { secrets.append(secret) }
            for param in one.secretParameters where !secretParameters.contains(param) { secretParameters.append(param) }
        }
        secrets.sort { $0.count > $1.count }
    }

    /// This redactor with one more secret (a token from a key-for-token exchange).
    public func adding(_ secret: String) -> Redactor {
        var copy = self
        copy.add(secret)
        return copy
    }

    private mutating func add(_ secret: String) {
        // Whitespace only, or a single character, would mask half of every message: such a value is no
        // credential a service would accept anyway.
        let trimmed = secret.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.count >= 2 else { return }
        var forms = [trimmed]
        for encoded in [
            trimmed.addingPercentEncoding(withAllowedCharacters: Pager.queryAllowed),
            trimmed.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed),
        ] {
            if let encoded, encoded != trimmed { forms.append(encoded) }
        }
        for form in forms where !secrets.contains(form) { secrets.append(form) }
        secrets.sort { $0.count > $1.count }
    }

    /// `text` with every secret masked.
    public func redact(_ text: String) -> String {
        var out = Self.maskingUserInfo(text)
        for secret in secrets where out.contains(secret) {
            out = out.replacingOccurrences(of: secret, with: Self.mask)
        }
        for param in secretParameters {
            out = Self.maskingParameter(param, in: out)
        }
        return out
    }

    /// `error` with every text it carries masked.
    public func redact(_ error: FetcherError) -> FetcherError {
        error.mappingTexts(redact)
    }

    /// `user:password@` (or `token@`) in every `scheme://…@host` of `text` becomes `***@`.
    static func maskingUserInfo(_ text: String) -> String {
        guard text.contains("://"), text.contains("@") else { return text }
        var out = ""
        var rest = Substring(text)
        while let scheme = rest.range(of: "://") {
            out += rest[..<scheme.upperBound]
            rest = rest[scheme.upperBound...]
            // The authority ends at the first of / ? # or whitespace; userinfo is what precedes its last @.
            let authority = rest.prefix { !"/?#\"' \n\r\t<>".contains($0) }
            if let at = authority.lastIndex(of: "@") {
                out += Self.mask
                rest = rest[at...]
            }
        }
        return out + rest
    }

    /// The value of query parameter `name` in every URL of `text` becomes `***`.
    static func maskingParameter(_ name: String, in text: String) -> String {
        guard !name.isEmpty, text.contains(name + "=") else { return text }
        let encodedName = name.addingPercentEncoding(withAllowedCharacters: Pager.queryAllowed) ?? name
        var out = ""
        var rest = Substring(text)
        while let found = rest.range(of: encodedName + "=") {
            let before =
                found.lowerBound == rest.startIndex
                ? (out.last ?? " ") : rest[rest.index(before: found.lowerBound)]
            out += rest[..<found.upperBound]
            rest = rest[found.upperBound...]
            // Only a parameter (after ? or &), not a longer name that ends the same way.
            guard before == "?" || before == "&" else { continue }
            let value = rest.prefix { !"&#\"' \n\r\t<>".contains($0) }
            if !value.isEmpty && value != Self.mask {
                out += Self.mask
                rest = rest[value.endIndex...]
            }
        }
        return out + rest
    }
}

extension FetcherError {
    /// This error with `transform` applied to every text it carries (URLs, messages, snippets, chains).
    func mappingTexts(_ transform: (String) -> String) -> FetcherError {
        let t = transform
        switch self {
        case .catalogue(let file, let line, let key, let message):
            return .catalogue(file: file, line: line, key: key, message: t(message))
        case .httpStatus(let source, let url, let status, let attempts):
            return .httpStatus(source: source, url: t(url), status: status, attempts: attempts)
        case .rateLimited(let source, let url, let retryAfter):
            return .rateLimited(source: source, url: t(url), retryAfter: retryAfter)
        case .connection(let source, let url, let message, let attempts):
            return .connection(source: source, url: t(url), message: t(message), attempts: attempts)
        case .timeout(let source, let url, let seconds, let attempts):
            return .timeout(source: source, url: t(url), seconds: seconds, attempts: attempts)
        case .stalled(let source, let url, let received, let seconds, let attempts):
            return .stalled(source: source, url: t(url), receivedBytes: received, seconds: seconds, attempts: attempts)
        case .truncated(let source, let url, let received, let expected, let attempts):
            return .truncated(
                source: source, url: t(url), receivedBytes: received, expectedBytes: expected,
                attempts: attempts)
        case .lengthMismatch(let source, let url, let announced):
            return .lengthMismatch(source: source, url: t(url), announcedBytes: announced)
        case .bodyTooLarge(let source, let url, let limit):
            return .bodyTooLarge(source: source, url: t(url), limit: limit)
        case .redirectLoop(let source, let chain):
            return .redirectLoop(source: source, chain: chain.map(t))
        case .tooManyRedirects(let source, let url, let limit):
            return .tooManyRedirects(source: source, url: t(url), limit: limit)
        case .refusedURL(let source, let url, let target, let why):
            return .refusedURL(source: source, url: t(url), target: t(target), why: why)
        case .htmlInsteadOfData(let source, let url, let expected, let snippet):
            return .htmlInsteadOfData(source: source, url: t(url), expected: expected, snippet: t(snippet))
        case .unexpectedContent(let source, let url, let expected, let message):
            return .unexpectedContent(source: source, url: t(url), expected: expected, message: t(message))
        case .paging(let source, let url, let message):
            return .paging(source: source, url: t(url), message: t(message))
        case .missingCredential:
            return self
        case .authentication(let source, let url, let message):
            return .authentication(source: source, url: t(url), message: t(message))
        case .timeBudget(let source, let url, let seconds, let scope):
            return .timeBudget(source: source, url: t(url), seconds: seconds, scope: scope)
        case .transport(let source, let message):
            return .transport(source: source, message: t(message))
        case .interrupted:
            return self
        }
    }
}
