import Foundation
import Logging

/// The one format of every line Vigie writes on stderr, from a command's own messages and from the stages'
/// loggers alike: `vigie <command>: [warning: |error: ]message[ key=value…]`. A cron log or the journal then
/// reads as one stream, and `grep 'vigie run: error:'` finds every error.
public enum Diagnostics {
    /// The line for `message` from `command` (`run`, `fetch`…) at `level`.
    public static func line(
        command: String, level: Logger.Level = .info, _ message: String, metadata: Logger.Metadata = [:]
    ) -> String {
        var s = "vigie \(command): "
        switch level {
        case .trace, .debug: s += "debug: "
        case .info, .notice: break
        case .warning: s += "warning: "
        case .error, .critical: s += "error: "
        }
        s += message
        for key in metadata.keys.sorted() { s += " \(key)=\(metadata[key].map { "\($0)" } ?? "")" }
        return s
    }

    /// Writes one line to stderr.
    public static func write(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// Routes every `Logger` of the process to stderr in this format (the label `vigie.fetcher` prints as
    /// `vigie fetcher:`). `VIGIE_LOG_LEVEL` (trace…critical) changes the level, default info.
    public static func bootstrap() {
        let level = ProcessInfo.processInfo.environment["VIGIE_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .info
        LoggingSystem.bootstrap { label in
            var handler = LineLogHandler(label: label)
            handler.logLevel = level
            return handler
        }
    }
}

/// A swift-log handler writing `Diagnostics.line`s to stderr.
struct LineLogHandler: LogHandler {
    let command: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    init(label: String) {
        command = label.hasPrefix("vigie.") ? String(label.dropFirst(6)) : label
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var all = metadata
        if let extra = event.metadata { all.merge(extra) { $1 } }
        Diagnostics.write(Diagnostics.line(command: command, level: event.level, "\(event.message)", metadata: all))
    }
}

/// Writes one line to stderr: every command's diagnostics go there, results to stdout. The message is written as
/// given; commands prefix it with `vigie <command>: ` (see `Diagnostics.line`).
func printError(_ message: String) {
    Diagnostics.write(message)
}
