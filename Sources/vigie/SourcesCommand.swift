import ArgumentParser

extension Vigie {
    /// `vigie sources`.
    struct Sources: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sources",
            abstract: "Check the source catalogue in Feeds/."
        )

        func run() async throws {
            // Placeholder until the stage lands; exits 2 so no script mistakes it for success.
            print("vigie sources: not available in this build")
            throw ExitCode(2)
        }
    }
}
