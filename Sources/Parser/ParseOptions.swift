import Notices

/// What the caller knows about a document before parsing it.
public struct ParseOptions: Sendable, Hashable {
    /// Source id given to the notices (`Feeds/*.yaml` id); `file` when parsing a local file by hand.
    public var sourceID: String
    /// File path or URL, used in error messages.
    public var documentName: String
    /// URL the document was fetched from: relative links resolve against it.
    public var baseURL: String?
    /// Charset from the HTTP `Content-Type`, if any.
    public var charsetHint: String?
    /// Format forced by the catalogue; nil means detect.
    public var format: DocumentFormat?

    public init(
        sourceID: String = "file", documentName: String = "<input>", baseURL: String? = nil,
        charsetHint: String? = nil, format: DocumentFormat? = nil
    ) {
        self.sourceID = sourceID
        self.documentName = documentName
        self.baseURL = baseURL
        self.charsetHint = charsetHint
        self.format = format
    }
}
