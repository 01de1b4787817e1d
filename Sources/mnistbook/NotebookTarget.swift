import ArgumentParser
import Foundation

/// The notebook, output folder and overrides that `render` and `watch` share.
struct NotebookTarget: ParsableArguments {
    @Argument(help: "The Markdown notebook, e.g. notebooks/mnist-lifecycle.md.")
    var notebook: String

    @Option(name: .shortAndLong, help: "Output folder (default: output/<notebook-stem>).")
    var output: String?

    @Option(name: [.customShort("P"), .customLong("set")], help: "Override a step parameter, e.g. --set train.epochs=3 (repeatable).")
    var overrides: [String] = []

    var outputDirectory: URL? { output.map { URL(fileURLWithPath: $0) } }
}
