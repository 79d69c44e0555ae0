import Compression
import Foundation
import Testing

/// The zlib wrapper the store keeps notices and raw bodies with (and the parser reads TED packages with).
@Suite struct CompressionTests {
    let text = Array(
        String(repeating: "{\"title\":\"Usinage de pièces mécaniques\",\"departement\":\"42\"},", count: 50).utf8)

    @Test func rawDeflateRoundTrips() throws {
        let packed = try Zlib.deflate(text)
        #expect(packed.count < text.count / 10)
        #expect(try Zlib.inflate(packed) == text)
        #expect(try Zlib.inflate(try Zlib.deflate([])) == [])
    }

    /// A dictionary of what the data repeats makes a short record smaller; the same dictionary reads it back, and
    /// none (or another) does not.
    @Test func aDictionaryShrinksShortRecords() throws {
        let record = Array("{\"title\":\"Usinage de pièces\",\"departement\":\"42\",\"kind\":\"tender\"}".utf8)
        let dictionary = Array(
            "\"departement\":\"\",\"kind\":\"tender\",\"title\":\"Usinage de pièces mécaniques\"".utf8)
        let plain = try Zlib.deflate(record)
        let primed = try Zlib.deflate(record, dictionary: dictionary)
        #expect(primed.count < plain.count)
        #expect(try Zlib.inflate(primed, dictionary: dictionary) == record)
        #expect(throws: CompressionError.self) { _ = try Zlib.inflate(primed) }
    }

    @Test func gzipRoundTripsAndTruncationIsNamed() throws {
        let packed = try Zlib.deflate(text, framing: .gzip)
        #expect(packed.prefix(2) == [0x1F, 0x8B])
        #expect(try Zlib.inflate(packed, framing: .gzip) == text)
        #expect(throws: CompressionError.truncated) { _ = try Zlib.inflate(Array(packed.prefix(20)), framing: .gzip) }
        #expect(throws: CompressionError.tooLarge(limit: 100)) {
            _ = try Zlib.inflate(packed, framing: .gzip, limit: 100)
        }
    }

    /// Two gzip members one after the other (some tools write packages so) read as one stream, in chunks.
    @Test func concatenatedGzipMembersStreamAsOne() throws {
        let two = try Zlib.deflate(text, framing: .gzip) + Zlib.deflate(Array("fin".utf8), framing: .gzip)
        var out: [UInt8] = []
        try Inflater(framing: .gzip).inflate(two) { out.append(contentsOf: $0) }
        #expect(out == text + Array("fin".utf8))
    }
}
