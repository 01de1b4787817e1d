import ArgumentParser
import Notebook
import Stages

/// `mnistbook steps`: every stage with its parameters, types and defaults.
struct Steps: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the stages a notebook can use, with their parameters and defaults.")

    @Argument(help: "Show one stage (or layer type) only.")
    var stage: String?

    func run() throws {
        let schema = StageRegistry.standard.schema
        if let stage, schema.spec(for: stage) == nil, schema.layerSpec(for: stage) == nil {
            let hint = closestMatch(to: stage, in: schema.stageNames).map { " (did you mean '\($0)'?)" } ?? ""
            printError("unknown stage '\(stage)'\(hint); stages: \(schema.stageNames.joined(separator: ", "))")
            throw ExitCode.failure
        }
        print(schema.describe(stage: stage), terminator: "")
    }
}
