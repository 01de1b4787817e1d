import Notebook

/// The stages a notebook can use. The runner, `check` and `mnistbook steps` all take one, so a test
/// can add a stage of its own (`StageRegistry.standard.adding(ToyStage.self)`).
public struct StageRegistry {
    /// Every stage, in lifecycle order.
    public let stages: [any Stage.Type]
    /// The layer types of a layer list (`build.layers`).
    public let layers: [LayerSpec]

    public init(stages: [any Stage.Type], layers: [LayerSpec]) {
        self.stages = stages
        self.layers = layers
    }

    /// The ten stages of the lifecycle. A new stage is one file and one line here.
    public static let standard = StageRegistry(stages: [
        LoadStage.self,
        EDAStage.self,
        PreprocessStage.self,
        BuildStage.self,
        TuneStage.self,
        TrainStage.self,
        EvaluateStage.self,
        ErrorAnalysisStage.self,
        SaveStage.self,
        InspectStage.self,
    ], layers: LayerSchema.layers)

    /// What Notebook validates against and `mnistbook steps` prints.
    public var schema: Schema {
        Schema(stages: stages.map(ExpectationResults.schema(of:)), layers: layers)
    }

    public var names: [StageName] { stages.map { $0.name } }

    public func stage(named name: String) -> (any Stage.Type)? {
        stages.first { $0.name.rawValue == name }
    }

    /// These stages and one more, after them.
    public func adding(_ stage: any Stage.Type) -> StageRegistry {
        StageRegistry(stages: stages + [stage], layers: layers)
    }
}
