import Foundation

/// A pull source of bytes for the streaming XML reader and the input normalisers.
///
/// `read(into:)` fills at most `buffer.count` bytes and returns how many it wrote; 0 means the end.
/// Sources are single-owner and not thread-safe, like the reader that pulls from them.
protocol ByteSource: AnyObject {
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
    /// A fresh source over the same bytes from the start, when the source can give one (a file, an array):
    /// lets a malformed document be re-read by the recovering parser without keeping a copy of every document.
    func reopened() throws -> (any ByteSource)?
}

extension ByteSource {
    func reopened() throws -> (any ByteSource)? { nil }
}

/// Bytes already in memory (a fetched HTTP body, a test fixture).
final class ArrayByteSource: ByteSource {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func reopened() throws -> (any ByteSource)? { ArrayByteSource(bytes) }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(buffer.count, bytes.count - offset)
        guard n > 0 else { return 0 }
        bytes.withUnsafeBytes { src in
            buffer.baseAddress!.copyMemory(from: src.baseAddress! + offset, byteCount: n)
        }
        offset += n
        return n
    }
}

/// A file read in chunks, so a 500 MB feed never sits whole in memory.
final class FileByteSource: ByteSource {
    private let fd: Int32
    let path: String

    /// Opens `path` for reading; throws `ParserError.unreadable` when it cannot.
    init(path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw ParserError.unreadable(document: path, reason: String(cString: strerror(errno)))
        }
        var st = stat()
        if fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw ParserError.unreadable(document: path, reason: "is a directory")
        }
        self.fd = fd
        self.path = path
    }

    deinit { close(fd) }

    func reopened() throws -> (any ByteSource)? { try FileByteSource(path: path) }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let n = Foundation.read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw ParserError.unreadable(document: path, reason: String(cString: strerror(errno)))
        }
    }
}

/// A source that first replays already-sniffed bytes, then continues with the underlying source.
final class PrefixedByteSource: ByteSource {
    private var prefix: [UInt8]
    private var prefixOffset = 0
    private let rest: any ByteSource

    /// `prefix` must be the bytes already read from `rest`, so reopening `rest` replays the whole document.
    init(prefix: [UInt8], rest: any ByteSource) {
        self.prefix = prefix
        self.rest = rest
    }

    func reopened() throws -> (any ByteSource)? { try rest.reopened() }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if prefixOffset < prefix.count {
            let n = min(buffer.count, prefix.count - prefixOffset)
            prefix.withUnsafeBytes { src in
                buffer.baseAddress!.copyMemory(from: src.baseAddress! + prefixOffset, byteCount: n)
            }
            prefixOffset += n
            if prefixOffset == prefix.count {
                prefix = []
                prefixOffset = Int.max
            }
            return n
        }
        return try rest.read(into: buffer)
    }
}

extension ByteSource {
    /// Reads up to `count` bytes (fewer only at the end of the source).
    func readPrefix(_ count: Int) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let n = try out.withUnsafeMutableBytes { buf in
                try read(into: UnsafeMutableRawBufferPointer(rebasing: buf[filled...]))
            }
            if n == 0 { break }
            filled += n
        }
        out.removeLast(count - filled)
        return out
    }
}
