import Foundation
import Notices

/// The digest's deadlines as an iCalendar file (RFC 5545) to subscribe to or import in any calendar.
///
/// One VEVENT per notice with a deadline: UID stable per notice (a re-run or a corrigendum updates the
/// same event; SEQUENCE grows with the run date so the newest calendar wins), DTSTART
/// in UTC, a reminder seven days before. Lines end in CRLF, are folded at 75 octets without splitting a
/// UTF-8 sequence, and text values escape `\`, `;`, `,` and newlines.
public struct ICalendarRenderer: DigestRenderer {
    public init() {}
    public var format: DigestFormat { .icalendar }

    public func render(_ input: DigestInput) throws -> [UInt8] { calendar(input, events: tonight(input)) }

    /// Tonight's notices and the open deadlines of the subscription window (`input.window`, the last `windowDays`
    /// days): a calendar subscribed to `latest.ics` keeps the deadlines of earlier nights until they pass, instead
    /// of emptying on a night with nothing new. The window's notices are those `latest.atom` holds
    /// (``DigestInput/earlierWindow(after:)``: up to the cluster's `subscription_max_notices`, which the store
    /// already caps the window at), those still open.
    public func renderSubscription(_ input: DigestInput) throws -> [UInt8] { subscription(input) }

    /// Tonight's deadlines.
    public func text(_ input: DigestInput) -> String {
        String(decoding: calendar(input, events: tonight(input)), as: UTF8.self)
    }

    /// Events an e-mail's calendar holds at most: the soonest deadlines. A national staff digest has hundreds of
    /// deadlines a night (about 1.1 KB each, a third more in base64): attached whole they were most of its e-mail
    /// (on a 10,000-notice night, 554 KB of the largest staff message, whose HTML is 79 KB). Thirty is a month of
    /// working days; the files (`YYYY-MM-DD.ics`, `latest.ics`) keep every deadline.
    public static let mailEventLimit = 30

    /// Tonight's deadlines as an e-mail attaches them: the bytes of `render` when there are at most
    /// ``mailEventLimit``, else the soonest ``mailEventLimit`` (ties in tonight's order), in tonight's order.
    public func renderMail(_ input: DigestInput) throws -> [UInt8] { calendar(input, events: mailEvents(input)) }

    func mailEvents(_ input: DigestInput) -> [(notice: Notice, members: [String])] {
        let all = tonight(input)
        guard all.count > Self.mailEventLimit else { return all }
        let instants = all.map { FrenchFormat.mainDeadline($0.notice)?.instant ?? .distantFuture }
        let soonest = all.indices.sorted { (instants[$0], $0) < (instants[$1], $1) }.prefix(Self.mailEventLimit)
        return Set(soonest).sorted().map { all[$0] }
    }

    /// The subscription calendar (see `renderSubscription`).
    public func subscriptionText(_ input: DigestInput) -> String {
        String(decoding: subscription(input), as: UTF8.self)
    }

    func subscription(_ input: DigestInput) -> [UInt8] {
        let all = input.allNotices
        var events = tonight(input, all: all)
        let member = Wording.isMember(input)
        // The same earlier notices as the feed's (its cap counts every notice shown tonight, with a deadline or
        // not), so both files of a subscription agree.
        for e in input.earlierWindow(after: Set(all.map(\.id))) {
            guard let d = FrenchFormat.mainDeadline(e.notice), d.instant >= input.runDate else { continue }
            events.append((e.notice, member ? [] : e.members))
        }
        return calendar(input, events: events)
    }

    /// Tonight's notices with a deadline, with the members each was sent to (staff calendar only).
    func tonight(_ input: DigestInput) -> [(notice: Notice, members: [String])] {
        tonight(input, all: input.allNotices)
    }

    /// ``tonight(_:)`` of `all`, the input's ``DigestInput/allNotices`` (the subscription needs them too).
    func tonight(_ input: DigestInput, all: [Notice]) -> [(notice: Notice, members: [String])] {
        var members: [String: [String]] = [:]
        if !Wording.isMember(input) {
            for m in input.members {
                // By index: a `for` over the items copied each one, a whole notice.
                for i in m.items.indices { members[m.items[i].notice.id, default: []].append(m.memberName) }
            }
        }
        return all.filter(Self.isEvent).map { ($0, members[$0.id] ?? []) }
    }

    /// Whether a notice is one of the calendar's events: it has a deadline.
    static func isEvent(_ notice: Notice) -> Bool { FrenchFormat.mainDeadline(notice) != nil }

    /// The calendar's bytes, each line folded as it is written: building lines of `String`s, folding each into
    /// parts, then joining and copying them was most of a staff calendar's cost besides its events' words.
    func calendar(_ input: DigestInput, events: [(notice: Notice, members: [String])]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(512 + events.count * 1200)
        let head = [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//Vigie//Veille appels d'offres//FR",
            "CALSCALE:GREGORIAN",
            "METHOD:PUBLISH",
            "X-WR-CALNAME:" + escape("Échéances \(Wording.heading(input))"),
            "X-WR-TIMEZONE:Europe/Paris",
        ]
        for line in head {
            Self.fold(line, into: &out)
            out.append(contentsOf: Self.crlf)
        }
        let stamp = Self.utc(input.runDate)
        let sequence = max(0, Int(input.runDate.timeIntervalSince1970) - 1_577_836_800) / 60
        for (n, who) in events {
            guard let d = FrenchFormat.mainDeadline(n) else { continue }
            if who.isEmpty {
                // A member's event names no member: the same in every member's calendar of the night, made once.
                func make() -> String {
                    var bytes: [UInt8] = []
                    write(event(n, deadline: d, who: who, stamp: stamp, sequence: sequence), into: &bytes)
                    return String(decoding: bytes, as: UTF8.self)
                }
                out.append(contentsOf: DigestRenderCache.part(of: n, in: input, at: \.calendarEvent, make: make).utf8)
            } else {
                write(event(n, deadline: d, who: who, stamp: stamp, sequence: sequence), into: &out)
            }
            out.append(contentsOf: Self.crlf)
        }
        out.append(contentsOf: "END:VCALENDAR\r\n".utf8)
        return out
    }

    static let crlf: [UInt8] = [0x0D, 0x0A]

    /// An event's lines, folded, joined by CRLF (no CRLF after the last).
    func write(_ lines: [String], into out: inout [UInt8]) {
        for (i, line) in lines.enumerated() {
            if i > 0 { out.append(contentsOf: Self.crlf) }
            Self.fold(line, into: &out)
        }
    }

    /// One notice's event, unfolded: its deadline, with a reminder a week before.
    func event(_ n: Notice, deadline d: ZonedDate, who: [String], stamp: String, sequence: Int) -> [String] {
        var desc: [String] = []
        desc.append("\(FrenchFormat.deadlineLabel(n)) : \(FrenchFormat.dateTime(d))")
        if let b = n.buyer?.name { desc.append("Acheteur : \(b)") }
        if let a = FrenchFormat.amount(n.value) { desc.append("Montant estimé : \(a)") }
        if !n.lots.isEmpty { desc.append(FrenchFormat.plural(n.lots.count, "lot", "lots")) }
        if let c = Wording.contact(n) { desc.append("Contact : \(c.plain(separator: ", "))") }
        if !who.isEmpty { desc.append("Adhérents : \(who.joined(separator: ", "))") }
        if let u = n.url { desc.append("Avis : \(u)") }
        if let u = n.documentsURL, u != n.url { desc.append("Dossier de consultation (DCE) : \(u)") }
        var lines = [
            "BEGIN:VEVENT",
            "UID:" + escape(Self.uid(n)),
            "DTSTAMP:\(stamp)",
            "DTSTART:\(Self.utc(d.instant))",
            // A deadline is an instant; a zero-length event shows at the right time in every client.
            "DURATION:PT0S",
            // Minutes since 2020 of the run: each night's calendar supersedes the previous one, so a
            // deadline moved by a corrigendum (earlier or later) replaces the old event in clients.
            "SEQUENCE:\(sequence)",
            "SUMMARY:" + escape("Date limite : \(n.title)"),
            "DESCRIPTION:" + escape(desc.joined(separator: "\n")),
            "CATEGORIES:" + escape(FrenchFormat.kind(n.kind)),
            "TRANSP:TRANSPARENT",
        ]
        if let place = FrenchFormat.places(n) { lines.append("LOCATION:" + escape(place)) }
        if let u = n.url, Wording.isWebURL(u) { lines.append("URL:" + u) }
        lines += [
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            "DESCRIPTION:" + escape("J-7 : \(n.title)"),
            "TRIGGER:-P7D",
            "END:VALARM",
            "END:VEVENT",
        ]
        return lines
    }

    /// `vigie-<notice id>@vigie`, with characters outside [A-Za-z0-9.-] replaced so any client accepts it.
    static func uid(_ n: Notice) -> String {
        let safe = String(
            n.id.unicodeScalars.map { s -> Character in
                HTMLRenderer.isAnchorSafe(s) || s == "." ? Character(s) : "_"
            })
        return "deadline-\(safe)@vigie"
    }

    /// `20260608T100000Z`.
    static func utc(_ d: Date) -> String {
        ISO8601.format(d).replacingBytes { $0 == 0x2D || $0 == 0x3A ? "" : nil }
    }

    /// TEXT escaping (RFC 5545 §3.3.11).
    func escape(_ s: String) -> String {
        // Most titles and buyers hold none of these: no Character walk, no copy.
        if !s.containsAnyByte("\\;,\n\r") { return s }
        if let fast = Self.escapeBytes(s) { return fast }
        return escapeByCharacter(s)
    }

    /// ``escape(_:)`` on the UTF-8 bytes: each event's description holds line breaks and commas, and the
    /// Character walk was a twentieth of rendering a night's editions. Nil when a mark to escape is not a whole
    /// Character (a combining mark after it, a prepended mark before it): the Character rules decide then.
    static func escapeBytes(_ s: String) -> String? {
        var s = s
        return s.withUTF8 { b -> String? in
            var out: [UInt8] = []
            out.reserveCapacity(b.count + 16)
            var i = 0
            while i < b.count {
                let c = b[i]
                switch c {
                case 0x0D, 0x0A:
                    // CR LF is one Character; a lone CR or LF is always a Character of its own.
                    out.append(0x5C)
                    out.append(0x6E)
                    i += c == 0x0D && i + 1 < b.count && b[i + 1] == 0x0A ? 2 : 1
                    continue
                case 0x5C, 0x3B, 0x2C:
                    guard ByteEscaper.followedBySimpleBoundary(b, i), !ByteEscaper.joinsPrevious(b, i) else {
                        return nil
                    }
                    out.append(0x5C)
                    out.append(c)
                default:
                    out.append(c)
                }
                i += 1
            }
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// The reference rules, Character by Character.
    func escapeByCharacter(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "\\": out += "\\\\"
            case ";": out += "\\;"
            case ",": out += "\\,"
            case "\r\n", "\n", "\r": out += "\\n"
            default: out.append(ch)
            }
        }
        return out
    }

    /// Folds a content line at 75 octets (RFC 5545 §3.1), never inside a UTF-8 sequence.
    static func fold(_ line: String) -> String {
        var out: [UInt8] = []
        fold(line, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// ``fold(_:)`` appended to `out`.
    static func fold(_ line: String, into out: inout [UInt8]) {
        var line = line
        line.withUTF8 { b in
            guard b.count > 75 else {
                out.append(contentsOf: b)
                return
            }
            var start = 0
            var limit = 75
            while start < b.count {
                var end = min(start + limit, b.count)
                // Back off to a character boundary: continuation bytes are 10xxxxxx.
                while end < b.count, end > start, b[end] & 0xC0 == 0x80 { end -= 1 }
                // Continuation lines start with one space.
                if start > 0 { out.append(contentsOf: [0x0D, 0x0A, 0x20]) }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: b[start..<end]))
                start = end
                limit = 74
            }
        }
    }
}
