import Foundation

/// What stops a command before it could do its work. The message starts with what was wrong (the stage);
/// `exitCode` follows the convention every command documents: 1 ran but something failed, 2 could not run.
public enum CLIError: Error, CustomStringConvertible, Sendable {
    /// `--store` names no file (and the command only reads a store).
    case storeMissing(String)
    /// An id that names nothing: `what` (cluster, source, member, notice), the ids given, the ids that exist.
    case unknownID(what: String, given: [String], known: [String])
    /// Anything else that prevents the command from running (unreadable rules, catalogue, store).
    case cannotRun(String)

    public var description: String {
        switch self {
        case .storeMissing(let path):
            return "store: \(path): no such file (give the store with --store; `vigie run` creates it)"
        case .unknownID(let what, let given, let known):
            let list = known.isEmpty ? "none" : known.sorted().joined(separator: ", ")
            return "unknown \(what)\(given.count == 1 ? "" : "s") \(given.joined(separator: ", ")) (known: \(list))"
        case .cannotRun(let message):
            return message
        }
    }

    public var exitCode: Int32 { 2 }

    /// Throws `unknownID` when any of `given` is not among `known`.
    public static func requireKnown(_ given: [String], among known: [String], what: String) throws {
        let unknown = given.filter { !known.contains($0) }
        if !unknown.isEmpty { throw CLIError.unknownID(what: what, given: unknown, known: known) }
    }
}
