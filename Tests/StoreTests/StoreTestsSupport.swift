import Foundation
import Notices

@testable import Store

/// A fresh database file per test, removed (with its WAL side files) when the value goes away.
final class TempStore {
    let path: String
    init() {
        path =
            FileManager.default.temporaryDirectory
            .appendingPathComponent("vigie-store-\(UUID().uuidString).sqlite").path
    }
    func open() throws -> NoticeStore { try NoticeStore(path: path) }
    deinit {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
}

func date(_ s: String) -> Date { ISO8601.parseZoned(s)!.instant }
func zoned(_ s: String) -> ZonedDate { ISO8601.parseZoned(s)! }

func tender(
    _ source: String, _ id: String, title: String = "Usinage de pièces mécaniques",
    deadline: String? = "2026-06-08T12:00:00+02:00", refs: CrossReferences = CrossReferences(),
    cpv: [String] = ["42600000"], departement: String? = "42", value: Decimal? = 246_000,
    summary: String? = nil, published: String = "2026-05-04T00:00:00Z"
) -> Notice {
    Notice(
        source: source, sourceID: id, title: title, summary: summary, url: "https://example.org/\(id)",
        language: "fr", buyer: Buyer(name: "Ville de Saint-Étienne", id: "21420218600011"),
        published: date(published), deadline: deadline.map(zoned),
        value: value.map { Money(amount: $0, currency: "EUR", vat: "HT") }, mainCPV: cpv.first, cpv: cpv,
        places: departement.map { [Place(departement: $0)] } ?? [], refs: refs)
}
