import Foundation

/// Decoding helpers for JSON APIs whose producers disagree on scalar types: an id is a number on one page and a
/// string on the next, a list of names is sometimes a bare string, a placeholder replaces a value.

/// A coding key built from any string or index, for objects whose keys are data (flat DECP records).
struct AnyCodingKey: CodingKey, Hashable {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init(intValue: Int) {
        stringValue = String(intValue)
        self.intValue = intValue
    }
}

/// A scalar read as text whatever its JSON type: `"42"`, `42`, `42.5`, `true`. Null decodes as nil in the
/// optional that holds it; objects and arrays are an error.
struct LenientString: Decodable, Sendable, Hashable {
    var value: String

    init(_ value: String) { self.value = value }

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let s = try? c.decode(String.self) {
            value = s
        } else if let i = try? c.decode(Int64.self) {
            value = String(i)
        } else if let d = try? c.decode(Double.self) {
            // A JSON number that is not an integer: keep the shortest text that reads back to it.
            value = d.rounded() == d && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        } else if let b = try? c.decode(Bool.self) {
            value = b ? "true" : "false"
        } else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "expected a scalar")
        }
    }
}

/// A list of strings that producers also write as one bare string (the Drôme API's `"financers": "Conseil
/// Départemental de la Drôme"`) or as a list with nulls.
struct LenientStringList: Decodable, Sendable, Hashable {
    var values: [String]

    init(_ values: [String]) { self.values = values }

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            values = []
        } else if let list = try? c.decode([LenientString?].self) {
            values = list.compactMap { $0?.value }
        } else {
            values = [try c.decode(LenientString.self).value]
        }
    }
}

/// A JSON number or a numeric string ("57988.0", "120 000,50"), as a `Decimal` read from its text so that no
/// binary rounding creeps into amounts.
struct LenientDecimal: Decodable, Sendable, Hashable {
    var value: Decimal

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let text = try c.decode(LenientString.self).value
        guard let d = FormatSupport.decimal(text) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "not a number: \(text)")
        }
        value = d
    }
}

/// One element of a page, decoded on its own so that a malformed record becomes an issue and the rest of the
/// page still parses.
struct Failable<Element: Decodable>: Decodable {
    var result: Result<Element, any Error>
    /// The record's id when it failed but its id is still readable (`JSONPageSupport.recordID`).
    var id: String?

    init(from decoder: any Decoder) throws {
        do {
            result = .success(try Element(from: decoder))
        } catch {
            result = .failure(error)
            id = JSONPageSupport.recordID(decoder)
        }
    }
}

enum LenientJSON {
    /// The bytes of a JSON document as `Data` for `JSONDecoder`, without a UTF-8 byte-order mark (files saved
    /// by spreadsheet tools and Windows editors start with one).
    static func data(_ bytes: [UInt8]) -> Data {
        bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Data(bytes.dropFirst(3)) : Data(bytes)
    }
}
