import ArgumentParser

/// `vigie-bench fetch`.
struct FetchBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Fetcher concurrency and conditional GET against a loopback server."
    )

    func run() async throws {
        print("vigie-bench fetch: not available in this build")
        throw ExitCode(2)
    }
}
