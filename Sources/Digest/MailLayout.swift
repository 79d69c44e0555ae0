import Foundation
import Notices

/// How a digest lays out its notices: every card in full (the files), or the e-mail's cut (``MailCut``).
public enum DigestLayout: Sendable, Hashable {
    /// Every notice as a full card: the dated files and `latest.*`.
    case file
    /// The e-mail: the first cards in full, the others one line each (``MailCut``); the same bytes as `file`
    /// when every card fits.
    case mail
}

/// Which notice cards of an e-mail are shown in full, which as one line, and which are only counted.
///
/// Gmail clips a message whose HTML passes 102 KB (« [Message tronqué] »): the notices at the bottom were never
/// seen. Measured on a kept national night (300 clusters × 100 members, 1,000 notices): a member's card is
/// 3.2–4.2 KB of HTML (median 3.6 KB), a staff card 4.6–24 KB (median 13 KB: « Envoyé à » names every member with
/// its reasons); a member got 36 cards (130 KB), a staff e-mail 49 (715 KB). So the cut is a byte budget, not a
/// count: the HTML renderer admits cards in the digest's order (most relevant first: `Wording.orderedMembers` puts
/// core business before the value chain, then the nearest deadline, then the strongest evidence; the staff's
/// `byNotice` the same per notice) while their HTML stays within ``cardBytes`` — about ten member cards, two to
/// eight staff cards, and always the first — and records each decision; the Markdown renderer replays the
/// decisions, so the text and HTML parts cut at the same notice. Once a card does not fit, every later card is a
/// line (280 bytes on average, 600 at most): the first ``listedLimit`` of the notices' section and
/// ``otherListedLimit`` of each other section as links, the rest counted, with where the full digest is.
///
/// The other lists of a staff digest grow with the night too: this week's deadlines, « Échéances proches », the
/// changed notices and the refused e-mails show their first ``listLimit`` entries and count the rest (the near
/// misses were already cut at `nearMissLimit`). A staff page then holds 40 KB of cards, 30 + 3 × 8 lines (15 KB),
/// four lists of 10 (16 KB), the summary naming a hundred members (10 KB), near misses, sources, head and footer
/// (11 KB): about 92 KB. Measured on a national night (20 clusters × 100 members, 3,000 notices), the largest
/// staff HTML part is 69 KB (was 799 KB), the largest member's 51 KB (was 152 KB).
final class MailCut {
    /// What an e-mail shows of one card.
    enum Decision: Equatable {
        case full
        case listed
        case counted
    }

    /// HTML bytes of the full cards an e-mail holds at most (the first card is shown whatever its size).
    static let cardBytes = 40_000
    /// Cards of the notices' section shown as one line at most; the rest are counted.
    static let listedLimit = 30
    /// Cards of each other section (consortium ideas, signals, calls, a watch) shown as one line at most: each
    /// keeps a few lines of its own after the notices spent the budget.
    static let otherListedLimit = 8
    /// Entries of each other list an e-mail shows (deadlines, changes, refused e-mails).
    static let listLimit = 10

    private(set) var decisions: [Decision] = []
    private let recorded: [Decision]?
    private var spent = 0
    private var exhausted = false
    private var listed = 0
    private var listLimit = MailCut.listedLimit

    /// A cut that decides as the HTML renderer measures the cards.
    init() { recorded = nil }

    /// A cut that replays the decisions of `cut` (the Markdown part, after the HTML part).
    init(replaying cut: MailCut) { recorded = cut.decisions }

    /// Starts a section's cards: its own count of lines.
    func begin(_ kind: MailList) {
        listed = 0
        listLimit = kind == .notices ? Self.listedLimit : Self.otherListedLimit
    }

    /// Whether some card is not shown in full.
    var isCompact: Bool { decisions.contains { $0 != .full } }

    /// The next card's decision: in full while `measure()` (its HTML bytes, called only when still in the budget)
    /// fits; replayed when this cut replays another.
    func decide(_ measure: () -> Int) -> Decision {
        let d: Decision
        if let recorded {
            // A renderer that shows more cards than the HTML did shows them as lines (never happens: same order).
            d = decisions.count < recorded.count ? recorded[decisions.count] : .counted
        } else if !exhausted, case let size = measure(), spent == 0 || spent + size <= Self.cardBytes {
            spent += size
            d = .full
        } else {
            exhausted = true
            d = listed < listLimit ? .listed : .counted
            if d == .listed { listed += 1 }
        }
        decisions.append(d)
        return d
    }

    /// How many entries of a list of `count` an e-mail shows: all for the files (`cut` nil).
    static func shown(_ count: Int, cut: MailCut?) -> Int { cut == nil ? count : min(count, listLimit) }
}

extension DigestInput {
    /// Whether this digest's e-mail is its files' Markdown and HTML as they are, given the HTML file's size: no
    /// card can pass the e-mail's budget in a page smaller than it, and no list is long enough to be cut.
    /// Otherwise the e-mail renders its own parts (``mailParts()``), which may still turn out the same.
    public func mailIsFileLayout(htmlBytes: Int) -> Bool {
        htmlBytes <= MailCut.cardBytes && !hasLongMailLists
    }

    /// Whether one of the lists an e-mail cuts at ``MailCut/listLimit`` is longer.
    var hasLongMailLists: Bool {
        let limit = MailCut.listLimit
        return deadlinesSoon.count > limit || changed.count > limit || mailFailures.count > limit
            || (Wording.isStaff(self) && summary.deadlinesThisWeek.count > limit)
    }

    /// The e-mail's text and HTML parts in the mail layout: the HTML decides the cut, the Markdown replays it.
    public func mailParts() -> (markdown: [UInt8], html: [UInt8]) {
        let (html, cut) = HTMLRenderer(layout: .mail).mail(self)
        return (MarkdownRenderer(layout: .mail).bytes(self, replaying: cut), html)
    }
}

/// The kinds of card lists an e-mail may cut, for the heading of their lines.
enum MailList {
    case notices
    case consortia
    case signals
    case calls
    case watch
}

extension Wording {
    /// « Et 14 autres avis pour vous » (a member), « Et 790 autres avis » (the staff): the heading of the cards
    /// an e-mail shows as one line each.
    static func more(_ kind: MailList, _ count: Int, member: Bool) -> String {
        let one = count == 1
        let others = one ? "autre" : "autres"
        switch kind {
        case .notices: return "Et \(count) \(others) avis" + (member ? " pour vous" : "")
        case .consortia: return "Et \(count) \(others) idée\(one ? "" : "s") de consortium"
        case .signals: return "Et \(count) \(others) avis à signaler"
        case .calls: return "Et \(count) \(others) appel\(one ? "" : "s") à projets"
        case .watch: return "Et \(count) \(others) avis de cette veille"
        }
    }

    /// « … et 730 de plus » under the lines, for the cards past ``MailCut/listedLimit``.
    static func countedMore(_ count: Int) -> String { "… et \(count) de plus" }

    /// « … et 12 autres » under a list an e-mail cut at ``MailCut/listLimit``.
    static func listMore(_ count: Int) -> String { "… et \(count) \(count == 1 ? "autre" : "autres")" }

    /// Where the cards not shown in full are: the staff's full digest (`latest.html`, linked when the digest has
    /// a public address), or, for a member or a watch (whose files may not be written), the notices' own pages.
    static func fullDigest(_ input: DigestInput) -> (text: String, file: String?, url: String?) {
        guard isStaff(input) else { return ("Chaque titre ouvre l'avis complet sur sa source.", nil, nil) }
        let url = input.publicURL.map { ($0.hasSuffix("/") ? $0 : $0 + "/") + "latest.html" }
        return ("Le digest complet, chaque avis en détail : ", "latest.html", url.flatMap { $0.isSafeLink ? $0 : nil })
    }

    /// One line of a card an e-mail does not show in full: the deadline (« dans 6 jours »), the buyer and the
    /// place when short, after the title.
    static func compactFacts(_ n: Notice, now: Date) -> [String] {
        var out: [String] = []
        if let d = FrenchFormat.mainDeadline(n) { out.append(FrenchFormat.relative(d, from: now)) }
        if let buyer = n.buyer?.name?.trimmingWhitespace(), !buyer.isEmpty { out.append(shortened(buyer, 60)) }
        // A long list of places (a national framework) is noise on a one-line entry.
        if let place = FrenchFormat.places(n), place.count <= 40 { out.append(place) }
        return out
    }

    /// `s` cut at `limit` characters with « … ».
    static func shortened(_ s: String, _ limit: Int) -> String {
        s.utf8.count <= limit || s.count <= limit ? s : String(s.prefix(limit - 1)) + "…"
    }
}
