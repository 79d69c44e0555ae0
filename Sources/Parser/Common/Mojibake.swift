/// Undoes the commonest mojibake: UTF-8 text that was read as windows-1252 and encoded again as UTF-8
/// (`â€¦` for `…`, `Ã©` for `é`), as produced by CMS imports of French feeds.
enum Mojibake {
    /// `text` repaired when, and only when, all of it maps back to windows-1252 bytes that form valid UTF-8
    /// with at least one multi-byte sequence; otherwise `text` unchanged.
    static func repair(_ text: String) -> String {
        // Cheap test first: every such sequence starts with Â, Ã, â…ï (UTF-8 lead bytes read as Latin-1).
        guard text.unicodeScalars.contains(where: { $0.value >= 0xC2 && $0.value <= 0xF4 }) else { return text }
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
}
