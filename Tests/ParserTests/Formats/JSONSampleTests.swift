import Foundation
import Notices
import TestSupport
import Testing

@testable import Parser

/// The real JSON samples in `../shared/samples/` (BOAMP legacy API, aides-territoires, DECP).
@Suite struct JSONSampleTests {
    static func parse(_ path: String) throws -> ParsedDocument {
        try #require(
            try FormatRegistry.parseJSON(
                try SharedData.bytes(path),
                options: ParseOptions(sourceID: "s", documentName: path)))
    }

    @Test(.requiresShared) func boampLegacyAPINotice() throws {
        try SharedData.url("samples/boamp/legacy-api-json")
        let doc = try Self.parse("samples/boamp/legacy-api-json/20-152081.json")
        #expect(doc.format == .boampJSON)
        #expect(doc.issues.isEmpty)
        let n = try #require(doc.notices.first)
        #expect(n.sourceID == "20-152081")
        #expect(n.refs.boampIDWeb == "20-152081")
        #expect(n.buyer?.name == "Commune de Berre l'Etang")
        #expect(n.kind == .tender)
        #expect(n.procedure == "MAPA")
        // receptoffres 1614596400000 ms = 2021-03-01T11:00Z = 12:00 in Paris.
        #expect(n.deadline?.iso8601 == "2021-03-01T12:00:00+01:00")
        #expect(n.published.map { ISO8601.format($0) } == "2020-12-13T23:00:00Z")
        #expect(n.descriptors.contains("274"))
        // deppublication ["13"] is where the notice is published; lieuexeclivr names the place of work in words
        // only ("berre l'étang"), the buyer's own town, whose postcode identite gives (13130).
        #expect(n.publicationDepartements == ["13"])
        #expect(n.places.map(\.postcode) == ["13130"])
        #expect(n.places.map(\.departement) == ["13"])
    }

    @Test(.requiresShared) func aidesTerritoiresSample() throws {
        try SharedData.url("samples/aides-territoires")
        let doc = try Self.parse("samples/aides-territoires/aids_sample_2021.json")
        #expect(doc.format == .aidesTerritoiresJSON)
        #expect(doc.notices.count == 9)
        #expect(doc.issues.isEmpty)
        for n in doc.notices {
            #expect(!n.sourceID.isEmpty)
            #expect(n.kind == .callForProjects)
            #expect(n.buyer?.name?.isEmpty == false, "funder of \(n.sourceID)")
            #expect(n.call?.funder?.isEmpty == false)
            #expect(n.published != nil)
            #expect(n.url?.hasPrefix("https://aides-territoires.beta.gouv.fr/aides/") == true)
        }
        let first = try #require(doc.notices.first { $0.sourceID == "89213" })
        #expect(first.deadline?.iso8601 == "2021-12-31T23:59:00+01:00")
        #expect(first.call?.opening?.iso8601 == "2021-01-25T00:00:00+01:00")
        #expect(first.places == [Place(nuts: "FRI13", departement: "40")])
        #expect(first.call?.beneficiaries.contains("Entreprises privées") == true)
        #expect(doc.notices.filter { $0.deadline != nil }.count >= 5)
    }

    @Test(.requiresShared, arguments: ["samples/decp/decp_test_2022.json", "samples/decp/decp_test_2019.json"])
    func decpSamples(_ path: String) throws {
        try SharedData.url("samples/decp")
        let doc = try Self.parse(path)
        #expect(doc.format == .decpJSON)
        #expect(!doc.notices.isEmpty)
        for n in doc.notices {
            #expect(n.kind == .award)
            #expect(!n.sourceID.isEmpty)
            #expect(n.buyer?.id != nil)
            #expect(n.published != nil)
        }
        let elec = try #require(doc.notices.first { $0.title.hasPrefix("Eléctricité") })
        #expect(elec.mainCPV == "45316110")
        #expect(elec.value?.amount == 137614)
        #expect(elec.places.first?.departement == "974")
        #expect(elec.buyer?.id == "21974022200019")
        for issue in doc.issues { print("decp issue: \(issue)") }
    }
}
