import ArgumentParser
import Foundation
import Notices
import Parser

extension Vigie {
    /// `vigie extract`: runs the French text extractors on a piece of text.
    struct Extract: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "extract",
            abstract: "Extract deadline, amounts, places and CPV codes from a piece of French text.",
            discussion: """
                Reads notice text as buyers write it and prints what Vigie understands of it:

                  deadline  the date by which tenders or applications must be submitted ("Date limite de \
                réception des offres : 08/06/2026 à 12h00"), with its UTC offset; times without a zone are \
                Europe/Paris. Dispatch dates, notification dates, question deadlines and office hours are ignored.
                  amounts   sums of money with currency, HT/TTC and kind (estimated, min, max, budget, other); \
                a minimum turnover or a guarantee is not an amount of the contract.
                  places    where the work is done: département, postcode, commune, NUTS code (not the buyer's \
                address when both are given).
                  cpv       CPV codes written in the text, eight digits.

                Examples:
                  vigie extract "Date limite de réception des offres : 15/12/2026 à 12h00"
                  vigie extract --json "Valeur estimée : 246 000,00 € HT ; Lieu d'exécution : Saint-Étienne (42)"
                  pdftotext avis.pdf - | vigie extract --json -

                --json prints one JSON object: deadline (ISO 8601 with its offset, or null), amounts (amount, \
                currency, vat, kind), places (departement, postcode, commune, nuts), cpv.

                Exit codes: 0 read (also when nothing was found); 2 bad arguments (an empty TEXT).
                """
        )

        @OptionGroup var output: OutputOptions

        @Argument(help: "The text to read, or - to read standard input.")
        var text: String

        func validate() throws {
            if text.isEmpty { throw ValidationError("TEXT is empty: give the text to read, or - for standard input.") }
        }

        func run() throws {
            let input: String
            if text == "-" {
                let data = FileHandle.standardInput.readDataToEndOfFile()
                input = String(decoding: data, as: UTF8.self)
            } else {
                input = text
            }
            let result = TextExtraction(input)
            if output.json {
                try JSONOutput.print(ExtractJSON(result))
            } else {
                print(Self.readable(result), terminator: "")
            }
        }

        /// The human-readable form: one block per kind of finding, "—" when nothing was found.
        static func readable(_ r: TextExtraction) -> String {
            var out = ""
            if let d = r.deadline {
                var line = "deadline: \(d.date.iso8601)"
                if let tz = d.date.timeZone { line += " (\(tz))" }
                if !d.hasTime { line += " (date only: end of day)" }
                if d.isAmbiguous { line += " (ambiguous time)" }
                if d.kind != .tenders { line += " [\(d.kind.rawValue)]" }
                out += line + "\n"
            } else {
                out += "deadline: —\n"
            }
            if r.amounts.isEmpty {
                out += "amounts:  —\n"
            } else {
                out += "amounts:\n"
                for a in r.amounts {
                    out +=
                        "  \(a.kind.rawValue): \(NSDecimalNumber(decimal: a.amount).stringValue) \(a.currency)"
                        + (a.vat.map { " \($0)" } ?? "") + "\n"
                }
            }
            if r.places.isEmpty {
                out += "places:   —\n"
            } else {
                out += "places:\n"
                for p in r.places {
                    let parts = [
                        p.commune, p.postcode, p.departement.map { "département \($0)" }, p.nuts.map { "NUTS \($0)" },
                    ]
                    out += "  " + parts.compactMap { $0 }.joined(separator: ", ") + "\n"
                }
            }
            out += "cpv:      " + (r.cpv.isEmpty ? "—" : r.cpv.joined(separator: ", ")) + "\n"
            return out
        }
    }
}

/// `vigie extract --json`: every key present, `null` for a deadline not found or a part of a place not given.
struct ExtractJSON: Encodable {
    struct Amount: Encodable {
        var amount: Decimal
        var currency: String
        var vat: String?
        var kind: String

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(amount, forKey: .amount)
            try c.encode(currency, forKey: .currency)
            try c.encode(vat, forKey: .vat)
            try c.encode(kind, forKey: .kind)
        }

        enum CodingKeys: String, CodingKey { case amount, currency, vat, kind }
    }

    struct Place: Encodable {
        var departement: String?
        var postcode: String?
        var commune: String?
        var nuts: String?

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(departement, forKey: .departement)
            try c.encode(postcode, forKey: .postcode)
            try c.encode(commune, forKey: .commune)
            try c.encode(nuts, forKey: .nuts)
        }

        enum CodingKeys: String, CodingKey { case departement, postcode, commune, nuts }
    }

    var deadline: String?
    var amounts: [Amount]
    var places: [Place]
    var cpv: [String]

    init(_ r: TextExtraction) {
        deadline = r.deadline?.date.iso8601
        amounts = r.amounts.map {
            Amount(amount: $0.amount, currency: $0.currency, vat: $0.vat, kind: $0.kind.rawValue)
        }
        places = r.places.map {
            Place(departement: $0.departement, postcode: $0.postcode, commune: $0.commune, nuts: $0.nuts)
        }
        cpv = r.cpv
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(deadline, forKey: .deadline)
        try c.encode(amounts, forKey: .amounts)
        try c.encode(places, forKey: .places)
        try c.encode(cpv, forKey: .cpv)
    }

    enum CodingKeys: String, CodingKey { case deadline, amounts, places, cpv }
}
