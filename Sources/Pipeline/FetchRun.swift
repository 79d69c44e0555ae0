import Fetcher
import Foundation
import Logging
import Notices
import Parser
import Store

/// What `vigie fetch` reports for one source.
public struct SourceRunReport: Sendable, Hashable, Codable {
    public var source: String
    /// `ok`, `incomplete` (stored what it fetched; the rest comes the next run), `not-modified`, `failed` or
    /// `disabled`.
    public var status: String
    public var httpStatus: Int?
    public var bytes: Int
    /// Pages (raw documents) fetched.
    public var pages: Int
    /// Notices parsed from them.
    public var notices: Int
    public var inserted: Int
    public var changed: Int
    public var durationS: Double
    /// Short name of the failure (`http-status`, `stalled`, `parse`…), nil on success.
    public var reason: String?
    public var error: String?
    public var warnings: [String]
    public var consecutiveFailures: Int
    /// Records the source still has for the next run when its walk stopped at an API cap or `max_pages`
    /// (the API's total for the window minus what was fetched); nil when complete or unknown.
    public var left: Int?

    enum CodingKeys: String, CodingKey {
        case source, status, bytes, pages, notices, inserted, changed, reason, error, warnings, left
        case httpStatus = "http_status"
        case durationS = "duration_s"
        case consecutiveFailures = "consecutive_failures"
    }

    public var isFailure: Bool { status == "failed" }

    /// The failure's condition as data, for the digest's French wording (`reason` is the fetcher's condition
    /// name, `parse` or `store`).
    public var failure: SourceFailureKind? {
        guard isFailure, let reason else { return nil }
        // `store` (the local disk, not the source) has no condition of its own: the digest words it generically.
        return SourceFailureKind(rawValue: reason)
    }

    /// The source failed after its fetch, at `reason` (`parse`, `store`).
    mutating func markFailed(_ reason: String, _ error: String) {
        status = "failed"
        self.reason = reason
        self.error = error
    }
}

/// `vigie fetch`: Fetcher + Parser + Store, one source at a time into the store.
///
/// Each source's state, raw responses and notices go into the store in one transaction (`NoticeStore.ingest`).
/// A source that fails — transport, parse or store — has its failure recorded in its state, and nothing else
/// of it is touched: its validators and cursor stay those of its last good run (so the next run fetches it in
/// full again) and its notices stay as they were.
///
/// Synchronous: libcurl's multi loop runs on a thread of its own while the calling thread parses and stores
/// each source as it finishes (`FetchEngine.fetchEach`), so memory is bounded by the sources in flight rather
/// than by the night. Reports come back in catalogue order.
public enum FetchRun {
    /// Sources of `catalogue` selected by `only` (all enabled sources when empty). Throws
    /// `PipelineError.cannotRun` naming unknown ids.
    public static func select(_ catalogue: SourceCatalogue, only: [String]) throws -> [SourceDefinition] {
        guard !only.isEmpty else { return catalogue.sources }
        let known = Set(catalogue.sources.map(\.id))
        let unknown = only.filter { !known.contains($0) }
        if !unknown.isEmpty {
            throw PipelineError.cannotRun(
                "unknown source id(s): \(unknown.joined(separator: ", ")) "
                    + "(known: \(known.sorted().joined(separator: ", ")))")
        }
        let wanted = Set(only)
        return catalogue.sources.filter { wanted.contains($0.id) }
    }

    /// Fetches, parses and stores `sources`; returns one report per source, in order.
    /// Disabled sources are reported as `disabled` unless `includeDisabled`.
    public static func run(
        _ sources: [SourceDefinition], store: NoticeStore, engine: FetchEngine,
        includeDisabled: Bool = false, logger: Logger,
        now: @Sendable () -> Date = { Date() }
    ) throws -> [SourceRunReport] {
        let states: [String: SourceState]
        do {
            states = try store.sourceStates()
        } catch {
            throw PipelineError.cannotRun("cannot read source states: \(error)")
        }
        let active = sources.filter { $0.enabled || includeDisabled }
        // Each source is parsed and stored as soon as it is fetched, then its bytes are dropped: the run's
        // memory is that of the sources in flight, not of the whole night (4.5 MB per 1,000 notices before).
        var byID: [String: SourceRunReport] = [:]
        let activeByID = Dictionary(active.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        try engine.fetchEach(active, states: states) { result in
            // A safe point: every source handed over before this one is stored whole, this one not started.
            // Throwing here stops the transfers still running; nothing of them is stored.
            try StopRequest.shared.checkpoint("after fetching, before storing \(result.sourceID)")
            guard let source = activeByID[result.sourceID] else { return }
            let previous = states[source.id] ?? SourceState(sourceID: source.id)
            byID[source.id] = ingest(
                result, source: source, previous: previous, store: store, logger: logger, now: now())
        }
        return sources.map { source in
            byID[source.id]
                ?? SourceRunReport(
                    source: source.id, status: "disabled", httpStatus: nil, bytes: 0,
                    pages: 0, notices: 0, inserted: 0, changed: 0, durationS: 0,
                    reason: nil, error: nil, warnings: [],
                    consecutiveFailures: states[source.id]?.consecutiveFailures ?? 0)
        }
    }

    /// Parses and stores one source's fetch result.
    static func ingest(
        _ result: SourceFetchResult, source: SourceDefinition, previous: SourceState,
        store: NoticeStore, logger: Logger, now: Date
    ) -> SourceRunReport {
        var report = SourceRunReport(
            source: source.id, status: result.outcome.name, httpStatus: result.httpStatus,
            bytes: result.bytes, pages: result.documents.count, notices: 0, inserted: 0,
            changed: 0, durationS: (result.duration * 1000).rounded() / 1000,
            reason: result.outcome.error?.reason,
            error: result.outcome.error?.description, warnings: result.warnings,
            consecutiveFailures: result.state.consecutiveFailures)
        if case .ok = result.outcome, !result.isComplete {
            // Not "ok": part of the source waits for the next run, which resumes from the cursor saved here.
            report.status = "incomplete"
            report.left = result.remaining
        }
        switch result.outcome {
        case .notModified, .failed:
            do {
                try store.save(result.state)
            } catch {
                report.markFailed("store", "\(error)")
            }
            return report
        case .ok:
            break
        }
        var notices: [Notice] = []
        do {
            for document in result.documents {
                let options = ParseOptions(
                    sourceID: source.id, documentName: document.url, baseURL: document.url,
                    charsetHint: document.charset, format: source.format)
                let parsed = try DocumentParser.parse(document.body, options: options)
                // A page that ends before its root closes (a Content-Length shorter than the body, a connection
                // cut the server did not report) is not a page: what it holds would be stored as the whole source
                // ("24 of 40 notices, ok"). The source fails; `vigie parse` on a file keeps the salvage.
                if parsed.truncated {
                    throw PipelineError.truncatedDocument(url: document.url)
                }
                // Feed items (buyer platforms, regional calls) carry deadline, value and places only in their
                // French prose: the extractors fill what the structured formats state outright.
                notices += NoticeIntake.notices(of: parsed, format: source.format).map {
                    applyCatalogueKind($0, source: source)
                }
                report.warnings += parsed.issues.prefix(5).map { "\($0)" }
                if parsed.issues.count > 5 {
                    report.warnings.append("… \(parsed.issues.count - 5) more parse issues")
                }
            }
        } catch {
            // The bytes arrived but cannot be read: keep them for diagnosis, record the failure, and keep the
            // validators of the last good run so that the next run does not get a 304 for a document we never
            // understood.
            let message = "\(error)"
            let failed = previous.recordingFailure(message, at: now, httpStatus: result.httpStatus, failure: .parse)
            report.markFailed("parse", message)
            report.consecutiveFailures = failed.consecutiveFailures
            do {
                _ = try store.ingest(sourceID: source.id, state: failed, raws: result.documents, notices: [], at: now)
            } catch {
                logger.error("cannot record the failure", metadata: ["source.id": "\(source.id)", "error": "\(error)"])
            }
            return report
        }
        report.notices = notices.count
        do {
            let summary = try store.ingest(
                sourceID: source.id, state: result.state, raws: result.documents,
                notices: notices, at: now)
            report.inserted = summary.inserted.count
            report.changed = summary.changed.count
        } catch {
            report.markFailed("store", "\(error)")
            let failed = previous.recordingFailure("\(error)", at: now, httpStatus: result.httpStatus)
            report.consecutiveFailures = failed.consecutiveFailures
            try? store.save(failed)
        }
        return report
    }

    /// A feed item does not say what it announces; the catalogue does. A region's RSS of calls for projects
    /// must not become "tenders" because RSS items default to that. Structured formats (BOAMP, TED, eForms,
    /// aides-territoires) state the kind themselves and are left alone.
    static func applyCatalogueKind(_ notice: Notice, source: SourceDefinition) -> Notice {
        guard source.format.isFeed, notice.kind == .tender else { return notice }
        var n = notice
        switch source.kind {
        case .tenders: break
        case .callsForProjects: n.kind = .callForProjects
        case .awards: n.kind = .award
        }
        return n
    }

    /// One line per source for the terminal: status, HTTP code, bytes, notices, duration, error.
    public static func line(_ r: SourceRunReport, idWidth: Int = 24) -> String {
        func pad(_ s: String, _ n: Int, left: Bool = false) -> String {
            s.count >= n
                ? s
                : (left
                    ? String(repeating: " ", count: n - s.count) + s
                    : s + String(repeating: " ", count: n - s.count))
        }
        var s = pad(r.status, 12) + " " + pad(r.source, idWidth) + " "
        s += pad(r.httpStatus.map(String.init) ?? "-", 4, left: true) + " "
        s += pad(byteCount(r.bytes), 9, left: true) + " "
        s += pad("\(r.notices) notices", 13, left: true) + " "
        s += pad(String(format: "%.2f s", r.durationS), 8, left: true)
        if r.pages > 1 { s += "  \(r.pages) pages" }
        if r.inserted > 0 || r.changed > 0 { s += "  +\(r.inserted) new ~\(r.changed) changed" }
        if r.status == "incomplete" { s += "  " + (r.left.map { "\($0) left for the next run" } ?? "more left") }
        if let error = r.error { s += "  " + error }
        for warning in r.warnings { s += "\n" + String(repeating: " ", count: 13) + "warning: " + warning }
        return s
    }

    static func byteCount(_ n: Int) -> String {
        if n < 1024 { return "\(n) B" }
        if n < 1 << 20 { return String(format: "%.1f KB", Double(n) / 1024) }
        return String(format: "%.1f MB", Double(n) / Double(1 << 20))
    }
}
