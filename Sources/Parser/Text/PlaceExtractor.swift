import Foundation
import Notices

/// Finds where the work is done in French notice text: département numbers ("Saint-Étienne (42)",
/// "(62) Pas-de-Calais", "Département(s) de publication : 42, 43"), postcodes with their commune
/// ("COMMUNE DE 11140 AXAT"), NUTS codes ("Code NUTS : FRK25", "[CODE_NUTS FR10]", legacy 2013 codes such as
/// `FR715` mapped to 2021), département names after a place label, and the grands ports maritimes by acronym.
///
/// When the text gives both the buyer's address and the place of performance, only the latter is kept
/// ("buyer NUTS FR102 … place of performance FRL04" gives FRL04). "France métropolitaine" and similar national
/// scopes give no place: routing by territory has nothing to hold on to.
public enum PlaceExtractor {
    /// The places in `text`, merged per département, in text order.
    public static func extract(_ text: String) -> [Place] {
        extract(folded: FoldedText(text))
    }

    static func extract(folded t: FoldedText) -> [Place] {
        let p = Patterns.shared
        var found: [(offset: Int, place: Place)] = []

        // NUTS codes, in capitals in the original ("FRK25", not the word "fre").
        for m in t.matches(p.nuts) {
            let raw = t.originalText(m.range(at: 1))
            guard raw == raw.uppercased(), FrenchGeography.isFrenchNUTS(raw) else { continue }
            let code = FrenchGeography.nuts2021(fromLegacy: raw)
            let dep = code.count == 5 ? FrenchGeography.departement(nuts3: code)?.code : nil
            found.append((m.range.location, Place(nuts: code, departement: dep)))
        }
        // "(42)", "(2A)", "(971)": a département code in parentheses, the commune or its name next to it.
        for m in t.matches(p.parenDepartement) {
            guard let code = t.group(m, 1), let dep = FrenchGeography.departement(code: code) else { continue }
            var place = Place(nuts: dep.nuts3, departement: dep.code)
            let before = t.originalText(
                NSRange(
                    location: max(0, m.range.location - 60),
                    length: min(60, m.range.location)))
            if let commune = communeBefore(before), FrenchGeography.departement(named: commune) == nil {
                place.commune = commune
            }
            found.append((m.range.location, place))
        }
        // Postcodes followed by a commune name, or introduced by "CP" / "code postal".
        for m in t.matches(p.postcode) {
            guard let pc = t.group(m, 2), let dep = FrenchGeography.departement(postcode: pc) else { continue }
            var commune = communeAfter(t.originalText(m.range(at: 3)))
            if commune == nil && t.group(m, 1) == nil {
                // "Lieu d'exécution : Saint-Chamond 42400": the commune before the postcode, inside a place label.
                let before = t.foldedText(from: max(0, m.range.location - 80), to: m.range.location)
                guard FrenchText.lastMatchLocation(p.placeLabel, in: before) != nil else { continue }
                let original = t.originalText(
                    NSRange(
                        location: max(0, m.range.location - 40),
                        length: min(40, m.range.location)))
                commune = communeBefore(original)
                if let c = commune, FrenchGeography.departement(named: c) != nil { commune = nil }
            }
            found.append(
                (
                    m.range.location,
                    Place(
                        nuts: dep.nuts3, departement: dep.code, postcode: pc,
                        commune: commune)
                ))
        }
        // "Département(s) de publication : 42, 43".
        for m in t.matches(p.departementList) {
            guard let list = t.group(m, 1) else { continue }
            for code in list.split(whereSeparator: { !$0.isLetter && !$0.isNumber }) where code != "et" {
                if let dep = FrenchGeography.departement(code: String(code)) {
                    found.append((m.range.location, Place(nuts: dep.nuts3, departement: dep.code)))
                }
            }
        }
        // Département names, only inside a place label ("Lieu d'exécution : Seine-Maritime").
        for m in t.matches(p.placeLabel) {
            let clauseEnd = min(t.length, NSMaxRange(m.range) + 80)
            let clause = t.foldedText(from: NSMaxRange(m.range), to: clauseEnd)
            let cut = clause.prefix { $0 != "." && $0 != ";" && $0 != "\n" }
            let clauseString = String(cut)
            let clauseRange = NSRange(location: 0, length: (clauseString as NSString).length)
            for (dep, regex) in p.departementNames {
                guard let r = regex.firstMatch(in: clauseString, range: clauseRange)?.range else { continue }
                let off = NSMaxRange(m.range) + r.location
                // Names that are also common words ("Lot 2", "la somme", "le Nord") count only capitalised
                // and not followed by a number.
                let original = t.originalText(NSRange(location: off, length: r.length + 6))
                guard original.first?.isUppercase == true,
                    original.dropFirst(r.length).range(of: #"^\s*(?:\d|n°|no\b)"#, options: .regularExpression) == nil
                else { continue }
                found.append((off, Place(nuts: dep.nuts3, departement: dep.code)))
            }
        }
        // Grands ports maritimes, named by acronym in their own notices ("Bassins est du GPMM").
        for m in t.matches(p.port) {
            guard let acr = t.group(m, 1), let code = ports[acr],
                let dep = FrenchGeography.departement(code: code)
            else { continue }
            found.append((m.range.location, Place(nuts: dep.nuts3, departement: dep.code)))
        }

        found.sort { $0.offset < $1.offset }
        // Buyer's address versus place of performance: keep the latter when both are present.
        let roles = found.map { role(t, before: $0.offset) }
        var kept = found
        if roles.contains(where: { $0 != .buyer }) && roles.contains(.buyer) {
            kept = zip(found, roles).filter { $0.1 != .buyer }.map(\.0)
        }
        return merge(kept.map(\.place))
    }

    enum Role { case buyer, place, unknown }

    static func role(_ t: FoldedText, before offset: Int) -> Role {
        let w = t.foldedText(from: max(0, offset - 60), to: offset)
        let p = Patterns.shared
        let buyer = FrenchText.lastMatchLocation(p.buyerLabel, in: w)
        let place = FrenchText.lastMatchLocation(p.placeLabel, in: w)
        switch (buyer, place) {
        case (nil, nil): return .unknown
        case (.some, nil): return .buyer
        case (nil, .some): return .place
        case (let b?, let pl?): return b > pl ? .buyer : .place
        }
    }

    /// The commune written just before "(42)": up to five capitalised words after a colon, comma or the start.
    static func communeBefore(_ s: String) -> String? {
        var head = s
        if let r = FrenchText.lastMatch(Patterns.shared.nameBoundary, in: head) {
            head = String(head[r.upperBound...])
        }
        let name = head.trimmingCharacters(in: .whitespaces)
        guard let first = name.first, first.isUppercase, name.split(separator: " ").count <= 5,
            name.count >= 2
        else { return nil }
        return name
    }

    /// The commune after a postcode: capitalised words and the small words that join them ("SAINT MARTIN DE
    /// CRAU", "Bourg-en-Bresse", "Sainte Marie sur Mer"); nil when the next word is not capitalised.
    static func communeAfter(_ s: String) -> String? {
        let joiners: Set<String> = ["sur", "sous", "en", "les", "le", "la", "de", "du", "des", "lès", "lez", "et"]
        var words: [Substring] = []
        for w in s.split(separator: " ") {
            if let f = w.first, f.isUppercase {
                words.append(w)
            } else if joiners.contains(w.lowercased()) || w.hasPrefix("l'") || w.hasPrefix("d'") {
                words.append(w)
            } else {
                break
            }
        }
        while let last = words.last, let f = last.first, !f.isUppercase { words.removeLast() }
        guard !words.isEmpty else { return nil }
        let name = words.joined(separator: " ")
        // Currency and unit words are not communes ("10000 EUR").
        if ["EUR", "EUROS", "HT", "TTC", "€"].contains(name.uppercased()) { return nil }
        return name
    }

    /// One place per département (NUTS, postcode and commune merged), then places without département.
    static func merge(_ places: [Place]) -> [Place] {
        var out: [Place] = []
        for p in places {
            if let i = out.firstIndex(where: { compatible($0, p) }) {
                out[i].nuts = out[i].nuts ?? p.nuts
                out[i].departement = out[i].departement ?? p.departement
                out[i].postcode = out[i].postcode ?? p.postcode
                out[i].commune = out[i].commune ?? p.commune
            } else {
                out.append(p)
            }
        }
        return out
    }

    static func compatible(_ a: Place, _ b: Place) -> Bool {
        if let da = a.departement, let db = b.departement {
            guard da == db else { return false }
            if let pa = a.postcode, let pb = b.postcode, pa != pb { return false }
            if let ca = a.commune, let cb = b.commune, FrenchText.foldName(ca) != FrenchText.foldName(cb) {
                return false
            }
            return true
        }
        return a.departement == nil && b.departement == nil && a.nuts == b.nuts
    }

    /// The grands ports maritimes (public ports of the State), which buy under their acronym.
    static let ports: [String: String] = [
        "gpmm": "13", "gpmh": "76", "gpmr": "76", "gpmd": "59", "gpmnsn": "44", "gpmb": "33", "gpmlr": "17",
    ]

    final class Patterns: @unchecked Sendable {
        static let shared = Patterns()

        let nuts = frenchRegex(#"(?<![a-z0-9])(fr[a-z0-9]{1,3})(?![a-z0-9])"#)
        let parenDepartement = frenchRegex(#"\(\s*(\d{2,3}|2a|2b)\s*\)"#)
        /// Five digits not part of a larger number ("1 200 000", "15 000,00"), then up to six words.
        let postcode = frenchRegex(
            #"(?:(cp|code postal)\s*:?\s*)?(?<![\d,.])(?<!\d )(\d{5})(?!\d|[,.]\d|\s\d)((?:[ ]+[a-z'\-]+){0,6})"#)
        let departementList = frenchRegex(
            #"departements?(?:\(s\))?\s+(?:de publication|d'execution|concernes?)\s*:\s*"#
                + #"((?:\d{2,3}|2a|2b)(?:\s*(?:,|;|et|-)\s*(?:\d{2,3}|2a|2b))*)"#
        )
        let placeLabel = frenchRegex(
            #"lieux? (?:principal )?(?:d'execution|de livraison|d'intervention|de realisation|de prestation)"#
                + #"|place of performance|lieu principal|lieu des travaux|localisation|implantation"#
        )
        let buyerLabel = frenchRegex(
            #"acheteur|buyer|adresse|pouvoir adjudicateur|entite adjudicatrice|siege|organisme|coordonnees"#
                + #"|contracting authority"#
        )
        /// Each département name as a folded whole word ("loire" but not "haute-loire" or "loire-atlantique").
        let departementNames: [(FrenchGeography.Departement, NSRegularExpression)] = FrenchGeography.departements.map {
            let name = NSRegularExpression.escapedPattern(for: FrenchText.fold($0.name)).replacingOccurrences(
                of: "'", with: "'?")
            return ($0, frenchRegex("(?<![a-z\\-'])" + name + "(?![a-z\\-])"))
        }
        /// What ends the text before a commune name: a colon, comma, bracket or a spaced dash.
        let nameBoundary = frenchRegex(#"[:,;\]\)]|\s-\s"#)
        let port = frenchRegex(#"(?<![a-z])(gpmm|gpmh|gpmr|gpmd|gpmnsn|gpmb|gpmlr)(?![a-z])"#)
    }
}
