import Foundation

// Specs: https://aides-territoires.beta.gouv.fr/api/ — today the Symfony app (MTES-MCT/aides-territoires-symfony,
// `GET /api/aids/`), before 2024 the Django app (MTES-MCT/aides-territoires, `src/aids/api/serializers.py`).

/// One page of `GET /api/aids/`: `{count, next, previous, results}`; the 2021 dumps are a bare list of aids.
struct AidesTerritoiresDocument: Decodable {
    /// Total number of aids matching the query.
    var count: Int?
    /// Absolute URL of the next page, rebuilt by the service from the query string; null on the last page.
    var next: String?
    var previous: String?
    var results: [Failable<AidesTerritoiresAid>]

    init(from decoder: any Decoder) throws {
        if var list = try? decoder.unkeyedContainer() {
            // The 2021 dump (`AT_aides_full.json`) is the bare list of aids, without the paging envelope.
            var aids: [Failable<AidesTerritoiresAid>] = []
            while !list.isAtEnd { aids.append(try list.decode(Failable<AidesTerritoiresAid>.self)) }
            results = aids
            return
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        count = try c.decodeIfPresent(Int.self, forKey: .count)
        next = try c.decodeIfPresent(String.self, forKey: .next)
        previous = try c.decodeIfPresent(String.self, forKey: .previous)
        results = try c.decodeIfPresent([Failable<AidesTerritoiresAid>].self, forKey: .results) ?? []
    }

    enum CodingKeys: String, CodingKey { case count, next, previous, results }
}

/// One aid or call for projects as the API serialises it (field names of both apps; every field optional
/// because the Django app and its data providers leave most of them null).
struct AidesTerritoiresAid: Decodable {
    /// Numeric id (a string in some data-provider payloads).
    var id: LenientString?
    var slug: String?
    /// Site-relative URL of the aid page (`/aides/ca9b-accompagner-les-projets-de-jardins-partages-e/`).
    var url: String?
    var name: String?
    var shortTitle: String?
    /// HTML.
    var description: String?
    /// HTML.
    var eligibility: String?
    /// Funder names: a list, or a single string in the Drôme data provider's payload.
    var financers: LenientStringList?
    /// `[{id, name, logo}]` (since 2022): the funders with their ids.
    var financersFull: [Backer]?
    var instructors: LenientStringList?
    /// Territory of eligibility: « Occitanie » with `perimeter_scale` « Région » today; « Occitanie (Région) »
    /// in the Django app, the scale in brackets; a bare name (« Drôme ») in data providers' payloads.
    var perimeter: String?
    /// « Commune », « EPCI », « Département », « Région », « Pays », « Continent », « Bassin hydrographique »…
    var perimeterScale: String?
    var categories: LenientStringList?
    /// Eligible beneficiaries in words (« Entreprises privées », « Communes »).
    var targetedAudiences: LenientStringList?
    var aidTypes: LenientStringList?
    /// True for a call for projects or expressions of interest, false for a standing aid.
    var isCallForProject: Bool?
    /// `YYYY-MM-DD`: opening of applications.
    var startDate: String?
    /// `YYYY-MM-DD`: pre-deposit deadline.
    var predepositDate: String?
    /// `YYYY-MM-DD`: closing day of applications (a Paris calendar day).
    var submissionDeadline: String?
    var datePublished: String?
    var dateCreated: String?
    var dateUpdated: String?
    var loanAmount: LenientDecimal?
    var recoverableAdvanceAmount: LenientDecimal?
    var originURL: String?
    var applicationURL: String?
    /// « Ponctuelle », « Récurrente », « Permanente ».
    var recurrence: String?
    /// Who to ask, in HTML written by hand: offices, people, telephone numbers, addresses, links, sentences.
    var contact: String?

    /// A funder or instructor as `financers_full` lists it.
    struct Backer: Decodable {
        var id: LenientString?
        var name: String?
    }

    enum CodingKeys: String, CodingKey {
        case id, slug, url, name, description, eligibility, financers, instructors, perimeter, categories
        case recurrence, contact
        case shortTitle = "short_title"
        case financersFull = "financers_full"
        case perimeterScale = "perimeter_scale"
        case targetedAudiences = "targeted_audiences"
        case aidTypes = "aid_types"
        case isCallForProject = "is_call_for_project"
        case startDate = "start_date"
        case predepositDate = "predeposit_date"
        case submissionDeadline = "submission_deadline"
        case datePublished = "date_published"
        case dateCreated = "date_created"
        case dateUpdated = "date_updated"
        case loanAmount = "loan_amount"
        case recoverableAdvanceAmount = "recoverable_advance_amount"
        case originURL = "origin_url"
        case applicationURL = "application_url"
    }
}
