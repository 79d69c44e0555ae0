import Curl
import Foundation

/// Sends rendered messages through libcurl's SMTP, one transaction per envelope recipient.
///
/// libcurl 7.88 aborts the whole transaction when one RCPT is refused, so one refused member would cost every
/// other recipient their message: Vigie sends one transaction per recipient instead. The easy handle keeps its
/// connection between calls (one session, one login, for a whole night's messages); after a failure libcurl
/// closes it and the next call connects again.
///
/// Final, non-Sendable, single owner; `close` (or deinit) ends the session with QUIT.
public final class SMTPSender {
    public let settings: SMTPSettings
    private let endpoint: SMTPEndpoint
    private var easy: CurlEasy?
    /// The server's reply lines during the current transaction, as libcurl hands them to the header callback.
    private var replies: [String] = []
    private var upload: [UInt8] = []
    private var uploadOffset = 0

    /// Throws `MailError` when libcurl cannot make a handle or refuses an option (no SMTP in this libcurl).
    public init(settings: SMTPSettings) throws {
        self.settings = settings
        endpoint = try SMTPEndpoint(settings.url)
        easy = try makeHandle()
    }

    deinit { close() }

    /// One SMTP transaction for one envelope recipient (libcurl 7.88 aborts the whole transaction when one RCPT is
    /// refused, so Vigie sends one transaction per recipient; the connection is reused between calls).
    ///
    /// `envelopeFrom` and `recipient` are bare addresses (no angle brackets); one that is not a plain address is
    /// refused before anything is sent (`permanentFailure` with code 0), so no command can be smuggled in.
    public func send(_ message: [UInt8], from envelopeFrom: String, to recipient: String) -> DeliveryOutcome {
        for address in [envelopeFrom, recipient] {
            do {
                try MailAddress.checkSpec(address, in: address)
            } catch {
                return .permanentFailure(code: 0, text: "\(error)")
            }
        }
        let handle: CurlEasy
        if let easy {
            handle = easy
        } else {
            do {
                handle = try makeHandle()
            } catch {
                return .unreachable(text: "\(error)")
            }
            easy = handle
        }
        replies = []
        upload = message
        uploadOffset = 0
        handle.set(.mailFrom(envelopeFrom))
        handle.set(.mailRecipients([recipient]))
        let code = handle.perform()
        upload = []
        return classify(code: code, status: handle.responseCode, curlMessage: handle.errorMessage)
    }

    /// Ends the session (QUIT) and frees the handle; a later `send` connects again.
    public func close() {
        // The closures capture this sender unowned: they go first, so that nothing reaches it from the QUIT.
        easy?.onHeader = nil
        easy?.onRead = nil
        easy = nil
    }

    private func makeHandle() throws -> CurlEasy {
        guard let handle = CurlEasy() else { throw MailError.curlUnavailable }
        let timeoutMs = settings.timeoutSeconds * 1000
        var options: [(String, CurlEasy.Option)] = [
            ("URL", .url(endpoint.curlURL)),
            // Only SMTP: nothing in the settings can make this handle speak another protocol.
            ("PROTOCOLS_STR", .protocols("smtp,smtps")),
            ("USE_SSL", .tlsUse(endpoint.security == .implicitTLS ? .required : .whenOffered)),
            ("UPLOAD", .upload(true)),
            ("NOSIGNAL", .noSignal(true)),
            ("CONNECTTIMEOUT_MS", .connectTimeoutMilliseconds(min(timeoutMs, 30_000))),
            ("TIMEOUT_MS", .timeoutMilliseconds(timeoutMs)),
        ]
        if let caFile = settings.caFile { options.append(("CAINFO", .caFile(caFile))) }
        if let user = endpoint.user { options.append(("USERNAME", .username(user))) }
        if let password = settings.password { options.append(("PASSWORD", .password(password))) }
        for (name, option) in options {
            let code = handle.set(option)
            guard code == .ok else { throw MailError.curlOption(option: name, code) }
        }
        handle.onHeader = { [unowned self] line in
            replies.append(line.trimmingCharacters(in: ["\r", "\n"]))
            return true
        }
        handle.onRead = { [unowned self] buffer in
            let count = min(buffer.count, upload.count - uploadOffset)
            guard count > 0 else { return 0 }
            upload.withUnsafeBufferPointer { source in
                let chunk = UnsafeBufferPointer(rebasing: source[uploadOffset..<uploadOffset + count])
                UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(chunk))
            }
            uploadOffset += count
            return count
        }
        return handle
    }

    /// 2xx at the end: accepted. A 4xx or 5xx reply at any step decides; no reply to go by (refused, reset, timed
    /// out, TLS) is `unreachable`, even when earlier steps had succeeded.
    private func classify(code: CurlCode, status: Int, curlMessage: String) -> DeliveryOutcome {
        // After a failure libcurl closes the session with QUIT, so the last reply is "221 Bye": the reply that
        // decided is the last one with the code libcurl reports.
        let all = completeReplies()
        let deciding = all.last { $0.code == status } ?? all.last
        if code == .ok {
            return .accepted(reply: deciding.map { "\($0.code) \($0.text)" } ?? "\(status)")
        }
        let text = deciding.map(\.text) ?? (curlMessage.isEmpty ? code.description : curlMessage)
        switch status {
        case 400..<500: return .temporaryFailure(code: status, text: text)
        case 500..<600: return .permanentFailure(code: status, text: text)
        default: return .unreachable(text: curlMessage.isEmpty ? code.description : curlMessage)
        }
    }

    /// The server's complete replies in this transaction: code and text (the lines of a multi-line reply joined
    /// with a space). "250-…" continues a reply, "250 …" ends it.
    private func completeReplies() -> [(code: Int, text: String)] {
        var current: [String] = []
        var currentCode = 0
        var complete: [(code: Int, text: String)] = []
        for line in replies {
            let bytes = Array(line.utf8)
            guard bytes.count >= 3, let code = Int(String(decoding: bytes[0..<3], as: UTF8.self)) else { continue }
            let text = bytes.count > 4 ? String(decoding: bytes[4...], as: UTF8.self) : ""
            if current.isEmpty { currentCode = code }
            current.append(text)
            if bytes.count == 3 || bytes[3] != UInt8(ascii: "-") {
                complete.append((currentCode, current.joined(separator: " ")))
                current = []
            }
        }
        return complete
    }
}
