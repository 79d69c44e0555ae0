import Foundation
import Notices

/// What an e-mail of a digest carries, in the digest's words.
public struct DigestMailContent: Sendable, Hashable {
    public var subject: String
    public var text: String
    public var html: String
    /// Tonight's deadlines as an iCalendar attachment; nil when there are none.
    public var calendar: [UInt8]?
    public var calendarFileName: String
}

extension DigestInput {
    /// The e-mail of this digest: subject, plain text, HTML and tonight's deadlines.
    public func mailContent() throws -> DigestMailContent {
        let hasDeadline = allNotices.contains { FrenchFormat.mainDeadline($0) != nil }
        return DigestMailContent(
            subject: Wording.title(self), text: MarkdownRenderer().text(self), html: HTMLRenderer().text(self),
            calendar: hasDeadline ? try ICalendarRenderer().render(self) : nil,
            calendarFileName: "echeances-\(DigestWriter.dateStamp(runDate)).ics")
    }
}
