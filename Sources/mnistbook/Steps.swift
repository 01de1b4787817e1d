import ArgumentParser
import Notebook

/// `mnistbook steps`: every stage with its parameters, types and defaults.
struct Steps: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the stages a notebook can use, with their parameters and defaults.")

    @Argument(help: "Show one stage (or layer type) only.")
    var stage: String?

    func run() throws {
        if let stage, StageSchema.spec(for: stage) == nil, StageSchema.layerSpec(for: stage) == nil {
            let hint = closestMatch(to: stage, in: StageSchema.stageNames).map { " (did you mean '\($0)'?)" } ?? ""
            printError("unknown stage '\(stage)'\(hint); stages: \(StageSchema.stageNames.joined(separator: ", "))")
            throw ExitCode.failure
        }
        print(StageSchema.describe(stage: stage), terminator: "")
    }
}
