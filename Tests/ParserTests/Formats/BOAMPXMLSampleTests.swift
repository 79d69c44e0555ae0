import Foundation
import Notices
import TestSupport
import Testing

@testable import Parser

/// The 19 real BOAMP v230 notices in `../shared/samples/boamp/xml-v230/`.
@Suite struct BOAMPXMLSampleTests {
    static let dir = "samples/boamp/xml-v230"

    static var names: [String] {
        let n = SharedData.files(dir, ext: "xml")
        return n.isEmpty ? ["(../shared missing)"] : n
    }

    static func parse(_ file: String) throws -> Notice {
        let bytes = try SharedData.bytes("\(dir)/\(file)")
        let doc = try #require(
            try FormatRegistry.parseNoticeXML(
                rootName: "ANNONCE", namespace: nil, bytes: bytes,
                options: ParseOptions(sourceID: "boamp", documentName: file)))
        #expect(doc.format == .boampXML)
        return try #require(doc.notices.first)
    }

    @Test(.requiresShared, arguments: names)
    func buyerDatesAndIDsAreFilled(_ file: String) throws {
        try SharedData.url(Self.dir)
        let n = try Self.parse(file)
        // The id is the IDWEB of GESTION/REFERENCE, never that of an earlier notice (GESTION/MARCHE/...).
        let raw = String(decoding: try SharedData.bytes("\(Self.dir)/\(file)"), as: UTF8.self)
        let idweb = try #require(
            raw.range(of: #"<REFERENCE>\s*<IDWEB>([^<]+)</IDWEB>"#, options: .regularExpression)
                .map { String(raw[$0]).components(separatedBy: "<IDWEB>")[1].components(separatedBy: "<")[0] })
        #expect(n.sourceID == idweb)
        #expect(n.refs.boampIDWeb == idweb)
        #expect(n.id == "boamp:\(idweb)")
        #expect(n.buyer?.name?.isEmpty == false)
        #expect(n.published != nil)
        #expect(!n.title.isEmpty)
        #expect(n.language == "fr")
        #expect(n.url?.hasSuffix(idweb) == true)
        if file.hasPrefix("test-attribution") {
            #expect(n.kind == .award)
        } else {
            #expect(n.kind == .tender)
            #expect(n.deadline != nil, "a call for tenders has RECEPT_OFFRES or DATE_LIMITE_REPONSE")
            #expect(n.mainCPV != nil || !n.descriptors.isEmpty)
        }
    }

    @Test(.requiresShared) func firstNoticeInDetail() throws {
        try SharedData.url(Self.dir)
        let n = try Self.parse("test-pub.xml")
        #expect(n.sourceID == "16-186394")
        #expect(n.title == "2016 DFA 167 - Prestations de remorquage pour les véhicules de la ville de Paris")
        // IDENTITE: MEL dfa-bm3@paris.fr, no TEL nor CONTACT, URL_PROFIL_ACHETEUR https://marches.maximilien.fr
        // (preferred to URL http://www.paris.fr), URL_DOCUMENT https://marches.maximilien.fr.
        #expect(
            n.buyer
                == Buyer(
                    name: "Ville de Paris", id: nil, country: "FRA", nuts: "FR101",
                    contact: ContactPoint(email: "dfa-bm3@paris.fr", url: "https://marches.maximilien.fr")))
        #expect(n.documentsURL == "https://marches.maximilien.fr")
        #expect(n.deadline?.iso8601 == "2017-02-07T12:00:00+01:00")
        #expect(n.procedure == "open")
        #expect(n.mainCPV == "50118110")
        #expect(n.descriptors == ["274"])
        #expect(n.lots.count == 2)
        #expect(n.lots[0].value == Money(currency: "EUR", min: 20000, max: 100000, vat: "HT"))
        #expect(n.lots[1].value == Money(currency: "EUR", min: 140000, max: 600000, vat: "HT"))
        #expect(n.places.contains { $0.nuts == "FR10" })
        // The notice's value is what its two framework lots add up to.
        #expect(n.value == Money(currency: "EUR", min: 160000, max: 700000, vat: "HT"))
    }

    /// Legacy NUTS 2013 codes are mapped to 2021 (FR232 Seine-Maritime → FRD22).
    @Test(.requiresShared) func legacyNUTSAreMapped() throws {
        try SharedData.url(Self.dir)
        let n = try Self.parse("test-attribution-10.xml")
        #expect(n.places.contains { $0.nuts == "FRD22" && $0.departement == "76" })
        #expect(!n.places.contains { $0.nuts == "FR232" })
    }

    /// Award values: VALEUR_TOTALE DEVISE="EUR" 159691.6.
    @Test(.requiresShared) func awardTotal() throws {
        try SharedData.url(Self.dir)
        let n = try Self.parse("test-attribution-5.xml")
        #expect(n.value?.amount == Decimal(string: "159691.6"))
        #expect(n.value?.currency == "EUR")
    }
}
