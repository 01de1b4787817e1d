/// What a notebook may contain: the stages with their parameters, and the layer types of a layer list.
///
/// Notebook knows no stage: whoever parses and validates a notebook hands it the schema (Stages
/// builds it from its stage types), and `mnistbook steps` prints from the same value.
public struct Schema: Sendable {
    /// All stages in lifecycle order.
    public let stages: [StageSpec]
    /// The layer types of a `.layers` parameter.
    public let layers: [LayerSpec]

    public init(stages: [StageSpec], layers: [LayerSpec]) {
        self.stages = stages
        self.layers = layers
    }

    public var stageNames: [String] { stages.map(\.name) }
    public var layerTypes: [String] { layers.map(\.type) }

    public func spec(for stage: String) -> StageSpec? {
        stages.first { $0.name == stage }
    }

    public func layerSpec(for type: String) -> LayerSpec? {
        layers.first { $0.type == type }
    }

    /// A validated layer as a map: `type` plus every parameter of that type with defaults applied.
    /// `name` is filled in later (Keras-style) when none is given.
    public func completeLayer(_ type: String, _ given: [String: ParamValue]) -> ParamValue {
        var values = layerSpec(for: type).map { defaultValues(of: $0.parameters) } ?? [:]
        values.merge(given) { _, new in new }
        values["type"] = .string(type)
        return .map(values)
    }
}
