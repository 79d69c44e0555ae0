import Compression
import Foundation
import Testing

/// The zstd codec the outbox keeps its e-mails with: one frame per message, its size in the header, read back
/// within a bound.
@Suite struct ZstdTests {
    /// A message shaped like the outbox's: headers, quoted-printable text, base64 lines.
    let message = Array(
        ("Message-ID: <vigie.mecaloire.2026-05-05.1.staff@example.org>\r\nSubject: Veille\r\n\r\n"
            + String(
                repeating: "Usinage de pi=C3=A8ces m=C3=A9caniques =E2=80=94 Saint-=C3=89tienne (42)=\r\n", count: 400)
            + String(repeating: "QkVHSU46VkNBTEVOREFSDQpWRVJTSU9OOjIuMA0KUFJPRElEOi0vL1ZpZ2llLy9GUg0K\r\n", count: 200))
            .utf8)

    @Test func aMessageRoundTripsSmallerWithItsSizeInTheHeader() throws {
        let frame = try Zstd.compress(message)
        #expect(frame.count < message.count / 4)
        #expect(try Zstd.contentSize(frame) == message.count)
        #expect(try Zstd.decompress(frame, limit: message.count) == message)
        #expect(try Zstd.decompress(try Zstd.compress([]), limit: 0) == [])
    }

    /// Each thread compresses with its own kept context: messages of every size, on several threads at once, one
    /// after another on the same threads, each read back as it was.
    @Test func framesMadeOnSeveralThreadsAtOnceReadBack() throws {
        let messages = (0..<64).map { i in Array(message.prefix(1 + i * message.count / 64)) }
        let frames = Frames(count: messages.count)
        DispatchQueue.concurrentPerform(iterations: messages.count) { i in
            frames.set(i, Result { () throws(CompressionError) in try Zstd.compress(messages[i]) })
        }
        for (i, frame) in frames.all.enumerated() {
            #expect(try Zstd.decompress(try #require(frame).get(), limit: message.count) == messages[i])
        }
    }

    /// The bound is checked against the header before anything is allocated: a frame that says it holds more than
    /// the caller allows is refused, however little it really holds.
    @Test func aFrameLargerThanTheLimitIsRefusedBeforeDecompressing() throws {
        let frame = try Zstd.compress(message)
        #expect(throws: CompressionError.tooLarge(limit: message.count - 1)) {
            _ = try Zstd.decompress(frame, limit: message.count - 1)
        }
        // A header forged to claim 4 GiB (frame header descriptor 0xE0: single segment, 8-byte content size).
        let forged: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD, 0xE0, 0, 0, 0, 0, 1, 0, 0, 0] + [1, 0, 0]
        #expect(try Zstd.contentSize(forged) == 1 << 32)
        #expect(throws: CompressionError.tooLarge(limit: 64 << 20)) { _ = try Zstd.decompress(forged, limit: 64 << 20) }
    }

    /// Damaged bytes are an error, never other bytes: a flipped bit in the body, a cut frame, bytes that are no
    /// frame at all.
    @Test(arguments: ["flipped", "cut", "not a frame"])
    func damagedFramesAreCorrupt(_ damage: String) throws {
        var frame = try Zstd.compress(message)
        switch damage {
        case "flipped": frame[frame.count / 2] ^= 0xFF
        case "cut": frame.removeLast(frame.count / 3)
        default: frame = Array("Subject: Veille\r\n\r\nx\r\n".utf8)
        }
        #expect {
            _ = try Zstd.decompress(frame, limit: 1 << 20)
        } throws: { error in
            guard case CompressionError.corrupt(let why) = error else { return false }
            return why.hasPrefix("zstd: ")
        }
    }
}

/// The frames the threads made, each in its slot.
private final class Frames: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Result<[UInt8], CompressionError>?]
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ frame: Result<[UInt8], CompressionError>) { lock.withLock { slots[i] = frame } }
    var all: [Result<[UInt8], CompressionError>?] { lock.withLock { slots } }
}
