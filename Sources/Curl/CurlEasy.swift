// Internal: no libcurl type or symbol reaches the modules that import Curl.
internal import CCurl
import Foundation

/// One libcurl easy handle and everything C holds a pointer to while it runs (error buffer, header and
/// recipient lists, MIME form, callbacks).
///
/// Final, non-Sendable, single owner, freed in `deinit`. The C callbacks reach this object through an
/// unretained pointer, valid because the owner keeps it alive until the handle has left any multi handle.
/// Callback closures must not retain their owner strongly (capture it `unowned`): the owner holds this object.
public final class CurlEasy {
    let handle: UnsafeMutableRawPointer
    private let errorBuffer: UnsafeMutablePointer<CChar>
    /// Lists handed to libcurl, by option: libcurl keeps the pointer, not a copy, until the next transfer.
    private var lists: [UInt32: UnsafeMutablePointer<curl_slist>] = [:]
    private var mime: OpaquePointer?

    /// Body bytes as they arrive (CURLOPT_WRITEFUNCTION); return false to abort with `CurlCode.writeError`.
    /// Without a closure the body is discarded (libcurl's default would print it on stdout).
    public var onWrite: ((UnsafeBufferPointer<UInt8>) -> Bool)?
    /// One header line as it arrives, CRLF included (CURLOPT_HEADERFUNCTION); for SMTP, FTP and the like, each
    /// line of the server's replies. Return false to abort.
    public var onHeader: ((String) -> Bool)?
    /// Fills the buffer with upload bytes (CURLOPT_READFUNCTION, for `.upload(true)`) and returns how many it
    /// wrote; 0 ends the upload. Without a closure nothing is uploaded.
    public var onRead: ((UnsafeMutableBufferPointer<UInt8>) -> Int)?
    /// libcurl's informational text (CURLINFO_TEXT of the debug callback, only while `.verbose(true)`): it goes
    /// here instead of stderr. Headers and data are not passed.
    public var onDebugText: ((String) -> Void)?

    /// A new handle, or nil when libcurl cannot be initialised or has no memory for one.
    public init?() {
        guard Curl.isInitialized, let h = curl_easy_init() else { return nil }
        handle = h
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        _ = vigie_easy_setopt_pointer(h, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(errorBuffer))
        let context = Unmanaged.passUnretained(self).toOpaque()
        _ = vigie_easy_setopt_write_callback(h, CURLOPT_WRITEFUNCTION, easyWriteCallback)
        _ = vigie_easy_setopt_pointer(h, CURLOPT_WRITEDATA, context)
        _ = vigie_easy_setopt_write_callback(h, CURLOPT_HEADERFUNCTION, easyHeaderCallback)
        _ = vigie_easy_setopt_pointer(h, CURLOPT_HEADERDATA, context)
        _ = vigie_easy_setopt_read_callback(h, easyReadCallback)
        _ = vigie_easy_setopt_pointer(h, CURLOPT_READDATA, context)
        _ = vigie_easy_setopt_debug_callback(h, easyDebugCallback)
        _ = vigie_easy_setopt_pointer(h, CURLOPT_DEBUGDATA, context)
    }

    deinit {
        // curl_easy_cleanup may still talk to the server (an SMTP QUIT): no callback may reach this object,
        // which is going away.
        _ = vigie_easy_setopt_long(handle, CURLOPT_VERBOSE, 0)
        for option in [CURLOPT_WRITEDATA, CURLOPT_HEADERDATA, CURLOPT_READDATA, CURLOPT_DEBUGDATA] {
            _ = vigie_easy_setopt_pointer(handle, option, nil)
        }
        curl_easy_cleanup(handle)
        for list in lists.values { curl_slist_free_all(list) }
        if let mime { curl_mime_free(mime) }
        errorBuffer.deallocate()
    }

    // MARK: - Options

    /// Which HTTP version to ask for.
    public enum HTTPVersion: Sendable {
        case http1_1
        /// HTTP/2 over TLS when the server offers it, HTTP/1.1 otherwise (and in clear text).
        case http2OverTLS
    }

    /// Whether a mail protocol (SMTP) switches to TLS (CURLOPT_USE_SSL).
    public enum TLSUse: Sendable {
        case none
        /// STARTTLS when the server offers it, clear text otherwise (CURLUSESSL_TRY).
        case whenOffered
        /// TLS or fail (CURLUSESSL_ALL): `smtps://`, or a required STARTTLS.
        case required
    }

    /// One part of a `multipart/form-data` body.
    public struct FormPart: Sendable, Hashable {
        public var name: String
        public var value: String
        public var contentType: String?
        public init(name: String, value: String, contentType: String? = nil) {
            self.name = name
            self.value = value
            self.contentType = contentType
        }
    }

    /// An option and its value, typed (libcurl's `curl_easy_setopt` is variadic, which Swift cannot call).
    public enum Option: Sendable {
        case url(String)
        /// Protocols allowed, e.g. "http,https" (CURLOPT_PROTOCOLS_STR).
        case protocols(String)
        /// Protocols a redirect may go to (CURLOPT_REDIR_PROTOCOLS_STR).
        case redirectProtocols(String)
        case followLocation(Bool)
        /// Send libcurl's informational text to `onDebugText`.
        case verbose(Bool)
        /// Accept-Encoding; "" = every encoding this libcurl decodes.
        case acceptEncoding(String)
        case httpVersion(HTTPVersion)
        case userAgent(String)
        case connectTimeoutMilliseconds(Int)
        /// The whole transfer.
        case timeoutMilliseconds(Int)
        /// Abort a transfer slower than `bytesPerSecond` for `seconds` (CURLOPT_LOW_SPEED_LIMIT / _TIME).
        case lowSpeed(bytesPerSecond: Int, seconds: Int)
        /// No signals (timeouts without SIGALRM: required with threads).
        case noSignal(Bool)
        /// Largest body accepted (CURLOPT_MAXFILESIZE_LARGE).
        case maxFileSize(Int64)
        /// Hosts never reached through a proxy.
        case noProxy(String)
        /// Ask for the remote file's time (CURLINFO_FILETIME_T).
        case fileTime(Bool)
        /// Transfer only if the resource is newer than this date (CURLOPT_TIMECONDITION IFMODSINCE).
        case ifModifiedSince(Date)
        /// Request headers, "Name: value" each.
        case httpHeaders([String])
        /// A POST body (copied), with its size.
        case postFields(String)
        /// A `multipart/form-data` POST body.
        case formParts([FormPart])
        /// Upload with the read callback (for SMTP: the message after DATA).
        case upload(Bool)
        case tlsUse(TLSUse)
        /// A PEM file of CA certificates to trust instead of the system's (CURLOPT_CAINFO).
        case caFile(String)
        case username(String)
        case password(String)
        /// SMTP envelope sender (MAIL FROM), without angle brackets.
        case mailFrom(String)
        /// SMTP envelope recipients (RCPT TO), without angle brackets.
        case mailRecipients([String])
    }

    /// Sets one option; the code says whether libcurl took it.
    @discardableResult
    public func set(_ option: Option) -> CurlCode {
        let h = handle
        let code: CURLcode
        switch option {
        case .url(let value): code = vigie_easy_setopt_string(h, CURLOPT_URL, value)
        case .protocols(let value): code = vigie_easy_setopt_string(h, CURLOPT_PROTOCOLS_STR, value)
        case .redirectProtocols(let value): code = vigie_easy_setopt_string(h, CURLOPT_REDIR_PROTOCOLS_STR, value)
        case .followLocation(let on): code = vigie_easy_setopt_long(h, CURLOPT_FOLLOWLOCATION, on ? 1 : 0)
        case .verbose(let on): code = vigie_easy_setopt_long(h, CURLOPT_VERBOSE, on ? 1 : 0)
        case .acceptEncoding(let value): code = vigie_easy_setopt_string(h, CURLOPT_ACCEPT_ENCODING, value)
        case .httpVersion(let version):
            let value = version == .http1_1 ? Int(CURL_HTTP_VERSION_1_1) : Int(CURL_HTTP_VERSION_2TLS)
            code = vigie_easy_setopt_long(h, CURLOPT_HTTP_VERSION, value)
        case .userAgent(let value): code = vigie_easy_setopt_string(h, CURLOPT_USERAGENT, value)
        case .connectTimeoutMilliseconds(let ms): code = vigie_easy_setopt_long(h, CURLOPT_CONNECTTIMEOUT_MS, ms)
        case .timeoutMilliseconds(let ms): code = vigie_easy_setopt_long(h, CURLOPT_TIMEOUT_MS, ms)
        case .lowSpeed(let limit, let seconds):
            code = vigie_easy_setopt_long(h, CURLOPT_LOW_SPEED_LIMIT, limit)
            if code == CURLE_OK { return CurlCode(vigie_easy_setopt_long(h, CURLOPT_LOW_SPEED_TIME, seconds)) }
        case .noSignal(let on): code = vigie_easy_setopt_long(h, CURLOPT_NOSIGNAL, on ? 1 : 0)
        case .maxFileSize(let bytes): code = vigie_easy_setopt_off(h, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(bytes))
        case .noProxy(let value): code = vigie_easy_setopt_string(h, CURLOPT_NOPROXY, value)
        case .fileTime(let on): code = vigie_easy_setopt_long(h, CURLOPT_FILETIME, on ? 1 : 0)
        case .ifModifiedSince(let date):
            code = vigie_easy_setopt_long(h, CURLOPT_TIMECONDITION, Int(CURL_TIMECOND_IFMODSINCE.rawValue))
            if code == CURLE_OK {
                return CurlCode(
                    vigie_easy_setopt_off(
                        h, CURLOPT_TIMEVALUE_LARGE,
                        curl_off_t(date.timeIntervalSince1970)))
            }
        case .httpHeaders(let lines): code = setList(CURLOPT_HTTPHEADER, lines)
        case .postFields(let body):
            code = vigie_easy_setopt_long(h, CURLOPT_POSTFIELDSIZE, body.utf8.count)
            if code == CURLE_OK { return CurlCode(vigie_easy_setopt_string(h, CURLOPT_COPYPOSTFIELDS, body)) }
        case .formParts(let parts): code = setForm(parts)
        case .upload(let on): code = vigie_easy_setopt_long(h, CURLOPT_UPLOAD, on ? 1 : 0)
        case .tlsUse(let use):
            let value: curl_usessl
            switch use {
            case .none: value = CURLUSESSL_NONE
            case .whenOffered: value = CURLUSESSL_TRY
            case .required: value = CURLUSESSL_ALL
            }
            code = vigie_easy_setopt_long(h, CURLOPT_USE_SSL, Int(value.rawValue))
        case .caFile(let path): code = vigie_easy_setopt_string(h, CURLOPT_CAINFO, path)
        case .username(let value): code = vigie_easy_setopt_string(h, CURLOPT_USERNAME, value)
        case .password(let value): code = vigie_easy_setopt_string(h, CURLOPT_PASSWORD, value)
        case .mailFrom(let value): code = vigie_easy_setopt_string(h, CURLOPT_MAIL_FROM, value)
        case .mailRecipients(let values): code = setList(CURLOPT_MAIL_RCPT, values)
        }
        return CurlCode(code)
    }

    /// Hands a new list to libcurl, then frees the one it replaces (libcurl no longer points to it).
    private func setList(_ option: CURLoption, _ lines: [String]) -> CURLcode {
        var list: UnsafeMutablePointer<curl_slist>?
        for line in lines {
            guard let appended = curl_slist_append(list, line) else {
                if let list { curl_slist_free_all(list) }
                return CURLE_OUT_OF_MEMORY
            }
            list = appended
        }
        let code = vigie_easy_setopt_slist(handle, option, list)
        if let old = lists[option.rawValue] { curl_slist_free_all(old) }
        lists[option.rawValue] = list
        return code
    }

    private func setForm(_ parts: [FormPart]) -> CURLcode {
        guard let m = curl_mime_init(handle) else { return CURLE_OUT_OF_MEMORY }
        for part in parts {
            let p = curl_mime_addpart(m)
            curl_mime_name(p, part.name)
            if let type = part.contentType { curl_mime_type(p, type) }
            let bytes = Array(part.value.utf8)
            bytes.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { chars in
                    _ = curl_mime_data(p, chars.baseAddress, chars.count)
                }
            }
        }
        let code = vigie_easy_setopt_pointer(handle, CURLOPT_MIMEPOST, UnsafeMutableRawPointer(m))
        if let old = mime { curl_mime_free(old) }
        mime = m
        return code
    }

    // MARK: - Transfer

    /// Runs the transfer on the calling thread until it ends (the easy interface). The connection stays in
    /// this handle's cache, so the next `perform` to the same server reuses it.
    public func perform() -> CurlCode {
        CurlCode(curl_easy_perform(handle))
    }

    /// libcurl's detailed message for the last failure ("Failed to connect to … port …"), or "".
    public var errorMessage: String {
        String(cString: errorBuffer).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    // MARK: - Information

    /// The last response code: HTTP status, or the last SMTP/FTP reply code; 0 when none was received.
    public var responseCode: Int {
        var code = 0
        _ = vigie_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code)
        return code
    }

    /// The response's Content-Type, when it had one.
    public var contentType: String? {
        var pointer: UnsafeMutablePointer<CChar>?
        _ = vigie_easy_getinfo_string(handle, CURLINFO_CONTENT_TYPE, &pointer)
        return pointer.map { String(cString: $0) }
    }

    /// True when the time condition (`.ifModifiedSince`) was not met: nothing newer.
    public var isConditionUnmet: Bool {
        var unmet = 0
        _ = vigie_easy_getinfo_long(handle, CURLINFO_CONDITION_UNMET, &unmet)
        return unmet != 0
    }

    /// The remote file's time (with `.fileTime(true)`), when known.
    public var fileTime: Date? {
        var time: curl_off_t = -1
        _ = vigie_easy_getinfo_off(handle, CURLINFO_FILETIME_T, &time)
        return time > 0 ? Date(timeIntervalSince1970: Double(time)) : nil
    }

    /// The announced body length (Content-Length), when there was one.
    public var contentLengthDownload: Int? {
        var length: curl_off_t = -1
        _ = vigie_easy_getinfo_off(handle, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length)
        return length >= 0 ? Int(length) : nil
    }
}

// MARK: - C callbacks (on the thread that drives the transfer)

private func easy(_ context: UnsafeMutableRawPointer) -> CurlEasy {
    Unmanaged<CurlEasy>.fromOpaque(context).takeUnretainedValue()
}

/// The bytes libcurl hands a write or header callback.
private func bytes(_ pointer: UnsafeMutablePointer<CChar>, _ length: Int) -> UnsafeBufferPointer<UInt8> {
    UnsafeBufferPointer(start: UnsafeRawPointer(pointer).assumingMemoryBound(to: UInt8.self), count: length)
}

private let easyWriteCallback: vigie_write_callback = { pointer, size, count, context in
    let length = size * count
    guard let context else { return 0 }
    guard length > 0, let pointer, let onWrite = easy(context).onWrite else { return length }
    let buffer = bytes(pointer, length)
    // Returning less than `length` makes libcurl abort with CURLE_WRITE_ERROR.
    return onWrite(buffer) ? length : 0
}

private let easyHeaderCallback: vigie_write_callback = { pointer, size, count, context in
    let length = size * count
    guard let context else { return 0 }
    guard length > 0, let pointer, let onHeader = easy(context).onHeader else { return length }
    let buffer = bytes(pointer, length)
    return onHeader(String(decoding: buffer, as: UTF8.self)) ? length : 0
}

private let easyReadCallback: vigie_read_callback = { pointer, size, count, context in
    guard let context, let pointer, let onRead = easy(context).onRead else { return 0 }
    let buffer = UnsafeMutableBufferPointer(
        start: UnsafeMutableRawPointer(pointer).assumingMemoryBound(to: UInt8.self), count: size * count)
    return min(max(0, onRead(buffer)), size * count)
}

private let easyDebugCallback: vigie_debug_callback = { _, type, pointer, size, context in
    // Only CURLINFO_TEXT is read: the callback also sees every header and data chunk while verbose, which are
    // skipped at once.
    guard let context, type == CURLINFO_TEXT, let pointer, size > 0,
        let onDebugText = easy(context).onDebugText
    else { return 0 }
    let buffer = bytes(pointer, size)
    onDebugText(String(decoding: buffer, as: UTF8.self))
    return 0
}
