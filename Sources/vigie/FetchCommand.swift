import ArgumentParser

extension Vigie {
    /// `vigie fetch`.
    struct Fetch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "fetch",
            abstract: "Fetch every source of the catalogue, parse and keep responses and source state."
        )

        func run() async throws {
            // Placeholder until the stage lands; exits 2 so no script mistakes it for success.
            print("vigie fetch: not available in this build")
            throw ExitCode(2)
        }
    }
}
