import ArgumentParser

extension Vigie {
    /// `vigie run`.
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract: "Run the nightly pipeline: fetch, parse, store, route and write digests."
        )

        func run() async throws {
            // Placeholder until the stage lands; exits 2 so no script mistakes it for success.
            print("vigie run: not available in this build")
            throw ExitCode(2)
        }
    }
}
