import Foundation

/// An optional CPV code list loaded at run time (a CSV whose first column is the code, such as
/// `cpv2008_en_fr.csv`): with it ``RulesLinter`` also checks that each code or prefix exists and that a
/// prefix does not span unrelated products.
public struct CPVVocabulary: Sendable, Hashable {
    /// Full codes' 8 digits.
    public var codes: Set<String>
    /// Check digit of each code (8 digits → digit).
    public var checkDigits: [String: Character] = [:]
    /// Every 2–8 digit prefix of a known code.
    public var prefixes: Set<String>

    public init(codes: Set<String>) {
        self.codes = codes
        var p = Set<String>()
        for c in codes {
            for l in 2...min(8, c.count) { p.insert(String(c.prefix(l))) }
        }
        prefixes = p
    }

    /// Reads a CSV whose first column holds codes (`03000000-1`); a header line is skipped.
    public static func load(csvPath: String) throws -> CPVVocabulary {
        guard let data = FileManager.default.contents(atPath: csvPath) else {
            throw ClassifierError.unreadable(path: csvPath, reason: "no such file or not readable")
        }
        var codes = Set<String>()
        var checks: [String: Character] = [:]
        for line in String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline) {
            let first = line.prefix { $0 != "," }
            let digits = first.prefix { $0 != "-" }
            if digits.count == 8, digits.allSatisfy(\.isNumber) {
                codes.insert(String(digits))
                if first.count == 10, let c = first.last, c.isNumber { checks[String(digits)] = c }
            }
        }
        guard !codes.isEmpty else {
            throw ClassifierError.unreadable(path: csvPath, reason: "no CPV code (NNNNNNNN-N) in the first column")
        }
        var v = CPVVocabulary(codes: codes)
        v.checkDigits = checks
        return v
    }
}
