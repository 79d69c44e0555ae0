import Foundation
import Notices
import Testing

@testable import Digest

/// Golden files: each renderer's output for `SampleDigest` is compared byte for byte with
/// `Golden/sample.<ext>`. After an intended change, regenerate with
/// `VIGIE_UPDATE_GOLDEN=1 swift test --filter DigestTests`, then review the diff.
@Suite struct GoldenTests {
    static let goldenSource = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Golden")

    static func golden(_ name: String) -> URL? {
        Bundle.module.url(forResource: "Golden/\(name)", withExtension: nil)
            ?? Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Golden")
    }

    @Test(arguments: DigestFormat.allCases)
    func matchesGoldenFile(_ format: DigestFormat) throws {
        let bytes = try format.renderer.render(SampleDigest.input)
        let name = "sample.\(format.fileExtension)"
        if ProcessInfo.processInfo.environment["VIGIE_UPDATE_GOLDEN"] == "1" {
            try Data(bytes).write(to: Self.goldenSource.appendingPathComponent(name))
            print("updated Golden/\(name)")
            return
        }
        // Read the source folder (always current) and check the bundled copy exists, so a golden file
        // missing from the resource folder is an error, not a skip.
        let url = try #require(Self.golden(name), "Golden/\(name) is missing; run with VIGIE_UPDATE_GOLDEN=1")
        _ = url
        let expected = try [UInt8](Data(contentsOf: Self.goldenSource.appendingPathComponent(name)))
        if bytes != expected {
            let got = String(decoding: bytes, as: UTF8.self).components(separatedBy: "\n")
            let want = String(decoding: expected, as: UTF8.self).components(separatedBy: "\n")
            let line = Array(zip(got, want)).firstIndex { $0.0 != $0.1 } ?? min(got.count, want.count)
            Issue.record(
                """
                \(name) differs from the golden file at line \(line + 1):
                  got:      \(line < got.count ? got[line] : "<end>")
                  expected: \(line < want.count ? want[line] : "<end>")
                (VIGIE_UPDATE_GOLDEN=1 regenerates after an intended change)
                """)
        }
    }

    @Test(arguments: DigestFormat.allCases)
    func rendersTheEmptyDigest(_ format: DigestFormat) throws {
        let empty = DigestInput(clusterID: "vide", clusterName: "Pôle vide", runDate: SampleDigest.now)
        let text = String(decoding: try format.renderer.render(empty), as: UTF8.self)
        switch format {
        case .markdown, .html: #expect(text.contains("Rien de nouveau cette nuit"))
        case .json:
            let back = try JSONDigestRenderer.decode(try format.renderer.render(empty))
            #expect(back == empty)
        case .icalendar:
            #expect(
                text
                    == "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Vigie//Veille appels d'offres//FR\r\n"
                    + "CALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\nX-WR-CALNAME:Échéances Pôle vide\r\n"
                    + "X-WR-TIMEZONE:Europe/Paris\r\nEND:VCALENDAR\r\n"
            )
        case .atom: #expect(!text.contains("<entry>") && text.contains("<id>urn:vigie:vide</id>"))
        case .csv: #expect(text == "\u{FEFF}" + CSVRenderer.header.joined(separator: ";") + "\r\n")
        }
    }
}
