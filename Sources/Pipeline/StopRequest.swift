import Dispatch
import Foundation

/// SIGTERM (cron's `timeout`, systemd stopping the service, a shutdown) and SIGINT (Ctrl-C) ask the run to stop;
/// it stops at the next safe point — between two sources' ingests, two classification pages, two clusters'
/// editions — never in the middle of a transaction or an edition, and exits 143 / 130 with a message. Before
/// this, both killed the process on the spot like kill -9.
public final class StopRequest: @unchecked Sendable {
    /// The process-wide request (signals are process-wide).
    public static let shared = StopRequest()

    private let lock = NSLock()
    private var received: Int32?
    private var sources: [any DispatchSourceSignal] = []

    init() {}

    /// Routes SIGTERM and SIGINT to this request instead of killing the process. Call once, at the start of a
    /// command that writes the store.
    public func install() {
        lock.lock()
        defer { lock.unlock() }
        guard sources.isEmpty else { return }
        for sig in [SIGTERM, SIGINT] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [weak self] in self?.request(sig) }
            source.resume()
            sources.append(source)
        }
    }

    /// Records a stop request (the first signal wins).
    public func request(_ signal: Int32) {
        lock.lock()
        defer { lock.unlock() }
        if received == nil { received = signal }
    }

    /// The signal received, if any.
    public var receivedSignal: Int32? {
        lock.lock()
        defer { lock.unlock() }
        return received
    }

    /// Throws `PipelineError.interrupted` when a stop was requested. `point` says where (for the message).
    public func checkpoint(_ point: String) throws {
        if let received = receivedSignal { throw PipelineError.interrupted(signal: received, at: point) }
    }
}
