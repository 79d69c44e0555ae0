import ArgumentParser

extension Vigie {
    /// `vigie extract`.
    struct Extract: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "extract",
            abstract: "Extract deadline, amounts, places and CPV codes from a piece of French text."
        )

        func run() async throws {
            // Placeholder until the stage lands; exits 2 so no script mistakes it for success.
            print("vigie extract: not available in this build")
            throw ExitCode(2)
        }
    }
}
