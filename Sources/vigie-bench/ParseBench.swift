import ArgumentParser

/// `vigie-bench parse`.
struct ParseBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse",
        abstract: "Parser throughput against a libxml2 reader walk of the same corpus."
    )

    func run() async throws {
        print("vigie-bench parse: not available in this build")
        throw ExitCode(2)
    }
}
