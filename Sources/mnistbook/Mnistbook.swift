import ArgumentParser

/// The command line: one subcommand per file.
@main
struct Mnistbook: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mnistbook",
        abstract: "Run a Markdown notebook of the deep-learning lifecycle on MNIST and render it to one HTML report.",
        subcommands: [Render.self, Watch.self, Check.self, Steps.self, Predict.self, Quantize.self, ServeCommand.self, Bench.self, Compare.self, Collate.self, Grade.self]
    )
}
