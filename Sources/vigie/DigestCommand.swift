import ArgumentParser

extension Vigie {
    /// `vigie digest`.
    struct DigestCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "digest",
            abstract: "Write digests from the store for a cluster."
        )

        func run() async throws {
            // Placeholder until the stage lands; exits 2 so no script mistakes it for success.
            print("vigie digest: not available in this build")
            throw ExitCode(2)
        }
    }
}
