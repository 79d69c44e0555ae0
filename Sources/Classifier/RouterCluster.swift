import Foundation
import Notices

extension Router {
    func routeCluster(_ cc: CompiledCluster, notice: Notice, hits: [TextHit], place: ResolvedPlace,
                      now: Date) -> ClusterRouting {
        let c = rulebook.clusters[cc.index]
        return ClusterRouting(clusterID: c.id, clusterName: c.name)
    }
}
