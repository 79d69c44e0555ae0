import Foundation
import TestSupport
import Testing

@testable import Parser

/// The search request in `Feeds/ted-search-api.yaml` names the fields the adapter needs: a field that is not
/// requested never comes back (before it was requested, every deadline came out at 23:59 for want of
/// `deadline-receipt-tender-time-lot`).
@Suite struct TEDSearchRequestTests {
    static let needed = [
        "publication-number", "notice-type", "notice-title", "title-proc", "official-language", "buyer-name",
        "buyer-country", "deadline-receipt-tender-date-lot", "deadline-receipt-tender-time-lot",
        "deadline-receipt-request-date-lot", "deadline-receipt-request-time-lot", "title-lot", "description-lot",
        "main-classification-proc", "additional-classification-proc", "classification-cpv",
        "estimated-value-proc", "estimated-value-cur-proc",
        "place-of-performance", "document-url-lot", "winner-name", "winner-identifier", "links",
    ]
    // Read when present but not requested: `main-classification-lot`, `estimated-value-lot`,
    // `estimated-value-cur-lot` and `total-value` appear in no real capture, and one unknown name makes TED refuse
    // the whole request (HTTP 400) — a night without TED is worse than lots without their own CPV.

    @Test(arguments: needed)
    func catalogueRequestsTheField(_ field: String) throws {
        let url = SharedData.packageRoot.appendingPathComponent("Feeds/ted-search-api.yaml")
        let text = try String(contentsOf: url, encoding: .utf8)
        #expect(text.contains("\"\(field)\"") || text.contains("- \(field)\n"), "\(field) is not requested")
    }

    /// Each of those names is a field the search document decodes.
    @Test func everyNeededFieldIsDecoded() {
        let decoded = Set(TEDSearchDocument.Notice.CodingKeys.allCases.map(\.rawValue))
        #expect(Set(Self.needed).subtracting(decoded).isEmpty)
    }
}
