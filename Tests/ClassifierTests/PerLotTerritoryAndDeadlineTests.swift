import Foundation
import Notices
import Testing

@testable import Classifier

/// Territory and lead time are judged on the lots a member's evidence lies in, when the lots say.
@Suite struct PerLotTerritoryAndDeadlineTests {
    static func notice(machiningLotDepartement: String, machiningLotDeadline: String?) -> Notice {
        let lots = [
            Lot(id: "1", title: "Galvanisation et thermolaquage des structures", places: [Place(departement: "42")]),
            Lot(
                id: "2", title: "Pièces usinées et décolletage de précision",
                places: [Place(departement: machiningLotDepartement)],
                deadline: machiningLotDeadline.map(ClassifierSupport.date)),
        ]
        return ClassifierSupport.notice(
            "pl", "Équipements de la station de pompage", departement: "42", lots: lots,
            deadline: "2026-05-22T12:00:00+02:00")
    }

    @Test func aFarLotKeepsItsMembersOut() {
        let near = ClassifierSupport.route(
            Self.notice(machiningLotDepartement: "42", machiningLotDeadline: nil),
            cluster: "mecaloire")
        #expect(near.route(to: "decolletage-furan") == nil, "the notice's deadline is 2 days away")
        let later = ClassifierSupport.route(
            Self.notice(machiningLotDepartement: "42", machiningLotDeadline: "2026-06-20T12:00:00+02:00"),
            cluster: "mecaloire")
        #expect(later.route(to: "decolletage-furan") != nil, "its lot closes a month later")
        let far = ClassifierSupport.route(
            Self.notice(machiningLotDepartement: "13", machiningLotDeadline: "2026-06-20T12:00:00+02:00"),
            cluster: "mecaloire")
        #expect(far.route(to: "decolletage-furan") == nil)
        if case .territory = far.nearMiss(of: "decolletage-furan")?.cause {
        } else {
            Issue.record("expected a territory near miss: \(String(describing: far.nearMiss(of: "decolletage-furan")))")
        }
    }
}
