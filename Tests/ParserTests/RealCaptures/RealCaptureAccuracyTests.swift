import Foundation
import TestSupport
import Testing

@testable import Notices
@testable import Parser

/// One field of one notice of a real capture in `../shared/samples/real/`: the value the raw file holds (read by a
/// person from the raw bytes, written down in the format's `…RealCaptures` table), and what the adapter gave.
struct FieldCheck: Sendable, CustomStringConvertible {
    /// The fields the issue counts: title, buyer, deadline instant, value, CPV, place of work, lots, winners.
    enum Field: String, Sendable, CaseIterable {
        case title, buyer, buyerID = "buyer-id", deadline, deadlineKind = "deadline-kind", value, cpv, place, lots
        case winners, kind
    }

    var capture: String
    var notice: String
    var field: Field
    var expected: String
    var actual: String

    var isRight: Bool { expected == actual }
    var description: String { "\(capture) \(notice) \(field.rawValue): expected «\(expected)», got «\(actual)»" }
}

/// Helpers that turn a parsed notice's field into the canonical string the tables write.
enum Canonical {
    static func instant(_ z: ZonedDate?) -> String { z.map { ISO8601.format($0.instant) } ?? "-" }
    static func money(_ m: Money?) -> String {
        guard let m else { return "-" }
        let figure =
            m.amount.map { "\($0)" } ?? [m.min, m.max].map { $0.map { "\($0)" } ?? "?" }.joined(separator: "..")
        return "\(figure) \(m.kind.rawValue)"
    }
    static func list(_ xs: [String]) -> String { xs.isEmpty ? "-" : xs.joined(separator: ",") }
    static func departements(_ places: [Place]) -> String {
        list(Array(Set(places.compactMap(\.departement))).sorted())
    }
    /// Lots as `id:cpv…:value` joined by `;` (the parts that decide routing per lot).
    static func lots(_ lots: [Lot]) -> String {
        lots.isEmpty ? "-" : lots.map { "\($0.id):\(list($0.cpv)):\(money($0.value))" }.joined(separator: ";")
    }
    static func winners(_ bs: [Buyer]) -> String { list(bs.map { $0.id ?? $0.name ?? "?" }) }
}

/// Field-level accuracy of every adapter on the real captures, printed as one figure (issue: ≥ 98 %).
///
/// Each format keeps its table of expected values in its own file (`BOAMPRealCaptures`, `TEDRealCaptures`,
/// `EFormsRealCaptures`, `AidesTerritoiresRealCaptures`, `DECPRealCaptures`); this test adds them up. EU Funding &
/// Tenders has no table: `samples/real/` holds no response of its search API, so its adapter is tested on its
/// fixture and the documented shapes (`EUFundingTests`).
@Suite struct RealCaptureAccuracyTests {
    static func allChecks() throws -> [FieldCheck] {
        try BOAMPRealCaptures.checks() + TEDRealCaptures.checks() + EFormsRealCaptures.checks()
            + AidesTerritoiresRealCaptures.checks() + DECPRealCaptures.checks()
    }

    @Test(.requiresShared) func fieldLevelAccuracyOnRealCapturesIsAtLeast98Percent() throws {
        try SharedData.url("samples/real")
        let checks = try Self.allChecks()
        let right = checks.filter(\.isRight).count
        let ratio = checks.isEmpty ? 0 : Double(right) / Double(checks.count)
        print(String(format: "real-capture field accuracy: %d/%d = %.1f %%", right, checks.count, ratio * 100))
        for field in FieldCheck.Field.allCases {
            let f = checks.filter { $0.field == field }
            if !f.isEmpty { print("  \(field.rawValue): \(f.filter(\.isRight).count)/\(f.count)") }
        }
        for miss in checks where !miss.isRight { print("  miss: \(miss)") }
        #expect(checks.count >= 100, "the tables cover too few fields to measure anything")
        #expect(ratio >= 0.98, "field-level accuracy \(ratio) < 0.98")
    }
}
