import ArgumentParser

extension Vigie {
    /// `vigie route`.
    struct Route: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "route",
            abstract: "Route notices parsed from files to cluster members, without a store."
        )

        func run() async throws {
            // Placeholder until the stage lands; exits 2 so no script mistakes it for success.
            print("vigie route: not available in this build")
            throw ExitCode(2)
        }
    }
}
