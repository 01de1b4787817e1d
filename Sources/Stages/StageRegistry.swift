import Notebook

/// The stages by name: the function that runs a step, its title in the report, and its documented
/// parameters (Notebook's `StageSchema`, the one table validation and `mnistbook steps` read).
public enum StageRegistry {
    /// One stage.
    public struct Entry {
        public let name: String
        /// The heading of the step's section in the report.
        public let title: String
        public let spec: StageSpec
        public let run: StageFunction
    }

    /// Every stage, in lifecycle order.
    public static let entries: [Entry] = [
        entry("load", "Load the data", runLoad),
        entry("eda", "Explore the data", runEDA),
        entry("preprocess", "Preprocess", runPreprocess),
        entry("build", "Build the model", runBuild),
        entry("tune", "Tune the hyperparameters", runTune),
        entry("train", "Train the model", runTrain),
        entry("evaluate", "Evaluate", runEvaluate),
        entry("error-analysis", "Error analysis", runErrorAnalysis),
        entry("save", "Save the model", runSave),
    ]

    public static var names: [String] { entries.map(\.name) }

    public static func entry(named name: String) -> Entry? {
        entries.first { $0.name == name }
    }

    /// The text of `mnistbook steps [STAGE]`: parameters, types, defaults and docs.
    public static func describe(stage: String? = nil) -> String {
        StageSchema.describe(stage: stage)
    }

    private static func entry(_ name: String, _ title: String, _ run: @escaping StageFunction) -> Entry {
        guard let spec = StageSchema.spec(for: name) else { preconditionFailure("stage '\(name)' is not in StageSchema") }
        return Entry(name: name, title: title, spec: spec, run: run)
    }
}
