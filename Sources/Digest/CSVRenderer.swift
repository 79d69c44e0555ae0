import Foundation
import Notices

/// The digest as a spreadsheet: one row per (section, member, notice).
///
/// Choices, for French spreadsheet users: `;` as separator (Excel in a French locale reads `,` as the
/// decimal mark and splits nothing on it), a UTF-8 byte-order mark (so Excel reads accents right), CRLF line
/// ends and RFC 4180 quoting (fields with `;`, `"`, CR or LF are quoted, quotes doubled). Amounts are plain
/// numbers with a decimal comma (`246000`, `1234,5`) so they sort and sum; dates are ISO 8601 with offset
/// plus a French column for reading.
public struct CSVRenderer: DigestRenderer {
    public init() {}
    public var format: DigestFormat { .csv }

    public static let separator = ";"
    public static let header = [
        "rubrique", "adherent", "id", "type", "intitule", "acheteur", "date_limite", "date_limite_texte",
        "montant", "devise", "ht_ttc", "lieux", "cpv", "score", "lien_direct", "raisons", "lien", "source",
        "attributaires",
    ]

    public func render(_ input: DigestInput) throws -> [UInt8] { [0xEF, 0xBB, 0xBF] + Array(text(input).utf8) }

    /// The CSV text, without the byte-order mark.
    public func text(_ input: DigestInput) -> String {
        var rows: [String] = [Self.header.map(Self.field).joined(separator: Self.separator)]
        // On a member's own file: no staff figures (scores), no other member named.
        let member = Wording.isMember(input)
        func row(
            _ section: String, _ who: String, _ n: Notice, score: Double?, direct: Bool?,
            reasons: [String]
        ) -> String {
            let notice = noticeCells(n, input: input)
            return [
                Self.field(section), Self.field(who), notice.what,
                Self.field(score.map { FrenchFormat.score($0) } ?? ""),
                Self.field(direct.map { $0 ? "oui" : "non" } ?? ""), Self.field(reasons.joined(separator: " | ")),
                notice.link,
            ].joined(separator: Self.separator)
        }
        for m in input.members {
            // By index: a `for` over the items copied each one, a whole notice.
            for k in m.items.indices {
                rows.append(
                    row(
                        "adherent", m.memberName, m.items[k].notice, score: member ? nil : m.items[k].score,
                        direct: m.items[k].direct, reasons: Wording.reasons(m.items[k], member: member)))
            }
        }
        for c in input.consortia {
            var who = c.partners.map { p in p.memberName + (p.memberName == c.lead ? " (mandataire)" : "") }
            if c.hiddenPartners > 0 {
                who.append("avec " + FrenchFormat.plural(c.hiddenPartners, "autre adhérent", "autres adhérents"))
            }
            rows.append(
                row(
                    "consortium", who.joined(separator: ", "), c.notice, score: member ? nil : c.score, direct: nil,
                    reasons: Wording.rationale(c, member: member)))
        }
        for i in input.calls {
            rows.append(
                row(
                    "appel_a_projets", member ? "" : i.members.joined(separator: ", "), i.notice,
                    score: member ? nil : i.score,
                    direct: i.direct, reasons: Wording.reasons(i, member: member)))
        }
        for w in input.watches {
            for i in w.items {
                rows.append(
                    row(
                        "veille", w.name, i.notice, score: i.score, direct: nil,
                        reasons: Wording.reasons(i, member: false))
                )
            }
        }
        for i in input.deadlinesSoon {
            rows.append(
                row(
                    "date_limite_proche", member ? "" : i.members.joined(separator: ", "), i.notice, score: nil,
                    direct: nil, reasons: []))
        }
        for c in input.changed {
            rows.append(
                row(
                    "modifie", Wording.audiences(c, member: member).joined(separator: ", "), c.notice, score: nil,
                    direct: nil,
                    reasons: c.changes.map { FrenchFormat.change($0) }))
        }
        return rows.joined(separator: "\r\n") + "\r\n"
    }

    /// A row's cells that hold the notice alone, quoted and joined: from the id to the CPV codes (`what`), and
    /// from the link to the awardees (`link`). From the night's cache when there is one: a notice is a row of every
    /// digest it is in, once per member on the staff's.
    func noticeCells(_ n: Notice, input: DigestInput) -> (what: String, link: String) {
        func make() -> (what: String, link: String) {
            let d = FrenchFormat.mainDeadline(n)
            let amount =
                n.value?.upperBound.map {
                    NSDecimalNumber(decimal: $0).stringValue.replacingBytes { $0 == 0x2E ? "," : nil }
                } ?? ""
            let cpv = n.cpv.isEmpty ? (n.mainCPV ?? "") : n.cpv.joined(separator: " ")
            let what = [
                n.id, FrenchFormat.kind(n.kind), n.title, n.buyer?.name ?? "", d?.iso8601 ?? "",
                d.map { FrenchFormat.dateTime($0).withPlainSpaces } ?? "", amount, n.value?.currency ?? "",
                n.value?.vat ?? "", FrenchFormat.places(n) ?? "", cpv,
            ]
            let link = [n.url ?? "", n.source, FrenchFormat.awardees(n, separator: " | ") ?? ""]
            return (
                what.map(Self.field).joined(separator: Self.separator),
                link.map(Self.field).joined(separator: Self.separator)
            )
        }
        return DigestRenderCache.part(of: n, in: input, at: \.csvCells, make: make)
    }

    /// RFC 4180 quoting with `;` as the separator. No-break spaces become plain spaces (spreadsheets
    /// would otherwise treat "246 000" as text), and a leading `=`, `+` or `@` is defused.
    static func field(_ s: String) -> String {
        var t = s.withPlainSpaces
        // A title starting with "=" or "@" would run as a formula when the file is opened in a spreadsheet
        // (CSV injection): neutralise it with a leading apostrophe, as spreadsheets themselves do.
        if let first = t.first, first == "=" || first == "+" || first == "@" || first == "\t" {
            t = "'" + t
        }
        // The bytes first: a field without `;`, `"`, CR or LF (nearly all) needs no Character-level look.
        let special = t.containsAnyByte(";\"\n\r")
        if (special && (t.contains(";") || t.contains("\"") || t.contains("\n") || t.contains("\r")))
            || t.hasPrefix(" ") || t.hasSuffix(" ")
        {
            return "\"" + (special ? t.replacingBytes { $0 == 0x22 ? "\"\"" : nil } : t) + "\""
        }
        return t
    }
}
