import Foundation
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A small HTTP/1.1 server on 127.0.0.1 with scripted responses and faults, for the fetcher's tests and
/// `vigie-bench fetch`: real sockets, real HTTP, no network.
///
/// One accept thread; one thread per connection (keep-alive honoured), so slow responses never serialise
/// each other. Routes are matched on the path without the query string; the handler sees the whole request.
///
/// ```swift
/// let server = try LoopbackServer()
/// server.route("/feed.xml", .sequence([.status(500), .ok(body: xml)]))
/// let url = server.url("/feed.xml")
/// ```
public final class LoopbackServer: @unchecked Sendable {
    /// The TCP port the server listens on (chosen by the kernel).
    public let port: Int

    private let listenFD: Int32
    private let lock = NSLock()
    private var routes: [String: Route] = [:]
    private var log: [RecordedRequest] = []
    private var connections: Set<Int32> = []
    private var isStopped = false
    private var inFlight = 0
    private var maxInFlightSeen = 0

    /// The loopback address the server listens on (`127.0.0.1`, or `127.0.0.2` to play "another host":
    /// libcurl and the fetcher compare hosts by name, so the two are different origins).
    public let host: String

    /// Binds `host` (a 127.0.0.0/8 address) on a port chosen by the kernel and starts accepting.
    public init(host: String = "127.0.0.1") throws {
        self.host = host
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw LoopbackError.socket("socket: \(String(cString: strerror(errno)))") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr(host)
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 256) == 0 else {
            let message = String(cString: strerror(errno))
            close(fd)
            throw LoopbackError.socket("bind/listen \(host): \(message)")
        }
        var actual = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        self.listenFD = fd
        self.port = Int(UInt16(bigEndian: actual.sin_port))
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "loopback-accept"
        thread.start()
    }

    deinit { stop() }

    /// `http://HOST:PORT` + `path`.
    public func url(_ path: String) -> String { "http://\(host):\(port)\(path)" }

    /// Installs (or replaces) the handler of `path` (without query string).
    public func route(_ path: String, _ route: Route) {
        lock.lock(); defer { lock.unlock() }
        routes[path] = route
    }

    /// Every request received so far, in arrival order.
    public var requests: [RecordedRequest] {
        lock.lock(); defer { lock.unlock() }
        return log
    }

    /// Requests received for `path` (without query string).
    public func requests(for path: String) -> [RecordedRequest] { requests.filter { $0.path == path } }

    /// The largest number of requests that were being answered at the same time.
    public var maxConcurrentRequests: Int {
        lock.lock(); defer { lock.unlock() }
        return maxInFlightSeen
    }

    /// Forgets the request log and the concurrency high-water mark.
    public func resetLog() {
        lock.lock(); defer { lock.unlock() }
        log.removeAll()
        maxInFlightSeen = 0
    }

    /// Stops accepting and closes every open connection. Idempotent.
    public func stop() {
        lock.lock()
        if isStopped { lock.unlock(); return }
        isStopped = true
        let open = connections
        // Shut down (not close) under the lock: the owning threads close their descriptors, so a number
        // can never be reused by someone else (libcurl's sockets, in tests) before we touch it.
        shutdown(listenFD, Int32(SHUT_RDWR))
        for fd in open { shutdown(fd, Int32(SHUT_RDWR)) }
        lock.unlock()
    }

    private var stopped: Bool {
        lock.lock(); defer { lock.unlock() }
        return isStopped
    }

    // MARK: - Connections

    private func acceptLoop() {
        defer { close(listenFD) }
        while !stopped {
            let fd = accept(listenFD, nil, nil)
            if fd < 0 {
                if errno == EINTR { continue }
                return
            }
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            lock.lock()
            if isStopped { lock.unlock(); close(fd); return }
            connections.insert(fd)
            lock.unlock()
            let thread = Thread { [self] in serve(fd) }
            thread.stackSize = 256 * 1024
            thread.start()
        }
    }

    private func serve(_ fd: Int32) {
        defer {
            lock.lock()
            connections.remove(fd)
            close(fd)
            lock.unlock()
        }
        var buffer: [UInt8] = []
        while !stopped {
            guard let request = readRequest(fd, &buffer) else { return }
            lock.lock()
            log.append(request)
            inFlight += 1
            maxInFlightSeen = max(maxInFlightSeen, inFlight)
            let route = routes[request.path]
            lock.unlock()
            let response = route?.respond(to: request) ?? .status(404, body: "no route for \(request.path)\n")
            let keepOpen = write(response, for: request, to: fd)
            lock.lock()
            inFlight -= 1
            lock.unlock()
            if !keepOpen || request.header("connection")?.lowercased() == "close" { return }
        }
    }

    /// Reads one request (head and `Content-Length` body); nil when the peer closed or sent garbage.
    private func readRequest(_ fd: Int32, _ buffer: inout [UInt8]) -> RecordedRequest? {
        let separator: [UInt8] = [13, 10, 13, 10]
        var headEnd: Int?
        while headEnd == nil {
            headEnd = buffer.firstRange(of: separator)?.lowerBound
            if headEnd != nil { break }
            guard receive(fd, into: &buffer), buffer.count < 1 << 20 else { return nil }
        }
        guard let end = headEnd else { return nil }
        let head = String(decoding: buffer[..<end], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        var headers: [(String, String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append(
                (
                    String(line[..<colon]).trimmingCharacters(in: .whitespaces),
                    String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
                ))
        }
        let length = headers.first { $0.0.lowercased() == "content-length" }.flatMap { Int($0.1) } ?? 0
        let bodyStart = end + 4
        while buffer.count < bodyStart + length {
            guard receive(fd, into: &buffer) else { return nil }
        }
        let body = Array(buffer[bodyStart..<(bodyStart + length)])
        buffer.removeFirst(bodyStart + length)
        let target = String(requestLine[1])
        let path = String(target.prefix { $0 != "?" })
        let query = target.contains("?") ? String(target[target.index(after: target.firstIndex(of: "?")!)...]) : ""
        return RecordedRequest(
            method: String(requestLine[0]), target: target, path: path, query: query,
            headers: headers, body: body, receivedAt: Date())
    }

    private func receive(_ fd: Int32, into buffer: inout [UInt8]) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 16384)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n <= 0 { return false }
        buffer.append(contentsOf: chunk[0..<n])
        return true
    }

    /// Writes `response`; returns whether the connection may serve another request.
    private func write(_ response: ScriptedResponse, for request: RecordedRequest, to fd: Int32) -> Bool {
        if response.delay > 0 { pause(response.delay) }
        if stopped { return false }
        var body = response.body
        var headers = response.headers
        if response.gzip {
            body = Gzip.stored(body)
            headers.append(("Content-Encoding", "gzip"))
        }
        let reason = ScriptedResponse.reasonPhrase(response.status)
        var head = "HTTP/1.1 \(response.status) \(reason)\r\n"
        let hasLength = headers.contains { $0.0.lowercased() == "content-length" } || response.announcedLength != nil
        let isHead = request.method == "HEAD"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !hasLength && response.status != 304 && response.status != 204 {
            head += "Content-Length: \(body.count)\r\n"
        }
        let closes =
            response.stallAfter != nil || response.truncateAfter != nil || response.drip != nil
            || response.announcedLength != nil
        if let announced = response.announcedLength { head += "Content-Length: \(announced)\r\n" }
        if closes { head += "Connection: close\r\n" }
        head += "\r\n"
        if response.announcedLength != nil, !isHead {
            // Head and whole body in ONE write, whatever Content-Length said: the client then holds the excess
            // bytes in the same read as the announced ones (sent apart, whether it sees them is a race).
            _ = send(Array(head.utf8) + body, to: fd)
            return false
        }
        guard send(Array(head.utf8), to: fd) else { return false }
        if isHead || response.status == 304 || response.status == 204 { return true }
        if let cut = response.stallAfter {
            _ = send(Array(body.prefix(cut)), to: fd)
            pause(response.stallSeconds)
            return false
        }
        if let cut = response.truncateAfter {
            _ = send(Array(body.prefix(cut)), to: fd)
            return false
        }
        if let drip = response.drip {
            // One small write at a time with a pause between: a server (or a hostile peer) that keeps the
            // connection alive with a trickle of bytes.
            var offset = 0
            while offset < body.count, !stopped {
                let end = min(body.count, offset + drip.bytes)
                guard send(Array(body[offset..<end]), to: fd) else { return false }
                offset = end
                if offset < body.count { pause(drip.every) }
            }
            return false
        }
        return send(body, to: fd)
    }

    private func send(_ bytes: [UInt8], to fd: Int32) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL))
            }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }

    /// Sleeps in small steps so `stop()` is not held up by a long scripted stall.
    private func pause(_ seconds: Double) {
        let deadline = Date().addingTimeInterval(seconds)
        while !stopped, Date() < deadline {
            usleep(UInt32(min(0.02, max(0, deadline.timeIntervalSinceNow)) * 1_000_000))
        }
    }
}

/// Errors of the loopback server itself.
public enum LoopbackError: Error, CustomStringConvertible {
    case socket(String)
    public var description: String {
        switch self {
        case .socket(let message): return "loopback: \(message)"
        }
    }
}

/// One request as received, kept for assertions.
public struct RecordedRequest: Sendable {
    public var method: String
    /// Path and query, as on the request line.
    public var target: String
    public var path: String
    /// Raw query string, without `?`.
    public var query: String
    public var headers: [(String, String)]
    public var body: [UInt8]
    public var receivedAt: Date

    /// The first header named `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
    }

    /// The percent-decoded value of query parameter `name`.
    public func queryValue(_ name: String) -> String? {
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.first == name {
                let value = parts.count > 1 ? parts[1] : ""
                return value.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? value
            }
        }
        return nil
    }
}

/// What the server answers: status, headers, body, and the fault to inject.
public struct ScriptedResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]
    /// Seconds to wait before sending anything.
    public var delay: Double
    /// Send this many body bytes, then stall `stallSeconds` and close (a server hanging mid-body).
    public var stallAfter: Int?
    public var stallSeconds: Double
    /// Announce the full `Content-Length`, send this many body bytes and close (a truncated body).
    public var truncateAfter: Int?
    /// Send the body gzip-compressed with `Content-Encoding: gzip`.
    public var gzip: Bool
    /// Send the body `bytes` at a time, pausing `every` seconds between writes, then close.
    public var drip: (bytes: Int, every: Double)?
    /// Announce this `Content-Length` whatever the body's size, send the whole body and close (a length
    /// shorter than the body: the excess is what a naive client drops silently).
    public var announcedLength: Int?

    public init(
        status: Int, headers: [(String, String)] = [], body: [UInt8] = [], delay: Double = 0,
        stallAfter: Int? = nil, stallSeconds: Double = 30, truncateAfter: Int? = nil, gzip: Bool = false
    ) {
        self.status = status
        self.headers = headers
        self.body = body
        self.delay = delay
        self.stallAfter = stallAfter
        self.stallSeconds = stallSeconds
        self.truncateAfter = truncateAfter
        self.gzip = gzip
    }

    /// A 200 with `body` and a content type.
    public static func ok(
        _ body: String, contentType: String = "application/xml; charset=utf-8",
        headers: [(String, String)] = [], delay: Double = 0
    ) -> ScriptedResponse {
        ScriptedResponse(
            status: 200, headers: [("Content-Type", contentType)] + headers, body: Array(body.utf8),
            delay: delay)
    }

    /// A bare status with an optional text body.
    public static func status(_ code: Int, headers: [(String, String)] = [], body: String = "") -> ScriptedResponse {
        ScriptedResponse(status: code, headers: [("Content-Type", "text/plain")] + headers, body: Array(body.utf8))
    }

    /// `body` sent `bytes` at a time every `every` seconds (a dripping server).
    public static func dripping(
        _ body: String, bytes: Int = 1, every: Double = 1,
        contentType: String = "application/xml; charset=utf-8"
    ) -> ScriptedResponse {
        var response = ScriptedResponse.ok(body, contentType: contentType)
        response.drip = (bytes, every)
        return response
    }

    /// `body` whole, under a `Content-Length` of `announced` bytes (shorter or longer than the body).
    public static func lying(
        _ body: String, announced: Int,
        contentType: String = "application/xml; charset=utf-8"
    ) -> ScriptedResponse {
        var response = ScriptedResponse.ok(body, contentType: contentType)
        response.announcedLength = announced
        return response
    }

    /// A redirect to `location`.
    public static func redirect(to location: String, status: Int = 302) -> ScriptedResponse {
        ScriptedResponse(status: status, headers: [("Location", location)])
    }

    static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 301: return "Moved Permanently"
        case 302: return "Found"
        case 304: return "Not Modified"
        case 404: return "Not Found"
        case 429: return "Too Many Requests"
        case 500: return "Internal Server Error"
        case 503: return "Service Unavailable"
        default: return "Status"
        }
    }
}

/// How a path answers.
public struct Route: Sendable {
    private let handler: @Sendable (RecordedRequest) -> ScriptedResponse

    /// Any logic: the handler sees the request (query, headers, body).
    public init(_ handler: @escaping @Sendable (RecordedRequest) -> ScriptedResponse) {
        self.handler = handler
    }

    /// The answer to `request` (lets a test wrap one route in another).
    public func respond(to request: RecordedRequest) -> ScriptedResponse { handler(request) }

    /// Always the same answer.
    public static func always(_ response: ScriptedResponse) -> Route { Route { _ in response } }

    /// Answers in turn; the last answer repeats.
    public static func sequence(_ responses: [ScriptedResponse]) -> Route {
        let counter = Counter()
        return Route { _ in responses[min(counter.next(), responses.count - 1)] }
    }

    /// A resource with validators: 304 at once when `If-None-Match` or `If-Modified-Since` matches
    /// (a validator check is cheap), otherwise `response` (which may carry a delay: rendering is slow).
    public static func conditional(etag: String?, lastModified: String?, _ response: ScriptedResponse) -> Route {
        var full = response
        if let etag { full.headers.append(("ETag", etag)) }
        if let lastModified { full.headers.append(("Last-Modified", lastModified)) }
        let answer = full
        return Route { request in
            let inm = request.header("if-none-match")
            let ims = request.header("if-modified-since")
            let etagMatches =
                etag != nil
                && inm.map { value in
                    value.split(separator: ",").contains {
                        $0.trimmingCharacters(in: .whitespaces) == etag || $0 == "*"
                    }
                } == true
            // RFC 9110 §13.1.3: If-Modified-Since is ignored when If-None-Match is present.
            let dateMatches = inm == nil && lastModified != nil && ims == lastModified
            if etagMatches || dateMatches {
                var headers: [(String, String)] = []
                if let etag { headers.append(("ETag", etag)) }
                if let lastModified { headers.append(("Last-Modified", lastModified)) }
                return ScriptedResponse(status: 304, headers: headers)
            }
            return answer
        }
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int {
        lock.lock(); defer { lock.unlock() }
        value += 1
        return value - 1
    }
}

/// A gzip encoder using only stored (uncompressed) deflate blocks: valid gzip that any client must
/// inflate, written here because zlib is not available to this target.
public enum Gzip {
    /// `bytes` as a gzip member (RFC 1952) made of stored deflate blocks (RFC 1951 §3.2.4).
    public static func stored(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]
        var offset = 0
        repeat {
            let n = min(65535, bytes.count - offset)
            let isLast = offset + n == bytes.count
            out.append(isLast ? 1 : 0)
            out.append(UInt8(n & 0xff)); out.append(UInt8(n >> 8))
            out.append(UInt8(~n & 0xff)); out.append(UInt8((~n >> 8) & 0xff))
            out.append(contentsOf: bytes[offset..<(offset + n)])
            offset += n
        } while offset < bytes.count
        let crc = crc32(bytes)
        for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8((crc >> UInt32(shift)) & 0xff)) }
        let size = UInt32(truncatingIfNeeded: bytes.count)
        for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8((size >> UInt32(shift)) & 0xff)) }
        return out
    }

    /// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320).
    public static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xffff_ffff
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc >> 1) ^ (0xedb8_8320 & (0 &- (crc & 1))) }
        }
        return ~crc
    }
}
