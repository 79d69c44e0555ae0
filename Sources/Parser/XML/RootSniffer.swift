/// Finds the root element of an XML document from its first bytes, without a full parse: used by
/// `DocumentParser` to dispatch feeds and notice formats.
enum RootSniffer {
    struct Root: Equatable {
        var localName: String
        var namespace: String?
    }

    /// The root element's local name and namespace URI, or nil when the prefix shows none (not XML, or a root
    /// beyond the prefix). The prefix goes through the same decoding as the parse, so UTF-16 and EBCDIC work.
    static func root(of prefix: [UInt8], charsetHint: String?) throws -> Root? {
        let (source, _) = try EncodingSniffer.utf8Source(for: ArrayByteSource(prefix), charsetHint: charsetHint)
        let text = try source.readPrefix(prefix.count * 4 + 64)
        return scan(text)
    }

    static func scan(_ s: [UInt8]) -> Root? {
        var i = 0
        let n = s.count
        func skip(past terminator: [UInt8]) {
            while i < n {
                if s[i] == terminator[0], i + terminator.count <= n, Array(s[i..<(i + terminator.count)]) == terminator
                {
                    i += terminator.count
                    return
                }
                i += 1
            }
        }
        while i < n {
            let b = s[i]
            if HTMLText.isSpace(b) {
                i += 1
                continue
            }
            guard b == 0x3C, i + 1 < n else { return nil }
            let c = s[i + 1]
            if c == 0x3F {
                skip(past: [0x3F, 0x3E])
                continue
            }
            if c == 0x21 {
                if i + 3 < n, s[i + 2] == 0x2D, s[i + 3] == 0x2D {
                    skip(past: [0x2D, 0x2D, 0x3E])
                    continue
                }
                // DOCTYPE, with an internal subset in brackets.
                var depth = 0
                var quote: UInt8 = 0
                i += 2
                while i < n {
                    let d = s[i]
                    i += 1
                    if quote != 0 {
                        if d == quote { quote = 0 }
                    } else if d == 0x22 || d == 0x27 {
                        quote = d
                    } else if d == 0x5B {
                        depth += 1
                    } else if d == 0x5D {
                        depth -= 1
                    } else if d == 0x3E && depth <= 0 {
                        break
                    }
                }
                continue
            }
            // The root start tag.
            var j = i + 1
            while j < n, !HTMLText.isSpace(s[j]), s[j] != 0x3E, s[j] != 0x2F { j += 1 }
            let qname = String(decoding: s[(i + 1)..<j], as: UTF8.self)
            guard !qname.isEmpty else { return nil }
            var tagEnd = j
            var quote: UInt8 = 0
            while tagEnd < n {
                let d = s[tagEnd]
                if quote != 0 {
                    if d == quote { quote = 0 }
                } else if d == 0x22 || d == 0x27 {
                    quote = d
                } else if d == 0x3E {
                    break
                }
                tagEnd += 1
            }
            let tag = String(decoding: s[j..<tagEnd], as: UTF8.self)
            let parts = qname.split(separator: ":", maxSplits: 1)
            let prefix = parts.count == 2 ? String(parts[0]) : nil
            let local = String(parts.last ?? "")
            let attr = prefix.map { "xmlns:\($0)" } ?? "xmlns"
            return Root(localName: local, namespace: attributeValue(tag, attr))
        }
        return nil
    }

    private static func attributeValue(_ tag: String, _ name: String) -> String? {
        // On bytes: Foundation's `range(of:)` bridges to NSString, once per notice of a package.
        let t = Array(tag.utf8)
        let n = Array(name.utf8)
        guard let first = n.first else { return nil }
        func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }
        var i = 0
        while i + n.count <= t.count {
            defer { i += 1 }
            guard t[i] == first, t[i..<(i + n.count)].elementsEqual(n), i == 0 || isSpace(t[i - 1]) else { continue }
            var j = i + n.count
            while j < t.count, isSpace(t[j]) { j += 1 }
            guard j < t.count, t[j] == 0x3D else { continue }
            j += 1
            while j < t.count, isSpace(t[j]) { j += 1 }
            guard j < t.count, t[j] == 0x22 || t[j] == 0x27 else { continue }
            if let close = t[(j + 1)...].firstIndex(of: t[j]) {
                return String(decoding: t[(j + 1)..<close], as: UTF8.self)
            }
        }
        return nil
    }
}
