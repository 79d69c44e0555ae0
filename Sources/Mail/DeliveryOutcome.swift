/// What became of one SMTP transaction (one message to one recipient).
public enum DeliveryOutcome: Sendable, Hashable {
    /// The server took the message: 2xx after DATA. `reply` is its final reply line ("250 2.0.0 Ok: queued as …").
    case accepted(reply: String)
    /// 4xx at any step (greylisting, mailbox busy, server overloaded): retry on the next run.
    case temporaryFailure(code: Int, text: String)
    /// 5xx for this recipient or message (unknown user, refused sender, authentication refused): report it, do
    /// not retry. `code` 0: refused before any byte was sent (an envelope address Vigie will not put on the wire).
    case permanentFailure(code: Int, text: String)
    /// No SMTP answer to go by: connection refused or reset, timeout, TLS failure: retry on the next run.
    case unreachable(text: String)
}
