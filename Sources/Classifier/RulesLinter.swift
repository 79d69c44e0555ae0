import Foundation
import Yams

/// An optional CPV code list loaded at run time (`code,…` CSV such as `cpv2008_en_fr.csv`).
public struct CPVVocabulary: Sendable, Hashable {
    public var codes: Set<String>
    public init(codes: Set<String>) { self.codes = codes }
}

/// One lint finding.
public struct LintDiagnostic: Sendable, Hashable, Codable {
    public enum Severity: String, Sendable, Hashable, Codable { case error, warning }
    public var severity: Severity
    public var file: String
    public var line: Int
    public var column: Int
    public var key: String?
    public var message: String
    public var error: ClassifierError {
        .invalidRule(file: file, line: line, column: column, key: key, message: message)
    }
}

/// What `vigie rules lint` found.
public struct LintReport: Sendable {
    public var diagnostics: [LintDiagnostic] = []
    public var rulebook: Rulebook?
    public var errors: [LintDiagnostic] { diagnostics.filter { $0.severity == .error } }
    public var warnings: [LintDiagnostic] { diagnostics.filter { $0.severity == .warning } }
}

/// Checks rule files and builds the rulebook.
public struct RulesLinter: Sendable {
    public var vocabulary: CPVVocabulary?
    public init(vocabulary: CPVVocabulary? = nil) { self.vocabulary = vocabulary }
    public func lint(directory: String) throws -> LintReport { LintReport() }
}
