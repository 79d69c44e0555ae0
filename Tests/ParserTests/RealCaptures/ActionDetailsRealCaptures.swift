import Foundation
import TestSupport
import Testing

@testable import Notices
@testable import Parser

/// What a member needs to act on a notice — the buyer's contact, the link to the tender documents, each lot's
/// title — on the real captures in `../shared/samples/real/`, against the values the raw files hold (each literal
/// names the raw key it was read from). A `nil` means the raw notice does not give it.
@Suite struct ActionDetailsRealCaptures {
    struct Expected: Sendable, CustomStringConvertible {
        var capture: String
        var notice: String
        var contact: ContactPoint?
        var documentsURL: String?
        /// Lot titles in lot order (`[]` when the notice has no lots).
        var lotTitles: [String?]
        var description: String { "\(notice)" }
    }

    static let awards = BOAMPRealCaptures.awards
    static let fnsimple = BOAMPRealCaptures.fnsimple
    static let cnes = "samples/real/ted/kivou-612553-2026-CNES-cn.xml"
    static let tedFRA = "samples/real/ted/ted-619675-2026-FRA-buyer.json"
    static let tedDEU = "samples/real/ted/DERIVED-wrapped-vswatchdog-612558-2026.json"

    static let boamp: [Expected] = [
        // donnees.EFORMS.ContractAwardNotice: ContractingParty → ORG-0001, whose cac:Contact gives Name, Telephone,
        // ElectronicMail; ContractingParty/cbc:BuyerProfileURI is preferred to the Company's WebsiteURI
        // (https://www.ville-saint-orens.fr/). A result notice has no CallForTendersDocumentReference.
        Expected(
            capture: awards, notice: "26-80978",
            contact: ContactPoint(
                name: "Commande publique", email: "commande.publique@mairie-saint-orens.fr", phone: "+33561148855",
                url: "https://www.achatpublic.com/sdm/ent2/gen/index.jsp"),
            documentsURL: nil,
            // ProcurementProjectLot[*]/ProcurementProject/cbc:Name
            lotTitles: ["Lot 1 - Transports ponctuels", "Lot 2 - Transports récurrents"]),
        // ContractingParty/Party → ORG-0002 (ORG-0001, under ServiceProviderParty, is the eSender Avenue-Web
        // Systèmes: its publications-joue@aws-france.com is no buyer contact).
        Expected(
            capture: awards, notice: "26-80922",
            contact: ContactPoint(
                name: "EPPDCSI", email: "Christine.KAUFFMANN@universcience.fr", phone: "0140058070",
                url: "http://www.universcience.fr/fr/accueil"),
            documentsURL: nil,
            lotTitles: [
                "Prestations d'exploitations des installations de vidéoprotection et des systèmes anti-intrusion de "
                    + "l'EPPDCSI"
            ]),
        // FNSimple attribution: organisme gives a name, a SIRET and a town, no contact; the lots are read from the
        // free text `attributionMarche` ("Lot 1 : Travaux de réhabilitation de l'ouvrage d'art Attribution : …").
        Expected(
            capture: awards, notice: "26-81190", contact: nil, documentsURL: nil,
            lotTitles: ["Travaux de réhabilitation de l'ouvrage d'art", "Travaux de consolidation des berges"]),
        // MAPA attribution: organisme.correspondantPRM pren "Service Juridique et Marchés", nom "Départemetn Achats
        // et Marchés" (sic); coord.mel; urlProfilAcheteur. No telephone.
        Expected(
            capture: awards, notice: "26-80528",
            contact: ContactPoint(
                name: "Service Juridique et Marchés Départemetn Achats et Marchés",
                email: "521.dpt.juridique.cpam-marseille@assurance-maladie.fr",
                url: "https://www.marches-publics.gouv.fr/entreprise"),
            documentsURL: nil, lotTitles: []),
        // FNSimple initial.communication: nomContact, adresseMailContact, telContact, urlDocConsul; no urlProfilAch.
        Expected(
            capture: fnsimple, notice: "26-7298",
            contact: ContactPoint(
                name: "SERVICE-ACHATS", email: "service-achats@ville-lamadeleine.fr", phone: "+33 320127979"),
            documentsURL: "https://marchespublics596280.fr/entreprise/consultation/581998?orgAcronyme=50368",
            lotTitles: []),
        // nomContact "Pôle Achats Marchés " (trailing space), no telContact. Lots: the form has no lot title, the
        // first line of each `description` is what boamp.fr prints.
        Expected(
            capture: fnsimple, notice: "26-7308",
            contact: ContactPoint(name: "Pôle Achats Marchés", email: "achatsmarches.normandie@urssaf.fr"),
            documentsURL: "https://www.marches-publics.gouv.fr/entreprise/consultation/2927597?orgAcronyme=s7h",
            lotTitles: [
                "1- Prestations pour l’URSSAF de Rouen (Seine Maritime)",
                "2- Prestations pour l’URSSAF du Havre (Seine-Maritime)",
                "3- Prestations pour l’URSSAF de Dieppe (Seine Maritime)",
                "4- Prestations pour l’URSSAF d’Evreux (Eure)",
                "5- Prestations pour les URSSAF de Caen-Isigny et Caen-Unicité (Calvados)",
                "6- Prestations pour l’URSSAF de Saint-Lô (Manche)",
                "7- Prestations pour l’URSSAF d’Alençon-Valframbert (Orne)",
            ]),
        Expected(
            capture: fnsimple, notice: "26-7319",
            contact: ContactPoint(
                name: "Justinien Belabbas-Weil", email: "Justinien.BELABBAS-WEIL@auvergnerhonealpes.fr",
                phone: "0426733700"),
            documentsURL: "https://www.achatpublic.com/sdm/ent2/gen/ficheCsl.action?PCSLID=CSL_2026_TarWVppjGK",
            lotTitles: ["Lot 2 : Finition", "Lot 5 : Menuiserie"]),
        // nomContact only.
        Expected(
            capture: fnsimple, notice: "26-7109", contact: ContactPoint(name: "Aurore Halipre"),
            documentsURL:
                "https://www.marches-publics.info/mpiaws/index.cfm?fuseaction=dematent.login&type=Dce&Idm=1767036",
            lotTitles: []),
        // No urlDocConsul: urlProfilAch holds the consultation's own link, which is both the buyer profile and
        // where the documents are.
        Expected(
            capture: fnsimple, notice: "26-7113",
            contact: ContactPoint(
                name: "Bureau de la commande publique - SGAMI EST",
                email: "sgami-est-marches-publics@interieur.gouv.fr", phone: "0372408336",
                url: "https://www.marches-publics.gouv.fr/?page=Entreprise.EntrepriseAdvancedSearch&AllCons&id=2920347"
                    + "&orgAcronyme=g6l"),
            documentsURL:
                "https://www.marches-publics.gouv.fr/?page=Entreprise.EntrepriseAdvancedSearch&AllCons&id=2920347"
                + "&orgAcronyme=g6l",
            lotTitles: [
                "Rénovation de l'isolement thermique par l'extérieur (ITE)", "TOITURE", "MENUISERIE EXTÉRIEURE",
                "PEINTURE INTÉRIEURE",
            ]),
    ]

    static let ted: [Expected] = [
        // The search answer holds no contact field (none was requested): no contact is made up.
        // "document-url-lot"[0]; "title-lot".fra[0].
        Expected(
            capture: tedFRA, notice: "619675-2026", contact: nil,
            documentsURL:
                "https://www.marches-publics.gouv.fr/?page=Entreprise.EntrepriseAdvancedSearch&AllCons&id=3063429"
                + "&orgAcronyme=s2d",
            lotTitles: [
                "INTEGRATED DIAGNOSTIC AND STRATEGIC ROADMAP FOR SOLID WASTE MANAGEMENT AND CIRCULAR ECONOMY IN LUANDA "
                    + "PROVINCE"
            ]),
        Expected(
            capture: tedDEU, notice: "612558-2026", contact: nil,
            documentsURL: "https://www.dtvp.de/Satellite/notice/CXP4D6VM8X0/documents",
            lotTitles: ["Stadtwerke Essen AG: EU-weites Vergabeverfahren \"Projektsteuerung\" (Los 5)"]),
    ]

    // The eForms XML: ContractingParty → ORG-0001, whose cac:Contact has Name, Telephone, ElectronicMail; no
    // BuyerProfileURI, so the Company's WebsiteURI; LOT-0001 CallForTendersDocumentReference
    // Attachment/ExternalReference/URI; LOT-0001 ProcurementProject/cbc:Name.
    static let eforms = Expected(
        capture: cnes, notice: "612553-2026",
        contact: ContactPoint(
            name: "Lucas MARTIN", email: "L-DAR-OAR-TSR@cnes.fr", phone: "+33 561000000",
            url: "https://marches.cnes.fr/"),
        documentsURL: "https://marches.cnes.fr/entreprise/consultation/510067?orgAcronyme=t5y",
        lotTitles: ["Assistance à maîtrise d’ouvrage sur le logiciel SAP"])

    static func check(_ e: Expected, in notices: [Notice]) throws {
        let n = try #require(notices.first { $0.sourceID == e.notice }, "\(e.notice) missing")
        #expect(n.buyer?.contact == e.contact, "\(e.notice) contact")
        #expect(n.documentsURL == e.documentsURL, "\(e.notice) documents")
        #expect(n.lots.map(\.title) == e.lotTitles, "\(e.notice) lot titles")
    }

    @Test(.requiresShared, arguments: boamp)
    func boampRecords(_ e: Expected) throws {
        try SharedData.url("samples/real")
        let doc = try #require(try BOAMPRealCaptures.parse(e.capture))
        try Self.check(e, in: doc.notices)
    }

    @Test(.requiresShared, arguments: ted)
    func tedSearchAnswers(_ e: Expected) throws {
        try SharedData.url("samples/real")
        try Self.check(e, in: try TEDRealCaptures.parse(URL(fileURLWithPath: e.capture).lastPathComponent))
    }

    @Test(.requiresShared) func eformsNotice() throws {
        try SharedData.url("samples/real")
        let doc = try FormatRegistry.parseNoticeXML(
            rootName: "ContractNotice", namespace: nil, bytes: try SharedData.bytes(Self.cnes),
            options: ParseOptions(sourceID: "ted", documentName: Self.cnes))
        try Self.check(Self.eforms, in: doc?.notices ?? [])
    }

    /// The eForms SDK's French sample (`samples/eforms/cn_24_FRA_comments.xml`): the contracting party gives a
    /// buyer profile (BT-508 `http://www.marches-publics.info/accueil.htm`), preferred to ORG-0001's WebsiteURI
    /// (`https://www.marches-publics.info/accueil.htm`); ORG-0001's cac:Contact: Name "Info desk", Telephone
    /// "+33 235156161", ElectronicMail "contact@rouenhabitat.fr".
    @Test(.requiresShared) func eformsBuyerProfileIsPreferredToTheWebsite() throws {
        try SharedData.url("samples/eforms")
        let doc = try FormatRegistry.parseNoticeXML(
            rootName: "ContractNotice", namespace: nil,
            bytes: try SharedData.bytes("samples/eforms/cn_24_FRA_comments.xml"),
            options: ParseOptions(sourceID: "ted", documentName: "cn_24_FRA_comments.xml"))
        let n = try #require(doc?.notices.first)
        #expect(n.buyer?.name == "Rouen Habitat")
        #expect(
            n.buyer?.contact
                == ContactPoint(
                    name: "Info desk", email: "contact@rouenhabitat.fr", phone: "+33 235156161",
                    url: "http://www.marches-publics.info/accueil.htm"))
    }

    /// The retired DILA API notice (`samples/boamp/legacy-api-json/20-152081.json`): identite correspondant
    /// "Monsieur le Maire" (contact null), tel, mel, urlprofilacheteur preferred to url; urldocument null.
    @Test(.requiresShared) func boampLegacyAPINotice() throws {
        try SharedData.url("samples/boamp/legacy-api-json")
        let doc = try #require(try BOAMPRealCaptures.parse(BOAMPRealCaptures.legacy))
        let n = try #require(doc.notices.first)
        #expect(
            n.buyer?.contact
                == ContactPoint(
                    name: "Monsieur le Maire", email: "commandepublique@berre-l-etang.fr", phone: "04-42-74-94-95",
                    url: "http://laprovencemarchespublics.com"))
        #expect(n.documentsURL == nil)
    }

    /// Aides-territoires `contact` is free HTML: the first e-mail address, telephone number and link are taken,
    /// unless the field lists several contacts.
    @Test(
        .requiresShared,
        arguments: [
            // "<p> GAL des Coëvrons </p> … <p> 02.43.66.32.00 </p> <p> developpement-local@coevrons.fr </p>"
            ("101817", ContactPoint(email: "developpement-local@coevrons.fr", phone: "02.43.66.32.00")),
            // "Prenez contact avec la CCPMB … Anna BOURDICHON … environnement@ccpmb.fr … 04 50 78 12 10"
            ("55533", ContactPoint(email: "environnement@ccpmb.fr", phone: "04 50 78 12 10")),
            // Two addresses of one office, one number: "mattioli@cc-madetmoselle.Fr ou accueil@…", "03 83 81 91 69".
            ("98912", ContactPoint(email: "mattioli@cc-madetmoselle.Fr", phone: "03 83 81 91 69")),
            // A sentence whose link (<a href="https://agence.eau-loire-bretagne.fr/…">) is the only way to a contact.
            (
                "30830",
                ContactPoint(
                    url: "https://agence.eau-loire-bretagne.fr/home/agence-de-leau/fonctionnement-de-lagence-de-leau/"
                        + "agence-eau-loire-bretagne-un-siege-et-5-delegations.html")
            ),
            // A link in plain text, without the sentence's end.
            ("8005", ContactPoint(url: "http://www.eau-seine-normandie.fr/agence-de-leau/directions_territoriales")),
            // Six delegations, one per group of départements, each with its address and number: a directory.
            ("74115", nil),
            // Two referents, one per group of départements, each "<a href="mailto:…">…</a> / 03 …": a directory.
            ("94839", nil),
            // A link, then one office per group of départements with its number (Tél : 02 35 63 61 30, 03 44 30 41 00,
            // …): the link only (written "…/directions_territoriale", without the final s, in this record).
            ("8451", ContactPoint(url: "http://www.eau-seine-normandie.fr/agence-de-leau/directions_territoriale")),
            // One office: "Tél.02.28.85.86.43 – Fax 02.51.44.20.25", <a href="mailto:agriculture@vendee.fr">.
            ("97343", ContactPoint(email: "agriculture@vendee.fr", phone: "02.28.85.86.43")),
        ])
    func aidesTerritoiresDump(_ id: String, _ contact: ContactPoint?) throws {
        try SharedData.url("samples/real")
        let doc = try AidesTerritoiresRealCaptures.parse(AidesTerritoiresRealCaptures.dump)
        let n = try #require(doc.notices.first { $0.sourceID == id })
        #expect(n.buyer?.contact == contact)
    }

    /// The Drôme data provider's payload, with `mailto:` and `href` links.
    @Test(
        .requiresShared,
        arguments: [
            // "04 75 26 99 43 • n<a href="mailto:ina.croizet@drome.chambagri.fr">ina.croizet@…</a>": the link's address.
            (
                "162",
                ContactPoint(
                    email: "ina.croizet@drome.chambagri.fr", phone: "04 75 26 99 43",
                    url: "http://rhone-alpes.synagri.com/portail/accueil26")
            ),
            // "04 81 66 88 34/ <a href="mailto:mluce@ladrome.fr">", then <a href="https://www.ladrome.fr/">.
            ("338", ContactPoint(email: "mluce@ladrome.fr", phone: "04 81 66 88 34", url: "https://www.ladrome.fr/")),
            // The first link is the synagri portal the contact line itself points to.
            (
                "650",
                ContactPoint(
                    email: "mluce@ladrome.fr", phone: "04 81 66 88 34",
                    url: "http://rhone-alpes.synagri.com/portail/accueil26")
            ),
        ])
    func aidesTerritoiresDrome(_ id: String, _ contact: ContactPoint) throws {
        try SharedData.url("samples/real")
        let doc = try AidesTerritoiresRealCaptures.parse(AidesTerritoiresRealCaptures.drome)
        let n = try #require(doc.notices.first { $0.sourceID == id })
        #expect(n.buyer?.contact == contact)
    }

    /// Over the whole trimmed dump (195 aids, every one with a `contact`; 187 of those hold an address, a number
    /// or a link, the 8 others only names or sentences): most give a contact point — all but the directories
    /// without a link — and none is empty or half-parsed (an address without `@`, a number without ten digits).
    @Test(.requiresShared) func aidesTerritoiresContactsAreWellFormed() throws {
        try SharedData.url("samples/real")
        let doc = try AidesTerritoiresRealCaptures.parse(AidesTerritoiresRealCaptures.dump)
        let contacts = doc.notices.compactMap { $0.buyer?.contact }
        print("aides-territoires dump: \(contacts.count)/\(doc.notices.count) aids with a contact point")
        #expect(doc.notices.count == 195)
        #expect(contacts.count >= 150 && contacts.count <= 187, "\(contacts.count) of 187 aids that give one")
        for c in contacts {
            #expect(!c.isEmpty)
            if let e = c.email { #expect(e.contains("@") && !e.contains(" "), "\(e)") }
            if let p = c.phone { #expect(p.filter(\.isNumber).count >= 10, "\(p)") }
            if let u = c.url { #expect(u.hasPrefix("http") || u.hasPrefix("www."), "\(u)") }
        }
    }
}
