import Foundation

/// Undoes the commonest mojibake: UTF-8 text that was read as windows-1252 and encoded again as UTF-8
/// (`â€¦` for `…`, `Ã©` for `é`), as produced by CMS imports of French feeds.
enum Mojibake {
    /// `text` repaired when, and only when, all of it maps back to windows-1252 bytes that form valid UTF-8
    /// with at least one multi-byte sequence; otherwise `text` unchanged.
    static func repair(_ text: String) -> String {
        // Cheap test first, on the UTF-8: a lead byte read as Latin-1 (Â…ô, encoded C3 82…C3 B4) followed by a
        // continuation byte read as windows-1252 (U+0080…U+00BF, or the 1252 punctuation: C2, C5, C6, CB, E2 leads).
        guard hasSuspectPair(text) else { return text }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        for u in text.unicodeScalars {
            if u.value < 0x80 || (u.value >= 0xA0 && u.value <= 0xFF) {
                bytes.append(UInt8(u.value))
            } else if let i = Windows1252.c1Mapping.firstIndex(where: { $0 == u }) {
                bytes.append(UInt8(0x80 + i))
            } else {
                return text
            }
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else { return text }
        return decoded.unicodeScalars.count < text.unicodeScalars.count ? decoded : text
    }

    private static func hasSuspectPair(_ text: String) -> Bool {
        var found = false
        var t = text
        t.withUTF8 { u in
            guard u.count >= 4, let base = u.baseAddress else { return }
            // Search the second byte of Ã, Â, â (83, 82, A2), which French text rarely has, rather than the C3 lead
            // that every é starts with; then check the lead before it and what follows.
            for second: Int32 in [0x83, 0x82, 0xA2] {
                var from = 1
                while from + 1 < u.count, let hit = memchr(base + from, second, u.count - 1 - from) {
                    let j = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                    let next = u[j + 1]
                    if u[j - 1] == 0xC3,
                        next == 0xC2 || next == 0xC5 || next == 0xC6 || next == 0xCB || next == 0xE2
                    {
                        found = true
                        return
                    }
                    from = j + 1
                }
            }
        }
        return found
    }
}
