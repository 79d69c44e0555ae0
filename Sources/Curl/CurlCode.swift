// Internal: no libcurl type or symbol reaches the modules that import Curl.
internal import CCurl

/// libcurl's global state, initialised once per process before the first handle.
public enum Curl {
    /// True when `curl_global_init` succeeded. It is not thread-safe to call concurrently; a Swift global is
    /// initialised exactly once, atomically, so every handle's initialiser reads this first.
    public static let isInitialized: Bool = vigie_global_init_all() == CURLE_OK

    /// The linked libcurl's version line ("libcurl/7.88.1 OpenSSL/3.0.19 …").
    public static var version: String { String(cString: curl_version()) }
}

/// A result code of an easy transfer (`CURLcode`), with the codes Vigie branches on as named values.
public struct CurlCode: Sendable, Hashable, CustomStringConvertible {
    public let rawValue: Int

    public init(rawValue: Int) { self.rawValue = rawValue }

    init(_ code: CURLcode) { rawValue = Int(code.rawValue) }

    public static let ok = CurlCode(CURLE_OK)
    public static let unsupportedProtocol = CurlCode(CURLE_UNSUPPORTED_PROTOCOL)
    public static let couldntResolveProxy = CurlCode(CURLE_COULDNT_RESOLVE_PROXY)
    public static let couldntResolveHost = CurlCode(CURLE_COULDNT_RESOLVE_HOST)
    public static let couldntConnect = CurlCode(CURLE_COULDNT_CONNECT)
    public static let weirdServerReply = CurlCode(CURLE_WEIRD_SERVER_REPLY)
    public static let http2 = CurlCode(CURLE_HTTP2)
    public static let partialFile = CurlCode(CURLE_PARTIAL_FILE)
    public static let writeError = CurlCode(CURLE_WRITE_ERROR)
    public static let uploadFailed = CurlCode(CURLE_UPLOAD_FAILED)
    public static let readError = CurlCode(CURLE_READ_ERROR)
    public static let operationTimedOut = CurlCode(CURLE_OPERATION_TIMEDOUT)
    public static let sslConnectError = CurlCode(CURLE_SSL_CONNECT_ERROR)
    public static let fileCouldntReadFile = CurlCode(CURLE_FILE_COULDNT_READ_FILE)
    public static let abortedByCallback = CurlCode(CURLE_ABORTED_BY_CALLBACK)
    public static let tooManyRedirects = CurlCode(CURLE_TOO_MANY_REDIRECTS)
    public static let gotNothing = CurlCode(CURLE_GOT_NOTHING)
    public static let sendError = CurlCode(CURLE_SEND_ERROR)
    public static let recvError = CurlCode(CURLE_RECV_ERROR)
    public static let peerFailedVerification = CurlCode(CURLE_PEER_FAILED_VERIFICATION)
    public static let badContentEncoding = CurlCode(CURLE_BAD_CONTENT_ENCODING)
    public static let fileSizeExceeded = CurlCode(CURLE_FILESIZE_EXCEEDED)
    public static let useSSLFailed = CurlCode(CURLE_USE_SSL_FAILED)
    public static let loginDenied = CurlCode(CURLE_LOGIN_DENIED)
    public static let http2Stream = CurlCode(CURLE_HTTP2_STREAM)

    /// libcurl's own short text for the code (`curl_easy_strerror`), in English.
    public var description: String {
        guard let code = UInt32(exactly: rawValue) else { return "curl error \(rawValue)" }
        return String(cString: curl_easy_strerror(CURLcode(rawValue: code)))
    }
}

/// A failure of the multi interface (`CURLMcode`), e.g. when a handle cannot be added.
public struct CurlMultiError: Error, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: Int
    /// The libcurl function that failed.
    public let function: String

    init(_ code: CURLMcode, function: String) {
        rawValue = Int(code.rawValue)
        self.function = function
    }

    public var description: String {
        guard let code = Int32(exactly: rawValue) else { return "\(function): curl multi error \(rawValue)" }
        return "\(function): " + String(cString: curl_multi_strerror(CURLMcode(rawValue: code)))
    }
}
