import Foundation
import Notices

/// Turns one EU Funding & Tenders Portal search hit into a `Notice`.
///
/// Every metadata value is a list (`"identifier": ["HORIZON-CL4-2025-04-DATA-03"]`); `budgetOverview` and, on
/// some hits, `keywords` are JSON strings to decode again; dates are Brussels wall-clock times labelled `+0000`.
enum EUFundingAdapter {
    static let portal = "https://ec.europa.eu/info/funding-tenders/opportunities/portal/screen/opportunities/"

    static func notice(_ r: EUFundingResult, options: ParseOptions) throws -> Notice {
        guard let id = r.first("identifier") ?? FormatSupport.nonEmpty(r.reference) else {
            throw JSONPageSupport.malformed(options.documentName, nil, "eu-funding: result has no identifier")
        }
        guard let title = r.first("title") ?? FormatSupport.nonEmpty(r.title) ?? r.first("callTitle") else {
            throw JSONPageSupport.malformed(options.documentName, id, "eu-funding: result has no title")
        }
        let type = r.first("type")
        let kind = Self.kind(type: type)
        var n = Notice(source: options.sourceID, sourceID: id, kind: kind, title: title)
        n.language = r.first("language") ?? FormatSupport.nonEmpty(r.language) ?? "en"
        n.summary =
            FormatSupport.text(fromHTML: r.first("descriptionByte"))
            ?? FormatSupport.text(fromHTML: r.first("description"))
            ?? FormatSupport.nonEmpty(r.summary)
        n.url = url(r, id: id, type: type)
        // Opening: the day the call opens, Brussels time (a start date is not a deadline: no 17:00 rule).
        let opening = r.first("startDate").flatMap { brusselsWallClock($0, deadlineOfGrant: false) }
        let isGrant = kind == .callForProjects
        let deadlines = r.values("deadlineDate").compactMap { brusselsWallClock($0, deadlineOfGrant: isGrant) }
            .sorted()
        n.deadline = deadlines.first
        n.deadlineKind = isGrant ? .application : .tender
        n.otherDeadlines = deadlines.dropFirst().map { NamedDate(kind: .nextStage, date: $0) }
        n.published = opening?.instant
        let actions = r.values("typesOfAction")
        let programme = programmeName(r)
        n.buyer = Buyer(name: "European Commission")
        if isGrant {
            n.call = CallDetails(
                funder: programme ?? "European Commission",
                beneficiaries: r.values("targetAudience"), opening: opening,
                closing: n.deadline, collaborative: collaborative(actions))
        }
        n.categories = keywords(r.values("keywords")) + actions
        n.refs.buyerReference = r.first("callIdentifier")
        n.procedure = r.first("deadlineModel")
        n.value = budget(r.first("budgetOverview"), topic: id)
        return n
    }

    /// Search-hit types: `1` grant topics, `2` calls for proposals outside a topic, `8` cascade funding (calls
    /// of funded projects for third parties) are calls for projects; `0` (and any other code) are tenders.
    /// Hits without a type come from grant-topic queries.
    static func kind(type: String?) -> NoticeKind {
        switch type {
        case nil, "1", "2", "8": return .callForProjects
        default: return .tender
        }
    }

    /// The portal page of the hit: topic pages for grant topics, `competitive-calls-cs/{callccm2Id}` for
    /// cascade funding, `tender-details/{identifier}` for tenders.
    static func url(_ r: EUFundingResult, id: String, type: String?) -> String {
        switch type {
        case "8":
            if let ccm = r.first("callccm2Id") { return portal + "competitive-calls-cs/" + ccm }
        case nil, "1", "2":
            break
        default:
            return portal + "tender-details/" + id
        }
        return portal + "topic-details/" + id.lowercased()
    }

    /// Programme codes of `frameworkProgramme` → names. The portal sends only the code; these pairs are the ones
    /// public clients of the API use for its `frameworkProgramme` filter (Horizon Europe is 43108390).
    static let programmes: [String: String] = [
        "43108390": "Horizon Europe (HORIZON)",
        "43152860": "Digital Europe Programme (DIGITAL)",
        "43252405": "Programme for the Environment and Climate Action (LIFE)",
        "43251567": "Connecting Europe Facility (CEF)",
        "43353764": "Erasmus+ (ERASMUS+)",
        "43251814": "Creative Europe Programme (CREA)",
        "43252476": "Single Market Programme (SMP)",
        "43089234": "Innovation Fund (INNOVFUND)",
        "43332642": "EU4Health Programme (EU4H)",
        "44181033": "European Defence Fund (EDF)",
        "43251589": "Citizens, Equality, Rights and Values (CERV)",
        "43298916": "Euratom Research and Training Programme (EURATOM)",
        "43252449": "Research Fund for Coal & Steel (RFCS)",
        "43392145": "European Maritime, Fisheries and Aquaculture Fund (EMFAF)",
        "43254019": "European Social Fund+ (ESF+)",
        "43298664": "Promotion of Agricultural Products (AGRIP)",
        "43252368": "Internal Security Fund (ISF)",
        "43254037": "European Solidarity Corps (ESC)",
        "44773066": "Just Transition Mechanism (JTM)",
        "43298203": "Union Civil Protection Mechanism (UCPM)",
        "43637601": "Pilot Projects & Preparatory Actions (PPPA)",
        "44416173": "Interregional Innovation Investments Instrument (I3)",
        "111111": "EU External Action (RELEX)",
    ]

    /// The programme's name: `programmeName`/`frameworkProgrammeName` when the hit carries it, else the name of
    /// the `frameworkProgramme` code; an unknown code is not shown (a number means nothing to a reader).
    static func programmeName(_ r: EUFundingResult) -> String? {
        if let name = r.first("frameworkProgrammeName") ?? r.first("programmeName") { return name }
        for code in r.values("frameworkProgramme") {
            if let name = programmes[code] { return name }
            if code.contains(where: \.isLetter) { return code }
        }
        return nil
    }

    /// Keywords: a list of words, or a list holding one JSON-encoded list (`["[\"robotics\",\"AI\"]"]`).
    static func keywords(_ values: [String]) -> [String] {
        var out: [String] = []
        for v in values {
            let t = FormatSupport.trim(v)
            if t.hasPrefix("["), let data = t.data(using: .utf8),
                let list = try? JSONDecoder().decode([LenientString?].self, from: data)
            {
                out += list.compactMap { $0.flatMap { FormatSupport.nonEmpty($0.value) } }
            } else if let k = FormatSupport.nonEmpty(t) {
                out.append(k)
            }
        }
        var seen = Set<String>()
        return out.filter { seen.insert($0).inserted }
    }

    /// Looked up once: every record has several dates.
    static let brussels = TimeZone(identifier: "Europe/Brussels")

    /// A portal date (`2024-03-19T17:00:00.000+0000`): the portal stores Brussels wall-clock time and labels it
    /// `+0000` (topic pages show « 19 March 2024 17:00:00 Brussels time »), so the label is ignored. A bare
    /// midnight on a grant deadline is the day only; grant deadlines are at 17:00 Brussels time, as every topic
    /// page states.
    static func brusselsWallClock(_ s: String, deadlineOfGrant: Bool) -> ZonedDate? {
        let t = FormatSupport.trim(s)
        guard t.utf8.count >= 10, let brussels else { return nil }
        let day = String(t.prefix(10))
        var clock = t.utf8.count >= 19 ? String(t.dropFirst(11).prefix(8)) : "00:00:00"
        if deadlineOfGrant && clock == "00:00:00" { clock = "17:00:00" }
        return FormatSupport.zoned(day + "T" + clock, zone: brussels)
    }

    /// Research and innovation actions and innovation actions require a consortium; grants to single entities
    /// (ERC, MSCA fellowships, EIC Accelerator) do not.
    static func collaborative(_ actions: [String]) -> Bool? {
        let a = actions.joined(separator: " ").uppercased()
        if a.contains("RIA") || a.contains("-IA") || a.contains("CSA") || a.contains("RESEARCH AND INNOVATION") {
            return true
        }
        if a.contains("ERC") || a.contains("EIC-ACC") || a.contains("MSCA-PF") { return false }
        return nil
    }

    /// `budgetOverview` = `{"budgetTopicActionMap": {"…": [{"action": "TOPIC - …", "budgetYearMap": {"2025":
    /// 1.5E7}, "minContribution": …, "maxContribution": …}]}}`: the topic's total budget and the grant range.
    static func budget(_ json: String?, topic: String) -> Money? {
        guard let json, let data = json.data(using: .utf8),
            let root = try? JSONSerialization.jsonObject(with: data),
            let map = JSONValue.member(root, "budgetTopicActionMap") as? [String: Any]
        else { return nil }
        var total: Decimal = 0
        var minC: Decimal?
        var maxC: Decimal?
        var found = false
        for entries in map.values {
            for e in (entries as? [Any]) ?? [] {
                let action = JSONValue.string(JSONValue.member(e, "action")) ?? ""
                guard action.isEmpty || action.uppercased().hasPrefix(topic.uppercased()) || map.count == 1 else {
                    continue
                }
                found = true
                if let years = JSONValue.member(e, "budgetYearMap") as? [String: Any] {
                    for v in years.values { total += FormatSupport.decimal(json: v) ?? 0 }
                }
                minC = FormatSupport.decimal(json: JSONValue.member(e, "minContribution")) ?? minC
                maxC = FormatSupport.decimal(json: JSONValue.member(e, "maxContribution")) ?? maxC
            }
        }
        guard found, total > 0 || minC != nil || maxC != nil else { return nil }
        return Money(amount: total > 0 ? total : nil, currency: "EUR", min: minC, max: maxC)
    }
}
