/// Errors of a whole run (not of one source: those are recorded in the run report).
public enum PipelineError: Error, Sendable, CustomStringConvertible {
    /// Another run holds the lock; `holder` says who (`pid 1234, started 2026-05-05T02:00:00Z`) when known.
    case locked(path: String, holder: String?)
    /// The run could not start: bad catalogue, bad rules, store not writable.
    case cannotRun(String)

    public var description: String {
        switch self {
        case .locked(let path, let holder):
            return "run: another run holds \(path)" + (holder.map { " (\($0))" } ?? "")
                + "; wait for it to finish, or check that process"
        case .cannotRun(let reason): return "run: \(reason)"
        }
    }
}
