import Foundation

/// Errors of a whole run (not of one source: those are recorded in the run report).
public enum PipelineError: Error, Sendable, CustomStringConvertible {
    /// Another run holds the lock; `holder` says who (`pid 1234, started 2026-05-05T02:00:00Z`) when known.
    case locked(path: String, holder: String?)
    /// The run could not start: bad catalogue, bad rules, store not writable.
    case cannotRun(String)
    /// A fetched page ends before its end (a Content-Length shorter than the body, a cut the server did not
    /// report): the source fails rather than store part of it as the whole.
    case truncatedDocument(url: String)
    /// SIGTERM or SIGINT asked the run to stop; it stopped at a safe point (`at`).
    case interrupted(signal: Int32, at: String)

    public var description: String {
        switch self {
        case .locked(let path, let holder):
            return "run: another run holds \(path)" + (holder.map { " (\($0))" } ?? "")
                + "; wait for it to finish, or check that process"
        case .cannotRun(let reason): return "run: \(reason)"
        case .truncatedDocument(let url):
            return "parse: \(url): the document stops before its end (truncated); nothing of this source is kept"
        case .interrupted(let signal, let point):
            let name = signal == SIGINT ? "SIGINT" : signal == SIGTERM ? "SIGTERM" : "signal \(signal)"
            return "run: interrupted by \(name) \(point); what was done is kept, nothing was sent twice, "
                + "and the next run resumes from there"
        }
    }

    /// The process exit code: 128 + the signal for an interruption (the shell's convention: 130 for Ctrl-C,
    /// 143 for SIGTERM), 2 when the run could not run.
    public var exitCode: Int32 {
        if case .interrupted(let signal, _) = self { return 128 + signal }
        return 2
    }
}
