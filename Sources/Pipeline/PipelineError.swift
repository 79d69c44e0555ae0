/// Errors of a whole run (not of one source: those are recorded in the run report).
public enum PipelineError: Error, Sendable, CustomStringConvertible {
    /// Another run holds the lock.
    case locked(path: String)
    /// The run could not start: bad catalogue, bad rules, store not writable.
    case cannotRun(String)

    public var description: String {
        switch self {
        case .locked(let path): return "run: another run holds \(path)"
        case .cannotRun(let reason): return "run: \(reason)"
        }
    }
}
