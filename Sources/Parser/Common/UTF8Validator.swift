/// Checks that a byte stream is well-formed UTF-8, chunk by chunk (a sequence may straddle two chunks).
///
/// Used to decide once, for a whole document that declares no encoding, between UTF-8 and windows-1252: a
/// Latin-1 French feed has byte pairs that happen to be valid UTF-8 (`é` then a no-break space and `»` is
/// E9 A0 BB, a CJK character), so deciding sequence by sequence turns « doué » into « dou阻 ».
struct UTF8Validator {
    /// Continuation bytes still expected by the sequence in progress.
    private var needed = 0
    /// Bounds of the next continuation byte (narrower after E0, ED, F0, F4: no overlong forms, no surrogates).
    private var low: UInt8 = 0x80
    private var high: UInt8 = 0xBF
    /// False from the first ill-formed byte on.
    private(set) var isValid = true

    /// Checks `bytes`, the continuation of what was fed before; returns `isValid`.
    @discardableResult
    mutating func feed(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard isValid, let base = bytes.baseAddress else { return isValid }
        let n = bytes.count
        let raw = UnsafeRawPointer(base)
        var i = 0
        while i < n {
            if needed == 0 {
                // ASCII runs, eight bytes at a time.
                while i + 8 <= n, raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                    i += 8
                }
                guard i < n else { break }
                let b = base[i]
                i += 1
                switch b {
                case 0x00...0x7F: continue
                case 0xC2...0xDF: needed = 1
                case 0xE0: (needed, low) = (2, 0xA0)
                case 0xE1...0xEC, 0xEE, 0xEF: needed = 2
                case 0xED: (needed, high) = (2, 0x9F)
                case 0xF0: (needed, low) = (3, 0x90)
                case 0xF1...0xF3: needed = 3
                case 0xF4: (needed, high) = (3, 0x8F)
                default:
                    isValid = false
                    return false
                }
            } else {
                let b = base[i]
                i += 1
                guard b >= low && b <= high else {
                    isValid = false
                    return false
                }
                needed -= 1
                (low, high) = (0x80, 0xBF)
            }
        }
        return true
    }

    /// Whether everything fed was valid UTF-8 and no sequence was left unfinished.
    var isCompleteAndValid: Bool { isValid && needed == 0 }
}
