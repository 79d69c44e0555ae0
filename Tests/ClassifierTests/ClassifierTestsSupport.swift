import Foundation
import TestSupport
import Testing
@testable import Classifier
import Notices

/// Paths and builders shared by the classifier tests.
enum ClassifierSupport {
    /// The package root.
    static let packageRoot = SharedData.packageRoot.path

    static let rulesDirectory = packageRoot + "/Rules"

    /// Fixture path: from the bundle's resources when present, else beside the sources.
    static func fixture(_ relative: String) -> String {
        if let base = Bundle.module.resourceURL?.appendingPathComponent("Fixtures/" + relative).path,
            FileManager.default.fileExists(atPath: base)
        {
            return base
        }
        return packageRoot + "/Tests/ClassifierTests/Fixtures/" + relative
    }

    /// The shipped rulebook (loaded once).
    static let rulebook: Rulebook = {
        do {
            return try Rulebook.load(directory: rulesDirectory)
        } catch {
            fatalError("shipped rules do not load: \(error)")
        }
    }()

    static let router = Router(rulebook: rulebook)

    /// 20 May 2026, 08:00 UTC: the `now` of every routing test.
    static let now: Date = ISO8601.parseZoned("2026-05-20T08:00:00Z")!.instant

    static func date(_ s: String) -> ZonedDate { ISO8601.parseZoned(s)! }

    /// A tender with sensible defaults: deadline in 4 weeks, no value, given place.
    static func notice(
        _ id: String, _ title: String, summary: String? = nil, kind: NoticeKind = .tender,
        departement: String? = nil, postcode: String? = nil, nuts: String? = nil,
        value: Decimal? = nil, cpv: [String] = [], lots: [Lot] = [],
        deadline: String? = "2026-06-17T12:00:00+02:00"
    ) -> Notice {
        var places: [Place] = []
        if departement != nil || postcode != nil || nuts != nil {
            places.append(Place(nuts: nuts, departement: departement, postcode: postcode))
        }
        return Notice(
            source: "test", sourceID: id, kind: kind, title: title, summary: summary,
            deadline: deadline.map(date), value: value.map { Money(amount: $0, currency: "EUR") },
            mainCPV: cpv.first, cpv: cpv, places: places, lots: lots)
    }

    /// Routes through one cluster of the shipped rules.
    static func route(_ n: Notice, cluster: String) -> ClusterRouting {
        let r = router.route(n, now: now)
        guard let c = r.cluster(cluster) else { fatalError("no cluster \(cluster)") }
        return c
    }
}

extension ClusterRouting {
    var routedIDs: Set<String> { Set(routes.map(\.memberID)) }
    var directIDs: Set<String> { Set(routes.filter { $0.kind == .direct }.map(\.memberID)) }
    var indirectIDs: Set<String> { Set(routes.filter { $0.kind == .indirect }.map(\.memberID)) }
    var segmentIDs: Set<String> { Set(segments.map(\.segmentID)) }
}
