import Foundation
import Notices

/// Words for staff only: why a member was dropped (« écartés de justesse »), and the night at a glance.
extension Wording {
    static let nearMisses = "Écartés de justesse"
    static let summary = "La nuit en bref"
    static let mailFailures = "Courriels refusés"

    /// An e-mail that failed for good, in words the staff act on: « contact@… — « Veille … » — adresse inconnue
    /// du serveur (code 550), le mardi 5 mai 2026 à 4 h 00 : corrigez l'adresse ». One that never reached a
    /// server (no reply code: its stored copy could not be read back) is no matter of address: the member did not
    /// get it, and whoever runs Vigie has a damaged store to look at.
    static func mailFailure(_ f: MailFailure) -> String {
        guard let code = f.code else {
            return "\(f.recipient) — « \(f.subject) » — non envoyé : le courriel gardé par Vigie est illisible "
                + "(fichier de données abîmé), le \(FrenchFormat.dateTime(f.at)) : le membre ne l'a pas reçu, "
                + "prévenez la personne qui administre Vigie"
        }
        return "\(f.recipient) — « \(f.subject) » — \(smtpRefusal(code)), le \(FrenchFormat.dateTime(f.at)) : "
            + "vérifiez l'adresse dans le fichier du pôle"
    }

    /// A permanent SMTP refusal in words (RFC 5321 reply codes).
    static func smtpRefusal(_ code: Int) -> String {
        switch code {
        // The sender's own check, before any byte went out (a line break or a bad character in the address).
        case 0: return "adresse refusée avant l'envoi, mal formée"
        case 550, 551: return "adresse inconnue ou refusée par le serveur (code \(code))"
        case 552: return "boîte du destinataire pleine (code 552)"
        case 553: return "adresse mal formée selon le serveur (code 553)"
        case 554: return "message refusé par le serveur (code 554)"
        default: return "refusé par le serveur (code \(code))"
        }
    }
    /// How many near misses the staff digest shows; the JSON keeps them all.
    static let nearMissLimit = 15

    /// Members dropped from a notice they were not sent after all, strongest evidence first. A member the router
    /// dropped for one trade but sent the notice for another (or as a call's beneficiary) was not left out.
    static func leftOut(_ input: DigestInput) -> [NearMissItem] {
        // A member's digest has none: no set of every item sent built for nothing.
        if input.nearMisses.isEmpty { return [] }
        if let leftOut = input.tallies.leftOut { return leftOut }
        // Only the near misses' notices are looked up: the set held every item sent, a key built for each.
        let missed = Set(input.nearMisses.lazy.map(\.notice.id))
        var sent = Set<String>()
        for m in input.members {
            for i in m.items.indices where missed.contains(m.items[i].notice.id) {
                sent.insert(m.memberID + "\u{1F}" + m.items[i].notice.id)
            }
        }
        for c in input.calls.indices where missed.contains(input.calls[c].notice.id) {
            for id in input.calls[c].memberIDs { sent.insert(id + "\u{1F}" + input.calls[c].notice.id) }
        }
        return input.nearMisses.enumerated()
            .filter { !sent.contains($0.element.memberID + "\u{1F}" + $0.element.notice.id) }
            .sorted {
                $0.element.score != $1.element.score ? $0.element.score > $1.element.score : $0.offset < $1.offset
            }.map(\.element)
    }

    /// The filter that dropped a member, in words with its figures: « trop loin : Gironde (33), à 4
    /// départements de son site (Loire (42)), maximum 2 ».
    static func exclusion(_ e: RouteExclusion) -> String {
        switch e.filter {
        case .territory:
            let places = e.places.map(FrenchFormat.departementLabel).joined(separator: ", ")
            if e.outsideFrance { return "hors de France" + (places.isEmpty ? "" : " : \(places)") }
            if let d = e.distance {
                var s = "trop loin : " + (places.isEmpty ? "lieu d'exécution" : places) + ", à \(d) départements"
                if let site = e.site { s += " de son site le plus proche, \(FrenchFormat.departementLabel(site))" }
                if let m = e.maximumDistance { s += " — maximum \(m)" }
                return s
            }
            if !e.regions.isEmpty {
                let names = e.regions.map { FrenchRegion.namesByNUTS1[$0] ?? $0 }.joined(separator: ", ")
                return "hors de ses régions : lieu d'exécution en \(names)"
            }
            return "hors de portée de ses sites" + (places.isEmpty ? "" : " : \(places)")
        case .capacity:
            var s = "au-delà de sa capacité"
            switch (e.value, e.capacity) {
            case (let v?, let c?):
                s +=
                    " : \(FrenchFormat.euros(Decimal(v), compact: true))"
                    + " pour \(FrenchFormat.euros(Decimal(c), compact: true))"
            case (let v?, nil): s += " : \(FrenchFormat.euros(Decimal(v), compact: true))"
            default: break
            }
            return s
        case .kind:
            var s = "type d'avis non suivi"
            if let k = e.noticeKind { s += " : \(FrenchFormat.kind(k).lowercased())" }
            if !e.wantedKinds.isEmpty {
                s +=
                    " (suit : " + e.wantedKinds.map { FrenchFormat.kind($0).lowercased() }.joined(separator: ", ") + ")"
            }
            return s
        case .deadline:
            guard let lead = e.leadDays else { return "délai trop court" }
            if lead < 0 { return "date limite dépassée" }
            let days = Int(lead.rounded(.down))
            var s = "délai trop court : " + (days == 0 ? "moins d'un jour" : FrenchFormat.plural(days, "jour", "jours"))
            if let m = e.minimumLeadDays { s += " (minimum \(m))" }
            return s
        case .memberExclusion:
            return "exclusion « \(plainTerm(e.term ?? "")) »" + (e.field.map { " dans \(field($0, lot: nil))" } ?? "")
        case .segmentExclusion:
            var s = "exclusion « \(plainTerm(e.term ?? "")) »"
            if let seg = e.segment { s += " du métier \(seg)" }
            return s + (e.field.map { " dans \(field($0, lot: nil))" } ?? "")
        case .weakMatch:
            return "indices trop faibles pour le métier" + (e.segment.map { " \($0)" } ?? "")
        case .upstreamSupplier:
            let up = e.upstream ?? e.segment ?? "son métier"
            return "fournisseur seulement : \(up) alimente \(e.downstream ?? "un métier de l'avis"), que l'avis"
                + " achète (partenaire possible d'un groupement)"
        }
    }

    /// The staff summary's rows (label, lines): new notices, for whom, deadlines this week, consortium ideas,
    /// calls, changes, near misses. `limit`: this week's deadlines shown at most (an e-mail, ``MailCut``), the
    /// rest counted.
    static func summaryRows(_ input: DigestInput, limit: Int? = nil) -> [Fact] {
        let s = input.summary
        var rows: [Fact] = [Fact("Nouveaux avis", text: "\(s.newNotices)")]
        if !s.perMember.isEmpty {
            // In the order the sections are shown.
            // Each name's first place, looked up once (a hundred members searched a hundred names at each
            // comparison).
            let ordered = orderedMembers(input)
            var place: [String: Int] = [:]
            for (i, m) in ordered.enumerated() where place[m.memberName] == nil { place[m.memberName] = i }
            let end = ordered.count
            let perMember = s.perMember.sorted { (place[$0.name] ?? end) < (place[$1.name] ?? end) }
            rows.append(
                Fact(
                    "Pour qui",
                    perMember.map { [.text("\($0.name) : "), .whole(FrenchFormat.plural($0.count, "avis", "avis"))] }))
        }
        rows.append(
            Fact(
                "À rendre cette semaine",
                s.deadlinesThisWeek.isEmpty
                    ? [[.text("aucun")]]
                    : s.deadlinesThisWeek.prefix(limit ?? s.deadlinesThisWeek.count).map { item in
                        let n = item.notice
                        let d = FrenchFormat.mainDeadline(n)!
                        let title: Fact.Piece =
                            n.url.map { isWebURL($0) ? .link(n.title, url: $0) : .text(n.title) } ?? .text(n.title)
                        return [.whole(FrenchFormat.relative(d, from: input.runDate)), .text(" — "), title]
                    }
                        + (s.deadlinesThisWeek.count > (limit ?? .max)
                            ? [[.text(listMore(s.deadlinesThisWeek.count - (limit ?? 0)))]] : [])))
        rows.append(Fact("Idées de consortium", text: "\(s.consortiumIdeas)"))
        rows.append(Fact("Appels à projets", text: "\(s.calls)"))
        rows.append(Fact("Avis modifiés", text: "\(s.changed)"))
        let leftOut = leftOut(input).count
        if leftOut > 0 { rows.append(Fact("Écartés de justesse", text: "\(leftOut)")) }
        if !input.mailFailures.isEmpty { rows.append(Fact(mailFailures, text: "\(input.mailFailures.count)")) }
        let failing = input.sources.filter { $0.status == .failing || $0.status == .stale }
        if !failing.isEmpty {
            rows.append(
                Fact("Sources en difficulté", text: failing.map { $0.name ?? $0.sourceID }.joined(separator: ", ")))
        }
        return rows
    }
}

/// Source health in French, from the fetcher's condition (`SourceHealth.failure`), never its English message.
extension Wording {
    /// What went wrong, in words: « le service a répondu « indisponible » (erreur 503) ».
    static func failure(_ kind: SourceFailureKind?, status: Int?) -> String {
        if kind == .httpStatus || (kind == nil && status != nil) { return httpStatus(status) }
        switch kind {
        case .httpStatus?: return httpStatus(status)
        case .rateLimited?: return "le service limite le nombre de demandes" + (status.map { " (erreur \($0))" } ?? "")
        case .connection?: return "connexion au service impossible"
        case .timeout?: return "délai dépassé : le service n'a pas répondu à temps"
        case .stalled?: return "transfert interrompu : le service ne répondait plus"
        case .truncated?, .lengthMismatch?: return "réponse incomplète"
        case .refusedURL?: return "adresse refusée par la configuration"
        case .timeBudget?: return "temps alloué à la collecte épuisé"
        case .bodyTooLarge?: return "réponse trop volumineuse"
        case .redirectLoop?, .tooManyRedirects?: return "le service renvoie d'adresse en adresse sans fin"
        case .htmlInsteadOfData?: return "le service a renvoyé une page web au lieu des données (maintenance ?)"
        case .unexpectedContent?: return "le service a renvoyé un contenu inattendu"
        case .paging?: return "pagination incohérente du service"
        case .missingCredential?: return "clé d'accès manquante dans la configuration"
        case .authentication?: return "clé d'accès refusée par le service"
        case .transport?: return "erreur réseau"
        case .interrupted?: return "collecte interrompue"
        case .parse?: return "réponse illisible"
        case .catalogue?: return "description de la source invalide"
        case nil: return "échec de la collecte"
        }
    }

    static func httpStatus(_ status: Int?) -> String {
        guard let status else { return "le service a répondu par une erreur" }
        let meaning: String
        switch status {
        case 400: meaning = "demande refusée"
        case 401: meaning = "authentification refusée"
        case 403: meaning = "accès refusé"
        case 404, 410: meaning = "adresse introuvable"
        case 429: meaning = "trop de demandes"
        case 500: meaning = "erreur interne"
        case 502: meaning = "passerelle en erreur"
        case 503: meaning = "indisponible"
        case 504: meaning = "délai dépassé"
        default: return "le service a répondu par une erreur (code \(status))"
        }
        return "le service a répondu « \(meaning) » (erreur \(status))"
    }

    /// The source table's remark: what went wrong and what happens next, or what an incomplete source still
    /// owes, in words a member firm's staff read without knowing what an API cap is.
    static func sourceRemark(_ s: SourceHealth) -> String {
        switch s.status {
        case .ok: return ""
        case .skipped: return "non interrogée cette nuit"
        case .incomplete:
            let owed: String
            switch s.left {
            case 1?: owed = "1 avis reste à récupérer"
            case let n? where n > 1: owed = "\(FrenchFormat.number(Decimal(n))) avis restent à récupérer"
            default: owed = "d'autres avis restent à récupérer"
            }
            return owed + ", la suite la nuit prochaine"
        case .failing, .stale:
            var out =
                s.status == .stale && s.failure == nil && s.httpStatus == nil
                ? "pas de collecte réussie récemment" : failure(s.failure, status: s.httpStatus)
            out = out.prefix(1).uppercased() + out.dropFirst()
            if s.status == .failing { out += " — nouvel essai la nuit prochaine" }
            if s.consecutiveFailures > 1 { out += " (\(s.consecutiveFailures) échecs de suite" }
            if let last = s.lastSuccess {
                out +=
                    (s.consecutiveFailures > 1 ? ", " : " (")
                    + "dernière collecte réussie : \(FrenchFormat.date(last)))"
            } else if s.consecutiveFailures > 1 {
                out += ")"
            }
            return out
        }
    }
}

/// One notice of the staff's « Les avis de la nuit » and the members it went to, as places in the member sections
/// (`Wording.orderedMembers`): pointing at the items, not copying them (each holds a whole notice).
struct NoticeRecipients {
    /// Where each member's item for this notice lies, strongest first: `sections[section].items[item]`.
    var recipients: [(section: Int, item: Int)]
    /// The first recipient's place: its item shows the notice, its sources and its summary.
    var first: (section: Int, item: Int) { recipients[0] }
}

extension Wording {
    /// The staff's member section: each notice once, with the members it went to.
    static let byNotice = "Les avis de la nuit"

    /// The member sections regrouped per notice, for the staff: a notice routed to twenty members is one card
    /// that names the twenty, not twenty cards.
    ///
    /// Notices in the order a member reads its own section (`DigestAssembler.readingOrder`), each taken at its
    /// strongest: a notice that is core business for one member and value chain for others counts as core
    /// business; then the soonest deadline, then the strongest evidence. Staff first read what some member should
    /// answer soonest. Within a notice, members core business first, then the strongest evidence, then in section
    /// order, so the likely lead of a joint bid comes first.
    static func byNotice(_ input: DigestInput) -> [NoticeRecipients] {
        input.tallies.groups ?? byNotice(orderedMembers(input))
    }

    static func byNotice(_ sections: [MemberSection]) -> [NoticeRecipients] {
        var groups: [NoticeRecipients] = []
        var index: [String: Int] = [:]
        for (s, section) in sections.enumerated() {
            for (i, item) in section.items.enumerated() {
                if let g = index[item.notice.id] {
                    groups[g].recipients.append((s, i))
                } else {
                    index[item.notice.id] = groups.count
                    groups.append(NoticeRecipients(recipients: [(s, i)]))
                }
            }
        }
        func stronger(_ a: (section: Int, item: Int), _ b: (section: Int, item: Int)) -> Bool {
            let (dx, dy) = (
                sections[a.section].items[a.item].direct ?? true, sections[b.section].items[b.item].direct ?? true
            )
            if dx != dy { return dx }
            let (sx, sy) = (sections[a.section].items[a.item].score, sections[b.section].items[b.item].score)
            if sx != sy { return sx > sy }
            return (a.section, a.item) < (b.section, b.item)
        }
        for g in groups.indices where groups[g].recipients.count > 1 { groups[g].recipients.sort(by: stronger) }
        // Sorted by index on keys read once: sorting the groups compared whole items (copied) through their
        // places, and worked out each one's deadline at every comparison.
        let keys = groups.map { g in DigestAssembler.ReadingKey(sections[g.first.section].items[g.first.item]) }
        let order = groups.indices.sorted { a, b in
            if keys[a].precedes(keys[b]) { return true }
            if keys[b].precedes(keys[a]) { return false }
            return a < b
        }
        return order.map { groups[$0] }
    }
}
