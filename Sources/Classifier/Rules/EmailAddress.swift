import Foundation
import Notices

/// An e-mail address as rule files write it: `Nom <a@b.fr>` or a bare `a@b.fr`.
///
/// The syntax is deliberately narrower than RFC 5322: what a cluster's staff types in a rule file must go into a
/// mail header unchanged (headers are 7-bit; a display name may hold any Unicode, which the mail stage encodes
/// per RFC 2047), and a typo must be caught by `vigie rules lint`, not by the SMTP server at night.
public struct EmailAddress: Sendable, Hashable, CustomStringConvertible {
    /// Display name (`Pôle Méca Loire — veille`), without quotes; nil for a bare address.
    public var name: String?
    /// `local@domain`, ASCII.
    public var address: String

    /// Why a text is not an e-mail address.
    public struct SyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
        public var reason: String
        public var description: String { reason }
    }

    /// Reads `Nom <a@b.fr>`, `"Nom, Service" <a@b.fr>` or `a@b.fr`.
    public init(parsing text: String) throws(SyntaxError) {
        func fail(_ reason: String) -> SyntaxError { SyntaxError(reason: reason) }
        if text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw fail("holds a line break or a control character")
        }
        let trimmed = text.trimmingWhitespace()
        if trimmed.isEmpty { throw fail("empty address") }
        var name: String?
        var address = trimmed
        if trimmed.contains("<") || trimmed.contains(">") {
            guard trimmed.hasSuffix(">"), let open = trimmed.firstIndex(of: "<"),
                trimmed.filter({ $0 == "<" }).count == 1, trimmed.filter({ $0 == ">" }).count == 1
            else { throw fail("expected `Nom <adresse@domaine.fr>`: one `<…>` at the end") }
            address = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
            let written = String(trimmed[..<open]).trimmingWhitespace()
            if written.isEmpty {
                name = nil
            } else if written.hasPrefix("\"") {
                let inner = written.dropFirst()
                guard inner.hasSuffix("\""), inner.count >= 1 else { throw fail("unclosed quote in the name") }
                let body = inner.dropLast()
                if body.contains("\"") || body.contains("\\") {
                    throw fail("a quoted name may not hold `\"` or `\\`")
                }
                name = String(body)
            } else {
                // Unquoted, these separate addresses (`,` `;`) or start a group (`:`) in a header.
                if let bad = written.first(where: { ",;:@\"".contains($0) }) {
                    throw fail("`\(bad)` in a name: put the name in double quotes (\"Nom\(bad) Service\" <a@b.fr>)")
                }
                name = written
            }
        }
        try EmailAddress.checkAddress(address)
        self.name = name
        self.address = address
    }

    /// The address if `text` is one, else nil.
    public init?(_ text: String) {
        do { self = try EmailAddress(parsing: text) } catch { return nil }
    }

    /// `Nom <a@b.fr>` or `a@b.fr`.
    public var description: String { name.map { "\($0) <\(address)>" } ?? address }

    /// Whether a text is meant as an address (it has `@`, `<` or `>`), rather than a person's or service's name.
    public static func looksLikeAddress(_ text: String) -> Bool {
        text.contains("@") || text.contains("<") || text.contains(">")
    }

    /// `local@domain`: ASCII, no spaces, exactly one `@`, a domain of at least two labels ending with letters.
    static func checkAddress(_ a: String) throws(SyntaxError) {
        func fail(_ reason: String) -> SyntaxError { SyntaxError(reason: reason) }
        if a.contains(" ") { throw fail("spaces in the address '\(a)'") }
        if !a.unicodeScalars.allSatisfy(\.isASCII) {
            throw fail("non-ASCII letters in the address '\(a)' (write the domain in its xn-- form)")
        }
        let parts = a.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw fail(parts.count == 1 ? "no `@` in '\(a)'" : "more than one `@` in '\(a)'")
        }
        let (local, domain) = (parts[0], parts[1])
        if local.isEmpty { throw fail("nothing before `@` in '\(a)'") }
        if let bad = local.first(where: { "()<>[]\\,;:\"".contains($0) }) {
            throw fail("`\(bad)` before `@` in '\(a)'")
        }
        if local.hasPrefix(".") || local.hasSuffix(".") || local.contains("..") {
            throw fail("misplaced `.` before `@` in '\(a)'")
        }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { throw fail("the domain '\(domain)' has no dot (expected e.g. example.org)") }
        for label in labels {
            let ok =
                !label.isEmpty && label.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" }
            if !ok { throw fail("bad domain '\(domain)'") }
        }
        if let last = labels.last, last.count < 2 || !last.allSatisfy(\.isLetter) {
            throw fail("bad domain '\(domain)': it must end with a name such as .fr or .org")
        }
    }
}
