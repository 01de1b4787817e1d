import Foundation
import NeuralNet
import Notebook
import Report

extension StageName {
    public static let build = StageName(rawValue: "build")
}

/// `build`: the model from the layer list, its Keras-style summary and its Graphviz diagram.
public struct BuildStage: Stage {
    public static let name = StageName.build
    public static let title = "Build the model"
    public static let schema = spec("Build the model and show its summary and architecture diagram.", [
        ParameterSpec("name", .string, default: "MNIST_CNN", doc: "model name shown in the summary"),
        ParameterSpec("layers", .layers, default: LayerSchema.referenceLayers, defaultText: "reference CNN",
                      doc: "layer stack, each item '- type: {parameters}'; see Layers below"),
        ParameterSpec("diagram", .map([
            ParameterSpec("rankdir", .choice(["TB", "LR"]), default: "TB", doc: "diagram direction: top-bottom or left-right"),
            ParameterSpec("show_shapes", .bool, default: true, doc: "label layers with their output shapes"),
        ], canDisable: false), default: ["rankdir": "TB", "show_shapes": true], display: true, doc: "architecture diagram options"),
    ])
    public static let reads: Set<WorkspacePart> = [.data]
    public static let writes: Set<WorkspacePart> = [.model, .training, .evaluations]

    var modelName: String
    var layers: [NeuralNet.LayerSpec]
    var rankdir: String
    var showShapes: Bool

    public init(_ step: ValidatedStep) {
        modelName = step.string("name")
        layers = layerSpecs(step.layers("layers"))
        let diagram = step.map("diagram")
        rankdir = diagram.string("rankdir")
        showShapes = diagram.bool("show_shapes")
    }

    /// The model is rebuilt from its layers and the seed: cheap, and identical.
    public func restore(_ state: StepState, into workspace: inout Workspace, _ context: RestoreContext) throws {
        let inputShape = workspace.data?.imageShape ?? defaultInputShape
        workspace.setModel(try model(inputShape: inputShape, classes: workspace.data?.classNames.count, seed: context.stage.seed))
    }

    public func run(_ workspace: inout Workspace, _ context: StageContext) throws -> StageResult {
        var outputs: [Output] = []
        let inputShape: [Int]
        if let data = workspace.data {
            inputShape = data.imageShape
        } else {
            inputShape = defaultInputShape
            outputs.append(.note("No data is loaded yet, so the input is taken to be MNIST's \(tupleShape(inputShape))."))
        }
        let model = try self.model(inputShape: inputShape, classes: workspace.data?.classNames.count, seed: context.seed)
        workspace.setModel(model)

        let summary = ModelSummary(model)
        outputs.append(.table(summary.table))

        let dot = architectureDOT(model, rankdir: rankdir, showShapes: showShapes)
        let file = architectureFileStem(context.stepIndex, in: context.notebookSteps)
        var artifacts = [Artifact(name: "\(file).dot", text: dot)]
        do {
            let svg = try Graphviz.svg(fromDot: dot)
            outputs.append(.diagram(svg: svg, caption: "Architecture of \(model.name), laid out by Graphviz (\(file).svg)"))
            artifacts.append(Artifact(name: "\(file).svg",
                                      text: "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n" + svg + "\n"))
        } catch {
            // The model is fine without its picture; say why the picture is missing.
            outputs.append(.note("No architecture diagram: \(error). The DOT source is in \(file).dot."))
        }
        return StageResult(outputs: outputs, artifacts: artifacts)
    }
}

extension BuildStage {
    /// The model, with its initial weights drawn from the seed: the same step, input and seed always
    /// give the same model, which is what lets a cached build step be rebuilt instead of stored.
    func model(inputShape: [Int], classes: Int?, seed: Int) throws -> Model {
        do throws(LayerProblem) {
            _ = try checkLayerShapes(layers, inputShape: inputShape, classes: classes)
        } catch {
            throw StageFailure(error.description)
        }
        do {
            return try Model(name: modelName, inputShape: inputShape, layers: layers, seed: UInt64(seed))
        } catch {
            throw StageFailure(error.description)
        }
    }
}

extension Workspace {
    /// A new model makes earlier training and scores stale.
    mutating func setModel(_ model: Model) {
        self.model = model
        training = nil
        ensemble = nil
        evaluations = [:]
        lastEvaluatedSplit = nil
    }
}

/// MNIST's image shape, assumed when a model is built before any data is loaded.
let defaultInputShape = [28, 28, 1]
