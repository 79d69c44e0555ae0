import Foundation
import Notices

// Specs: https://boamp-datadila.opendatasoft.com/explore/dataset/boamp/api/ (Opendatasoft Explore v2.1: records
// and exports), and the retired DILA API `api.dila.fr/opendata/api-boamp/annonces/v230/{idweb}` (legacy).

/// BOAMP JSON: Opendatasoft API pages (`{"total_count", "results": [record]}`), export files (`[record]`),
/// Explore v1 pages (`{"nhits", "records": [{"fields": record}]}`), and the legacy DILA API notice
/// (`{"gestion": …, "donnees": …}`, epoch-millisecond dates).
///
/// A record's `donnees` member is a JSON string holding the full notice: since 31 January 2024 an eForms tree
/// in xmltodict form (`{"EFORMS": {"ContractNotice": {…}}}`), before that the French schema
/// (`{"IDENTITE": …, "OBJET": …}`). It fills what the flat fields lack (value, CPV, NUTS, buyer SIRET).
enum BOAMPJSONAdapter {
    static func matches(_ root: Any) -> Bool {
        if let d = root as? [String: Any] {
            if JSONValue.at(d, "gestion/reference/idweb") != nil { return true }
            if d["idweb"] != nil { return true }
            if let results = d["results"] as? [Any] { return results.first.map(isRecord) ?? (d["total_count"] != nil) }
            if let records = d["records"] as? [Any] {
                return records.first.map { isRecord(JSONValue.member($0, "fields") ?? $0) } ?? false
            }
            return false
        }
        if let list = root as? [Any], let first = list.first { return isRecord(first) || isLegacy(first) }
        return false
    }

    static func isRecord(_ v: Any) -> Bool { (v as? [String: Any])?["idweb"] != nil }
    static func isLegacy(_ v: Any) -> Bool { JSONValue.at(v, "gestion/reference/idweb") != nil }

    static func parse(_ root: Any, options: ParseOptions) -> ParsedDocument {
        let name = options.documentName
        var records: [Any] = []
        var paging: PagingHint?
        if let d = root as? [String: Any] {
            if let results = d["results"] as? [Any] {
                records = results
                let total = JSONValue.int(d["total_count"])
                paging = PagingHint(total: total)
                // Explore v2.1 gives no next link: derive it from the request's offset and limit.
                if let total, let limit = JSONPageSupport.query(options.baseURL, "limit") {
                    let offset = JSONPageSupport.query(options.baseURL, "offset") ?? 0
                    if offset + limit < total, offset + limit < 10_000 {
                        paging?.nextURL = JSONPageSupport.url(
                            options.baseURL, setting: "offset", to: String(offset + limit))
                    }
                }
            } else if let recs = d["records"] as? [Any] {
                records = recs.map { JSONValue.member($0, "fields") ?? $0 }
                paging = PagingHint(total: JSONValue.int(d["nhits"]))
            } else {
                records = [d]
            }
        } else if let list = root as? [Any] {
            records = list
        }
        let (notices, issues) = JSONPageSupport.notices(
            records, documentName: name,
            idKey: {
                JSONValue.string(JSONValue.member($0, "idweb"))
                    ?? JSONValue.string(JSONValue.at($0, "gestion/reference/idweb"))
            },
            build: { r in
                isLegacy(r) ? try legacyNotice(r, options: options) : try recordNotice(r, options: options)
            })
        return ParsedDocument(format: .boampJSON, notices: notices, issues: issues, paging: paging)
    }

    // MARK: - Opendatasoft records

    static func recordNotice(_ r: Any, options: ParseOptions) throws -> Notice {
        guard let idweb = FormatSupport.nonEmpty(JSONValue.string(JSONValue.member(r, "idweb"))) else {
            throw JSONPageSupport.malformed(options.documentName, nil, "boamp: record has no idweb")
        }
        let donnees = decodeDonnees(JSONValue.member(r, "donnees"))
        let eforms = JSONValue.member(donnees, "EFORMS").flatMap { e -> Any? in
            (e as? [String: Any])?.values.first
        }
        guard
            let title = FormatSupport.text(fromHTML: JSONValue.string(JSONValue.member(r, "objet")))
                ?? eforms.flatMap({
                    FormatSupport.pick(
                        JSONValue.texts(JSONValue.at($0, "ProcurementProject/Name")),
                        noticeLanguage: "FRA")
                })
                ?? FormatSupport.text(fromHTML: JSONValue.string(JSONValue.find(donnees, "TITRE_MARCHE")))
        else {
            throw JSONPageSupport.malformed(options.documentName, idweb, "boamp: record has no objet (title)")
        }
        var n = Notice(source: options.sourceID, sourceID: idweb, kind: kind(r), title: title)
        n.language = "fr"
        n.url = JSONValue.string(JSONValue.member(r, "url_avis")) ?? "https://www.boamp.fr/pages/avis/?q=idweb:\(idweb)"
        n.refs.boampIDWeb = idweb
        n.refs.eformsProcedureID = FormatSupport.nonEmpty(JSONValue.string(JSONValue.member(r, "contractfolderid")))
        n.published = FormatSupport.date(JSONValue.string(JSONValue.member(r, "dateparution")))?.instant
        // datelimitereponse comes as "…T12:00:00+00:00"; whether that is really UTC is unverified (SOURCES.md
        // §1.1), so it is kept exactly as given.
        n.deadline = FormatSupport.date(JSONValue.string(JSONValue.member(r, "datelimitereponse")), endOfDay: true)
        n.buyer = Buyer(
            name: FormatSupport.text(fromHTML: JSONValue.string(JSONValue.member(r, "nomacheteur"))),
            country: "FRA")
        n.descriptors = JSONValue.strings(JSONValue.member(r, "descripteur_code"))
        n.procedure =
            FormatSupport.nonEmpty(JSONValue.string(JSONValue.member(r, "type_procedure")))
            ?? FormatSupport.nonEmpty(JSONValue.string(JSONValue.member(r, "procedure_libelle")))
        let deps = JSONValue.strings(JSONValue.member(r, "code_departement_prestation"))
        for dep in deps.isEmpty ? JSONValue.strings(JSONValue.member(r, "code_departement")) : deps {
            FormatSupport.appendUnique(
                FormatSupport.place(nuts: nil, postcode: nil, commune: nil, departement: dep),
                to: &n.places)
        }
        if let eforms {
            fill(&n, fromEForms: eforms)
        } else if let donnees {
            fill(&n, fromFrenchSchema: donnees)
        }
        // `titulaire`: the winners' names only (no SIREN); the eForms or French tree, when it names them, also
        // gives their registration numbers and wins.
        if n.awardees.isEmpty {
            for name in JSONValue.strings(JSONValue.member(r, "titulaire")) {
                guard let name = FormatSupport.text(fromHTML: name) else { continue }
                let b = Buyer(name: name)
                if !n.awardees.contains(b) { n.awardees.append(b) }
            }
        }
        // `annonce_lie` links a corrigendum to the notice it corrects (one idweb, sometimes a list).
        if n.kind == .change {
            n.refs.changedNotice =
                JSONValue.strings(JSONValue.member(r, "annonce_lie")).lazy.compactMap(FormatSupport.nonEmpty).first
                ?? JSONValue.strings(JSONValue.member(r, "annonces_anterieures")).lazy
                    .compactMap(FormatSupport.nonEmpty).first
                ?? n.refs.changedNotice
        }
        return n
    }

    /// Winners in an eForms tree (xmltodict form), resolved as `EFormsAdapter.awardees` does: tenders that
    /// became contracts, else those of results with a winner chosen; their tendering parties' organisations.
    static func eformsAwardees(_ ext: Any?, lang: String?) -> [Buyer] {
        let result = JSONValue.member(ext, "NoticeResult")
        var winning = JSONValue.all(result, "SettledContract/LotTender/ID").compactMap { JSONValue.string($0) }
        if winning.isEmpty {
            winning = JSONValue.all(result, "LotResult")
                .filter { JSONValue.string(JSONValue.member($0, "TenderResultCode")) == "selec-w" }
                .flatMap { JSONValue.all($0, "LotTender/ID").compactMap { JSONValue.string($0) } }
        }
        let tenders = JSONValue.all(result, "LotTender")
        let parties = JSONValue.all(result, "TenderingParty")
        let orgs = JSONValue.all(ext, "Organizations/Organization").map { JSONValue.member($0, "Company") }
        var out: [Buyer] = []
        for ref in winning {
            guard let tender = tenders.first(where: { JSONValue.string(JSONValue.member($0, "ID")) == ref }),
                let partyRef = JSONValue.string(JSONValue.at(tender, "TenderingParty/ID")),
                let party = parties.first(where: { JSONValue.string(JSONValue.member($0, "ID")) == partyRef })
            else { continue }
            for orgRef in JSONValue.all(party, "Tenderer/ID").compactMap({ JSONValue.string($0) }) {
                guard
                    let org = orgs.first(where: {
                        JSONValue.string(JSONValue.at($0, "PartyIdentification/ID")) == orgRef
                    })
                else { continue }
                func field(_ path: String) -> String? {
                    FormatSupport.nonEmpty(JSONValue.string(JSONValue.at(org, path)))
                }
                let b = Buyer(
                    name: FormatSupport.text(
                        fromHTML: FormatSupport.pick(
                            JSONValue.texts(JSONValue.at(org, "PartyName/Name")), noticeLanguage: lang)),
                    id: FormatSupport.registrationNumber(field("PartyLegalEntity/CompanyID")),
                    country: field("PostalAddress/Country/IdentificationCode"),
                    nuts: field("PostalAddress/CountrySubentityCode"))
                guard b.name != nil || b.id != nil else { continue }
                if !out.contains(where: { $0.name == b.name && $0.id == b.id }) { out.append(b) }
            }
        }
        return out
    }

    static func kind(_ r: Any) -> NoticeKind {
        let etat = (JSONValue.string(JSONValue.member(r, "etat")) ?? "").uppercased()
        if etat.contains("RECTIF") || etat.contains("ANNUL") || etat.contains("MODIF") { return .change }
        let nature = (JSONValue.string(JSONValue.member(r, "nature")) ?? "").uppercased()
        let label = FrenchText.fold(JSONValue.string(JSONValue.member(r, "nature_libelle")) ?? "")
        if nature.contains("ATTRIBUTION") || label.contains("resultat") || label.contains("attribution") {
            return .award
        }
        if nature.contains("RECTIF") || nature.contains("MODIF") || label.contains("rectificatif") { return .change }
        if nature.contains("PRE") || label.contains("pre-information") || label.contains("preinformation") {
            return .priorInformation
        }
        return .tender
    }

    /// The `donnees` member: a JSON string (usually) or an already decoded object.
    static func decodeDonnees(_ v: Any?) -> Any? {
        if let s = v as? String, let data = s.data(using: .utf8) {
            return try? JSONSerialization.jsonObject(with: data)
        }
        return v as? [String: Any]
    }

    /// Fills value, CPV, places, buyer id, deadline and lots from an eForms tree in xmltodict form.
    static func fill(_ n: inout Notice, fromEForms e: Any) {
        let project = JSONValue.member(e, "ProcurementProject")
        let lang = JSONValue.string(JSONValue.member(e, "NoticeLanguageCode"))
        if n.summary == nil {
            // The eForms tree inside `donnees` is entity-encoded like the rest of BOAMP's JSON (`d&#x27;usure`).
            n.summary = FormatSupport.text(fromHTML: FormatSupport.pick(
                JSONValue.texts(JSONValue.member(project, "Description")), noticeLanguage: lang))
        }
        n.value = money(JSONValue.at(project, "RequestedTenderTotal/EstimatedOverallContractAmount")) ?? n.value
        let ext = JSONValue.at(e, "UBLExtensions/UBLExtension/ExtensionContent/EformsExtension")
        // Award notices: the notice total (BT-161) when there is no estimate.
        if n.value == nil { n.value = money(JSONValue.at(ext, "NoticeResult/TotalAmount")) }
        var cpv: [String] = []
        for path in [
            "MainCommodityClassification/ItemClassificationCode",
            "AdditionalCommodityClassification/ItemClassificationCode",
        ] {
            for c in JSONValue.all(project, path).compactMap({ FormatSupport.cpv(JSONValue.string($0)) })
            where !cpv.contains(c) { cpv.append(c) }
        }
        let lots = JSONValue.all(e, "ProcurementProjectLot")
        for lot in lots {
            for c in JSONValue.all(lot, "ProcurementProject/MainCommodityClassification/ItemClassificationCode")
                .compactMap({ FormatSupport.cpv(JSONValue.string($0)) }) where !cpv.contains(c)
            { cpv.append(c) }
        }
        if !cpv.isEmpty {
            n.cpv = cpv
            n.mainCPV = cpv[0]
        }
        n.procedure = JSONValue.string(JSONValue.at(e, "TenderingProcess/ProcedureCode")) ?? n.procedure
        n.refs.eformsProcedureID = n.refs.eformsProcedureID ?? JSONValue.string(JSONValue.member(e, "ContractFolderID"))
        if let id = JSONValue.string(JSONValue.member(e, "ID")) {
            n.refs.eformsNoticeID = JSONValue.string(JSONValue.member(e, "VersionID")).map { "\(id)-\($0)" } ?? id
        }
        var places: [Place] = []
        for loc in JSONValue.all(project, "RealizedLocation/Address")
            + lots.flatMap({
                JSONValue.all($0, "ProcurementProject/RealizedLocation/Address")
            })
        {
            FormatSupport.appendUnique(
                FormatSupport.place(
                    nuts: JSONValue.string(JSONValue.member(loc, "CountrySubentityCode")),
                    postcode: JSONValue.string(JSONValue.member(loc, "PostalZone")),
                    commune: JSONValue.string(JSONValue.member(loc, "CityName"))), to: &places)
        }
        if !places.isEmpty { n.places = places }
        n.lots = lots.compactMap { lot -> Lot? in
            guard let id = JSONValue.string(JSONValue.member(lot, "ID")),
                JSONValue.attribute(JSONValue.member(lot, "ID"), "schemeName") != "LotsGroup"
            else { return nil }
            var l = Lot(
                id: id,
                title: FormatSupport.pick(
                    JSONValue.texts(JSONValue.at(lot, "ProcurementProject/Name")),
                    noticeLanguage: lang))
            l.cpv = JSONValue.all(lot, "ProcurementProject/MainCommodityClassification/ItemClassificationCode")
                .compactMap { FormatSupport.cpv(JSONValue.string($0)) }
            l.value = money(JSONValue.at(lot, "ProcurementProject/RequestedTenderTotal/EstimatedOverallContractAmount"))
            return l
        }
        if n.deadline == nil {
            n.deadline = lots.compactMap { lot in
                FormatSupport.combine(
                    date: JSONValue.string(
                        JSONValue.at(lot, "TenderingProcess/TenderSubmissionDeadlinePeriod/EndDate")),
                    time: JSONValue.string(JSONValue.at(lot, "TenderingProcess/TenderSubmissionDeadlinePeriod/EndTime"))
                )
            }.min()
        }
        n.awardees = eformsAwardees(ext, lang: lang)
        // A change notice (BT-758); a record's `annonce_lie`, when present, is preferred over it later on.
        n.refs.changedNotice = FormatSupport.nonEmpty(
            JSONValue.string(JSONValue.at(ext, "Changes/ChangedNoticeIdentifier")))
        // Buyer's registration number: the organisation the contracting party points to.
        if let ref = JSONValue.string(JSONValue.at(e, "ContractingParty/Party/PartyIdentification/ID")) {
            for org in JSONValue.all(ext, "Organizations/Organization") {
                let company = JSONValue.member(org, "Company")
                guard JSONValue.string(JSONValue.at(company, "PartyIdentification/ID")) == ref else { continue }
                n.buyer?.id = FormatSupport.registrationNumber(
                    JSONValue.string(JSONValue.at(company, "PartyLegalEntity/CompanyID")))
                n.buyer?.nuts = JSONValue.string(JSONValue.at(company, "PostalAddress/CountrySubentityCode"))
                if n.buyer?.name == nil {
                    n.buyer?.name = FormatSupport.pick(
                        JSONValue.texts(JSONValue.at(company, "PartyName/Name")),
                        noticeLanguage: lang)
                }
            }
        }
    }

    /// An eForms amount (`{"#text": "159691.6", "@currencyID": "EUR"}`); eForms amounts exclude VAT.
    static func money(_ amount: Any?) -> Money? {
        guard let amount, let v = FormatSupport.decimal(JSONValue.string(amount)) else { return nil }
        return Money(amount: v, currency: JSONValue.attribute(amount, "currencyID") ?? "EUR", vat: "HT")
    }

    /// Fills what the French schema (`Boamp_v230.xsd` as JSON) adds: summary, CPV, value, buyer SIRET.
    static func fill(_ n: inout Notice, fromFrenchSchema d: Any) {
        if n.summary == nil {
            n.summary = FormatSupport.text(fromHTML: JSONValue.string(JSONValue.find(d, "OBJET_COMPLET")))
        }
        if let principal = FormatSupport.cpv(JSONValue.string(JSONValue.find(JSONValue.find(d, "CPV"), "PRINCIPAL"))) {
            n.mainCPV = principal
            n.cpv = [principal]
        }
        if let siret = JSONValue.string(JSONValue.find(d, "CODE_IDENT_NATIONAL")) {
            n.buyer?.id = FormatSupport.registrationNumber(siret)
        }
        if n.value == nil, let total = JSONValue.find(d, "VALEUR_TOTALE") ?? JSONValue.find(d, "VALEUR") {
            if let v = FormatSupport.decimal(JSONValue.string(total)) {
                n.value = Money(amount: v, currency: JSONValue.attribute(total, "DEVISE") ?? "EUR", vat: "HT")
            }
        }
    }

    // MARK: - Legacy DILA API

    /// The retired DILA API: lower-case keys, enumerations as keys whose value is non-null, epoch-ms dates.
    static func legacyNotice(_ r: Any, options: ParseOptions) throws -> Notice {
        guard let idweb = JSONValue.string(JSONValue.at(r, "gestion/reference/idweb")) else {
            throw JSONPageSupport.malformed(options.documentName, nil, "boamp: notice has no gestion.reference.idweb")
        }
        let donnees = JSONValue.member(r, "donnees")
        let objet = JSONValue.member(donnees, "objet").flatMap { ($0 as? [Any])?.first ?? $0 }
        guard
            let title = FormatSupport.text(fromHTML: JSONValue.string(JSONValue.member(objet, "titremarche")))
                ?? FormatSupport.text(fromHTML: JSONValue.string(JSONValue.at(r, "gestion/indexation/resumeobjet")))
                ?? FormatSupport.text(fromHTML: JSONValue.string(JSONValue.member(objet, "objetcomplet")))
        else {
            throw JSONPageSupport.malformed(options.documentName, idweb, "boamp: notice has no title")
        }
        var n = Notice(source: options.sourceID, sourceID: idweb, title: title)
        let nature = selected(JSONValue.at(r, "gestion/reference/typeavis/nature"))
        let statut = selected(JSONValue.at(r, "gestion/reference/typeavis/statut"))
        n.kind =
            statut.map { $0 != "initial" } == true
            ? .change
            : nature == "attribution"
                ? .award
                : nature == "preinformation"
                    ? .priorInformation
                    : (nature == "rectificatif" || nature == "modification") ? .change : .tender
        n.language = "fr"
        n.url = "https://www.boamp.fr/pages/avis/?q=idweb:\(idweb)"
        n.refs.boampIDWeb = idweb
        n.summary = FormatSupport.text(fromHTML: JSONValue.string(JSONValue.member(objet, "objetcomplet")))
        if n.kind == .change {
            n.refs.changedNotice = JSONValue.all(r, "gestion/marche/annonceanterieur/reference/idweb")
                .lazy.compactMap { FormatSupport.nonEmpty(JSONValue.string($0)) }.first
        }
        for t in JSONValue.all(donnees, "attribution/decision/titulaire") {
            let name = FormatSupport.text(fromHTML: JSONValue.string(JSONValue.member(t, "denomination")))
            let id = FormatSupport.registrationNumber(JSONValue.string(JSONValue.member(t, "codeidentnational")))
            guard name != nil || id != nil else { continue }
            if !n.awardees.contains(where: { $0.name == name && $0.id == id }) {
                n.awardees.append(Buyer(name: name, id: id))
            }
        }
        let ms = { (path: String) -> ZonedDate? in
            (JSONValue.at(r, path) as? NSNumber).map { FormatSupport.epochMillis($0.doubleValue) }
        }
        n.published = ms("gestion/indexation/datepublication")?.instant
        n.deadline = ms("donnees/conditiondelai/receptoffres") ?? ms("gestion/indexation/datelimitereponse")
        if let cand = ms("donnees/conditiondelai/receptcandidat") {
            if n.deadline == nil {
                n.deadline = cand
            } else {
                n.otherDeadlines.append(NamedDate(kind: .requestToParticipate, date: cand))
            }
        }
        let identite = JSONValue.member(donnees, "identite")
        n.buyer = Buyer(
            name: FormatSupport.text(fromHTML: JSONValue.string(JSONValue.member(identite, "denomination"))),
            id: JSONValue.string(JSONValue.member(identite, "codeidentnational")),
            country: "FRA",
            nuts: JSONValue.string(JSONValue.member(identite, "adjudicateurnuts")).map {
                FrenchGeography.nuts2021(fromLegacy: $0)
            })
        n.descriptors = JSONValue.all(r, "gestion/indexation/descripteurs/descripteur").compactMap {
            JSONValue.string(JSONValue.member($0, "code"))
        }
        let cpvs = JSONValue.all(objet, "cpv").flatMap { JSONValue.strings(JSONValue.member($0, "principal") ?? $0) }
        n.cpv = cpvs.compactMap(FormatSupport.cpv)
        n.mainCPV = n.cpv.first
        n.procedure = BOAMPXMLAdapter.procedure(
            selected(JSONValue.at(donnees, "procedure/typeprocedure")).map(legacyEnum))
        for lieu in JSONValue.all(objet, "lieuexeclivr") {
            for code in JSONValue.strings(JSONValue.member(lieu, "codenuts")) {
                FormatSupport.appendUnique(FormatSupport.place(nuts: code, postcode: nil, commune: nil), to: &n.places)
            }
            if let cp = JSONValue.string(JSONValue.member(lieu, "cp")) {
                FormatSupport.appendUnique(
                    FormatSupport.place(
                        nuts: nil, postcode: cp,
                        commune: JSONValue.string(JSONValue.member(lieu, "ville"))),
                    to: &n.places)
            }
        }
        if n.places.isEmpty {
            for dep in JSONValue.strings(JSONValue.at(r, "gestion/indexation/depprestation"))
                + JSONValue.strings(JSONValue.at(r, "gestion/indexation/deppublication"))
            {
                FormatSupport.appendUnique(
                    FormatSupport.place(nuts: nil, postcode: nil, commune: nil, departement: dep),
                    to: &n.places)
            }
        }
        if let total = JSONValue.at(objet, "caracteristiques/valeurtotale"), let v = FormatSupport.decimal(json: total)
        {
            n.value = Money(amount: v, currency: "EUR", vat: "HT")
        } else {
            let min = FormatSupport.decimal(json: JSONValue.at(objet, "caracteristiques/valeurmin"))
            let max = FormatSupport.decimal(json: JSONValue.at(objet, "caracteristiques/valeurmax"))
            if min != nil || max != nil { n.value = Money(currency: "EUR", min: min, max: max, vat: "HT") }
        }
        return n
    }

    /// The key of an enumeration object whose value is not null (`{"ouvert": null, "procedureadapte": "<?xml…"}`).
    static func selected(_ v: Any?) -> String? {
        guard let d = v as? [String: Any] else { return nil }
        return d.keys.sorted().first { !(d[$0] is NSNull) }
    }

    /// Legacy lower-case enumeration names → the XML element names the XML adapter maps.
    static func legacyEnum(_ s: String) -> String {
        switch s {
        case "ouvert": return "OUVERT"
        case "restreint": return "RESTREINT"
        case "procedureadapte": return "PROCEDURE_ADAPTE"
        case "dialoguecompetitif": return "DIALOGUE_COMPETITIF"
        case "negocie": return "NEGOCIE"
        case "partenariatinnovation": return "PARTENARIAT_INNOVATION"
        default: return s.uppercased()
        }
    }
}
