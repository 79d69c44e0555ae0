import Foundation

/// One finding of ``RulebookLoader`` (the file could not be read as written) or of ``RulesLinter`` (it reads, but
/// something is wrong or suspicious), located at the offending key or value.
public struct LintDiagnostic: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable, Codable { case error, warning }
    public var severity: Severity
    public var file: String
    public var line: Int
    public var column: Int
    /// Dotted path of the key (`segments[2].keywords[0]`).
    public var key: String?
    public var message: String

    public init(severity: Severity, file: String, line: Int, column: Int, key: String?, message: String) {
        self.severity = severity
        self.file = file
        self.line = line
        self.column = column
        self.key = key
        self.message = message
    }

    /// The error thrown by ``Rulebook/load(directory:vocabulary:)`` and ``RulebookLoader/load(directory:)``.
    public var error: ClassifierError {
        .invalidRule(file: file, line: line, column: column, key: key, message: message)
    }

    /// `file:line:column: error: key: message`, the format editors jump to.
    public var description: String {
        "\(file):\(line):\(column): \(severity.rawValue): " + (key.map { "\($0): " } ?? "") + message
    }

    /// Diagnostics in editor order: file by file (in the order given), then by position; diagnostics at the same
    /// position keep the order they were found in (the loader's before the linter's).
    static func editorOrder(_ diagnostics: [LintDiagnostic], files: [String]) -> [LintDiagnostic] {
        let fileOrder = Dictionary(files.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        return diagnostics.enumerated().sorted { x, y in
            let (a, b) = (x.element, y.element)
            let fa = fileOrder[a.file] ?? Int.max, fb = fileOrder[b.file] ?? Int.max
            if fa != fb { return fa < fb }
            if a.line != b.line { return a.line < b.line }
            if a.column != b.column { return a.column < b.column }
            return x.offset < y.offset
        }.map(\.element)
    }

    /// The candidate within two edits of `word`, for "did you mean" hints.
    static func closest(_ word: String, in candidates: [String]) -> String? {
        func distance(_ a: [Character], _ b: [Character]) -> Int {
            var prev = Array(0...b.count)
            for i in 1...max(1, a.count) where !a.isEmpty {
                var cur = [i] + [Int](repeating: 0, count: b.count)
                for j in 1...max(1, b.count) where !b.isEmpty {
                    cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                }
                prev = cur
            }
            return a.isEmpty ? b.count : prev[b.count]
        }
        let w = Array(word.lowercased())
        let scored = candidates.map { ($0, distance(w, Array($0))) }.filter { $0.1 <= 2 }
        return scored.min { $0.1 < $1.1 }?.0
    }
}
