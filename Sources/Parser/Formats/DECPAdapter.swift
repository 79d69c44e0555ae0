import Foundation
import Notices

// Specs: https://schema.data.gouv.fr/139bercy/format-commande-publique/ (DECP, arrêtés of 2019 and 22/12/2022).

/// DECP consolidated award data: `{"marches": {"marche": [...]}}` (2022 schema) or `{"marches": [...]}` (2019).
///
/// Each record is an awarded contract: buyer SIRET, object, CPV with check digit (`45316110-9`), amount
/// excluding VAT, place as a postcode, département, INSEE commune or NUTS code, and the winners.
enum DECPAdapter {
    static func matches(_ root: Any) -> Bool {
        guard let d = root as? [String: Any], let m = d["marches"] else { return false }
        return m is [Any] || JSONValue.member(m, "marche") != nil
    }

    static func parse(_ root: Any, options: ParseOptions) -> ParsedDocument {
        let m = (root as? [String: Any])?["marches"]
        let records = (m as? [Any]) ?? (JSONValue.member(m, "marche") as? [Any]) ?? []
        let (notices, issues) = JSONPageSupport.notices(
            records, documentName: options.documentName,
            idKey: { JSONValue.string(JSONValue.member($0, "uid")) ?? JSONValue.string(JSONValue.member($0, "id")) },
            build: { try notice($0, options: options) })
        return ParsedDocument(format: .decpJSON, notices: notices, issues: issues)
    }

    static func notice(_ r: Any, options: ParseOptions) throws -> Notice {
        let buyerID =
            JSONValue.string(JSONValue.at(r, "acheteur/id")) ?? JSONValue.string(JSONValue.member(r, "acheteur.id"))
        guard let id = JSONValue.string(JSONValue.member(r, "id")) else {
            throw JSONPageSupport.malformed(
                options.documentName, JSONValue.string(JSONValue.member(r, "uid")),
                "decp: contract has no id")
        }
        // A contract id is unique per buyer only: uid = buyer SIRET + id (as the consolidated files build it).
        let uid = JSONValue.string(JSONValue.member(r, "uid")) ?? (buyerID.map { $0 + id } ?? id)
        guard let title = FormatSupport.nonEmpty(JSONValue.string(JSONValue.member(r, "objet"))) else {
            throw JSONPageSupport.malformed(options.documentName, uid, "decp: contract has no objet")
        }
        var n = Notice(source: options.sourceID, sourceID: uid, kind: .award, title: title)
        n.language = "fr"
        n.buyer = Buyer(name: JSONValue.string(JSONValue.at(r, "acheteur/nom")), id: buyerID, country: "FRA")
        n.procedure = JSONValue.string(JSONValue.member(r, "procedure"))
        n.published = FormatSupport.date(JSONValue.string(JSONValue.member(r, "datePublicationDonnees")))?.instant
        if let notified = FormatSupport.date(JSONValue.string(JSONValue.member(r, "dateNotification"))) {
            n.otherDeadlines.append(NamedDate(kind: .notification, date: notified))
        }
        if let cpv = FormatSupport.cpv(JSONValue.string(JSONValue.member(r, "codeCPV"))) {
            n.mainCPV = cpv
            n.cpv = [cpv]
        }
        if let amount = FormatSupport.decimal(json: JSONValue.member(r, "montant")) {
            // DECP amounts are "hors taxes" by the schema's definition of `montant`.
            n.value = Money(amount: amount, currency: "EUR", vat: "HT")
        }
        if let place = place(JSONValue.member(r, "lieuExecution")) { n.places = [place] }
        n.awardees = awardees(r)
        let modifications = JSONValue.all(r, "modifications")
        if !modifications.isEmpty { n.version = String(modifications.count) }
        return n
    }

    /// `titulaires`: `[{"titulaire": {"typeIdentifiant": "SIRET", "id": "…", "denominationSociale": "…"}}]` (2022)
    /// or `[{"typeIdentifiant", "id", "denominationSociale"}]` (2019); one awardee per distinct name and id.
    static func awardees(_ r: Any) -> [Buyer] {
        var out: [Buyer] = []
        let entries = JSONValue.all(r, "titulaires").map { JSONValue.member($0, "titulaire") ?? $0 }
            .flatMap { ($0 as? [Any]) ?? [$0] }
        for t in entries {
            let name = FormatSupport.nonEmpty(JSONValue.string(JSONValue.member(t, "denominationSociale")))
            let id = FormatSupport.nonEmpty(JSONValue.string(JSONValue.member(t, "id")))
            guard name != nil || id != nil else { continue }
            let b = Buyer(name: name, id: id)
            if !out.contains(b) { out.append(b) }
        }
        return out
    }

    /// `lieuExecution`: `{"code": "97430", "typeCode": "Code postal"}` (or département, INSEE commune, NUTS).
    static func place(_ v: Any?) -> Place? {
        guard let code = FormatSupport.nonEmpty(JSONValue.string(JSONValue.member(v, "code"))) else { return nil }
        let type = FrenchText.fold(JSONValue.string(JSONValue.member(v, "typeCode")) ?? "")
        if type.contains("postal") { return FormatSupport.place(nuts: nil, postcode: code, commune: nil) }
        if type.contains("departement") {
            return FormatSupport.place(nuts: nil, postcode: nil, commune: nil, departement: code)
        }
        if type.contains("commune") {
            // INSEE commune codes start with the département (2A/2B for Corsica, three digits overseas).
            let dep = code.hasPrefix("97") ? String(code.prefix(3)) : String(code.prefix(2))
            return FormatSupport.place(nuts: nil, postcode: nil, commune: nil, departement: dep)
        }
        if type.contains("nuts") { return FormatSupport.place(nuts: code, postcode: nil, commune: nil) }
        return nil
    }
}
