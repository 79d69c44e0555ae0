import Foundation
import Notices

/// Turns one Opendatasoft BOAMP record into a `Notice`.
///
/// The flat columns give identity, title, kind and the places of *publication*; everything else comes from
/// `donnees`, read per payload family: eForms (European notices since 31 January 2024), FNSimple and MAPA
/// (national forms), or the `Boamp_v230` tree of older records. Each fallback below names the real record that
/// forced it.
enum BOAMPRecordAdapter {
    static func notice(_ record: BOAMPRecord, options: ParseOptions) throws -> Notice {
        let doc = record.document
        guard let idweb = text(doc.idweb) else {
            throw JSONPageSupport.malformed(options.documentName, nil, "boamp: record has no idweb")
        }
        let form = doc.donnees?.value
        let eforms = record.eforms
        let indexation = doc.gestion?.value?.INDEXATION
        guard
            let title = text(doc.objet)
                ?? eforms.flatMap({
                    FormatSupport.pick(
                        JSONValue.texts(JSONValue.at($0, "ProcurementProject/Name")), noticeLanguage: "FRA"
                    )
                    .flatMap(FormatSupport.text(fromHTML:)).map(FormatSupport.clean)
                })
                ?? text(form?.FNSimple?.initial?.natureMarche?.intitule)
                ?? text(form?.FNSimple?.attribution?.natureMarche?.intitule)
                ?? text(form?.MAPA?.attribution?.descriptionReduite?.objet)
                ?? text(JSONValue.string(JSONValue.find(record.frenchSchema, "TITRE_MARCHE")))
                ?? text(indexation?.RESUME_OBJET)
        else {
            throw JSONPageSupport.malformed(options.documentName, idweb, "boamp: record has no objet (title)")
        }
        var n = Notice(source: options.sourceID, sourceID: idweb, kind: kind(doc), title: title)
        n.language = "fr"
        n.url = text(doc.urlAvis) ?? "https://www.boamp.fr/pages/avis/?q=idweb:\(idweb)"
        n.refs.boampIDWeb = idweb
        n.refs.eformsProcedureID = text(doc.contractfolderid)
        n.published = FormatSupport.date(doc.dateparution?.value)?.instant
        n.buyer = Buyer(name: text(doc.nomacheteur) ?? text(indexation?.NOMORGANISME), country: "FRA")
        n.descriptors = strings(doc.descripteurCode)
        n.procedure = text(doc.typeProcedure) ?? text(doc.procedureLibelle)
        // `code_departement` lists where BOAMP *publishes* the notice (26-7113, a job in the 52, is published in
        // nine départements): it never says where the work is.
        let publication =
            strings(doc.codeDepartement).isEmpty
            ? strings(indexation?.DEP_PUBLICATION) : strings(doc.codeDepartement)
        for code in publication {
            let dep = FrenchGeography.departement(code: code)?.code ?? code
            if !n.publicationDepartements.contains(dep) { n.publicationDepartements.append(dep) }
        }
        // `code_departement_prestation` is BOAMP's index of the place of performance (null in the 2026 captures;
        // filled in the routing dev set): a place of work, replaced below by what `donnees` says precisely.
        for code in strings(doc.codeDepartementPrestation) {
            FormatSupport.appendUnique(
                FormatSupport.place(nuts: nil, postcode: nil, commune: nil, departement: code), to: &n.places)
        }

        var deadlines = Deadlines()
        if let eforms {
            BOAMPEFormsFill.fill(&n, deadlines: &deadlines, from: eforms)
        } else if let f = form?.FNSimple {
            fill(&n, deadlines: &deadlines, fromFNSimple: f)
        } else if let m = form?.MAPA {
            fill(&n, deadlines: &deadlines, fromMAPA: m)
        } else if let v230 = record.frenchSchema {
            fill(&n, deadlines: &deadlines, fromFrenchSchema: v230)
        }
        // The deadline boamp.fr shows is `gestion.INDEXATION.DATE_LIMITE_REPONSE` (Paris time when it has no
        // offset); the top-level `datelimitereponse` holds the same wall-clock time wrongly labelled `+00:00`
        // (26-7298: `2026-02-16T12:00:00+00:00` for `…T12:00:00.000+01:00`). `donnees` comes first, then these.
        if deadlines.tender == nil && deadlines.request == nil {
            deadlines.tender =
                FormatSupport.date(indexation?.DATE_LIMITE_REPONSE?.value, endOfDay: true)
                ?? parisWallClock(doc.datelimitereponse?.value)
        }
        deadlines.apply(to: &n)

        // `titulaire`: the winners' names only (no SIREN); `donnees`, when it names them, also gives their
        // registration numbers.
        if n.awardees.isEmpty {
            for name in strings(doc.titulaire) {
                guard let name = FormatSupport.text(fromHTML: name) else { continue }
                let b = Buyer(name: name)
                if !n.awardees.contains(b) { n.awardees.append(b) }
            }
        }
        // `annonce_lie` links a corrigendum to the notice it corrects (one idweb, sometimes a list).
        if n.kind == .change {
            n.refs.changedNotice =
                strings(doc.annonceLie).first ?? strings(doc.annoncesAnterieures).first ?? n.refs.changedNotice
        }
        return n
    }

    // MARK: - Kind

    static func kind(_ doc: BOAMPRecordDocument) -> NoticeKind {
        let etat = (doc.etat?.value ?? "").uppercased()
        if etat.contains("RECTIF") || etat.contains("ANNUL") || etat.contains("MODIF") { return .change }
        let nature = (doc.nature?.value ?? "").uppercased()
        let label = FrenchText.fold(doc.natureLibelle?.value ?? "")
        if nature.contains("ATTRIBUTION") || label.contains("resultat") || label.contains("attribution") {
            return .award
        }
        if nature.contains("RECTIF") || nature.contains("MODIF") || label.contains("rectificatif") { return .change }
        if nature.contains("PRE") || label.contains("pre-information") || label.contains("preinformation") {
            return .priorInformation
        }
        return .tender
    }

    // MARK: - FNSimple

    static func fill(_ n: inout Notice, deadlines: inout Deadlines, fromFNSimple f: BOAMPFNSimple) {
        if n.buyer?.name == nil { n.buyer?.name = text(f.organisme?.nomOfficiel) }
        n.buyer?.id = siret(
            f.organisme?.codeIdentificationNational?.value, type: f.organisme?.typeIdentificationNational)
        if let initial = f.initial {
            let nature = initial.natureMarche
            n.summary = text(nature?.description)
            var cpv: [String] = []
            add(nature?.codeCPV?.objetPrincipal?.classPrincipale?.value, to: &cpv)
            n.value = money(nature?.valeurEstimee, kind: .estimated, vat: "HT")
            n.lots = (initial.lots?.lot?.items ?? []).enumerated().map { i, lot in
                var l = Lot(id: lotNumber(lot.description?.value) ?? String(i + 1))
                let description = text(lot.description)
                // The form has no lot title: boamp.fr prints the description, whose first line names the lot
                // ("TOITURE\n\nRévision de la toiture…", 26-7113).
                l.title = text(lot.intitule) ?? lot.description?.value.flatMap(firstLine)
                l.description = description
                add(lot.codeCPV?.objetPrincipal?.classPrincipale?.value, to: &l.cpv)
                for c in l.cpv { add(c, to: &cpv) }
                l.value = money(lot.estimationValeur, kind: .estimated, vat: "HT")
                l.places = places(inWords: lot.lieuExecutionLivraison?.value)
                return l
            }
            if !cpv.isEmpty {
                n.cpv = cpv
                n.mainCPV = cpv[0]
            }
            if n.value == nil, let total = FormatSupport.total(of: n.lots) { n.value = total }
            let work = places(inWords: nature?.lieuExecution?.value)
            let lotPlaces = n.lots.flatMap(\.places).filter { $0.departement != nil || $0.nuts != nil }
            if !work.isEmpty || !lotPlaces.isEmpty {
                n.places = []
                for p in work + lotPlaces { FormatSupport.appendUnique(p, to: &n.places) }
            }
            // `dateReceptionOffres` carries its offset (26-7298) or is Paris wall-clock time (26-7308).
            deadlines.tender = FormatSupport.date(initial.procedure?.dateReceptionOffres?.value, endOfDay: true)
            n.documentsURL =
                text(initial.communication?.urlDocConsul)
                // 26-7113 gives no `urlDocConsul` but the consultation's own link as the buyer profile.
                ?? text(initial.communication?.urlProfilAch)
            n.refs.buyerReference = text(initial.communication?.identifiantInterne)
            let c = initial.communication
            n.buyer?.contact = FormatSupport.contact(
                name: text(c?.nomContact), email: text(c?.adresseMailContact), phone: text(c?.telContact),
                url: text(c?.urlProfilAch))
        }
        if let attribution = f.attribution {
            let nature = attribution.natureMarche
            var cpv: [String] = []
            add(nature?.codeCPV?.objetPrincipal?.classPrincipale?.value, to: &cpv)
            if !cpv.isEmpty {
                n.cpv = cpv
                n.mainCPV = cpv[0]
            }
            // FNSimple results give lots, winners and amounts only in free text (`attributionMarche`, 26-81190):
            // it is kept as the notice's content, and read only where it follows BOAMP's own fixed rendering
            // ("- NAME (SIRET)", "Montant : 213400.41 euros"); nothing is guessed from looser wording.
            if let free = text(attribution.attributionMarche) {
                n.content = free
                let result = BOAMPAttributionText.read(free)
                n.awardees = result.winners
                n.lots = result.lots
                if let total = FormatSupport.total(of: n.lots) {
                    n.value = Money(
                        amount: total.amount, currency: total.currency, min: total.min, max: total.max,
                        vat: total.vat, kind: .awarded)
                }
            }
        }
    }

    // MARK: - MAPA

    static func fill(_ n: inout Notice, deadlines: inout Deadlines, fromMAPA m: BOAMPMAPA) {
        if n.buyer?.name == nil { n.buyer?.name = text(m.organisme?.acheteurPublic) }
        n.buyer?.id = FormatSupport.registrationNumber(text(m.organisme?.codeIdentificationNational))
        // The correspondent's first name then name, as boamp.fr prints them (26-80528 fills both with office
        // names); the civility alone names nobody.
        let person = m.organisme?.correspondantPRM
        let name = [text(person?.pren), text(person?.nom)].compactMap { $0 }.joined(separator: " ")
        n.buyer?.contact = FormatSupport.contact(
            name: name, email: text(m.organisme?.coord?.mel), phone: text(m.organisme?.coord?.tel),
            url: text(m.organisme?.urlProfilAcheteur) ?? text(m.organisme?.coord?.url))
        // The MAPA form gives the buyer's address (26-80528: 13009 Marseille), not where the work is done.
        deadlines.tender = FormatSupport.date(m.initial?.delais?.receptionOffres?.value, endOfDay: true)
        guard let a = m.attribution else { return }
        if n.summary == nil { n.summary = text(a.descriptionReduite?.objet) }
        var awarded: [Money] = []
        for attribue in a.attribution?.resultat?.attribue?.items ?? [] {
            for t in attribue.titulaire?.items ?? [] {
                let b = Buyer(
                    name: text(t.PersonneMorale),
                    id: FormatSupport.registrationNumber(text(t.codeIdentificationNational)))
                if (b.name != nil || b.id != nil) && !n.awardees.contains(b) { n.awardees.append(b) }
            }
            if let v = money(attribue.montant, kind: .awarded, vat: nil) { awarded.append(v) }
        }
        if !awarded.isEmpty, Set(awarded.map(\.currency)).count == 1, awarded.allSatisfy({ $0.amount != nil }) {
            n.value = Money(
                amount: awarded.compactMap(\.amount).reduce(0, +), currency: awarded[0].currency,
                kind: .awarded)
        } else {
            // 26-80528 also gives the buyer's estimate (`valeurTotaleEstimee`): the value when nothing was awarded.
            n.value = money(a.autresInformations?.valeurTotaleEstimee, kind: .estimated, vat: nil)
        }
    }

    // MARK: - Boamp_v230 tree (records published before the national forms)

    static func fill(_ n: inout Notice, deadlines: inout Deadlines, fromFrenchSchema d: Any) {
        n.summary = FormatSupport.text(fromHTML: JSONValue.string(JSONValue.find(d, "OBJET_COMPLET")))
        if let principal = FormatSupport.cpv(JSONValue.string(JSONValue.find(JSONValue.find(d, "CPV"), "PRINCIPAL"))) {
            n.mainCPV = principal
            n.cpv = [principal]
        }
        if let siret = JSONValue.string(JSONValue.find(d, "CODE_IDENT_NATIONAL")) {
            n.buyer?.id = FormatSupport.registrationNumber(siret)
        }
        // IDENTITE's contact and documents, read as the XML adapter reads them (`BOAMPXMLAdapter.contact`).
        let identite = JSONValue.find(d, "IDENTITE")
        func field(_ key: String) -> String? { JSONValue.string(JSONValue.member(identite, key)) }
        n.buyer?.contact = FormatSupport.contact(
            name: field("CONTACT") ?? field("CORRESPONDANT"), email: field("MEL"), phone: field("TEL"),
            url: field("URL_PROFIL_ACHETEUR") ?? field("URL"))
        n.documentsURL = FormatSupport.text(fromHTML: field("URL_DOCUMENT"))
        if let total = JSONValue.find(d, "VALEUR_TOTALE") ?? JSONValue.find(d, "VALEUR"),
            let v = positive(FormatSupport.decimal(JSONValue.string(total)))
        {
            n.value = Money(
                amount: v, currency: JSONValue.attribute(total, "DEVISE") ?? "EUR", vat: "HT",
                kind: n.kind == .award ? .awarded : .estimated)
        }
        deadlines.tender = FormatSupport.date(JSONValue.string(JSONValue.find(d, "RECEPT_OFFRES")), endOfDay: true)
        deadlines.request = FormatSupport.date(JSONValue.string(JSONValue.find(d, "RECEPT_CANDIDAT")), endOfDay: true)
    }

    // MARK: - Shared readings

    /// A top-level `datelimitereponse`: the Opendatasoft column labels Paris wall-clock time `+00:00` (26-7298,
    /// 26-7113), so a UTC label is read as Paris time; any other offset is kept.
    static func parisWallClock(_ s: String?) -> ZonedDate? {
        guard let s = s.map(FormatSupport.trim), s.utf8.count >= 19 else {
            return FormatSupport.date(s, endOfDay: true)
        }
        let zone = s.dropFirst(19).drop { $0 == "." || $0.isNumber }
        if zone == "+00:00" || zone == "Z" || zone == "+0000" {
            return FormatSupport.zoned(String(s.prefix(19)), zone: DeadlineExtractor.parisZone)
        }
        return FormatSupport.date(s, endOfDay: true)
    }

    /// A SIRET: `codeIdentificationNational` when the form says it is one (`{"siret": ""}`), or fourteen digits.
    static func siret(_ code: String?, type: BOAMPChoice?) -> String? {
        guard let id = FormatSupport.registrationNumber(code) else { return nil }
        if type?.keys.contains(where: { $0.lowercased() == "siret" }) == true { return id }
        return id.count == 14 && id.allSatisfy(\.isNumber) ? id : nil
    }

    /// An amount of the national forms; a 0 (`"0.00"`, 26-7319's lots) is a placeholder and gives nil. A
    /// `fourchette` gives a range (26-7308: 1 to 75,000).
    static func money(_ a: BOAMPAmount?, kind: ValueKind, vat: String?) -> Money? {
        guard let a else { return nil }
        let currency = text(a.devise) ?? "EUR"
        if let v = positive(FormatSupport.decimal(a.valeur?.value)) {
            return Money(amount: v, currency: currency, vat: vat, kind: kind)
        }
        let low = positive(FormatSupport.decimal(a.fourchette?.valeurBasse?.value))
        let high = positive(FormatSupport.decimal(a.fourchette?.valeurHaute?.value))
        guard low != nil || high != nil else { return nil }
        return Money(currency: currency, min: low, max: high, vat: vat, kind: kind)
    }

    static func positive(_ d: Decimal?) -> Decimal? {
        guard let d, d > 0 else { return nil }
        return d
    }

    /// Places of work written in words (`lieuExecution`): the field is itself a place label, so the text
    /// extractor reads it as one; a region named alone ("Normandie", 26-7308) gives its NUTS-1 code.
    static func places(inWords s: String?) -> [Place] {
        guard let s = FormatSupport.nonEmpty(s.map(FormatSupport.clean)) else { return [] }
        let found = PlaceExtractor.extract("Lieu d'exécution : " + s)
        if !found.isEmpty { return found }
        if let nuts = regions[FrenchText.fold(s).replacingOccurrences(of: "-", with: " ")] {
            return [Place(nuts: nuts)]
        }
        return []
    }

    /// Regions (2016 map) by folded name → NUTS 2021 level-1 code.
    static let regions: [String: String] = [
        "auvergne rhone alpes": "FRK", "bourgogne franche comte": "FRC", "bretagne": "FRH",
        "centre val de loire": "FRB", "corse": "FRM", "grand est": "FRF", "hauts de france": "FRE",
        "ile de france": "FR1", "normandie": "FRD", "nouvelle aquitaine": "FRI", "occitanie": "FRJ",
        "pays de la loire": "FRG", "provence alpes cote d'azur": "FRL", "provence alpes cote d azur": "FRL",
    ]

    /// The lot number a description starts with ("Lot 2 : Finition", "1- Prestations pour…").
    static func lotNumber(_ s: String?) -> String? {
        guard let s,
            let r = s.range(
                of: #"^\s*(?:[Ll][Oo][Tt]\s*(?:n[°o]\s*)?)?\d{1,3}\s*[-–:.)]"#, options: .regularExpression)
        else { return nil }
        return String(s[r].filter(\.isNumber))
    }

    static func firstLine(_ s: String) -> String? {
        text(String(s.split(whereSeparator: \.isNewline).first ?? ""))
    }

    static func add(_ code: String?, to list: inout [String]) {
        guard let c = FormatSupport.cpv(code), !list.contains(c) else { return }
        list.append(c)
    }

    static func text(_ t: BOAMPText?) -> String? { text(t?.value) }

    /// Entity-decoded (`d&#039;Agglomération`), whitespace-collapsed text, nil when empty.
    static func text(_ s: String?) -> String? {
        FormatSupport.text(fromHTML: s).map(FormatSupport.clean).flatMap(FormatSupport.nonEmpty)
    }

    static func strings(_ list: BOAMPList<BOAMPText>?) -> [String] {
        (list?.items ?? []).compactMap { FormatSupport.nonEmpty($0.value.map(FormatSupport.trim)) }
    }
}

/// The deadlines a record gives, before deciding which is *the* deadline.
struct Deadlines {
    var tender: ZonedDate?
    var request: ZonedDate?

    /// The tender deadline when there is one; else the request-to-participate deadline, labelled as such
    /// (restricted procedures have no tender deadline yet).
    func apply(to n: inout Notice) {
        if let tender {
            n.deadline = tender
            n.deadlineKind = .tender
            if let request {
                n.otherDeadlines.append(NamedDate(kind: .requestToParticipate, date: request))
            }
        } else if let request {
            n.deadline = request
            n.deadlineKind = .requestToParticipate
        }
    }
}
