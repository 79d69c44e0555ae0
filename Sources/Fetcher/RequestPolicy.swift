import Foundation

/// Where a source's requests may go, and what they may carry there. Pure, table-tested.
///
/// Two rules from attacks tried on the nightly run:
/// - **Only http(s) from the network.** A redirect or a `next` link to `file:///etc/passwd` was followed and
///   the file stored as a notice. Redirects and next links must be `http://` or `https://`; only a source whose
///   catalogue URL is itself `file://` (the offline demo) reads files, and its `next` links may only name files
///   in the same folder as the catalogue's file (never a redirect: files have none).
/// - **Credentials only to their origin.** A header key (`X-Api-Key`, aides-territoires' `X-AUTH-TOKEN`), a
///   Bearer token or a key in the query went to another host after a redirect or a `next` link. The credential
///   is attached to each request at the moment it is sent, and only when the request's scheme, host and port
///   are those of the configured URL (of the source, or of the token exchange for the exchange itself).
public enum RequestPolicy {
    /// `scheme://host:port` of `url`, lower-cased, the default port written out (`https://a.example:443`);
    /// nil when `url` has no scheme or host. `file://` URLs have the origin `file://`.
    public static func origin(_ url: String) -> String? {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        if scheme == "file" { return "file://" }
        let rest = url[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        var hostPort = authority.split(separator: "@", omittingEmptySubsequences: false).last.map(String.init) ?? ""
        hostPort = hostPort.lowercased()
        guard !hostPort.isEmpty else { return nil }
        var host = hostPort
        var port: String?
        if let colon = hostPort.lastIndex(of: ":"), !hostPort.hasSuffix("]") {
            host = String(hostPort[..<colon])
            port = String(hostPort[hostPort.index(after: colon)...])
        }
        let defaultPort = scheme == "https" ? "443" : (scheme == "http" ? "80" : "")
        return "\(scheme)://\(host):\(port.flatMap { $0.isEmpty ? nil : $0 } ?? defaultPort)"
    }

    /// Whether `a` and `b` have the same scheme, host and port.
    public static func isSameOrigin(_ a: String, _ b: String) -> Bool {
        guard let x = origin(a), let y = origin(b) else { return false }
        return x == y
    }

    /// The scheme of `url`, lower-cased (`""` when none).
    static func scheme(_ url: String) -> String {
        guard let end = url.range(of: "://") else {
            return url.lowercased().hasPrefix("file:") ? "file" : ""
        }
        return url[..<end.lowerBound].lowercased()
    }

    /// Why a redirect from one of `source`'s requests to `target` is refused, or nil when it may be followed.
    public static func redirectRefusal(_ target: String, source: SourceDefinition) -> String? {
        let scheme = scheme(target)
        guard scheme == "http" || scheme == "https" else {
            return "a redirect may only lead to http:// or https://, not \(scheme.isEmpty ? "this" : scheme + "://")"
        }
        if target.contains("@"), let authority = authority(target), authority.contains("@") {
            return "a redirect may not carry user:password@"
        }
        return nil
    }

    /// Why `source` may not follow a `next` link to `target`, or nil when it may.
    public static func nextLinkRefusal(_ target: String, source: SourceDefinition) -> String? {
        let scheme = scheme(target)
        if source.isLocalFile {
            // The offline demo's pages may chain inside the demo's folder, never elsewhere on the disk.
            guard scheme == "file" else { return "a file:// source only follows next links to files next to it" }
            let folder = (path(ofFile: source.url) as NSString).deletingLastPathComponent
            let file = (path(ofFile: target) as NSString).standardizingPath
            guard !folder.isEmpty, file.hasPrefix(folder + "/") else {
                return "a file:// source only follows next links to files in its own folder (\(folder))"
            }
            return nil
        }
        guard scheme == "http" || scheme == "https" else {
            return "a next link may only lead to http:// or https://, not \(scheme.isEmpty ? "this" : scheme + "://")"
        }
        if target.contains("@"), let authority = authority(target), authority.contains("@") {
            return "a next link may not carry user:password@"
        }
        return nil
    }

    /// The path of a `file:` URL, percent-decoded and standardized.
    static func path(ofFile url: String) -> String {
        var path = url
        if path.lowercased().hasPrefix("file://") {
            path = String(path.dropFirst(7))
        } else if path.lowercased().hasPrefix("file:") {
            path = String(path.dropFirst(5))
        }
        if let cut = path.firstIndex(where: { $0 == "?" || $0 == "#" }) { path = String(path[..<cut]) }
        path = path.removingPercentEncoding ?? path
        return (path as NSString).standardizingPath
    }

    /// The authority (`user@host:port`) of `url`.
    static func authority(_ url: String) -> String? {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        return String(url[schemeEnd.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" })
    }

    /// The characters refused in a configured header name or value: a CR or LF would let a catalogue line
    /// smuggle another header (or a second request) onto the wire; NUL and the other C0 controls and DEL cut or
    /// confuse it.
    public static func controlCharacter(in text: String) -> Character? {
        text.first { $0.unicodeScalars.contains { $0.value < 0x20 && $0 != "\t" || $0.value == 0x7F } }
    }
}

/// A source's credential as it is attached to each request at the moment it is sent.
struct Credentials: Sendable {
    let auth: AuthSpec?
    let sourceURL: String
    /// The key or token (nil: anonymous, or not exchanged yet).
    var secret: String?
    /// The long-lived key to exchange before the first page, while the exchange is pending.
    var exchangeKey: String?

    /// `request` as it goes on the wire: any credential the request carries is removed, then the credential is
    /// added back only when the request goes to the credential's origin (the source's URL; the exchange's URL for
    /// the exchange itself).
    func attach(to request: PageRequest) -> PageRequest {
        guard let auth else { return request }
        var out = stripped(request)
        if request.pageIndex < 0 {
            // The key-for-token exchange: the long-lived key, to the exchange's own origin only.
            guard let exchange = auth.exchange, let key = exchangeKey,
                RequestPolicy.isSameOrigin(request.url, exchange.url)
            else { return out }
            out.headers.append(QueryParameter(exchange.header, key))
            return out
        }
        guard let secret, RequestPolicy.isSameOrigin(request.url, sourceURL) else { return out }
        if let header = auth.header {
            out.headers.append(QueryParameter(header, auth.scheme.map { "\($0) \(secret)" } ?? secret))
        }
        if let param = auth.queryParam {
            out.url = Pager.url(out.url, [QueryParameter(param, secret)])
        }
        return out
    }

    /// `request` without the credential's header (nor the exchange's) and without its query parameter.
    func stripped(_ request: PageRequest) -> PageRequest {
        guard let auth else { return request }
        var out = request
        let names = [auth.header, auth.exchange?.header].compactMap { $0?.lowercased() }
        out.headers.removeAll { names.contains($0.name.lowercased()) }
        if let param = auth.queryParam { out.url = Pager.removing(out.url, param) }
        return out
    }
}
