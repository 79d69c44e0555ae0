/// One mailbox: an address spec (`a@b.fr`, ASCII) and an optional display name (any Unicode).
public struct MailAddress: Sendable, Hashable, Codable {
    /// The address spec, without angle brackets: `veille@example.org`.
    public var address: String
    /// The display name shown by mail clients ("Pôle Méca Loire"), nil for a bare address.
    public var name: String?

    /// An address as given (not checked: `parse` and `MIMEWriter.validate` check).
    public init(_ address: String, name: String? = nil) {
        self.address = address
        self.name = name
    }

    /// "Nom Prénom <a@b.fr>" (the name may be in double quotes) or "a@b.fr"; throws
    /// `MailError.invalidAddress` for anything else: a line break or control character, not exactly one "@",
    /// a non-ASCII or special character in the address, a domain without a dot (other than "localhost").
    public static func parse(_ text: String) throws -> MailAddress {
        if text.unicodeScalars.contains(where: isControl) {
            throw MailError.invalidAddress(text, reason: "contains a line break or a control character")
        }
        let trimmed = text.trimmingSpaces()
        guard !trimmed.isEmpty else { throw MailError.invalidAddress(text, reason: "empty") }
        if trimmed.hasSuffix(">") {
            guard let open = trimmed.lastIndex(of: "<") else {
                throw MailError.invalidAddress(text, reason: "a \">\" without \"<\"")
            }
            let spec = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
                .trimmingSpaces()
            try checkSpec(spec, in: text)
            var name = String(trimmed[..<open]).trimmingSpaces()
            if name.count >= 2, name.hasPrefix("\""), name.hasSuffix("\"") {
                // A quoted display name ("Dupont, Jean"): drop the quotes and the backslash escapes inside.
                var unquoted = ""
                var escaped = false
                for character in name.dropFirst().dropLast() {
                    if !escaped && character == "\\" { escaped = true; continue }
                    escaped = false
                    unquoted.append(character)
                }
                name = unquoted
            }
            if name.contains("<") || name.contains(">") {
                throw MailError.invalidAddress(text, reason: "more than one address")
            }
            return MailAddress(spec, name: name.isEmpty ? nil : name)
        }
        try checkSpec(trimmed, in: text)
        return MailAddress(trimmed)
    }

    /// Throws unless `address` is a plain ASCII address spec (dot-atom local part, host name domain).
    public func validate() throws {
        try Self.checkSpec(address, in: address)
        if let name, name.unicodeScalars.contains(where: isControl) {
            throw MailError.invalidAddress(
                name, reason: "the display name contains a line break or a control character")
        }
    }

    static func checkSpec(_ spec: String, in text: String) throws {
        func fail(_ reason: String) -> MailError { MailError.invalidAddress(text, reason: reason) }
        guard spec.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && $0.value < 0x7F }) else {
            throw fail("the address must be ASCII without spaces (internationalised addresses are not supported)")
        }
        let parts = spec.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw fail("expected exactly one \"@\"") }
        let local = parts[0], domain = parts[1]
        guard !local.isEmpty, local.count <= 64 else { throw fail("the part before \"@\" is empty or too long") }
        let localWords = local.split(separator: ".", omittingEmptySubsequences: false)
        guard localWords.allSatisfy({ !$0.isEmpty && $0.unicodeScalars.allSatisfy(isAtext) }) else {
            throw fail("the part before \"@\" has a character not allowed in an address")
        }
        guard !domain.isEmpty, domain.count <= 253 else { throw fail("the domain is empty or too long") }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        let isLabel: (Substring) -> Bool = { label in
            !label.isEmpty && label.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.unicodeScalars.allSatisfy { isLetterOrDigit($0) || $0 == "-" }
        }
        guard labels.allSatisfy(isLabel) else { throw fail("the domain is not a host name") }
        guard labels.count >= 2 || domain.lowercased() == "localhost" else {
            throw fail("the domain has no dot")
        }
    }
}

/// RFC 5322 atext: the characters of an unquoted local part, besides the dots between words.
func isAtext(_ scalar: Unicode.Scalar) -> Bool {
    isLetterOrDigit(scalar) || "!#$%&'*+-/=?^_`{|}~".unicodeScalars.contains(scalar)
}

func isLetterOrDigit(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
    default: return false
    }
}

/// C0 controls (CR, LF, TAB included) and DEL: never allowed in a header value.
func isControl(_ scalar: Unicode.Scalar) -> Bool {
    scalar.value < 0x20 || scalar.value == 0x7F
}

extension String {
    func trimmingSpaces() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " { scalars = scalars.dropFirst() }
        while let last = scalars.last, last == " " { scalars = scalars.dropLast() }
        return String(scalars)
    }
}
