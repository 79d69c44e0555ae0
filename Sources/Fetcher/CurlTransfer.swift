import Curl
import Foundation

/// Transport settings shared by every request of a run.
public struct TransportSettings: Sendable, Hashable {
    public var connectTimeout: Double = 15
    /// Whole transfer, redirects included.
    public var totalTimeout: Double = 180
    /// A transfer slower than `lowSpeedLimit` bytes/s for `lowSpeedTime` seconds is a stalled server. At the
    /// old 16 B/s a server dripping 20 bytes a second held a page for the whole total timeout, three times over
    /// with retries (9 minutes); 1 KiB/s over 30 s is far below any real service's worst night.
    public var lowSpeedLimit: Int = 1024
    public var lowSpeedTime: Int = 30
    /// Redirects followed per request (by `SourceJob`, hop by hop, not by libcurl).
    public var maxRedirects: Int = 5
    public var userAgent: String = FetchConfiguration.defaultUserAgent
    /// Hosts never reached through a proxy, on top of the `no_proxy` environment variable libcurl reads
    /// itself (tests and the benchmark set `127.0.0.1,localhost` so a developer's proxy cannot swallow them).
    public var noProxy: String?
    public init() {}
}

/// One easy handle and what it collects while it runs. It sends one request and follows no redirect: `SourceJob`
/// follows them hop by hop, so that a credential never goes to another origin. Final, single owner (the engine's
/// table of running transfers); its easy handle's callbacks capture it unowned, valid because the table keeps it
/// alive until the handle has left the multi handle.
final class CurlTransfer {
    let easy: CurlEasy
    /// The request as the job knows it (no credential): what the outcome reports.
    let request: PageRequest
    let maxBodyBytes: Int
    let sentValidators: Bool
    let startedAt = Date()

    var body: [UInt8] = []
    /// Headers of the latest response in a redirect chain (lower-cased names).
    var responseHeaders: [String: String] = [:]
    var isTooLarge = false
    /// libcurl saw more body bytes than the announced `Content-Length` (it says so only in its verbose text).
    var hadExcessBytes = false

    /// `wire` is `request` as it goes out (with the credential, when it goes to its origin); `isLocalSource`
    /// says whether the source's catalogue URL is `file://`, the only case where libcurl may read files.
    init?(
        request: PageRequest, wire: PageRequest, isLocalSource: Bool, extraHeaders: [QueryParameter],
        maxBodyBytes: Int, settings: TransportSettings
    ) {
        guard let easy = CurlEasy() else { return nil }
        self.easy = easy
        self.request = request
        self.maxBodyBytes = maxBodyBytes
        self.sentValidators = extraHeaders.contains { $0.name.hasPrefix("If-") }
        configure(wire: wire, isLocalSource: isLocalSource, extraHeaders: extraHeaders, settings: settings)
    }

    var errorMessage: String { easy.errorMessage }

    private func configure(
        wire: PageRequest, isLocalSource: Bool, extraHeaders: [QueryParameter],
        settings: TransportSettings
    ) {
        easy.set(.url(wire.url))
        // Files only for a source whose catalogue URL is file:// (the offline demo); web sources speak http(s)
        // only, so no URL a server hands out (a next link, a redirect) can make libcurl read a local file.
        easy.set(.protocols(isLocalSource ? "file" : "http,https"))
        easy.set(.redirectProtocols("http,https"))
        // Redirects are followed by SourceJob, one hop per transfer: libcurl would resend custom headers
        // (X-AUTH-TOKEN, X-Api-Key) to whatever host a Location names.
        easy.set(.followLocation(false))
        // libcurl reports "Excess found in a read" (a body longer than its Content-Length) only as verbose
        // text: the debug callback reads it, and nothing is printed.
        easy.onDebugText = { [unowned self] text in receiveDebug(text: text) }
        easy.set(.verbose(true))
        // "" = every encoding this libcurl decodes (gzip, deflate, br, zstd when built in).
        easy.set(.acceptEncoding(""))
        easy.set(.httpVersion(.http2OverTLS))
        easy.set(.userAgent(settings.userAgent))
        easy.set(.connectTimeoutMilliseconds(Int(settings.connectTimeout * 1000)))
        easy.set(.timeoutMilliseconds(Int(settings.totalTimeout * 1000)))
        easy.set(.lowSpeed(bytesPerSecond: settings.lowSpeedLimit, seconds: settings.lowSpeedTime))
        // Signals and threads don't mix: timeouts are handled by the multi loop.
        easy.set(.noSignal(true))
        easy.set(.maxFileSize(Int64(maxBodyBytes)))
        easy.onWrite = { [unowned self] bytes in receive(bytes) }
        easy.onHeader = { [unowned self] line in receiveHeader(line) }
        // Proxies: libcurl reads http_proxy / https_proxy / no_proxy itself.
        if let noProxy = settings.noProxy { easy.set(.noProxy(noProxy)) }

        if wire.url.hasPrefix("file:") {
            // Local sources get conditional GET too: libcurl's file protocol honours a time condition
            // against the file's mtime, so an unchanged local file costs no parsing, like a 304.
            easy.set(.fileTime(true))
            if let since = extraHeaders.first(where: { $0.name == "If-Modified-Since" }),
                let date = HTTPDate.parse(since.value)
            {
                easy.set(.ifModifiedSince(date))
            }
        }

        var lines = (wire.headers + extraHeaders).map { "\($0.name): \($0.value)" }
        if wire.method == "POST" {
            // No "Expect: 100-continue" round trip for small API bodies.
            lines.append("Expect:")
        }
        if !lines.isEmpty { easy.set(.httpHeaders(lines)) }

        if wire.method == "POST" {
            if !wire.form.isEmpty {
                easy.set(
                    .formParts(
                        wire.form.map { part in
                            // SEDIA reads its `query`/`sort` parts as JSON only when they are typed so.
                            let isJSON = part.value.first.map { $0 == "{" || $0 == "[" } ?? false
                            return CurlEasy.FormPart(
                                name: part.name, value: part.value,
                                contentType: isJSON ? "application/json" : nil)
                        }))
            } else {
                easy.set(.postFields(wire.body ?? ""))
            }
        }
    }

    // MARK: - Callbacks (on the multi loop's thread)

    func receive(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        if body.count + bytes.count > maxBodyBytes {
            isTooLarge = true
            return false
        }
        body.append(contentsOf: bytes)
        return true
    }

    func receiveHeader(_ line: String) -> Bool {
        let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("HTTP/") {
            // A new response of the chain (after a redirect, or a 100 Continue): forget the previous one's.
            responseHeaders = [:]
            body = []
            return true
        }
        guard let colon = trimmed.firstIndex(of: ":") else { return true }
        let name = trimmed[..<colon].lowercased()
        let value = trimmed[trimmed.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        responseHeaders[name] = value
        return true
    }

    /// libcurl's verbose text (its informational lines; headers and data are not passed).
    func receiveDebug(text: String) {
        if text.hasPrefix("Excess found") { hadExcessBytes = true }
    }

    // MARK: - Outcome

    /// This finished transfer as a plain value; `code` is what libcurl reported for it. The only place where
    /// libcurl's codes are read.
    func outcome(code: CurlCode, at now: Date = Date()) -> TransferOutcome {
        var status = responseCode
        var headers = responseHeaders
        var sent = sentValidators
        let isFile = request.url.hasPrefix("file:")
        if code == .ok && isFile {
            if conditionUnmet {
                // The file is older than the saved date: the equivalent of a 304.
                status = 304
                sent = true
            } else {
                status = 200
                // The file's mtime stands in for Last-Modified (no ETag for files).
                headers["last-modified"] = fileTime
                headers["etag"] = nil
            }
        }
        var failure: TransferFailure?
        if code != .ok {
            let message = errorMessage.isEmpty ? code.description : errorMessage
            switch code {
            case .writeError where isTooLarge, .fileSizeExceeded: failure = .bodyTooLarge
            case .tooManyRedirects: failure = .tooManyRedirects
            case .operationTimedOut:
                // libcurl reports the low-speed abort with the same code, and says "too slow" in the message.
                failure = message.lowercased().contains("too slow") ? .stalled : .timeout
            case .partialFile: failure = .truncated(expectedBytes: announcedLength)
            case .couldntConnect, .couldntResolveHost, .couldntResolveProxy, .gotNothing, .recvError, .sendError,
                .sslConnectError, .http2, .http2Stream:
                failure = .connection(message: message)
            case .fileCouldntReadFile: failure = .unreadableFile(message: message)
            case .badContentEncoding: failure = .badContentEncoding(message: message)
            default: failure = .other(message: message)
            }
        } else if hadExcessBytes && !isFile {
            failure = .lengthMismatch(announced: announcedLength)
        }
        return TransferOutcome(
            request: request, status: status, headers: headers, body: body,
            contentType: contentType, effectiveURL: request.url, sentValidators: sent,
            failure: failure, elapsed: now.timeIntervalSince(startedAt))
    }

    // MARK: - Info

    var responseCode: Int { easy.responseCode }

    var contentType: String? { easy.contentType }

    /// True when a time condition (file://) was not met: the local file is unchanged.
    var conditionUnmet: Bool { easy.isConditionUnmet }

    /// The file's modification time as an HTTP-date (file://), when libcurl knows it.
    var fileTime: String? { easy.fileTime.map(HTTPDate.format) }

    var announcedLength: Int? { easy.contentLengthDownload }
}
