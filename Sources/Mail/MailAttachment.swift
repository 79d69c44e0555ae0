/// A file attached to a message (the night's deadlines as `.ics`, for instance).
public struct MailAttachment: Sendable, Hashable {
    /// The name mail clients show and save under; any Unicode (encoded per RFC 2231 when not plain ASCII).
    public var fileName: String
    /// The MIME type, e.g. "application/pdf". A `.ics` file always goes as
    /// `text/calendar; charset=utf-8; method=PUBLISH`, whatever this says, so calendar clients offer to import it.
    public var contentType: String
    public var bytes: [UInt8]

    public init(fileName: String, contentType: String, bytes: [UInt8]) {
        self.fileName = fileName
        self.contentType = contentType
        self.bytes = bytes
    }
}
