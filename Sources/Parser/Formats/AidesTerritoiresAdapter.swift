import Foundation
import Notices

// Specs: https://aides-territoires.beta.gouv.fr/api/ (GET /api/aids/, paged {count, next, previous, results}).

/// Aides-territoires API pages: aids and calls for projects for local authorities and businesses.
///
/// Texts are HTML (`description`, `eligibility`); labels are French ("Entreprises privées", "Subvention");
/// dates are `YYYY-MM-DD`; `url` is relative to the site.
enum AidesTerritoiresAdapter {
    static let site = "https://aides-territoires.beta.gouv.fr"

    static func matches(_ root: Any) -> Bool {
        let records: [Any]
        if let d = root as? [String: Any], let r = d["results"] as? [Any] {
            records = r
        } else if let l = root as? [Any] {
            records = l
        } else {
            return false
        }
        guard let first = records.first as? [String: Any] else {
            // An empty page still has the Django REST paging keys: {"count": 0, "next": null, "previous": null}.
            let d = root as? [String: Any]
            return d?["count"] != nil && d?.keys.contains("previous") == true
        }
        return first["submission_deadline"] != nil || first["is_call_for_project"] != nil || first["financers"] != nil
    }

    static func parse(_ root: Any, options: ParseOptions) -> ParsedDocument {
        let d = root as? [String: Any]
        let records = d?["results"] as? [Any] ?? root as? [Any] ?? []
        var paging: PagingHint?
        if let d {
            paging = PagingHint(nextURL: JSONValue.string(d["next"]), total: JSONValue.int(d["count"]))
        }
        let (notices, issues) = JSONPageSupport.notices(
            records, documentName: options.documentName,
            idKey: { JSONValue.string(JSONValue.member($0, "id")) ?? JSONValue.string(JSONValue.member($0, "slug")) },
            build: { try notice($0, options: options) })
        return ParsedDocument(format: .aidesTerritoiresJSON, notices: notices, issues: issues, paging: paging)
    }

    static func notice(_ r: Any, options: ParseOptions) throws -> Notice {
        guard let id = JSONValue.string(JSONValue.member(r, "id")) ?? JSONValue.string(JSONValue.member(r, "slug"))
        else {
            throw JSONPageSupport.malformed(options.documentName, nil, "aides-territoires: aid has no id")
        }
        guard
            let title = FormatSupport.nonEmpty(JSONValue.string(JSONValue.member(r, "name")))
                ?? FormatSupport.nonEmpty(JSONValue.string(JSONValue.member(r, "short_title")))
        else {
            throw JSONPageSupport.malformed(options.documentName, id, "aides-territoires: aid has no name")
        }
        var n = Notice(source: options.sourceID, sourceID: id, kind: .callForProjects, title: title)
        n.language = "fr"
        let description = FormatSupport.text(fromHTML: JSONValue.string(JSONValue.member(r, "description")))
        let eligibility = FormatSupport.text(fromHTML: JSONValue.string(JSONValue.member(r, "eligibility")))
        n.summary = description
        n.content = [description, eligibility.map { "Éligibilité : " + $0 }].compactMap { $0 }.joined(separator: "\n")
        if n.content?.isEmpty == true { n.content = nil }
        if let url = JSONValue.string(JSONValue.member(r, "url")) {
            n.url = URLResolver.resolve(url, against: site + "/")
        }
        n.published =
            FormatSupport.date(
                JSONValue.string(JSONValue.member(r, "date_published"))
                    ?? JSONValue.string(JSONValue.member(r, "date_created")))?.instant
        n.updated = FormatSupport.date(JSONValue.string(JSONValue.member(r, "date_updated")))?.instant
        let closing = FormatSupport.date(JSONValue.string(JSONValue.member(r, "submission_deadline")), endOfDay: true)
        n.deadline = closing
        if let pre = FormatSupport.date(JSONValue.string(JSONValue.member(r, "predeposit_date")), endOfDay: true) {
            n.otherDeadlines.append(NamedDate(kind: .predeposit, date: pre))
        }
        let financers = JSONValue.all(r, "financers_full").compactMap { JSONValue.string(JSONValue.member($0, "name")) }
        let funders = financers.isEmpty ? JSONValue.strings(JSONValue.member(r, "financers")) : financers
        n.buyer = funders.first.map { Buyer(name: $0, country: "FRA") }
        n.call = CallDetails(
            funder: funders.isEmpty ? nil : funders.joined(separator: ", "),
            beneficiaries: JSONValue.strings(JSONValue.member(r, "targeted_audiences")),
            opening: FormatSupport.date(JSONValue.string(JSONValue.member(r, "start_date"))),
            closing: closing,
            collaborative: collaborative(n.content ?? ""))
        n.categories =
            JSONValue.strings(JSONValue.member(r, "categories"))
            + JSONValue.strings(JSONValue.member(r, "aid_types"))
        n.procedure = JSONValue.bool(JSONValue.member(r, "is_call_for_project")) == true ? "call-for-projects" : "aid"
        if let p = perimeter(JSONValue.string(JSONValue.member(r, "perimeter"))) { n.places = [p] }
        if let loan = FormatSupport.decimal(json: JSONValue.member(r, "loan_amount"))
            ?? FormatSupport.decimal(json: JSONValue.member(r, "recoverable_advance_amount"))
        {
            n.value = Money(currency: "EUR", max: loan)
        } else if let text = n.content, let money = AmountExtractor.money(from: AmountExtractor.extract(text)) {
            n.value = money
        }
        return n
    }

    /// "Landes (Département)", "Saint-Étienne (Commune)"…: only départements map to a place; regions, the
    /// whole country and "Europe" are scopes, not places.
    static func perimeter(_ s: String?) -> Place? {
        guard let s, let open = s.lastIndex(of: "(") else { return nil }
        let name = s[..<open].trimmingCharacters(in: .whitespaces)
        let scale = FrenchText.fold(String(s[open...]))
        if scale.contains("departement"), let dep = FrenchGeography.departement(named: name) {
            return Place(nuts: dep.nuts3, departement: dep.code)
        }
        if scale.contains("commune") { return Place(commune: name) }
        return nil
    }

    /// Whether the call asks for a consortium, as its text says ("projets collaboratifs", "consortium").
    static func collaborative(_ text: String) -> Bool? {
        let f = FrenchText.fold(text)
        if f.contains("consortium") || f.contains("collaboratif") || f.contains("partenariat entre") { return true }
        return nil
    }
}
