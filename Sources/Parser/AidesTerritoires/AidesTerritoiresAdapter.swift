import Foundation
import Notices

/// Turns one aides-territoires aid into a `Notice` of kind call for projects.
///
/// Texts are HTML (`description`, `eligibility`); labels are French (« Entreprises privées », « Subvention »);
/// dates are `YYYY-MM-DD` calendar days in Paris; `url` is relative to the site.
enum AidesTerritoiresAdapter {
    static let site = "https://aides-territoires.beta.gouv.fr"

    static func notice(_ aid: AidesTerritoiresAid, options: ParseOptions) throws -> Notice {
        guard let id = FormatSupport.nonEmpty(aid.id?.value) ?? FormatSupport.nonEmpty(aid.slug) else {
            throw JSONPageSupport.malformed(options.documentName, nil, "aides-territoires: aid has no id")
        }
        guard let title = FormatSupport.nonEmpty(aid.name) ?? FormatSupport.nonEmpty(aid.shortTitle) else {
            throw JSONPageSupport.malformed(options.documentName, id, "aides-territoires: aid has no name")
        }
        // Standing aids (`is_call_for_project` false: a subsidy open all year) are opportunities too; the
        // model has one kind for both and `procedure` keeps the difference.
        var n = Notice(source: options.sourceID, sourceID: id, kind: .callForProjects, title: title)
        n.procedure = aid.isCallForProject == true ? "call-for-projects" : "aid"
        n.language = "fr"
        let description = FormatSupport.text(fromHTML: aid.description)
        let eligibility = FormatSupport.text(fromHTML: aid.eligibility)
        n.summary = description
        let content = [description, eligibility.map { "Éligibilité : " + $0 }].compactMap { $0 }
        n.content = content.isEmpty ? nil : content.joined(separator: "\n")
        if let url = FormatSupport.nonEmpty(aid.url) {
            // The API gives the page relative to the site (`/aides/…/`); data providers give absolute URLs.
            n.url = URLResolver.resolve(url, against: site + "/")
        } else if let origin = FormatSupport.nonEmpty(aid.originURL) {
            n.url = origin
        }
        n.published = FormatSupport.date(aid.datePublished ?? aid.dateCreated)?.instant
        n.updated = FormatSupport.date(aid.dateUpdated)?.instant
        // `submission_deadline` is a Paris calendar day: applications close at the end of it.
        let closing = FormatSupport.date(aid.submissionDeadline, endOfDay: true)
        n.deadline = closing
        n.deadlineKind = .application
        if let pre = FormatSupport.date(aid.predepositDate, endOfDay: true) {
            n.otherDeadlines.append(NamedDate(kind: .predeposit, date: pre))
        }
        let funders = Self.funders(aid)
        // `contact` is free HTML (one office, several people, or a sentence pointing elsewhere): only its first
        // e-mail address, telephone number and link are taken.
        let contact = ContactExtractor.extract(html: aid.contact)
        if funders.first != nil || contact != nil {
            n.buyer = Buyer(name: funders.first, country: "FRA", contact: contact)
        }
        n.call = CallDetails(
            funder: funders.isEmpty ? nil : funders.joined(separator: ", "),
            beneficiaries: aid.targetedAudiences?.values ?? [],
            opening: FormatSupport.date(aid.startDate),
            closing: closing,
            collaborative: collaborative(n.content ?? ""))
        n.categories = (aid.categories?.values ?? []) + (aid.aidTypes?.values ?? [])
        n.places = places(perimeter: aid.perimeter, scale: aid.perimeterScale)
        if let loan = aid.loanAmount?.value ?? aid.recoverableAdvanceAmount?.value, loan > 0 {
            n.value = Money(currency: "EUR", max: loan)
        } else if let text = n.content, let money = AmountExtractor.money(from: AmountExtractor.extract(text)) {
            n.value = money
        }
        return n
    }

    /// Funder names: `financers_full` (today's API and the Django app since 2022), else `financers` (names in
    /// the 2021 dump, a bare string in the Drôme provider's payload); duplicates dropped, order kept.
    static func funders(_ aid: AidesTerritoiresAid) -> [String] {
        let full = (aid.financersFull ?? []).compactMap { FormatSupport.nonEmpty($0.name) }
        let names = full.isEmpty ? (aid.financers?.values ?? []).compactMap(FormatSupport.nonEmpty) : full
        var out: [String] = []
        for name in names where !out.contains(name) { out.append(name) }
        return out
    }

    /// The territory of eligibility as places.
    ///
    /// Today's API gives the name and the scale apart (`perimeter` « Occitanie », `perimeter_scale` « Région »);
    /// the Django app wrote the scale in brackets (« Occitanie (Région) »); data providers give a bare name
    /// (« Drôme »). A département becomes its code, a region its NUTS code, the country `FR`.
    static func places(perimeter: String?, scale: String?) -> [Place] {
        guard var name = FormatSupport.nonEmpty(perimeter) else { return [] }
        var scaleText = FormatSupport.nonEmpty(scale)
        if name.hasSuffix(")"), let open = name.lastIndex(of: "(") {
            let bracket = String(name[name.index(after: open)..<name.index(before: name.endIndex)])
            let head = name[..<open].trimmingCharacters(in: .whitespaces)
            if !head.isEmpty {
                scaleText = scaleText ?? bracket
                name = head
            }
        }
        let kind = FrenchText.fold(scaleText ?? "")
        if kind.contains("departement") {
            return departement(name).map { [$0] } ?? []
        }
        if kind.contains("region") {
            return region(name).map { [$0] } ?? []
        }
        if kind.contains("pays") || kind.contains("national") || kind.contains("country") {
            // « France » (scale « Pays »): the whole country. Other countries are not places Vigie routes on.
            return FrenchText.foldName(name).hasPrefix("france") ? [Place(nuts: "FR")] : []
        }
        if kind.contains("commune") {
            // A commune comes by name only; its département is not in the payload.
            return [Place(commune: name)]
        }
        if kind.isEmpty {
            // Data providers' payloads (Drôme) give a bare name: a département, a region or the country.
            if let p = departement(name) ?? region(name) { return [p] }
            if FrenchText.foldName(name) == "france" { return [Place(nuts: "FR")] }
        }
        // EPCI (« CC du Pays d'Ancenis »), water basins (« Seine-Normandie (Bassin hydrographique) »), « Adhoc »
        // groupings and continents: the payload names no département, and a basin or an EPCI may straddle
        // several; no place rather than a guessed one.
        return []
    }

    static func departement(_ name: String) -> Place? {
        FrenchGeography.departement(named: name).map { Place(nuts: $0.nuts3, departement: $0.code) }
    }

    static func region(_ name: String) -> Place? {
        FrenchGeography.region(named: name).map { Place(nuts: $0.nuts, departement: $0.departement) }
    }

    /// Whether the call asks for a consortium, as its text says (« projets collaboratifs », « consortium »).
    static func collaborative(_ text: String) -> Bool? {
        let f = FrenchText.fold(text)
        if f.contains("consortium") || f.contains("collaboratif") || f.contains("partenariat entre") { return true }
        return nil
    }
}
