import ArgumentParser
import Notices
import Foundation

// The options several commands share, declared once: the same name, default and help everywhere.

/// `--store`: the SQLite store.
public struct StoreOptions: ParsableArguments, Sendable {
    @Option(help: "SQLite store file.")
    public var store = "vigie.sqlite"

    public init() {}

    /// The store path, or a `CLIError.storeMissing` for a command that only reads an existing store (so that a
    /// typo never creates an empty store, or a lock file in a folder that has none).
    public func existing() throws -> String {
        guard FileManager.default.fileExists(atPath: store) else { throw CLIError.storeMissing(store) }
        return store
    }
}

/// `--now`: the instant the command acts at (default: the clock). Fixes the output for demos and tests.
public struct ClockOptions: ParsableArguments, Sendable {
    @Option(help: "Date and time to act at, ISO 8601 (2026-11-24T02:00:00Z) or YYYY-MM-DD; default: now.")
    public var now: ZonedDate?

    public init() {}

    public var date: Date { now?.instant ?? Date() }
}

/// `--rules`: the rules folder (one file per cluster).
public struct RulesOptions: ParsableArguments, Sendable {
    @Option(help: "Rules folder (one YAML file per cluster).")
    public var rules = "Rules"

    public init() {}
}

/// `--feeds`: the source catalogue.
public struct FeedsOptions: ParsableArguments, Sendable {
    @Option(help: "Source catalogue: a folder of *.yaml, or one file.")
    public var feeds = "Feeds"

    public init() {}
}

/// `--format`: digest formats.
public struct FormatOptions: ParsableArguments, Sendable {
    @Option(help: "Digest formats, comma-separated: md,html,json,ics,atom,csv.")
    public var format: FormatList = .all

    public init() {}
}

/// `--json`: results as JSON on stdout (one object, or one array), diagnostics still on stderr.
public struct OutputOptions: ParsableArguments, Sendable {
    @Flag(help: "Print the results as JSON on stdout.")
    public var json = false

    public init() {}
}
