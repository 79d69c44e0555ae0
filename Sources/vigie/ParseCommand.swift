import ArgumentParser

extension Vigie {
    /// `vigie parse`.
    struct Parse: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "parse",
            abstract: "Parse a feed, notice or API response file and print what Vigie understands of it."
        )

        func run() async throws {
            // Placeholder until the stage lands; exits 2 so no script mistakes it for success.
            print("vigie parse: not available in this build")
            throw ExitCode(2)
        }
    }
}
