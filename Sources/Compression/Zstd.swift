import CZstd

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// zstd behind Swift types: the only Swift target that imports CZstd. The store keeps each outbox e-mail as one
/// zstd frame: measured with the zstd CLI on 1,124 of a national night's 30,000 messages (3.1 GB of
/// quoted-printable text, HTML and base64 calendars), level 1 made each 6.0× smaller (lz4: 4.4×) at ≈ 990 MB/s,
/// read back at ≈ 2.7 GB/s.
public enum Zstd {
    /// Compresses `bytes` whole into one frame that records its content size (``decompress(_:limit:)`` sizes its
    /// output from it) and a checksum of it: zstd without one decodes a flipped bit of a damaged row into other
    /// bytes as readily as into an error, and the outbox must send exactly what was composed. Level 1: the
    /// outbox's messages gain little beyond it and each level costs the rendering threads more.
    public static func compress(_ bytes: [UInt8], level: Int32 = 1) throws(CompressionError) -> [UInt8] {
        let context = try threadContext()
        for (parameter, value) in [(ZSTD_c_compressionLevel, level), (ZSTD_c_checksumFlag, 1)] {
            let status = ZSTD_CCtx_setParameter(context, parameter, value)
            guard ZSTD_isError(status) == 0 else { throw .cannotCompress(errorName(status)) }
        }
        let bound = ZSTD_compressBound(bytes.count)
        guard ZSTD_isError(bound) == 0 else { throw .cannotCompress(errorName(bound)) }
        // Compressed into a buffer of the worst-case size, then copied at its own size: the outbox holds each
        // message until its edition commits, and an array of the bound's capacity would keep 4× what it uses.
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: bound, alignment: 1)
        defer { scratch.deallocate() }
        let written = bytes.withUnsafeBytes { input in
            ZSTD_compress2(context, scratch.baseAddress, bound, input.baseAddress, input.count)
        }
        guard ZSTD_isError(written) == 0 else { throw .cannotCompress(errorName(written)) }
        return [UInt8](UnsafeRawBufferPointer(rebasing: scratch[..<written]))
    }

    /// Decompresses one frame written by ``compress(_:level:)``. `limit` caps the output before anything is
    /// allocated, so a corrupt or hostile frame header cannot make it allocate gigabytes; a frame that does not
    /// record its size is refused (this codec always writes it).
    public static func decompress(_ bytes: [UInt8], limit: Int) throws(CompressionError) -> [UInt8] {
        let size = try contentSize(bytes)
        guard size <= limit else { throw .tooLarge(limit: limit) }
        var status = 0
        let result = [UInt8](unsafeUninitializedCapacity: size) { output, count in
            status = bytes.withUnsafeBytes { input in
                ZSTD_decompress(output.baseAddress, size, input.baseAddress, input.count)
            }
            count = ZSTD_isError(status) == 0 ? status : 0
        }
        guard ZSTD_isError(status) == 0 else { throw .corrupt(errorName(status)) }
        // The header's size is checked against what the frame decodes to: a frame that says more is corrupt.
        guard status == size else { throw .corrupt("zstd: frame says \(size) bytes, holds \(status)") }
        return result
    }

    /// The size `bytes` decompress to, read from the frame header without decompressing.
    public static func contentSize(_ bytes: [UInt8]) throws(CompressionError) -> Int {
        let size = bytes.withUnsafeBytes { vigie_zstd_content_size($0.baseAddress, $0.count) }
        guard size >= 0 else { throw .corrupt("zstd: not a frame that records its size") }
        return Int(size)
    }

    /// The calling thread's compression context, made on its first message and freed when the thread ends. A
    /// context made for each message (allocated, its tables sized and cleared) cost 13–15 % of compressing the
    /// outbox's mails (measured on 400 of them, with jemalloc: 385 MB/s against 442 MB/s reused); the rendering
    /// workers are the few threads of the global dispatch pool, so a handful of contexts live at once.
    private static func threadContext() throws(CompressionError) -> OpaquePointer {
        guard let key = threadContextKey else { throw .cannotCompress("zstd: no thread-specific key for a context") }
        if let kept = pthread_getspecific(key) { return OpaquePointer(kept) }
        guard let context = ZSTD_createCCtx() else { throw .cannotCompress("zstd: cannot allocate a context") }
        guard pthread_setspecific(key, UnsafeRawPointer(context)) == 0 else {
            ZSTD_freeCCtx(context)
            throw .cannotCompress("zstd: cannot keep a context for the thread")
        }
        return context
    }

    private static func errorName(_ code: Int) -> String {
        "zstd: " + String(cString: ZSTD_getErrorName(code))
    }
}

/// The key of each thread's compression context (``Zstd`` keeps one per thread); its destructor frees the context
/// when the thread ends. Nil when the process has no key left: ``Zstd/compress(_:level:)`` then throws.
private let threadContextKey: pthread_key_t? = {
    var key = pthread_key_t()
    let status = pthread_key_create(&key) { context in _ = ZSTD_freeCCtx(OpaquePointer(context)) }
    return status == 0 ? key : nil
}()
