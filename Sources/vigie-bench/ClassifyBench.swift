import ArgumentParser

/// `vigie-bench classify`.
struct ClassifyBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify",
        abstract: "Matcher throughput as the rule set grows from 1,000 to 300,000 keywords."
    )

    func run() async throws {
        print("vigie-bench classify: not available in this build")
        throw ExitCode(2)
    }
}
