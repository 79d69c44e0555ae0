import ArgumentParser
import Digest
import Foundation

/// `vigie-bench render`: re-renders the editions a night wrote and times it, checking the bytes.
///
/// A night kept by `vigie-bench run --keep DIR` holds, in each cluster's folder under `DIR/out`, its digest as
/// JSON beside the other formats. Each is decoded and rendered again in every format, tonight's file and the
/// subscription's (`latest.*`), compared byte for byte with what the night wrote; then each member's own digest
/// (the Markdown, HTML and calendar its e-mail is made of) is rendered. A change to the renderers meant to be
/// faster and no different is checked on thousands of generated digests, not on one sample, and timed on them.
struct RenderBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract:
            "Re-renders a kept night's editions: every file compared byte for byte, staff and member renders timed.")

    @Option(help: "The output folder of a kept night (`vigie-bench run --keep DIR` → DIR/out).")
    var from: String

    @Option(help: "Read at most this many cluster folders.")
    var limit: Int = .max

    @Flag(help: "Print one JSON line.")
    var json = false

    struct Output: Encodable {
        var clusters: Int
        var files_compared: Int
        var files_different: [String]
        var staff_render_s: Double
        var member_digests: Int
        var member_render_s: Double
    }

    func run() throws {
        let fm = FileManager.default
        let root = URL(fileURLWithPath: from)
        let folders = try fm.contentsOfDirectory(atPath: root.path).sorted().prefix(max(limit, 0))
        guard !folders.isEmpty else { throw BenchError("\(from): no cluster folder") }
        var out = Output(
            clusters: 0, files_compared: 0, files_different: [], staff_render_s: 0, member_digests: 0,
            member_render_s: 0)
        for folder in folders {
            let dir = root.appendingPathComponent(folder)
            let names = try fm.contentsOfDirectory(atPath: dir.path)
            guard let json = names.filter({ $0.hasSuffix(".json") && $0 != "latest.json" }).sorted().last else {
                continue
            }
            out.clusters += 1
            let stem = String(json.dropLast(5))
            let input = try JSONDigestRenderer.decode([UInt8](try Data(contentsOf: dir.appendingPathComponent(json))))
            let t0 = DispatchTime.now().uptimeNanoseconds
            for format in DigestFormat.allCases {
                let renderer = format.renderer
                let rendered = [
                    ("\(stem).\(format.fileExtension)", try renderer.render(input)),
                    ("latest.\(format.fileExtension)", try renderer.renderSubscription(input)),
                ]
                for (name, bytes) in rendered {
                    let url = dir.appendingPathComponent(name)
                    guard fm.fileExists(atPath: url.path) else { continue }
                    out.files_compared += 1
                    if bytes != [UInt8](try Data(contentsOf: url)) { out.files_different.append("\(folder)/\(name)") }
                }
            }
            out.staff_render_s += seconds(since: t0)
            let t1 = DispatchTime.now().uptimeNanoseconds
            for section in input.members where !section.items.isEmpty {
                let own = input.forMember(id: section.memberID, name: section.memberName)
                for format in DigestInput.mailFormats { _ = try format.renderer.render(own) }
                out.member_digests += 1
            }
            out.member_render_s += seconds(since: t1)
        }
        out.staff_render_s = round3(out.staff_render_s)
        out.member_render_s = round3(out.member_render_s)
        if json {
            try printJSONLine(out)
        } else {
            print(
                String(
                    format: "%d clusters: %d files re-rendered, %d different; staff %.2f s, %d member digests %.2f s",
                    out.clusters, out.files_compared, out.files_different.count, out.staff_render_s,
                    out.member_digests, out.member_render_s))
            for f in out.files_different.prefix(20) { print("different: \(f)") }
        }
        guard out.files_different.isEmpty else {
            throw BenchError("\(out.files_different.count) re-rendered file(s) differ from the kept ones")
        }
    }
}
