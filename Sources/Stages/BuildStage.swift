import Foundation
import NeuralNet
import Notebook
import Report

/// `build`: the model from the layer list, its Keras-style summary and its Graphviz diagram.
func runBuild(_ step: ValidatedStep, _ workspace: inout Workspace, _ context: StageContext) throws -> StageResult {
    var outputs: [Output] = []
    let inputShape: [Int]
    if let data = workspace.data {
        inputShape = data.imageShape
    } else {
        inputShape = defaultInputShape
        outputs.append(.note("No data is loaded yet, so the input is taken to be MNIST's \(tupleShape(inputShape))."))
    }
    let model = try buildModel(step, inputShape: inputShape, classes: workspace.data?.classNames.count, seed: context.seed)
    workspace.setModel(model)

    let summary = ModelSummary(model)
    outputs.append(.table(summary.table))

    let diagram = step["diagram"]
    let dot = architectureDOT(model, rankdir: diagram?["rankdir"]?.stringValue ?? "TB",
                              showShapes: diagram?["show_shapes"]?.boolValue ?? true)
    var artifacts = [Artifact(name: "model_architecture.dot", text: dot)]
    do {
        let svg = try Graphviz.svg(fromDot: dot)
        outputs.append(.diagram(svg: svg, caption: "Architecture of \(model.name), laid out by Graphviz (model_architecture.svg)"))
        artifacts.append(Artifact(name: "model_architecture.svg",
                                  text: "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n" + svg + "\n"))
    } catch {
        // The model is fine without its picture; say why the picture is missing.
        outputs.append(.note("No architecture diagram: \(error). The DOT source is in model_architecture.dot."))
    }
    return StageResult(outputs: outputs, artifacts: artifacts)
}

/// The model of a build step, with its initial weights drawn from the seed: the same step, input and
/// seed always give the same model, which is what lets a cached build step be rebuilt instead of stored.
func buildModel(_ step: ValidatedStep, inputShape: [Int], classes: Int?, seed: Int) throws -> Model {
    let specs = layerSpecs(step.layers)
    do throws(LayerProblem) {
        _ = try checkLayerShapes(specs, inputShape: inputShape, classes: classes)
    } catch {
        throw StageFailure(error.description)
    }
    do {
        return try Model(name: step.string("name"), inputShape: inputShape, layers: specs, seed: UInt64(seed))
    } catch {
        throw StageFailure(error.description)
    }
}

extension Workspace {
    /// A new model makes earlier training and scores stale.
    mutating func setModel(_ model: Model) {
        self.model = model
        training = nil
        evaluations = [:]
        lastEvaluatedSplit = nil
    }
}

/// MNIST's image shape, assumed when a model is built before any data is loaded.
let defaultInputShape = [28, 28, 1]
