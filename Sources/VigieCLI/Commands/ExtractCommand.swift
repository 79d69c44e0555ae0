import ArgumentParser
import Foundation
import Notices
import Parser

extension Vigie {
    /// `vigie extract`: runs the French text extractors on a piece of text.
    struct Extract: AsyncParsableCommand {
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
                """
        )

        @Flag(name: .long, help: "Print one JSON object: deadline, amounts, places, cpv.")
        var json = false

        @Argument(help: "The text to read, or - to read standard input.")
        var text: String

        func validate() throws {
            if text.isEmpty { throw ValidationError("TEXT is empty: give the text to read, or - for standard input.") }
        }

        func run() async throws {
            let input: String
            if text == "-" {
                let data = FileHandle.standardInput.readDataToEndOfFile()
                input = String(decoding: data, as: UTF8.self)
            } else {
                input = text
            }
            let result = TextExtraction(input)
            if json {
                print(result.jsonString())
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
