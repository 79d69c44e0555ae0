import ArgumentParser
import Digest
import Foundation
import Notices

// Values parsed once, when the command line is read: a bad value is refused with the subcommand's usage and a
// message saying what is expected, never discovered halfway through a run.

/// A date on the command line: `2026-06-01` (midnight UTC) or ISO 8601 with a time and zone
/// (`2026-11-24T02:00:00Z`, `2026-11-24T03:00:00+01:00`), read as the parsers read the sources' dates.
extension ZonedDate: ExpressibleByArgument {
    public init?(argument: String) {
        guard let z = ISO8601.parseZoned(argument) else { return nil }
        self = z
    }
}

/// A date for a query, absolute or counted from now as people write it at a prompt: an ISO date
/// (`2026-06-01`, `2026-11-24T02:00:00Z`), `today` (`aujourd'hui`: now), `7d` or `-7d` (`7j`: seven days ago),
/// `+30d` (thirty days ahead). Read once; the instant is taken when the query runs.
public enum QueryDateArgument: ExpressibleByArgument, Sendable, Hashable {
    case at(ZonedDate)
    /// Days from now: negative in the past.
    case days(Int)

    public init?(argument: String) {
        let t = argument.lowercased()
        if t == "today" || t == "aujourd'hui" || t == "aujourd’hui" {
            self = .days(0)
            return
        }
        if let last = t.last, last == "d" || last == "j" {
            var digits = t.dropLast()
            let ahead = digits.first == "+"
            if ahead || digits.first == "-" { digits = digits.dropFirst() }
            // A few digits only: `99999d` is a typo, not a date.
            guard (1...4).contains(digits.count), digits.allSatisfy({ $0 >= "0" && $0 <= "9" }),
                let n = Int(digits)
            else { return nil }
            self = .days(ahead ? n : -n)
            return
        }
        guard let z = ZonedDate(argument: argument) else { return nil }
        self = .at(z)
    }

    /// The instant, with `now` for the relative forms.
    public func instant(now: Date) -> Date {
        switch self {
        case .at(let z): return z.instant
        case .days(let n): return now.addingTimeInterval(Double(n) * 86_400)
        }
    }
}

/// An amount in euros as people write it: `100000`, `100k`, `2.5M`, `2,5 M€`, `1 200 000` (the reader rules use).
public struct AmountArgument: ExpressibleByArgument, Sendable, Hashable {
    public let euros: Double

    public init?(argument: String) {
        guard let v = EuroAmount.parse(argument) else { return nil }
        euros = v
    }

    public init(euros: Double) { self.euros = euros }
}

/// A French département code: `42`, `01` (or `1`), `2A`/`2a`, `974`. Checked against the table of départements,
/// so a code that matches nothing is refused instead of silently finding nothing.
public struct DepartementArgument: ExpressibleByArgument, Sendable, Hashable {
    public let code: String

    public init?(argument: String) {
        guard let c = Departements.canonicalCode(argument) else { return nil }
        code = c
    }

    public init(code: String) { self.code = code }

    // Not `allValueStrings`: ArgumentParser would print all 101 codes in the help and in the error for a bad code.
    // The shells still complete them.
    public static var defaultCompletionKind: CompletionKind { .list(Departements.all.map(\.code)) }
}

extension NoticeKind: ExpressibleByArgument {}

extension DigestFormat: ExpressibleByArgument {}

/// Digest formats, comma-separated: `md,html,json,ics,atom,csv`.
public struct FormatList: ExpressibleByArgument, Sendable, Hashable {
    public let formats: [DigestFormat]

    public init?(argument: String) {
        // Refused, not dropped: ArgumentParser turns nil into the usage with the list of formats.
        guard let f = try? DigestFormat.parseList(argument), !f.isEmpty else { return nil }
        formats = f
    }

    public init(_ formats: [DigestFormat]) { self.formats = formats }

    public static let all = FormatList(DigestFormat.allCases)
    public var defaultValueDescription: String { formats.map(\.rawValue).joined(separator: ",") }
    public static var allValueStrings: [String] { DigestFormat.allCases.map(\.rawValue) }
}
