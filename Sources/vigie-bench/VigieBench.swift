import ArgumentParser

/// `vigie-bench`: measures Vigie's stages against baselines measured in the same run.
@main
struct VigieBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vigie-bench",
        abstract: "Benchmarks: each figure is a ratio against a baseline measured in the same run.",
        discussion: "Build with `swift build -c release` first; `make bench` runs them all.",
        subcommands: [
            ParseBench.self, EFormsCommand.self, FetchBench.self, ClassifyBench.self, RunBench.self, QueryBench.self,
            RenderBench.self,
        ]
    )
}
