import Foundation
import Notices
import Testing

@testable import Parser

@Suite struct FoldedTextTests {
    /// Decomposed accents (e + U+0301) fold like composed ones; characters outside the BMP keep offsets aligned.
    @Test func foldingKeepsOffsets() throws {
        let decomposed = "Date limite de re\u{0301}ception des offres : 15/12/2026 a\u{0300} 12h00"
        #expect(DeadlineExtractor.extract(decomposed)?.date.iso8601 == "2026-12-15T12:00:00+01:00")
        let withEmoji = "🚀 Chantier 🏗️ — Lieu d’exécution : Saint-Étienne (42)"
        #expect(
            PlaceExtractor.extract(withEmoji) == [Place(nuts: "FRK25", departement: "42", commune: "Saint-Étienne")])
        let t = FoldedText("ÉTÉ à Saint-Étienne")
        #expect(t.string == "ete a saint-etienne")
        #expect(t.original.length == t.folded.length)
    }
}
