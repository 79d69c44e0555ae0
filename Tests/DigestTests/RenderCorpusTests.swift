import Foundation
import Testing

@testable import Digest

/// Re-renders a night's editions kept by `vigie-bench run --keep DIR` (each cluster's folder under `DIR/out`
/// holds its digest as JSON beside the other formats) and compares every format, tonight's and the
/// subscription's, byte for byte with the files the night wrote; then renders each member's own digest (the
/// Markdown, HTML and calendar its e-mail is made of) and prints the time each took. A change to the renderers
/// that is meant to be faster and no different is checked on thousands of generated digests, not on one sample.
///
/// Opt-in, as it needs a kept folder: `VIGIE_RENDER_CORPUS=/tmp/r/out swift test --filter RenderCorpusTests`
/// (`VIGIE_RENDER_CORPUS_LIMIT` caps the clusters read). Shown as skipped without it.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["VIGIE_RENDER_CORPUS"] != nil))
struct RenderCorpusTests {
    static var root: URL { URL(fileURLWithPath: ProcessInfo.processInfo.environment["VIGIE_RENDER_CORPUS"] ?? "") }

    @Test func rendersTheKeptEditionsByteForByte() throws {
        let fm = FileManager.default
        let limit = ProcessInfo.processInfo.environment["VIGIE_RENDER_CORPUS_LIMIT"].flatMap { Int($0) } ?? .max
        let folders = try fm.contentsOfDirectory(atPath: Self.root.path).sorted().prefix(limit)
        try #require(!folders.isEmpty, "no cluster folder in \(Self.root.path)")
        var compared = 0
        var staffSeconds = 0.0
        var memberSeconds = 0.0
        var memberDigests = 0
        for folder in folders {
            let dir = Self.root.appendingPathComponent(folder)
            let names = try fm.contentsOfDirectory(atPath: dir.path)
            let json = try #require(names.filter { $0.hasSuffix(".json") && $0 != "latest.json" }.sorted().last)
            let stem = String(json.dropLast(5))
            let input = try JSONDigestRenderer.decode(
                [UInt8](try Data(contentsOf: dir.appendingPathComponent(json))))
            let start = Date()
            for format in DigestFormat.allCases {
                let renderer = format.renderer
                let tonight = try renderer.render(input)
                let subscription = try renderer.renderSubscription(input)
                for (name, bytes) in [
                    ("\(stem).\(format.fileExtension)", tonight), ("latest.\(format.fileExtension)", subscription),
                ] {
                    let url = dir.appendingPathComponent(name)
                    guard fm.fileExists(atPath: url.path) else { continue }
                    let kept = [UInt8](try Data(contentsOf: url))
                    #expect(bytes == kept, "\(folder)/\(name) differs from the kept file")
                    compared += 1
                }
            }
            staffSeconds += Date().timeIntervalSince(start)
            let memberStart = Date()
            for section in input.members where !section.items.isEmpty {
                let own = input.forMember(id: section.memberID, name: section.memberName)
                for format in DigestInput.mailFormats { _ = try format.renderer.render(own) }
                memberDigests += 1
            }
            memberSeconds += Date().timeIntervalSince(memberStart)
        }
        #expect(compared > 0)
        print(
            "render corpus: \(folders.count) clusters, \(compared) files identical, staff \(staffSeconds) s, "
                + "\(memberDigests) member digests \(memberSeconds) s")
    }
}
