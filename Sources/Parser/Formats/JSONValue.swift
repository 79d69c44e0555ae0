import Foundation

/// Tolerant access to JSON decoded by `JSONSerialization`.
///
/// Public APIs are loose about shapes: BOAMP's `donnees` follows xmltodict conventions (an element seen once is an
/// object, several times a list; text under `#text`, attributes under `@name`), TED returns a string, a list or a
/// language map for the same field, SEDIA wraps every value in a list. These helpers accept all of them.
enum JSONValue {
    /// Object member, ignoring namespace prefixes on keys (`cbc:Name` matches `Name`).
    static func member(_ v: Any?, _ key: String) -> Any? {
        guard let d = v as? [String: Any] else { return nil }
        if let x = d[key] { return x }
        for (k, x) in d where k.hasSuffix(":" + key) { return x }
        return nil
    }

    /// Follows `path` ("ProcurementProject/RequestedTenderTotal/EstimatedOverallContractAmount"), taking the first
    /// element of any list on the way.
    static func at(_ v: Any?, _ path: String) -> Any? {
        var cur: Any? = v
        for part in path.split(separator: "/") {
            if let list = cur as? [Any] { cur = list.first }
            cur = member(cur, String(part))
            if cur == nil { return nil }
        }
        return cur
    }

    /// Every value along `path`, branching through lists.
    static func all(_ v: Any?, _ path: String) -> [Any] {
        var cur: [Any] = v.map { [$0] } ?? []
        for part in path.split(separator: "/") {
            cur = cur.flatMap { x -> [Any] in
                let items = (x as? [Any]) ?? [x]
                return items.compactMap { member($0, String(part)) }.flatMap { ($0 as? [Any]) ?? [$0] }
            }
        }
        return cur
    }

    /// A scalar as text: strings, numbers, xmltodict `{"#text": …}`, or the first element of a list.
    static func string(_ v: Any?) -> String? {
        switch v {
        case let s as String: return s
        case let n as NSNumber: return JSONValue.isBool(n) ? nil : n.stringValue
        case let list as [Any]: return list.lazy.compactMap { string($0) }.first
        case let d as [String: Any]: return d["#text"].flatMap { string($0) }
        default: return nil
        }
    }

    /// Every string in a value: a string, a list of strings, or a map (language → string or list).
    static func strings(_ v: Any?) -> [String] {
        switch v {
        case let s as String: return [s]
        case let n as NSNumber: return JSONValue.isBool(n) ? [] : [n.stringValue]
        case let list as [Any]: return list.flatMap { strings($0) }
        case let d as [String: Any]:
            if let t = d["#text"] { return strings(t) }
            return d.keys.sorted().flatMap { strings(d[$0]) }
        default: return []
        }
    }

    /// A multilingual value as (language, text) pairs: TED maps (`{"fra": "…", "eng": ["…"]}`), xmltodict
    /// elements with `@languageID`, or a plain string (language unknown).
    static func texts(_ v: Any?) -> [(lang: String?, text: String)] {
        switch v {
        case let s as String: return [(nil, s)]
        case let list as [Any]: return list.flatMap { texts($0) }
        case let d as [String: Any]:
            if let t = d["#text"] { return strings(t).map { (d["@languageID"] as? String, $0) } }
            return d.keys.sorted().flatMap { k in strings(d[k]).map { (Optional(k), $0) } }
        default: return []
        }
    }

    /// An attribute of an xmltodict element (`@currencyID`).
    static func attribute(_ v: Any?, _ name: String) -> String? {
        if let list = v as? [Any] { return attribute(list.first, name) }
        return (v as? [String: Any])?["@" + name] as? String
    }

    /// Whether a decoded JSON number was `true`/`false`. On Linux `NSNumber(1) is Bool` succeeds, so the class
    /// JSONSerialization uses for booleans is checked instead.
    static func isBool(_ n: NSNumber) -> Bool {
        String(describing: type(of: n)).contains("Boolean")
    }

    static func bool(_ v: Any?) -> Bool? {
        if let n = v as? NSNumber { return n.boolValue }
        if let s = v as? String { return ["true", "1", "oui", "yes"].contains(s.lowercased()) }
        return nil
    }

    static func int(_ v: Any?) -> Int? {
        if let n = v as? NSNumber, !JSONValue.isBool(n) { return n.intValue }
        if let s = string(v) { return Int(s) }
        return nil
    }

    /// Depth-first search for the first member named `key` (prefix-insensitive).
    static func find(_ v: Any?, _ key: String) -> Any? {
        if let d = v as? [String: Any] {
            if let x = member(d, key) { return x }
            for k in d.keys.sorted() { if let x = find(d[k], key) { return x } }
        } else if let list = v as? [Any] {
            for x in list { if let r = find(x, key) { return r } }
        }
        return nil
    }

    /// Replaces the bare `NaN`, `Infinity` and `-Infinity` tokens that pandas writes (DECP consolidated files)
    /// with `null`, outside strings; nil when there were none. JSONSerialization rejects those tokens.
    static func replacingNonFiniteNumbers(_ b: [UInt8]) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var string = JSONStringScan()
        var replaced = false
        let null = Array("null".utf8)
        var i = 0
        func matches(_ word: String, at i: Int) -> Bool {
            let w = Array(word.utf8)
            guard i + w.count <= b.count, Array(b[i..<(i + w.count)]) == w else { return false }
            let next = i + w.count < b.count ? b[i + w.count] : 0x20
            return !(next >= 0x41 && next <= 0x7A)
        }
        while i < b.count {
            let c = b[i]
            if string.isOpen {
                string.consume(c)
                out.append(c)
                i += 1
                continue
            }
            if c == 0x22 { string.open() }
            if c == UInt8(ascii: "N"), matches("NaN", at: i) {
                out += null
                i += 3
                replaced = true
                continue
            }
            if c == UInt8(ascii: "I"), matches("Infinity", at: i) {
                out += null
                i += 8
                replaced = true
                continue
            }
            if c == UInt8(ascii: "-"), matches("-Infinity", at: i) {
                out += null
                i += 9
                replaced = true
                continue
            }
            out.append(c)
            i += 1
        }
        return replaced ? out : nil
    }
}

/// Where a byte-by-byte scan of JSON stands with respect to strings, so that the scans which must ignore what
/// strings hold (non-finite numbers, the structure of a page cut short) read quotes and backslashes one way.
struct JSONStringScan {
    /// Inside a string (after its opening quote, before its closing one).
    private(set) var isOpen = false
    private var escaped = false

    /// The opening quote was read.
    mutating func open() { isOpen = true }

    /// One byte read inside the string: a backslash escapes the next byte; an unescaped quote closes the string.
    mutating func consume(_ c: UInt8) {
        if escaped {
            escaped = false
        } else if c == 0x5C {
            escaped = true
        } else if c == 0x22 {
            isOpen = false
        }
    }
}
