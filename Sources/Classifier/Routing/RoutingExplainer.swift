import Foundation
import Notices

/// Plain-language explanation of a ``RoutingResult``: which rule let the notice through, for whom, with which
/// words or codes, who was dropped and by which filter, and which groups could bid together.
public struct RoutingExplainer: Sendable {
    /// Output language.
    public enum Language: String, Sendable, CaseIterable { case fr, en }

    public var language: Language
    /// Only this member (its route or near miss, and consortia it belongs to).
    public var member: String?
    /// Only this cluster.
    public var cluster: String?
    /// `now`, to say "in 12 days".
    public var now: Date

    public init(language: Language = .fr, member: String? = nil, cluster: String? = nil, now: Date = Date()) {
        self.language = language
        self.member = member
        self.cluster = cluster
        self.now = now
    }

    private func t(_ fr: String, _ en: String) -> String { language == .fr ? fr : en }

    private func field(_ f: ReasonField) -> String {
        language == .fr ? Router.fieldFR(f) : f.rawValue
    }

    private func num(_ x: Double) -> String { Router.fmt(x) }

    /// Why a member was dropped, in one line: the one place that words a ``NearMissCause``.
    public func describe(_ cause: NearMissCause) -> String {
        switch cause {
        case .upstreamSupplier(let up, let down):
            return t(
                "\(up) → \(down) : son métier n'est pas ce que l'avis achète (partenaire possible d'un groupement)",
                "\(up) → \(down): its trade is not what the notice buys (a possible groupement partner)")
        case .segmentExclusion(let segment, let term, let f):
            return t(
                "exclusion « \(term) » du segment \(segment) trouvée (\(field(f)))",
                "exclusion '\(term)' of segment \(segment) found (\(f.rawValue))")
        case .weakMatch(let segment, let score, let threshold):
            return t(
                "segment \(segment) : score \(num(score)) sous le seuil \(num(threshold))",
                "segment \(segment): score \(num(score)) below threshold \(num(threshold))")
        case .incoherentEvidence(let segment, let rejection):
            return t("segment \(segment) : ", "segment \(segment): ") + describe(rejection)
        case .memberExclusion(let term, let f, let matched):
            return t(
                "exclusion « \(term) » trouvée (\(field(f))\(matched.map { " : « \($0) »" } ?? ""))",
                "exclusion '\(term)' found (\(f.rawValue)\(matched.map { ": '\($0)'" } ?? ""))")
        case .kind(let kind, let wanted):
            let list = wanted.map(\.rawValue).joined(separator: ", ")
            return t(
                "type \(kind.rawValue) non suivi (suivis : \(list))",
                "kind \(kind.rawValue) not wanted (wanted: \(list))")
        case .deadline(let lead, let minimum):
            let d =
                lead < 0
                ? t("échéance dépassée", "deadline passed")
                : t("échéance dans \(num(lead)) j", "deadline in \(num(lead)) days")
            return t("\(d), délai minimal \(minimum) j", "\(d), minimum lead time \(minimum) days")
        case .territory(let miss):
            switch miss {
            case .outsideFrance:
                return t("lieu d'exécution hors de France", "place of work outside France")
            case .outsideRegions(let regions):
                let names = regions.map { Geography.regionNames[$0] ?? $0 }.joined(separator: ", ")
                return t(
                    "lieu d'exécution en \(names), hors des régions des sites",
                    "place of work in \(names), outside the regions of its sites")
            case .tooFar(let places, let distance, let site, let maximum):
                let p = places.map(Router.departementLabel).joined(separator: ", ")
                let s = Router.departementLabel(site)
                return t(
                    "lieu d'exécution \(p) à \(distance) départements du site le plus proche (\(s)), maximum \(maximum)",
                    "place of work \(p) is \(distance) départements from the nearest site (\(s)), maximum \(maximum)")
            case .outOfReach(let places):
                let p = places.map(Router.departementLabel).joined(separator: ", ")
                return t(
                    "lieu d'exécution \(p) hors de portée des sites", "place of work \(p) out of reach of the sites")
            }
        case .capacity(let value, let capacity):
            return t(
                "montant \(Router.euros(value)) au-delà de la capacité \(Router.euros(capacity))",
                "value \(Router.euros(value)) above capacity \(Router.euros(capacity))")
        }
    }

    /// A groupement proposal in a few sentences: what the unit needs, who is proposed with what, the lead, and
    /// what is still missing.
    public func describe(_ g: ConsortiumSuggestion) -> String {
        func label(_ id: String) -> String { g.segmentLabels[id] ?? id }
        func name(_ id: String) -> String { g.memberNames[id] ?? id }
        let what = g.lotID.map { t("Le lot \($0)", "Lot \($0)") } ?? t("L'avis", "The notice")
        let needs = "\(what) \(t("demande", "needs")) " + g.segments.map { "« \(label($0)) »" }.joined(separator: " + ")
        let value = Router.euros(g.value ?? 0)
        var s: String
        switch g.reason {
        case .multipleSegments:
            s = needs + t(" : aucun membre ne couvre tout seul.", ": no member covers all of it alone.")
        case .valueExceedsCapacity:
            s = "\(what) (\(value)) " + t("dépasse la capacité de chaque membre.", "exceeds every member's capacity.")
        case .both:
            s =
                needs
                + t(
                    " et son montant (\(value)) dépasse la capacité de chaque membre.",
                    " and its value (\(value)) exceeds every member's capacity.")
        }
        s +=
            t(" Groupement proposé : ", " Proposed group: ")
            + g.members.map { id in
                let role = id == g.lead ? t(" (mandataire)", " (lead)") : ""
                return "\(name(id))\(role) [\((g.contributions[id] ?? []).map(label).joined(separator: ", "))]"
            }.joined(separator: " + ") + "."
        s +=
            t(" Mandataire : \(name(g.lead)), plus grande capacité", " Lead: \(name(g.lead)), largest capacity")
            + (g.leadCapacity.map { " (\(Router.euros($0)))" } ?? "")
            + (g.leadDistance.map {
                t(", site à \($0) département(s) du lieu", ", site \($0) département(s) from the place of work")
            } ?? "") + "."
        if !g.uncovered.isEmpty {
            s += t(" Non couvert : ", " Not covered: ") + g.uncovered.map(label).joined(separator: ", ") + "."
        }
        if let v = g.value, let comb = g.combinedCapacity, comb < v {
            s += t(
                " Capacité cumulée \(Router.euros(comb)) encore inférieure au montant.",
                " Combined capacity \(Router.euros(comb)) still below the value.")
        }
        return s
    }

    /// A staff signal in one line, with its figures.
    public func describe(_ s: StaffSignal) -> String {
        var figures: [String] = []
        if let v = s.value { figures.append(t("montant \(Router.euros(v))", "value \(Router.euros(v))")) }
        if let l = s.largestCapacity {
            figures.append(t("plus grande capacité \(Router.euros(l))", "largest capacity \(Router.euros(l))"))
        }
        if let c = s.combinedCapacity, s.members.count > 1 {
            figures.append(t("\(Router.euros(c)) ensemble", "\(Router.euros(c)) together"))
        }
        return t(
            "cœur de métier (\(s.segments.joined(separator: ", "))) que personne ne peut porter, seul ni en groupement",
            "core business (\(s.segments.joined(separator: ", "))) nobody can carry, alone or together")
            + (figures.isEmpty ? "" : " — " + figures.joined(separator: ", "))
    }

    /// Why a segment with evidence was not found needed.
    public func describe(_ rejection: SegmentRejection) -> String {
        switch rejection {
        case .exclusion:
            return t("exclu par une exclusion du segment", "vetoed by a segment exclusion")
        case .belowThreshold(let threshold):
            return t("indices sous le seuil \(num(threshold))", "evidence below the threshold \(num(threshold))")
        case .isolated:
            return t(
                "indice isolé (un seul mot, sans code CPV ni second mot-clé qui le confirme)",
                "isolated evidence (one word, with no CPV code or second keyword to confirm it)")
        case .serviceAboutTrade(let division):
            return t(
                "l'avis achète un service autour du métier (CPV \(division)…), pas le métier",
                "the notice buys a service about the trade (CPV \(division)…), not the trade")
        case .outOfContext:
            return t(
                "aucun mot du contexte du segment dans l'avis", "none of the segment's context words in the notice")
        }
    }

    /// One line of evidence.
    public func describe(_ r: Reason) -> String {
        let w = (r.weight >= 0 ? "+" : "") + num(r.weight)
        let lot = r.lotID.map { " (lot \($0))" } ?? ""
        let found = r.matched.map { t(" : « \($0) »", ": '\($0)'") } ?? ""
        switch r.field {
        case .cpv:
            return t(
                "code CPV \(r.term)* ← \(r.matched ?? r.term)\(lot) (\(w))",
                "CPV prefix \(r.term) ← \(r.matched ?? r.term)\(lot) (\(w))")
        case .descriptor:
            return t("descripteur BOAMP \(r.term) (\(w))", "BOAMP descriptor \(r.term) (\(w))")
        case .segment:
            return t("segment \(r.term) reconnu (\(w))", "segment \(r.term) tagged (\(w))")
        case .value:
            // filter:capacity/groupement — above the member's capacity, sent as a partner of a groupement.
            return t(
                "montant \(r.matched ?? "?") au-delà de la capacité \(r.term) : envoyé pour un groupement",
                "value \(r.matched ?? "?") above capacity \(r.term): sent for a groupement")
        case .certification:
            return r.certification == .declared
                ? t("certification « \(r.term) » demandée : déclarée", "certification '\(r.term)' asked: declared")
                : t(
                    "certification « \(r.term) » demandée : non déclarée",
                    "certification '\(r.term)' asked: not declared")
        case .place:
            let d = r.matched.flatMap { Geography.distance(r.term, $0) }.map(String.init) ?? "?"
            let p = r.matched.map(Router.departementLabel) ?? "?"
            return t(
                "site \(Router.departementLabel(r.term)), lieu \(p) : \(d) département(s) d'écart (\(w))",
                "site \(Router.departementLabel(r.term)), place \(p): \(d) département(s) apart (\(w))")
        default:
            let isInterest: Bool
            if case .memberInterest = r.source { isInterest = true } else { isInterest = false }
            let kind = isInterest ? t("intérêt", "interest") : t("mot-clé", "keyword")
            return t(
                "\(kind) « \(r.term) » dans le \(field(r.field))\(lot)\(found) (\(w))",
                "\(kind) '\(r.term)' in \(field(r.field))\(lot)\(found) (\(w))")
        }
    }

    private func filterName(_ f: RoutingFilter) -> String {
        switch f {
        case .territory: return t("territoire", "territory")
        case .capacity: return t("capacité", "capacity")
        case .kind: return t("type d'avis", "notice kind")
        case .deadline: return t("échéance", "deadline")
        case .memberExclusion: return t("exclusion du membre", "member exclusion")
        case .segmentExclusion: return t("exclusion du segment", "segment exclusion")
        case .weakMatch: return t("indices insuffisants", "weak match")
        case .upstreamSupplier: return t("fournisseur amont", "upstream supplier")
        }
    }

    private func kindName(_ k: NoticeKind) -> String {
        switch k {
        case .tender: return t("appel d'offres", "tender")
        case .priorInformation: return t("avis de pré-information", "prior information notice")
        case .award: return t("attribution", "award")
        case .callForProjects: return t("appel à projets", "call for projects")
        case .change: return t("avis rectificatif", "change notice")
        }
    }

    /// The whole explanation of one notice.
    public func render(_ result: RoutingResult, notice: Notice) -> String {
        var out: [String] = []
        out.append(t("Avis \(notice.id) — « \(notice.title) »", "Notice \(notice.id) — '\(notice.title)'"))
        var facts = [t("Type : ", "Kind: ") + kindName(notice.kind)]
        if let d = notice.deadline ?? notice.call?.closing {
            let days = d.instant.timeIntervalSince(now) / 86_400
            facts.append(
                t(
                    "Échéance : \(d.iso8601) (\(days < 0 ? "dépassée" : "dans \(num(days.rounded())) j"))",
                    "Deadline: \(d.iso8601) (\(days < 0 ? "passed" : "in \(num(days.rounded())) days"))"))
        }
        if let v = Router.amount(notice.value) {
            facts.append(t("Montant : ", "Value: ") + Router.euros(v))
        }
        let place = ResolvedPlace(places: notice.places + notice.lots.flatMap(\.places), buyer: notice.buyer)
        if !place.departements.isEmpty {
            facts.append(
                t("Lieu : ", "Place: ") + place.departements.map(Router.departementLabel).joined(separator: ", "))
        } else if !place.regions.isEmpty {
            facts.append(
                t("Région : ", "Region: ")
                    + place.regions.map { Geography.regionNames[$0] ?? $0 }
                    .joined(separator: ", "))
        } else if place.isAbroad {
            facts.append(t("Lieu : hors de France", "Place: outside France"))
        } else {
            facts.append(t("Lieu : non précisé", "Place: not stated"))
        }
        out.append(facts.joined(separator: " · "))
        for c in result.clusters where cluster == nil || c.clusterID == cluster {
            out.append("")
            out.append("\(c.clusterName) (\(c.clusterID))")
            if c.segments.isEmpty {
                out.append(t("  Aucun segment de la chaîne de valeur reconnu.", "  No value-chain segment tagged."))
            } else {
                out.append(t("  Segments reconnus :", "  Segments tagged:"))
                for s in c.segments {
                    out.append("    • \(s.segmentID) (\(s.label)) — score \(num(s.score))")
                    for r in s.reasons { out.append("        \(describe(r))") }
                }
            }
            if !c.rejectedSegments.isEmpty {
                out.append(t("  Segments écartés :", "  Segments rejected:"))
                for s in c.rejectedSegments {
                    if let v = s.vetoedBy {
                        out.append(
                            t(
                                "    • \(s.segmentID) — exclu par « \(v.term) » (\(field(v.field))\(v.matched.map { " : « \($0) »" } ?? ""))",
                                "    • \(s.segmentID) — vetoed by '\(v.term)' (\(field(v.field))\(v.matched.map { ": '\($0)'" } ?? ""))"
                            ))
                    } else {
                        let why = s.rejection.map(describe) ?? t("non retenu", "not needed")
                        out.append("    • \(s.segmentID) — score \(num(s.score)), \(why)")
                    }
                    for r in s.reasons { out.append("        \(describe(r))") }
                }
            }
            let routes = c.routes.filter { member == nil || $0.memberID == member }
            let misses = c.nearMisses.filter { member == nil || $0.memberID == member }
            out.append(t("  Destinataires :", "  Routed to:"))
            if routes.isEmpty { out.append(t("    (aucun)", "    (none)")) }
            for r in routes {
                let kind = r.kind.rawValue
                let dist = r.distance.map { t(", à \($0) département(s)", ", \($0) département(s) away") } ?? ""
                out.append(
                    "    ✓ \(r.memberName) (\(r.memberID)) — \(kind), score \(num(r.score)), "
                        + "segments " + r.segments.joined(separator: ", ") + dist)
                for reason in r.reasons { out.append("        \(describe(reason))") }
            }
            if !misses.isEmpty || member != nil {
                out.append(t("  Écartés :", "  Dropped:"))
                if misses.isEmpty && routes.isEmpty, let m = member {
                    out.append(
                        t(
                            "    \(m) : aucun de ses segments ni intérêts n'est concerné par cet avis.",
                            "    \(m): none of its segments or interests concerns this notice."))
                }
                for m in misses {
                    out.append(
                        "    ✗ \(m.memberName) (\(m.memberID)) — \(filterName(m.filter))\(t(" : ", ": "))"
                            + (language == .fr ? m.detail : m.detailEN))
                }
            }
            let consortia = c.consortia.filter { member == nil || $0.members.contains(member!) }
            if !consortia.isEmpty {
                out.append(t("  Groupements proposés :", "  Suggested consortia:"))
                for g in consortia {
                    out.append("    ◆ " + (language == .fr ? g.detail : g.detailEN))
                }
            }
            if !c.signals.isEmpty && member == nil {
                out.append(t("  À signaler au pôle :", "  For the cluster's staff:"))
                for s in c.signals { out.append("    ⚑ " + describe(s)) }
            }
            if !c.watches.isEmpty && member == nil {
                out.append(t("  Veilles :", "  Saved watches:"))
                for w in c.watches {
                    out.append("    ▸ \(w.name) (\(w.watchID)) → \(w.recipients.joined(separator: ", "))")
                    for r in w.reasons { out.append("        \(describe(r))") }
                }
            }
        }
        return out.joined(separator: "\n")
    }
}
