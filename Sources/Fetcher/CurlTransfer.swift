import CCurl
import Foundation

/// libcurl is initialised once per process, before the first handle (curl_global_init is not thread-safe
/// to call concurrently; a Swift global is initialised exactly once, atomically).
let curlGlobalInit: Bool = {
    // CURL_GLOBAL_SSL | CURL_GLOBAL_WIN32 (= CURL_GLOBAL_ALL; the macro is not imported into Swift).
    curl_global_init(3) == CURLE_OK
}()

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

/// One easy handle and everything C holds a pointer to while it runs. It sends one request and follows no
/// redirect: `SourceJob` follows them hop by hop, so that a credential never goes to another origin.
/// Final, single owner (the engine's table of running transfers), freed in deinit; callbacks reach it through
/// an unretained pointer that is valid because the table keeps it alive until the handle has left the multi
/// handle.
final class CurlTransfer {
    let handle: UnsafeMutableRawPointer
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

    private var headerList: UnsafeMutablePointer<curl_slist>?
    private var mime: OpaquePointer?
    private let errorBuffer: UnsafeMutablePointer<CChar>

    /// `wire` is `request` as it goes out (with the credential, when it goes to its origin); `isLocalSource`
    /// says whether the source's catalogue URL is `file://`, the only case where libcurl may read files.
    init?(request: PageRequest, wire: PageRequest, isLocalSource: Bool, extraHeaders: [QueryParameter],
          maxBodyBytes: Int, settings: TransportSettings) {
        _ = curlGlobalInit
        guard let h = curl_easy_init() else { return nil }
        handle = h
        self.request = request
        self.maxBodyBytes = maxBodyBytes
        self.sentValidators = extraHeaders.contains { $0.name.hasPrefix("If-") }
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        configure(wire: wire, isLocalSource: isLocalSource, extraHeaders: extraHeaders, settings: settings)
    }

    deinit {
        curl_easy_cleanup(handle)
        if let headerList { curl_slist_free_all(headerList) }
        if let mime { curl_mime_free(mime) }
        errorBuffer.deallocate()
    }

    var errorMessage: String {
        String(cString: errorBuffer).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func configure(wire: PageRequest, isLocalSource: Bool, extraHeaders: [QueryParameter],
                           settings: TransportSettings) {
        let h = handle
        _ = vigie_easy_setopt_string(h, CURLOPT_URL, wire.url)
        // Files only for a source whose catalogue URL is file:// (the offline demo); web sources speak http(s)
        // only, so no URL a server hands out (a next link, a redirect) can make libcurl read a local file.
        _ = vigie_easy_setopt_string(h, CURLOPT_PROTOCOLS_STR, isLocalSource ? "file" : "http,https")
        _ = vigie_easy_setopt_string(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        // Redirects are followed by SourceJob, one hop per transfer: libcurl would resend custom headers
        // (X-AUTH-TOKEN, X-Api-Key) to whatever host a Location names.
        _ = vigie_easy_setopt_long(h, CURLOPT_FOLLOWLOCATION, 0)
        // libcurl reports "Excess found in a read" (a body longer than its Content-Length) only as verbose
        // text: the debug callback reads it, and nothing is printed.
        _ = vigie_easy_setopt_debug_callback(h, curlDebugCallback)
        _ = vigie_easy_setopt_long(h, CURLOPT_VERBOSE, 1)
        // "" = every encoding this libcurl decodes (gzip, deflate, br, zstd when built in).
        _ = vigie_easy_setopt_string(h, CURLOPT_ACCEPT_ENCODING, "")
        _ = vigie_easy_setopt_long(h, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS))
        _ = vigie_easy_setopt_string(h, CURLOPT_USERAGENT, settings.userAgent)
        _ = vigie_easy_setopt_long(h, CURLOPT_CONNECTTIMEOUT_MS, Int(settings.connectTimeout * 1000))
        _ = vigie_easy_setopt_long(h, CURLOPT_TIMEOUT_MS, Int(settings.totalTimeout * 1000))
        _ = vigie_easy_setopt_long(h, CURLOPT_LOW_SPEED_LIMIT, settings.lowSpeedLimit)
        _ = vigie_easy_setopt_long(h, CURLOPT_LOW_SPEED_TIME, settings.lowSpeedTime)
        // Signals and threads don't mix: timeouts are handled by the multi loop.
        _ = vigie_easy_setopt_long(h, CURLOPT_NOSIGNAL, 1)
        _ = vigie_easy_setopt_off(h, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(maxBodyBytes))
        _ = vigie_easy_setopt_pointer(h, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(errorBuffer))
        let context = Unmanaged.passUnretained(self).toOpaque()
        _ = vigie_easy_setopt_write_callback(h, CURLOPT_WRITEFUNCTION, curlWriteCallback)
        _ = vigie_easy_setopt_pointer(h, CURLOPT_WRITEDATA, context)
        _ = vigie_easy_setopt_write_callback(h, CURLOPT_HEADERFUNCTION, curlHeaderCallback)
        _ = vigie_easy_setopt_pointer(h, CURLOPT_HEADERDATA, context)
        _ = vigie_easy_setopt_pointer(h, CURLOPT_DEBUGDATA, context)
        // Proxies: libcurl reads http_proxy / https_proxy / no_proxy itself.
        if let noProxy = settings.noProxy { _ = vigie_easy_setopt_string(h, CURLOPT_NOPROXY, noProxy) }

        if wire.url.hasPrefix("file:") {
            // Local sources get conditional GET too: libcurl's file protocol honours a time condition
            // against the file's mtime, so an unchanged local file costs no parsing, like a 304.
            _ = vigie_easy_setopt_long(h, CURLOPT_FILETIME, 1)
            if let since = extraHeaders.first(where: { $0.name == "If-Modified-Since" }),
               let date = HTTPDate.parse(since.value) {
                _ = vigie_easy_setopt_long(h, CURLOPT_TIMECONDITION, Int(CURL_TIMECOND_IFMODSINCE.rawValue))
                _ = vigie_easy_setopt_off(h, CURLOPT_TIMEVALUE_LARGE, curl_off_t(date.timeIntervalSince1970))
            }
        }

        var list: UnsafeMutablePointer<curl_slist>?
        for header in wire.headers + extraHeaders {
            list = curl_slist_append(list, "\(header.name): \(header.value)")
        }
        if wire.method == "POST" {
            // No "Expect: 100-continue" round trip for small API bodies.
            list = curl_slist_append(list, "Expect:")
        }
        headerList = list
        if let list { _ = vigie_easy_setopt_slist(h, CURLOPT_HTTPHEADER, list) }

        if wire.method == "POST" {
            if !wire.form.isEmpty, let m = curl_mime_init(h) {
                mime = m
                for part in wire.form {
                    let p = curl_mime_addpart(m)
                    curl_mime_name(p, part.name)
                    // SEDIA reads its `query`/`sort` parts as JSON only when they are typed so.
                    if let first = part.value.first, first == "{" || first == "[" {
                        curl_mime_type(p, "application/json")
                    }
                    let bytes = Array(part.value.utf8)
                    bytes.withUnsafeBufferPointer { buffer in
                        buffer.withMemoryRebound(to: CChar.self) { chars in
                            _ = curl_mime_data(p, chars.baseAddress, chars.count)
                        }
                    }
                }
                _ = vigie_easy_setopt_pointer(h, CURLOPT_MIMEPOST, UnsafeMutableRawPointer(m))
            } else {
                let body = wire.body ?? ""
                _ = vigie_easy_setopt_long(h, CURLOPT_POSTFIELDSIZE, body.utf8.count)
                _ = vigie_easy_setopt_string(h, CURLOPT_COPYPOSTFIELDS, body)
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

    /// libcurl's verbose text (type 0 = CURLINFO_TEXT); headers and data are ignored.
    func receiveDebug(type: Int, text: String) {
        if type == 0, text.hasPrefix("Excess found") { hadExcessBytes = true }
    }

    // MARK: - Outcome

    /// This finished transfer as a plain value; `code` is what libcurl reported for it. The only place where
    /// libcurl's codes are read.
    func outcome(code: CURLcode, at now: Date = Date()) -> TransferOutcome {
        var status = responseCode
        var headers = responseHeaders
        var sent = sentValidators
        let isFile = request.url.hasPrefix("file:")
        if code == CURLE_OK && isFile {
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
        if code != CURLE_OK {
            let message = errorMessage.isEmpty ? String(cString: curl_easy_strerror(code)) : errorMessage
            switch code {
            case CURLE_WRITE_ERROR where isTooLarge, CURLE_FILESIZE_EXCEEDED: failure = .bodyTooLarge
            case CURLE_TOO_MANY_REDIRECTS: failure = .tooManyRedirects
            case CURLE_OPERATION_TIMEDOUT:
                // libcurl reports the low-speed abort with the same code, and says "too slow" in the message.
                failure = message.lowercased().contains("too slow") ? .stalled : .timeout
            case CURLE_PARTIAL_FILE: failure = .truncated(expectedBytes: announcedLength)
            case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_GOT_NOTHING,
                 CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_SSL_CONNECT_ERROR, CURLE_HTTP2, CURLE_HTTP2_STREAM:
                failure = .connection(message: message)
            case CURLE_FILE_COULDNT_READ_FILE: failure = .unreadableFile(message: message)
            case CURLE_BAD_CONTENT_ENCODING: failure = .badContentEncoding(message: message)
            default: failure = .other(message: message)
            }
        } else if hadExcessBytes && !isFile {
            failure = .lengthMismatch(announced: announcedLength)
        }
        return TransferOutcome(request: request, status: status, headers: headers, body: body,
                               contentType: contentType, effectiveURL: request.url, sentValidators: sent,
                               failure: failure, elapsed: now.timeIntervalSince(startedAt))
    }

    // MARK: - Info

    var responseCode: Int {
        var code = 0
        _ = vigie_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code)
        return code
    }

    var contentType: String? {
        var pointer: UnsafeMutablePointer<CChar>?
        _ = vigie_easy_getinfo_string(handle, CURLINFO_CONTENT_TYPE, &pointer)
        return pointer.map { String(cString: $0) }
    }

    /// True when a time condition (file://) was not met: the local file is unchanged.
    var conditionUnmet: Bool {
        var unmet = 0
        _ = vigie_easy_getinfo_long(handle, CURLINFO_CONDITION_UNMET, &unmet)
        return unmet != 0
    }

    /// The file's modification time as an HTTP-date (file://), when libcurl knows it.
    var fileTime: String? {
        var time: curl_off_t = -1
        _ = vigie_easy_getinfo_off(handle, CURLINFO_FILETIME_T, &time)
        return time > 0 ? HTTPDate.format(Date(timeIntervalSince1970: Double(time))) : nil
    }

    var announcedLength: Int? {
        var length: curl_off_t = -1
        _ = vigie_easy_getinfo_off(handle, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length)
        return length >= 0 ? Int(length) : nil
    }
}

private let curlWriteCallback: vigie_write_callback = { pointer, size, count, context in
    guard let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    guard length > 0, let pointer else { return length }
    let buffer = UnsafeBufferPointer(start: UnsafeRawPointer(pointer).assumingMemoryBound(to: UInt8.self),
                                     count: length)
    // Returning less than `length` makes libcurl abort with CURLE_WRITE_ERROR.
    return transfer.receive(buffer) ? length : 0
}

private let curlDebugCallback: vigie_debug_callback = { _, type, pointer, size, context in
    // Only CURLINFO_TEXT lines are read, and only their start: the callback also sees every header and
    // data chunk (VERBOSE), which cost one call each and are skipped at once.
    guard let context, type == CURLINFO_TEXT, let pointer, size > 0 else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    let buffer = UnsafeBufferPointer(start: UnsafeRawPointer(pointer).assumingMemoryBound(to: UInt8.self),
                                     count: min(size, 64))
    transfer.receiveDebug(type: 0, text: String(decoding: buffer, as: UTF8.self))
    return 0
}

private let curlHeaderCallback: vigie_write_callback = { pointer, size, count, context in
    guard let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    guard length > 0, let pointer else { return length }
    let buffer = UnsafeBufferPointer(start: UnsafeRawPointer(pointer).assumingMemoryBound(to: UInt8.self),
                                     count: length)
    let line = String(decoding: buffer, as: UTF8.self)
    return transfer.receiveHeader(line) ? length : 0
}

/// The multi handle of one run. Final, single owner, freed in deinit.
final class CurlMulti {
    let handle: UnsafeMutableRawPointer

    init?() {
        _ = curlGlobalInit
        guard let m = curl_multi_init() else { return nil }
        handle = m
    }

    deinit { curl_multi_cleanup(handle) }
}
