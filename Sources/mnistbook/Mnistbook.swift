import ArgumentParser
import Foundation
import Tensor

/// The command line: one subcommand per file.
@main
struct Mnistbook: AsyncParsableCommand {
    /// The tool's version, printed by `--version` and named in `bench`'s results.
    static let version = "0.1"

    static let configuration = CommandConfiguration(
        commandName: "mnistbook",
        abstract: "Run a Markdown notebook of the deep-learning lifecycle on MNIST and render it to one HTML report.",
        version: "mnistbook \(version) (oneDNN \(OneDNN.version))",
        subcommands: [Render.self, Watch.self, Check.self, Steps.self, Predict.self, Quantize.self, ServeCommand.self, Bench.self, Compare.self, Collate.self, Grade.self]
    )

    /// ArgumentParser's own entry point, except that an invalid command line exits 2 like every other
    /// "nothing ran" refusal (the README's exit statuses), not BSD's EX_USAGE 64.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
