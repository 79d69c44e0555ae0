import Foundation
import Notices

/// What one digest e-mail says: the Mail stage wraps it in a MIME message and knows nothing of notices.
///
/// The parts are UTF-8 bytes, as the renderers give them and as the Mail stage encodes them: a national night's
/// thirty thousand e-mails of hundreds of kilobytes were decoded into strings here and encoded back there (4 % of
/// rendering). `text` and `html` read them as text.
public struct DigestMailContent: Sendable, Hashable {
    /// The French subject line (UTF-8; the Mail stage encodes it per RFC 2047).
    public var subject: String
    /// The plain-text part (the Markdown digest, readable as is), UTF-8.
    public var textBytes: [UInt8]
    /// The HTML part (the HTML digest, built for mail clients), UTF-8.
    public var htmlBytes: [UInt8]
    /// Tonight's deadlines as an iCalendar attachment; nil when the digest has none.
    public var calendar: [UInt8]?
    /// The attachment's file name (`echeances-mecaloire-2026-05-05.ics`).
    public var calendarFileName: String

    /// The content from its rendered parts.
    public init(
        subject: String, textBytes: [UInt8], htmlBytes: [UInt8], calendar: [UInt8]?, calendarFileName: String
    ) {
        self.subject = subject
        self.textBytes = textBytes
        self.htmlBytes = htmlBytes
        self.calendar = calendar
        self.calendarFileName = calendarFileName
    }

    /// The content from its parts as text.
    public init(subject: String, text: String, html: String, calendar: [UInt8]?, calendarFileName: String) {
        self.init(
            subject: subject, textBytes: Array(text.utf8), htmlBytes: Array(html.utf8), calendar: calendar,
            calendarFileName: calendarFileName)
    }

    /// The plain-text part as text.
    public var text: String { String(decoding: textBytes, as: UTF8.self) }
    /// The HTML part as text.
    public var html: String { String(decoding: htmlBytes, as: UTF8.self) }
}

extension DigestInput {
    /// The e-mail of this digest: a French subject (« Veille Pôle Méca Loire — 3 avis pour vous, dont 1 à rendre
    /// cette semaine »; staff: « Veille Pôle Méca Loire — 12 avis, 2 idées de consortium »), the Markdown text as
    /// the plain part, the HTML, and tonight's deadlines as an `.ics` (nil when none). The parts are in the mail
    /// layout (``DigestLayout/mail``): the first cards in full, the others one line each, when they would not fit
    /// a mail client (``MailCut``); the files' Markdown and HTML otherwise.
    public func mailContent() throws -> DigestMailContent {
        let ics = ICalendarRenderer()
        let events = ics.tonight(self)
        let who = recipientID.map { "-" + AtomRenderer().urnPart($0) } ?? ""
        let parts = mailParts()
        return DigestMailContent(
            subject: Wording.subject(self), textBytes: parts.markdown,
            htmlBytes: parts.html, calendar: events.isEmpty ? nil : try ics.renderMail(self),
            calendarFileName:
                "echeances-\(AtomRenderer().urnPart(clusterID))\(who)-\(DigestWriter.dateStamp(runDate)).ics")
    }
}

extension DigestInput {
    /// The formats an e-mail is made of: tonight's Markdown (the plain part), HTML and iCalendar (the attachment),
    /// each as `render` gives it (never `renderSubscription`: the mail carries tonight's deadlines only).
    public static let mailFormats: [DigestFormat] = [.markdown, .html, .icalendar]

    /// Whether the e-mail's calendar is tonight's calendar file as it is: at most
    /// ``ICalendarRenderer/mailEventLimit`` deadlines (else `ICalendarRenderer.renderMail` keeps the soonest).
    public var mailCalendarIsFile: Bool {
        // Counted, not listed: listing tonight's events copied every notice with a deadline (and, for the staff,
        // gathered the members of each) for each of a national night's thirty thousand e-mails, to count them.
        let limit = ICalendarRenderer.mailEventLimit
        return calendarEvents(upTo: limit + 1) <= limit
    }

    /// How many of ``allNotices`` are tonight's calendar events (``ICalendarRenderer/isEvent(_:)``), counted up to
    /// `limit`.
    func calendarEvents(upTo limit: Int) -> Int {
        allNotices.lazy.filter(ICalendarRenderer.isEvent).prefix(limit).count
    }

    /// The e-mail of this digest from its parts already rendered, so a night renders each part once: the same
    /// content as ``mailContent()``, which renders them again. `markdown` and `html` are the mail layout's
    /// (``mailParts()``), or the files' when ``mailIsFileLayout(htmlBytes:)`` says they are the same; `calendar`
    /// is `renderMail(self)` of the iCalendar renderer (its file's `render(self)` when
    /// ``mailCalendarIsFile`` says they are the same), dropped when tonight has no deadline (as
    /// ``mailContent()`` attaches none).
    public func mailContent(markdown: [UInt8], html: [UInt8], calendar: [UInt8]) -> DigestMailContent {
        let who = recipientID.map { "-" + AtomRenderer().urnPart($0) } ?? ""
        return DigestMailContent(
            subject: Wording.subject(self), textBytes: markdown, htmlBytes: html,
            calendar: calendarEvents(upTo: 1) > 0 ? calendar : nil,
            calendarFileName:
                "echeances-\(AtomRenderer().urnPart(clusterID))\(who)-\(DigestWriter.dateStamp(runDate)).ics")
    }
}

extension Wording {
    /// The e-mail's subject: the night in a few words, the most urgent first.
    static func subject(_ input: DigestInput) -> String {
        let head = "Veille \(input.clusterName) — "
        let count = newNotices(input)
        let week = input.summary.deadlinesThisWeek.count
        if isMember(input) {
            guard input.hasNews else { return head + "rien de nouveau pour vous cette nuit" }
            var parts: [String] = []
            if count > 0 {
                var s = FrenchFormat.plural(count, "avis pour vous", "avis pour vous")
                if week > 0 { s += ", dont \(week) à rendre cette semaine" }
                parts.append(s)
            }
            if !input.changed.isEmpty {
                parts.append(FrenchFormat.plural(input.changed.count, "avis modifié", "avis modifiés"))
            }
            if !input.consortia.isEmpty, count == 0 {
                parts.append(FrenchFormat.plural(input.consortia.count, "idée de consortium", "idées de consortium"))
            }
            return head + (parts.isEmpty ? "du nouveau pour vous" : parts.joined(separator: ", "))
        }
        if !isStaff(input), let watch = input.recipientName {
            // A saved watch's own digest: its theme and how many matches.
            let matches = Set(input.watches.flatMap { $0.items.map(\.notice.id) }).count
            return head + "\(watch) : " + FrenchFormat.plural(matches, "avis", "avis")
        }
        guard input.hasNews else { return head + "rien de nouveau cette nuit" }
        var parts: [String] = []
        if count > 0 { parts.append(FrenchFormat.plural(count, "avis", "avis")) }
        if !input.consortia.isEmpty {
            parts.append(FrenchFormat.plural(input.consortia.count, "idée de consortium", "idées de consortium"))
        }
        if week > 0 { parts.append("\(week) à rendre cette semaine") }
        if count == 0, !input.changed.isEmpty {
            parts.append(FrenchFormat.plural(input.changed.count, "avis modifié", "avis modifiés"))
        }
        let failing = input.sources.filter { $0.status == .failing }.count
        if failing > 0 { parts.append(FrenchFormat.plural(failing, "source en échec", "sources en échec")) }
        let refused = input.mailFailures.count
        if refused > 0 { parts.append(FrenchFormat.plural(refused, "courriel refusé", "courriels refusés")) }
        return head + parts.joined(separator: ", ")
    }
}
