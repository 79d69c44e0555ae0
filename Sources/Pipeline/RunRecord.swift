import Foundation
import Logging
import Store

/// The end of a run that stops on an error (interrupted or failed, never classified through), for `vigie run` and
/// `vigie digest` alike.
enum RunRecord {
    /// Records run `runID` as `interrupted` (a stop request) or `failed`, then closes the store. The run's own error
    /// is what the operator needs: a failure to record it is logged, not thrown.
    static func abandon(
        _ runID: Int64, in store: NoticeStore, because error: any Error, at date: Date, logger: Logger
    ) {
        let status = if case PipelineError.interrupted = error { "interrupted" } else { "failed" }
        do {
            try store.finishRun(runID, at: date, status: status, classifiedThrough: nil, summary: "\(error)")
            try store.close()
        } catch {
            logger.error("cannot record the end of the run", metadata: ["error": "\(error)"])
        }
    }
}
