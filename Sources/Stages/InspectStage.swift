import Foundation
import NeuralNet
import Notebook
import Report

extension StageName {
    public static let inspect = StageName(rawValue: "inspect")
}

/// `inspect`: what the trained network sees on chosen test images — feature maps, the first
/// convolution's kernels before and after training, saliency maps, and a 2-D embedding (see `Inspection`).
public struct InspectStage: Stage {
    public static let name = StageName.inspect
    public static let title = "Look inside the model"
    public static let schema = spec("Feature maps, filters, saliency and a 2-D embedding of the trained model.", needs: [.train], [
        ParameterSpec("images", .list(.int(.nonNegative)), defaultText: "one per class",
                      doc: "test-set indices of the images to look at (at most \(Inspection.maxImages))"),
        ParameterSpec("layers", .list(.string), defaultText: "every conv2d", doc: "layers whose feature maps are shown"),
        ParameterSpec("filters", .bool, default: true, doc: "the first convolution's kernels after training beside their initial values"),
        ParameterSpec("saliency", .bool, default: true, doc: "gradient of the predicted class's score with respect to the pixels"),
        ParameterSpec("embedding", .map([
            ParameterSpec("layer", .string, default: "", defaultText: "the layer before the output",
                          doc: "the layer whose features are projected"),
            ParameterSpec("images", .int(NumberRange(lower: 2, upper: 10_000)), default: 2000,
                          doc: "how many test images (the first ones)"),
        ], canDisable: true), default: false,
                      doc: "PCA to 2-D of a layer's features for many test images, coloured by class; false to skip"),
    ])
    public static let reads: Set<WorkspacePart> = [.data, .preprocessing, .model, .training]
    public static let writes: Set<WorkspacePart> = []

    var options: InspectOptions
    /// nil: the layer feeding the output layer, known once the model is.
    var embeddingLayer: String?

    public init(_ step: ValidatedStep) {
        var embedding: (layer: String, images: Int)?
        if let m = step.mapOrOff("embedding") {
            let layer = m.string("layer")
            embedding = (layer, m.int("images"))
            embeddingLayer = layer.isEmpty ? nil : layer
        }
        options = InspectOptions(images: step["images"]?.listValue?.compactMap(\.intValue),
                                 layers: step["layers"]?.listValue?.compactMap(\.stringValue),
                                 filters: step.bool("filters"), saliency: step.bool("saliency"), embedding: embedding)
    }

    public func run(_ workspace: inout Workspace, _ context: StageContext) throws -> StageResult {
        let data = try workspace.requireData(for: Self.name)
        let model = try workspace.requireModel(for: Self.name)
        _ = try workspace.requireTraining(for: Self.name)
        guard data.test.count > 0 else { throw StageFailure("'inspect' needs test images: the test set is empty") }
        var options = self.options
        // The default embedding layer: the one feeding the output layer (dense1 in the course's CNN).
        if let e = options.embedding, embeddingLayer == nil, model.layers.count >= 2 {
            options.embedding = (model.layers[model.layers.count - 2].name, e.images)
        }
        return StageResult(outputs: try Inspection.outputs(model: model, test: data.test, classNames: data.classNames, options: options))
    }
}
