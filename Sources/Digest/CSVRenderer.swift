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

    /// The file's bytes, byte-order mark first, written row by row into one buffer: the rows were `String`s
    /// joined twice over (cells, then rows) and each field searched with Foundation (`contains`), 3 % of a
    /// national night's CPU for the staff's CSV files.
    public func render(_ input: DigestInput) throws -> [UInt8] {
        var out: [UInt8] = [0xEF, 0xBB, 0xBF]
        out.reserveCapacity(64 * 1024)
        out.append(contentsOf: Self.cells(Self.header).utf8)
        out.append(contentsOf: Self.lineEnd)
        // On a member's own file: no staff figures (scores), no other member named.
        let member = Wording.isMember(input)
        // A night's scores are sums of a few rule weights: the same few values on thousands of rows, each formatted
        // through `String(format:)` and a Foundation search. Keyed by bit pattern: -0.0 formats apart from 0.0.
        var scores: [UInt64: String] = [:]
        func row(
            _ section: String, _ who: String, _ n: Notice, score: Double?, direct: Bool?,
            reasons: [String]
        ) {
            let notice = noticeCells(n, input: input)
            Self.field(section, into: &out)
            out.append(Self.separatorByte)
            Self.field(who, into: &out)
            out.append(Self.separatorByte)
            out.append(contentsOf: notice.what.utf8)
            out.append(Self.separatorByte)
            if let score {
                let text = scores[score.bitPattern] ?? FrenchFormat.score(score)
                scores[score.bitPattern] = text
                Self.field(text, into: &out)
            }
            out.append(Self.separatorByte)
            if let direct { Self.field(direct ? "oui" : "non", into: &out) }
            out.append(Self.separatorByte)
            Self.field(reasons.joined(separator: " | "), into: &out)
            out.append(Self.separatorByte)
            out.append(contentsOf: notice.link.utf8)
            out.append(contentsOf: Self.lineEnd)
        }
        for m in input.members {
            // By index: a `for` over the items copied each one, a whole notice.
            for k in m.items.indices {
                row(
                    "adherent", m.memberName, m.items[k].notice, score: member ? nil : m.items[k].score,
                    direct: m.items[k].direct, reasons: Wording.reasons(m.items[k], member: member))
            }
        }
        for c in input.consortia {
            var who = c.partners.map { p in p.memberName + (p.memberName == c.lead ? " (mandataire)" : "") }
            if c.hiddenPartners > 0 {
                who.append("avec " + FrenchFormat.plural(c.hiddenPartners, "autre adhérent", "autres adhérents"))
            }
            row(
                "consortium", who.joined(separator: ", "), c.notice, score: member ? nil : c.score, direct: nil,
                reasons: Wording.rationale(c, member: member))
        }
        for i in input.calls {
            row(
                "appel_a_projets", member ? "" : i.members.joined(separator: ", "), i.notice,
                score: member ? nil : i.score,
                direct: i.direct, reasons: Wording.reasons(i, member: member))
        }
        for w in input.watches {
            for i in w.items {
                row("veille", w.name, i.notice, score: i.score, direct: nil, reasons: Wording.reasons(i, member: false))
            }
        }
        for i in input.deadlinesSoon {
            row(
                "date_limite_proche", member ? "" : i.members.joined(separator: ", "), i.notice, score: nil,
                direct: nil, reasons: [])
        }
        for c in input.changed {
            row(
                "modifie", Wording.audiences(c, member: member).joined(separator: ", "), c.notice, score: nil,
                direct: nil, reasons: c.changes.map { FrenchFormat.change($0) })
        }
        return out
    }

    /// Cells quoted and joined, on the bytes, into one string.
    static func cells(_ values: [String]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        for (i, v) in values.enumerated() {
            if i > 0 { out.append(separatorByte) }
            field(v, into: &out)
        }
        return String(decoding: out, as: UTF8.self)
    }

    static let separatorByte = UInt8(ascii: ";")
    static let lineEnd: [UInt8] = [0x0D, 0x0A]

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
            return (Self.cells(what), Self.cells(link))
        }
        return DigestRenderCache.part(of: n, in: input, at: \.csvCells, make: make)
    }

    /// RFC 4180 quoting with `;` as the separator. No-break spaces become plain spaces (spreadsheets
    /// would otherwise treat "246 000" as text), and a leading `=`, `+` or `@` is defused.
    static func field(_ s: String) -> String {
        var out: [UInt8] = []
        field(s, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// ``field(_:)`` appended to `out`: on the bytes (``ByteEscaper/csvField(_:into:)``), or by the character rules
    /// for the rare text where the two could differ.
    static func field(_ s: String, into out: inout [UInt8]) {
        if ByteEscaper.csvField(s, into: &out) { return }
        out.append(contentsOf: fieldByCharacters(s).utf8)
    }

    /// The quoting rules on `Character`s and Foundation's search: what ``ByteEscaper/csvField(_:into:)`` gives on
    /// the bytes, for the texts where a quote, separator or line end sits beside a non-ASCII character.
    static func fieldByCharacters(_ s: String) -> String {
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
