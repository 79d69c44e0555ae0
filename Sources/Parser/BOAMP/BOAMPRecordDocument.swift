import Foundation

// Specs: https://boamp-datadila.opendatasoft.com/explore/dataset/boamp/information/ (the dataset's fields) and
// https://echanges.dila.gouv.fr/OPENDATA/BOAMP/ (schema `jo_boamp_opendata_v3.2.5.1`, whose national forms
// `FNSimple` and `MAPA` the `donnees` member carries as JSON). Field names below are the API's own; only what
// Vigie reads is declared, every other member is ignored.

/// One record of the Opendatasoft BOAMP dataset (Explore v2.1 `results[]`, export files, Explore v1
/// `records[].fields`).
///
/// The flat columns are BOAMP's index of the notice; the notice itself is in `donnees`, a JSON **string**
/// holding an eForms UBL tree in xmltodict form (`{"EFORMS": {"ContractNotice": …}}`, European notices) or a
/// national form (`{"FNSimple": …}` for 90 k€ – EU thresholds, `{"MAPA": …}` below 90 k€), and in older
/// records the `Boamp_v230.xsd` tree (`{"IDENTITE": …, "OBJET": …}`). `gestion` is also a JSON string.
///
/// Every scalar is read leniently (`BOAMPText`): xmltodict turns any element into a string, a `{"#text": …}`
/// object or, repeated, a list — a record must never fail because one member changed shape.
struct BOAMPRecordDocument: Decodable {
    /// Notice number on boamp.fr (`26-7298`): the record's identity.
    var idweb: BOAMPText?
    /// Title as boamp.fr shows it (`objet`), HTML-entity encoded in some records.
    var objet: BOAMPText?
    /// eForms BT-04 procedure identifier (European notices only).
    var contractfolderid: BOAMPText?
    /// `JOUE` (European), `FNS` (national 90 k€ – thresholds), `MAPA` (below 90 k€).
    var famille: BOAMPText?
    /// Départements where the notice is **published** (["52"] … nine of them for one job in the 52).
    var codeDepartement: BOAMPList<BOAMPText>?
    /// Départements of performance, when BOAMP indexes them (null in the 2026 captures).
    var codeDepartementPrestation: BOAMPList<BOAMPText>?
    /// Publication day (`2026-01-21`).
    var dateparution: BOAMPText?
    /// Response deadline: FNSimple records hold Paris wall-clock time labelled `+00:00` (26-7298:
    /// `2026-02-16T12:00:00+00:00` for a `donnees` deadline of `2026-02-16T12:00:00.000+01:00`).
    var datelimitereponse: BOAMPText?
    /// Buyer's name as indexed (`NOMORGANISME`).
    var nomacheteur: BOAMPText?
    /// Winners' names, without registration numbers.
    var titulaire: BOAMPList<BOAMPText>?
    var typeProcedure: BOAMPText?
    var procedureLibelle: BOAMPText?
    /// `APPEL_OFFRE`, `ATTRIBUTION`, `RECTIFICATIF`, `PRE-INFORMATION`…
    var nature: BOAMPText?
    var natureLibelle: BOAMPText?
    /// `INITIAL`, `RECTIFICATIF`, `ANNULATION`…
    var etat: BOAMPText?
    var descripteurCode: BOAMPList<BOAMPText>?
    /// The notice(s) this one follows (initial notice of an award, notice a corrigendum corrects).
    var annonceLie: BOAMPList<BOAMPText>?
    var annoncesAnterieures: BOAMPList<BOAMPText>?
    var urlAvis: BOAMPText?
    /// BOAMP's management block (`GESTION` of the XML), a JSON string in the API.
    var gestion: BOAMPEmbedded<BOAMPGestion>?
    /// The national form when `donnees` holds one; eForms and `Boamp_v230` trees are read untyped (see
    /// `BOAMPRecordParser`), since their shape is the free-form xmltodict rendering of XML.
    var donnees: BOAMPEmbedded<BOAMPNationalForm>?

    enum CodingKeys: String, CodingKey {
        case idweb, objet, contractfolderid, famille, dateparution, datelimitereponse, nomacheteur, titulaire
        case nature, etat, gestion, donnees
        case codeDepartement = "code_departement"
        case codeDepartementPrestation = "code_departement_prestation"
        case typeProcedure = "type_procedure"
        case procedureLibelle = "procedure_libelle"
        case natureLibelle = "nature_libelle"
        case descripteurCode = "descripteur_code"
        case annonceLie = "annonce_lie"
        case annoncesAnterieures = "annonces_anterieures"
        case urlAvis = "url_avis"
    }
}

/// `gestion`: reference and index of the notice.
struct BOAMPGestion: Decodable {
    struct Indexation: Decodable {
        /// The deadline boamp.fr shows: Paris time, with (`…T12:00:00.000+01:00`) or without
        /// (`2026-02-27T12:00:00`) an offset.
        var DATE_LIMITE_REPONSE: BOAMPText?
        var DATE_PUBLICATION: BOAMPText?
        var NOMORGANISME: BOAMPText?
        var RESUME_OBJET: BOAMPText?
        /// Départements of publication (a string, or a list when several).
        var DEP_PUBLICATION: BOAMPList<BOAMPText>?
    }
    var INDEXATION: Indexation?
}

/// The national forms `donnees` may hold; exactly one is present.
struct BOAMPNationalForm: Decodable {
    var FNSimple: BOAMPFNSimple?
    var MAPA: BOAMPMAPA?
}

/// `FNSimple`: the simplified national form (procedures between 90 k€ and the EU thresholds), as an initial
/// notice (`initial`) or a result (`attribution`).
struct BOAMPFNSimple: Decodable {
    struct Organisme: Decodable {
        var nomOfficiel: BOAMPText?
        /// `{"siret": ""}` when `codeIdentificationNational` is a SIRET.
        var typeIdentificationNational: BOAMPChoice?
        var codeIdentificationNational: BOAMPText?
        var ville: BOAMPText?
        var cp: BOAMPText?
    }
    struct Communication: Decodable {
        /// Where the consultation documents are (the buyer's platform).
        var urlDocConsul: BOAMPText?
        /// The buyer profile; some buyers put the consultation's own link here (26-7113).
        var urlProfilAch: BOAMPText?
        var identifiantInterne: BOAMPText?
        /// Who answers questions: a person or an office (26-7298 "SERVICE-ACHATS", 26-7319 "Justinien
        /// Belabbas-Weil"), with an address and a telephone number when the buyer gives them.
        var nomContact: BOAMPText?
        var adresseMailContact: BOAMPText?
        var telContact: BOAMPText?
    }
    struct Procedure: Decodable {
        /// Deadline for tenders: with an offset (`2026-02-16T12:00:00.000+01:00`) or Paris wall-clock time.
        var dateReceptionOffres: BOAMPText?
    }
    struct CodeCPV: Decodable {
        struct Objet: Decodable { var classPrincipale: BOAMPText? }
        var objetPrincipal: Objet?
    }
    struct NatureMarche: Decodable {
        var intitule: BOAMPText?
        var codeCPV: CodeCPV?
        /// `{"travaux": ""}`, `{"services": ""}`, `{"fournitures": ""}`.
        var natureMarche: BOAMPChoice?
        var description: BOAMPText?
        /// Place of performance in words: `(59) Nord`, `Normandie`, `Argonay (74)`, a street address.
        var lieuExecution: BOAMPText?
        var valeurEstimee: BOAMPAmount?
        var dureeMois: BOAMPText?
    }
    struct Lot: Decodable {
        var intitule: BOAMPText?
        /// The lot in the buyer's words; the form has no separate lot title or number in the captures.
        var description: BOAMPText?
        var codeCPV: CodeCPV?
        /// A `0.00` estimate is a placeholder (26-7319), not a value.
        var estimationValeur: BOAMPAmount?
        var lieuExecutionLivraison: BOAMPText?
    }
    struct Lots: Decodable { var lot: BOAMPList<Lot>? }
    struct Initial: Decodable {
        var communication: Communication?
        var procedure: Procedure?
        var natureMarche: NatureMarche?
        var lots: Lots?
    }
    struct Attribution: Decodable {
        var natureMarche: NatureMarche?
        /// The result in free text, as boamp.fr prints it: "Lot 1 : … Attribution : attribué à 1 entreprise(s)
        /// - GRAGLIA BTP (43293695300012) Notifié le 05/06/2026 Montant : 213400.41 euros  Lot 2 : …".
        var attributionMarche: BOAMPText?
    }
    var organisme: Organisme?
    var initial: Initial?
    var attribution: Attribution?
}

/// `MAPA`: the national form for contracts below 90 k€ (adapted procedures).
struct BOAMPMAPA: Decodable {
    struct Address: Decodable {
        var cp: BOAMPText?
        var ville: BOAMPText?
    }
    /// `correspondantPRM`: the buyer's correspondent (26-80528: civilite "M", nom "Départemetn Achats et
    /// Marchés", pren "Service Juridique et Marchés": an office written in a person's fields).
    struct Person: Decodable {
        var civilite: BOAMPText?
        var nom: BOAMPText?
        var pren: BOAMPText?
        var fonc: BOAMPText?
    }
    /// `coord`: means of contact (the buyer's: only `mel` in 26-80528; a winner's: tel, fax, mel, url).
    struct Coordinates: Decodable {
        var tel: BOAMPText?
        var mel: BOAMPText?
        var url: BOAMPText?
    }
    struct Organisme: Decodable {
        var acheteurPublic: BOAMPText?
        var codeIdentificationNational: BOAMPText?
        var correspondantPRM: Person?
        var adr: Address?
        var coord: Coordinates?
        var urlProfilAcheteur: BOAMPText?
    }
    struct Titulaire: Decodable {
        /// The winner's name when it is a company or a group of firms.
        var PersonneMorale: BOAMPText?
        var codeIdentificationNational: BOAMPText?
    }
    struct Attribue: Decodable {
        var titulaire: BOAMPList<Titulaire>?
        /// Awarded amount (`{"@devise": "EUR", "valeur": "102193"}`).
        var montant: BOAMPAmount?
    }
    struct Resultat: Decodable { var attribue: BOAMPList<Attribue>? }
    struct Decision: Decodable { var resultat: Resultat? }
    struct AutresInformations: Decodable {
        var dateAttribution: BOAMPText?
        var valeurTotaleEstimee: BOAMPAmount?
    }
    struct AvisInitial: Decodable { var idWeb: BOAMPText? }
    struct DescriptionReduite: Decodable { var objet: BOAMPText? }
    struct Attribution: Decodable {
        var avisInitial: AvisInitial?
        var descriptionReduite: DescriptionReduite?
        var attribution: Decision?
        var autresInformations: AutresInformations?
    }
    struct Delais: Decodable { var receptionOffres: BOAMPText? }
    struct Initial: Decodable { var delais: Delais? }
    var organisme: Organisme?
    var initial: Initial?
    var attribution: Attribution?
}

/// An amount of the national forms: `{"@devise": "EUR", "valeur": "89999"}` or a range
/// `{"@devise": "EUR", "fourchette": {"valeurBasse": "1", "valeurHaute": "75000"}}` (26-7308).
struct BOAMPAmount: Decodable {
    struct Range: Decodable {
        var valeurBasse: BOAMPText?
        var valeurHaute: BOAMPText?
    }
    var devise: BOAMPText?
    var valeur: BOAMPText?
    var fourchette: Range?

    enum CodingKeys: String, CodingKey {
        case devise = "@devise"
        case valeur, fourchette
    }
}

// MARK: - Lenient building blocks for xmltodict JSON

/// A scalar as xmltodict writes it: a string, a number, or an element object with `#text`. Anything else
/// (an element with only attributes, a list) reads as no text, never as an error.
struct BOAMPText: Decodable {
    var value: String?

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let s = try? c.decode(String.self) {
            value = s
        } else if let d = try? c.decode(Decimal.self) {
            value = "\(d)"
        } else if let o = try? c.decode([String: BOAMPText].self) {
            value = o["#text"]?.value
        } else if let list = try? c.decode([BOAMPText].self) {
            value = list.lazy.compactMap(\.value).first
        } else {
            value = nil
        }
    }
}

/// One element or a list of them (xmltodict: an element seen once is an object, several times a list); a
/// member that decodes as neither is an empty list.
struct BOAMPList<Element: Decodable>: Decodable {
    var items: [Element]

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            items = []
        } else if let list = try? c.decode([Element].self) {
            items = list
        } else if let one = try? c.decode(Element.self) {
            items = [one]
        } else {
            items = []
        }
    }
}

/// An XML choice rendered by xmltodict: the chosen element's name is the key (`{"siret": ""}`,
/// `{"travaux": ""}`, `{"oui": {"@xsi:type": "xs:string"}}`).
struct BOAMPChoice: Decodable {
    var keys: [String]

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        if let c = try? decoder.container(keyedBy: AnyKey.self) {
            keys = c.allKeys.map(\.stringValue).sorted()
        } else {
            keys = []
        }
    }
}

/// A member holding JSON either as a string (what the API sends for `donnees` and `gestion`) or directly as
/// an object (some exports). A string that does not decode gives `value == nil` and says why in `failure`, so
/// the record still parses and the parser reports the loss.
struct BOAMPEmbedded<Value: Decodable>: Decodable {
    var value: Value?
    var failure: String?

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        do {
            if c.decodeNil() { return }
            if let s = try? c.decode(String.self) {
                value = try JSONDecoder().decode(Value.self, from: Data(s.utf8))
            } else {
                value = try c.decode(Value.self)
            }
        } catch {
            failure = "\(error)"
        }
    }
}
