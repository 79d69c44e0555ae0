import Foundation
import TestSupport

@testable import Notices
@testable import Parser

/// Expected field values of the real TED Search API captures in `../shared/samples/real/ted/`, read from the raw
/// files (each literal names the raw key it comes from).
enum TEDRealCaptures {
    static let dir = "samples/real/ted"

    /// What one notice of a capture should give, field by field, in `Canonical` form.
    struct Row {
        var notice: String
        var title: String
        var buyer: String
        var buyerID: String
        var deadline: String
        var deadlineKind: String
        var value: String
        var cpv: String
        var place: String
        var lots: String
        var winners: String
        var kind: String

        /// One check per field: the expected literal against what the adapter gave for this notice.
        func checks(capture: String, in notices: [Notice]) -> [FieldCheck] {
            let n = notices.first { $0.sourceID == notice }
            func check(_ field: FieldCheck.Field, _ expected: String, _ actual: (Notice) -> String) -> FieldCheck {
                FieldCheck(
                    capture: capture, notice: notice, field: field, expected: expected,
                    actual: n.map(actual) ?? "(notice missing)")
            }
            return [
                check(.title, title) { $0.title },
                check(.buyer, buyer) { $0.buyer?.name ?? "-" },
                check(.buyerID, buyerID) { $0.buyer?.id ?? "-" },
                check(.deadline, deadline) { Canonical.instant($0.deadline) },
                check(.deadlineKind, deadlineKind) { $0.deadline == nil ? "-" : $0.deadlineKind.rawValue },
                check(.value, value) { Canonical.money($0.value) },
                check(.cpv, cpv) { Canonical.list($0.cpv) },
                check(.place, place) { Canonical.departements($0.places + $0.lots.flatMap(\.places)) },
                check(.lots, lots) { Canonical.lots($0.lots) },
                check(.winners, winners) { Canonical.winners($0.awardees) },
                check(.kind, kind) { $0.kind.rawValue },
            ]
        }
    }

    /// TED notice 619675-2026 (EXPERTISE FRANCE, open procedure, work in Angola).
    static let expertiseFrance = Row(
        notice: "619675-2026",  // "publication-number"
        // "title-proc".fra: the buyer's own title (notice-title adds "France – <CPV label> – " before it).
        title: "INTEGRATED DIAGNOSTIC AND STRATEGIC ROADMAP FOR SOLID WASTE MANAGEMENT AND CIRCULAR ECONOMY IN "
            + "LUANDA PROVINCE",
        buyer: "EXPERTISE FRANCE",  // "buyer-name".fra[0]
        buyerID: "-",  // no buyer identifier field in the capture
        // "deadline-receipt-tender-date-lot" "2026-10-19+02:00" + "deadline-receipt-tender-time-lot" "14:00:00+02:00"
        deadline: "2026-10-19T12:00:00Z",
        deadlineKind: "tender",  // a tender deadline exists ("deadline-receipt-tender-date-lot")
        value: "-",  // no estimated-value-* field
        // "main-classification-proc" 90713000, then "additional-classification-proc" 90500000, 71313000
        // ("classification-cpv" repeats the same three per lot).
        cpv: "90713000,90500000,71313000",
        place: "-",  // "place-of-performance" ["AGO", "AGO"]: Angola, no French département
        lots: "LOT-0001:-:-",  // "title-lot".fra has one entry; no lot CPV or value field
        winners: "-",  // no winner-* field (a contract notice)
        kind: "tender")  // "notice-type" "cn-standard"

    /// TED notice 612558-2026 (Stadtwerke Essen, restricted procedure: only a request-to-participate deadline).
    static let stadtwerkeEssen = Row(
        notice: "612558-2026",  // "publication-number"
        title: "Stadtwerke Essen AG: EU-weites Vergabeverfahren \"Projektsteuerung\" (Los 5)",  // "title-proc".deu
        buyer: "Stadtwerke Essen AG",  // "buyer-name".deu[0]
        buyerID: "-",  // no buyer identifier field
        // "deadline-receipt-request-date-lot" "2026-10-05+02:00" + "deadline-receipt-request-time-lot"
        // "12:00:00+02:00" (no deadline-receipt-tender-* at all).
        deadline: "2026-10-05T10:00:00Z",
        deadlineKind: "request_to_participate",
        value: "-",  // no estimated-value-* field
        // "main-classification-proc" 71541000, then "additional-classification-proc" without the repeated 71541000.
        cpv: "71541000,71530000,71000000,71244000,71248000,71247000,71300000",
        place: "-",  // "place-of-performance" ["DEA13", "DEU", …]: Essen, no French département
        lots: "LOT-0001:-:-",  // "title-lot".deu has one entry; no lot CPV or value field
        winners: "-",
        kind: "tender")  // "notice-type" "cn-standard"

    static func checks() throws -> [FieldCheck] {
        let captures: [(file: String, rows: [Row])] = [
            ("ted-619675-2026-FRA-buyer.json", [expertiseFrance]),
            ("DERIVED-wrapped-vswatchdog-612558-2026.json", [stadtwerkeEssen]),
            // The verbatim capture is one bare notice object, not a page: it must read the same.
            ("vswatchdog-ted-v3-notice-612558-2026-DEU-request-deadline-only.json", [stadtwerkeEssen]),
        ]
        var out: [FieldCheck] = []
        for (file, rows) in captures {
            let notices = try parse(file)
            for row in rows { out += row.checks(capture: "ted/" + file, in: notices) }
        }
        return out
    }

    static func parse(_ file: String) throws -> [Notice] {
        let doc = try FormatRegistry.parseJSON(
            try SharedData.bytes("\(dir)/\(file)"), options: ParseOptions(sourceID: "ted", documentName: file))
        return doc?.notices ?? []
    }
}
