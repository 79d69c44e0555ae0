import Foundation

/// A streaming byte transform: pulls chunks from `upstream`, rewrites them, and serves the result.
///
/// Subclasses implement `transform`, which may leave a tail unconsumed (an incomplete UTF-8 sequence, an
/// entity cut by the chunk boundary); it is offered again with the next chunk. Memory stays bounded by the
/// chunk size whatever the document size.
class TransformByteSource: ByteSource {
    private let upstream: any ByteSource
    /// Input not yet consumed by `transform`: `inBuffer[0..<inCount]`.
    private var inBuffer: UnsafeMutableRawBufferPointer
    private var inCount = 0
    private var out: [UInt8] = []
    private var outPos = 0
    /// Output served straight from `inBuffer[directPos..<direct]` (see `outputIsInput`).
    private var direct = 0
    private var directPos = 0
    private var upstreamEnded = false
    private var finished = false
    static let chunkSize = 64 * 1024

    /// Set by `transform` when it wrote nothing to `out` because its output is exactly the input it consumed:
    /// those bytes are then served from the input buffer, saving a copy of every byte that needs no rewriting.
    var outputIsInput = false

    init(upstream: any ByteSource) {
        self.upstream = upstream
        inBuffer = .allocate(byteCount: Self.chunkSize * 2, alignment: 8)
        out.reserveCapacity(Self.chunkSize * 2)
    }

    deinit { inBuffer.deallocate() }

    /// Rewrites a prefix of `input` into `out` and returns how many input bytes it consumed. With `isEnd`,
    /// everything must be consumed.
    func transform(_ input: UnsafeBufferPointer<UInt8>, isEnd: Bool, into out: inout [UInt8]) -> Int {
        out.append(contentsOf: input)
        return input.count
    }

    /// Drops the first `count` bytes of the input buffer.
    private func dropInput(_ count: Int) {
        let rest = inCount - count
        if rest > 0 && count > 0 {
            inBuffer.baseAddress!.copyMemory(from: inBuffer.baseAddress! + count, byteCount: rest)
        }
        inCount = max(rest, 0)
    }

    final func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            if directPos < direct {
                let n = min(buffer.count, direct - directPos)
                buffer.baseAddress!.copyMemory(from: inBuffer.baseAddress! + directPos, byteCount: n)
                directPos += n
                if directPos == direct {
                    dropInput(direct)
                    (direct, directPos) = (0, 0)
                }
                return n
            }
            if outPos < out.count {
                let n = min(buffer.count, out.count - outPos)
                out.withUnsafeBytes { src in
                    buffer.baseAddress!.copyMemory(from: src.baseAddress! + outPos, byteCount: n)
                }
                outPos += n
                return n
            }
            if finished { return 0 }
            out.removeAll(keepingCapacity: true)
            outPos = 0
            if !upstreamEnded {
                if inBuffer.count - inCount < Self.chunkSize {
                    // A transform that keeps asking for more (a huge declaration): grow.
                    let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: inBuffer.count * 2, alignment: 8)
                    bigger.baseAddress!.copyMemory(from: inBuffer.baseAddress!, byteCount: inCount)
                    inBuffer.deallocate()
                    inBuffer = bigger
                }
                let n = try upstream.read(
                    into: UnsafeMutableRawBufferPointer(
                        start: inBuffer.baseAddress! + inCount, count: Self.chunkSize))
                if n == 0 { upstreamEnded = true }
                inCount += n
            }
            let isEnd = upstreamEnded
            let input = UnsafeBufferPointer(
                start: inBuffer.baseAddress!.assumingMemoryBound(to: UInt8.self), count: inCount)
            outputIsInput = false
            let consumed = min(transform(input, isEnd: isEnd, into: &out), inCount)
            let rest = inCount - consumed
            if outputIsInput && out.isEmpty {
                // Served from the buffer, then dropped.
                direct = consumed
                directPos = 0
            } else {
                dropInput(consumed)
            }
            if isEnd && (rest == 0 || consumed == 0) {
                finished = true
                // Whatever the transform left at the end is dropped.
                inCount = direct
            }
        }
    }
}

/// UTF-8 passed through, with every byte that is not part of a valid UTF-8 sequence read as windows-1252.
///
/// Feeds that declare nothing (or UTF-8) but were written in Latin-1 by a French CMS are common; repairing byte
/// by byte keeps the valid UTF-8 of mixed documents and never produces invalid output.
final class UTF8RepairSource: TransformByteSource {
    override func transform(_ s: UnsafeBufferPointer<UInt8>, isEnd: Bool, into out: inout [UInt8]) -> Int {
        let n = s.count
        var i = 0
        var runStart = 0
        let raw = UnsafeRawPointer(s.baseAddress!)
        while i < n {
            // ASCII runs, a word at a time.
            while i + 8 <= n, raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                i += 8
            }
            guard i < n else { break }
            let b = s[i]
            if b < 0x80 {
                i += 1
                continue
            }
            let len: Int
            if b >= 0xC2 && b <= 0xDF {
                len = 2
            } else if b >= 0xE0 && b <= 0xEF {
                len = 3
            } else if b >= 0xF0 && b <= 0xF4 {
                len = 4
            } else {
                len = 0
            }
            if len > 0 && i + len > n && !isEnd {
                // Possibly a sequence cut by the chunk boundary: keep it for the next round.
                out.append(contentsOf: UnsafeBufferPointer(rebasing: s[runStart..<i]))
                return i
            }
            if len > 0 && i + len <= n && Self.isValid(s, i, len) {
                if b == 0xC2 && s[i + 1] <= 0x9F, let mapped = Windows1252.c1Mapping[Int(s[i + 1] - 0x80)] {
                    // U+0080–U+009F are never meant in text: they are windows-1252 punctuation that went through
                    // a Latin-1 to UTF-8 conversion (`don\u{92}t` for `don’t`).
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: s[runStart..<i]))
                    out.append(contentsOf: Array(String(mapped).utf8))
                    i += 2
                    runStart = i
                    continue
                }
                i += len
                continue
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: s[runStart..<i]))
            out.append(contentsOf: Windows1252.utf8Table[Int(b)])
            i += 1
            runStart = i
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: s[runStart..<n]))
        return n
    }

    @inline(__always) static func isValid(_ s: UnsafeBufferPointer<UInt8>, _ i: Int, _ len: Int) -> Bool {
        let b0 = s[i]
        let b1 = s[i + 1]
        guard b1 & 0xC0 == 0x80 else { return false }
        if len == 2 { return true }
        if b0 == 0xE0 && b1 < 0xA0 { return false }
        if b0 == 0xED && b1 > 0x9F { return false }
        if b0 == 0xF0 && b1 < 0x90 { return false }
        if b0 == 0xF4 && b1 > 0x8F { return false }
        guard s[i + 2] & 0xC0 == 0x80 else { return false }
        if len == 3 { return true }
        return s[i + 3] & 0xC0 == 0x80
    }
}

/// Any encoding glibc's iconv knows (UTF-16, UTF-32, code pages like `437`, EBCDIC), to UTF-8.
/// Undecodable bytes become U+FFFD, so the output is always valid UTF-8.
final class IconvSource: TransformByteSource {
    private let cd: iconv_t

    /// Nil when iconv does not know `encoding`.
    init?(upstream: any ByteSource, encoding: String) {
        let cd = iconv_open("UTF-8", encoding)
        guard let cd, cd != iconv_t(bitPattern: -1) else { return nil }
        self.cd = cd
        super.init(upstream: upstream)
    }

    deinit { iconv_close(cd) }

    /// Whether iconv can decode `encoding`.
    static func supports(_ encoding: String) -> Bool {
        guard let cd = iconv_open("UTF-8", encoding), cd != iconv_t(bitPattern: -1) else { return false }
        iconv_close(cd)
        return true
    }

    override func transform(_ s: UnsafeBufferPointer<UInt8>, isEnd: Bool, into out: inout [UInt8]) -> Int {
        var consumed = 0
        var buffer = [UInt8](repeating: 0, count: s.count * 4 + 16)
        while consumed < s.count {
            var inPtr: UnsafeMutablePointer<CChar>? = UnsafeMutablePointer<CChar>(
                mutating: UnsafeRawPointer(s.baseAddress! + consumed).assumingMemoryBound(to: CChar.self))
            var inLeft = s.count - consumed
            let produced: Int
            var err: Int32 = 0
            (produced, err) = buffer.withUnsafeMutableBytes { ob -> (Int, Int32) in
                var outPtr: UnsafeMutablePointer<CChar>? = ob.baseAddress!.assumingMemoryBound(to: CChar.self)
                var outLeft = ob.count
                let r = iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
                return (ob.count - outLeft, r == -1 ? errno : 0)
            }
            out.append(contentsOf: buffer[0..<produced])
            consumed = s.count - inLeft
            if err == 0 { break }
            if err == EINVAL {  // incomplete sequence at the end
                if isEnd {
                    out.append(contentsOf: [0xEF, 0xBF, 0xBD])
                    return s.count
                }
                return consumed
            }
            if err == EILSEQ {
                out.append(contentsOf: [0xEF, 0xBF, 0xBD])
                consumed += 1
                continue
            }
            if err == E2BIG { continue }
            return s.count
        }
        return s.count
    }
}
