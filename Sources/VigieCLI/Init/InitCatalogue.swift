// The catalogue entries `vigie init` writes into a new configuration folder, copied byte for byte from the
// repository's Feeds/*.yaml (InitCommandTests checks they have not drifted). Literals, not a resources folder:
// an installed binary has no repository beside it.

/// Source catalogue files for `vigie init`.
enum InitCatalogue {
    /// A source to copy: its file name, its text, and the environment variable it needs (nil: none).
    struct Entry {
        let file: String
        let keyVariable: String?
        let text: String
    }

    /// The real sources that need no key (enabled) and those that do (written with `enabled: false`).
    static let entries: [Entry] = [
        Entry(
            file: "boamp-api.yaml", keyVariable: nil,
            text: #"""
                # BOAMP — Bulletin officiel des annonces des marchés publics, open-data API (Opendatasoft Explore v2.1).
                # Paging rules of the platform: limit ≤ 100, offset + limit ≤ 10 000 (HTTP 400 beyond).
                # So: oldest first with a tie-breaker (stable pages while new notices arrive at the end), a `>= cursor` date
                # window, and offset paging inside it. When the walk reaches the 10 000 cap (or max_pages), the cursor is the
                # newest notice stored and the next night moves the window forward; nothing is skipped.
                id: boamp-api
                name: BOAMP — API open data (avis de marchés)
                owner: DILA (Direction de l'information légale et administrative)
                kind: tenders
                format: boamp-json
                url: https://boamp-datadila.opendatasoft.com/api/explore/v2.1/catalog/datasets/boamp/records
                query:
                  where: "dateparution >= date'{cursor}'"
                  order_by: dateparution asc, idweb asc
                paging:
                  scheme: offset-limit
                  offset_param: offset
                  limit_param: limit
                  page_size: 100
                  max_offset: 10000
                  results_key: results
                  total_key: total_count
                  max_pages: 100
                cursor:
                  field: dateparution
                  first_night_days: 7
                  template: date
                  order: oldest-first
                politeness:
                  max_concurrent: 2
                  delay_ms: 250
                max_body_bytes: 52428800
                licence: Licence Ouverte / Etalab 2.0
                confirmed: true
                evidence: >-
                  Request and response checked against real answers of this endpoint: the `where=dateparution >= date'…'`
                  request and its `{total_count, results}` page (jpbenga-ods-v2.1-where-dateparution-2026-5-FNSimple.json,
                  total_count 48417) and four records of every award family (kivou-boamp-records-4-awards-2026-08.json), in
                  ../shared/samples/real/boamp/. `dateparution` is a day ("2026-01-21"). The `order_by` with a tie-breaker
                  is Opendatasoft's documented syntax, not seen in a capture.
                note: >-
                  Updated twice a day, 7 days a week. `donnees` is a JSON string holding the full notice (eForms UBL tree
                  since 31 Jan 2024, the French schema before). `datelimitereponse` of national-form notices holds Paris
                  wall-clock time labelled +00:00 (the adapter reads `donnees`).

                """#),
        Entry(
            file: "ted-search-api.yaml", keyVariable: nil,
            text: #"""
                # TED — Search API v3 (Publications Office of the EU). POST with the query in a JSON body; ITERATION paging
                # (unlimited results) sends back `iterationNextToken`. Oldest first (SORT BY publication-date ASC) inside a
                # `publication-date >= cursor` window: a walk stopped at max_pages resumes the next night from the newest
                # notice stored. TED blocks clients that go too fast: one request at a time, one second apart.
                #
                # Fields: only names seen in real answers (../shared/samples/real/ted/*.json) or in SOURCES.md — an unknown
                # name makes the whole request fail with HTTP 400. Not requested for that reason (no evidence yet):
                # estimated-value-lot, classification-cpv-lot, organisation-id-buyer.
                id: ted-search-api
                name: TED — Search API v3 (avis publiés par des acheteurs français)
                owner: Office des publications de l'Union européenne
                kind: tenders
                format: ted-json
                url: https://api.ted.europa.eu/v3/notices/search
                method: POST
                headers:
                  Accept: application/json
                body: >-
                  {"query": "buyer-country=FRA AND publication-date>={cursor} SORT BY publication-date ASC",
                   "fields": ["publication-number", "notice-identifier", "procedure-identifier", "notice-type", "notice-subtype",
                              "form-type", "procedure-type", "publication-date", "official-language", "notice-title", "title-proc",
                              "description-proc", "buyer-name", "buyer-country", "organisation-name-buyer",
                              "classification-cpv", "main-classification-proc", "additional-classification-proc",
                              "contract-nature", "contract-nature-main-proc", "estimated-value-proc", "estimated-value-cur-proc",
                              "deadline-receipt-tender-date-lot", "deadline-receipt-tender-time-lot",
                              "deadline-receipt-request", "deadline-receipt-request-date-lot", "deadline-receipt-request-time-lot",
                              "place-of-performance", "place-of-performance-country-proc", "place-of-performance-country-lot",
                              "title-lot", "description-lot", "document-url-lot", "internal-identifier-proc",
                              "winner-name", "winner-identifier", "contract-conclusion-date", "links", "OJ"],
                   "limit": 250, "paginationMode": "ITERATION", "onlyLatestVersions": false}
                paging:
                  scheme: iteration-token
                  token_key: iterationNextToken
                  results_key: notices
                  total_key: totalNoticeCount
                  max_pages: 60
                cursor:
                  field: publication-date
                  first_night_days: 7
                  template: compact-date
                  order: oldest-first
                politeness:
                  max_concurrent: 1
                  delay_ms: 1000
                max_body_bytes: 52428800
                licence: TED reuse policy (free reuse with attribution, Decision 2011/833/EU)
                confirmed: true
                evidence: >-
                  Response shape checked against real answers: ted-619675-2026-FRA-buyer.json (the `{notices,
                  totalNoticeCount, iterationNextToken, timedOut}` page) and the 612558 notice (restricted procedure, request
                  deadline only), in ../shared/samples/real/ted/; every field requested appears in those answers or in
                  SOURCES.md's list of names accepted by the API. `publication-date` is "2026-09-09+02:00".
                note: >-
                  No key for search. Publication numbers are not zero-padded here ("566194-2026") but are in the XML and the
                  daily packages ("00566194-2026"). SORT BY … ASC is the expert-query syntax (seen with DESC in public clients).

                """#),
        Entry(
            file: "decp-consolidated.yaml", keyVariable: nil,
            text: #"""
                # DECP — données essentielles de la commande publique (arrêté du 22/12/2022): awarded contracts (who won,
                # amount, CPV, place), for market intelligence, not alerts. The current consolidated records are served by
                # data.economie.gouv.fr's Opendatasoft API (dataset `decp-2022-marches-valides`); the data.gouv.fr dataset
                # page this entry used to name is HTML, not data. Same platform rules as BOAMP (limit ≤ 100, offset + limit
                # ≤ 10 000): oldest first with a tie-breaker inside a `>= cursor` window on the publication date.
                id: decp-consolidated
                name: DECP — données essentielles de la commande publique (decp-2022-marches-valides)
                owner: Ministère de l'Économie (DAJ), data.economie.gouv.fr
                kind: awards
                format: decp-json
                url: https://data.economie.gouv.fr/api/explore/v2.1/catalog/datasets/decp-2022-marches-valides/records
                query:
                  where: "datepublicationdonnees >= date'{cursor}'"
                  order_by: datepublicationdonnees asc, id asc
                paging:
                  scheme: offset-limit
                  page_size: 100
                  max_offset: 10000
                  results_key: results
                  total_key: total_count
                  max_pages: 100
                cursor:
                  field: datepublicationdonnees
                  first_night_days: 7
                  template: date
                  order: oldest-first
                politeness:
                  max_concurrent: 1
                  delay_ms: 500
                max_body_bytes: 52428800
                licence: Licence Ouverte 2.0
                confirmed: false
                evidence: >-
                  Records checked against four real records of this dataset (kivou-decp2022-ods-records-2026-08.json in
                  ../shared/samples/real/decp/: flat columns, `datepublicationdonnees`, `CDL` placeholders); but they were
                  captured inside the capturer's own wrapper, so the `{total_count, results}` page (DERIVED-ods-wrap-…) and
                  the request URL follow the Opendatasoft platform every other capture shows, not a capture of this host.
                note: >-
                  Verify the dataset id and the `datepublicationdonnees` filter on the first live run. The yearly full files
                  (data.gouv.fr dataset 5cd57bf68b4c4179299eb0e9, tabular decp.info exports) are for a one-off back-fill.

                """#),
        Entry(
            file: "eu-funding-tenders.yaml", keyVariable: nil,
            text: #"""
                # EU Funding & Tenders Portal (SEDIA) search API: POST multipart/form-data (GET answers 405).
                id: eu-funding-tenders
                name: Funding & Tenders Portal (Commission européenne) — appels ouverts et à venir
                owner: Commission européenne (SEDIA)
                kind: calls-for-projects
                format: eu-funding-json
                url: https://api.tech.ec.europa.eu/search-api/prod/rest/search
                method: POST
                query:
                  apiKey: SEDIA
                  text: "***"
                form:
                  query: '{"bool":{"must":[{"terms":{"type":["1","2","8"]}},{"terms":{"status":["31094501","31094502"]}},{"term":{"programmePeriod":"2021 - 2027"}}]}}'
                  languages: '["fr","en"]'
                  sort: '{"field":"sortStatus","order":"ASC"}'
                paging:
                  scheme: page-number
                  page_param: pageNumber
                  size_param: pageSize
                  page_size: 100
                  first_page: 1
                  results_key: results
                  total_key: totalResults
                  max_pages: 50
                politeness:
                  max_concurrent: 1
                  delay_ms: 1000
                max_body_bytes: 104857600
                licence: Commission reuse policy (Decision 2011/833/EU), attribution
                confirmed: false
                evidence: >-
                  None: no real answer of the SEDIA search API is in ../shared/samples/real/; request and response shapes
                  come from SOURCES.md (public client code, [M]).
                note: >-
                  The public key "SEDIA" is the portal's own, not a secret. Status 31094501 = forthcoming, 31094502 = open.
                  Meaning of type 2 vs 8 unverified; `range` filters are reported to be ignored (dates filtered client-side).

                """#),
        Entry(
            file: "aides-territoires.yaml", keyVariable: "AIDES_TERRITOIRES_KEY",
            text: #"""
                # Aides-territoires (ANCT / beta.gouv): aids and calls for projects, pages {count, next, previous, results}.
                # Today's API (Symfony app): `published_after`, `call_for_projects_only`, `itemsPerPage` (max 100), `page`,
                # `orderBy`; unknown parameters are ignored (the old `is_call_for_project` and `date_published__gte` filtered
                # nothing). The only date order is `orderBy=publication_date`, newest first: the walk follows `next` to the
                # end of the `published_after` window, and the cursor moves only when it got there.
                id: aides-territoires
                name: Aides-territoires — appels à projets ouverts aux entreprises
                owner: ANCT / ministère de la Transition écologique (beta.gouv)
                kind: calls-for-projects
                format: aides-territoires-json
                url: https://aides-territoires.beta.gouv.fr/api/aids/
                query:
                  organization_type_slugs: private-sector
                  call_for_projects_only: "true"
                  published_after: "{cursor}"
                  orderBy: publication_date
                  itemsPerPage: "100"
                paging:
                  scheme: next-link
                  next_key: next
                  results_key: results
                  total_key: count
                  max_pages: 100
                cursor:
                  # Results carry no publication date: `date_created` (never later than the publication) is the cursor, so
                  # the next window starts no later than what was stored.
                  field: date_created
                  first_night_days: 7
                  template: date
                  order: newest-first
                auth:
                  env: AIDES_TERRITOIRES_KEY
                  header: Authorization
                  scheme: Bearer
                  exchange:
                    url: https://aides-territoires.beta.gouv.fr/api/connexion/
                    header: X-AUTH-TOKEN
                    token_key: token
                politeness:
                  max_concurrent: 2
                  delay_ms: 500
                max_body_bytes: 52428800
                licence: Licence Ouverte 2.0 (per-aid import licences may differ)
                confirmed: false
                evidence: >-
                  Response shape only: the `{count, next, previous, results}` page and the aid fields were checked against
                  real answers (at-django-dataproviders-test-departement_drome_data.json, the 2021 dump
                  offseason-AT_aides_full-2021-11-26-TRIMMED.json in ../shared/samples/real/aides-territoires/). The request
                  (parameters, token exchange) comes from the service's source code (MTES-MCT/aides-territoires-symfony), not
                  from a captured exchange: no capture of today's API exists.
                note: >-
                  A client POSTs /api/connexion/ with header X-AUTH-TOKEN (the key requested from the service, in
                  AIDES_TERRITOIRES_KEY) and gets a JWT valid about 24 h, sent as a Bearer token; the fetcher does this
                  exchange once per run. Verify the JWT field name (`token`) on the first live run.

                """#),
    ]
}
