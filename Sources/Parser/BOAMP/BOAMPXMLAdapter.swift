import Foundation
import Notices

// Specs: BOAMP open data, schema Boamp_v230.xsd (https://echanges.dila.gouv.fr/OPENDATA/BOAMP/), root `ANNONCE`.

/// Turns one BOAMP XML notice (schema v230: MAPA, JOUE and national notices, awards) into a `Notice`.
///
/// Paths (root `ANNONCE`): `GESTION/REFERENCE/IDWEB`, `GESTION/REFERENCE/TYPE_AVIS/{NATURE,STATUT}` (enumerations
/// written as empty elements), `GESTION/INDEXATION/{DATE_PUBLICATION, DATE_LIMITE_REPONSE, DESCRIPTEURS,
/// DEP_PUBLICATION, DEP_PRESTATION, RESUME_OBJET}`, `DONNEES/IDENTITE/{DENOMINATION, CODE_IDENT_NATIONAL,
/// ADJUDICATEUR_NUTS, CP, VILLE}`, `DONNEES/OBJET/{TITRE_MARCHE, OBJET_COMPLET, CPV, CARACTERISTIQUES, LIEU_EXEC_LIVR,
/// LOTS/LOT}`, `DONNEES/PROCEDURE/TYPE_PROCEDURE`, `DONNEES/CONDITION_DELAI/RECEPT_OFFRES`, `DONNEES/ATTRIBUTION`.
enum BOAMPXMLAdapter {
    static func parse(_ bytes: [UInt8], options: ParseOptions) throws -> (notice: Notice, issues: [ParseIssue]) {
        let documentName = options.documentName
        let reader = try XMLStreamReader(bytes: bytes, documentName: documentName)
        guard let root = try XMLNoticeTree.read(reader), root.name == "ANNONCE" else {
            throw ParserError.malformed(ParseIssue(file: documentName, message: "boamp: root is not <ANNONCE>"))
        }
        return (try notice(from: root, documentName: documentName, sourceID: options.sourceID), reader.issues)
    }

    /// The buyer's contact from `IDENTITE`: the contact point (`CONTACT`, "à l'attention de Mme la Directrice
    /// Générale…" in test-pub-2.xml) else the correspondent (`CORRESPONDANT`, "Direction de la commande publique" in
    /// test-attribution-5.xml), `MEL`, `TEL`, and the buyer profile (`URL_PROFIL_ACHETEUR`) else the site (`URL`).
    static func contact(_ id: XMLNoticeTree) -> ContactPoint? {
        FormatSupport.contact(
            name: id.text("CONTACT") ?? id.text("CORRESPONDANT"), email: id.text("MEL"), phone: id.text("TEL"),
            url: id.text("URL_PROFIL_ACHETEUR") ?? id.text("URL"))
    }

    static func notice(from a: XMLNoticeTree, documentName: String, sourceID: String) throws -> Notice {
        guard let idweb = a.text("GESTION/REFERENCE/IDWEB") else {
            throw ParserError.malformed(ParseIssue(file: documentName, message: "boamp: notice has no IDWEB"))
        }
        let objet = a.first("DONNEES/OBJET")
        // MAPA notices often have no TITRE_MARCHE: the indexed summary is then the only title.
        guard
            let title = objet?.text("TITRE_MARCHE") ?? a.text("GESTION/INDEXATION/RESUME_OBJET")
                ?? objet?.text("OBJET_COMPLET")
        else {
            throw ParserError.malformed(
                ParseIssue(
                    file: documentName, noticeID: idweb,
                    message: "boamp: notice has no title (TITRE_MARCHE, RESUME_OBJET)"))
        }
        var n = Notice(source: sourceID, sourceID: idweb, kind: kind(a), title: title)
        n.summary = objet?.text("OBJET_COMPLET") ?? a.text("GESTION/INDEXATION/RESUME_OBJET")
        n.url = "https://www.boamp.fr/pages/avis/?q=idweb:\(idweb)"
        n.language = "fr"
        n.refs.boampIDWeb = idweb
        n.refs.buyerReference = objet?.text("REF_MARCHE")
        n.published = FormatSupport.date(a.text("GESTION/INDEXATION/DATE_PUBLICATION"))?.instant
        n.descriptors = a.all("GESTION/INDEXATION/DESCRIPTEURS/DESCRIPTEUR").compactMap { $0.text("CODE") }

        n.awardees = awardees(a)
        if n.kind == .change { n.refs.changedNotice = initialNotice(a) }

        if let id = a.first("DONNEES/IDENTITE") {
            n.buyer = Buyer(
                name: id.text("DENOMINATION"), id: FormatSupport.registrationNumber(id.text("CODE_IDENT_NATIONAL")),
                country: "FRA",
                nuts: id.text("ADJUDICATEUR_NUTS").map { FrenchGeography.nuts2021(fromLegacy: $0) },
                contact: contact(id))
            // URL_DOCUMENT: where the consultation documents are (test-pub.xml: https://marches.maximilien.fr).
            n.documentsURL = id.text("URL_DOCUMENT")
        }

        // CPV: main, then supplementary codes, then lots.
        var cpv: [String] = []
        func addCPV(_ node: XMLNoticeTree?) {
            guard let node else { return }
            for c in node.children {
                if let code = FormatSupport.cpv(c.text), !cpv.contains(code) { cpv.append(code) }
            }
        }
        addCPV(objet?.first("CPV"))
        let lotNodes = objet?.all("LOTS/LOT") ?? []
        lotNodes.forEach { addCPV($0.first("CPV")) }
        n.mainCPV = FormatSupport.cpv(objet?.text("CPV/PRINCIPAL")) ?? cpv.first
        n.cpv = cpv
        n.procedure = procedure(a.childNames("DONNEES/PROCEDURE/TYPE_PROCEDURE").first)

        // Lots, with places from CODE_NUTS and the free-text LIEU_PRINCIPAL, and values (VALEUR, else the
        // amounts stated in INFO_COMPL: "20 000 euros HT au minimum ; 100 000 euros HT au maximum").
        n.lots = lotNodes.enumerated().map { i, l in
            var lot = Lot(id: l.text("NUM") ?? String(i + 1), title: l.text("INTITULE") ?? l.text("DESCRIPTION"))
            lot.cpv = l.first("CPV")?.children.compactMap { FormatSupport.cpv($0.text) } ?? []
            lot.value =
                money(l.first("VALEUR"))
                ?? l.text("INFO_COMPL").flatMap {
                    AmountExtractor.money(from: AmountExtractor.extract($0))
                }
            lot.places = Self.places(
                nuts: l.all("CODE_NUTS").compactMap { FormatSupport.nonEmpty($0.text) },
                text: l.text("LIEU_PRINCIPAL"))
            return lot
        }
        if n.lots.isEmpty {
            n.lots = awardLots(a)
        }

        // Places: where the work is done (LIEU_EXEC_LIVR, lots, DEP_PRESTATION). DEP_PUBLICATION says where the
        // notice is published, which is not a place of work (BOAMP publishes one job in several départements).
        var places: [Place] = []
        if let lieu = objet?.first("LIEU_EXEC_LIVR") {
            for code in lieu.all("CODE_NUTS").compactMap({ FormatSupport.nonEmpty($0.text) }) {
                FormatSupport.appendUnique(FormatSupport.place(nuts: code, postcode: nil, commune: nil), to: &places)
            }
            if lieu.text("CP") != nil || lieu.text("VILLE") != nil {
                FormatSupport.appendUnique(
                    FormatSupport.place(
                        nuts: nil, postcode: lieu.text("CP"),
                        commune: lieu.text("VILLE")), to: &places)
            }
        }
        for lot in n.lots { lot.places.forEach { FormatSupport.appendUnique($0, to: &places) } }
        for dep in a.all("GESTION/INDEXATION/DEP_PRESTATION").compactMap({ FormatSupport.nonEmpty($0.text) }) {
            FormatSupport.appendUnique(
                FormatSupport.place(nuts: nil, postcode: nil, commune: nil, departement: dep),
                to: &places)
        }
        for dep in a.all("GESTION/INDEXATION/DEP_PUBLICATION").compactMap({ FormatSupport.nonEmpty($0.text) }) {
            let code = FrenchGeography.departement(code: dep)?.code ?? dep
            if !n.publicationDepartements.contains(code) { n.publicationDepartements.append(code) }
        }
        n.places = places

        // Value: the estimate (CARACTERISTIQUES), else the award total, else (calls for tenders) the lots added
        // up, else (awards) the awarded amounts added up.
        n.value =
            money(objet?.first("CARACTERISTIQUES"))
            ?? money(a.first("DONNEES/ATTRIBUTION"), kind: .awarded)
            ?? (n.kind == .award ? nil : FormatSupport.total(of: n.lots))
        if n.value == nil {
            let amounts = a.all("DONNEES/ATTRIBUTION/DECISION/RENSEIGNEMENT/MONTANT")
            let values = amounts.compactMap { FormatSupport.decimal($0.text) }
            let currencies = Set(amounts.map { $0.attributes["DEVISE"] ?? "EUR" })
            if !values.isEmpty, values.count == amounts.count, currencies.count == 1 {
                n.value = Money(amount: values.reduce(0, +), currency: currencies.first, vat: "HT", kind: .awarded)
            }
        }

        // Deadline: receipt of tenders; the indexed DATE_LIMITE_REPONSE otherwise.
        n.deadline =
            FormatSupport.date(a.text("DONNEES/CONDITION_DELAI/RECEPT_OFFRES"), endOfDay: true)
            ?? FormatSupport.date(a.text("GESTION/INDEXATION/DATE_LIMITE_REPONSE"), endOfDay: true)
        if let cand = FormatSupport.date(a.text("DONNEES/CONDITION_DELAI/RECEPT_CANDIDATURES"), endOfDay: true) {
            if n.deadline == nil {
                // Restricted procedures give only the receipt of candidatures: labelled as such, not as tenders.
                n.deadline = cand
                n.deadlineKind = .requestToParticipate
            } else {
                n.otherDeadlines.append(NamedDate(kind: .requestToParticipate, date: cand))
            }
        }
        // Some MAPA notices state the deadline only in free text ("Date limite de réception des offres :
        // 12/01/2027 à 12h00" in RENS_COMPLEMENT): the French extractor reads it, dispatch dates excluded.
        if n.deadline == nil, n.kind == .tender {
            let text = [
                "DONNEES/RENSEIGNEMENTS_COMPLEMENTAIRES", "DONNEES/CONDITION_ADMINISTRATIVE",
                "DONNEES/CONDITION_DELAI",
            ].compactMap { a.first($0)?.deepText }.joined(separator: ". ")
            n.deadline = DeadlineExtractor.extract(text)?.date
        }
        if let opening = FormatSupport.date(a.text("DONNEES/CONDITION_ADMINISTRATIVE/DATE_OUVERTURE_OFFRES")) {
            n.otherDeadlines.append(NamedDate(kind: .opening, date: opening))
        }
        return n
    }

    static func kind(_ a: XMLNoticeTree) -> NoticeKind {
        let statut = a.childNames("GESTION/REFERENCE/TYPE_AVIS/STATUT")
        if statut.contains(where: { $0.hasPrefix("RECTIF") || $0.hasPrefix("ANNUL") || $0.hasPrefix("MODIF") }) {
            return .change
        }
        let nature = a.childNames("GESTION/REFERENCE/TYPE_AVIS/NATURE").first ?? ""
        switch nature {
        case "ATTRIBUTION", "RESULTAT", "AVIS_RESULTAT": return .award
        case "PRE_INFORMATION", "PREINFORMATION", "AVIS_PREALABLE", "INFORMATION": return .priorInformation
        case "RECTIFICATIF", "MODIFICATION", "ANNULATION": return .change
        default: return .tender
        }
    }

    /// BOAMP procedure enumeration → the eForms code where one exists, else the BOAMP name (MAPA…).
    static func procedure(_ name: String?) -> String? {
        guard let name else { return nil }
        switch name {
        case "OUVERT": return "open"
        case "RESTREINT": return "restricted"
        case "PROCEDURE_ADAPTE", "ADAPTE": return "MAPA"
        case "DIALOGUE_COMPETITIF": return "comp-dial"
        case "NEGOCIE", "PROCEDURE_NEGOCIEE", "CONCURRENTIELLE_NEGO": return "neg-w-call"
        case "NEGOCIE_SANS_PUB", "SANS_PUBLICATION": return "neg-wo-call"
        case "PARTENARIAT_INNOVATION": return "innovation"
        default: return name.lowercased()
        }
    }

    /// An amount element with `DEVISE` (`VALEUR`, `MONTANT`), or a container holding `VALEUR_TOTALE`,
    /// `VALEUR_MIN`/`VALEUR_MAX`, `MONTANT_MINI`/`MONTANT_MAXI`.
    static func money(_ node: XMLNoticeTree?, kind: ValueKind = .estimated) -> Money? {
        guard let node else { return nil }
        // A 0 is a placeholder, never a value.
        func amount(_ n: XMLNoticeTree?) -> (Decimal, String?)? {
            guard let n, let v = FormatSupport.decimal(n.text), v > 0 else { return nil }
            return (v, n.attributes["DEVISE"])
        }
        if node.children.isEmpty, let (v, cur) = amount(node) {
            return Money(amount: v, currency: cur ?? "EUR", vat: "HT", kind: kind)
        }
        let total = amount(node.first("VALEUR_TOTALE")) ?? amount(node.first("VALEUR"))
        let min = amount(node.first("VALEUR_MIN")) ?? amount(node.first("MONTANT_MINI"))
        let max = amount(node.first("VALEUR_MAX")) ?? amount(node.first("MONTANT_MAXI"))
        guard total != nil || min != nil || max != nil else { return nil }
        // Schema v230 values are "hors TVA" (standard forms II.1.7 / V.2.4).
        return Money(
            amount: total?.0, currency: total?.1 ?? min?.1 ?? max?.1 ?? "EUR", min: min?.0, max: max?.0,
            vat: "HT", kind: kind)
    }

    /// Places of a lot: its NUTS codes (legacy 2013 codes mapped) and what the free text names.
    static func places(nuts: [String], text: String?) -> [Place] {
        var out: [Place] = []
        for code in nuts {
            FormatSupport.appendUnique(FormatSupport.place(nuts: code, postcode: nil, commune: nil), to: &out)
        }
        if let text {
            for p in PlaceExtractor.extract(text)
            where !out.contains(where: { $0.departement != nil && $0.departement == p.departement }) {
                out.append(p)
            }
        }
        return out
    }

    /// `DONNEES/ATTRIBUTION/DECISION/TITULAIRE`: one per lot and winner, so the same firm recurs across lots;
    /// each distinct name and id is kept once. Names stay as written ("CONCRETE WAVES SKATE PARKS(Mandataire)",
    /// "ARC INTERIM (Rang 1)"): the role is the buyer's wording and readers need it.
    static func awardees(_ a: XMLNoticeTree) -> [Buyer] {
        var out: [Buyer] = []
        for t in a.all("DONNEES/ATTRIBUTION/DECISION/TITULAIRE") {
            let name = t.text("DENOMINATION")
            let id = FormatSupport.registrationNumber(t.text("CODE_IDENT_NATIONAL") ?? t.text("SIRET"))
            guard name != nil || id != nil else { continue }
            let nuts = t.text("CODE_NUTS").map { FrenchGeography.nuts2021(fromLegacy: $0) }
            if !out.contains(where: { $0.name == name && $0.id == id }) {
                out.append(Buyer(name: name, id: id, nuts: nuts))
            }
        }
        return out
    }

    /// The notice a corrigendum modifies: `GESTION/MARCHE/ANNONCE_ANTERIEUR/REFERENCE/IDWEB`, the initial one
    /// when several earlier notices are listed (a second corrigendum lists the first one too).
    static func initialNotice(_ a: XMLNoticeTree) -> String? {
        let earlier = a.all("GESTION/MARCHE/ANNONCE_ANTERIEUR/REFERENCE")
        let initial = earlier.first { $0.childNames("TYPE_AVIS/STATUT").contains("INITIAL") } ?? earlier.first
        return initial?.text("IDWEB")
    }

    /// Award notices list decisions per lot rather than `LOTS`.
    static func awardLots(_ a: XMLNoticeTree) -> [Lot] {
        a.all("DONNEES/ATTRIBUTION/DECISION").enumerated().compactMap { i, d in
            guard d.text("NUM_LOT") != nil || d.text("INTITULE") != nil else { return nil }
            var lot = Lot(id: d.text("NUM_LOT") ?? String(i + 1), title: d.text("INTITULE"))
            lot.value =
                money(d.first("RENSEIGNEMENT/MONTANT"), kind: .awarded)
                ?? money(d.first("RENSEIGNEMENT"), kind: .awarded)
            return lot
        }
    }
}
