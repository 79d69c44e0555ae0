import Foundation
import Notices

/// Turns one DECP record into an award `Notice`.
///
/// Each record is an awarded contract: buyer SIRET, object, CPV with check digit (`45316110-9`), amount
/// excluding VAT, place as a postcode, département, commune, arrondissement or region code, and the winners.
enum DECPAdapter {
    static func notice(_ r: DECPRecord, options: ParseOptions) throws -> Notice {
        let buyerID = FormatSupport.registrationNumber(r.buyerID)
        guard let contractID = FormatSupport.nonEmpty(r.id) else {
            throw JSONPageSupport.malformed(options.documentName, r.uid, "decp: contract has no id")
        }
        let cpv = Self.cpv(r.cpv)
        let awardees = Self.awardees(r.awardees)
        let id = sourceID(buyer: buyerID, contract: contractID, uid: r.uid, cpv: cpv, firstAwardee: awardees.first)
        // decp.info's CSV keeps HTML character references some platforms wrote (`D&#8217;INFRASTRUCTURES`).
        let object = r.object.map { $0.contains("&") ? FormatSupport.text(fromHTML: $0) : $0 } ?? nil
        guard let title = FormatSupport.nonEmpty(object) else {
            throw JSONPageSupport.malformed(options.documentName, id, "decp: contract has no objet")
        }
        var n = Notice(source: options.sourceID, sourceID: id, kind: .award, title: title)
        n.language = "fr"
        n.buyer = Buyer(name: FormatSupport.nonEmpty(r.buyerName), id: buyerID, country: "FRA")
        n.procedure = FormatSupport.nonEmpty(r.procedure)
        n.published = FormatSupport.date(r.publicationDate)?.instant
        if let notified = FormatSupport.date(r.notificationDate) {
            n.otherDeadlines.append(NamedDate(kind: .notification, date: notified))
        }
        if let cpv {
            n.mainCPV = cpv
            n.cpv = [cpv]
        }
        if let amount = FormatSupport.decimal(r.amount), amount > 0 {
            // `montant` is « hors taxes » by the schema's definition; 0 is what producers write when unknown.
            n.value = Money(amount: amount, currency: "EUR", vat: "HT", kind: .awarded)
        }
        if let place = place(code: r.placeCode, type: r.placeType) { n.places = [place] }
        n.awardees = awardees
        if r.modificationCount > 0 { n.version = String(r.modificationCount) }
        return n
    }

    /// A contract id is unique per buyer only, and one procedure's lots often share it (the 2019
    /// e-marchespublics file has 12 records « 20181101 » of one buyer, one per lot and winner): the id is the
    /// consolidated files' `uid` (buyer SIRET + id) followed by the CPV and the first winner's id, which tell the
    /// lots apart and are the same in every DECP format, so a contract keeps its id from one file to the next.
    static func sourceID(buyer: String?, contract: String, uid: String?, cpv: String?, firstAwardee: Buyer?) -> String {
        var parts = [FormatSupport.nonEmpty(uid) ?? ((buyer ?? "") + contract)]
        if let cpv { parts.append(cpv) }
        if let w = firstAwardee?.id ?? firstAwardee?.name { parts.append(w) }
        return parts.joined(separator: "/")
    }

    /// The CPV code: eight digits, with or without the check digit; decp.info rows sometimes carry the platform's
    /// prefix (`INX 67151000-0`), so the first run of eight digits is the code.
    static func cpv(_ raw: String?) -> String? {
        guard let raw else { return nil }
        if let plain = FormatSupport.cpv(raw) { return plain }
        var run = ""
        for ch in raw {
            if ch.isASCII && ch.isNumber {
                run.append(ch)
                if run.count == 8 { return run }
            } else {
                run = ""
            }
        }
        return nil
    }

    /// Winners with the identifier the data gives (SIRET, or an intra-EU VAT number such as `IT03876500277`
    /// for foreign firms); one awardee per distinct name and id.
    static func awardees(_ list: [DECPRecord.Awardee]) -> [Buyer] {
        var out: [Buyer] = []
        for w in list {
            let b = Buyer(name: FormatSupport.nonEmpty(w.name), id: FormatSupport.registrationNumber(w.id))
            guard b.name != nil || b.id != nil, !out.contains(b) else { continue }
            out.append(b)
        }
        return out
    }

    /// `lieuExecution`: the code read by its `typeCode`.
    static func place(code raw: String?, type: String?) -> Place? {
        guard var code = FormatSupport.nonEmpty(raw)?.uppercased() else { return nil }
        let kind = FrenchText.fold(type ?? "")
        // Spreadsheet round trips drop the leading zero of codes (decp.info: « Code commune » `5000` for 05000).
        if code.count == 4, code.allSatisfy(\.isNumber), kind.contains("postal") || kind.contains("commune") {
            code = "0" + code
        }
        if kind.contains("postal") {
            return FormatSupport.place(nuts: nil, postcode: code, commune: nil)
        }
        if kind.contains("departement"), FrenchGeography.departement(code: code) != nil {
            return FormatSupport.place(nuts: nil, postcode: nil, commune: nil, departement: code)
        }
        // decp.info rows also label commune codes « Code département » (`50129`, `62041`): read like a commune.
        if kind.contains("commune") || kind.contains("arrondissement") || kind.contains("departement") {
            // INSEE commune (`83107`) and arrondissement (`544` = Toul, Meurthe-et-Moselle) codes start with the
            // département (2A/2B for Corsica, three digits overseas). The 2019 e-marchespublics file writes
            // postcodes under « Code commune » (`59850` NIEPPE): the first digits are the département all the same,
            // except for Corsica's `20xxx` postcodes, which the postcode table splits.
            if code.count == 5, code.hasPrefix("20"), code.allSatisfy(\.isNumber) {
                return FormatSupport.place(
                    nuts: nil, postcode: nil, commune: nil,
                    departement: FrenchGeography.departement(postcode: code)?.code)
            }
            let dep = code.hasPrefix("97") ? String(code.prefix(3)) : String(code.prefix(2))
            return FormatSupport.place(nuts: nil, postcode: nil, commune: nil, departement: dep)
        }
        if kind.contains("region") {
            // INSEE region codes (`28` Normandie, `94` Corse) → the region's NUTS code.
            guard let region = FrenchGeography.region(inseeCode: code) else { return nil }
            return Place(nuts: region.nuts, departement: region.departement)
        }
        if kind.contains("nuts") { return FormatSupport.place(nuts: code, postcode: nil, commune: nil) }
        if kind.contains("pays") {
            return code == "FR" || code == "FRA" ? Place(nuts: "FR") : nil
        }
        return nil
    }
}
