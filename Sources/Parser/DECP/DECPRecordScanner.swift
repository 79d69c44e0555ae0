import Foundation

/// Finds the records of a DECP JSON file without parsing the file into one tree: walks the bytes down to the
/// record array (`DECPDocument.recordPaths`) and hands over each element's bytes, which the caller decodes
/// alone. Memory beyond the input stays that of one record, whatever the size of the national file (~500 MB).
struct DECPRecordScanner {
    let bytes: [UInt8]
    let paths: Set<[String]>

    /// What the walk found: the key path of the record array, or nil when the document has none.
    private(set) var foundPath: [String]?

    init(bytes: [UInt8], paths: Set<[String]> = DECPDocument.recordPaths) {
        self.bytes = bytes
        self.paths = paths
    }

    enum ScanError: Error, CustomStringConvertible {
        case unexpected(offset: Int, what: String)
        var description: String {
            switch self {
            case .unexpected(let offset, let what): return "decp: byte \(offset): \(what)"
            }
        }
    }

    /// Calls `body` with the byte range of each element of the first record array found, in order; `body`
    /// returns false to stop. Returns the path of the array, nil when there was none.
    @discardableResult
    mutating func forEachRecord(_ body: (Range<Int>) throws -> Bool) throws -> [String]? {
        var i = 0
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        skipSpace(&i)
        guard i < bytes.count, bytes[i] == UInt8(ascii: "{") else { return nil }
        var stop = false
        try object(at: &i, path: [], body: body, stop: &stop)
        return foundPath
    }

    private mutating func object(
        at i: inout Int, path: [String], body: (Range<Int>) throws -> Bool, stop: inout Bool
    ) throws {
        i += 1  // {
        while true {
            skipSpace(&i)
            guard i < bytes.count else { throw ScanError.unexpected(offset: i, what: "end inside an object") }
            if bytes[i] == UInt8(ascii: "}") {
                i += 1
                return
            }
            if bytes[i] == UInt8(ascii: ",") {
                i += 1
                continue
            }
            guard bytes[i] == UInt8(ascii: "\"") else {
                throw ScanError.unexpected(offset: i, what: "expected a key")
            }
            let keyStart = i + 1
            try skipString(&i)
            let key = String(decoding: bytes[keyStart..<(i - 1)], as: UTF8.self)
            skipSpace(&i)
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else {
                throw ScanError.unexpected(offset: i, what: "expected ':'")
            }
            i += 1
            skipSpace(&i)
            guard i < bytes.count else { throw ScanError.unexpected(offset: i, what: "end before a value") }
            let childPath = path + [key]
            if foundPath == nil, paths.contains(childPath), bytes[i] == UInt8(ascii: "[") {
                foundPath = childPath
                try elements(at: &i, body: body, stop: &stop)
                if stop { return }
            } else if foundPath == nil, bytes[i] == UInt8(ascii: "{"),
                paths.contains(where: { $0.count > childPath.count && Array($0.prefix(childPath.count)) == childPath })
            {
                try object(at: &i, path: childPath, body: body, stop: &stop)
                if stop { return }
            } else {
                try skipValue(&i)
            }
        }
    }

    private func elements(at i: inout Int, body: (Range<Int>) throws -> Bool, stop: inout Bool) throws {
        i += 1  // [
        while true {
            skipSpace(&i)
            guard i < bytes.count else { throw ScanError.unexpected(offset: i, what: "end inside the record list") }
            switch bytes[i] {
            case UInt8(ascii: "]"):
                i += 1
                return
            case UInt8(ascii: ","):
                i += 1
            default:
                let start = i
                try skipValue(&i)
                // A truncated or mangled file (`[{…}, }`) must not loop on an empty record.
                guard i > start else { throw ScanError.unexpected(offset: i, what: "expected a record") }
                if try !body(start..<i) {
                    stop = true
                    return
                }
            }
        }
    }

    private func skipSpace(_ i: inout Int) {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 {
            i += 1
        }
    }

    /// `i` at an opening quote → just past the closing one.
    private func skipString(_ i: inout Int) throws {
        i += 1
        while i < bytes.count {
            switch bytes[i] {
            case UInt8(ascii: "\\"): i += 2
            case UInt8(ascii: "\""):
                i += 1
                return
            default: i += 1
            }
        }
        throw ScanError.unexpected(offset: i, what: "unterminated string")
    }

    /// `i` at the first byte of any value → just past it (objects and arrays by depth, strings by quotes).
    private func skipValue(_ i: inout Int) throws {
        guard i < bytes.count else { throw ScanError.unexpected(offset: i, what: "end before a value") }
        switch bytes[i] {
        case UInt8(ascii: "\""):
            try skipString(&i)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            while i < bytes.count {
                switch bytes[i] {
                case UInt8(ascii: "\""):
                    try skipString(&i)
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 {
                        i += 1
                        return
                    }
                default: break
                }
                i += 1
            }
            throw ScanError.unexpected(offset: i, what: "unterminated object or array")
        default:
            // Number, true, false, null, or a bare NaN from pandas-written files.
            while i < bytes.count {
                let b = bytes[i]
                if b == UInt8(ascii: ",") || b == UInt8(ascii: "}") || b == UInt8(ascii: "]") || b == 0x20
                    || b == 0x0A || b == 0x0D || b == 0x09
                {
                    return
                }
                i += 1
            }
        }
    }
}
