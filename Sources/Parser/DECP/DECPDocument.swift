import Foundation

// Specs: https://schema.data.gouv.fr/139bercy/format-commande-publique/ (DECP, arrêtés of 22/03/2019 and
// 22/12/2022); flat columns of data.economie.gouv.fr's `decp-2022-marches-valides` and of decp.info's tabular
// files (`titulaire_id_1`, `acheteur_id` / `acheteur.id`, `lieuExecution.code`…).

/// The containers DECP records come in. Records themselves are decoded one at a time (`DECPRecord`) as the
/// scanner finds them, so a national file is never held as one parsed tree.
enum DECPDocument {
    /// Key paths of the record arrays: `{"marches": {"marche": […]}}` (format 2022), `{"marches": […]}` (2019
    /// and decp-rama), `{"records": […]}` (a capture of ODS records), `{"results": […]}` (Opendatasoft
    /// Explore v2.1 pages of `decp-2022-marches-valides`).
    static let recordPaths: Set<[String]> = [["marches", "marche"], ["marches"], ["records"], ["results"]]
}

/// One awarded contract (marché or concession), whatever the container: nested (2019 and 2022 JSON) or flat
/// (ODS records, decp.info CSV). Values are kept as the source wrote them; the adapter interprets them.
struct DECPRecord: Decodable, Sendable {
    /// The contract id, unique per buyer only (`2026T06966`, `26S`).
    var id: String?
    /// `uid` of the consolidated files (buyer SIRET + id) when present.
    var uid: String?
    var buyerID: String?
    var buyerName: String?
    var nature: String?
    var object: String?
    /// CPV with check digit (`45316110-9`) or without (`45314000`).
    var cpv: String?
    var procedure: String?
    /// `lieuExecution.code` and `.typeCode` (« Code postal », « Code département », « Code commune », « Code
    /// région », « Code arrondissement », « Code pays »…) and `.nom`.
    var placeCode: String?
    var placeType: String?
    var placeName: String?
    var notificationDate: String?
    var publicationDate: String?
    /// Amount excluding VAT (schema definition of `montant`).
    var amount: String?
    var awardees: [Awardee]
    /// Number of modifications recorded on the contract.
    var modificationCount: Int

    /// A winner: `typeIdentifiant` (SIRET, TVA, TAHITI, HORS-UE…), `id`, and the name in the 2019 format.
    struct Awardee: Sendable, Hashable {
        var idType: String?
        var id: String?
        var name: String?
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        if c.contains(AnyCodingKey(stringValue: "acheteur")) || c.contains(AnyCodingKey(stringValue: "titulaires")) {
            try self.init(nested: c)
        } else {
            try self.init(flat: c)
        }
    }

    /// `{"id", "acheteur": {"id", "nom"}, "lieuExecution": {…}, "titulaires": [{"titulaire": {…}}] | [{…}]}`.
    private init(nested c: KeyedDecodingContainer<AnyCodingKey>) throws {
        func key(_ s: String) -> AnyCodingKey { AnyCodingKey(stringValue: s) }
        func text(_ s: String) throws -> String? { try c.decodeIfPresent(LenientString.self, forKey: key(s))?.value }
        id = try text("id")
        uid = try text("uid")
        let buyer = try c.decodeIfPresent([String: LenientString?].self, forKey: key("acheteur"))
        let flatBuyerID = try text("acheteur.id")
        buyerID = buyer?["id"]??.value ?? flatBuyerID
        buyerName = buyer?["nom"]??.value
        nature = try text("nature")
        object = try text("objet")
        cpv = try text("codeCPV")
        procedure = try text("procedure")
        let place = try c.decodeIfPresent([String: LenientString?].self, forKey: key("lieuExecution"))
        placeCode = place?["code"]??.value
        placeType = place?["typeCode"]??.value
        placeName = place?["nom"]??.value
        notificationDate = try text("dateNotification")
        publicationDate = try text("datePublicationDonnees")
        amount = try text("montant")
        var winners: [Awardee] = []
        for entry in try c.decodeIfPresent([TitulaireEntry].self, forKey: key("titulaires")) ?? [] {
            winners += entry.awardees
        }
        awardees = winners
        modificationCount = try c.decodeIfPresent([Skipped].self, forKey: key("modifications"))?.count ?? 0
    }

    /// Flat columns, lower case (ODS: `acheteur_id`, `lieuexecution_code`, `titulaire_id_1`) or camel case with
    /// dots (decp.info: `acheteur.id`, `lieuExecution.code`, `titulaire_id_1`): keys are compared folded.
    private init(flat c: KeyedDecodingContainer<AnyCodingKey>) throws {
        var columns: [String: String] = [:]
        for k in c.allKeys {
            // Only scalar columns carry DECP values; Opendatasoft adds structured ones (geo points, facets)
            // that no field here reads, so a non-scalar is passed over rather than failing the record.
            guard let v = try? c.decodeIfPresent(LenientString.self, forKey: k) else { continue }
            columns[Self.fold(k.stringValue)] = v.value
        }
        self.init(columns: columns)
    }

    /// A record from flat columns whose names are already folded (`DECPRecord.fold`).
    init(columns: [String: String]) {
        func v(_ name: String) -> String? { DECPRecord.value(columns[name]) }
        id = v("id")
        uid = v("uid")
        buyerID = v("acheteurid")
        buyerName = v("acheteurnom")
        nature = v("nature")
        object = v("objet")
        cpv = v("codecpv")
        procedure = v("procedure")
        placeCode = v("lieuexecutioncode")
        placeType = v("lieuexecutiontypecode")
        placeName = v("lieuexecutionnom")
        notificationDate = v("datenotification")
        publicationDate = v("datepublicationdonnees")
        amount = v("montant")
        var winners: [Awardee] = []
        var i = 1
        // Flat files spread winners over numbered columns (three in `decp-2022-marches-valides`).
        while columns.keys.contains("titulaireid\(i)") || columns.keys.contains("titulairedenominationsociale\(i)") {
            let w = Awardee(
                idType: v("titulairetypeidentifiant\(i)"), id: v("titulaireid\(i)"),
                name: v("titulairedenominationsociale\(i)"))
            if w.id != nil || w.name != nil { winners.append(w) }
            i += 1
        }
        awardees = winners
        modificationCount = 0
    }

    /// Column name folded: lower case, without `.` and `_` (`lieuExecution.code` = `lieuexecution_code`).
    static func fold(_ name: String) -> String {
        String(name.lowercased().filter { $0 != "." && $0 != "_" && $0 != " " && $0 != "\u{FEFF}" })
    }

    /// A flat value, nil for the placeholders producers write for « no value »: `CDL` (decp-2022-marches-valides
    /// and decp.info fill every empty cell of a multi-valued column with it), `MQ` (missing), `NC`, empty, `nan`.
    static func value(_ s: String?) -> String? {
        guard let s = FormatSupport.nonEmpty(s) else { return nil }
        switch s {
        case "CDL", "MQ", "NC", "nan", "NaN", "None", "null": return nil
        default: return s
        }
    }

    /// One element of `titulaires`: `{"titulaire": {…}}` (2022), `{…}` (2019), or a list of either.
    private struct TitulaireEntry: Decodable {
        var awardees: [Awardee]

        init(from decoder: any Decoder) throws {
            if var list = try? decoder.unkeyedContainer() {
                var out: [Awardee] = []
                while !list.isAtEnd { out += try list.decode(TitulaireEntry.self).awardees }
                awardees = out
                return
            }
            let c = try decoder.container(keyedBy: AnyCodingKey.self)
            if c.contains(AnyCodingKey(stringValue: "titulaire")) {
                awardees = try c.decode(TitulaireEntry.self, forKey: AnyCodingKey(stringValue: "titulaire")).awardees
                return
            }
            func text(_ s: String) throws -> String? {
                DECPRecord.value(try c.decodeIfPresent(LenientString.self, forKey: AnyCodingKey(stringValue: s))?.value)
            }
            let w = Awardee(
                idType: try text("typeIdentifiant"), id: try text("id"), name: try text("denominationSociale"))
            awardees = w.id == nil && w.name == nil ? [] : [w]
        }
    }

    /// Any JSON value, counted and not kept.
    private struct Skipped: Decodable {
        init(from decoder: any Decoder) throws {}
    }
}
