import Foundation
import Notices

// Specs: https://boamp-datadila.opendatasoft.com/explore/dataset/boamp/api/ (Opendatasoft Explore v2.1: records
// and exports), and the retired DILA API `api.dila.fr/opendata/api-boamp/annonces/v230/{idweb}` (legacy).

/// BOAMP JSON: Opendatasoft API pages (`{"total_count", "results": [record]}`), export files (`[record]`),
/// Explore v1 pages (`{"nhits", "records": [{"fields": record}]}`), and the legacy DILA API notice
/// (`{"gestion": …, "donnees": …}`, epoch-millisecond dates).
///
/// Opendatasoft records are read by `BOAMPRecordParser` into `BOAMPRecordDocument` and turned into notices by
/// `BOAMPRecordAdapter`; the legacy notice is read here.
enum BOAMPJSONAdapter {
    static func matches(_ root: Any) -> Bool {
        if let d = root as? [String: Any] {
            if JSONValue.at(d, "gestion/reference/idweb") != nil { return true }
            if d["idweb"] != nil { return true }
            // Any of the first records decides, not only the first: one record without its idweb must not hide
            // its whole page.
            if let results = d["results"] as? [Any] {
                if results.isEmpty { return d["total_count"] != nil }
                return results.prefix(JSONPageSupport.recordsJudged).contains(where: isRecord)
            }
            if let records = d["records"] as? [Any] {
                return records.prefix(JSONPageSupport.recordsJudged).contains {
                    isRecord(JSONValue.member($0, "fields") ?? $0)
                }
            }
            return false
        }
        if let list = root as? [Any] {
            return list.prefix(JSONPageSupport.recordsJudged).contains { isRecord($0) || isLegacy($0) }
        }
        return false
    }

    static func isRecord(_ v: Any) -> Bool { (v as? [String: Any])?["idweb"] != nil }
    static func isLegacy(_ v: Any) -> Bool { JSONValue.at(v, "gestion/reference/idweb") != nil }

    static func parse(_ root: Any, options: ParseOptions) -> ParsedDocument {
        let name = options.documentName
        // The retired DILA API answers with one notice (`{"gestion": {"reference": …}, "donnees": …}`) or a list.
        let list = (root as? [Any])?.prefix(JSONPageSupport.recordsJudged)
        if isLegacy(root) || (list?.contains(where: isLegacy) ?? false) {
            let (notices, issues) = JSONPageSupport.notices(
                (root as? [Any]) ?? [root], documentName: name,
                idKey: { JSONValue.string(JSONValue.at($0, "gestion/reference/idweb")) },
                build: { try legacyNotice($0, options: options) })
            return ParsedDocument(format: .boampJSON, notices: notices, issues: issues)
        }
        let records = BOAMPRecordParser.records(in: root)
        var problems: [ParseIssue] = []
        var (notices, issues) = JSONPageSupport.notices(
            records, documentName: name,
            idKey: { JSONValue.string(JSONValue.member($0, "idweb")) ?? JSONValue.string(JSONValue.member($0, "id")) },
            build: { raw in
                let record = try BOAMPRecordParser.record(raw)
                let notice = try BOAMPRecordAdapter.notice(record, options: options)
                for p in record.problems {
                    problems.append(ParseIssue(file: name, noticeID: notice.sourceID, message: p))
                }
                return notice
            })
        issues += problems
        return ParsedDocument(format: .boampJSON, notices: notices, issues: issues)
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
            n.refs.changedNotice =
                JSONValue.all(r, "gestion/marche/annonceanterieur/reference/idweb")
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
        let identite = JSONValue.member(donnees, "identite")
        func field(_ key: String) -> String? {
            FormatSupport.text(fromHTML: JSONValue.string(JSONValue.member(identite, key)))
        }
        let ms = { (path: String) -> ZonedDate? in
            (JSONValue.at(r, path) as? NSNumber).map { FormatSupport.epochMillis($0.doubleValue) }
        }
        n.published = ms("gestion/indexation/datepublication")?.instant
        n.deadline = ms("donnees/conditiondelai/receptoffres") ?? ms("gestion/indexation/datelimitereponse")
        if let cand = ms("donnees/conditiondelai/receptcandidat") {
            if n.deadline == nil {
                n.deadline = cand
                n.deadlineKind = .requestToParticipate
            } else {
                n.otherDeadlines.append(NamedDate(kind: .requestToParticipate, date: cand))
            }
        }
        n.buyer = Buyer(
            name: FormatSupport.text(fromHTML: JSONValue.string(JSONValue.member(identite, "denomination"))),
            id: JSONValue.string(JSONValue.member(identite, "codeidentnational")),
            country: "FRA",
            nuts: JSONValue.string(JSONValue.member(identite, "adjudicateurnuts")).map {
                FrenchGeography.nuts2021(fromLegacy: $0)
            },
            // The schema v230 IDENTITE in lower case (20-152081: correspondant "Monsieur le Maire", contact null).
            contact: FormatSupport.contact(
                name: field("contact") ?? field("correspondant"), email: field("mel"), phone: field("tel"),
                url: field("urlprofilacheteur") ?? field("url")))
        n.documentsURL = field("urldocument")
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
            } else if let words = FormatSupport.nonEmpty(JSONValue.string(JSONValue.member(lieu, "adresse"))),
                let town = JSONValue.string(JSONValue.member(identite, "ville")),
                let cp = JSONValue.string(JSONValue.member(identite, "cp")),
                sameTown(words, town)
            {
                // 20-152081 names the place of work only in words ("berre l'étang"): when that is the buyer's own
                // town (identite "Berre-l'etang", 13130), the buyer's postcode locates it.
                FormatSupport.appendUnique(FormatSupport.place(nuts: nil, postcode: cp, commune: words), to: &n.places)
            }
        }
        if n.places.isEmpty {
            for dep in JSONValue.strings(JSONValue.at(r, "gestion/indexation/depprestation")) {
                FormatSupport.appendUnique(
                    FormatSupport.place(nuts: nil, postcode: nil, commune: nil, departement: dep),
                    to: &n.places)
            }
        }
        // `deppublication`: where the notice is published, not where the work is.
        for dep in JSONValue.strings(JSONValue.at(r, "gestion/indexation/deppublication")) {
            let code = FrenchGeography.departement(code: dep)?.code ?? dep
            if !n.publicationDepartements.contains(code) { n.publicationDepartements.append(code) }
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

    /// Whether two spellings name the same town ("berre l'étang", "Berre-l'etang"): accents, case, hyphens and
    /// spaces aside.
    static func sameTown(_ a: String, _ b: String) -> Bool {
        func key(_ s: String) -> String { FrenchText.foldName(s).filter { $0.isLetter } }
        return !key(a).isEmpty && key(a) == key(b)
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
