import Foundation
import Notices

// Specs: https://docs.ted.europa.eu/api/endpoints/ted-europa-eu.html (Search API v3, POST /v3/notices/search).

/// Turns a TED Search API v3 answer (`TEDSearchDocument`) into notices.
///
/// The fields it reads, and so the ones `Feeds/ted-search-api.yaml` must request, are the coding keys of
/// `TEDSearchDocument.Notice`. A field that was not requested is simply absent: the notice is built from the rest.
enum TEDSearchAdapter {
    /// Whether a decoded JSON value is a TED search page (or one saved search hit).
    static func matches(_ root: Any) -> Bool { TEDSearchParser.matches(root) }

    /// Parses a search page held in memory. A notice that cannot be read becomes a `ParseIssue` and the rest of the
    /// page still parses; throws `ParserError.malformed` only when the bytes are not a JSON object.
    static func parse(_ bytes: [UInt8], options: ParseOptions) throws -> ParsedDocument {
        let doc = try TEDSearchParser.parse(bytes, documentName: options.documentName)
        var notices: [Notice] = []
        var issues: [ParseIssue] = []
        for (i, record) in doc.notices.enumerated() {
            // One notice that cannot be read is left out with an issue; the rest of the page is kept.
            switch record {
            case .unreadable(let reason, let id):
                issues.append(
                    JSONPageSupport.skippedRecord(
                        documentName: options.documentName, index: i, id: id,
                        error: JSONPageSupport.malformed(options.documentName, id, "ted: \(reason)")))
            case .notice(let r):
                do {
                    notices.append(try notice(r, options: options))
                } catch {
                    issues.append(
                        JSONPageSupport.skippedRecord(
                            documentName: options.documentName, format: "ted", index: i,
                            id: FormatSupport.tedPublicationNumber(r.publicationNumber.first), error: error))
                }
            }
        }
        if doc.timedOut == true {
            issues.append(
                ParseIssue(file: options.documentName, message: "ted: the search timed out: page may be incomplete"))
        }
        return ParsedDocument(format: .tedJSON, notices: notices, issues: issues)
    }

    static func notice(_ r: TEDSearchDocument.Notice, options: ParseOptions) throws -> Notice {
        func malformed(_ id: String?, _ message: String) -> ParserError {
            .malformed(ParseIssue(file: options.documentName, noticeID: id, message: message))
        }
        guard let pubNo = FormatSupport.tedPublicationNumber(r.publicationNumber.first) else {
            throw malformed(nil, "ted: notice has no publication-number")
        }
        // The notice's language: BT-702 when requested, else French when TED translated the title into it.
        let lang =
            r.officialLanguage.first
            ?? (r.noticeTitle.byLanguage.contains { $0.lang == "fra" } ? "fra" : nil)

        // `title-proc` is the buyer's own title; `notice-title` is TED's "<Country> – <CPV label> – <title>",
        // whose first two parts restate the country and the CPV code (kept only when title-proc is missing).
        var title: String
        if let own = FormatSupport.pick(r.titleProc.pairs, noticeLanguage: lang) {
            title = own
        } else if let composed = FormatSupport.pick(r.noticeTitle.pairs, noticeLanguage: lang) {
            let parts = composed.components(separatedBy: " – ")
            title = parts.count >= 3 ? parts.dropFirst(2).joined(separator: " – ") : composed
        } else {
            throw malformed(pubNo, "ted: notice has neither title-proc nor notice-title")
        }
        let kind = kind(r.noticeType.first)
        var n = Notice(source: options.sourceID, sourceID: pubNo, kind: kind, title: title)
        n.language =
            FormatSupport.pickedLanguage(r.titleProc.pairs, noticeLanguage: lang)
            ?? FormatSupport.pickedLanguage(r.noticeTitle.pairs, noticeLanguage: lang)
        n.summary =
            FormatSupport.pick(r.descriptionProc.pairs, noticeLanguage: lang)
            ?? r.descriptionLot.list(noticeLanguage: lang).lazy.compactMap(FormatSupport.nonEmpty).first
        n.refs.tedPublicationNumber = pubNo
        n.refs.eformsNoticeID = FormatSupport.nonEmpty(r.noticeIdentifier.first)
        n.refs.eformsProcedureID = FormatSupport.nonEmpty(r.procedureIdentifier.first)
        n.refs.buyerReference = FormatSupport.nonEmpty(r.internalIdentifierProc.first)
        n.published = FormatSupport.date(r.publicationDate.first)?.instant
        n.url =
            r.links["html"]?["FRA"] ?? r.links["html"]?["ENG"] ?? "https://ted.europa.eu/fr/notice/-/detail/\(pubNo)"
        n.documentsURL = r.documentURLLot.values.lazy.compactMap(FormatSupport.nonEmpty).first
        n.procedure = FormatSupport.nonEmpty(r.procedureType.first)
        n.buyer = buyer(r, noticeLanguage: lang)
        n.awardees = awardees(r, noticeLanguage: lang)

        // CPV: the procedure's main code first, then its additional codes, then every code of every lot.
        var cpv: [String] = []
        for c
            in (r.mainClassificationProc.values + r.additionalClassificationProc.values
            + r.classificationCPV.values + r.mainClassificationLot.values + r.additionalClassificationLot.values)
            .compactMap(FormatSupport.cpv) where !cpv.contains(c)
        {
            cpv.append(c)
        }
        n.cpv = cpv
        n.mainCPV = r.mainClassificationProc.values.compactMap(FormatSupport.cpv).first ?? cpv.first

        // place-of-performance mixes NUTS codes and country codes ("FRK25", "FRA"); keep the NUTS ones.
        for code in r.placeOfPerformance.values where isNUTS(code) {
            FormatSupport.appendUnique(FormatSupport.place(nuts: code, postcode: nil, commune: nil), to: &n.places)
        }

        let deadlines = self.deadlines(r)
        n.deadline = deadlines.main?.date
        n.deadlineKind = deadlines.main?.kind ?? .tender
        n.otherDeadlines = deadlines.others
        n.lots = lots(r, noticeLanguage: lang, lotDeadlines: deadlines.perLot, mainDeadline: n.deadline)
        n.value = value(r, kind: kind, lots: n.lots)
        return n
    }

    // MARK: - Buyer and winners

    /// The first buyer (joint procurements list several, one name each) with the country of the first.
    static func buyer(_ r: TEDSearchDocument.Notice, noticeLanguage lang: String?) -> Buyer? {
        let names = r.buyerName.isEmpty ? r.organisationNameBuyer : r.buyerName
        let name = names.list(noticeLanguage: lang).lazy.compactMap(FormatSupport.nonEmpty).first
        let country = FormatSupport.nonEmpty(r.buyerCountry.first)
        let id = EFormsAdapter.nationalID(r.buyerIdentifier.first, scheme: nil, country: country)
        // The first buyer's contact point, when the request named those fields (one entry per buyer).
        func first(_ a: TEDSearchDocument.Values, _ b: TEDSearchDocument.Values) -> String? {
            (a.values + b.values).lazy.compactMap(FormatSupport.nonEmpty).first
        }
        let contact = FormatSupport.contact(
            name: r.organisationContactPointBuyer.list(noticeLanguage: lang).lazy.compactMap(FormatSupport.nonEmpty)
                .first,
            email: first(r.buyerEmail, r.organisationEmailBuyer),
            phone: first(r.organisationTelBuyer, TEDSearchDocument.Values()),
            url: first(r.buyerInternetAddress, r.organisationInternetAddressBuyer))
        guard name != nil || country != nil || id != nil || contact != nil else { return nil }
        return Buyer(name: name, id: id, country: country, contact: contact)
    }

    /// `winner-name` (a language map of lists, one name per winner) and `winner-identifier` (a list). The two
    /// lists are paired only when they have the same length: otherwise which id goes with which name is unknown,
    /// and names alone are kept.
    static func awardees(_ r: TEDSearchDocument.Notice, noticeLanguage lang: String?) -> [Buyer] {
        let names = r.winnerName.list(noticeLanguage: lang).compactMap(FormatSupport.nonEmpty)
        let ids = r.winnerIdentifier.values.map(FormatSupport.registrationNumber)
        var out: [Buyer] = []
        for (i, name) in names.enumerated() {
            let b = Buyer(name: name, id: ids.count == names.count ? ids[i] : nil)
            if !out.contains(b) { out.append(b) }
        }
        return out
    }

    // MARK: - Deadlines

    struct Deadlines {
        var main: (kind: DeadlineKind, date: ZonedDate)?
        var others: [NamedDate] = []
        /// The tender deadline of each lot, in lot order, when there is one per lot.
        var perLot: [ZonedDate?] = []
    }

    /// The deadline and what it is for. The date and the time of a deadline are two fields
    /// (`…-date-lot`, `…-time-lot`), one entry per lot each: paired by position when both lists have the same
    /// length, or with the one time all lots share. A restricted or negotiated procedure announces only the
    /// receipt of requests to participate (612558-2026): that is then the deadline, never a tender deadline.
    static func deadlines(_ r: TEDSearchDocument.Notice) -> Deadlines {
        let tenders = combined(r.tenderDeadlineDateLot, r.tenderDeadlineTimeLot)
        let requests = combined(r.requestDeadlineDateLot, r.requestDeadlineTimeLot)
        let expressions = combined(r.expressionsDeadlineDateLot, r.expressionsDeadlineTimeLot)
        var out = Deadlines()
        let kinds: [(DeadlineKind, [ZonedDate?])] = [
            (.tender, tenders), (.requestToParticipate, requests), (.requestToParticipate, expressions),
        ]
        if let (kind, list) = kinds.first(where: { !$0.1.compactMap { $0 }.isEmpty }),
            let main = list.compactMap({ $0 }).min()
        {
            out.main = (kind, main)
            // `Lot.deadline` is a lot's own tender deadline.
            if kind == .tender { out.perLot = list }
        } else if let main = r.deadlineReceiptRequest.values.compactMap({ FormatSupport.date($0) }).min() {
            // `deadline-receipt-request` merges tender, request and expression deadlines without saying which
            // (on 619675-2026, an open procedure, it is the tender deadline). Only the procedure type tells.
            switch r.procedureType.first {
            case "open"?: out.main = (.tender, main)
            case nil: out.main = (.other, main)
            default: out.main = (.requestToParticipate, main)
            }
        }
        // Other milestones, once per kind and date.
        for (kind, list) in kinds {
            for z in Set(list.compactMap { $0 }).sorted() where !(kind == out.main?.kind && z == out.main?.date) {
                let named = NamedDate(kind: kind, date: z)
                if !out.others.contains(named) { out.others.append(named) }
            }
        }
        return out
    }

    /// Dates paired with their times, one entry per date (nil where a date does not parse).
    static func combined(_ dates: TEDSearchDocument.Values, _ times: TEDSearchDocument.Values) -> [ZonedDate?] {
        let distinctTimes = Set(times.values)
        return dates.values.enumerated().map { i, date in
            let time: String? =
                times.count == dates.count ? times.values[i] : distinctTimes.count == 1 ? distinctTimes.first : nil
            return EFormsDates.combine(date: date, time: time)
        }
    }

    // MARK: - Lots and values

    /// Lots from the per-lot lists. How many lots there are comes from `identifier-lot`, else from `title-lot` or
    /// `description-lot` (one entry per lot in each language). Another list is read per lot only when it has one
    /// entry per lot: a lot without the field adds no entry, so a shorter list cannot be lined up (a public client
    /// reports notice 598884-2026 with six `estimated-value-lot` and one `estimated-value-cur-lot`; a single
    /// currency then applies to all). Additional CPV codes, any number per lot, go only to a notice's single lot.
    static func lots(
        _ r: TEDSearchDocument.Notice, noticeLanguage lang: String?, lotDeadlines: [ZonedDate?],
        mainDeadline: ZonedDate?
    ) -> [Lot] {
        let titles = r.titleLot.list(noticeLanguage: lang)
        let descriptions = r.descriptionLot.list(noticeLanguage: lang)
        let count =
            !r.identifierLot.isEmpty ? r.identifierLot.count : !titles.isEmpty ? titles.count : descriptions.count
        guard count > 0 else { return [] }
        func aligned<T>(_ xs: [T]) -> [T]? { xs.count == count ? xs : nil }
        let ids = aligned(r.identifierLot.values.compactMap(FormatSupport.nonEmpty))
        let mainCPV = aligned(r.mainClassificationLot.values)
        let estimates = aligned(r.estimatedValueLot.values)
        let maxima = aligned(r.frameworkMaximumValueLot.values)
        let currencies = aligned(r.estimatedValueCurLot.values)
        let oneCurrency = Set(r.estimatedValueCurLot.values).count == 1 ? r.estimatedValueCurLot.first : nil
        let deadlines = aligned(lotDeadlines)
        return (0..<count).map { i in
            var lot = Lot(id: ids?[i] ?? "LOT-\(String(format: "%04d", i + 1))")
            lot.title = aligned(titles).flatMap { FormatSupport.nonEmpty($0[i]) }
            lot.description = aligned(descriptions).flatMap { FormatSupport.nonEmpty($0[i]) }
            var codes: [String] = []
            let additional = count == 1 ? r.additionalClassificationLot.values : []
            for c in ([mainCPV?[i]].compactMap { $0 } + additional).compactMap(FormatSupport.cpv)
            where !codes.contains(c) {
                codes.append(c)
            }
            lot.cpv = codes
            lot.value = money(
                estimate: estimates?[i], frameworkMaximum: maxima?[i], currency: currencies?[i] ?? oneCurrency)
            if let d = deadlines?[i], d != mainDeadline { lot.deadline = d }
            return lot
        }
    }

    /// The notice's value, in the order the eForms adapter uses: the procedure's estimate (`estimated-value-proc`,
    /// BT-27); for an award notice the awarded total (`total-value`, BT-161); else the lots' values added up when
    /// every lot has one of the same kind. An amount of 0 is a placeholder producers write when they give no
    /// figure, never a value.
    static func value(_ r: TEDSearchDocument.Notice, kind: NoticeKind, lots: [Lot]) -> Money? {
        if let v = money(
            estimate: r.estimatedValueProc.first, frameworkMaximum: nil, currency: r.estimatedValueCurProc.first)
        {
            return v
        }
        if kind == .award, let total = nonZero(r.totalValue.first) {
            return Money(
                amount: total, currency: FormatSupport.nonEmpty(r.totalValueCur.first) ?? "EUR", kind: .awarded)
        }
        let kinds = Set(lots.compactMap(\.value?.kind))
        guard kinds.count == 1, var total = FormatSupport.total(of: lots) else { return nil }
        total.kind = kinds.first ?? .estimated
        return total
    }

    /// An estimate (BT-27) and a framework maximum (BT-271) as one `Money`: the estimate with the maximum as its
    /// upper bound, or the maximum alone as a `.frameworkMaximum`. TED values exclude VAT.
    static func money(estimate: String?, frameworkMaximum: String?, currency: String?) -> Money? {
        let amount = nonZero(estimate)
        let max = nonZero(frameworkMaximum)
        let currency = FormatSupport.nonEmpty(currency) ?? "EUR"
        if let amount { return Money(amount: amount, currency: currency, max: max, vat: "HT") }
        if let max { return Money(amount: max, currency: currency, vat: "HT", kind: .frameworkMaximum) }
        return nil
    }

    static func nonZero(_ s: String?) -> Decimal? {
        guard let d = FormatSupport.decimal(s), d != 0 else { return nil }
        return d
    }

    // MARK: - Codes

    /// NUTS codes are two letters and one to three letters or digits; three-letter values are usually countries
    /// (`FRA`), so those count only when they are a French NUTS-1 code.
    static func isNUTS(_ code: String) -> Bool {
        guard code.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber) }) else { return false }
        if code.count == 4 || code.count == 5 { return code.prefix(2).allSatisfy(\.isLetter) }
        return code.count == 3 && FrenchGeography.isFrenchNUTS(code)
    }

    /// eForms notice types (BT-02) → kind.
    static func kind(_ type: String?) -> NoticeKind {
        guard let t = type?.lowercased() else { return .tender }
        if t.hasPrefix("can-modif") || t == "corr" || t.hasPrefix("compl") { return .change }
        if t.hasPrefix("can") || t.hasPrefix("veat") { return .award }
        if t.hasPrefix("pin") || t.hasPrefix("pmc") { return .priorInformation }
        return .tender
    }
}
