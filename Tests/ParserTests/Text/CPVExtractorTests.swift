import Foundation
import Notices
import Testing

@testable import Parser

@Suite struct CPVExtractorTests {
    @Test func codes() {
        #expect(
            CPVExtractor.extract("Code CPV principal : 42600000 ; CPV secondaires : 50530000-9, 45316110-9")
                == ["42600000", "50530000", "45316110"])
        #expect(CPVExtractor.extract("Dossier 12345678 du 01/02/2026") == [], "a bare number without CPV nearby")
        #expect(CPVExtractor.extract("Référence 99123456-1") == [], "not a CPV division")
        #expect(CPVExtractor.extract("45316110-9 Travaux d'installation") == ["45316110"])
    }
}
