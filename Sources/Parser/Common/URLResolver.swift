/// Resolves URI references against a base, per RFC 3986 §5.2 (the algorithm browsers and feed readers use for
/// `xml:base`, relative `<link>`s and the document URL). Pure string work, no Foundation `URL` quirks.
enum URLResolver {
    /// `reference` made absolute against `base`; `reference` (trimmed) unchanged when it is already absolute
    /// or when there is no usable base.
    static func resolve(_ reference: String, against base: String?) -> String {
        let ref = reference.trimmingASCIIWhitespace()
        if hasHTTPScheme(ref) { return ref }  // the common case, without splitting anything
        guard let base, !base.isEmpty else { return ref }
        let r = Components(ref)
        if r.scheme != nil { return ref }
        let b = Components(base.trimmingASCIIWhitespace())
        guard b.scheme != nil else { return ref.isEmpty ? base : ref }
        var t = Components()
        if r.authority != nil {
            t.authority = r.authority
            t.path = removeDotSegments(r.path)
            t.query = r.query
        } else {
            if r.path.isEmpty {
                t.path = b.path
                t.query = r.query ?? b.query
            } else {
                if r.path.hasPrefix("/") {
                    t.path = removeDotSegments(r.path)
                } else {
                    t.path = removeDotSegments(merge(b, r.path))
                }
                t.query = r.query
            }
            t.authority = b.authority
        }
        t.scheme = b.scheme
        t.fragment = r.fragment
        return t.recomposed
    }

    /// True when `s` starts with a URI scheme (`http:`, `mailto:`).
    static func isAbsolute(_ s: String) -> Bool {
        for (k, b) in s.utf8.enumerated() {
            if b == 0x3A { return k > 0 }
            let isLetter = (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A
            if isLetter || (k > 0 && ((b >= 0x30 && b <= 0x39) || b == 0x2B || b == 0x2D || b == 0x2E)) { continue }
            return false
        }
        return false
    }

    private static func hasHTTPScheme(_ s: String) -> Bool {
        s.utf8.withContiguousStorageIfAvailable { p -> Bool in
            guard p.count > 8, p[0] | 0x20 == 0x68, p[1] | 0x20 == 0x74, p[2] | 0x20 == 0x74, p[3] | 0x20 == 0x70
            else { return false }
            let k = p[4] | 0x20 == 0x73 ? 5 : 4
            return p[k] == 0x3A && p[k + 1] == 0x2F && p[k + 2] == 0x2F
        } ?? false
    }

    struct Components {
        var scheme: String?
        var authority: String?
        var path = ""
        var query: String?
        var fragment: String?

        init() {}

        init(_ s: String) {
            var rest = Substring(s)
            if let hash = rest.firstIndex(of: "#") {
                fragment = String(rest[rest.index(after: hash)...])
                rest = rest[..<hash]
            }
            if let q = rest.firstIndex(of: "?") {
                query = String(rest[rest.index(after: q)...])
                rest = rest[..<q]
            }
            if let colon = rest.firstIndex(of: ":"), colon != rest.startIndex {
                let candidate = rest[..<colon]
                if let f = candidate.first, f.isASCII, f.isLetter,
                    candidate.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) })
                {
                    scheme = String(candidate).lowercased()
                    rest = rest[rest.index(after: colon)...]
                }
            }
            if rest.hasPrefix("//") {
                rest = rest.dropFirst(2)
                let end = rest.firstIndex(of: "/") ?? rest.endIndex
                authority = String(rest[..<end])
                rest = rest[end...]
            }
            path = String(rest)
        }

        var recomposed: String {
            var out = ""
            if let scheme { out += scheme + ":" }
            if let authority { out += "//" + authority }
            out += path
            if let query { out += "?" + query }
            if let fragment { out += "#" + fragment }
            return out
        }
    }

    private static func merge(_ base: Components, _ path: String) -> String {
        if base.authority != nil && base.path.isEmpty { return "/" + path }
        guard let slash = base.path.lastIndex(of: "/") else { return path }
        return String(base.path[...slash]) + path
    }

    static func removeDotSegments(_ path: String) -> String {
        guard path.contains(".") else { return path }
        var input = Substring(path)
        var output: [Substring] = []
        var out = ""
        // Straightforward transcription of RFC 3986 §5.2.4.
        while !input.isEmpty {
            if input.hasPrefix("../") {
                input = input.dropFirst(3)
            } else if input.hasPrefix("./") {
                input = input.dropFirst(2)
            } else if input.hasPrefix("/./") {
                input = input.dropFirst(2)
            } else if input == "/." {
                input = "/"
            } else if input.hasPrefix("/../") {
                input = input.dropFirst(3)
                if !output.isEmpty { output.removeLast() }
            } else if input == "/.." {
                input = "/"
                if !output.isEmpty { output.removeLast() }
            } else if input == "." || input == ".." {
                input = ""
            } else {
                let start = input.startIndex
                let searchFrom = input.first == "/" ? input.index(after: start) : start
                let end = input[searchFrom...].firstIndex(of: "/") ?? input.endIndex
                output.append(input[start..<end])
                input = input[end...]
            }
        }
        for seg in output { out += seg }
        return out
    }
}

extension String {
    /// The string without leading and trailing ASCII whitespace (space, tab, CR, LF, FF).
    func trimmingASCIIWhitespace() -> String {
        let u = utf8
        guard let first = u.firstIndex(where: { !HTMLText.isSpace($0) }) else { return "" }
        let last = u.lastIndex(where: { !HTMLText.isSpace($0) })!
        if first == u.startIndex && last == u.index(before: u.endIndex) { return self }
        return String(self[first...last])
    }
}
