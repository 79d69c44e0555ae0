import Foundation

/// What one request came back with, as a plain value: the HTTP answer (status, headers, body) or the kind of
/// transport failure. `CurlTransfer` builds it (libcurl's codes are mapped there and nowhere else), and
/// `SourceJob` decides what follows from it alone, so retries, paging and cursors are tested with no socket.
public struct TransferOutcome: Sendable {
    /// The request this answers.
    public var request: PageRequest
    /// Final HTTP status after redirects; 0 when no answer arrived. `file://` answers are given 200, or 304
    /// when the file is older than the saved date.
    public var status: Int
    /// Response headers, names lower-cased (the last value wins).
    public var headers: [String: String]
    /// The body after content decoding (what arrived so far on a failure).
    public var body: [UInt8]
    public var contentType: String?
    /// The URL requested, without the credential (redirects are followed by `SourceJob`, one hop per request).
    public var effectiveURL: String
    /// Whether the request carried `If-None-Match` / `If-Modified-Since`.
    public var sentValidators: Bool
    /// Why the transfer did not complete, nil when it did (whatever its HTTP status).
    public var failure: TransferFailure?
    /// Seconds from the transfer's start to its end.
    public var elapsed: Double

    public init(
        request: PageRequest, status: Int, headers: [String: String] = [:], body: [UInt8] = [],
        contentType: String? = nil, effectiveURL: String? = nil, sentValidators: Bool = false,
        failure: TransferFailure? = nil, elapsed: Double = 0
    ) {
        self.request = request
        self.status = status
        self.headers = headers
        self.body = body
        self.contentType = contentType
        self.effectiveURL = effectiveURL ?? request.url
        self.sentValidators = sentValidators
        self.failure = failure
        self.elapsed = elapsed
    }
}

/// Why a transfer did not complete: the transport's failure kinds, free of libcurl's codes.
public enum TransferFailure: Sendable, Hashable {
    /// The body went over the source's `max_body_bytes` (the write callback stopped the transfer).
    case bodyTooLarge
    /// A redirect led back to a URL already visited.
    case redirectLoop(chain: [String])
    /// More redirects than allowed.
    case tooManyRedirects
    /// The total time allowed per request ran out.
    case timeout
    /// Fewer bytes per second than the low-speed limit for the low-speed time.
    case stalled
    /// The connection closed before the announced length arrived.
    case truncated(expectedBytes: Int?)
    /// More bytes arrived than the announced `Content-Length`: what was kept is cut.
    case lengthMismatch(announced: Int?)
    /// No connection, no answer, a reset, a TLS failure: worth another try.
    case connection(message: String)
    /// A `file://` source that cannot be read: not worth another try.
    case unreadableFile(message: String)
    /// A `Content-Encoding` that cannot be decoded.
    case badContentEncoding(message: String)
    /// Anything else the transport reported.
    case other(message: String)

    /// Whether trying again later in the run may help.
    public var isRetryable: Bool {
        switch self {
        case .timeout, .stalled, .truncated, .connection: return true
        case .bodyTooLarge, .lengthMismatch, .redirectLoop, .tooManyRedirects, .unreadableFile, .badContentEncoding,
            .other:
            return false
        }
    }
}
