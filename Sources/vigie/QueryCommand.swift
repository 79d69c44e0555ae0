import ArgumentParser

extension Vigie {
    /// `vigie query`.
    struct Query: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "query",
            abstract: "Search the store for notices (ad hoc watch queries)."
        )

        func run() async throws {
            // Placeholder until the stage lands; exits 2 so no script mistakes it for success.
            print("vigie query: not available in this build")
            throw ExitCode(2)
        }
    }
}
