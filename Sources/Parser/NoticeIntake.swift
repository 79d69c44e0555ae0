import Notices

/// The one path from a parsed document to the notices later stages see. The nightly fetch, `vigie route` and
/// `vigie explain` all go through it, so the tools staff use to tune rules route exactly what the night sends.
public enum NoticeIntake {
    /// The document's notices, enriched from their own text where the format states facts only in prose.
    ///
    /// Feed items (buyer platforms' RSS, regional calls) carry deadline, value, place and CPV only in French
    /// sentences: without the extractors, a sewage-plant tender far from a cluster would reach a member with no
    /// place known. `format` is the catalogue's when the caller knows it, else the detected one.
    public static func notices(of document: ParsedDocument, format: DocumentFormat? = nil) -> [Notice] {
        (format ?? document.format).isFeed ? document.notices.map(NoticeEnricher.enrich) : document.notices
    }
}
