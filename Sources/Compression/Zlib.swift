import CZlib

/// zlib behind Swift types: the only Swift target that imports CZlib. The parser inflates TED daily packages
/// (gzip) through `Inflater`; the store compresses notice JSON and raw responses with `Zlib.deflate`.
public enum Zlib {
    /// The stream framing zlib reads or writes.
    public enum Framing: Sendable {
        /// Bare deflate (RFC 1951): no header or checksum, the smallest framing, for bytes the store wrote itself.
        case raw
        /// gzip (RFC 1952), as TED's daily packages come.
        case gzip

        var windowBits: Int32 {
            switch self {
            case .raw: -15
            case .gzip: 15 + 16
            }
        }
    }

    /// Compresses `bytes` whole (level 6, zlib's default balance of size and speed).
    ///
    /// `dictionary` (raw framing only) primes the window with text the data likely repeats — a record's keys and
    /// usual values — which is what makes a record of 2 KB compress well; `inflate` needs the same bytes.
    public static func deflate(
        _ bytes: [UInt8], framing: Framing = .raw, level: Int32 = 6, dictionary: [UInt8]? = nil
    ) throws(CompressionError) -> [UInt8] {
        var stream = z_stream()
        guard vigie_deflateInit2(&stream, level, framing.windowBits) == Z_OK else {
            throw .cannotInitialise
        }
        defer { deflateEnd(&stream) }
        if let dictionary {
            let status = dictionary.withUnsafeBufferPointer {
                deflateSetDictionary(&stream, $0.baseAddress, UInt32($0.count))
            }
            guard status == Z_OK else { throw .corrupt("cannot set the dictionary (status \(status))") }
        }
        let bound = Int(deflateBound(&stream, UInt(bytes.count)))
        var out = [UInt8](repeating: 0, count: bound)
        let status = bytes.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { o -> Int32 in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.avail_in = UInt32(input.count)
                stream.next_out = o.baseAddress
                stream.avail_out = UInt32(o.count)
                return CZlib.deflate(&stream, Z_FINISH)
            }
        }
        // deflateBound guarantees one Z_FINISH call fits.
        guard status == Z_STREAM_END else { throw .corrupt("deflate ended with status \(status)") }
        out.removeSubrange(Int(stream.total_out)...)
        return out
    }

    /// Decompresses `bytes` whole. `limit` caps the output, so a corrupt or hostile length cannot exhaust memory.
    public static func inflate(
        _ bytes: [UInt8], framing: Framing = .raw, dictionary: [UInt8]? = nil, limit: Int = 1 << 30
    ) throws(CompressionError) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count * 4)
        let inflater = try Inflater(framing: framing, dictionary: dictionary)
        do {
            try inflater.inflate(bytes) { chunk in
                guard result.count + chunk.count <= limit else { throw CompressionError.tooLarge(limit: limit) }
                result.append(contentsOf: chunk)
            }
        } catch let error as CompressionError {
            throw error
        } catch {
            throw .corrupt("\(error)")
        }
        return result
    }
}

/// Why zlib or zstd refused: distinct values the parser words as package issues and the store as corrupt rows.
public enum CompressionError: Error, Equatable, Sendable, CustomStringConvertible {
    case cannotInitialise
    /// The codec could not compress (zstd's own message: out of memory, input too large).
    case cannotCompress(String)
    /// The stream ended before its end marker.
    case truncated
    /// The codec's own message.
    case corrupt(String)
    /// More output than the caller allows.
    case tooLarge(limit: Int)

    public var description: String {
        switch self {
        case .cannotInitialise: "compression: cannot initialise zlib"
        case .cannotCompress(let message): "compression: cannot compress (\(message))"
        case .truncated: "compression: stream is truncated"
        case .corrupt(let message): "compression: corrupt data (\(message))"
        case .tooLarge(let limit): "compression: output larger than \(limit) bytes"
        }
    }
}

/// A streaming inflater: compressed bytes in, chunks of at most 256 KiB out, so a 200 MB TED package never sits
/// inflated in memory. Final and single-owner: it owns zlib's stream state, freed in `deinit`.
public final class Inflater {
    private var stream = z_stream()
    private let chunk = 256 * 1024
    private var out: [UInt8]

    /// A new inflater for one stream (gzip: several concatenated members are read as one); `dictionary` as given
    /// to `Zlib.deflate` (raw framing only).
    public init(framing: Zlib.Framing, dictionary: [UInt8]? = nil) throws(CompressionError) {
        out = [UInt8](repeating: 0, count: chunk)
        guard vigie_inflateInit2(&stream, framing.windowBits) == Z_OK else { throw .cannotInitialise }
        if let dictionary {
            // A raw stream takes its dictionary before any input (zlib and gzip streams ask for it later).
            let status = dictionary.withUnsafeBufferPointer {
                inflateSetDictionary(&stream, $0.baseAddress, UInt32($0.count))
            }
            guard status == Z_OK else { throw .corrupt("cannot set the dictionary (status \(status))") }
        }
    }

    deinit { inflateEnd(&stream) }

    /// Inflates the whole of `bytes`, handing each produced chunk to `sink`. Throws `CompressionError` for bad
    /// input (`.truncated` when it ends inside the stream) and whatever `sink` throws.
    public func inflate(_ bytes: [UInt8], _ sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        try run(bytes, sink)
    }

    private func run(_ bytes: [UInt8], _ sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        let chunk = self.chunk
        try bytes.withUnsafeBufferPointer { input in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            stream.avail_in = UInt32(input.count)
            while true {
                let (status, produced) = out.withUnsafeMutableBufferPointer { o -> (Int32, Int) in
                    stream.next_out = o.baseAddress
                    stream.avail_out = UInt32(chunk)
                    let s = CZlib.inflate(&stream, Z_NO_FLUSH)
                    return (s, chunk - Int(stream.avail_out))
                }
                if produced > 0 {
                    try out.withUnsafeBytes { o in
                        try sink(UnsafeRawBufferPointer(rebasing: o[0..<produced]))
                    }
                }
                if status == Z_STREAM_END {
                    // Concatenated gzip members (some tools write them): continue with the next one.
                    if stream.avail_in > 0 {
                        inflateReset(&stream)
                        continue
                    }
                    return
                }
                if status == Z_BUF_ERROR && stream.avail_in == 0 { throw CompressionError.truncated }
                guard status == Z_OK || status == Z_BUF_ERROR else {
                    throw CompressionError.corrupt(stream.msg.map { String(cString: $0) } ?? "error \(status)")
                }
            }
        }
    }
}
