import Foundation
import Notices
import Testing

@testable import Classifier

/// Consortium suggestions (`Router.suggestConsortia`) when the rules leave a member's capacity out, as
/// `Rules/*.yaml` allow: such a member is neither assumed to carry any amount nor to be too small, and it can
/// still be the partner that brings a missing trade.
@Suite struct ConsortiumTests {
    /// The shipped rules with the capacity of the given members of `cognac.yaml` removed, in a scratch folder.
    static func rulebook(withoutCapacity members: [String]) throws -> Rulebook {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vigie-rules-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let shipped = ClassifierSupport.rulesDirectory
        for name in try FileManager.default.contentsOfDirectory(atPath: shipped) where name.hasSuffix(".yaml") {
            var text = try String(contentsOfFile: shipped + "/" + name, encoding: .utf8)
            if name == "cognac.yaml" {
                for id in members {
                    // `- {id: <id>, …, capacity: 2M,` → the same line without its capacity.
                    let line = try #require(text.range(of: #"\{id: "# + id + #",[^\n]*"#, options: .regularExpression))
                    let without = text[line].replacingOccurrences(
                        of: #" capacity: [0-9.]+[kM]?,"#, with: "", options: .regularExpression)
                    #expect(without != String(text[line]), "\(id) states a capacity in cognac.yaml")
                    text.replaceSubrange(line, with: without)
                }
            }
            try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return try Rulebook.load(directory: folder.path)
    }

    /// Gift boxes with labels need two trades (cartonnage, étiquetage) no member covers alone; every label
    /// printer of the cluster states no capacity. The group is still proposed, with a label printer as partner,
    /// and its combined capacity is unknown rather than understated.
    @Test func aMemberWithoutCapacityIsStillProposedAsPartner() throws {
        let book = try Self.rulebook(withoutCapacity: ["etiq-cognac", "imprimerie-angoumoise"])
        let cognac = try #require(book.clusters.first { $0.id == "cognac" })
        for id in ["etiq-cognac", "imprimerie-angoumoise"] {
            #expect(cognac.members.first { $0.id == id }?.capacity == nil)
        }
        let n = ClassifierSupport.notice(
            "c2", "Coffrets et étiquettes pour une édition limitée",
            summary: "Étiquettes imprimées en sérigraphie avec dorure à chaud ; coffrets en carton avec calage.",
            postcode: "16100", value: 500_000)
        let c = try #require(Router(rulebook: book).route(n, now: ClassifierSupport.now).cluster("cognac"))
        #expect(c.segmentIDs == ["cartonnage", "etiquetage"])
        let g = try #require(c.consortia.first)
        #expect(g.reason == .multipleSegments)
        #expect(g.lead == "cartonnages-charentais")
        #expect(g.members.count == 2)
        #expect(g.members.first == "cartonnages-charentais")
        let partner = try #require(g.members.last)
        #expect(["etiq-cognac", "imprimerie-angoumoise"].contains(partner))
        #expect(g.contributions[partner] == ["etiquetage"])
        #expect(g.combinedCapacity == nil, "one partner states no capacity: the sum is unknown")
        #expect(g.leadCapacity == 4_000_000)
    }
}
