import ArgumentParser

extension Vigie {
    /// `vigie rules`.
    struct Rules: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rules",
            abstract: "Check and inspect rule files (clusters, value chains, members)."
        )

        func run() async throws {
            // Placeholder until the stage lands; exits 2 so no script mistakes it for success.
            print("vigie rules: not available in this build")
            throw ExitCode(2)
        }
    }
}
