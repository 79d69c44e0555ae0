import Foundation

/// Runs a program for a test, its standard output and error going to files, never to pipes: a chatty child can
/// never block on a full pipe while the test reads the other one, and what it wrote so far can be read while it
/// runs. Every test that starts a process goes through here (or `VigieProcess`, for the built `vigie`).
public enum ProcessRunner {
    /// A finished process: exit status (or the signal that ended it), what it wrote, wall time.
    public struct Result: Sendable {
        public var status: Int32
        /// Ended by a signal (`status` is then the signal number).
        public var signalled: Bool
        /// Killed by the runner's watchdog: it ran past its time limit.
        public var timedOut: Bool
        public var stdout: String
        public var stderr: String
        public var seconds: Double
        public var stdoutBytes: Data
        public var stderrBytes: Data
        public var pid: Int32
        /// Exited with status 0.
        public var succeeded: Bool { !signalled && !timedOut && status == 0 }
        /// The end of both outputs, for a failure message.
        public var tail: String { "stdout: …\(stdout.suffix(3000))\nstderr: …\(stderr.suffix(3000))" }
    }

    /// Runs `executable arguments` to completion and returns what it did; kills it after `timeout` seconds (a hung
    /// child must fail the test, not hang the suite).
    /// - Parameters:
    ///   - environment: added to (or replacing, when `inheritEnvironment` is false) the test process's environment.
    ///   - directory: the working directory (the test process's when nil).
    ///   - stdin: a file given as standard input (`/dev/null` when nil).
    public static func run(
        _ executable: URL, _ arguments: [String], environment: [String: String] = [:],
        inheritEnvironment: Bool = true, directory: URL? = nil, stdin: URL? = nil, timeout: Double = 300
    ) throws -> Result {
        try Running(
            executable, arguments, environment: environment, inheritEnvironment: inheritEnvironment,
            directory: directory, stdin: stdin
        ).wait(timeout: timeout)
    }

    /// Runs a program found on PATH (through `/usr/bin/env`), as `run`.
    public static func tool(
        _ name: String, _ arguments: [String], environment: [String: String] = [:], directory: URL? = nil,
        stdin: URL? = nil, timeout: Double = 300
    ) throws -> Result {
        try run(
            URL(fileURLWithPath: "/usr/bin/env"), [name] + arguments, environment: environment, directory: directory,
            stdin: stdin, timeout: timeout)
    }

    /// A process in flight, its output going to temporary files (removed with this object) that can be read
    /// while it runs, to act at a chosen phase (send a signal, start a second run).
    public final class Running: @unchecked Sendable {
        public let process = Process()
        private let outPath: String
        private let errPath: String
        private let outHandle: FileHandle
        private let errHandle: FileHandle
        private let inHandle: FileHandle?
        public let started = Date()
        private var finished: Result?

        public init(
            _ executable: URL, _ arguments: [String], environment: [String: String] = [:],
            inheritEnvironment: Bool = true, directory: URL? = nil, stdin: URL? = nil
        ) throws {
            process.executableURL = executable
            process.arguments = arguments
            if let directory { process.currentDirectoryURL = directory }
            if !inheritEnvironment {
                process.environment = environment
            } else if !environment.isEmpty {
                process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            }
            let base = FileManager.default.temporaryDirectory.appendingPathComponent(
                "vigie-process-\(UUID().uuidString)"
            ).path
            outPath = base + ".out"
            errPath = base + ".err"
            _ = FileManager.default.createFile(atPath: outPath, contents: nil)
            _ = FileManager.default.createFile(atPath: errPath, contents: nil)
            outHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
            errHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
            process.standardOutput = outHandle
            process.standardError = errHandle
            if let stdin {
                let handle = try FileHandle(forReadingFrom: stdin)
                inHandle = handle
                process.standardInput = handle
            } else {
                inHandle = nil
                process.standardInput = FileHandle.nullDevice
            }
            try process.run()
        }

        deinit {
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
            try? outHandle.close()
            try? errHandle.close()
            try? inHandle?.close()
            try? FileManager.default.removeItem(atPath: outPath)
            try? FileManager.default.removeItem(atPath: errPath)
        }

        public var pid: Int32 { process.processIdentifier }
        public var isRunning: Bool { process.isRunning }
        public var elapsed: Double { Date().timeIntervalSince(started) }

        /// What the process wrote on standard output so far.
        public func stdoutSoFar() -> String {
            String(decoding: FileManager.default.contents(atPath: outPath) ?? Data(), as: UTF8.self)
        }

        /// What the process wrote on standard error so far.
        public func stderrSoFar() -> String {
            String(decoding: FileManager.default.contents(atPath: errPath) ?? Data(), as: UTF8.self)
        }

        /// Polls standard output until `predicate` holds on it, the process ends, or `timeout` passes; true when
        /// it held.
        public func waitForStdout(timeout: Double = 60, until predicate: (String) -> Bool) -> Bool {
            poll(timeout: timeout) { predicate(stdoutSoFar()) }
        }

        /// Polls standard error until it contains `marker`, the process ends, or `timeout` passes; true when seen.
        public func waitForStderr(_ marker: String, timeout: Double = 60) -> Bool {
            poll(timeout: timeout) { stderrSoFar().contains(marker) }
        }

        private func poll(timeout: Double, _ seen: () -> Bool) -> Bool {
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                if seen() { return true }
                if !process.isRunning { return seen() }
                usleep(2_000)
            }
            return false
        }

        public func signal(_ sig: Int32) { kill(process.processIdentifier, sig) }

        /// Waits for the end; after `timeout` seconds from the start, kills it (`timedOut` in the result).
        @discardableResult
        public func wait(timeout: Double = 300) throws -> Result {
            if let finished { return finished }
            let deadline = started.addingTimeInterval(timeout)
            while process.isRunning && Date() < deadline { usleep(5_000) }
            let timedOut = process.isRunning
            if timedOut {
                // `make install` runs swift build, which runs compilers: when the child leads its own process
                // group the whole group goes, so no build keeps the cores after the test gave up.
                let pid = process.processIdentifier
                kill(getpgid(pid) == pid ? -pid : pid, SIGKILL)
            }
            process.waitUntilExit()
            let seconds = Date().timeIntervalSince(started)
            try outHandle.synchronize()
            try errHandle.synchronize()
            let out = FileManager.default.contents(atPath: outPath) ?? Data()
            let err = FileManager.default.contents(atPath: errPath) ?? Data()
            let result = Result(
                status: process.terminationStatus, signalled: process.terminationReason == .uncaughtSignal,
                timedOut: timedOut,
                stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self),
                seconds: seconds, stdoutBytes: out, stderrBytes: err, pid: process.processIdentifier)
            finished = result
            return result
        }
    }
}
