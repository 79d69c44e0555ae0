import ArgumentParser

extension Vigie {
    /// `vigie explain`.
    struct Explain: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "explain",
            abstract: "Explain why a notice reaches, or misses, a cluster's members."
        )

        func run() async throws {
            // Placeholder until the stage lands; exits 2 so no script mistakes it for success.
            print("vigie explain: not available in this build")
            throw ExitCode(2)
        }
    }
}
